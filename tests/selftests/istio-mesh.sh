#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The two-node mesh of mesh-lib.sh configured by a control plane that plays
# istiod (tests/cp/cp.py, scenario tests/cp/scenarios/mesh.json) instead of
# apply files and certificate directories: each node's kztd learns every
# workload and two namespace ALLOWs over delta xDS and gets its pods'
# certificates from istiod's CA, and real flows cross the nodes and stay
# on one. Then the cluster changes
# under live flows: a pod is added, a pod is removed, an Authorization
# denies one of them, certificates of 2 minutes are renewed, istiod goes
# away for 30 s, a node's kztd is killed and started again, once while
# istiod's CA holds its requests (Documentation/istio.rst, "kztd and
# istiod").
#
# cp.py runs in node1 on the underlay address; node2's kztd reaches it
# across the underlay. Its "changes" go to both nodes' streams; the test
# releases each with a file in $GATE; while $GATE/hold-csr exists, the
# CA holds every request.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mesh-lib.sh"
source "$(dirname "$0")/flows-lib.sh"
source "$TOP/tests/cp/pki.sh"

PY=/usr/bin/python3
PORT=7200
CP_ADDR=${MESH_UNDERLAY[1]}
A=type.googleapis.com/istio.workload.Address
CP_PID=
GATE=
CPLOG=

cleanup() {
	flows_cleanup
	[ -n "$CP_PID" ] && kill "$CP_PID" 2>/dev/null
	if [ "$RET" -ne 0 ] && [ -n "$MESH_DIR" ]; then
		local node
		for node in 1 2; do
			echo "# kztd node$node log:"
			tail -n 30 "$MESH_DIR/kztd$node.log" 2>/dev/null | sed 's/^/#   /'
		done
		echo "# cp log:"
		cut -c1-200 "$CPLOG" 2>/dev/null | tail -n 30 | sed 's/^/#   /'
	fi
	mesh_down
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd kzt-stream curl jq openssl protoc tcpdump tshark
"$PY" -c 'import grpc, google.protobuf, cryptography' 2>/dev/null ||
	skip_all "needs python3-grpcio python3-protobuf python3-cryptography (make deps)"

# events JQ-FILTER: how many lines of cp.py's log match
events() { jq -c "select($1)" "$CPLOG" | wc -l; }
events_ge() { [ "$(events "$1")" -ge "$2" ]; }

ready() { # ready NODE: kztd's readiness says 200
	[ "$(in_pod "node$1" curl -s -o /dev/null -w '%{http_code}' \
		127.0.0.1:15021/healthz/ready)" = 200 ]
}

# The node's workload table as "ADDRESS IDENTITY PROTOCOL LOCATION" lines.
workloads() {
	mesh_kztctl "$1" workload list | tail -n +2 | awk '{$1=$1; print}' | sort
}

# want_table NODE POD...: the table the node must hold for these pods: its
# own on their veth, the other node's dialed at their own address.
want_table() {
	local node=$1 pod
	shift
	for pod in "$@"; do
		if [ "${MESH_NODE_OF[$pod]}" = "$node" ]; then
			echo "${MESH_IP[$pod]} $(mesh_id "$pod") kzt dev v$pod"
		else
			echo "${MESH_IP[$pod]} $(mesh_id "$pod") kzt node ${MESH_IP[$pod]}"
		fi
	done | sort
}

table_is() { [ "$(workloads "$1")" = "$2" ]; }

expect_tables() { # expect_tables POD...: both nodes hold exactly these
	local node want
	for node in 1 2; do
		want=$(want_table "$node" "$@")
		busywait 15000 table_is "$node" "$want" ||
			expect_eq "node$node workload table" "$(workloads "$node")" "$want" ||
			return 1
	done
}

# kztd_start NODE: the node's kztd under istiod; its log is appended.
kztd_start() {
	local node=$1 conf=$MESH_DIR/kztd$1.conf
	cat > "$conf" <<-EOF
	xds_address = $CP_ADDR:15012
	xds_server_name = istiod.istio-system.svc
	xds_root_cert = $MESH_DIR/ca.pem
	xds_token = $MESH_DIR/token
	log_level = debug
	keylog = $MESH_DIR/keys$node.log
	EOF
	NODE_NAME=node-$node INSTANCE_IP=${MESH_UNDERLAY[$node]} \
		POD_NAME=ztunnel-$node POD_NAMESPACE=istio-system \
		ip netns exec "$(mesh_ns "node$node")" kztd -c "$conf" --log stderr \
		>> "$MESH_DIR/kztd$node.log" 2>&1 &
	MESH_KZTD_PID[$node]=$!
}

test_setup() {
	local node
	mesh_net_up || return 1
	GATE=$MESH_DIR/gate CPLOG=$MESH_DIR/cp.jsonl
	mkdir -p "$GATE"
	cp_pki "$MESH_DIR" > "$MESH_DIR/pki.log" 2>&1 || { cat "$MESH_DIR/pki.log"; return 1; }
	printf 'test-token\n' > "$MESH_DIR/token"
	for node in 1 2; do
		printf 'node:\n  trustDomain: %s\n  capture: true\n  nonMesh: deny\n' \
			"$MESH_TD" > "$MESH_DIR/node$node.yaml"
		mesh_kztctl "$node" apply -f "$MESH_DIR/node$node.yaml" > /dev/null || return 1
	done
	KZT_CP_GATE=$GATE ip netns exec "$(mesh_ns node1)" "$PY" "$TOP/tests/cp/cp.py" \
		--listen "$CP_ADDR" --port 15012 \
		--cert "$MESH_DIR/istiod.pem" --key "$MESH_DIR/istiod.key" \
		--ca-cert "$MESH_DIR/ca.pem" --ca-key "$MESH_DIR/ca.key" \
		--token test-token --cluster-id Kubernetes --validity 120 \
		--hold-csrs "$GATE/hold-csr" \
		--scenario "$TOP/tests/cp/scenarios/mesh.json" --log "$CPLOG" \
		>> "$MESH_DIR/cp.out" 2>&1 &
	CP_PID=$!
	busywait 60000 grep -q '"serving"' "$CPLOG" || { cat "$MESH_DIR/cp.out"; return 1; }
	kztd_start 1 && kztd_start 2 || return 1
	for node in 1 2; do
		busywait 30000 ready "$node" ||
			{ echo "node$node: kztd not ready under istiod"; return 1; }
	done
}

test_tables() {
	expect_tables a1 a2 b1 b2 || return 1
	busywait 5000 events_ge ".ev==\"ack\" and .type_url==\"$A\"" 2 ||
		{ echo "not both nodes ACKed the Address response"; return 1; }
	# istiod's two namespace ALLOWs on both nodes: into demo from client
	# and web only, so b1 (server) may not open a2.
	for node in 1 2; do
		expect_eq "node$node policies" \
			"$(mesh_kztctl "$node" -j policy list | jq -r '[.policies[].name] | join(" ")')" \
			"demo/allow-demo other/allow-client" || return 1
	done
	expect_eq "b1 -> a2 on node1" "$(mesh_kztctl 1 -j policy check \
		--src-id "$(mesh_id b1)" --src-ip "${MESH_IP[b1]}" --dst "${MESH_IP[a2]}" \
		--port "$PORT" | jq -r .verdict)" deny || return 1
	# Each node asked istiod's CA for its own pods' identities, only those
	# (a slow guest may have renewed some already).
	expect_eq "CSRs" "$(jq -r 'select(.ev=="csr") | .san[0]' "$CPLOG" | sort -u)" \
		"$(for p in a1 a2 b1 b2; do mesh_id "$p"; done | sort)"
}

# Flows across the nodes and on one node, each its own pair of pods.
test_flows() {
	server_start b1 && server_start a2 || return 1
	flow_start cross a1 b1 && flow_start local a1 a2 || return 1
	sleep 1
	expect_intact cross && expect_intact local
}

# A pod appears on node2: both nodes enter it, node2 gets its certificate,
# a flow to it works. Its interface and route exist first, as a CNI's do.
test_pod_added() {
	MESH_IP[b3]=10.1.2.4 MESH_NODE_OF[b3]=2 MESH_SA[b3]=demo/sa/server
	_mesh_pod_link b3 || return 1
	server_start b3 || return 1
	touch "$GATE/add"
	expect_tables a1 a2 b1 b2 b3 || return 1
	busywait 15000 events_ge '.ev=="csr" and .san[0]=="'"$(mesh_id b3)"'"' 1 ||
		{ echo "no CSR for b3"; return 1; }
	test_one_flow added a1 b3
}

test_one_flow() { # test_one_flow NAME FROM TO: a flow starts and ends intact
	flow_start "$1" "$2" "$3" 2> /dev/null && expect_intact "$1"
}

# A pod goes: both nodes drop it, and a live flow to it is ended.
test_pod_removed() {
	server_start b2 || return 1
	local pid
	flow_start gone a1 b2 || return 1
	eval "pid=\$FLOW_PID_gone"
	sleep 1
	kill -0 "$pid" 2>/dev/null || { echo "flow to b2 did not stream: $(cat "$MESH_DIR/gone")"; return 1; }
	touch "$GATE/remove"
	expect_tables a1 a2 b1 b3 || return 1
	busywait 10000 _flow_gone "$pid" ||
		{ echo "the flow to the removed pod still streams"; mesh_kztctl 2 conn; return 1; }
	flow_stop gone
}

# istiod away for 30 s: flows stream on, tables are kept; back, each node
# resumes with the versions it holds and gets only what changed (a2@2).
test_istiod_away() {
	flow_start long a1 b1 || return 1
	touch "$GATE/restart"
	busywait 10000 grep -q '"stopping"' "$CPLOG" || { echo "cp did not stop"; return 1; }
	sleep 5
	expect_tables a1 a2 b1 b3 || return 1
	busywait 60000 events_ge '.ev=="subscribe" and .type_url=="'"$A"'" and (.initial|length)==4' 2 ||
		{ echo "the nodes did not resume with their 4 versions"; return 1; }
	busywait 10000 events_ge '.ev=="push" and .type_url=="'"$A"'" and .names==["Kubernetes//Pod/demo/a2"] and .removed==[]' 2 ||
		{ echo "resync sent more than the change"; jq -c 'select(.ev=="push")' "$CPLOG" | tail -n 4; return 1; }
	expect_intact long
}

# node1's kztd killed under a live flow and started again: the flow goes
# on, the new kztd resyncs to the same table, new flows work.
test_kztd_restart() {
	flow_start survivor a1 b1 || return 1
	mesh_kztd_stop 1 KILL
	kztd_start 1
	busywait 30000 ready 1 || { echo "node1: kztd not ready again"; return 1; }
	expect_tables a1 a2 b1 b3 || return 1
	expect_intact survivor && test_one_flow after a1 b3
}

# An Authorization from istiod under live flows (DENY a2's identity in
# namespace demo): a2's flow is cut by the re-decision, a1's goes on.
test_policy_cut() {
	local t0 pid
	flow_start denied a2 b1 && flow_start allowed a1 b1 || return 1
	eval "pid=\$FLOW_PID_denied"
	t0=$(now)
	touch "$GATE/deny"
	busywait 20000 _flow_gone "$pid" ||
		{ echo "a2's flow still streams under the DENY"; mesh_kztctl 2 policy list; return 1; }
	# From the change released in cp.py: push, ACK, one transaction, cut.
	expect_revoked denied "$t0" 20 && expect_intact allowed
}

# Certificates of 2 minutes (cp.py --validity 120), renewed at half their
# life under a streaming flow: it goes on, and a tunnel made after the
# renewal presents the new certificate (tshark, with node2's key log).
test_renewal() {
	local id n0 pcap tcpdump serial seen
	id=$(mesh_id b1) pcap=$MESH_DIR/renewal.pcap
	issued_for() { events '.ev=="issued" and .san=="'"$id"'"'; }
	n0=$(issued_for)
	flow_start renewed a1 b1 || return 1
	busywait 60000 eval '[ "$(issued_for)" -gt "$n0" ]' ||
		{ echo "$id not renewed within 60 s"; return 1; }
	busywait 10000 eval '[ "$(grep -c "certificate for $id issued by istiod" "$MESH_DIR/kztd2.log")" -gt "$n0" ]' ||
		{ echo "node2 did not take the renewed certificate"; return 1; }
	serial=$(jq -r 'select(.ev=="issued" and .san=="'"$id"'").serial' "$CPLOG" | tail -n 1)
	in_pod node2 tcpdump -i und -U -s 0 -w "$pcap" tcp port 15008 2> /dev/null &
	tcpdump=$!
	busywait 5000 test -s "$pcap" || sleep 1
	test_one_flow fresh a1 b1
	local ret=$?
	sleep 0.5
	kill "$tcpdump"; wait "$tcpdump" 2>/dev/null
	[ "$ret" = 0 ] || return 1
	expect_intact renewed || return 1
	# The server's Certificate message (TLS 1.3: encrypted, hence the key log).
	seen=$(tshark -r "$pcap" -d tcp.port==15008,tls -o "tls.keylog_file:$MESH_DIR/keys2.log" \
		-Y 'tls.handshake.type == 11 && tcp.srcport == 15008' -T fields \
		-e x509af.serialNumber 2>/dev/null | cut -d, -f1 | tr -d ':' |
		sed 's/^0x//; s/^0*//' | sort -u)
	expect_eq "server certificate serial on the new tunnel" "$seen" "$serial"
}

# node1's kztd killed while istiod's CA holds its requests, then started
# again: the next kztd asks again and is certified, a live flow survives.
test_restart_mid_csr() {
	local node1_ids n0 issued0
	node1_ids='.san[0]=="'"$(mesh_id a1)"'" or .san[0]=="'"$(mesh_id a2)"'"'
	flow_start steady a1 b1 || return 1
	n0=$(events ".ev==\"csr_held\" and ($node1_ids)")
	touch "$GATE/hold-csr"
	mesh_kztd_stop 1 KILL
	kztd_start 1
	busywait 30000 events_ge ".ev==\"csr_held\" and ($node1_ids)" $((n0 + 1)) ||
		{ rm -f "$GATE/hold-csr"; echo "the new kztd did not ask istiod's CA"; return 1; }
	mesh_kztd_stop 1 KILL
	rm -f "$GATE/hold-csr"
	busywait 10000 events_ge '.ev=="csr_abandoned"' 1 ||
		{ echo "cp.py saw no request abandoned by the killed kztd"; return 1; }
	issued0=$(grep -c "issued by istiod" "$MESH_DIR/kztd1.log")
	kztd_start 1
	busywait 30000 ready 1 || { echo "node1: kztd not ready again"; return 1; }
	busywait 30000 eval '[ "$(grep -c "issued by istiod" "$MESH_DIR/kztd1.log")" -ge $((issued0 + 2)) ]' ||
		{ echo "node1's identities not certified again"; return 1; }
	expect_intact steady && test_one_flow after_ca a1 b3
}

run_test --debug "istio-mesh: two nodes configured by istiod, ready" test_setup || exit $RET
run_test --debug "istio-mesh: workload tables and policies from xDS, CSRs for local pods" \
	test_tables
run_test --debug "istio-mesh: flows across nodes and on one node" test_flows
run_test --debug "istio-mesh: pod added: entered, certified, reachable" test_pod_added
run_test --debug "istio-mesh: pod removed: dropped, its live flow ended" test_pod_removed
run_test --debug "istio-mesh: an Authorization cuts the live flow it denies, not others" \
	test_policy_cut
run_test "istio-mesh: certificates renewed under a live flow, new tunnels show them" \
	test_renewal
run_test "istio-mesh: istiod away 30 s: flows go on, resync sends only changes" test_istiod_away
run_test --debug "istio-mesh: node kztd killed and restarted: flow survives, table resynced" \
	test_kztd_restart
run_test "istio-mesh: node kztd killed mid CA request: the next one is certified" \
	test_restart_mid_csr
exit $RET
