// SPDX-License-Identifier: GPL-2.0
/*
 * Outbound limits per source workload: the counts of outbound.h and the
 * module parameters that bound them.
 */
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/ipv6.h>
#include <kunit/visibility.h>

#include "outbound.h"

/*
 * Defaults: generous for any real pod (1024 connections at once to other
 * nodes' pods, a burst of 256 new ones at once, as a connection pool
 * opens them), while the node's kztd runs 1024 handshakes at once in all:
 * one pod cannot fill it alone.
 */
static unsigned int kzt_max_out_flows = 1024;
module_param_named(max_outbound_flows_per_source, kzt_max_out_flows, uint, 0644);
MODULE_PARM_DESC(max_outbound_flows_per_source,
		 "outbound flows per netns one source workload address holds at most (default 1024)");

static unsigned int kzt_max_out_handshakes = 256;
module_param_named(max_outbound_handshakes_per_source, kzt_max_out_handshakes,
		   uint, 0644);
MODULE_PARM_DESC(max_outbound_handshakes_per_source,
		 "of those, the most not yet established: tunnel connect, handshake, header (default 256)");

/* One source address and what it holds; freed when it holds no flow. */
struct kzt_outbound_source {
	struct hlist_node node;		/* in kzt_outbound.sources */
	struct in6_addr addr;
	unsigned int flows;
	unsigned int handshakes;	/* of @flows, not yet established */
};

/**
 * kzt_outbound_init() - empty counts for a new netns
 * @ob: counts to initialise
 */
void kzt_outbound_init(struct kzt_outbound *ob)
{
	int i;

	spin_lock_init(&ob->lock);
	for (i = 0; i < KZT_OUTBOUND_BUCKETS; i++)
		INIT_HLIST_HEAD(&ob->sources[i]);
	get_random_bytes(&ob->key, sizeof(ob->key));
}
EXPORT_SYMBOL_IF_KUNIT(kzt_outbound_init);

/**
 * kzt_outbound_destroy() - free what is left of @ob
 * @ob: counts of a netns whose flows have all ended
 *
 * Every flow released its slot, so nothing should be left; an entry that
 * is (a broken invariant) is freed all the same.
 */
void kzt_outbound_destroy(struct kzt_outbound *ob)
{
	struct kzt_outbound_source *s;
	struct hlist_node *tmp;
	int i;

	for (i = 0; i < KZT_OUTBOUND_BUCKETS; i++) {
		hlist_for_each_entry_safe(s, tmp, &ob->sources[i], node) {
			WARN_ONCE(1, "kzt: outbound source left with %u flows\n",
				  s->flows);
			hlist_del(&s->node);
			kfree(s);
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(kzt_outbound_destroy);

/**
 * kzt_outbound_limits() - the limits the module parameters set now
 * @limits: filled in
 */
void kzt_outbound_limits(struct kzt_outbound_limits *limits)
{
	limits->flows = READ_ONCE(kzt_max_out_flows);
	limits->handshakes = READ_ONCE(kzt_max_out_handshakes);
}

static struct hlist_head *kzt_outbound_bucket(struct kzt_outbound *ob,
					      const struct in6_addr *src)
{
	return &ob->sources[siphash(src, sizeof(*src), &ob->key) %
			    KZT_OUTBOUND_BUCKETS];
}

static struct kzt_outbound_source *
kzt_outbound_find(struct kzt_outbound *ob, const struct in6_addr *src)
{
	struct kzt_outbound_source *s;

	lockdep_assert_held(&ob->lock);
	hlist_for_each_entry(s, kzt_outbound_bucket(ob, src), node)
		if (ipv6_addr_equal(&s->addr, src))
			return s;
	return NULL;
}

/**
 * kzt_outbound_take() - whether a new outbound flow from @src may start
 * @ob: the netns's counts
 * @limits: the limits in force (kzt_outbound_limits())
 * @src: the source pod's address
 * @slot: set to what the flow holds when admitted: a flow and one of the
 *        handshakes of @src
 *
 * A lowered limit refuses new flows only: those over it keep running.
 *
 * Context: process context (allocates); takes @ob->lock.
 * Return: KZT_OUTBOUND_OK with the counts taken, or why not (nothing taken).
 */
enum kzt_outbound_verdict kzt_outbound_take(struct kzt_outbound *ob,
					    const struct kzt_outbound_limits *limits,
					    const struct in6_addr *src,
					    struct kzt_outbound_slot *slot)
{
	struct kzt_outbound_source *s, *fresh = NULL;
	enum kzt_outbound_verdict v = KZT_OUTBOUND_OK;

	*slot = (struct kzt_outbound_slot){};
	if (!limits->flows || !limits->handshakes)
		return limits->flows ? KZT_OUTBOUND_HANDSHAKE_LIMIT :
				       KZT_OUTBOUND_FLOW_LIMIT;
again:
	spin_lock(&ob->lock);
	s = kzt_outbound_find(ob, src);
	if (!s && !fresh) {
		/* The first flow of @src: allocate outside the lock, look again. */
		spin_unlock(&ob->lock);
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
		if (!fresh)
			return KZT_OUTBOUND_NOMEM;
		fresh->addr = *src;
		goto again;
	}
	if (!s) {
		s = fresh;
		fresh = NULL;
		hlist_add_head(&s->node, kzt_outbound_bucket(ob, src));
	}
	if (s->flows >= limits->flows)
		v = KZT_OUTBOUND_FLOW_LIMIT;
	else if (s->handshakes >= limits->handshakes)
		v = KZT_OUTBOUND_HANDSHAKE_LIMIT;
	if (v == KZT_OUTBOUND_OK) {
		s->flows++;
		s->handshakes++;
		slot->source = s;
		slot->handshake = true;
	}
	/* Refused: an entry just added for it holds nothing; s->flows is 0. */
	if (!s->flows) {
		hlist_del(&s->node);
		fresh = s;
	}
	spin_unlock(&ob->lock);
	kfree(fresh);
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_outbound_take);

/**
 * kzt_outbound_established() - @slot's flow no longer counts as a handshake
 * @ob: the netns's counts
 * @slot: from kzt_outbound_take(), or empty; still holds its flow
 *
 * Context: process context; takes @ob->lock.
 */
void kzt_outbound_established(struct kzt_outbound *ob,
			      struct kzt_outbound_slot *slot)
{
	if (!slot->handshake)
		return;
	spin_lock(&ob->lock);
	slot->source->handshakes--;
	spin_unlock(&ob->lock);
	slot->handshake = false;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_outbound_established);

/**
 * kzt_outbound_release() - give back what @slot holds; then it holds nothing
 * @ob: the netns's counts
 * @slot: from kzt_outbound_take(), or empty
 *
 * Frees the entry of its source when that held its last flow.
 *
 * Context: process context; takes @ob->lock.
 */
void kzt_outbound_release(struct kzt_outbound *ob,
			  struct kzt_outbound_slot *slot)
{
	struct kzt_outbound_source *s = slot->source, *gone = NULL;

	if (!s)
		return;
	spin_lock(&ob->lock);
	if (slot->handshake)
		s->handshakes--;
	if (!--s->flows) {
		hlist_del(&s->node);
		gone = s;
	}
	spin_unlock(&ob->lock);
	kfree(gone);
	*slot = (struct kzt_outbound_slot){};
}
EXPORT_SYMBOL_IF_KUNIT(kzt_outbound_release);

/**
 * kzt_outbound_count() - what @src holds now
 * @ob: the netns's counts
 * @src: a source address
 * @handshakes: set to its flows not yet established; may be NULL
 *
 * Context: takes @ob->lock.
 * Return: its flows.
 */
unsigned int kzt_outbound_count(struct kzt_outbound *ob,
				const struct in6_addr *src,
				unsigned int *handshakes)
{
	struct kzt_outbound_source *s;
	unsigned int flows = 0, hs = 0;

	spin_lock(&ob->lock);
	s = kzt_outbound_find(ob, src);
	if (s) {
		flows = s->flows;
		hs = s->handshakes;
	}
	spin_unlock(&ob->lock);
	if (handshakes)
		*handshakes = hs;
	return flows;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_outbound_count);

/**
 * kzt_outbound_sources() - how many source addresses hold a flow
 * @ob: the netns's counts
 *
 * Context: takes @ob->lock.
 * Return: the number of entries of the table.
 */
unsigned int kzt_outbound_sources(struct kzt_outbound *ob)
{
	struct kzt_outbound_source *s;
	unsigned int n = 0;
	int i;

	spin_lock(&ob->lock);
	for (i = 0; i < KZT_OUTBOUND_BUCKETS; i++)
		hlist_for_each_entry(s, &ob->sources[i], node)
			n++;
	spin_unlock(&ob->lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_outbound_sources);
