#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The spec layer: check-spec.py with the kernel's own YNL schemas, taken
# from Debian's linux-source-6.12 (Documentation/netlink.rst); the spec's
# "protocol" says which one applies.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
src=$("$ROOT/tests/kernel-source-files.sh" Documentation/netlink/genetlink.yaml \
	Documentation/netlink/genetlink-c.yaml)
exec /usr/bin/python3 "$ROOT/tests/spec/check-spec.py" \
	--schema-dir "$src/Documentation/netlink"
