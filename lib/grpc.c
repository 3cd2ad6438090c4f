// SPDX-License-Identifier: GPL-2.0
/*
 * gRPC client for istiod: one TLS connection, one nghttp2 client session,
 * any number of calls (streams). See grpc.h for the contract with the event
 * loop and Documentation/istio.rst for the wire.
 *
 * Data flows: the socket -> SSL_read() -> nghttp2_session_mem_recv() ->
 * the per-stream callbacks (headers, data chunks reassembled into messages,
 * close); and nghttp2_session_mem_send() -> the connection's output buffer
 * -> SSL_write(). Flow control (WINDOW_UPDATE) is nghttp2's: it credits the
 * window as the chunks are consumed, and every chunk is consumed at once
 * (copied into the message being reassembled, which msg_max bounds).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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

struct kzt_grpc {
	struct kzt_grpc_conf conf;		/* strings duplicated below */
	char *host, *port, *server_name, *authority, *root_cert, *token_file,
	     *cluster_id;
	enum grpc_state state;
	int fd;
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

static const char *const status_names[] = {
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
	"INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
};

/**
 * kzt_grpc_status_name() - the name of a gRPC status code.
 * @grpc_status: a code
 *
 * @retval "OK" ... "UNAUTHENTICATED", or "?" for a code outside 0..16
 */
const char *kzt_grpc_status_name(int grpc_status)
{
	if (grpc_status < 0 ||
	    grpc_status >= (int)(sizeof(status_names) / sizeof(status_names[0])))
		return "?";
	return status_names[grpc_status];
}

/* The errno a gRPC status maps to: what the caller can act on. */
static int status_errno(int grpc_status)
{
	switch (grpc_status) {
	case 0:		return 0;
	case 1:		return ECANCELED;
	case 3:		return EINVAL;
	case 4:		return ETIMEDOUT;
	case 5:		return ENOENT;
	case 6:		return EEXIST;
	case 7:		return EPERM;
	case 8:		return ENOBUFS;
	case 12:	return EOPNOTSUPP;
	case 14:	return EAGAIN;
	case 16:	return EACCES;
	default:	return EPROTO;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_why(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

/* The first error of OpenSSL's queue, or @dflt; the queue is emptied. */
static const char *ssl_reason(char *buf, size_t len, const char *dflt)
{
	unsigned long e = ERR_get_error();

	if (!e) {
		snprintf(buf, len, "%s", dflt);
		return buf;
	}
	ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

/* ------------------------------------------------------------------ */
/* Calls */

static void call_unlink_free(struct kzt_grpc_call *c)
{
	struct kzt_grpc *g = c->g;
	struct sendbuf *b, *n;

	if (c->prev)
		c->prev->next = c->next;
	else
		g->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	for (b = c->sq_head; b; b = n) {
		n = b->next;
		free(b);
	}
	free(c->msg);
	free(c);
}

/* End @c towards its owner (once) and free it. */
static void call_finish(struct kzt_grpc_call *c, const struct kzt_grpc_status *st)
{
	const struct kzt_grpc_call_ops *ops = c->ops;

	c->ops = NULL;
	if (c->g->h2 && c->stream_id > 0)
		nghttp2_session_set_stream_user_data(c->g->h2, c->stream_id, NULL);
	if (ops && ops->on_close)
		ops->on_close(c, st, c->arg);
	call_unlink_free(c);
}

/* We end @c: RST_STREAM(CANCEL); on_close reports @err and the reason. */
static void call_abort(struct kzt_grpc_call *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void call_abort(struct kzt_grpc_call *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->err)
		return;
	c->err = err;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	nghttp2_submit_rst_stream(c->g->h2, NGHTTP2_FLAG_NONE, c->stream_id,
				  NGHTTP2_CANCEL);
}

static void deliver(struct kzt_grpc_call *c)
{
	char why[KZT_GRPC_WHY_MAX] = "";
	int ret;

	if (!c->ops || !c->ops->on_message)
		return;
	ret = c->ops->on_message(c, c->msg, c->msg_len, c->arg, why, sizeof(why));
	if (ret)
		call_abort(c, ret, "%s: message refused: %s", c->method,
			   why[0] ? why : strerror(ret));
}

/* Up to @want bytes of *@p into @dst, *@p and *@len advanced past them. */
static uint32_t take(uint8_t *dst, uint32_t want, const uint8_t **p, size_t *len)
{
	uint32_t n = *len < want ? (uint32_t)*len : want;

	memcpy(dst, *p, n);
	*p += n;
	*len -= n;
	return n;
}

/* Reassemble gRPC messages from DATA: the 5-byte prefix, then the body. */
static void call_feed(struct kzt_grpc_call *c, const uint8_t *p, size_t len)
{
	uint32_t max = c->g->conf.msg_max;

	while (len && !c->err) {
		if (c->prefix_len < GRPC_PREFIX) {
			c->prefix_len += take(c->prefix + c->prefix_len,
					      GRPC_PREFIX - c->prefix_len, &p, &len);
			if (c->prefix_len < GRPC_PREFIX)
				return;
			c->msg_len = (uint32_t)c->prefix[1] << 24 |
				     (uint32_t)c->prefix[2] << 16 |
				     (uint32_t)c->prefix[3] << 8 | c->prefix[4];
			c->msg_got = 0;
			if (c->prefix[0] != 0) {
				call_abort(c, EPROTO,
					   "%s: istiod sent a message with flags 0x%02x (compressed?), though kzt asks for none",
					   c->method, c->prefix[0]);
				return;
			}
			if (c->msg_len > max) {
				call_abort(c, EMSGSIZE,
					   "%s: istiod sent a message of %u bytes, over kzt's limit of %u",
					   c->method, c->msg_len, max);
				return;
			}
			c->msg = malloc(c->msg_len ? c->msg_len : 1);
			if (!c->msg) {
				call_abort(c, ENOMEM, "%s: no memory for a message of %u bytes",
					   c->method, c->msg_len);
				return;
			}
		} else {
			c->msg_got += take(c->msg + c->msg_got, c->msg_len - c->msg_got,
					   &p, &len);
		}
		if (c->msg_got == c->msg_len) {
			deliver(c);
			free(c->msg);
			c->msg = NULL;
			c->prefix_len = 0;
		}
	}
}

/* Percent-decode grpc-message (gRPC's encoding) into @c->grpc_message. */
static void set_grpc_message(struct kzt_grpc_call *c, const uint8_t *v, size_t len)
{
	size_t i, o = 0;
	unsigned int x;
	char hex[3] = "";

	for (i = 0; i < len && o + 1 < sizeof(c->grpc_message); i++) {
		char ch = (char)v[i];

		if (ch == '%' && i + 2 < len) {
			hex[0] = (char)v[i + 1];
			hex[1] = (char)v[i + 2];
			if (sscanf(hex, "%2x", &x) == 1) {
				ch = (char)x;
				i += 2;
			}
		}
		/* Kept printable: it goes to the operator's log. */
		c->grpc_message[o++] = (ch >= 0x20 && ch < 0x7f) ? ch : '?';
	}
	c->grpc_message[o] = '\0';
}

/* ------------------------------------------------------------------ */
/* nghttp2 callbacks */

static struct kzt_grpc_call *stream_call(nghttp2_session *s, int32_t id)
{
	return nghttp2_session_get_stream_user_data(s, id);
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame,
		     const uint8_t *name, size_t namelen, const uint8_t *value,
		     size_t valuelen, uint8_t flags, void *user)
{
	struct kzt_grpc_call *c;
	char num[16];

	(void)flags;
	(void)user;
	if (frame->hd.type != NGHTTP2_HEADERS)
		return 0;
	c = stream_call(s, frame->hd.stream_id);
	if (!c)
		return 0;
#define IS(lit) (namelen == sizeof(lit) - 1 && !memcmp(name, lit, namelen))
	if (IS(":status") || IS("grpc-status")) {
		long v;
		char *end;

		snprintf(num, sizeof(num), "%.*s",
			 (int)(valuelen < 15 ? valuelen : 15), (const char *)value);
		v = strtol(num, &end, 10);
		if (end == num || *end || v < 0 || v > 999)
			v = IS(":status") ? 0 : 2; /* UNKNOWN */
		if (IS(":status"))
			c->http_status = (int)v;
		else
			c->grpc_status = (int)v;
	} else if (IS("grpc-message")) {
		set_grpc_message(c, value, valuelen);
	} else if (IS("content-type")) {
		if (valuelen < 16 || memcmp(value, "application/grpc", 16))
			c->bad_content_type = true;
	}
#undef IS
	return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t stream_id,
			 const uint8_t *data, size_t len, void *user)
{
	struct kzt_grpc_call *c = stream_call(s, stream_id);

	(void)flags;
	(void)user;
	if (!c || c->err)
		return 0;
	if (c->bad_content_type || c->http_status != 200) {
		call_abort(c, EPROTO,
			   "%s: the server answered HTTP %d without gRPC's content-type (is %s:%s istiod's gRPC port?)",
			   c->method, c->http_status, c->g->host, c->g->port);
		return 0;
	}
	call_feed(c, data, len);
	return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *frame, void *user)
{
	struct kzt_grpc *g = user;

	(void)s;
	/* Any frame shows istiod is there: the PING needs no answer now. */
	g->rx_ms = now_ms();
	g->ping_ms = 0;
	if (frame->hd.type == NGHTTP2_GOAWAY) {
		g->goaway = true;
		g->goaway_code = frame->goaway.error_code;
	}
	return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t stream_id,
			   uint32_t error_code, void *user)
{
	struct kzt_grpc_call *c = stream_call(s, stream_id);
	struct kzt_grpc_status st = { .grpc_status = -1, .message = "" };
	char msg[KZT_GRPC_WHY_MAX];

	(void)user;
	if (!c)
		return 0;
	st.grpc_status = c->grpc_status;
	if (c->err) {
		st.err = c->err;
		st.message = c->why;
	} else if (c->grpc_status > 0) {
		st.err = status_errno(c->grpc_status);
		snprintf(msg, sizeof(msg), "%s: istiod answered grpc-status %d (%s): %s",
			 c->method, c->grpc_status,
			 kzt_grpc_status_name(c->grpc_status),
			 c->grpc_message[0] ? c->grpc_message : "(no grpc-message)");
		st.message = msg;
	} else if (c->grpc_status == 0 && (c->prefix_len || c->msg)) {
		st.err = EPROTO;
		snprintf(msg, sizeof(msg), "%s: the call ended inside a message",
			 c->method);
		st.message = msg;
	} else if (c->grpc_status == 0) {
		st.err = 0;
	} else if (error_code != NGHTTP2_NO_ERROR) {
		st.err = error_code == NGHTTP2_REFUSED_STREAM ? EAGAIN : ECONNRESET;
		snprintf(msg, sizeof(msg), "%s: istiod reset the stream (HTTP/2 %s)",
			 c->method, nghttp2_http2_strerror(error_code));
		st.message = msg;
	} else if (c->http_status != 200) {
		st.err = EPROTO;
		snprintf(msg, sizeof(msg),
			 "%s: HTTP status %d without grpc-status (is %s:%s istiod's gRPC port?)",
			 c->method, c->http_status, c->g->host, c->g->port);
		st.message = msg;
	} else {
		st.err = EPROTO;
		snprintf(msg, sizeof(msg), "%s: the call ended without grpc-status",
			 c->method);
		st.message = msg;
	}
	call_finish(c, &st);
	return 0;
}

/* The request body: the queued messages, then END_STREAM once asked. */
static ssize_t data_read(nghttp2_session *s, int32_t stream_id, uint8_t *buf,
			 size_t length, uint32_t *data_flags,
			 nghttp2_data_source *source, void *user)
{
	struct kzt_grpc_call *c = source->ptr;
	size_t n = 0, k;

	(void)s;
	(void)stream_id;
	(void)user;
	while (n < length && c->sq_head) {
		struct sendbuf *b = c->sq_head;

		k = b->len - b->off;
		if (k > length - n)
			k = length - n;
		memcpy(buf + n, b->data + b->off, k);
		b->off += k;
		n += k;
		if (b->off == b->len) {
			c->sq_head = b->next;
			if (!c->sq_head)
				c->sq_tail = NULL;
			free(b);
		}
	}
	if (!c->sq_head) {
		if (c->send_end) {
			*data_flags |= NGHTTP2_DATA_FLAG_EOF;
		} else if (!n) {
			c->deferred = true;
			return NGHTTP2_ERR_DEFERRED;
		}
	}
	return (ssize_t)n;
}

/* ------------------------------------------------------------------ */
/* The connection */

static void conn_fail(struct kzt_grpc *g, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The connection is over: every call ends with @err; no more I/O. */
static void conn_fail(struct kzt_grpc *g, int err, const char *fmt, ...)
{
	struct kzt_grpc_status st = { .err = err, .grpc_status = -1 };
	va_list ap;

	if (g->state == GRPC_FAILED)
		return;
	g->state = GRPC_FAILED;
	g->err = err;
	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
	st.message = g->why;
	while (g->calls)
		call_finish(g->calls, &st);
}

static char *dup_opt(const char *s, bool *bad)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*bad = true;
	return d;
}

static void conn_release(struct kzt_grpc *g)
{
	if (g->h2)
		nghttp2_session_del(g->h2);
	if (g->ssl)
		SSL_free(g->ssl);
	if (g->ctx)
		SSL_CTX_free(g->ctx);
	if (g->fd >= 0)
		close(g->fd);
	free(g->out);
	free(g->host);
	free(g->port);
	free(g->server_name);
	free(g->authority);
	free(g->root_cert);
	free(g->token_file);
	free(g->cluster_id);
	free(g);
}

static int session_new(struct kzt_grpc *g)
{
	nghttp2_session_callbacks *cbs;
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW },
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100 },
	};
	int ret;

	if (nghttp2_session_callbacks_new(&cbs))
		return ENOMEM;
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	ret = nghttp2_session_client_new(&g->h2, cbs, g);
	nghttp2_session_callbacks_del(cbs);
	if (ret)
		return ENOMEM;
	if (nghttp2_submit_settings(g->h2, NGHTTP2_FLAG_NONE, iv,
				    sizeof(iv) / sizeof(iv[0])) ||
	    nghttp2_session_set_local_window_size(g->h2, NGHTTP2_FLAG_NONE, 0,
						  CONN_WINDOW))
		return ENOMEM;
	return 0;
}

static int ctx_new(struct kzt_grpc *g, char *why, size_t why_len)
{
	static const unsigned char alpn[] = "\x02h2";
	char reason[256];

	g->ctx = SSL_CTX_new(TLS_client_method());
	if (!g->ctx) {
		set_why(why, why_len, "TLS context: %s",
			ssl_reason(reason, sizeof(reason), "out of memory"));
		return ENOMEM;
	}
	SSL_CTX_set_min_proto_version(g->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(g->ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(g->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_set_alpn_protos(g->ctx, alpn, sizeof(alpn) - 1)) {
		set_why(why, why_len, "TLS: cannot offer ALPN h2");
		return ENOMEM;
	}
	if (SSL_CTX_load_verify_locations(g->ctx, g->root_cert, NULL) != 1) {
		int err = access(g->root_cert, R_OK) ? errno : EINVAL;

		set_why(why, why_len,
			"cannot load the root certificate(s) to trust istiod from %s: %s",
			g->root_cert, err == EINVAL ?
			ssl_reason(reason, sizeof(reason), "no PEM certificate") :
			strerror(err));
		ERR_clear_error();
		return err;
	}
	return 0;
}

/**
 * kzt_grpc_new() - a client for one connection, not yet connected.
 * @conf: where and how; the strings are copied
 * @out: the client, to free with kzt_grpc_free()
 * @why: the reason on failure (may be NULL)
 * @why_len: its size
 *
 * Loads the root file now, so that a wrong path is reported at once.
 *
 * @retval 0 @out set
 * @retval EINVAL host, port or root_cert missing, or msg_max over
 *	KZT_GRPC_MSG_CEILING
 * @retval ENOENT, EACCES, EINVAL the root file cannot be read or has no
 *	certificate
 * @retval ENOMEM out of memory
 */
int kzt_grpc_new(const struct kzt_grpc_conf *conf, struct kzt_grpc **out,
		 char *why, size_t why_len)
{
	struct kzt_grpc *g;
	bool bad = false;
	int ret;

	*out = NULL;
	if (!conf->host || !conf->port || !conf->root_cert ||
	    !*conf->host || !*conf->port) {
		set_why(why, why_len, "istiod client: host, port and root certificate file are needed");
		return EINVAL;
	}
	if (conf->msg_max > KZT_GRPC_MSG_CEILING) {
		set_why(why, why_len, "istiod client: message limit %u over the ceiling of %u bytes",
			conf->msg_max, KZT_GRPC_MSG_CEILING);
		return EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		set_why(why, why_len, "out of memory");
		return ENOMEM;
	}
	g->fd = -1;
	g->host = dup_opt(conf->host, &bad);
	g->port = dup_opt(conf->port, &bad);
	g->server_name = dup_opt(conf->server_name ? conf->server_name : conf->host, &bad);
	if (conf->authority) {
		g->authority = dup_opt(conf->authority, &bad);
	} else if (asprintf(&g->authority, "%s:%s", conf->host, conf->port) < 0) {
		g->authority = NULL;
		bad = true;
	}
	g->root_cert = dup_opt(conf->root_cert, &bad);
	g->token_file = dup_opt(conf->token_file, &bad);
	g->cluster_id = dup_opt(conf->cluster_id, &bad);
	g->conf = *conf;
	g->conf.msg_max = conf->msg_max ? conf->msg_max : KZT_GRPC_MSG_MAX_DEFAULT;
	if (!g->conf.timeout_ms)
		g->conf.timeout_ms = KZT_GRPC_TIMEOUT_DEFAULT_MS;
	g->out = malloc(OUT_GATHER);
	g->out_cap = OUT_GATHER;
	if (bad || !g->out) {
		conn_release(g);
		set_why(why, why_len, "out of memory");
		return ENOMEM;
	}
	ret = ctx_new(g, why, why_len);
	if (!ret) {
		ret = session_new(g);
		if (ret)
			set_why(why, why_len, "HTTP/2 session: out of memory");
	}
	if (ret) {
		conn_release(g);
		return ret;
	}
	*out = g;
	return 0;
}

/**
 * kzt_grpc_connect() - resolve istiod's name and start connecting.
 * @g: a new client
 *
 * getaddrinfo() blocks for the resolution; the TCP connection and the TLS
 * handshake then go on in kzt_grpc_on_ready().
 *
 * @retval 0 connecting: wait for kzt_grpc_events() on kzt_grpc_fd()
 * @retval EALREADY already connected or connecting
 * @retval ENOENT the name does not resolve (kzt_grpc_why() says how)
 * @retval other errno of socket() or connect(); the client failed
 */
int kzt_grpc_connect(struct kzt_grpc *g)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_ADDRCONFIG,
	};
	struct addrinfo *res;
	int fd, ret, one = 1;

	if (g->state != GRPC_NEW)
		return g->state == GRPC_FAILED ? g->err : EALREADY;
	g->start_ms = now_ms();
	ret = getaddrinfo(g->host, g->port, &hints, &res);
	if (ret) {
		conn_fail(g, ENOENT, "cannot resolve istiod's address %s port %s: %s",
			  g->host, g->port, gai_strerror(ret));
		return ENOENT;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = errno;
		freeaddrinfo(res);
		conn_fail(g, ret, "socket for istiod: %s", strerror(ret));
		return ret;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g->fd = fd;
	ret = connect(fd, res->ai_addr, res->ai_addrlen) ? errno : 0;
	freeaddrinfo(res);
	if (ret && ret != EINPROGRESS) {
		conn_fail(g, ret, "connect to istiod at %s:%s: %s", g->host,
			  g->port, strerror(ret));
		return ret;
	}
	g->state = GRPC_CONNECTING;
	return 0;
}

/**
 * kzt_grpc_fd() - the socket to watch.
 * @g: the client
 *
 * @retval the socket, -1 before kzt_grpc_connect()
 */
int kzt_grpc_fd(const struct kzt_grpc *g)
{
	return g->fd;
}

/**
 * kzt_grpc_events() - what the client waits for on kzt_grpc_fd().
 * @g: the client
 *
 * Ask again after kzt_grpc_on_ready() and after starting a call or sending.
 *
 * @retval EPOLLIN and/or EPOLLOUT; 0 when not connecting nor connected
 */
uint32_t kzt_grpc_events(const struct kzt_grpc *g)
{
	switch (g->state) {
	case GRPC_CONNECTING:
		return EPOLLOUT;
	case GRPC_HANDSHAKE:
		return g->hs_events;
	case GRPC_ESTABLISHED:
		return EPOLLIN | ((g->out_len > g->out_off || g->read_wants_write ||
				  nghttp2_session_want_write(g->h2)) ? EPOLLOUT : 0);
	default:
		return 0;
	}
}

/**
 * kzt_grpc_established() - whether the TLS handshake is done.
 * @g: the client
 *
 * @retval 1 established; 0 not yet or failed
 */
int kzt_grpc_established(const struct kzt_grpc *g)
{
	return g->state == GRPC_ESTABLISHED;
}

/**
 * kzt_grpc_why() - why the connection failed, or the last call_start().
 * @g: the client
 *
 * @retval a message for the operator: why the connection failed, else why
 *	the last kzt_grpc_call_start() was refused; "" when neither happened
 */
const char *kzt_grpc_why(const struct kzt_grpc *g)
{
	return g->why;
}

static int start_tls(struct kzt_grpc *g)
{
	struct in6_addr a6;
	bool ip = inet_pton(AF_INET, g->server_name, &a6) == 1 ||
		  inet_pton(AF_INET6, g->server_name, &a6) == 1;

	g->ssl = SSL_new(g->ctx);
	if (!g->ssl || !SSL_set_fd(g->ssl, g->fd) ||
	    (!ip && !SSL_set_tlsext_host_name(g->ssl, g->server_name)) ||
	    !SSL_set1_host(g->ssl, g->server_name)) {
		conn_fail(g, ENOMEM, "TLS to istiod: cannot set up the session");
		return ENOMEM;
	}
	SSL_set_hostflags(g->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	g->state = GRPC_HANDSHAKE;
	return 0;
}

static int handshake(struct kzt_grpc *g)
{
	const unsigned char *proto;
	unsigned int proto_len;
	char reason[256];
	long vr;
	int r, e;

	ERR_clear_error();
	r = SSL_connect(g->ssl);
	if (r != 1) {
		e = SSL_get_error(g->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			g->hs_events = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
			return 0;
		}
		vr = SSL_get_verify_result(g->ssl);
		if (vr != X509_V_OK) {
			conn_fail(g, EACCES,
				  "istiod's certificate at %s:%s does not verify as %s against %s: %s",
				  g->host, g->port, g->server_name, g->root_cert,
				  X509_verify_cert_error_string(vr));
			ERR_clear_error();
			return EACCES;
		}
		if (e == SSL_ERROR_SYSCALL && !ERR_peek_error()) {
			int err = errno ? errno : ECONNRESET;

			conn_fail(g, err, "TLS handshake with istiod at %s:%s: %s",
				  g->host, g->port,
				  errno ? strerror(errno) : "connection closed");
			return err;
		}
		conn_fail(g, EPROTO, "TLS handshake with istiod at %s:%s: %s",
			  g->host, g->port,
			  ssl_reason(reason, sizeof(reason), "failed"));
		return EPROTO;
	}
	SSL_get0_alpn_selected(g->ssl, &proto, &proto_len);
	if (proto_len != 2 || memcmp(proto, "h2", 2)) {
		conn_fail(g, EPROTO,
			  "istiod at %s:%s did not agree to HTTP/2 (ALPN h2): not a gRPC port?",
			  g->host, g->port);
		return EPROTO;
	}
	g->state = GRPC_ESTABLISHED;
	g->rx_ms = now_ms();
	return 0;
}

/* Whatever TLS has for us, into nghttp2. */
static int do_read(struct kzt_grpc *g)
{
	uint8_t buf[READ_CHUNK];
	char reason[256];
	ssize_t rv;
	int n, e;

	for (;;) {
		ERR_clear_error();
		n = SSL_read(g->ssl, buf, sizeof(buf));
		if (n > 0) {
			rv = nghttp2_session_mem_recv(g->h2, buf, (size_t)n);
			if (rv < 0) {
				conn_fail(g, EPROTO, "HTTP/2 from istiod: %s",
					  nghttp2_strerror((int)rv));
				return EPROTO;
			}
			if (g->state != GRPC_ESTABLISHED)
				return g->err;
			continue;
		}
		e = SSL_get_error(g->ssl, n);
		g->read_wants_write = e == SSL_ERROR_WANT_WRITE;
		switch (e) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			return 0;
		case SSL_ERROR_ZERO_RETURN:
			conn_fail(g, ECONNRESET, "istiod at %s:%s closed the connection",
				  g->host, g->port);
			return ECONNRESET;
		case SSL_ERROR_SYSCALL:
			if (!ERR_peek_error()) {
				int err = errno ? errno : ECONNRESET;

				conn_fail(g, err, "connection to istiod at %s:%s: %s",
					  g->host, g->port,
					  errno ? strerror(errno) : "closed without TLS close_notify");
				return err;
			}
			/* fall through */
		default:
			conn_fail(g, EPROTO, "TLS from istiod: %s",
				  ssl_reason(reason, sizeof(reason), "failed"));
			return EPROTO;
		}
	}
}

/* nghttp2's frames out through TLS, until TLS would block. */
static int do_write(struct kzt_grpc *g)
{
	char reason[256];
	const uint8_t *data;
	ssize_t len;
	int n, e;

	for (;;) {
		/* Gather frames while the buffer is empty or filling. */
		while (g->out_off == 0 && g->out_len < OUT_GATHER) {
			len = nghttp2_session_mem_send(g->h2, &data);
			if (len < 0) {
				conn_fail(g, EPROTO, "HTTP/2 to istiod: %s",
					  nghttp2_strerror((int)len));
				return EPROTO;
			}
			if (len == 0)
				break;
			if ((size_t)len > g->out_cap - g->out_len) {
				/* A frame bigger than the buffer's room: grow it. */
				size_t cap = g->out_len + (size_t)len;
				uint8_t *o = realloc(g->out, cap);

				if (!o) {
					conn_fail(g, ENOMEM, "HTTP/2 to istiod: out of memory");
					return ENOMEM;
				}
				g->out = o;
				g->out_cap = cap;
			}
			memcpy(g->out + g->out_len, data, (size_t)len);
			g->out_len += (size_t)len;
		}
		if (g->out_off == g->out_len) {
			g->out_off = g->out_len = 0;
			return 0;
		}
		ERR_clear_error();
		n = SSL_write(g->ssl, g->out + g->out_off,
			      (int)(g->out_len - g->out_off));
		if (n > 0) {
			g->out_off += (size_t)n;
			if (g->out_off == g->out_len)
				g->out_off = g->out_len = 0;
			continue;
		}
		e = SSL_get_error(g->ssl, n);
		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
			return 0;
		if (e == SSL_ERROR_SYSCALL && !ERR_peek_error()) {
			int err = errno ? errno : ECONNRESET;

			conn_fail(g, err, "connection to istiod at %s:%s: %s",
				  g->host, g->port, strerror(err));
			return err;
		}
		conn_fail(g, EPROTO, "TLS to istiod: %s",
			  ssl_reason(reason, sizeof(reason), "failed"));
		return EPROTO;
	}
}

/**
 * kzt_grpc_on_ready() - do the I/O the socket is ready for.
 * @g: the client
 * @events: what epoll reported (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP)
 *
 * Runs the connection as far as it goes without blocking: connect, TLS
 * handshake, then the frames both ways, calling the calls' callbacks.
 *
 * @retval 0 going on: wait for kzt_grpc_events() again
 * @retval other positive errno: the connection failed, every call ended
 *	with it, kzt_grpc_why() says why; e.g. ECONNREFUSED, EACCES (istiod's
 *	certificate), EPROTO (no h2, bad HTTP/2), ECONNRESET (closed)
 */
int kzt_grpc_on_ready(struct kzt_grpc *g, uint32_t events)
{
	int ret = 0;
	socklen_t len = sizeof(ret);

	switch (g->state) {
	case GRPC_NEW:
		return EINVAL;
	case GRPC_FAILED:
		return g->err;
	case GRPC_CONNECTING:
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return 0;
		if (getsockopt(g->fd, SOL_SOCKET, SO_ERROR, &ret, &len))
			ret = errno;
		if (ret) {
			conn_fail(g, ret, "connect to istiod at %s:%s: %s",
				  g->host, g->port, strerror(ret));
			return ret;
		}
		ret = start_tls(g);
		if (ret)
			return ret;
		/* fall through */
	case GRPC_HANDSHAKE:
		ret = handshake(g);
		if (ret || g->state != GRPC_ESTABLISHED)
			return ret;
		/* fall through */
	case GRPC_ESTABLISHED:
		break;
	}
	/* Reads first: the answers free window and may queue ACKs to write. */
	ret = do_read(g);
	if (!ret)
		ret = do_write(g);
	if (ret)
		return ret;
	if (!nghttp2_session_want_read(g->h2) && !nghttp2_session_want_write(g->h2) &&
	    g->out_len == g->out_off) {
		conn_fail(g, ECONNRESET, "istiod at %s:%s ended the HTTP/2 session (GOAWAY %s)",
			  g->host, g->port,
			  g->goaway ? nghttp2_http2_strerror(g->goaway_code) : "sent");
		return ECONNRESET;
	}
	return 0;
}

/**
 * kzt_grpc_tick() - the deadlines: connecting, and istiod's liveness.
 * @g: the client
 *
 * Call at least every kzt_grpc_tick_ms(), then ask kzt_grpc_events()
 * again (a PING may be queued). A connection not established within
 * timeout_ms fails; with keepalive_ms, a PING is sent after that long
 * without a frame from istiod, and a connection where nothing comes back
 * within timeout_ms fails: a peer gone without a reset (a node lost, a
 * NAT entry expired) is noticed.
 *
 * @retval 0 going on
 * @retval ETIMEDOUT the connection failed (every call ended with it)
 * @retval other the connection had failed before, with it
 */
int kzt_grpc_tick(struct kzt_grpc *g)
{
	uint64_t now = now_ms();

	switch (g->state) {
	case GRPC_CONNECTING:
	case GRPC_HANDSHAKE:
		if (now - g->start_ms < g->conf.timeout_ms)
			return 0;
		conn_fail(g, ETIMEDOUT,
			  "no %s with istiod at %s:%s within %u ms",
			  g->state == GRPC_CONNECTING ? "TCP connection" : "TLS handshake",
			  g->host, g->port, g->conf.timeout_ms);
		return ETIMEDOUT;
	case GRPC_ESTABLISHED:
		if (g->ping_ms) {
			if (now - g->ping_ms < g->conf.timeout_ms)
				return 0;
			conn_fail(g, ETIMEDOUT,
				  "istiod at %s:%s did not answer a PING within %u ms: connection lost",
				  g->host, g->port, g->conf.timeout_ms);
			return ETIMEDOUT;
		}
		if (g->conf.keepalive_ms && now - g->rx_ms >= g->conf.keepalive_ms) {
			if (nghttp2_submit_ping(g->h2, NGHTTP2_FLAG_NONE, NULL)) {
				conn_fail(g, ENOMEM, "HTTP/2 PING to istiod: out of memory");
				return ENOMEM;
			}
			g->ping_ms = now;
		}
		return 0;
	case GRPC_FAILED:
		return g->err;
	default:
		return 0;
	}
}

/**
 * kzt_grpc_tick_ms() - how soon kzt_grpc_tick() wants to run.
 * @g: the client
 *
 * @retval milliseconds (0: now), or -1 when no deadline is pending (an
 *	epoll_wait() timeout)
 */
int kzt_grpc_tick_ms(const struct kzt_grpc *g)
{
	uint64_t now = now_ms(), due;

	switch (g->state) {
	case GRPC_CONNECTING:
	case GRPC_HANDSHAKE:
		due = g->start_ms + g->conf.timeout_ms;
		break;
	case GRPC_ESTABLISHED:
		if (g->ping_ms)
			due = g->ping_ms + g->conf.timeout_ms;
		else if (g->conf.keepalive_ms)
			due = g->rx_ms + g->conf.keepalive_ms;
		else
			return -1;
		break;
	default:
		return -1;
	}
	return due <= now ? 0 : (int)(due - now);
}

/**
 * kzt_grpc_free() - close the connection; no callback is called.
 * @g: the client (NULL: nothing)
 */
void kzt_grpc_free(struct kzt_grpc *g)
{
	if (!g)
		return;
	while (g->calls) {
		g->calls->ops = NULL;
		call_unlink_free(g->calls);
	}
	if (g->ssl && g->state == GRPC_ESTABLISHED)
		SSL_shutdown(g->ssl);	/* close_notify, best effort */
	conn_release(g);
}

/* The token file's contents, trailing white space removed. */
static int read_token(struct kzt_grpc *g, char **token, char *why, size_t why_len)
{
	char *buf;
	ssize_t n;
	size_t len = 0, i;
	int fd, err;

	fd = open(g->token_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		set_why(why, why_len, "cannot read istiod's token from %s: %s",
			g->token_file, strerror(err));
		return err;
	}
	buf = malloc(KZT_GRPC_TOKEN_MAX + 1);
	if (!buf) {
		close(fd);
		set_why(why, why_len, "out of memory");
		return ENOMEM;
	}
	while (len <= KZT_GRPC_TOKEN_MAX) {
		n = read(fd, buf + len, KZT_GRPC_TOKEN_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			close(fd);
			free(buf);
			set_why(why, why_len, "cannot read istiod's token from %s: %s",
				g->token_file, strerror(err));
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > KZT_GRPC_TOKEN_MAX) {
		free(buf);
		set_why(why, why_len, "istiod's token in %s is over %u bytes",
			g->token_file, KZT_GRPC_TOKEN_MAX);
		return EFBIG;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
		       buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	if (!len) {
		free(buf);
		set_why(why, why_len, "istiod's token file %s is empty", g->token_file);
		return ENODATA;
	}
	for (i = 0; i < len; i++) {
		if (buf[i] < 0x20 || buf[i] > 0x7e) {
			set_why(why, why_len,
				"istiod's token in %s has a byte 0x%02x at %zu that a header cannot carry",
				g->token_file, (unsigned char)buf[i], i);
			free(buf);
			return EINVAL;
		}
	}
	*token = buf;
	return 0;
}

#define NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), \
		   NGHTTP2_NV_FLAG_NO_COPY_NAME }

/**
 * kzt_grpc_call_start() - open a call (an HTTP/2 stream) on @path.
 * @g: the client, connecting or connected
 * @path: "/package.Service/Method"
 * @ops: the callbacks, kept by reference
 * @arg: passed to them
 * @out: the call
 *
 * The headers are queued now, with the token file read afresh (a rotated
 * token is used by the next call); send with kzt_grpc_call_send().
 *
 * @retval 0 @out set; @ops->on_close will be called exactly once, unless
 *	kzt_grpc_call_cancel()
 * @retval ENOENT, EACCES, ENODATA, EFBIG, EINVAL the token file cannot be
 *	read, is empty, too big or not a header value (kzt_grpc_why())
 * @retval EAGAIN no stream ID left on this connection: make another
 * @retval ENOMEM out of memory
 * @retval other the connection failed with it
 */
int kzt_grpc_call_start(struct kzt_grpc *g, const char *path,
			const struct kzt_grpc_call_ops *ops, void *arg,
			struct kzt_grpc_call **out)
{
	char *token = NULL, *bearer = NULL;
	nghttp2_data_provider prd;
	struct kzt_grpc_call *c;
	nghttp2_nv nv[10] = {
		NV(":method", "POST"),
		NV(":scheme", "https"),
		NV(":path", path),
		NV(":authority", g->authority),
		NV("content-type", "application/grpc"),
		NV("te", "trailers"),
		NV("user-agent", "kztd/" KZT_VERSION),
	};
	size_t nvlen = 7;
	const char *m;
	int32_t id;
	int ret;

	*out = NULL;
	if (g->state == GRPC_FAILED)
		return g->err;
	if (g->token_file) {
		ret = read_token(g, &token, g->why, sizeof(g->why));
		if (ret)
			return ret;
		if (asprintf(&bearer, "Bearer %s", token) < 0) {
			free(token);
			return ENOMEM;
		}
		free(token);
		nv[nvlen++] = (nghttp2_nv)NV("authorization", bearer);
	}
	if (g->cluster_id)
		nv[nvlen++] = (nghttp2_nv)NV("clusterid", g->cluster_id);
	c = calloc(1, sizeof(*c));
	if (!c) {
		free(bearer);
		return ENOMEM;
	}
	m = strrchr(path, '/');
	c->method = m ? m + 1 : path;
	c->g = g;
	c->ops = ops;
	c->arg = arg;
	c->grpc_status = -1;
	prd.source.ptr = c;
	prd.read_callback = data_read;
	/* nghttp2 copies the header values (no NO_COPY_VALUE). */
	id = nghttp2_submit_request(g->h2, NULL, nv, nvlen, &prd, c);
	free(bearer);
	if (id < 0) {
		free(c);
		return id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE ? EAGAIN : ENOMEM;
	}
	c->stream_id = id;
	c->next = g->calls;
	if (g->calls)
		g->calls->prev = c;
	g->calls = c;
	*out = c;
	return 0;
}

static void call_resume(struct kzt_grpc_call *c)
{
	if (c->deferred) {
		c->deferred = false;
		nghttp2_session_resume_data(c->g->h2, c->stream_id);
	}
}

/**
 * kzt_grpc_call_send() - queue one message on @call.
 * @call: an open call
 * @msg: the message, packed now
 *
 * @retval 0 queued (then ask kzt_grpc_events())
 * @retval EPIPE kzt_grpc_call_send_end() was called
 * @retval EMSGSIZE the message is over the client's msg_max
 * @retval ENOMEM out of memory
 */
int kzt_grpc_call_send(struct kzt_grpc_call *call, const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	struct sendbuf *b;

	if (call->send_end)
		return EPIPE;
	if (len > call->g->conf.msg_max)
		return EMSGSIZE;
	b = malloc(sizeof(*b) + GRPC_PREFIX + len);
	if (!b)
		return ENOMEM;
	b->next = NULL;
	b->off = 0;
	b->len = GRPC_PREFIX + len;
	b->data[0] = 0;		/* not compressed */
	b->data[1] = (uint8_t)(len >> 24);
	b->data[2] = (uint8_t)(len >> 16);
	b->data[3] = (uint8_t)(len >> 8);
	b->data[4] = (uint8_t)len;
	protobuf_c_message_pack(msg, b->data + GRPC_PREFIX);
	if (call->sq_tail)
		call->sq_tail->next = b;
	else
		call->sq_head = b;
	call->sq_tail = b;
	call_resume(call);
	return 0;
}

/**
 * kzt_grpc_call_send_end() - half-close: no more messages from us.
 * @call: an open call (unary: after its one message)
 *
 * @retval 0 always
 */
int kzt_grpc_call_send_end(struct kzt_grpc_call *call)
{
	call->send_end = true;
	call_resume(call);
	return 0;
}

/**
 * kzt_grpc_call_cancel() - end @call now (RST_STREAM CANCEL), silently.
 * @call: an open call
 *
 * Its callbacks are not called again; the handle is freed when the stream
 * closes (or with the client) and must not be used after this.
 */
void kzt_grpc_call_cancel(struct kzt_grpc_call *call)
{
	call->ops = NULL;
	call_abort(call, ECANCELED, "cancelled");
}
