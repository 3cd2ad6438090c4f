#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Handshake bursts (Documentation/handshake.rst, "Bursts"): pod a1 (node1)
# opens N idle connections at once to pod b1 (node2) over the two-node
# mesh of tests/selftests/mesh-lib.sh (tests/bench/kzt-holdconns, every
# connection started at once: INFLIGHT = N). For each N of the list, in
# this one boot: how many were established end to end (b1's byte came
# back), how many failed (each connection is tried once), the handshake
# counters of both nodes, the time until the last one ended either way,
# and the rate. The node config is the default one (handshake-timeout
# 10 s); the module's hs_queue_timeout_ms (where it exists) is set to its
# longest, 600 s, so that the rate alone decides how long a burst takes.
# Run in a guest:
#
#   tools/vm/kzt-vm -- tests/bench/burst-guest.sh [N...]   (300 400 1000)
#
# Numbers only; nothing here asserts on time.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/selftests/lib.sh
source "$ROOT/tests/selftests/lib.sh"
# shellcheck source=tests/selftests/mesh-lib.sh
source "$ROOT/tests/selftests/mesh-lib.sh"
export PATH=$ROOT/tests/bench:$PATH

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(300 400 1000)
PORT=7401
PIDS=()
OUT=$ROOT/tests/out/bench

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	mesh_down
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

step() { echo "# $(date +%T) $*" >&2; }
now_ms() { date +%s%3N; }
stat_sum() { # stat_sum NAME: the counter on node1 plus node2 (0 if none)
	local a b
	a=$(mesh_stat 1 "$1" 2>/dev/null) b=$(mesh_stat 2 "$1" 2>/dev/null)
	echo $(( ${a:-0} + ${b:-0} ))
}
nr_lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
_all_ended() { [ "$(nr_lines "$DIR/open")" -ge "$1" ]; }
_no_conn() { # no flow of node1 is live (ended ones stay listed a while)
	[ "$(mesh_kztctl 1 -j conn |
	     jq '[.connections[] | select(.state | test("^(connecting|handshake|header|established)$"))] | length')" -eq 0 ]
}

kzt_unload 2>/dev/null
step "mesh up"
mesh_up || { echo "mesh_up failed" >&2; exit 1; }
qt=/sys/module/kzt/parameters/hs_queue_timeout_ms
[ ! -w $qt ] || echo 600000 > $qt
# One pod opens every connection, and the flows of a burst may still be
# ending during the next: its outbound limits above all bursts together.
total=0
for n in "${sizes[@]}"; do total=$((total + n)); done
for p in max_outbound_handshakes_per_source max_outbound_flows_per_source; do
	[ ! -w /sys/module/kzt/parameters/$p ] || echo "$total" > /sys/module/kzt/parameters/$p
done
in_pod b1 kzt-holdconns serve $PORT &
PIDS+=($!)
busywait 10000 in_pod b1 sh -c "ss -Hltn 'sport = :$PORT' | grep -q ."

rows=()
for n in "${sizes[@]}"; do
	DIR=$MESH_DIR/burst$n
	mkdir -p "$DIR"
	to0=$(stat_sum hs_timeout) full0=$(stat_sum hs_queue_full)
	step "burst of $n"
	t0=$(now_ms)
	in_pod a1 kzt-holdconns connect "${MESH_IP[b1]}" $PORT "$n" "$DIR" "$n" once &
	pid=$!
	# Each connection ends up in DIR/open: established, or "failed".
	busywait 900000 _all_ended "$n"
	ms=$(( $(now_ms) - t0 ))
	est=$(grep -c '^[0-9]*$' "$DIR/open")
	failed=$(grep -c failed "$DIR/open")
	to=$(( $(stat_sum hs_timeout) - to0 ))
	full=$(( $(stat_sum hs_queue_full) - full0 ))
	rows+=("$n $est $failed $full $to $ms")
	step "$n: $est established, $failed failed in $ms ms"
	sed -n 's/^[0-9]* failed //p' "$DIR/open" | sort | uniq -c | sed 's/^/#   pod saw: /' >&2
	for node in 1 2; do
		echo "#   node$node: $(mesh_kztctl $node -j stats | jq -c 'with_entries(select(.value != 0 and (.key | test("^hs_|^tunnel|^header|^status|^flows_opened|^flows_source_limit"))))')" >&2
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	busywait 60000 _no_conn || step "node1 still lists live connections"
done

printf '\nkzt handshake bursts, kernel %s, %s vCPU (TCG), one pod to one pod\n\n' \
	"$(uname -r)" "$(nproc)"
printf '%6s %12s %8s %12s %11s %9s %10s %12s\n' N established failed \
	refused_full hs_timeout seconds "est/s" "s per 100"
json=
for r in "${rows[@]}"; do
	read -r n est failed full to ms <<<"$r"
	printf '%6s %12s %8s %12s %11s %9s %10s %12s\n' "$n" "$est" "$failed" "$full" "$to" \
		"$(awk "BEGIN { printf \"%.1f\", $ms / 1000 }")" \
		"$(awk "BEGIN { printf \"%.1f\", $est * 1000 / ($ms > 0 ? $ms : 1) }")" \
		"$(awk "BEGIN { printf \"%.2f\", $ms / 10 / $n }")"
	json+="${json:+,}{\"n\":$n,\"established\":$est,\"failed\":$failed,\"refused_queue_full\":$full,\"hs_timeout\":$to,\"ms\":$ms}"
done
mkdir -p "$OUT"
echo "{\"kernel\":\"$(uname -r)\",\"vcpus\":$(nproc),\"bursts\":[$json]}" > "$OUT/burst.json"
echo "wrote tests/out/bench/burst.json"
