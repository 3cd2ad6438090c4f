#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel code quality gates on kmod/ and the uapi header:
#  - sparse (make C=2) over every file of kzt.ko, no warnings;
#  - checkpatch.pl --strict (taken from Debian's linux-source-6.12 tarball
#    and cached: the headers package does not ship it), no errors or
#    warnings.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${KZT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kzt}
TARBALL=/usr/src/linux-source-6.12.tar.xz
# shellcheck source=tests/result.sh
source "$ROOT/tests/result.sh"

make -C "$ROOT/kmod" sparse
result "style: kmod/ is clean under sparse (make C=2)" $?

# checkpatch.pl and the data files it reads, extracted once per tarball.
checkpatch_dir() {
	local stamp dir
	stamp=$(stat -c %Y-%s "$TARBALL")
	dir=$CACHE/checkpatch/$stamp
	if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
		mkdir -p "$dir"
		tar -xJf "$TARBALL" -C "$dir" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' >&2
	fi
	echo "$dir"
}

if [ ! -f "$TARBALL" ]; then
	echo "$TARBALL missing: run 'make deps'" >&2
	result "style: checkpatch.pl --strict on kmod/ and include/" 1
else
	cp=$(checkpatch_dir)/scripts/checkpatch.pl
	(cd "$ROOT" && "$cp" --no-tree --strict --terse --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f $(ls kmod/*.[ch] | grep -v '\.mod\.c$') include/uapi/linux/kzt.h)
	result "style: checkpatch.pl --strict on kmod/ and include/" $?
fi
exit $rc
