// SPDX-License-Identifier: GPL-2.0
/*
 * The source node's idle kzt/2 tunnels (Documentation/datapath.rst,
 * "Tunnel reuse").
 *
 * When both directions of a kzt/2 flow have ended cleanly, its tunnel is
 * still a working, authenticated kTLS connection to the peer node. The
 * flow puts it here, keyed by what it was authenticated for: the identity
 * this node presented, the identity the peer proved, the peer node and its
 * port. The next flow with exactly that key takes it and sends its header
 * without a handshake; no flow ever takes a tunnel of another key.
 *
 * An entry is passive: no work of its own. Whoever unlinks it under
 * pool->lock owns it (a taking flow, the expiry, a flush). Its socket's
 * callbacks only mark it ready and queue the pool's work: an idle tunnel
 * of the source node has nothing to read unless the peer is closing it,
 * so the work closes it then, and closes what waited KZT_POOL_IDLE_MS.
 * Closing is a reset: an idle tunnel carries no byte of anyone, and a
 * reset leaves no orphan socket behind in a netns that may be going. A
 * flush or a revoke (netlink handlers, under genl's cb_lock) only unlinks
 * and leaves the closing to the work: releasing a socket there takes its
 * inode lock, which lockdep (by lock class) orders before cb_lock, since
 * closing a netlink socket takes them so.
 *
 * The generation: a certificate change (kztd's POOL_FLUSH) closes every
 * idle tunnel and bumps it; tunnels whose handshake started before are
 * never kept again, so new flows ride tunnels of the new certificates.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/file.h>
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "flow_internal.h"
#include "pool.h"
#include "skhook.h"
#include "stats.h"

enum {
	KZT_POOL_EV_READY,	/* a callback ran: the peer is closing */
};

struct kzt_pool_entry {
	struct hlist_node hnode;	/* in pool->idle */
	struct list_head lru;		/* in pool->lru; or a closing list */
	struct kzt_pool *pool;
	struct kzt_tunnel t;
	struct kzt_sk_callbacks saved;	/* under sk_callback_lock */
	unsigned long events;
	unsigned long expires;		/* jiffies */
	u32 hash;
};

static unsigned int kzt_pool_idle_ms_param = KZT_POOL_IDLE_MS;

static int kzt_pool_idle_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v < KZT_POOL_IDLE_MS_MIN || v > KZT_POOL_IDLE_MS_MAX)
		return -ERANGE;
	WRITE_ONCE(kzt_pool_idle_ms_param, v);
	return 0;
}

static const struct kernel_param_ops kzt_pool_idle_ops = {
	.set = kzt_pool_idle_set,
	.get = param_get_uint,
};
module_param_cb(pool_idle_ms, &kzt_pool_idle_ops, &kzt_pool_idle_ms_param, 0644);
MODULE_PARM_DESC(pool_idle_ms,
		 "how long a kept kzt/2 tunnel waits for its next flow (100..3600000 ms, default 60000)");

/**
 * kzt_pool_idle_ms() - how long a kept tunnel waits for its next flow
 * @net: node netns (one value for all of them, for now)
 *
 * Return: milliseconds; a change applies to tunnels kept from then on.
 */
unsigned int kzt_pool_idle_ms(struct net *net)
{
	return READ_ONCE(kzt_pool_idle_ms_param);
}

static u32 kzt_pool_hash(const char *local_id, const char *peer_id,
			 const struct in6_addr *node, u16 port)
{
	u32 h = jhash(node, sizeof(*node), port);

	h = jhash(local_id, strlen(local_id), h);
	return jhash(peer_id, strlen(peer_id), h);
}

static bool kzt_pool_match(const struct kzt_pool_entry *e, const char *local_id,
			   const char *peer_id, const struct in6_addr *node,
			   u16 port)
{
	return e->t.port == port && ipv6_addr_equal(&e->t.node, node) &&
	       !strcmp(e->t.local_id, local_id) && !strcmp(e->t.peer_id, peer_id);
}

/* ---- socket callbacks ---- */

static struct kzt_sk_callbacks kzt_pool_sk_event(struct sock *sk, bool ready)
{
	struct kzt_sk_callbacks saved = {};
	struct kzt_pool_entry *e;

	read_lock_bh(&sk->sk_callback_lock);
	e = __locked_read_sk_user_data_with_flags(sk, 0);
	if (e) {
		saved = e->saved;
		/* The pool outlives its entries' hooks (kzt_pool_destroy()). */
		if (ready && !test_and_set_bit(KZT_POOL_EV_READY, &e->events))
			mod_delayed_work(kzt_flow_wq, &e->pool->work, 0);
	}
	read_unlock_bh(&sk->sk_callback_lock);
	return saved;
}

static void kzt_pool_data_ready(struct sock *sk)
{
	struct kzt_sk_callbacks saved = kzt_pool_sk_event(sk, true);

	if (saved.data_ready)
		saved.data_ready(sk);
}

/* Room to write says nothing about the peer: only chained. */
static void kzt_pool_write_space(struct sock *sk)
{
	struct kzt_sk_callbacks saved = kzt_pool_sk_event(sk, false);

	if (saved.write_space)
		saved.write_space(sk);
}

static void kzt_pool_state_change(struct sock *sk)
{
	struct kzt_sk_callbacks saved = kzt_pool_sk_event(sk, true);

	if (saved.state_change)
		saved.state_change(sk);
}

static void kzt_pool_error_report(struct sock *sk)
{
	struct kzt_sk_callbacks saved = kzt_pool_sk_event(sk, true);

	if (saved.error_report)
		saved.error_report(sk);
}

static const struct kzt_sk_callbacks kzt_pool_callbacks = {
	.data_ready = kzt_pool_data_ready,
	.write_space = kzt_pool_write_space,
	.state_change = kzt_pool_state_change,
	.error_report = kzt_pool_error_report,
};

/* ---- entries ---- */

/**
 * kzt_tunnel_release() - close a tunnel nobody will use: a reset
 * @t: a tunnel whose socket is not hooked; process context
 */
void kzt_tunnel_release(struct kzt_tunnel *t)
{
	if (t->sock) {
		sock_no_linger(t->sock->sk);
		/* Synchronous: gone before a dying netns is (flow.c). */
		__fput_sync(t->file);
	}
	kfree(t->local_id);
	kfree(t->peer_id);
	memset(t, 0, sizeof(*t));
}

static void kzt_pool_unlink(struct kzt_pool *pool, struct kzt_pool_entry *e)
{
	lockdep_assert_held(&pool->lock);
	hash_del(&e->hnode);
	list_del(&e->lru);
	pool->n_idle--;
}

/* An unlinked entry's socket back to its own callbacks; frees @e. */
static void kzt_pool_entry_free(struct kzt_pool_entry *e, struct kzt_tunnel *t)
{
	kzt_sk_unhook(e->t.sock->sk, &kzt_pool_callbacks, &e->saved);
	*t = e->t;
	kfree(e);
}

static void kzt_pool_close_list(struct list_head *gone)
{
	struct kzt_pool_entry *e, *tmp;
	struct kzt_tunnel t;

	list_for_each_entry_safe(e, tmp, gone, lru) {
		list_del(&e->lru);
		kzt_pool_entry_free(e, &t);
		kzt_tunnel_release(&t);
	}
}

/* Whether a tunnel taken out of the pool can carry a header now. */
static bool kzt_pool_sock_usable(const struct sock *sk)
{
	return READ_ONCE(sk->sk_state) == TCP_ESTABLISHED &&
	       !READ_ONCE(sk->sk_err) &&
	       !(READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) &&
	       skb_queue_empty_lockless(&sk->sk_receive_queue);
}

/*
 * Close what expired and what its peer is closing; wake again at the
 * next expiry.
 */
static void kzt_pool_work(struct work_struct *work)
{
	struct kzt_pool *pool = container_of(to_delayed_work(work),
					     struct kzt_pool, work);
	unsigned long now = jiffies, next = 0;
	struct kzt_pool_entry *e, *tmp;
	unsigned int expired = 0;
	LIST_HEAD(gone);

	spin_lock(&pool->lock);
	list_splice_init(&pool->closing, &gone);
	list_for_each_entry_safe(e, tmp, &pool->lru, lru) {
		if (test_bit(KZT_POOL_EV_READY, &e->events) ||
		    time_after_eq(now, e->expires)) {
			if (!test_bit(KZT_POOL_EV_READY, &e->events))
				expired++;
			kzt_pool_unlink(pool, e);
			list_add_tail(&e->lru, &gone);
			continue;
		}
		if (!next || time_before(e->expires, next))
			next = e->expires;
	}
	pool->next = next;
	if (next)
		mod_delayed_work(kzt_flow_wq, &pool->work, next - now);
	spin_unlock(&pool->lock);
	while (expired--)
		kzt_stat_inc(pool->net, KZT_STATS_A_TUNNELS_EXPIRED);
	kzt_pool_close_list(&gone);
}

/**
 * kzt_pool_put() - keep a source node's tunnel for the next flow
 * @pool: the netns's pool
 * @t: a kzt/2 tunnel whose flow ended cleanly both ways, not hooked, not
 *     pinned; taken over on success
 * @flow_events: its flow's KZT_FLOW_EV_* bits
 *
 * Refused when the pool is closed or full (per key or in all), when the
 * tunnel's handshake started in an older generation (a certificate
 * changed since), or when its flow was told KZT_FLOW_EV_UNTRUSTED:
 * kzt_flow_revoke_peers() flags the flows before kzt_pool_revoke_peers()
 * takes the lock this reads the bit under, so a tunnel is either found
 * by it or not kept.
 *
 * Return: true when kept; false leaves @t with the caller.
 */
bool kzt_pool_put(struct kzt_pool *pool, struct kzt_tunnel *t,
		  const unsigned long *flow_events)
{
	struct kzt_pool_entry *e, *other;
	unsigned int same = 0;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return false;
	e->pool = pool;
	e->t = *t;
	e->hash = kzt_pool_hash(t->local_id, t->peer_id, &t->node, t->port);
	e->expires = jiffies + msecs_to_jiffies(kzt_pool_idle_ms(pool->net));
	/* ORDER: hooked before it can be found; a close before is seen. */
	if (kzt_sk_hook(t->sock->sk, e, &kzt_pool_callbacks, &e->saved)) {
		kfree(e);
		return false;
	}

	spin_lock(&pool->lock);
	hash_for_each_possible(pool->idle, other, hnode, e->hash)
		if (kzt_pool_match(other, t->local_id, t->peer_id, &t->node,
				   t->port))
			same++;
	if (pool->closed || t->gen != pool->generation ||
	    test_bit(KZT_FLOW_EV_UNTRUSTED, flow_events) ||
	    pool->n_idle >= KZT_POOL_MAX_IDLE || same >= KZT_POOL_MAX_PER_KEY) {
		spin_unlock(&pool->lock);
		kzt_sk_unhook(t->sock->sk, &kzt_pool_callbacks, &e->saved);
		kfree(e);
		return false;
	}
	/* Most recent first in its bucket: the warmest is taken first. */
	hash_add(pool->idle, &e->hnode, e->hash);
	list_add_tail(&e->lru, &pool->lru);
	pool->n_idle++;
	if (test_bit(KZT_POOL_EV_READY, &e->events)) {
		mod_delayed_work(kzt_flow_wq, &pool->work, 0);
	} else if (!pool->next || time_before(e->expires, pool->next)) {
		/* Sooner than the work is due: pool_idle_ms was lowered. */
		pool->next = e->expires;
		mod_delayed_work(kzt_flow_wq, &pool->work,
				 e->expires - jiffies);
	}
	spin_unlock(&pool->lock);
	kzt_stat_inc(pool->net, KZT_STATS_A_TUNNELS_KEPT);
	memset(t, 0, sizeof(*t));
	return true;
}

/**
 * kzt_pool_take() - a kept tunnel of exactly this key, for a new flow
 * @pool: the netns's pool
 * @local_id: the identity the flow's source presents
 * @peer_id: the identity its destination must have proved
 * @node: the destination's node
 * @port: its tunnel port
 * @t: set to the tunnel (its socket not hooked) on success
 *
 * Tunnels found closing on the way are closed.
 *
 * Return: true with @t set, false when none is kept.
 */
bool kzt_pool_take(struct kzt_pool *pool, const char *local_id,
		   const char *peer_id, const struct in6_addr *node, u16 port,
		   struct kzt_tunnel *t)
{
	u32 hash = kzt_pool_hash(local_id, peer_id, node, port);
	struct kzt_pool_entry *e, *found;

	for (;;) {
		found = NULL;
		spin_lock(&pool->lock);
		hash_for_each_possible(pool->idle, e, hnode, hash) {
			if (kzt_pool_match(e, local_id, peer_id, node, port) &&
			    !test_bit(KZT_POOL_EV_READY, &e->events)) {
				kzt_pool_unlink(pool, e);
				found = e;
				break;
			}
		}
		spin_unlock(&pool->lock);
		if (!found)
			return false;
		kzt_pool_entry_free(found, t);
		if (kzt_pool_sock_usable(t->sock->sk))
			return true;
		kzt_tunnel_release(t);
	}
}

/**
 * kzt_pool_generation() - the generation a new handshake starts in
 * @pool: the netns's pool
 *
 * Return: it.
 */
u32 kzt_pool_generation(struct kzt_pool *pool)
{
	u32 gen;

	spin_lock(&pool->lock);
	gen = pool->generation;
	spin_unlock(&pool->lock);
	return gen;
}

/**
 * kzt_pool_flush() - close every kept tunnel; keep none of the tunnels
 *                    running now
 * @pool: the netns's pool; any process context (the pool's work closes
 *        them)
 *
 * Return: the number closed.
 */
unsigned int kzt_pool_flush(struct kzt_pool *pool)
{
	struct kzt_pool_entry *e, *tmp;
	unsigned int n = 0;

	spin_lock(&pool->lock);
	/* Read under fn->lock by kzt_flow_start(). */
	WRITE_ONCE(pool->generation, pool->generation + 1);
	list_for_each_entry_safe(e, tmp, &pool->lru, lru) {
		kzt_pool_unlink(pool, e);
		list_add_tail(&e->lru, &pool->closing);
		n++;
	}
	if (n)
		mod_delayed_work(kzt_flow_wq, &pool->work, 0);
	spin_unlock(&pool->lock);
	return n;
}

static int kzt_pool_id_cmp(const void *key, const void *elt)
{
	return strcmp(key, *(const char *const *)elt);
}

/**
 * kzt_pool_revoke_peers() - close the kept tunnels to identities in @ids
 * @pool: the netns's pool; any process context (the pool's work closes
 *        them)
 * @ids: SPIFFE IDs in strcmp() order
 * @n: their number
 *
 * Return: the number closed.
 */
unsigned int kzt_pool_revoke_peers(struct kzt_pool *pool,
				   const char *const *ids, unsigned int n)
{
	struct kzt_pool_entry *e, *tmp;
	unsigned int closed = 0;

	spin_lock(&pool->lock);
	list_for_each_entry_safe(e, tmp, &pool->lru, lru) {
		if (!bsearch(e->t.peer_id, ids, n, sizeof(*ids), kzt_pool_id_cmp))
			continue;
		kzt_pool_unlink(pool, e);
		list_add_tail(&e->lru, &pool->closing);
		closed++;
	}
	if (closed)
		mod_delayed_work(kzt_flow_wq, &pool->work, 0);
	spin_unlock(&pool->lock);
	return closed;
}

/**
 * kzt_pool_inbound_get() - count one more IDLE flow (destination side)
 * @pool: the netns's pool
 *
 * Return: false when KZT_POOL_MAX_IDLE of them wait already.
 */
bool kzt_pool_inbound_get(struct kzt_pool *pool)
{
	return atomic_add_unless(&pool->n_inbound_idle, 1, KZT_POOL_MAX_IDLE);
}

/**
 * kzt_pool_inbound_put() - an IDLE flow took its next header, or ended
 * @pool: the netns's pool
 */
void kzt_pool_inbound_put(struct kzt_pool *pool)
{
	atomic_dec(&pool->n_inbound_idle);
}

/**
 * kzt_pool_init() - an empty pool
 * @pool: zeroed, in the netns's flow state
 * @net: the netns
 */
void kzt_pool_init(struct kzt_pool *pool, struct net *net)
{
	pool->net = net;
	spin_lock_init(&pool->lock);
	hash_init(pool->idle);
	INIT_LIST_HEAD(&pool->lru);
	INIT_LIST_HEAD(&pool->closing);
	atomic_set(&pool->n_inbound_idle, 0);
	INIT_DELAYED_WORK(&pool->work, kzt_pool_work);
}

/**
 * kzt_pool_destroy() - close every kept tunnel for good
 * @pool: the pool of a netns whose flows have all ended; process context
 */
void kzt_pool_destroy(struct kzt_pool *pool)
{
	LIST_HEAD(gone);

	spin_lock(&pool->lock);
	pool->closed = true;
	spin_unlock(&pool->lock);
	kzt_pool_flush(pool);
	spin_lock(&pool->lock);
	list_splice_init(&pool->closing, &gone);
	spin_unlock(&pool->lock);
	kzt_pool_close_list(&gone);
	/*
	 * ORDER: every entry unhooked (here, or by a run of the work under
	 * way, which this waits for) before the work goes: their callbacks
	 * queue it. No entry comes after: the pool is closed.
	 */
	cancel_delayed_work_sync(&pool->work);
}
