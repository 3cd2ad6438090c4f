#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-source-files.sh PATH...: extract a few files (checkpatch.pl, the
# YNL schemas) of Debian's linux-source-6.12 tarball once into the cache and
# print the directory they are under. The headers package lacks them, and
# unpacking the whole tree for them would cost 1.7 GB.
set -euo pipefail
CACHE=${KZT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kzt}
TARBALL=/usr/src/linux-source-6.12.tar.xz

[ -f "$TARBALL" ] || { echo "$TARBALL missing: run 'make deps'" >&2; exit 1; }
dir=$CACHE/kernel-files/$(stat -c %Y-%s "$TARBALL")
missing=()
for f in "$@"; do
	[ -e "$dir/$f" ] || missing+=("*/$f")
done
if [ ${#missing[@]} -gt 0 ]; then
	mkdir -p "$dir"
	tar -xJf "$TARBALL" -C "$dir" --strip-components=1 --wildcards "${missing[@]}" >&2
fi
echo "$dir"
