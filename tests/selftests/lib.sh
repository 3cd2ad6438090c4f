#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the kzt selftests. They run as root inside the QEMU guest
# (tests/selftests/run-vm.sh), never on the host: they load modules and make
# network namespaces.
#
# A test sources this file, defines cleanup(), calls its checks through
# run_test (one "TEST: <name> [ OK ]|[FAIL]|[SKIP]" line each) and ends with
# `exit $RET`.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KZT_MODULE=${KZT_MODULE:-$TOP/kmod/kzt.ko}
export PATH=$TOP/tools/kztctl:$TOP/daemon:$TOP/tests/selftests:$PATH

RET=$KSFT_PASS
NS_PREFIX="kzt-$$-"

log_test() { # log_test NAME STATUS [DETAIL]
	case $2 in
	0) printf 'TEST: %-64s [ OK ]\n' "$1" ;;
	4) printf 'TEST: %-64s [SKIP]\n' "$1" ;;
	*) printf 'TEST: %-64s [FAIL]\n' "$1"
	   [ -n "${3:-}" ] && printf '    %s\n' "$3"
	   RET=$KSFT_FAIL ;;
	esac
}

# run_test [--debug] NAME FUNCTION [ARGS...]: a check is a function whose
# non-zero status fails it. It runs in this shell (so it may keep state for
# later checks); what it prints is shown under a FAIL line only. Returns
# the check's status (0 when it is not run), so setup can end a file.
#
# --debug puts the check in the debug layer too (selftests-debug: KASAN and
# lockdep; tests/selftests/run-vm.sh --debug sets KZT_CHECKS=debug). Mark a
# check that exercises a lifetime, locking between contexts, teardown or
# hostile input, and every check that one depends on (setup); leave out what
# only proves a result the stock layer already proves (the rule is in
# Documentation/testing.rst). With KZT_CHECKS=debug an unmarked check only
# prints a "# stock layer only:" line.
run_test() {
	local _name _log _rc _start _debug=0
	if [ "$1" = --debug ]; then
		_debug=1
		shift
	fi
	_name=$1
	shift
	if [ "${KZT_CHECKS:-all}" = debug ] && [ $_debug -eq 0 ]; then
		echo "# stock layer only: $_name"
		return 0
	fi
	_log=$(mktemp)
	_start=$SECONDS
	"$@" > "$_log" 2>&1
	_rc=$?
	[ $_rc -eq $KSFT_SKIP ] || [ $_rc -eq 0 ] || _rc=1
	log_test "$_name" $_rc "$(tail -n 20 "$_log" | sed '2,$s/^/    /')"
	rm -f "$_log"
	# Where a file's time goes (the budget, Documentation/testing.rst).
	[ $((SECONDS - _start)) -lt 10 ] || echo "# $((SECONDS - _start)) s: $_name"
	return $_rc
}

skip_all() { # skip_all REASON
	echo "SKIP: $1"
	exit $KSFT_SKIP
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip_all "$c not found"
	done
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "must run as root (in the guest)"
}

# busywait TIMEOUT_MS CMD...: retry CMD until it succeeds or time runs out.
busywait() {
	local timeout_ms=$1 start now
	shift
	start=$(date +%s%3N)
	while true; do
		"$@" && return 0
		now=$(date +%s%3N)
		[ $((now - start)) -ge "$timeout_ms" ] && return 1
		sleep 0.05
	done
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] && return 0
	echo "$1: got '$2', want '$3'"
	return 1
}

# expect_match WHAT GOT REGEX
expect_match() {
	[[ $2 =~ $3 ]] && return 0
	echo "$1: got '$2', want a match of /$3/"
	return 1
}

kzt_loaded() {
	[ -d /sys/module/kzt ]
}

kzt_load() {
	kzt_loaded || insmod "$KZT_MODULE"
}

kzt_unload() {
	! kzt_loaded || rmmod kzt
}

# A network namespace with a unique name; all are removed by ns_cleanup.
ns_create() { # ns_create SUFFIX -> prints the name
	local ns=$NS_PREFIX$1
	ip netns add "$ns" && ip -n "$ns" link set lo up && echo "$ns"
}

ns_cleanup() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" || true); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns"
	done
}

# json_get FIELD < json: a field of kztctl's flat -j output (numbers and
# booleans as written, strings unquoted). Plain sed on purpose: a python
# start costs seconds on the KASAN kernel under TCG.
json_get() {
	sed -nE "s/.*\"$1\":(\"([^\"]*)\"|([^,}]*)).*/\2\3/p"
}

# scale N: a loop count for stress-style checks; a third of it on the debug
# kernel, where KASAN and lockdep make every process start far slower.
# kmem_kib: kernel memory that module data can live in (SUnreclaim +
# VmallocUsed), in KiB; the benchmarks' memory figures.
kmem_kib() {
	awk '/^SUnreclaim:/ { s = $2 } /^VmallocUsed:/ { v = $2 }
	     END { print s + v }' /proc/meminfo
}

scale() {
	case $(uname -r) in
	*debug*) echo $(( ($1 + 2) / 3 )) ;;
	*) echo "$1" ;;
	esac
}

# without_autoload CMD...: run CMD with module autoloading off. Asked for a
# family it does not know, the kernel tries to load its module, and a
# DKMS-installed kzt would answer: the "not loaded" paths need it off.
without_autoload() {
	local _saved _status
	_saved=$(cat /proc/sys/kernel/modprobe)
	echo /bin/false > /proc/sys/kernel/modprobe
	"$@"
	_status=$?
	echo "$_saved" > /proc/sys/kernel/modprobe
	return $_status
}
