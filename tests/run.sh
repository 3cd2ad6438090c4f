#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run test layers and sum their results: tests/run.sh [LAYER...]
# Layers: unit fuzz spec style kunit selftests selftests-debug dkms. With no
# argument (make check) it runs everything, set-up steps included: deps
# (packages), build (kzt with -Werror, the selftest helpers), then the
# layers, with the debug kernel built (or found in the cache) as a step of
# its own before the first layer that boots it.
#
# Each step's full output goes to tests/out/<step>.log and, live, to
# stdout. Results are counted from "TEST: <name> [ OK ]|[FAIL]|[SKIP]" lines
# and cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" lines; a
# layer that exits non-zero without reporting a failure counts as one. The
# summary has a line per step with its seconds, a total, and last
# "N passed, N failed, N skipped". It warns (does not fail) when the run,
# without package installs and the debug kernel build, passed the budget
# (KZT_BUDGET_MIN, 60 minutes), and names the slowest files.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/out
ALL_LAYERS=(unit fuzz spec style kunit selftests selftests-debug dkms)
BUDGET_MIN=${KZT_BUDGET_MIN:-60}

step_cmd() {
	case $1 in
	deps)		echo "$ROOT/tools/deps.sh" ;;
	build)		echo "make -C $ROOT all KZT_WERROR=y && make -C $ROOT/tests/selftests" ;;
	debug-kernel)	echo "$ROOT/tools/kernel/build-kernel.sh" ;;
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
	sed -nE "s/^\[  $1  \] ([0-9]+) test.*/\1/p" "$2" | awk '{ n += $1 } END { print n + 0 }'
}

mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# The steps: set-up and every layer for a whole run; the layers asked for
# otherwise. The debug kernel step goes before the first layer that boots it.
steps=()
if [ $# -eq 0 ]; then
	set -- deps build "${ALL_LAYERS[@]}"
fi
for s in "$@"; do
	if ! step_cmd "$s" > /dev/null || [ "$s" = debug-kernel ]; then
		echo "tests/run.sh: unknown layer '$s' (layers: ${ALL_LAYERS[*]})" >&2
		exit 1
	fi
	case $s in
	kunit|selftests-debug)
		[[ " ${steps[*]} " == *" debug-kernel "* ]] || steps+=(debug-kernel) ;;
	esac
	steps+=("$s")
done
mkdir -p "$OUT"

run_start=$(date +%s)
total_pass=0 total_fail=0 total_skip=0 unbudgeted=0
summary=()
declare -A took=()
for step in "${steps[@]}"; do
	cmd=$(step_cmd "$step")
	log=$OUT/$step.log
	echo "=== $step: $cmd"
	start=$(date +%s)
	bash -c "$cmd" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	took[$step]=$secs

	case $step in
	deps|build|debug-kernel)
		# Set-up: no tests of its own; a failure ends the run.
		state=done
		[ "$step" = deps ] && grep -q '^deps: installing' "$log" && state=installed
		[ "$step" = debug-kernel ] && grep -q 'make -j' "$log" && state=built
		[ "$step" = debug-kernel ] && [ "$state" = done ] && state=cached
		[ "$rc" -eq 0 ] || state=FAILED
		summary+=("$(printf '%-16s %-40s %6ds' "$step" "$state" "$secs")")
		# Package installs and the kernel build happen once per machine:
		# they do not count against the warm budget.
		case $state in installed|built) unbudgeted=$((unbudgeted + secs)) ;; esac
		if [ "$rc" -ne 0 ]; then
			echo "TEST: set-up step $step exited with status $rc [FAIL]" | tee -a "$log"
			total_fail=$((total_fail + 1))
			break
		fi
		continue ;;
	esac

	pass=$(( $(count '^TEST: .*\[ OK \]$' "$log") + $(sum_cmocka PASSED "$log") ))
	fail=$(( $(count '^TEST: .*\[FAIL\]$' "$log") + $(sum_cmocka FAILED "$log") ))
	skip=$(count '^TEST: .*\[SKIP\]$' "$log")
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "TEST: layer $step exited with status $rc [FAIL]"
		fail=1
	fi
	summary+=("$(printf '%-16s %4d passed %4d failed %4d skipped %6ds' \
		"$step" "$pass" "$fail" "$skip" "$secs")")
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done

secs=$(( $(date +%s) - run_start ))
summary+=("$(printf '%-16s %4d passed %4d failed %4d skipped %6ds (%s)' \
	total "$total_pass" "$total_fail" "$total_skip" "$secs" "$(mmss "$secs")")")

echo "=== summary"
printf '%s\n' "${summary[@]}"
printf '%s\n' "${summary[@]}" > "$OUT/summary"

warm=$((secs - unbudgeted))
if [ "$warm" -gt $((BUDGET_MIN * 60)) ]; then
	echo "tests/run.sh: warning: $(mmss "$warm") without package installs and the debug kernel build, over the budget of $BUDGET_MIN minutes (Documentation/testing.rst); slowest:"
	for step in "${!took[@]}"; do
		case $step in
		selftests|selftests-debug)
			sed -nE "s/^# (.*\.sh): exit [0-9]+ after ([0-9]+)s$/\2 $step \1/p" "$OUT/$step.log" ;;
		*)	echo "${took[$step]} $step" ;;
		esac
	done | sort -rn | head -n 6 | awk '{ printf "  %6ds  %s %s\n", $1, $2, $3 }'
fi
echo "$total_pass passed, $total_fail failed, $total_skip skipped" | tee -a "$OUT/summary"
[ "$total_fail" -eq 0 ]
