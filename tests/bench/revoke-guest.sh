#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Revocation figures of the control-plane benchmark (Documentation/bench.rst),
# run by control-plane-guest.sh in the same boot, or alone in a guest:
#
#   tests/bench/revoke-guest.sh [--flows N] [--reps R]
#
# The two-node mesh of tests/selftests/mesh-lib.sh; pod a1 (node1) holds N
# idle tunnelled flows to pod b1 (node2), half on port P1, half on P2
# (tests/bench/kzt-holdconns, one epoll loop on each side). Then, on node2
# (b1's node, whose policies decide):
#
#   1. a commit that revokes nothing (policy add of a DENY that matches no
#      flow, and its del), R times each, with no flow and with N flows:
#      the command's wall time, and the guest CPU (all vCPUs, /proc/stat)
#      from the command until the guest is idle again, the sweep of every
#      flow included; and their ratios;
#   2. a DENY of port P1: N/2 of N flows revoked; the time from just before
#      the command to the first and the last reset seen by a1's loop;
#   3. the DENY removed, N/2 flows opened again, a DENY of a1's identity:
#      all N revoked, the same times.
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
export PATH=$ROOT/tests/bench:$PATH

flows=2000 reps=5
while [ $# -gt 0 ]; do
	case $1 in
	--flows) flows=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	*) echo "usage: $0 [--flows N] [--reps R]" >&2; exit 1 ;;
	esac
done
half=$((flows / 2))
P1=7401 P2=7402
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

now() { date +%s.%N; }
nap_init

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# commit_cost NAME: R times a no-op policy add and its del on node2; prints
# "WALL_MS CPU_MS" medians over the 2R commits. CPU is from the command
# until the guest is idle again, less what an idle guest burns meanwhile.
commit_cost() {
	local _ c0 t0 t1 t2 walls=() cpus=() op
	# Not measured: the first kztctl of a boot reads it over 9p.
	mesh_kztctl 2 policy add bench/noop action deny scope workloads \
		"$(mesh_id b1)" rule principal "$MESH_TD/ns/bench/sa/nobody"
	mesh_kztctl 2 policy del bench/noop
	wait_idle
	for _ in $(seq "$reps"); do
		for op in add del; do
			cpu_now
			c0=$CPU t0=$(now_ms)
			if [ $op = add ]; then
				mesh_kztctl 2 policy add bench/noop action deny scope workloads \
					"$(mesh_id b1)" rule principal "$MESH_TD/ns/bench/sa/nobody"
			else
				mesh_kztctl 2 policy del bench/noop
			fi
			t1=$(now_ms)
			wait_idle
			cpu_now
			t2=$(now_ms)
			walls+=($((t1 - t0)))
			cpus+=($((CPU - c0 - (t2 - t0) * IDLE_PER_S / 1000)))
		done
	done
	echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median)"
}

# The CPU an idle guest burns per second, in ms (this script's polling).
idle_rate() {
	local c0 _
	wait_idle
	cpu_now
	c0=$CPU
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		nap
	done
	cpu_now
	echo $(((CPU - c0) / 2))
}

nr_open() { # a1's flows established end to end so far
	grep -c '^[0-9]*$' "$DIR/open"
}

nr_ended() { # nr_ended PORT
	awk -v p="$1" '$1 == p' "$DIR/ended" | wc -l
}

# revoke NAME PORTS EXPECT CMD...: run CMD on node2; wait for EXPECT flows
# of PORTS (a regex) to end; print "FIRST_MS LAST_MS" after CMD's start.
revoke() {
	local expect=$2 re=$3 t0
	shift 3
	: > "$DIR/ended.before"
	cp "$DIR/ended" "$DIR/ended.before"
	t0=$(now)
	"$@" || return 1
	busywait 600000 sh -c "[ \$(grep -cE '^($re) ' '$DIR/ended') -ge \$(( \$(grep -cE '^($re) ' '$DIR/ended.before') + $expect )) ]" ||
		{ echo "not all $expect flows ended" >&2; return 1; }
	diff "$DIR/ended.before" "$DIR/ended" | sed -n 's/^> //p' |
		awk -v t0="$t0" '{ d = ($2 - t0) * 1000; if (NR == 1 || d < f) f = d; if (d > l) l = d }
			END { printf "%d %d\n", f, l }'
}

_opened() { # _opened COUNT: COUNT flows open; progress every 100
	local n
	n=$(nr_open)
	if [ $((n / 100)) -ne "${_LAST_HUNDRED:-0}" ]; then
		_LAST_HUNDRED=$((n / 100))
		step "$n open, $(grep -c failed "$DIR/open") attempts failed"
	fi
	[ "$n" -ge "$1" ]
}

# open_flows COUNT: a1's loop opens COUNT more; wait until they are all
# established end to end (the server's byte arrived).
open_flows() {
	local before
	before=$(nr_open)
	echo "$1" > "$DIR/more"
	busywait 1800000 _opened $((before + $1)) ||
		{ echo "only $(nr_open) flows opened" >&2; return 1; }
}

kzt_unload 2>/dev/null
step "mesh up"
mesh_up || { echo "mesh_up failed" >&2; exit 1; }
DIR=$MESH_DIR/hold
mkdir -p "$DIR"
: > "$DIR/open"
: > "$DIR/ended"
ip netns exec "$(mesh_ns b1)" kzt-holdconns serve $P1 $P2 &
PIDS+=($!)
busywait 10000 in_pod b1 sh -c "ss -Hltn 'sport = :$P2' | grep -q ."
# Handshakes queue in kztd while flows open: no deadline on a loaded host.
mesh_kztctl 1 config set handshake-timeout 60000
mesh_kztctl 2 config set handshake-timeout 60000
IDLE_PER_S=$(idle_rate)
step "idle guest: $IDLE_PER_S ms of CPU per s; no-op commits, no flows"

read -r noop0_wall noop0_cpu <<<"$(commit_cost)"

mem0=$(kmem_kib)
ip netns exec "$(mesh_ns a1)" kzt-holdconns connect "${MESH_IP[b1]}" "$P1,$P2" 0 "$DIR" 16 &
PIDS+=($!)
busywait 10000 test -p "$DIR/more"
step "opening $flows flows"
t0=$(now_ms)
open_flows "$flows" || exit 1
open_ms=$(( $(now_ms) - t0 ))
wait_idle
mem1=$(kmem_kib)
live1=$(mesh_kztctl 1 -j conn | jq '[.connections[] | select(.state == "established")] | length')

step "no-op commits, $(nr_open) flows"
read -r noopN_wall noopN_cpu <<<"$(commit_cost)"
step "deny port $P1"

read -r half_first half_last <<<"$(revoke half "$half" "$P1" \
	mesh_kztctl 2 policy add bench/deny-p1 action deny scope workloads "$(mesh_id b1)" rule port $P1)"
others_ended=$(nr_ended $P2)

mesh_kztctl 2 policy del bench/deny-p1
step "opening $half flows again"
open_flows "$half" || exit 1
wait_idle
step "deny a1"
read -r all_first all_last <<<"$(revoke all "$flows" "$P1|$P2" \
	mesh_kztctl 2 policy add bench/deny-a1 action deny scope workloads "$(mesh_id b1)" \
	rule principal "$MESH_TD/ns/${MESH_SA[a1]}")"
revoked=$(mesh_stat 2 flows_revoked)

ratio() { awk "BEGIN { printf \"%.2f\", $1 / ($2 > 0 ? $2 : 1) }"; }

printf '\nkzt revocation benchmark, kernel %s, %s vCPU (TCG), %s live flows\n\n' \
	"$(uname -r)" "$(nproc)" "$flows"
printf '%-52s %10s %10s %7s\n' "what" "no flows" "$flows flows" "ratio"
printf '%-52s %7s ms %7s ms %7s\n' "no-op commit: kztctl wall time (median)" \
	"$noop0_wall" "$noopN_wall" "$(ratio "$noopN_wall" "$noop0_wall")"
printf '%-52s %7s ms %7s ms %7s\n' "no-op commit: guest CPU until idle (median)" \
	"$noop0_cpu" "$noopN_cpu" "$(ratio "$noopN_cpu" "$noop0_cpu")"
printf '\n%-52s %10s\n' "flows opened (a1 -> b1, end to end)" "$(nr_open)"
printf '%-52s %7s ms %s/s\n' "  time to open $flows" "$open_ms" \
	"$(awk "BEGIN { printf \"%.1f\", $flows * 1000 / $open_ms }")"
printf '%-52s %10s\n' "  node1 lists established" "$live1"
printf '%-52s %6s KiB\n' "  kernel memory per flow (both nodes, pods' sockets)" \
	"$(( (mem1 - mem0) / flows ))"
printf '%-52s %7s ms\n' "deny port $P1 ($half of $flows revoked): first reset" "$half_first"
printf '%-52s %7s ms\n' "  last reset" "$half_last"
printf '%-52s %10s\n' "  flows of port $P2 ended meanwhile" "$others_ended"
printf '%-52s %7s ms\n' "deny a1 (all $flows revoked): first reset" "$all_first"
printf '%-52s %7s ms\n' "  last reset" "$all_last"
printf '%-52s %7s us\n' "  per revoked flow ((last - first) / flows)" \
	"$(( (all_last - all_first) * 1000 / flows ))"
printf '%-52s %10s\n' "node2 flows_revoked" "$revoked"

mkdir -p "$OUT"
cat > "$OUT/revoke.json" <<EOT
{"kernel":"$(uname -r)","vcpus":$(nproc),"flows":$flows,"open_ms":$open_ms,
 "kernel_memory_per_flow_kib":$(( (mem1 - mem0) / flows )),
 "noop_commit_wall_ms":{"no_flows":$noop0_wall,"flows":$noopN_wall},
 "noop_commit_cpu_ms":{"no_flows":$noop0_cpu,"flows":$noopN_cpu},
 "revoke_half":{"revoked":$half,"first_reset_ms":$half_first,"last_reset_ms":$half_last,"others_ended":$others_ended},
 "revoke_all":{"revoked":$flows,"first_reset_ms":$all_first,"last_reset_ms":$all_last}}
EOT
echo "wrote tests/out/bench/revoke.json"
