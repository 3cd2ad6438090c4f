#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of tests/bench/conns.sh: new connections and idle flows
# between pod a1 (node1) and pod b1 (node2) of the two-node mesh of
# tests/selftests/mesh-lib.sh, in one boot (Documentation/bench.rst, "New
# connections and idle flows"):
#
#   1. the underlay round trip: 1-byte TCP ping-pong node1 -> node2 between
#      the underlay addresses (kzt-bench pingpong, p50/p99);
#   2. sustained: SECS of back-to-back connections a1 -> b1 over kzt by
#      CONC clients (kzt-bench sustain); failed connections by errno, and
#      every SAMPLE s the TCP sockets to or from port 15008 (the tunnel
#      port) in node1's and node2's netns, every state but LISTEN
#      (TIME_WAIT among them);
#   3. new connections per second, one client after another (N) and CONC
#      clients at once (M in all), per path (plain, kzt, stunnel), each
#      connection a full connect, one byte each way, close; the time to
#      first byte (connect() start to the server's byte received) p50/p99;
#   4. kernel memory per idle established flow: F flows a1 -> b1 held open
#      (kzt-holdconns), over plain and over kzt; the growth per flow, and
#      what is left after they close (right after, and once no TIME_WAIT
#      socket and no conntrack entry is left);
#   5. with --scale N: N flows a1 -> b1 over kzt at most, opened within
#      --scale-cap seconds, the limits an operator would raise raised; where
#      and why it stopped, the rate, memory per flow, and after close.
#
# Numbers only; nothing here asserts on time.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/selftests/lib.sh
source "$ROOT/tests/selftests/lib.sh"
# shellcheck source=tests/selftests/mesh-lib.sh
source "$ROOT/tests/selftests/mesh-lib.sh"
# shellcheck source=tests/bench/bench-lib.sh
source "$ROOT/tests/bench/bench-lib.sh"
export PATH=$ROOT/tests/bench:$ROOT/tests/selftests:$PATH
NS_PREFIX=bench-

conns=50 conc=32 conc_conns=256 reps=1 pings=1000
sustain=60 sustain_conc=32 sample=5
flows=1000 scale=0 scale_cap=1800
cipher=TLS_AES_128_GCM_SHA256
paths="plain kzt stunnel"
usage() {
	cat >&2 <<-EOF
	usage: $0 [--conns N] [--conc C] [--conc-conns M] [--reps R] [--paths 'plain kzt stunnel']
	          [--sustain SECS] [--sustain-conc C] [--sample S] [--flows F]
	          [--scale N] [--scale-cap SECS] [--pings N] [--cipher TLS_...]
	EOF
	exit 1
}
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--conns) conns=$2 ;;
	--conc) conc=$2 ;;
	--conc-conns) conc_conns=$2 ;;
	--reps) reps=$2 ;;
	--paths) paths=$2 ;;
	--sustain) sustain=$2 ;;
	--sustain-conc) sustain_conc=$2 ;;
	--sample) sample=$2 ;;
	--flows) flows=$2 ;;
	--scale) scale=$2 ;;
	--scale-cap) scale_cap=$2 ;;
	--pings) pings=$2 ;;
	--cipher) cipher=$2 ;;
	*) usage ;;
	esac
	shift 2
done
OUT=$ROOT/tests/out/bench
P_CONN=9000 P_UND=9300 P_HOLD=7401

PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	mesh_down
	rmmod kzt 2>/dev/null
}
trap cleanup EXIT

# tunnel_socks NODE: "ALL TIME_WAIT": node's TCP sockets from or to port
# 15008, every state but LISTEN.
tunnel_socks() {
	in_pod "node$1" ss -Htan '( sport = :15008 or dport = :15008 )' |
		awk '$1 != "LISTEN" { n++ } $1 == "TIME-WAIT" { tw++ }
		     END { printf "%d %d\n", n, tw }'
}

# established NODE: flows the node lists established (kztctl conn).
established() {
	mesh_kztctl "$1" -j conn | jq '[.connections[] | select(.state == "established")] | length'
}

# path_capture PATH: kzt's capture on for kzt, off for the others. In the
# main shell (capture() remembers the state), not in $(client ...).
path_capture() {
	capture "$([ "$1" = kzt ] && echo on || echo off)"
}

# client PATH ARGS...: kzt-bench from pod a1 over PATH to b1's serve-conn;
# path_capture PATH first.
client() {
	local path=$1 host=${MESH_IP[b1]} port=$P_CONN
	shift
	[ "$path" = stunnel ] && host=10.1.1.1 port=9200
	in_pod a1 kzt-bench "$1" "$host" "$port" "${@:2}"
}

# leftovers [ct]: TIME_WAIT sockets in the mesh's netns; with "ct" their
# conntrack entries too (a closed TCP connection's stays 120 s).
leftovers() {
	local n ns
	n=$(for ns in node1 node2 a1 b1; do in_pod $ns ss -Htan state time-wait; done | wc -l)
	[ "${1:-}" = ct ] || { echo "$n"; return; }
	for ns in node1 node2 a1 b1; do
		n=$((n + $(in_pod $ns cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0)))
	done
	echo "$n"
}

_none_left() { [ "$(leftovers "$@")" -eq 0 ] || { sleep 1; return 1; }; }

# drained [ct]: no TIME_WAIT left in the mesh's netns (TCP's lasts 60 s),
# with "ct" no conntrack entry either, for the memory figures (at most
# 150 s); then the guest idle.
drained() {
	busywait 150000 _none_left "$@" || step "still $(leftovers "$@") TIME_WAIT sockets or conntrack entries"
	wait_idle
}

median() { jq -s --arg k "$1" 'map(.[$k]) | sort | .[(length - 1) / 2 | floor]' <<<"$2"; }
sum() { jq -s --arg k "$1" 'map(.[$k]) | add' <<<"$2"; }
ratio() { # ratio A B: A/B, or null
	awk -v a="${1:-null}" -v b="${2:-null}" \
		'BEGIN { if (a == "null" || b == "null" || b == 0) print "null"; else printf "%.3f", a / b }'
}

# hold_flows PATH COUNT CAP_S PORT INFLIGHT: pod a1 opens COUNT idle flows
# to b1:PORT over PATH within CAP_S; sets HOLD_PID, HOLD_DIR, HOLD_MS (the
# time to open them) and HOLD_N (flows open when it stopped).
hold_flows() {
	local path=$1 n=$2 cap=$3 port=$4 inflight=$5 t0 last=-1 still=0 tick=0 now
	HOLD_DIR=$MESH_DIR/hold-$path-$n
	mkdir -p "$HOLD_DIR"
	: > "$HOLD_DIR/open"
	: > "$HOLD_DIR/ended"
	path_capture "$path" || return 1
	t0=$(now_ms)
	ip netns exec "$(mesh_ns a1)" kzt-holdconns connect "${MESH_IP[b1]}" "$port" "$n" \
		"$HOLD_DIR" "$inflight" &
	HOLD_PID=$!
	PIDS+=("$HOLD_PID")
	# Until all are open, the cap, or 120 s without one more.
	while :; do
		HOLD_N=$(grep -c '^[0-9]*$' "$HOLD_DIR/open")
		now=$(now_ms)
		[ "$HOLD_N" -ge "$n" ] && break
		[ $((now - t0)) -ge $((cap * 1000)) ] && { HOLD_WHY="time cap ($cap s)"; break; }
		if [ "$HOLD_N" -eq "$last" ]; then
			still=$((still + 1))
			[ "$still" -ge 60 ] && { HOLD_WHY="no progress for 120 s"; break; }
		else
			still=0 last=$HOLD_N
		fi
		tick=$((tick + 1))
		[ $((tick % 15)) -ne 0 ] ||
			step "$path: $HOLD_N of $n open, $(grep -c failed "$HOLD_DIR/open") attempts failed"
		sleep 2
	done
	HOLD_MS=$(( $(now_ms) - t0 ))
	[ "$HOLD_N" -ge "$n" ] && HOLD_WHY="all open"
	return 0
}

# release_flows: end the holder; wait until no flow is left on either node
# and no TIME_WAIT in the mesh (60 s of TCP), at most 120 s.
release_flows() {
	kill "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
	busywait 120000 sh -c "[ \$(ip netns exec $(mesh_ns node1) kztctl -j conn | jq '.connections | length') -eq 0 ] &&
		[ \$(ip netns exec $(mesh_ns node2) kztctl -j conn | jq '.connections | length') -eq 0 ]" ||
		step "flows still listed 120 s after close"
	sleep 2
	MEM_CLOSED=$(settled_kmem_kib)
	TW_CLOSED=$(leftovers ct)
	drained ct
	MEM_DRAINED=$(settled_kmem_kib)
}

mesh_up || { echo "mesh setup failed" >&2; exit 1; }
mesh_kztd_stop 1; mesh_kztd_stop 2
mesh_kztd_start 1 "ciphersuites = $cipher" && mesh_kztd_start 2 "ciphersuites = $cipher" || exit 1
bg in_pod b1 kzt-bench serve-conn $P_CONN
bg in_pod b1 kzt-holdconns serve $P_HOLD
bg in_pod node2 kzt-bench serve $P_UND
wait_port b1 $P_CONN && wait_port b1 $P_HOLD && wait_port node2 $P_UND || exit 1
case " $paths " in *" stunnel "*) start_stunnel || { echo "stunnel did not start" >&2; exit 1; } ;; esac
mkdir -p "$OUT"

echo "kzt new-connection benchmark: $(uname -r), $(nproc) vCPU (TCG), $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB, $cipher;" \
	"load before start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

nap_init
# 1. Sustained connections over kzt, the tunnel sockets sampled.
SERIES=() SUS=null sus_hs=null
if [ "$sustain" -gt 0 ]; then
	step "sustained: $sustain s, $sustain_conc clients, kzt"
	capture on || exit 1
	wait_idle
	hs0=$(mesh_stat 1 hs_ok)
	SERIES+=("0 $(tunnel_socks 1) $(tunnel_socks 2)")
	client kzt sustain "$sustain" "$sustain_conc" > "$MESH_DIR/sustain.json" &
	spid=$!
	t0=$(now_ms)
	for i in $(seq $((sustain / sample))); do
		while [ $(( $(now_ms) - t0 )) -lt $((i * sample * 1000)) ]; do sleep 0.2; done
		SERIES+=("$((i * sample)) $(tunnel_socks 1) $(tunnel_socks 2)")
	done
	wait "$spid" || { echo "kzt-bench sustain failed" >&2; exit 1; }
	SERIES+=("end $(tunnel_socks 1) $(tunnel_socks 2)")
	SUS=$(cat "$MESH_DIR/sustain.json")
	sus_hs=$(( $(mesh_stat 1 hs_ok) - hs0 ))
fi

# 2. Connection rates and time to first byte, and the underlay round trip
# (node1 -> node2 between the underlay addresses, no kzt on that path); the
# paths take turns, each after the guest is idle.
declare -A SEQ=() CONC=()
UND=
for i in $(seq "$reps"); do
	drained
	step "round $i of $reps: underlay round trip"
	UND+=$(in_pod node1 kzt-bench pingpong "${MESH_UNDERLAY[2]}" $P_UND "$pings")$'\n' ||
		{ echo "underlay ping-pong failed" >&2; exit 1; }
	for p in $paths; do
		step "round $i of $reps: $p, $conns connections one after another, $conc_conns by $conc clients"
		path_capture "$p" || exit 1
		wait_idle
		out=$(client "$p" conns "$conns" 1) || { echo "path $p: conns failed" >&2; exit 1; }
		SEQ[$p]+=$out$'\n'
		out=$(client "$p" conns "$conc_conns" "$conc") || { echo "path $p: conns failed" >&2; exit 1; }
		CONC[$p]+=$out$'\n'
	done
done
und_p50=$(median p50_us "$UND") und_p99=$(median p99_us "$UND")
declare -A R=()
for p in $paths; do
	for k in per_second ttfb_p50_us ttfb_p99_us; do
		R[$p.seq.$k]=$(median $k "${SEQ[$p]}")
		R[$p.conc.$k]=$(median $k "${CONC[$p]}")
	done
	R[$p.seq.failed]=$(sum failed "${SEQ[$p]}")
	R[$p.conc.failed]=$(sum failed "${CONC[$p]}")
done

# 3. Kernel memory per idle established flow, plain and kzt.
declare -A M=()
if [ "$flows" -gt 0 ]; then
	for p in plain kzt; do
		step "$flows idle flows over $p"
		path_capture $p || exit 1
		drained ct
		M[$p.base]=$(settled_kmem_kib)
		hold_flows $p "$flows" 1200 $P_HOLD 16 || exit 1
		sleep 2
		M[$p.held]=$(settled_kmem_kib)
		M[$p.open]=$HOLD_N M[$p.open_ms]=$HOLD_MS
		M[$p.listed]=$([ $p = kzt ] && established 1 || echo null)
		release_flows
		M[$p.closed]=$MEM_CLOSED M[$p.tw_closed]=$TW_CLOSED M[$p.drained]=$MEM_DRAINED
		M[$p.per_flow]=$(awk -v a="${M[$p.base]}" -v b="${M[$p.held]}" -v n="$HOLD_N" \
			'BEGIN { printf "%.1f", n ? (b - a) / n : 0 }')
	done
fi

# 4. Scale: as many flows as the guest holds, up to N.
declare -A S=()
if [ "$scale" -gt 0 ]; then
	step "scale: up to $scale flows over kzt within $scale_cap s"
	# What an operator raises for that many flows from one pod: the
	# per-source flow limit (Documentation/datapath.rst), the listen
	# backlogs, the source ports of the pod and of the tunnels (node1);
	# kzt-holdconns raises its own RLIMIT_NOFILE.
	echo $((scale + 64)) > /sys/module/kzt/parameters/max_outbound_flows_per_source
	for ns in a1 b1 node1 node2; do
		in_pod $ns sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535 \
			net.ipv4.ip_local_port_range="1024 65535"
	done
	sysctl -qw fs.file-max=1048576 fs.nr_open=1048576
	bg in_pod b1 kzt-holdconns serve 7402
	wait_port b1 7402 || exit 1
	capture on || exit 1
	drained ct
	S[base]=$(settled_kmem_kib)
	hold_flows kzt "$scale" "$scale_cap" 7402 64 || exit 1
	S[why]=$HOLD_WHY S[open]=$HOLD_N S[open_ms]=$HOLD_MS
	S[failed]=$(grep -c failed "$HOLD_DIR/open")
	S[errors]=$(awk '$2 == "failed" { e[$3]++ } END { for (k in e) { printf "%s%s %d", s, k, e[k]; s = ", " } }' "$HOLD_DIR/open")
	S[hs_timeout]=$(( $(mesh_stat 1 hs_timeout) + $(mesh_stat 2 hs_timeout) ))
	S[listed]=$(established 1)
	S[mem_avail]=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
	sleep 2
	S[held]=$(settled_kmem_kib)
	release_flows
	S[closed]=$MEM_CLOSED S[drained]=$MEM_DRAINED
	S[per_flow]=$(awk -v a="${S[base]}" -v b="${S[held]}" -v n="${S[open]}" \
		'BEGIN { printf "%.1f", n ? (b - a) / n : 0 }')
fi

# The report.
printf '\nkzt new connections, %s, %s vCPU (TCG), %s\n' "$(uname -r)" "$(nproc)" "$cipher"
printf 'underlay round trip (TCP 1-byte ping-pong node1 -> node2): p50 %s us, p99 %s us\n\n' \
	"$und_p50" "$und_p99"
printf '%-9s %11s %14s %14s %9s %14s %14s %14s %9s\n' path "conn/s 1x" "TTFB p50 us" "TTFB p99 us" "failed" \
	"conn/s ${conc}x" "TTFB p50 us" "TTFB p99 us" "failed"
for p in $paths; do
	printf '%-9s %11s %14s %14s %9s %14s %14s %14s %9s\n' "$p" \
		"${R[$p.seq.per_second]}" "${R[$p.seq.ttfb_p50_us]}" "${R[$p.seq.ttfb_p99_us]}" "${R[$p.seq.failed]}" \
		"${R[$p.conc.per_second]}" "${R[$p.conc.ttfb_p50_us]}" "${R[$p.conc.ttfb_p99_us]}" "${R[$p.conc.failed]}"
done
r_seq=$(ratio "${R[kzt.seq.per_second]:-}" "${R[plain.seq.per_second]:-}")
r_conc=$(ratio "${R[kzt.conc.per_second]:-}" "${R[plain.conc.per_second]:-}")
ttfb_extra=$(awk -v k="${R[kzt.seq.ttfb_p50_us]:-null}" -v p="${R[plain.seq.ttfb_p50_us]:-null}" \
	'BEGIN { if (k == "null" || p == "null") print "null"; else printf "%.1f", k - p }')
printf '\nkzt / plain conn/s: one after another %s, %s at once %s (target >= 0.5 both)\n' \
	"$r_seq" "$conc" "$r_conc"
printf 'kzt TTFB p50 - plain TTFB p50 (one after another): %s us; underlay RTT p50 %s us (target: at most that)\n' \
	"$ttfb_extra" "$und_p50"

if [ "$sustain" -gt 0 ]; then
	printf '\nsustained, kzt, %s s, %s clients: %s connections (%s/s), %s failed %s, TTFB p50 %s us p99 %s us; node1 handshakes %s\n' \
		"$sustain" "$sustain_conc" "$(jq .connections <<<"$SUS")" "$(jq .per_second <<<"$SUS")" \
		"$(jq .failed <<<"$SUS")" "$(jq -c .errors <<<"$SUS")" "$(jq .ttfb_p50_us <<<"$SUS")" \
		"$(jq .ttfb_p99_us <<<"$SUS")" "$sus_hs"
	printf 'connections completed per %s s: %s\n' "$sample" "$(jq -c .ok_per_interval <<<"$SUS")"
	printf '%6s %14s %14s %14s %14s\n' "t (s)" "node1 :15008" "of which TW" "node2 :15008" "of which TW"
	for s in "${SERIES[@]}"; do
		# shellcheck disable=SC2086
		printf '%6s %14s %14s %14s %14s\n' $s
	done
	read -r sus_min1 sus_max1 sus_min2 sus_max2 < <(printf '%s\n' "${SERIES[@]}" |
		awk 'NR == 1 { a = b = $2; c = d = $4 } { if ($2 < a) a = $2; if ($2 > b) b = $2; if ($4 < c) c = $4; if ($4 > d) d = $4 }
		     END { print a, b, c, d }')
	printf 'underlay sockets on :15008: node1 min %s max %s, node2 min %s max %s (target: flat, bounded by %s concurrent flows)\n' \
		"$sus_min1" "$sus_max1" "$sus_min2" "$sus_max2" "$sustain_conc"
fi

if [ "$flows" -gt 0 ]; then
	printf '\n%-6s %7s %9s %12s %13s %14s %14s %16s\n' path flows "open s" "base KiB" "held +KiB" "KiB per flow" \
		"closed +KiB" "drained +KiB"
	for p in plain kzt; do
		printf '%-6s %7s %9s %12s %13s %14s %14s %16s\n' $p "${M[$p.open]}" \
			"$(awk -v m="${M[$p.open_ms]}" 'BEGIN { printf "%.1f", m / 1000 }')" "${M[$p.base]}" \
			"$((M[$p.held] - M[$p.base]))" "${M[$p.per_flow]}" \
			"$((M[$p.closed] - M[$p.base]))" "$((M[$p.drained] - M[$p.base]))"
	done
	printf 'kzt - plain per flow: %s KiB (kzt: four more TCP sockets per flow, on the nodes, and the flow itself); node1 listed %s established\n' \
		"$(awk -v a="${M[kzt.per_flow]}" -v b="${M[plain.per_flow]}" 'BEGIN { printf "%.1f", a - b }')" "${M[kzt.listed]}"
fi

if [ "$scale" -gt 0 ]; then
	printf '\nscale: %s of %s flows open over kzt in %s s (%s/s): %s; %s attempts failed %s; hs_timeout %s; node1 lists %s established; MemAvailable %s MiB\n' \
		"${S[open]}" "$scale" "$(awk -v m="${S[open_ms]}" 'BEGIN { printf "%.1f", m / 1000 }')" \
		"$(awk -v n="${S[open]}" -v m="${S[open_ms]}" 'BEGIN { printf "%.1f", n * 1000 / m }')" \
		"${S[why]}" "${S[failed]}" "(${S[errors]})" "${S[hs_timeout]}" "${S[listed]}" "${S[mem_avail]}"
	printf 'scale memory: base %s KiB, held +%s KiB (%s KiB per flow), right after close +%s KiB, drained (no TIME_WAIT, no conntrack entry) +%s KiB\n' \
		"${S[base]}" "$((S[held] - S[base]))" "${S[per_flow]}" "$((S[closed] - S[base]))" "$((S[drained] - S[base]))"
fi

# The JSON.
{
	printf '{"kernel":"%s","vcpus":%s,"cipher":"%s","conns":%s,"conc":%s,"conc_conns":%s,"reps":%s,' \
		"$(uname -r)" "$(nproc)" "$cipher" "$conns" "$conc" "$conc_conns" "$reps"
	printf '"underlay_rtt_us":{"p50":%s,"p99":%s},"paths":{' "$und_p50" "$und_p99"
	sep=
	for p in $paths; do
		printf '%s"%s":{"seq":{"conn_s":%s,"ttfb_p50_us":%s,"ttfb_p99_us":%s,"failed":%s},' "$sep" "$p" \
			"${R[$p.seq.per_second]}" "${R[$p.seq.ttfb_p50_us]}" "${R[$p.seq.ttfb_p99_us]}" "${R[$p.seq.failed]}"
		printf '"conc":{"conn_s":%s,"ttfb_p50_us":%s,"ttfb_p99_us":%s,"failed":%s}}' \
			"${R[$p.conc.per_second]}" "${R[$p.conc.ttfb_p50_us]}" "${R[$p.conc.ttfb_p99_us]}" "${R[$p.conc.failed]}"
		sep=,
	done
	printf '},"ratios":{"kzt_plain_conn_s_seq":%s,"kzt_plain_conn_s_conc":%s,"kzt_minus_plain_ttfb_p50_us":%s},' \
		"$r_seq" "$r_conc" "$ttfb_extra"
	printf '"sustain":'
	if [ "$sustain" -gt 0 ]; then
		printf '{"seconds":%s,"clients":%s,"client":%s,"node1_handshakes":%s,"sample_s":%s,"tunnel_sockets":[' \
			"$sustain" "$sustain_conc" "$SUS" "$sus_hs" "$sample"
		sep=
		for s in "${SERIES[@]}"; do
			# shellcheck disable=SC2086
			set -- $s
			printf '%s{"t":"%s","node1":%s,"node1_time_wait":%s,"node2":%s,"node2_time_wait":%s}' \
				"$sep" "$1" "$2" "$3" "$4" "$5"
			sep=,
		done
		printf ']},'
	else
		printf 'null,'
	fi
	printf '"idle_flows":'
	if [ "$flows" -gt 0 ]; then
		printf '{'
		sep=
		for p in plain kzt; do
			printf '%s"%s":{"flows":%s,"open_ms":%s,"base_kib":%s,"held_kib":%s,"per_flow_kib":%s,"closed_kib":%s,"leftovers_at_close":%s,"drained_kib":%s,"listed":%s}' \
				"$sep" $p "${M[$p.open]}" "${M[$p.open_ms]}" "${M[$p.base]}" "${M[$p.held]}" \
				"${M[$p.per_flow]}" "${M[$p.closed]}" "${M[$p.tw_closed]}" "${M[$p.drained]}" "${M[$p.listed]}"
			sep=,
		done
		printf '},'
	else
		printf 'null,'
	fi
	printf '"scale":'
	if [ "$scale" -gt 0 ]; then
		printf '{"target":%s,"cap_s":%s,"open":%s,"open_ms":%s,"stopped":"%s","failed":%s,"errors":"%s","hs_timeout":%s,"listed":%s,"mem_available_mib":%s,"base_kib":%s,"held_kib":%s,"per_flow_kib":%s,"closed_kib":%s,"drained_kib":%s}' \
			"$scale" "$scale_cap" "${S[open]}" "${S[open_ms]}" "${S[why]}" "${S[failed]}" "${S[errors]}" \
			"${S[hs_timeout]}" "${S[listed]}" "${S[mem_avail]}" "${S[base]}" "${S[held]}" "${S[per_flow]}" \
			"${S[closed]}" "${S[drained]}"
	else
		printf 'null'
	fi
	printf '}\n'
} > "$OUT/conns.json"
jq . "$OUT/conns.json" > /dev/null || echo "conns.json is not valid JSON" >&2
echo "wrote tests/out/bench/conns.json"
