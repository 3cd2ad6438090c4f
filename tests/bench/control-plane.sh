#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Control-plane benchmark (numbers, not a test): in one guest boot, apply a
# synthetic mesh of 10,000 workloads and 1,000 policies with kztctl, dump
# it, measure the module's memory for it, and time 1,000,000 policy
# decisions next to 1,000,000 bare netlink round trips (the floor a
# decision asked over netlink cannot go below); then, with F live
# tunnelled flows, how long a commit takes to revoke half or all of them
# and what a commit that revokes nothing costs (revoke-guest.sh). See
# Documentation/bench.rst.
#
#   tests/bench/control-plane.sh [--workloads N] [--policies M] [--decisions D]
#                                [--flows F]
#
# Prints two tables; writes tests/out/bench/control-plane.json and
# revoke.json.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

args=(--workloads 10000 --policies 1000 --decisions 1000000 --flows 2000)
[ $# -eq 0 ] || args=("$@")

cd "$ROOT"
make -s all
make -s -C tests/selftests
mkdir -p tests/out/bench
exec tools/vm/kzt-vm --timeout 3600 -- tests/bench/control-plane-guest.sh "${args[@]}"
