// SPDX-License-Identifier: GPL-2.0
/*
 * lib/tlsconn.c against reality: two engine instances (client and server,
 * the options kztd uses) handshake over a socketpair; then OpenSSL itself
 * sends application data with the session it negotiated, and this test
 * decrypts the raw record bytes with the keys, IVs and sequence numbers the
 * engine derived, with EVP's AEAD: for each of the three suites. If a
 * derived key were wrong, authentication of the record would fail. Then
 * the refusals: wrong server identity, untrusted client, unknown server
 * name, no ALPN.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "certgen.h"
#include "tlsfix.h"

static struct tlsfix fix;

struct pair {
	int fd[2];			/* client, server */
	struct kzt_creds *creds;
	struct kzt_tls_conn *cl, *sv;
	int cret, sret;
};

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

static struct kzt_creds *load(const char *dir, const char *suites)
{
	struct kzt_tls_opts opts = { .ciphersuites = suites };
	struct kzt_creds *c = NULL;

	assert_int_equal(kzt_creds_load(dir, FIX_TD, &opts, &c), 0);
	return c;
}

/* A client for @peer_id at @sni, a server: both prepared, not started. */
static void pair_open(struct pair *p, struct kzt_creds *cc,
		      struct kzt_creds *sc, const char *peer_id,
		      const char *sni)
{
	struct kzt_tls_conn_params cp = {
		.role = KZT_HS_ROLE_CLIENT, .local_id = FIX_CLIENT_ID,
		.peer_id = peer_id, .server_name = sni,
	};
	struct kzt_tls_conn_params sp = {
		.role = KZT_HS_ROLE_SERVER, .sni = tlsfix_sni,
	};
	char why[KZT_SVID_WHY_MAX];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
				    p->fd), 0);
	cp.fd = p->fd[0];
	sp.fd = p->fd[1];
	assert_int_equal(kzt_tls_conn_new(cc, &cp, &p->cl, why, sizeof(why)), 0);
	assert_int_equal(kzt_tls_conn_new(sc, &sp, &p->sv, why, sizeof(why)), 0);
}

static void pair_close(struct pair *p)
{
	kzt_tls_conn_free(p->cl);
	kzt_tls_conn_free(p->sv);
	close(p->fd[0]);
	close(p->fd[1]);
}

/* Read one whole TLS record off the socket, as kTLS would. */
static size_t read_record(int fd, uint8_t *buf, size_t cap)
{
	size_t len;

	assert_int_equal(recv(fd, buf, 5, MSG_WAITALL), 5);
	len = (size_t)buf[3] << 8 | buf[4];
	assert_true(5 + len <= cap);
	assert_int_equal(recv(fd, buf + 5, len, MSG_WAITALL), (ssize_t)len);
	return 5 + len;
}

/*
 * RFC 8446 5.2/5.3: nonce = iv XOR seq (left-padded), AAD = the record
 * header, and the inner plaintext ends with the real content type.
 */
static size_t decrypt(const struct kzt_tls_cipher *c,
		      const struct kzt_tls_traffic *t, uint64_t seq,
		      const uint8_t *rec, size_t rec_len, uint8_t *out)
{
	EVP_CIPHER *aead = EVP_CIPHER_fetch(NULL, c->aead, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t ct_len = rec_len - 5 - KZT_TLS_TAG_LEN;
	uint8_t nonce[KZT_TLS_IV_LEN];
	int n, fin;

	assert_non_null(aead);
	assert_int_equal(rec[0], 23);		/* application_data */
	assert_int_equal(rec[1] << 8 | rec[2], 0x0303);
	memcpy(nonce, t->iv, sizeof(nonce));
	for (int i = 0; i < 8; i++)
		nonce[KZT_TLS_IV_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));

	assert_int_equal(EVP_DecryptInit_ex2(ctx, aead, t->key, nonce, NULL), 1);
	assert_int_equal(EVP_DecryptUpdate(ctx, NULL, &n, rec, 5), 1);
	assert_int_equal(EVP_DecryptUpdate(ctx, out, &n, rec + 5, (int)ct_len), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
					     KZT_TLS_TAG_LEN,
					     (void *)(rec + 5 + ct_len)), 1);
	fin = EVP_DecryptFinal_ex(ctx, out + n, &n);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(aead);
	if (fin != 1)
		fail_msg("record seq %llu does not authenticate with the derived key",
			 (unsigned long long)seq);
	while (ct_len && !out[ct_len - 1])
		ct_len--;			/* padding */
	assert_true(ct_len > 0);
	assert_int_equal(out[ct_len - 1], 23);	/* inner content type */
	return ct_len - 1;
}

/* @from writes @msg with OpenSSL; the record is decrypted by hand. */
static void expect_record(struct kzt_tls_conn *from, int to_fd,
			  const struct kzt_tls_keys *rx_keys, uint64_t seq,
			  const char *msg)
{
	uint8_t rec[1024], plain[1024];
	size_t len;

	assert_int_equal(SSL_write(from->ssl, msg, (int)strlen(msg)),
			 (int)strlen(msg));
	len = read_record(to_fd, rec, sizeof(rec));
	len = decrypt(rx_keys->cipher, &rx_keys->rx, seq, rec, len, plain);
	assert_int_equal(len, strlen(msg));
	assert_memory_equal(plain, msg, len);
}

static void keys_for(const char *suite)
{
	struct kzt_creds *creds = load(fix.dir, suite);
	uint8_t zero[KZT_TLS_SECRET_MAX] = { 0 };
	struct pair p;

	pair_open(&p, creds, creds, FIX_SERVER_ID, FIX_SERVER_ADDR);
	tlsfix_run(p.cl, p.sv, &p.cret, &p.sret);
	if (p.cret || p.sret)
		fail_msg("handshake: client %d (%s), server %d (%s)", p.cret,
			 p.cl->why, p.sret, p.sv->why);

	assert_string_equal(p.cl->keys.cipher->name, suite);
	assert_ptr_equal(p.sv->keys.cipher, p.cl->keys.cipher);
	assert_string_equal(p.cl->peer_id, FIX_SERVER_ID);
	assert_string_equal(p.cl->local_id, FIX_CLIENT_ID);
	assert_string_equal(p.sv->peer_id, FIX_CLIENT_ID);
	assert_string_equal(p.sv->local_id, FIX_SERVER_ID);
	/* One side's TX is the other's RX; the two directions differ. */
	assert_memory_equal(&p.cl->keys.tx, &p.sv->keys.rx, sizeof(p.cl->keys.tx));
	assert_memory_equal(&p.cl->keys.rx, &p.sv->keys.tx, sizeof(p.cl->keys.rx));
	assert_memory_not_equal(p.cl->keys.tx.key, p.cl->keys.rx.key,
				p.cl->keys.cipher->key_len);
	assert_int_equal(p.cl->keys.tx.seq, 0);
	assert_int_equal(p.cl->keys.rx.seq, 0);
	/* The secrets are wiped once the keys are derived. */
	assert_memory_equal(p.cl->secret[0], zero, sizeof(zero));
	assert_memory_equal(p.sv->secret[1], zero, sizeof(zero));

	expect_record(p.sv, p.fd[0], &p.cl->keys, 0, "hello client, from the server");
	expect_record(p.cl, p.fd[1], &p.sv->keys, 0, "hello server");
	expect_record(p.sv, p.fd[0], &p.cl->keys, 1, "second record: seq 1");

	pair_close(&p);
	kzt_creds_put(creds);
}

static void test_keys_aes128(void **state)
{
	(void)state;
	keys_for("TLS_AES_128_GCM_SHA256");
}

static void test_keys_aes256(void **state)
{
	(void)state;
	keys_for("TLS_AES_256_GCM_SHA384");
}

static void test_keys_chacha20(void **state)
{
	(void)state;
	keys_for("TLS_CHACHA20_POLY1305_SHA256");
}

/* The default list prefers AES-128-GCM (protocol.rst). */
static void test_default_suite(void **state)
{
	struct kzt_creds *creds = load(fix.dir, NULL);
	struct pair p;

	(void)state;
	pair_open(&p, creds, creds, FIX_SERVER_ID, FIX_SERVER_ADDR);
	tlsfix_run(p.cl, p.sv, &p.cret, &p.sret);
	assert_int_equal(p.cret, 0);
	assert_int_equal(p.sret, 0);
	assert_string_equal(p.cl->keys.cipher->name, "TLS_AES_128_GCM_SHA256");
	pair_close(&p);
	kzt_creds_put(creds);
}

/*
 * The client may send its first bytes as soon as its side is done, before
 * the server has read its Finished: they must stay in the socket (no
 * read-ahead) for the server's kTLS, at sequence 0.
 */
static void test_data_right_after_finished(void **state)
{
	struct kzt_creds *creds = load(fix.dir, NULL);
	uint8_t rec[512], plain[512];
	struct pair p;
	bool ww;
	size_t len;

	(void)state;
	pair_open(&p, creds, creds, FIX_SERVER_ID, FIX_SERVER_ADDR);
	p.cret = p.sret = EAGAIN;
	for (int i = 0; i < 100 && p.cret == EAGAIN; i++) {
		p.cret = kzt_tls_conn_step(p.cl, &ww);
		if (p.cret == EAGAIN)
			assert_int_equal(kzt_tls_conn_step(p.sv, &ww), EAGAIN);
	}
	assert_int_equal(p.cret, 0);
	assert_int_equal(SSL_write(p.cl->ssl, "early header", 12), 12);
	p.sret = kzt_tls_conn_step(p.sv, &ww);
	assert_int_equal(p.sret, 0);
	len = read_record(p.fd[1], rec, sizeof(rec));
	len = decrypt(p.sv->keys.cipher, &p.sv->keys.rx, 0, rec, len, plain);
	assert_int_equal(len, 12);
	assert_memory_equal(plain, "early header", 12);
	pair_close(&p);
	kzt_creds_put(creds);
}

static void test_wrong_server_identity(void **state)
{
	struct kzt_creds *creds = load(fix.dir, NULL);
	struct pair p;

	(void)state;
	pair_open(&p, creds, creds, "spiffe://" FIX_TD "/ns/b/sa/other",
		  FIX_SERVER_ADDR);
	tlsfix_run(p.cl, p.sv, &p.cret, &p.sret);
	assert_int_equal(p.cret, EACCES);
	assert_non_null(strstr(p.cl->why, "the server proved " FIX_SERVER_ID
			       ", not the expected spiffe://" FIX_TD "/ns/b/sa/other"));
	assert_int_equal(p.sret, EPROTO);	/* it got bad_certificate */
	assert_non_null(strstr(p.sv->why, "bad certificate"));
	pair_close(&p);
	kzt_creds_put(creds);
}

static void test_unknown_server_name(void **state)
{
	struct kzt_creds *creds = load(fix.dir, NULL);
	struct pair p;

	(void)state;
	pair_open(&p, creds, creds, FIX_SERVER_ID, "10.1.0.99");
	tlsfix_run(p.cl, p.sv, &p.cret, &p.sret);
	assert_int_equal(p.sret, EPROTO);
	assert_non_null(strstr(p.sv->why, "server name '10.1.0.99': not a local workload"));
	assert_int_equal(p.cret, EPROTO);
	assert_non_null(strstr(p.cl->why, "unrecognized name"));
	pair_close(&p);
	kzt_creds_put(creds);
}

/* The server name maps to an identity this node has no certificate for. */
static void test_server_without_certificate(void **state)
{
	struct kzt_creds *creds = load(fix.dir, NULL);
	struct pair p;

	(void)state;
	pair_open(&p, creds, creds, FIX_SERVER_ID, FIX_SERVER_ADDR);
	p.sv->sni_arg = "spiffe://" FIX_TD "/ns/b/sa/nocert";
	tlsfix_run(p.cl, p.sv, &p.cret, &p.sret);
	assert_int_equal(p.sret, ENOKEY);
	assert_non_null(strstr(p.sv->why, "no certificate for spiffe://" FIX_TD "/ns/b/sa/nocert"));
	assert_int_equal(p.cret, EPROTO);
	pair_close(&p);
	kzt_creds_put(creds);
}

static void test_client_without_certificate(void **state)
{
	struct kzt_creds *creds = load(fix.dir, NULL);
	struct kzt_tls_conn_params cp = {
		.role = KZT_HS_ROLE_CLIENT, .fd = -1,
		.local_id = "spiffe://" FIX_TD "/ns/a/sa/nobody",
		.peer_id = FIX_SERVER_ID, .server_name = FIX_SERVER_ADDR,
	};
	struct kzt_tls_conn *c = NULL;
	char why[KZT_SVID_WHY_MAX];

	(void)state;
	assert_int_equal(kzt_tls_conn_new(creds, &cp, &c, why, sizeof(why)), ENOKEY);
	assert_null(c);
	assert_non_null(strstr(why, "no certificate for spiffe://" FIX_TD "/ns/a/sa/nobody"));
	kzt_creds_put(creds);
}

/* A client whose SVID comes from a CA the server does not trust. */
static void test_untrusted_client(void **state)
{
	struct kzt_creds *sc = load(fix.dir, NULL), *cc;
	EVP_PKEY *key2 = certgen_key();
	X509 *ca2 = certgen_cert(&CERTGEN_CA("other CA"), key2, NULL, NULL);
	X509 *both[2] = { fix.ca, ca2 };
	char *dir2 = certgen_tmpdir(), path[512];
	struct pair p;

	(void)state;
	snprintf(path, sizeof(path), "%s/bundle.pem", dir2);
	assert_int_equal(certgen_write_certs(path, both, 2), 0);
	assert_int_equal(tlsfix_write_pair(&fix, dir2, "client", FIX_CLIENT_ID,
					   ca2, key2), 0);
	cc = load(dir2, NULL);
	pair_open(&p, cc, sc, FIX_SERVER_ID, FIX_SERVER_ADDR);
	tlsfix_run(p.cl, p.sv, &p.cret, &p.sret);
	assert_int_equal(p.sret, EACCES);
	assert_non_null(strstr(p.sv->why, "client certificate refused"));
	assert_non_null(strstr(p.sv->why, "not issued by a CA of the trust bundle"));
	pair_close(&p);
	kzt_creds_put(cc);
	kzt_creds_put(sc);
	certgen_rmdir(dir2);
	X509_free(ca2);
	EVP_PKEY_free(key2);
}

/* A plain OpenSSL client with a valid SVID but no ALPN. */
static void test_client_without_alpn(void **state)
{
	struct kzt_creds *creds = load(fix.dir, NULL);
	const struct kzt_ident *id = kzt_creds_find(creds, FIX_CLIENT_ID);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	struct kzt_tls_conn_params sp = {
		.role = KZT_HS_ROLE_SERVER, .sni = tlsfix_sni,
	};
	char why[KZT_SVID_WHY_MAX];
	struct kzt_tls_conn *sv;
	int fd[2], sret = EAGAIN;
	SSL *ssl;
	bool ww;

	(void)state;
	assert_non_null(id);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd), 0);
	sp.fd = fd[1];
	assert_int_equal(kzt_tls_conn_new(creds, &sp, &sv, why, sizeof(why)), 0);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd[0]);
	SSL_use_cert_and_key(ssl, id->leaf, id->key, id->chain, 1);
	SSL_set_tlsext_host_name(ssl, FIX_SERVER_ADDR);
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	SSL_set_connect_state(ssl);
	for (int i = 0; i < 50 && sret == EAGAIN; i++) {
		SSL_do_handshake(ssl);
		sret = kzt_tls_conn_step(sv, &ww);
	}
	ERR_clear_error();
	assert_int_equal(sret, EPROTO);
	assert_non_null(strstr(sv->why, "did not offer ALPN kzt/1"));
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	kzt_tls_conn_free(sv);
	close(fd[0]);
	close(fd[1]);
	kzt_creds_put(creds);
}

/* The peer goes away in the middle: ECONNRESET, not a hang or EPROTO. */
static void test_peer_gone(void **state)
{
	struct kzt_creds *creds = load(fix.dir, NULL);
	struct pair p;
	bool ww;

	(void)state;
	pair_open(&p, creds, creds, FIX_SERVER_ID, FIX_SERVER_ADDR);
	assert_int_equal(kzt_tls_conn_step(p.cl, &ww), EAGAIN);	/* ClientHello */
	shutdown(p.fd[0], SHUT_RDWR);
	assert_int_equal(kzt_tls_conn_step(p.sv, &ww), ECONNRESET);
	assert_int_equal(kzt_tls_conn_step(p.cl, &ww), ECONNRESET);
	pair_close(&p);
	kzt_creds_put(creds);
}

static void test_cleanse(void **state)
{
	struct kzt_tls_keys k, zero;

	(void)state;
	memset(&k, 0xa5, sizeof(k));
	memset(&zero, 0, sizeof(zero));
	kzt_tls_keys_cleanse(&k);
	assert_memory_equal(&k, &zero, sizeof(k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_aes128),
		cmocka_unit_test(test_keys_aes256),
		cmocka_unit_test(test_keys_chacha20),
		cmocka_unit_test(test_default_suite),
		cmocka_unit_test(test_data_right_after_finished),
		cmocka_unit_test(test_wrong_server_identity),
		cmocka_unit_test(test_unknown_server_name),
		cmocka_unit_test(test_server_without_certificate),
		cmocka_unit_test(test_client_without_certificate),
		cmocka_unit_test(test_untrusted_client),
		cmocka_unit_test(test_client_without_alpn),
		cmocka_unit_test(test_peer_gone),
		cmocka_unit_test(test_cleanse),
	};

	signal(SIGPIPE, SIG_IGN);	/* as kztd does (tlsconn.h) */
	return cmocka_run_group_tests_name("tls", tests, setup, teardown);
}
