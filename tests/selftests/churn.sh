#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Churn soak: 50 long-lived tunnelled flows stream while random workload
# and policy changes hit both nodes for 40 s (Documentation/datapath.rst,
# "Changes and live flows"). Afterwards every flow is judged against a
# model of the tables (tests/selftests/kzt-churn) fed by the log of the
# changes: a flow that ended was reset on both sides while a change in
# effect denied it; a flow still alive is allowed by the final tables and
# has every byte, the same sha256 on both ends. The final model is first
# checked against the kernel (workload dumps and `kztctl policy check`).
#
# Topology: mesh-lib.sh (2 nodes x 2 pods, one kztd per node). Every pod
# runs kzt-stream servers on ports 7300 and 7301; the flows go across
# nodes (a1, a2 <-> b1, b2, both ways, both ports), a few per pair.
#
# KZT_CHURN_SEED picks the changes (default: random, printed);
# KZT_CHURN_SECONDS (40) how long they go on.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mesh-lib.sh"

PORTS=(7300 7301)
NFLOWS=50
SEED=${KZT_CHURN_SEED:-$((RANDOM * 32768 + RANDOM))}
SECONDS_OF_CHURN=${KZT_CHURN_SECONDS:-40}
SERVER_PIDS=()
CLIENT_PIDS=()

cleanup() {
	local p
	for p in "${CLIENT_PIDS[@]}" "${SERVER_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	mesh_down
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd python3 jq

# The mesh as kzt-churn reads it.
mesh_json() {
	local pod node
	{
		for pod in a1 a2 b1 b2; do
			jq -n --arg p "$pod" --arg ip "${MESH_IP[$pod]}" \
				--arg node "${MESH_NODE_OF[$pod]}" --arg id "$(mesh_id "$pod")" \
				--arg pr "$MESH_TD/ns/${MESH_SA[$pod]}" --arg dev "v$pod" \
				'{($p): {ip: $ip, node: $node, id: $id, principal: $pr, dev: $dev}}'
		done | jq -s 'add | {pods: .}'
		for node in 1 2; do
			jq -n --arg n "$node" --arg ns "$(mesh_ns "node$node")" \
				--arg u "${MESH_UNDERLAY[$node]}" '{($n): {ns: $ns, underlay: $u}}'
		done | jq -s 'add | {nodes: .}'
		jq -n --arg alt "spiffe://$MESH_TD/ns/churn/sa/other" \
			--arg ghost "$MESH_TD/ns/churn/sa/ghost" \
			"{ports: [${PORTS[0]}, ${PORTS[1]}], alt_id: \$alt, ghost: \$ghost,
			  churn_pods: [\"a2\", \"b2\"]}"
	} | jq -s add > "$MESH_DIR/mesh.json"
}

test_setup() {
	local pod port
	mesh_up && mesh_json || return 1
	# 50 handshakes at once on a loaded TCG host: more than the default 10 s.
	mesh_kztctl 1 config set handshake-timeout 60000 &&
	mesh_kztctl 2 config set handshake-timeout 60000 || return 1
	for pod in a1 a2 b1 b2; do
		for port in "${PORTS[@]}"; do
			mkdir -p "$MESH_DIR/srv-$pod-$port"
			ip netns exec "$(mesh_ns "$pod")" kzt-stream server "$port" \
				"$MESH_DIR/srv-$pod-$port" &
			SERVER_PIDS+=($!)
		done
	done
	for pod in a1 a2 b1 b2; do
		busywait 10000 in_pod "$pod" sh -c \
			"[ \$(ss -Hltn 'sport >= :7300 and sport <= :7301' | wc -l) -eq 2 ]" ||
			{ echo "$pod: servers not listening"; return 1; }
	done
}

# $NFLOWS flows over the 16 (source, destination, port) combinations of
# pods on different nodes, in turn; one kzt-stream clients process per
# source pod, each flow 4 KiB every 100 ms. Flow I of FLOWS is flow J of
# its source's process: DIR/<src>/I links to what that process writes.
test_flows() {
	local combos=() i src dst port pod targets j node
	for src in a1 a2 b1 b2; do
		for dst in a1 a2 b1 b2; do
			[ "${MESH_NODE_OF[$src]}" = "${MESH_NODE_OF[$dst]}" ] && continue
			for port in "${PORTS[@]}"; do
				combos+=("$src $dst $port")
			done
		done
	done
	: > "$MESH_DIR/flows"
	for i in $(seq 0 $((NFLOWS - 1))); do
		echo "$i ${combos[$((i % ${#combos[@]}))]}" >> "$MESH_DIR/flows"
	done
	for pod in a1 a2 b1 b2; do
		mkdir -p "$MESH_DIR/$pod" "$MESH_DIR/$pod.raw"
		targets=() j=0
		while read -r i src dst port; do
			[ "$src" = "$pod" ] || continue
			targets+=("${MESH_IP[$dst]}:$port")
			ln -s "$MESH_DIR/$pod.raw/$j" "$MESH_DIR/$pod/$i"
			ln -s "$MESH_DIR/$pod.raw/$j.port" "$MESH_DIR/$pod/$i.port"
			j=$((j + 1))
		done < "$MESH_DIR/flows"
		ip netns exec "$(mesh_ns "$pod")" kzt-stream clients \
			"$MESH_DIR/$pod.raw" 0.1 "${targets[@]}" &
		CLIENT_PIDS+=($!)
	done
	# Each flow is a handshake (about 80 ms of CPU on each node under TCG).
	busywait 120000 sh -c "[ \$(cat $MESH_DIR/*.raw/*.port 2>/dev/null | wc -l) -eq $NFLOWS ]" ||
		{ echo "$(date +%T) not all $NFLOWS flows connected"; return 1; }
	echo "$(date +%T) $NFLOWS connected"
	busywait 120000 _all_established || {
		echo "$(date +%T) not all flows established on both nodes"
		for node in 1 2; do
			echo "node$node: $(mesh_kztctl "$node" -j conn |
				jq -c '[.connections[].state] | group_by(.) |
				map({(.[0]): length}) | add')"
			echo "node$node: $(mesh_kztctl "$node" -j stats |
				jq -c 'with_entries(select(.value != 0))')"
		done
		echo "ended: $(cat "$MESH_DIR"/*.raw/[0-9] "$MESH_DIR"/*.raw/[0-9][0-9] 2>/dev/null | cut -d' ' -f1 | sort | uniq -c | tr '\n' ' ')"
		return 1
	}
}

_all_established() { # every flow ESTABLISHED, counted on both nodes
	local node n
	for node in 1 2; do
		n=$(mesh_kztctl "$node" -j conn | jq '[.connections[] |
			select(.state == "established")] | length')
		[ "$n" -eq $NFLOWS ] || return 1
	done
}

# The kernel's final tables: both workload dumps, and the policy
# decision of every (source, destination, port) on the destination's node.
kernel_json() {
	local node src dst port v
	{
		for node in 1 2; do
			mesh_kztctl "$node" -j workload | jq --arg n "$node" '{($n): .}'
		done | jq -s 'add | {workloads: .}'
		for src in a1 a2 b1 b2; do
			for dst in a1 a2 b1 b2; do
				[ "${MESH_NODE_OF[$src]}" = "${MESH_NODE_OF[$dst]}" ] && continue
				for port in "${PORTS[@]}"; do
					v=$(mesh_kztctl "${MESH_NODE_OF[$dst]}" -j policy check \
						--src-id "$(mesh_id "$src")" --src-ip "${MESH_IP[$src]}" \
						--dst "${MESH_IP[$dst]}" --port "$port" 2>/dev/null |
						jq -r .verdict)
					[ -n "$v" ] || continue
					jq -n --arg s "$src" --arg d "$dst" --argjson p "$port" \
						--arg v "$v" '{src: $s, dst: $d, port: $p, verdict: $v}'
				done
			done
		done | jq -s '{checks: .}'
	} | jq -s add > "$MESH_DIR/kernel.json"
}

test_churn() {
	local stop p rc
	kzt-churn run "$MESH_DIR/mesh.json" "$SEED" "$SECONDS_OF_CHURN" \
		"$MESH_DIR/changes.log" || return 1
	# The last change's revocations land, then the survivors stop.
	sleep 2
	kernel_json || return 1
	stop=$(date +%s.%N)
	# Clients first: each closes its side and waits for the server's end.
	for p in "${CLIENT_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${CLIENT_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	CLIENT_PIDS=()
	kzt-churn verify "$MESH_DIR/mesh.json" "$MESH_DIR/changes.log" \
		"$MESH_DIR/flows" "$MESH_DIR" "$stop" "$MESH_DIR/kernel.json" |
		tee "$MESH_DIR/verdict"
	rc=${PIPESTATUS[0]}
	if [ $rc -ne 0 ]; then
		echo "seed $SEED; the changes:"
		jq -c '[.t0, .node, (.args | join(" ")), .rc]' "$MESH_DIR/changes.log"
	fi
	return $rc
}

echo "# churn seed: $SEED (KZT_CHURN_SEED=$SEED repeats the changes)"
kzt_unload || skip_all "kzt is loaded and cannot be removed"
run_test "churn: set up the mesh and 8 stream servers" test_setup || exit $RET
run_test "churn: $NFLOWS tunnelled flows streaming" test_flows || exit $RET
run_test "churn: ${SECONDS_OF_CHURN} s of changes; every end explained, survivors intact" test_churn
[ -s "$MESH_DIR/verdict" ] && head -n 1 "$MESH_DIR/verdict"
echo "# churn: $SECONDS s in all"
exit $RET
