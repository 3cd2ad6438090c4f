#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of tests/bench/control-plane.sh: one node netns, kzt
# loaded fresh, everything measured in this one boot.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export PATH=$ROOT/tools/kztctl:$ROOT/tests/selftests:$PATH

workloads=10000 policies=1000 decisions=1000000 flows=2000
while [ $# -gt 0 ]; do
	case $1 in
	--workloads) workloads=$2; shift 2 ;;
	--policies) policies=$2; shift 2 ;;
	--decisions) decisions=$2; shift 2 ;;
	--flows) flows=$2; shift 2 ;;
	*) echo "usage: $0 [--workloads N] [--policies M] [--decisions D] [--flows F]" >&2; exit 1 ;;
	esac
done

tmp=$(mktemp -d)
ns=kzt-bench
trap 'ip netns del $ns 2>/dev/null || true; rm -rf "$tmp"' EXIT

now_ms() { date +%s%3N; }

# Kernel memory that module data can live in, in KiB: unreclaimable slab
# (kmalloc, rhashtable entries) plus vmalloc (large bucket arrays).
kmem_kib() {
	awk '/^SUnreclaim:/ { s = $2 } /^VmallocUsed:/ { v = $2 }
	     END { print s + v }' /proc/meminfo
}

settle() {
	sync
	sleep 2		# let RCU callbacks run and free what they hold
	echo 3 > /proc/sys/vm/drop_caches
	# Give back slab pages whose objects were all freed.
	for f in /sys/kernel/slab/*/shrink; do echo 1 > "$f"; done 2>/dev/null
}

# timed_ms CMD...: run CMD, print its wall time in ms
timed_ms() {
	local t0
	t0=$(now_ms)
	"$@" > /dev/null
	echo $(( $(now_ms) - t0 ))
}

"$ROOT/tests/bench/gen-mesh.py" --workloads "$workloads" --policies "$policies" \
	--queries 10000 --out "$tmp"
insmod "$ROOT/kmod/kzt.ko"
ip netns add $ns
in_ns() { ip netns exec $ns "$@"; }

settle
mem_before=$(kmem_kib)
apply_ms=$(timed_ms in_ns kztctl apply -f "$tmp/mesh.yaml")
settle
mem_after=$(kmem_kib)
reapply_ms=$(timed_ms in_ns kztctl apply --prune -f "$tmp/mesh.yaml")
got_w=$(in_ns kztctl -j workload list | jq '.workloads | length')
got_p=$(in_ns kztctl -j policy list | jq '.policies | length')
dump_w_ms=$(timed_ms in_ns kztctl -j workload list)
dump_p_ms=$(timed_ms in_ns kztctl -j policy list)

# The same loop, the same socket: config-get is the netlink floor. TCG's
# speed drifts with the host's load, so the two loops take turns in four
# rounds and each figure is the sum of its rounds.
floor_ms=0 check_ms=0 allow=0 deny=0 errors=0
field() { sed -nE "s/.*\\b$1=([0-9]+).*/\\1/p" <<<"$counts"; }
for round in 1 2 3 4; do
	t0=$(now_ms)
	in_ns kzt-checkloop --config-get --count $((decisions / 4)) > /dev/null
	floor_ms=$(( floor_ms + $(now_ms) - t0 ))
	t0=$(now_ms)
	counts=$(in_ns kzt-checkloop --queries "$tmp/queries.txt" --count $((decisions / 4)))
	check_ms=$(( check_ms + $(now_ms) - t0 ))
	allow=$((allow + $(field allow))) deny=$((deny + $(field deny)))
	errors=$((errors + $(field errors)))
done

ip netns del $ns
settle
rmmod kzt
settle
mem_unloaded=$(kmem_kib)

mem_kib=$(( mem_after - mem_before ))
floor_ns=$(( floor_ms * 1000000 / decisions ))
check_ns=$(( check_ms * 1000000 / decisions ))
decide_ns=$(( check_ns - floor_ns ))

printf '\nkzt control-plane benchmark, kernel %s, %s vCPU (TCG)\n\n' "$(uname -r)" "$(nproc)"
printf '%-44s %12s\n' "what" "figure"
printf '%-44s %12s\n' "workloads / policies applied (listed back)" "$got_w / $got_p"
printf '%-44s %9s ms\n' "apply -f (empty node)" "$apply_ms"
printf '%-44s %9s ms\n' "apply --prune -f (same file again)" "$reapply_ms"
printf '%-44s %9s ms\n' "dump workloads (kztctl -j workload list)" "$dump_w_ms"
printf '%-44s %9s ms\n' "dump policies (kztctl -j policy list)" "$dump_p_ms"
printf '%-44s %9s KiB\n' "kernel memory for the tables" "$mem_kib"
printf '%-44s %9s B\n' "  per workload (all memory / workloads)" "$(( mem_kib * 1024 / workloads ))"
printf '%-44s %12s\n' "decisions asked" "$decisions"
printf '%-44s %12s\n' "  allow / deny / errors" "$allow / $deny / $errors"
printf '%-44s %9s ns\n' "netlink round trip (config-get), per op" "$floor_ns"
printf '%-44s %9s ns\n' "policy-check round trip, per op" "$check_ns"
printf '%-44s %9s ns\n' "  decision itself (difference)" "$decide_ns"
printf '%-44s %12s\n' "  ratio check / floor" "$(awk "BEGIN { printf \"%.2f\", $check_ms / $floor_ms }")"
printf '%-44s %9s KiB\n' "kernel memory left after unload" "$(( mem_unloaded - mem_before ))"

cat > "$ROOT/tests/out/bench/control-plane.json" <<EOT
{"kernel":"$(uname -r)","vcpus":$(nproc),"workloads":$got_w,"policies":$got_p,
 "apply_ms":$apply_ms,"reapply_prune_ms":$reapply_ms,
 "dump_workloads_ms":$dump_w_ms,"dump_policies_ms":$dump_p_ms,
 "kernel_memory_kib":$mem_kib,"decisions":$decisions,
 "allow":$allow,"deny":$deny,"errors":$errors,
 "netlink_floor_ns":$floor_ns,"check_ns":$check_ns,"decision_ns":$decide_ns,
 "memory_left_after_unload_kib":$(( mem_unloaded - mem_before ))}
EOT
echo "wrote tests/out/bench/control-plane.json"

# Live flows through a commit: revocation times and the cost of a sweep.
[ "$flows" -eq 0 ] || "$ROOT/tests/bench/revoke-guest.sh" --flows "$flows"
