/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Installing TLS 1.3 keys on a connected kernel TCP socket with kTLS.
 */
#ifndef _KZT_KTLS_H
#define _KZT_KTLS_H

#include <linux/tls.h>
#include <linux/types.h>

struct socket;

/* The TLS 1.3 per-direction IV (RFC 8446 7.3), split by kTLS as it likes. */
#define KZT_TLS13_IV_LEN	12

/* One direction's traffic secret as kTLS needs it. */
struct kzt_tls_dir {
	const u8 *key;		/* kzt_ktls_key_len() bytes */
	const u8 *iv;		/* KZT_TLS13_IV_LEN bytes */
	u64 seq;		/* next record sequence number */
};

/* Room for the crypto_info of any cipher kzt installs. */
union kzt_tls_crypto_info {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 aes_gcm_128;
	struct tls12_crypto_info_aes_gcm_256 aes_gcm_256;
	struct tls12_crypto_info_chacha20_poly1305 chacha20_poly1305;
};

int kzt_ktls_key_len(u16 cipher);
int kzt_ktls_crypto_info(u16 cipher, const struct kzt_tls_dir *dir,
			 union kzt_tls_crypto_info *ci);
int kzt_ktls_install(struct socket *sock, u16 cipher,
		     const struct kzt_tls_dir *tx, const struct kzt_tls_dir *rx,
		     const char **why);

#endif /* _KZT_KTLS_H */
