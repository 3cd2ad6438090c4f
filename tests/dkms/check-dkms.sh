#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DKMS layer, on the host and in a guest: a real `dkms build` and
# `dkms install` of kzt for the installed 6.12 kernel (tools/dkms-install.sh,
# what `make dkms-install` runs), then a guest booting that kernel loads the
# DKMS-built module with plain `modprobe kzt` and uses it. Afterwards kzt is
# removed from DKMS again, so the host is left as it was (set KZT_DKMS_KEEP=1
# to keep it installed).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$(ls /boot/vmlinuz-6.12* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n1)
# shellcheck source=tests/result.sh
source "$ROOT/tests/result.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v dkms >/dev/null; then
	echo "TEST: dkms: needs root and dkms (make deps) [SKIP]"
	exit 0
fi

"$ROOT/tools/dkms-install.sh" --kernel "$KVER"
result "dkms: dkms build + install for $KVER" $?

path=$(modinfo -k "$KVER" -n kzt 2>/dev/null)
[[ $path == */updates/dkms/kzt.ko* ]]
result "dkms: modinfo finds kzt in updates/dkms ($path)" $?

(cd "$ROOT" && tools/vm/kzt-vm --timeout 300 -- tests/dkms/in-guest.sh)
result "dkms: guest loads the DKMS module with modprobe kzt" $?

if [ "${KZT_DKMS_KEEP:-0}" != 1 ]; then
	"$ROOT/tools/dkms-install.sh" --remove
	! modinfo -k "$KVER" -n kzt >/dev/null 2>&1 && ! dkms status -m kzt | grep -q .
	result "dkms: removal leaves no kzt module behind" $?
fi
exit $rc
