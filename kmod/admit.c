// SPDX-License-Identifier: GPL-2.0
/*
 * Admission of inbound tunnels: the budgets of admit.h and the module
 * parameters that set them.
 */
#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <kunit/visibility.h>
#include <net/ipv6.h>

#include "admit.h"

/*
 * Defaults: kztd runs 1024 handshakes at once, all of them for peer nodes
 * if need be. A source that is no known peer node cannot get a flow
 * through (protocol.rst: the source pod must be behind the tunnel's
 * peer); it gets a handshake and a clear refusal only while its node is
 * missing from the table, so a small pool serves it.
 */
static unsigned int kzt_max_unauth_peers = 1024;
module_param_named(max_unauthenticated_peers, kzt_max_unauth_peers, uint, 0644);
MODULE_PARM_DESC(max_unauthenticated_peers,
		 "inbound tunnels per netns from known peer nodes still in their handshake or header (default 1024)");

static unsigned int kzt_max_unauth_others = 128;
module_param_named(max_unauthenticated, kzt_max_unauth_others, uint, 0644);
MODULE_PARM_DESC(max_unauthenticated,
		 "inbound tunnels per netns from other sources still in their handshake or header (default 128)");

static unsigned int kzt_max_unauth_per_source = 16;
module_param_named(max_unauthenticated_per_source, kzt_max_unauth_per_source,
		   uint, 0644);
MODULE_PARM_DESC(max_unauthenticated_per_source,
		 "of max_unauthenticated, the most one source address holds (default 16)");

static unsigned int kzt_hello_timeout_ms = 2000;
module_param_named(hello_timeout_ms, kzt_hello_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hello_timeout_ms,
		 "an inbound tunnel from a source that is no known peer node, with no byte after this long, is reset (default 2000; 0: no such deadline)");

/**
 * kzt_admit_init() - empty budgets for a new netns
 * @admit: budgets to initialise
 */
void kzt_admit_init(struct kzt_admit *admit)
{
	int i;

	atomic_set(&admit->peers, 0);
	atomic_set(&admit->others, 0);
	for (i = 0; i < KZT_ADMIT_SOURCE_BUCKETS; i++)
		atomic_set(&admit->per_source[i], 0);
	get_random_bytes(&admit->key, sizeof(admit->key));
}
EXPORT_SYMBOL_IF_KUNIT(kzt_admit_init);

/**
 * kzt_admit_limits() - the limits the module parameters set now
 * @limits: filled in
 */
void kzt_admit_limits(struct kzt_admit_limits *limits)
{
	limits->peers = READ_ONCE(kzt_max_unauth_peers);
	limits->others = READ_ONCE(kzt_max_unauth_others);
	limits->per_source = READ_ONCE(kzt_max_unauth_per_source);
}

/**
 * kzt_admit_hello_timeout_ms() - how long a new tunnel may stay silent
 * @adm: what the tunnel holds
 *
 * Return: milliseconds; 0 for no deadline of its own (a peer node's).
 */
unsigned int kzt_admit_hello_timeout_ms(const struct kzt_admission *adm)
{
	return adm->peer ? 0 : READ_ONCE(kzt_hello_timeout_ms);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_admit_hello_timeout_ms);

/* Take one of @limit slots of @budget: false (nothing taken) when full. */
static bool kzt_admit_take(atomic_t *budget, unsigned int limit)
{
	if (atomic_inc_return(budget) <= (int)min_t(unsigned int, limit, INT_MAX))
		return true;
	atomic_dec(budget);
	return false;
}

/*
 * The source a per-source budget counts: an IPv4 address (v4-mapped)
 * whole, an IPv6 address by its /64, since one host or site gets a whole
 * /64 (RFC 7421) and could otherwise spread over 2^64 addresses, each
 * with its own share.
 */
static u64 kzt_admit_source_hash(const struct in6_addr *src,
				 const siphash_key_t *key)
{
	struct in6_addr prefix = *src;

	if (!ipv6_addr_v4mapped(src))
		memset(&prefix.s6_addr32[2], 0, 8);	/* the interface identifier */
	return siphash(&prefix, sizeof(prefix), key);
}

/**
 * kzt_admit() - whether a new inbound tunnel from @src may be served
 * @admit: the netns's budgets
 * @limits: the limits in force (kzt_admit_limits())
 * @src: the tunnel's TCP peer address (IPv6: its /64 is the source)
 * @peer: @src is a known peer node (kzt_workload_node_known())
 * @adm: set to what the tunnel holds when admitted
 *
 * Context: any; lock-free.
 * Return: KZT_ADMIT_OK with the slots taken, or why not (nothing taken).
 */
enum kzt_admit_verdict kzt_admit(struct kzt_admit *admit,
				 const struct kzt_admit_limits *limits,
				 const struct in6_addr *src, bool peer,
				 struct kzt_admission *adm)
{
	atomic_t *source;
	u64 hash;

	*adm = (struct kzt_admission){};
	if (peer) {
		if (!kzt_admit_take(&admit->peers, limits->peers))
			return KZT_ADMIT_OVERLOAD;
		adm->pool = &admit->peers;
		adm->peer = true;
		return KZT_ADMIT_OK;
	}
	hash = kzt_admit_source_hash(src, &admit->key);
	source = &admit->per_source[hash % KZT_ADMIT_SOURCE_BUCKETS];
	if (!kzt_admit_take(source, limits->per_source))
		return KZT_ADMIT_SOURCE_LIMIT;
	if (!kzt_admit_take(&admit->others, limits->others)) {
		atomic_dec(source);
		return KZT_ADMIT_OVERLOAD;
	}
	adm->pool = &admit->others;
	adm->source = source;
	return KZT_ADMIT_OK;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_admit);

/**
 * kzt_admit_release() - give back what @adm holds; then it holds nothing
 * @adm: from kzt_admit(), or empty
 */
void kzt_admit_release(struct kzt_admission *adm)
{
	if (adm->source)
		atomic_dec(adm->source);
	if (adm->pool)
		atomic_dec(adm->pool);
	*adm = (struct kzt_admission){};
}
EXPORT_SYMBOL_IF_KUNIT(kzt_admit_release);
