#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The istiod client (lib/grpc_*.c) against the test control plane (cp.py),
# on this host: no VM, no root. Each case starts cp.py with a scenario,
# runs grpc-probe and checks what both logged. Prints a "TEST: grpc: ..."
# line per check; part of the unit layer (tests/unit: make check).
# Leaves the logs in tests/out/cp/. Exit 4 when a package is missing.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CP=$ROOT/tests/cp
OUT=$ROOT/tests/out/cp
PY=/usr/bin/python3
source "$ROOT/tests/result.sh"

# Exit 4 (skipped) without the packages tools/deps.sh lists for it.
missing=
"$PY" -c 'import grpc, google.protobuf, cryptography' 2>/dev/null ||
	missing=" python3-grpcio python3-protobuf python3-cryptography"
for cmd in protoc jq openssl; do
	command -v "$cmd" >/dev/null || missing="$missing $cmd"
done
if [ -n "$missing" ]; then
	echo "TEST: grpc: needs$missing (make deps) [SKIP]"
	exit 4
fi

make -s -C "$CP" || exit 1
rm -rf "$OUT"
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/kzt-cp.XXXXXX)
CP_PID=
cleanup() {
	[ -n "$CP_PID" ] && kill "$CP_PID" 2>/dev/null && wait "$CP_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# Test PKI (tests/cp/pki.sh), another root that did not sign istiod's
# certificate, and the tokens.
source "$CP/pki.sh"
pki() {
	cp_pki "$WORK" || return 1
	cd "$WORK" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout other.key -out other.pem -days 2 -subj "/CN=other root" &&
	printf 'test-token-1\n' > token && printf 'wrong-token\n' > bad-token
} >"$OUT/pki.log" 2>&1

# start_cp SCENARIO CASE: cp.py in the background, logging to
# $OUT/CASE.cp.jsonl; $PORT when it serves.
start_cp() {
	local name=$1 case=$2
	rm -f "$WORK/port"
	"$PY" "$CP/cp.py" --cert "$WORK/istiod.pem" --key "$WORK/istiod.key" \
		--ca-cert "$WORK/ca.pem" --ca-key "$WORK/ca.key" \
		--token test-token-1,test-token-2 --cluster-id Kubernetes \
		--scenario "$CP/scenarios/$name.json" --log "$OUT/$case.cp.jsonl" \
		--port-file "$WORK/port" >"$OUT/$case.cp.out" 2>&1 &
	CP_PID=$!
	for _ in $(seq 100); do
		[ -s "$WORK/port" ] && break
		kill -0 "$CP_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! [ -s "$WORK/port" ]; then
		cat "$OUT/$case.cp.out"
		result "grpc: control plane starts for $case" 1
		return 1
	fi
	PORT=$(cat "$WORK/port")
}

stop_cp() {
	kill "$CP_PID" 2>/dev/null
	wait "$CP_PID" 2>/dev/null
	CP_PID=
}

# probe NAME [option...] ads|cert [option...]: output in $OUT/NAME.probe
probe() {
	local name=$1
	shift
	"$CP/grpc-probe" --host 127.0.0.1 --port "$PORT" --root "$WORK/ca.pem" \
		--server-name istiod.istio-system.svc --cluster-id Kubernetes \
		--timeout 10 "$@" >"$OUT/$name.probe" 2>&1
	echo "exit $?" >>"$OUT/$name.probe"
}

# has FILE PATTERN: grep -E, quietly
has() { grep -qE -- "$2" "$1"; }

# events NAME JQ-FILTER: how many lines of the control plane's log match
events() { jq -c "select($2)" "$OUT/$1.cp.jsonl" | wc -l; }

check() { # check NAME COMMAND...: a result line from a command's status
	local name=$1
	shift
	"$@"
	result "grpc: $name" $?
}

pki || { cat "$OUT/pki.log"; result "grpc: test PKI" 1; exit 1; }
A=type.googleapis.com/istio.workload.Address
Z=type.googleapis.com/istio.security.Authorization
TOK=(--token "$WORK/token")

# 1. TLS + ALPN h2 + token and clusterid; a delta ADS subscription gets the
# resources, decodes them (a Workload with fields kzt's proto leaves out
# too) and ACKs each response by nonce.
if start_cp basic basic; then
	probe basic "${TOK[@]}" ads --responses 2
	stop_cp
	P=$OUT/basic.probe
	check "ADS stream over TLS, h2, token and clusterid ends OK" \
		has "$P" '^close ads err=0 '
	check "control plane accepted the call (user-agent kztd/)" \
		test "$(events basic '.ev=="call" and (.user_agent|startswith("kztd/"))')" = 1
	check "node ID and metadata sent" \
		test "$(events basic '.ev=="subscribe" and (.node_id|startswith("kztd~")) and .node_metadata.NODE_NAME=="node-1"')" = 2
	check "Workload decoded: name, namespace, addresses, identity" \
		has "$P" '^workload uid=Kubernetes//Pod/default/a name=a namespace=default sa=sa-a td=cluster.local node=node-1 .* addrs=10.0.0.1,fd00::1$'
	check "unknown fields (locality, capacity, native_tunnel) skipped, rest decoded" \
		has "$P" '^workload uid=Kubernetes//Pod/default/b name=b .*unknown_fields=3 addrs=10.0.0.2$'
	check "Authorization decoded" \
		has "$P" '^authorization name=allow-a namespace=default action=0 scope=2 rules=1$'
	check "both responses ACKed by nonce, control plane recorded them" \
		test "$(events basic '.ev=="ack"')" = 2 -a "$(jq -r 'select(.ev=="ack").nonce' "$OUT/basic.cp.jsonl" | sort | tr '\n' ' ')" = \
		"$(jq -r 'select(.ev=="push").nonce' "$OUT/basic.cp.jsonl" | sort | tr '\n' ' ')"
fi

# 2. A wrong token: UNAUTHENTICATED, surfaced with istiod's grpc-message.
if start_cp basic auth; then
	probe badtoken --token "$WORK/bad-token" ads
	probe notoken ads
	probe badcluster --token "$WORK/token" --cluster-id other ads
	stop_cp
	check "wrong token: UNAUTHENTICATED with grpc-message, as EACCES" \
		has "$OUT/badtoken.probe" '^close ads err=13 .* grpc_status=16 message=DeltaAggregatedResources: istiod answered grpc-status 16 \(UNAUTHENTICATED\): authentication failure: bad bearer token or clusterid$'
	check "no token: UNAUTHENTICATED" has "$OUT/notoken.probe" 'grpc_status=16 '
	check "wrong clusterid: UNAUTHENTICATED" has "$OUT/badcluster.probe" 'grpc_status=16 '
	check "control plane refused the three" test "$(events auth '.ev=="unauthenticated"')" = 3
fi

# 3. A NACK with error_detail, recorded by the control plane.
if start_cp basic nack; then
	probe nack "${TOK[@]}" ads --responses 2 --nack "$Z:policy allow-a: unsupported match"
	stop_cp
	check "NACK sent for the Authorization response" has "$OUT/nack.probe" "^send nack type=$Z "
	check "control plane recorded the NACK with error_detail" \
		test "$(events nack '.ev=="nack" and .type_url=="'"$Z"'" and .code==3 and .message=="policy allow-a: unsupported match"')" = 1
fi

# 4. Changes on the stream; the stream ends (UNAVAILABLE); the client
# opens another with initial_resource_versions and gets only the changes.
if start_cp reconnect reconnect; then
	probe reconnect "${TOK[@]}" ads --streams 2 --responses 5 --save "$OUT/reconnect.versions"
	stop_cp
	P=$OUT/reconnect.probe
	check "first stream ended with UNAVAILABLE, surfaced as EAGAIN" \
		has "$P" '^close ads err=11 .*grpc_status=14 .*istio is restarting$'
	check "second stream sent initial_resource_versions (2 Address, 1 Authorization)" \
		test "$(events reconnect '.ev=="subscribe" and .stream==2 and .type_url=="'"$A"'" and .initial=={"Kubernetes//Pod/default/a":"1","Kubernetes//Pod/default/c":"1"}')" = 1 -a \
		"$(events reconnect '.ev=="subscribe" and .stream==2 and .type_url=="'"$Z"'" and (.initial|length)==1')" = 1
	check "second stream got only the changes: a@2, d new, c removed" \
		test "$(events reconnect '.ev=="push" and .stream==2 and .type_url=="'"$A"'" and .names==["Kubernetes//Pod/default/a","Kubernetes//Pod/default/d"] and .removed==["Kubernetes//Pod/default/c"]')" = 1
	check "removal pushed on the open stream (b)" \
		has "$P" "^response type=$A nonce=n[0-9]+ resources=0 removed=Kubernetes//Pod/default/b$"
	check "client state after reconnect: a@2, d@1, no b, no c" \
		test "$(grep -c "" "$OUT/reconnect.versions")" = 3 -a \
		"$(grep -c "^$A Kubernetes//Pod/default/a 2$" "$OUT/reconnect.versions")" = 1
fi

# 5. The control plane goes away and comes back: a new connection.
if start_cp restart restart; then
	probe restart "${TOK[@]}" ads --streams 20 --responses 4 --timeout 15
	stop_cp
	check "control plane restart: connection error, then a new connection's stream ends OK" \
		bash -c "grep -qE '^(conn-error|close ads) err=(104|111|11|71) ' '$OUT/restart.probe' && tail -2 '$OUT/restart.probe' | grep -q '^exit 0$'"
	check "the new stream resumed with initial versions" \
		test "$(events restart '.ev=="subscribe" and .stream==2 and (.initial|length)==1')" -ge 1
fi

# 6. CreateCertificate (unary): a chain, signed for the requested validity;
# the token file is read again for the next call.
if start_cp basic cert; then
	probe cert "${TOK[@]}" cert --validity 7200
	cp "$WORK/token" "$WORK/rot-token"
	probe rotate --token "$WORK/rot-token" cert --repeat 2 --rotate-token test-token-2
	probe certbad --token "$WORK/bad-token" cert
	stop_cp
	check "CreateCertificate returned leaf + root for our key" \
		bash -c "grep -q '^chain certs=2$' '$OUT/cert.probe' && grep -qE '^cert 0 .* key_matches=yes lifetime_s=72[0-9][0-9] ' '$OUT/cert.probe' && grep -q '^close cert err=0 ' '$OUT/cert.probe'"
	check "the leaf is an X.509-SVID as istiod issues (key ids, KU, EKU, not a CA)" \
		has "$OUT/cert.probe" '^cert 0 .* aki=1 ski=1 ku=0xa0 eku=0x3 ca=0$'
	check "control plane got the CSR's SAN and validity" \
		test "$(events cert '.ev=="csr" and .validity==7200 and .san==["spiffe://cluster.local/ns/kzt-system/sa/probe"]')" = 1
	check "a rotated token file is read for the next call" \
		bash -c "test \"\$(jq -c 'select(.ev==\"call\").token' '$OUT/cert.cp.jsonl' | tr '\n' ' ')\" = '0 0 1 ' && grep -c '^close cert err=0 ' '$OUT/rotate.probe' | grep -qx 2"
	check "CreateCertificate with a wrong token: UNAUTHENTICATED" \
		has "$OUT/certbad.probe" '^close cert err=13 .*grpc_status=16 '
fi

# 7. One response of 20000 workloads (over 2 MB): reassembled across DATA
# frames, the receive window credited as it is consumed.
if start_cp bulk bulk; then
	probe bulk "${TOK[@]}" ads --quiet --responses 3
	stop_cp
	check "a response over 2 MB (flow control windows of 1 MiB) decoded whole and ACKed" \
		bash -c "grep -q '^decoded 20000 of 20000$' '$OUT/bulk.probe' && grep -q '^close ads err=0 ' '$OUT/bulk.probe'"
	check "control plane pushed it over 2 MB and got its ACK" \
		test "$(events bulk '.ev=="push" and .count==20000 and .bytes > 2000000')" = 1 -a \
		"$(events bulk '.ev=="ack"')" = 3
fi

# 8. Bad messages: not protobuf, and over the size limit; both end the
# call with an error, the client lives on.
if start_cp garbage garbage; then
	probe garbage "${TOK[@]}" ads --types "$A"
	probe oversize "${TOK[@]}" --msg-max 65536 ads --types "$A" --responses 9
	stop_cp
	check "garbage response refused (EBADMSG), no crash" \
		bash -c "grep -qE '^close ads err=74 .*does not decode' '$OUT/garbage.probe' && grep -q '^exit 1$' '$OUT/garbage.probe'"
	check "oversized message refused (EMSGSIZE) before it is read" \
		bash -c "grep -qE '^close ads err=90 .*message of 100000 bytes, over kzt.s limit of 65536' '$OUT/oversize.probe' && grep -q '^exit 1$' '$OUT/oversize.probe'"
fi

# 8b. Keepalive: idle but answering PINGs, the connection stays; a
# control plane frozen (SIGSTOP: TCP up, nothing answers) is noticed.
if start_cp basic keepalive; then
	"$CP/grpc-probe" --host 127.0.0.1 --port "$PORT" --root "$WORK/ca.pem" \
		--server-name istiod.istio-system.svc --cluster-id Kubernetes \
		--timeout 15 --keepalive 200 --conn-timeout 800 "${TOK[@]}" ads \
		>"$OUT/keepalive.probe" 2>&1 &
	PROBE_PID=$!
	for _ in $(seq 50); do
		[ "$(grep -c '^send ack' "$OUT/keepalive.probe")" = 2 ] && break
		sleep 0.1
	done
	sleep 2		# ten keepalive periods, idle
	alive=$(grep -c 'conn-error' "$OUT/keepalive.probe")
	kill -STOP "$CP_PID"
	wait "$PROBE_PID"
	kill -CONT "$CP_PID"
	stop_cp
	check "idle 2 s with keepalive 200 ms: PINGs answered, connection kept" \
		test "$alive" = 0 -a "$(grep -c '^send ack' "$OUT/keepalive.probe")" = 2
	check "frozen control plane: ETIMEDOUT after the PING deadline" \
		has "$OUT/keepalive.probe" '^conn-error err=110 .*did not answer a PING within 800 ms'
fi

# 9. TLS: the server's certificate must verify against the root and name.
if start_cp basic tls; then
	"$CP/grpc-probe" --host 127.0.0.1 --port "$PORT" --root "$WORK/other.pem" \
		--server-name istiod.istio-system.svc "${TOK[@]}" --timeout 5 ads \
		>"$OUT/badroot.probe" 2>&1
	"$CP/grpc-probe" --host 127.0.0.1 --port "$PORT" --root "$WORK/ca.pem" \
		--server-name istiod.other.svc "${TOK[@]}" --timeout 5 ads \
		>"$OUT/badname.probe" 2>&1
	stop_cp
	check "untrusted root: EACCES, says which check failed" \
		has "$OUT/badroot.probe" "^conn-error err=13 .*does not verify as istiod.istio-system.svc against .*other.pem: "
	check "wrong server name: EACCES" \
		has "$OUT/badname.probe" "^conn-error err=13 .*does not verify as istiod.other.svc .*hostname mismatch"
fi

# A plain HTTPS server without h2: ALPN refused.
if command -v openssl >/dev/null; then
	openssl s_server -accept 0 -cert "$WORK/istiod.pem" -key "$WORK/istiod.key" \
		-www -naccept 1 >"$WORK/s_server.out" 2>&1 &
	SPID=$!
	for _ in $(seq 50); do
		PORT=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$WORK/s_server.out")
		[ -n "$PORT" ] && break
		sleep 0.1
	done
	probe noalpn "${TOK[@]}" ads
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	check "a TLS server that selects no ALPN is refused (EPROTO)" \
		has "$OUT/noalpn.probe" "^conn-error err=71 .*did not agree to HTTP/2"
fi

exit $rc
