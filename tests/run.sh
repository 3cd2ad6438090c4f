#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run test layers and sum their results: tests/run.sh [STEP...]
# Layers: unit fuzz spec style kunit selftests selftests-debug dkms; set-up
# steps: deps (packages), build (kzt with -Werror, the selftest helpers) and
# debug-kernel (built, or found in the cache). With no argument (make check)
# it runs deps, build and every layer. debug-kernel goes by itself before
# the first layer that boots that kernel.
#
# Each step's full output goes to tests/out/<step>.log and, live, to
# stdout. Results are counted from "TEST: <name> [ OK ]|[FAIL]|[SKIP]" lines
# and cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" lines; a
# layer that exits non-zero without reporting a failure counts as one. The
# summary has a line per step with its seconds, a total, and last
# "N passed, N failed, N skipped". It warns (does not fail) when the run,
# without package installs and the debug kernel build, passed the budget
# (KZT_BUDGET_MIN, 60 minutes), and names the slowest steps and files.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/tests/out
LAYERS=(unit fuzz spec style kunit selftests selftests-debug dkms)
SETUP=(deps build debug-kernel)
BUDGET_MIN=${KZT_BUDGET_MIN:-60}
if ! [[ $BUDGET_MIN =~ ^[0-9]+$ ]]; then
	echo "tests/run.sh: KZT_BUDGET_MIN wants whole minutes, got '$BUDGET_MIN': using 60" >&2
	BUDGET_MIN=60
fi

run_step() {
	case $1 in
	deps)		"$ROOT/tools/deps.sh" ;;
	build)		make -C "$ROOT" -j"$(nproc)" all KZT_WERROR=y &&
			make -C "$ROOT/tests/selftests" ;;
	debug-kernel)	"$ROOT/tools/kernel/build-kernel.sh" ;;
	unit)		make -C "$ROOT/tests/unit" check ;;
	fuzz)		"$ROOT/tests/fuzz/run.sh" ;;
	spec)		"$ROOT/tests/spec/run.sh" ;;
	style)		"$ROOT/tests/style/check-style.sh" ;;
	kunit)		"$ROOT/tests/kunit/run.sh" ;;
	selftests)	"$ROOT/tests/selftests/run-vm.sh" ;;
	selftests-debug) "$ROOT/tests/selftests/run-vm.sh" --debug ;;
	dkms)		"$ROOT/tests/dkms/check-dkms.sh" ;;
	esac
}

known() { # known STEP
	[[ " ${LAYERS[*]} ${SETUP[*]} " == *" $1 "* ]]
}

needs_debug_kernel() { # needs_debug_kernel STEP
	[ "$1" = kunit ] || [ "$1" = selftests-debug ]
}

count() { # count PATTERN FILE
	grep -cE -- "$1" "$2" || true
}

sum_cmocka() { # sum_cmocka PASSED|FAILED FILE
	sed -nE "s/^\[  $1  \] ([0-9]+) test.*/\1/p" "$2" | awk '{ n += $1 } END { print n + 0 }'
}

mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

[ $# -gt 0 ] || set -- deps build "${LAYERS[@]}"
steps=()
for s in "$@"; do
	if ! known "$s"; then
		echo "tests/run.sh: unknown step '$s' (layers: ${LAYERS[*]}; set-up: ${SETUP[*]})" >&2
		exit 1
	fi
	if needs_debug_kernel "$s" && [[ " ${steps[*]} " != *" debug-kernel "* ]]; then
		steps+=(debug-kernel)
	fi
	[[ " ${steps[*]} " == *" $s "* ]] || steps+=("$s")
done
mkdir -p "$OUT"

run_start=$(date +%s)
total_pass=0 total_fail=0 total_skip=0 unbudgeted=0
summary=()
declare -A took=()
stop='' no_debug_kernel=''
for step in "${steps[@]}"; do
	if [ -n "$stop" ] || { [ -n "$no_debug_kernel" ] && needs_debug_kernel "$step"; }; then
		summary+=("$(printf '%-16s %-40s' "$step" "not run: ${stop:-$no_debug_kernel} failed")")
		continue
	fi
	log=$OUT/$step.log
	echo "=== $step"
	start=$(date +%s)
	run_step "$step" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))

	case $step in
	deps|build|debug-kernel)
		# No tests of their own. Package installs and the kernel build
		# happen once per machine: they do not count against the budget.
		state='done'
		if [ "$step" = deps ] && grep -q '^deps: installing' "$log"; then
			state='installed'
		elif [ "$step" = debug-kernel ]; then
			state='cached'
			grep -q 'make -j' "$log" && state='built'
		fi
		case $state in
		installed|built) unbudgeted=$((unbudgeted + secs)) ;;
		*) took[$step]=$secs ;;
		esac
		if [ "$rc" -ne 0 ]; then
			state=FAILED
			echo "TEST: set-up step $step exited with status $rc [FAIL]" | tee -a "$log"
			total_fail=$((total_fail + 1))
			# Without packages or a build nothing can run; without the
			# debug kernel only the layers that boot it cannot.
			if [ "$step" = debug-kernel ]; then no_debug_kernel=$step; else stop=$step; fi
		fi
		summary+=("$(printf '%-16s %-40s %6ds' "$step" "$state" "$secs")")
		continue ;;
	esac

	took[$step]=$secs
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

budgeted=$((secs - unbudgeted))
if [ "$budgeted" -gt $((BUDGET_MIN * 60)) ]; then
	echo "tests/run.sh: warning: $(mmss "$budgeted") without package installs and the debug kernel build, over the budget of $BUDGET_MIN minutes (Documentation/testing.rst); the slowest:"
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
