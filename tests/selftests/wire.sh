#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What crosses the underlay between the nodes: only TLS on the tunnel port,
# never the application's bytes in the clear; and it is genuine TLS 1.3:
# tshark, given the key log kztd writes when asked to, decrypts it and
# finds the application's bytes.
# Topology: mesh-lib.sh (2 nodes x 2 pods); tcpdump on node1's "und".
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mesh-lib.sh"

TCPDUMP=

cleanup() {
	[ -z "$TCPDUMP" ] || kill "$TCPDUMP" 2>/dev/null
	mesh_down
	kzt_unload 2>/dev/null
}
trap cleanup EXIT

require_root
require_cmd ip kztctl kztd socat tcpdump tshark

MARKER=kzt-marker-$RANDOM$RANDOM-plaintext

# send_marker CIPHER: capture the underlay while pod a1 sends the marker
# to pod b1 and gets it echoed; kztd on both nodes offers only CIPHER and
# writes a key log.
send_marker() {
	local cipher=$1 pcap=$MESH_DIR/$1.pcap out
	mesh_kztd_stop 1 && mesh_kztd_stop 2
	mesh_kztd_start 1 "ciphersuites = $cipher" "keylog = $MESH_DIR/keys1.log" || return 1
	mesh_kztd_start 2 "ciphersuites = $cipher" "keylog = $MESH_DIR/keys2.log" || return 1
	in_pod node1 tcpdump -i und -U -s 0 -w "$pcap" tcp 2> /dev/null &
	TCPDUMP=$!
	busywait 5000 test -s "$pcap" || sleep 1
	out=$(in_pod a1 sh -c "echo $MARKER | socat -t 10 - TCP:${MESH_IP[b1]}:7100")
	sleep 0.5
	kill "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null; TCPDUMP=
	expect_eq "echo through the mesh" "$out" "$MARKER"
}

test_setup() {
	mesh_up || return 1
	in_pod b1 socat -t 10 TCP-LISTEN:7100,reuseaddr,fork SYSTEM:cat &
	busywait 5000 in_pod b1 sh -c 'ss -Hltn "sport = :7100" | grep -q .'
}

test_no_plaintext() {
	local c pcap
	for c in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
		send_marker "$c" || return 1
		pcap=$MESH_DIR/$c.pcap
		if grep -qa "$MARKER" "$pcap"; then
			echo "$c: the marker crossed the underlay in the clear"; return 1
		fi
		# Every TCP segment with a payload is to or from the tunnel port.
		local other
		other=$(tshark -r "$pcap" -Y 'tcp.len > 0 && !(tcp.port == 15008)' 2>/dev/null | wc -l)
		expect_eq "$c: payload segments off the tunnel port" "$other" 0 || return 1
	done
}

test_tshark_decrypts() {
	local c pcap keys tls
	keys=$MESH_DIR/keys.log
	cat "$MESH_DIR/keys1.log" "$MESH_DIR/keys2.log" > "$keys"
	for c in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
		pcap=$MESH_DIR/$c.pcap
		tls=(-d tcp.port==15008,tls -o "tls.keylog_file:$keys")
		# The ServerHello chose TLS 1.3 (supported_versions 0x0304).
		expect_match "$c: version" "$(tshark -r "$pcap" "${tls[@]}" \
			-Y 'tls.handshake.type == 2' -T fields \
			-e tls.handshake.extensions.supported_version 2>/dev/null)" \
			"0x0304" || return 1
		# Without the key log the marker is nowhere (test_no_plaintext);
		# with it, tshark decrypts the records kzt.ko wrote and finds it.
		tshark -r "$pcap" "${tls[@]}" -q -z follow,tls,ascii,0 2>/dev/null \
			> "$MESH_DIR/$c.follow"
		grep -q "$MARKER" "$MESH_DIR/$c.follow" || {
			echo "$c: marker not in the decrypted stream:"
			head -20 "$MESH_DIR/$c.follow"
			return 1; }
	done
}

test_keylog_off_by_default() {
	mesh_kztd_stop 1
	rm -f "$MESH_DIR/keys1.log"
	: > "$MESH_DIR/kztd1.log"
	mesh_kztd_start 1 || return 1
	in_pod a1 sh -c "echo x | socat -t 5 - TCP:${MESH_IP[b1]}:7100" > /dev/null || return 1
	[ ! -e "$MESH_DIR/keys1.log" ] || { echo "key log written without the option"; return 1; }
	if grep -qi "keylog\|key log" "$MESH_DIR/kztd1.log"; then
		echo "kztd mentions a key log without the option:"
		grep -i "keylog\|key log" "$MESH_DIR/kztd1.log"; return 1
	fi
}

run_test "wire: mesh up, echo server in b1" test_setup
run_test "wire: no plaintext on the underlay, only the tunnel port" test_no_plaintext
run_test "wire: tshark with kztd's key log decrypts TLS 1.3" test_tshark_decrypts
run_test "wire: no key log unless asked" test_keylog_off_by_default
exit $RET
