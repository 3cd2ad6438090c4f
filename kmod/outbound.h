/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Outbound limits per source workload (Documentation/datapath.rst,
 * "Outbound limits"): every connect() of an enrolled pod to a remote mesh
 * address costs a flow, two sockets, a handshake on both nodes and, once
 * established, two pump buffers. One pod must not be able to take them
 * all, so each source address holds at most
 *
 *  - max_outbound_flows_per_source flows (from capture to their end), and
 *  - max_outbound_handshakes_per_source of them not yet established
 *    (tunnel connect, handshake, header and status).
 *
 * Counted exactly, per source address, in a small hash table per netns:
 * two pods never share a count (as they would share a bucket of
 * admit.h). An entry exists while its address holds a flow and is freed
 * when it holds none. The addresses are those capture took a flow from,
 * the addresses of local workloads (capture checks the interface), so the
 * table holds at most one entry per local workload address.
 *
 * Locking: one spinlock per netns over the table and every count; process
 * context only (the capture listener's accept work, the flows' work).
 */
#ifndef _KZT_OUTBOUND_H
#define _KZT_OUTBOUND_H

#include <linux/in6.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define KZT_OUTBOUND_BUCKETS	64

/* The counts of one netns. */
struct kzt_outbound {
	spinlock_t lock;		/* @sources and every count */
	struct hlist_head sources[KZT_OUTBOUND_BUCKETS];	/* under @lock */
	siphash_key_t key;		/* picks the bucket; random per netns */
};

/* The limits in force (module parameters), read once per decision. */
struct kzt_outbound_limits {
	unsigned int flows;
	unsigned int handshakes;
};

struct kzt_outbound_source;

/* What one outbound flow holds; released once (kzt_outbound_release()). */
struct kzt_outbound_slot {
	struct kzt_outbound_source *source;	/* NULL: nothing held */
	bool handshake;			/* also one of its handshakes */
};

enum kzt_outbound_verdict {
	KZT_OUTBOUND_OK,
	KZT_OUTBOUND_FLOW_LIMIT,	/* the source holds enough flows */
	KZT_OUTBOUND_HANDSHAKE_LIMIT,	/* ... or enough not yet established */
	KZT_OUTBOUND_NOMEM,		/* no entry for a new source */
};

void kzt_outbound_init(struct kzt_outbound *ob);
void kzt_outbound_destroy(struct kzt_outbound *ob);
void kzt_outbound_limits(struct kzt_outbound_limits *limits);
enum kzt_outbound_verdict kzt_outbound_take(struct kzt_outbound *ob,
					    const struct kzt_outbound_limits *limits,
					    const struct in6_addr *src,
					    struct kzt_outbound_slot *slot);
void kzt_outbound_established(struct kzt_outbound *ob,
			      struct kzt_outbound_slot *slot);
void kzt_outbound_release(struct kzt_outbound *ob,
			  struct kzt_outbound_slot *slot);
unsigned int kzt_outbound_count(struct kzt_outbound *ob,
				const struct in6_addr *src,
				unsigned int *handshakes);
unsigned int kzt_outbound_sources(struct kzt_outbound *ob);

#endif /* _KZT_OUTBOUND_H */
