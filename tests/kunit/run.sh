#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit layer: build (or reuse from the cache) the debug kernel, build
# kzt.ko and kzt_test.ko against it, boot it in QEMU, load them, and turn
# the KTAP the suites print into TEST lines. See Documentation/testing.rst.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# Builds the kernel if it is not in the cache; prints where it is.
env=$("$ROOT/tools/kernel/build-kernel.sh") || exit
eval "$env"
moddir=$("$ROOT/tools/kernel/build-module.sh")

cd "$ROOT"
set +e
tools/vm/kzt-vm --kernel "$KZT_DEBUG_KERNEL" --modules "$KZT_DEBUG_MODULES" \
	--machine "$KZT_DEBUG_MACHINE" --timeout 600 -- tests/kunit/in-guest.sh "$moddir" > tests/out/kunit.ktap
vm_rc=$?
set -e
/usr/bin/python3 tests/kunit/ktap.py < tests/out/kunit.ktap
ktap_rc=$?
if [ $vm_rc -ne 0 ]; then
	echo "TEST: kunit: guest run (kzt-vm exit $vm_rc) [FAIL]"
	exit 1
fi
exit $ktap_rc
