#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest half of `make demo`: narrates each step, then runs it. The mesh is
# the one of the data-path selftests (tests/selftests/mesh-lib.sh).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tests/selftests/lib.sh"
source "$ROOT/tests/selftests/mesh-lib.sh"
NS_PREFIX=demo-

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
say() { printf '%s\n' "$*"; }
TCPDUMP= NGINX=()

cleanup() {
	[ -z "$TCPDUMP" ] || kill "$TCPDUMP" 2>/dev/null
	for p in "${NGINX[@]}"; do kill "$p" 2>/dev/null; done
	mesh_down 2>/dev/null
	rmmod kzt 2>/dev/null
	true
}
trap cleanup EXIT

nginx_in() { # nginx_in POD
	local dir=$MESH_DIR/nginx-$1
	mkdir -p "$dir"
	printf 'daemon off; pid %s/pid; error_log %s/err;\nevents {}\nhttp { access_log off; client_body_temp_path %s; server { listen 80; root %s; } }\n' \
		"$dir" "$dir" "$dir" "$MESH_DIR/www" > "$dir/conf"
	in_pod "$1" nginx -c "$dir/conf" &
	NGINX+=($!)
	busywait 5000 in_pod "$1" sh -c 'ss -Hltn "sport = :80" | grep -q .'
}

step "A guest running Debian's kernel $(uname -r); load kzt.ko"
run insmod "$ROOT/kmod/kzt.ko" || exit 1
run kztctl status

step "Two nodes, two pods each (network namespaces), joined by an underlay link"
sed -n '/^#   pod a1/,/^#   +----.*underlay/p' "$ROOT/tests/selftests/mesh-lib.sh" | sed 's/^# /    /'
say "Every pod gets a dev SPIFFE identity; each node's kztd holds the SVIDs of its own"
say "pods only. Commands as the setup runs them:"
say "  kztctl ca init --dir CA --trust-domain cluster.local"
say "  kztctl ca issue --ca CA spiffe://cluster.local/ns/demo/sa/client --out certs1   (and 3 more)"
say "  kztctl apply -f nodeN.yaml      (workloads: own pods on their veth, the others behind their node)"
say "  kztd -c kztdN.conf              (certs = certsN)"
mesh_up || { say "mesh setup failed"; tail -n 30 "$MESH_DIR"/kztd*.log; exit 1; }
run ls "$MESH_DIR/certs1"
run kztctl ca show "$MESH_DIR/certs1/demo.client.crt"
step "node1's view: its pods are local, node2's are reached through kzt/1"
run mesh_kztctl 1 workload list

step "Pods run ordinary servers; nothing in them knows about kzt"
mkdir -p "$MESH_DIR/www"
head -c 10485760 /dev/urandom > "$MESH_DIR/www/10M"
nginx_in b1
nginx_in a2
in_pod node1 tcpdump -i und -U -s 0 -w "$MESH_DIR/underlay.pcap" tcp 2>/dev/null &
TCPDUMP=$!
sleep 1
say "(tcpdump records node1's underlay link from now on)"

step "Across nodes: pod a1 (node1) fetches 10 MB from nginx in pod b1 (node2)"
MARKER="X-Demo-Marker: kzt-plaintext-canary"
run in_pod a1 curl -sS -H "$MARKER" -o "$MESH_DIR/got" -w 'HTTP %{http_code}, %{size_download} bytes in %{time_total} s\n' \
	"http://${MESH_IP[b1]}/10M"
run sha256sum "$MESH_DIR/www/10M" "$MESH_DIR/got"

step "The flows, as each node sees them (a slow download keeps one open)"
in_pod a1 curl -sS --limit-rate 1M -o /dev/null "http://${MESH_IP[b1]}/10M" &
SLOW=$!
busywait 10000 sh -c "ip netns exec $(mesh_ns node1) kztctl -j conn list | grep -q established"
run mesh_kztctl 1 conn list
run mesh_kztctl 2 conn list
kill "$SLOW" 2>/dev/null; wait "$SLOW" 2>/dev/null

step "On one node: pod a1 fetches from nginx in pod a2 (same identity checks, no tunnel)"
run in_pod a1 curl -sS -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes\n' "http://${MESH_IP[a2]}/10M"

step "A DENY policy on node2: the client identity may not reach b1"
cat > "$MESH_DIR/deny.yaml" <<EOF
policies:
  - name: deny-client-to-server
    namespace: demo
    scope: workloads
    workloads: [$(mesh_id b1)]
    action: deny
    rules:
      - from:
          - source: {principals: [cluster.local/ns/demo/sa/client]}
EOF
run cat "$MESH_DIR/deny.yaml"
run mesh_kztctl 2 apply -f "$MESH_DIR/deny.yaml"
run in_pod a1 curl -sS --max-time 10 -o /dev/null "http://${MESH_IP[b1]}/10M"
say "(refused at once: node2 checked a1's verified identity against its policies)"
run mesh_kztctl 2 policy del demo/deny-client-to-server

step "What crossed the underlay"
kill "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null; TCPDUMP=
run sh -c "tshark -r $MESH_DIR/underlay.pcap -q -z conv,tcp 2>/dev/null | sed -n '1,12p'"
say "TLS records seen (first 6):"
tshark -r "$MESH_DIR/underlay.pcap" -d tcp.port==15008,tls -Y tls -T fields \
	-e ip.src -e ip.dst -e tcp.dstport -e _ws.col.Protocol -e _ws.col.Info 2>/dev/null | head -6 | sed 's/^/    /'
if grep -qa "kzt-plaintext-canary" "$MESH_DIR/underlay.pcap"; then
	say "!! the marker header crossed the underlay in the clear"
else
	say "The marker header a1 sent is nowhere in the capture: no plaintext crossed."
fi

step "Node counters"
run mesh_kztctl 1 stats
run mesh_kztctl 2 stats

step "Unload kzt with the mesh still up"
mesh_kztd_stop 1; mesh_kztd_stop 2
run rmmod kzt && say "kzt unloaded cleanly."
