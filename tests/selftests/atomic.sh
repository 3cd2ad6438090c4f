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
require_cmd ip kztctl kzt-checkloop

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

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "atomic: load kzt" 1; exit $RET; }
A=$(ns_create node-a)
TMP=$(mktemp -d)
write_file "$TMP/x.yaml" deny-x
write_file "$TMP/y.yaml" deny-y

run_test --debug "atomic: a reader never sees a re-apply half done" test_apply_is_atomic
run_test "atomic: control: del+add outside a transaction shows a gap" test_reader_sees_a_gap
exit $RET
