/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the handshake upcall: the per-netns request table of handshake.c,
 * shared with its netlink handlers (nl_handshake.c) and its KUnit suite.
 * Callers outside those use kmod/handshake.h only.
 */
#ifndef _KZT_HANDSHAKE_INTERNAL_H
#define _KZT_HANDSHAKE_INTERNAL_H

#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "handshake.h"

/*
 * The requests of one netns. @reqs maps the ID of every live request
 * (waiting or accepted) to it; its lock (xa_lock_bh) is the one lock of the
 * upcall: it protects @reqs, @waiting, @n_waiting, @next_seq, @dead and
 * every request's @state, @node and @deadline.
 */
struct kzt_hs_net {
	struct net *net;		/* owner; no reference (pernet) */
	struct xarray reqs;		/* id -> struct kzt_hs_req */
	/* not yet accepted, oldest first; one queue per role (index role - 1) */
	struct list_head waiting[2];
	unsigned int n_waiting;		/* on both queues */
	u64 next_seq;			/* order of arrival across the queues */
	u32 next_id;			/* cursor of the cyclic ID allocator */
	bool dead;			/* netns exit began: no new request */
};

enum kzt_hs_state {
	KZT_HS_WAITING,		/* on a @waiting queue, in @reqs */
	KZT_HS_ACCEPTED,	/* in @reqs; a daemon holds the socket as an fd */
	KZT_HS_COMPLETED,	/* in neither: its one completion was claimed */
};

/*
 * One handshake. Lifetime: one reference while it is live (dropped by the
 * one context that claims its completion, once that completion is over),
 * one while its deadline work is pending, and a transient one held by an
 * ACCEPT between taking it and handing out its descriptor. Everything but
 * @state, @node, @deadline and @hs_started (all four under hn's lock) is
 * written before the request becomes visible and is read-only after.
 *
 * Two deadlines share @timeout: while WAITING, the queue's
 * (hs_queue_timeout_ms, from submit); from ACCEPT, the handshake's own
 * (@timeout_ms, from then on). @deadline is the one that applies now; a
 * deadline work that finds it in the future is a stale one (moved by
 * ACCEPT while it ran) and does nothing.
 */
struct kzt_hs_req {
	refcount_t ref;
	struct kzt_hs_net *hn;
	struct list_head node;		/* on hn->waiting[] while WAITING */
	enum kzt_hs_state state;
	u32 id;
	u64 seq;			/* arrival, to pick the oldest of both queues */
	bool hs_started;		/* accepted once: @deadline is the handshake's */

	struct socket *sock;
	struct file *file;		/* our reference on sock->file */
	u8 role;			/* enum kzt_hs_role */
	char *local_id;			/* NULL for the server role */
	char *peer_id;			/* NULL for the server role */
	struct in6_addr dst_addr;
	unsigned int timeout_ms;	/* the handshake's, from ACCEPT */
	unsigned long deadline;		/* jiffies; the queue's, then the handshake's */
	struct delayed_work timeout;

	kzt_hs_done_t done;
	void *data;
};

/* Module parameters max_queued_handshakes and hs_queue_timeout_ms. */
extern unsigned int kzt_hs_max_queued;
extern unsigned int kzt_hs_queue_timeout_ms;

struct kzt_hs_net *kzt_hs_net_alloc(struct net *net);
void kzt_hs_net_free(struct kzt_hs_net *hn);
int kzt_hs_enqueue(struct kzt_hs_net *hn, struct socket *sock,
		   const struct kzt_hs_params *params, kzt_hs_done_t done,
		   void *data, struct kzt_hs_req **reqp);
struct kzt_hs_req *kzt_hs_accept_next(struct kzt_hs_net *hn, u8 role);
void kzt_hs_accept_undo(struct kzt_hs_req *req);
void kzt_hs_accept_finish(struct kzt_hs_req *req);
struct kzt_hs_req *kzt_hs_claim_accepted(struct kzt_hs_net *hn, u32 id,
					 const struct socket *sock);
void kzt_hs_complete(struct kzt_hs_req *req, int status,
		     const struct kzt_hs_result *res);
unsigned int kzt_hs_time_left_ms(const struct kzt_hs_req *req);
struct kzt_hs_net *kzt_hs_net_of(struct net *net);

#endif /* _KZT_HANDSHAKE_INTERNAL_H */
