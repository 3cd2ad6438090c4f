#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale under istiod (numbers, not a test): the test istiod with 10,000
# workloads and 1,000 Authorization policies, kztd against it in one guest
# boot (tests/bench/xds-guest.sh). See Documentation/bench.rst.
#
#   tests/bench/xds.sh [--workloads W] [--policies P] [--updates U]
#
# Prints a table; writes tests/out/bench/xds.json.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

cd "$ROOT"
make -s all
mkdir -p tests/out/bench
exec tools/vm/kzt-vm --timeout 1800 -- tests/bench/xds-guest.sh "$@"
