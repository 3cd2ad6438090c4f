#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kztctl stats and conn list on an idle node: the shapes scripts rely on.
# Every counter is there under its stable JSON key, at 0 in a new netns;
# no flow is listed; the text forms have their header; errors exit as for
# every kztctl command. Flows and non-zero counters are the data-path
# tests' business.
#
#   ns node-a: a node with no workload and no flow
source "$(dirname "$0")/lib.sh"

cleanup() {
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl jq setpriv

# The JSON keys of kztctl -j stats (Documentation/kztctl.rst): never renamed.
STATS_KEYS="captured local_allowed local_denied inbound_plain_allowed
inbound_plain_denied nonmesh_passed nonmesh_denied spoofed stray hs_started
hs_ok hs_failed hs_timeout hs_no_daemon hs_bad_peer tunnel_connect_failed
tunnel_accepted header_bad header_timeout status_ok status_denied
status_no_route status_refused status_timeout status_internal
status_bad_request flows_opened flows_closed flows_reset flows_idle tls_errors tunnel_overload ipv6_refused flows_revoked flows_peer_dead
plain_revoked flows_untrusted source_refused tunnel_source_limit
tunnel_hello_timeout bad_port flows_key_limit flows_source_limit flows_no_memory
hs_queue_full hs_queue_timeout flow_events_dropped tunnel_taken refused_workload
tunnels_kept tunnels_reused tunnels_expired tunnel_retries"

A=

test_stats_json() {
	local j keys want
	j=$(ip netns exec "$A" kztctl -j stats) || return 1
	keys=$(echo "$j" | jq -r 'keys_unsorted | join(" ")') || return 1
	want=$(echo $STATS_KEYS)
	expect_eq "keys, in order" "$keys" "$want" || return 1
	expect_eq "all zero" "$(echo "$j" | jq '[.[]] | map(select(. != 0)) | length')" 0
}

test_stats_text() {
	local out
	out=$(ip netns exec "$A" kztctl stats) || return 1
	expect_match "header" "$(echo "$out" | head -1)" "^GROUP +COUNTER +VALUE +COUNTS$" &&
	expect_eq "rows" "$(echo "$out" | tail -n +2 | wc -l)" "$(echo $STATS_KEYS | wc -w)" &&
	expect_match "a row" "$out" $'\n'"handshake +hs_ok +0 +succeeded"
}

test_conn_empty() {
	local out
	out=$(ip netns exec "$A" kztctl -j conn list) || return 1
	expect_eq "json" "$out" '{"connections":[]}' || return 1
	out=$(ip netns exec "$A" kztctl conn) || return 1
	expect_match "text: header only" "$out" \
		"^DIR +STATE +SOURCE +SOURCE ID +DESTINATION +DESTINATION ID +PEER NODE +CIPHER +OUT +IN +AGE$"
}

test_errors() {
	local out rc
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups kztctl stats 2>&1)
	rc=$?
	expect_eq "stats without CAP_NET_ADMIN" "$rc" 4 || return 1
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups kztctl conn list 2>&1)
	rc=$?
	expect_eq "conn without CAP_NET_ADMIN" "$rc" 4 || return 1
	expect_match "message" "$out" "Unable to list the connections: .*CAP_NET_ADMIN" || return 1
	out=$(kztctl stats extra 2>&1)
	rc=$?
	expect_eq "stats extra" "$rc" 1 || return 1
	out=$(kztctl conn frob 2>&1)
	rc=$?
	expect_eq "conn frob" "$rc" 1 || return 1
	out=$(kztctl conn --help)
	rc=$?
	expect_eq "conn --help" "$rc" 0
}

test_not_loaded() {
	local out rc
	kzt_unload || return 1
	out=$(without_autoload kztctl stats 2>&1)
	rc=$?
	kzt_load
	expect_eq "exit" "$rc" 3 && expect_match "message" "$out" "modprobe kzt"
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "observe: load kzt" 1; exit $RET; }
A=$(ns_create node-a)

run_test "observe: stats -j has every counter, stable keys, all 0" test_stats_json
run_test "observe: stats text is one row per counter" test_stats_text
run_test "observe: conn list on an idle node is empty" test_conn_empty
run_test "observe: permission and usage errors" test_errors
ns_cleanup
run_test "observe: module not loaded -> exit 3" test_not_loaded
exit $RET
