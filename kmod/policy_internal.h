/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout of policies and policy sets, shared by the three files of the
 * policy engine and nothing else: policy.c (the netlink form),
 * policy_set.c (sets and their decision index) and policy_match.c (the
 * decision).
 */
#ifndef _KZT_POLICY_INTERNAL_H
#define _KZT_POLICY_INTERNAL_H

#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>

#include "policy.h"

/*
 * A match keeps its fields in enum kzt_match_attr order, at attribute - 1:
 * each positive field is followed by its not-form. The short form of a
 * rule has the same fields at the same values (enum kzt_rule_attr).
 */
#define KZT_RULE_FIELDS	KZT_MATCH_A_MAX

static inline bool kzt_rule_field_is_not(unsigned int field)
{
	return field & 1;
}

/* The attribute type of @field's positive form: KZT_MATCH_A_PRINCIPAL... */
static inline unsigned int kzt_rule_field_kind(unsigned int field)
{
	return (field & ~1U) + 1;
}

enum kzt_match_kind {
	KZT_MATCH_EXACT,	/* "a/b" */
	KZT_MATCH_PREFIX,	/* "a/" then '*' */
	KZT_MATCH_SUFFIX,	/* '*' then "/b" */
	KZT_MATCH_ANY,		/* "*" */
};

/* A string of a policy (NUL-terminated, in the policy's allocation). */
struct kzt_pattern {
	const char *text;	/* as given, '*' included */
	u16 len;
	u8 kind;		/* enum kzt_match_kind; EXACT but for rules */
};

struct kzt_cidr {
	struct in6_addr addr;
	u8 prefix_len;
};

/*
 * The values of one field: [first, first + n) of the array of its kind.
 * A value takes at least 8 bytes of the policy's KZT_POLICY_SIZE_MAX, so
 * there are fewer than 2^16 of each kind.
 */
struct kzt_rule_field {
	u16 first;
	u16 n;
};

struct kzt_match {
	struct kzt_rule_field field[KZT_RULE_FIELDS];
	/*
	 * Bit f set: field[f] has values. The evaluation visits only these,
	 * so a match costs one step per value, not per field. 0: no field,
	 * matches nothing.
	 */
	u16 fields;
};

/* Matches [first, first + n) of the policy's; n == 0 matches all. */
struct kzt_clause {
	u32 first;
	u32 n;
};

/* Clauses [first, first + n) of the policy's; n == 0 matches all. */
struct kzt_rule {
	u32 first;
	u32 n;
	bool short_form;	/* given as fields: one clause of one match */
};

struct kzt_policy {
	refcount_t ref;
	enum kzt_action action;
	enum kzt_scope scope;
	bool dry_run;				/* decided, counted, not enforced */
	/*
	 * Dry-run only: the new flows it applied to, by the dry-run verdict
	 * (enum kzt_verdict). The one part of a policy that changes after it
	 * is made: the data path increments it under RCU, with no lock.
	 */
	atomic64_t would[__KZT_VERDICT_MAX];
	struct kzt_pattern name;
	struct kzt_pattern ns;			/* KZT_SCOPE_NAMESPACE only */
	/*
	 * KZT_SCOPE_WORKLOADS: the SPIFFE IDs; KZT_SCOPE_ADDRESSES: the
	 * addresses, 16-byte keys (no NUL). None for the other scopes.
	 */
	const struct kzt_pattern *scope_ids;
	u32 n_scope_ids;
	u32 n_rules;
	const struct kzt_rule *rules;
	const struct kzt_clause *clauses;
	const struct kzt_match *matches;
	/*
	 * Values of the matches: principals, namespaces and service accounts,
	 * CIDRs (source and destination), ports.
	 */
	const struct kzt_pattern *patterns;
	const struct kzt_cidr *cidrs;
	const u16 *ports;
	size_t msg_size;			/* what kzt_policy_fill() puts */
	/* The arrays and strings follow, in the same allocation. */
};

/*
 * Policies of one action, enforced or dry-run, that may apply to a
 * destination: the global ones, and the namespace-, workload- and
 * address-scoped ones hashed by namespace, ID or address. Lists hold
 * positions in the set (name order), ascending.
 */
struct kzt_index_entry {
	const struct kzt_pattern *key;	/* its namespace, ID or address */
	u32 pos;
	u8 scope;		/* KZT_SCOPE_NAMESPACE, _WORKLOADS or _ADDRESSES */
};

struct kzt_policy_index {
	u32 n_policies;			/* 0: the index is empty */
	const u32 *global;
	u32 n_global;
	u32 mask;			/* number of buckets - 1 */
	const u32 *bucket;		/* bucket b: entries [b] .. [b + 1] */
	const struct kzt_index_entry *entries;
};

/* A set has one index per action for the enforced policies, one for dry-run. */
#define KZT_POLICY_INDEXES	(2 * __KZT_ACTION_MAX)

static inline unsigned int kzt_index_of(enum kzt_action action, bool dry_run)
{
	return dry_run ? __KZT_ACTION_MAX + action : action;
}

static inline unsigned int kzt_policy_index_of(const struct kzt_policy *policy)
{
	return kzt_index_of(policy->action, policy->dry_run);
}

struct kzt_policy_set {
	struct rcu_head rcu;
	struct kzt_policy_index index[KZT_POLICY_INDEXES];
	/* The arrays of the indexes; NULL while a transaction stages it. */
	void *index_mem;
	u32 cap;			/* room in @policies */
	u32 len;
	struct kzt_policy *policies[] __counted_by(len);	/* name order */
};

u32 kzt_policy_key_hash(u8 scope, const char *key, size_t len);

#endif /* _KZT_POLICY_INTERNAL_H */
