#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers the guest halves of the benchmarks share (datapath-guest.sh,
# conns-guest.sh, xds-guest.sh). Source it after tests/selftests/lib.sh and
# mesh-lib.sh; the caller keeps PIDS=() (killed by its cleanup) and, for
# start_stunnel, $cipher.
# shellcheck disable=SC2154

bg() { "$@" & PIDS+=($!); }

wait_port() { # wait_port NS PORT
	busywait 10000 in_pod "$1" sh -c "ss -Hltn 'sport = :$2' | grep -q ."
}

CAPTURE=
capture() { # capture on|off: kzt capture on both nodes
	[ "$CAPTURE" = "$1" ] && return 0
	mesh_kztctl 1 config set capture "$1" > /dev/null &&
		mesh_kztctl 2 config set capture "$1" > /dev/null && CAPTURE=$1
}

# A userspace TLS 1.3 mTLS proxy pair: a1 -> the client stunnel on node1 ->
# the underlay -> the server stunnel on node2 -> b1.
start_stunnel() {
	local d=$MESH_DIR/stunnel c
	mkdir -p "$d"
	for c in client server; do
		cat > "$d/$c.conf" <<-EOF
		foreground = yes
		pid =
		debug = 3
		output = $d/$c.log
		[bench]
		$( [ $c = client ] && echo "client = yes" )
		accept = $( [ $c = client ] && echo "10.1.1.1:9200" || echo "${MESH_UNDERLAY[2]}:9201" )
		connect = $( [ $c = client ] && echo "${MESH_UNDERLAY[2]}:9201" || echo "${MESH_IP[b1]}:9000" )
		sslVersionMin = TLSv1.3
		ciphersuites = $cipher
		cert = $MESH_DIR/certs$( [ $c = client ] && echo 1/demo.client || echo 2/demo.server ).crt
		key = $MESH_DIR/certs$( [ $c = client ] && echo 1/demo.client || echo 2/demo.server ).key
		CAfile = $MESH_CA/ca.crt
		verifyChain = yes
		requireCert = yes
		sessionCacheSize = 1
		sessionCacheTimeout = 1
		options = NO_TICKET
		EOF
	done
	bg in_pod node2 stunnel4 "$d/server.conf"
	bg in_pod node1 stunnel4 "$d/client.conf"
	wait_port node1 9200 && wait_port node2 9201
}

# Kernel memory (lib.sh's kmem_kib) with caches dropped and slabs shrunk.
settled_kmem_kib() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 > "$f"; done 2>/dev/null
	kmem_kib
}

step() { echo "# $(date +%T) $*" >&2; }
now_ms() { date +%s%3N; }

# CPU=busy guest CPU so far, all vCPUs, in ms (USER_HZ ticks: user nice
# system irq softirq steal). Builtins only: a process start under TCG
# costs more CPU than an idle guest spends in a second.
cpu_now() {
	local _c u n s _i _w irq sirq st
	read -r _c u n s _i _w irq sirq st _ < /proc/stat
	CPU=$(( (u + n + s + irq + sirq + st) * 10 ))
}

# nap: 0.2 s without a process (a read that times out on a FIFO, fd 9,
# which nap_init opens; call it once, in the main shell).
nap_init() {
	mkfifo "${TMPDIR:-/tmp}/bench-nap.$$"
	exec 9<> "${TMPDIR:-/tmp}/bench-nap.$$"
	rm -f "${TMPDIR:-/tmp}/bench-nap.$$"
}
nap() {
	read -r -t 0.2 -u 9 _ || true
}

# Wait until the guest is idle: a 200 ms stretch with under 10% of one
# vCPU busy (at most 60 s).
wait_idle() {
	local a _
	for _ in $(seq 300); do
		cpu_now
		a=$CPU
		nap
		cpu_now
		[ $((CPU - a)) -le 20 ] && return 0
	done
}
