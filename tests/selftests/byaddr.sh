#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Remote workloads known by their own address only (istiod's WDS gives a
# pod's node by name): each node registers the other node's pods with
# nodeIp = the pod's address, dials POD:15008, and the pod's node takes that
# connection from the underlay into its tunnel listener (capture.rst,
# "Tunnels to a pod's address"; protocol.rst, "Sources dialed by address").
#
# Topology: mesh-lib.sh with MESH_BY_ADDR=1; node1 routes 10.1.2.0/24 and
# node2 10.1.1.0/24 over the underlay; tcpdump on node1's "und":
#
#   a1 10.1.1.2 --va1-- node1 ==und== node2 --vb1-- b1 10.1.2.2
#   a2 10.1.1.3 --va2--  |               |  --vb2-- b2 10.1.2.3
#
# Checked: a1 <-> b1 and b1 -> a2 carry their bytes; on the underlay the
# tunnel runs between a node address and POD:15008 and no plaintext
# appears; a pod's connection to a pod of its own node on 15008 and the
# underlay's to a plaintext pod's 15008 are not taken; a node that claims
# a pod of the other node (or that node itself) as its source is refused.
# Then kzt_route_iface() (lib/route.c, through kzt-routeif) in node1: a
# pod's /32 route to its veth resolves; a /32 via a gateway, a subnet
# route, the node's own address and an address with no route are refused.
# Last, PMTU discovery: the underlay is rebuilt through a router netns "r"
# whose routes have MTU 1400 (the nodes' links stay at 1500, so the MSS is
# that of 1500), and 1 MiB goes each way through both tunnels. The taken
# side's full-size segments leave from POD:15008, so the router's
# "fragmentation needed" goes to the pod's address: unless the node claims
# it for the tunnel socket (capture.rst, ICMP errors), they are lost.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mesh-lib.sh"

MESH_BY_ADDR=1
MARKER=kzt-marker-$RANDOM$RANDOM-byaddr
TCPDUMP=

cleanup() {
	[ -z "$TCPDUMP" ] || kill "$TCPDUMP" 2>/dev/null
	mesh_down
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd socat openssl tcpdump tshark sha256sum kzt-routeif

# echo_server POD PORT: socat echoing every connection on PORT.
echo_server() {
	in_pod "$1" socat -t 10 TCP-LISTEN:"$2",reuseaddr,fork SYSTEM:cat &
	busywait 5000 in_pod "$1" sh -c "ss -Hltn 'sport = :$2' | grep -q ."
}

test_setup() {
	mesh_up || return 1
	echo_server b1 7300 && echo_server a2 7300 &&
		echo_server a1 15008 && echo_server b2 15008 || return 1
	in_pod a2 socat TCP-LISTEN:7301,reuseaddr,fork SYSTEM:"echo hi" &
	busywait 5000 in_pod a2 sh -c "ss -Hltn 'sport = :7301' | grep -q ."

}

# roundtrip FROM TO [BYTES [TIMEOUT]]: BYTES (256 KiB) with the marker
# through TO's echo server on 7300, compared by sha256; given up after
# TIMEOUT seconds (60).
roundtrip() {
	local data=$MESH_DIR/data want got
	{ echo "$MARKER"; head -c "${3:-262144}" /dev/urandom; echo "$MARKER"; } > "$data"
	want=$(sha256sum < "$data" | cut -d' ' -f1)
	got=$(in_pod "$1" timeout "${4:-60}" socat -t 10 -T 60 - \
		"TCP:${MESH_IP[$2]}:7300" < "$data" | sha256sum | cut -d' ' -f1)
	expect_eq "$1 -> $2: sha256 of the echo" "$got" "$want"
}

# The tunnel of a cross-node flow goes to the destination pod's address on
# the tunnel port and is taken by its node; both directions.
test_cross_node() {
	local pcap=$MESH_DIR/und.pcap t1 t2 other pods
	t1=$(mesh_stat 1 tunnel_taken)
	t2=$(mesh_stat 2 tunnel_taken)
	in_pod node1 tcpdump -i und -U -s 0 -w "$pcap" tcp 2> /dev/null &
	TCPDUMP=$!
	busywait 5000 test -s "$pcap" || sleep 1
	roundtrip a1 b1 && roundtrip b1 a2 || return 1
	sleep 0.5
	kill "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null; TCPDUMP=
	expect_eq "tunnels taken by node2" "$(mesh_stat 2 tunnel_taken)" $((t2 + 1)) &&
	expect_eq "tunnels taken by node1" "$(mesh_stat 1 tunnel_taken)" $((t1 + 1)) ||
		return 1
	if grep -qa "$MARKER" "$pcap"; then
		echo "the marker crossed the underlay in the clear"; return 1
	fi
	# Every segment is between a node address and a pod's tunnel port.
	other=$(tshark -r "$pcap" -Y '!(tcp.port == 15008) || !(ip.addr == 192.168.100.0/24)' \
		2>/dev/null | wc -l)
	expect_eq "segments off a pod's tunnel port" "$other" 0 || return 1
	pods=$(tshark -r "$pcap" -T fields -e ip.src -e tcp.srcport \
		-Y 'tcp.flags.syn == 1 && tcp.flags.ack == 1' 2>/dev/null | sort -u | tr '\t\n' ': ')
	expect_eq "SYN-ACKs came from" "$pods" "10.1.1.3:15008 10.1.2.2:15008 "
}

# a2 -> a1:15008 is a same-node flow: a1's own server answers, the tunnel
# listener never sees it.
test_same_node_not_taken() {
	local t out
	t=$(mesh_stat 1 tunnel_taken)
	out=$(in_pod a2 sh -c "echo same-node | socat -t 5 - TCP:${MESH_IP[a1]}:15008")
	expect_eq "a1's own port 15008 answers" "$out" same-node &&
	expect_eq "tunnels taken by node1" "$(mesh_stat 1 tunnel_taken)" "$t"
}

# From node1 (the underlay) to 15008 of b2, made plaintext: b2's server;
# to 15008 of b1 (enrolled): node2's tunnel listener, which wants TLS.
test_plaintext_not_taken() {
	local t out
	mesh_kztctl 2 workload add "${MESH_IP[b2]}" dev vb2 protocol plaintext \
		replace || return 1
	t=$(mesh_stat 2 tunnel_taken)
	out=$(in_pod node1 sh -c "echo plain | socat -t 5 - TCP:${MESH_IP[b2]}:15008")
	expect_eq "b2's own port 15008 answers" "$out" plain &&
	expect_eq "tunnels taken by node2" "$(mesh_stat 2 tunnel_taken)" "$t" ||
		return 1
	out=$(in_pod node1 sh -c "echo plain | socat -t 5 - TCP:${MESH_IP[b1]}:15008" 2>&1)
	expect_eq "tunnels taken by node2 (b1, enrolled)" \
		"$(mesh_stat 2 tunnel_taken)" $((t + 1)) &&
	[ "$out" != plain ] || { echo "b1:15008 echoed: '$out'"; return 1; }
}

# header DST_IP DST_PORT SRC_IP SRC_PORT: a kzt/1 header (protocol.rst).
header() {
	local esc
	mapped() { printf '\\x00%.0s' {1..10}; printf '\\xff\\xff'; printf '\\x%02x' ${1//./ }; }
	esc='\x6b\x7a\x74\x31\x01\x00\x00\x30\x04\x00\x00\x00'
	esc+=$(mapped "$1")
	esc+=$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($2 >> 8)) $(($2 & 255)) $(($4 >> 8)) $(($4 & 255)))
	esc+=$(mapped "$3")
	printf "$esc"
}

# rogue SRC: node2 with b1's SVID dials a2's address (as it would by WDS)
# and sends a header from SRC to a2:7301; prints the status bytes. Either
# node1 closes after a refusal, or a2's server says "hi" and closes: the
# status is read whatever the handshake's speed.
rogue() {
	header "${MESH_IP[a2]}" 7301 "$1" 40100 |
	in_pod node2 timeout 30 openssl s_client -quiet -nocommands \
		-connect "${MESH_IP[a2]}:15008" -tls1_3 -alpn kzt/1 \
		-servername "${MESH_IP[a2]}" \
		-cert "$MESH_DIR/certs2/demo.server.crt" \
		-key "$MESH_DIR/certs2/demo.server.key" \
		-CAfile "$MESH_CA/ca.crt" 2>/dev/null | od -An -tx1 | head -c 12 | tr -d ' \n'
}

# A node may claim its own pod (by address), never a pod of the node it
# talks to, nor that node's address.
test_spoofed_source() {
	local before
	expect_eq "b1 as source (its own pod)" "$(rogue "${MESH_IP[b1]}")" 01000000 ||
		return 1
	before=$(mesh_stat 1 source_refused)
	expect_eq "a1 as source (node1's pod)" "$(rogue "${MESH_IP[a1]}")" 01010000 &&
	expect_eq "node1's address as source" "$(rogue "${MESH_UNDERLAY[1]}")" 01060000 &&
	expect_eq "source_refused" "$(mesh_stat 1 source_refused)" $((before + 2))
}

# routeif ADDR WANT: kzt-routeif in node1 prints WANT (stdout, or the
# errno name of its refusal).
routeif() {
	local out
	out=$(in_pod node1 kzt-routeif "$1" 2>&1)
	[[ $out =~ \(([A-Z]+)\)$ ]] && out=${BASH_REMATCH[1]}
	expect_eq "route interface of $1" "$out" "$2"
}

test_route_iface() {
	local idx
	idx=$(in_pod node1 cat /sys/class/net/va1/ifindex)
	in_pod node1 ip route add 10.9.9.9/32 via "${MESH_UNDERLAY[2]}" || return 1
	routeif "${MESH_IP[a1]}" "$idx va1" &&
	routeif "${MESH_IP[a2]}" "$(in_pod node1 cat /sys/class/net/va2/ifindex) va2" &&
	routeif 10.9.9.9 ENXIO &&			# a host route via a gateway
	routeif "${MESH_IP[b1]}" ENXIO &&		# node2's pods: a /24
	routeif "${MESH_UNDERLAY[1]}" EADDRINUSE &&	# node1 itself
	routeif 10.200.0.1 ENETUNREACH			# no route at all
}

# The underlay through a router: node1 und -- r1 [r] r2 -- und node2, the
# nodes' addresses and routes as before (r answers ARP for the other node
# by proxy), every route of r with MTU 1400 (locked: forwarding honours it)
# while each link stays at 1500.
reroute_underlay() {
	local r node
	r=$(ns_create r) || return 1
	in_pod r sysctl -qw net.ipv4.ip_forward=1
	ip -n "$(mesh_ns node1)" link del und
	ip -n "$(mesh_ns node1)" link add und type veth peer name r1 netns "$r"
	ip -n "$(mesh_ns node2)" link add und type veth peer name r2 netns "$r"
	for node in 1 2; do
		ip -n "$(mesh_ns node$node)" addr add "${MESH_UNDERLAY[$node]}/24" dev und
		ip -n "$(mesh_ns node$node)" link set und up
		ip -n "$r" addr add 192.168.100.254/32 dev "r$node"
		ip -n "$r" link set "r$node" up
		in_pod r sysctl -qw "net.ipv4.conf.r$node.proxy_arp=1"
		ip -n "$r" route add "${MESH_UNDERLAY[$node]}/32" dev "r$node" mtu lock 1400
		ip -n "$r" route add "10.1.$node.0/24" via "${MESH_UNDERLAY[$node]}" \
			dev "r$node" mtu lock 1400 || return 1
	done
	ip -n "$(mesh_ns node1)" route add 10.1.2.0/24 via "${MESH_UNDERLAY[2]}" &&
	ip -n "$(mesh_ns node2)" route add 10.1.1.0/24 via "${MESH_UNDERLAY[1]}"
}

# 1 MiB each way through both tunnels (a1 -> b1: node2 takes it at b1;
# b1 -> a2: node1 at a2) over a path with a smaller MTU than the links':
# the taken side learns the path MTU only from the router's ICMP errors to
# the pod's address. Bounded: a black-holed tunnel fails in 40 s.
test_pmtu() {
	local p
	reroute_underlay || return 1
	# The path works: small segments to b2's own 15008 (plaintext since
	# test_plaintext_not_taken) through the router.
	expect_eq "b2's 15008 through the router" \
		"$(in_pod node1 sh -c "echo plain | timeout 10 socat -t 5 - TCP:${MESH_IP[b2]}:15008")" \
		plain || return 1
	roundtrip a1 b1 1048576 40 && roundtrip b1 a2 1048576 40 || return 1
	# Both taken sockets learned it: the routes to the nodes carry it.
	for p in "1 2" "2 1"; do
		set -- $p
		in_pod "node$1" ip route get "${MESH_UNDERLAY[$2]}" | grep -q "mtu 1400" ||
			{ echo "node$1 learned no path MTU to node$2"; return 1; }
	done
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
run_test --debug "byaddr: mesh up, nodes known by pod address" test_setup || exit $RET
run_test --debug "byaddr: cross-node flows both ways, tunnel to POD:15008" test_cross_node
run_test "byaddr: same-node pod to a pod's 15008 not taken" test_same_node_not_taken
run_test "byaddr: underlay to a plaintext pod's 15008 not taken" test_plaintext_not_taken
run_test --debug "byaddr: a node claiming the other node's pod is refused" test_spoofed_source
run_test "byaddr: a pod's interface from the node's routes" test_route_iface
run_test "byaddr: PMTU discovery of tunnels taken at a pod's address" test_pmtu
exit $RET
