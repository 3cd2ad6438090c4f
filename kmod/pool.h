/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Idle kzt/2 tunnels of a netns, kept by the source node between two flows
 * (Documentation/datapath.rst, "Tunnel reuse"). The destination node keeps
 * its side as a flow in KZT_CONN_STATE_IDLE (tunnel.c); the pool holds the
 * generation both sides check.
 */
#ifndef _KZT_POOL_H
#define _KZT_POOL_H

#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct file;
struct net;
struct socket;

/* Idle tunnels one destination key (identities and node) may keep. */
#define KZT_POOL_MAX_PER_KEY	128
/* Idle tunnels one netns may keep, both roles each. */
#define KZT_POOL_MAX_IDLE	4096
/* How long a kept tunnel waits for its next flow (module parameter). */
#define KZT_POOL_IDLE_MS	60000
#define KZT_POOL_IDLE_MS_MIN	100
#define KZT_POOL_IDLE_MS_MAX	3600000

/* A kzt/2 tunnel between two flows: what the next flow takes over. */
struct kzt_tunnel {
	struct socket *sock;
	struct file *file;		/* holds @sock */
	char *local_id;			/* the identity this node presented */
	char *peer_id;			/* the identity the peer proved */
	struct in6_addr node;		/* the peer node's address */
	u16 port;			/* the peer's tunnel port */
	u16 cipher;			/* TLS_CIPHER_* */
	u64 flows;			/* flows it carried so far */
	u64 records;			/* its most records in one direction */
	u32 gen;			/* pool generation of its handshake */
};

struct kzt_pool {
	struct net *net;		/* no reference: pernet exit ends us */
	spinlock_t lock;		/* all below */
	DECLARE_HASHTABLE(idle, 8);	/* kzt_pool_entry by key hash */
	struct list_head lru;		/* the same entries, oldest first */
	struct list_head closing;	/* unlinked, for the work to close */
	unsigned int n_idle;
	unsigned long next;		/* jiffies the work is due; 0: none */
	u32 generation;			/* bumped by kzt_pool_flush() */
	bool closed;			/* pernet exit: nothing kept any more */
	atomic_t n_inbound_idle;	/* IDLE flows: the destination's side */
	struct delayed_work work;	/* expiry and closing by the peer */
};

void kzt_pool_init(struct kzt_pool *pool, struct net *net);
void kzt_pool_destroy(struct kzt_pool *pool);
u32 kzt_pool_generation(struct kzt_pool *pool);
bool kzt_pool_put(struct kzt_pool *pool, struct kzt_tunnel *t,
		  const unsigned long *flow_events);
bool kzt_pool_take(struct kzt_pool *pool, const char *local_id,
		   const char *peer_id, const struct in6_addr *node, u16 port,
		   struct kzt_tunnel *t);
unsigned int kzt_pool_flush(struct kzt_pool *pool);
unsigned int kzt_pool_revoke_peers(struct kzt_pool *pool,
				   const char *const *ids, unsigned int n);
bool kzt_pool_inbound_get(struct kzt_pool *pool);
void kzt_pool_inbound_put(struct kzt_pool *pool);
void kzt_tunnel_release(struct kzt_tunnel *t);
unsigned int kzt_pool_idle_ms(struct net *net);

#endif /* _KZT_POOL_H */
