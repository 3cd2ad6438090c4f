// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 traffic keys from traffic secrets, for the kernel's TLS.
 *
 * OpenSSL 3.0 keeps the traffic keys to itself; what it does hand out (to a
 * key log callback) are the traffic secrets. From a secret, RFC 8446 7.3
 * gives the record protection key and IV:
 *
 *   key = HKDF-Expand-Label(secret, "key", "", key_length)
 *   iv  = HKDF-Expand-Label(secret, "iv",  "", 12)
 *
 * with HKDF-Expand-Label (7.1) = HKDF-Expand(secret, HkdfLabel, length) and
 * HkdfLabel = uint16 length || uint8 len || "tls13 " label || uint8 0
 * (an empty context). The hash is the suite's. Nothing else differs between
 * the suites, so one table row per suite is the whole difference.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/tls.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "tls13.h"

const struct kzt_tls_cipher kzt_tls_ciphers[] = {
	{ "TLS_AES_128_GCM_SHA256", "aes128", 0x1301, TLS_CIPHER_AES_GCM_128,
	  "SHA256", "AES-128-GCM", 16, 32 },
	{ "TLS_AES_256_GCM_SHA384", "aes256", 0x1302, TLS_CIPHER_AES_GCM_256,
	  "SHA384", "AES-256-GCM", 32, 48 },
	{ "TLS_CHACHA20_POLY1305_SHA256", "chacha20", 0x1303,
	  TLS_CIPHER_CHACHA20_POLY1305, "SHA256", "ChaCha20-Poly1305", 32, 32 },
};

const size_t kzt_tls_n_ciphers = sizeof(kzt_tls_ciphers) / sizeof(kzt_tls_ciphers[0]);

/**
 * kzt_tls_cipher_by_name() - a kzt/1 suite by its RFC name or short name
 * @name: "TLS_AES_128_GCM_SHA256" or "aes128"
 *
 * @retval the table row
 * @retval NULL not a suite kzt/1 uses
 */
const struct kzt_tls_cipher *kzt_tls_cipher_by_name(const char *name)
{
	for (size_t i = 0; i < kzt_tls_n_ciphers; i++)
		if (!strcmp(name, kzt_tls_ciphers[i].name) ||
		    !strcmp(name, kzt_tls_ciphers[i].short_name))
			return &kzt_tls_ciphers[i];
	return NULL;
}

/**
 * kzt_tls_cipher_by_iana() - a kzt/1 suite by its wire number
 * @iana: e.g. 0x1301
 *
 * @retval the table row
 * @retval NULL not a suite kzt/1 uses
 */
const struct kzt_tls_cipher *kzt_tls_cipher_by_iana(uint16_t iana)
{
	for (size_t i = 0; i < kzt_tls_n_ciphers; i++)
		if (kzt_tls_ciphers[i].iana == iana)
			return &kzt_tls_ciphers[i];
	return NULL;
}

/**
 * kzt_tls_ciphersuites_check() - check a ':'-separated list of suites
 * @list: e.g. "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"
 * @why:  on error, the reason
 * @len:  size of @why
 *
 * Only the three suites of kzt/1, each at most once, at least one: the
 * list restricts or reorders them (to force one suite in a test or a
 * benchmark), it cannot add one that kTLS would not carry.
 *
 * @retval 0      valid
 * @retval EINVAL not valid; @why says which entry and why
 */
int kzt_tls_ciphersuites_check(const char *list, char *why, size_t len)
{
	bool seen[sizeof(kzt_tls_ciphers) / sizeof(kzt_tls_ciphers[0])] = { 0 };
	const char *p = list;
	char name[64];

	if (!*list) {
		snprintf(why, len, "empty list");
		return EINVAL;
	}
	while (*p) {
		const struct kzt_tls_cipher *c;
		size_t n = strcspn(p, ":");

		if (!n || n >= sizeof(name)) {
			snprintf(why, len, "empty or overlong entry in '%s'", list);
			return EINVAL;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		c = kzt_tls_cipher_by_name(name);
		if (!c || strcmp(c->name, name)) {
			snprintf(why, len,
				 "unknown suite '%s' (expected TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 or TLS_CHACHA20_POLY1305_SHA256)",
				 name);
			return EINVAL;
		}
		if (seen[c - kzt_tls_ciphers]) {
			snprintf(why, len, "%s is listed twice", name);
			return EINVAL;
		}
		seen[c - kzt_tls_ciphers] = true;
		p += n;
		if (*p == ':' && !*++p) {
			snprintf(why, len, "trailing ':' in '%s'", list);
			return EINVAL;
		}
	}
	return 0;
}

/**
 * kzt_tls13_expand_label() - HKDF-Expand-Label with an empty context
 * @digest:     hash name, "SHA256" or "SHA384"
 * @secret:     the PRK (a traffic secret)
 * @secret_len: its length
 * @label:      without the "tls13 " prefix, at most 249 bytes
 * @out:        the output
 * @out_len:    bytes wanted, at most 255 * hash length
 *
 * @retval 0      @out is filled
 * @retval EINVAL a length out of range or an unknown digest
 * @retval EIO    OpenSSL failed
 */
int kzt_tls13_expand_label(const char *digest, const uint8_t *secret,
			   size_t secret_len, const char *label,
			   uint8_t *out, size_t out_len)
{
	static const char prefix[] = "tls13 ";
	size_t label_len = strlen(label);
	uint8_t info[2 + 1 + 255 + 1];
	OSSL_PARAM params[5], *p = params;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	size_t info_len = 0;
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	int ret = 0;

	if (sizeof(prefix) - 1 + label_len > 255 || out_len > 0xffff ||
	    !secret_len)
		return EINVAL;

	/* HkdfLabel, with an empty context. */
	info[info_len++] = out_len >> 8;
	info[info_len++] = out_len & 0xff;
	info[info_len++] = sizeof(prefix) - 1 + label_len;
	memcpy(info + info_len, prefix, sizeof(prefix) - 1);
	info_len += sizeof(prefix) - 1;
	memcpy(info + info_len, label, label_len);
	info_len += label_len;
	info[info_len++] = 0;

	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	if (!kdf)
		return EIO;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!kctx)
		return EIO;

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)digest, 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)secret, secret_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						 info, info_len);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, out_len, params) <= 0)
		ret = EVP_MD_get_size(EVP_get_digestbyname(digest)) > 0 ? EIO : EINVAL;
	EVP_KDF_CTX_free(kctx);
	return ret;
}

/**
 * kzt_tls13_traffic() - key and IV of one direction from its secret
 * @c:          the negotiated suite
 * @secret:     the direction's traffic secret (e.g. CLIENT_TRAFFIC_SECRET_0)
 * @secret_len: must be @c's hash length
 * @t:          key, IV filled; seq set to 0 (the caller adds records it
 *              knows were exchanged with these keys)
 *
 * @retval 0      done
 * @retval EINVAL @secret_len does not fit @c
 * @retval EIO    OpenSSL failed; @t is wiped
 */
int kzt_tls13_traffic(const struct kzt_tls_cipher *c, const uint8_t *secret,
		      size_t secret_len, struct kzt_tls_traffic *t)
{
	int ret;

	if (secret_len != c->secret_len)
		return EINVAL;
	OPENSSL_cleanse(t, sizeof(*t));
	ret = kzt_tls13_expand_label(c->digest, secret, secret_len, "key",
				     t->key, c->key_len);
	if (!ret)
		ret = kzt_tls13_expand_label(c->digest, secret, secret_len,
					     "iv", t->iv, sizeof(t->iv));
	if (ret)
		OPENSSL_cleanse(t, sizeof(*t));
	return ret;
}

/* Wipe both directions' keys and IVs. */
void kzt_tls_keys_cleanse(struct kzt_tls_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}
