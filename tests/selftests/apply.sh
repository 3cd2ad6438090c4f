#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kztctl apply -f: a YAML file (Documentation/apply.rst) sets the node
# configuration, workloads and policies; re-applying is idempotent; without
# --prune what the file lacks stays, with --prune it goes; a bad file names
# file, line and field and changes nothing.
#
#   ns node-a: veth v-web (local workload web), remote workloads
source "$(dirname "$0")/lib.sh"

cleanup() {
	[ -n "$TMP" ] && rm -rf "$TMP"
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip jq kztctl

A= TMP=

ctl() {
	ip netns exec "$A" kztctl "$@"
}

# Everything a node holds, as one comparable JSON text.
state() {
	{
		ctl -j config show
		ctl -j workload list
		ctl -j policy list
	} | jq -cs .
}

names() { # names workload|policy
	case $1 in
	workload) ctl -j workload list | jq -r '[.workloads[].address] | join(" ")' ;;
	policy) ctl -j policy list | jq -r '[.policies[].name] | join(" ")' ;;
	esac
}

make_files() {
	cat > "$TMP/full.yaml" <<-'EOT'
	node:
	  trustDomain: example.org
	  tunnelPort: 15010
	  nonMesh: passthrough
	  keepaliveIdleSeconds: 60
	  keepaliveProbes: 4
	workloads:
	  - name: web
	    workloadIps: [10.0.1.2, "fd00:1::2"]
	    namespace: default
	    serviceAccount: web
	    interface: v-web
	  - name: db
	    workloadIps: [10.0.2.3]
	    identity: spiffe://example.org/ns/prod/sa/db
	    nodeIp: 192.0.2.2
	  - name: legacy
	    workloadIps: [10.0.3.4]
	    protocol: plaintext
	    nodeIp: 192.0.2.3
	policies:
	  - name: allow-web
	    namespace: prod
	    scope: workloads
	    workloads: [spiffe://example.org/ns/prod/sa/db]
	    action: allow
	    rules:
	      - from:
	          - source: {principals: [example.org/ns/default/sa/web]}
	          - source: {namespaces: [ops]}
	        to:
	          - operation: {ports: [5432]}
	  - name: deny-net
	    scope: global
	    action: deny
	    rules:
	      - from:
	          - source: {ipBlocks: [198.51.100.0/24], notIpBlocks: [198.51.100.7/32]}
	EOT
	cat > "$TMP/small.yaml" <<-'EOT'
	workloads:
	  - workloadIps: [10.0.9.9]
	    identity: spiffe://example.org/ns/extra/sa/x
	    nodeIp: 192.0.2.9
	policies:
	  - name: deny-all-extra
	    namespace: extra
	    scope: namespace
	    action: deny
	    rules:
	      - {}
	EOT
}

test_apply() {
	local out
	out=$(ctl -j apply -f "$TMP/full.yaml") || return 1
	expect_eq "applied workloads" "$(jq .workloads <<<"$out")" 4 &&
	expect_eq "applied policies" "$(jq .policies <<<"$out")" 2 &&
	expect_eq "trust domain" "$(ctl -j config show | jq -r .trust_domain)" example.org &&
	expect_eq "tunnel port" "$(ctl -j config show | jq -r .tunnel_port)" 15010 &&
	expect_eq "nonmesh" "$(ctl -j config show | jq -r .nonmesh)" passthrough &&
	expect_eq "keepalive idle" "$(ctl -j config show | jq -r .keepalive_idle_s)" 60 &&
	expect_eq "keepalive probes" "$(ctl -j config show | jq -r .keepalive_probes)" 4 &&
	expect_eq "keepalive interval kept" \
		"$(ctl -j config show | jq -r .keepalive_interval_s)" 180 &&
	expect_eq "workloads" "$(names workload)" "10.0.1.2 10.0.2.3 10.0.3.4 fd00:1::2" &&
	expect_eq "policies" "$(names policy)" "deny-net prod/allow-web" &&
	expect_eq "web id from namespace+sa" \
		"$(ctl -j workload show fd00:1::2 | jq -r .id)" spiffe://example.org/ns/default/sa/web &&
	expect_eq "web interface" "$(ctl -j workload show 10.0.1.2 | jq -r .interface)" v-web &&
	expect_eq "legacy protocol" "$(ctl -j workload show 10.0.3.4 | jq -r .protocol)" plaintext
}

# Istio's from and to lists become two clauses of one rule, a match per
# source and per operation.
test_rules_expanded() {
	local json
	json=$(ctl -j policy show prod/allow-web) || return 1
	expect_eq "rules" "$(jq -c '[.rules[].clauses[] | [.[] | [.principals, .namespaces, .ports]]]' <<<"$json")" \
		'[[[["example.org/ns/default/sa/web"],[],[]],[[],["ops"],[]]],[[[],[],[5432]]]]' &&
	expect_eq "decision" "$(ctl -j policy check --src-id spiffe://example.org/ns/ops/sa/x \
		--src-ip 10.5.0.1 --dst 10.0.2.3 --port 5432 | jq -r .verdict)" allow &&
	expect_eq "not-ip-block" "$(ctl -j policy check --src-id spiffe://example.org/ns/ops/sa/x \
		--src-ip 198.51.100.7 --dst 10.0.2.3 --port 5432 | jq -r .verdict)" allow &&
	expect_eq "ip-block" "$(ctl -j policy check --src-id spiffe://example.org/ns/ops/sa/x \
		--src-ip 198.51.100.8 --dst 10.0.2.3 --port 5432 | jq -r .reason)" deny-policy
}

test_idempotent() {
	local before
	before=$(state)
	ctl apply -f "$TMP/full.yaml" > /dev/null || return 1
	expect_eq "state after re-apply" "$(state)" "$before"
}

test_merge() {
	ctl apply -f "$TMP/small.yaml" > /dev/null || return 1
	expect_eq "workloads" "$(names workload)" "10.0.1.2 10.0.2.3 10.0.3.4 10.0.9.9 fd00:1::2" &&
	expect_eq "policies" "$(names policy)" "deny-net extra/deny-all-extra prod/allow-web"
}

test_prune() {
	local out
	out=$(ctl -j apply --prune -f "$TMP/small.yaml") || return 1
	expect_eq "removed workloads" "$(jq .removed_workloads <<<"$out")" 4 &&
	expect_eq "removed policies" "$(jq .removed_policies <<<"$out")" 2 &&
	expect_eq "workloads" "$(names workload)" "10.0.9.9" &&
	expect_eq "policies" "$(names policy)" "extra/deny-all-extra"
}

# dryRun: true makes a dry-run policy; an apply without --prune stages
# the live one again as it is, dry-run still.
test_dry_run() {
	printf 'policies:\n  - name: dry-deny\n    namespace: extra\n    action: deny\n    dryRun: true\n    rules:\n      - {}\n' \
		> "$TMP/dry.yaml"
	ctl apply -f "$TMP/dry.yaml" > /dev/null || return 1
	expect_eq "dry-run" "$(ctl -j policy show extra/dry-deny |
		jq -c '[.dry_run, .would_allow, .would_deny]')" "[true,0,0]" || return 1
	ctl apply -f "$TMP/small.yaml" > /dev/null || return 1
	expect_eq "kept dry-run" "$(ctl -j policy show extra/dry-deny | jq .dry_run)" true &&
	expect_eq "the other kept enforced" \
		"$(ctl -j policy show extra/deny-all-extra | jq .dry_run)" false
}

# expect_bad_file NAME REGEX: apply of $TMP/bad.yaml fails with REGEX, changes nothing
expect_bad_file() {
	local before out
	before=$(state)
	out=$(ctl apply -f "$TMP/bad.yaml" 2>&1)
	[ $? -eq 1 ] || { echo "$1: accepted"; return 1; }
	expect_match "$1: message" "$out" "$2" &&
	expect_eq "$1: state" "$(state)" "$before"
}

test_bad_files() {
	printf 'workloads:\n  - workloadIps: [10.0.1.300]\n    identity: spiffe://example.org/ns/a/sa/b\n    nodeIp: 192.0.2.1\n' > "$TMP/bad.yaml"
	expect_bad_file "bad address" "bad.yaml:2:[0-9]+: workloads\\[0\\]\\.workloadIps\\[0\\]" || return 1
	printf 'workloads:\n  - workloadIps: [10.0.1.3]\n    identity: spiffe://Example.org/ns/a/sa/b\n    nodeIp: 192.0.2.1\n' > "$TMP/bad.yaml"
	expect_bad_file "bad trust domain" "bad.yaml:3:[0-9]+: workloads\\[0\\]\\.identity" || return 1
	printf 'policies:\n  - name: p\n    scope: global\n    action: maybe\n' > "$TMP/bad.yaml"
	expect_bad_file "bad action" "bad.yaml:4:[0-9]+: policies\\[0\\]\\.action" || return 1
	printf 'policies:\n  - name: p\n    scope: global\n    action: deny\n    rules:\n      - to:\n          - operation: {ports: [70000]}\n' > "$TMP/bad.yaml"
	expect_bad_file "bad port" "bad.yaml:7:[0-9]+: policies\\[0\\]\\.rules\\[0\\]\\.to\\[0\\]\\.operation\\.ports\\[0\\]" || return 1
	printf 'workloads:\n  - workloadIps: [10.0.1.3]\n    identity: spiffe://example.org/ns/a/sa/b\n    interface: no-such-dev\n' > "$TMP/bad.yaml"
	expect_bad_file "unknown interface" "bad.yaml:4:[0-9]+: workloads\\[0\\]\\.interface" || return 1
	printf 'workloads:\n  - workloadIps: [10.0.1.3]\n    colour: blue\n' > "$TMP/bad.yaml"
	expect_bad_file "unknown key" "bad.yaml:3:[0-9]+: workloads\\[0\\].*colour" || return 1
	printf 'workloads: [\n' > "$TMP/bad.yaml"
	expect_bad_file "broken YAML" "bad.yaml:[0-9]+:[0-9]+" || return 1
	out=$(ctl apply -f "$TMP/nothing-here.yaml" 2>&1)
	[ $? -eq 1 ] && expect_match "missing file" "$out" "nothing-here.yaml"
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "apply: load kzt" 1; exit $RET; }
A=$(ns_create node-a)
ip -n "$A" link add v-web type veth peer name v-webp
TMP=$(mktemp -d)
make_files

run_test "apply: a full file sets config, workloads and policies" test_apply
run_test "apply: Istio from/to lists become two clauses" test_rules_expanded
run_test "apply: re-applying the same file changes nothing" test_idempotent
run_test "apply: without --prune, what the file lacks stays" test_merge
run_test "apply: with --prune, what the file lacks goes" test_prune
run_test "apply: dryRun makes a dry-run policy; a merge keeps it one" test_dry_run
run_test "apply: bad files name file:line and field, change nothing" test_bad_files
exit $RET
