// SPDX-License-Identifier: GPL-2.0
/*
 * The decision for one flow. Runs under rcu_read_lock() (softirq on the
 * data path): it never sleeps, allocates or takes a lock, and it looks only
 * at the policies that apply to the destination, through the set's index.
 * Dry-run policies have indexes of their own: a set without them costs
 * nothing more, and they never change the verdict. Their counters are
 * atomic64_t in the policy, incremented with no lock.
 */
#include <linux/bitops.h>
#include <linux/string.h>
#include <net/ipv6.h>
#include <kunit/visibility.h>

#include "policy_internal.h"
#include "spiffe.h"

/* The source of a flow, as the rules see it. */
struct kzt_peer {
	/* The ID without "spiffe://"; NULL for a plaintext peer. */
	const char *principal;
	size_t principal_len;
	const char *ns;			/* from /ns/<ns>/sa/<sa>, or NULL */
	size_t ns_len;
	const char *sa;			/* from /ns/<ns>/sa/<sa>, or NULL */
	size_t sa_len;
	const struct in6_addr *addr;
	const struct in6_addr *dst_addr;
	u16 port;			/* the destination port */
};

static void kzt_peer_init(struct kzt_peer *peer,
			  const struct kzt_authz_query *query)
{
	struct kzt_spiffe_id id;

	*peer = (struct kzt_peer){
		.addr = query->src_addr,
		.dst_addr = query->dst_addr,
		.port = query->dst_port,
	};
	if (!query->src_id)
		return;
	peer->principal = query->src_id;
	peer->principal_len = strlen(query->src_id);
	if (kzt_spiffe_parse(peer->principal, peer->principal_len, &id))
		return;		/* not an ID: it can match no namespace */
	peer->principal += KZT_SPIFFE_SCHEME_LEN;
	peer->principal_len -= KZT_SPIFFE_SCHEME_LEN;
	peer->ns = id.ns;
	peer->ns_len = id.ns_len;
	peer->sa = id.sa;
	peer->sa_len = id.sa_len;
}

static bool kzt_pattern_hit(const struct kzt_pattern *pattern, const char *s,
			    size_t len)
{
	size_t fixed = pattern->len - 1;	/* without the '*' */

	switch (pattern->kind) {
	case KZT_MATCH_ANY:
		return true;
	case KZT_MATCH_PREFIX:
		return len >= fixed && !memcmp(s, pattern->text, fixed);
	case KZT_MATCH_SUFFIX:
		return len >= fixed &&
		       !memcmp(s + len - fixed, pattern->text + 1, fixed);
	default:
		return len == pattern->len && !memcmp(s, pattern->text, len);
	}
}

/* Whether one of the @n patterns matches @s; none matches an absent @s. */
static bool kzt_patterns_hit(const struct kzt_pattern *patterns, u32 n,
			     const char *s, size_t len)
{
	u32 i;

	for (i = 0; s && i < n; i++)
		if (kzt_pattern_hit(&patterns[i], s, len))
			return true;
	return false;
}

static bool kzt_cidrs_hit(const struct kzt_cidr *cidrs, u32 n,
			  const struct in6_addr *addr)
{
	u32 i;

	for (i = 0; addr && i < n; i++)
		if (ipv6_prefix_equal(addr, &cidrs[i].addr, cidrs[i].prefix_len))
			return true;
	return false;
}

/*
 * Whether one of the @n service accounts "NS/SA" is the peer's: its ID is
 * spiffe://<any trust domain>/ns/NS/sa/SA (ztunnel's ServiceAccountMatch).
 */
static bool kzt_service_accounts_hit(const struct kzt_pattern *patterns, u32 n,
				     const struct kzt_peer *peer)
{
	u32 i;

	for (i = 0; peer->ns && i < n; i++) {
		const char *s = patterns[i].text;

		if (patterns[i].len == peer->ns_len + 1 + peer->sa_len &&
		    !memcmp(s, peer->ns, peer->ns_len) && s[peer->ns_len] == '/' &&
		    !memcmp(s + peer->ns_len + 1, peer->sa, peer->sa_len))
			return true;
	}
	return false;
}

static bool kzt_ports_hit(const u16 *ports, u32 n, u16 port)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (ports[i] == port)
			return true;
	return false;
}

/* Whether the peer matches one of the values of @field. */
static bool kzt_field_hit(const struct kzt_policy *policy, unsigned int field,
			  const struct kzt_rule_field *f,
			  const struct kzt_peer *peer)
{
	switch (kzt_rule_field_kind(field)) {
	case KZT_RULE_A_PRINCIPAL:
		return kzt_patterns_hit(policy->patterns + f->first, f->n,
					peer->principal, peer->principal_len);
	case KZT_RULE_A_NAMESPACE:
		return kzt_patterns_hit(policy->patterns + f->first, f->n,
					peer->ns, peer->ns_len);
	case KZT_RULE_A_IP_BLOCK:
		return kzt_cidrs_hit(policy->cidrs + f->first, f->n, peer->addr);
	case KZT_RULE_A_DESTINATION_IP:
		return kzt_cidrs_hit(policy->cidrs + f->first, f->n,
				     peer->dst_addr);
	case KZT_RULE_A_SERVICE_ACCOUNT:
		return kzt_service_accounts_hit(policy->patterns + f->first,
						f->n, peer);
	default:
		return kzt_ports_hit(policy->ports + f->first, f->n, peer->port);
	}
}

/*
 * Every field a match has must hit (or, for a not-field, miss); a match
 * without fields matches nothing (ztunnel skips it). Only the fields with
 * values are visited (m->fields): each costs at least one value, so a
 * match costs at most one step per value it holds, plus one.
 */
static bool kzt_match_matches(const struct kzt_policy *policy,
			      const struct kzt_match *m,
			      const struct kzt_peer *peer)
{
	unsigned long fields = m->fields;
	unsigned int field;

	if (!fields)
		return false;
	for_each_set_bit(field, &fields, KZT_RULE_FIELDS) {
		if (kzt_field_hit(policy, field, &m->field[field], peer) ==
		    kzt_rule_field_is_not(field))
			return false;
	}
	return true;
}

/* One match must match; a clause without any matches all. */
static bool kzt_clause_matches(const struct kzt_policy *policy,
			       const struct kzt_clause *clause,
			       const struct kzt_peer *peer)
{
	u32 i;

	if (!clause->n)
		return true;
	for (i = clause->first; i < clause->first + clause->n; i++)
		if (kzt_match_matches(policy, &policy->matches[i], peer))
			return true;
	return false;
}

/* Every clause must match; a rule without clauses matches all. */
static bool kzt_rule_matches(const struct kzt_policy *policy,
			     const struct kzt_rule *rule,
			     const struct kzt_peer *peer)
{
	u32 i;

	for (i = rule->first; i < rule->first + rule->n; i++)
		if (!kzt_clause_matches(policy, &policy->clauses[i], peer))
			return false;
	return true;
}

/* One rule must match: a policy without rules matches nothing. */
static bool kzt_policy_matches(const struct kzt_policy *policy,
			       const struct kzt_peer *peer)
{
	u32 i;

	for (i = 0; i < policy->n_rules; i++)
		if (kzt_rule_matches(policy, &policy->rules[i], peer))
			return true;
	return false;
}

/* An index key of the destination: its namespace, its ID or its address. */
#define KZT_DST_KEYS	3

struct kzt_dst_key {
	u8 scope;
	const char *s;			/* NULL: the destination has none */
	size_t len;
};

static bool kzt_entry_applies(const struct kzt_index_entry *entry,
			      const struct kzt_dst_key *key)
{
	return entry->scope == key->scope && entry->key->len == key->len &&
	       !memcmp(entry->key->text, key->s, key->len);
}

/*
 * Lower @best to the position of the first policy indexed under @key that
 * matches. Entries are in position order, so the first match of the bucket
 * is its best and nothing at or past @best needs a look.
 */
static u32 kzt_bucket_first_match(const struct kzt_policy_set *set,
				  const struct kzt_policy_index *index,
				  const struct kzt_dst_key *key,
				  const struct kzt_peer *peer,
				  u32 best, bool *applies)
{
	u32 b, i;

	if (!key->s)
		return best;
	b = kzt_policy_key_hash(key->scope, key->s, key->len) & index->mask;
	for (i = index->bucket[b]; i < index->bucket[b + 1]; i++) {
		const struct kzt_index_entry *entry = &index->entries[i];

		if (!kzt_entry_applies(entry, key))
			continue;
		*applies = true;
		if (entry->pos >= best)
			break;
		if (kzt_policy_matches(set->policies[entry->pos], peer))
			return entry->pos;
	}
	return best;
}

/*
 * The position of the first policy of @index (name order) that applies to
 * the destination and matches, or U32_MAX; @applies tells whether any
 * applies at all.
 */
static u32 kzt_index_first_match(const struct kzt_policy_set *set,
				 const struct kzt_policy_index *index,
				 const struct kzt_dst_key keys[KZT_DST_KEYS],
				 const struct kzt_peer *peer, bool *applies)
{
	u32 best = U32_MAX, i;

	*applies = index->n_global;
	for (i = 0; i < index->n_global; i++) {
		if (kzt_policy_matches(set->policies[index->global[i]], peer)) {
			best = index->global[i];
			break;
		}
	}
	for (i = 0; i < KZT_DST_KEYS; i++)
		best = kzt_bucket_first_match(set, index, &keys[i], peer, best,
					      applies);
	return best;
}

static void kzt_dst_keys_init(struct kzt_dst_key keys[KZT_DST_KEYS],
			      const struct kzt_authz_query *query)
{
	struct kzt_spiffe_id id = {
		.ns = query->dst_ns,
		.ns_len = query->dst_ns_len,
	};
	const char *dst_id = query->dst_id;
	size_t len = dst_id ? strlen(dst_id) : 0;

	/* The workload table keeps the span; parse only when not given it. */
	if (dst_id && !id.ns)
		kzt_spiffe_parse(dst_id, len, &id);
	keys[0] = (struct kzt_dst_key){ KZT_SCOPE_NAMESPACE, id.ns, id.ns_len };
	keys[1] = (struct kzt_dst_key){ KZT_SCOPE_WORKLOADS, dst_id, len };
	keys[2] = (struct kzt_dst_key){ KZT_SCOPE_ADDRESSES,
					(const char *)query->dst_addr,
					query->dst_addr ? sizeof(*query->dst_addr) : 0 };
}

static void kzt_decision_set(struct kzt_decision *decision,
			     enum kzt_verdict verdict, enum kzt_reason reason,
			     const struct kzt_policy *policy)
{
	decision->verdict = verdict;
	decision->reason = reason;
	decision->policy = policy;
}

static void kzt_dry_run_set(struct kzt_decision *decision,
			    enum kzt_verdict verdict, enum kzt_reason reason,
			    const struct kzt_policy *policy)
{
	decision->dry_verdict = verdict;
	decision->dry_reason = reason;
	decision->dry_policy = policy;
}

/*
 * The decision from the first matching DENY and ALLOW positions (U32_MAX:
 * none) and whether an ALLOW applies: policy.rst's three steps.
 */
static void kzt_decide_from(const struct kzt_policy_set *set, u32 deny,
			    u32 allow, bool allow_applies,
			    void (*out)(struct kzt_decision *, enum kzt_verdict,
					enum kzt_reason, const struct kzt_policy *),
			    struct kzt_decision *decision)
{
	if (deny != U32_MAX)
		out(decision, KZT_VERDICT_DENY, KZT_REASON_DENY_POLICY,
		    set->policies[deny]);
	else if (allow != U32_MAX)
		out(decision, KZT_VERDICT_ALLOW, KZT_REASON_ALLOW_POLICY,
		    set->policies[allow]);
	else if (allow_applies)
		out(decision, KZT_VERDICT_DENY, KZT_REASON_NO_ALLOW_MATCH, NULL);
	else
		out(decision, KZT_VERDICT_ALLOW, KZT_REASON_NO_POLICY, NULL);
}

/*
 * Count @verdict once in every policy of @index that applies to the
 * destination. A scope ID given twice makes two entries of one policy in
 * the same bucket, with no other applying entry between them: @last skips
 * the second.
 */
static void kzt_index_count(const struct kzt_policy_set *set,
			    const struct kzt_policy_index *index,
			    const struct kzt_dst_key keys[KZT_DST_KEYS],
			    enum kzt_verdict verdict)
{
	u32 i, k, b, last;

	for (i = 0; i < index->n_global; i++)
		atomic64_inc(&set->policies[index->global[i]]->would[verdict]);
	for (k = 0; k < KZT_DST_KEYS; k++) {
		if (!keys[k].s)
			continue;
		b = kzt_policy_key_hash(keys[k].scope, keys[k].s, keys[k].len) &
		    index->mask;
		last = U32_MAX;
		for (i = index->bucket[b]; i < index->bucket[b + 1]; i++) {
			const struct kzt_index_entry *entry = &index->entries[i];

			if (!kzt_entry_applies(entry, &keys[k]) || entry->pos == last)
				continue;
			last = entry->pos;
			atomic64_inc(&set->policies[entry->pos]->would[verdict]);
		}
	}
}

/*
 * The dry-run decision: the policies enforced and dry-run together, from
 * the enforced decision's first matches (@deny, @allow, @allow_applies;
 * @allow is U32_MAX when a DENY matched) and the dry-run indexes. Counted
 * in the dry-run policies that apply when @count.
 */
static void kzt_decide_dry_run(const struct kzt_policy_set *set,
			       const struct kzt_dst_key keys[KZT_DST_KEYS],
			       const struct kzt_peer *peer, u32 deny, u32 allow,
			       bool allow_applies, bool count,
			       struct kzt_decision *decision)
{
	const struct kzt_policy_index *dry_deny, *dry_allow;
	bool deny_applies, dry_allow_applies;
	u32 dpos, apos;

	dry_deny = &set->index[kzt_index_of(KZT_ACTION_DENY, true)];
	dry_allow = &set->index[kzt_index_of(KZT_ACTION_ALLOW, true)];
	dpos = kzt_index_first_match(set, dry_deny, keys, peer, &deny_applies);
	apos = kzt_index_first_match(set, dry_allow, keys, peer,
				     &dry_allow_applies);
	decision->dry_run = deny_applies || dry_allow_applies;
	if (!decision->dry_run)
		return;
	kzt_decide_from(set, min(deny, dpos), min(allow, apos),
			allow_applies || dry_allow_applies, kzt_dry_run_set,
			decision);
	if (!count)
		return;
	kzt_index_count(set, dry_deny, keys, decision->dry_verdict);
	kzt_index_count(set, dry_allow, keys, decision->dry_verdict);
}

/**
 * kzt_policy_decide() - decide whether a flow may pass
 * @set: the node's policies (NULL: none)
 * @query: the flow: source identity and address, destination ID and port
 * @decision: the verdict, its reason and the deciding policy
 *
 * A matching DENY policy that applies to the destination denies; else, if
 * ALLOW policies apply, one of them must match; else the flow is allowed.
 * The deciding policy is the first in name order of the matching ones.
 * Dry-run policies take no part in that: when one applies, the same
 * decision with them enforced too is the dry-run decision, counted in each
 * dry-run policy that applies if @query->count.
 * Costs O(policies that apply to the destination); never sleeps nor
 * allocates. Call under rcu_read_lock() (or the lock that keeps @set), and
 * use @decision->policy and ->dry_policy inside it.
 */
void kzt_policy_decide(const struct kzt_policy_set *set,
		       const struct kzt_authz_query *query,
		       struct kzt_decision *decision)
{
	const struct kzt_policy_index *idx;
	struct kzt_dst_key keys[KZT_DST_KEYS];
	struct kzt_peer peer;
	u32 deny, allow = U32_MAX;
	bool applies = false;

	decision->dry_run = false;
	if (!set) {
		kzt_decision_set(decision, KZT_VERDICT_ALLOW,
				 KZT_REASON_NO_POLICY, NULL);
		goto out;
	}
	kzt_peer_init(&peer, query);
	kzt_dst_keys_init(keys, query);

	idx = set->index;
	deny = kzt_index_first_match(set, &idx[kzt_index_of(KZT_ACTION_DENY, false)],
				     keys, &peer, &applies);
	applies = false;
	if (deny == U32_MAX)
		allow = kzt_index_first_match(set,
					      &idx[kzt_index_of(KZT_ACTION_ALLOW, false)],
					      keys, &peer, &applies);
	kzt_decide_from(set, deny, allow, applies, kzt_decision_set, decision);

	if (idx[kzt_index_of(KZT_ACTION_DENY, true)].n_policies ||
	    idx[kzt_index_of(KZT_ACTION_ALLOW, true)].n_policies)
		kzt_decide_dry_run(set, keys, &peer, deny, allow, applies,
				   query->count, decision);
out:
	if (!decision->dry_run)
		kzt_dry_run_set(decision, decision->verdict, decision->reason,
				decision->policy);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_decide);
