// SPDX-License-Identifier: GPL-2.0
/*
 * Test certificates, made with OpenSSL's API (EC P-256, SHA-256).
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "certgen.h"

EVP_PKEY *certgen_key(void)
{
	return EVP_EC_gen("P-256");
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext;

	if (!value)
		return 0;
	ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	if (!ext || !X509_add_ext(x, ext, -1)) {
		X509_EXTENSION_free(ext);
		return -1;
	}
	X509_EXTENSION_free(ext);
	return 0;
}

/* Signed by @issuer_key, or self-signed when @issuer is NULL. */
X509 *certgen_cert(const struct certgen *g, EVP_PKEY *key, X509 *issuer,
		   EVP_PKEY *issuer_key)
{
	static long serial = 1;
	X509V3_CTX ctx;
	X509 *x = X509_new();
	X509_NAME *name;

	if (!x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), g->not_before);
	X509_gmtime_adj(X509_getm_notAfter(x), g->not_after);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)g->cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	if (add_ext(x, &ctx, NID_basic_constraints, g->bc) ||
	    add_ext(x, &ctx, NID_key_usage, g->ku) ||
	    add_ext(x, &ctx, NID_ext_key_usage, g->eku) ||
	    add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
	    add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") ||
	    add_ext(x, &ctx, NID_subject_alt_name, g->san) ||
	    !X509_sign(x, issuer ? issuer_key : key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int certgen_write_certs(const char *path, X509 *const *certs, size_t n)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!PEM_write_X509(f, certs[i]))
			ret = -1;
	return fclose(f) ? -1 : ret;
}

int certgen_write_key(const char *path, EVP_PKEY *key, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	FILE *f;
	int ret;

	if (fd < 0 || fchmod(fd, mode))
		return -1;
	f = fdopen(fd, "w");
	if (!f)
		return -1;
	ret = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) ? 0 : -1;
	return fclose(f) ? -1 : ret;
}

char *certgen_tmpdir(void)
{
	char *dir = strdup("/tmp/kzt-unit-XXXXXX");

	if (dir && !mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void certgen_rmdir(char *dir)
{
	if (dir)
		nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}
