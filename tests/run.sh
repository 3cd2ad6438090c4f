#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run test layers and sum their results: tests/run.sh [LAYER...]
# Layers: unit fuzz spec style kunit selftests selftests-debug dkms (default:
# all).
#
# Each layer's full output goes to tests/out/<layer>.log and, live, to
# stdout. Results are counted from "TEST: <name> [ OK ]|[FAIL]|[SKIP]" lines
# and cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" lines; a
# layer that exits non-zero without reporting a failure counts as one. The
# last line is "N passed, N failed, N skipped".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/out
ALL_LAYERS=(unit fuzz spec style kunit selftests selftests-debug dkms)

layer_cmd() {
	case $1 in
	unit)		echo "make -C $ROOT/tests/unit check" ;;
	fuzz)		echo "$ROOT/tests/fuzz/run.sh" ;;
	spec)		echo "$ROOT/tests/spec/run.sh" ;;
	style)		echo "$ROOT/tests/style/check-style.sh" ;;
	kunit)		echo "$ROOT/tests/kunit/run.sh" ;;
	selftests)	echo "$ROOT/tests/selftests/run-vm.sh" ;;
	selftests-debug) echo "$ROOT/tests/selftests/run-vm.sh --debug" ;;
	dkms)		echo "$ROOT/tests/dkms/check-dkms.sh" ;;
	*)		return 1 ;;
	esac
}

count() { # count PATTERN FILE
	grep -cE -- "$1" "$2" || true
}

sum_cmocka() { # sum_cmocka PASSED|FAILED FILE
	sed -nE "s/^\[  $1  \] ([0-9]+) test.*/\1/p" "$2" | paste -sd+ | sed 's/^$/0/' | bc
}

layers=("$@")
[ ${#layers[@]} -eq 0 ] && layers=("${ALL_LAYERS[@]}")
mkdir -p "$OUT"

total_pass=0 total_fail=0 total_skip=0
summary=()
for layer in "${layers[@]}"; do
	if ! cmd=$(layer_cmd "$layer"); then
		echo "tests/run.sh: unknown layer '$layer' (layers: ${ALL_LAYERS[*]})" >&2
		exit 1
	fi
	log=$OUT/$layer.log
	echo "=== layer $layer: $cmd"
	start=$(date +%s)
	$cmd 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))

	pass=$(( $(count '^TEST: .*\[ OK \]$' "$log") + $(sum_cmocka PASSED "$log") ))
	fail=$(( $(count '^TEST: .*\[FAIL\]$' "$log") + $(sum_cmocka FAILED "$log") ))
	skip=$(count '^TEST: .*\[SKIP\]$' "$log")
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "TEST: layer $layer exited with status $rc [FAIL]"
		fail=1
	fi
	summary+=("$(printf '%-16s %4d passed %4d failed %4d skipped %6ds' \
		"$layer" "$pass" "$fail" "$skip" "$secs")")
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done

echo "=== summary"
printf '%s\n' "${summary[@]}"
printf '%s\n' "${summary[@]}" > "$OUT/summary"
echo "$total_pass passed, $total_fail failed, $total_skip skipped" | tee -a "$OUT/summary"
[ "$total_fail" -eq 0 ]
