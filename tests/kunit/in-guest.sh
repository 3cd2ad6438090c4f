#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest half of the KUnit layer: load kzt.ko and kzt_test.ko from DIR (KUnit
# runs the suites as kzt_test.ko loads) and print the kernel log from that
# point, so the host can parse the KTAP. Usage: in-guest.sh DIR
set -u
DIR=$1
MARK="kzt-kunit-start-$$"

insmod "$DIR/kzt.ko" || exit 1
echo "$MARK" > /dev/kmsg
insmod "$DIR/kzt_test.ko" || exit 1
rmmod kzt_test && rmmod kzt || exit 1
dmesg --notime | sed -n "/$MARK/,\$p" | tail -n +2
