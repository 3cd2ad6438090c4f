// SPDX-License-Identifier: GPL-2.0
/*
 * lib/grpc_*.c without istiod: what it refuses before anything is sent (the
 * configuration, the root file, the token file), and connections that fail
 * (nothing listening, a peer that does not speak TLS), each call ended once
 * with the errno and a message that names the culprit; a name resolved off
 * the caller's loop. The exchanges with a real gRPC server are
 * tests/cp/run.sh's. SIGPIPE keeps its default: the resolver's thread must
 * not raise it when the client is gone.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "grpc.h"
#include "grpcfix.h"

static void put(const char *path, const char *body, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(body, 1, len, f), len);
	fclose(f);
}

static struct kzt_grpc_conf conf(const char *port)
{
	return (struct kzt_grpc_conf){
		.host = "127.0.0.1", .port = port,
		.server_name = GRPCFIX_NAME, .root_cert = gfix.root,
		.token_file = gfix.token, .cluster_id = "Kubernetes",
	};
}

static int closes;
static int close_err;
static char close_msg[KZT_GRPC_WHY_MAX];

static void on_close(struct kzt_grpc_call *call, const struct kzt_grpc_status *st,
		     void *arg)
{
	(void)call;
	(void)arg;
	closes++;
	close_err = st->err;
	snprintf(close_msg, sizeof(close_msg), "%s", st->message);
}

static const struct kzt_grpc_call_ops ops = { .on_close = on_close };

static void test_conf_refused(void **state)
{
	struct kzt_grpc_conf c = conf("15012");
	struct kzt_grpc *g;
	char why[KZT_GRPC_WHY_MAX];

	(void)state;
	c.host = NULL;
	assert_int_equal(kzt_grpc_new(&c, &g, why, sizeof(why)), EINVAL);
	assert_null(g);
	c = conf("15012");
	c.msg_max = KZT_GRPC_MSG_CEILING + 1;
	assert_int_equal(kzt_grpc_new(&c, &g, why, sizeof(why)), EINVAL);
	assert_non_null(strstr(why, "ceiling"));
	c = conf("15012");
	c.root_cert = "/nonexistent/root.pem";
	assert_int_equal(kzt_grpc_new(&c, &g, why, sizeof(why)), ENOENT);
	assert_non_null(strstr(why, "/nonexistent/root.pem"));
	c = conf("15012");
	c.root_cert = gfix.token;
	put(gfix.token, "not a certificate\n", 18);
	assert_int_equal(kzt_grpc_new(&c, &g, why, sizeof(why)), EINVAL);
	assert_non_null(strstr(why, gfix.token));
	c = conf("15012");
	assert_int_equal(kzt_grpc_new(&c, &g, why, sizeof(why)), 0);
	assert_int_equal(kzt_grpc_fd(g), -1);
	assert_int_equal(kzt_grpc_events(g), 0);
	kzt_grpc_free(g);
}

/* The token file is checked when a call starts; nothing is queued then. */
static void test_token_refused(void **state)
{
	struct kzt_grpc_conf c = conf("15012");
	struct kzt_grpc_call *call;
	struct kzt_grpc *g;
	char why[KZT_GRPC_WHY_MAX], *big;

	(void)state;
	assert_int_equal(kzt_grpc_new(&c, &g, why, sizeof(why)), 0);
	unlink(gfix.token);
	assert_int_equal(kzt_grpc_call_start(g, KZT_GRPC_PATH_CREATE_CERT, &ops, NULL, &call),
			 ENOENT);
	assert_null(call);
	assert_non_null(strstr(kzt_grpc_why(g), gfix.token));
	put(gfix.token, " \n\n", 3);
	assert_int_equal(kzt_grpc_call_start(g, KZT_GRPC_PATH_CREATE_CERT, &ops, NULL, &call),
			 ENODATA);
	assert_non_null(strstr(kzt_grpc_why(g), "empty"));
	put(gfix.token, "abc\001def", 7);
	assert_int_equal(kzt_grpc_call_start(g, KZT_GRPC_PATH_CREATE_CERT, &ops, NULL, &call),
			 EINVAL);
	assert_non_null(strstr(kzt_grpc_why(g), "0x01 at 3"));
	big = malloc(KZT_GRPC_TOKEN_MAX + 1);
	assert_non_null(big);
	memset(big, 'a', KZT_GRPC_TOKEN_MAX + 1);
	put(gfix.token, big, KZT_GRPC_TOKEN_MAX + 1);
	free(big);
	assert_int_equal(kzt_grpc_call_start(g, KZT_GRPC_PATH_CREATE_CERT, &ops, NULL, &call),
			 EFBIG);
	/* A good one: the call is queued; freeing the client calls nothing. */
	put(gfix.token, "tok\n", 4);
	closes = 0;
	assert_int_equal(kzt_grpc_call_start(g, KZT_GRPC_PATH_CREATE_CERT, &ops, NULL, &call),
			 0);
	assert_non_null(call);
	kzt_grpc_free(g);
	assert_int_equal(closes, 0);
}

/* Run @g until it fails or @max_ms pass; @lfd, if >= 0, gets @reply. */
static int run(struct kzt_grpc *g, int lfd, const char *reply, int max_ms)
{
	int waited = 0, cfd = -1, ret = 0;

	while (waited < max_ms) {
		struct pollfd p[2] = {
			{ .fd = kzt_grpc_fd(g),
			  .events = (short)((kzt_grpc_events(g) & EPOLLIN ? POLLIN : 0) |
					    (kzt_grpc_events(g) & EPOLLOUT ? POLLOUT : 0)) },
			{ .fd = lfd, .events = POLLIN },
		};
		int n = poll(p, lfd >= 0 && cfd < 0 ? 2 : 1, 10);

		waited += 10;
		if (n > 0 && lfd >= 0 && cfd < 0 && (p[1].revents & POLLIN)) {
			cfd = accept(lfd, NULL, NULL);
			assert_true(cfd >= 0);
			assert_int_equal(write(cfd, reply, strlen(reply)), (ssize_t)strlen(reply));
			close(cfd);
		}
		if (n > 0 && p[0].revents) {
			ret = kzt_grpc_on_ready(g, (p[0].revents & POLLIN ? EPOLLIN : 0) |
					       (p[0].revents & POLLOUT ? EPOLLOUT : 0) |
					       (p[0].revents & POLLERR ? EPOLLERR : 0) |
					       (p[0].revents & POLLHUP ? EPOLLHUP : 0));
			if (ret)
				return ret;
		}
		ret = kzt_grpc_tick(g);
		if (ret)
			return ret;
	}
	return ETIMEDOUT;
}

static int listener(char *port, size_t port_len)
{
	int fd = grpcfix_socket(port, port_len);

	assert_true(fd >= 0);
	return fd;
}

static struct kzt_grpc *connecting_conf(const struct kzt_grpc_conf *cp);

/* A client connecting to @port, with an ADS call queued. */
static struct kzt_grpc *connecting(const char *port)
{
	struct kzt_grpc_conf c = conf(port);

	c.timeout_ms = 500;
	return connecting_conf(&c);
}

static struct kzt_grpc *connecting_conf(const struct kzt_grpc_conf *cp)
{
	struct kzt_grpc_conf c = *cp;
	char why[KZT_GRPC_WHY_MAX];
	struct kzt_grpc_call *call;
	struct kzt_grpc *g;

	put(gfix.token, "tok\n", 4);
	assert_int_equal(kzt_grpc_new(&c, &g, why, sizeof(why)), 0);
	assert_int_equal(kzt_grpc_call_start(g, KZT_GRPC_PATH_DELTA_ADS, &ops, NULL, &call), 0);
	closes = 0;
	assert_int_equal(kzt_grpc_connect(g), 0);
	return g;
}

static void test_refused(void **state)
{
	struct kzt_grpc_call *call;
	struct kzt_grpc *g;
	char port[8];
	int fd = listener(port, sizeof(port));

	(void)state;
	close(fd);		/* bound then closed: nothing listens there */
	g = connecting(port);
	assert_int_equal(kzt_grpc_events(g), EPOLLOUT);
	assert_int_equal(run(g, -1, NULL, 2000), ECONNREFUSED);
	assert_int_equal(closes, 1);
	assert_int_equal(close_err, ECONNREFUSED);
	assert_non_null(strstr(close_msg, "connect to istiod at 127.0.0.1:"));
	assert_string_equal(close_msg, kzt_grpc_why(g));
	/* Failed for good: no events, calls refused. */
	assert_int_equal(kzt_grpc_events(g), 0);
	assert_int_equal(kzt_grpc_call_start(g, KZT_GRPC_PATH_DELTA_ADS, &ops, NULL, &call),
			 ECONNREFUSED);
	kzt_grpc_free(g);
	assert_int_equal(closes, 1);
}

/* A peer that answers the ClientHello with plain text. */
static void test_not_tls(void **state)
{
	struct kzt_grpc *g;
	char port[8];
	int fd = listener(port, sizeof(port));

	(void)state;
	assert_int_equal(listen(fd, 1), 0);
	g = connecting(port);
	assert_int_equal(run(g, fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 3000), EPROTO);
	assert_int_equal(closes, 1);
	assert_int_equal(close_err, EPROTO);
	assert_non_null(strstr(close_msg, "TLS handshake with istiod at 127.0.0.1:"));
	kzt_grpc_free(g);
	close(fd);
}

/* A peer that accepts and says nothing: the handshake's deadline. */
static void test_handshake_timeout(void **state)
{
	struct kzt_grpc *g;
	char port[8];
	int fd = listener(port, sizeof(port)), ms;

	(void)state;
	assert_int_equal(listen(fd, 1), 0);	/* the kernel accepts for us */
	g = connecting(port);
	ms = kzt_grpc_tick_ms(g);
	assert_true(ms > 0 && ms <= 500);
	assert_int_equal(run(g, -1, NULL, 3000), ETIMEDOUT);
	assert_int_equal(closes, 1);
	assert_int_equal(close_err, ETIMEDOUT);
	assert_non_null(strstr(close_msg, "no TLS handshake with istiod at 127.0.0.1:"));
	assert_non_null(strstr(close_msg, "within 500 ms"));
	assert_int_equal(kzt_grpc_tick_ms(g), -1);
	kzt_grpc_free(g);
	close(fd);
}

/* A name: resolved by a thread, whose socket pair is watched first. */
static struct kzt_grpc *resolving(const char *host, const char *port,
				  uint32_t timeout_ms)
{
	struct kzt_grpc_conf c = conf(port);
	struct kzt_grpc *g;

	c.host = host;
	c.timeout_ms = timeout_ms;
	g = connecting_conf(&c);
	assert_true(kzt_grpc_fd(g) >= 0);
	assert_int_equal(kzt_grpc_events(g), EPOLLIN);
	return g;
}

/* "localhost" resolves; the connection goes on to TCP and TLS. */
static void test_name_resolves(void **state)
{
	struct kzt_grpc *g;
	char port[8];
	int fd = listener(port, sizeof(port)), pair;

	(void)state;
	assert_int_equal(listen(fd, 1), 0);
	g = resolving("localhost", port, 2000);
	pair = kzt_grpc_fd(g);
	assert_int_equal(run(g, fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 3000), EPROTO);
	assert_true(kzt_grpc_fd(g) >= 0 && kzt_grpc_fd(g) != pair);
	assert_int_equal(closes, 1);
	assert_int_equal(close_err, EPROTO);
	assert_non_null(strstr(close_msg, "TLS handshake with istiod at localhost:"));
	kzt_grpc_free(g);
	close(fd);
}

/* A name that does not resolve: ENOENT, with the name and the reason. */
static void test_name_unresolved(void **state)
{
	struct kzt_grpc_call *call;
	struct kzt_grpc *g;

	(void)state;
	g = resolving("nonexistent.invalid", "15012", 20000);
	assert_int_equal(run(g, -1, NULL, 20000), ENOENT);
	assert_int_equal(closes, 1);
	assert_int_equal(close_err, ENOENT);
	assert_non_null(strstr(close_msg,
			       "cannot resolve istiod's address nonexistent.invalid port 15012: "));
	assert_string_equal(close_msg, kzt_grpc_why(g));
	assert_int_equal(kzt_grpc_fd(g), -1);
	assert_int_equal(kzt_grpc_events(g), 0);
	assert_int_equal(kzt_grpc_tick_ms(g), -1);
	assert_int_equal(kzt_grpc_call_start(g, KZT_GRPC_PATH_DELTA_ADS, &ops, NULL, &call),
			 ENOENT);
	kzt_grpc_free(g);
}

/*
 * The connect deadline covers the resolution: the answer is only taken in
 * kzt_grpc_on_ready(), so with none called the deadline always passes.
 */
static void test_resolve_deadline(void **state)
{
	struct kzt_grpc *g;

	(void)state;
	g = resolving("localhost", "15012", 1);
	usleep(20000);
	assert_int_equal(kzt_grpc_tick_ms(g), 0);
	assert_int_equal(kzt_grpc_tick(g), ETIMEDOUT);
	assert_int_equal(closes, 1);
	assert_int_equal(close_err, ETIMEDOUT);
	assert_non_null(strstr(close_msg,
			       "cannot resolve istiod's address localhost port 15012: the name did not resolve within 1 ms"));
	assert_int_equal(kzt_grpc_events(g), 0);
	kzt_grpc_free(g);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/*
 * Freed while the thread resolves: the thread finds nobody (EPIPE, no
 * SIGPIPE) and frees its answer; valgrind sees no leak and no bad access.
 * The thread closes its end last, so it has ended when the fds are back.
 */
static void test_free_resolving(void **state)
{
	const char *names[] = { "localhost", "nonexistent.invalid" };
	int before = open_fds(), i, j;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct kzt_grpc *g = resolving(names[i], "15012", 20000);

		kzt_grpc_free(g);
		assert_int_equal(closes, 0);
		for (j = 0; j < 2000 && open_fds() != before; j++)
			usleep(10000);
		assert_int_equal(open_fds(), before);
	}
	usleep(100000);		/* the threads' last steps after close() */
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(kzt_grpc_status_name(0), "OK");
	assert_string_equal(kzt_grpc_status_name(14), "UNAVAILABLE");
	assert_string_equal(kzt_grpc_status_name(16), "UNAUTHENTICATED");
	assert_string_equal(kzt_grpc_status_name(17), "?");
	assert_string_equal(kzt_grpc_status_name(-1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_refused),
		cmocka_unit_test(test_token_refused),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_name_resolves),
		cmocka_unit_test(test_name_unresolved),
		cmocka_unit_test(test_resolve_deadline),
		cmocka_unit_test(test_free_resolving),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, grpcfix_setup, grpcfix_teardown);
}
