// SPDX-License-Identifier: GPL-2.0
/*
 * Certificate signing requests for istiod's CA (csr.h). OpenSSL 3.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "csr.h"

/* The extension request: subjectAltName = URI:@id, critical (no subject). */
static int add_san(X509_REQ *req, const char *id)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	GENERAL_NAMES *names = GENERAL_NAMES_new();
	GENERAL_NAME *uri = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();
	X509_EXTENSION *ext = NULL;
	int ok = 0;

	if (!exts || !names || !uri || !s || !ASN1_STRING_set(s, id, -1))
		goto out;
	GENERAL_NAME_set0_value(uri, GEN_URI, s);
	s = NULL;
	if (!sk_GENERAL_NAME_push(names, uri))
		goto out;
	uri = NULL;
	ext = X509V3_EXT_i2d(NID_subject_alt_name, 1, names);
	ok = ext && sk_X509_EXTENSION_push(exts, ext) &&
	     X509_REQ_add_extensions(req, exts);
	if (ok)
		ext = NULL;	/* freed with @exts */
out:
	X509_EXTENSION_free(ext);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	GENERAL_NAMES_free(names);
	GENERAL_NAME_free(uri);
	ASN1_IA5STRING_free(s);
	return ok;
}

/**
 * kzt_csr_make() - a new key and a CSR for @spiffe_id
 * @spiffe_id: the workload's SPIFFE ID, the CSR's one URI SAN
 * @key:       set to the new private key (caller frees: EVP_PKEY_free)
 * @pem:       set to the PEM CSR, NUL-terminated (caller frees: free)
 * @why:       on error, what failed
 * @why_len:   size of @why
 *
 * @retval 0      @key and @pem are set
 * @retval ENOMEM OpenSSL failed (out of memory, or no P-256)
 */
int kzt_csr_make(const char *spiffe_id, EVP_PKEY **key, char **pem,
		 char *why, size_t why_len)
{
	X509_REQ *req = X509_REQ_new();
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long len;

	*key = NULL;
	*pem = NULL;
	if (!req || !k || !bio || !X509_REQ_set_version(req, 0) ||
	    !X509_REQ_set_pubkey(req, k) || !add_san(req, spiffe_id) ||
	    !X509_REQ_sign(req, k, EVP_sha256()) ||
	    !PEM_write_bio_X509_REQ(bio, req))
		goto fail;
	len = BIO_get_mem_data(bio, &data);
	out = malloc(len + 1);
	if (!out)
		goto fail;
	memcpy(out, data, len);
	out[len] = '\0';
	X509_REQ_free(req);
	BIO_free(bio);
	*key = k;
	*pem = out;
	return 0;
fail:
	snprintf(why, why_len, "Unable to make a key and a CSR for %s (OpenSSL)",
		 spiffe_id);
	X509_REQ_free(req);
	EVP_PKEY_free(k);
	BIO_free(bio);
	return ENOMEM;
}
