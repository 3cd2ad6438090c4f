// SPDX-License-Identifier: GPL-2.0
/*
 * lib/peers.c: kztd's table of verified peer chains, verified again
 * against new credentials. A bundle that still signs a peer keeps it; one
 * that does not, or another trust domain, refuses it, once per identity;
 * the table stays within its bound, least recent out first.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/kzt.h>

#include "certgen.h"
#include "peers.h"

#define TD	"cluster.local"
#define ID_A	"spiffe://" TD "/ns/demo/sa/a"
#define ID_B	"spiffe://" TD "/ns/demo/sa/b"
#define ID_C	"spiffe://" TD "/ns/demo/sa/c"

struct pki {
	EVP_PKEY *ca1_key, *ca2_key, *key;
	X509 *ca1, *ca2;
};

static struct pki pki;

static int setup(void **state)
{
	(void)state;
	pki.ca1_key = certgen_key();
	pki.ca2_key = certgen_key();
	pki.key = certgen_key();
	pki.ca1 = certgen_cert(&CERTGEN_CA("ca1"), pki.ca1_key, NULL, NULL);
	pki.ca2 = certgen_cert(&CERTGEN_CA("ca2"), pki.ca2_key, NULL, NULL);
	return pki.ca1 && pki.ca2 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(pki.ca1);
	X509_free(pki.ca2);
	EVP_PKEY_free(pki.ca1_key);
	EVP_PKEY_free(pki.ca2_key);
	EVP_PKEY_free(pki.key);
	return 0;
}

/* Credentials as far as peers.c reads them: a bundle and a trust domain. */
static struct kzt_creds *creds(X509 *ca, X509 *ca_too, const char *td)
{
	struct kzt_creds *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->bundle = X509_STORE_new();
	assert_non_null(c->bundle);
	assert_true(X509_STORE_add_cert(c->bundle, ca));
	if (ca_too)
		assert_true(X509_STORE_add_cert(c->bundle, ca_too));
	c->trust_domain = (char *)td;
	return c;
}

static void creds_free(struct kzt_creds *c)
{
	X509_STORE_free(c->bundle);
	free(c);
}

static X509 *svid(const char *id, X509 *ca, EVP_PKEY *ca_key)
{
	char san[256];
	struct certgen g = CERTGEN_SVID("");
	X509 *x;

	snprintf(san, sizeof(san), "URI:%s", id);
	g.san = san;
	x = certgen_cert(&g, pki.key, ca, ca_key);
	assert_non_null(x);
	return x;
}

static void seen(struct kzt_peers *p, const char *id, int role, X509 *leaf,
		 STACK_OF(X509) *chain)
{
	char *evicted;

	assert_int_equal(kzt_peers_seen(p, id, role, leaf, chain, &evicted), 0);
	assert_null(evicted);
}

/* Recheck @p against @c; returns the refused IDs joined by ' '. */
static char *recheck(struct kzt_peers *p, const struct kzt_creds *c)
{
	static char out[1024];
	char **ids;
	size_t n;

	assert_int_equal(kzt_peers_recheck(p, c, NULL, NULL, &ids, &n), 0);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, ids[i]);
	}
	kzt_peers_free_ids(ids, n);
	return out;
}

static void test_rotation(void **state)
{
	struct kzt_creds *same = creds(pki.ca1, NULL, TD);
	struct kzt_creds *both = creds(pki.ca1, pki.ca2, TD);
	struct kzt_creds *other = creds(pki.ca2, NULL, TD);
	X509 *a = svid(ID_A, pki.ca1, pki.ca1_key);
	X509 *b = svid(ID_B, pki.ca2, pki.ca2_key);
	struct kzt_peers p;

	(void)state;
	kzt_peers_init(&p, 16);
	seen(&p, ID_A, KZT_HS_ROLE_CLIENT, a, NULL);
	seen(&p, ID_A, KZT_HS_ROLE_SERVER, a, NULL);
	seen(&p, ID_B, KZT_HS_ROLE_CLIENT, b, NULL);
	assert_int_equal(p.n, 3);

	/* Reloaded as it was, or with a second CA: nobody refused. */
	assert_string_equal(recheck(&p, both), "");
	assert_int_equal(p.n, 3);
	/* ca1 alone: b (ca2) refused, and its entry gone. */
	assert_string_equal(recheck(&p, same), ID_B);
	assert_int_equal(p.n, 2);
	/* ca2 alone: a refused once, though kept in two roles. */
	assert_string_equal(recheck(&p, other), ID_A);
	assert_int_equal(p.n, 0);

	kzt_peers_clear(&p);
	X509_free(a);
	X509_free(b);
	creds_free(same);
	creds_free(both);
	creds_free(other);
}

/* The intermediates the peer sent are kept and used again. */
static void test_intermediate(void **state)
{
	EVP_PKEY *ikey = certgen_key();
	X509 *inter = certgen_cert(&CERTGEN_CA("intermediate"), ikey, pki.ca1,
				   pki.ca1_key);
	X509 *leaf = svid(ID_A, inter, ikey);
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct kzt_creds *root = creds(pki.ca1, NULL, TD);
	struct kzt_creds *other = creds(pki.ca2, NULL, TD);
	struct kzt_peers p;

	(void)state;
	assert_non_null(chain);
	assert_true(sk_X509_push(chain, inter));
	kzt_peers_init(&p, 4);
	seen(&p, ID_A, KZT_HS_ROLE_CLIENT, leaf, chain);
	sk_X509_pop_free(chain, X509_free);	/* the table holds its own */
	assert_string_equal(recheck(&p, root), "");
	assert_string_equal(recheck(&p, other), ID_A);
	kzt_peers_clear(&p);
	X509_free(leaf);
	EVP_PKEY_free(ikey);
	creds_free(root);
	creds_free(other);
}

static void test_trust_domain(void **state)
{
	struct kzt_creds *td2 = creds(pki.ca1, NULL, "other.td");
	X509 *a = svid(ID_A, pki.ca1, pki.ca1_key);
	struct kzt_peers p;

	(void)state;
	kzt_peers_init(&p, 4);
	seen(&p, ID_A, KZT_HS_ROLE_SERVER, a, NULL);
	assert_string_equal(recheck(&p, td2), ID_A);
	kzt_peers_clear(&p);
	X509_free(a);
	creds_free(td2);
}

/*
 * As in the handshake, a peer is verified for the role it played: a
 * server-only certificate passes as a server (we were the client), not
 * as a client.
 */
static void test_role(void **state)
{
	struct kzt_creds *c = creds(pki.ca1, NULL, TD);
	struct certgen g = CERTGEN_SVID(ID_A);
	X509 *server_only;
	struct kzt_peers p;

	(void)state;
	g.eku = "serverAuth";
	server_only = certgen_cert(&g, pki.key, pki.ca1, pki.ca1_key);
	assert_non_null(server_only);
	kzt_peers_init(&p, 4);
	seen(&p, ID_A, KZT_HS_ROLE_CLIENT, server_only, NULL);
	assert_string_equal(recheck(&p, c), "");
	seen(&p, ID_A, KZT_HS_ROLE_SERVER, server_only, NULL);
	assert_string_equal(recheck(&p, c), ID_A);
	assert_int_equal(p.n, 1);	/* the server role's entry stays */
	kzt_peers_clear(&p);
	X509_free(server_only);
	creds_free(c);
}

/* The latest chain of a peer is the one kept. */
static void test_latest_chain(void **state)
{
	struct kzt_creds *ca2 = creds(pki.ca2, NULL, TD);
	X509 *old = svid(ID_A, pki.ca1, pki.ca1_key);
	X509 *renewed = svid(ID_A, pki.ca2, pki.ca2_key);
	struct kzt_peers p;

	(void)state;
	kzt_peers_init(&p, 4);
	seen(&p, ID_A, KZT_HS_ROLE_CLIENT, old, NULL);
	seen(&p, ID_A, KZT_HS_ROLE_CLIENT, renewed, NULL);
	assert_int_equal(p.n, 1);
	assert_string_equal(recheck(&p, ca2), "");
	kzt_peers_clear(&p);
	X509_free(old);
	X509_free(renewed);
	creds_free(ca2);
}

/* Full: the least recently seen goes, and is named. */
static void test_bound(void **state)
{
	struct kzt_creds *other = creds(pki.ca2, NULL, TD);
	X509 *x = svid(ID_A, pki.ca1, pki.ca1_key);
	struct kzt_peers p;
	char *evicted;

	(void)state;
	kzt_peers_init(&p, 2);
	seen(&p, ID_A, KZT_HS_ROLE_CLIENT, x, NULL);
	seen(&p, ID_B, KZT_HS_ROLE_CLIENT, x, NULL);
	seen(&p, ID_A, KZT_HS_ROLE_CLIENT, x, NULL);	/* a is the newest */
	assert_int_equal(kzt_peers_seen(&p, ID_C, KZT_HS_ROLE_CLIENT, x, NULL,
					&evicted), 0);
	assert_non_null(evicted);
	assert_string_equal(evicted, ID_B);
	free(evicted);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.evicted, 1);
	/* Newest first: what is left is c, then a. */
	assert_string_equal(recheck(&p, other), ID_C " " ID_A);
	kzt_peers_clear(&p);
	X509_free(x);
	creds_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_intermediate),
		cmocka_unit_test(test_trust_domain),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_latest_chain),
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
