// SPDX-License-Identifier: GPL-2.0
/*
 * X.509-SVID checks: the leaf rules of the SPIFFE X.509-SVID standard and
 * chain verification against a trust bundle.
 *
 * The SPIFFE ID itself is checked by the kernel's parser (kmod/spiffe.c,
 * compiled into this library as is), so kztd refuses exactly the IDs that
 * kzt.ko would refuse in its workload table.
 *
 * Chains are verified with X509_V_FLAG_X509_STRICT: beyond RFC 5280's
 * path rules, a CA must have basicConstraints critical and a keyUsage
 * with keyCertSign, non-root certificates an authorityKeyIdentifier, CAs
 * a subjectKeyIdentifier. A PKI that kzt accepts is one that any strict
 * verifier accepts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "spiffe.h"
#include "svid.h"

/**
 * kzt_svid_describe() - name a certificate in a message
 * @cert: the certificate
 * @buf:  where to write
 * @len:  size of @buf
 *
 * @retval @buf: its URI SAN when it has exactly one, else its subject
 */
const char *kzt_svid_describe(X509 *cert, char *buf, size_t len)
{
	GENERAL_NAMES *sans;
	int n_uri = 0;

	buf[0] = '\0';
	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		ASN1_IA5STRING *u = gn->d.uniformResourceIdentifier;

		if (gn->type != GEN_URI)
			continue;
		if (!n_uri++)
			snprintf(buf, len, "%.*s", ASN1_STRING_length(u),
				 (const char *)ASN1_STRING_get0_data(u));
	}
	GENERAL_NAMES_free(sans);
	if (n_uri != 1) {
		X509_NAME_oneline(X509_get_subject_name(cert), buf, (int)len);
		if (!buf[0] || !strcmp(buf, "/") || !strcmp(buf, "NO X509_NAME"))
			snprintf(buf, len, "(empty subject)");
	}
	return buf;
}

/* Copy the one URI SAN of @leaf to @id, or say why there is not one. */
static int one_uri_san(X509 *leaf, char *id, size_t id_len,
		       char *why, size_t why_len)
{
	GENERAL_NAMES *sans;
	int crit = -1, n = 0, ret = 0;

	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, &crit, NULL);
	if (!sans) {
		snprintf(why, why_len, "%s", crit == -2 ?
			 "more than one subjectAltName extension" :
			 "no subjectAltName: an X.509-SVID has exactly one URI SAN, its SPIFFE ID");
		return EACCES;
	}
	for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		ASN1_IA5STRING *u = gn->d.uniformResourceIdentifier;
		const char *s;
		size_t len;

		if (gn->type != GEN_URI)
			continue;	/* DNS and other SANs may come along */
		if (n++)
			continue;
		s = (const char *)ASN1_STRING_get0_data(u);
		len = ASN1_STRING_length(u);
		if (len > KZT_SPIFFE_ID_MAX || len >= id_len ||
		    memchr(s, '\0', len)) {
			snprintf(why, why_len,
				 "URI SAN is longer than a SPIFFE ID may be (%d bytes) or has a NUL byte",
				 KZT_SPIFFE_ID_MAX);
			ret = EACCES;
			continue;
		}
		memcpy(id, s, len);
		id[len] = '\0';
	}
	GENERAL_NAMES_free(sans);
	if (n != 1) {
		snprintf(why, why_len,
			 "%d URI SANs: an X.509-SVID has exactly one, its SPIFFE ID",
			 n);
		return EACCES;
	}
	return ret;
}

/**
 * kzt_svid_leaf_check() - the X.509-SVID rules for a leaf certificate
 * @leaf:         the certificate
 * @trust_domain: its ID must be in this trust domain; NULL: any
 * @id:           the SPIFFE ID, on success (and on a trust domain
 *                mismatch, for the message)
 * @id_len:       size of @id, more than KZT_SPIFFE_ID_MAX
 * @why:          on refusal, the reason
 * @why_len:      size of @why
 *
 * Exactly one URI SAN (other SAN types may be present), a valid SPIFFE ID
 * naming a workload (a path, not just the trust domain), in
 * @trust_domain; not a CA (basicConstraints); a keyUsage, if present,
 * with digitalSignature and without keyCertSign or cRLSign.
 *
 * @retval 0      a valid SVID leaf; @id is set
 * @retval EACCES refused; @why says which rule
 */
int kzt_svid_leaf_check(X509 *leaf, const char *trust_domain,
			char *id, size_t id_len, char *why, size_t why_len)
{
	struct kzt_spiffe_id sid;
	const char *bad;
	uint32_t flags;
	int ret;

	id[0] = '\0';
	flags = X509_get_extension_flags(leaf);
	if (flags & EXFLAG_INVALID) {
		snprintf(why, why_len, "malformed or repeated certificate extensions");
		return EACCES;
	}
	ret = one_uri_san(leaf, id, id_len, why, why_len);
	if (ret)
		return ret;
	bad = kzt_spiffe_parse(id, strlen(id), &sid);
	if (bad) {
		snprintf(why, why_len, "URI SAN '%s' is not a SPIFFE ID: %s",
			 id, bad);
		return EACCES;
	}
	if (!sid.path_len) {
		snprintf(why, why_len,
			 "URI SAN '%s' names a trust domain, not a workload",
			 id);
		return EACCES;
	}
	if (trust_domain && (sid.trust_domain_len != strlen(trust_domain) ||
			     memcmp(sid.trust_domain, trust_domain,
				    sid.trust_domain_len))) {
		snprintf(why, why_len,
			 "%s is in trust domain '%.*s', not in '%s'", id,
			 (int)sid.trust_domain_len, sid.trust_domain,
			 trust_domain);
		return EACCES;
	}
	if (flags & EXFLAG_CA) {
		snprintf(why, why_len,
			 "%s is a CA certificate (basicConstraints CA:TRUE); an SVID leaf must not be",
			 id);
		return EACCES;
	}
	if (flags & EXFLAG_KUSAGE) {
		uint32_t ku = X509_get_key_usage(leaf);

		if (!(ku & KU_DIGITAL_SIGNATURE)) {
			snprintf(why, why_len,
				 "%s has a keyUsage without digitalSignature: it cannot sign a TLS handshake",
				 id);
			return EACCES;
		}
		if (ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) {
			snprintf(why, why_len,
				 "%s has keyCertSign or cRLSign in its keyUsage; an SVID leaf must not",
				 id);
			return EACCES;
		}
	}
	return 0;
}

/**
 * kzt_svid_local_check() - the rules for an SVID this node presents
 * @leaf:    an SVID that passed kzt_svid_verify()
 * @id:      its SPIFFE ID, for the message
 * @why:     on refusal, the reason
 * @why_len: size of @why
 *
 * The X.509-SVID standard, section 4.3 and 4.4, for the leaf of a local
 * identity, which kzt/1 presents as a client and as a server: a keyUsage
 * (present, not only allowed) with digitalSignature, and an
 * extendedKeyUsage, when there is one, with both serverAuth and
 * clientAuth. Peers are held to what a TLS handshake checks for their
 * role (OpenSSL's ssl_client and ssl_server purposes) instead.
 *
 * @retval 0      usable in both roles
 * @retval EACCES refused; @why says which rule
 */
int kzt_svid_local_check(X509 *leaf, const char *id, char *why,
			 size_t why_len)
{
	uint32_t flags = X509_get_extension_flags(leaf);
	uint32_t xku;

	if (!(flags & EXFLAG_KUSAGE)) {
		snprintf(why, why_len,
			 "%s has no keyUsage: an X.509-SVID leaf must have one, with digitalSignature",
			 id);
		return EACCES;
	}
	if (!(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
		snprintf(why, why_len,
			 "%s has a keyUsage without digitalSignature: it cannot sign a TLS handshake",
			 id);
		return EACCES;
	}
	xku = X509_get_extended_key_usage(leaf);
	if ((flags & EXFLAG_XKUSAGE) &&
	    (xku & (XKU_SSL_SERVER | XKU_SSL_CLIENT)) !=
	    (XKU_SSL_SERVER | XKU_SSL_CLIENT)) {
		snprintf(why, why_len,
			 "%s has an extendedKeyUsage without %s: kzt presents the same SVID as client and as server",
			 id, xku & XKU_SSL_SERVER ? "clientAuth" :
			 xku & XKU_SSL_CLIENT ? "serverAuth" :
			 "serverAuth and clientAuth");
		return EACCES;
	}
	return 0;
}

/* Say why X509_verify_cert() refused, naming the certificate at fault. */
static void chain_why(X509_STORE_CTX *ctx, char *why, size_t why_len)
{
	int err = X509_STORE_CTX_get_error(ctx);
	int depth = X509_STORE_CTX_get_error_depth(ctx);
	X509 *cert = X509_STORE_CTX_get_current_cert(ctx);
	const char *hint = "";
	char name[256] = "(unknown)";

	if (!cert)
		cert = X509_STORE_CTX_get0_cert(ctx);
	if (cert)
		kzt_svid_describe(cert, name, sizeof(name));
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		hint = " (not issued by a CA of the trust bundle)";
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		hint = " (check its validity dates and this node's clock)";
		break;
	}
	snprintf(why, why_len, "certificate chain refused at %s (depth %d): %s%s",
		 name, depth, X509_verify_cert_error_string(err), hint);
}

/**
 * kzt_svid_verify_ctx() - verify a chain and its leaf as an X.509-SVID
 * @ctx:          initialized with the trust bundle, the leaf and the
 *                untrusted intermediates (by OpenSSL for a handshake)
 * @trust_domain: the leaf's ID must be in it; NULL: any
 * @id:           the leaf's SPIFFE ID on success
 * @id_len:       size of @id, more than KZT_SPIFFE_ID_MAX
 * @why:          on refusal, the reason
 * @why_len:      size of @why
 *
 * Turns on X509_V_FLAG_X509_STRICT and caps the depth. On a refusal of
 * the leaf rules, @ctx's error is X509_V_ERR_CERT_REJECTED, so that a
 * handshake sends bad_certificate.
 *
 * @retval 0      verified
 * @retval EACCES refused; @why says why
 */
int kzt_svid_verify_ctx(X509_STORE_CTX *ctx, const char *trust_domain,
			char *id, size_t id_len, char *why, size_t why_len)
{
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
	int ret;

	id[0] = '\0';
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
	/* OpenSSL's depth counts intermediates only: not the leaf, nor the root. */
	X509_VERIFY_PARAM_set_depth(param, KZT_SVID_DEPTH_MAX - 2);
	if (X509_verify_cert(ctx) <= 0) {
		chain_why(ctx, why, why_len);
		return EACCES;
	}
	ret = kzt_svid_leaf_check(X509_STORE_CTX_get0_cert(ctx), trust_domain,
				  id, id_len, why, why_len);
	if (ret)
		X509_STORE_CTX_set_error(ctx, X509_V_ERR_CERT_REJECTED);
	return ret;
}

/**
 * kzt_svid_verify_as() - verify an SVID and its chain as a handshake would
 * @store:        the trust bundle
 * @leaf:         the SVID
 * @chain:        intermediates (may be NULL)
 * @purpose:      NULL, or the X509_STORE_CTX_set_default() name a TLS
 *                handshake uses: "ssl_client" to verify a client's
 *                certificate (we were the server), "ssl_server" a
 *                server's
 * @trust_domain: the SVID's ID must be in it; NULL: any
 * @id:           the SPIFFE ID on success
 * @id_len:       size of @id
 * @why:          on refusal, the reason
 * @why_len:      size of @why
 *
 * With @purpose, the store context is set up as OpenSSL sets it up for
 * a handshake's peer (ssl_verify_cert_chain()), and then the very check
 * of the handshake (kzt_svid_verify_ctx()) runs: kztd re-verifies a kept
 * peer chain against a new bundle with it.
 *
 * @retval 0      verified at the present time
 * @retval EACCES refused; @why says why
 * @retval ENOMEM out of memory
 */
int kzt_svid_verify_as(X509_STORE *store, X509 *leaf, STACK_OF(X509) *chain,
		       const char *purpose, const char *trust_domain,
		       char *id, size_t id_len, char *why, size_t why_len)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ret;

	if (!ctx || !X509_STORE_CTX_init(ctx, store, leaf, chain) ||
	    (purpose && !X509_STORE_CTX_set_default(ctx, purpose))) {
		X509_STORE_CTX_free(ctx);
		ERR_clear_error();
		snprintf(why, why_len, "out of memory");
		return ENOMEM;
	}
	ret = kzt_svid_verify_ctx(ctx, trust_domain, id, id_len, why, why_len);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ret;
}

/**
 * kzt_svid_verify() - verify an SVID and its chain against a bundle
 * @store:        the trust bundle
 * @leaf:         the SVID
 * @chain:        intermediates (may be NULL)
 * @trust_domain: the SVID's ID must be in it; NULL: any
 * @id:           the SPIFFE ID on success
 * @id_len:       size of @id
 * @why:          on refusal, the reason
 * @why_len:      size of @why
 *
 * @retval 0      verified at the present time
 * @retval EACCES refused; @why says why
 * @retval ENOMEM out of memory
 */
int kzt_svid_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *chain,
		    const char *trust_domain, char *id, size_t id_len,
		    char *why, size_t why_len)
{
	return kzt_svid_verify_as(store, leaf, chain, NULL, trust_domain, id,
				  id_len, why, why_len);
}

/**
 * kzt_svid_bundle_load() - read a trust bundle: one or more CA certificates
 * @path:    PEM file
 * @store:   a new store holding them, on success
 * @why:     on failure, "<path>: <reason>"
 * @why_len: size of @why
 *
 * Every certificate must be a CA (basicConstraints CA:TRUE); a bundle
 * with any other certificate is refused as a whole, since a leaf in a
 * trust bundle would be trusted as is.
 *
 * @retval 0      *@store is set
 * @retval EINVAL not PEM, no certificate, or a non-CA certificate
 * @retval ENOMEM out of memory
 * @retval other  errno of opening the file
 */
int kzt_svid_bundle_load(const char *path, X509_STORE **store,
			 char *why, size_t why_len)
{
	X509_STORE *st = NULL;
	char name[256];
	int n = 0, ret;
	BIO *bio;
	X509 *x;

	ERR_clear_error();
	bio = BIO_new_file(path, "r");
	if (!bio) {
		ret = errno ? errno : EIO;
		snprintf(why, why_len, "%s: %s", path, strerror(ret));
		ERR_clear_error();
		return ret;
	}
	st = X509_STORE_new();
	if (!st) {
		ret = ENOMEM;
		goto out_why_mem;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		n++;
		if (!(X509_get_extension_flags(x) & EXFLAG_CA)) {
			snprintf(why, why_len,
				 "%s: certificate %d (%s) is not a CA (no basicConstraints CA:TRUE): a trust bundle holds CA certificates only",
				 path, n, kzt_svid_describe(x, name, sizeof(name)));
			X509_free(x);
			ret = EINVAL;
			goto out_free;
		}
		if (!X509_STORE_add_cert(st, x)) {
			X509_free(x);
			ret = ENOMEM;
			goto out_why_mem;
		}
		X509_free(x);
	}
	/* The loop ends on "no start line" at the end of the file. */
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
		snprintf(why, why_len, "%s: certificate %d is not valid PEM",
			 path, n + 1);
		ret = EINVAL;
		goto out_free;
	}
	if (!n) {
		snprintf(why, why_len, "%s: no PEM certificate in the file", path);
		ret = EINVAL;
		goto out_free;
	}
	ERR_clear_error();
	BIO_free(bio);
	*store = st;
	return 0;

out_why_mem:
	snprintf(why, why_len, "%s: out of memory", path);
out_free:
	ERR_clear_error();
	X509_STORE_free(st);
	BIO_free(bio);
	return ret;
}
