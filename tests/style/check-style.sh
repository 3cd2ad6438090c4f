#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel code quality gates on kmod/ and the uapi header:
#  - sparse (make C=2) over every file of kzt.ko, no warnings;
#  - checkpatch.pl --strict (from Debian's linux-source-6.12 tarball), no
#    errors, warnings or checks;
#  - scripts/kernel-doc -Wall, no warnings.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/result.sh
source "$ROOT/tests/result.sh"
# The module's own sources, not kbuild's generated *.mod.c.
KMOD_C=$(cd "$ROOT" && ls kmod/*.c | grep -v '\.mod\.c$')
KMOD_H=$(cd "$ROOT" && ls kmod/*.h)

make -C "$ROOT/kmod" sparse
result "style: kmod/ is clean under sparse (make C=2)" $?

if ! src=$("$ROOT/tests/kernel-source-files.sh" scripts/checkpatch.pl \
		scripts/spelling.txt scripts/const_structs.checkpatch); then
	result "style: checkpatch.pl --strict on kmod/ and include/" 1
else
	cp=$src/scripts/checkpatch.pl
	(cd "$ROOT" && "$cp" --no-tree --strict --terse --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f $KMOD_C $KMOD_H include/uapi/linux/kzt.h)
	result "style: checkpatch.pl --strict on kmod/ and include/" $?
fi
# kernel-doc comments must parse and describe every parameter and return.
if ! src=$("$ROOT/tests/kernel-source-files.sh" scripts/kernel-doc); then
	result "style: kernel-doc comments of kmod/ are complete" 1
else
	out=$(cd "$ROOT" && perl "$src/scripts/kernel-doc" -none -Wall $KMOD_C 2>&1)
	[ -z "$out" ] || echo "$out"
	[ -z "$out" ]
	result "style: kernel-doc comments of kmod/ are complete" $?
fi
exit $rc
