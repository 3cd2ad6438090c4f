#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kzt selftests in this (guest) kernel: tests/selftests/run.sh [TEST.sh...]
# Default: every tests/selftests/*.sh but the helpers. With KZT_CHECKS=debug
# (the debug layer) a file runs only if it marks checks with run_test
# --debug, and only those.
# Each file prints its "TEST: ..." lines; a file that skips as a whole
# (exit 4) or fails without saying why gets a line of its own. Exits 1 if
# any file failed.
DIR=$(cd "$(dirname "$0")" && pwd)
cd "$DIR" || exit 1

echo "# kzt selftests on $(uname -r), module ${KZT_MODULE:-$DIR/../../kmod/kzt.ko}, checks: ${KZT_CHECKS:-all}"
[ $# -gt 0 ] || set -- *.sh
tests=()
for t in "$@"; do
	case ${t#./} in lib.sh|*-lib.sh|run.sh|run-vm.sh) continue ;; esac
	if [ "${KZT_CHECKS:-all}" = debug ] && ! grep -q 'run_test --debug' "$t"; then
		echo "# $t: stock layer only"
		continue
	fi
	tests+=("$t")
done

failed=0
for t in "${tests[@]}"; do
	echo "# $t"
	out=$(mktemp)
	start=$(date +%s)
	"./${t#./}" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	echo "# $t: exit $rc after $(( $(date +%s) - start ))s"
	case $rc in
	0) ;;
	4) printf 'TEST: %-64s [SKIP]\n' "$t: $(grep -m1 '^SKIP:' "$out" | cut -c7-)" ;;
	*) failed=1
	   grep -q '\[FAIL\]$' "$out" || printf 'TEST: %-64s [FAIL]\n' "$t exited with status $rc" ;;
	esac
	rm -f "$out"
done
exit $failed
