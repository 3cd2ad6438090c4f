#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the YNL spec, the uapi header and the kernel's policies agree.

The spec (Documentation/netlink/specs/kzt.yaml) is the reference. From it
this derives every enum name and value the uapi header must define, and
gcc proves them with static assertions against the real header; every
KZT_* enumerator of the header must come from the spec; each attribute's
type and checks must match its entry in the kernel module's nla_policy.

With --schema FILE (the kernel's Documentation/netlink/genetlink.yaml),
the spec is also validated against the YNL schema it claims to follow.

Prints one "TEST: ... [ OK ]" / "[FAIL]" line per check; exits 1 on any
failure.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(ROOT, "Documentation/netlink/specs/kzt.yaml")
HEADER = os.path.join(ROOT, "include/uapi/linux/kzt.h")
KMOD = os.path.join(ROOT, "kmod")

failures = 0


def report(name, problems):
    global failures
    if problems:
        failures += 1
        print(f"TEST: {name:<60} [FAIL]")
        for p in problems:
            print(f"    {p}")
    else:
        print(f"TEST: {name:<60} [ OK ]")


def c_name(*parts):
    return "".join(parts).upper().replace("-", "_")


def expected_enums(spec):
    """{enum name: [(enumerator, value)]} as the spec defines them."""
    family = spec["name"]
    enums = {}
    for aset in spec["attribute-sets"]:
        prefix = aset.get("name-prefix", f"{family}-a-{aset['name']}-")
        members = [(c_name(prefix, "unspec"), 0)]
        for i, attr in enumerate(aset["attributes"], start=1):
            members.append((c_name(prefix, attr["name"]), attr.get("value", i)))
        last = c_name(prefix, "max")
        members.append(("__" + last, len(members)))
        members.append((last, len(members) - 2))
        enums[aset.get("enum-name", f"{family}_{aset['name']}_attrs")] = members

    ops = spec["operations"]
    prefix = ops.get("name-prefix", f"{family}-cmd-")
    members = [(c_name(prefix, "unspec"), 0)]
    for i, op in enumerate(ops["list"], start=1):
        members.append((c_name(prefix, op["name"]), op.get("value", i)))
    members.append(("__" + c_name(prefix, "max"), len(members)))
    members.append((c_name(prefix, "max"), len(members) - 2))
    enums[ops.get("enum-name", f"{family}_cmd")] = members
    return enums


def header_enumerators(text):
    """Every enumerator and #define named KZT_* in the header."""
    names = set()
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\};", text, re.S):
        names.update(re.findall(r"^\s*(_*KZT_\w+)", body, re.M))
    names.update(re.findall(r"#define\s+(_*KZT_\w+)", text))
    return names


def check_values(enums, spec):
    """Compile static assertions of every expected value against the header."""
    lines = ["#include <linux/kzt.h>"]
    for members in enums.values():
        for name, value in members:
            lines.append(f'_Static_assert({name} == {value}, "{name} must be {value}");')
    for d in spec.get("definitions", []):
        if d["type"] == "const":
            name = c_name(spec["name"], "-", d["name"])
            lines.append(f'_Static_assert({name} == {d["value"]}, "{name}");')
    lines.append(f'_Static_assert(sizeof(KZT_GENL_NAME) == {len(spec["name"]) + 1}, "name");')
    for grp in spec["mcast-groups"]["list"]:
        name = c_name("kzt-mcgrp-", grp["name"])
        lines.append(f'static const char check_{name}[] = {name};')
        lines.append(f'_Static_assert(sizeof(check_{name}) == {len(grp["name"]) + 1}, "{name}");')
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "check.c")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        res = subprocess.run(["gcc", "-fsyntax-only", "-Werror", "-Wno-unused-const-variable",
                              "-I", os.path.join(ROOT, "include/uapi"), src],
                             capture_output=True, text=True)
    return [l for l in res.stderr.splitlines() if "error" in l]


POLICY_RE = re.compile(r"\[(KZT_\w+)\]\s*=\s*(NLA_POLICY_\w+)\((NLA_\w+)(?:,\s*([-\w]+))?(?:,\s*([-\w]+))?\)")
SIMPLE_RE = re.compile(r"\[(KZT_\w+)\]\s*=\s*\{\s*\.type\s*=\s*(NLA_\w+)\s*\}")


def kernel_policies():
    """{attribute enumerator: (NLA type, {check: value})} from kmod/*.c."""
    found = {}
    for fn in sorted(os.listdir(KMOD)):
        if not fn.endswith(".c") or fn.endswith("_test.c"):
            continue
        text = open(os.path.join(KMOD, fn)).read()
        for name, macro, nla, a, b in POLICY_RE.findall(text):
            checks = {"NLA_POLICY_MIN": {"min": a}, "NLA_POLICY_MAX": {"max": a},
                      "NLA_POLICY_RANGE": {"min": a, "max": b}}.get(macro, {})
            found[name] = (nla, {k: int(v, 0) for k, v in checks.items()})
        for name, nla in SIMPLE_RE.findall(text):
            found[name] = (nla, {})
    return found


def check_policies(spec):
    problems = []
    policies = kernel_policies()
    for aset in spec["attribute-sets"]:
        prefix = aset.get("name-prefix", f"{spec['name']}-a-{aset['name']}-")
        for attr in aset["attributes"]:
            name = c_name(prefix, attr["name"])
            if name not in policies:
                continue  # reply-only attribute: no policy needed
            nla, checks = policies[name]
            want = "NLA_" + {"string": "NUL_STRING", "flag": "FLAG",
                             "nest": "NESTED"}.get(attr["type"], attr["type"].upper())
            if nla != want:
                problems.append(f"{name}: kernel policy {nla}, spec type {attr['type']}")
            spec_checks = {k: v for k, v in attr.get("checks", {}).items() if k in ("min", "max")}
            if checks != spec_checks:
                problems.append(f"{name}: kernel checks {checks}, spec checks {spec_checks}")
    if not policies:
        problems.append("no nla_policy entries found in kmod/*.c")
    return problems


def check_schema(spec, schema_path):
    import jsonschema
    schema = yaml.safe_load(open(schema_path))
    errors = jsonschema.Draft7Validator(schema).iter_errors(spec)
    return [f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", help="the kernel's genetlink.yaml YNL schema")
    args = parser.parse_args()
    spec = yaml.safe_load(open(SPEC))
    if args.schema:
        report("spec: valid against the kernel's genetlink YNL schema",
               check_schema(spec, args.schema))
    header = open(HEADER).read()
    enums = expected_enums(spec)

    report("spec: enum values match include/uapi/linux/kzt.h", check_values(enums, spec))

    known = {n for members in enums.values() for n, _ in members}
    known |= {"KZT_GENL_NAME", "KZT_GENL_VERSION", "_UAPI_LINUX_KZT_H"}
    known |= {c_name("kzt-mcgrp-", g["name"]) for g in spec["mcast-groups"]["list"]}
    known |= {c_name(spec["name"], "-", d["name"]) for d in spec.get("definitions", [])}
    extra = sorted(header_enumerators(header) - known)
    report("spec: header defines nothing the spec lacks",
           [f"{n} is in the header but not in the spec" for n in extra])

    names = {e: [n for n, _ in m] for e, m in enums.items()}
    missing = [f"enum {e} missing from the header" for e in names
               if not re.search(rf"enum\s+{e}\s*\{{", header)]
    report("spec: enum names match the header", missing)

    report("spec: kernel nla_policy types and checks match", check_policies(spec))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
