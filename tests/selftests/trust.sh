#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Trust changes and live flows (Documentation/datapath.rst, "Changes and
# live flows"; Documentation/kztd.rst, "Trust changes and live flows"): a
# flow ends, reset on both sides and listed closing:trust, when one of its
# identities is no longer trusted: the node's trust domain changed,
# kztctl revoke named its peer, or kztd's new trust bundle no longer
# verifies the peer. Flows of peers still trusted stream on, every byte
# intact; a change that changes nothing ends nothing.
#
# Topology: mesh-lib.sh (2 nodes x 2 pods, one kztd per node, one dev CA
# "ca1" for every SVID); flows and their checks: flows-lib.sh. The bundle
# cases add a second CA "ca2" and rotate node1's bundle to it:
#
#   a1, a2 (node1) --- tunnel ---> b1, b2 (node2)   kzt-stream servers on b1, b2
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mesh-lib.sh"
source "$(dirname "$0")/flows-lib.sh"

PORT=7200
CA2=

cleanup() {
	local n
	flows_cleanup
	# A failed run keeps what the daemons said, for the log.
	for n in 1 2; do
		[ "$RET" = 0 ] || [ ! -s "$MESH_DIR/kztd$n.log" ] ||
			tail -n 40 "$MESH_DIR/kztd$n.log" | sed "s/^/# kztd$n: /"
	done
	mesh_down
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd kzt-nlraw python3 jq

# A bundle change goes through kztd: the watch waits 200 ms for the
# directory to settle, then kztd loads it, verifies the known peers again
# and sends the revoke.
RELOAD_WITHIN=$(python3 -c "print($REVOKE_WITHIN + 2)")

test_setup() {
	mesh_up || { echo "mesh_up failed"; return 1; }
	server_start b1 && server_start b2 || { echo "a stream server did not listen"; return 1; }
}

# ---- netlink input ----

# expect_reject NAME ERRNO EXTACK_START -- KZT_NLRAW_ARGS...: the extack
# message starts with EXTACK_START (a regex).
expect_reject() {
	local name=$1 errno=$2 msg=$3 out
	shift 4
	out=$(ip netns exec "$(mesh_ns node1)" kzt-nlraw "$@")
	expect_match "$name: reply" "$out" "^errno=$errno \\(" || return 1
	[ -z "$msg" ] || expect_match "$name: extack" "$out" "extack=\"$msg"
}

# Bad input is refused with a message and ends nothing, not even the flows
# of a valid ID sent along with a bad one.
test_netlink_input() {
	local rc=0 many=() i
	flow_start held a1 b1 || return 1
	expect_reject "no attribute" EINVAL "no peer identity given" -- revoke &&
	expect_reject "not a SPIFFE ID" EINVAL "SPIFFE ID must start with" \
		-- revoke "1:str=cluster.local/ns/demo/sa/server" &&
	expect_reject "a trust domain only" EINVAL "SPIFFE ID names a trust domain, not a workload" \
		-- revoke "1:str=spiffe://cluster.local" &&
	expect_reject "a valid ID, then a bad one" EINVAL "path segment must not be" \
		-- revoke "1:str=$(mesh_id b1)" "1:str=spiffe://cluster.local/ns/../sa/x" &&
	expect_reject "no NUL" EINVAL "" -- revoke "1:nstr=$(mesh_id b1)" &&
	expect_reject "the reply's attribute" EINVAL "Unsupported attribute" \
		-- revoke "1:str=$(mesh_id b1)" 2:u32=1 &&
	expect_reject "unknown attribute" EINVAL "Unknown attribute type" \
		-- revoke "1:str=$(mesh_id b1)" 3:u32=1 || rc=1
	for i in $(seq 0 1024); do
		many+=("1:str=spiffe://cluster.local/ns/n/sa/s$i")
	done
	[ $rc -ne 0 ] ||
	expect_reject "1025 IDs" E2BIG "more than 1024 peer identities" -- revoke "${many[@]}" ||
		rc=1
	[ $rc -ne 0 ] || expect_eq "node1 flows_revoked" "$(mesh_stat 1 flows_revoked)" 0 || rc=1
	[ $rc -ne 0 ] || expect_intact held || rc=1
	flow_stop held
	return $rc
}

# ---- kztctl revoke ----

_lists_ends() { # _lists_ends NODE WHY PORT...: one dump shows them all
	local node=$1 why=$2 ports
	shift 2
	ports=$(printf '%s,' "$@")
	mesh_kztctl "$node" -j conn |
		jq -e --arg why "$why" --argjson ports "[${ports%,}]" \
		'[.connections[] | select(.end == $why and .state == "closing") |
		  .source.port] as $seen | all($ports[]; . as $p | $seen | index($p))' \
		> /dev/null
}

# expect_reasons NODE WHY FLOW...: the node lists every FLOW closing:WHY,
# seen in one dump (a revoked flow is listed for 10 s; on a loaded guest
# one dump per flow may take longer than that).
expect_reasons() {
	local node=$1 why=$2 f ports=()
	shift 2
	for f in "$@"; do
		ports+=("$(cat "$MESH_DIR/$f.port")")
	done
	busywait 5000 _lists_ends "$node" "$why" "${ports[@]}" || {
		echo "node$node does not show flows $* (source ports ${ports[*]}) closing:$why"
		mesh_kztctl "$node" conn
		return 1
	}
}

# Revoking b1 on node1 ends exactly b1's flows (two), in flight; a flow of
# b2 streams on. Nothing is remembered: b1 may connect again at once.
test_revoke() {
	local t0 before untrusted out rc
	flow_start v1 a1 b1 && flow_start v2 a2 b1 && flow_start bystander a1 b2 ||
		return 1
	before=$(mesh_stat 1 flows_revoked)
	untrusted=$(mesh_stat 1 flows_untrusted)
	out=$(mesh_kztctl 1 -j revoke "$(mesh_id b1)") || { echo "revoke failed"; return 1; }
	t0=$(now)
	expect_eq "flows told to end" "$(json_get flows <<<"$out")" 2 &&
	expect_reasons 1 trust v1 v2 &&
	expect_revoked v1 "$t0" && expect_revoked v2 "$t0" &&
	expect_eq "node1 flows_revoked" "$(mesh_stat 1 flows_revoked)" $((before + 2)) &&
	expect_eq "node1 flows_untrusted" "$(mesh_stat 1 flows_untrusted)" $((untrusted + 2)) &&
	expect_intact bystander &&
	flow_start again a1 b1 && expect_intact again
	rc=$?
	flow_stop v1
	flow_stop v2
	flow_stop bystander
	flow_stop again
	return $rc
}

# A revoke on the server's node names the client: inbound flows end too.
test_revoke_inbound() {
	local t0 rc
	flow_start victim a1 b1 && flow_start bystander a2 b1 || return 1
	mesh_kztctl 2 revoke "$(mesh_id a1)" > /dev/null || { echo "revoke failed"; return 1; }
	t0=$(now)
	expect_reason 2 trust victim && expect_revoked victim "$t0" &&
	expect_intact bystander
	rc=$?
	flow_stop victim
	flow_stop bystander
	return $rc
}

# ---- the trust domain ----

# reloads NODE: how often the node's kztd verified its peers again.
reloads() {
	grep -c "verified again after the reload" "$MESH_DIR/kztd$1.log"
}

# loaded_ok NODE N: kztd's last load of NODE's directory took N identities,
# none refused.
loaded_ok() {
	grep "reloaded $MESH_DIR/certs$1: " "$MESH_DIR/kztd$1.log" | tail -n 1 |
		grep -q ": $2 identities\$"
}

# wait_reload NODE COUNT: until kztd of NODE reloaded more than COUNT times.
wait_reload() {
	busywait 10000 sh -c "[ \$(grep -c 'verified again after the reload' \
		'$MESH_DIR/kztd$1.log') -gt $2 ]" || {
		echo "kztd on node$1 did not reload"; tail -n 20 "$MESH_DIR/kztd$1.log"; return 1; }
}

test_trust_domain_same() {
	local before rc
	flow_start flow a1 b1 || return 1
	before=$(mesh_stat 1 flows_revoked)
	mesh_kztctl 1 config set trust-domain "$MESH_TD" || return 1
	sleep 1
	expect_eq "node1 flows_revoked" "$(mesh_stat 1 flows_revoked)" "$before" &&
	expect_intact flow
	rc=$?
	flow_stop flow
	return $rc
}

# Every tunnelled flow of node1 ends: its identities are of cluster.local.
test_trust_domain_change() {
	local t0 before n rc
	flow_start v1 a1 b1 && flow_start v2 a2 b2 || return 1
	before=$(mesh_stat 1 flows_revoked)
	n=$(reloads 1)
	mesh_kztctl 1 config set trust-domain other.td || return 1
	t0=$(now)
	expect_reasons 1 trust v1 v2 &&
	expect_revoked v1 "$t0" && expect_revoked v2 "$t0" &&
	expect_eq "node1 flows_revoked" "$(mesh_stat 1 flows_revoked)" $((before + 2))
	rc=$?
	flow_stop v1
	flow_stop v2
	# kztd follows the trust domain: back to the mesh's, and reloaded.
	wait_reload 1 "$n" || rc=1
	n=$(reloads 1)
	mesh_kztctl 1 config set trust-domain "$MESH_TD" || rc=1
	wait_reload 1 "$n" || rc=1
	return $rc
}

# ---- kztd's trust bundle ----

# bundle_set NODE CA_DIR...: the node's bundle becomes these CAs, in one
# rename (what kztd's directory watch sees, as an operator's cp would do).
bundle_set() {
	local node=$1 dir=$MESH_DIR/certs$1 ca
	shift
	for ca in "$@"; do
		cat "$ca/ca.crt"
	done > "$dir/.bundle.new" && mv "$dir/.bundle.new" "$dir/bundle.pem"
}

# reissue NODE POD CA_DIR: a new SVID of POD from another CA.
reissue() {
	kztctl ca issue --ca "$3" "$(mesh_id "$2")" --out "$MESH_DIR/certs$1" \
		--force > /dev/null
}

# Step 2 of Documentation/certificates.rst's CA rotation: each bundle gains
# ca2, loaded by the directory watch and again on SIGHUP; the flows of
# peers signed by ca1 stream on.
test_bundle_gains_ca() {
	local before n1 n2 rc
	CA2=$MESH_DIR/ca2
	kztctl ca init --dir "$CA2" --trust-domain "$MESH_TD" > /dev/null || return 1
	flow_start v1 a1 b1 && flow_start v2 a2 b2 || return 1
	before=$(mesh_stat 1 flows_revoked)
	n1=$(reloads 1) n2=$(reloads 2)
	bundle_set 1 "$MESH_CA" "$CA2" && bundle_set 2 "$MESH_CA" "$CA2" &&
	wait_reload 1 "$n1" && wait_reload 2 "$n2" || return 1
	n1=$(reloads 1)
	kill -HUP "${MESH_KZTD_PID[1]}"
	wait_reload 1 "$n1" &&
	expect_eq "node1 flows_revoked" "$(mesh_stat 1 flows_revoked)" "$before" &&
	expect_intact v1 && expect_intact v2
	rc=$?
	flow_stop v1
	flow_stop v2
	return $rc
}

# Steps 3 and 4 on node1's side: b2 and node1's pods get ca2 SVIDs, then
# node1's bundle becomes ca2 alone. b1, still of ca1, is no longer trusted
# there: node1's kztd revokes it and its flow ends; b2's streams on.
test_bundle_rotation() {
	local t0 before n refused rc
	[ -n "$CA2" ] || { echo "needs test_bundle_gains_ca first"; return 1; }
	# ca issue renames the .crt, then the .key: a reload may come in
	# between (a pair refused), and another one after.
	n=$(reloads 2)
	reissue 2 b2 "$CA2" && wait_reload 2 "$n" &&
	busywait 10000 loaded_ok 2 2 || { echo "node2 did not load b2's new pair"; return 1; }
	n=$(reloads 1)
	reissue 1 a1 "$CA2" && reissue 1 a2 "$CA2" && wait_reload 1 "$n" &&
	busywait 10000 loaded_ok 1 2 || { echo "node1 did not load its new pairs"; return 1; }
	flow_start victim a1 b1 && flow_start bystander a2 b2 || {
		tail -n 15 "$MESH_DIR/kztd1.log"; return 1; }
	before=$(mesh_stat 1 flows_untrusted)
	refused=$(grep -c "peer $(mesh_id b1) is no longer trusted" "$MESH_DIR/kztd1.log")
	n=$(reloads 1)
	t0=$(now)
	bundle_set 1 "$CA2" || return 1
	expect_reason 1 trust victim &&
	expect_revoked victim "$t0" "$RELOAD_WITHIN" &&
	expect_eq "node1 flows_untrusted" "$(mesh_stat 1 flows_untrusted)" $((before + 1)) &&
	expect_eq "node1's kztd: b1 no longer trusted" \
		"$(grep -c "peer $(mesh_id b1) is no longer trusted" "$MESH_DIR/kztd1.log")" \
		$((refused + 1)) &&
	expect_intact bystander
	rc=$?
	flow_stop victim
	flow_stop bystander
	# ca1 back in node1's bundle for whatever runs next.
	bundle_set 1 "$MESH_CA" "$CA2" && wait_reload 1 "$n" || rc=1
	return $rc
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
run_test --debug "trust: set up the mesh and the stream servers" test_setup || exit $RET
run_test --debug "trust: bad revoke requests refused, nothing ended" test_netlink_input
run_test --debug "trust: kztctl revoke ends exactly the flows of that peer" test_revoke
run_test "trust: kztctl revoke of a client ends its inbound flows" test_revoke_inbound
run_test "trust: the same trust domain set again ends nothing" test_trust_domain_same
run_test "trust: a new trust domain ends every tunnelled flow" test_trust_domain_change
run_test "trust: kztd's bundle gains a CA: nothing ends" test_bundle_gains_ca
run_test "trust: kztd's bundle rotated: the peer it no longer signs is revoked" \
	test_bundle_rotation
exit $RET
