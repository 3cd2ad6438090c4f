#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad netlink input is rejected with the right errno and extack message, and
# changes nothing. Requests are hand-built by kzt-nlraw, bypassing kztctl's
# own checks, so this is what any process could send.
#
#   init_net (node 0): kzt loaded, configuration set to a known state
#   ns userns-* : a user namespace of an unprivileged user, with its own netns
source "$(dirname "$0")/lib.sh"

cleanup() {
	[ -z "$NOBODY_BIN" ] || rm -rf "$NOBODY_BIN"
	ns_cleanup
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd kzt-nlraw kzt-nlfuzz kztctl unshare setpriv

# The checkout may sit in a directory only root can enter (mktemp -d is
# 0700): user nobody runs its own copy of kzt-nlraw from a 0755 one.
NOBODY_BIN=$(mktemp -d)
chmod 755 "$NOBODY_BIN"
cp "$(command -v kzt-nlraw)" "$NOBODY_BIN/"
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

KNOWN_PORT=15555

state() {
	kztctl -j config show
}

# expect_reject NAME ERRNO EXTACK_REGEX -- KZT_NLRAW_ARGS...
expect_reject() {
	local name=$1 errno=$2 msg=$3 out before after
	shift 4
	before=$(state)
	out=$(kzt-nlraw "$@")
	after=$(state)
	expect_match "$name: reply" "$out" "^errno=$errno \\(" || return 1
	[ -z "$msg" ] || expect_match "$name: extack" "$out" "extack=\"$msg\"" || return 1
	expect_eq "$name: config after" "$after" "$before"
}

test_wrong_types() {
	expect_reject "port as u32" EINVAL "invalid attribute length" -- config-set 1:u32=15008 &&
	expect_reject "port as u8" EINVAL "invalid attribute length" -- config-set 1:u8=80 &&
	expect_reject "port as string" EINVAL "invalid attribute length" -- config-set 1:str=15008 &&
	expect_reject "capture as u32" EINVAL "invalid attribute length" -- config-set 2:u32=1 &&
	expect_reject "capture as flag" EINVAL "invalid attribute length" -- config-set 2:flag
}

test_out_of_range() {
	expect_reject "port 0" ERANGE "integer out of range" -- config-set 1:u16=0 &&
	expect_reject "capture 2" ERANGE "integer out of range" -- config-set 2:u8=2 &&
	expect_reject "capture 255" ERANGE "integer out of range" -- config-set 2:u8=255
}

# The first config attribute number this module does not know:
# __KZT_CONFIG_A_MAX, the number of entries of enum kzt_config_attr.
UNKNOWN=$(sed -n '/^enum kzt_config_attr {/,/^};/p' "$TOP/include/uapi/linux/kzt.h" |
	grep -c '^[[:space:]]*KZT_CONFIG_A_[A-Z0-9_]*,')

# A valid attribute next to a bad one: nothing of the request is applied.
test_all_or_nothing() {
	expect_reject "valid port, bad capture" ERANGE "integer out of range" \
		-- config-set 1:u16=20000 2:u8=7 &&
	expect_reject "valid capture, unknown attr" EINVAL "Unknown attribute type" \
		-- config-set 2:u8=1 "$UNKNOWN:u8=1"
}

test_unknown() {
	expect_reject "unknown attribute $UNKNOWN" EINVAL "Unknown attribute type" \
		-- config-set "$UNKNOWN:u8=1" &&
	expect_reject "unknown attribute 200" EINVAL "Unknown attribute type" -- config-set 200:u32=1 &&
	expect_reject "attribute 0" EINVAL "Unknown attribute type" -- config-set 0:u8=1 &&
	expect_reject "attribute on config-get" EINVAL "this command takes no attributes" -- config-get 1:u16=1 &&
	expect_reject "unknown attribute on config-get" EINVAL "Unknown attribute type" -- config-get "$UNKNOWN:u8=1" &&
	expect_reject "unknown command 99" EOPNOTSUPP "" -- 99
}

test_empty_set() {
	expect_reject "empty config-set" EINVAL "no configuration attribute given" -- config-set
}

test_valid_reference() {
	local out
	out=$(kzt-nlraw config-set 1:u16=15556 2:u8=1)
	expect_eq "valid raw request" "$out" ok || return 1
	expect_eq "applied port" "$(state | json_get tunnel_port)" 15556 || return 1
	expect_eq "applied capture" "$(state | json_get capture)" true || return 1
	kztctl config set tunnel-port $KNOWN_PORT capture off
}

# Root in its own user namespace owns that netns but is not CAP_NET_ADMIN
# in the initial user namespace: GENL_ADMIN_PERM refuses it.
test_userns() {
	local out
	out=$(as_nobody \
		unshare -Urn "$NOBODY_BIN/kzt-nlraw" config-set 1:u16=1000)
	expect_match "userns set" "$out" "^errno=EPERM \\(" || return 1
	out=$(as_nobody \
		unshare -Urn "$NOBODY_BIN/kzt-nlraw" config-get)
	expect_match "userns get" "$out" "^errno=EPERM \\("
}

test_unprivileged() {
	local before out
	before=$(state)
	out=$(as_nobody \
		"$NOBODY_BIN/kzt-nlraw" config-set 1:u16=1000)
	expect_match "nobody set" "$out" "^errno=EPERM \\(" || return 1
	expect_eq "config after" "$(state)" "$before"
}

# Random requests over every op (kzt-nlfuzz, from the YNL spec), in a netns
# of their own: each refused one must leave the state as it was, every one
# gets an answer, and the kernel logs no splat. Bounded in time: longer on
# the debug kernel, where KASAN and lockdep watch.
test_random_requests() {
	local secs=20 splats out ns
	[ "${KZT_CHECKS:-all}" != debug ] || secs=60
	ns=$(ns_create nlfuzz) || return 1
	splats=$(dmesg | grep -cE 'WARNING:|BUG:|KASAN|Oops')
	ip netns exec "$ns" kzt-nlfuzz --seconds $secs || return 1
	out=$(dmesg | grep -cE 'WARNING:|BUG:|KASAN|Oops')
	expect_eq "kernel splats" "$out" "$splats"
}

kzt_unload || skip_all "kzt is loaded and cannot be removed"
kzt_load || { log_test "netlink: load kzt" 1; exit $RET; }
kztctl config set tunnel-port $KNOWN_PORT capture off

run_test "netlink: a well-formed raw request is applied" test_valid_reference
run_test "netlink: wrong attribute types rejected, nothing changed" test_wrong_types
run_test "netlink: out-of-range values rejected, nothing changed" test_out_of_range
run_test --debug "netlink: a partly bad request applies nothing" test_all_or_nothing
run_test "netlink: unknown attributes and commands rejected" test_unknown
run_test "netlink: config-set without attributes rejected" test_empty_set
run_test --debug "netlink: root of a user namespace gets EPERM" test_userns
run_test "netlink: an unprivileged user gets EPERM" test_unprivileged
run_test --debug "netlink: random requests to every op, refused ones change nothing" test_random_requests
exit $RET
