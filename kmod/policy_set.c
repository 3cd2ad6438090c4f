// SPDX-License-Identifier: GPL-2.0
/*
 * Policy sets: every policy of a node in name order, plus, per action and
 * for enforced and dry-run policies apart, an index from a destination to
 * the policies that may apply to it. A set is
 * immutable; adding or deleting makes a new one that shares the policies
 * (it holds a reference on each), so readers under RCU see a whole set and
 * writers publish a replacement.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "policy_internal.h"

/**
 * kzt_policy_key_hash() - hash of an index key
 * @scope: KZT_SCOPE_NAMESPACE, KZT_SCOPE_WORKLOADS or KZT_SCOPE_ADDRESSES
 * @key: a namespace, a SPIFFE ID or a 16-byte address
 * @len: its length
 *
 * Return: the hash the index buckets its entries by.
 */
u32 kzt_policy_key_hash(u8 scope, const char *key, size_t len)
{
	return jhash(key, len, scope);
}

/*
 * The keys @policy is indexed under: its namespace, or its scope IDs or
 * addresses (none for a global policy).
 */
static u32 kzt_policy_n_keys(const struct kzt_policy *policy)
{
	if (policy->scope == KZT_SCOPE_NAMESPACE)
		return 1;
	return policy->n_scope_ids;
}

static const struct kzt_pattern *kzt_policy_key(const struct kzt_policy *policy,
						u32 i)
{
	return policy->scope == KZT_SCOPE_NAMESPACE ? &policy->ns :
						      &policy->scope_ids[i];
}

static u32 kzt_key_bucket(const struct kzt_policy_index *index,
			  const struct kzt_policy *policy, u32 i)
{
	const struct kzt_pattern *key = kzt_policy_key(policy, i);

	return kzt_policy_key_hash(policy->scope, key->text, key->len) &
	       index->mask;
}

/*
 * Sizes of one index (kzt_index_of()). With at most KZT_POLICIES_MAX policies
 * of KZT_SCOPE_IDS_MAX keys each, the counts stay far below 2^32.
 */
struct kzt_index_layout {
	u32 n_policies;
	u32 n_global;
	u32 n_entries;
	u32 n_buckets;
};

static void kzt_index_measure(const struct kzt_policy_set *set,
			      unsigned int idx, struct kzt_index_layout *lay)
{
	u32 pos;

	*lay = (struct kzt_index_layout){ };
	for (pos = 0; pos < set->len; pos++) {
		const struct kzt_policy *policy = set->policies[pos];

		if (kzt_policy_index_of(policy) != idx)
			continue;
		lay->n_policies++;
		if (policy->scope == KZT_SCOPE_GLOBAL)
			lay->n_global++;
		lay->n_entries += kzt_policy_n_keys(policy);
	}
	lay->n_buckets = roundup_pow_of_two(max(lay->n_entries, 1U));
}

/* Rounded up so that the next index's entries are aligned too. */
static size_t kzt_index_size(const struct kzt_index_layout *lay)
{
	size_t size = (size_t)lay->n_entries * sizeof(struct kzt_index_entry) +
		      ((size_t)lay->n_global + lay->n_buckets + 1) * sizeof(u32);

	return ALIGN(size, __alignof__(struct kzt_index_entry));
}

/* Set each bucket's end, which kzt_index_fill() turns into its start. */
static void kzt_index_bucket_ends(const struct kzt_policy_set *set,
				  unsigned int idx,
				  const struct kzt_policy_index *index,
				  u32 *bucket)
{
	u32 pos, i, b;

	for (pos = 0; pos < set->len; pos++) {
		const struct kzt_policy *policy = set->policies[pos];

		if (kzt_policy_index_of(policy) != idx)
			continue;
		for (i = 0; i < kzt_policy_n_keys(policy); i++)
			bucket[kzt_key_bucket(index, policy, i)]++;
	}
	for (b = 1; b <= index->mask + 1; b++)
		bucket[b] += bucket[b - 1];
}

/*
 * Fill index @idx of @set from @mem, which is kzt_index_size() bytes.
 * A counting sort by bucket; walking the policies backwards leaves each
 * bucket's entries in ascending position (name) order.
 */
static void kzt_index_fill(struct kzt_policy_set *set, unsigned int idx,
			   const struct kzt_index_layout *lay, void *mem)
{
	struct kzt_policy_index *index = &set->index[idx];
	struct kzt_index_entry *entries = mem;
	u32 *global = (u32 *)(entries + lay->n_entries);
	u32 *bucket = global + lay->n_global;
	u32 pos, i, b, g = lay->n_global;

	index->n_policies = lay->n_policies;
	index->entries = entries;
	index->global = global;
	index->n_global = lay->n_global;
	index->bucket = bucket;
	index->mask = lay->n_buckets - 1;

	kzt_index_bucket_ends(set, idx, index, bucket);

	for (pos = set->len; pos-- > 0;) {
		const struct kzt_policy *policy = set->policies[pos];

		if (kzt_policy_index_of(policy) != idx)
			continue;
		if (policy->scope == KZT_SCOPE_GLOBAL)
			global[--g] = pos;
		for (i = kzt_policy_n_keys(policy); i-- > 0;) {
			b = kzt_key_bucket(index, policy, i);
			entries[--bucket[b]] = (struct kzt_index_entry){
				.key = kzt_policy_key(policy, i),
				.pos = pos,
				.scope = policy->scope,
			};
		}
	}
}

/* Build every index of @set, whose policies are in place. */
static int kzt_set_index(struct kzt_policy_set *set)
{
	struct kzt_index_layout lay[KZT_POLICY_INDEXES];
	size_t size = 0;
	unsigned int i;
	char *mem;

	for (i = 0; i < KZT_POLICY_INDEXES; i++) {
		kzt_index_measure(set, i, &lay[i]);
		size = size_add(size, kzt_index_size(&lay[i]));
	}
	set->index_mem = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!set->index_mem)
		return -ENOMEM;
	for (mem = set->index_mem, i = 0; i < KZT_POLICY_INDEXES; i++) {
		kzt_index_fill(set, i, &lay[i], mem);
		mem += kzt_index_size(&lay[i]);
	}
	return 0;
}

/**
 * kzt_policy_set_len() - number of policies in @set
 * @set: the set (NULL: empty)
 *
 * Return: how many policies @set holds.
 */
unsigned int kzt_policy_set_len(const struct kzt_policy_set *set)
{
	return set ? set->len : 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_len);

/**
 * kzt_policy_set_at() - the policy at position @i in name order
 * @set: the set (NULL: empty)
 * @i: position, the cursor of a dump
 *
 * Return: the policy, which lives as long as @set, or NULL past the end.
 */
const struct kzt_policy *kzt_policy_set_at(const struct kzt_policy_set *set,
					   unsigned int i)
{
	return i < kzt_policy_set_len(set) ? set->policies[i] : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_at);

/* Binary search: true and the position of @name, or false and where it goes. */
static bool kzt_set_search(const struct kzt_policy_set *set, const char *name,
			   u32 *pos)
{
	u32 lo = 0, hi = kzt_policy_set_len(set);

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int cmp = strcmp(name, set->policies[mid]->name.text);

		if (!cmp) {
			*pos = mid;
			return true;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*pos = lo;
	return false;
}

/**
 * kzt_policy_set_find() - look a policy up by name
 * @set: the set (NULL: empty)
 * @name: NUL-terminated policy name
 *
 * Return: the policy, which lives as long as @set, or NULL.
 */
const struct kzt_policy *kzt_policy_set_find(const struct kzt_policy_set *set,
					     const char *name)
{
	u32 pos;

	return kzt_set_search(set, name, &pos) ? set->policies[pos] : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_find);

/**
 * kzt_policy_set_free() - free @set now, dropping its policy references
 * @set: the set (NULL: nothing to do); no reader may still see it
 */
void kzt_policy_set_free(struct kzt_policy_set *set)
{
	u32 i;

	if (!set)
		return;
	for (i = 0; i < set->len; i++)
		kzt_policy_put(set->policies[i]);
	kvfree(set->index_mem);
	kvfree(set);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_free);

static void kzt_policy_set_free_rcu_cb(struct rcu_head *rcu)
{
	kzt_policy_set_free(container_of(rcu, struct kzt_policy_set, rcu));
}

/**
 * kzt_policy_set_free_rcu() - free @set once current RCU readers are done
 * @set: an unpublished set (NULL: nothing to do)
 *
 * Does not wait: callable with a mutex held. The set and the policies that
 * only it still references are freed from an RCU callback, so the module's
 * exit must rcu_barrier() before its code goes away.
 */
void kzt_policy_set_free_rcu(struct kzt_policy_set *set)
{
	if (set)
		call_rcu(&set->rcu, kzt_policy_set_free_rcu_cb);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_free_rcu);

/*
 * A set of @len policies, from @old's without position @skip (U32_MAX:
 * none), with @policy at @insert (NULL: none), indexed. Takes a reference
 * on each of its policies.
 */
static struct kzt_policy_set *kzt_set_make(const struct kzt_policy_set *old,
					   u32 len, u32 skip, u32 insert,
					   struct kzt_policy *policy)
{
	u32 old_len = kzt_policy_set_len(old);
	struct kzt_policy_set *set;
	u32 i, n = 0;

	if (!len)
		return NULL;
	set = kvzalloc(struct_size(set, policies, len), GFP_KERNEL_ACCOUNT);
	if (!set)
		return ERR_PTR(-ENOMEM);
	set->cap = len;
	set->len = len;
	for (i = 0; i <= old_len; i++) {
		if (policy && i == insert)
			set->policies[n++] = policy;
		if (i < old_len && i != skip)
			set->policies[n++] = old->policies[i];
	}
	for (i = 0; i < len; i++)
		refcount_inc(&set->policies[i]->ref);
	if (kzt_set_index(set)) {
		kzt_policy_set_free(set);
		return ERR_PTR(-ENOMEM);
	}
	return set;
}

/**
 * kzt_policy_set_add() - a copy of @set with @policy added or replaced
 * @set: current set (NULL: empty); left untouched
 * @policy: the policy; the new set takes its own reference
 * @replace: whether @policy may replace one of the same name
 * @extack: where to report an error
 *
 * Return: the new set, sharing @set's other policies, or an ERR_PTR:
 * -EEXIST the name is taken and !@replace; -ENOSPC @set already holds
 * KZT_POLICIES_MAX policies; -ENOMEM.
 */
struct kzt_policy_set *kzt_policy_set_add(const struct kzt_policy_set *set,
					  struct kzt_policy *policy,
					  bool replace,
					  struct netlink_ext_ack *extack)
{
	u32 len = kzt_policy_set_len(set);
	bool exists;
	u32 pos;

	exists = kzt_set_search(set, policy->name.text, &pos);
	if (exists && !replace) {
		NL_SET_ERR_MSG_FMT(extack, "policy \"%s\" exists (add it with replace)",
				   policy->name.text);
		return ERR_PTR(-EEXIST);
	}
	if (!exists && len >= KZT_POLICIES_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "the node holds %d policies already, the most it can",
				   KZT_POLICIES_MAX);
		return ERR_PTR(-ENOSPC);
	}
	return kzt_set_make(set, exists ? len : len + 1,
			    exists ? pos : U32_MAX, pos, policy);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_add);

/* @set with room for one more policy: itself, or a copy twice as large. */
static struct kzt_policy_set *kzt_set_room(struct kzt_policy_set *set)
{
	u32 len = kzt_policy_set_len(set), cap;
	struct kzt_policy_set *grown;

	if (set && len < set->cap)
		return set;
	cap = clamp_t(u32, 2 * len, 16, KZT_POLICIES_MAX);
	grown = kvzalloc(struct_size(grown, policies, cap), GFP_KERNEL_ACCOUNT);
	if (!grown)
		return NULL;
	grown->cap = cap;
	grown->len = len;
	if (set) {
		/* The references move with the pointers. */
		memcpy(grown->policies, set->policies, len * sizeof(set->policies[0]));
		kvfree(set->index_mem);
		kvfree(set);
	}
	return grown;
}

/**
 * kzt_policy_set_stage() - add @policy to a staging set, in place
 * @setp: the set a transaction fills (NULL: empty); may be reallocated
 * @policy: the policy; the set takes its own reference
 * @replace: whether @policy may replace one of the same name
 * @extack: where to report an error
 *
 * Copy on write costs O(set) per change, so a transaction that stages N
 * policies that way costs O(N^2). No reader sees a staging set, so it grows
 * in place and is indexed once, by kzt_policy_set_seal() at COMMIT;
 * policies staged in name order are appended. An index it had is dropped.
 *
 * Return: 0; -EEXIST the name is taken and !@replace; -ENOSPC the set holds
 * KZT_POLICIES_MAX policies; -ENOMEM. On error *@setp is unchanged.
 */
int kzt_policy_set_stage(struct kzt_policy_set **setp,
			 struct kzt_policy *policy, bool replace,
			 struct netlink_ext_ack *extack)
{
	struct kzt_policy_set *set = *setp;
	u32 len = kzt_policy_set_len(set);
	bool exists;
	u32 pos;

	exists = kzt_set_search(set, policy->name.text, &pos);
	if (exists && !replace) {
		NL_SET_ERR_MSG_FMT(extack, "policy \"%s\" exists (add it with replace)",
				   policy->name.text);
		return -EEXIST;
	}
	if (!exists && len >= KZT_POLICIES_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "the node holds %d policies already, the most it can",
				   KZT_POLICIES_MAX);
		return -ENOSPC;
	}
	if (!exists) {
		set = kzt_set_room(set);
		if (!set)
			return -ENOMEM;
		*setp = set;
	}
	kvfree(set->index_mem);
	set->index_mem = NULL;
	memset(set->index, 0, sizeof(set->index));

	refcount_inc(&policy->ref);
	if (exists) {
		kzt_policy_put(set->policies[pos]);
	} else {
		set->len++;
		memmove(&set->policies[pos + 1], &set->policies[pos],
			(len - pos) * sizeof(set->policies[0]));
	}
	set->policies[pos] = policy;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_stage);

/* Drop the index of a staging set about to change; seal() builds it again. */
static void kzt_set_unseal(struct kzt_policy_set *set)
{
	kvfree(set->index_mem);
	set->index_mem = NULL;
	memset(set->index, 0, sizeof(set->index));
}

/**
 * kzt_policy_set_unstage() - remove the policy @name from a staging set
 * @setp: the set a transaction fills (NULL: empty); freed and set to NULL
 *	  when its last policy goes, as a published set would be
 * @name: NUL-terminated policy name
 * @extack: where to report an error
 *
 * In place, as kzt_policy_set_stage(): no copy, no index until the seal.
 *
 * Return: 0, or -ENOENT when the set has no policy @name (unchanged).
 */
int kzt_policy_set_unstage(struct kzt_policy_set **setp, const char *name,
			   struct netlink_ext_ack *extack)
{
	struct kzt_policy_set *set = *setp;
	u32 pos;

	if (!kzt_set_search(set, name, &pos)) {
		NL_SET_ERR_MSG_FMT(extack, "no policy \"%s\"", name);
		return -ENOENT;
	}
	kzt_set_unseal(set);
	kzt_policy_put(set->policies[pos]);
	/* ORDER: moved within the bound of __counted_by(len), then shrunk. */
	memmove(&set->policies[pos], &set->policies[pos + 1],
		(set->len - pos - 1) * sizeof(set->policies[0]));
	set->len--;
	if (!set->len) {
		kzt_policy_set_free(set);
		*setp = NULL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_unstage);

/**
 * kzt_policy_set_copy() - a staging copy of @set, for a transaction
 * @set: a set (NULL: empty); left untouched
 * @copyp: where to return the copy (NULL when @set is empty)
 *
 * The copy shares @set's policies (a reference on each, so untouched
 * policies keep their counters) and has no index: a transaction changes
 * it with kzt_policy_set_stage() and kzt_policy_set_unstage() and indexes
 * it once with kzt_policy_set_seal(). Costs one allocation and O(@set).
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_policy_set_copy(const struct kzt_policy_set *set,
			struct kzt_policy_set **copyp)
{
	u32 len = kzt_policy_set_len(set), i;
	struct kzt_policy_set *copy;

	KUNIT_STATIC_STUB_REDIRECT(kzt_policy_set_copy, set, copyp);
	*copyp = NULL;
	if (!len)
		return 0;
	copy = kvzalloc(struct_size(copy, policies, len), GFP_KERNEL_ACCOUNT);
	if (!copy)
		return -ENOMEM;
	copy->cap = len;
	copy->len = len;
	for (i = 0; i < len; i++) {
		copy->policies[i] = set->policies[i];
		refcount_inc(&copy->policies[i]->ref);
	}
	*copyp = copy;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_copy);

/**
 * kzt_policy_set_seal() - index a set that kzt_policy_set_stage() filled
 * @set: the set (NULL: empty)
 *
 * Return: 0 or -ENOMEM; the set is ready for decisions on 0.
 */
int kzt_policy_set_seal(struct kzt_policy_set *set)
{
	if (!set || set->index_mem)
		return 0;
	return kzt_set_index(set);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_seal);

/**
 * kzt_policy_set_del() - a copy of @set without the policy @name
 * @set: current set (NULL: empty); left untouched
 * @name: NUL-terminated policy name
 * @extack: where to report an error
 *
 * Return: the new set (NULL when it is empty), or an ERR_PTR: -ENOENT no
 * policy @name; -ENOMEM.
 */
struct kzt_policy_set *kzt_policy_set_del(const struct kzt_policy_set *set,
					  const char *name,
					  struct netlink_ext_ack *extack)
{
	u32 pos;

	if (!kzt_set_search(set, name, &pos)) {
		NL_SET_ERR_MSG_FMT(extack, "no policy \"%s\"", name);
		return ERR_PTR(-ENOENT);
	}
	return kzt_set_make(set, set->len - 1, pos, 0, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_set_del);
