/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS 1.3 traffic keys for kTLS: the three cipher suites of kzt/1, one
 * table row each, and the key schedule step OpenSSL 3.0 does not export:
 * key and IV from a traffic secret (RFC 8446 7.1 HKDF-Expand-Label, 7.3).
 */
#ifndef KZT_TLS13_H
#define KZT_TLS13_H

#include <stddef.h>
#include <stdint.h>

#define KZT_TLS_KEY_MAX		32
#define KZT_TLS_IV_LEN		12	/* every TLS 1.3 AEAD of kzt/1 */
#define KZT_TLS_SECRET_MAX	48	/* SHA-384 */
#define KZT_TLS_TAG_LEN		16

/* The default order of kzt/1 (Documentation/protocol.rst). */
#define KZT_TLS_CIPHERSUITES \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

struct kzt_tls_cipher {
	const char *name;	/* RFC 8446 name, as OpenSSL spells it */
	const char *short_name;	/* aes128, aes256, chacha20: CLI and logs */
	uint16_t iana;		/* 0x1301... on the wire */
	uint16_t kernel;	/* TLS_CIPHER_* of <linux/tls.h> */
	const char *digest;	/* hash of HKDF */
	const char *aead;	/* EVP cipher name */
	size_t key_len;
	size_t secret_len;	/* the digest's size */
};

/* One direction: what TLS_TX or TLS_RX needs. */
struct kzt_tls_traffic {
	uint8_t key[KZT_TLS_KEY_MAX];
	uint8_t iv[KZT_TLS_IV_LEN];
	uint64_t seq;		/* next record sequence number */
};

struct kzt_tls_keys {
	const struct kzt_tls_cipher *cipher;
	struct kzt_tls_traffic tx, rx;
};

extern const struct kzt_tls_cipher kzt_tls_ciphers[];
extern const size_t kzt_tls_n_ciphers;

const struct kzt_tls_cipher *kzt_tls_cipher_by_name(const char *name);
const struct kzt_tls_cipher *kzt_tls_cipher_by_iana(uint16_t iana);
int kzt_tls_ciphersuites_check(const char *list, char *why, size_t len);

int kzt_tls13_expand_label(const char *digest, const uint8_t *secret,
			   size_t secret_len, const char *label,
			   uint8_t *out, size_t out_len);
int kzt_tls13_traffic(const struct kzt_tls_cipher *c, const uint8_t *secret,
		      size_t secret_len, struct kzt_tls_traffic *t);
void kzt_tls_keys_cleanse(struct kzt_tls_keys *k);

#endif /* KZT_TLS13_H */
