#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale under istiod (numbers, not a test; Documentation/bench.rst): in one
# guest boot, the test istiod (tests/cp/cp.py) holds W workloads and P
# Authorization policies (tests/bench/gen-xds.py) and kztd starts against
# it on a node with two local pods, a and s. Measured:
#   - the initial push: its size, and from the first response sent to the
#     last ACK (decode, map, one transaction, commit);
#   - from kztd's start to the tables in the kernel (connect, xDS, the
#     mapping, one transaction), and to the first flow a -> s that kzt
#     decided (a same-node flow: allowed by the policies, counted
#     local_allowed; no handshake on that path). Before the tables a and s
#     are not enrolled and their flows are not kzt's: they do not count;
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
source "$ROOT/tests/bench/bench-lib.sh"

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
	ip netns exec "$ns" socat TCP-LISTEN:80,reuseaddr,fork SYSTEM:'echo ok' 2> /dev/null &
	PIDS+=($!)
	eval "NS_$1=$ns"
	# Listening before its change is released: socat's start is not kzt's.
	busywait 10000 ip netns exec "$ns" sh -c "ss -Hltn 'sport = :80' | grep -q ."
}

kc() { ip netns exec "$NODE" kztctl -j "$@"; }

# tables_are W P: the kernel holds W workload entries and P policies
tables_are() {
	[ "$(kc workload list | jq '.workloads | length')" = "$1" ] &&
	[ "$(kc policy list | jq '.policies | length')" = "$2" ]
}

# reach ADDR: pod a gets "ok" from ADDR:80; REACH_ERR says why not.
reach() {
	local out
	out=$(ip netns exec "$NS_a" socat -T2 - "TCP:$1:80,connect-timeout=2" \
		< /dev/null 2>&1)
	[ "$out" = ok ] && return 0
	REACH_ERR=${out##*: }
	return 1
}

# wait_reach ADDR: poll until reachable (at most 300 s); prints when it
# was (epoch ms), the tries and the last refusal.
wait_reach() {
	local end tries=1
	end=$(( $(now_ms) + 300000 )) REACH_ERR=-
	until reach "$1"; do
		[ "$(now_ms)" -lt "$end" ] || { echo "$1 not reachable after 300 s" >&2; return 1; }
		tries=$((tries + 1))
		sleep 0.02
	done
	REACH_ERR=${REACH_ERR// /_}
	echo "$(now_ms) $tries ${REACH_ERR:-no_answer}"
}

kzt_load || exit 1
NODE=$(ns_create node) || exit 1
ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1	# pods reach pods through it
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
mem_before=$(settled_kmem_kib)
start=$(now_ms)
NODE_NAME=node-1 ip netns exec "$NODE" kztd -c "$TMP/kztd.conf" > "$TMP/kztd.log" 2>&1 &
PIDS+=($!)
busywait 600000 tables_are $((workloads + 2)) "$policies" || {
	echo "tables not applied:"; tail -n 20 "$TMP/kztd.log"; exit 1; }
tables_ms=$(( $(now_ms) - start ))
ok0=$(kc stats | jq .local_allowed)
first=$(wait_reach 10.0.0.2) || {
	tail -n 20 "$TMP/kztd.log"; ip netns exec "$NODE" kztctl stats; exit 1; }
first_ms=$(( ${first%% *} - start ))
[ "$(kc stats | jq .local_allowed)" -gt "$ok0" ] ||
	{ echo "the first flow was not one kzt decided (local_allowed did not grow)"; exit 1; }
mem_kib=$(( $(settled_kmem_kib) - mem_before ))
entries=$(kc workload list | jq '.workloads | length')
npol=$(kc policy list | jq '.policies | length')

# The floor of every figure below: one try at a pod already reachable
# (socat started in a's netns; seconds under a loaded TCG).
: > "$TMP/floor"
for i in 1 2 3 4 5; do
	t=$(now_ms)
	r=$(wait_reach 10.0.0.2) || exit 1
	echo $(( ${r%% *} - t )) >> "$TMP/floor"
done

# Per update: "p<i> RELEASED_MS REACHED_MS TRIES LAST_REFUSAL".
: > "$TMP/updates"
for i in $(seq 0 $((updates - 1))); do
	pod "p$i" "10.0.2.$((i + 1))" || exit 1
	t=$(now_ms)
	touch "$GATE/add$i"
	r=$(wait_reach "10.0.2.$((i + 1))") || exit 1
	echo "p$i $t $r" >> "$TMP/updates"
done

export KZT_BENCH_JSON=$ROOT/tests/out/bench/xds.json
"$PY" - "$CPLOG" "$workloads" "$policies" "$tables_ms" "$first_ms" "$mem_kib" "$entries" \
	"$npol" "$first" "$TMP/updates" "$TMP/floor" <<'EOF' > "$TMP/table" || exit 1
import json, os, sys
log, W, P, tables_ms, first_ms, mem_kib, entries, npol, first_flow, updates, floor = sys.argv[1:12]
floor = sorted(int(x) for x in open(floor))
ev = [json.loads(l) for l in open(log)]
pushed = {}
for e in ev:
    if e["ev"] == "push" and len(e.get("names", [])) == 1:
        pushed.setdefault(e["names"][0], e["t"] * 1000)
reach, reach_push, retried = [], [], 0
for line in open(updates):
    pod, released, reached, tries = line.split()[:4]
    reach.append(int(reached) - int(released))
    reach_push.append(int(reached) - round(pushed[f"Kubernetes//Pod/bench/{pod}"]))
    retried += int(tries) > 1
reach.sort()
reach_push.sort()
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
     "start_to_tables_s": int(tables_ms) / 1000,
     "start_to_first_flow_s": int(first_ms) / 1000, "kernel_memory_kib": int(mem_kib),
     "first_flow_tries": int(first_flow.split()[1]),
     "first_flow_last_refusal": first_flow.split()[2],
     "reach_floor_ms_p50": pct(floor, 50),
     "update_reachable_ms_p50": pct(reach, 50), "update_reachable_ms_p99": pct(reach, 99),
     "update_push_to_reachable_ms_p50": pct(reach_push, 50),
     "update_push_to_reachable_ms_p99": pct(reach_push, 99),
     "updates_retried": retried,
     "update_push_to_ack_ms_p50": pct(upd, 50), "update_push_to_ack_ms_p99": pct(upd, 99),
     "updates": len(reach), "nacks": len(nacks)}
r["update_to_initial_ratio"] = (round(r["update_push_to_ack_ms_p50"] / 1000 / initial_s, 5)
                                if upd and initial_s else None)
rows = [("workloads + policies pushed", f"{W} + {P}"),
        ("kernel entries + policies", f"{entries} + {npol}"),
        ("initial push: first response to last ACK", f"{initial_s:.2f} s"),
        ("kztd start to the tables in the kernel", f"{int(tables_ms) / 1000:.2f} s"),
        ("kztd start to the first flow kzt allowed", f"{int(first_ms) / 1000:.2f} s"),
        ("kernel memory for the tables", f"{mem_kib} KiB"),
        ("first flow: tries, the last refusal", f"{r['first_flow_tries']}, {r['first_flow_last_refusal']}"),
        ("one try at a reachable pod (floor), p50", f"{r['reach_floor_ms_p50']} ms"),
        ("one pod added: released to reachable p50/p99", f"{r['update_reachable_ms_p50']} / {r['update_reachable_ms_p99']} ms"),
        ("one pod added: push to reachable p50 / p99", f"{r['update_push_to_reachable_ms_p50']} / {r['update_push_to_reachable_ms_p99']} ms"),
        ("one pod added: push to ACK p50 / p99", f"{r['update_push_to_ack_ms_p50']} / {r['update_push_to_ack_ms_p99']} ms"),
        ("one update / initial push (p50)", str(r["update_to_initial_ratio"])),
        ("updates reached only after a refusal", f"{retried} of {len(reach)}"),
        ("NACKs", str(len(nacks)))]
for k, v in rows:
    print(f"{k:<44} {v:>18}")
out = os.environ["KZT_BENCH_JSON"]
os.makedirs(os.path.dirname(out), exist_ok=True)
json.dump(r, open(out, "w"), indent=1)
print(f"# {out}")
EOF
cat "$TMP/table"
