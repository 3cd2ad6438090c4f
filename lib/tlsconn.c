// SPDX-License-Identifier: GPL-2.0
/*
 * The kzt/1 TLS engine over OpenSSL 3.0.
 *
 * Options, and why (Documentation/protocol.rst, kztd.rst):
 * - TLS 1.3 only; the suites of kzt/1 (a config may restrict or reorder
 *   them); ALPN "kzt/2" and "kzt/1" (or "kzt/1" alone with proto_max 1),
 *   of which the server must select the newest both speak and the client
 *   insists on one.
 * - No session tickets (SSL_OP_NO_TICKET, num_tickets 0), no session
 *   cache, no early data: a NewSessionTicket after the handshake would
 *   land in kTLS as a record it must not see, and kTLS cannot rekey.
 * - No read-ahead: OpenSSL reads record by record, so it never takes
 *   bytes beyond the last handshake record out of the socket. After the
 *   handshake SSL_has_pending() must be 0, or those bytes would be lost.
 * - Peer verification by kzt_svid_verify_ctx() (strict chain to the
 *   bundle, then the X.509-SVID rules), the client also requiring the
 *   SPIFFE ID it was asked for.
 * - The traffic secrets come from the key log callback (the only way
 *   OpenSSL 3.0 gives them out); keys and IVs are derived from them
 *   (tls13.c) and the secrets wiped.
 *
 * OpenSSL's error queue is per thread and shared by every handshake in
 * flight, so it is cleared before each call into a connection and after
 * each failure has been read.
 */
#include <errno.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tlsconn.h"

/* The client's offer, newest first; kzt/1 alone is its tail. */
static const unsigned char alpn_wire[] = "\x05" KZT_ALPN2 "\x05" KZT_ALPN;
#define ALPN_WIRE_LEN	(sizeof(alpn_wire) - 1)
#define ALPN_ONE_LEN	6

/* The N of ALPN "kzt/N" (1 or 2), or 0 for anything else. */
static unsigned int alpn_proto(const unsigned char *p, unsigned int len)
{
	if (!p || len != 5)
		return 0;
	if (!memcmp(p, KZT_ALPN, len))
		return 1;
	if (!memcmp(p, KZT_ALPN2, len))
		return 2;
	return 0;
}

static struct kzt_tls_conn *conn_of(const SSL *ssl)
{
	return SSL_get_app_data(ssl);
}

static int fail(struct kzt_tls_conn *c, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the first reason a callback refused; returns @status. */
static int fail(struct kzt_tls_conn *c, int status, const char *fmt, ...)
{
	va_list ap;

	if (c->status)
		return c->status;
	c->status = status;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return status;
}

/*
 * Keep what was verified: the leaf and the certificates the peer sent,
 * so that the chain can be verified again against a later bundle
 * (lib/peers.c). Best effort: without memory, nothing is kept.
 */
static void keep_chain(struct kzt_tls_conn *c, X509_STORE_CTX *xctx)
{
	X509 *leaf = X509_STORE_CTX_get0_cert(xctx);
	STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(xctx);

	X509_free(c->peer_leaf);
	sk_X509_pop_free(c->peer_chain, X509_free);
	c->peer_leaf = NULL;
	c->peer_chain = NULL;
	if (!leaf || !X509_up_ref(leaf))
		return;
	c->peer_leaf = leaf;
	if (sent)
		c->peer_chain = X509_chain_up_ref(sent);
}

/* Peer certificate: the bundle, the SVID rules, the expected identity. */
static int verify_cb(X509_STORE_CTX *xctx, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xctx,
					      SSL_get_ex_data_X509_STORE_CTX_idx());
	struct kzt_tls_conn *c = conn_of(ssl);
	const unsigned char *alpn;
	unsigned int alpn_len;
	char why[KZT_SVID_WHY_MAX];

	(void)arg;
	if (c->role == KZT_HS_ROLE_CLIENT) {
		/* EncryptedExtensions came before the Certificate. */
		SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
		if (!alpn_proto(alpn, alpn_len)) {
			fail(c, EPROTO, "the server did not select ALPN %s",
			     KZT_ALPN);
			X509_STORE_CTX_set_error(xctx, X509_V_ERR_APPLICATION_VERIFICATION);
			return 0;
		}
	}
	if (kzt_svid_verify_ctx(xctx, c->creds->trust_domain, c->peer_id,
				sizeof(c->peer_id), why, sizeof(why))) {
		fail(c, EACCES, "%s certificate refused: %s",
		     c->role == KZT_HS_ROLE_CLIENT ? "server" : "client", why);
		return 0;
	}
	if (c->role == KZT_HS_ROLE_CLIENT && strcmp(c->peer_id, c->want_peer)) {
		fail(c, EACCES, "the server proved %s, not the expected %s",
		     c->peer_id, c->want_peer);
		X509_STORE_CTX_set_error(xctx, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	keep_chain(c, xctx);
	return 1;
}

static int use_ident(struct kzt_tls_conn *c, SSL *ssl, const char *id)
{
	const struct kzt_ident *ident = kzt_creds_find(c->creds, id);

	if (!ident)
		return fail(c, ENOKEY, "no certificate for %s in %s", id,
			    c->creds->dir);
	if (SSL_use_cert_and_key(ssl, ident->leaf, ident->key, ident->chain,
				 1) != 1)
		return fail(c, ENOMEM, "cannot use the certificate of %s", id);
	return 0;
}

/* Server: the client's server name picks the identity to present. */
static int servername_cb(SSL *ssl, int *al, void *arg)
{
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	struct kzt_tls_conn *c = conn_of(ssl);
	char why[KZT_SVID_WHY_MAX];
	int ret;

	(void)arg;
	*al = SSL_AD_UNRECOGNIZED_NAME;
	if (!name) {
		fail(c, EPROTO, "the client sent no server name (SNI)");
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	ret = c->sni(c->sni_arg, name, c->local_id, sizeof(c->local_id),
		     why, sizeof(why));
	if (ret) {
		fail(c, ret, "server name '%s': %s", name, why);
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	if (use_ident(c, ssl, c->local_id)) {
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	return SSL_TLSEXT_ERR_OK;
}

/*
 * Server: a ClientHello without ALPN is refused here, since OpenSSL calls
 * the ALPN callback below only when the client offered some.
 */
static int client_hello_cb(SSL *ssl, int *al, void *arg)
{
	const unsigned char *ext;
	size_t len;

	(void)arg;
	if (SSL_client_hello_get0_ext(ssl,
				      TLSEXT_TYPE_application_layer_protocol_negotiation,
				      &ext, &len))
		return SSL_CLIENT_HELLO_SUCCESS;
	fail(conn_of(ssl), EPROTO, "the client did not offer ALPN %s", KZT_ALPN);
	*al = SSL_AD_NO_APPLICATION_PROTOCOL;
	return SSL_CLIENT_HELLO_ERROR;
}

/*
 * Server: select the newest kzt/N the client offered and this node
 * speaks (@arg: the credential set's proto_max), or refuse with
 * no_application_protocol.
 */
static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned int inlen, void *arg)
{
	const struct kzt_creds *creds = arg;
	unsigned int best = 0, proto;

	for (unsigned int i = 0; i < inlen; i += 1 + in[i]) {
		if (i + 1 + in[i] > inlen)
			break;
		proto = alpn_proto(in + i + 1, in[i]);
		if (proto > best && proto <= creds->proto_max) {
			best = proto;
			*out = in + i + 1;
			*outlen = in[i];
		}
	}
	if (best)
		return SSL_TLSEXT_ERR_OK;
	fail(conn_of(ssl), EPROTO, "the client did not offer ALPN %s", KZT_ALPN);
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * "LABEL <client_random> <secret>", all hex. Keeps the two application
 * traffic secrets; writes every line to the debug key log if one is open.
 */
static void keylog_cb(const SSL *ssl, const char *line)
{
	static const char *const labels[2] = {
		"CLIENT_TRAFFIC_SECRET_0 ", "SERVER_TRAFFIC_SECRET_0 ",
	};
	struct kzt_tls_conn *c = conn_of(ssl);
	const char *hex;
	size_t n = 0;
	int which;

	if (c->creds->keylog) {
		fprintf(c->creds->keylog, "%s\n", line);
		fflush(c->creds->keylog);
	}
	for (which = 0; which < 2; which++)
		if (!strncmp(line, labels[which], strlen(labels[which])))
			break;
	if (which == 2)
		return;
	hex = strchr(line + strlen(labels[which]), ' ');
	if (!hex)
		return;
	for (hex++; hex[0] && hex[1] && n < KZT_TLS_SECRET_MAX; hex += 2) {
		int hi = hexval(hex[0]), lo = hexval(hex[1]);

		if (hi < 0 || lo < 0)
			break;
		c->secret[which][n++] = (uint8_t)(hi << 4 | lo);
	}
	c->secret_len[which] = *hex ? 0 : n;	/* trailing junk: unusable */
}

static SSL_CTX *ctx_new(struct kzt_creds *creds, int role,
			const char *suites, char *why, size_t why_len)
{
	SSL_CTX *ctx = SSL_CTX_new(role == KZT_HS_ROLE_CLIENT ?
				   TLS_client_method() : TLS_server_method());
	int verify = SSL_VERIFY_PEER;

	if (!ctx) {
		snprintf(why, why_len, "out of memory (SSL_CTX)");
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, suites) ||
	    !SSL_CTX_set_num_tickets(ctx, 0) ||
	    !SSL_CTX_set_max_early_data(ctx, 0) ||
	    !SSL_CTX_set_recv_max_early_data(ctx, 0)) {
		snprintf(why, why_len, "cannot set up TLS 1.3 with suites '%s'",
			 suites);
		SSL_CTX_free(ctx);
		ERR_clear_error();
		return NULL;
	}
	SSL_CTX_set1_cert_store(ctx, creds->bundle);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_read_ahead(ctx, 0);
	SSL_CTX_set_keylog_callback(ctx, keylog_cb);
	SSL_CTX_set_cert_verify_callback(ctx, verify_cb, NULL);
	if (role == KZT_HS_ROLE_SERVER) {
		verify |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		SSL_CTX_set_client_hello_cb(ctx, client_hello_cb, NULL);
		SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
		SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, creds);
	} else if (creds->proto_max >= 2 ?
		   SSL_CTX_set_alpn_protos(ctx, alpn_wire, ALPN_WIRE_LEN) :
		   SSL_CTX_set_alpn_protos(ctx, alpn_wire + ALPN_WIRE_LEN - ALPN_ONE_LEN,
					   ALPN_ONE_LEN)) {
		snprintf(why, why_len, "out of memory (ALPN)");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, verify, NULL);
	return ctx;
}

/**
 * kzt_tls_ctx_setup() - the client and server SSL_CTX of a credential set
 * @c:       a set whose bundle is loaded
 * @opts:    suites (checked here), key log, highest protocol
 * @why:     on failure, the reason
 * @why_len: size of @why
 *
 * @retval 0      @c->client and @c->server are set
 * @retval EINVAL the suite list is not valid for kzt/1
 * @retval ENOMEM out of memory
 */
int kzt_tls_ctx_setup(struct kzt_creds *c, const struct kzt_tls_opts *opts,
		      char *why, size_t why_len)
{
	const char *suites = opts->ciphersuites ? opts->ciphersuites :
			     KZT_TLS_CIPHERSUITES;
	char reason[256];

	if (kzt_tls_ciphersuites_check(suites, reason, sizeof(reason))) {
		snprintf(why, why_len, "ciphersuites: %s", reason);
		return EINVAL;
	}
	c->proto_max = opts->proto_max ? opts->proto_max : KZT_PROTO_DEFAULT;
	c->client = ctx_new(c, KZT_HS_ROLE_CLIENT, suites, why, why_len);
	if (!c->client)
		return ENOMEM;
	c->server = ctx_new(c, KZT_HS_ROLE_SERVER, suites, why, why_len);
	if (!c->server)
		return ENOMEM;
	return 0;
}

/**
 * kzt_tls_conn_new() - prepare one handshake
 * @creds:   the credentials it will use to its end (a reference is taken)
 * @p:       role, socket, identities
 * @out:     the new handshake, on success
 * @why:     on failure, the reason
 * @why_len: size of @why
 *
 * @retval 0      *@out is set; drive it with kzt_tls_conn_step()
 * @retval ENOKEY client: no certificate for @p->local_id
 * @retval EINVAL missing parameters
 * @retval ENOMEM out of memory
 */
int kzt_tls_conn_new(struct kzt_creds *creds,
		     const struct kzt_tls_conn_params *p,
		     struct kzt_tls_conn **out, char *why, size_t why_len)
{
	bool client = p->role == KZT_HS_ROLE_CLIENT;
	struct kzt_tls_conn *c;
	int ret;

	if (client ? !p->local_id || !p->peer_id || !p->server_name ||
		     strlen(p->local_id) > KZT_SPIFFE_ID_MAX :
		     p->role != KZT_HS_ROLE_SERVER || !p->sni) {
		snprintf(why, why_len, "bad handshake parameters");
		return EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto out_nomem;
	c->creds = kzt_creds_get(creds);
	c->role = p->role;
	c->sni = p->sni;
	c->sni_arg = p->sni_arg;
	c->ssl = SSL_new(client ? creds->client : creds->server);
	if (!c->ssl || !SSL_set_fd(c->ssl, p->fd))
		goto out_free_nomem;
	SSL_set_app_data(c->ssl, c);
	if (client) {
		c->want_peer = strdup(p->peer_id);
		if (!c->want_peer)
			goto out_free_nomem;
		strcpy(c->local_id, p->local_id);
		ret = use_ident(c, c->ssl, p->local_id);
		if (ret) {
			snprintf(why, why_len, "%s", c->why);
			kzt_tls_conn_free(c);
			return ret;
		}
		if (!SSL_set_tlsext_host_name(c->ssl, p->server_name))
			goto out_free_nomem;
		SSL_set_connect_state(c->ssl);
	} else {
		SSL_set_accept_state(c->ssl);
	}
	*out = c;
	return 0;

out_free_nomem:
	kzt_tls_conn_free(c);
out_nomem:
	ERR_clear_error();
	snprintf(why, why_len, "out of memory");
	return ENOMEM;
}

/* The handshake is over: check what kTLS relies on, derive the keys. */
static int finish(struct kzt_tls_conn *c)
{
	const struct kzt_tls_cipher *cipher;
	const unsigned char *alpn;
	unsigned int alpn_len;
	int tx = c->role == KZT_HS_ROLE_CLIENT ? 0 : 1;
	int ret;

	if (SSL_version(c->ssl) != TLS1_3_VERSION)
		return fail(c, EPROTO, "negotiated %s, not TLSv1.3",
			    SSL_get_version(c->ssl));
	SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_len);
	c->proto = alpn_proto(alpn, alpn_len);
	if (!c->proto || c->proto > c->creds->proto_max)
		return fail(c, EPROTO, "neither ALPN %s nor %s was negotiated",
			    KZT_ALPN2, KZT_ALPN);
	cipher = kzt_tls_cipher_by_iana(
		SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(c->ssl)));
	if (!cipher)
		return fail(c, EPROTO, "negotiated %s, not a suite of kzt/1",
			    SSL_get_cipher_name(c->ssl));
	if (SSL_get_verify_result(c->ssl) != X509_V_OK || !c->peer_id[0] ||
	    !SSL_get0_peer_certificate(c->ssl))
		return fail(c, EACCES, "the peer's certificate was not verified");
	if (SSL_has_pending(c->ssl))
		return fail(c, EPROTO,
			    "OpenSSL holds bytes read after the handshake; the kernel would never see them");
	if (c->secret_len[0] != cipher->secret_len ||
	    c->secret_len[1] != cipher->secret_len)
		return fail(c, EPROTO, "the traffic secrets were not captured");

	c->keys.cipher = cipher;
	ret = kzt_tls13_traffic(cipher, c->secret[tx], cipher->secret_len,
				&c->keys.tx);
	if (!ret)
		ret = kzt_tls13_traffic(cipher, c->secret[!tx],
					cipher->secret_len, &c->keys.rx);
	OPENSSL_cleanse(c->secret, sizeof(c->secret));
	if (ret) {
		kzt_tls_keys_cleanse(&c->keys);
		return fail(c, EPROTO, "cannot derive the traffic keys");
	}
	/* Nothing was sent or read with these keys yet (no tickets, no data). */
	c->keys.tx.seq = 0;
	c->keys.rx.seq = 0;
	return 0;
}

/* Why SSL_do_handshake() failed, as a DONE status. */
static int failed(struct kzt_tls_conn *c, int err, int saved_errno)
{
	unsigned long e = ERR_peek_last_error();
	int reason = ERR_GET_REASON(e);
	char buf[256];
	long vr;

	if (c->status)
		goto out;
	switch (err) {
	case SSL_ERROR_SYSCALL:
		fail(c, ECONNRESET, "connection lost during the handshake: %s",
		     saved_errno ? strerror(saved_errno) : "end of file");
		goto out;
	case SSL_ERROR_ZERO_RETURN:
		fail(c, ECONNRESET, "the peer closed the connection during the handshake");
		goto out;
	}
	if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		fail(c, ECONNRESET, "the peer closed the connection during the handshake");
		goto out;
	}
	vr = SSL_get_verify_result(c->ssl);
	if (vr != X509_V_OK) {
		fail(c, EACCES, "peer certificate refused: %s",
		     X509_verify_cert_error_string(vr));
		goto out;
	}
	if (reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
		fail(c, EACCES, "the client presented no certificate");
		goto out;
	}
	if (reason > SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
		fail(c, EPROTO, "the peer sent the alert %s",
		     SSL_alert_desc_string_long(reason - SSL_AD_REASON_OFFSET));
		goto out;
	}
	ERR_error_string_n(e, buf, sizeof(buf));
	fail(c, EPROTO, "TLS handshake failed: %s", e ? buf : "unknown error");
out:
	ERR_clear_error();
	return c->status;
}

/**
 * kzt_tls_conn_step() - advance the handshake as far as the socket allows
 * @c:          the handshake
 * @want_write: on EAGAIN, whether to wait for POLLOUT (else POLLIN)
 *
 * @retval 0          done: @c->keys (cipher, keys, IVs, sequence numbers)
 *                    and @c->peer_id, @c->local_id are set
 * @retval EAGAIN     call again when the socket is ready
 * @retval EACCES     the peer's certificate or identity was refused
 * @retval EPROTO     a protocol error (alert, ALPN, SNI, version...)
 * @retval ECONNRESET the connection was closed or reset
 * @retval ENOKEY     server: no certificate for the identity the server
 *                    name maps to
 * @retval other      errno of the SNI lookup, or ENOMEM
 *
 * On every error @c->why says what happened, for the log.
 */
int kzt_tls_conn_step(struct kzt_tls_conn *c, bool *want_write)
{
	int r, err, saved_errno;

	if (c->status)
		return c->status;
	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(c->ssl);
	saved_errno = errno;
	if (r == 1)
		return finish(c);
	err = SSL_get_error(c->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		*want_write = err == SSL_ERROR_WANT_WRITE;
		return EAGAIN;
	}
	return failed(c, err, saved_errno);
}

/**
 * kzt_tls_conn_free() - end a handshake: wipe its secrets, drop its
 *                       credentials; sends nothing and leaves the fd open
 * @c: may be NULL
 */
void kzt_tls_conn_free(struct kzt_tls_conn *c)
{
	if (!c)
		return;
	SSL_free(c->ssl);
	kzt_creds_put(c->creds);
	X509_free(c->peer_leaf);
	sk_X509_pop_free(c->peer_chain, X509_free);
	free(c->want_peer);
	OPENSSL_cleanse(c->secret, sizeof(c->secret));
	kzt_tls_keys_cleanse(&c->keys);
	free(c);
}
