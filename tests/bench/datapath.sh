#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Data-path benchmark (numbers, not a test): in one guest boot, pod-to-pod
# TCP over plaintext, bare kTLS, kzt and a stunnel4 mTLS proxy pair, side by
# side, with kzt's ratios to bare kTLS and to stunnel. See
# Documentation/bench.rst and tests/bench/datapath-guest.sh for the options.
#
#   tests/bench/datapath.sh [--bytes B] [--reps N] [--pings N] [--conns N] ...
#
# Prints a table; writes tests/out/bench/datapath.json.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
make -s all
make -s -C tests/selftests
make -s -C tests/bench
mkdir -p tests/out/bench
exec tools/vm/kzt-vm --timeout 3600 -- tests/bench/datapath-guest.sh "$@"
