/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A loaded certificate directory: the trust bundle, the SVIDs and keys of
 * the local identities indexed by SPIFFE ID, and the two SSL_CTXs (client
 * and server role) built on them. Reference counted: a reload makes a new
 * one, and every handshake keeps the one it started with until it ends.
 *
 * Directory layout (Documentation/kztd.rst):
 *   DIR/bundle.pem     the trust bundle: one or more CA certificates
 *   DIR/<name>.crt     an SVID, then its intermediates (PEM)
 *   DIR/<name>.key     its private key (PEM, unencrypted, mode 0600)
 */
#ifndef KZT_CREDS_H
#define KZT_CREDS_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <linux/kzt.h>

#define KZT_CREDS_BUNDLE	"bundle.pem"
#define KZT_CREDS_KEY_SIZE_MAX	(64 * 1024)

struct kzt_ident {
	char *name;		/* <name> of <name>.crt */
	char *id;		/* the leaf's SPIFFE ID */
	X509 *leaf;
	STACK_OF(X509) *chain;	/* intermediates; may be empty */
	EVP_PKEY *key;
};

/* How the SSL_CTXs are made; kzt_creds_load() copies what it keeps. */
struct kzt_tls_opts {
	const char *ciphersuites;	/* NULL: KZT_TLS_CIPHERSUITES */
	FILE *keylog;			/* NSS key log (debug); NULL: off.
					 * Must outlive every kzt_creds. */
	unsigned int proto_max;		/* highest kzt/N to speak; 0: default */
};

struct kzt_creds {
	unsigned int refs;
	char *dir;
	char *trust_domain;		/* NULL: any */
	X509_STORE *bundle;
	struct kzt_ident *ids;		/* sorted by id */
	size_t n_ids;
	size_t n_refused;		/* pairs logged and left out */
	size_t n_kept;			/* of them, last good pairs kept */
	time_t kept_until;		/* first notAfter of those; 0: none */
	SSL_CTX *client, *server;
	FILE *keylog;
	unsigned int proto_max;		/* highest kzt/N its contexts speak */
};

int kzt_creds_load(const char *dir, const char *trust_domain,
		   const struct kzt_tls_opts *opts, struct kzt_creds **out);
int kzt_creds_reload(const struct kzt_creds *prev, const char *trust_domain,
		     const struct kzt_tls_opts *opts, struct kzt_creds **out);
int kzt_creds_build(const char *bundle, const char *trust_domain,
		    const struct kzt_tls_opts *opts,
		    const struct kzt_ident *ids, size_t n,
		    struct kzt_creds **out);
struct kzt_creds *kzt_creds_get(struct kzt_creds *c);
void kzt_creds_put(struct kzt_creds *c);
const struct kzt_ident *kzt_creds_find(const struct kzt_creds *c,
				       const char *id);

#endif /* KZT_CREDS_H */
