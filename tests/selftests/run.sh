#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kzt selftests in this (guest) kernel: tests/selftests/run.sh [TEST.sh...]
# Default: every tests/selftests/*.sh but the helpers; with KZT_CHECKS=debug
# (the debug layer) only the files that mark checks with run_test --debug.
# Each file prints its "TEST: ..." lines; a file that skips as a whole
# (exit 4) or fails without saying why gets a line of its own. Exits 1 if
# any file failed.
DIR=$(cd "$(dirname "$0")" && pwd)
cd "$DIR" || exit 1

echo "# kzt selftests on $(uname -r), module ${KZT_MODULE:-$DIR/../../kmod/kzt.ko}, checks: ${KZT_CHECKS:-all}"
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	for t in *.sh; do
		case $t in lib.sh|*-lib.sh|run.sh|run-vm.sh) continue ;; esac
		if [ "${KZT_CHECKS:-all}" = debug ] && ! grep -q 'run_test --debug' "$t"; then
			echo "# $t: stock layer only"
			continue
		fi
		tests+=("$t")
	done
fi

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
