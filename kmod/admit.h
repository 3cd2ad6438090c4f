/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Admission of inbound tunnels (Documentation/datapath.rst, "Inbound
 * budgets"): until its header is accepted, an inbound tunnel holds kernel
 * memory and a kztd handshake for a peer that has proved nothing yet.
 * Three budgets keep one source from holding them all:
 *
 *  - known peer nodes (node addresses of the workload table) draw from
 *    their own pool, which no other source can touch;
 *  - every other source draws from a second pool, and no one source
 *    address holds more than a few slots of it: counted per bucket of a
 *    fixed array (a keyed hash of the address), so the accounting is
 *    bounded in memory and costs one atomic on the accept path;
 *  - a tunnel from any other source that sends nothing (no ClientHello)
 *    is reset after hello_timeout_ms, long before its handshake deadline.
 *    Not one of a peer node: its ClientHello waits for its own kztd,
 *    which may be busy with hundreds of handshakes, and its silent
 *    tunnels stay in its own pool.
 *
 * Lock-free: each budget is an atomic counter, taken with an increment
 * that is undone when it went past its limit.
 */
#ifndef _KZT_ADMIT_H
#define _KZT_ADMIT_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/siphash.h>
#include <linux/types.h>

#define KZT_ADMIT_SOURCE_BUCKETS	256

/* The budgets of one netns. */
struct kzt_admit {
	atomic_t peers;			/* held by known peer nodes */
	atomic_t others;		/* held by every other source */
	atomic_t per_source[KZT_ADMIT_SOURCE_BUCKETS];	/* others, by address */
	siphash_key_t key;		/* picks the bucket; random per netns */
};

/* The limits in force (module parameters), read once per decision. */
struct kzt_admit_limits {
	unsigned int peers;
	unsigned int others;
	unsigned int per_source;
};

/* What one inbound tunnel holds; released once (kzt_admit_release()). */
struct kzt_admission {
	atomic_t *pool;			/* NULL: nothing held */
	atomic_t *source;		/* its bucket; NULL for a peer node */
	bool peer;			/* from a known peer node */
};

enum kzt_admit_verdict {
	KZT_ADMIT_OK,
	KZT_ADMIT_OVERLOAD,		/* its pool is full */
	KZT_ADMIT_SOURCE_LIMIT,		/* its source address holds enough */
};

void kzt_admit_init(struct kzt_admit *admit);
void kzt_admit_limits(struct kzt_admit_limits *limits);
unsigned int kzt_admit_hello_timeout_ms(const struct kzt_admission *adm);
enum kzt_admit_verdict kzt_admit(struct kzt_admit *admit,
				 const struct kzt_admit_limits *limits,
				 const struct in6_addr *src, bool peer,
				 struct kzt_admission *adm);
void kzt_admit_release(struct kzt_admission *adm);

#endif /* _KZT_ADMIT_H */
