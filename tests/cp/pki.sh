#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cp_pki DIR: the test PKI of the control plane tests (tests/cp/run.sh,
# tests/selftests/istio.sh), in DIR: a root (ca.pem, ca.key) that signs
# istiod's serving certificate (istiod.pem, istiod.key, with the name a
# real istiod has) and, through cp.py, the workload certificates of
# CreateCertificate. Sourced; openssl's output goes to the caller's.
cp_pki() {
	(
		cd "$1" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.pem -days 2 -subj "/O=kzt test/CN=test root" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout istiod.key -out istiod.csr -subj "/O=kzt test/CN=istiod" &&
		openssl x509 -req -in istiod.csr -CA ca.pem -CAkey ca.key -days 2 \
			-CAcreateserial -out istiod.pem \
			-extfile <(printf 'subjectAltName=DNS:istiod.istio-system.svc\n')
	)
}
