/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside lib/grpc_conn.c (the connection: TCP, TLS, the HTTP/2 session,
 * deadlines) and lib/grpc_call.c (the calls: headers, gRPC framing, status).
 * Not for other users of grpc.h.
 */
#ifndef KZT_GRPC_PRIV_H
#define KZT_GRPC_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include "grpc.h"

#define GRPC_PREFIX	5		/* compressed flag, big-endian length */
#define READ_CHUNK	16384
/* Frames gathered into one SSL_write(): fewer, fuller TLS records. */
#define OUT_GATHER	65536
#define MESSAGE_MAX	256		/* grpc-message kept, escaped */
/* Our receive windows: per stream, and for the connection. */
#define STREAM_WINDOW	(1 << 20)
#define CONN_WINDOW	(8 << 20)

enum grpc_state {
	GRPC_NEW,
	GRPC_RESOLVING,		/* a thread resolves the name; fd: its socket pair end */
	GRPC_CONNECTING,
	GRPC_HANDSHAKE,
	GRPC_ESTABLISHED,
	GRPC_FAILED,
};

struct sendbuf {
	struct sendbuf *next;
	size_t len, off;
	uint8_t data[];
};

struct kzt_grpc_call {
	struct kzt_grpc *g;
	struct kzt_grpc_call *prev, *next;	/* g->calls */
	int32_t stream_id;
	const struct kzt_grpc_call_ops *ops;	/* NULL: cancelled, no callbacks */
	void *arg;
	const char *method;			/* the last part of the path */
	/* Outgoing messages, prefixed, in order. */
	struct sendbuf *sq_head, *sq_tail;
	bool send_end;				/* half-close after the queue */
	bool deferred;				/* the data source waits for more */
	/* Incoming: the prefix, then the message it announces. */
	uint8_t prefix[GRPC_PREFIX];
	size_t prefix_len;
	uint8_t *msg;
	uint32_t msg_len, msg_got;
	int http_status;
	int grpc_status;			/* -1: none yet */
	char grpc_message[MESSAGE_MAX];
	bool bad_content_type;
	/* Set when we ended the call: what on_close reports. */
	int err;
	char why[KZT_GRPC_WHY_MAX];
};

struct grpc_resolve;			/* grpc_conn.c */

struct kzt_grpc {
	struct kzt_grpc_conf conf;		/* strings duplicated below */
	char *host, *port, *server_name, *authority, *root_cert, *token_file,
	     *cluster_id;
	enum grpc_state state;
	int fd;					/* the socket; in RESOLVING the pair's end */
	struct grpc_resolve *resolve;		/* RESOLVING: shared with the thread */
	SSL_CTX *ctx;
	SSL *ssl;
	uint32_t hs_events;			/* what the handshake waits for */
	nghttp2_session *h2;
	struct kzt_grpc_call *calls;
	uint8_t *out;				/* to SSL_write() */
	size_t out_len, out_off, out_cap;
	bool read_wants_write;			/* SSL_read() wants writability */
	uint32_t goaway_code;
	bool goaway;
	uint64_t start_ms;			/* kzt_grpc_connect() */
	uint64_t rx_ms;				/* the last frame received */
	uint64_t ping_ms;			/* our PING unanswered since; 0 */
	int err;
	char why[KZT_GRPC_WHY_MAX];
};

/* grpc_call.c */
void kzt_grpc_call_finish(struct kzt_grpc_call *c, const struct kzt_grpc_status *st);
void kzt_grpc_call_free(struct kzt_grpc_call *c);
int kzt_grpc_on_header(nghttp2_session *s, const nghttp2_frame *frame,
		       const uint8_t *name, size_t namelen, const uint8_t *value,
		       size_t valuelen, uint8_t flags, void *user);
int kzt_grpc_on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t stream_id,
			   const uint8_t *data, size_t len, void *user);
int kzt_grpc_on_stream_close(nghttp2_session *s, int32_t stream_id,
			     uint32_t error_code, void *user);

/* grpc_conn.c */
void kzt_grpc_set_why(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* KZT_GRPC_PRIV_H */
