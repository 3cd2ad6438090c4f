#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kztd against a control plane that plays istiod (tests/cp/cp.py, scenario
# tests/cp/scenarios/istio.json): the workload table it installs from
# Address resources, a partial NACK, istiod going away and coming back,
# certificates from istiod's CA and their renewal, a rotated token, and
# Authorization resources as kernel policies: a WORKLOAD_SELECTOR ALLOW on
# the local pod's address, a refused one NACKed (its stand-in enforced),
# a change of the policy, and the node closed until they come
# (Documentation/istio.rst, "kztd and istiod"). A Workload behind a
# waypoint (e) is entered refused: with nonMesh passthrough a flow from
# the pod to it is reset and counted, never passed in the clear.
#
#   ns node: kztd (NODE_NAME=node-1) and cp.py on 127.0.0.1:15012; a veth
#            to the pod, with a /32 route to 10.0.0.1 (the local pod a);
#            10.0.1.5 (e's address) on a dummy, with a listener on 8080:
#            what a flow let through in the clear would reach
#   ns pod:  eth0 10.0.0.1, a route to 10.0.1.5 through the node
#
# cp.py waits for $TMP/gate/<step> files between its steps, so each check
# says when the next change comes.
source "$(dirname "$0")/lib.sh"
source "$TOP/tests/cp/pki.sh"

PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/kzt-istio.XXXXXX)
GATE=$TMP/gate
CPLOG=$TMP/cp.jsonl
LOG=$TMP/kztd.log
CP_PID=
KZTD_PID=
E_PID=
NODE=
POD=
A=type.googleapis.com/istio.workload.Address
Z=type.googleapis.com/istio.security.Authorization
# What the scenario says kztd installs at first: a local (its veth), b a
# remote kzt/1 pod (dialed at its own address), c plaintext (remote too),
# d remote, e remote behind a waypoint: refused.
WANT_FIRST="10.0.0.1 spiffe://cluster.local/ns/default/sa/sa-a kzt dev vp
10.0.1.2 spiffe://cluster.local/ns/default/sa/sa-b kzt node 10.0.1.2
10.0.1.3 - plaintext node 10.0.1.3
10.0.1.4 spiffe://cluster.local/ns/default/sa/sa-d kzt node 10.0.1.4
10.0.1.5 spiffe://cluster.local/ns/default/sa/sa-e refused node 10.0.1.5"

cleanup() {
	[ -n "$KZTD_PID" ] && kill "$KZTD_PID" 2>/dev/null
	[ -n "$CP_PID" ] && kill "$CP_PID" 2>/dev/null
	[ -n "$E_PID" ] && kill "$E_PID" 2>/dev/null
	wait 2>/dev/null
	ns_cleanup
	kzt_unload 2>/dev/null
	if [ "$RET" -ne 0 ]; then
		echo "# kztd log:"; tail -n 40 "$LOG" 2>/dev/null | sed 's/^/#   /'
		echo "# cp log:"; cut -c1-200 "$CPLOG" 2>/dev/null | tail -n 40 | sed 's/^/#   /'
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd curl jq openssl protoc
"$PY" -c 'import grpc, google.protobuf, cryptography' 2>/dev/null ||
	skip_all "needs python3-grpcio python3-protobuf python3-cryptography (make deps)"

nx() { ip netns exec "$NODE" "$@"; }

# events JQ-FILTER: how many lines of cp.py's log match
events() { jq -c "select($1)" "$CPLOG" | wc -l; }

# The workload table as "ADDRESS IDENTITY PROTOCOL LOCATION" lines, sorted.
workloads() { nx kztctl workload list | tail -n +2 | awk '{$1=$1; print}' | sort; }

# events_ge JQ-FILTER N: at least N lines match (for busywait)
events_ge() { [ "$(events "$1")" -ge "$2" ]; }

ready_is() { [ "$(ready_code)" = "$1" ]; }

workloads_are() { [ "$(workloads)" = "$1" ]; }

# decide SA DST PORT -> "verdict reason policy" for a peer of SA in default
decide() {
	nx kztctl -j policy check --src-id "spiffe://cluster.local/ns/default/sa/$1" \
		--src-ip 10.0.1.2 --dst "$2" --port "$3" |
		jq -r '"\(.verdict) \(.reason) \(.policy // "-")"'
}

decision_is() { [ "$(decide "$1" "$2" "$3")" = "$4" ]; }

ready_code() { nx curl -s -o /dev/null -w '%{http_code}' 127.0.0.1:15021/healthz/ready; }

test_setup() {
	mkdir -p "$GATE"
	cp_pki "$TMP" > "$TMP/pki.log" 2>&1 || { cat "$TMP/pki.log"; return 1; }
	printf 'test-token-1\n' > "$TMP/token"
	kzt_load || return 1
	NODE=$(ns_create node) && POD=$(ns_create pod) || return 1
	ip -n "$NODE" link add vp type veth peer name eth0 netns "$POD" &&
	ip -n "$NODE" link set vp up &&
	ip -n "$POD" link set eth0 up &&
	ip -n "$POD" addr add 10.0.0.1/32 dev eth0 &&
	ip -n "$NODE" route add 10.0.0.1/32 dev vp || return 1
	cat > "$TMP/kztd.conf" <<-EOF
	xds_address = 127.0.0.1:15012
	xds_server_name = istiod.istio-system.svc
	xds_root_cert = $TMP/ca.pem
	xds_token = $TMP/token
	metrics_address = 127.0.0.1:15020
	readiness_address = 127.0.0.1:15021
	EOF
	# cp.py loads (slow under TCG) but serves only when told (test_ready).
	start_cp --validity 120 --serve-after "$GATE/serve"
	busywait 60000 grep -q '"loaded"' "$CPLOG" || { cat "$TMP/cp.out"; return 1; }
	# kztd first: istiod is not there yet.
	NODE_NAME=node-1 ip netns exec "$NODE" kztd -c "$TMP/kztd.conf" -v \
		> "$LOG" 2>&1 &
	KZTD_PID=$!
	busywait 10000 grep -q "Unable to reach istiod\|connection to istiod failed" "$LOG" ||
		{ echo "kztd did not try istiod:"; cat "$LOG"; return 1; }
}

start_cp() { # start_cp [cp.py option...]
	KZT_CP_GATE=$GATE ip netns exec "$NODE" "$PY" "$TOP/tests/cp/cp.py" \
		--port 15012 --cert "$TMP/istiod.pem" --key "$TMP/istiod.key" \
		--ca-cert "$TMP/ca.pem" --ca-key "$TMP/ca.key" \
		--token test-token-1,test-token-2 --cluster-id Kubernetes \
		--scenario "$TOP/tests/cp/scenarios/istio.json" --log "$CPLOG" \
		"$@" >> "$TMP/cp.out" 2>&1 &
	CP_PID=$!
}

test_ready() {
	local code
	busywait 10000 ready_is 503 ||
		{ echo "readiness before istiod: $(ready_code), want 503"; return 1; }
	nx curl -s 127.0.0.1:15021/healthz/ready | grep -q "no state from istiod" ||
		{ echo "503 does not say why"; return 1; }
	expect_eq "workloads before istiod" "$(workloads)" "" || return 1
	nx kztctl policy list | grep -q "kzt/authorization-pending" ||
		{ echo "no kzt/authorization-pending before istiod:"; nx kztctl policy list; return 1; }
	# Certificates of 120 s: renewed at half their life (test_renew).
	touch "$GATE/serve"
	busywait 30000 ready_is 200 ||
		{ echo "readiness after istiod's state: $(ready_code), want 200"; return 1; }
}

test_first_state() {
	expect_eq "workload list" "$(workloads)" "$WANT_FIRST" || return 1
	busywait 5000 events_ge ".ev==\"ack\" and .type_url==\"$A\"" 1 ||
		{ echo "no ACK of the Address response in the cp log"; return 1; }
	expect_eq "calls with token 1" "$(events '.ev=="call" and .method=="DeltaAggregatedResources" and .token==0')" 1
}

# conn PORT: connect from the pod to e's address; what the far end said,
# or the error. Gives up after 5 s (a hang is a failure, never a pass).
conn_e() {
	ip netns exec "$POD" timeout 5 socat -T 4 -u \
		"TCP:10.0.1.5:$1,connect-timeout=4" - 2>&1
}

node_stat() { nx kztctl -j stats | jq -r ".$1"; }

# metric NAME < PROMETHEUS-TEXT: its value
metric() { awk -v m="$1" '$1 == m {print $2}'; }

# e is behind a waypoint: kzt cannot take its flows there, so they are
# refused, whatever nonMesh says. A listener at its address on this node
# makes a flow let through in the clear (the bug) succeed visibly.
test_refused() {
	local mac n0 out prom

	nx ip link add refd type dummy && nx ip link set refd up &&
	nx ip addr add 10.0.1.5/32 dev refd &&
	mac=$(nx ip -br link show vp | awk '{print $3}') &&
	ip -n "$POD" route add 169.254.1.1 dev eth0 scope link &&
	ip -n "$POD" route add 10.0.1.5/32 via 169.254.1.1 dev eth0 &&
	ip -n "$POD" neigh add 169.254.1.1 lladdr "$mac" dev eth0 nud permanent || return 1
	ip netns exec "$NODE" socat TCP-LISTEN:8080,bind=10.0.1.5,fork,reuseaddr SYSTEM:"echo hello-e" \
		</dev/null >/dev/null 2>&1 &
	E_PID=$!
	busywait 5000 bash -c "ip netns exec $NODE ss -tlnH | grep -q 10.0.1.5:8080" ||
		{ echo "no listener at 10.0.1.5:8080"; return 1; }
	nx kztctl config set capture on nonmesh passthrough || return 1
	n0=$(node_stat refused_workload) || return 1
	out=$(conn_e 8080)
	nx kztctl config set capture off nonmesh deny
	expect_match "pod -> e (waypoint), nonMesh passthrough" "$out" "Connection refused" &&
	expect_eq "refused_workload" "$(node_stat refused_workload)" $((n0 + 1)) || return 1
	prom=$(nx curl -s 127.0.0.1:15020/stats/prometheus) || return 1
	expect_eq "kzt_refused_workload_total" "$(metric kzt_refused_workload_total <<<"$prom")" $((n0 + 1)) &&
	expect_eq "kzt_xds_workloads_refused" "$(metric kzt_xds_workloads_refused <<<"$prom")" 1
}

test_authorization() {
	local json
	busywait 5000 events_ge ".ev==\"nack\" and .type_url==\"$Z\"" 1 ||
		{ echo "the refused Authorization was not NACKed"; return 1; }
	expect_match "error_detail" \
		"$(jq -r "select(.ev==\"nack\" and .type_url==\"$Z\").message" "$CPLOG" | head -n 1)" \
		"other/bad: rule 0 clause 0 match 0 principals: .*a\\*b" || return 1
	expect_eq "policies" "$(nx kztctl -j policy list | jq -r '[.policies[].name] | join(" ")')" \
		"default/allow-a other/bad" || return 1
	json=$(nx kztctl -j policy show default/allow-a) || return 1
	expect_eq "selector scope" "$(jq -r '"\(.scope) \(.addresses | join(","))"' <<<"$json")" \
		"addresses 10.0.0.1" &&
	expect_eq "the refused one's stand-in" \
		"$(nx kztctl -j policy show other/bad | jq -c '[.action, .scope, .namespace, (.rules | length)]')" \
		'["allow","namespace","other",0]' &&
	expect_eq "allowed source" "$(decide sa-b 10.0.0.1 80)" "allow allow-policy default/allow-a" &&
	expect_eq "other source" "$(decide sa-d 10.0.0.1 80)" "deny no-allow-match -"
}

# The ALLOW now names sa-d: the decisions swap, in the same kernel
# transaction kind as any response (Documentation/istio.rst).
test_policy_change() {
	touch "$GATE/update"
	busywait 20000 decision_is sa-d 10.0.0.1 80 "allow allow-policy default/allow-a" ||
		{ echo "policy change not applied: $(decide sa-d 10.0.0.1 80)"; return 1; }
	expect_eq "the source allowed before" "$(decide sa-b 10.0.0.1 80)" "deny no-allow-match -" &&
	expect_eq "the remote pod is not in the local selector" \
		"$(nx kztctl -j policy show default/allow-a | jq -r '.addresses | join(",")')" "10.0.0.1"
}

test_partial_nack() {
	local want
	touch "$GATE/update"
	busywait 10000 events_ge ".ev==\"nack\" and .type_url==\"$A\"" 1 ||
		{ echo "the response with a bad Workload was not NACKed"; return 1; }
	expect_match "error_detail" \
		"$(jq -r "select(.ev==\"nack\" and .type_url==\"$A\").message" "$CPLOG")" \
		"Kubernetes//Pod/bad/ns/x.*namespace" || return 1
	want="10.0.0.1 spiffe://cluster.local/ns/default/sa/sa-a kzt dev vp
10.0.1.2 spiffe://cluster.local/ns/default/sa/sa-b2 kzt node 10.0.1.2
10.0.1.4 spiffe://cluster.local/ns/default/sa/sa-d kzt node 10.0.1.4
10.0.1.5 spiffe://cluster.local/ns/default/sa/sa-e refused node 10.0.1.5"
	busywait 5000 workloads_are "$want"
	expect_eq "workload list after update, removal, refusal" "$(workloads)" "$want"
}

test_certificate() {
	busywait 20000 grep -q "certificate for spiffe://cluster.local/ns/default/sa/sa-a issued by istiod" "$LOG" ||
		{ echo "no certificate issued for sa-a"; return 1; }
	expect_eq "CSRs for other identities" \
		"$(events '.ev=="csr" and .san!=["spiffe://cluster.local/ns/default/sa/sa-a"]')" 0 || return 1
	if grep -q "could not be rebuilt\|refusing\|certificate.*refused" "$LOG"; then
		echo "kztd refused the issued certificate:"
		grep "could not be rebuilt\|refusing\|certificate.*refused" "$LOG"
		return 1
	fi
}

test_istiod_down() {
	local before n n0
	touch "$GATE/update"	# when test_partial_nack did not run (debug layer)
	busywait 10000 events_ge ".ev==\"nack\" and .type_url==\"$A\"" 1 || return 1
	before=$(workloads)
	n0=$(grep -c "connection to istiod failed" "$LOG")
	# A new token for the next stream.
	printf 'test-token-2\n' > "$TMP/token.new" && mv "$TMP/token.new" "$TMP/token"
	touch "$GATE/restart"
	busywait 10000 events_ge '.ev=="stopping"' 1 || { echo "cp did not stop"; return 1; }
	sleep 3
	expect_eq "workloads while istiod is away" "$(workloads)" "$before" || return 1
	expect_eq "streams while istiod is away (down 12 s)" \
		"$(events '.ev=="subscribe" and .stream==2')" 0 || return 1
	n=$(($(grep -c "connection to istiod failed" "$LOG") - n0))
	# The lost connection, then tries at about 1 and 3 s (the debug
	# kernel's slowness may add one); a loop without back-off makes dozens.
	[ "$n" -ge 1 ] && [ "$n" -le 5 ] || { echo "$n attempts in 3 s: want 1..5 (back-off from 1 s)"; return 1; }
	busywait 40000 events_ge '.ev=="subscribe" and .stream==2' 2 ||
		{ echo "kztd did not come back"; return 1; }
	expect_eq "initial versions of the 2nd Address subscribe" \
		"$(jq -cS "select(.ev==\"subscribe\" and .stream==2 and .type_url==\"$A\").initial" "$CPLOG")" \
		'{"Kubernetes//Pod/default/a":"1","Kubernetes//Pod/default/b":"2","Kubernetes//Pod/default/d":"1","Kubernetes//Pod/default/e":"1"}' || return 1
	expect_eq "pushed on the 2nd stream" \
		"$(jq -c "select(.ev==\"push\" and .stream==2 and .type_url==\"$A\") | [.names, .removed]" "$CPLOG")" \
		'[["Kubernetes//Pod/bad/ns/x","Kubernetes//Pod/default/d"],[]]' || return 1
	busywait 10000 bash -c "ip netns exec $NODE kztctl workload list | grep -q sa-d2" ||
		{ echo "change not applied:"; workloads; return 1; }
}

test_token() {
	expect_eq "token of the 2nd stream" \
		"$(jq -c 'select(.ev=="call" and .method=="DeltaAggregatedResources").token' "$CPLOG" | tr '\n' ' ')" \
		"0 1 "
}

test_renew() {
	local t1 t2 gap
	busywait 60000 events_ge '.ev=="csr"' 2 ||
		{ echo "no renewal"; return 1; }
	busywait 5000 eval '[ "$(grep -c "sa-a issued by istiod" "$LOG")" -ge 2 ]' ||
		{ echo "renewal not taken"; return 1; }
	t1=$(jq -r 'select(.ev=="csr").t' "$CPLOG" | sed -n 1p)
	t2=$(jq -r 'select(.ev=="csr").t' "$CPLOG" | sed -n 2p)
	gap=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%d", b - a }')
	# cp.py backdates notBefore 60 s: 180 s of life, half is 30 s after
	# issue, plus up to 5% (9 s) jitter; istiod's absence delays none.
	[ "${gap:-0}" -ge 25 ] && [ "$gap" -le 45 ] ||
		{ echo "renewed $gap s after issue, want 30..39"; return 1; }
	if grep -q "expired\|could not be rebuilt\|refusing\|CreateCertificate failed" "$LOG"; then
		grep "expired\|could not be rebuilt\|refusing\|CreateCertificate failed" "$LOG"
		return 1
	fi
}

run_test --debug "istio: setup, kztd up before istiod" test_setup || exit $RET
run_test --debug "istio: readiness 503 before istiod's state, 200 after" test_ready || exit $RET
run_test "istio: workload table as the scenario says, ACKed" test_first_state
run_test "istio: a Workload behind a waypoint: refused and counted, never in the clear" test_refused
run_test "istio: Authorization: selector ALLOW by address, refused one NACKed" test_authorization
run_test "istio: update+removal+bad Workload: NACK names it, rest applied" test_partial_nack
run_test "istio: an Authorization change swaps the decisions" test_policy_change
run_test "istio: certificate issued by istiod for the local pod" test_certificate
run_test "istio: certificate renewed at half its life" test_renew
run_test "istio: istiod away: entries kept, backoff, resume with versions" test_istiod_down
run_test "istio: the rotated token file is used by the next stream" test_token
exit $RET
