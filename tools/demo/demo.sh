#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: kzt's main job on an embedded default, in a QEMU guest
# booting Debian's 6.12 kernel. Today: two nodes (network namespaces), each
# with kzt's state and its own kztd, configured from a file and by kztctl.
# It grows into the two-node encrypted mesh as the data path lands.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
exec tools/vm/kzt-vm --timeout 300 -- tools/demo/in-guest.sh
