// SPDX-License-Identifier: GPL-2.0
/*
 * lib/creds.c: a certificate directory with one good pair and one bad
 * pair of each kind. Every bad pair is refused on its own, the good ones
 * are loaded and indexed by SPIFFE ID; only a bad bundle fails the load.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "certgen.h"
#include "tlsfix.h"

static struct tlsfix fix;

static int setup(void **state)
{
	(void)state;
	return tlsfix_make(&fix);
}

static int teardown(void **state)
{
	(void)state;
	tlsfix_free(&fix);
	return 0;
}

static void put_file(const char *name, const char *body)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fix.dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	char src[512], dst[512], buf[8192];
	size_t n;
	FILE *in, *out;

	snprintf(src, sizeof(src), "%s/%s", fix.dir, from);
	snprintf(dst, sizeof(dst), "%s/%s", fix.dir, to);
	in = fopen(src, "r");
	out = fopen(dst, "w");
	assert_non_null(in);
	assert_non_null(out);
	n = fread(buf, 1, sizeof(buf), in);
	assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
	assert_int_equal(chmod(dst, mode), 0);
}

static void test_good_and_bad_pairs(void **state)
{
	struct kzt_tls_opts opts = { 0 };
	struct certgen expired = CERTGEN_SVID("spiffe://" FIX_TD "/ns/x/sa/expired");
	EVP_PKEY *k = certgen_key();
	struct kzt_creds *c = NULL;
	X509 *x;
	char path[512];

	(void)state;
	/* Mismatched: the client's certificate with the server's key. */
	copy_file("a.client.crt", "mismatch.crt", 0644);
	copy_file("b.server.key", "mismatch.key", 0600);
	/* Key readable by others. */
	assert_int_equal(tlsfix_write_pair(&fix, fix.dir, "loose",
					   "spiffe://" FIX_TD "/ns/x/sa/loose",
					   fix.ca, fix.ca_key), 0);
	snprintf(path, sizeof(path), "%s/loose.key", fix.dir);
	assert_int_equal(chmod(path, 0644), 0);
	/* No key at all. */
	copy_file("a.client.crt", "nokey.crt", 0644);
	/* Expired. */
	expired.not_after = -60;
	x = certgen_cert(&expired, k, fix.ca, fix.ca_key);
	snprintf(path, sizeof(path), "%s/expired.crt", fix.dir);
	assert_int_equal(certgen_write_certs(path, &x, 1), 0);
	snprintf(path, sizeof(path), "%s/expired.key", fix.dir);
	assert_int_equal(certgen_write_key(path, k, 0600), 0);
	/* Same identity as a.client, a second time: the first one wins. */
	copy_file("a.client.crt", "z.dup.crt", 0644);
	copy_file("a.client.key", "z.dup.key", 0600);
	/* Not PEM; and an encrypted-looking key is never prompted for. */
	put_file("junk.crt", "hello\n");
	put_file("junk.key", "hello\n");
	chmod(path, 0600);

	assert_int_equal(kzt_creds_load(fix.dir, FIX_TD, &opts, &c), 0);
	assert_int_equal(c->n_ids, 2);
	assert_int_equal(c->n_refused, 6);
	assert_non_null(kzt_creds_find(c, FIX_CLIENT_ID));
	assert_string_equal(kzt_creds_find(c, FIX_CLIENT_ID)->name, "a.client");
	assert_non_null(kzt_creds_find(c, FIX_SERVER_ID));
	assert_null(kzt_creds_find(c, "spiffe://" FIX_TD "/ns/x/sa/loose"));
	assert_null(kzt_creds_find(c, "spiffe://" FIX_TD "/ns/x/sa/expired"));
	assert_non_null(c->client);
	assert_non_null(c->server);
	kzt_creds_put(c);

	/* Another trust domain: every pair is refused, the load is not. */
	assert_int_equal(kzt_creds_load(fix.dir, "other.example", &opts, &c), 0);
	assert_int_equal(c->n_ids, 0);
	kzt_creds_put(c);

	X509_free(x);
	EVP_PKEY_free(k);
}

static void test_refcount(void **state)
{
	struct kzt_tls_opts opts = { 0 };
	struct kzt_creds *c = NULL;

	(void)state;
	assert_int_equal(kzt_creds_load(fix.dir, FIX_TD, &opts, &c), 0);
	assert_ptr_equal(kzt_creds_get(c), c);
	assert_int_equal(c->refs, 2);
	kzt_creds_put(c);
	assert_int_equal(c->refs, 1);
	kzt_creds_put(c);	/* freed: the ASan/valgrind run sees leaks */
}

static void test_bad_bundle_or_options(void **state)
{
	struct kzt_tls_opts opts = { 0 };
	struct kzt_creds *c = NULL;
	char path[512];

	(void)state;
	assert_int_equal(kzt_creds_load("/nonexistent-kzt", FIX_TD, &opts, &c),
			 ENOENT);
	opts.ciphersuites = "TLS_AES_128_CCM_SHA256";
	assert_int_equal(kzt_creds_load(fix.dir, FIX_TD, &opts, &c), EINVAL);
	opts.ciphersuites = NULL;
	snprintf(path, sizeof(path), "%s/bundle.pem", fix.dir);
	copy_file("a.client.crt", "bundle.pem", 0644);	/* a leaf: refused */
	assert_int_equal(kzt_creds_load(fix.dir, FIX_TD, &opts, &c), EINVAL);
	assert_null(c);
	assert_int_equal(certgen_write_certs(path, &fix.ca, 1), 0);
}

/* <name>.crt/.key in @dir: an SVID made by @g, issued by the fixture CA. */
static void write_pair(const char *dir, const char *name,
		       const struct certgen *g)
{
	EVP_PKEY *k = certgen_key();
	X509 *x = certgen_cert(g, k, fix.ca, fix.ca_key);
	char path[512];

	assert_non_null(x);
	snprintf(path, sizeof(path), "%s/%s.crt", dir, name);
	assert_int_equal(certgen_write_certs(path, &x, 1), 0);
	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	assert_int_equal(certgen_write_key(path, k, 0600), 0);
	X509_free(x);
	EVP_PKEY_free(k);
}

/*
 * The X.509-SVID rules for a local identity, which is both client and
 * server: keyUsage present with digitalSignature; an extendedKeyUsage,
 * if any, with serverAuth and clientAuth.
 */
static void test_local_svid_rules(void **state)
{
	struct kzt_tls_opts opts = { 0 };
	struct certgen no_ku = CERTGEN_SVID("spiffe://" FIX_TD "/ns/x/sa/no-ku");
	struct certgen srv = CERTGEN_SVID("spiffe://" FIX_TD "/ns/x/sa/server-only");
	struct certgen cli = CERTGEN_SVID("spiffe://" FIX_TD "/ns/x/sa/client-only");
	struct certgen no_eku = CERTGEN_SVID("spiffe://" FIX_TD "/ns/x/sa/no-eku");
	struct certgen any = CERTGEN_SVID("spiffe://" FIX_TD "/ns/x/sa/eku-plus");
	struct kzt_creds *c = NULL;
	char *dir = certgen_tmpdir();
	char path[512];

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/bundle.pem", dir);
	assert_int_equal(certgen_write_certs(path, &fix.ca, 1), 0);
	no_ku.ku = NULL;
	srv.eku = "serverAuth";
	cli.eku = "clientAuth";
	no_eku.eku = NULL;
	any.eku = "clientAuth,codeSigning,serverAuth";
	write_pair(dir, "no-ku", &no_ku);
	write_pair(dir, "server-only", &srv);
	write_pair(dir, "client-only", &cli);
	write_pair(dir, "no-eku", &no_eku);
	write_pair(dir, "eku-plus", &any);

	assert_int_equal(kzt_creds_load(dir, FIX_TD, &opts, &c), 0);
	assert_int_equal(c->n_refused, 3);
	assert_int_equal(c->n_ids, 2);
	assert_non_null(kzt_creds_find(c, "spiffe://" FIX_TD "/ns/x/sa/no-eku"));
	assert_non_null(kzt_creds_find(c, "spiffe://" FIX_TD "/ns/x/sa/eku-plus"));
	kzt_creds_put(c);
	certgen_rmdir(dir);
}

static void set_mode(const char *name, mode_t mode)
{
	char path[512];

	if (name)
		snprintf(path, sizeof(path), "%s/%s", fix.dir, name);
	else
		snprintf(path, sizeof(path), "%s", fix.dir);
	assert_int_equal(chmod(path, mode), 0);
}

/* What group or others may write is refused, like a key they may read. */
static void test_writable(void **state)
{
	struct kzt_tls_opts opts = { 0 };
	struct certgen g = CERTGEN_SVID("spiffe://" FIX_TD "/ns/x/sa/w");
	struct kzt_creds *c = NULL;
	char path[512];

	(void)state;
	set_mode(NULL, 0775);
	assert_int_equal(kzt_creds_load(fix.dir, FIX_TD, &opts, &c), EACCES);
	assert_null(c);
	set_mode(NULL, 01777);
	assert_int_equal(kzt_creds_load(fix.dir, FIX_TD, &opts, &c), EACCES);
	set_mode(NULL, 0755);
	set_mode("bundle.pem", 0664);
	assert_int_equal(kzt_creds_load(fix.dir, FIX_TD, &opts, &c), EACCES);
	assert_null(c);
	set_mode("bundle.pem", 0644);

	write_pair(fix.dir, "w", &g);
	set_mode("w.crt", 0646);
	assert_int_equal(kzt_creds_load(fix.dir, FIX_TD, &opts, &c), 0);
	assert_null(kzt_creds_find(c, "spiffe://" FIX_TD "/ns/x/sa/w"));
	assert_non_null(kzt_creds_find(c, FIX_CLIENT_ID));
	kzt_creds_put(c);
	set_mode("w.crt", 0644);
	assert_int_equal(kzt_creds_load(fix.dir, FIX_TD, &opts, &c), 0);
	assert_non_null(kzt_creds_find(c, "spiffe://" FIX_TD "/ns/x/sa/w"));
	kzt_creds_put(c);
	snprintf(path, sizeof(path), "%s/w.crt", fix.dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/w.key", fix.dir);
	unlink(path);
	set_mode(NULL, 0700);
}

static void put_in(const char *dir, const char *name, const char *body)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
}

static void rm_in(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
}

#define WEB_ID	"spiffe://" FIX_TD "/ns/x/sa/web"
#define DB_ID	"spiffe://" FIX_TD "/ns/x/sa/db"

/* reload(*c): the new set replaces *c. */
static void reload(struct kzt_creds **c)
{
	struct kzt_tls_opts opts = { 0 };
	struct kzt_creds *n = NULL;

	assert_int_equal(kzt_creds_reload(*c, FIX_TD, &opts, &n), 0);
	kzt_creds_put(*c);
	*c = n;
}

/*
 * A renewal gone wrong (web.crt no longer PEM) keeps web's last good
 * pair: the very certificate, until it expires; a deleted pair goes; a
 * new good pair of the same ID wins over the kept one; a bundle that no
 * longer verifies it lets it go.
 */
static void test_reload_keeps_last_good(void **state)
{
	struct certgen web = CERTGEN_SVID(WEB_ID), db = CERTGEN_SVID(DB_ID);
	struct kzt_tls_opts opts = { 0 };
	struct kzt_creds *c = NULL;
	char *dir = certgen_tmpdir();
	EVP_PKEY *k2 = certgen_key();
	X509 *leaf, *ca2;
	char path[512];

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/bundle.pem", dir);
	assert_int_equal(certgen_write_certs(path, &fix.ca, 1), 0);
	write_pair(dir, "web", &web);
	write_pair(dir, "db", &db);
	assert_int_equal(kzt_creds_load(dir, FIX_TD, &opts, &c), 0);
	assert_int_equal(c->n_ids, 2);
	leaf = kzt_creds_find(c, WEB_ID)->leaf;

	put_in(dir, "web.crt", "-----BEGIN CERTIFICATE-----\ntruncated\n");
	reload(&c);
	assert_int_equal(c->n_ids, 2);
	assert_int_equal(c->n_refused, 1);
	assert_int_equal(c->n_kept, 1);
	assert_non_null(kzt_creds_find(c, WEB_ID));
	assert_ptr_equal(kzt_creds_find(c, WEB_ID)->leaf, leaf);
	assert_string_equal(kzt_creds_find(c, WEB_ID)->name, "web");
	assert_true(c->kept_until > time(NULL) + 3600);
	/* Kept again at the next reload, as long as web.crt stays bad. */
	rm_in(dir, "db.crt");
	reload(&c);
	assert_null(kzt_creds_find(c, DB_ID));
	assert_ptr_equal(kzt_creds_find(c, WEB_ID)->leaf, leaf);

	/* A first load has nothing to keep. */
	{
		struct kzt_creds *fresh = NULL;

		assert_int_equal(kzt_creds_load(dir, FIX_TD, &opts, &fresh), 0);
		assert_null(kzt_creds_find(fresh, WEB_ID));
		kzt_creds_put(fresh);
	}

	/* A good pair for the ID under another name wins. */
	write_pair(dir, "web2", &web);
	reload(&c);
	assert_int_equal(c->n_kept, 0);
	assert_string_equal(kzt_creds_find(c, WEB_ID)->name, "web2");
	rm_in(dir, "web2.crt");
	rm_in(dir, "web2.key");
	reload(&c);
	assert_null(kzt_creds_find(c, WEB_ID));	/* web2 is gone, web bad */

	/* Kept, then the bundle changes to a CA that did not issue it. */
	write_pair(dir, "web", &web);
	reload(&c);
	put_in(dir, "web.crt", "junk\n");
	reload(&c);
	assert_int_equal(c->n_kept, 1);
	ca2 = certgen_cert(&CERTGEN_CA("other CA"), k2, NULL, NULL);
	assert_int_equal(certgen_write_certs(path, &ca2, 1), 0);
	reload(&c);
	assert_int_equal(c->n_kept, 0);
	assert_null(kzt_creds_find(c, WEB_ID));

	kzt_creds_put(c);
	X509_free(ca2);
	EVP_PKEY_free(k2);
	certgen_rmdir(dir);
}

/* "Until it expires": a kept pair goes at the first reload after. */
static void test_reload_kept_expires(void **state)
{
	struct certgen web = CERTGEN_SVID(WEB_ID);
	struct kzt_tls_opts opts = { 0 };
	struct kzt_creds *c = NULL;
	char *dir = certgen_tmpdir();
	char path[512];
	time_t until;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/bundle.pem", dir);
	assert_int_equal(certgen_write_certs(path, &fix.ca, 1), 0);
	web.not_after = 2;
	write_pair(dir, "web", &web);
	assert_int_equal(kzt_creds_load(dir, FIX_TD, &opts, &c), 0);
	assert_non_null(kzt_creds_find(c, WEB_ID));
	put_in(dir, "web.crt", "junk\n");
	reload(&c);
	assert_int_equal(c->n_kept, 1);
	until = c->kept_until;
	assert_true(until >= time(NULL) && until <= time(NULL) + 3);
	while (time(NULL) <= until)
		usleep(100 * 1000);
	sleep(1);	/* OpenSSL compares whole seconds */
	reload(&c);
	assert_int_equal(c->n_kept, 0);
	assert_int_equal(c->kept_until, 0);
	assert_null(kzt_creds_find(c, WEB_ID));
	kzt_creds_put(c);
	certgen_rmdir(dir);
}

/* Identities held in memory (istiod's CA): checked as a directory's pairs. */
static void test_build_from_memory(void **state)
{
	EVP_PKEY *k = certgen_key(), *k2 = certgen_key(), *ok2 = certgen_key();
	X509 *other_ca = certgen_cert(&CERTGEN_CA("other CA"), k2, NULL, NULL);
	struct kzt_ident ids[4] = {
		{ .name = "web", .key = k,
		  .leaf = certgen_cert(&CERTGEN_SVID("spiffe://cluster.local/ns/a/sa/web"),
				       k, fix.ca, fix.ca_key) },
		{ .name = "db-wrong-key", .key = k2,
		  .leaf = certgen_cert(&CERTGEN_SVID("spiffe://cluster.local/ns/a/sa/db"),
				       k, fix.ca, fix.ca_key) },
		{ .name = "other-ca", .key = ok2,
		  .leaf = certgen_cert(&CERTGEN_SVID("spiffe://cluster.local/ns/a/sa/x"),
				       ok2, other_ca, k2) },
		{ .name = "web-again", .key = k,
		  .leaf = certgen_cert(&CERTGEN_SVID("spiffe://cluster.local/ns/a/sa/web"),
				       k, fix.ca, fix.ca_key) },
	};
	const struct kzt_tls_opts opts = { 0 };
	struct kzt_creds *c;
	char bundle[512];

	(void)state;
	snprintf(bundle, sizeof(bundle), "%s/root-cert.pem", fix.dir);
	assert_int_equal(certgen_write_certs(bundle, &fix.ca, 1), 0);
	assert_int_equal(kzt_creds_build(bundle, "cluster.local", &opts, ids, 4, &c), 0);
	assert_int_equal(c->n_ids, 1);
	assert_int_equal(c->n_refused, 3);
	assert_non_null(kzt_creds_find(c, "spiffe://cluster.local/ns/a/sa/web"));
	assert_non_null(c->client);
	assert_non_null(c->server);
	/* The set holds its own references: the caller's may go first. */
	for (size_t i = 0; i < 4; i++)
		X509_free(ids[i].leaf);
	EVP_PKEY_free(k);
	assert_non_null(kzt_creds_find(c, "spiffe://cluster.local/ns/a/sa/web")->key);
	kzt_creds_put(c);

	assert_int_equal(kzt_creds_build("/nonexistent/root.pem", NULL, &opts, ids, 0, &c), ENOENT);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(ok2);
	X509_free(other_ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_and_bad_pairs),
		cmocka_unit_test(test_refcount),
		cmocka_unit_test(test_bad_bundle_or_options),
		cmocka_unit_test(test_local_svid_rules),
		cmocka_unit_test(test_writable),
		cmocka_unit_test(test_reload_keeps_last_good),
		cmocka_unit_test(test_reload_kept_expires),
		cmocka_unit_test(test_build_from_memory),
	};

	return cmocka_run_group_tests_name("creds", tests, setup, teardown);
}
