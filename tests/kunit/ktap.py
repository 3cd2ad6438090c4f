#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn KTAP (from stdin) into one "TEST: kunit: <path> [ OK ]" line per leaf.

A leaf is a test result with no subtest results of its own: a plain test
case, or one parameter of a parameterised case. Suites and parameterised
cases are containers and are not counted twice. Exits 1 if any leaf failed
or if no result at all was found (a run that tested nothing is a failure).
"""
import re
import sys

RESULT = re.compile(r"^(\s*)(not ok|ok) \d+ (.*?)(?:\s+#\s*(SKIP|TODO)\b.*)?$")
SUBTEST = re.compile(r"^(\s*)# Subtest: (.*)$")


def main():
    lines = [l.rstrip("\n") for l in sys.stdin]
    names = {}        # depth -> name of the open subtest at that depth
    children = {}     # depth -> whether results appeared below it
    leaves = []
    for line in lines:
        print(line)
        m = SUBTEST.match(line)
        if m:
            depth = len(m.group(1).expandtabs()) // 4
            names[depth] = m.group(2)
            continue
        m = RESULT.match(line)
        if not m:
            continue
        depth = len(m.group(1).expandtabs()) // 4
        has_children = children.pop(depth + 1, False)
        children[depth] = True
        for d in [d for d in names if d > depth]:
            del names[d]  # the subtests this result closes
        if has_children:
            continue
        path = [names[d] for d in sorted(names) if 1 <= d <= depth]
        status = "SKIP" if m.group(4) == "SKIP" else ("OK" if m.group(2) == "ok" else "FAIL")
        leaves.append((".".join(path + [m.group(3)]), status))

    failed = 0
    for name, status in leaves:
        tag = {"OK": "[ OK ]", "FAIL": "[FAIL]", "SKIP": "[SKIP]"}[status]
        print(f"TEST: kunit: {name:<56} {tag}")
        failed += status == "FAIL"
    if not leaves:
        print("TEST: kunit: no KTAP results found [FAIL]")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
