#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale under istiod (numbers, not a test; Documentation/bench.rst): in one
# guest boot, the test istiod (tests/cp/cp.py) holds W workloads and P
# Authorization policies (tests/bench/gen-xds.py) and kztd starts against
# it on a node with two local pods, a and s. Measured:
#   - the initial push: its size, and from the first response sent to the
#     last ACK (decode, map, one transaction, commit);
#   - from kztd's start to the first flow a -> s that works (connect, xDS,
#     the policies, the certificates from istiod's CA);
#   - the kernel memory the tables take;
#   - U times, one pod added (its veth and route made first, as a CNI
#     does), from the change released in cp.py to the pod reachable from a,
#     and that response's push-to-ACK: p50 and p99, and the one-pod
#     update's cost as a ratio to the initial push's.
#
#   tools/vm/kzt-vm --timeout 1800 -- tests/bench/xds-guest.sh \
#       [--workloads W] [--policies P] [--updates U]
#
# Prints a table; writes tests/out/bench/xds.json.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tests/selftests/lib.sh"
source "$ROOT/tests/cp/pki.sh"

workloads=10000 policies=1000 updates=20
while [ $# -gt 0 ]; do
	case $1 in
	--workloads) workloads=$2; shift 2 ;;
	--policies) policies=$2; shift 2 ;;
	--updates) updates=$2; shift 2 ;;
	*) echo "usage: $0 [--workloads W] [--policies P] [--updates U]" >&2; exit 1 ;;
	esac
done

PY=/usr/bin/python3
TMP=$(mktemp -d)
GATE=$TMP/gate
CPLOG=$TMP/cp.jsonl
PIDS=()
cleanup() {
	kill "${PIDS[@]}" 2>/dev/null
	wait 2>/dev/null
	ns_cleanup
	kzt_unload 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# Kernel memory that module data can live in, in KiB (control-plane-guest.sh).
kmem_kib() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 > "$f"; done 2>/dev/null
	awk '/^SUnreclaim:/ { s = $2 } /^VmallocUsed:/ { v = $2 }
	     END { print s + v }' /proc/meminfo
}

# pod NAME ADDR: a pod netns on a veth with a /32 route, serving "ok" on 80.
pod() {
	local ns
	ns=$(ns_create "$1") || return 1
	ip -n "$NODE" link add "v$1" type veth peer name eth0 netns "$ns" &&
	ip -n "$NODE" link set "v$1" up &&
	ip -n "$ns" link set eth0 up &&
	ip -n "$ns" addr add "$2/32" dev eth0 &&
	ip -n "$ns" route add 10.0.0.254 dev eth0 &&
	ip -n "$ns" route add default via 10.0.0.254 dev eth0 &&
	ip -n "$NODE" addr add 10.0.0.254/32 dev "v$1" &&
	ip -n "$NODE" route add "$2/32" dev "v$1" || return 1
	ip netns exec "$ns" socat TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo ok' &
	PIDS+=($!)
	eval "NS_$1=$ns"
}

# reach ADDR: pod a gets "ok" from ADDR:80
reach() {
	[ "$(ip netns exec "$NS_a" socat -T2 - "TCP:$1:80,connect-timeout=2" \
		< /dev/null 2>/dev/null)" = ok ]
}

# wait_reach ADDR: poll until reachable (at most 300 s); prints the ms.
wait_reach() {
	local t0 end
	t0=$(now_ms) end=$(( $(now_ms) + 300000 ))
	until reach "$1"; do
		[ "$(now_ms)" -lt "$end" ] || { echo "$1 not reachable after 300 s" >&2; return 1; }
		sleep 0.02
	done
	echo $(( $(now_ms) - t0 ))
}

kzt_load || exit 1
NODE=$(ns_create node) || exit 1
mkdir -p "$GATE"
cp_pki "$TMP" > "$TMP/pki.log" 2>&1 || { cat "$TMP/pki.log"; exit 1; }
echo bench-token > "$TMP/token"
printf 'node:\n  trustDomain: cluster.local\n  capture: true\n  nonMesh: deny\n' > "$TMP/node.yaml"
ip netns exec "$NODE" kztctl apply -f "$TMP/node.yaml" > /dev/null || exit 1
pod a 10.0.0.1 && pod s 10.0.0.2 || exit 1

"$PY" "$ROOT/tests/bench/gen-xds.py" --workloads "$workloads" --policies "$policies" \
	--updates "$updates" > "$TMP/scenario.json" || exit 1
KZT_CP_GATE=$GATE ip netns exec "$NODE" "$PY" "$ROOT/tests/cp/cp.py" --port 15012 \
	--cert "$TMP/istiod.pem" --key "$TMP/istiod.key" \
	--ca-cert "$TMP/ca.pem" --ca-key "$TMP/ca.key" --token bench-token \
	--cluster-id Kubernetes --scenario "$TMP/scenario.json" --log "$CPLOG" \
	> "$TMP/cp.out" 2>&1 &
PIDS+=($!)
busywait 600000 grep -q '"serving"' "$CPLOG" || { cat "$TMP/cp.out"; exit 1; }

cat > "$TMP/kztd.conf" <<EOF
xds_address = 127.0.0.1:15012
xds_server_name = istiod.istio-system.svc
xds_root_cert = $TMP/ca.pem
xds_token = $TMP/token
access_log = off
EOF
mem_before=$(kmem_kib)
start=$(now_ms)
NODE_NAME=node-1 ip netns exec "$NODE" kztd -c "$TMP/kztd.conf" > "$TMP/kztd.log" 2>&1 &
PIDS+=($!)
wait_reach 10.0.0.2 > /dev/null || { tail -n 20 "$TMP/kztd.log"; exit 1; }
first_ms=$(( $(now_ms) - start ))
mem_kib=$(( $(kmem_kib) - mem_before ))
entries=$(ip netns exec "$NODE" kztctl -j workload list | jq '.workloads | length')
npol=$(ip netns exec "$NODE" kztctl -j policy list | jq '.policies | length')

lat=()
for i in $(seq 0 $((updates - 1))); do
	pod "p$i" "10.0.2.$((i + 1))" || exit 1
	touch "$GATE/add$i"
	lat+=("$(wait_reach "10.0.2.$((i + 1))")") || exit 1
done

export KZT_BENCH_JSON=$ROOT/tests/out/bench/xds.json
"$PY" - "$CPLOG" "$workloads" "$policies" "$first_ms" "$mem_kib" "$entries" "$npol" \
	"${lat[@]}" <<'EOF' > "$TMP/table" || exit 1
import json, os, sys
log, W, P, first_ms, mem_kib, entries, npol = sys.argv[1:8]
reach = sorted(int(x) for x in sys.argv[8:])
ev = [json.loads(l) for l in open(log)]
push = {e["nonce"]: e for e in ev if e["ev"] == "push"}
ack = {e["nonce"]: e["t"] for e in ev if e["ev"] in ("ack", "nack")}
nacks = [e for e in ev if e["ev"] == "nack"]
first = [e for e in push.values() if e["stream"] == 1 and e["nonce"] in ack][:2]
initial_s = max(ack[e["nonce"]] for e in first) - min(e["t"] for e in first)
upd = sorted(round((ack[n] - e["t"]) * 1000) for n, e in push.items()
             if n in ack and len(e.get("names", [])) == 1
             and e["names"][0].startswith("Kubernetes//Pod/bench/p"))

def pct(v, p):
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else None

r = {"workloads": int(W), "policies": int(P), "entries": int(entries),
     "policies_in_kernel": int(npol), "initial_push_to_ack_s": round(initial_s, 3),
     "start_to_first_flow_s": int(first_ms) / 1000, "kernel_memory_kib": int(mem_kib),
     "update_reachable_ms_p50": pct(reach, 50), "update_reachable_ms_p99": pct(reach, 99),
     "update_push_to_ack_ms_p50": pct(upd, 50), "update_push_to_ack_ms_p99": pct(upd, 99),
     "updates": len(reach), "nacks": len(nacks)}
r["update_to_initial_ratio"] = (round(r["update_push_to_ack_ms_p50"] / 1000 / initial_s, 5)
                                if upd and initial_s else None)
rows = [("workloads + policies pushed", f"{W} + {P}"),
        ("kernel entries + policies", f"{entries} + {npol}"),
        ("initial push: first response to last ACK", f"{initial_s:.2f} s"),
        ("kztd start to the first flow", f"{int(first_ms) / 1000:.2f} s"),
        ("kernel memory for the tables", f"{mem_kib} KiB"),
        ("one pod added: reachable p50 / p99", f"{r['update_reachable_ms_p50']} / {r['update_reachable_ms_p99']} ms"),
        ("one pod added: push to ACK p50 / p99", f"{r['update_push_to_ack_ms_p50']} / {r['update_push_to_ack_ms_p99']} ms"),
        ("one update / initial push (p50)", str(r["update_to_initial_ratio"])),
        ("NACKs", str(len(nacks)))]
for k, v in rows:
    print(f"{k:<44} {v:>18}")
out = os.environ["KZT_BENCH_JSON"]
os.makedirs(os.path.dirname(out), exist_ok=True)
json.dump(r, open(out, "w"), indent=1)
print(f"# {out}")
EOF
cat "$TMP/table"
