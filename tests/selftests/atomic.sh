#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A configuration re-applied while decisions are read in a tight loop is
# never seen half-applied. Two apply files differ only in the name of the
# one DENY policy that refuses the reader's flow: with apply (a kernel
# transaction swapping the whole table) the reader must only ever see DENY.
# The control run replaces the policy with a del and an add outside a
# transaction, and the same reader must see the gap: proof that the reader
# would catch a non-atomic apply.
#
# Incremental transactions (KZT_TXN_F_FROM_LIVE, kzt-txn): the staging
# table starts as the live one, so deletions staged in it keep every other
# entry; staged deletions stay invisible until the commit; DEL of an entry
# the staging table lacks is ENOENT; a live change meanwhile makes the
# commit EAGAIN and changes nothing.
#
#   ns node-a: workload db (prod/db, 10.0.1.3, remote on 192.0.2.1)
#              reader: kzt-checkloop, legacy/app -> db:5432, until stopped
#              writer: kztctl apply --prune, file X and file Y in turn
source "$(dirname "$0")/lib.sh"

cleanup() {
	[ -n "$TMP" ] && rm -rf "$TMP"
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip jq kztctl kzt-checkloop kzt-txn

TD=cluster.local
SRC=spiffe://$TD/ns/legacy/sa/app
A= TMP=

write_file() { # write_file PATH POLICY_NAME
	cat > "$1" <<-EOT
	workloads:
	  - workloadIps: [10.0.1.3]
	    identity: spiffe://$TD/ns/prod/sa/db
	    nodeIp: 192.0.2.1
	policies:
	  - name: $2
	    namespace: prod
	    scope: namespace
	    action: deny
	    rules:
	      - from:
	          - source:
	              principals: ["$TD/ns/legacy/*"]
	EOT
}

reader_start() {
	rm -f "$TMP/stop"
	ip netns exec "$A" kzt-checkloop --src-id $SRC --src-ip 10.5.0.1 \
		--dst 10.0.1.3 --port 5432 --until "$TMP/stop" > "$TMP/counts" &
	READER=$!
}

reader_stop() { # -> "checks=N allow=N deny=N errors=N"
	touch "$TMP/stop"
	wait "$READER"
	cat "$TMP/counts"
}

field() { # field NAME COUNTS
	sed -nE "s/.*\\b$1=([0-9]+).*/\\1/p" <<<"$2"
}

test_apply_is_atomic() {
	local i n=$(scale 25) counts
	ip netns exec "$A" kztctl apply --prune -f "$TMP/x.yaml" || return 1
	reader_start
	for i in $(seq 1 "$n"); do
		ip netns exec "$A" kztctl apply --prune -f "$TMP/y.yaml" > /dev/null &&
		ip netns exec "$A" kztctl apply --prune -f "$TMP/x.yaml" > /dev/null ||
			{ reader_stop; return 1; }
	done
	counts=$(reader_stop)
	echo "reader: $counts over $((2 * n)) applies"
	expect_eq "ALLOW seen" "$(field allow "$counts")" 0 &&
	expect_eq "errors seen" "$(field errors "$counts")" 0 &&
	[ "$(field deny "$counts")" -gt $((2 * n)) ]
}

# Control: the same swap done in two steps is visible to the reader.
test_reader_sees_a_gap() {
	local i n=$(scale 8) counts rule=(rule principal "$TD/ns/legacy/*")
	ip netns exec "$A" kztctl apply --prune -f "$TMP/x.yaml" || return 1
	reader_start
	for i in $(seq 1 "$n"); do
		ip netns exec "$A" kztctl policy del prod/deny-x &&
		ip netns exec "$A" kztctl policy add prod/deny-x action deny \
			scope namespace prod "${rule[@]}" || { reader_stop; return 1; }
	done
	counts=$(reader_stop)
	echo "reader: $counts over $n del+add pairs"
	[ "$(field allow "$counts")" -gt 0 ]
}

# The addresses of the live workload table, sorted, one line.
live_addrs() {
	ip netns exec "$A" kztctl -j workload list | jq -r '.workloads[].address' | sort | xargs
}

live_policies() {
	ip netns exec "$A" kztctl -j policy list | jq -r '.policies[].name' | sort | xargs
}

# x.yaml's workload and policy, plus two more workloads and a policy.
txn_setup() {
	local ip
	ip netns exec "$A" kztctl apply --prune -f "$TMP/x.yaml" > /dev/null || return 1
	for ip in 10.0.1.4 10.0.1.5; do
		ip netns exec "$A" kztctl workload add $ip id spiffe://$TD/ns/prod/sa/w \
			node 192.0.2.2 || return 1
	done
	ip netns exec "$A" kztctl policy add prod/other action deny scope namespace prod \
		rule port 9
}

test_txn_from_live() {
	local out
	txn_setup || return 1
	expect_eq "live before" "$(live_addrs)" "10.0.1.3 10.0.1.4 10.0.1.5" || return 1
	out=$(ip netns exec "$A" kzt-txn del-workload 10.0.1.4 del-policy prod/other)
	expect_eq "kzt-txn" "$out" ok &&
	expect_eq "workloads kept" "$(live_addrs)" "10.0.1.3 10.0.1.5" &&
	expect_eq "policies kept" "$(live_policies)" "prod/deny-x"
}

test_txn_del_missing() {
	local out
	txn_setup || return 1
	out=$(ip netns exec "$A" kzt-txn del-workload 10.0.1.5 del-workload 10.0.1.9)
	expect_eq "kzt-txn" "$out" \
		'del-workload: errno=ENOENT extack="no workload with this address"' &&
	out=$(ip netns exec "$A" kzt-txn del-policy nope)
	expect_eq "kzt-txn" "$out" 'del-policy: errno=ENOENT extack="no policy "nope""' &&
	expect_eq "nothing changed" "$(live_addrs)" "10.0.1.3 10.0.1.4 10.0.1.5" &&
	expect_eq "policies kept" "$(live_policies)" "prod/deny-x prod/other"
}

# Start kzt-txn --wait OPS... in the background; return once it staged.
txn_hold() {
	rm -f "$TMP/go" "$TMP/txn.out"
	ip netns exec "$A" kzt-txn --wait "$TMP/go" "$@" > "$TMP/txn.out" &
	TXN=$!
	busywait 5000 grep -q staged "$TMP/txn.out" && return 0
	echo "kzt-txn did not stage: $(cat "$TMP/txn.out")"
	touch "$TMP/go"
	wait "$TXN"
	return 1
}

txn_release() { # -> kzt-txn's last line
	touch "$TMP/go"
	wait "$TXN"
	tail -n 1 "$TMP/txn.out"
}

test_txn_staged_invisible() {
	txn_setup && txn_hold del-workload 10.0.1.3 del-policy prod/deny-x || return 1
	expect_eq "live while staged" "$(live_addrs)" "10.0.1.3 10.0.1.4 10.0.1.5" &&
	expect_eq "policies while staged" "$(live_policies)" "prod/deny-x prod/other"
	local rc=$?
	expect_eq "kzt-txn" "$(txn_release)" ok || return 1
	[ $rc -eq 0 ] &&
	expect_eq "live after commit" "$(live_addrs)" "10.0.1.4 10.0.1.5" &&
	expect_eq "policies after commit" "$(live_policies)" "prod/other"
}

test_txn_stale() {
	txn_setup && txn_hold del-workload 10.0.1.3 || return 1
	ip netns exec "$A" kztctl workload del 10.0.1.5
	local rc=$?
	expect_eq "kzt-txn" "$(txn_release)" \
		'commit: errno=EAGAIN extack="the live tables changed since the transaction began; it was aborted, begin again"' &&
	[ $rc -eq 0 ] &&
	expect_eq "only the live change" "$(live_addrs)" "10.0.1.3 10.0.1.4"
}

# 10,000 workloads (behind 100 nodes) and 1,000 policies, as an apply file.
write_big() {
	/usr/bin/python3 - "$1" <<-'EOT'
	import sys
	with open(sys.argv[1], "w") as f:
	    f.write("workloads:\n")
	    for i in range(10000):
	        f.write(f"  - workloadIps: [10.{64 + i // 250}.{i % 250}.1]\n"
	                f"    identity: spiffe://cluster.local/ns/ns-{i % 200}/sa/default\n"
	                f"    nodeIp: 192.0.3.{1 + i % 100}\n")
	    f.write("policies:\n")
	    for i in range(1000):
	        f.write(f"  - name: p{i:04d}\n    namespace: ns-{i % 200}\n"
	                "    scope: namespace\n    action: deny\n"
	                "    rules:\n      - to:\n          - operation: {ports: [23]}\n")
	EOT
}

# What BEGIN from live costs at that size: printed, not asserted.
test_txn_cost() {
	local out
	write_big "$TMP/big.yaml" &&
	ip netns exec "$A" kztctl apply --prune -f "$TMP/big.yaml" || return 1
	out=$(ip netns exec "$A" kzt-txn --time del-workload 10.64.0.1 del-policy ns-0/p0000)
	echo "$out" | head -n 1 > "$TMP/cost"
	expect_eq "kzt-txn" "$(tail -n 1 <<<"$out")" ok &&
	expect_eq "workloads" "$(ip netns exec "$A" kztctl -j workload list |
		jq '.workloads | length')" 9999
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "atomic: load kzt" 1; exit $RET; }
A=$(ns_create node-a)
TMP=$(mktemp -d)
write_file "$TMP/x.yaml" deny-x
write_file "$TMP/y.yaml" deny-y

run_test --debug "atomic: a reader never sees a re-apply half done" test_apply_is_atomic
run_test "atomic: control: del+add outside a transaction shows a gap" test_reader_sees_a_gap
run_test --debug "atomic: a transaction from live keeps what it does not delete" test_txn_from_live
run_test "atomic: del of a missing entry in a transaction is ENOENT" test_txn_del_missing
run_test --debug "atomic: deletions staged from live are invisible until commit" test_txn_staged_invisible
run_test "atomic: a live change during a transaction from live: EAGAIN" test_txn_stale
run_test "atomic: a transaction from live at 10,000 workloads, 1,000 policies" test_txn_cost
[ -s "$TMP/cost" ] && echo "# from live, 10,000 workloads + 1,000 policies: $(cat "$TMP/cost")"
exit $RET
