// SPDX-License-Identifier: GPL-2.0
/*
 * lib/tls13.c: the traffic key derivation against RFC 8448's published
 * values, and against OpenSSL's own TLS 1.3 KDF (a second, independent
 * implementation) for every suite; the suite table; the ciphersuites
 * option's checks.
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

#include <linux/tls.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "tls13.h"

static void unhex(const char *s, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		assert_int_equal(sscanf(s + 2 * i, "%2hhx", &out[i]), 1);
}

/* RFC 8448 section 3, "Simple 1-RTT Handshake": server application keys. */
static void test_rfc8448(void **state)
{
	const struct kzt_tls_cipher *c = kzt_tls_cipher_by_name("TLS_AES_128_GCM_SHA256");
	struct kzt_tls_traffic t;
	uint8_t secret[32], key[16], iv[12];

	(void)state;
	unhex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
	      secret, sizeof(secret));
	unhex("9f02283b6c9c07efc26bb9f2ac92e356", key, sizeof(key));
	unhex("cf782b88dd83549aadf1e984", iv, sizeof(iv));
	assert_non_null(c);
	assert_int_equal(kzt_tls13_traffic(c, secret, sizeof(secret), &t), 0);
	assert_memory_equal(t.key, key, sizeof(key));
	assert_memory_equal(t.iv, iv, sizeof(iv));
	assert_int_equal(t.seq, 0);
	/* A secret of the wrong hash length is refused, not truncated. */
	assert_int_equal(kzt_tls13_traffic(c, secret, 31, &t), EINVAL);
}

/* OpenSSL's "TLS13-KDF" in expand-only mode: HKDF-Expand-Label itself. */
static void tls13_kdf(const char *digest, const uint8_t *secret, size_t len,
		      const char *label, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
	EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, len),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_PREFIX, "tls13 ", 6),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label,
					strlen(label)),
		OSSL_PARAM_END,
	};

	assert_non_null(kctx);
	assert_int_equal(EVP_KDF_derive(kctx, out, out_len, params), 1);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
}

static void test_against_openssl_kdf(void **state)
{
	(void)state;
	for (size_t i = 0; i < kzt_tls_n_ciphers; i++) {
		const struct kzt_tls_cipher *c = &kzt_tls_ciphers[i];
		uint8_t secret[KZT_TLS_SECRET_MAX], key[KZT_TLS_KEY_MAX], iv[12];
		struct kzt_tls_traffic t;

		for (int round = 0; round < 16; round++) {
			assert_int_equal(RAND_bytes(secret, c->secret_len), 1);
			assert_int_equal(kzt_tls13_traffic(c, secret,
							   c->secret_len, &t), 0);
			tls13_kdf(c->digest, secret, c->secret_len, "key", key,
				  c->key_len);
			tls13_kdf(c->digest, secret, c->secret_len, "iv", iv, 12);
			assert_memory_equal(t.key, key, c->key_len);
			assert_memory_equal(t.iv, iv, sizeof(iv));
		}
	}
}

static void test_table(void **state)
{
	static const struct {
		const char *name;
		uint16_t iana, kernel;
		size_t key_len, secret_len;
	} want[] = {
		{ "TLS_AES_128_GCM_SHA256", 0x1301, TLS_CIPHER_AES_GCM_128,
		  TLS_CIPHER_AES_GCM_128_KEY_SIZE, 32 },
		{ "TLS_AES_256_GCM_SHA384", 0x1302, TLS_CIPHER_AES_GCM_256,
		  TLS_CIPHER_AES_GCM_256_KEY_SIZE, 48 },
		{ "TLS_CHACHA20_POLY1305_SHA256", 0x1303,
		  TLS_CIPHER_CHACHA20_POLY1305,
		  TLS_CIPHER_CHACHA20_POLY1305_KEY_SIZE, 32 },
	};

	(void)state;
	assert_int_equal(kzt_tls_n_ciphers, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct kzt_tls_cipher *c = kzt_tls_cipher_by_iana(want[i].iana);

		assert_non_null(c);
		assert_ptr_equal(c, kzt_tls_cipher_by_name(want[i].name));
		assert_ptr_equal(c, kzt_tls_cipher_by_name(c->short_name));
		assert_int_equal(c->kernel, want[i].kernel);
		assert_int_equal(c->key_len, want[i].key_len);
		assert_int_equal(c->secret_len, want[i].secret_len);
		assert_int_equal(EVP_MD_get_size(EVP_get_digestbyname(c->digest)),
				 (int)c->secret_len);
	}
	assert_null(kzt_tls_cipher_by_iana(0x1304));	/* AES-CCM: no */
	assert_null(kzt_tls_cipher_by_name("TLS_AES_128_CCM_SHA256"));
}

static void test_ciphersuites(void **state)
{
	static const char *const good[] = {
		KZT_TLS_CIPHERSUITES,
		"TLS_CHACHA20_POLY1305_SHA256",
		"TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256",
	};
	static const struct {
		const char *list, *msg;
	} bad[] = {
		{ "", "empty list" },
		{ "aes128", "unknown suite 'aes128'" },
		{ "TLS_AES_128_CCM_SHA256", "unknown suite" },
		{ "TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256", "listed twice" },
		{ "TLS_AES_128_GCM_SHA256:", "trailing ':'" },
		{ ":TLS_AES_128_GCM_SHA256", "empty or overlong" },
		{ "TLS_AES_128_GCM_SHA256::TLS_AES_256_GCM_SHA384", "empty or overlong" },
		{ "ECDHE-ECDSA-AES128-GCM-SHA256", "unknown suite" },
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(kzt_tls_ciphersuites_check(good[i], why,
							    sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(kzt_tls_ciphersuites_check(bad[i].list, why,
							    sizeof(why)), EINVAL);
		if (!strstr(why, bad[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].list,
				 why, bad[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8448),
		cmocka_unit_test(test_against_openssl_kdf),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_ciphersuites),
	};

	return cmocka_run_group_tests_name("tls13", tests, NULL, NULL);
}
