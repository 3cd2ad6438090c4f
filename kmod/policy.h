/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Authorization policies (Istio AuthorizationPolicy, L4 subset) and the
 * decision the data path asks for every new flow. Semantics and examples:
 * Documentation/policy.rst.
 *
 * A struct kzt_policy is immutable once made, but for the counters of a
 * dry-run policy, and reference counted: sets share them, so a policy's
 * counters outlive the sets that come and go around it. A struct
 * kzt_policy_set holds every policy of a node, indexed for decisions; it
 * is immutable too, and a change makes a new set (copy on write), so a
 * reader under RCU sees one whole set.
 */
#ifndef _KZT_POLICY_H
#define _KZT_POLICY_H

#include <linux/types.h>
#include <linux/in6.h>
#include <net/netlink.h>

#include <linux/kzt.h>

struct sk_buff;
struct kzt_policy;
struct kzt_policy_set;

/* Validates KZT_CMD_POLICY_ADD, nested rules and IP blocks included. */
extern const struct nla_policy kzt_policy_add_nl_policy[KZT_POLICY_A_MAX + 1];

/*
 * Takes the whole attribute stream of a POLICY_ADD request, because
 * SCOPE_ID and RULE repeat and a parsed attribute table keeps only the last
 * one: from a handler, kzt_policy_from_attrs(genlmsg_data(info->genlhdr),
 * genlmsg_len(info->genlhdr), info->extack). FLAGS and TXN are the
 * caller's. Returns a new policy holding one reference.
 */
struct kzt_policy *kzt_policy_from_attrs(const struct nlattr *attrs, int len,
					 struct netlink_ext_ack *extack);
void kzt_policy_put(struct kzt_policy *policy);
const char *kzt_policy_name(const struct kzt_policy *policy);
size_t kzt_policy_msg_size(const struct kzt_policy *policy);
int kzt_policy_fill(struct sk_buff *skb, const struct kzt_policy *policy);

/*
 * A NULL set is the empty set: kzt_policy_set_del() returns NULL when it
 * removes the last policy, so test results with IS_ERR(), not
 * IS_ERR_OR_NULL(). Readers use a published set under rcu_read_lock();
 * writers replace it and kzt_policy_set_free_rcu() the old one.
 */
struct kzt_policy_set *kzt_policy_set_add(const struct kzt_policy_set *set,
					  struct kzt_policy *policy,
					  bool replace,
					  struct netlink_ext_ack *extack);
struct kzt_policy_set *kzt_policy_set_del(const struct kzt_policy_set *set,
					  const char *name,
					  struct netlink_ext_ack *extack);
int kzt_policy_set_stage(struct kzt_policy_set **setp,
			 struct kzt_policy *policy, bool replace,
			 struct netlink_ext_ack *extack);
int kzt_policy_set_unstage(struct kzt_policy_set **setp, const char *name,
			   struct netlink_ext_ack *extack);
int kzt_policy_set_copy(const struct kzt_policy_set *set,
			struct kzt_policy_set **copyp);
int kzt_policy_set_seal(struct kzt_policy_set *set);
void kzt_policy_set_free(struct kzt_policy_set *set);
void kzt_policy_set_free_rcu(struct kzt_policy_set *set);
unsigned int kzt_policy_set_len(const struct kzt_policy_set *set);
const struct kzt_policy *kzt_policy_set_at(const struct kzt_policy_set *set,
					   unsigned int i);
const struct kzt_policy *kzt_policy_set_find(const struct kzt_policy_set *set,
					     const char *name);

/* One flow, as the data path (or KZT_CMD_POLICY_CHECK) sees it. */
struct kzt_authz_query {
	const char *src_id;		/* NULL: a plaintext peer */
	const struct in6_addr *src_addr;
	/* The flow's destination address (destination-ip, scope addresses). */
	const struct in6_addr *dst_addr;
	const char *dst_id;		/* the destination workload */
	/* The <ns> of @dst_id if the caller has it; NULL: parsed from it. */
	const char *dst_ns;
	size_t dst_ns_len;
	u16 dst_port;
	/*
	 * A new flow of the data path: count the dry-run verdict in the
	 * dry-run policies that apply. False for questions (POLICY_CHECK)
	 * and for live flows decided again.
	 */
	bool count;
};

struct kzt_decision {
	enum kzt_verdict verdict;
	enum kzt_reason reason;
	/* The deciding policy, or NULL; lives as long as the set. */
	const struct kzt_policy *policy;
	/*
	 * Whether a dry-run policy applies to the destination; if so, the
	 * decision with the dry-run policies enforced too. Never enforced.
	 */
	bool dry_run;
	enum kzt_verdict dry_verdict;
	enum kzt_reason dry_reason;
	const struct kzt_policy *dry_policy;
};

/*
 * Never sleeps nor allocates: callable from softirq under RCU. The
 * verdict ignores the dry-run policies (Documentation/policy.rst).
 */
void kzt_policy_decide(const struct kzt_policy_set *set,
		       const struct kzt_authz_query *query,
		       struct kzt_decision *decision);

#endif /* _KZT_POLICY_H */
