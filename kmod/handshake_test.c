// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of the handshake upcall:
 *
 * kzt_handshake: the request queue (order, exactly one completion among
 * DONE, deadline and cancel, the deadline running from ACCEPT only, the
 * queue's own deadline and cap, the role filter, ACCEPT given back, netns
 * exit with requests left), HANDSHAKE_DONE through the real policy and parser, the completion
 * of a DONE on real loopback TCP sockets, and kTLS: the crypto_info layout
 * of each cipher and records checked against the kernel's AEAD used as a
 * reference implementation of TLS 1.3 record protection.
 *
 * kzt_handshake_upcall: the whole upcall with a daemon in userspace
 * (tests/selftests/kzt-hsd driven by tests/selftests/handshake.sh): skipped
 * when no daemon listens on the "handshake" group of init_net.
 */
#include <crypto/aead.h>
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/in.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/scatterlist.h>
#include <linux/unaligned.h>
#include <net/inet_connection_sock.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include <linux/kzt.h>

#include "handshake_internal.h"
#include "kunit_nl.h"
#include "kzt.h"
#include "ktls.h"
#include "nl.h"
#include "nl_handshake.h"
#include "sknet.h"
#include "stats.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define CLIENT_ID "spiffe://td/ns/a/sa/client"
#define SERVER_ID "spiffe://td/ns/b/sa/server"

/* ---- fixtures ---- */

KUNIT_DEFINE_ACTION_WRAPPER(hs_test_fput, fput, struct file *);
KUNIT_DEFINE_ACTION_WRAPPER(hs_test_net_free, kzt_hs_net_free, struct kzt_hs_net *);

static struct kzt_hs_net *hs_test_hn(struct kunit *test)
{
	struct kzt_hs_net *hn = kzt_hs_net_alloc(&init_net);

	KUNIT_ASSERT_NOT_NULL(test, hn);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hs_test_net_free, hn), 0);
	return hn;
}

/* Give @sock a file, released (with the socket) when the test ends. */
static void hs_test_file(struct kunit *test, struct socket *sock)
{
	struct file *file = sock_alloc_file(sock, 0, NULL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hs_test_fput, file), 0);
	sock->sk->sk_rcvtimeo = 5 * HZ;
	sock->sk->sk_sndtimeo = 5 * HZ;
}

static struct socket *hs_test_sock(struct kunit *test)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	hs_test_file(test, sock);
	return sock;
}

/* A connected TCP pair over loopback: @a connected, @b accepted. */
static void hs_test_pair(struct kunit *test, struct socket **a, struct socket **b)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct socket *l;
	int err;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &l), 0);
	err = kernel_bind(l, (struct sockaddr *)&sin, sizeof(sin));
	if (!err)
		err = kernel_listen(l, 1);
	if (!err)
		err = kernel_getsockname(l, (struct sockaddr *)&sin) < 0;
	*a = err ? NULL : hs_test_sock(test);
	if (!err)
		err = kernel_connect(*a, (struct sockaddr *)&sin, sizeof(sin), 0);
	if (!err)
		err = kernel_accept(l, b, 0);
	sock_release(l);
	KUNIT_ASSERT_EQ(test, err, 0);
	hs_test_file(test, *b);
}

static int hs_test_send(struct socket *sock, const void *buf, size_t len)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {};

	return kernel_sendmsg(sock, &msg, &iov, 1, len);
}

static int hs_test_recv(struct socket *sock, void *buf, size_t len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	return kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_WAITALL);
}

static bool hs_test_is_ktls(struct socket *sock)
{
	const struct tcp_ulp_ops *ulp = inet_csk(sock->sk)->icsk_ulp_ops;

	return ulp && !strcmp(ulp->name, "tls");
}

/* What a done callback saw. */
struct hs_test_done {
	atomic_t calls;
	int status;
	bool in_task;
	u16 cipher;
	char peer_id[64];
	char local_id[64];
	struct completion done;
};

static void hs_test_done_cb(void *data, int status, const struct kzt_hs_result *res)
{
	struct hs_test_done *d = data;

	might_sleep();		/* documented: process context, no lock held */
	d->in_task = in_task();
	d->status = status;
	if (res) {
		d->cipher = res->cipher;
		strscpy(d->peer_id, res->peer_id);
		strscpy(d->local_id, res->local_id);
	}
	atomic_inc(&d->calls);
	complete(&d->done);
}

static struct hs_test_done *hs_test_done_new(struct kunit *test)
{
	struct hs_test_done *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	init_completion(&d->done);
	return d;
}

static const struct kzt_hs_params hs_client_params = {
	.role = KZT_HS_ROLE_CLIENT,
	.local_id = CLIENT_ID,
	.peer_id = SERVER_ID,
	.dst_addr = { .s6_addr = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 } },
	.timeout_ms = 10000,
};

static const struct kzt_hs_params hs_server_params = {
	.role = KZT_HS_ROLE_SERVER,
	.timeout_ms = 10000,
};

static struct kzt_hs_req *hs_test_enqueue(struct kunit *test, struct kzt_hs_net *hn,
					  struct socket *sock,
					  const struct kzt_hs_params *p,
					  struct hs_test_done *d)
{
	struct kzt_hs_req *req;

	KUNIT_ASSERT_EQ(test, kzt_hs_enqueue(hn, sock, p, hs_test_done_cb, d, &req), 0);
	KUNIT_ASSERT_NOT_NULL(test, req);
	return req;
}

/*
 * A daemon's ACCEPT of the next request of @role (0: either), which must be
 * @want; its file reference dropped as closing the descriptor would.
 */
static void hs_test_accepted(struct kunit *test, struct kzt_hs_net *hn, u8 role,
			     struct kzt_hs_req *want)
{
	struct kzt_hs_req *got = kzt_hs_accept_next(hn, role);

	KUNIT_ASSERT_PTR_EQ(test, got, want);
	fput(got->file);	/* the reference an fd would have taken */
	kzt_hs_accept_finish(got);
}

static u64 hs_test_stat(enum kzt_stats_attr what)
{
	struct kzt_stats sum;

	kzt_stats_read(&init_net, &sum);
	return sum.v[what];
}

/* ---- the queue ---- */

static void kzt_hs_queue_order_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct kzt_hs_req *req[3], *got;
	int i;

	for (i = 0; i < 3; i++)
		req[i] = hs_test_enqueue(test, hn, hs_test_sock(test), &hs_server_params, d);
	KUNIT_EXPECT_NE(test, req[0]->id, req[1]->id);
	KUNIT_EXPECT_NE(test, req[1]->id, req[2]->id);

	for (i = 0; i < 3; i++)
		hs_test_accepted(test, hn, 0, req[i]);
	KUNIT_EXPECT_NULL(test, kzt_hs_accept_next(hn, 0));

	/* DONE in another order than accepted: each completes once. */
	for (i = 2; i >= 0; i--) {
		got = kzt_hs_claim_accepted(hn, req[i]->id, req[i]->sock);
		KUNIT_ASSERT_PTR_EQ(test, got, req[i]);
		kzt_hs_complete(got, -EPROTO, NULL);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 3);
	KUNIT_EXPECT_EQ(test, d->status, -EPROTO);
	KUNIT_EXPECT_TRUE(test, d->in_task);
}

static void kzt_hs_params_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct socket *sock = hs_test_sock(test);
	struct socket *nofile;
	struct kzt_hs_params p = hs_client_params;
	struct kzt_hs_req *req = (void *)1;

	p.peer_id = NULL;
	KUNIT_EXPECT_EQ(test, kzt_hs_enqueue(hn, sock, &p, hs_test_done_cb, NULL, &req),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, req);
	p = hs_client_params;
	p.role = 0;
	KUNIT_EXPECT_EQ(test, kzt_hs_enqueue(hn, sock, &p, hs_test_done_cb, NULL, &req),
			-EINVAL);
	p.role = KZT_HS_ROLE_SERVER;
	p.timeout_ms = 0;
	KUNIT_EXPECT_EQ(test, kzt_hs_enqueue(hn, sock, &p, hs_test_done_cb, NULL, &req),
			-EINVAL);

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &nofile), 0);
	KUNIT_EXPECT_EQ(test, kzt_hs_enqueue(hn, nofile, &hs_server_params,
					     hs_test_done_cb, NULL, &req), -EINVAL);
	sock_release(nofile);
	KUNIT_EXPECT_NULL(test, kzt_hs_accept_next(hn, 0));
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 1);
}

/* The request holds the socket's file while live, and only then. */
static void kzt_hs_file_ref_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct socket *sock = hs_test_sock(test);
	struct kzt_hs_req *req;

	req = hs_test_enqueue(test, hn, sock, &hs_server_params, d);
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 2);
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(req));
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 0);
}

static void kzt_hs_cancel_wins_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct kzt_hs_req *req;
	u32 id;

	/* Waiting */
	req = hs_test_enqueue(test, hn, hs_test_sock(test), &hs_server_params, d);
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(req));
	KUNIT_EXPECT_NULL(test, kzt_hs_accept_next(hn, 0));

	/* Accepted: a later DONE finds nothing. */
	req = hs_test_enqueue(test, hn, hs_test_sock(test), &hs_server_params, d);
	hs_test_accepted(test, hn, 0, req);
	id = req->id;
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(req));
	KUNIT_EXPECT_PTR_EQ(test, kzt_hs_claim_accepted(hn, id, NULL), ERR_PTR(-ENOENT));

	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 0);
}

static void kzt_hs_done_wins_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct kzt_hs_params p = hs_server_params;
	struct kzt_hs_req *req, *got;

	p.timeout_ms = 300;
	req = hs_test_enqueue(test, hn, hs_test_sock(test), &p, d);
	/* A waiting request cannot be DONE. */
	KUNIT_EXPECT_PTR_EQ(test, kzt_hs_claim_accepted(hn, req->id, req->sock), ERR_PTR(-ENOENT));
	hs_test_accepted(test, hn, 0, req);

	got = kzt_hs_claim_accepted(hn, req->id, req->sock);
	KUNIT_ASSERT_PTR_EQ(test, got, req);
	/* Claimed: cancel and the deadline both lose, even past the deadline. */
	KUNIT_EXPECT_FALSE(test, kzt_handshake_cancel(req));
	msleep(400);
	KUNIT_EXPECT_PTR_EQ(test, kzt_hs_claim_accepted(hn, req->id, req->sock), ERR_PTR(-ENOENT));
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 0);
	kzt_hs_complete(got, -ECONNRESET, NULL);

	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 1);
	KUNIT_EXPECT_EQ(test, d->status, -ECONNRESET);
}

/*
 * The handshake's deadline runs from ACCEPT, never while the request
 * waits: a burst that waits in the queue must not expire as one.
 */
static void kzt_hs_deadline_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *waiting = hs_test_done_new(test);
	struct hs_test_done *accepted = hs_test_done_new(test);
	struct kzt_hs_params p = hs_server_params;
	u64 timeouts = hs_test_stat(KZT_STATS_A_HS_TIMEOUT);
	u64 queue_timeouts = hs_test_stat(KZT_STATS_A_HS_QUEUE_TIMEOUT);
	struct kzt_hs_req *req, *later;
	u32 id;

	p.timeout_ms = 100;
	req = hs_test_enqueue(test, hn, hs_test_sock(test), &p, accepted);
	later = hs_test_enqueue(test, hn, hs_test_sock(test), &p, waiting);
	hs_test_accepted(test, hn, 0, req);
	id = req->id;
	KUNIT_EXPECT_LE(test, kzt_hs_time_left_ms(req), 100);

	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&accepted->done, 5 * HZ), 0);
	KUNIT_EXPECT_EQ(test, accepted->status, -ETIMEDOUT);
	KUNIT_EXPECT_TRUE(test, accepted->in_task);
	KUNIT_EXPECT_PTR_EQ(test, kzt_hs_claim_accepted(hn, id, NULL), ERR_PTR(-ENOENT));
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_TIMEOUT), timeouts + 1);

	/* Three of its deadlines later, the waiting one has its whole time. */
	msleep(300);
	KUNIT_EXPECT_EQ(test, atomic_read(&waiting->calls), 0);
	hs_test_accepted(test, hn, 0, later);
	KUNIT_EXPECT_GT(test, kzt_hs_time_left_ms(later), 50);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&waiting->done, 5 * HZ), 0);
	KUNIT_EXPECT_EQ(test, waiting->status, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_TIMEOUT), timeouts + 2);
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_QUEUE_TIMEOUT), queue_timeouts);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&waiting->calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&accepted->calls), 1);
}

/* Set a module parameter of the queue for this test only. */
struct hs_test_param {
	unsigned int *p;
	unsigned int old;
};

static void hs_test_param_restore(void *data)
{
	struct hs_test_param *t = data;

	WRITE_ONCE(*t->p, t->old);
}

static void hs_test_param_set(struct kunit *test, unsigned int *p, unsigned int v)
{
	struct hs_test_param *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->p = p;
	t->old = READ_ONCE(*p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hs_test_param_restore, t), 0);
	WRITE_ONCE(*p, v);
}

/* Nobody accepts: the queue's own deadline ends the request, counted apart. */
static void kzt_hs_queue_timeout_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	u64 timeouts = hs_test_stat(KZT_STATS_A_HS_TIMEOUT);
	u64 queue_timeouts = hs_test_stat(KZT_STATS_A_HS_QUEUE_TIMEOUT);
	struct socket *sock = hs_test_sock(test);
	unsigned long t0 = jiffies;

	hs_test_param_set(test, &kzt_hs_queue_timeout_ms, 1);	/* taken as 100 */
	hs_test_enqueue(test, hn, sock, &hs_server_params, d);	/* 10 s handshake */
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&d->done, 5 * HZ), 0);
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - t0), 100);
	KUNIT_EXPECT_EQ(test, d->status, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_QUEUE_TIMEOUT), queue_timeouts + 1);
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_TIMEOUT), timeouts);
	KUNIT_EXPECT_NULL(test, kzt_hs_accept_next(hn, 0));
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 1);
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 1);
}

/*
 * At most max_queued_handshakes wait: the next is refused at once, counted,
 * with no callback and no reference kept; accepted ones do not count.
 */
static void kzt_hs_queue_full_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	u64 full = hs_test_stat(KZT_STATS_A_HS_QUEUE_FULL);
	struct socket *sock = hs_test_sock(test);
	struct kzt_hs_req *req[3], *none = (void *)1;

	hs_test_param_set(test, &kzt_hs_max_queued, 2);
	req[0] = hs_test_enqueue(test, hn, sock, &hs_server_params, d);
	req[1] = hs_test_enqueue(test, hn, sock, &hs_client_params, d);
	KUNIT_EXPECT_EQ(test, kzt_hs_enqueue(hn, sock, &hs_server_params,
					     hs_test_done_cb, d, &none), -EBUSY);
	KUNIT_EXPECT_NULL(test, none);
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_QUEUE_FULL), full + 1);
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 3);

	/* One accepted, one cancelled: room for two again, not three. */
	hs_test_accepted(test, hn, 0, req[0]);
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(req[1]));
	req[1] = hs_test_enqueue(test, hn, sock, &hs_server_params, d);
	req[2] = hs_test_enqueue(test, hn, sock, &hs_server_params, d);
	KUNIT_EXPECT_EQ(test, kzt_hs_enqueue(hn, sock, &hs_server_params,
					     hs_test_done_cb, d, &none), -EBUSY);
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_QUEUE_FULL), full + 2);

	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(req[0]));
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(req[1]));
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(req[2]));
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 0);
}

/* ACCEPT of one role takes the oldest of that role; of none, the oldest. */
static void kzt_hs_role_filter_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct kzt_hs_req *c1, *s1, *c2, *s2;
	int i;

	c1 = hs_test_enqueue(test, hn, hs_test_sock(test), &hs_client_params, d);
	s1 = hs_test_enqueue(test, hn, hs_test_sock(test), &hs_server_params, d);
	c2 = hs_test_enqueue(test, hn, hs_test_sock(test), &hs_client_params, d);
	s2 = hs_test_enqueue(test, hn, hs_test_sock(test), &hs_server_params, d);

	hs_test_accepted(test, hn, KZT_HS_ROLE_SERVER, s1);
	hs_test_accepted(test, hn, 0, c1);
	hs_test_accepted(test, hn, KZT_HS_ROLE_CLIENT, c2);
	KUNIT_EXPECT_NULL(test, kzt_hs_accept_next(hn, KZT_HS_ROLE_CLIENT));
	hs_test_accepted(test, hn, 0, s2);
	for (i = 0; i <= KZT_HS_ROLE_SERVER; i++)
		KUNIT_EXPECT_NULL(test, kzt_hs_accept_next(hn, i));
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(c1));
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(s1));
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(c2));
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(s2));
}

/*
 * An owner that may cancel while its deadline fires, as flow.c must be: the
 * handle is only valid until the done callback returns, so the callback
 * clears it under the owner's lock and cancel is called under that lock
 * only while it is set.
 */
struct hs_test_owner {
	spinlock_t lock;		/* protects @req */
	struct kzt_hs_req *req;
	struct hs_test_done d;
};

static void hs_test_owner_done(void *data, int status, const struct kzt_hs_result *res)
{
	struct hs_test_owner *o = data;

	spin_lock_bh(&o->lock);
	o->req = NULL;
	spin_unlock_bh(&o->lock);
	hs_test_done_cb(&o->d, status, res);
}

/*
 * Cancel against a deadline that is due now, many times, with the cancel
 * landing before, during and after the deadline work: exactly one of the
 * two wins every time.
 */
static void kzt_hs_cancel_deadline_race_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct socket *sock = hs_test_sock(test);
	struct kzt_hs_params p = hs_server_params;
	struct hs_test_owner *o[200];
	int i, calls = 0, cancelled = 0, timed_out = 0;

	p.timeout_ms = 1;
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		bool won = false;

		o[i] = kunit_kzalloc(test, sizeof(*o[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, o[i]);
		spin_lock_init(&o[i]->lock);
		init_completion(&o[i]->d.done);
		/* o->req is set before the request is visible to the deadline. */
		KUNIT_ASSERT_EQ(test, kzt_hs_enqueue(hn, sock, &p, hs_test_owner_done,
						     o[i], &o[i]->req), 0);
		/* Its deadline starts at ACCEPT. */
		hs_test_accepted(test, hn, 0, o[i]->req);

		/* Around the deadline: 1 ms is one jiffy, 1 to 10 ms away. */
		if (i % 4)
			usleep_range(500 + (i * 137) % 9000, 600 + (i * 137) % 9000);
		else
			udelay(i % 50);

		spin_lock_bh(&o[i]->lock);
		if (o[i]->req) {
			won = kzt_handshake_cancel(o[i]->req);
			o[i]->req = NULL;
		}
		spin_unlock_bh(&o[i]->lock);
		if (won) {
			cancelled++;
			continue;
		}
		KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&o[i]->d.done, 5 * HZ), 0);
		KUNIT_EXPECT_EQ(test, o[i]->d.status, -ETIMEDOUT);
		timed_out++;
	}
	msleep(50);	/* a deadline that lost would have called by now */
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		KUNIT_EXPECT_LE(test, atomic_read(&o[i]->d.calls), 1);
		calls += atomic_read(&o[i]->d.calls);
	}
	kunit_info(test, "cancel won %d times, the deadline %d", cancelled, timed_out);
	KUNIT_EXPECT_EQ(test, calls, timed_out);
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 1);
}

/* ACCEPT that fails after taking a request gives it back, first in line. */
static void kzt_hs_accept_undo_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct kzt_hs_req *first, *second, *got;

	first = hs_test_enqueue(test, hn, hs_test_sock(test), &hs_server_params, d);
	second = hs_test_enqueue(test, hn, hs_test_sock(test), &hs_server_params, d);
	got = kzt_hs_accept_next(hn, 0);
	KUNIT_ASSERT_PTR_EQ(test, got, first);
	fput(got->file);
	kzt_hs_accept_undo(got);
	/* Waiting again: DONE cannot take it. */
	KUNIT_EXPECT_PTR_EQ(test, kzt_hs_claim_accepted(hn, first->id, first->sock),
			    ERR_PTR(-ENOENT));
	hs_test_accepted(test, hn, 0, first);
	hs_test_accepted(test, hn, 0, second);
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(first));
	KUNIT_EXPECT_TRUE(test, kzt_handshake_cancel(second));
}

/* Netns exit cancels what owners left: no callback, no reference kept. */
static void kzt_hs_net_exit_test(struct kunit *test)
{
	struct kzt_hs_net *hn = kzt_hs_net_alloc(&init_net);
	struct hs_test_done *d = hs_test_done_new(test);
	struct socket *sock = hs_test_sock(test);
	struct kzt_hs_params p = hs_server_params;
	struct kzt_hs_req *req;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, hn);
	for (i = 0; i < 3; i++)
		hs_test_enqueue(test, hn, sock, &p, d);
	/* One accepted, one whose deadline runs as the netns goes. */
	req = kzt_hs_accept_next(hn, 0);
	KUNIT_ASSERT_NOT_NULL(test, req);
	fput(req->file);
	kzt_hs_accept_finish(req);
	p = hs_client_params;
	p.timeout_ms = 1;
	req = hs_test_enqueue(test, hn, sock, &p, d);
	hs_test_accepted(test, hn, KZT_HS_ROLE_CLIENT, req);
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 5);
	usleep_range(900, 1000);

	kzt_hs_net_free(hn);
	/* Only the 1 ms one can have completed, by its deadline. */
	KUNIT_EXPECT_LE(test, atomic_read(&d->calls), 1);
	if (atomic_read(&d->calls))
		KUNIT_EXPECT_EQ(test, d->status, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 1);
}

/*
 * An owner that lets go of its file reference while its done callback
 * runs (flow.c ends the flow from its work item, which may run before the
 * deadline work drops the request's reference): the request's reference is
 * then the last one. The socket must be released by the deadline work
 * itself, so that kzt_hs_net_free()'s flush covers it, and not later by
 * the delayed-fput work, which could run after the netns is gone.
 */
struct hs_test_last {
	struct file *file;
	struct completion done;
};

static void hs_test_last_done(void *data, int status, const struct kzt_hs_result *res)
{
	struct hs_test_last *l = data;

	__fput_sync(l->file);	/* not the last: the request holds one */
	complete(&l->done);
}

KUNIT_DEFINE_ACTION_WRAPPER(hs_test_sock_put, sock_put, struct sock *);

static void kzt_hs_deadline_last_ref_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct kzt_hs_params p = hs_server_params;
	struct hs_test_last *l;
	struct kzt_hs_req *req;
	struct socket *sock;
	struct sock *sk;

	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	init_completion(&l->done);
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	sk = sock->sk;
	sock_hold(sk);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hs_test_sock_put, sk), 0);
	l->file = sock_alloc_file(sock, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(l->file));

	p.timeout_ms = 1;
	KUNIT_ASSERT_EQ(test, kzt_hs_enqueue(hn, sock, &p, hs_test_last_done, l, &req), 0);
	hs_test_accepted(test, hn, 0, req);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&l->done, 5 * HZ), 0);
	/* Waits for the deadline work: the socket is released by now. */
	kunit_release_action(test, hs_test_net_free, hn);
	/*
	 * A kworker's last fput() is deferred to delayed_fput (a jiffy
	 * later, more on a loaded machine): run it before looking.
	 */
	flush_delayed_fput();
	KUNIT_EXPECT_TRUE(test, sock_flag(sk, SOCK_DEAD));
}

/* ---- HANDSHAKE_DONE: policy and parser ---- */

static const u8 hs_key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
			       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
			       31, 32 };
static const u8 hs_iv[13] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
			      0xa9, 0xaa, 0xab, 0xac };
static u8 hs_key_rx[32];
static char hs_long_id[KZT_SPIFFE_ID_MAX + 2];

struct hs_done_case {
	const char *name;
	u32 omit;		/* BIT(KZT_HS_A_*) left out */
	u32 id;			/* 0: 1 */
	u32 status;
	u16 cipher;		/* 0: AES-128-GCM */
	u8 tx_key_len;		/* 0: as the cipher */
	u8 iv_len;		/* 0: 12 */
	bool seq_u32;
	bool long_peer;
	u16 extra;		/* a u32 attribute of this type, if nonzero */
	int err;
	const char *msg;
	u16 miss;		/* extack miss_type expected */
};

#define ALL_KEYS (BIT(KZT_HS_A_CIPHER) | BIT(KZT_HS_A_TX_KEY) | BIT(KZT_HS_A_TX_IV) | \
		  BIT(KZT_HS_A_TX_SEQ) | BIT(KZT_HS_A_RX_KEY) | BIT(KZT_HS_A_RX_IV) | \
		  BIT(KZT_HS_A_RX_SEQ) | BIT(KZT_HS_A_PEER_ID) | BIT(KZT_HS_A_LOCAL_ID))
#define BAD_POLICY "Attribute failed policy validation"

static const struct hs_done_case hs_done_cases[] = {
	{ "success, AES-128-GCM" },
	{ "success, AES-256-GCM", .cipher = TLS_CIPHER_AES_GCM_256 },
	{ "success, CHACHA20-POLY1305", .cipher = TLS_CIPHER_CHACHA20_POLY1305 },
	{ "failure status without keys", .status = EACCES, .omit = ALL_KEYS },
	{ "no ID", .omit = BIT(KZT_HS_A_ID), .err = -EINVAL,
	  .msg = "handshake request ID missing", .miss = KZT_HS_A_ID },
	{ "no status", .omit = BIT(KZT_HS_A_STATUS), .err = -EINVAL,
	  .msg = "handshake status missing", .miss = KZT_HS_A_STATUS },
	{ "status 0 without cipher", .omit = BIT(KZT_HS_A_CIPHER), .err = -EINVAL,
	  .msg = "status 0 needs the cipher", .miss = KZT_HS_A_CIPHER },
	{ "status 0 without write key", .omit = BIT(KZT_HS_A_TX_KEY), .err = -EINVAL,
	  .msg = "status 0 needs the write key", .miss = KZT_HS_A_TX_KEY },
	{ "status 0 without read IV", .omit = BIT(KZT_HS_A_RX_IV), .err = -EINVAL,
	  .msg = "status 0 needs the read IV", .miss = KZT_HS_A_RX_IV },
	{ "status 0 without read seq", .omit = BIT(KZT_HS_A_RX_SEQ), .err = -EINVAL,
	  .msg = "status 0 needs the read sequence number", .miss = KZT_HS_A_RX_SEQ },
	{ "status 0 without peer ID", .omit = BIT(KZT_HS_A_PEER_ID), .err = -EINVAL,
	  .msg = "status 0 needs the verified peer ID", .miss = KZT_HS_A_PEER_ID },
	{ "status 0 without local ID", .omit = BIT(KZT_HS_A_LOCAL_ID), .err = -EINVAL,
	  .msg = "status 0 needs the presented local ID", .miss = KZT_HS_A_LOCAL_ID },
	{ "AES-128-CCM is not installed", .cipher = TLS_CIPHER_AES_CCM_128, .err = -EINVAL,
	  .msg = "cipher must be TLS_CIPHER_AES_GCM_128, _AES_GCM_256 or _CHACHA20_POLY1305" },
	{ "32-byte key for AES-128", .tx_key_len = 32, .err = -EINVAL,
	  .msg = "key length does not fit the cipher" },
	{ "16-byte key for AES-256", .cipher = TLS_CIPHER_AES_GCM_256, .tx_key_len = 16,
	  .err = -EINVAL, .msg = "key length does not fit the cipher" },
	{ "16-byte key for ChaCha20", .cipher = TLS_CIPHER_CHACHA20_POLY1305,
	  .tx_key_len = 16, .err = -EINVAL, .msg = "key length does not fit the cipher" },
	/* refused by the policy, before any handler */
	{ "33-byte key", .tx_key_len = 33, .err = -ERANGE, .msg = BAD_POLICY },
	{ "IV of 11 bytes", .iv_len = 11, .err = -ERANGE,
	  .msg = "binary attribute size out of range" },
	{ "IV of 13 bytes", .iv_len = 13, .err = -ERANGE,
	  .msg = "binary attribute size out of range" },
	{ "ID 0", .id = 0xffffffff, .err = -ERANGE, .msg = "integer out of range" },
	{ "status 4096", .status = 4096, .err = -ERANGE, .msg = "integer out of range" },
	{ "sequence number as u32", .seq_u32 = true, .err = -EINVAL,
	  .msg = "invalid attribute length" },
	{ "peer ID too long", .long_peer = true, .err = -EINVAL, .msg = BAD_POLICY },
	{ "no FD", .omit = BIT(KZT_HS_A_FD), .err = -EINVAL,
	  .msg = "the descriptor of the request's socket (FD) is missing", .miss = KZT_HS_A_FD },
	{ "a reply attribute (TIMEOUT_MS)", .extra = KZT_HS_A_TIMEOUT_MS, .err = -EINVAL,
	  .msg = "Unsupported attribute" },
	{ "unknown attribute", .extra = KZT_HS_A_MAX + 1, .err = -EINVAL,
	  .msg = "Unknown attribute type" },
};

static void hs_done_case_desc(const struct hs_done_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hs_done, hs_done_cases, hs_done_case_desc);

static bool hs_put(const struct hs_done_case *c, int type)
{
	return !(c->omit & BIT(type));
}

/* The DONE message of @c, as kzt-hsd would send it. */
static struct sk_buff *hs_done_msg(struct kunit *test, const struct hs_done_case *c,
				   u16 cipher)
{
	struct sk_buff *skb = kzt_test_alloc_msg(test, 2 * NLMSG_GOODSIZE);
	int key_len = kzt_ktls_key_len(cipher) > 0 ? kzt_ktls_key_len(cipher) : 16;
	int tx_len = c->tx_key_len ?: key_len;
	int iv_len = c->iv_len ?: KZT_TLS13_IV_LEN;
	int err = 0;

	if (hs_put(c, KZT_HS_A_ID))
		err |= nla_put_u32(skb, KZT_HS_A_ID, c->id == 0xffffffff ? 0 : c->id ?: 1);
	if (hs_put(c, KZT_HS_A_STATUS))
		err |= nla_put_u32(skb, KZT_HS_A_STATUS, c->status);
	if (hs_put(c, KZT_HS_A_FD))
		err |= nla_put_s32(skb, KZT_HS_A_FD, 3);	/* resolved by the caller */
	if (hs_put(c, KZT_HS_A_CIPHER))
		err |= nla_put_u16(skb, KZT_HS_A_CIPHER, cipher);
	if (hs_put(c, KZT_HS_A_TX_KEY))
		err |= nla_put(skb, KZT_HS_A_TX_KEY, tx_len,
			       tx_len > 32 ? (const void *)hs_long_id : hs_key);
	if (hs_put(c, KZT_HS_A_TX_IV))
		err |= nla_put(skb, KZT_HS_A_TX_IV, iv_len, hs_iv);
	if (hs_put(c, KZT_HS_A_TX_SEQ)) {
		if (c->seq_u32)
			err |= nla_put_u32(skb, KZT_HS_A_TX_SEQ, 1);
		else
			err |= nla_put_u64_64bit(skb, KZT_HS_A_TX_SEQ, 1, KZT_HS_A_PAD);
	}
	if (hs_put(c, KZT_HS_A_RX_KEY))
		err |= nla_put(skb, KZT_HS_A_RX_KEY, key_len, hs_key);
	if (hs_put(c, KZT_HS_A_RX_IV))
		err |= nla_put(skb, KZT_HS_A_RX_IV, KZT_TLS13_IV_LEN, hs_iv);
	if (hs_put(c, KZT_HS_A_RX_SEQ))
		err |= nla_put_u64_64bit(skb, KZT_HS_A_RX_SEQ, 2, KZT_HS_A_PAD);
	if (hs_put(c, KZT_HS_A_PEER_ID))
		err |= nla_put_string(skb, KZT_HS_A_PEER_ID,
				      c->long_peer ? hs_long_id : SERVER_ID);
	if (hs_put(c, KZT_HS_A_LOCAL_ID))
		err |= nla_put_string(skb, KZT_HS_A_LOCAL_ID, CLIENT_ID);
	if (c->extra)
		err |= nla_put_u32(skb, c->extra, 3);
	KUNIT_ASSERT_EQ(test, err, 0);
	return skb;
}

static void kzt_hs_done_policy_test(struct kunit *test)
{
	const struct hs_done_case *c = test->param_value;
	u16 cipher = c->cipher ?: TLS_CIPHER_AES_GCM_128;
	struct sk_buff *skb = hs_done_msg(test, c, cipher);
	struct nlattr *tb[KZT_HS_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct kzt_hs_done_msg m;
	int err;

	err = kzt_test_parse_msg(skb, kzt_hs_done_policy, KZT_HS_A_MAX, tb, &extack);
	if (!err)
		err = kzt_hs_done_parse(tb, &m, &extack);
	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
	else
		KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, extack.miss_type, c->miss);
	if (c->err)
		return;

	KUNIT_EXPECT_TRUE(test, m.named);
	KUNIT_EXPECT_EQ(test, m.id, 1);
	KUNIT_EXPECT_EQ(test, m.status, c->status);
	if (c->status)
		return;
	KUNIT_EXPECT_EQ(test, m.cipher, cipher);
	KUNIT_EXPECT_MEMEQ(test, m.tx.key, hs_key, kzt_ktls_key_len(cipher));
	KUNIT_EXPECT_MEMEQ(test, m.rx.iv, hs_iv, KZT_TLS13_IV_LEN);
	KUNIT_EXPECT_EQ(test, m.tx.seq, 1);
	KUNIT_EXPECT_EQ(test, m.rx.seq, 2);
	KUNIT_EXPECT_STREQ(test, m.peer_id, SERVER_ID);
	KUNIT_EXPECT_STREQ(test, m.local_id, CLIENT_ID);
}

/* A report that names an accepted request but cannot be used still names it. */
static void kzt_hs_done_named_test(struct kunit *test)
{
	static const struct hs_done_case c = { .omit = BIT(KZT_HS_A_RX_KEY), .id = 7 };
	struct sk_buff *skb = hs_done_msg(test, &c, TLS_CIPHER_AES_GCM_128);
	struct nlattr *tb[KZT_HS_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct kzt_hs_done_msg m;

	KUNIT_ASSERT_EQ(test, kzt_test_parse_msg(skb, kzt_hs_done_policy, KZT_HS_A_MAX,
						 tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, kzt_hs_done_parse(tb, &m, &extack), -EINVAL);
	KUNIT_EXPECT_TRUE(test, m.named);
	KUNIT_EXPECT_EQ(test, m.id, 7);
}

static void kzt_hs_status_errno_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kzt_hs_status_errno(EACCES), -EACCES);
	KUNIT_EXPECT_EQ(test, kzt_hs_status_errno(EPROTO), -EPROTO);
	KUNIT_EXPECT_EQ(test, kzt_hs_status_errno(ETIMEDOUT), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, kzt_hs_status_errno(ECONNRESET), -ECONNRESET);
	KUNIT_EXPECT_EQ(test, kzt_hs_status_errno(ENOMEM), -EPROTO);
	KUNIT_EXPECT_EQ(test, kzt_hs_status_errno(4095), -EPROTO);
}

/* ---- DONE applied to a real connection ---- */

/* Accept and claim a client request on @sock; parse a DONE for it. */
static struct kzt_hs_req *hs_apply_setup(struct kunit *test, struct kzt_hs_net *hn,
					 struct socket *sock, const struct hs_done_case *c,
					 struct hs_test_done *d, struct nlattr **tb,
					 struct kzt_hs_done_msg *m)
{
	struct netlink_ext_ack extack = {};
	struct kzt_hs_req *req, *got;
	struct sk_buff *skb;

	req = hs_test_enqueue(test, hn, sock, &hs_client_params, d);
	hs_test_accepted(test, hn, 0, req);
	skb = hs_done_msg(test, c, c->cipher ?: TLS_CIPHER_AES_GCM_128);
	KUNIT_ASSERT_EQ(test, kzt_test_parse_msg(skb, kzt_hs_done_policy, KZT_HS_A_MAX,
						 tb, &extack), 0);
	KUNIT_ASSERT_EQ(test, kzt_hs_done_parse(tb, m, &extack), 0);
	got = kzt_hs_claim_accepted(hn, req->id, req->sock);
	KUNIT_ASSERT_PTR_EQ(test, got, req);
	return got;
}

static void kzt_hs_apply_ok_test(struct kunit *test)
{
	static const struct hs_done_case c = { .cipher = TLS_CIPHER_AES_GCM_256 };
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct nlattr *tb[KZT_HS_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	u64 ok = hs_test_stat(KZT_STATS_A_HS_OK);
	struct kzt_hs_done_msg m;
	struct kzt_hs_req *req;
	struct socket *a, *b;

	hs_test_pair(test, &a, &b);
	req = hs_apply_setup(test, hn, a, &c, d, tb, &m);
	KUNIT_EXPECT_EQ(test, kzt_hs_done_apply(req, &m, tb, &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 1);
	KUNIT_EXPECT_EQ(test, d->status, 0);
	KUNIT_EXPECT_EQ(test, d->cipher, TLS_CIPHER_AES_GCM_256);
	KUNIT_EXPECT_STREQ(test, d->peer_id, SERVER_ID);
	KUNIT_EXPECT_STREQ(test, d->local_id, CLIENT_ID);
	KUNIT_EXPECT_TRUE(test, hs_test_is_ktls(a));
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_OK), ok + 1);
}

/* A whole DONE, as the netlink handler takes it: applied, then wiped. */
static void kzt_hs_done_ok_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct netlink_ext_ack extack = {};
	struct hs_done_case c = { .cipher = TLS_CIPHER_CHACHA20_POLY1305 };
	struct kzt_hs_req *req;
	struct socket *a, *b;
	struct sk_buff *skb;

	hs_test_pair(test, &a, &b);
	req = hs_test_enqueue(test, hn, a, &hs_client_params, d);
	hs_test_accepted(test, hn, 0, req);
	c.id = req->id;
	skb = hs_done_msg(test, &c, c.cipher);
	KUNIT_EXPECT_EQ(test, kzt_hs_done(hn, a, skb->data, skb->len, &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 1);
	KUNIT_EXPECT_EQ(test, d->status, 0);
	KUNIT_EXPECT_TRUE(test, hs_test_is_ktls(a));
	KUNIT_EXPECT_NULL(test, memchr_inv(skb->data, 0, skb->len));
}

/*
 * A DONE that names a live accepted request but not its socket (another
 * socket, or no open socket descriptor) is refused and changes nothing:
 * the request still waits for its holder's DONE.
 */
static void kzt_hs_done_not_holder_test(struct kunit *test)
{
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct hs_done_case c = { .status = EACCES };
	struct netlink_ext_ack extack = {};
	struct kzt_hs_req *req;
	struct socket *a, *b;
	struct sk_buff *skb;

	hs_test_pair(test, &a, &b);
	req = hs_test_enqueue(test, hn, a, &hs_client_params, d);
	hs_test_accepted(test, hn, 0, req);
	c.id = req->id;

	skb = hs_done_msg(test, &c, TLS_CIPHER_AES_GCM_128);
	KUNIT_EXPECT_EQ(test, kzt_hs_done(hn, b, skb->data, skb->len, &extack), -EPERM);
	KUNIT_EXPECT_STREQ(test, extack._msg,
			   "FD is not the socket of this handshake request: only its holder may report it");
	skb = hs_done_msg(test, &c, TLS_CIPHER_AES_GCM_128);
	extack = (struct netlink_ext_ack){};
	KUNIT_EXPECT_EQ(test, kzt_hs_done(hn, NULL, skb->data, skb->len, &extack), -EBADF);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 0);

	/* Its holder still completes it. */
	skb = hs_done_msg(test, &c, TLS_CIPHER_AES_GCM_128);
	extack = (struct netlink_ext_ack){};
	KUNIT_EXPECT_EQ(test, kzt_hs_done(hn, a, skb->data, skb->len, &extack), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 1);
	KUNIT_EXPECT_EQ(test, d->status, -EACCES);
}

/*
 * Every refused DONE is wiped too, whatever refuses it: the policy, the
 * parser, or no request of that ID (the cases that pass every check).
 */
static void kzt_hs_done_wipe_test(struct kunit *test)
{
	const struct hs_done_case *c = test->param_value;
	struct sk_buff *skb = hs_done_msg(test, c, c->cipher ?: TLS_CIPHER_AES_GCM_128);
	struct netlink_ext_ack extack = {};
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct socket *sock = hs_test_sock(test);

	KUNIT_EXPECT_EQ(test, kzt_hs_done(hn, sock, skb->data, skb->len, &extack),
			c->err ?: -ENOENT);
	KUNIT_EXPECT_NULL(test, memchr_inv(skb->data, 0, skb->len));
}

/* A repeated key is refused (kzt_nl_check_repeats()) and wiped. */
static void kzt_hs_done_repeat_test(struct kunit *test)
{
	static const struct hs_done_case c = {};
	struct sk_buff *skb = hs_done_msg(test, &c, TLS_CIPHER_AES_GCM_128);
	struct netlink_ext_ack extack = {};

	KUNIT_ASSERT_EQ(test, nla_put(skb, KZT_HS_A_TX_KEY, 16, hs_key), 0);
	KUNIT_EXPECT_EQ(test, kzt_hs_done(hs_test_hn(test), hs_test_sock(test),
					  skb->data, skb->len, &extack),
			-EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_NULL(test, memchr_inv(skb->data, 0, skb->len));
}

static void kzt_hs_apply_bad_peer_test(struct kunit *test)
{
	static const struct hs_done_case c = { };
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct nlattr *tb[KZT_HS_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	u64 bad = hs_test_stat(KZT_STATS_A_HS_BAD_PEER);
	struct kzt_hs_done_msg m;
	struct kzt_hs_req *req;
	struct socket *a, *b;

	hs_test_pair(test, &a, &b);
	req = hs_apply_setup(test, hn, a, &c, d, tb, &m);
	m.peer_id = "spiffe://td/ns/b/sa/impostor";
	KUNIT_EXPECT_EQ(test, kzt_hs_done_apply(req, &m, tb, &extack), -EACCES);
	KUNIT_EXPECT_STREQ(test, extack._msg,
			   "verified peer ID is not the one the request asked for");
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 1);
	KUNIT_EXPECT_EQ(test, d->status, -EACCES);
	KUNIT_EXPECT_FALSE(test, hs_test_is_ktls(a));
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_BAD_PEER), bad + 1);
}

static void kzt_hs_apply_status_test(struct kunit *test)
{
	static const struct hs_done_case c = { .status = ECONNRESET, .omit = ALL_KEYS };
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct nlattr *tb[KZT_HS_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	u64 failed = hs_test_stat(KZT_STATS_A_HS_FAILED);
	struct kzt_hs_done_msg m;
	struct kzt_hs_req *req;

	req = hs_apply_setup(test, hn, hs_test_sock(test), &c, d, tb, &m);
	KUNIT_EXPECT_EQ(test, kzt_hs_done_apply(req, &m, tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, d->status, -ECONNRESET);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->calls), 1);
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_FAILED), failed + 1);
}

/* kTLS on a socket that is not connected: the request fails with why. */
static void kzt_hs_apply_not_connected_test(struct kunit *test)
{
	static const struct hs_done_case c = { };
	struct kzt_hs_net *hn = hs_test_hn(test);
	struct hs_test_done *d = hs_test_done_new(test);
	struct nlattr *tb[KZT_HS_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct kzt_hs_done_msg m;
	struct kzt_hs_req *req;

	req = hs_apply_setup(test, hn, hs_test_sock(test), &c, d, tb, &m);
	KUNIT_EXPECT_EQ(test, kzt_hs_done_apply(req, &m, tb, &extack), -ENOTCONN);
	KUNIT_EXPECT_STREQ(test, extack._msg,
			   "tunnel socket is not connected (kTLS needs ESTABLISHED)");
	KUNIT_EXPECT_EQ(test, d->status, -ENOTCONN);
}

/* ---- kTLS ---- */

struct hs_cipher_case {
	const char *name;
	u16 cipher;
	const char *aead;	/* the kernel crypto name of the same AEAD */
	int key_len;
};

static const struct hs_cipher_case hs_cipher_cases[] = {
	{ "AES-128-GCM", TLS_CIPHER_AES_GCM_128, "gcm(aes)", 16 },
	{ "AES-256-GCM", TLS_CIPHER_AES_GCM_256, "gcm(aes)", 32 },
	{ "CHACHA20-POLY1305", TLS_CIPHER_CHACHA20_POLY1305,
	  "rfc7539(chacha20,poly1305)", 32 },
};

static void hs_cipher_case_desc(const struct hs_cipher_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hs_cipher, hs_cipher_cases, hs_cipher_case_desc);

/* Each field where its struct in <linux/tls.h> has it, by name. */
static void kzt_ktls_layout_test(struct kunit *test)
{
	const struct hs_cipher_case *c = test->param_value;
	static const u8 be_seq[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct kzt_tls_dir dir = { .key = hs_key, .iv = hs_iv, .seq = 0x0102030405060708 };
	union kzt_tls_crypto_info ci;
	const u8 *key, *salt, *iv, *seq;
	int size, salt_len;

	size = kzt_ktls_crypto_info(c->cipher, &dir, &ci);
	KUNIT_EXPECT_EQ(test, ci.info.version, TLS_1_3_VERSION);
	KUNIT_EXPECT_EQ(test, ci.info.cipher_type, c->cipher);
	KUNIT_EXPECT_EQ(test, kzt_ktls_key_len(c->cipher), c->key_len);
	switch (c->cipher) {
	case TLS_CIPHER_AES_GCM_128:
		KUNIT_EXPECT_EQ(test, size, sizeof(ci.aes_gcm_128));
		key = ci.aes_gcm_128.key;
		salt = ci.aes_gcm_128.salt;
		iv = ci.aes_gcm_128.iv;
		seq = ci.aes_gcm_128.rec_seq;
		salt_len = 4;
		break;
	case TLS_CIPHER_AES_GCM_256:
		KUNIT_EXPECT_EQ(test, size, sizeof(ci.aes_gcm_256));
		key = ci.aes_gcm_256.key;
		salt = ci.aes_gcm_256.salt;
		iv = ci.aes_gcm_256.iv;
		seq = ci.aes_gcm_256.rec_seq;
		salt_len = 4;
		break;
	default:
		KUNIT_EXPECT_EQ(test, size, sizeof(ci.chacha20_poly1305));
		key = ci.chacha20_poly1305.key;
		salt = ci.chacha20_poly1305.salt;
		iv = ci.chacha20_poly1305.iv;
		seq = ci.chacha20_poly1305.rec_seq;
		salt_len = 0;
		break;
	}
	KUNIT_EXPECT_MEMEQ(test, key, hs_key, c->key_len);
	/* TLS 1.3: the salt is the IV's head, the "iv" field its tail. */
	KUNIT_EXPECT_MEMEQ(test, salt, hs_iv, salt_len);
	KUNIT_EXPECT_MEMEQ(test, iv, hs_iv + salt_len, 12 - salt_len);
	KUNIT_EXPECT_MEMEQ(test, seq, be_seq, 8);
	memzero_explicit(&ci, sizeof(ci));
}

static void kzt_ktls_unknown_cipher_test(struct kunit *test)
{
	struct kzt_tls_dir dir = { .key = hs_key, .iv = hs_iv };
	union kzt_tls_crypto_info ci;
	struct socket *a, *b;
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, kzt_ktls_key_len(TLS_CIPHER_AES_CCM_128), -EINVAL);
	KUNIT_EXPECT_EQ(test, kzt_ktls_crypto_info(TLS_CIPHER_AES_CCM_128, &dir, &ci), -EINVAL);
	hs_test_pair(test, &a, &b);
	KUNIT_EXPECT_EQ(test, kzt_ktls_install(a, TLS_CIPHER_AES_CCM_128, &dir, &dir, &why),
			-EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, why);
	KUNIT_EXPECT_FALSE(test, hs_test_is_ktls(a));
	/* A second installation on one socket: its ULP is taken. */
	KUNIT_ASSERT_EQ(test, kzt_ktls_install(a, TLS_CIPHER_AES_GCM_256, &dir, &dir, &why), 0);
	KUNIT_EXPECT_EQ(test, kzt_ktls_install(a, TLS_CIPHER_AES_GCM_256, &dir, &dir, &why),
			-EEXIST);
	KUNIT_EXPECT_STREQ(test, why, "tunnel socket has an upper-layer protocol already");
}

/*
 * TLS 1.3 record protection done by hand with the kernel's AEAD (RFC 8446
 * 5.2 and 5.3): nonce = IV xor the 64-bit sequence number, right-aligned;
 * additional data = the 5-byte record header; inner plaintext = content
 * then its type (23, application data). @rec is header + ciphertext + tag.
 */
static int hs_ref_crypt(struct kunit *test, const struct hs_cipher_case *c, bool enc,
			const u8 *key, const u8 *iv12, u64 seq, u8 *rec, int ct_len)
{
	struct crypto_aead *tfm;
	struct aead_request *req;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	u8 nonce[12];
	int i, err;

	tfm = crypto_alloc_aead(c->aead, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tfm));
	err = crypto_aead_setkey(tfm, key, c->key_len);
	if (!err)
		err = crypto_aead_setauthsize(tfm, 16);
	req = aead_request_alloc(tfm, GFP_KERNEL);
	if (!req)
		err = -ENOMEM;
	if (!err) {
		memcpy(nonce, iv12, 12);
		for (i = 0; i < 8; i++)
			nonce[4 + i] ^= (seq >> (56 - 8 * i)) & 0xff;
		sg_init_one(&sg, rec, 5 + ct_len + 16);
		aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done,
					  &wait);
		aead_request_set_ad(req, 5);
		aead_request_set_crypt(req, &sg, &sg, enc ? ct_len : ct_len + 16, nonce);
		err = crypto_wait_req(enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req),
				      &wait);
	}
	aead_request_free(req);
	crypto_free_aead(tfm);
	return err;
}

/*
 * kTLS on one end, the reference on the other, over loopback: what kTLS
 * sends decrypts with the TX keys, and what the reference encrypts with
 * the RX keys reads back through kTLS. Sequence numbers start where told.
 */
static void kzt_ktls_reference_test(struct kunit *test)
{
	static const char hello[] = "kzt: hello through kTLS";
	const struct hs_cipher_case *c = test->param_value;
	const int len = sizeof(hello), ct = len + 1;	/* + inner content type */
	struct kzt_tls_dir tx = { .key = hs_key, .iv = hs_iv, .seq = 7 };
	struct kzt_tls_dir rx = { .key = hs_key_rx, .iv = hs_iv + 1,
				  .seq = 0x1122334455667788ULL };
	const char *why = NULL;
	struct socket *a, *b;
	u8 *rec, got[sizeof(hello)];

	rec = kunit_kzalloc(test, 5 + ct + 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	hs_test_pair(test, &a, &b);
	KUNIT_ASSERT_EQ(test, kzt_ktls_install(a, c->cipher, &tx, &rx, &why), 0);
	KUNIT_EXPECT_TRUE(test, hs_test_is_ktls(a));

	/* a -> b: one record, opened by the reference */
	KUNIT_ASSERT_EQ(test, hs_test_send(a, hello, len), len);
	KUNIT_ASSERT_EQ(test, hs_test_recv(b, rec, 5 + ct + 16), 5 + ct + 16);
	KUNIT_EXPECT_EQ(test, rec[0], 0x17);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(rec + 1), 0x0303);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(rec + 3), ct + 16);
	KUNIT_EXPECT_EQ(test, hs_ref_crypt(test, c, false, tx.key, tx.iv, tx.seq, rec, ct), 0);
	KUNIT_EXPECT_MEMEQ(test, rec + 5, hello, len);
	KUNIT_EXPECT_EQ(test, rec[5 + len], 0x17);

	/* b -> a: sealed by the reference, opened by kTLS */
	memset(rec, 0, 5 + ct + 16);
	rec[0] = 0x17;
	put_unaligned_be16(0x0303, rec + 1);
	put_unaligned_be16(ct + 16, rec + 3);
	memcpy(rec + 5, hello, len);
	rec[5 + len] = 0x17;
	KUNIT_ASSERT_EQ(test, hs_ref_crypt(test, c, true, rx.key, rx.iv, rx.seq, rec, ct), 0);
	KUNIT_ASSERT_EQ(test, hs_test_send(b, rec, 5 + ct + 16), 5 + ct + 16);
	KUNIT_ASSERT_EQ(test, hs_test_recv(a, got, len), len);
	KUNIT_EXPECT_MEMEQ(test, got, hello, len);
}

/* ---- the netns pin of a socket handed to kztd (sknet.c) ---- */

/* What a kernel socket holds on its netns besides a pin: net->passive. */
#ifdef KZT_HAVE_NET_PASSIVE_INC
#define HS_KERN_SK_PASSIVE	1
#else
#define HS_KERN_SK_PASSIVE	0
#endif

struct hs_net_counts {
	unsigned int count;	/* net->ns.count: keeps the netns alive */
	unsigned int passive;	/* net->passive: keeps struct net's memory */
};

static struct hs_net_counts hs_net_counts(struct net *net)
{
	/* The sockets of earlier cases go first (fput from a kthread). */
	flush_delayed_fput();
	rcu_barrier();
	return (struct hs_net_counts){
		.count = refcount_read(&net->ns.count),
		.passive = refcount_read(&net->passive),
	};
}

static void hs_expect_counts(struct kunit *test, const char *step,
			     struct hs_net_counts before, int count, int passive)
{
	struct hs_net_counts now = hs_net_counts(&init_net);

	KUNIT_EXPECT_EQ_MSG(test, now.count, before.count + count, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, now.passive, before.passive + passive, "%s", step);
}

/* Freed while pinned (a handshake that failed): both counts come back. */
static void kzt_sknet_pin_free_test(struct kunit *test)
{
	struct hs_net_counts before = hs_net_counts(&init_net);
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	hs_expect_counts(test, "created", before, 0, HS_KERN_SK_PASSIVE);
	kzt_sk_net_pin(sock->sk);
	hs_expect_counts(test, "pinned", before, 1, 0);
	kzt_sk_net_pin(sock->sk);	/* again: nothing more */
	hs_expect_counts(test, "pinned twice", before, 1, 0);
	sock_release(sock);
	hs_expect_counts(test, "freed pinned", before, 0, 0);
}

/* Unpinned once the caller's file reference is the only one, then freed. */
static void kzt_sknet_unpin_free_test(struct kunit *test)
{
	struct hs_net_counts before = hs_net_counts(&init_net);
	struct socket *sock;
	struct file *file;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	file = sock_alloc_file(sock, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_EXPECT_FALSE(test, kzt_sk_net_unpin_sole(file));	/* not pinned */
	kzt_sk_net_pin(sock->sk);
	get_file(file);		/* a descriptor of kztd's */
	KUNIT_EXPECT_TRUE(test, kzt_sk_net_unpin_sole(file));
	hs_expect_counts(test, "held by two", before, 1, 0);
	fput(file);		/* not the last reference */
	KUNIT_EXPECT_FALSE(test, kzt_sk_net_unpin_sole(file));
	hs_expect_counts(test, "unpinned", before, 0, HS_KERN_SK_PASSIVE);
	__fput_sync(file);
	hs_expect_counts(test, "freed unpinned", before, 0, 0);
}

static struct kunit_case kzt_handshake_cases[] = {
	KUNIT_CASE(kzt_sknet_pin_free_test),	/* first: fewest sockets about */
	KUNIT_CASE(kzt_sknet_unpin_free_test),
	KUNIT_CASE(kzt_hs_queue_order_test),
	KUNIT_CASE(kzt_hs_params_test),
	KUNIT_CASE(kzt_hs_file_ref_test),
	KUNIT_CASE(kzt_hs_cancel_wins_test),
	KUNIT_CASE(kzt_hs_done_wins_test),
	KUNIT_CASE(kzt_hs_deadline_test),
	KUNIT_CASE(kzt_hs_queue_timeout_test),
	KUNIT_CASE(kzt_hs_queue_full_test),
	KUNIT_CASE(kzt_hs_role_filter_test),
	KUNIT_CASE_SLOW(kzt_hs_cancel_deadline_race_test),
	KUNIT_CASE(kzt_hs_accept_undo_test),
	KUNIT_CASE(kzt_hs_net_exit_test),
	KUNIT_CASE(kzt_hs_deadline_last_ref_test),
	KUNIT_CASE_PARAM(kzt_hs_done_policy_test, hs_done_gen_params),
	KUNIT_CASE(kzt_hs_done_named_test),
	KUNIT_CASE(kzt_hs_status_errno_test),
	KUNIT_CASE(kzt_hs_apply_ok_test),
	KUNIT_CASE(kzt_hs_done_ok_test),
	KUNIT_CASE(kzt_hs_done_not_holder_test),
	KUNIT_CASE_PARAM(kzt_hs_done_wipe_test, hs_done_gen_params),
	KUNIT_CASE(kzt_hs_done_repeat_test),
	KUNIT_CASE(kzt_hs_apply_bad_peer_test),
	KUNIT_CASE(kzt_hs_apply_status_test),
	KUNIT_CASE(kzt_hs_apply_not_connected_test),
	KUNIT_CASE_PARAM(kzt_ktls_layout_test, hs_cipher_gen_params),
	KUNIT_CASE(kzt_ktls_unknown_cipher_test),
	KUNIT_CASE_PARAM_ATTR(kzt_ktls_reference_test, hs_cipher_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static int kzt_handshake_suite_init(struct kunit_suite *suite)
{
	int i;

	memset(hs_long_id, 'a', KZT_SPIFFE_ID_MAX + 1);
	for (i = 0; i < sizeof(hs_key_rx); i++)
		hs_key_rx[i] = 0xff - i;
	return 0;
}

static struct kunit_suite kzt_handshake_suite = {
	.name = "kzt_handshake",
	.suite_init = kzt_handshake_suite_init,
	.test_cases = kzt_handshake_cases,
};

/* ---- with a daemon: tests/selftests/handshake.sh ---- */

/*
 * What the daemon of handshake.sh was told to do, as the done status each
 * end must see (0: success, both ends with the same cipher and data
 * flowing both ways through kTLS).
 */
static int hs_expect_client;
module_param(hs_expect_client, int, 0444);
MODULE_PARM_DESC(hs_expect_client, "kzt_handshake_upcall: client status expected");
static int hs_expect_server;
module_param(hs_expect_server, int, 0444);
MODULE_PARM_DESC(hs_expect_server, "kzt_handshake_upcall: server status expected");
static unsigned int hs_timeout_ms = 20000;
module_param(hs_timeout_ms, uint, 0444);
MODULE_PARM_DESC(hs_timeout_ms, "kzt_handshake_upcall: request deadline");

/*
 * One tunnel's two ends, both submitted through kzt_handshake_submit() in
 * init_net, completed by the daemon's ACCEPT and DONE. Three tunnels: the
 * daemon picks the ciphers in turn.
 */
static void kzt_hs_upcall_test(struct kunit *test)
{
	static const char ping[] = "ping over the upcall's keys";
	struct kzt_hs_params cp = hs_client_params, sp = hs_server_params;
	u64 started = hs_test_stat(KZT_STATS_A_HS_STARTED);
	unsigned int ciphers = 0;
	int i;

	cp.timeout_ms = hs_timeout_ms;
	sp.timeout_ms = hs_timeout_ms;
	for (i = 0; i < 3; i++) {
		struct hs_test_done *cd = hs_test_done_new(test);
		struct hs_test_done *sd = hs_test_done_new(test);
		struct kzt_hs_req *creq, *sreq;
		struct socket *a, *b;
		char got[sizeof(ping)];
		int err;

		hs_test_pair(test, &a, &b);
		err = kzt_handshake_submit(&init_net, a, &cp, hs_test_done_cb, cd, &creq);
		if (err == -ESRCH)
			kunit_skip(test, "no daemon listens (handshake.sh runs one)");
		KUNIT_ASSERT_EQ(test, err, 0);
		KUNIT_ASSERT_EQ(test, kzt_handshake_submit(&init_net, b, &sp, hs_test_done_cb,
							   sd, &sreq), 0);
		KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&cd->done, 60 * HZ), 0);
		KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&sd->done, 60 * HZ), 0);
		KUNIT_EXPECT_EQ(test, cd->status, hs_expect_client);
		KUNIT_EXPECT_EQ(test, sd->status, hs_expect_server);
		KUNIT_EXPECT_TRUE(test, cd->in_task);
		if (cd->status || sd->status)
			continue;

		KUNIT_EXPECT_STREQ(test, cd->peer_id, SERVER_ID);
		KUNIT_EXPECT_EQ(test, cd->cipher, sd->cipher);
		ciphers |= BIT(cd->cipher - TLS_CIPHER_AES_GCM_128);
		KUNIT_EXPECT_TRUE(test, hs_test_is_ktls(a));
		KUNIT_EXPECT_TRUE(test, hs_test_is_ktls(b));
		KUNIT_ASSERT_EQ(test, hs_test_send(a, ping, sizeof(ping)), sizeof(ping));
		KUNIT_ASSERT_EQ(test, hs_test_recv(b, got, sizeof(got)), sizeof(got));
		KUNIT_EXPECT_MEMEQ(test, got, ping, sizeof(ping));
		KUNIT_ASSERT_EQ(test, hs_test_send(b, ping, sizeof(ping)), sizeof(ping));
		KUNIT_ASSERT_EQ(test, hs_test_recv(a, got, sizeof(got)), sizeof(got));
		KUNIT_EXPECT_MEMEQ(test, got, ping, sizeof(ping));
	}
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_STARTED), started + 6);
	if (!hs_expect_client && !hs_expect_server)
		KUNIT_EXPECT_EQ(test, ciphers,
				BIT(TLS_CIPHER_AES_GCM_128 - TLS_CIPHER_AES_GCM_128) |
				BIT(TLS_CIPHER_AES_GCM_256 - TLS_CIPHER_AES_GCM_128) |
				BIT(TLS_CIPHER_CHACHA20_POLY1305 - TLS_CIPHER_AES_GCM_128));
}

/* Nobody listening: submit fails fast and counts it. */
static void kzt_hs_no_daemon_test(struct kunit *test)
{
	u64 none = hs_test_stat(KZT_STATS_A_HS_NO_DAEMON);
	struct kzt_hs_req *req = (void *)1;
	struct socket *sock = hs_test_sock(test);

	if (kzt_genl_hs_listening(&init_net))
		kunit_skip(test, "a daemon listens on the handshake group");
	KUNIT_EXPECT_EQ(test, kzt_handshake_submit(&init_net, sock, &hs_server_params,
						   hs_test_done_cb, NULL, &req), -ESRCH);
	KUNIT_EXPECT_NULL(test, req);
	KUNIT_EXPECT_EQ(test, hs_test_stat(KZT_STATS_A_HS_NO_DAEMON), none + 1);
	KUNIT_EXPECT_EQ(test, file_count(sock->file), 1);
}

static struct kunit_case kzt_handshake_upcall_cases[] = {
	KUNIT_CASE(kzt_hs_no_daemon_test),
	KUNIT_CASE_SLOW(kzt_hs_upcall_test),
	{}
};

static struct kunit_suite kzt_handshake_upcall_suite = {
	.name = "kzt_handshake_upcall",
	.test_cases = kzt_handshake_upcall_cases,
};

kunit_test_suites(&kzt_handshake_suite, &kzt_handshake_upcall_suite);
