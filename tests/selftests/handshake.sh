#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The handshake upcall, kernel side, end to end without kztd.
#
#   init_net (the guest's)
#   +------------------------------------------------------------------+
#   |  kzt_test.ko, suite kzt_handshake_upcall                         |
#   |    127.0.0.1:A <--TCP--> 127.0.0.1:B   (kernel sockets, 3 pairs) |
#   |    kzt_handshake_submit(client: A, server: B)                    |
#   |         |  READY on group "handshake"                            |
#   |  kzt.ko +-------------------> kzt-hsd (stand-in daemon)          |
#   |         <--- ACCEPT: fd, role, ids, dst, timeout                 |
#   |         <--- DONE: status, cipher, made-up keys matching A<->B   |
#   |    TLS_TX/TLS_RX installed; KUnit sends data both ways           |
#   +------------------------------------------------------------------+
#
# Part 1, any kernel: what ACCEPT and DONE answer with no request queued,
# and who may take part (CAP_NET_ADMIN). Part 2 needs the requests, which
# no code of kzt.ko makes yet outside the data path: they come from the
# KUnit module, so it runs on the debug kernel only
# (tests/selftests/run-vm.sh --debug handshake.sh) and is skipped elsewhere.
source "$(dirname "$0")/lib.sh"

require_root
require_cmd kzt-nlraw kzt-hsd kzt-hsorphan kztctl setpriv

KZT_TEST_MODULE=${KZT_TEST_MODULE:-$(dirname "$KZT_MODULE")/kzt_test.ko}
KUNIT_GLOB=/sys/module/kunit/parameters/filter_glob
WORK=$(mktemp -d)
chmod 755 "$WORK"
cp "$(command -v kzt-nlraw)" "$(command -v kzt-hsd)" "$WORK/"
HSD_PID=

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

hsd_stop() {
	[ -n "$HSD_PID" ] || return 0
	kill "$HSD_PID" 2>/dev/null
	wait "$HSD_PID" 2>/dev/null
	HSD_PID=
}

cleanup() {
	hsd_stop
	ns_cleanup
	ip link del kzt-orph0 2>/dev/null
	ip link del kzt-dl0 2>/dev/null
	[ -d /sys/module/kzt_test ] && rmmod kzt_test
	kzt_unload
	rm -rf "$WORK"
}
trap cleanup EXIT

# ---- part 1: the netlink surface ----

test_accept_empty() {
	local out
	out=$(kzt-nlraw 15)
	expect_match "accept" "$out" \
		'^errno=EAGAIN \(11\) extack="no handshake request is waiting"'
}

# ACCEPT takes one attribute, the role filter: a known role only.
test_accept_attrs() {
	local out
	out=$(kzt-nlraw 15 2:u32=1)
	expect_match "accept id" "$out" '^errno=EINVAL .*"Unsupported attribute"' || return 1
	out=$(kzt-nlraw 15 4:u8=3)
	expect_match "accept role 3" "$out" '^errno=ERANGE .*"integer out of range"' || return 1
	out=$(kzt-nlraw 15 4:u8=0)
	expect_match "accept role 0" "$out" '^errno=ERANGE .*"integer out of range"' || return 1
	out=$(kzt-nlraw 15 4:u8=2)
	expect_match "accept role server" "$out" \
		'^errno=EAGAIN \(11\) extack="no handshake request is waiting"'
}

# nlraw_sock ARGS...: kzt-nlraw ARGS with fd 3 free, so that its own
# netlink socket is fd 3 (its first descriptor): a DONE with FD 3 names a
# socket of its sender that is no handshake request's.
nlraw_sock() {
	kzt-nlraw "$@" 3<&-
}

test_done_unknown() {
	local out
	out=$(nlraw_sock 16 2:u32=77 3:u32=3 9:u32=13)
	expect_match "failure for id 77" "$out" \
		'^errno=ENOENT .*"no such accepted handshake request in this netns .*" .*bad_attr=2'
}

test_done_missing() {
	local out
	out=$(kzt-nlraw 16 2:u32=77)
	expect_match "no status" "$out" \
		'^errno=EINVAL .*"handshake status missing" missing_type=9' || return 1
	out=$(kzt-nlraw 16 2:u32=77 9:u32=13)
	expect_match "no FD" "$out" \
		'^errno=EINVAL .*"the descriptor of the request.s socket \(FD\) is missing" missing_type=3' || return 1
	out=$(kzt-nlraw 16 2:u32=77 3:u32=0 9:u32=13 < /dev/null)
	expect_match "FD not a socket" "$out" \
		'^errno=EBADF .*"FD is not an open socket descriptor of the caller" .*bad_attr=3$' || return 1
	out=$(kzt-nlraw 16 2:u32=77 3:u32=3 9:u32=0 10:u16=51)
	expect_match "status 0, cipher only" "$out" \
		'^errno=EINVAL .*"status 0 needs the write key" missing_type=11' || return 1
	out=$(kzt-nlraw 16 2:u32=77 9:u32=4096)
	expect_match "status 4096" "$out" '^errno=ERANGE .*bad_attr=9'
}

test_unprivileged() {
	local out
	out=$(as_nobody "$WORK/kzt-nlraw" 15)
	expect_match "nobody accept" "$out" '^errno=EPERM \(' || return 1
	out=$(as_nobody "$WORK/kzt-nlraw" 16 2:u32=1 9:u32=13)
	expect_match "nobody done" "$out" '^errno=EPERM \(' || return 1
	out=$(as_nobody "$WORK/kzt-hsd" 2>&1)
	expect_match "nobody joins the group" "$out" \
		'unable to join the handshake group: Operation not permitted'
}

# A descriptor kept past its netns (kmod/sknet.c). kzt-hsorphan connects
# from here to the tunnel port of a node netns, ACCEPTs the server request
# there and keeps nothing in that netns but the tunnel's descriptor. The
# netns is deleted; it must live on (its veth's peer here stays) until
# the process, later, uses the descriptor and closes it, then go. Without
# the socket's netns reference the netns was freed at once and those calls
# used freed memory (KASAN on the debug kernel).
#
#   guest netns: kzt-hsorphan, kzt-orph0 10.250.0.1 --veth-- eth0 10.250.0.2
#                                             node netns: capture on, :15008
# struct nets allocated: the net_namespace slab's objects in use, after a
# shrink (which flushes the per-CPU slabs, and KASAN's quarantine of the
# cache, so that the count is exact). A struct net freed by its last
# net->passive reference is only queued: the next netns cleanup frees it,
# so netns_cycle deletes a throwaway netns (which stays queued in turn).
net_structs() {
	echo 1 > /sys/kernel/slab/net_namespace/shrink &&
	awk '$1 == "net_namespace" { print $2 }' /proc/slabinfo
}

netns_cycle() {
	ip netns add "${NS_PREFIX}cycle" && ip netns del "${NS_PREFIX}cycle"
}

# The count after a cycle whose cleanup is over: the least of three.
net_structs_least() {
	local i n least=
	for i in 1 2 3; do
		netns_cycle || return 1
		sleep 1
		n=$(net_structs) || return 1
		[ -n "$least" ] && [ "$least" -le "$n" ] || least=$n
	done
	echo "$least"
}

# net_structs_at_most N: cycle netns until at most N struct nets are left.
net_structs_at_most() {
	local i n
	for i in $(seq 20); do
		netns_cycle || return 1
		sleep 1
		n=$(net_structs) || return 1
		[ "$n" -le "$1" ] && return 0
	done
	echo "struct nets: $n, expected at most $1"
	return 1
}

# tunnel_node NAME VETH NET [CONFIG...]: a node netns NAME with capture on
# (its tunnel port 15008) at NET.2, reached from here over VETH (NET.1).
tunnel_node() {
	local ns=$1 veth=$2 net=$3
	shift 3
	ip link add "$veth" type veth peer name eth0 netns "$ns" &&
	ip addr add "$net.1/30" dev "$veth" && ip link set "$veth" up &&
	ip -n "$ns" addr add "$net.2/30" dev eth0 && ip -n "$ns" link set eth0 up &&
	ip netns exec "$ns" kztctl config set capture on "$@"
}

test_fd_past_netns() {
	local ns dir=$WORK/orphan pid nets
	nets=$(net_structs_least) || return 1
	ns=$(ns_create orphan) || return 1
	mkdir -p "$dir"
	tunnel_node "$ns" kzt-orph0 10.250.0 || return 1
	kzt-hsorphan "/run/netns/$ns" 10.250.0.2 15008 "$dir" > "$dir/log" 2>&1 &
	pid=$!
	if ! busywait 20000 test -s "$dir/ready"; then
		kill "$pid"
		cat "$dir/log"
		return 1
	fi
	cat "$dir/ready"
	ip netns del "$ns" || return 1
	sleep 2		# what must not happen: the netns going
	if ! ip link show kzt-orph0 > /dev/null 2>&1; then
		echo "the netns went while its tunnel socket was a process's descriptor"
		touch "$dir/go"
		wait "$pid"
		return 1
	fi
	touch "$dir/go"
	wait "$pid" || { cat "$dir/log"; return 1; }
	cat "$dir/done"
	busywait 20000 eval '! ip link show kzt-orph0 > /dev/null 2>&1' ||
		{ echo "the netns never went after the descriptor was closed"; return 1; }
	# Its struct net too: the socket gave back no net->passive it took.
	net_structs_at_most "$nets" ||
		{ echo "the struct net of the netns was never freed"; return 1; }
}

# A handshake that its deadline ended while the daemon (kzt-hsd
# --no-done) still holds the tunnel's descriptor: the flow's end shuts the
# tunnel down, so the peer's connection ends (FIN) when the flow does, not
# whenever the daemon lets go (here: never). The bound of 30 s is no time
# measure: without the shutdown the connection never ends.
test_deadline_shuts_tunnel() {
	local ns rc=0 t0 t1
	ns=$(ns_create deadline) || return 1
	tunnel_node "$ns" kzt-dl0 10.250.1 handshake-timeout 500 || return 1
	ip netns exec "$ns" kzt-hsd --no-done > "$WORK/hsd.log" 2>&1 &
	HSD_PID=$!
	busywait 10000 grep -q '^ready$' "$WORK/hsd.log" || return 1
	t0=$(date +%s)
	# One byte, or the tunnel never reaches the daemon (datapath.rst,
	# "Inbound budgets").
	timeout 30 bash -c 'exec 5<>/dev/tcp/10.250.1.2/15008 && printf "\x16" >&5 &&
		cat <&5 > /dev/null' 2>/dev/null ||
		rc=$?
	t1=$(date +%s)
	grep '^accept' "$WORK/hsd.log"
	hsd_stop
	echo "client's connection ended after $((t1 - t0)) s (status $rc)"
	expect_eq "the daemon took the request" "$(grep -c '^accept id=.* role=server' "$WORK/hsd.log")" 1 &&
	expect_eq "handshakes timed out" \
		"$(ip netns exec "$ns" kztctl -j stats | json_get hs_timeout)" 1 || return 1
	[ "$rc" -ne 124 ] || { echo "the tunnel stayed open while the daemon held it"; return 1; }
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "handshake: load kzt" 1; exit $RET; }

run_test "handshake: ACCEPT with nothing waiting is EAGAIN" test_accept_empty
run_test "handshake: ACCEPT takes a role filter, nothing else" test_accept_attrs
run_test "handshake: DONE for an unknown request is ENOENT" test_done_unknown
run_test "handshake: DONE names what it lacks" test_done_missing
run_test "handshake: ACCEPT, DONE and the group need CAP_NET_ADMIN" test_unprivileged
run_test --debug "handshake: an ACCEPTed socket keeps its netns until the process closes it" \
	test_fd_past_netns
run_test --debug "handshake: a flow its handshake deadline ended shuts its tunnel down" \
	test_deadline_shuts_tunnel

# ---- part 2: requests from KUnit, answered by kzt-hsd ----

if [ ! -f "$KZT_TEST_MODULE" ] || [ ! -w "$KUNIT_GLOB" ]; then
	log_test "handshake: upcall end to end (needs the KUnit debug kernel)" $KSFT_SKIP
	exit $RET
fi

# hsd_start ARGS...: kzt-hsd in the background, once it listens.
hsd_start() {
	kzt-hsd "$@" > "$WORK/hsd.log" 2>&1 &
	HSD_PID=$!
	busywait 10000 grep -q '^ready$' "$WORK/hsd.log"
}

# kunit_upcall EXPECT_CLIENT EXPECT_SERVER [TIMEOUT_MS]: run the upcall
# suite; prints its KTAP. Fails when a case fails or skips.
kunit_upcall() {
	local mark="kzt-hs-$$-$RANDOM" log rc=0
	printf %s "kzt_handshake_upcall.*" > "$KUNIT_GLOB"	# no newline: it would be part of the glob
	echo "$mark" > /dev/kmsg
	insmod "$KZT_TEST_MODULE" hs_expect_client="$1" hs_expect_server="$2" \
		hs_timeout_ms="${3:-20000}" || rc=1
	rmmod kzt_test || rc=1
	log=$(dmesg --notime | sed -n "/$mark/,\$p")
	echo "$log"
	grep -q "^ *ok [0-9]* kzt_hs_upcall_test$" <<< "$log" || rc=1
	return $rc
}

tls_stat() { # tls_stat NAME
	awk -v n="$1" '$1 == n { print $2 }' /proc/net/tls_stat
}

test_upcall_ok() {
	local tx rx n
	tx=$(tls_stat TlsTxSw)
	rx=$(tls_stat TlsRxSw)
	hsd_start --count 6 || return 1
	kunit_upcall 0 0 || { cat "$WORK/hsd.log"; return 1; }
	hsd_stop
	cat "$WORK/hsd.log"
	n=$(grep -c '^accept id=[0-9]* role=client fd=ok timeout_ms=[0-9]* local_id=spiffe://td/ns/a/sa/client peer_id=spiffe://td/ns/b/sa/server dst=::ffff:10.0.0.1$' "$WORK/hsd.log")
	expect_eq "client accepts" "$n" 3 || return 1
	n=$(grep -c '^accept id=[0-9]* role=server fd=ok timeout_ms=[0-9]*$' "$WORK/hsd.log")
	expect_eq "server accepts" "$n" 3 || return 1
	n=$(grep -c '^done .* status=0 .*result=ok$' "$WORK/hsd.log")
	expect_eq "successful DONEs" "$n" 6 || return 1
	for c in aes128 aes256 chacha20; do
		n=$(grep -c "^done .* cipher=$c result=ok$" "$WORK/hsd.log")
		expect_eq "DONEs with $c" "$n" 2 || return 1
	done
	expect_eq "kTLS TX sessions" "$(tls_stat TlsTxSw)" $((tx + 6)) || return 1
	expect_eq "kTLS RX sessions" "$(tls_stat TlsRxSw)" $((rx + 6))
}

test_upcall_failure() {
	hsd_start --count 6 --status EPROTO || return 1
	kunit_upcall -71 -71 || { cat "$WORK/hsd.log"; return 1; }
	hsd_stop
	expect_eq "DONEs taken" "$(grep -c '^done .* status=71 cipher=- result=ok$' \
		"$WORK/hsd.log")" 6
}

test_upcall_bad_peer() {
	local n
	hsd_start --count 6 --peer-id spiffe://td/ns/evil/sa/x || return 1
	kunit_upcall -13 0 || { cat "$WORK/hsd.log"; return 1; }
	hsd_stop
	n=$(grep -c '^done .*result=errno=EACCES extack="verified peer ID is not the one the request asked for"$' "$WORK/hsd.log")
	expect_eq "client DONEs refused" "$n" 3
}

test_upcall_deadline() {
	local n
	hsd_start --no-done || return 1
	kunit_upcall -110 -110 300 || { cat "$WORK/hsd.log"; return 1; }
	n=$(grep -c '^accept id=' "$WORK/hsd.log")
	hsd_stop
	expect_eq "accepted, never done" "$n" 6
}

# A DONE from a process that does not hold the request's socket: kzt-nlraw
# names each live request of the first tunnel (client and server; IDs are
# guessable), once with a socket of its own as FD and once without FD.
# Each is refused and changes nothing: every request still ends by its
# deadline (-ETIMEDOUT), not by the forged status EACCES. The EPERM answer
# also proves that the request was live and accepted when it came (6 s
# leave room for a loaded debug guest).
test_upcall_forged_done() {
	local kpid id ids out rc=0
	hsd_start --no-done || return 1
	kunit_upcall -110 -110 6000 > "$WORK/kunit.log" 2>&1 &
	kpid=$!
	busywait 20000 eval '[ "$(grep -c "^accept id=" "$WORK/hsd.log")" -ge 2 ]' ||
		{ kill "$kpid"; return 1; }
	ids=$(sed -n 's/^accept id=\([0-9]*\) .*/\1/p' "$WORK/hsd.log" | head -2)
	for id in $ids; do
		out=$(nlraw_sock 16 2:u32="$id" 3:u32=3 9:u32=13)
		expect_match "DONE $id with another socket" "$out" \
			'^errno=EPERM .*only its holder may report it" .*bad_attr=3$' || rc=1
	done
	for id in $ids; do
		out=$(kzt-nlraw 16 2:u32="$id" 9:u32=13)
		expect_match "DONE $id without FD" "$out" \
			'^errno=EINVAL .*\(FD\) is missing" missing_type=3' || rc=1
	done
	wait "$kpid" || { cat "$WORK/kunit.log" "$WORK/hsd.log"; rc=1; }
	hsd_stop
	return $rc
}

run_test --debug "handshake: both ends get matching keys, data flows, each cipher" test_upcall_ok
run_test --debug "handshake: a failure status reaches both owners" test_upcall_failure
run_test --debug "handshake: a client's unexpected peer is refused (EACCES)" test_upcall_bad_peer
run_test --debug "handshake: accepted but never done: the deadline completes it" test_upcall_deadline
run_test --debug "handshake: a DONE from a process without the socket is refused, changes nothing" \
	test_upcall_forged_done

exit $RET
