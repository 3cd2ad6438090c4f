#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Authorization policies: kztctl round-trips and the decisions the kernel
# makes for them (kztctl policy check asks the module, as the data path
# will), per Documentation/policy.rst.
#
#   ns node-a: local workloads web (default/web, 10.0.1.2 on v-web)
#              and db (prod/db, 10.0.1.3 on v-db)
#   ns node-b: no policies, to prove isolation
source "$(dirname "$0")/lib.sh"

cleanup() {
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip jq kztctl

TD=cluster.local
ID_WEB=spiffe://$TD/ns/default/sa/web
ID_DB=spiffe://$TD/ns/prod/sa/db

A= B=

ctl() { # ctl NETNS ARGS...
	local ns=$1
	shift
	ip netns exec "$ns" kztctl "$@"
}

# decide NETNS SRC_ID|- SRC_IP DST PORT -> "verdict reason policy"
decide() {
	local ns=$1 id=$2 ip=$3 dst=$4 port=$5 args=()
	[ "$id" = - ] || args=(--src-id "$id")
	ctl "$ns" -j policy check "${args[@]}" --src-ip "$ip" --dst "$dst" --port "$port" |
		jq -r '"\(.verdict) \(.reason) \(.policy // "-")"'
}

# expect_decision SRC_ID|- SRC_IP DST PORT WANT...
expect_decision() {
	local got
	got=$(decide "$A" "$1" "$2" "$3" "$4") || return 1
	expect_eq "$1 $2 -> $3:$4" "$got" "$5"
}

test_no_policy() {
	local json
	json=$(ctl "$A" -j policy check --src-id spiffe://$TD/ns/x/sa/y \
		--src-ip 10.5.0.1 --dst 10.0.1.3 --port 5432) || return 1
	expect_eq "destination" "$(jq -r .destination <<<"$json")" $ID_DB &&
	expect_decision spiffe://$TD/ns/x/sa/y 10.5.0.1 10.0.1.3 5432 "allow no-policy -"
}

test_add_and_show() {
	ctl "$A" policy add prod/deny-legacy action deny scope namespace prod \
		rule principal "$TD/ns/legacy/*" || return 1
	ctl "$A" policy add prod/allow-db action allow scope workloads $ID_DB \
		rule namespace default port 5432 \
		rule principal "*/sa/monitor" port 9100 || return 1
	ctl "$A" policy add default/deny-plain-web action deny scope workloads $ID_WEB \
		rule not-principal "*" || return 1
	ctl "$A" policy add global/deny-blocked-net action deny scope global \
		rule ip-block 192.0.2.0/24 not-port 80 || return 1

	local json
	json=$(ctl "$A" -j policy show prod/allow-db) || return 1
	expect_eq "action" "$(jq -r .action <<<"$json")" allow &&
	expect_eq "scope" "$(jq -r .scope <<<"$json")" workloads &&
	expect_eq "workloads" "$(jq -r '.workloads | join(",")' <<<"$json")" $ID_DB &&
	expect_eq "rules" "$(jq -c '[.rules[] | [.namespaces, .principals, .ports]]' <<<"$json")" \
		'[[["default"],[],[5432]],[[],["*/sa/monitor"],[9100]]]' || return 1
	json=$(ctl "$A" -j policy show global/deny-blocked-net) || return 1
	expect_eq "ip block" "$(jq -c '.rules[0].ip_blocks' <<<"$json")" '["192.0.2.0/24"]' &&
	expect_eq "not port" "$(jq -c '.rules[0].not_ports' <<<"$json")" '[80]' &&
	expect_eq "list" "$(ctl "$A" -j policy list | jq -r '[.policies[].name] | join(" ")')" \
		"default/deny-plain-web global/deny-blocked-net prod/allow-db prod/deny-legacy"
}

test_decisions() {
	expect_decision spiffe://$TD/ns/legacy/sa/app 10.5.0.1 10.0.1.3 5432 \
		"deny deny-policy prod/deny-legacy" &&
	expect_decision spiffe://$TD/ns/default/sa/client 10.5.0.1 10.0.1.3 5432 \
		"allow allow-policy prod/allow-db" &&
	expect_decision spiffe://$TD/ns/default/sa/client 10.5.0.1 10.0.1.3 22 \
		"deny no-allow-match -" &&
	expect_decision spiffe://$TD/ns/ops/sa/monitor 10.5.0.1 10.0.1.3 9100 \
		"allow allow-policy prod/allow-db" &&
	expect_decision spiffe://$TD/ns/ops/sa/monitor 10.5.0.1 10.0.1.3 5432 \
		"deny no-allow-match -"
}

# A plaintext peer has no principal: "not-principal *" matches it only.
test_plaintext_peer() {
	expect_decision - 10.5.0.9 10.0.1.2 80 "deny deny-policy default/deny-plain-web" &&
	expect_decision spiffe://$TD/ns/default/sa/client 10.5.0.9 10.0.1.2 80 \
		"allow no-policy -"
}

test_ip_blocks() {
	expect_decision spiffe://$TD/ns/default/sa/client 192.0.2.7 10.0.1.2 8080 \
		"deny deny-policy global/deny-blocked-net" &&
	expect_decision spiffe://$TD/ns/default/sa/client 192.0.2.7 10.0.1.2 80 \
		"allow no-policy -" &&
	expect_decision spiffe://$TD/ns/default/sa/client 192.0.3.7 10.0.1.2 8080 \
		"allow no-policy -" &&
	expect_decision spiffe://$TD/ns/default/sa/client ::ffff:192.0.2.8 10.0.1.2 8080 \
		"deny deny-policy global/deny-blocked-net" &&
	expect_decision spiffe://$TD/ns/default/sa/client fd00::7 10.0.1.2 8080 \
		"allow no-policy -"
}

test_unknown_destination() {
	local out
	out=$(ctl "$A" policy check --src-ip 10.5.0.1 --dst 10.0.7.7 --port 80 2>&1)
	[ $? -eq 1 ] || { echo "check of an unknown destination succeeded: $out"; return 1; }
	expect_match "message" "$out" "10.0.7.7|workload|destination"
}

test_exists_replace_del() {
	local out
	out=$(ctl "$A" policy add prod/deny-legacy action allow scope global 2>&1)
	[ $? -eq 1 ] || { echo "add over an existing name succeeded"; return 1; }
	expect_eq "kept" "$(ctl "$A" -j policy show prod/deny-legacy | jq -r .action)" deny || return 1
	ctl "$A" policy add prod/deny-legacy action deny scope namespace prod \
		rule principal "$TD/ns/legacy/app" replace || return 1
	expect_decision spiffe://$TD/ns/legacy/sa/other 10.5.0.1 10.0.1.3 5432 \
		"deny no-allow-match -" || return 1
	ctl "$A" policy del prod/allow-db || return 1
	expect_decision spiffe://$TD/ns/legacy/sa/other 10.5.0.1 10.0.1.3 5432 \
		"allow no-policy -" || return 1
	out=$(ctl "$A" policy del prod/allow-db 2>&1)
	[ $? -eq 1 ] || { echo "second del succeeded"; return 1; }
	expect_match "message" "$out" "[Nn]o such|not found|ENOENT"
}

# A policy travels whole in one netlink message: one far larger than a page
# lists in full, one over KZT_POLICY_SIZE_MAX is refused with the reason.
test_big_policy() {
	local ids=() i pad out
	pad=$(printf 'x%.0s' $(seq 1 960))
	for i in $(seq 1 31); do
		ids+=("spiffe://$TD/ns/big/sa/$i-$pad")
	done
	ctl "$A" policy add big/allow action allow scope workloads \
		"$(IFS=,; echo "${ids[*]}")" || return 1
	expect_eq "listed whole" "$(ctl "$A" -j policy list |
		jq '.policies[] | select(.name == "big/allow") | .workloads | length')" 31 || return 1
	ids+=("spiffe://$TD/ns/big/sa/32-$pad" "spiffe://$TD/ns/big/sa/33-$pad")
	out=$(ctl "$A" policy add big/too-large action allow scope workloads \
		"$(IFS=,; echo "${ids[*]}")" 2>&1)
	[ $? -eq 1 ] || { echo "an oversized policy was accepted"; return 1; }
	expect_match "message" "$out" "too large" &&
	ctl "$A" policy del big/allow
}

# A dry-run policy is shown as one and decides nothing; a check reports
# its dry-run decision and counts nothing; replaced without dry-run, it is
# enforced. (The data path's counting: changes.sh.)
test_dry_run() {
	local json
	ctl "$A" policy add prod/dry-deny action deny scope workloads $ID_DB \
		rule principal "$TD/ns/dry/*" dry-run || return 1
	json=$(ctl "$A" -j policy show prod/dry-deny) || return 1
	expect_eq "shown" "$(jq -c '[.dry_run, .would_allow, .would_deny]' <<<"$json")" \
		"[true,0,0]" || return 1
	json=$(ctl "$A" -j policy check --src-id spiffe://$TD/ns/dry/sa/x \
		--src-ip 10.5.0.1 --dst 10.0.1.3 --port 22) || return 1
	expect_eq "check" "$(jq -r '"\(.verdict) \(.reason) \(.dry_run.verdict) \(.dry_run.policy)"' <<<"$json")" \
		"allow no-policy deny prod/dry-deny" &&
	expect_match "text" "$(ctl "$A" policy check --src-id spiffe://$TD/ns/dry/sa/x \
		--src-ip 10.5.0.1 --dst 10.0.1.3 --port 22)" \
		"^ALLOW \(no-policy\); dry-run: DENY \(deny-policy: prod/dry-deny\)$" &&
	expect_eq "no dry run elsewhere" "$(ctl "$A" -j policy check --src-id spiffe://$TD/ns/dry/sa/x \
		--src-ip 10.5.0.1 --dst 10.0.1.2 --port 22 | jq -c .dry_run)" null &&
	expect_eq "checks count nothing" \
		"$(ctl "$A" -j policy show prod/dry-deny | jq -c '[.would_allow, .would_deny]')" "[0,0]" &&
	expect_match "listed" "$(ctl "$A" policy show prod/dry-deny)" "would-allow 0 would-deny 0" &&
	ctl "$A" policy add prod/dry-deny action deny scope workloads $ID_DB \
		rule principal "$TD/ns/dry/*" replace || return 1
	expect_decision spiffe://$TD/ns/dry/sa/x 10.5.0.1 10.0.1.3 22 \
		"deny deny-policy prod/dry-deny" &&
	expect_eq "enforced" "$(ctl "$A" -j policy show prod/dry-deny |
		jq -c '[.dry_run, .would_deny]')" "[false,null]" &&
	ctl "$A" policy del prod/dry-deny
}

# Istio's destination IPs and service accounts (short form): the check
# fills the destination address as the data path does; a service account
# is NS/SA of any trust domain, and a plaintext peer has none.
test_istio_fields() {
	ctl "$A" policy add prod/deny-sa-dst action deny scope global \
		rule service-account legacy/app destination-ip 10.0.1.3 \
		rule not-service-account ops/admin destination-ip 10.0.1.2/32 port 22 || return 1
	expect_eq "shown" "$(ctl "$A" -j policy show prod/deny-sa-dst |
		jq -c '[.rules[0].service_accounts, .rules[0].destination_ips, .rules[1].not_service_accounts]')" \
		'[["legacy/app"],["10.0.1.3/32"],["ops/admin"]]' &&
	expect_decision spiffe://other.td/ns/legacy/sa/app 10.5.0.1 10.0.1.3 5432 \
		"deny deny-policy prod/deny-sa-dst" &&
	expect_decision spiffe://$TD/ns/legacy/sa/app 10.5.0.1 10.0.1.2 5432 \
		"allow no-policy -" &&
	expect_decision spiffe://$TD/ns/legacy/sa/app2 10.5.0.1 10.0.1.3 5432 \
		"allow no-policy -" &&
	expect_decision - 10.5.0.1 10.0.1.2 22 \
		"deny deny-policy default/deny-plain-web" &&
	expect_decision spiffe://$TD/ns/x/sa/y 10.5.0.1 10.0.1.2 22 \
		"deny deny-policy prod/deny-sa-dst" &&
	expect_decision spiffe://$TD/ns/ops/sa/admin 10.5.0.1 10.0.1.2 22 \
		"allow no-policy -" &&
	ctl "$A" policy del prod/deny-sa-dst
}

test_isolation() {
	ctl "$B" workload add 10.0.1.3 id $ID_DB node 192.0.2.1 || return 1
	expect_eq "node-b decision" \
		"$(decide "$B" spiffe://$TD/ns/legacy/sa/app 10.5.0.1 10.0.1.3 5432)" \
		"allow no-policy -" &&
	expect_eq "node-b policies" "$(ctl "$B" -j policy list | jq '.policies | length')" 0
}

# Istio's workload selector: two pods of one service account (one SPIFFE
# ID), a policy for one of them by address; the other is not in its scope.
test_scope_addresses() {
	local front=spiffe://$TD/ns/front/sa/ui json
	ctl "$B" workload add 10.0.2.2 id $ID_WEB node 192.0.2.1 &&
	ctl "$B" workload add 10.0.2.4 id $ID_WEB node 192.0.2.1 &&
	ctl "$B" policy add default/sel action allow scope addresses 10.0.2.4,fd00::4 \
		rule namespace front port 80 || return 1
	json=$(ctl "$B" -j policy show default/sel) || return 1
	expect_eq "scope" "$(jq -r .scope <<<"$json")" addresses &&
	expect_eq "addresses" "$(jq -r '.addresses | join(",")' <<<"$json")" "10.0.2.4,fd00::4" &&
	expect_eq "selected, match" "$(decide "$B" $front 10.5.0.1 10.0.2.4 80)" \
		"allow allow-policy default/sel" &&
	expect_eq "selected, miss" "$(decide "$B" $front 10.5.0.1 10.0.2.4 8080)" \
		"deny no-allow-match -" &&
	expect_eq "same ID, not selected" "$(decide "$B" $front 10.5.0.1 10.0.2.2 8080)" \
		"allow no-policy -" || return 1
	local out
	out=$(ctl "$B" policy add default/sel2 action allow scope addresses 10.0.2.x 2>&1)
	[ $? -ne 0 ] || { echo "a bad address was taken"; return 1; }
	expect_match "message" "$out" "10.0.2.x" &&
	ctl "$B" policy del default/sel
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "policy: load kzt" 1; exit $RET; }
A=$(ns_create node-a)
B=$(ns_create node-b)
ip -n "$A" link add v-web type veth peer name v-webp
ip -n "$A" link add v-db type veth peer name v-dbp
ctl "$A" workload add 10.0.1.2 id $ID_WEB dev v-web
ctl "$A" workload add 10.0.1.3 id $ID_DB dev v-db

run_test "policy: no policy allows, and names the destination" test_no_policy
run_test "policy: add four policies, show and list them" test_add_and_show
run_test "policy: DENY first, then ALLOW rules, ports and principals" test_decisions
run_test "policy: a plaintext peer matches not-principal *" test_plaintext_peer
run_test "policy: IPv4 blocks, mapped and IPv6 sources, not-port" test_ip_blocks
run_test "policy: checking an unknown destination is an error" test_unknown_destination
run_test "policy: add over a name fails, replace and del take effect" test_exists_replace_del
run_test "policy: a 31 KB policy lists whole; a larger one is refused" test_big_policy
run_test "policy: a dry-run policy decides nothing, check shows it" test_dry_run
run_test "policy: destination IPs and service accounts" test_istio_fields
run_test "policy: policies of one namespace do not reach another" test_isolation
run_test "policy: scope addresses: one pod of a service account, not the other" test_scope_addresses
exit $RET
