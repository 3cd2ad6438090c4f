// SPDX-License-Identifier: GPL-2.0
/*
 * lib/ca.c: the development CA, checked with OpenSSL from the outside. A
 * leaf verifies against the bundle it was written with, for TLS server and
 * client alike; it has exactly one URI SAN, is no CA, has the key usages
 * of an X509-SVID and the asked validity; files have their modes. Every
 * refusal writes nothing.
 */
#include <dirent.h>
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

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"

#define TD	"example.org"
#define WEB	"spiffe://" TD "/ns/default/sa/web"

struct fixture {
	char root[64];
	char ca[96], ca2[96], out[96];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct kzt_ca_init_opts o = { .trust_domain = TD };
	char err[KZT_CA_ERR_MAX];

	assert_non_null(fx);
	snprintf(fx->root, sizeof(fx->root), "/tmp/kzt-test-ca.XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	snprintf(fx->ca, sizeof(fx->ca), "%s/ca", fx->root);
	snprintf(fx->ca2, sizeof(fx->ca2), "%s/ca2", fx->root);
	snprintf(fx->out, sizeof(fx->out), "%s/certs", fx->root);
	o.dir = fx->ca;
	if (kzt_ca_init(&o, err, sizeof(err)))
		fail_msg("ca init: %s", err);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static X509 *read_cert(const char *dir, const char *name)
{
	char path[256];
	FILE *f;
	X509 *x;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static EVP_PKEY *read_key(const char *dir, const char *name)
{
	char path[256];
	EVP_PKEY *k;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(k);
	return k;
}

static mode_t file_mode(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st))
		fail_msg("%s: %s", path, strerror(errno));
	return st.st_mode & 07777;
}

static bool exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* Every name in @dir, sorted, joined by ' ': "" for an empty one. */
static void listing(const char *dir, char *buf, size_t len)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

static int issue(const struct fixture *fx, const char *ca, const char *id,
		 const char *name, unsigned int days, bool force, char *err)
{
	struct kzt_ca_issue_opts o = {
		.ca_dir = ca, .id = id, .out_dir = fx->out, .name = name,
		.days = days, .force = force,
	};
	struct kzt_ca_issued res;

	return kzt_ca_issue(&o, &res, err, KZT_CA_ERR_MAX);
}

/* OpenSSL's chain verification of @leaf against @bundle for @purpose. */
static int verify(X509 *leaf, const char *bundle, int purpose)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok;

	assert_non_null(store);
	assert_non_null(ctx);
	assert_int_equal(X509_STORE_load_file(store, bundle), 1);
	assert_int_equal(X509_STORE_CTX_init(ctx, store, leaf, NULL), 1);
	X509_STORE_CTX_set_purpose(ctx, purpose);
	ok = X509_verify_cert(ctx);
	if (ok != 1)
		print_message("verify: %s\n", X509_verify_cert_error_string(
				      X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

static bool ext_critical(X509 *x, int nid)
{
	int at = X509_get_ext_by_NID(x, nid, -1);

	assert_true(at >= 0);
	return X509_EXTENSION_get_critical(X509_get_ext(x, at));
}

static void test_init(void **state)
{
	struct fixture *fx = *state;
	X509 *ca = read_cert(fx->ca, KZT_CA_CERT);
	struct kzt_cert_infos info;
	char err[KZT_CA_ERR_MAX], path[256];

	assert_int_equal(file_mode(fx->ca, KZT_CA_KEY), 0600);
	assert_int_equal(file_mode(fx->ca, KZT_CA_CERT), 0644);
	assert_int_equal(file_mode(fx->ca, "."), 0700);
	assert_int_equal(X509_check_ca(ca), 1);
	assert_int_equal(X509_check_issued(ca, ca), X509_V_OK);	/* self-signed */
	assert_true(ext_critical(ca, NID_basic_constraints));
	assert_true(ext_critical(ca, NID_key_usage));
	assert_int_equal(X509_get_key_usage(ca), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	X509_free(ca);

	snprintf(path, sizeof(path), "%s/" KZT_CA_CERT, fx->ca);
	assert_int_equal(kzt_cert_file_info(path, &info, err, sizeof(err)), 0);
	assert_int_equal(info.n, 1);
	assert_string_equal(info.v[0].spiffe_id, "spiffe://" TD);
	assert_true(info.v[0].is_ca);
	assert_false(info.v[0].is_svid);
	assert_string_equal(info.v[0].key, "EC P-256");
	kzt_cert_infos_free(&info);
}

static void test_issue_verifies(void **state)
{
	struct fixture *fx = *state;
	char err[KZT_CA_ERR_MAX], path[256], ls[256];
	GENERAL_NAMES *sans;
	const GENERAL_NAME *gen;
	struct kzt_cert_infos info;
	EVP_PKEY *key;
	X509 *leaf, *ca, *orig;
	time_t now = time(NULL);
	int day, sec;

	if (issue(fx, fx->ca, WEB, NULL, 30, false, err))
		fail_msg("issue: %s", err);
	listing(fx->out, ls, sizeof(ls));
	assert_string_equal(ls, "bundle.pem default.web.crt default.web.key");
	assert_int_equal(file_mode(fx->out, "default.web.key"), 0600);
	assert_int_equal(file_mode(fx->out, "default.web.crt"), 0644);

	leaf = read_cert(fx->out, "default.web.crt");
	ca = read_cert(fx->out, KZT_CA_BUNDLE);
	snprintf(path, sizeof(path), "%s/" KZT_CA_BUNDLE, fx->out);
	assert_int_equal(verify(leaf, path, X509_PURPOSE_SSL_SERVER), 1);
	assert_int_equal(verify(leaf, path, X509_PURPOSE_SSL_CLIENT), 1);
	/* bundle.pem is the CA's own certificate */
	orig = read_cert(fx->ca, KZT_CA_CERT);
	assert_int_equal(X509_cmp(ca, orig), 0);
	X509_free(orig);

	/* exactly one SAN, a URI, the ID */
	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	assert_non_null(sans);
	assert_int_equal(sk_GENERAL_NAME_num(sans), 1);
	gen = sk_GENERAL_NAME_value(sans, 0);
	assert_int_equal(gen->type, GEN_URI);
	assert_string_equal(ASN1_STRING_get0_data(gen->d.uniformResourceIdentifier),
			    WEB);
	GENERAL_NAMES_free(sans);

	assert_int_equal(X509_check_ca(leaf), 0);
	assert_true(X509_get_extension_flags(leaf) & EXFLAG_BCONS);
	assert_true(ext_critical(leaf, NID_basic_constraints));
	assert_true(ext_critical(leaf, NID_key_usage));
	assert_int_equal(X509_get_key_usage(leaf), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_extended_key_usage(leaf),
			 XKU_SSL_SERVER | XKU_SSL_CLIENT);

	/* valid from 5 minutes ago, for 30 days (a minute of slack) */
	assert_int_equal(ASN1_TIME_diff(&day, &sec, X509_get0_notBefore(leaf),
					X509_get0_notAfter(leaf)), 1);
	assert_int_equal(day * 86400 + sec, 30 * 86400 + KZT_CA_BACKDATE_S);
	assert_true(X509_cmp_time(X509_get0_notBefore(leaf),
				  &(time_t){ now - KZT_CA_BACKDATE_S + 60 }) < 0);
	assert_true(X509_cmp_time(X509_get0_notBefore(leaf),
				  &(time_t){ now - KZT_CA_BACKDATE_S - 60 }) > 0);

	key = read_key(fx->out, "default.web.key");
	assert_int_equal(X509_check_private_key(leaf, key), 1);
	assert_string_equal(EVP_PKEY_get0_type_name(key), "EC");
	EVP_PKEY_free(key);
	X509_free(leaf);
	X509_free(ca);

	snprintf(path, sizeof(path), "%s/default.web.crt", fx->out);
	assert_int_equal(kzt_cert_file_info(path, &info, err, sizeof(err)), 0);
	assert_true(info.v[0].is_svid);
	assert_string_equal(info.v[0].spiffe_id, WEB);
	assert_int_equal(info.v[0].n_uris, 1);
	assert_false(info.v[0].expired);
	kzt_cert_infos_free(&info);
}

/* A leaf of another CA does not verify against this bundle. */
static void test_other_ca_fails(void **state)
{
	struct fixture *fx = *state;
	struct kzt_ca_init_opts o = { .dir = fx->ca2, .trust_domain = TD };
	char err[KZT_CA_ERR_MAX], path[256];
	X509 *leaf;

	assert_int_equal(kzt_ca_init(&o, err, sizeof(err)), 0);
	assert_int_equal(issue(fx, fx->ca, WEB, NULL, 0, false, err), 0);
	/* the second CA's leaf, under another name, keeps bundle.pem: refused */
	assert_int_equal(issue(fx, fx->ca2, WEB, "other", 0, false, err), EEXIST);
	assert_non_null(strstr(err, "trusts other CAs only"));
	assert_false(exists(fx->out, "other.crt"));
	/* forced: bundle.pem is now ca2, and the first leaf fails against it */
	assert_int_equal(issue(fx, fx->ca2, WEB, "other", 0, true, err), 0);
	leaf = read_cert(fx->out, "default.web.crt");
	snprintf(path, sizeof(path), "%s/" KZT_CA_BUNDLE, fx->out);
	assert_int_not_equal(verify(leaf, path, X509_PURPOSE_SSL_SERVER), 1);
	X509_free(leaf);
}

static void test_second_identity(void **state)
{
	struct fixture *fx = *state;
	char err[KZT_CA_ERR_MAX], ls[256];

	assert_int_equal(issue(fx, fx->ca, WEB, NULL, 0, false, err), 0);
	assert_int_equal(issue(fx, fx->ca, "spiffe://" TD "/ns/data/sa/db",
			       NULL, 0, false, err), 0);
	assert_int_equal(issue(fx, fx->ca, "spiffe://" TD "/node/n1", "node-1",
			       0, false, err), 0);
	listing(fx->out, ls, sizeof(ls));
	assert_string_equal(ls, "bundle.pem data.db.crt data.db.key default.web.crt default.web.key node-1.crt node-1.key");
}

static const struct {
	const char *id, *name;
	unsigned int days;
	int ret;
	const char *err;
} refusals[] = {
	{ "spiffe://" TD "/ns/a/sa/b?x", NULL, 0, EINVAL,
	  "invalid SPIFFE ID 'spiffe://example.org/ns/a/sa/b?x': SPIFFE ID must not have a query ('?')" },
	{ "https://" TD "/ns/a/sa/b", NULL, 0, EINVAL,
	  "invalid SPIFFE ID 'https://example.org/ns/a/sa/b': SPIFFE ID must start with \"spiffe://\" (lower case)" },
	{ "spiffe://" TD "/ns/a/sa/", NULL, 0, EINVAL,
	  "invalid SPIFFE ID 'spiffe://example.org/ns/a/sa/': path must not end with '/'" },
	{ "spiffe://other.org/ns/a/sa/b", NULL, 0, EINVAL,
	  "'spiffe://other.org/ns/a/sa/b' is not in the CA's trust domain 'example.org'" },
	{ "spiffe://example.org.evil/ns/a/sa/b", NULL, 0, EINVAL,
	  "'spiffe://example.org.evil/ns/a/sa/b' is not in the CA's trust domain 'example.org'" },
	{ "spiffe://" TD, NULL, 0, EINVAL,
	  "'spiffe://example.org' names the trust domain, not a workload (spiffe://TD/ns/NS/sa/SA)" },
	{ "spiffe://" TD "/db", NULL, 0, EINVAL,
	  "'spiffe://example.org/db' is not of the form spiffe://TD/ns/NS/sa/SA: give --name NAME" },
	{ WEB, "../escape", 0, EINVAL,
	  "invalid name '../escape': starts with '.'" },
	{ WEB, "a/b", 0, EINVAL,
	  "invalid name 'a/b': has a character other than A-Za-z0-9 . - _" },
	{ WEB, NULL, KZT_CA_DAYS_DEFAULT + 30, EINVAL,
	  "a certificate for 3680 days would outlive its CA: use fewer --days" },
};

static void test_refusals(void **state)
{
	struct fixture *fx = *state;
	char err[KZT_CA_ERR_MAX];

	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		int ret = issue(fx, fx->ca, refusals[i].id, refusals[i].name,
				refusals[i].days, false, err);

		if (ret != refusals[i].ret)
			fail_msg("case %zu: ret %d, want %d (%s)", i, ret,
				 refusals[i].ret, ret ? err : "");
		assert_string_equal(err, refusals[i].err);
		assert_false(exists(fx->root, "certs"));	/* nothing made */
	}
}

/* Existing files are kept, byte for byte, and no temporary file is left. */
static void test_no_overwrite(void **state)
{
	struct fixture *fx = *state;
	struct kzt_ca_init_opts o = { .dir = fx->ca, .trust_domain = TD };
	char err[KZT_CA_ERR_MAX], ls[256], path[256];
	X509 *before, *after;
	FILE *f;

	assert_int_equal(kzt_ca_init(&o, err, sizeof(err)), EEXIST);
	snprintf(path, sizeof(path), "%s/ca.crt exists: use --force to replace it",
		 fx->ca);
	assert_string_equal(err, path);

	assert_int_equal(issue(fx, fx->ca, WEB, NULL, 0, false, err), 0);
	before = read_cert(fx->out, "default.web.crt");
	assert_int_equal(issue(fx, fx->ca, WEB, NULL, 0, false, err), EEXIST);
	after = read_cert(fx->out, "default.web.crt");
	assert_int_equal(X509_cmp(before, after), 0);
	X509_free(after);

	/* Only the key in the way: the certificate is not written either. */
	snprintf(path, sizeof(path), "%s/data.db.key", fx->out);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(issue(fx, fx->ca, "spiffe://" TD "/ns/data/sa/db", NULL,
			       0, false, err), EEXIST);
	listing(fx->out, ls, sizeof(ls));
	assert_string_equal(ls, "bundle.pem data.db.key default.web.crt default.web.key");

	/* --force replaces: a new serial */
	assert_int_equal(issue(fx, fx->ca, WEB, NULL, 0, true, err), 0);
	after = read_cert(fx->out, "default.web.crt");
	assert_int_not_equal(X509_cmp(before, after), 0);
	X509_free(after);
	X509_free(before);
	listing(fx->out, ls, sizeof(ls));
	assert_string_equal(ls, "bundle.pem data.db.key default.web.crt default.web.key");

	o.force = true;
	assert_int_equal(kzt_ca_init(&o, err, sizeof(err)), 0);
	assert_int_equal(file_mode(fx->ca, KZT_CA_KEY), 0600);
}

static void test_bad_ca(void **state)
{
	struct fixture *fx = *state;
	struct kzt_ca_init_opts o = { .dir = fx->ca2, .trust_domain = TD };
	char err[KZT_CA_ERR_MAX], cmd[512], want[256];

	assert_int_equal(issue(fx, "/nonexistent", WEB, NULL, 0, false, err), ENOENT);
	assert_string_equal(err, "/nonexistent/ca.crt: No such file or directory");

	/* ca.key of another CA */
	assert_int_equal(kzt_ca_init(&o, err, sizeof(err)), 0);
	snprintf(cmd, sizeof(cmd), "cp '%s/ca.key' '%s/ca.key'", fx->ca2, fx->ca);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(issue(fx, fx->ca, WEB, NULL, 0, false, err), EINVAL);
	snprintf(want, sizeof(want), "%s/ca.key is not the key of %s/ca.crt",
		 fx->ca, fx->ca);
	assert_string_equal(err, want);

	/* a leaf is no CA */
	assert_int_equal(issue(fx, fx->ca2, WEB, NULL, 0, false, err), 0);
	snprintf(cmd, sizeof(cmd), "cp '%s/default.web.crt' '%s/ca.crt'", fx->out,
		 fx->ca2);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(issue(fx, fx->ca2, WEB, "x", 0, false, err), EINVAL);
	assert_non_null(strstr(err, "is not a CA certificate"));

	o.trust_domain = "Bad.Domain";
	o.dir = fx->out;
	assert_int_equal(kzt_ca_init(&o, err, sizeof(err)), EINVAL);
	assert_string_equal(err, "invalid trust domain 'Bad.Domain': trust domain must be lower case");
}

static void test_show_garbage(void **state)
{
	struct fixture *fx = *state;
	struct kzt_cert_infos info;
	char err[KZT_CA_ERR_MAX], path[256];

	snprintf(path, sizeof(path), "%s/ca.key", fx->ca);
	assert_int_equal(kzt_cert_file_info(path, &info, err, sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "no PEM certificate could be read"));
	assert_null(strstr(err, "PRIVATE"));	/* nothing of the key */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_issue_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_ca_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_overwrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ca, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_garbage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
