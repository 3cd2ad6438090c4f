#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of tests/bench/datapath.sh: the two-node mesh of
# tests/selftests/mesh-lib.sh, and four ways to carry pod a1's TCP to pod b1,
# each measured with the same client and server (kzt-bench) in this boot:
#
#   plain    routed pod to pod, no encryption (kzt capture off)
#   ktls     bare kTLS between the two nodes: two sockets with TLS_TX/TLS_RX
#            and no proxy hop (kzt-tlspair): the ceiling of any encrypted
#            path here; it has no pods and no handshake per connection
#   kzt      kzt: capture, kTLS tunnel, in-kernel pump on both nodes
#   stunnel  a userspace TLS 1.3 mTLS proxy pair (stunnel4), same cipher
#
# For each: bulk throughput (BYTES in one stream, median of REPS), guest
# CPU seconds per GB moved (all CPUs, from /proc/stat over the bulk runs),
# 1-byte ping-pong round trip p50/p99, and new connections per second.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tests/selftests/lib.sh"
source "$ROOT/tests/selftests/mesh-lib.sh"
export PATH=$ROOT/tests/bench:$ROOT/tests/selftests:$PATH
NS_PREFIX=bench-

bytes=$((256 << 20)) reps=3 pings=2000 conns=50
cipher=TLS_AES_128_GCM_SHA256
paths="plain ktls kzt stunnel"
while [ $# -gt 0 ]; do
	case $1 in
	--bytes) bytes=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--pings) pings=$2; shift 2 ;;
	--conns) conns=$2; shift 2 ;;
	--paths) paths=$2; shift 2 ;;
	--cipher) cipher=$2; shift 2 ;;
	*) echo "usage: $0 [--bytes B] [--reps N] [--pings N] [--conns N] [--paths 'plain ktls kzt stunnel'] [--cipher TLS_...]" >&2
	   exit 1 ;;
	esac
done

PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	mesh_down
	rmmod kzt 2>/dev/null
}
trap cleanup EXIT

bg() { "$@" & PIDS+=($!); }

# CPU jiffies of the whole guest (user+nice+system+irq+softirq) so far.
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

wait_port() { # wait_port NS PORT
	busywait 10000 in_pod "$1" sh -c "ss -Hltn 'sport = :$2' | grep -q ."
}

declare -A R=()

# measure PATH NS HOST PORT: the four figures of one path, from a client in
# netns NS to HOST:PORT.
measure() {
	local path=$1 ns=$2 host=$3 port=$4 i j0 j1 out mbits=()
	j0=$(cpu_jiffies)
	for i in $(seq "$reps"); do
		out=$(in_pod "$ns" kzt-bench bulk "$host" "$port" "$bytes") || return 1
		mbits+=("$(jq .mbit_s <<<"$out")")
	done
	j1=$(cpu_jiffies)
	R[$path.mbit_s]=$(printf '%s\n' "${mbits[@]}" | sort -n | sed -n "$(( (reps + 1) / 2 ))p")
	R[$path.cpu_s_per_gb]=$(awk -v j=$((j1 - j0)) -v hz="$(getconf CLK_TCK)" -v b="$bytes" -v r="$reps" \
		'BEGIN { printf "%.1f", (j / hz) / (b * r / 1e9) }')
	out=$(in_pod "$ns" kzt-bench pingpong "$host" "$port" "$pings") || return 1
	R[$path.rtt_p50_us]=$(jq .p50_us <<<"$out")
	R[$path.rtt_p99_us]=$(jq .p99_us <<<"$out")
	out=$(in_pod "$ns" kzt-bench connrate "$host" "$port" "$conns") || return 1
	R[$path.conn_s]=$(jq .per_second <<<"$out")
	echo "  $path: ${R[$path.mbit_s]} Mbit/s, ${R[$path.cpu_s_per_gb]} CPU-s/GB, RTT ${R[$path.rtt_p50_us]}/${R[$path.rtt_p99_us]} us, ${R[$path.conn_s]} conn/s" >&2
}

capture() { # capture on|off: kzt capture on both nodes
	mesh_kztctl 1 config set capture "$1" && mesh_kztctl 2 config set capture "$1"
}

path_plain() {
	capture off
	measure plain a1 "${MESH_IP[b1]}" 9000
}

# Bare kTLS has its own client and server (kzt-tlspair: kztd's engine for
# the handshake, then the keys set on both sockets from userspace), from
# node1 to node2 over the underlay: the same bytes and round trips.
path_ktls() {
	local short i j0 j1 out mbits=() tp=(kzt-tlspair --certs "$MESH_DIR/certs2"
		--addr "${MESH_UNDERLAY[2]}" --port 9100
		--server-netns "$(mesh_ns node2)" --client-netns "$(mesh_ns node1)" -j)
	case $cipher in
	TLS_AES_128_GCM_SHA256) short=aes128 ;;
	TLS_AES_256_GCM_SHA384) short=aes256 ;;
	TLS_CHACHA20_POLY1305_SHA256) short=chacha20 ;;
	esac
	tp+=(--cipher "$short")
	j0=$(cpu_jiffies)
	for i in $(seq "$reps"); do
		out=$("${tp[@]}" --stream "$bytes") || return 1
		mbits+=("$(jq .mbit_s <<<"$out")")
	done
	j1=$(cpu_jiffies)
	R[ktls.mbit_s]=$(printf '%s\n' "${mbits[@]}" | sort -n | sed -n "$(( (reps + 1) / 2 ))p")
	R[ktls.cpu_s_per_gb]=$(awk -v j=$((j1 - j0)) -v hz="$(getconf CLK_TCK)" -v b="$bytes" -v r="$reps" \
		'BEGIN { printf "%.1f", (j / hz) / (b * r / 1e9) }')
	out=$("${tp[@]}" --pingpong "$pings") || return 1
	R[ktls.rtt_p50_us]=$(jq .rtt_p50_us <<<"$out")
	R[ktls.rtt_p99_us]=$(jq .rtt_p99_us <<<"$out")
	R[ktls.conn_s]=null	# no handshake per connection: not comparable
	echo "  ktls: ${R[ktls.mbit_s]} Mbit/s, ${R[ktls.cpu_s_per_gb]} CPU-s/GB, RTT ${R[ktls.rtt_p50_us]}/${R[ktls.rtt_p99_us]} us" >&2
}

path_kzt() {
	capture on
	measure kzt a1 "${MESH_IP[b1]}" 9000
}

path_stunnel() {
	capture off
	local d=$MESH_DIR/stunnel c
	mkdir -p "$d"
	for c in client server; do
		cat > "$d/$c.conf" <<-EOF
		foreground = yes
		pid =
		debug = 3
		output = $d/$c.log
		[bench]
		$( [ $c = client ] && echo "client = yes" )
		accept = $( [ $c = client ] && echo "10.1.1.1:9200" || echo "${MESH_UNDERLAY[2]}:9201" )
		connect = $( [ $c = client ] && echo "${MESH_UNDERLAY[2]}:9201" || echo "${MESH_IP[b1]}:9000" )
		sslVersionMin = TLSv1.3
		ciphersuites = $cipher
		cert = $MESH_DIR/certs$( [ $c = client ] && echo 1/demo.client || echo 2/demo.server ).crt
		key = $MESH_DIR/certs$( [ $c = client ] && echo 1/demo.client || echo 2/demo.server ).key
		CAfile = $MESH_CA/ca.crt
		verifyChain = yes
		requireCert = yes
		sessionCacheSize = 1
		sessionCacheTimeout = 1
		options = NO_TICKET
		EOF
	done
	bg in_pod node2 stunnel4 "$d/server.conf"
	bg in_pod node1 stunnel4 "$d/client.conf"
	wait_port node1 9200 && wait_port node2 9201 || return 1
	measure stunnel a1 10.1.1.1 9200
}

mesh_up || { echo "mesh setup failed" >&2; exit 1; }
mesh_kztd_stop 1; mesh_kztd_stop 2
mesh_kztd_start 1 "ciphersuites = $cipher" && mesh_kztd_start 2 "ciphersuites = $cipher" || exit 1
bg in_pod b1 kzt-bench serve 9000
wait_port b1 9000 || exit 1

echo "kzt data-path benchmark: $(uname -r), $(nproc) vCPU (TCG), $cipher," \
	"bulk $((bytes >> 20)) MiB x $reps, $pings pings, $conns connections" >&2
for p in $paths; do
	"path_$p" || { echo "path $p failed" >&2; exit 1; }
done

ratio() { # ratio A B: A/B, or null
	awk -v a="${R[$1]:-null}" -v b="${R[$2]:-null}" \
		'BEGIN { if (a == "null" || b == "null" || b == 0) print "null"; else printf "%.2f", a / b }'
}

printf '\n%-9s %12s %14s %14s %14s %10s\n' path "bulk Mbit/s" "CPU-s per GB" "RTT p50 us" "RTT p99 us" "conn/s"
for p in $paths; do
	printf '%-9s %12s %14s %14s %14s %10s\n' "$p" "${R[$p.mbit_s]}" "${R[$p.cpu_s_per_gb]}" \
		"${R[$p.rtt_p50_us]}" "${R[$p.rtt_p99_us]}" "${R[$p.conn_s]}"
done
printf '\nkzt / bare kTLS: bulk %s (target >= 0.9), RTT p50 %s (target <= 1.3), CPU per GB %s (target <= 1.2)\n' \
	"$(ratio kzt.mbit_s ktls.mbit_s)" "$(ratio kzt.rtt_p50_us ktls.rtt_p50_us)" \
	"$(ratio kzt.cpu_s_per_gb ktls.cpu_s_per_gb)"
printf 'kzt / stunnel:   bulk %s, RTT p50 %s, CPU per GB %s, conn/s %s\n' \
	"$(ratio kzt.mbit_s stunnel.mbit_s)" "$(ratio kzt.rtt_p50_us stunnel.rtt_p50_us)" \
	"$(ratio kzt.cpu_s_per_gb stunnel.cpu_s_per_gb)" "$(ratio kzt.conn_s stunnel.conn_s)"

{
	printf '{"kernel":"%s","vcpus":%s,"cipher":"%s","bulk_bytes":%s,"reps":%s,"pings":%s,"conns":%s,"paths":{' \
		"$(uname -r)" "$(nproc)" "$cipher" "$bytes" "$reps" "$pings" "$conns"
	sep=
	for p in $paths; do
		printf '%s"%s":{"mbit_s":%s,"cpu_s_per_gb":%s,"rtt_p50_us":%s,"rtt_p99_us":%s,"conn_s":%s}' \
			"$sep" "$p" "${R[$p.mbit_s]:-null}" "${R[$p.cpu_s_per_gb]:-null}" \
			"${R[$p.rtt_p50_us]:-null}" "${R[$p.rtt_p99_us]:-null}" "${R[$p.conn_s]:-null}"
		sep=,
	done
	printf '},"ratios":{"kzt_ktls_bulk":%s,"kzt_ktls_rtt_p50":%s,"kzt_ktls_cpu_per_gb":%s,' \
		"$(ratio kzt.mbit_s ktls.mbit_s)" "$(ratio kzt.rtt_p50_us ktls.rtt_p50_us)" \
		"$(ratio kzt.cpu_s_per_gb ktls.cpu_s_per_gb)"
	printf '"kzt_stunnel_bulk":%s,"kzt_stunnel_rtt_p50":%s,"kzt_stunnel_cpu_per_gb":%s,"kzt_stunnel_conn_s":%s}}\n' \
		"$(ratio kzt.mbit_s stunnel.mbit_s)" "$(ratio kzt.rtt_p50_us stunnel.rtt_p50_us)" \
		"$(ratio kzt.cpu_s_per_gb stunnel.cpu_s_per_gb)" "$(ratio kzt.conn_s stunnel.conn_s)"
} > "$ROOT/tests/out/bench/datapath.json"
echo "wrote tests/out/bench/datapath.json"
