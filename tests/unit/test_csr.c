// SPDX-License-Identifier: GPL-2.0
/*
 * CSRs for istiod's CA (lib/csr.c): read back with OpenSSL, each holds
 * its own fresh P-256 key, verifies, has an empty subject and exactly one
 * name, the URI SAN asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "csr.h"

static X509_REQ *parse(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509_REQ *req;

	assert_non_null(bio);
	req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_non_null(req);
	return req;
}

static void test_csr(void **state)
{
	const char *id = "spiffe://cluster.local/ns/prod/sa/web";
	STACK_OF(X509_EXTENSION) *exts;
	GENERAL_NAMES *names;
	const GENERAL_NAME *gn;
	EVP_PKEY *key, *key2, *pub;
	char *pem, *pem2, why[KZT_CSR_WHY_MAX], group[32];
	X509_REQ *req;
	int crit = -1;

	(void)state;
	assert_int_equal(kzt_csr_make(id, &key, &pem, why, sizeof(why)), 0);
	assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE REQUEST-----"));
	req = parse(pem);

	pub = X509_REQ_get0_pubkey(req);
	assert_int_equal(X509_REQ_verify(req, pub), 1);
	assert_int_equal(EVP_PKEY_eq(pub, key), 1);
	assert_int_equal(EVP_PKEY_get_group_name(key, group, sizeof(group), NULL), 1);
	assert_string_equal(group, "prime256v1");
	assert_int_equal(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 0);

	exts = X509_REQ_get_extensions(req);
	assert_int_equal(sk_X509_EXTENSION_num(exts), 1);
	names = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
	assert_non_null(names);
	assert_int_equal(crit, 1);
	assert_int_equal(sk_GENERAL_NAME_num(names), 1);
	gn = sk_GENERAL_NAME_value(names, 0);
	assert_int_equal(gn->type, GEN_URI);
	assert_string_equal((const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier), id);
	GENERAL_NAMES_free(names);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);

	/* A fresh key each time. */
	assert_int_equal(kzt_csr_make(id, &key2, &pem2, why, sizeof(why)), 0);
	assert_int_not_equal(EVP_PKEY_eq(key, key2), 1);

	X509_REQ_free(req);
	EVP_PKEY_free(key);
	EVP_PKEY_free(key2);
	free(pem);
	free(pem2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
