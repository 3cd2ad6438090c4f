#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input for every field of the workload, policy, check and transaction
# commands is rejected with the right errno and an extack message (and the
# offending attribute) and changes nothing. Requests are hand-built by
# kzt-nlraw, past kztctl's own checks: what any CAP_NET_ADMIN process could
# send. Attribute numbers are those of include/uapi/linux/kzt.h.
#
#   ns node-a: veth v-web; one workload and one policy as the known state
source "$(dirname "$0")/lib.sh"

cleanup() {
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip jq kzt-nlraw kztctl

A=
ID=spiffe://cluster.local/ns/default/sa/web

raw() {
	ip netns exec "$A" kzt-nlraw "$@"
}

state() {
	ip netns exec "$A" kztctl -j config show
	ip netns exec "$A" kztctl -j workload list
	ip netns exec "$A" kztctl -j policy list
}

# The node's state every rejected request must leave as it was. Process
# starts are what these checks cost under TCG, so it is taken once.
KNOWN_STATE=

# expect_reject NAME ERRNO_REGEX DETAIL_REGEX -- KZT_NLRAW_ARGS...
# DETAIL_REGEX is matched against the rest of kzt-nlraw's line (extack,
# bad_attr=, missing_type=).
expect_reject() {
	local name=$1 errno=$2 detail=$3 out
	shift 4
	out=$(raw "$@")
	expect_match "$name: reply" "$out" "^errno=($errno) \\(" || return 1
	expect_match "$name: detail" "$out" "$detail" || return 1
	expect_eq "$name: state after" "$(state)" "$KNOWN_STATE"
}

test_reference() {
	expect_eq "valid workload" "$(raw workload-add 1:ip=10.0.1.7 2:str=$ID 5:u32="$IFINDEX")" ok &&
	expect_eq "valid policy" "$(raw policy-add 1:str=p2 2:u8=1 3:u8=0 6:nest 7:u16=80 end)" ok &&
	expect_eq "workload seen" "$(ip netns exec "$A" kztctl -j workload show 10.0.1.7 | jq -r .id)" $ID &&
	expect_eq "policy seen" "$(ip netns exec "$A" kztctl -j policy show p2 | jq -c .rules[0].ports)" "[80]" &&
	ip netns exec "$A" kztctl workload del 10.0.1.7 &&
	ip netns exec "$A" kztctl policy del p2
}

test_workload_fields() {
	local long
	long=spiffe://cluster.local/ns/$(printf 'a%.0s' $(seq 1 2040))/sa/x
	expect_reject "addr of 4 bytes" ERANGE "binary attribute size out of range.* bad_attr=1" \
		-- workload-add 1:bin=0a000102 2:str=$ID 4:ip=192.0.2.1 &&
	expect_reject "no addr" EINVAL "missing_type=1" -- workload-add 2:str=$ID 4:ip=192.0.2.1 &&
	expect_reject "id not spiffe" EINVAL "extack=\".*\" .*bad_attr=2" \
		-- workload-add 1:ip=10.0.1.8 2:str=http://x/ns/a/sa/b 4:ip=192.0.2.1 &&
	expect_reject "id bad trust domain" EINVAL "trust domain.* bad_attr=2" \
		-- workload-add 1:ip=10.0.1.8 2:str=spiffe://Big.Domain/ns/a/sa/b 4:ip=192.0.2.1 &&
	expect_reject "id without ns/sa" EINVAL "bad_attr=2" \
		-- workload-add 1:ip=10.0.1.8 2:str=spiffe://cluster.local/web 4:ip=192.0.2.1 &&
	expect_reject "id too long" "EINVAL|ERANGE" "bad_attr=2" \
		-- workload-add 1:ip=10.0.1.8 2:str="$long" 4:ip=192.0.2.1 &&
	expect_reject "mesh workload without id" EINVAL "missing_type=2|bad_attr" \
		-- workload-add 1:ip=10.0.1.8 4:ip=192.0.2.1 &&
	expect_reject "protocol 3" ERANGE "integer out of range.* bad_attr=3" \
		-- workload-add 1:ip=10.0.1.8 2:str=$ID 3:u8=3 4:ip=192.0.2.1 &&
	expect_reject "node of 15 bytes" ERANGE "binary attribute size out of range.* bad_attr=4" \
		-- workload-add 1:ip=10.0.1.8 2:str=$ID 4:bin=000000000000000000000000000000 &&
	expect_reject "node and ifindex" EINVAL "bad_attr=(4|5)" \
		-- workload-add 1:ip=10.0.1.8 2:str=$ID 4:ip=192.0.2.1 5:u32="$IFINDEX" &&
	expect_reject "neither node nor ifindex" EINVAL "extack=" \
		-- workload-add 1:ip=10.0.1.8 2:str=$ID &&
	expect_reject "no such ifindex" ENODEV "bad_attr=5" \
		-- workload-add 1:ip=10.0.1.8 2:str=$ID 5:u32=99999 &&
	expect_reject "unknown flag" EINVAL "reserved bit set.* bad_attr=6" \
		-- workload-add 1:ip=10.0.1.8 2:str=$ID 4:ip=192.0.2.1 6:u32=2 &&
	expect_reject "unknown txn" ENOENT "bad_attr=7" \
		-- workload-add 1:ip=10.0.1.8 2:str=$ID 4:ip=192.0.2.1 7:u32=424242 &&
	expect_reject "unknown attribute" EINVAL "Unknown attribute type" \
		-- workload-add 1:ip=10.0.1.8 2:str=$ID 4:ip=192.0.2.1 8:u8=1 &&
	expect_reject "taken address" EEXIST "extack=" \
		-- workload-add 1:ip=10.0.1.2 2:str=$ID 4:ip=192.0.2.1 &&
	expect_reject "del of unknown" ENOENT "extack=" -- workload-del 1:ip=10.0.1.9 &&
	expect_reject "del with id" EINVAL "Unknown attribute type|Unsupported attribute" \
		-- workload-del 1:ip=10.0.1.2 2:str=$ID &&
	expect_reject "get of unknown" ENOENT "extack=" -- workload-get 1:ip=10.0.1.9
}

test_policy_fields() {
	expect_reject "no name" EINVAL "missing_type=1" -- policy-add 2:u8=1 3:u8=0 &&
	expect_reject "empty name" "EINVAL|ERANGE" "bad_attr=1" -- policy-add 1:str= 2:u8=1 3:u8=0 &&
	expect_reject "action 2" ERANGE "integer out of range.* bad_attr=2" \
		-- policy-add 1:str=p 2:u8=2 3:u8=0 &&
	expect_reject "no action" EINVAL "missing_type=2" -- policy-add 1:str=p 3:u8=0 &&
	expect_reject "scope 4" ERANGE "integer out of range.* bad_attr=3" \
		-- policy-add 1:str=p 2:u8=1 3:u8=4 &&
	expect_reject "addresses scope without addresses" EINVAL "missing_type=13" \
		-- policy-add 1:str=p 2:u8=1 3:u8=3 &&
	expect_reject "namespace scope without namespace" EINVAL "missing_type=4|namespace" \
		-- policy-add 1:str=p 2:u8=1 3:u8=1 &&
	expect_reject "namespace on a global policy" EINVAL "bad_attr=4" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 4:str=default &&
	expect_reject "workloads scope without ids" EINVAL "missing_type=5|extack=" \
		-- policy-add 1:str=p 2:u8=1 3:u8=2 &&
	expect_reject "bad scope id" EINVAL "bad_attr=5" \
		-- policy-add 1:str=p 2:u8=1 3:u8=2 5:str=spiffe://cluster.local/ns//sa/x &&
	expect_reject "rule port 0" ERANGE "bad_attr=6" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 7:u16=0 end &&
	expect_reject "rule principal with scheme" EINVAL "bad_attr=6" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 1:str=spiffe://cluster.local/ns/a/sa/b end &&
	expect_reject "rule principal with inner *" EINVAL "bad_attr=6" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 1:str='cluster.local/*/sa/b' end &&
	expect_reject "rule empty namespace" "EINVAL|ERANGE" "bad_attr=6" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 3:str= end &&
	expect_reject "ip block prefix 129" ERANGE "bad_attr=6" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 5:nest 1:ip=::ffff:10.0.0.0 2:u8=129 end end &&
	expect_reject "ip block host bits" EINVAL "bad_attr=6" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 5:nest 1:ip=10.0.0.1 2:u8=104 end end &&
	expect_reject "ip block without prefix" EINVAL "bad_attr=6|missing_type=2" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 5:nest 1:ip=10.0.0.0 end end &&
	expect_reject "unknown rule field" EINVAL "bad_attr=6|Unknown attribute type" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 14:u16=80 end &&
	expect_reject "rule of fields and clauses" EINVAL "clauses or fields.* bad_attr_offset=56 bad_attr=6" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 7:u16=80 13:nest end end &&
	expect_reject "clause in a match" EINVAL "Unknown attribute type.* bad_attr=6" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 13:nest 1:nest 13:nest end end end end &&
	expect_reject "service account without '/'" EINVAL "must be NS/SA.* bad_attr=6" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest 13:nest 1:nest 11:str=web end end end &&
	expect_reject "unknown flag" EINVAL "reserved bit set.* bad_attr=7" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 7:u32=4 &&
	expect_reject "taken name" EEXIST "extack=" -- policy-add 1:str=p1 2:u8=1 3:u8=0 &&
	expect_reject "del of unknown" ENOENT "extack=" -- policy-del 1:str=nope
}

test_policy_limits() {
	local rules=() clauses=() values=() i
	for i in $(seq 0 8000); do
		rules+=(6:nest end)
	done
	expect_reject "8001 rules" "EINVAL|E2BIG|ERANGE" "more than 8000 rules" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 "${rules[@]}" || return 1
	expect_reject "7999 rules, too large" EMSGSIZE "too large" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 "${rules[@]:4}" || return 1
	for i in $(seq 0 64); do
		clauses+=(13:nest end)
	done
	expect_reject "65 clauses" EINVAL "more than 64 clauses" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest "${clauses[@]}" end || return 1
	for i in $(seq 1 257); do
		values+=(7:u16=$i)
	done
	expect_reject "257 ports in a rule" "EINVAL|E2BIG|ERANGE" "extack=" \
		-- policy-add 1:str=p 2:u8=1 3:u8=0 6:nest "${values[@]}" end
}

test_check_fields() {
	expect_reject "check without port" EINVAL "missing_type=4" \
		-- policy-check 2:ip=10.5.0.1 3:ip=10.0.1.2 &&
	expect_reject "check of unknown destination" ENOENT "extack=" \
		-- policy-check 2:ip=10.5.0.1 3:ip=10.0.9.9 4:u16=80 &&
	expect_reject "check with bad source id" EINVAL "bad_attr=1" \
		-- policy-check 1:str=nope 2:ip=10.5.0.1 3:ip=10.0.1.2 4:u16=80 &&
	expect_reject "check port 0" ERANGE "bad_attr=4" \
		-- policy-check 2:ip=10.5.0.1 3:ip=10.0.1.2 4:u16=0
}

test_config_fields() {
	expect_reject "trust domain upper case" EINVAL "bad_attr=3" -- config-set 3:str=Cluster.Local &&
	expect_reject "trust domain empty" "EINVAL|ERANGE" "bad_attr=3" -- config-set 3:str= &&
	expect_reject "trust domain 256 bytes" "EINVAL|ERANGE" "bad_attr=3" \
		-- config-set 3:str="$(printf 'a%.0s' $(seq 1 256))" &&
	expect_reject "nonmesh 2" ERANGE "integer out of range.* bad_attr=4" -- config-set 4:u8=2
}

# The transaction belongs to its socket: it is gone when the socket is.
test_txn() {
	local out
	expect_reject "commit of unknown txn" ENOENT "extack=" -- txn-commit 1:u32=424242 &&
	expect_reject "commit without id" EINVAL "missing_type=1" -- txn-commit || return 1
	raw --hold 3000 txn-begin > /dev/null &
	busywait 3000 sh -c "ip netns exec $A kzt-nlraw txn-begin | grep -q EBUSY" ||
		{ echo "second begin while one is open was not EBUSY"; wait; return 1; }
	wait
	out=$(raw txn-begin)
	expect_eq "begin after the owner closed" "$out" ok
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "netlink: load kzt" 1; exit $RET; }
A=$(ns_create node-a)
ip -n "$A" link add v-web type veth peer name v-webp
IFINDEX=$(ip netns exec "$A" cat /sys/class/net/v-web/ifindex)
ip netns exec "$A" kztctl workload add 10.0.1.2 id $ID dev v-web
ip netns exec "$A" kztctl policy add p1 action deny scope global rule port 22

run_test "netlink: well-formed raw workload and policy adds apply" test_reference
KNOWN_STATE=$(state)
run_test --debug "netlink: every bad workload field rejected, nothing changed" test_workload_fields
run_test --debug "netlink: every bad policy field rejected, nothing changed" test_policy_fields
run_test --debug "netlink: policy size limits enforced" test_policy_limits
run_test "netlink: bad policy-check requests rejected" test_check_fields
run_test "netlink: bad trust domain and non-mesh mode rejected" test_config_fields
run_test --debug "netlink: one transaction per node, owned by its socket" test_txn
exit $RET
