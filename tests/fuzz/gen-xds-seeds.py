#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Seeds of fuzz_xds, written into DIR: messages built with the Python code
protoc generates from proto/ (and tests/cp/extra.proto for fields kzt's
files leave out), each prefixed with fuzz_xds's selector byte (0 delta
response, 1 Address, 2 Authorization). Usage: gen-xds-seeds.py DIR"""
import ipaddress
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
out = sys.argv[1]
pb = tempfile.mkdtemp(prefix="kzt-fuzz-pb-")
subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"), "-I",
                os.path.join(ROOT, "tests", "cp"), "--python_out", pb,
                "xds.proto", "workload.proto", "authorization.proto",
                "extra.proto"], check=True)
sys.path.insert(0, pb)
import authorization_pb2 as authz  # noqa: E402
import extra_pb2 as extra  # noqa: E402
import workload_pb2 as wl  # noqa: E402
import xds_pb2 as xds  # noqa: E402

A = "type.googleapis.com/istio.workload.Address"
Z = "type.googleapis.com/istio.security.Authorization"

w = wl.Workload(uid="Kubernetes//Pod/default/a", name="a", namespace="default",
                addresses=[ipaddress.ip_address("10.0.0.1").packed,
                           ipaddress.ip_address("fd00::1").packed],
                tunnel_protocol=wl.HBONE, trust_domain="cluster.local",
                service_account="sa", node="node-1", canonical_name="a",
                canonical_revision="v1", workload_type=wl.POD, workload_name="a",
                authorization_policies=["default/p"], cluster_id="Kubernetes",
                waypoint=wl.GatewayAddress(hostname=wl.NamespacedHostname(
                    namespace="default", hostname="waypoint.default.svc"),
                    hbone_mtls_port=15008))
w.services["default/a.default.svc.cluster.local"].ports.add(service_port=80, target_port=8080)
# The same with fields kzt's proto leaves out, as unknown fields.
wx = wl.Workload()
wx.ParseFromString(w.SerializeToString() + extra.WorkloadExtra(
    native_tunnel=True, locality=extra.Locality(region="r"),
    capacity=extra.Capacity(value=3)).SerializeToString())
svc = wl.Service(name="a", namespace="default", hostname="a.default.svc.cluster.local",
                 addresses=[wl.NetworkAddress(address=ipaddress.ip_address("10.96.0.1").packed)],
                 ports=[wl.Port(service_port=80, target_port=8080)])
z = authz.Authorization(name="p", namespace="default", scope=authz.WORKLOAD_SELECTOR,
                        action=authz.DENY, rules=[authz.Rule(clauses=[authz.Clause(matches=[
                            authz.Match(namespaces=[authz.StringMatch(exact="default")],
                                        principals=[authz.StringMatch(prefix="spiffe://")],
                                        service_accounts=[authz.ServiceAccountMatch(
                                            namespace="default", serviceAccount="sa")],
                                        source_ips=[authz.Address(
                                            address=ipaddress.ip_address("10.0.0.0").packed,
                                            length=8)],
                                        destination_ports=[80, 443])])])])
resp = xds.DeltaDiscoveryResponse(type_url=A, nonce="n1", system_version_info="v",
                                  removed_resources=["gone"])
for name, m in (("a", wl.Address(workload=w)), ("ax", wl.Address(workload=wx)),
                ("svc", wl.Address(service=svc))):
    resp.resources.add(name=name, version="1",
                       resource={"type_url": A, "value": m.SerializeToString()})
resp_z = xds.DeltaDiscoveryResponse(type_url=Z, nonce="n2")
resp_z.resources.add(name="default/p", version="1",
                     resource={"type_url": Z, "value": z.SerializeToString()})

seeds = {
    "delta-address": b"\0" + resp.SerializeToString(),
    "delta-authz": b"\0" + resp_z.SerializeToString(),
    "address-workload": b"\1" + wl.Address(workload=w).SerializeToString(),
    "address-workload-extra": b"\1" + wl.Address(workload=wx).SerializeToString(),
    "address-service": b"\1" + wl.Address(service=svc).SerializeToString(),
    "authorization": b"\2" + z.SerializeToString(),
}
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
