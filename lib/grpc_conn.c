// SPDX-License-Identifier: GPL-2.0
/*
 * gRPC client for istiod, the connection: TCP, TLS, one nghttp2 client
 * session and the deadlines. The calls on it are grpc_call.c's. See grpc.h
 * for the contract with the event loop and Documentation/istio.rst for the
 * wire.
 *
 * Data flows: the socket -> SSL_read() -> nghttp2_session_mem_recv() ->
 * the per-stream callbacks (grpc_call.c); and nghttp2_session_mem_send()
 * -> the connection's output buffer -> SSL_write(). Flow control
 * (WINDOW_UPDATE) is nghttp2's: it credits the window as the chunks are
 * consumed, and every chunk is consumed at once (copied into the message
 * being reassembled, which msg_max bounds).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "grpc_priv.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * kzt_grpc_set_why() - format a reason into @why, if there is one.
 * @why: the buffer, or NULL
 * @why_len: its size
 * @fmt: printf format
 */
void kzt_grpc_set_why(char *why, size_t why_len, const char *fmt, ...)
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

/* ------------------------------------------------------------------ */
/* The name, resolved off the caller's loop */

/*
 * One resolution, shared by the client and a detached thread that runs
 * getaddrinfo(), which blocks for the resolver's timeouts (5 s x attempts
 * by default) when no name server answers: the caller's loop must not. The
 * thread wakes the loop through a socket pair; whichever of the two drops
 * the last reference frees it, so a client freed while the thread runs
 * leaks nothing and the thread touches nothing of the client's.
 */
struct grpc_resolve {
	atomic_int refs;		/* the client's and the thread's */
	int wfd;			/* the thread's end of the pair */
	char *host, *port;		/* the thread's own copies */
	/* Written by the thread before it sends its byte. */
	int gai;			/* getaddrinfo()'s return */
	struct addrinfo *res;		/* its addresses, while not taken */
};

static void resolve_put(struct grpc_resolve *r)
{
	if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (r->res)
		freeaddrinfo(r->res);
	free(r->host);
	free(r->port);
	free(r);
}

static void *resolve_thread(void *arg)
{
	struct grpc_resolve *r = arg;
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_ADDRCONFIG,
	};
	char done = 1;

	r->gai = getaddrinfo(r->host, r->port, &hints, &r->res);
	if (r->gai)
		r->res = NULL;
	/*
	 * Wake the loop; the byte orders gai and res before the client's
	 * recv(). EPIPE when the client is gone: nobody to tell, and
	 * MSG_NOSIGNAL: no SIGPIPE, whatever the program's disposition.
	 */
	send(r->wfd, &done, 1, MSG_NOSIGNAL);
	close(r->wfd);
	resolve_put(r);
	return NULL;
}

/* Start the thread; on success the client is RESOLVING on the pair's end. */
static int resolve_start(struct kzt_grpc *g)
{
	struct grpc_resolve *r;
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int sv[2], ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->host = strdup(g->host);
	r->port = strdup(g->port);
	if (!r->host || !r->port) {
		ret = ENOMEM;
		goto free_r;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv)) {
		ret = errno;
		goto free_r;
	}
	r->wfd = sv[1];
	atomic_init(&r->refs, 2);
	ret = pthread_attr_init(&attr);
	if (ret)
		goto close_sv;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Signals are the loop's (kztd's signalfd): none for the thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&t, &attr, resolve_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret)
		goto close_sv;
	g->resolve = r;
	g->fd = sv[0];
	g->state = GRPC_RESOLVING;
	return 0;
close_sv:
	close(sv[0]);
	close(sv[1]);
free_r:
	free(r->host);
	free(r->port);
	free(r);
	return ret;
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
		kzt_grpc_call_finish(g->calls, &st);
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
	if (g->resolve)
		resolve_put(g->resolve);	/* the thread may still run */
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
	nghttp2_session_callbacks_set_on_header_callback(cbs, kzt_grpc_on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, kzt_grpc_on_data_chunk);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, kzt_grpc_on_stream_close);
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
		kzt_grpc_set_why(why, why_len, "TLS context: %s",
			ssl_reason(reason, sizeof(reason), "out of memory"));
		return ENOMEM;
	}
	SSL_CTX_set_min_proto_version(g->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(g->ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(g->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_set_alpn_protos(g->ctx, alpn, sizeof(alpn) - 1)) {
		kzt_grpc_set_why(why, why_len, "TLS: cannot offer ALPN h2");
		return ENOMEM;
	}
	if (SSL_CTX_load_verify_locations(g->ctx, g->root_cert, NULL) != 1) {
		int err = access(g->root_cert, R_OK) ? errno : EINVAL;

		kzt_grpc_set_why(why, why_len,
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
		kzt_grpc_set_why(why, why_len, "istiod client: host, port and root certificate file are needed");
		return EINVAL;
	}
	if (conf->msg_max > KZT_GRPC_MSG_CEILING) {
		kzt_grpc_set_why(why, why_len, "istiod client: message limit %u over the ceiling of %u bytes",
			conf->msg_max, KZT_GRPC_MSG_CEILING);
		return EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		kzt_grpc_set_why(why, why_len, "out of memory");
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
		kzt_grpc_set_why(why, why_len, "out of memory");
		return ENOMEM;
	}
	ret = ctx_new(g, why, why_len);
	if (!ret) {
		ret = session_new(g);
		if (ret)
			kzt_grpc_set_why(why, why_len, "HTTP/2 session: out of memory");
	}
	if (ret) {
		conn_release(g);
		return ret;
	}
	*out = g;
	return 0;
}

/* A socket to @res's first address, connecting; the client CONNECTING. */
static int connect_addr(struct kzt_grpc *g, const struct addrinfo *res)
{
	int fd, ret, one = 1;

	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = errno;
		conn_fail(g, ret, "socket for istiod: %s", strerror(ret));
		return ret;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g->fd = fd;
	ret = connect(fd, res->ai_addr, res->ai_addrlen) ? errno : 0;
	if (ret && ret != EINPROGRESS) {
		conn_fail(g, ret, "connect to istiod at %s:%s: %s", g->host,
			  g->port, strerror(ret));
		return ret;
	}
	g->state = GRPC_CONNECTING;
	return 0;
}

/**
 * kzt_grpc_connect() - start connecting: resolve istiod's name, then TCP.
 * @g: a new client
 *
 * An address literal is connected to at once. A name is resolved by a
 * thread (getaddrinfo() blocks for as long as the resolver waits): the
 * client is then resolving, kzt_grpc_fd() is the end of a socket pair that
 * becomes readable when the answer is in, and kzt_grpc_on_ready() goes on
 * to connect. Either way the TCP connection and the TLS handshake go on in
 * kzt_grpc_on_ready(), all within timeout_ms (kzt_grpc_tick()).
 *
 * @retval 0 resolving or connecting: wait for kzt_grpc_events() on
 *	kzt_grpc_fd()
 * @retval EALREADY already connected or connecting
 * @retval other errno of socket() or connect() to an address literal, or
 *	of starting the resolution (ENOMEM, EAGAIN); the client failed
 */
int kzt_grpc_connect(struct kzt_grpc *g)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST,
	};
	struct addrinfo *res;
	int ret;

	if (g->state != GRPC_NEW)
		return g->state == GRPC_FAILED ? g->err : EALREADY;
	g->start_ms = now_ms();
	/*
	 * An address literal is used as written: AI_ADDRCONFIG counts no
	 * loopback address, so it would refuse 127.0.0.1 in a namespace
	 * whose only address is loopback's. It never blocks.
	 */
	ret = getaddrinfo(g->host, g->port, &hints, &res);
	if (ret == EAI_NONAME) {
		ret = resolve_start(g);
		if (ret)
			conn_fail(g, ret, "cannot start resolving istiod's address %s: %s",
				  g->host, strerror(ret));
		return ret;
	}
	if (ret) {
		conn_fail(g, ENOENT, "cannot resolve istiod's address %s port %s: %s",
			  g->host, g->port, gai_strerror(ret));
		return ENOENT;
	}
	ret = connect_addr(g, res);
	freeaddrinfo(res);
	return ret;
}

/*
 * The thread's answer, if it is in: connect to the first address. The
 * pair's end is closed after the socket is made, so the socket's number
 * differs from it: the caller sees kzt_grpc_fd() change.
 */
static int resolve_done(struct kzt_grpc *g)
{
	struct grpc_resolve *r = g->resolve;
	struct addrinfo *res;
	int pair = g->fd, gai, ret;
	ssize_t n;
	char done;

	n = recv(pair, &done, 1, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	g->resolve = NULL;
	g->fd = -1;
	if (n != 1) {
		/* Cannot happen: the thread sends before it closes its end. */
		ret = n < 0 ? errno : EPIPE;
		resolve_put(r);
		close(pair);
		conn_fail(g, ret, "resolving istiod's address %s: the resolver's thread ended without an answer",
			  g->host);
		return ret;
	}
	gai = r->gai;
	res = r->res;
	r->res = NULL;
	resolve_put(r);
	if (gai) {
		close(pair);
		conn_fail(g, ENOENT, "cannot resolve istiod's address %s port %s: %s",
			  g->host, g->port, gai_strerror(gai));
		return ENOENT;
	}
	ret = connect_addr(g, res);
	freeaddrinfo(res);
	close(pair);
	return ret;
}

/**
 * kzt_grpc_fd() - the file descriptor to watch.
 * @g: the client
 *
 * While a name resolves, the end of a socket pair; then the TCP socket.
 * It changes once, in the kzt_grpc_on_ready() that ends the resolution,
 * which closes the pair's end (so it leaves an epoll set) before returning.
 *
 * @retval the descriptor, -1 before kzt_grpc_connect() or when a
 *	resolution failed
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
	case GRPC_RESOLVING:
		return EPOLLIN;
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
 * Runs the connection as far as it goes without blocking: the name's
 * answer (then kzt_grpc_fd() is another descriptor), connect, TLS
 * handshake, then the frames both ways, calling the calls' callbacks.
 *
 * @retval 0 going on: wait for kzt_grpc_events() again
 * @retval other positive errno: the connection failed, every call ended
 *	with it, kzt_grpc_why() says why; e.g. ENOENT (the name does not
 *	resolve), ECONNREFUSED, EACCES (istiod's
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
	case GRPC_RESOLVING:
		/* The new socket's EPOLLOUT comes through the loop. */
		return resolve_done(g);
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
 * timeout_ms of kzt_grpc_connect(), the name's resolution included, fails; with keepalive_ms, a PING is sent after that long
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
	case GRPC_RESOLVING:
		if (now - g->start_ms < g->conf.timeout_ms)
			return 0;
		/* The thread ends on its own and frees what it has. */
		conn_fail(g, ETIMEDOUT,
			  "cannot resolve istiod's address %s port %s: the name did not resolve within %u ms (is the DNS server in /etc/resolv.conf reachable?)",
			  g->host, g->port, g->conf.timeout_ms);
		return ETIMEDOUT;
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
	case GRPC_RESOLVING:
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
		kzt_grpc_call_free(g->calls);
	}
	if (g->ssl && g->state == GRPC_ESTABLISHED)
		SSL_shutdown(g->ssl);	/* close_notify, best effort */
	conn_release(g);
}
