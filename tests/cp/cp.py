#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A test control plane that plays istiod for kzt's gRPC client.

Serves, over TLS (ALPN h2, grpcio's server):
  envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources
  istio.v1.auth.IstioCertificateService/CreateCertificate
with the messages protoc generates (into a temporary directory, now) from
the project's proto/ files. Every call must carry "authorization: Bearer
<token>" and "clusterid: <id>", or it ends with UNAUTHENTICATED.

Driven by a scenario (JSON):
  {"resources": {"<type_url>": [{"name": N, "version": V,
                                  "workload"|"service"|"authorization": {...}}]},
   "streams": [[step, ...], ...]}   # the steps of the 1st, 2nd... ADS stream
A new stream gets, per type URL it subscribes to, the resources whose
version differs from its initial_resource_versions, and the names it has
that no longer exist as removed_resources. Steps:
  {"op": "wait_acks"}           until every response sent is ACKed or NACKed
  {"op": "set", "type": T, <resource>}   change state, push to the stream
  {"op": "remove", "type": T, "name": N} change state, push the removal
      ("push": false: change the state only, for the next stream to see)
  {"op": "sleep", "s": S}
  {"op": "wait_file", "path": P} until file P exists ($VARS expanded): the
                                 test says when the next step may go
  {"op": "batch", "type": T, "set": [<resource>...], "remove": [N...]}
                                 several changes in one response
  {"op": "bulk", "type": T, "count": N}  N more workloads in one response
  {"op": "garbage"}             a response that is not a protobuf message
  {"op": "oversize", "bytes": N} a response of N bytes
  {"op": "end", "code": "UNAVAILABLE", "message": M}  end the stream
  {"op": "restart", "down_s": S} stop serving (every connection closes),
                                 serve again on the same port after S s
A stream with no steps left serves until the client half-closes.

Or, for several clients (nodes) at once, a top-level "changes": [step, ...]
runs once, from the start, whatever streams there are: set, remove, batch
(without "push": every change goes to every open stream, as istiod's
deltas do), sleep, wait_file and restart. Each stream tracks which versions
its client holds and is sent what differs after each step.

Writes one JSON object per line to --log: what it received (requests,
ACKs, NACKs with error_detail, CSRs, refusals), for tests to assert on.
"""
import argparse
import datetime
import ipaddress
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures

import grpc

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TYPE_ADDRESS = "type.googleapis.com/istio.workload.Address"
TYPE_AUTHZ = "type.googleapis.com/istio.security.Authorization"


def gen_messages():
    """Python modules from proto/ (and the test's extra.proto), imported."""
    out = tempfile.mkdtemp(prefix="kzt-cp-pb-")
    subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"),
                    "-I", os.path.dirname(os.path.abspath(__file__)),
                    "--python_out", out,
                    "xds.proto", "workload.proto", "authorization.proto",
                    "citadel.proto", "extra.proto"], check=True)
    sys.path.insert(0, out)
    import xds_pb2, workload_pb2, authorization_pb2, citadel_pb2, extra_pb2
    return xds_pb2, workload_pb2, authorization_pb2, citadel_pb2, extra_pb2


xds, wl, authz, citadel, extra = gen_messages()
from google.protobuf import json_format  # noqa: E402


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def __call__(self, **ev):
        ev["t"] = round(time.time(), 3)
        with self.lock:
            self.f.write(json.dumps(ev, sort_keys=True) + "\n")


def build_resource(spec):
    """A scenario resource -> (type_url, name, version, serialized message)."""
    if "authorization" in spec:
        m = json_format.ParseDict(spec["authorization"], authz.Authorization())
        return TYPE_AUTHZ, m.SerializeToString()
    a = wl.Address()
    if "workload" in spec:
        w = dict(spec["workload"])
        addrs = w.pop("addresses", [])
        extra_spec = w.pop("extra", None)
        m = json_format.ParseDict(w, wl.Workload())
        for ip in addrs:
            m.addresses.append(ipaddress.ip_address(ip).packed)
        if extra_spec is not None:
            # Fields kzt's proto leaves out, kept as unknown fields.
            x = json_format.ParseDict(extra_spec, extra.WorkloadExtra())
            m2 = wl.Workload()
            m2.ParseFromString(m.SerializeToString() + x.SerializeToString())
            m = m2
        a.workload.CopyFrom(m)
    else:
        a.service.CopyFrom(json_format.ParseDict(spec["service"], wl.Service()))
    return TYPE_ADDRESS, a.SerializeToString()


class Restart(Exception):
    pass


class ControlPlane:
    def __init__(self, args, log):
        self.args = args
        self.log = log
        with open(args.scenario) as f:
            self.scenario = json.load(f)
        self.state = {}          # type_url -> {name: (version, bytes)}
        for type_url, items in self.scenario.get("resources", {}).items():
            for spec in items:
                self.set(type_url, spec)
        self.streams = 0
        self.nonce = 0
        self.lock = threading.Lock()
        self.restart_req = queue.Queue()
        self.inboxes = set()     # of the open streams, for "changes"
        self.state_lock = threading.RLock()  # "changes" write state concurrently

    def set(self, type_url, spec):
        t, value = build_resource(spec)
        if t != type_url:
            raise ValueError(f"resource {spec['name']} is a {t}, not a {type_url}")
        self.state.setdefault(type_url, {})[spec["name"]] = (str(spec["version"]), value)

    def next_nonce(self):
        with self.lock:
            self.nonce += 1
            return f"n{self.nonce}"

    def authenticate(self, context, method):
        md = dict(context.invocation_metadata())
        tokens = ["Bearer " + t for t in self.args.token.split(",")]
        if md.get("authorization") not in tokens or md.get("clusterid") != self.args.cluster_id:
            self.log(ev="unauthenticated", method=method,
                     authorization=md.get("authorization"), clusterid=md.get("clusterid"))
            context.abort(grpc.StatusCode.UNAUTHENTICATED,
                          "authentication failure: bad bearer token or clusterid")
        # grpcio keeps :authority, content-type and te to itself.
        self.log(ev="call", method=method, user_agent=md.get("user-agent"),
                 token=tokens.index(md["authorization"]))

    def response(self, type_url, names, removed):
        r = xds.DeltaDiscoveryResponse(type_url=type_url, nonce=self.next_nonce(),
                                       system_version_info="kzt-cp")
        have = self.state.get(type_url, {})
        for name in names:
            version, value = have[name]
            r.resources.add(name=name, version=version,
                            resource={"type_url": type_url, "value": value})
        r.removed_resources.extend(removed)
        return r

    # DeltaAggregatedResources
    def delta_ads(self, requests, context):
        self.authenticate(context, "DeltaAggregatedResources")
        with self.lock:
            self.streams += 1
            sid = self.streams
        all_steps = self.scenario.get("streams", [])
        steps = list(all_steps[sid - 1]) if sid <= len(all_steps) else []
        inbox = queue.Queue()

        def reader():
            try:
                for req in requests:
                    inbox.put(req)
            except Exception as e:  # the client went away
                inbox.put(e)
            inbox.put(None)

        threading.Thread(target=reader, daemon=True).start()
        with self.lock:
            self.inboxes.add(inbox)
        subscribed = set()
        outstanding = {}            # nonce -> type_url
        known = {}                  # type_url -> {name: version} the client holds
        done = False

        def track(r):
            """Note response r as sent: awaiting its ACK, its versions held."""
            outstanding[r.nonce] = r.type_url
            k = known.setdefault(r.type_url, {})
            for res in r.resources:
                k[res.name] = res.version
            for name in r.removed_resources:
                k.pop(name, None)
            return r

        def sync():
            """What changed in the state since the client's versions."""
            out = []
            for t in sorted(subscribed):
                with self.state_lock:
                    have, k = self.state.get(t, {}), known.get(t, {})
                    names = sorted(n for n, (v, _) in have.items() if k.get(n) != v)
                    removed = sorted(n for n in k if n not in have)
                    r = track(self.response(t, names, removed)) if names or removed else None
                if r:
                    self.log(ev="push", stream=sid, type_url=t, nonce=r.nonce,
                             names=names, removed=removed)
                    out.append(r)
            return out

        def handle(req):
            nonlocal done
            if req is None or isinstance(req, Exception):
                self.log(ev="stream_end", stream=sid,
                         why="half-closed" if req is None else str(req))
                done = True
                with self.lock:
                    self.inboxes.discard(inbox)
                return []
            if isinstance(req, str):  # "sync": the state changed
                return sync()
            t = req.type_url
            if req.response_nonce:
                outstanding.pop(req.response_nonce, None)
                if req.HasField("error_detail"):
                    self.log(ev="nack", stream=sid, type_url=t, nonce=req.response_nonce,
                             code=req.error_detail.code, message=req.error_detail.message)
                else:
                    self.log(ev="ack", stream=sid, type_url=t, nonce=req.response_nonce)
                return []
            initial = dict(req.initial_resource_versions)
            self.log(ev="subscribe", stream=sid, type_url=t, node_id=req.node.id,
                     node_metadata=json_format.MessageToDict(req.node.metadata),
                     subscribe=list(req.resource_names_subscribe), initial=initial)
            subscribed.add(t)
            known[t] = dict(initial)
            with self.state_lock:
                have = self.state.get(t, {})
                names = sorted(n for n, (v, _) in have.items() if initial.get(n) != v)
                removed = sorted(n for n in initial if n not in have)
                r = track(self.response(t, names, removed))
            self.log(ev="push", stream=sid, type_url=t, nonce=r.nonce,
                     names=names, removed=removed)
            return [r]

        def pump(timeout):
            out = []
            try:
                item = inbox.get(timeout=timeout)
            except queue.Empty:
                return out
            out += handle(item)
            while not done:
                try:
                    out += handle(inbox.get_nowait())
                except queue.Empty:
                    break
            return out

        while not done:
            if not steps:
                yield from pump(0.2)
                continue
            step = steps[0]
            op = step["op"]
            if op == "wait_acks":
                if subscribed and not outstanding:
                    steps.pop(0)
                    continue
                yield from pump(0.1)
                continue
            steps.pop(0)
            self.log(ev="step", stream=sid, op=op)
            if op == "sleep":
                end = time.time() + step["s"]
                while not done and time.time() < end:
                    yield from pump(min(0.1, max(0.0, end - time.time())))
            elif op == "wait_file":
                path = os.path.expandvars(step["path"])
                while not done and not os.path.exists(path):
                    yield from pump(0.1)
            elif op == "batch":
                t = step["type"]
                for spec in step.get("set", []):
                    self.set(t, spec)
                for name in step.get("remove", []):
                    self.state.get(t, {}).pop(name, None)
                names = [spec["name"] for spec in step.get("set", [])]
                removed = list(step.get("remove", []))
                if t in subscribed:
                    r = track(self.response(t, names, removed))
                    self.log(ev="push", stream=sid, type_url=t, nonce=r.nonce,
                             names=names, removed=removed)
                    yield r
            elif op == "set":
                self.set(step["type"], step)
                if step.get("push", True) and step["type"] in subscribed:
                    r = track(self.response(step["type"], [step["name"]], []))
                    self.log(ev="push", stream=sid, type_url=step["type"],
                             nonce=r.nonce, names=[step["name"]], removed=[])
                    yield r
            elif op == "remove":
                self.state.get(step["type"], {}).pop(step["name"], None)
                if step.get("push", True) and step["type"] in subscribed:
                    r = track(self.response(step["type"], [], [step["name"]]))
                    self.log(ev="push", stream=sid, type_url=step["type"],
                             nonce=r.nonce, names=[], removed=[step["name"]])
                    yield r
            elif op == "bulk":
                names = []
                for i in range(step["count"]):
                    name = f"Kubernetes//Pod/bulk/w{i}"
                    self.set(step["type"], {"name": name, "version": "1", "workload": {
                        "uid": name, "name": f"w{i}", "namespace": "bulk",
                        "serviceAccount": "default", "trustDomain": "cluster.local",
                        "addresses": [f"10.{64 + i // 65536}.{i // 256 % 256}.{i % 256}"]}})
                    names.append(name)
                r = track(self.response(step["type"], names, []))
                self.log(ev="push", stream=sid, type_url=step["type"], nonce=r.nonce,
                         count=len(names), bytes=r.ByteSize())
                yield r
            elif op == "garbage":
                yield b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"
            elif op == "oversize":
                yield b"\x00" * step["bytes"]
            elif op == "end":
                code = getattr(grpc.StatusCode, step.get("code", "OK"))
                if code != grpc.StatusCode.OK:
                    context.abort(code, step.get("message", "ended by the scenario"))
                return
            elif op == "restart":
                self.restart_req.put(step["down_s"])
                time.sleep(5)       # the server stops under us
                return
            else:
                raise ValueError(f"unknown step {op}")

    def run_changes(self):
        """The scenario's "changes", each sent to every open stream."""
        for step in self.scenario.get("changes", []):
            op = step["op"]
            self.log(ev="change", op=op)
            if op == "sleep":
                time.sleep(step["s"])
                continue
            if op == "wait_file":
                path = os.path.expandvars(step["path"])
                while not os.path.exists(path):
                    time.sleep(0.1)
                continue
            if op == "restart":
                self.restart_req.put(step["down_s"])
                continue
            with self.state_lock:
                if op == "set":
                    self.set(step["type"], step)
                elif op == "remove":
                    self.state.get(step["type"], {}).pop(step["name"], None)
                elif op == "batch":
                    for spec in step.get("set", []):
                        self.set(step["type"], spec)
                    for name in step.get("remove", []):
                        self.state.get(step["type"], {}).pop(name, None)
                else:
                    raise ValueError(f"unknown change {op}")
            with self.lock:
                inboxes = list(self.inboxes)
            for inbox in inboxes:
                inbox.put("sync")

    # CreateCertificate
    def create_certificate(self, req, context):
        self.authenticate(context, "CreateCertificate")
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

        csr = x509.load_pem_x509_csr(req.csr.encode())
        if not csr.is_signature_valid:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "CSR signature invalid")
        try:
            san = csr.extensions.get_extension_for_oid(
                ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        except x509.ExtensionNotFound:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "CSR without SAN")
        uris = san.get_values_for_type(x509.UniformResourceIdentifier)
        if len(uris) != 1 or not uris[0].startswith("spiffe://"):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          "CSR must carry exactly one spiffe:// URI SAN")
        # istiod: 0 asks for its default TTL (24 h); above its max
        # (MAX_WORKLOAD_CERT_TTL, 90 days) the request is refused.
        validity = req.validity_duration or 86400
        if validity > self.args.max_validity:
            self.log(ev="csr_refused", validity=req.validity_duration, san=uris)
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"requested TTL {validity}s is greater than the max "
                          f"allowed TTL {self.args.max_validity}s")
        # --validity: issue shorter than asked, as a CA whose own
        # certificate ends sooner does; the tests use it for renewals.
        if self.args.validity:
            validity = min(validity, self.args.validity)
        self.log(ev="csr", validity=req.validity_duration, issued_s=validity, san=uris)
        if self.args.hold_csrs and os.path.exists(self.args.hold_csrs):
            # A CA that is slow to answer: the tests kill kztd meanwhile.
            self.log(ev="csr_held", san=uris)
            while os.path.exists(self.args.hold_csrs):
                time.sleep(0.05)
            if not context.is_active():
                self.log(ev="csr_abandoned", san=uris)
                context.abort(grpc.StatusCode.CANCELLED, "the caller went away")
        ca_cert = x509.load_pem_x509_certificate(open(self.args.ca_cert, "rb").read())
        ca_key = serialization.load_pem_private_key(open(self.args.ca_key, "rb").read(), None)
        try:
            aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value)
        except x509.ExtensionNotFound:
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key())
        now = datetime.datetime.now(datetime.timezone.utc)
        # What istiod's CA puts in an X.509-SVID (security/pkg/pki/util):
        # empty subject, the one URI SAN (critical, as the subject is
        # empty), digitalSignature + keyEncipherment, server and client
        # auth, not a CA, and the key identifiers.
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([]))
                .issuer_name(ca_cert.subject)
                .public_key(csr.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=1))
                .not_valid_after(now + datetime.timedelta(seconds=validity))
                .add_extension(x509.KeyUsage(
                    digital_signature=True, key_encipherment=True,
                    content_commitment=False, data_encipherment=False,
                    key_agreement=False, key_cert_sign=False, crl_sign=False,
                    encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                    critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                               critical=True)
                .add_extension(aki, critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(csr.public_key()),
                               critical=False)
                .add_extension(x509.SubjectAlternativeName(
                    [x509.UniformResourceIdentifier(uris[0])]), critical=True)
                .sign(ca_key, hashes.SHA256()))
        self.log(ev="issued", san=uris[0], serial=format(cert.serial_number, "x"))
        pem = lambda c: c.public_bytes(serialization.Encoding.PEM).decode()
        return citadel.IstioCertificateResponse(cert_chain=[pem(cert), pem(ca_cert)])


def serialize(m):
    return m if isinstance(m, bytes) else m.SerializeToString()


def serve(cp, args, port):
    handlers = [
        grpc.method_handlers_generic_handler(
            "envoy.service.discovery.v3.AggregatedDiscoveryService",
            {"DeltaAggregatedResources": grpc.stream_stream_rpc_method_handler(
                cp.delta_ads,
                request_deserializer=xds.DeltaDiscoveryRequest.FromString,
                response_serializer=serialize)}),
        grpc.method_handlers_generic_handler(
            "istio.v1.auth.IstioCertificateService",
            {"CreateCertificate": grpc.unary_unary_rpc_method_handler(
                cp.create_certificate,
                request_deserializer=citadel.IstioCertificateRequest.FromString,
                response_serializer=serialize)}),
    ]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16),
                         handlers=handlers,
                         options=[("grpc.max_send_message_length", -1),
                                  ("grpc.so_reuseport", 0),
                                  # The keepalive test pings every 200 ms;
                                  # grpcio's default policy would answer
                                  # GOAWAY ENHANCE_YOUR_CALM (too many pings).
                                  ("grpc.http2.min_ping_interval_without_data_ms", 50),
                                  ("grpc.http2.max_ping_strikes", 0)])
    creds = grpc.ssl_server_credentials(
        [(open(args.key, "rb").read(), open(args.cert, "rb").read())])
    bound = server.add_secure_port(f"{args.listen}:{port}", creds)
    if not bound:
        raise SystemExit(f"cp: cannot listen on {args.listen}:{port}")
    server.start()
    return server, bound


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the bound port here when serving")
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ca-cert", required=True, help="the CA that signs CSRs")
    p.add_argument("--ca-key", required=True)
    p.add_argument("--token", required=True,
                   help="the bearer tokens accepted, separated by commas")
    p.add_argument("--cluster-id", required=True)
    p.add_argument("--max-validity", type=int, default=90 * 86400,
                   help="refuse CSRs asking for more seconds (istiod's max)")
    p.add_argument("--validity", type=int, default=0,
                   help="issue certificates of at most this many seconds")
    p.add_argument("--hold-csrs", metavar="FILE",
                   help="while FILE exists, hold each CSR before signing it")
    p.add_argument("--serve-after", metavar="FILE",
                   help="start serving once FILE exists (a slow start done first)")
    p.add_argument("--scenario", required=True)
    p.add_argument("--log", required=True)
    args = p.parse_args()
    log = Log(args.log)
    cp = ControlPlane(args, log)
    log(ev="loaded")
    while args.serve_after and not os.path.exists(args.serve_after):
        time.sleep(0.05)
    server, port = serve(cp, args, args.port)
    log(ev="serving", port=port)
    threading.Thread(target=cp.run_changes, daemon=True).start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.rename(tmp, args.port_file)
    while True:
        down = cp.restart_req.get()
        log(ev="stopping", down_s=down)
        server.stop(0).wait()
        time.sleep(down)
        server, _ = serve(cp, args, port)
        log(ev="serving", port=port)


if __name__ == "__main__":
    main()
