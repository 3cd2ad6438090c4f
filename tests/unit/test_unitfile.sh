#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# daemon/kztd.service, checked on the host by systemd's own tools (no
# systemd needs to run): it parses cleanly (systemd-analyze verify, with
# ExecStart pointed at the kztd just built), its sandbox rates an
# exposure of at most 2.0 of 10 (systemd-analyze security --offline), and
# the directives kzt relies on are set as Documentation/kztd.rst says.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
UNIT=$ROOT/daemon/kztd.service
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0

check() { # check NAME CMD...
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		printf 'TEST: %-60s [ OK ]\n' "$name"
	else
		printf 'TEST: %-60s [FAIL]\n' "$name"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=1
	fi
}

# verify prints problems but exits 0 for some: any output is a failure.
verify() {
	local out
	out=$(systemd-analyze verify "$TMP/kztd.service" 2>&1) || { echo "$out"; return 1; }
	[ -z "$out" ] || { echo "$out"; return 1; }
}

# The value of KEY in the unit ("" if unset), the last one set winning.
value() {
	sed -n "s/^$1=//p" "$UNIT" | tail -n 1
}

directives() {
	local want key ok=0
	for want in Type=notify CapabilityBoundingSet=CAP_NET_ADMIN \
		    ProtectSystem=strict NoNewPrivileges=yes \
		    SystemCallFilter=~@resources ExecStart=/usr/sbin/kztd\ --log\ stderr; do
		key=${want%%=*}
		[ "$(value "$key")" = "${want#*=}" ] ||
			{ echo "$key is '$(value "$key")', want '${want#*=}'"; ok=1; }
	done
	# kztd serves the network namespace it runs in, the node's.
	for key in PrivateNetwork NetworkNamespacePath PrivateUsers; do
		[ -z "$(value "$key")" ] || { echo "$key must not be set"; ok=1; }
	done
	return $ok
}

if ! command -v systemd-analyze > /dev/null; then
	echo "SKIP: systemd-analyze not installed (make deps)"
	exit 4
fi
[ -x "$ROOT/daemon/kztd" ] || { echo "daemon/kztd not built"; exit 1; }
sed "s|/usr/sbin/kztd|$ROOT/daemon/kztd|g" "$UNIT" > "$TMP/kztd.service"

check "kztd.service: systemd-analyze verify is clean" verify
check "kztd.service: exposure at most 2.0 (systemd-analyze security)" \
	systemd-analyze security --offline=true --threshold=20 "$TMP/kztd.service"
check "kztd.service: notify, CAP_NET_ADMIN only, strict, filtered" directives
exit $failed
