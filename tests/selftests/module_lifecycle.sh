#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kzt.ko loads and unloads cleanly while network namespaces come and go.
#
#   init_net      ns pre-1..4        ns live-*            ns churn-*
#   (node 0)      exist before       created/deleted      created and deleted
#                 insmod             while loaded         in the background
#                                                         during load/unload
#
# Every netns has its own kzt state from the moment it (or kzt) appears; the
# module unloads with namespaces, configuration and an open daemon socket
# still around. Run it on the debug kernel to have KASAN and lockdep watch.
source "$(dirname "$0")/lib.sh"

ROUNDS=$(scale 3)
churn_pid=

cleanup() {
	[ -n "$churn_pid" ] && kill "$churn_pid" 2>/dev/null && wait "$churn_pid" 2>/dev/null
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd

port_of() { # port_of NETNS
	ip netns exec "$1" kztctl -j config show | json_get tunnel_port
}

# Namespaces appear and vanish until killed, bounded by a count.
churn() {
	local i
	for i in $(seq 1 "$(scale 60)"); do
		ip netns add "${NS_PREFIX}churn-$i" 2>/dev/null
		ip netns del "${NS_PREFIX}churn-$((i - 1))" 2>/dev/null
	done
}

test_rounds() {
	local round i ns port

	for round in $(seq 1 $ROUNDS); do
		for i in 1 2 3 4; do
			ns_create "pre-$round-$i" >/dev/null || return 1
		done
		kzt_load || return 1

		# Namespaces older than the module got state at load time.
		for i in 1 2 3 4; do
			ns=${NS_PREFIX}pre-$round-$i
			port=$(port_of "$ns") || return 1
			expect_eq "default port of $ns" "$port" 15008 || return 1
			ip netns exec "$ns" kztctl config set tunnel-port $((20000 + i)) || return 1
		done

		# Namespaces created while loaded get it at creation; deleting
		# one with a changed configuration frees its state.
		ns=$(ns_create "live-$round") || return 1
		port=$(port_of "$ns") || return 1
		expect_eq "default port of new $ns" "$port" 15008 || return 1
		ip netns exec "$ns" kztctl config set tunnel-port 30000 capture on || return 1
		ip netns del "$ns" || return 1

		for i in 1 2 3 4; do
			port=$(port_of "${NS_PREFIX}pre-$round-$i") || return 1
			expect_eq "port of pre-$round-$i" "$port" $((20000 + i)) || return 1
		done

		kzt_unload || return 1
		kzt_loaded && { echo "kzt still loaded after rmmod"; return 1; }
	done
	return 0
}

test_churn() {
	local i

	churn &
	churn_pid=$!
	for i in $(seq 1 "$(scale 10)"); do
		kzt_load || return 1
		kztctl config set capture on || return 1
		kzt_unload || return 1
	done
	wait "$churn_pid"
	churn_pid=
	return 0
}

# A daemon holding a subscribed netlink socket does not pin the module.
test_unload_under_daemon() {
	local ns pid

	kzt_load || return 1
	ns=$(ns_create daemon) || return 1
	ip netns exec "$ns" kztd -c /dev/null --log stderr >/dev/null 2>&1 &
	pid=$!
	busywait 5000 grep -q . /proc/$pid/stat || return 1
	sleep 1
	kzt_unload || { kill $pid; return 1; }
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	kzt_load && kzt_unload
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
run_test --debug "module: load/unload $ROUNDS rounds with namespaces before/after" test_rounds
run_test --debug "module: load/unload while namespaces churn" test_churn
run_test --debug "module: unload while kztd holds a subscribed socket" test_unload_under_daemon
exit $RET
