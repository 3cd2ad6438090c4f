#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The keys kztd derives work in the kernel's TLS: kzt-tlspair runs kztd's
# TLS engine (lib/tlsconn.c) for a TLS 1.3 handshake on two real TCP
# sockets, installs the derived keys with setsockopt(SOL_TLS, TLS_TX and
# TLS_RX) on both, then moves data both ways through kTLS only, per suite.
# A wrong key, IV or sequence number makes the first record fail to
# authenticate (EBADMSG), so the data check fails.
#
#   ns srv: listener 10.9.0.1:4433 -- veth -- ns cli: 10.9.0.2
#   (kzt-tlspair holds both sockets: handshake, kTLS, fork, transfer)
#
# The certificates are made here with the openssl CLI: a CA, two SVIDs.
source "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d)
SRV= CLI=

cleanup() {
	ns_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

require_root
require_cmd ip openssl kzt-tlspair
modprobe tls 2>/dev/null
[ -e /proc/net/tls_stat ] || skip_all "no kTLS in this kernel (modprobe tls)"

# make_certs DIR: bundle.pem and two SVIDs of cluster.local, as kztd reads.
make_certs() {
	local dir=$1 n
	mkdir -p "$dir"
	cat > "$TMP/ext.cnf" <<-'EOC'
	[req]
	distinguished_name = dn
	prompt = no
	[dn]
	CN = kzt selftest CA
	[ca]
	basicConstraints = critical,CA:TRUE
	keyUsage = critical,keyCertSign,cRLSign
	subjectKeyIdentifier = hash
	[svid]
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature
	extendedKeyUsage = serverAuth,clientAuth
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid:always
	subjectAltName = URI:$ENV::SVID_ID
	EOC
	export SVID_ID=none
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$TMP/ca.key" 2>/dev/null &&
	openssl req -x509 -new -config "$TMP/ext.cnf" -extensions ca \
		-key "$TMP/ca.key" -days 2 -out "$dir/bundle.pem" || return 1
	for n in a.client b.server; do
		(umask 077; openssl genpkey -algorithm EC \
			-pkeyopt ec_paramgen_curve:P-256 -out "$dir/$n.key") &&
		openssl req -new -key "$dir/$n.key" -subj /CN=svid \
			-out "$TMP/$n.csr" &&
		SVID_ID=spiffe://cluster.local/ns/${n%%.*}/sa/${n#*.} \
		openssl x509 -req -in "$TMP/$n.csr" -CA "$dir/bundle.pem" \
			-CAkey "$TMP/ca.key" -set_serial "$RANDOM" -days 1 \
			-extfile "$TMP/ext.cnf" -extensions svid \
			-out "$dir/$n.crt" 2>/dev/null || return 1
	done
}

tls_stat() { # tls_stat NS FIELD
	ip netns exec "$1" awk -v f="$2" '$1 == f { print $2 }' /proc/net/tls_stat
}

setup() {
	SRV=$(ns_create srv) && CLI=$(ns_create cli) &&
	ip link add veth-s netns "$SRV" type veth peer name veth-c netns "$CLI" &&
	ip -n "$SRV" addr add 10.9.0.1/24 dev veth-s &&
	ip -n "$CLI" addr add 10.9.0.2/24 dev veth-c &&
	ip -n "$SRV" link set veth-s up &&
	ip -n "$CLI" link set veth-c up &&
	make_certs "$TMP/certs"
}

# stream CIPHER BYTES: both ways, byte-exact, and kTLS counted both ends.
test_stream() {
	local out before after
	before=$(tls_stat "$SRV" TlsRxSw)
	out=$(kzt-tlspair --certs "$TMP/certs" --cipher "$1" --stream "$2" \
		--addr 10.9.0.1 --port 4433 --server-netns "$SRV" \
		--client-netns "$CLI" -j 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	expect_match "output" "$out" "\"cipher\":\"$1\",\"mode\":\"stream\",\"bytes\":$2" || return 1
	after=$(tls_stat "$SRV" TlsRxSw)
	[ "$after" -gt "$before" ] || { echo "TlsRxSw did not grow ($before -> $after)"; return 1; }
}

test_pingpong() {
	local out
	out=$(kzt-tlspair --certs "$TMP/certs" --cipher "$1" --pingpong 100 \
		--addr 10.9.0.1 --server-netns "$SRV" --client-netns "$CLI" -j 2>&1) ||
		{ echo "$out"; return 1; }
	expect_match "output" "$out" "\"mode\":\"pingpong\",\"count\":100,\"rtt_p50_us\":[0-9]+"
}

test_loopback_v6() {
	ip netns exec "$CLI" kzt-tlspair --certs "$TMP/certs" --addr ::1 \
		--stream 65536 >/dev/null
}

# The negative control: one bit of the client's TX key flipped (a test
# hook of kzt-tlspair) and the server's kTLS refuses the first record.
test_wrong_key_fails() {
	local out
	out=$(KZT_TLSPAIR_CORRUPT_KEY=1 ip netns exec "$CLI" kzt-tlspair \
		--certs "$TMP/certs" --stream 4096 2>&1) && { echo "a corrupted key passed: $out"; return 1; }
	expect_match "error" "$out" "read after 0 of 4096 bytes"
}

setup || { log_test "ktls_keys: setup (netns, veth, certificates)" 1; exit $RET; }
ip netns exec "$CLI" ip link set lo up
for c in aes128 aes256 chacha20; do
	run_test "ktls_keys: $c: handshake, keys in kTLS, 256 KiB each way" test_stream "$c" 262144
	run_test "ktls_keys: $c: 100 one-byte round trips" test_pingpong "$c"
done
run_test "ktls_keys: IPv6 loopback" test_loopback_v6
run_test "ktls_keys: a corrupted key fails the first record" test_wrong_key_fails
exit $RET
