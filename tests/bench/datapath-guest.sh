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
# CPU seconds per GB moved (all CPUs, from /proc/stat over each transfer),
# 1-byte ping-pong round trip p50/p99 (medians of REPS rounds of PINGS),
# and new connections per second. --profile also records a perf profile
# of a kzt bulk run and a kzt ping-pong run (tests/out/bench/perf-kzt-*.txt).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tests/selftests/lib.sh"
source "$ROOT/tests/selftests/mesh-lib.sh"
source "$ROOT/tests/bench/bench-lib.sh"
export PATH=$ROOT/tests/bench:$ROOT/tests/selftests:$PATH
NS_PREFIX=bench-

bytes=$((256 << 20)) reps=3 pings=2000 conns=50 profile=
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
	--profile) profile=1; shift ;;
	*) echo "usage: $0 [--bytes B] [--reps N] [--pings N] [--conns N] [--paths 'plain ktls kzt stunnel'] [--cipher TLS_...] [--profile]" >&2
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

# Bare kTLS has its own client and server (kzt-tlspair: kztd's engine for
# the handshake, then the keys set on both sockets from userspace), from
# node1 to node2 over the underlay: the same bytes and round trips. It has
# no pods and no handshake per connection, so no connection rate.
ktls_client() { # ktls_client bulk|pingpong ARG
	local short tp
	case $cipher in
	TLS_AES_128_GCM_SHA256) short=aes128 ;;
	TLS_AES_256_GCM_SHA384) short=aes256 ;;
	TLS_CHACHA20_POLY1305_SHA256) short=chacha20 ;;
	esac
	tp=(kzt-tlspair --certs "$MESH_DIR/certs2" --addr "${MESH_UNDERLAY[2]}" --port 9100
	    --server-netns "$(mesh_ns node2)" --client-netns "$(mesh_ns node1)" -j --cipher "$short")
	case $1 in
	# --stream sends ARG bytes and gets them echoed: 2 x ARG moved.
	bulk) "${tp[@]}" --stream "$2" | jq -c '. + {moved: (2 * .bytes)}' ;;
	pingpong) "${tp[@]}" --pingpong "$2" | jq -c '{p50_us: .rtt_p50_us, p99_us: .rtt_p99_us}' ;;
	esac
}

# client PATH bulk|pingpong|connrate ARG: one client run from pod a1 over
# PATH, as one JSON line: bulk {mbit_s, cpu_s, moved}, pingpong {p50_us,
# p99_us}, connrate {per_second}. cpu_s is the guest's busy CPU time over
# the transfer alone, read by the client.
client() {
	local path=$1 mode=$2 arg=$3 host=${MESH_IP[b1]} port=9000
	case $path in
	ktls) ktls_client "$mode" "$arg"; return ;;
	kzt) capture on || return 1 ;;
	plain) capture off || return 1 ;;
	stunnel) capture off || return 1; host=10.1.1.1 port=9200 ;;
	esac
	in_pod a1 kzt-bench "$mode" "$host" "$port" "$arg" | jq -c '. + {moved: .bytes}'
}

mesh_up || { echo "mesh setup failed" >&2; exit 1; }
mesh_kztd_stop 1; mesh_kztd_stop 2
mesh_kztd_start 1 "ciphersuites = $cipher" && mesh_kztd_start 2 "ciphersuites = $cipher" || exit 1
bg in_pod b1 kzt-bench serve 9000
wait_port b1 9000 || exit 1
case " $paths " in *" stunnel "*) start_stunnel || { echo "stunnel did not start" >&2; exit 1; } ;; esac

echo "kzt data-path benchmark: $(uname -r), $(nproc) vCPU (TCG), $cipher," \
	"bulk $((bytes >> 20)) MiB x $reps, $pings pings x $reps, $conns connections" >&2

# The host's speed drifts during a run (TCG on a shared machine), so the
# paths take turns: round i of every path before round i+1 of any.
declare -A OUT=() R=()
for mode in bulk pingpong; do
	arg=$bytes
	[ $mode = pingpong ] && arg=$pings
	for i in $(seq "$reps"); do
		echo "  $mode, round $i of $reps: $paths" >&2
		for p in $paths; do
			out=$(client "$p" "$mode" "$arg") && [ -n "$out" ] ||
				{ echo "path $p: $mode failed" >&2; exit 1; }
			OUT[$p.$mode]+=$out$'\n'
		done
	done
done
for p in $paths; do
	[ "$p" = ktls ] && continue
	OUT[$p.connrate]=$(client "$p" connrate "$conns") || { echo "path $p: connrate failed" >&2; exit 1; }
done

# profile MODE ARG: a flat kernel+user profile of the whole guest during
# one kzt client run (perf's software clock: TCG has no PMU). perf starts
# disabled and is enabled through its control FIFO, whose ack says it is
# recording: its start-up under TCG takes longer than a short run.
profile() {
	local data=$MESH_DIR/perf-$1.data ctl=$MESH_DIR/perf-ctl ack=$MESH_DIR/perf-ack
	local perf_pid c a line
	capture on || return 1
	rm -f "$ctl" "$ack" && mkfifo "$ctl" "$ack" || return 1
	perf record -q -a -e cpu-clock -D -1 --control "fifo:$ctl,$ack" -o "$data" 2>/dev/null &
	perf_pid=$!
	exec {c}<>"$ctl" {a}<>"$ack"
	echo enable >&$c
	read -r -t 60 -u $a line || { echo "perf did not start" >&2; kill "$perf_pid"; return 1; }
	client kzt "$1" "$2" > /dev/null
	kill -INT "$perf_pid"
	wait "$perf_pid"
	exec {c}>&- {a}<&-
	{
		perf report -i "$data" --stdio --no-children --sort comm 2>/dev/null |
			grep -v '^#\|^$' | head -12
		echo
		perf report -i "$data" --stdio --no-children --sort sym 2>/dev/null |
			grep -v '^#\|^$' | head -40
	} > "$ROOT/tests/out/bench/perf-kzt-$1.txt"
	echo "wrote tests/out/bench/perf-kzt-$1.txt" >&2
}
if [ -n "$profile" ]; then
	profile bulk "$bytes" && profile pingpong "$pings" || exit 1
fi

# median KEY LINES: the median of KEY over JSON lines.
median() { jq -s --arg k "$1" 'map(.[$k]) | sort | .[(length - 1) / 2 | floor]' <<<"$2"; }
for p in $paths; do
	R[$p.mbit_s]=$(median mbit_s "${OUT[$p.bulk]}")
	R[$p.cpu_s_per_gb]=$(jq -s 'map(.cpu_s) as $c | map(.moved) as $m |
		($c | add) / ($m | add) * 1e9 * 10 | round / 10' <<<"${OUT[$p.bulk]}")
	R[$p.rtt_p50_us]=$(median p50_us "${OUT[$p.pingpong]}")
	R[$p.rtt_p99_us]=$(median p99_us "${OUT[$p.pingpong]}")
	R[$p.conn_s]=$(jq '.per_second // null' <<<"${OUT[$p.connrate]:-null}")
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
