#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Node configuration round-trips per network namespace and stays there;
# the kernel's range checks of the timeouts and of the tunnels' keepalive,
# with its extack, change nothing.
#
#   init_net (node 0)    ns node-a    ns node-b
#   each one a node with its own tunnel port and capture switch
source "$(dirname "$0")/lib.sh"

cleanup() {
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kzt-nlraw

cfg() { # cfg NETNS FIELD
	ip netns exec "$1" kztctl -j config show | json_get "$2"
}

A= B=

test_defaults() {
	expect_eq "port" "$(cfg "$A" tunnel_port)" 15008 &&
	expect_eq "capture" "$(cfg "$A" capture)" false &&
	expect_eq "handshake timeout" "$(cfg "$A" handshake_timeout_ms)" 10000 &&
	expect_eq "idle timeout: never" "$(cfg "$A" idle_timeout_s)" 0 &&
	expect_eq "keepalive idle" "$(cfg "$A" keepalive_idle_s)" 180 &&
	expect_eq "keepalive interval" "$(cfg "$A" keepalive_interval_s)" 180 &&
	expect_eq "keepalive probes" "$(cfg "$A" keepalive_probes)" 9 &&
	expect_eq "init_net port" "$(kztctl -j config show | json_get tunnel_port)" 15008
}

test_roundtrip() {
	local port

	for port in 1 80 15009 65535; do
		ip netns exec "$A" kztctl config set tunnel-port $port || return 1
		expect_eq "port" "$(cfg "$A" tunnel_port)" $port || return 1
	done
	ip netns exec "$A" kztctl config set capture on || return 1
	expect_eq "capture on" "$(cfg "$A" capture)" true || return 1
	ip netns exec "$A" kztctl config set capture off || return 1
	expect_eq "capture off" "$(cfg "$A" capture)" false
}

# Setting one field leaves the other as it was.
test_partial_set() {
	ip netns exec "$A" kztctl config set tunnel-port 16000 capture on || return 1
	ip netns exec "$A" kztctl config set tunnel-port 16001 || return 1
	expect_eq "capture kept" "$(cfg "$A" capture)" true || return 1
	ip netns exec "$A" kztctl config set capture off || return 1
	expect_eq "port kept" "$(cfg "$A" tunnel_port)" 16001
}

test_timeouts_roundtrip() {
	local ms s

	for ms in 100 2500 600000; do
		ip netns exec "$A" kztctl config set handshake-timeout $ms || return 1
		expect_eq "handshake timeout" "$(cfg "$A" handshake_timeout_ms)" $ms || return 1
	done
	for s in 0 30 604800; do
		ip netns exec "$A" kztctl config set idle-timeout $s || return 1
		expect_eq "idle timeout" "$(cfg "$A" idle_timeout_s)" $s || return 1
	done
	# One field set leaves the other; both at once.
	ip netns exec "$A" kztctl config set handshake-timeout 3000 || return 1
	expect_eq "idle kept" "$(cfg "$A" idle_timeout_s)" 604800 || return 1
	ip netns exec "$A" kztctl config set handshake-timeout 4000 idle-timeout 60 || return 1
	expect_eq "both: handshake" "$(cfg "$A" handshake_timeout_ms)" 4000 &&
	expect_eq "both: idle" "$(cfg "$A" idle_timeout_s)" 60 &&
	expect_match "text" "$(ip netns exec "$A" kztctl config show)" \
		"handshake-timeout: 4000 ms.*idle-timeout: 60 s"
}

# raw_reject NAME EXTACK_REGEX ATTRS...: the kernel refuses a CONFIG_SET
# (past kztctl's own checks) with ERANGE/EINVAL and that extack, and the
# configuration is what it was.
raw_reject() {
	local name=$1 msg=$2 before out
	shift 2
	before=$(ip netns exec "$A" kztctl -j config show)
	out=$(ip netns exec "$A" kzt-nlraw config-set "$@")
	expect_match "$name: reply" "$out" "^errno=(ERANGE|EINVAL) .*extack=\"$msg\"" || return 1
	expect_eq "$name: config after" "$(ip netns exec "$A" kztctl -j config show)" "$before"
}

test_timeouts_kernel_range() {
	ip netns exec "$A" kztctl config set handshake-timeout 5000 idle-timeout 90 || return 1
	raw_reject "handshake 99" "integer out of range" 5:u32=99 &&
	raw_reject "handshake 0" "integer out of range" 5:u32=0 &&
	raw_reject "handshake 600001" "integer out of range" 5:u32=600001 &&
	raw_reject "idle 604801" "integer out of range" 6:u32=604801 &&
	raw_reject "idle 2^32-1" "integer out of range" 6:u32=4294967295 &&
	raw_reject "handshake as u16" "invalid attribute length" 5:u16=1000 &&
	raw_reject "good port, bad idle" "integer out of range" 1:u16=20000 6:u32=700000 &&
	raw_reject "good idle, bad handshake" "integer out of range" 6:u32=10 5:u32=1 &&
	expect_eq "raw valid" "$(ip netns exec "$A" kzt-nlraw config-set 5:u32=100 6:u32=604800)" ok &&
	expect_eq "raw valid: handshake" "$(cfg "$A" handshake_timeout_ms)" 100 &&
	expect_eq "raw valid: idle" "$(cfg "$A" idle_timeout_s)" 604800
}

test_keepalive_roundtrip() {
	local v

	for v in 0 1 32767; do
		ip netns exec "$A" kztctl config set keepalive-idle $v || return 1
		expect_eq "keepalive idle" "$(cfg "$A" keepalive_idle_s)" $v || return 1
	done
	for v in 1 32767; do
		ip netns exec "$A" kztctl config set keepalive-interval $v || return 1
		expect_eq "keepalive interval" "$(cfg "$A" keepalive_interval_s)" $v || return 1
	done
	for v in 1 127; do
		ip netns exec "$A" kztctl config set keepalive-probes $v || return 1
		expect_eq "keepalive probes" "$(cfg "$A" keepalive_probes)" $v || return 1
	done
	# One field set leaves the others; all three at once.
	ip netns exec "$A" kztctl config set keepalive-idle 0 || return 1
	expect_eq "interval kept" "$(cfg "$A" keepalive_interval_s)" 32767 &&
	expect_eq "probes kept" "$(cfg "$A" keepalive_probes)" 127 &&
	expect_match "text: off" "$(ip netns exec "$A" kztctl config show)" \
		"keepalive-idle: 0 s \(off\)" || return 1
	ip netns exec "$A" kztctl config set keepalive-idle 60 keepalive-interval 10 \
		keepalive-probes 5 || return 1
	expect_eq "all: idle" "$(cfg "$A" keepalive_idle_s)" 60 &&
	expect_eq "all: interval" "$(cfg "$A" keepalive_interval_s)" 10 &&
	expect_eq "all: probes" "$(cfg "$A" keepalive_probes)" 5 &&
	expect_match "text" "$(ip netns exec "$A" kztctl config show)" \
		"keepalive-idle: 60 s.keepalive-interval: 10 s.keepalive-probes: 5"
}

# The kernel holds the keepalive values to TCP's limits (MAX_TCP_KEEPIDLE,
# MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT) and to its types.
test_keepalive_kernel_range() {
	ip netns exec "$A" kztctl config set keepalive-idle 120 keepalive-interval 30 \
		keepalive-probes 4 || return 1
	raw_reject "idle 32768" "integer out of range" 7:u32=32768 &&
	raw_reject "idle 2^32-1" "integer out of range" 7:u32=4294967295 &&
	raw_reject "interval 0" "integer out of range" 8:u32=0 &&
	raw_reject "interval 32768" "integer out of range" 8:u32=32768 &&
	raw_reject "probes 0" "integer out of range" 9:u8=0 &&
	raw_reject "probes 128" "integer out of range" 9:u8=128 &&
	raw_reject "probes as u32" "invalid attribute length" 9:u32=9 &&
	raw_reject "idle as u16" "invalid attribute length" 7:u16=60 &&
	raw_reject "good idle, bad probes" "integer out of range" 7:u32=10 9:u8=0 &&
	expect_eq "raw valid" "$(ip netns exec "$A" kzt-nlraw config-set 7:u32=0 8:u32=1 9:u8=127)" ok &&
	expect_eq "raw valid: idle" "$(cfg "$A" keepalive_idle_s)" 0 &&
	expect_eq "raw valid: interval" "$(cfg "$A" keepalive_interval_s)" 1 &&
	expect_eq "raw valid: probes" "$(cfg "$A" keepalive_probes)" 127
}

# flow-stats-interval: default 15, 0..86400 in kztctl and in the kernel.
test_flow_stats_interval() {
	local out rc ka
	ka=$(cfg "$A" keepalive_idle_s)
	expect_eq "default" "$(cfg "$A" flow_stats_interval_s)" 15 &&
	ip netns exec "$A" kztctl config set flow-stats-interval 0 || return 1
	expect_eq "0" "$(cfg "$A" flow_stats_interval_s)" 0 &&
	expect_match "text" "$(ip netns exec "$A" kztctl config show)" \
		"flow-stats-interval: 0 s \(off\)" &&
	ip netns exec "$A" kztctl config set flow_stats_interval_s 86400 || return 1
	expect_eq "86400" "$(cfg "$A" flow_stats_interval_s)" 86400 &&
	expect_eq "others kept" "$(cfg "$A" keepalive_idle_s)" "$ka" &&
	raw_reject "86401" "integer out of range" 10:u32=86401 &&
	raw_reject "as u16" "invalid attribute length" 10:u16=15 || return 1
	out=$(ip netns exec "$A" kztctl config set flow-stats-interval 86401 2>&1)
	rc=$?
	expect_eq "kztctl 86401: exit" "$rc" 1 &&
	expect_match "kztctl 86401: message" "$out" \
		"invalid flow-stats-interval '86401': out of range \(expected 0..86400" &&
	expect_eq "kztctl 86401: unchanged" "$(cfg "$A" flow_stats_interval_s)" 86400
}

# kztctl refuses the same values before sending, naming the field.
test_timeouts_kztctl_range() {
	local before out rc args

	before=$(ip netns exec "$A" kztctl -j config show)
	for args in "handshake-timeout 99" "handshake-timeout 600001" \
		    "handshake-timeout 1s" "idle-timeout 604801" "idle-timeout -1" \
		    "tunnel-port 20000 idle-timeout 604801"; do
		# shellcheck disable=SC2086
		out=$(ip netns exec "$A" kztctl config set $args 2>&1)
		rc=$?
		expect_eq "'$args' exit" $rc 1 || return 1
		expect_match "'$args' message" "$out" "invalid ${args% *}|invalid idle-timeout" || return 1
		expect_eq "'$args' config after" \
			"$(ip netns exec "$A" kztctl -j config show)" "$before" || return 1
	done
	out=$(ip netns exec "$A" kztctl config set handshake-timeout 99 2>&1)
	expect_match "range in message" "$out" "expected 100\.\.600000"
}

test_keepalive_kztctl_range() {
	local before out rc args words

	before=$(ip netns exec "$A" kztctl -j config show)
	for args in "keepalive-idle 32768" "keepalive-idle -1" \
		    "keepalive-interval 0" "keepalive-interval 32768" \
		    "keepalive-probes 0" "keepalive-probes 128" "keepalive-probes 9x" \
		    "keepalive-idle 60 keepalive-probes 0"; do
		# shellcheck disable=SC2086
		out=$(ip netns exec "$A" kztctl config set $args 2>&1)
		rc=$?
		expect_eq "'$args' exit" $rc 1 || return 1
		# The message names the field at fault: the last one given.
		read -ra words <<< "$args"
		expect_match "'$args' message" "$out" "invalid ${words[-2]} '${words[-1]}'" || return 1
		expect_eq "'$args' config after" \
			"$(ip netns exec "$A" kztctl -j config show)" "$before" || return 1
	done
	out=$(ip netns exec "$A" kztctl config set keepalive-probes 128 2>&1)
	expect_match "range in message" "$out" "expected 1\.\.127 probes"
}

test_isolation() {
	ip netns exec "$A" kztctl config set tunnel-port 17001 capture on || return 1
	ip netns exec "$B" kztctl config set tunnel-port 17002 capture off || return 1
	kztctl config set tunnel-port 17000 || return 1
	expect_eq "node-a port" "$(cfg "$A" tunnel_port)" 17001 &&
	expect_eq "node-a capture" "$(cfg "$A" capture)" true &&
	expect_eq "node-b port" "$(cfg "$B" tunnel_port)" 17002 &&
	expect_eq "node-b capture" "$(cfg "$B" capture)" false &&
	expect_eq "init_net port" "$(kztctl -j config show | json_get tunnel_port)" 17000
}

# Writers in many namespaces at once, each reading back its own values.
test_parallel() {
	local i pids=() ns

	for i in $(seq 1 6); do
		ns=$(ns_create "par-$i") || return 1
		(
			for p in $(seq $((i * 1000)) $((i * 1000 + $(scale 10)))); do
				ip netns exec "$ns" kztctl config set tunnel-port "$p" || exit 1
				got=$(cfg "$ns" tunnel_port)
				[ "$got" = "$p" ] || { echo "$ns: got $got want $p"; exit 1; }
			done
		) &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || return 1
	done
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "config: load kzt" 1; exit $RET; }
A=$(ns_create node-a)
B=$(ns_create node-b)

run_test "config: defaults in a new namespace" test_defaults
run_test "config: set/get round-trip of every field" test_roundtrip
run_test "config: a partial set keeps the other fields" test_partial_set
run_test "config: timeouts round-trip, one without the other" test_timeouts_roundtrip
run_test "config: kernel refuses out-of-range timeouts, nothing changed" test_timeouts_kernel_range
run_test "config: kztctl refuses out-of-range timeouts, nothing sent" test_timeouts_kztctl_range
run_test "config: keepalive values round-trip, one without the others" test_keepalive_roundtrip
run_test "config: kernel refuses out-of-range keepalive values, nothing changed" test_keepalive_kernel_range
run_test "config: kztctl refuses out-of-range keepalive values, nothing sent" test_keepalive_kztctl_range
run_test "config: flow-stats-interval: default, range in kztctl and kernel" \
	test_flow_stats_interval
run_test "config: namespaces are isolated from each other" test_isolation
run_test --debug "config: parallel writers in 6 namespaces" test_parallel
exit $RET
