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
	[ -z "${KZTD:-}" ] || kill "$KZTD" 2>/dev/null || true
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

step "node1's workloads and policies come from one file (Documentation/apply.rst)"
# The node-side ends of two pods' veths: local workloads are believed on
# their own interface only.
ip -n node1 link add veth-web1 type veth peer name eth0-web1
ip -n node1 link add veth-client1 type veth peer name eth0-client1
run ip netns exec node1 kztctl apply -f "$ROOT/Documentation/examples/mesh.yaml"
run ip netns exec node1 kztctl workload list
run ip netns exec node1 kztctl policy list

step "The kernel decides each flow as the data path will (kztctl policy check)"
CLIENT=spiffe://cluster.local/ns/default/sa/client
WEB=spiffe://cluster.local/ns/default/sa/web
echo "# client -> web:80: allowed by the ALLOW policy of web"
run ip netns exec node1 kztctl policy check --src-id $CLIENT --src-ip 10.0.2.3 --dst 10.0.2.2 --port 80
echo "# client -> web:22: web has an ALLOW policy, and it does not cover port 22"
run ip netns exec node1 kztctl policy check --src-id $CLIENT --src-ip 10.0.2.3 --dst 10.0.2.2 --port 22
echo "# a plaintext peer from the legacy range -> web:80: the namespace DENY wins"
run ip netns exec node1 kztctl policy check --src-ip 10.0.9.9 --dst 10.0.2.2 --port 80
echo "# web -> db:5432: the mesh-wide DENY keeps all but namespace data out"
run ip netns exec node1 kztctl policy check --src-id $WEB --src-ip 10.0.2.2 --dst 10.0.3.2 --port 5432
echo "# node2 has no policies of its own: nodes are isolated"
run ip netns exec node2 kztctl policy list

step "A bad file names file, line and field, and changes nothing"
printf 'workloads:\n  - workloadIps: [10.0.2.300]\n    identity: %s\n    nodeIp: 192.168.0.3\n' \
	$WEB > "$TMP/bad.yaml"
run ip netns exec node1 kztctl apply -f "$TMP/bad.yaml" || true
run ip netns exec node1 kztctl workload show 10.0.2.2

step "Unload with nodes, tables and a daemon still around"
run rmmod kzt
kill "$KZTD"
wait "$KZTD" || true
KZTD=
echo "kzt unloaded cleanly."
