#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a guest and run the selftests in it: run-vm.sh [--debug] [TEST.sh...]
#   (default) Debian's 6.12 kernel and kmod/kzt.ko built against its headers,
#             every check;
#   --debug   the self-built KASAN + lockdep kernel (tools/kernel, built and
#             cached on first use) and kzt.ko built against it, the checks
#             marked run_test --debug (KZT_CHECKS=all in the environment runs
#             every check there too).
# The runner returns 201 when the guest kernel reported a problem (oops,
# KASAN, lockdep, WARNING) even if every test passed: that fails the layer.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

vm_args=()
if [ "${1:-}" = --debug ]; then
	shift
	# Builds the kernel if it is not in the cache; prints where it is.
	env=$("$ROOT/tools/kernel/build-kernel.sh") || exit
	eval "$env"
	"$ROOT/tools/kernel/build-module.sh" >&2
	vm_args=(--kernel "$KZT_DEBUG_KERNEL" --modules "$KZT_DEBUG_MODULES"
		--machine "$KZT_DEBUG_MACHINE")
	export KZT_MODULE=$ROOT/.build/debug/kmod/kzt.ko
	export KZT_CHECKS=${KZT_CHECKS:-debug}
fi

# A guard against a hung guest, not a time budget: every check took about
# 9 min on Debian's kernel, the debug layer about 11 min (TCG).
cd "$ROOT"
exec tools/vm/kzt-vm "${vm_args[@]}" --timeout 4800 -- \
	env KZT_MODULE="${KZT_MODULE:-$ROOT/kmod/kzt.ko}" KZT_CHECKS="${KZT_CHECKS:-all}" \
	tests/selftests/run.sh "$@"
