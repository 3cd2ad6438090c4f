#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kzt.ko and kzt_test.ko (KUnit) against the debug kernel, in
# .build/debug/ so that kmod/ keeps the build for Debian's kernel: kbuild of
# 6.12 writes an external module's objects next to its sources. Prints the
# directory holding the two modules.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/.build/debug

eval "$("$ROOT/tools/kernel/build-kernel.sh" --print-env)"

mkdir -p "$OUT/include/uapi/linux" "$OUT/kmod"
# Same relative layout as the tree, so kmod/Kbuild's include path holds.
rsync -a --delete --exclude='*.mod.c' --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	--include='*.c' --include='*.h' --include='Kbuild' --include='Makefile' \
	--exclude='*' "$ROOT/kmod/" "$OUT/kmod/"
cp -p "$ROOT/include/uapi/linux/kzt.h" "$OUT/include/uapi/linux/kzt.h"
make -C "$KZT_DEBUG_KDIR" M="$OUT/kmod" KZT_WERROR=y modules >&2
echo "$OUT/kmod"
