#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the YNL spec, the uapi header and the kernel's policies agree.

The spec (Documentation/netlink/specs/kzt.yaml) is the reference. From it
this derives every enum, flag, constant and attribute name and value the
uapi header must define, and gcc proves them with static assertions
against the real header; every KZT_* name of the header must come from the
spec. Two kzt conventions beyond YNL: an enum with render-max has only the
__<PREFIX>MAX sentinel in the header, and a flags set with render-max has
__<PREFIX>ALL, the OR of its flags (the NLA_POLICY_MASK of its attribute).

Against the kernel module (kmod/*.c): every entry of every nla_policy array
must match its attribute's type and checks in the spec (min, max,
exact-len, max-len, flags-mask, the max an enum implies, the attribute set
of a nest), with every C expression proved equal to the spec's value by
gcc; every attribute an operation takes must have a policy; the op table
of netlink.c must give each spec operation (do and dump) a policy (or, in
a comment, "the handler checks with NAME" for one its handler applies) that
accepts exactly the request attributes of the spec, the maxattr of its
attribute set and GENL_ADMIN_PERM when the spec says admin-perm; and the
attributes netlink.c lets repeat must be the spec's multi-attr ones.

With --schema-dir DIR (the kernel's Documentation/netlink), the spec is
also validated against the YNL schema its "protocol" names.

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


def definition_enums(spec):
    """{enum name: [(enumerator, value)]} of the enum and flags definitions."""
    family = spec["name"]
    enums = {}
    for d in spec.get("definitions", []):
        if d["type"] not in ("enum", "flags"):
            continue
        prefix = d.get("name-prefix", f"{family}-{d['name']}-")
        members, value, mask = [], d.get("value-start", 0), 0
        for i, entry in enumerate(d["entries"]):
            if isinstance(entry, dict):
                name, value = entry["name"], entry.get("value", value)
            else:
                name = entry
            v = (1 << i) if d["type"] == "flags" else value
            members.append((c_name(prefix, name), v))
            mask |= v
            value += 1
        if d.get("render-max"):
            if d["type"] == "flags":
                members.append(("__" + c_name(prefix, "all"), mask))
            else:
                members.append(("__" + c_name(prefix, "max"), value))
        enum_name = d.get("enum-name", f"{family}-{d['name']}").replace("-", "_")
        enums[enum_name] = members
    return enums


def expected_enums(spec):
    """{enum name: [(enumerator, value)]} as the spec defines them."""
    family = spec["name"]
    enums = definition_enums(spec)
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
            if isinstance(d["value"], str):
                lines.append(f'static const char check_{name}[] = {name};')
                lines.append(f'_Static_assert(sizeof(check_{name}) == {len(d["value"]) + 1}, "{name}");')
            else:
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


POLICY_ARRAY_RE = re.compile(
    r"(?:static\s+)?const\s+struct\s+nla_policy\s+(\w+)\s*\[[^\]]*\]\s*=\s*\{(.*?)\n\};", re.S)
ENTRY_RE = re.compile(r"\[(KZT_\w+)\]\s*=\s*")
SCALAR_NLA = {"u8": "NLA_U8", "u16": "NLA_U16", "u32": "NLA_U32", "u64": "NLA_U64",
              "s32": "NLA_S32", "s64": "NLA_S64", "uint": "NLA_UINT", "sint": "NLA_SINT",
              "string": "NLA_NUL_STRING", "binary": "NLA_BINARY", "nest": "NLA_NESTED",
              "flag": "NLA_FLAG"}


def c_expr_end(text, i):
    """Index just past the C expression starting at text[i] (up to a top-level ',' or '}')."""
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return i
            depth -= 1
        elif ch == "," and depth == 0:
            return i
        i += 1
    return i


def split_args(args):
    out, depth, cur = [], 0, ""
    for ch in args:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def interpret(expr):
    """(NLA type, {check: C expression}, nested array or None) of one policy entry."""
    expr = " ".join(expr.split())
    m = re.match(r"(NLA_POLICY_\w+)\((.*)\)$", expr)
    if m:
        macro, args = m.group(1), split_args(m.group(2))
        if macro == "NLA_POLICY_MIN":
            return args[0], {"min": args[1]}, None
        if macro == "NLA_POLICY_MAX":
            return args[0], {"max": args[1]}, None
        if macro == "NLA_POLICY_RANGE":
            return args[0], {"min": args[1], "max": args[2]}, None
        if macro == "NLA_POLICY_FULL_RANGE":
            rng = RANGES.get(args[1].lstrip("&").strip(), {})
            return args[0], {k: v for k, v in rng.items() if k in ("min", "max")}, None
        if macro == "NLA_POLICY_EXACT_LEN":
            return "NLA_BINARY", {"exact-len": args[0]}, None
        if macro == "NLA_POLICY_MASK":
            return args[0], {"flags-mask": args[1]}, None
        if macro == "NLA_POLICY_NESTED":
            return "NLA_NESTED", {}, args[0]
        return macro, {}, None
    m = re.match(r"\{(.*)\}$", expr)
    if m:
        fields = dict(re.findall(r"\.(\w+)\s*=\s*([^,]+?)\s*(?:,|$)", m.group(1)))
        checks = {}
        if "len" in fields:
            checks["max-len"] = fields["len"]
        return fields.get("type", "NLA_UNSPEC"), checks, None
    return expr, {}, None


# {name: {"min": C expression, "max": ...}} of the netlink_range_validation
# structs of kmod/*.c, which NLA_POLICY_FULL_RANGE entries point to (u32
# bounds beyond the s16 of NLA_POLICY_RANGE).
RANGES = {}
RANGE_RE = re.compile(
    r"struct\s+netlink_range_validation\s+(\w+)\s*=\s*\{(.*?)\};", re.S)


def kernel_policy_arrays():
    """{array name: {attribute enumerator: (NLA type, checks, nested array)}} from kmod/*.c."""
    arrays = {}
    for fn in sorted(os.listdir(KMOD)):
        if not fn.endswith(".c") or fn.endswith("_test.c") or fn.endswith(".mod.c"):
            continue
        text = open(os.path.join(KMOD, fn)).read()
        for name, body in RANGE_RE.findall(text):
            RANGES[name] = dict(re.findall(r"\.(min|max)\s*=\s*([^,}]+?)\s*(?:,|$)", body))
        for name, body in POLICY_ARRAY_RE.findall(text):
            entries = {}
            for m in ENTRY_RE.finditer(body):
                end = c_expr_end(body, m.end())
                entries[m.group(1)] = interpret(body[m.end():end])
            arrays[name] = entries
    return arrays


def const_values(spec):
    """{spec name: value} of constants and flags masks, for checks that name them."""
    values = {d["name"]: d["value"] for d in spec.get("definitions", []) if d["type"] == "const"}
    for d in spec.get("definitions", []):
        if d["type"] == "flags":
            values[d["name"]] = (1 << len(d["entries"])) - 1
    return values


def spec_checks(spec, attr):
    """{check: value} the kernel policy of @attr must implement."""
    values = const_values(spec)
    checks = {}
    for k, v in attr.get("checks", {}).items():
        checks[k] = values.get(v, v) if isinstance(v, str) else v
    enum = attr.get("enum")
    if enum and not attr.get("enum-as-flags") and "max" not in checks:
        d = next(d for d in spec["definitions"] if d["name"] == enum)
        checks["max"] = len(d["entries"]) - 1    # what YNL implies for an enum
    return checks


def attr_index(spec):
    """{attribute enumerator: (set, attribute)} over every attribute set."""
    index = {}
    for aset in spec["attribute-sets"]:
        prefix = aset.get("name-prefix", f"{spec['name']}-a-{aset['name']}-")
        for attr in aset["attributes"]:
            index[c_name(prefix, attr["name"])] = (aset, attr)
    return index


def set_prefix(spec, set_name):
    aset = next(a for a in spec["attribute-sets"] if a["name"] == set_name)
    return c_name(aset.get("name-prefix", f"{spec['name']}-a-{aset['name']}-"))


def check_policies(spec, arrays):
    """Every kernel policy entry against the spec; C values proved by gcc."""
    problems, asserts = [], []
    index = attr_index(spec)
    for array, entries in sorted(arrays.items()):
        for name, (nla, checks, nested) in sorted(entries.items()):
            where = f"{array}[{name}]"
            if name not in index:
                problems.append(f"{where}: not an attribute of the spec")
                continue
            aset, attr = index[name]
            want = SCALAR_NLA.get(attr["type"], attr["type"])
            if nla != want:
                problems.append(f"{where}: kernel policy {nla}, spec type {attr['type']}")
            want_checks = spec_checks(spec, attr)
            if set(checks) != set(want_checks):
                problems.append(f"{where}: kernel checks {sorted(checks)}, "
                                f"spec checks {sorted(want_checks)}")
            for k in set(checks) & set(want_checks):
                asserts.append((f"({checks[k]}) == {want_checks[k]}", f"{where} {k}"))
            if nested:
                inner = arrays.get(nested, {})
                want_prefix = set_prefix(spec, attr.get("nested-attributes", ""))
                if not inner or not all(n.startswith(want_prefix) for n in inner):
                    problems.append(f"{where}: nests {nested}, spec nests "
                                    f"{attr.get('nested-attributes')} ({want_prefix}*)")
    if not arrays:
        problems.append("no nla_policy arrays found in kmod/*.c")
    lines = ["#include <netinet/in.h>", "#include <linux/kzt.h>"]
    lines += [f'_Static_assert({e}, "{w}");' for e, w in asserts]
    problems += gcc_errors(lines)
    return problems


def gcc_errors(lines):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "check.c")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        res = subprocess.run(["gcc", "-fsyntax-only", "-Werror", "-Wno-unused-const-variable",
                              "-I", os.path.join(ROOT, "include/uapi"), src],
                             capture_output=True, text=True)
    return [l for l in res.stderr.splitlines() if "error" in l]


OP_RE = re.compile(r"\{([^{}]*\.cmd\s*=\s*KZT_CMD_\w+[^{}]*)\}", re.S)


def kernel_ops():
    """[(cmd, do|dump, policy array, maxattr, flags)] from netlink.c's op table."""
    text = open(os.path.join(KMOD, "netlink.c")).read()
    m = re.search(r"genl_split_ops\s+kzt_nl_ops\[\]\s*=\s*\{(.*?)\n\};", text, re.S)
    ops = []
    for body in OP_RE.findall(m.group(1) if m else ""):
        fields = dict(re.findall(r"\.(\w+)\s*=\s*([^,]+?)\s*,", body + ","))
        kind = "dump" if "dumpit" in fields else "do"
        # An op whose handler applies the policy itself says which one.
        own = re.search(r"the handler checks with[\s*]+(\w+)", body)
        if "policy" not in fields and own:
            fields["policy"] = own.group(1)
            fields["maxattr"] = "handler"
        ops.append((fields.get("cmd"), kind, fields.get("policy"), fields.get("maxattr"),
                    fields.get("flags", "")))
    return ops


def check_ops(spec, arrays):
    problems = []
    family = spec["name"]
    ops = spec["operations"]
    prefix = ops.get("name-prefix", f"{family}-cmd-")
    kernel = {(cmd, kind): (pol, maxattr, flags) for cmd, kind, pol, maxattr, flags in kernel_ops()}
    if not kernel:
        return ["no split ops found in kmod/netlink.c"]
    seen = set()
    for op in ops["list"]:
        cmd = c_name(prefix, op["name"])
        aset = op.get("attribute-set")
        for kind in ("do", "dump"):
            if kind not in op:
                continue
            seen.add((cmd, kind))
            if (cmd, kind) not in kernel:
                problems.append(f"{cmd} {kind}: in the spec, not in kzt_nl_ops")
                continue
            pol, maxattr, flags = kernel[(cmd, kind)]
            request = (op[kind] or {}).get("request", {}).get("attributes", [])
            want = {c_name(set_prefix(spec, aset), a) for a in request}
            got = set(arrays.get(pol, {}))
            if pol not in arrays:
                problems.append(f"{cmd} {kind}: policy {pol} not found")
            elif got != want:
                problems.append(f"{cmd} {kind}: {pol} accepts {sorted(got)}, "
                                f"the spec's request is {sorted(want)}")
            if maxattr not in ("handler", set_prefix(spec, aset) + "MAX"):
                problems.append(f"{cmd} {kind}: maxattr {maxattr}, "
                                f"want {set_prefix(spec, aset)}MAX")
            if ("admin-perm" in op.get("flags", [])) != ("GENL_ADMIN_PERM" in flags):
                problems.append(f"{cmd} {kind}: GENL_ADMIN_PERM and the spec's "
                                f"admin-perm disagree")
    for cmd, kind in sorted(set(kernel) - seen):
        problems.append(f"{cmd} {kind}: in kzt_nl_ops, not in the spec")
    return problems


def check_multi_attr(spec):
    """netlink.c lets exactly the spec's multi-attr attributes of request sets repeat."""
    text = open(os.path.join(KMOD, "netlink.c")).read()
    m = re.search(r"kzt_nl_multi_attrs\(.*?\n\}", text, re.S)
    got = set(re.findall(r"BIT_ULL\((KZT_\w+)\)", m.group(0) if m else ""))
    op_sets = {op.get("attribute-set") for op in spec["operations"]["list"]}
    want = set()
    for aset in spec["attribute-sets"]:
        if aset["name"] not in op_sets:
            continue    # nests: their parser checks repeats
        prefix = aset.get("name-prefix", f"{spec['name']}-a-{aset['name']}-")
        want |= {c_name(prefix, a["name"]) for a in aset["attributes"] if a.get("multi-attr")}
    if got != want:
        return [f"netlink.c lets {sorted(got)} repeat, the spec's multi-attr are {sorted(want)}"]
    return []


def check_schema(spec, schema_dir):
    import jsonschema
    schema = yaml.safe_load(open(os.path.join(schema_dir, spec.get("protocol", "genetlink") + ".yaml")))
    errors = jsonschema.Draft7Validator(schema).iter_errors(spec)
    return [f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema-dir",
                        help="the kernel's Documentation/netlink, holding the YNL schemas")
    args = parser.parse_args()
    spec = yaml.safe_load(open(SPEC))
    if args.schema_dir:
        report(f"spec: valid against the kernel's {spec.get('protocol', 'genetlink')} YNL schema",
               check_schema(spec, args.schema_dir))
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

    arrays = kernel_policy_arrays()
    report("spec: kernel nla_policy types and checks match", check_policies(spec, arrays))
    report("spec: each operation's kernel policy takes its request attributes",
           check_ops(spec, arrays))
    report("spec: repeatable attributes are the multi-attr ones", check_multi_attr(spec))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
