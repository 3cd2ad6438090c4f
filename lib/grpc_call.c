// SPDX-License-Identifier: GPL-2.0
/*
 * gRPC client for istiod, the calls: one HTTP/2 stream each, its request
 * headers (with the token read afresh), gRPC's 5-byte framing both ways,
 * and how it ended (grpc-status, grpc-message) as an errno and a message.
 * The connection is grpc_conn.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grpc_priv.h"

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

/* ------------------------------------------------------------------ */
/* Calls */

/**
 * kzt_grpc_call_free() - unlink @c from its client and free it, silently.
 * @c: a call
 */
void kzt_grpc_call_free(struct kzt_grpc_call *c)
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

/**
 * kzt_grpc_call_finish() - end @c towards its owner (once) and free it.
 * @c: a call
 * @st: how it ended, for on_close (unless the call was cancelled)
 */
void kzt_grpc_call_finish(struct kzt_grpc_call *c, const struct kzt_grpc_status *st)
{
	const struct kzt_grpc_call_ops *ops = c->ops;

	c->ops = NULL;
	if (c->g->h2 && c->stream_id > 0)
		nghttp2_session_set_stream_user_data(c->g->h2, c->stream_id, NULL);
	if (ops && ops->on_close)
		ops->on_close(c, st, c->arg);
	kzt_grpc_call_free(c);
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
/* nghttp2 callbacks of a stream */

static struct kzt_grpc_call *stream_call(nghttp2_session *s, int32_t id)
{
	return nghttp2_session_get_stream_user_data(s, id);
}

/**
 * kzt_grpc_on_header() - nghttp2: one header of a response or its trailers.
 * @s: the session
 * @frame: the HEADERS frame
 * @name: the header's name
 * @namelen: its length
 * @value: its value
 * @valuelen: its length
 * @flags: unused
 * @user: the client
 *
 * Keeps :status, content-type, grpc-status and grpc-message of the call.
 *
 * @retval 0 always (nghttp2 goes on)
 */
int kzt_grpc_on_header(nghttp2_session *s, const nghttp2_frame *frame,
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

/**
 * kzt_grpc_on_data_chunk() - nghttp2: a piece of a response's DATA.
 * @s: the session
 * @flags: unused
 * @stream_id: the call's stream
 * @data: the bytes
 * @len: how many
 * @user: the client
 *
 * Refused (the call ended with EPROTO) from a server that is not gRPC;
 * otherwise reassembled into messages.
 *
 * @retval 0 always (nghttp2 goes on; a bad call is reset by itself)
 */
int kzt_grpc_on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t stream_id,
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

/**
 * kzt_grpc_on_stream_close() - nghttp2: a call's stream is closed.
 * @s: the session
 * @stream_id: the stream
 * @error_code: the RST_STREAM's code, NGHTTP2_NO_ERROR without one
 * @user: the client
 *
 * Ends the call (kzt_grpc_call_finish()) with what it came to: our own
 * reason, istiod's grpc-status, or what was wrong with the exchange.
 *
 * @retval 0 always
 */
int kzt_grpc_on_stream_close(nghttp2_session *s, int32_t stream_id,
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
	kzt_grpc_call_finish(c, &st);
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
		kzt_grpc_set_why(why, why_len, "cannot read istiod's token from %s: %s",
			g->token_file, strerror(err));
		return err;
	}
	buf = malloc(KZT_GRPC_TOKEN_MAX + 1);
	if (!buf) {
		close(fd);
		kzt_grpc_set_why(why, why_len, "out of memory");
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
			kzt_grpc_set_why(why, why_len, "cannot read istiod's token from %s: %s",
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
		kzt_grpc_set_why(why, why_len, "istiod's token in %s is over %u bytes",
			g->token_file, KZT_GRPC_TOKEN_MAX);
		return EFBIG;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
		       buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	if (!len) {
		free(buf);
		kzt_grpc_set_why(why, why_len, "istiod's token file %s is empty", g->token_file);
		return ENODATA;
	}
	for (i = 0; i < len; i++) {
		if (buf[i] < 0x20 || buf[i] > 0x7e) {
			kzt_grpc_set_why(why, why_len,
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
