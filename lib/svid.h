/* SPDX-License-Identifier: GPL-2.0 */
/*
 * X.509-SVIDs (the SPIFFE X.509-SVID standard, as kzt/1 uses it): a leaf
 * with exactly one URI SAN that is a SPIFFE ID of the expected trust
 * domain, not a CA, signing allowed, chaining to the trust bundle inside
 * every validity period.
 *
 * Every check says why it refused, in words an operator can act on, in a
 * caller's buffer of KZT_SVID_WHY_MAX bytes.
 */
#ifndef KZT_SVID_H
#define KZT_SVID_H

#include <stddef.h>

#include <openssl/x509.h>

#define KZT_SVID_WHY_MAX	512
/* Chains longer than this are refused: root, intermediates and leaf
 * together (so at most 6 intermediates). */
#define KZT_SVID_DEPTH_MAX	8

int kzt_svid_leaf_check(X509 *leaf, const char *trust_domain,
			char *id, size_t id_len, char *why, size_t why_len);
int kzt_svid_local_check(X509 *leaf, const char *id, char *why,
			 size_t why_len);
int kzt_svid_verify_ctx(X509_STORE_CTX *ctx, const char *trust_domain,
			char *id, size_t id_len, char *why, size_t why_len);
int kzt_svid_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *chain,
		    const char *trust_domain, char *id, size_t id_len,
		    char *why, size_t why_len);
int kzt_svid_verify_as(X509_STORE *store, X509 *leaf, STACK_OF(X509) *chain,
		       const char *purpose, const char *trust_domain,
		       char *id, size_t id_len, char *why, size_t why_len);
int kzt_svid_bundle_load(const char *path, X509_STORE **store,
			 char *why, size_t why_len);
const char *kzt_svid_describe(X509 *cert, char *buf, size_t len);

#endif /* KZT_SVID_H */
