#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The two-node mesh the data-path tests, the demo and the benchmark share.
# Source it after lib.sh; mesh_up builds it, mesh_down removes it.
#
#   pod a1 10.1.1.2   pod a2 10.1.1.3            pod b1 10.1.2.2   pod b2 10.1.2.3
#        | eth0           | eth0                       | eth0           | eth0
#        | va1            | va2                        | vb1            | vb2
#   +----+----------------+----+               +-------+----------------+--+
#   | node1   (10.1.1.1 on each va*)  |  und   | node2 (10.1.2.1 on each vb*) |
#   |   kzt.ko state, kztd         192.168.100.1 ---- 192.168.100.2  kztd   |
#   +---------------------------------+ underlay +-------------------------+
#
# Nodes and pods are network namespaces; each pod is joined to its node by a
# veth pair, the nodes by the "und" veth pair (the underlay, where a capture
# must show only TLS). Every node knows every pod: its own as local
# workloads (on their veth), the other node's as kzt/1 workloads behind that
# node's underlay address. Identities (trust domain cluster.local):
#   a1 ns/demo/sa/client   a2 ns/demo/sa/web   b1 ns/demo/sa/server
#   b2 ns/other/sa/db
# One dev CA (kztctl ca) issues every SVID; each node's kztd has the SVIDs
# of its own pods only.
# MESH_BY_ADDR=1 before mesh_up registers the other node's pods with their
# own address as nodeIp, as kztd does from istiod's WDS (no node address):
# tunnels then go to POD:15008, routed to the pod's node over the underlay.

MESH_TD=cluster.local
declare -A MESH_IP=([a1]=10.1.1.2 [a2]=10.1.1.3 [b1]=10.1.2.2 [b2]=10.1.2.3)
declare -A MESH_NODE_OF=([a1]=1 [a2]=1 [b1]=2 [b2]=2)
declare -A MESH_SA=([a1]=demo/sa/client [a2]=demo/sa/web [b1]=demo/sa/server
		    [b2]=other/sa/db)
declare -A MESH_UNDERLAY=([1]=192.168.100.1 [2]=192.168.100.2)
declare -A MESH_KZTD_PID=()
MESH_DIR=
MESH_CA=
MESH_BY_ADDR=${MESH_BY_ADDR:-0}
# Lines mesh_up adds to both kztds' configuration.
MESH_KZTD_CONF=("${MESH_KZTD_CONF[@]}")

mesh_id() { # mesh_id POD
	echo "spiffe://$MESH_TD/ns/${MESH_SA[$1]}"
}

mesh_ns() { # mesh_ns POD|node1|node2 -> the netns name
	echo "$NS_PREFIX$1"
}

# in_pod POD CMD...: run CMD in the pod's (or node's) netns.
in_pod() {
	local ns
	ns=$(mesh_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

mesh_kztctl() { # mesh_kztctl NODE(1|2) ARGS...
	local node=$1
	shift
	ip netns exec "$(mesh_ns node$node)" kztctl "$@"
}

_mesh_pod_link() { # _mesh_pod_link POD
	local pod=$1 node=node${MESH_NODE_OF[$1]} gw
	gw=10.1.${MESH_NODE_OF[$1]}.1
	ns_create "$pod" > /dev/null
	ip -n "$(mesh_ns $node)" link add "v$pod" type veth peer name eth0 \
		netns "$(mesh_ns $pod)"
	ip -n "$(mesh_ns $node)" addr add "$gw/32" dev "v$pod"
	ip -n "$(mesh_ns $node)" link set "v$pod" up
	ip -n "$(mesh_ns $node)" route add "${MESH_IP[$pod]}/32" dev "v$pod"
	# A /32 and a default route through the node, as CNIs like Calico do:
	# a pod reaches every other pod, even on its node, through the node.
	ip -n "$(mesh_ns $pod)" addr add "${MESH_IP[$pod]}/32" dev eth0
	ip -n "$(mesh_ns $pod)" link set eth0 up
	ip -n "$(mesh_ns $pod)" route add "$gw" dev eth0
	ip -n "$(mesh_ns $pod)" route add default via "$gw" dev eth0
}

# _mesh_node_yaml NODE: the apply file of a node: its pods local, the
# other node's pods kzt/1 behind that node.
_mesh_node_yaml() {
	local node=$1 pod
	printf 'node:\n  trustDomain: %s\n  capture: true\n  nonMesh: deny\n' "$MESH_TD"
	printf 'workloads:\n'
	for pod in a1 a2 b1 b2; do
		printf '  - name: %s\n    workloadIps: [%s]\n    identity: %s\n' \
			"$pod" "${MESH_IP[$pod]}" "$(mesh_id $pod)"
		if [ "${MESH_NODE_OF[$pod]}" = "$node" ]; then
			printf '    interface: v%s\n' "$pod"
		elif [ "$MESH_BY_ADDR" = 1 ]; then
			printf '    protocol: kzt\n    nodeIp: %s\n' "${MESH_IP[$pod]}"
		else
			printf '    protocol: kzt\n    nodeIp: %s\n' \
				"${MESH_UNDERLAY[${MESH_NODE_OF[$pod]}]}"
		fi
	done
}

_mesh_kztd_ready() { # _mesh_kztd_ready LOG COUNT: more ready lines than COUNT
	[ "$(grep -c "handling handshakes" "$1")" -gt "$2" ]
}

# mesh_kztd_start NODE [EXTRA CONFIG LINES]: start the node's kztd and wait
# until it has applied its config and listens for handshakes.
mesh_kztd_start() {
	local node=$1 conf=$MESH_DIR/kztd$1.conf
	shift
	{
		printf 'certs = %s\n' "$MESH_DIR/certs$node"
		printf 'log_level = debug\n'
		[ $# -eq 0 ] || printf '%s\n' "$@"
	} > "$conf"
	local log=$MESH_DIR/kztd$node.log ready
	# The log is appended across restarts: wait for one more ready line.
	ready=$(grep -c "handling handshakes" "$log" 2>/dev/null)
	# Not through in_pod: a backgrounded function is a subshell, and $!
	# must be kztd itself (ip netns exec execs it) for stop and kill -9.
	ip netns exec "$(mesh_ns node$node)" kztd -c "$conf" --log stderr \
		>> "$MESH_DIR/kztd$node.log" 2>&1 &
	MESH_KZTD_PID[$node]=$!
	busywait 30000 _mesh_kztd_ready "$log" "${ready:-0}" || {
		echo "kztd on node$node did not get ready:"
		tail -n 20 "$MESH_DIR/kztd$node.log"
		return 1
	}
}

# mesh_kztd_stop NODE [SIGNAL]: stop the node's kztd and wait for its end.
mesh_kztd_stop() {
	local node=$1 sig=${2:-TERM} pid=${MESH_KZTD_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	MESH_KZTD_PID[$node]=
}

# mesh_net_up: the nodes, pods, links and routes, with kzt.ko loaded and
# nothing in its tables (mesh_up, or a control plane, fills them).
mesh_net_up() {
	local node pod
	MESH_DIR=$(mktemp -d)
	chmod 755 "$MESH_DIR"	# pods' servers (nginx workers) read files here
	kzt_load || return 1
	for node in 1 2; do
		ns_create "node$node" > /dev/null
		in_pod "node$node" sysctl -qw net.ipv4.ip_forward=1
	done
	ip -n "$(mesh_ns node1)" link add und type veth peer name und \
		netns "$(mesh_ns node2)"
	for node in 1 2; do
		ip -n "$(mesh_ns node$node)" addr add "${MESH_UNDERLAY[$node]}/24" dev und
		ip -n "$(mesh_ns node$node)" link set und up
	done
	ip -n "$(mesh_ns node1)" route add 10.1.2.0/24 via "${MESH_UNDERLAY[2]}"
	ip -n "$(mesh_ns node2)" route add 10.1.1.0/24 via "${MESH_UNDERLAY[1]}"
	for pod in a1 a2 b1 b2; do
		_mesh_pod_link "$pod"
	done
}

# mesh_up: build the whole mesh with one kztd per node, ready for traffic.
mesh_up() {
	local node pod
	mesh_net_up || return 1
	MESH_CA=$MESH_DIR/ca
	kztctl ca init --dir "$MESH_CA" --trust-domain "$MESH_TD" > /dev/null || return 1
	for pod in a1 a2 b1 b2; do
		kztctl ca issue --ca "$MESH_CA" "$(mesh_id $pod)" \
			--out "$MESH_DIR/certs${MESH_NODE_OF[$pod]}" > /dev/null || return 1
	done
	for node in 1 2; do
		_mesh_node_yaml "$node" > "$MESH_DIR/node$node.yaml"
		mesh_kztctl "$node" apply -f "$MESH_DIR/node$node.yaml" > /dev/null || return 1
		mesh_kztd_start "$node" "${MESH_KZTD_CONF[@]}" || return 1
	done
}

mesh_down() {
	local node
	for node in 1 2; do
		mesh_kztd_stop "$node"
	done
	ns_cleanup
	[ -z "$MESH_DIR" ] || rm -rf "$MESH_DIR"
}

# mesh_stat NODE NAME: one counter of `kztctl -j stats`.
mesh_stat() {
	mesh_kztctl "$1" -j stats | json_get "$2"
}
