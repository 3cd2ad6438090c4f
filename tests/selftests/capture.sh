#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Capture: the node's netfilter hook decides every new TCP flow of its pods
# (Documentation/capture.rst), and its listeners exist only with capture on.
#
#   pod1 10.1.0.2 (enrolled, ns/a/sa/one) --veth-- n-p1 \
#   pod2 10.1.0.3 (enrolled, ns/b/sa/two) --veth-- n-p2  > node: forwards;
#   pod3 10.1.0.4 (not enrolled)          --veth-- n-p3 /  its pod-side veths
#                                                          have no IPv4 address
#                                        node n-ul 192.168.0.1/24
#                                                 |  underlay
#                                      remote r-ul 192.168.0.2/24, and on lo:
#                                        10.2.0.2  mesh workload (kzt/1)
#                                        10.2.0.3  plaintext workload
#                                        10.2.0.4  not a workload
#
# Pods reach the node as Calico does: a /32 address and a default route to
# 169.254.1.1, the node-side veth's MAC (a static neighbour here instead of
# proxy ARP), so the hook must route captured packets with the node's
# underlay address. No kzt runs on the remote.
source "$(dirname "$0")/lib.sh"

cleanup() {
	ns_cleanup
	kzt_unload 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kzt-nlraw socat ss
TMPD=$(mktemp -d)

NODE= REMOTE= POD1= POD2= POD3=
ID1=spiffe://cluster.local/ns/a/sa/one
ID2=spiffe://cluster.local/ns/b/sa/two

# Counter attribute numbers of enum kzt_stats_attr.
declare -A STAT_ID=([CAPTURED]=2 [LOCAL_ALLOWED]=3 [LOCAL_DENIED]=4
	[INBOUND_PLAIN_ALLOWED]=5 [INBOUND_PLAIN_DENIED]=6 [NONMESH_PASSED]=7
	[NONMESH_DENIED]=8 [SPOOFED]=9 [STRAY]=10 [IPV6_REFUSED]=34
	[TUNNEL_TAKEN]=49 [REFUSED_WORKLOAD]=50)
declare -A SNAP

# stats: every counter of the node as NAME=VALUE lines (STATS_GET, u64 LE).
# Plain bash: a process per counter costs seconds under TCG.
stats() {
	local reply tok hex le i name
	local -A by_id=()

	reply=$(ip netns exec "$NODE" kzt-nlraw --replies stats-get) || return 1
	for tok in $reply; do
		[[ $tok == *:* ]] && by_id[${tok%%:*}]=${tok#*:}
	done
	for name in "${!STAT_ID[@]}"; do
		hex=${by_id[${STAT_ID[$name]}]:-}
		[ ${#hex} -eq 16 ] || { echo "no 8-byte counter $name in: $reply"; return 1; }
		le=
		for ((i = 14; i >= 0; i -= 2)); do le+=${hex:i:2}; done
		echo "$name=$((16#$le))"
	done
}

snap() {
	local l
	SNAP=()
	for l in $(stats); do SNAP[${l%=*}]=${l#*=}; done
}

# expect_counts NAME=DELTA...: these counters moved by exactly DELTA since
# the last snap, every other one by 0.
expect_counts() {
	local -A want=()
	local l name got ok=0

	for l in "$@"; do want[${l%=*}]=${l#*=}; done
	for l in $(stats); do
		name=${l%=*}
		got=$((${l#*=} - SNAP[$name]))
		[ "$got" -eq "${want[$name]:-0}" ] ||
			{ echo "counter $name moved by $got, want ${want[$name]:-0}"; ok=1; }
	done
	return $ok
}

# pod NAME ADDR: a pod netns behind the node-side veth n-NAME.
pod() {
	local ns mac

	ns=$(ns_create "$1") || return 1
	ip link add "n-$1" netns "$NODE" type veth peer name eth0 netns "$ns" &&
	ip -n "$ns" addr add "$2/32" dev eth0 &&
	ip -n "$ns" link set eth0 up &&
	ip -n "$ns" route add 169.254.1.1 dev eth0 scope link &&
	ip -n "$ns" route add default via 169.254.1.1 dev eth0 &&
	ip -n "$NODE" link set "n-$1" up &&
	mac=$(ip -n "$NODE" -br link show "n-$1" | awk '{print $3}') &&
	ip -n "$ns" neigh add 169.254.1.1 lladdr "$mac" dev eth0 nud permanent &&
	ip -n "$NODE" route add "$2/32" dev "n-$1" &&
	echo "$ns"
}

setup() {
	NODE=$(ns_create node) && REMOTE=$(ns_create remote) || return 1
	ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1 &&
	ip link add n-ul netns "$NODE" type veth peer name r-ul netns "$REMOTE" &&
	ip -n "$NODE" addr add 192.168.0.1/24 dev n-ul &&
	ip -n "$NODE" link set n-ul up &&
	ip -n "$REMOTE" addr add 192.168.0.2/24 dev r-ul &&
	ip -n "$REMOTE" link set r-ul up &&
	ip -n "$NODE" route add 10.2.0.0/16 via 192.168.0.2 &&
	ip -n "$REMOTE" route add 10.1.0.0/16 via 192.168.0.1 || return 1
	for a in 10.2.0.2 10.2.0.3 10.2.0.4 10.2.0.5; do
		ip -n "$REMOTE" addr add $a/32 dev lo || return 1
	done
	POD1=$(pod p1 10.1.0.2) && POD2=$(pod p2 10.1.0.3) &&
	POD3=$(pod p3 10.1.0.4) || return 1

	kzt_load || return 1
	nodectl workload add 10.1.0.2 id $ID1 dev n-p1 &&
	nodectl workload add 10.1.0.3 id $ID2 dev n-p2 &&
	nodectl workload add 10.2.0.2 id spiffe://cluster.local/ns/r/sa/far \
		node 192.168.0.2 &&
	nodectl workload add 10.2.0.3 node 192.168.0.2 protocol plaintext &&
	# Same node: ns/a may not reach ns/b on 81; nobody plaintext on 82.
	nodectl policy add deny-81 action deny scope namespace b \
		rule principal "cluster.local/ns/a/*" port 81 &&
	nodectl policy add deny-plain-82 action deny scope global \
		rule not-principal '*' port 82 || return 1

	serve "$POD2" 10.1.0.3 80 81 82 15001 15006 15008 &&
	serve "$POD3" 10.1.0.4 80 &&
	serve "$REMOTE" 10.2.0.2 80 &&
	serve "$REMOTE" 10.2.0.3 80 &&
	serve "$REMOTE" 10.2.0.4 80 &&
	serve "$REMOTE" 10.2.0.5 80
}

nodectl() {
	ip netns exec "$NODE" kztctl "$@"
}

# serve NS ADDR PORT...: a server per port that greets and logs each client.
serve() {
	local ns=$1 addr=$2 port

	shift 2
	for port in "$@"; do
		ip netns exec "$ns" socat TCP-LISTEN:"$port",bind="$addr",fork,reuseaddr \
			SYSTEM:"echo hello-$addr-$port; echo \$SOCAT_PEERADDR >> $TMPD/seen-$addr-$port" \
			</dev/null >/dev/null 2>&1 &
	done
	for port in "$@"; do
		busywait 5000 listening "$ns" "$addr:$port" || return 1
	done
}

listening() { # listening NS ADDR:PORT
	ip netns exec "$1" ss -tlnH | awk '{print $4}' | grep -Fqx "$2"
}

# conn NS ADDR PORT [SRC]: connect, print what the server said, or the
# error; gives up after 5 s (a hang is a failure, never a pass).
conn() {
	local bind=

	[ -n "${4:-}" ] && bind=",bind=$4"
	ip netns exec "$1" timeout 5 socat -T 4 -u \
		"TCP:$2:$3,connect-timeout=4$bind" - 2>&1
}

expect_greeting() { # expect_greeting NS ADDR PORT
	expect_eq "$2:$3 from $1" "$(conn "$1" "$2" "$3")" "hello-$2-$3"
}

expect_refused() { # expect_refused NS ADDR PORT: a reset, not a timeout
	local out

	out=$(conn "$1" "$2" "$3")
	expect_match "$2:$3 from $1" "$out" "Connection refused"
}

# ---- checks ----

test_capture_off() {
	snap
	expect_greeting "$POD1" 10.1.0.3 81 &&
	expect_greeting "$POD1" 10.2.0.4 80 &&
	expect_counts || return 1
	# No kzt listener in the node.
	[ -z "$(ip netns exec "$NODE" ss -tlnH)" ] ||
		{ ip netns exec "$NODE" ss -tln; return 1; }
}

test_listeners() {
	local l

	nodectl config set capture on || return 1
	l=$(ip netns exec "$NODE" ss -tlnH | awk '{print $4}' | sort)
	expect_match "listeners" "$l" $'^\\*:15008\n127\\.0\\.0\\.1:[0-9]+$'
}

test_same_node() {
	snap
	expect_greeting "$POD1" 10.1.0.3 80 &&
	expect_refused "$POD1" 10.1.0.3 81 &&
	expect_counts LOCAL_ALLOWED=1 LOCAL_DENIED=1
}

test_pod_ports() {
	local p out

	snap
	for p in 15001 15006 15008; do
		expect_greeting "$POD1" 10.1.0.3 $p || return 1
	done
	expect_counts LOCAL_ALLOWED=3 || return 1
	snap
	expect_greeting "$REMOTE" 10.1.0.3 15001 &&
	expect_greeting "$REMOTE" 10.1.0.3 15006 &&
	expect_counts INBOUND_PLAIN_ALLOWED=2 || return 1
	# From the underlay, an enrolled pod's 15008 is the tunnel port of
	# the pod's address: the node takes it into its tunnel listener
	# (Documentation/capture.rst, "Tunnels to a pod's address").
	snap
	out=$(conn "$REMOTE" 10.1.0.3 15008)
	[ "$out" != "hello-10.1.0.3-15008" ] ||
		{ echo "the pod got a connection to 15008 from the underlay"; return 1; }
	expect_counts TUNNEL_TAKEN=1
}

test_plain_in() {
	snap
	expect_greeting "$REMOTE" 10.1.0.3 80 &&
	expect_refused "$REMOTE" 10.1.0.3 82 &&
	expect_greeting "$POD3" 10.1.0.3 80 &&
	expect_refused "$POD3" 10.1.0.3 82 &&
	expect_counts INBOUND_PLAIN_ALLOWED=2 INBOUND_PLAIN_DENIED=2
}

test_not_enrolled() {
	snap
	# pod3 reaches even the mesh workload in the clear: not enrolled.
	expect_greeting "$POD3" 10.2.0.2 80 &&
	expect_greeting "$POD3" 10.2.0.4 80 &&
	expect_greeting "$REMOTE" 10.1.0.4 80 &&
	expect_counts
}

test_nonmesh() {
	snap
	expect_refused "$POD1" 10.2.0.4 80 &&
	expect_refused "$POD1" 10.2.0.3 80 &&
	expect_counts NONMESH_DENIED=2 || return 1
	nodectl config set nonmesh passthrough || return 1
	snap
	expect_greeting "$POD1" 10.2.0.4 80 &&
	expect_greeting "$POD1" 10.2.0.3 80 &&
	expect_counts NONMESH_PASSED=2 || return 1
	nodectl config set nonmesh deny
}

# A refused workload (behind a waypoint) is no non-mesh peer: a request to
# it from an enrolled pod is reset even with passthrough, and so is any
# request into a local one; both listen, so a flow let through would
# get its greeting.
test_refused_workload() {
	nodectl config set nonmesh passthrough &&
	nodectl workload add 10.2.0.5 node 192.168.0.2 protocol refused &&
	nodectl workload add 10.1.0.4 dev n-p3 protocol refused || return 1
	snap
	expect_refused "$POD1" 10.2.0.5 80 &&
	expect_refused "$POD1" 10.1.0.4 80 &&
	expect_refused "$REMOTE" 10.1.0.4 80 &&
	expect_greeting "$POD1" 10.2.0.4 80 &&
	expect_counts REFUSED_WORKLOAD=3 NONMESH_PASSED=1 || return 1
	# From a pod kzt does not capture: no business of this node's.
	snap
	expect_greeting "$POD3" 10.2.0.5 80 &&
	expect_counts || return 1
	nodectl workload del 10.2.0.5 &&
	nodectl workload del 10.1.0.4 &&
	nodectl config set nonmesh deny
}

# A live flow to an address that becomes refused is ended (reset), as by
# any table change that denies it: the plain flows' re-decision.
test_refused_live() {
	local srv cli out=$TMPD/live.out
	nodectl workload del 10.2.0.5 2> /dev/null	# left by a failed check
	nodectl config set nonmesh passthrough || return 1
	ip netns exec "$REMOTE" socat TCP-LISTEN:7701,bind=10.2.0.5,reuseaddr \
		SYSTEM:'sleep 60' &
	srv=$!
	busywait 5000 ip netns exec "$REMOTE" sh -c "ss -Hltn 'sport = :7701' | grep -q ." ||
		{ kill "$srv"; return 1; }
	# The client says how its connection ended: "eof" or the error.
	ip netns exec "$POD1" /usr/bin/python3 -c '
import socket
s = socket.create_connection(("10.2.0.5", 7701))
print("open", flush=True)
try:
    print("data" if s.recv(1) else "eof")
except OSError as e:
    print(e.strerror)' > "$out" 2>&1 &
	cli=$!
	busywait 5000 grep -q open "$out" ||
		{ echo "the flow to 10.2.0.5:7701 did not open: $(cat "$out")"; kill "$cli" "$srv"; return 1; }
	nodectl workload add 10.2.0.5 node 192.168.0.2 protocol refused || return 1
	busywait 5000 eval '! kill -0 "$cli" 2>/dev/null'
	local ended=$?
	kill "$cli" "$srv" 2>/dev/null
	wait "$cli" "$srv" 2>/dev/null
	nodectl workload del 10.2.0.5 && nodectl config set nonmesh deny || return 1
	[ "$ended" = 0 ] || { echo "the flow to the refused address still runs"; return 1; }
	expect_eq "the client's end" "$(tail -n 1 "$out")" "Connection reset by peer"
}

test_kzt_ports_unreachable() {
	local cport

	cport=$(ip netns exec "$NODE" ss -tlnH | awk '{print $4}' |
		sed -n 's/^127\.0\.0\.1://p')
	[ -n "$cport" ] || return 1
	nodectl config set nonmesh passthrough || return 1
	snap
	expect_refused "$POD1" 192.168.0.1 15008 &&
	expect_counts NONMESH_DENIED=1 || return 1
	snap
	expect_refused "$POD1" 192.168.0.1 "$cport" &&
	expect_refused "$POD1" 127.0.0.1 "$cport" &&
	expect_counts NONMESH_PASSED=1 || return 1
	nodectl config set nonmesh deny
}

test_spoofed() {
	local before after

	ip -n "$POD3" addr add 10.1.0.2/32 dev eth0 || return 1
	before=$(ip netns exec "$POD2" awk '/^Ip: [0-9]/ {print $4}' /proc/net/snmp)
	snap
	conn "$POD3" 10.1.0.3 80 10.1.0.2 >/dev/null
	after=$(ip netns exec "$POD2" awk '/^Ip: [0-9]/ {print $4}' /proc/net/snmp)
	ip -n "$POD3" addr del 10.1.0.2/32 dev eth0
	expect_eq "packets that reached pod2" $((after - before)) 0 || return 1
	# One SYN and its retransmissions, each dropped and counted.
	[ "$(stats | sed -n 's/^SPOOFED=//p')" -gt "${SNAP[SPOOFED]}" ] ||
		{ echo "SPOOFED did not move"; return 1; }
}

# IPv6 is not captured yet, so it fails closed (Documentation/capture.rst):
# an enrolled pod's IPv6 connection requests, and those into it, are
# refused with a reset and counted; a pod that is not enrolled still
# reaches a remote over IPv6, which shows the routes work.
v6_pod() { # v6_pod NS DEV ADDR
	ip -n "$1" -6 addr add "$3/128" dev eth0 nodad &&
	ip -n "$1" -6 route add default via fe80::1 dev eth0 &&
	ip -n "$NODE" -6 addr add fe80::1/64 dev "$2" nodad &&
	ip -n "$NODE" -6 route add "$3/128" dev "$2"
}

test_ipv6_refused() {
	local ns

	ip netns exec "$NODE" sysctl -qw net.ipv6.conf.all.forwarding=1 &&
	ip -n "$NODE" -6 addr add fd00:ff::1/64 dev n-ul nodad &&
	ip -n "$REMOTE" -6 addr add fd00:ff::2/64 dev r-ul nodad &&
	ip -n "$REMOTE" -6 addr add fd00:2::2/128 dev lo &&
	ip -n "$REMOTE" -6 route add fd00:1::/64 via fd00:ff::1 &&
	ip -n "$NODE" -6 route add fd00:2::/64 via fd00:ff::2 &&
	v6_pod "$POD1" n-p1 fd00:1::2 && v6_pod "$POD3" n-p3 fd00:1::4 || return 1
	nodectl workload add fd00:1::2 id $ID1 dev n-p1 &&
	nodectl workload add fd00:2::2 id spiffe://cluster.local/ns/r/sa/far \
		node 192.168.0.2 || return 1
	for ns in "$REMOTE:fd00:2::2" "$POD1:fd00:1::2"; do
		ip netns exec "${ns%%:*}" socat TCP6-LISTEN:80,bind="[${ns#*:}]",fork,reuseaddr \
			SYSTEM:"echo hello6" </dev/null >/dev/null 2>&1 &
		busywait 5000 listening "${ns%%:*}" "[${ns#*:}]:80" || return 1
	done

	snap
	expect_eq "not enrolled -> remote" "$(conn "$POD3" "[fd00:2::2]" 80)" hello6 &&
	expect_counts || return 1
	expect_refused "$POD1" "[fd00:2::2]" 80 &&
	expect_refused "$POD3" "[fd00:1::2]" 80 &&
	expect_counts IPV6_REFUSED=2
}

# A mesh flow is taken by kzt: its SYN never reaches the remote in the clear.
test_captured() {
	local out

	snap
	out=$(conn "$POD1" 10.2.0.2 80)
	echo "pod1 got: $out"
	! grep -qx 10.1.0.2 "$TMPD/seen-10.2.0.2-80" 2>/dev/null ||
		{ echo "the remote saw pod1"; return 1; }
	expect_counts CAPTURED=1
}

# A flow that began before capture was on is a mesh flow without a socket:
# its next segment is dropped and counted, never sent in the clear.
test_stray() {
	local fifo=$TMPD/stray sink=$TMPD/sink pid spid rc

	ip netns exec "$REMOTE" socat -u TCP-LISTEN:81,bind=10.2.0.2,reuseaddr \
		OPEN:"$sink",creat,append &
	spid=$!
	busywait 5000 listening "$REMOTE" 10.2.0.2:81 || return 1
	nodectl config set capture off || return 1
	mkfifo "$fifo" || return 1
	ip netns exec "$POD1" socat -u OPEN:"$fifo" TCP:10.2.0.2:81 &
	pid=$!
	exec 3> "$fifo"
	echo before >&3
	busywait 5000 grep -qx before "$sink" || return 1
	nodectl config set capture on || return 1
	snap
	echo after >&3
	busywait 3000 stray_moved
	rc=$?
	sleep 1
	exec 3>&-
	kill "$pid" "$spid" 2>/dev/null
	[ $rc -eq 0 ] || { echo "STRAY did not move"; return 1; }
	! grep -q after "$sink" || { echo "plaintext left the node"; return 1; }
}

stray_moved() {
	[ "$(stats | sed -n 's/^STRAY=//p')" -gt "${SNAP[STRAY]}" ]
}

# A tunnel port in use fails CONFIG_SET, and nothing changes.
test_port_in_use() {
	local out pid

	ip netns exec "$NODE" socat TCP-LISTEN:16000,reuseaddr /dev/null &
	pid=$!
	busywait 5000 listening "$NODE" "0.0.0.0:16000" || return 1
	out=$(nodectl config set tunnel-port 16000 2>&1)
	expect_match "error" "$out" "tunnel port 16000 is already in use" &&
	expect_eq "port kept" "$(nodectl -j config show | json_get tunnel_port)" 15008 &&
	listening "$NODE" "*:15008" || { kill $pid; return 1; }
	# Turning capture on with a busy port leaves it off, with no listener.
	nodectl config set capture off || { kill $pid; return 1; }
	out=$(nodectl config set capture on tunnel-port 16000 2>&1)
	kill $pid
	expect_match "error" "$out" "tunnel port 16000 is already in use" &&
	expect_eq "capture kept" "$(nodectl -j config show | json_get capture)" false &&
	expect_eq "no listener" "$(ip netns exec "$NODE" ss -tlnH | grep -v 16000)" "" || return 1
	# A free port moves the listener.
	wait $pid 2>/dev/null
	nodectl config set capture on tunnel-port 16001 &&
	listening "$NODE" "*:16001" && ! listening "$NODE" "*:15008" &&
	nodectl config set tunnel-port 15008 &&
	listening "$NODE" "*:15008" && ! listening "$NODE" "*:16001"
}

# Unloading with hooks, listeners and a dying netns with capture on.
test_unload_active() {
	local ns

	ns=$(ns_create extra) || return 1
	ip netns exec "$ns" kztctl config set capture on || return 1
	ip netns del "$ns" || return 1
	nodectl config set capture on &&
	kzt_unload || return 1
	# No hook left behind: the denied flow goes through.
	expect_greeting "$POD1" 10.1.0.3 81
}

run_test --debug "capture: setup (node, 3 pods, remote)" setup || exit $KSFT_FAIL
out=$(nodectl config set capture on 2>&1)
if [[ $out == *"no data path"* ]]; then
	log_test "capture: needs a kzt.ko with the flow data path" $KSFT_SKIP
	exit $KSFT_SKIP
fi
nodectl config set capture off
run_test "capture: off: no hook effect, no listener" test_capture_off
run_test --debug "capture: on: tunnel and capture listeners only" test_listeners
run_test "capture: same node: allowed, denied with a reset, counted" test_same_node
run_test "capture: a pod's 15001/15006/15008 reached; the underlay's 15008 taken" test_pod_ports
run_test "capture: plaintext into a workload decided by policy" test_plain_in
run_test "capture: a pod that is not enrolled is untouched" test_not_enrolled
run_test "capture: non-mesh peers: deny and passthrough" test_nonmesh
run_test "capture: a refused workload: reset and counted, whatever nonmesh" test_refused_workload
run_test "capture: a live flow to an address that becomes refused is reset" test_refused_live
run_test "capture: no kzt port is reachable from a pod" test_kzt_ports_unreachable
run_test --debug "capture: a spoofed source is dropped and counted" test_spoofed
run_test "capture: IPv6 of enrolled workloads is refused, counted" test_ipv6_refused
run_test --debug "capture: a mesh flow is captured, nothing leaves in the clear" test_captured
run_test --debug "capture: a mesh flow without socket is stray, dropped" test_stray
run_test --debug "capture: a tunnel port in use fails CONFIG_SET, nothing changes" test_port_in_use
run_test --debug "capture: unload with hooks and listeners active" test_unload_active
exit $RET
