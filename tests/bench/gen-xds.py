#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The scenario of tests/bench/xds-guest.sh, for tests/cp/cp.py, on stdout.

  gen-xds.py --workloads W --policies P --updates U

Deterministic. Address: W remote kzt/1 workloads (10.64.0.0/10, 100
namespaces, dialed at their own address as under istiod) plus the two
local pods of the bench, a (10.0.0.1) and s (10.0.0.2), in namespace
"bench" on node-1. Authorization: P namespace-scoped ALLOW policies over
the 100 namespaces, each with a few principals and ports (none selects
"bench", whose pods then allow every flow). Changes: U local pods, pod i
at 10.0.2.(i+1), each pushed once the file $KZT_CP_GATE/add<i> exists.
"""
import argparse
import json
import sys

A = "type.googleapis.com/istio.workload.Address"
Z = "type.googleapis.com/istio.security.Authorization"


def workload(name, ns, ip, node, sa="default"):
    uid = f"Kubernetes//Pod/{ns}/{name}"
    return {"name": uid, "version": "1",
            "workload": {"uid": uid, "name": name, "namespace": ns,
                         "addresses": [ip], "tunnelProtocol": "HBONE",
                         "trustDomain": "cluster.local", "serviceAccount": sa,
                         "node": node, "workloadName": name,
                         "canonicalName": name, "canonicalRevision": "v1",
                         "clusterId": "Kubernetes"}}


def policy(i):
    ns = f"ns{i % 100}"
    principals = [{"exact": f"cluster.local/ns/ns{(i + k) % 100}/sa/sa{k}"}
                  for k in range(3)]
    return {"name": f"{ns}/allow-{i}", "version": "1",
            "authorization": {
                "name": f"allow-{i}", "namespace": ns, "scope": "NAMESPACE",
                "action": "ALLOW",
                "rules": [{"clauses": [
                    {"matches": [{"principals": principals}]},
                    {"matches": [{"destinationPorts": [8000 + i % 1000, 9000]}]}]}]}}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workloads", type=int, default=10000)
    p.add_argument("--policies", type=int, default=1000)
    p.add_argument("--updates", type=int, default=20)
    args = p.parse_args()
    if not 0 < args.workloads <= 1 << 22 or not 0 <= args.updates <= 250:
        sys.exit("gen-xds.py: --workloads 1..4194304, --updates 0..250")
    wls = [workload("a", "bench", "10.0.0.1", "node-1"),
           workload("s", "bench", "10.0.0.2", "node-1")]
    for i in range(args.workloads):
        wls.append(workload(f"w{i}", f"ns{i % 100}",
                            f"10.{64 + i // 65536}.{i // 256 % 256}.{i % 256}",
                            "node-2", f"sa{i % 7}"))
    changes = []
    for i in range(args.updates):
        changes.append({"op": "wait_file", "path": f"$KZT_CP_GATE/add{i}"})
        changes.append(dict({"op": "set", "type": A},
                            **workload(f"p{i}", "bench", f"10.0.2.{i + 1}", "node-1")))
    json.dump({"resources": {A: wls, Z: [policy(i) for i in range(args.policies)]},
               "changes": changes}, sys.stdout)


if __name__ == "__main__":
    main()
