#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kztctl as an operator meets it: exit codes and messages when kzt is not
# loaded or the caller lacks CAP_NET_ADMIN, bad values refused before
# anything is sent, and JSON output that parses.
#
#   init_net (node 0) only
source "$(dirname "$0")/lib.sh"

cleanup() {
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd kztctl setpriv

# kztctl CMD... -> sets $out (stdout+stderr) and $rc
ctl() {
	out=$(kztctl "$@" 2>&1)
	rc=$?
}

test_not_loaded() {
	without_autoload ctl status
	expect_eq "exit code" "$rc" 3 || return 1
	expect_match "message" "$out" "modprobe kzt"
}

test_no_permission() {
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups kztctl config show 2>&1)
	rc=$?
	expect_eq "exit code" "$rc" 4 || return 1
	expect_match "message" "$out" "CAP_NET_ADMIN"
}

test_help() {
	ctl --help
	expect_eq "exit code" "$rc" 0 || return 1
	expect_match "usage" "$out" "config" || return 1
	ctl frobnicate
	expect_eq "unknown command exit code" "$rc" 1
}

# bad_value FIELD ARGS...: refused, message names FIELD, nothing changed.
bad_value() {
	local field=$1 before
	shift
	before=$(kztctl -j config show)
	ctl config set "$@"
	expect_eq "'$*' exit code" "$rc" 1 || return 1
	expect_match "'$*' message" "$out" "$field" || return 1
	expect_eq "'$*' config after" "$(kztctl -j config show)" "$before"
}

test_bad_values() {
	bad_value tunnel-port tunnel-port 0 &&
	bad_value tunnel-port tunnel-port 65536 &&
	bad_value tunnel-port tunnel-port -1 &&
	bad_value tunnel-port tunnel-port 80x &&
	bad_value tunnel-port tunnel-port &&
	bad_value capture capture maybe &&
	bad_value capture tunnel-port 9000 capture maybe &&
	bad_value handshake-timeout handshake-timeout 99 &&
	bad_value handshake-timeout handshake-timeout 600001 &&
	bad_value idle-timeout idle-timeout 604801 &&
	bad_value idle-timeout capture on idle-timeout x &&
	bad_value keepalive-idle keepalive-idle 32768 &&
	bad_value keepalive-interval keepalive-interval 0 &&
	bad_value keepalive-probes keepalive-probes 128 &&
	bad_value colour colour blue
}

test_json() {
	local j
	j=$(kztctl -j status) || return 1
	echo "$j" | /usr/bin/python3 -m json.tool >/dev/null || { echo "status: $j"; return 1; }
	j=$(kztctl -j config show) || return 1
	expect_eq "tunnel_port" "$(echo "$j" | json_get tunnel_port)" 15008 &&
	expect_eq "capture" "$(echo "$j" | json_get capture)" false &&
	expect_eq "keepalive_idle_s" "$(echo "$j" | json_get keepalive_idle_s)" 180 &&
	expect_eq "keepalive_probes" "$(echo "$j" | json_get keepalive_probes)" 9
}

test_plain_output() {
	kztctl config set tunnel-port 15010 capture on || return 1
	ctl config show
	expect_match "show" "$out" "15010" || return 1
	ctl status
	expect_eq "status exit code" "$rc" 0 || return 1
	expect_match "status" "$out" "15010" &&
	expect_match "status: keepalive" "$out" "keepalive idle: +180 s"
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
run_test "kztctl: module not loaded -> exit 3, says modprobe kzt" test_not_loaded
kzt_load || { log_test "kztctl: load kzt" 1; exit $RET; }
run_test "kztctl: no CAP_NET_ADMIN -> exit 4, says so" test_no_permission
run_test "kztctl: --help and an unknown command" test_help
run_test "kztctl: JSON output parses and shows defaults" test_json
run_test "kztctl: bad values refused naming the field, nothing changed" test_bad_values
run_test "kztctl: plain output of config show and status" test_plain_output
exit $RET
