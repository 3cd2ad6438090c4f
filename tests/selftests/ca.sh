#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kztctl ca as a new user meets it: a dev trust domain and node
# certificates in kztd's directory format, checked with the openssl tool
# (not with kzt's own code); refusals exit 1, say why and write nothing.
# No kernel involved: runs anywhere, as any user.
#
#   $D/ca     ca.crt ca.key           (kztctl ca init)
#   $D/node1  bundle.pem NS.SA.crt/.key (kztctl ca issue, per identity)
source "$(dirname "$0")/lib.sh"

require_cmd kztctl openssl
D=$(mktemp -d)
cleanup() {
	rm -rf "$D"
}
trap cleanup EXIT

TD=mesh.test
WEB=spiffe://$TD/ns/default/sa/web

ctl() {
	out=$(kztctl "$@" 2>&1)
	rc=$?
}

mode() {
	stat -c %a "$1"
}

test_init_issue() {
	kztctl ca init --dir "$D/ca" --trust-domain $TD >/dev/null || return 1
	kztctl ca issue --ca "$D/ca" $WEB --out "$D/node1" >/dev/null || return 1
	kztctl ca issue --ca "$D/ca" spiffe://$TD/ns/data/sa/db --out "$D/node1" \
		>/dev/null || return 1
	expect_eq "files" "$(cd "$D/node1" && echo *)" \
		"bundle.pem data.db.crt data.db.key default.web.crt default.web.key" &&
	expect_eq "ca key mode" "$(mode "$D/ca/ca.key")" 600 &&
	expect_eq "key mode" "$(mode "$D/node1/default.web.key")" 600 &&
	expect_eq "bundle is the CA" "$(cmp "$D/ca/ca.crt" "$D/node1/bundle.pem" && echo same)" same
}

test_openssl_verifies() {
	local p
	for p in sslserver sslclient; do
		out=$(openssl verify -purpose $p -CAfile "$D/node1/bundle.pem" \
			"$D/node1/default.web.crt" 2>&1)
		expect_eq "verify $p" "$out" "$D/node1/default.web.crt: OK" || return 1
	done
	out=$(openssl x509 -in "$D/node1/default.web.crt" -noout -ext subjectAltName,basicConstraints,keyUsage)
	expect_match "san" "$out" "URI:$WEB" &&
	expect_eq "one SAN" "$(echo "$out" | grep -c 'URI:')" 1 &&
	expect_match "not a CA" "$out" "CA:FALSE" &&
	expect_match "key usage" "$out" "Digital Signature" &&
	expect_eq "key matches" \
		"$(openssl x509 -in "$D/node1/default.web.crt" -noout -pubkey | sha256sum)" \
		"$(openssl pkey -in "$D/node1/default.web.key" -pubout | sha256sum)"
}

test_show() {
	local j
	j=$(kztctl -j ca show "$D/node1/default.web.crt") || return 1
	expect_eq "spiffe_id" "$(echo "$j" | json_get spiffe_id)" "$WEB" &&
	expect_eq "svid" "$(echo "$j" | json_get svid)" true &&
	expect_eq "ca" "$(echo "$j" | json_get ca)" false &&
	j=$(kztctl -j ca show "$D/ca/ca.crt") &&
	expect_eq "ca: svid" "$(echo "$j" | json_get svid)" false &&
	expect_eq "ca: ca" "$(echo "$j" | json_get ca)" true &&
	ctl ca show "$D/node1/default.web.crt" &&
	expect_match "text" "$out" "spiffe id: $WEB"
}

# refused ARGS... MESSAGE_REGEX: exit 1, the message, the directory as it was
refused() {
	local want=${*: -1} before
	before=$(ls -la "$D/node1" | sha256sum)
	ctl "${@:1:$#-1}"
	expect_eq "'${*:1:$#-1}' exit" "$rc" 1 || return 1
	expect_match "'${*:1:$#-1}' message" "$out" "$want" || return 1
	expect_eq "'${*:1:$#-1}' files" "$(ls -la "$D/node1" | sha256sum)" "$before"
}

test_refusals() {
	refused ca issue --ca "$D/ca" spiffe://other.test/ns/a/sa/b --out "$D/node1" \
		"not in the CA's trust domain 'mesh.test'" &&
	refused ca issue --ca "$D/ca" "spiffe://$TD/ns/a/sa/b#x" --out "$D/node1" \
		"invalid SPIFFE ID" &&
	refused ca issue --ca "$D/ca" $WEB --out "$D/node1" \
		"default.web.crt exists: use --force" &&
	refused ca issue --ca "$D/ca" --out "$D/node1" "SPIFFE_ID .* needed" &&
	refused ca issue --ca "$D/ca" $WEB --out "$D/node1" --days 0 "invalid --days" &&
	refused ca init --dir "$D/ca" "ca.crt exists: use --force" &&
	refused ca frobnicate "unknown ca command" &&
	ctl ca --help && expect_eq "help exit" "$rc" 0 && expect_match "help" "$out" "ca issue"
}

test_rotate() {
	local before
	before=$(openssl x509 -in "$D/node1/default.web.crt" -noout -serial)
	kztctl ca issue --ca "$D/ca" $WEB --out "$D/node1" --force >/dev/null || return 1
	expect_match "new serial" "$(openssl x509 -in "$D/node1/default.web.crt" -noout -serial)" \
		"^serial=" || return 1
	[ "$before" != "$(openssl x509 -in "$D/node1/default.web.crt" -noout -serial)" ] ||
		{ echo "serial unchanged"; return 1; }
	expect_eq "no temporary file" "$(ls -A "$D/node1" | grep -c '^\.')" 0
}

run_test "ca: init and issue write kztd's certificate directory" test_init_issue
run_test "ca: openssl verifies the leaf against bundle.pem" test_openssl_verifies
run_test "ca: show says SPIFFE ID, SVID or CA" test_show
run_test "ca: refusals exit 1, say why, write nothing" test_refusals
run_test "ca: --force reissues in place" test_rotate
exit $RET
