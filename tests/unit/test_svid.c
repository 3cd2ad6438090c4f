// SPDX-License-Identifier: GPL-2.0
/*
 * lib/svid.c: one test per X.509-SVID rule, on certificates made here.
 * Each broken certificate differs from a good SVID in that rule only, so
 * a refusal can only come from the rule under test; the message must say
 * which rule.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/kzt.h>

#include "certgen.h"
#include "svid.h"

#define TD	"cluster.local"
#define GOOD_ID	"spiffe://" TD "/ns/default/sa/web"

struct pki {
	EVP_PKEY *ca_key, *other_key, *key;
	X509 *ca, *other_ca;
	X509_STORE *store;
	char *dir;
};

static struct pki pki;

static int setup(void **state)
{
	(void)state;
	pki.ca_key = certgen_key();
	pki.other_key = certgen_key();
	pki.key = certgen_key();
	pki.ca = certgen_cert(&CERTGEN_CA("kzt test CA"), pki.ca_key, NULL, NULL);
	pki.other_ca = certgen_cert(&CERTGEN_CA("other CA"), pki.other_key,
				    NULL, NULL);
	pki.store = X509_STORE_new();
	pki.dir = certgen_tmpdir();
	if (!pki.ca || !pki.other_ca || !pki.store || !pki.dir ||
	    !X509_STORE_add_cert(pki.store, pki.ca))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_STORE_free(pki.store);
	X509_free(pki.ca);
	X509_free(pki.other_ca);
	EVP_PKEY_free(pki.ca_key);
	EVP_PKEY_free(pki.other_key);
	EVP_PKEY_free(pki.key);
	certgen_rmdir(pki.dir);
	return 0;
}

/* Verify a leaf issued by our CA with @g; returns the status, fills why. */
static int verify(const struct certgen *g, X509 *issuer, EVP_PKEY *ikey,
		  char *id, char *why)
{
	X509 *leaf = certgen_cert(g, pki.key, issuer ? issuer : pki.ca,
				  issuer ? ikey : pki.ca_key);
	int ret;

	assert_non_null(leaf);
	ret = kzt_svid_verify(pki.store, leaf, NULL, TD, id,
			      KZT_SPIFFE_ID_MAX + 1, why, KZT_SVID_WHY_MAX);
	X509_free(leaf);
	return ret;
}

static void expect_refused(const struct certgen *g, const char *msg)
{
	char id[KZT_SPIFFE_ID_MAX + 1], why[KZT_SVID_WHY_MAX];

	assert_int_equal(verify(g, NULL, NULL, id, why), EACCES);
	if (!strstr(why, msg))
		fail_msg("message '%s' does not say '%s'", why, msg);
}

static void test_good(void **state)
{
	char id[KZT_SPIFFE_ID_MAX + 1], why[KZT_SVID_WHY_MAX];
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	assert_int_equal(verify(&g, NULL, NULL, id, why), 0);
	assert_string_equal(id, GOOD_ID);
	/* A DNS SAN may come along; no keyUsage at all is fine too. */
	g.san = "DNS:web.default.svc,URI:" GOOD_ID;
	g.ku = NULL;
	assert_int_equal(verify(&g, NULL, NULL, id, why), 0);
	assert_string_equal(id, GOOD_ID);
}

static void test_no_san(void **state)
{
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	g.san = NULL;
	expect_refused(&g, "no subjectAltName");
}

static void test_no_uri_san(void **state)
{
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	g.san = "DNS:web.default.svc";
	expect_refused(&g, "0 URI SANs");
}

static void test_two_uri_sans(void **state)
{
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	g.san = "URI:" GOOD_ID ",URI:spiffe://" TD "/ns/default/sa/db";
	expect_refused(&g, "2 URI SANs");
}

static void test_not_spiffe(void **state)
{
	struct certgen g = CERTGEN_SVID("https://" TD "/ns/default/sa/web");

	(void)state;
	expect_refused(&g, "is not a SPIFFE ID");
	g.san = "URI:spiffe://Cluster.Local/ns/default/sa/web";
	expect_refused(&g, "lower case");
	g.san = "URI:spiffe://" TD "/ns/default/sa/web/";
	expect_refused(&g, "is not a SPIFFE ID");
}

static void test_trust_domain_id(void **state)
{
	struct certgen g = CERTGEN_SVID("spiffe://" TD);

	(void)state;
	expect_refused(&g, "names a trust domain, not a workload");
}

static void test_other_trust_domain(void **state)
{
	struct certgen g = CERTGEN_SVID("spiffe://other.example/ns/default/sa/web");

	(void)state;
	expect_refused(&g, "is in trust domain 'other.example', not in '" TD "'");
}

static void test_ca_leaf(void **state)
{
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	g.bc = "critical,CA:TRUE";
	g.ku = "critical,digitalSignature,keyCertSign";
	expect_refused(&g, "is a CA certificate");
}

static void test_ku_no_digital_signature(void **state)
{
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	g.ku = "critical,keyEncipherment";
	expect_refused(&g, "without digitalSignature");
}

static void test_ku_cert_sign(void **state)
{
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	g.ku = "critical,digitalSignature,cRLSign";
	expect_refused(&g, "keyCertSign or cRLSign");
}

static void test_expired(void **state)
{
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	g.not_before = -7200;
	g.not_after = -3600;
	expect_refused(&g, "certificate has expired");
}

static void test_not_yet_valid(void **state)
{
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	g.not_before = 3600;
	expect_refused(&g, "certificate is not yet valid");
}

static void test_untrusted_root(void **state)
{
	char id[KZT_SPIFFE_ID_MAX + 1], why[KZT_SVID_WHY_MAX];
	struct certgen g = CERTGEN_SVID(GOOD_ID);

	(void)state;
	assert_int_equal(verify(&g, pki.other_ca, pki.other_key, id, why), EACCES);
	assert_non_null(strstr(why, "not issued by a CA of the trust bundle"));
	assert_non_null(strstr(why, GOOD_ID));	/* names the certificate */
}

/* root -> intermediate -> leaf: verified with the intermediate only. */
static void test_intermediate(void **state)
{
	char id[KZT_SPIFFE_ID_MAX + 1], why[KZT_SVID_WHY_MAX];
	EVP_PKEY *ikey = certgen_key();
	X509 *inter = certgen_cert(&CERTGEN_CA("intermediate"), ikey, pki.ca,
				   pki.ca_key);
	X509 *leaf = certgen_cert(&CERTGEN_SVID(GOOD_ID), pki.key, inter, ikey);
	STACK_OF(X509) *chain = sk_X509_new_null();

	(void)state;
	assert_non_null(leaf);
	assert_int_equal(kzt_svid_verify(pki.store, leaf, chain, TD, id,
					 sizeof(id), why, sizeof(why)), EACCES);
	sk_X509_push(chain, inter);
	assert_int_equal(kzt_svid_verify(pki.store, leaf, chain, TD, id,
					 sizeof(id), why, sizeof(why)), 0);
	assert_string_equal(id, GOOD_ID);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	EVP_PKEY_free(ikey);
}

/*
 * root -> @n intermediates -> leaf: the result of verifying it. A chain
 * is at most KZT_SVID_DEPTH_MAX certificates, root and leaf included.
 */
static int verify_chain_of(int n, char *why)
{
	char id[KZT_SPIFFE_ID_MAX + 1];
	STACK_OF(X509) *chain = sk_X509_new_null();
	EVP_PKEY *keys[16];
	X509 *issuer = pki.ca, *leaf;
	EVP_PKEY *ikey = pki.ca_key;
	int ret;

	assert_true(n < 16);
	for (int i = 0; i < n; i++) {
		char name[32];
		X509 *x;

		snprintf(name, sizeof(name), "intermediate %d", i + 1);
		keys[i] = certgen_key();
		x = certgen_cert(&CERTGEN_CA(name), keys[i], issuer, ikey);
		assert_non_null(x);
		sk_X509_push(chain, x);
		issuer = x;
		ikey = keys[i];
	}
	leaf = certgen_cert(&CERTGEN_SVID(GOOD_ID), pki.key, issuer, ikey);
	assert_non_null(leaf);
	ret = kzt_svid_verify(pki.store, leaf, chain, TD, id, sizeof(id), why,
			      KZT_SVID_WHY_MAX);
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	for (int i = 0; i < n; i++)
		EVP_PKEY_free(keys[i]);
	return ret;
}

static void test_depth(void **state)
{
	char why[KZT_SVID_WHY_MAX];

	(void)state;
	assert_int_equal(verify_chain_of(KZT_SVID_DEPTH_MAX - 2, why), 0);
	assert_int_equal(verify_chain_of(KZT_SVID_DEPTH_MAX - 1, why), EACCES);
	if (!strstr(why, "too long"))
		fail_msg("message '%s' does not say the chain is too long", why);
}

/* X509_STRICT: a CA without keyUsage is no CA for kzt. */
static void test_strict_ca(void **state)
{
	char id[KZT_SPIFFE_ID_MAX + 1], why[KZT_SVID_WHY_MAX];
	struct certgen cag = CERTGEN_CA("lax CA");
	X509_STORE *store = X509_STORE_new();
	EVP_PKEY *k = certgen_key();
	X509 *ca, *leaf;

	(void)state;
	cag.ku = NULL;
	ca = certgen_cert(&cag, k, NULL, NULL);
	leaf = certgen_cert(&CERTGEN_SVID(GOOD_ID), pki.key, ca, k);
	X509_STORE_add_cert(store, ca);
	assert_int_equal(kzt_svid_verify(store, leaf, NULL, TD, id, sizeof(id),
					 why, sizeof(why)), EACCES);
	assert_non_null(strstr(why, "key usage"));
	X509_free(leaf);
	X509_free(ca);
	X509_STORE_free(store);
	EVP_PKEY_free(k);
}

static char *path_in(const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", pki.dir, name);
	return buf;
}

static void test_bundle(void **state)
{
	X509 *both[2] = { pki.ca, pki.other_ca };
	X509 *leaf = certgen_cert(&CERTGEN_SVID(GOOD_ID), pki.key, pki.ca,
				  pki.ca_key);
	X509 *with_leaf[2] = { pki.ca, leaf };
	char why[KZT_SVID_WHY_MAX];
	X509_STORE *st = NULL;
	FILE *f;

	(void)state;
	assert_int_equal(certgen_write_certs(path_in("two.pem"), both, 2), 0);
	assert_int_equal(kzt_svid_bundle_load(path_in("two.pem"), &st, why,
					      sizeof(why)), 0);
	assert_int_equal(sk_X509_OBJECT_num(X509_STORE_get0_objects(st)), 2);
	X509_STORE_free(st);

	assert_int_equal(certgen_write_certs(path_in("leaf.pem"), with_leaf, 2), 0);
	assert_int_equal(kzt_svid_bundle_load(path_in("leaf.pem"), &st, why,
					      sizeof(why)), EINVAL);
	assert_non_null(strstr(why, "certificate 2 (" GOOD_ID ") is not a CA"));

	f = fopen(path_in("empty.pem"), "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(kzt_svid_bundle_load(path_in("empty.pem"), &st, why,
					      sizeof(why)), EINVAL);
	assert_non_null(strstr(why, "no PEM certificate"));

	f = fopen(path_in("torn.pem"), "w");
	assert_non_null(f);
	fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", f);
	fclose(f);
	assert_int_equal(kzt_svid_bundle_load(path_in("torn.pem"), &st, why,
					      sizeof(why)), EINVAL);
	assert_non_null(strstr(why, "certificate 1 is not valid PEM"));

	assert_int_equal(kzt_svid_bundle_load(path_in("missing.pem"), &st, why,
					      sizeof(why)), ENOENT);
	X509_free(leaf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_no_san),
		cmocka_unit_test(test_no_uri_san),
		cmocka_unit_test(test_two_uri_sans),
		cmocka_unit_test(test_not_spiffe),
		cmocka_unit_test(test_trust_domain_id),
		cmocka_unit_test(test_other_trust_domain),
		cmocka_unit_test(test_ca_leaf),
		cmocka_unit_test(test_ku_no_digital_signature),
		cmocka_unit_test(test_ku_cert_sign),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_not_yet_valid),
		cmocka_unit_test(test_untrusted_root),
		cmocka_unit_test(test_intermediate),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_strict_ca),
		cmocka_unit_test(test_bundle),
	};

	return cmocka_run_group_tests_name("svid", tests, setup, teardown);
}
