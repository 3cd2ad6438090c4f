// SPDX-License-Identifier: GPL-2.0
/*
 * lib/grpc_*.c against a server made here, in the same loop: OpenSSL (ALPN
 * h2) and an nghttp2 server session that answers each request as the test
 * says. Checks the request headers exactly, and what istiod's answers come
 * to: messages cut into 3-byte DATA frames reassembled, a trailers-only
 * status with a percent-encoded grpc-message, a server that is not gRPC,
 * a compressed message, a stream ended without grpc-status or inside a
 * message. grpcio (tests/cp/run.sh) cannot send these.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include "grpc.h"
#include "grpcfix.h"
#include "google/protobuf/empty.pb-c.h"

/* What the server answers, and what it saw. */
enum answer {
	ANSWER_TWO_MESSAGES,	/* two messages, 3 bytes per DATA frame, status 0 */
	ANSWER_TRAILERS_ONLY,	/* grpc-status 7, grpc-message "no%20way%0A" */
	ANSWER_HTTP_404,	/* text/plain, no grpc-status */
	ANSWER_COMPRESSED,	/* a message with the compressed flag */
	ANSWER_NO_STATUS,	/* a message, END_STREAM, no trailers */
	ANSWER_CUT,		/* a prefix announcing 10 bytes, 4 sent, status 0 */
};

static struct {
	enum answer answer;
	int lfd, fd;
	SSL *ssl;
	bool established;
	nghttp2_session *h2;
	char headers[16][256];
	int nheaders;
	uint8_t body[256];	/* the request's DATA */
	size_t body_len;
	uint8_t out[64];	/* the response's DATA */
	size_t out_len, out_off;
	bool trailers;		/* send grpc-status 0 after the DATA */
} S;

/* The client's side. */
static int closes, messages;
static int close_err, close_grpc;
static char close_msg[KZT_GRPC_WHY_MAX];
static uint8_t msg_seen[2][32];
static size_t msg_len[2];

static int on_message(struct kzt_grpc_call *call, const uint8_t *msg, size_t len,
		      void *arg, char *why, size_t why_len)
{
	(void)call;
	(void)arg;
	(void)why;
	(void)why_len;
	if (messages < 2 && len <= sizeof(msg_seen[0])) {
		memcpy(msg_seen[messages], msg, len);
		msg_len[messages] = len;
	}
	messages++;
	return 0;
}

static void on_close(struct kzt_grpc_call *call, const struct kzt_grpc_status *st,
		     void *arg)
{
	(void)call;
	(void)arg;
	closes++;
	close_err = st->err;
	close_grpc = st->grpc_status;
	snprintf(close_msg, sizeof(close_msg), "%s", st->message);
}

static const struct kzt_grpc_call_ops ops = {
	.on_message = on_message, .on_close = on_close,
};

/* ---- the server ---- */

#define MAKE_NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), strlen(n), strlen(v), \
			NGHTTP2_NV_FLAG_NONE }

static int sv_header(nghttp2_session *s, const nghttp2_frame *frame,
		     const uint8_t *name, size_t namelen, const uint8_t *value,
		     size_t valuelen, uint8_t flags, void *user)
{
	(void)s;
	(void)frame;
	(void)flags;
	(void)user;
	if (S.nheaders < 16)
		snprintf(S.headers[S.nheaders++], sizeof(S.headers[0]), "%.*s: %.*s",
			 (int)namelen, name, (int)valuelen, value);
	return 0;
}

static int sv_data(nghttp2_session *s, uint8_t flags, int32_t id,
		   const uint8_t *data, size_t len, void *user)
{
	(void)s;
	(void)flags;
	(void)id;
	(void)user;
	if (S.body_len + len <= sizeof(S.body)) {
		memcpy(S.body + S.body_len, data, len);
		S.body_len += len;
	}
	return 0;
}

/* The response's DATA, 3 bytes a frame; then trailers or END_STREAM. */
static ssize_t sv_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length,
		       uint32_t *flags, nghttp2_data_source *src, void *user)
{
	size_t n = S.out_len - S.out_off;

	(void)src;
	(void)user;
	if (n > 3)
		n = 3;
	if (n > length)
		n = length;
	memcpy(buf, S.out + S.out_off, n);
	S.out_off += n;
	if (S.out_off == S.out_len) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		if (S.trailers) {
			nghttp2_nv t[] = { MAKE_NV("grpc-status", "0") };

			*flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
			assert_int_equal(nghttp2_submit_trailer(s, id, t, 1), 0);
		}
	}
	return (ssize_t)n;
}

/* A gRPC message: flags, length, then @len bytes of @body. */
static void out_message(uint8_t flags, uint32_t announced, const char *body, size_t len)
{
	uint8_t *o = S.out + S.out_len;

	o[0] = flags;
	o[1] = (uint8_t)(announced >> 24);
	o[2] = (uint8_t)(announced >> 16);
	o[3] = (uint8_t)(announced >> 8);
	o[4] = (uint8_t)announced;
	memcpy(o + 5, body, len);
	S.out_len += 5 + len;
}

static void respond(nghttp2_session *s, int32_t id)
{
	nghttp2_nv ok[] = { MAKE_NV(":status", "200"),
			    MAKE_NV("content-type", "application/grpc") };
	nghttp2_nv denied[] = { MAKE_NV(":status", "200"),
				MAKE_NV("content-type", "application/grpc"),
				MAKE_NV("grpc-status", "7"),
				MAKE_NV("grpc-message", "no%20way%0A") };
	nghttp2_nv notfound[] = { MAKE_NV(":status", "404"),
				  MAKE_NV("content-type", "text/plain") };
	nghttp2_data_provider prd = { .read_callback = sv_read };

	S.out_len = S.out_off = 0;
	S.trailers = true;
	switch (S.answer) {
	case ANSWER_TWO_MESSAGES:
		out_message(0, 5, "hello", 5);
		out_message(0, 0, "", 0);
		break;
	case ANSWER_TRAILERS_ONLY:
		assert_int_equal(nghttp2_submit_response(s, id, denied, 4, NULL), 0);
		return;
	case ANSWER_HTTP_404:
		memcpy(S.out, "not found\n", 10);
		S.out_len = 10;
		S.trailers = false;
		assert_int_equal(nghttp2_submit_response(s, id, notfound, 2, &prd), 0);
		return;
	case ANSWER_COMPRESSED:
		out_message(1, 3, "abc", 3);
		break;
	case ANSWER_NO_STATUS:
		out_message(0, 3, "abc", 3);
		S.trailers = false;
		break;
	case ANSWER_CUT:
		out_message(0, 10, "abcd", 4);
		break;
	}
	assert_int_equal(nghttp2_submit_response(s, id, ok, 2, &prd), 0);
}

static int sv_frame(nghttp2_session *s, const nghttp2_frame *frame, void *user)
{
	(void)user;
	if ((frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS) &&
	    (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
		respond(s, frame->hd.stream_id);
	return 0;
}

static void sv_start(int lfd)
{
	nghttp2_session_callbacks *cbs;

	memset(&S.headers, 0, sizeof(S.headers));
	S.nheaders = 0;
	S.body_len = 0;
	S.lfd = lfd;
	S.fd = -1;
	S.established = false;
	assert_int_equal(nghttp2_session_callbacks_new(&cbs), 0);
	nghttp2_session_callbacks_set_on_header_callback(cbs, sv_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, sv_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, sv_frame);
	assert_int_equal(nghttp2_session_server_new(&S.h2, cbs, NULL), 0);
	nghttp2_session_callbacks_del(cbs);
	assert_int_equal(nghttp2_submit_settings(S.h2, NGHTTP2_FLAG_NONE, NULL, 0), 0);
}

static void sv_stop(void)
{
	nghttp2_session_del(S.h2);
	if (S.ssl)
		SSL_free(S.ssl);
	S.ssl = NULL;
	if (S.fd >= 0)
		close(S.fd);
	close(S.lfd);
}

/* Whatever the server can do now without blocking. */
static void sv_step(void)
{
	uint8_t buf[4096];
	const uint8_t *data;
	ssize_t len;
	int n;

	if (S.fd < 0) {
		S.fd = accept4(S.lfd, NULL, NULL, SOCK_NONBLOCK);
		if (S.fd < 0)
			return;
		S.ssl = SSL_new(gfix.server);
		SSL_set_fd(S.ssl, S.fd);
	}
	if (!S.established) {
		if (SSL_accept(S.ssl) != 1)
			return;
		S.established = true;
	}
	while ((n = SSL_read(S.ssl, buf, sizeof(buf))) > 0)
		assert_true(nghttp2_session_mem_recv(S.h2, buf, (size_t)n) == n);
	while ((len = nghttp2_session_mem_send(S.h2, &data)) > 0)
		assert_int_equal(SSL_write(S.ssl, data, (int)len), (int)len);
}

/* ---- the test ---- */

/* Where call() connects: an address, or a name resolved by a thread. */
static const char *call_host = "127.0.0.1";

/* One unary call answered as @answer; the client's results in the globals. */
static void call(enum answer answer, char *port_out)
{
	struct kzt_grpc_conf c = {
		.host = call_host, .server_name = GRPCFIX_NAME,
		.root_cert = gfix.root, .token_file = gfix.token, .cluster_id = "Kubernetes",
	};
	Google__Protobuf__Empty empty = GOOGLE__PROTOBUF__EMPTY__INIT;
	char port[8], why[KZT_GRPC_WHY_MAX];
	struct kzt_grpc_call *cl;
	struct kzt_grpc *g;
	int lfd, i;

	lfd = grpcfix_socket(port, sizeof(port));
	assert_true(lfd >= 0);
	assert_int_equal(listen(lfd, 1), 0);
	if (port_out)
		strcpy(port_out, port);
	S.answer = answer;
	sv_start(lfd);
	c.port = port;
	closes = messages = 0;
	assert_int_equal(kzt_grpc_new(&c, &g, why, sizeof(why)), 0);
	assert_int_equal(kzt_grpc_call_start(g, KZT_GRPC_PATH_CREATE_CERT, &ops, NULL, &cl), 0);
	/* An empty request message: its prefix only. */
	assert_int_equal(kzt_grpc_call_send(cl, &empty.base), 0);
	assert_int_equal(kzt_grpc_call_send_end(cl), 0);
	assert_int_equal(kzt_grpc_connect(g), 0);
	for (i = 0; i < 500 && !closes; i++) {
		struct pollfd p = { .fd = kzt_grpc_fd(g),
				    .events = (short)((kzt_grpc_events(g) & EPOLLIN ? POLLIN : 0) |
						      (kzt_grpc_events(g) & EPOLLOUT ? POLLOUT : 0)) };

		if (poll(&p, 1, 5) > 0)
			assert_int_equal(kzt_grpc_on_ready(g, (p.revents & POLLIN ? EPOLLIN : 0) |
							      (p.revents & POLLOUT ? EPOLLOUT : 0) |
							      (p.revents & POLLERR ? EPOLLERR : 0)), 0);
		sv_step();
	}
	assert_int_equal(closes, 1);
	kzt_grpc_free(g);
	sv_stop();
}

static bool saw(const char *header)
{
	int i;

	for (i = 0; i < S.nheaders; i++)
		if (!strcmp(S.headers[i], header))
			return true;
	return false;
}

static void test_headers_and_messages(void **state)
{
	char port[8], authority[64];
	static const uint8_t empty_request[5] = { 0, 0, 0, 0, 0 };

	(void)state;
	call(ANSWER_TWO_MESSAGES, port);
	snprintf(authority, sizeof(authority), ":authority: 127.0.0.1:%s", port);
	assert_true(saw(":method: POST"));
	assert_true(saw(":scheme: https"));
	assert_true(saw(":path: /istio.v1.auth.IstioCertificateService/CreateCertificate"));
	assert_true(saw(authority));
	assert_true(saw("content-type: application/grpc"));
	assert_true(saw("te: trailers"));
	assert_true(saw("authorization: Bearer tok"));
	assert_true(saw("clusterid: Kubernetes"));
	assert_true(saw("user-agent: kztd/" KZT_VERSION));
	assert_int_equal(S.nheaders, 9);
	assert_int_equal(S.body_len, sizeof(empty_request));
	assert_memory_equal(S.body, empty_request, sizeof(empty_request));
	/* Cut into 3-byte frames: prefixes across frames, an empty message. */
	assert_int_equal(messages, 2);
	assert_int_equal(msg_len[0], 5);
	assert_memory_equal(msg_seen[0], "hello", 5);
	assert_int_equal(msg_len[1], 0);
	assert_int_equal(close_err, 0);
	assert_int_equal(close_grpc, 0);
	assert_string_equal(close_msg, "");
}

/* istiod by name (the default xds_address is one): the same exchange. */
static void test_by_name(void **state)
{
	char port[8], authority[64];

	(void)state;
	call_host = "localhost";
	call(ANSWER_TWO_MESSAGES, port);
	call_host = "127.0.0.1";
	snprintf(authority, sizeof(authority), ":authority: localhost:%s", port);
	assert_true(saw(authority));
	assert_int_equal(messages, 2);
	assert_int_equal(close_err, 0);
	assert_string_equal(close_msg, "");
}

static void test_trailers_only(void **state)
{
	(void)state;
	call(ANSWER_TRAILERS_ONLY, NULL);
	assert_int_equal(messages, 0);
	assert_int_equal(close_err, EPERM);
	assert_int_equal(close_grpc, 7);
	assert_string_equal(close_msg,
			    "CreateCertificate: istiod answered grpc-status 7 (PERMISSION_DENIED): no way?");
}

static void test_not_grpc(void **state)
{
	(void)state;
	call(ANSWER_HTTP_404, NULL);
	assert_int_equal(messages, 0);
	assert_int_equal(close_err, EPROTO);
	assert_non_null(strstr(close_msg, "HTTP 404 without gRPC's content-type"));
}

static void test_compressed(void **state)
{
	(void)state;
	call(ANSWER_COMPRESSED, NULL);
	assert_int_equal(messages, 0);
	assert_int_equal(close_err, EPROTO);
	assert_non_null(strstr(close_msg, "flags 0x01"));
}

static void test_no_status(void **state)
{
	(void)state;
	call(ANSWER_NO_STATUS, NULL);
	assert_int_equal(messages, 1);
	assert_int_equal(close_err, EPROTO);
	assert_non_null(strstr(close_msg, "ended without grpc-status"));
}

static void test_cut(void **state)
{
	(void)state;
	call(ANSWER_CUT, NULL);
	assert_int_equal(messages, 0);
	assert_int_equal(close_err, EPROTO);
	assert_non_null(strstr(close_msg, "ended inside a message"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_and_messages),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_trailers_only),
		cmocka_unit_test(test_not_grpc),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_no_status),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, grpcfix_setup, grpcfix_teardown);
}
