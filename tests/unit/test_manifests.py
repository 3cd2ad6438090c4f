#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""deploy/kubernetes/kzt.yaml: what kztd relies on is there.

No cluster runs here: the manifest is parsed, its kztd.conf is checked by
the kztd just built (--check-config), and the DaemonSet is checked for
what Documentation/kubernetes.rst promises: host network, CAP_NET_ADMIN
alone, the downward-API environment kztd reads, istiod's token (audience
istio-ca) and root, the probe and scrape ports of the config.
"""
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
failed = 0


def check(name, ok, detail=""):
    global failed
    print("TEST: %-60s [%s]" % ("manifest: " + name, " OK " if ok else "FAIL"))
    if not ok:
        failed = 1
        if detail:
            print("# " + detail)


docs = list(yaml.safe_load_all(open(os.path.join(ROOT, "deploy/kubernetes/kzt.yaml"))))
kinds = {d["kind"]: d for d in docs}
check("ServiceAccount, ConfigMap and DaemonSet", set(kinds) == {"ServiceAccount", "ConfigMap", "DaemonSet"})

conf = kinds["ConfigMap"]["data"]["kztd.conf"]
with tempfile.NamedTemporaryFile("w", suffix=".conf") as f:
    f.write(conf)
    f.flush()
    r = subprocess.run([os.path.join(ROOT, "daemon/kztd"), "--check-config", "-c", f.name],
                       capture_output=True, text=True)
check("its kztd.conf passes kztd --check-config", r.returncode == 0, r.stderr.strip())
keys = dict(l.split("=", 1) for l in conf.splitlines() if "=" in l and not l.lstrip().startswith("#"))
keys = {k.strip(): v.strip() for k, v in keys.items()}

spec = kinds["DaemonSet"]["spec"]["template"]["spec"]
c = spec["containers"][0]
check("host network", spec.get("hostNetwork") is True)
check("the service account istiod trusts as a node agent",
      spec["serviceAccountName"] == kinds["ServiceAccount"]["metadata"]["name"] == "ztunnel")
caps = c["securityContext"]["capabilities"]
check("CAP_NET_ADMIN alone, no privilege escalation",
      caps == {"drop": ["ALL"], "add": ["NET_ADMIN"]} and
      c["securityContext"]["allowPrivilegeEscalation"] is False and
      not c["securityContext"]["privileged"])
env = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in c["env"]}
check("NODE_NAME, POD_NAME, POD_NAMESPACE, INSTANCE_IP from the downward API",
      env == {"NODE_NAME": "spec.nodeName", "POD_NAME": "metadata.name",
              "POD_NAMESPACE": "metadata.namespace", "INSTANCE_IP": "status.podIP"})
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
vols = {v["name"]: v for v in spec["volumes"]}
tok = vols["istio-token"]["projected"]["sources"][0]["serviceAccountToken"]
check("istiod's token where xds_token reads it (audience istio-ca)",
      tok["audience"] == "istio-ca" and
      os.path.join(mounts["istio-token"], tok["path"]) == keys["xds_token"])
check("istiod's root where xds_root_cert reads it",
      vols["istio-root"]["configMap"]["name"] == "istio-ca-root-cert" and
      os.path.join(mounts["istio-root"], "root-cert.pem") == keys["xds_root_cert"])
check("the config file where the command reads it",
      os.path.join(mounts["config"], "kztd.conf") == c["command"][c["command"].index("-c") + 1])
probe = c["readinessProbe"]["httpGet"]
ann = kinds["DaemonSet"]["spec"]["template"]["metadata"]["annotations"]
check("readiness probe and scrape annotations match the config",
      probe["path"] == "/healthz/ready" and
      keys["readiness_address"].endswith(":%d" % probe["port"]) and
      keys["metrics_address"].endswith(":" + ann["prometheus.io/port"]) and
      ann["prometheus.io/path"] == "/stats/prometheus")
sys.exit(failed)
