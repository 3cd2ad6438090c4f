#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Workload table round-trips through kztctl, per network namespace.
#
#   ns node-a                              ns node-b
#   +------------------------------+       +-----------------+
#   | v-web  (veth, pod side v-webp)|       | its own table   |
#   | local:  10.0.1.2 -> v-web     |       |                 |
#   | remote: 10.0.2.2 @ 192.0.2.2  |       |                 |
#   +------------------------------+       +-----------------+
source "$(dirname "$0")/lib.sh"

cleanup() {
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip jq kztctl

ID_WEB=spiffe://cluster.local/ns/default/sa/web
ID_DB=spiffe://cluster.local/ns/prod/sa/db

A= B=

ctl() { # ctl NETNS ARGS...
	local ns=$1
	shift
	ip netns exec "$ns" kztctl "$@"
}

# wl NETNS ADDR JQ: a field of `workload show ADDR`
wl() {
	ctl "$1" -j workload show "$2" | jq -r "$3"
}

count() { # count NETNS
	ctl "$1" -j workload list | jq '.workloads | length'
}

test_remote_v4() {
	ctl "$A" workload add 10.0.2.2 id $ID_DB node 192.0.2.2 || return 1
	expect_eq "id" "$(wl "$A" 10.0.2.2 .id)" $ID_DB &&
	expect_eq "node" "$(wl "$A" 10.0.2.2 .node)" 192.0.2.2 &&
	expect_eq "protocol" "$(wl "$A" 10.0.2.2 .protocol)" kzt &&
	expect_eq "no interface" "$(wl "$A" 10.0.2.2 .interface)" null
}

test_local_v4() {
	local ifindex
	ifindex=$(ip netns exec "$A" cat /sys/class/net/v-web/ifindex)
	ctl "$A" workload add 10.0.1.2 id $ID_WEB dev v-web || return 1
	expect_eq "interface" "$(wl "$A" 10.0.1.2 .interface)" v-web &&
	expect_eq "ifindex" "$(wl "$A" 10.0.1.2 .ifindex)" "$ifindex" &&
	expect_eq "no node" "$(wl "$A" 10.0.1.2 .node)" null
}

test_v6() {
	ctl "$A" workload add fd00:2::2 id $ID_DB node fd00:ff::2 || return 1
	expect_eq "node" "$(wl "$A" fd00:2::2 .node)" fd00:ff::2 &&
	expect_eq "address" "$(wl "$A" fd00:2::2 .address)" fd00:2::2
}

test_plaintext() {
	ctl "$A" workload add 10.0.9.9 node 192.0.2.9 protocol plaintext || return 1
	expect_eq "protocol" "$(wl "$A" 10.0.9.9 .protocol)" plaintext &&
	expect_eq "no id" "$(wl "$A" 10.0.9.9 .id)" null
}

# A mesh workload kzt cannot reach as asked (a waypoint): no ID needed.
test_refused() {
	ctl "$A" workload add 10.0.9.8 node 192.0.2.9 protocol refused || return 1
	expect_eq "protocol" "$(wl "$A" 10.0.9.8 .protocol)" refused &&
	expect_eq "no id" "$(wl "$A" 10.0.9.8 .id)" null &&
	ctl "$A" workload del 10.0.9.8
}

test_list() {
	local json
	json=$(ctl "$A" -j workload list) || return 1
	expect_eq "count" "$(jq '.workloads | length' <<<"$json")" 4 &&
	expect_eq "sorted" "$(jq -r '[.workloads[].address] | join(" ")' <<<"$json")" \
		"10.0.1.2 10.0.2.2 10.0.9.9 fd00:2::2"
}

# Adding a taken address fails and keeps the old entry; replace swaps it.
test_exists_replace() {
	local out
	out=$(ctl "$A" workload add 10.0.2.2 id $ID_WEB node 192.0.2.3 2>&1)
	[ $? -eq 1 ] || { echo "add over an existing entry succeeded"; return 1; }
	expect_match "message" "$out" "exists" || return 1
	expect_eq "kept" "$(wl "$A" 10.0.2.2 .id)" $ID_DB || return 1
	ctl "$A" workload add 10.0.2.2 id $ID_WEB node 192.0.2.3 replace || return 1
	expect_eq "replaced id" "$(wl "$A" 10.0.2.2 .id)" $ID_WEB &&
	expect_eq "replaced node" "$(wl "$A" 10.0.2.2 .node)" 192.0.2.3
}

test_del() {
	local out
	ctl "$A" workload del 10.0.9.9 || return 1
	out=$(ctl "$A" workload show 10.0.9.9 2>&1)
	[ $? -eq 1 ] || { echo "deleted workload still shown"; return 1; }
	out=$(ctl "$A" workload del 10.0.9.9 2>&1)
	[ $? -eq 1 ] || { echo "second del succeeded"; return 1; }
	expect_match "message" "$out" "[Nn]o such|not found|ENOENT" &&
	expect_eq "count" "$(count "$A")" 3
}

# An interface of another netns is not an interface of this node.
test_bad_dev() {
	local out
	out=$(ctl "$B" workload add 10.0.1.3 id $ID_WEB dev v-web 2>&1)
	[ $? -eq 1 ] || { echo "unknown interface accepted"; return 1; }
	expect_match "message" "$out" "v-web" &&
	expect_eq "node-b count" "$(count "$B")" 0
}

# A bridge port, and the bridge itself, cannot be a pod's interface
# (Documentation/capture.rst, "What capture assumes"): refused with the
# reason, nothing added. An interface bridged after it was added keeps its
# entry (its flows end; changes.sh). The debug kernel has no bridge: skip.
test_bridge_port() {
	local out
	ip -n "$B" link add br-pods type bridge || return $KSFT_SKIP
	ip -n "$B" link add v-port type veth peer name v-portp &&
	ip -n "$B" link set v-port master br-pods || return 1
	out=$(ctl "$B" workload add 10.0.1.4 id $ID_WEB dev v-port 2>&1)
	[ $? -eq 1 ] || { echo "a bridge port accepted"; return 1; }
	expect_match "message" "$out" "interface is a bridge port: .*cannot be tied to it" || return 1
	out=$(ctl "$B" workload add 10.0.1.4 id $ID_WEB dev br-pods 2>&1)
	[ $? -eq 1 ] || { echo "a bridge accepted"; return 1; }
	expect_match "message" "$out" "interface is a bridge: every pod behind it shares it" &&
	expect_eq "node-b count" "$(count "$B")" 0 || return 1
	ip -n "$B" link set v-port nomaster &&
	ctl "$B" workload add 10.0.1.4 id $ID_WEB dev v-port &&
	ip -n "$B" link set v-port master br-pods &&
	expect_eq "kept after bridging" "$(wl "$B" 10.0.1.4 .interface)" v-port &&
	ctl "$B" workload del 10.0.1.4
}

test_isolation() {
	ctl "$B" workload add 10.0.2.2 id $ID_WEB node 192.0.2.1 || return 1
	expect_eq "node-b id" "$(wl "$B" 10.0.2.2 .id)" $ID_WEB &&
	expect_eq "node-b node" "$(wl "$B" 10.0.2.2 .node)" 192.0.2.1 &&
	expect_eq "node-a node" "$(wl "$A" 10.0.2.2 .node)" 192.0.2.3 &&
	expect_eq "node-b count" "$(count "$B")" 1 &&
	expect_eq "node-a count" "$(count "$A")" 3 &&
	expect_eq "init_net count" "$(kztctl -j workload list | jq '.workloads | length')" 0
}

# A dump larger than one netlink message comes back whole, once each.
test_big_dump() {
	local n=$(scale 3000) f json before
	before=$(count "$B")
	f=$(mktemp)
	{
		echo "workloads:"
		for i in $(seq 1 "$n"); do
			echo "  - workloadIps: [10.9.$((i / 250)).$((i % 250 + 1))]"
			echo "    identity: spiffe://cluster.local/ns/bulk/sa/w$i"
			echo "    nodeIp: 192.0.2.$((i % 200 + 1))"
		done
	} > "$f"
	ip netns exec "$B" kztctl apply -f "$f" || { rm -f "$f"; return 1; }
	rm -f "$f"
	json=$(ctl "$B" -j workload list) || return 1
	expect_eq "count" "$(jq '.workloads | length' <<<"$json")" $((n + before)) &&
	expect_eq "unique" "$(jq '[.workloads[].address] | unique | length' <<<"$json")" $((n + before)) &&
	expect_eq "w7 id" "$(jq -r '.workloads[] | select(.address == "10.9.0.8") | .id' <<<"$json")" \
		spiffe://cluster.local/ns/bulk/sa/w7
}

test_unload_with_entries() {
	kzt_unload || return 1
	kzt_load || return 1
	expect_eq "node-a empty after reload" "$(count "$A")" 0 &&
	expect_eq "node-b empty after reload" "$(count "$B")" 0
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "workload: load kzt" 1; exit $RET; }
A=$(ns_create node-a)
B=$(ns_create node-b)
ip -n "$A" link add v-web type veth peer name v-webp

run_test "workload: remote IPv4 workload round-trip" test_remote_v4
run_test "workload: local workload on its node-side interface" test_local_v4
run_test "workload: IPv6 workload and node address" test_v6
run_test "workload: plaintext peer without an identity" test_plaintext
run_test "workload: refused (waypoint) without an identity" test_refused
run_test "workload: list is complete and sorted" test_list
run_test "workload: add over a taken address fails, replace swaps" test_exists_replace
run_test "workload: del removes, a second del says not found" test_del
run_test --debug "workload: an interface of another netns is refused" test_bad_dev
run_test "workload: a bridge port or a bridge is refused, with why" test_bridge_port
run_test "workload: tables of two namespaces are isolated" test_isolation
run_test --debug "workload: a multi-part dump is whole and unique" test_big_dump
run_test --debug "workload: unload frees the tables, reload starts empty" test_unload_with_entries
exit $RET
