#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write a synthetic mesh for the control-plane benchmark.

  gen-mesh.py --workloads N --policies M --queries Q --out DIR

DIR/mesh.yaml is a kztctl apply file (Documentation/apply.rst) with N remote
workloads over 100 namespaces (one in ten IPv6) and M policies shaped like a
real cluster's: a few global DENYs, namespace-wide DENYs and ALLOWs, and
mostly per-workload ALLOWs on principals and ports. DIR/queries.txt holds Q
flows between random workloads ("SRC_ID SRC_IP DST PORT", the format of
kzt-checkloop --queries). Deterministic for a given --seed.
"""
import argparse
import ipaddress
import os
import random

TD = "bench.local"
PORTS = [80, 443, 5432, 8080, 9100]


def workload(i):
    ns, sa = f"ns{i % 100}", f"sa{i % 37}"
    if i % 10 == 9:
        ip = str(ipaddress.IPv6Address("fd00:64::") + i)
    else:
        ip = str(ipaddress.IPv4Address("10.64.0.0") + i)
    return ip, ns, sa


def spiffe(ns, sa):
    return f"spiffe://{TD}/ns/{ns}/sa/{sa}"


def policy(i, rnd, wls):
    kind = i % 100
    if kind < 1:
        return (f"- name: g{i}\n  scope: global\n  action: deny\n  rules:\n"
                f"    - from:\n        - source: {{ipBlocks: [198.18.{i % 256}.0/24]}}\n"
                f"      to:\n        - operation: {{notPorts: [80]}}\n")
    if kind < 20:
        ns = f"ns{rnd.randrange(100)}"
        other = f"ns{rnd.randrange(100)}"
        action = "deny" if kind < 10 else "allow"
        return (f"- name: n{i}\n  namespace: {ns}\n  scope: namespace\n"
                f"  action: {action}\n  rules:\n"
                f"    - from:\n        - source: {{principals: [\"{TD}/ns/{other}/*\"]}}\n"
                f"        - source: {{namespaces: [{ns}]}}\n"
                f"      to:\n        - operation: {{ports: [{rnd.choice(PORTS)}]}}\n")
    targets = [wls[rnd.randrange(len(wls))] for _ in range(rnd.randint(1, 3))]
    ids = ", ".join(spiffe(ns, sa) for _, ns, sa in targets)
    src_ns, src_sa = f"ns{rnd.randrange(100)}", f"sa{rnd.randrange(37)}"
    return (f"- name: w{i}\n  namespace: {targets[0][1]}\n  scope: workloads\n"
            f"  workloads: [{ids}]\n  action: allow\n  rules:\n"
            f"    - from:\n        - source: {{principals: [{TD}/ns/{src_ns}/sa/{src_sa}, \"*/sa/{src_sa}\"]}}\n"
            f"      to:\n        - operation: {{ports: [{rnd.choice(PORTS)}, {rnd.choice(PORTS)}]}}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workloads", type=int, default=10000)
    ap.add_argument("--policies", type=int, default=1000)
    ap.add_argument("--queries", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    wls = [workload(i) for i in range(a.workloads)]

    with open(os.path.join(a.out, "mesh.yaml"), "w") as f:
        f.write(f"node:\n  trustDomain: {TD}\nworkloads:\n")
        for i, (ip, ns, sa) in enumerate(wls):
            f.write(f"  - workloadIps: [\"{ip}\"]\n    identity: {spiffe(ns, sa)}\n"
                    f"    nodeIp: 192.168.{i % 50}.1\n")
        f.write("policies:\n")
        for i in range(a.policies):
            f.write("".join("  " + line + "\n"
                            for line in policy(i, rnd, wls).splitlines()))
    with open(os.path.join(a.out, "queries.txt"), "w") as f:
        for _ in range(a.queries):
            sip, sns, ssa = wls[rnd.randrange(len(wls))]
            dip = wls[rnd.randrange(len(wls))][0]
            f.write(f"{spiffe(sns, ssa)} {sip} {dip} {rnd.choice(PORTS)}\n")


if __name__ == "__main__":
    main()
