// SPDX-License-Identifier: GPL-2.0
/*
 * kTLS on tunnel sockets: TLS 1.3 traffic keys from the handshake daemon
 * become TLS_TX and TLS_RX of the kernel TCP socket, in the kernel, with
 * the key copies wiped on every path. One table describes how each cipher
 * lays its struct tls12_crypto_info_* out.
 *
 * The setsockopt entry point is sock_common_setsockopt(): it reaches
 * tcp_setsockopt() (TCP_ULP) and, once the ULP is in place, tls_setsockopt()
 * (SOL_TLS). Not do_sock_setsockopt(): its cgroup-BPF setsockopt hook would
 * show the key to a BPF program of the calling daemon's cgroup, and its LSM
 * hook would judge a kernel-internal step by that daemon's label. Never
 * sock_setsockopt(): it only knows SOL_SOCKET and ignores the level.
 */
#include <linux/errno.h>
#include <linux/net.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <kunit/visibility.h>

#include "ktls.h"

struct kzt_tls_cipher {
	u16 cipher;		/* TLS_CIPHER_* */
	u8 key_len;
	u8 salt_len;		/* leading bytes of the 12-byte IV */
	u8 iv_len;		/* the rest */
	u16 size;		/* of its struct tls12_crypto_info_* */
	u16 key_off;
	u16 salt_off;
	u16 iv_off;
	u16 seq_off;
};

#define KZT_TLS_CIPHER(id, type, size_prefix) {				\
	.cipher = id,							\
	.key_len = size_prefix##_KEY_SIZE,				\
	.salt_len = size_prefix##_SALT_SIZE,				\
	.iv_len = size_prefix##_IV_SIZE,				\
	.size = sizeof(struct type),					\
	.key_off = offsetof(struct type, key),				\
	.salt_off = offsetof(struct type, salt),			\
	.iv_off = offsetof(struct type, iv),				\
	.seq_off = offsetof(struct type, rec_seq),			\
}

static const struct kzt_tls_cipher kzt_tls_ciphers[] = {
	KZT_TLS_CIPHER(TLS_CIPHER_AES_GCM_128, tls12_crypto_info_aes_gcm_128,
		       TLS_CIPHER_AES_GCM_128),
	KZT_TLS_CIPHER(TLS_CIPHER_AES_GCM_256, tls12_crypto_info_aes_gcm_256,
		       TLS_CIPHER_AES_GCM_256),
	KZT_TLS_CIPHER(TLS_CIPHER_CHACHA20_POLY1305,
		       tls12_crypto_info_chacha20_poly1305,
		       TLS_CIPHER_CHACHA20_POLY1305),
};

/* TLS 1.3 uses one 12-byte per-record nonce base for every cipher here. */
static_assert(TLS_CIPHER_AES_GCM_128_SALT_SIZE + TLS_CIPHER_AES_GCM_128_IV_SIZE ==
	      KZT_TLS13_IV_LEN);
static_assert(TLS_CIPHER_AES_GCM_256_SALT_SIZE + TLS_CIPHER_AES_GCM_256_IV_SIZE ==
	      KZT_TLS13_IV_LEN);
static_assert(TLS_CIPHER_CHACHA20_POLY1305_SALT_SIZE +
	      TLS_CIPHER_CHACHA20_POLY1305_IV_SIZE == KZT_TLS13_IV_LEN);

static const struct kzt_tls_cipher *kzt_tls_cipher_find(u16 cipher)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(kzt_tls_ciphers); i++)
		if (kzt_tls_ciphers[i].cipher == cipher)
			return &kzt_tls_ciphers[i];
	return NULL;
}

/**
 * kzt_ktls_key_len() - key length of a cipher kzt can install
 * @cipher: TLS_CIPHER_*
 *
 * Return: bytes, or -EINVAL for a cipher kzt does not install.
 */
int kzt_ktls_key_len(u16 cipher)
{
	const struct kzt_tls_cipher *c = kzt_tls_cipher_find(cipher);

	return c ? c->key_len : -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_ktls_key_len);

/**
 * kzt_ktls_crypto_info() - lay one direction out as kTLS wants it
 * @cipher: TLS_CIPHER_*
 * @dir: key, 12-byte IV and next sequence number
 * @ci: result; holds key material: memzero_explicit() it after use
 *
 * The IV's first salt_len bytes go to ->salt, the rest to ->iv; the
 * sequence number to ->rec_seq, big-endian.
 *
 * Return: the size to pass to setsockopt, or -EINVAL for an unknown cipher.
 */
int kzt_ktls_crypto_info(u16 cipher, const struct kzt_tls_dir *dir,
			 union kzt_tls_crypto_info *ci)
{
	const struct kzt_tls_cipher *c = kzt_tls_cipher_find(cipher);
	u8 *p = (u8 *)ci;

	if (!c)
		return -EINVAL;
	memset(ci, 0, sizeof(*ci));
	ci->info.version = TLS_1_3_VERSION;
	ci->info.cipher_type = cipher;
	memcpy(p + c->key_off, dir->key, c->key_len);
	memcpy(p + c->salt_off, dir->iv, c->salt_len);
	memcpy(p + c->iv_off, dir->iv + c->salt_len, c->iv_len);
	put_unaligned_be64(dir->seq, p + c->seq_off);
	return c->size;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_ktls_crypto_info);

static const char *kzt_ktls_ulp_why(int err)
{
	switch (err) {
	case -ENOENT:
		return "kernel TLS is not available: load the tls module";
	case -ENOTCONN:
		return "tunnel socket is not connected (kTLS needs ESTABLISHED)";
	case -EEXIST:
		return "tunnel socket has an upper-layer protocol already";
	case -ENOMEM:
		return "out of memory enabling kTLS";
	default:
		return "enabling kTLS (TCP_ULP \"tls\") failed";
	}
}

static const char *kzt_ktls_key_why(int err)
{
	switch (err) {
	case -EBUSY:
	case -EEXIST:
		return "kTLS keys are installed on this socket already";
	case -ENOENT:
	case -ENOPKG:
	case -EOPNOTSUPP:
		return "the kernel has no crypto implementation for the cipher";
	case -ENOMEM:
		return "out of memory installing the kTLS keys";
	case -EINVAL:
		return "kTLS refused the keys";
	default:
		return "installing the kTLS keys failed";
	}
}

static int kzt_ktls_set_dir(struct socket *sock, int optname, u16 cipher,
			    const struct kzt_tls_dir *dir)
{
	union kzt_tls_crypto_info ci;
	int len, err;

	len = kzt_ktls_crypto_info(cipher, dir, &ci);
	if (len < 0)
		err = len;
	else
		err = sock_common_setsockopt(sock, SOL_TLS, optname,
					     KERNEL_SOCKPTR(&ci), len);
	memzero_explicit(&ci, sizeof(ci));
	return err;
}

/**
 * kzt_ktls_install() - switch a connected TCP socket to kTLS, TLS 1.3
 * @sock: kernel TCP socket, ESTABLISHED, no ULP yet, nobody reading it
 * @cipher: TLS_CIPHER_AES_GCM_128, _AES_GCM_256 or _CHACHA20_POLY1305
 * @tx: keys of the write direction
 * @rx: keys of the read direction
 * @why: on error, set to a sentence saying what failed
 *
 * TCP_ULP "tls" first, then TLS_TX, then TLS_RX (kTLS refuses another
 * order). The copies made here are wiped on every path; the caller wipes
 * its own. Process context. On error the socket may be left with only part
 * of kTLS enabled: it is no longer usable and must be closed.
 *
 * Return: 0 or a negative errno.
 */
int kzt_ktls_install(struct socket *sock, u16 cipher,
		     const struct kzt_tls_dir *tx, const struct kzt_tls_dir *rx,
		     const char **why)
{
	struct sock *sk = sock->sk;
	int err;

	if (!kzt_tls_cipher_find(cipher)) {
		*why = "cipher not supported: AES-128-GCM, AES-256-GCM or CHACHA20-POLY1305";
		return -EINVAL;
	}
	if (!sk || sk->sk_type != SOCK_STREAM || sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		*why = "not a TCP socket";
		return -EINVAL;
	}

	err = sock_common_setsockopt(sock, SOL_TCP, TCP_ULP,
				     KERNEL_SOCKPTR("tls"), sizeof("tls") - 1);
	if (err) {
		*why = kzt_ktls_ulp_why(err);
		return err;
	}
	err = kzt_ktls_set_dir(sock, TLS_TX, cipher, tx);
	if (err) {
		*why = kzt_ktls_key_why(err);
		return err;
	}
	err = kzt_ktls_set_dir(sock, TLS_RX, cipher, rx);
	if (err) {
		*why = kzt_ktls_key_why(err);
		return err;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_ktls_install);
