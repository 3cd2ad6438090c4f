#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Register kzt with DKMS, build and install kzt.ko for a kernel, so that
# `modprobe kzt` finds it and kernel upgrades rebuild it.
#
#   tools/dkms-install.sh [--kernel KVER]   add, build and install
#   tools/dkms-install.sh --remove          remove kzt from DKMS, all kernels
#
# KVER defaults to the running kernel when its headers are installed, else
# the newest installed 6.12 kernel (a build host that runs another kernel).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=$(sed -n 's/^#define KZT_VERSION "\(.*\)"/\1/p' "$ROOT/kmod/version.h")
SRC=/usr/src/kzt-$VERSION

die() { echo "dkms-install: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
command -v dkms >/dev/null || die "dkms not installed (make deps)"

remove() {
	if dkms status -m kzt -v "$VERSION" | grep -q .; then
		dkms remove -m kzt -v "$VERSION" --all
	fi
	rm -rf "$SRC"
}

default_kernel() {
	if [ -d "/lib/modules/$(uname -r)/build" ]; then
		uname -r
	else
		ls /boot/vmlinuz-6.12* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n1
	fi
}

kver=
case ${1:-} in
--remove) remove; exit 0 ;;
--kernel) kver=${2:?--kernel needs a version} ;;
"") ;;
*) die "usage: $0 [--kernel KVER | --remove]" ;;
esac
[ -n "$kver" ] || kver=$(default_kernel)
[ -n "$kver" ] || die "no kernel with headers found (make deps)"
[ -d "/lib/modules/$kver/build" ] || die "no headers for $kver (/lib/modules/$kver/build)"

# A fresh copy of exactly the module's sources, as a release tarball has.
remove
mkdir -p "$SRC/kmod" "$SRC/include/uapi/linux"
cp "$ROOT"/kmod/*.[ch] "$ROOT/kmod/Kbuild" "$ROOT/kmod/Makefile" "$SRC/kmod/"
rm -f "$SRC"/kmod/*.mod.c
cp "$ROOT/include/uapi/linux/kzt.h" "$SRC/include/uapi/linux/"
sed "s/@VERSION@/$VERSION/" "$ROOT/dkms/dkms.conf" > "$SRC/dkms.conf"

dkms add -m kzt -v "$VERSION"
dkms build -m kzt -v "$VERSION" -k "$kver"
dkms install -m kzt -v "$VERSION" -k "$kver"
echo "dkms-install: kzt $VERSION installed for $kver: $(modinfo -k "$kver" -n kzt)"
