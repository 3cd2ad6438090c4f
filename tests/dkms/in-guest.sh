#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest half of the DKMS layer: modprobe (no path) must load the DKMS build.
set -eu
export PATH=$(cd "$(dirname "$0")/../.." && pwd)/tools/kztctl:$PATH

modprobe kzt
path=$(modinfo -n kzt)
echo "loaded $path, version $(cat /sys/module/kzt/version)"
case $path in */updates/dkms/kzt.ko*) ;; *) echo "not the DKMS module"; exit 1 ;; esac
kztctl config set tunnel-port 15123
kztctl -j config show | /usr/bin/python3 -c \
	'import json, sys; assert json.load(sys.stdin)["tunnel_port"] == 15123'
modprobe -r kzt
[ ! -d /sys/module/kzt ]
