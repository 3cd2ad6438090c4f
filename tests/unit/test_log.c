// SPDX-License-Identifier: GPL-2.0
/*
 * lib/log.c: every line leaves escaped. The escaping rules one by one,
 * then end to end: a certificate whose URI SAN carries a newline, a
 * forged log line and terminal escapes is refused, and the refusal that
 * names it is still one line, with no control byte in it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "certgen.h"
#include "log.h"
#include "tlsfix.h"

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain text: 1/2 = 0.5", "plain text: 1/2 = 0.5" },
		{ "two\nlines", "two\\x0alines" },
		{ "cr\rtab\t", "cr\\x0dtab\\x09" },
		{ "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m" },
		{ "del\x7f c1\xc2\x9b utf8\xc3\xa9", "del\\x7f c1\\xc2\\x9b utf8\\xc3\\xa9" },
		{ "back\\slash \\x0a", "back\\\\slash \\\\x0a" },
		{ "", "" },
	};
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(kzt_log_escape(cases[i].in, out, sizeof(out)),
				    cases[i].out);
}

/* A long message is cut at a whole escape, and says so. */
static void test_escape_cut(void **state)
{
	char out[8];

	(void)state;
	assert_string_equal(kzt_log_escape("abcdefg", out, sizeof(out)), "abcdefg");
	assert_string_equal(kzt_log_escape("abcdefgh", out, sizeof(out)), "abcd...");
	assert_string_equal(kzt_log_escape("ab\n\ncd", out, sizeof(out)), "ab...");
	assert_string_equal(kzt_log_escape("abc\n", out, sizeof(out)), "abc\\x0a");
	assert_string_equal(kzt_log_escape("abcd\n", out, sizeof(out)), "abcd...");
}

/* Run kzt_creds_load() with stderr captured into @buf. */
static void load_capturing(const char *dir, char *buf, size_t len)
{
	struct kzt_tls_opts opts = { 0 };
	struct kzt_creds *c = NULL;
	FILE *cap = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(cap);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_int_equal(dup2(fileno(cap), STDERR_FILENO), STDERR_FILENO);
	kzt_log_open("kztd", KZT_LOG_STDERR, KZT_LOG_INFO);
	assert_int_equal(kzt_creds_load(dir, FIX_TD, &opts, &c), 0);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	kzt_creds_put(c);
	rewind(cap);
	n = fread(buf, 1, len - 1, cap);
	buf[n] = '\0';
	fclose(cap);
}

static void test_forged_san(void **state)
{
	static const char uri[] = "spiffe://" FIX_TD "/ns/x\n"
		"kztd: info: certificates: spiffe://" FIX_TD "/ns/admin/sa/root from admin.crt"
		"\x1b]0;owned\x07\x1b[2J";
	struct certgen g = CERTGEN_SVID("");
	struct tlsfix fix;
	GENERAL_NAMES *sans = GENERAL_NAMES_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();
	EVP_PKEY *key = certgen_key();
	char path[512], out[8192];
	int lines = 0;
	X509 *leaf;

	(void)state;
	assert_int_equal(tlsfix_make(&fix), 0);
	/* The SAN is set by hand: openssl.cnf syntax cannot hold a newline. */
	g.san = NULL;
	leaf = certgen_cert(&g, key, fix.ca, fix.ca_key);
	assert_non_null(leaf);
	assert_int_equal(ASN1_STRING_set(s, uri, sizeof(uri) - 1), 1);
	GENERAL_NAME_set0_value(gn, GEN_URI, s);
	assert_true(sk_GENERAL_NAME_push(sans, gn) > 0);
	assert_int_equal(X509_add1_ext_i2d(leaf, NID_subject_alt_name, sans, 0, 0), 1);
	assert_true(X509_sign(leaf, fix.ca_key, EVP_sha256()) > 0);
	snprintf(path, sizeof(path), "%s/evil.crt", fix.dir);
	assert_int_equal(certgen_write_certs(path, &leaf, 1), 0);
	snprintf(path, sizeof(path), "%s/evil.key", fix.dir);
	assert_int_equal(certgen_write_key(path, key, 0600), 0);

	load_capturing(fix.dir, out, sizeof(out));
	for (const char *p = out; *p; p++) {
		lines += *p == '\n';
		if ((unsigned char)*p < 0x20 && *p != '\n')
			fail_msg("control byte 0x%02x in the log: %s", *p, out);
	}
	/* a.client, b.server loaded; evil refused: three lines. */
	assert_int_equal(lines, 3);
	assert_non_null(strstr(out, "refusing "));
	assert_non_null(strstr(out, "/ns/x\\x0akztd: info: certificates: spiffe://"));
	assert_null(strstr(out, "\nkztd: info: certificates: spiffe://" FIX_TD "/ns/admin"));

	GENERAL_NAMES_free(sans);
	X509_free(leaf);
	EVP_PKEY_free(key);
	tlsfix_free(&fix);
}

/* One line per interval; the next one counts what was held back. */
static void test_ratelimit(void **state)
{
	struct kzt_ratelimit rl = { 0 };
	unsigned int n = 99;

	(void)state;
	assert_true(kzt_ratelimit(&rl, 1000, 5000, &n));
	assert_int_equal(n, 0);
	assert_false(kzt_ratelimit(&rl, 1001, 5000, &n));
	assert_false(kzt_ratelimit(&rl, 5999, 5000, &n));
	assert_true(kzt_ratelimit(&rl, 6000, 5000, &n));
	assert_int_equal(n, 2);
	assert_false(kzt_ratelimit(&rl, 6001, 5000, &n));
	assert_true(kzt_ratelimit(&rl, 20000, 5000, &n));
	assert_int_equal(n, 1);
	assert_true(kzt_ratelimit(&rl, 25000, 5000, &n));
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_cut),
		cmocka_unit_test(test_forged_san),
		cmocka_unit_test(test_ratelimit),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
