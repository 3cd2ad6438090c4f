#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Node configuration round-trips per network namespace and stays there.
#
#   init_net (node 0)    ns node-a    ns node-b
#   each one a node with its own tunnel port and capture switch
source "$(dirname "$0")/lib.sh"

cleanup() {
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl

cfg() { # cfg NETNS FIELD
	ip netns exec "$1" kztctl -j config show | json_get "$2"
}

A= B=

test_defaults() {
	expect_eq "port" "$(cfg "$A" tunnel_port)" 15008 &&
	expect_eq "capture" "$(cfg "$A" capture)" false &&
	expect_eq "init_net port" "$(kztctl -j config show | json_get tunnel_port)" 15008
}

test_roundtrip() {
	local port

	for port in 1 80 15009 65535; do
		ip netns exec "$A" kztctl config set tunnel-port $port || return 1
		expect_eq "port" "$(cfg "$A" tunnel_port)" $port || return 1
	done
	ip netns exec "$A" kztctl config set capture on || return 1
	expect_eq "capture on" "$(cfg "$A" capture)" true || return 1
	ip netns exec "$A" kztctl config set capture off || return 1
	expect_eq "capture off" "$(cfg "$A" capture)" false
}

# Setting one field leaves the other as it was.
test_partial_set() {
	ip netns exec "$A" kztctl config set tunnel-port 16000 capture on || return 1
	ip netns exec "$A" kztctl config set tunnel-port 16001 || return 1
	expect_eq "capture kept" "$(cfg "$A" capture)" true || return 1
	ip netns exec "$A" kztctl config set capture off || return 1
	expect_eq "port kept" "$(cfg "$A" tunnel_port)" 16001
}

test_isolation() {
	ip netns exec "$A" kztctl config set tunnel-port 17001 capture on || return 1
	ip netns exec "$B" kztctl config set tunnel-port 17002 capture off || return 1
	kztctl config set tunnel-port 17000 || return 1
	expect_eq "node-a port" "$(cfg "$A" tunnel_port)" 17001 &&
	expect_eq "node-a capture" "$(cfg "$A" capture)" true &&
	expect_eq "node-b port" "$(cfg "$B" tunnel_port)" 17002 &&
	expect_eq "node-b capture" "$(cfg "$B" capture)" false &&
	expect_eq "init_net port" "$(kztctl -j config show | json_get tunnel_port)" 17000
}

# Writers in many namespaces at once, each reading back its own values.
test_parallel() {
	local i pids=() ns

	for i in $(seq 1 6); do
		ns=$(ns_create "par-$i") || return 1
		(
			for p in $(seq $((i * 1000)) $((i * 1000 + $(scale 10)))); do
				ip netns exec "$ns" kztctl config set tunnel-port "$p" || exit 1
				got=$(cfg "$ns" tunnel_port)
				[ "$got" = "$p" ] || { echo "$ns: got $got want $p"; exit 1; }
			done
		) &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || return 1
	done
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "config: load kzt" 1; exit $RET; }
A=$(ns_create node-a)
B=$(ns_create node-b)

run_test "config: defaults in a new namespace" test_defaults
run_test "config: set/get round-trip of every field" test_roundtrip
run_test "config: a partial set keeps the other fields" test_partial_set
run_test "config: namespaces are isolated from each other" test_isolation
run_test "config: parallel writers in 6 namespaces" test_parallel
exit $RET
