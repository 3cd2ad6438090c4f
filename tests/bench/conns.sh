#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# New-connection benchmark (numbers, not a test): in one guest boot, new
# connections per second and time to first byte from pod a1 to pod b1 over
# plain TCP, kzt and a stunnel4 pair, one client after another and 32 at
# once; 60 s of back-to-back kzt connections with the tunnel port's
# underlay sockets sampled; kernel memory per idle flow; with --scale, as
# many concurrent flows as the guest holds. See Documentation/bench.rst and
# tests/bench/conns-guest.sh for the options.
#
#   tests/bench/conns.sh [--conns N] [--conc C] [--sustain SECS] [--flows F]
#                        [--scale N [--scale-cap SECS]] [--vm-mem MiB] ...
#
# Prints a table; writes tests/out/bench/conns.json.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
mem=1024 timeout=1800 args=()
while [ $# -gt 0 ]; do
	case $1 in
	--vm-mem) mem=$2; shift 2; continue ;;
	# 10,000 flows hold about 1 GiB of kernel memory (92 KiB each before
	# issue 14), and may take their time cap to open.
	--scale) [ "$mem" -ge 3072 ] || mem=3072; timeout=$((timeout + 2400)) ;;
	--scale-cap) timeout=$((timeout + $2)) ;;
	esac
	args+=("$1")
	shift
done
make -s all
make -s -C tests/selftests
make -s -C tests/bench
mkdir -p tests/out/bench
exec tools/vm/kzt-vm --mem "$mem" --timeout "$timeout" -- tests/bench/conns-guest.sh "${args[@]}"
