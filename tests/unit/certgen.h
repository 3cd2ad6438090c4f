/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificates made in the tests with OpenSSL's API: a CA, SVIDs, and
 * the broken variants each X.509-SVID rule must refuse.
 */
#ifndef KZT_TEST_CERTGEN_H
#define KZT_TEST_CERTGEN_H

#include <stdbool.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Extensions as openssl.cnf spells them; NULL leaves one out. */
struct certgen {
	const char *cn;
	const char *san;	/* "URI:spiffe://td/ns/a/sa/b,DNS:x" */
	const char *bc;		/* basicConstraints */
	const char *ku;		/* keyUsage */
	const char *eku;	/* extendedKeyUsage */
	long not_before;	/* seconds from now */
	long not_after;
};

#define CERTGEN_CA(name) (struct certgen){ .cn = (name), \
	.bc = "critical,CA:TRUE", .ku = "critical,keyCertSign,cRLSign", \
	.not_before = -3600, .not_after = 86400 }
#define CERTGEN_SVID(uri) (struct certgen){ .cn = "svid", \
	.san = "URI:" uri, .bc = "critical,CA:FALSE", \
	.ku = "critical,digitalSignature", .eku = "serverAuth,clientAuth", \
	.not_before = -3600, .not_after = 86400 }

EVP_PKEY *certgen_key(void);
X509 *certgen_cert(const struct certgen *g, EVP_PKEY *key, X509 *issuer,
		   EVP_PKEY *issuer_key);
int certgen_write_certs(const char *path, X509 *const *certs, size_t n);
int certgen_write_key(const char *path, EVP_PKEY *key, mode_t mode);
char *certgen_tmpdir(void);
void certgen_rmdir(char *dir);

#endif /* KZT_TEST_CERTGEN_H */
