/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A certificate directory for the engine tests: bundle.pem (one CA),
 * client and server SVIDs; and a client/server handshake between two
 * engine instances over a socketpair.
 */
#ifndef KZT_TEST_TLSFIX_H
#define KZT_TEST_TLSFIX_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "creds.h"
#include "tlsconn.h"

#define FIX_TD		"cluster.local"
#define FIX_CLIENT_ID	"spiffe://" FIX_TD "/ns/a/sa/client"
#define FIX_SERVER_ID	"spiffe://" FIX_TD "/ns/b/sa/server"
#define FIX_SERVER_ADDR	"10.1.0.2"

struct tlsfix {
	char *dir;
	EVP_PKEY *ca_key;
	X509 *ca;
};

int tlsfix_make(struct tlsfix *f);
int tlsfix_write_pair(struct tlsfix *f, const char *dir, const char *name,
		      const char *uri, X509 *ca, EVP_PKEY *ca_key);
void tlsfix_free(struct tlsfix *f);
int tlsfix_sni(void *arg, const char *name, char *id, size_t id_len,
	       char *why, size_t why_len);
void tlsfix_run(struct kzt_tls_conn *cl, struct kzt_tls_conn *sv,
		int *cret, int *sret);

#endif /* KZT_TEST_TLSFIX_H */
