#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kztd applies its config file to the kernel, reloads it on SIGHUP (a bad
# file changes nothing), logs configuration changes the kernel multicasts,
# and exits cleanly on SIGTERM.
#
#   ns node: kztd -c $TMP/kztd.conf, and kztctl as the operator
source "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d)
NS= PID=

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	ns_cleanup
	kzt_unload 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd

CONF=$TMP/kztd.conf
LOG=$TMP/kztd.log

cfg() { # cfg FIELD
	ip netns exec "$NS" kztctl -j config show | json_get "$1"
}

port_is() { [ "$(cfg tunnel_port)" = "$1" ]; }

test_not_loaded() {
	local out rc
	out=$(without_autoload kztd -c /dev/null --log stderr 2>&1 </dev/null)
	rc=$?
	expect_eq "exit code" "$rc" 1 || return 1
	expect_match "message" "$out" "modprobe kzt"
}

test_check_config() {
	printf 'tunnel_port = 15100\ncapture = on\n' > "$CONF"
	kztd --check-config -c "$CONF" || { echo "valid file refused"; return 1; }
	printf '# comment\n\ntunnel_port = 15100\ncapture = sometimes\n' > "$TMP/bad.conf"
	local out
	out=$(kztd --check-config -c "$TMP/bad.conf" 2>&1) && { echo "bad file accepted"; return 1; }
	expect_match "message" "$out" "bad.conf:4" || return 1
	expect_match "message" "$out" "capture"
}

test_start_applies() {
	printf 'tunnel_port = 15100\ncapture = on\nlog_level = debug\n' > "$CONF"
	ip netns exec "$NS" kztd -c "$CONF" --log stderr > "$LOG" 2>&1 &
	PID=$!
	busywait 5000 port_is 15100 || { cat "$LOG"; return 1; }
	expect_eq "capture" "$(cfg capture)" true
}

test_notification() {
	ip netns exec "$NS" kztctl config set tunnel-port 15222 || return 1
	busywait 5000 grep -q "15222" "$LOG" || { echo "not logged:"; cat "$LOG"; return 1; }
}

test_reload() {
	printf 'tunnel_port = 15300\n' > "$CONF"
	kill -HUP "$PID"
	busywait 5000 port_is 15300 || { cat "$LOG"; return 1; }
	expect_eq "capture untouched" "$(cfg capture)" true
}

test_bad_reload() {
	printf 'tunnel_port = 0\ncapture = off\n' > "$CONF"
	kill -HUP "$PID"
	busywait 5000 grep -q "kztd.conf:1" "$LOG" || { echo "no error logged:"; cat "$LOG"; return 1; }
	expect_eq "port" "$(cfg tunnel_port)" 15300 &&
	expect_eq "capture" "$(cfg capture)" true &&
	kill -0 "$PID"
}

test_sigterm() {
	kill -TERM "$PID"
	wait "$PID"
	local rc=$?
	PID=
	expect_eq "exit status" "$rc" 0
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
run_test "kztd: refuses to start without kzt, says modprobe kzt" test_not_loaded
run_test "kztd: --check-config accepts good, names file:line of bad" test_check_config
kzt_load || { log_test "kztd: load kzt" 1; exit $RET; }
NS=$(ns_create node)
run_test "kztd: applies its config file at start" test_start_applies
run_test "kztd: logs a change made by kztctl" test_notification
run_test "kztd: SIGHUP reloads the file" test_reload
run_test "kztd: a bad file on SIGHUP changes nothing" test_bad_reload
run_test "kztd: SIGTERM exits 0" test_sigterm
exit $RET
