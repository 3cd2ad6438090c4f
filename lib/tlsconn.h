/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kzt/1 TLS engine: one non-blocking TLS 1.3 handshake on a TCP
 * socket, with the options of Documentation/protocol.rst, ending in the
 * traffic keys for kTLS and the verified identities. Many run at once in
 * one event loop: kzt_tls_conn_step() never blocks.
 *
 * OpenSSL writes to the socket with write(): the program must ignore
 * SIGPIPE, or a peer that goes away mid-handshake kills it.
 */
#ifndef KZT_TLSCONN_H
#define KZT_TLSCONN_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include <linux/kzt.h>

#include "creds.h"
#include "svid.h"
#include "tls13.h"

/* The protocols of Documentation/protocol.rst, newest first. */
#define KZT_ALPN	"kzt/1"
#define KZT_ALPN2	"kzt/2"
#define KZT_PROTO_MAX	2
/*
 * What kztd speaks unless protocol_max says: kzt/1 while kzt/2 is being
 * built (Documentation/protocol.rst, "kzt/2").
 */
#define KZT_PROTO_DEFAULT	1

/*
 * Server role: map the client's server name (a workload address as text)
 * to the SPIFFE ID to present. Returns 0 with @id set, or a positive errno
 * with @why set; the handshake then fails with unrecognized_name.
 */
typedef int (*kzt_tls_sni_fn)(void *arg, const char *name, char *id,
			      size_t id_len, char *why, size_t why_len);

struct kzt_tls_conn_params {
	int role;			/* enum kzt_hs_role */
	int fd;				/* connected TCP socket, O_NONBLOCK */
	const char *local_id;		/* client: identity to present */
	const char *peer_id;		/* client: identity the server must have */
	const char *server_name;	/* client: SNI */
	kzt_tls_sni_fn sni;		/* server */
	void *sni_arg;
};

struct kzt_tls_conn {
	SSL *ssl;
	struct kzt_creds *creds;	/* a reference */
	int role;
	kzt_tls_sni_fn sni;
	void *sni_arg;
	char *want_peer;		/* client */
	char local_id[KZT_SPIFFE_ID_MAX + 1];
	char peer_id[KZT_SPIFFE_ID_MAX + 1];	/* verified */
	/* The peer's certificate and the chain it sent, as verified (refs). */
	X509 *peer_leaf;
	STACK_OF(X509) *peer_chain;
	/* CLIENT_ and SERVER_TRAFFIC_SECRET_0 from the key log callback. */
	uint8_t secret[2][KZT_TLS_SECRET_MAX];
	size_t secret_len[2];
	int status;			/* set by a callback that refused */
	char why[KZT_SVID_WHY_MAX];
	struct kzt_tls_keys keys;	/* valid once a step returned 0 */
	unsigned int proto;		/* kzt/N negotiated: valid then too */
};

int kzt_tls_ctx_setup(struct kzt_creds *c, const struct kzt_tls_opts *opts,
		      char *why, size_t why_len);
int kzt_tls_conn_new(struct kzt_creds *creds,
		     const struct kzt_tls_conn_params *p,
		     struct kzt_tls_conn **out, char *why, size_t why_len);
int kzt_tls_conn_step(struct kzt_tls_conn *c, bool *want_write);
void kzt_tls_conn_free(struct kzt_tls_conn *c);

#endif /* KZT_TLSCONN_H */
