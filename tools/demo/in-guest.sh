#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest half of `make demo`: narrates each step, then runs it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export PATH=$ROOT/tools/kztctl:$ROOT/daemon:$PATH
TMP=$(mktemp -d)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

cleanup() {
	[ -n "${KZTD:-}" ] && kill "$KZTD" 2>/dev/null
	ip netns del node1 2>/dev/null || true
	ip netns del node2 2>/dev/null || true
	rmmod kzt 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

step "A guest running Debian's kernel $(uname -r); load kzt.ko"
run insmod "$ROOT/kmod/kzt.ko"
run kztctl status

step "Two nodes: each network namespace gets its own kzt state"
run ip netns add node1
run ip netns add node2

step "node1 runs kztd with a config file; kztd applies it to the kernel"
printf 'tunnel_port = 15008\ncapture = on\nlog_level = info\n' > "$TMP/node1.conf"
run cat "$TMP/node1.conf"
ip netns exec node1 kztd -c "$TMP/node1.conf" --log stderr 2>> "$TMP/kztd.log" &
KZTD=$!
until grep -q "config:" "$TMP/kztd.log"; do sleep 0.1; done
show_kztd_log() { echo "kztd (node1) logged:"; sed 's/^/    /' "$TMP/kztd.log"; : > "$TMP/kztd.log"; }
show_kztd_log

step "node2 is configured by the operator with kztctl"
run ip netns exec node2 kztctl config set tunnel-port 15009

step "Each node shows its own configuration"
run ip netns exec node1 kztctl config show
run ip netns exec node2 kztctl config show
run ip netns exec node2 kztctl -j config show

step "A change on node1 reaches its kztd as a netlink notification"
run ip netns exec node1 kztctl config set tunnel-port 15010
until grep -q "15010" "$TMP/kztd.log"; do sleep 0.1; done
show_kztd_log

step "Bad input is refused with a reason, and nothing changes"
run ip netns exec node1 kztctl config set tunnel-port 0 || true
run ip netns exec node1 kztctl config show

step "Unload with nodes and a daemon still around"
run rmmod kzt
kill "$KZTD"
wait "$KZTD" || true
echo "kzt unloaded cleanly."
