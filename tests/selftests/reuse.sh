#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kzt/2 tunnel reuse (Documentation/protocol.rst "kzt/2", datapath.rst
# "Tunnel reuse"): a tunnel whose flow ended cleanly carries the next flow
# of exactly its key without a handshake; another identity never rides it;
# a node that speaks only kzt/1 still works with one that speaks kzt/2;
# an idle tunnel closes after pool_idle_ms.
# Topology: mesh-lib.sh, both kztds with protocol_max = 2.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mesh-lib.sh"

POOL_IDLE=/sys/module/kzt/parameters/pool_idle_ms
SERVER_PIDS=()

cleanup() {
	local p
	for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	mesh_down
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd socat sha256sum ss

# tac_server POD PORT: answers each connection with its input reversed by
# line, once the client's half-close (an END record) has arrived.
tac_server() {
	ip netns exec "$(mesh_ns "$1")" socat -t 30 TCP-LISTEN:"$2",reuseaddr,fork SYSTEM:tac &
	SERVER_PIDS+=($!)
	busywait 5000 in_pod "$1" sh -c "ss -Hltn 'sport = :$2' | grep -q ."
}

# flow FROM TO PORT: one connection carrying 64 KiB of lines both ways;
# fails unless the reply is the input, reversed, byte for byte.
flow() {
	local in=$MESH_DIR/in.$1.$2.$BASHPID want got
	seq 1 10000 | head -c 65536 > "$in"
	want=$(tac "$in" | sha256sum | cut -d' ' -f1)
	got=$(in_pod "$1" socat -t 30 - TCP:"${MESH_IP[$2]}:$3" < "$in" | sha256sum | cut -d' ' -f1)
	rm -f "$in"
	expect_eq "sha256 of $1 -> $2:$3" "$got" "$want"
}

# tunnels NODE: established underlay sockets of the node on the tunnel port.
tunnels() {
	in_pod "node$1" ss -Htn state established \
		'( sport = :15008 or dport = :15008 )' | wc -l
}

# pool_stats: what both nodes counted, for a failure's log.
pool_stats() {
	local n k
	for n in 1 2; do
		echo -n "node$n:"
		for k in hs_ok tunnels_kept tunnels_reused tunnels_expired tunnel_retries flows_closed flows_reset; do
			echo -n " $k=$(mesh_stat "$n" "$k")"
		done
		echo
	done
}

test_setup() {
	MESH_KZTD_CONF=('protocol_max = 2')
	mesh_up || return 1
	tac_server b1 7100 && tac_server b2 7100 && tac_server a2 7100
}

# Six connections one after another: one handshake, five flows on the
# kept tunnel (both nodes count them), one underlay connection.
test_sequential() {
	local hs reused1 reused2 i
	hs=$(mesh_stat 1 hs_ok) reused1=$(mesh_stat 1 tunnels_reused)
	reused2=$(mesh_stat 2 tunnels_reused)
	for i in $(seq 6); do
		flow a1 b1 7100 || return 1
	done
	expect_eq "node1 handshakes" "$(mesh_stat 1 hs_ok)" $((hs + 1)) &&
	expect_eq "node1 flows on a kept tunnel" "$(mesh_stat 1 tunnels_reused)" $((reused1 + 5)) &&
	expect_eq "node2 flows on a kept tunnel" "$(mesh_stat 2 tunnels_reused)" $((reused2 + 5)) &&
	expect_eq "underlay connections" "$(tunnels 1)" 1 &&
	expect_match "node2 keeps it waiting" "$(mesh_kztctl 2 conn list)" "idle" ||
		{ pool_stats; return 1; }
}

# Four flows at once, twice: the second four ride the first four's
# tunnels, with no handshake.
test_concurrent() {
	local hs i pids=() rc=0 round
	for round in 1 2; do
		[ "$round" = 2 ] && hs=$(mesh_stat 1 hs_ok)
		pids=()
		for i in $(seq 4); do
			flow a1 b2 7100 > "$MESH_DIR/conc.$i" 2>&1 &
			pids+=($!)
		done
		for i in "${!pids[@]}"; do
			wait "${pids[$i]}" || { cat "$MESH_DIR/conc.$((i + 1))"; rc=1; }
		done
		[ "$rc" = 0 ] || return 1
	done
	expect_eq "node1 handshakes in round 2" "$(mesh_stat 1 hs_ok)" "$hs"
}

# a2 has another identity: a1's kept tunnel to b1 is not for it, so its
# flow takes its own (a handshake), which node2 sees as a2's.
test_isolation() {
	local hs reused
	flow a1 b1 7100 || return 1
	hs=$(mesh_stat 1 hs_ok) reused=$(mesh_stat 1 tunnels_reused)
	in_pod a2 sh -c "sleep 2 | socat -t 5 - TCP:${MESH_IP[b1]}:7100" &
	local pid=$!
	busywait 10000 sh -c "ip netns exec $(mesh_ns node2) kztctl conn list | grep -q 'sa/web'" ||
		{ echo "node2 never saw a2's identity"; wait "$pid"; return 1; }
	wait "$pid"
	expect_eq "node1 handshakes" "$(mesh_stat 1 hs_ok)" $((hs + 1)) &&
	expect_eq "node1 flows on a kept tunnel" "$(mesh_stat 1 tunnels_reused)" "$reused" &&
	flow a1 b1 7100 &&
	expect_eq "a1 rides its own again" "$(mesh_stat 1 tunnels_reused)" $((reused + 1))
}

# A flow whose destination pod never reads (b1:7101 accepts and sleeps)
# holds its own tunnel; a flow of the same key beside it streams to its
# end: no flow waits for another's reader.
test_stalled_reader() {
	local stalled rc=0
	ip netns exec "$(mesh_ns b1)" socat TCP-LISTEN:7101,reuseaddr,fork SYSTEM:'sleep 60' &
	SERVER_PIDS+=($!)
	busywait 5000 in_pod b1 sh -c "ss -Hltn 'sport = :7101' | grep -q ." || return 1
	in_pod a1 sh -c "head -c 16777216 /dev/zero | socat -t 60 - TCP:${MESH_IP[b1]}:7101" &
	stalled=$!
	# Until its buffers are full: the stalled flow is established and stuck.
	busywait 15000 sh -c "ip netns exec $(mesh_ns node1) kztctl conn list | grep -q 'established .*:7101'" ||
		{ echo "the stalled flow never started"; rc=1; }
	sleep 2
	flow a1 b1 7100 && flow a1 b1 7100 || rc=1
	expect_match "the stalled flow is still there" \
		"$(mesh_kztctl 1 conn list)" "established .*:7101" || rc=1
	kill "$stalled" 2>/dev/null
	wait "$stalled" 2>/dev/null
	return "$rc"
}

# A refused flow (nobody listens on b1:7199) ends alone, with its tunnel:
# the next flow of the key works.
test_refused_on_kept() {
	local refused
	flow a1 b1 7100 || return 1
	refused=$(mesh_stat 2 status_refused)
	in_pod a1 socat -t 5 /dev/null TCP:"${MESH_IP[b1]}":7199 2>/dev/null
	expect_eq "node2 refused" "$(mesh_stat 2 status_refused)" $((refused + 1)) &&
	flow a1 b1 7100
}

# A kept tunnel closes after pool_idle_ms (both ends), counted expired;
# the next flow of its key makes a new one.
test_expiry() {
	local expired hs rc=0
	echo 1000 > "$POOL_IDLE" || return 1
	expired=$(mesh_stat 1 tunnels_expired)
	flow a2 b1 7100 || rc=1
	busywait 10000 sh -c "[ \$(ip netns exec $(mesh_ns node1) kztctl -j stats | sed -nE 's/.*\"tunnels_expired\":([0-9]+).*/\1/p') -gt $expired ]" ||
		{ echo "no tunnel expired"; pool_stats; rc=1; }
	echo 60000 > "$POOL_IDLE"
	[ "$rc" = 0 ] || return 1
	hs=$(mesh_stat 1 hs_ok)
	flow a2 b1 7100 &&
	expect_eq "a new handshake" "$(mesh_stat 1 hs_ok)" $((hs + 1)) &&
	expect_eq "out of range" "$(echo 99 2>/dev/null > "$POOL_IDLE" || echo refused)" refused
}

# A new certificate for b1 on node2: its kztd closes the kept tunnels
# (POOL_FLUSH), so the next flow a1 -> b1 takes a new tunnel, with a
# handshake. kztctl pool flush does the same by hand.
test_rotation() {
	local hs reloads
	flow a1 b1 7100 || return 1
	hs=$(mesh_stat 1 hs_ok)
	reloads=$(grep -c "reloaded" "$MESH_DIR/kztd2.log")
	kztctl ca issue --ca "$MESH_CA" "$(mesh_id b1)" --out "$MESH_DIR/certs2" \
		--force > /dev/null || return 1
	busywait 15000 sh -c "[ \$(grep -c reloaded $MESH_DIR/kztd2.log) -gt $reloads ]" ||
		{ echo "node2's kztd did not reload"; return 1; }
	expect_match "node2 kztd" "$(tail -n 20 "$MESH_DIR/kztd2.log")" \
		"closed [0-9]+ kept tunnels? of the certificates before" &&
	flow a1 b1 7100 &&
	expect_eq "a new handshake" "$(mesh_stat 1 hs_ok)" $((hs + 1)) || return 1

	flow a1 b1 7100 || return 1
	hs=$(mesh_stat 1 hs_ok)
	expect_match "kztctl pool flush" "$(mesh_kztctl 1 pool flush)" "^[1-9][0-9]* kept tunnels? closed$" &&
	flow a1 b1 7100 &&
	expect_eq "a new handshake after pool flush" "$(mesh_stat 1 hs_ok)" $((hs + 1))
}

# A node that speaks only kzt/1 (node2) and one that speaks kzt/2: ALPN
# chooses kzt/1, every flow has its handshake, the bytes are intact. Then
# the other way round. Keys no flow of this file used before.
test_mixed() {
	local hs reused
	mesh_kztd_stop 2 && mesh_kztd_start 2 'protocol_max = 1' || return 1
	hs=$(mesh_stat 1 hs_ok) reused=$(mesh_stat 1 tunnels_reused)
	flow a2 b2 7100 && flow a2 b2 7100 && flow a2 b2 7100 || return 1
	expect_eq "node1 handshakes" "$(mesh_stat 1 hs_ok)" $((hs + 3)) &&
	expect_eq "no kept tunnel" "$(mesh_stat 1 tunnels_reused)" "$reused" &&
	expect_match "node1 log" "$(grep -c "kzt/1, .* with $(mesh_id b2)" "$MESH_DIR/kztd1.log")" "^[3-9]" || return 1

	mesh_kztd_stop 2 && mesh_kztd_start 2 'protocol_max = 2' || return 1
	mesh_kztd_stop 1 && mesh_kztd_start 1 'protocol_max = 1' || return 1
	hs=$(mesh_stat 2 hs_ok)
	flow b2 a2 7100 && flow b2 a2 7100 || return 1
	expect_eq "node2 handshakes" "$(mesh_stat 2 hs_ok)" $((hs + 2))
}

run_test --debug "reuse: two nodes speaking kzt/2" test_setup
run_test --debug "reuse: 6 connections in a row: 1 handshake, 1 tunnel" test_sequential
run_test "reuse: 4 concurrent flows twice: the second 4 without a handshake" test_concurrent
run_test "reuse: another identity never rides a kept tunnel" test_isolation
run_test "reuse: a reader that never reads stalls no other flow of its key" test_stalled_reader
run_test "reuse: a refused flow on a kept tunnel ends alone" test_refused_on_kept
run_test --debug "reuse: a kept tunnel closes after pool_idle_ms" test_expiry
run_test --debug "reuse: a new certificate closes the kept tunnels" test_rotation
run_test "reuse: kzt/1 node and kzt/2 node, both ways" test_mixed
exit $RET
