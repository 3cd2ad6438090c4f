// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_tables: snapshots and transactions on a bare per-netns
 * state (no socket needed): staging is invisible until COMMIT, COMMIT
 * swaps everything at once, a live change since BEGIN makes COMMIT fail
 * with -EAGAIN and change nothing, one transaction per netns owned by its
 * socket, aborted when that socket goes away, and a dump's reference keeps
 * a replaced snapshot alive. Transactions begun from the live tables
 * (KZT_TXN_F_FROM_LIVE): the copy, changes and deletions staged in it,
 * the same commit rules, a failed copy, and what the copy costs.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/ktime.h>

#include <linux/kzt.h>

#include "kunit_nl.h"
#include "kzt.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define OWNER 4001
#define OTHER 4002

static struct in6_addr kzt_test_addr(u8 last)
{
	return (struct in6_addr){ .s6_addr = { [10] = 0xff, [11] = 0xff, 10, 0, 0, last } };
}

/* WORKLOAD_ADD of 10.0.0.@last, live (@txn 0) or staged, as @portid. */
static int kzt_test_add(struct kunit *test, struct kzt_net *kn, u32 txn,
			u32 portid, u8 last)
{
	const struct kzt_t_attr attrs[] = { T_U32(KZT_WORKLOAD_A_TXN, txn), { } };
	struct nlattr *txn_attr = NULL;
	struct netlink_ext_ack extack = {};
	struct kzt_tables *tables;
	struct kzt_workload *wl;
	int err;

	if (txn)
		txn_attr = (struct nlattr *)kzt_test_msg(test, attrs)->data;
	wl = kzalloc(sizeof(*wl) + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, wl);
	wl->addr = kzt_test_addr(last);
	wl->ifindex = 1;

	mutex_lock(&kn->tables_lock);
	tables = kzt_txn_target(kn, txn_attr, portid, &extack);
	err = PTR_ERR_OR_ZERO(tables);
	if (!err)
		err = kzt_workload_table_insert(&tables->workloads, wl, false, &extack);
	if (!err)
		kzt_tables_changed(kn, tables);
	mutex_unlock(&kn->tables_lock);
	if (err)
		kfree(wl);
	return err;
}

/* Whether readers of the live snapshot see 10.0.0.@last. */
static bool kzt_test_live_has(struct kzt_net *kn, u8 last)
{
	struct in6_addr addr = kzt_test_addr(last);
	bool found;

	rcu_read_lock();
	found = kzt_workload_lookup(&rcu_dereference(kn->tables)->workloads, &addr);
	rcu_read_unlock();
	return found;
}

static void kzt_tables_commit_swaps_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_test_net(test);
	u32 id;

	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, 0, OWNER, 1), 0);
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, 0, &id, NULL), 0);
	KUNIT_EXPECT_NE(test, id, 0);
	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, id, OWNER, 2), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, id, OWNER, 3), 0);

	/* Staged entries are invisible until the commit. */
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 1));
	KUNIT_EXPECT_FALSE(test, kzt_test_live_has(kn, 2));

	KUNIT_ASSERT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), 0);
	/* The staged table replaced the live one whole. */
	KUNIT_EXPECT_FALSE(test, kzt_test_live_has(kn, 1));
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 2));
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 3));
	/* And the transaction is closed. */
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, kzt_test_add(test, kn, id, OWNER, 4), -ENOENT);
}

static void kzt_tables_abort_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_test_net(test);
	u32 id;

	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, 0, OWNER, 1), 0);
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, 0, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, id, OWNER, 2), 0);
	KUNIT_EXPECT_EQ(test, kzt_txn_abort(kn, OWNER, id, NULL), 0);
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 1));
	KUNIT_EXPECT_FALSE(test, kzt_test_live_has(kn, 2));
	KUNIT_EXPECT_EQ(test, kzt_txn_abort(kn, OWNER, id, NULL), -ENOENT);
}

/* Changes to the live tables since BEGIN: COMMIT refuses and aborts. */
static void kzt_tables_commit_stale_test(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct kzt_net *kn = kzt_test_net(test);
	unsigned int gen;
	u32 id;

	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, 0, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, id, OWNER, 2), 0);
	gen = kn->generation;
	KUNIT_EXPECT_EQ(test, gen, 1);		/* staging changes do not count */
	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, 0, OTHER, 1), 0);
	KUNIT_EXPECT_EQ(test, kn->generation, gen + 1);

	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, &extack), -EAGAIN);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 1));
	KUNIT_EXPECT_FALSE(test, kzt_test_live_has(kn, 2));
	KUNIT_EXPECT_EQ(test, kn->generation, gen + 1);
	/* Aborted: nothing left to commit, and a new one may begin. */
	KUNIT_EXPECT_EQ(test, kzt_txn_abort(kn, OWNER, id, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, kzt_txn_begin(kn, OWNER, 0, &id, NULL), 0);
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), 0);
	KUNIT_EXPECT_EQ(test, kn->generation, gen + 2);
}

/* One transaction per netns, and only its socket may use it. */
static void kzt_tables_ownership_test(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct kzt_net *kn = kzt_test_net(test);
	u32 id, id2;

	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, 0, &id, NULL), 0);
	KUNIT_EXPECT_EQ(test, kzt_txn_begin(kn, OTHER, 0, &id2, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, kzt_txn_begin(kn, OWNER, 0, &id2, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, kzt_test_add(test, kn, id, OTHER, 2), -ENOENT);
	KUNIT_EXPECT_EQ(test, kzt_test_add(test, kn, id + 1, OWNER, 2), -ENOENT);
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OTHER, id, &extack), -ENOENT);
	KUNIT_EXPECT_STREQ(test, extack._msg,
			   "no open transaction with this id on this socket");
	KUNIT_EXPECT_EQ(test, kzt_txn_abort(kn, OTHER, id, NULL), -ENOENT);

	/* Another socket going away leaves it open; its own closes it. */
	kzt_txn_release(kn, OTHER);
	KUNIT_EXPECT_EQ(test, kzt_test_add(test, kn, id, OWNER, 2), 0);
	kzt_txn_release(kn, OWNER);
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), -ENOENT);

	/* Ids are not reused: the old one finds nothing. */
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, 0, &id2, NULL), 0);
	KUNIT_EXPECT_NE(test, id2, id);
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id2, NULL), 0);
}

/* A reader's reference (a dump) keeps a snapshot COMMIT replaced. */
static void kzt_tables_reference_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_test_net(test);
	struct in6_addr one = kzt_test_addr(1);
	struct kzt_tables *old;
	u32 id;

	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, 0, OWNER, 1), 0);
	mutex_lock(&kn->tables_lock);
	old = kzt_tables_get_live(kn);
	mutex_unlock(&kn->tables_lock);
	KUNIT_EXPECT_EQ(test, refcount_read(&old->ref), 2);

	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, 0, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), 0);
	KUNIT_EXPECT_FALSE(test, kzt_test_live_has(kn, 1));
	KUNIT_EXPECT_EQ(test, refcount_read(&old->ref), 1);
	rcu_read_lock();
	KUNIT_EXPECT_NOT_NULL(test, kzt_workload_lookup(&old->workloads, &one));
	rcu_read_unlock();
	kzt_tables_put(old);
}

KUNIT_DEFINE_ACTION_WRAPPER(kzt_test_tables_put, kzt_tables_put, struct kzt_tables *);

/* An ALLOW policy on namespace @ns with no rule: it applies, never matches. */
static struct kzt_policy *kzt_test_allow_ns(struct kunit *test, const char *ns)
{
	const struct kzt_t_attr attrs[] = {
		T_STR(KZT_POLICY_A_NAME, "allow-ns"), T_U8(KZT_POLICY_A_ACTION, KZT_ACTION_ALLOW),
		T_U8(KZT_POLICY_A_SCOPE, KZT_SCOPE_NAMESPACE), T_STR(KZT_POLICY_A_NAMESPACE, ns),
		{ }
	};
	struct sk_buff *skb = kzt_test_msg(test, attrs);
	struct kzt_policy *policy;

	policy = kzt_policy_from_attrs((struct nlattr *)skb->data, skb->len, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(policy));
	return policy;
}

/* The decision of one snapshot: its workload, its policies. */
static void kzt_tables_authorize_test(struct kunit *test)
{
	struct kzt_tables *tables = kzt_tables_new(8);
	struct in6_addr dst = kzt_test_addr(7), src = kzt_test_addr(8);
	static const char dst_id[] = "spiffe://cluster.local/ns/prod/sa/db";
	const char *src_id = "spiffe://cluster.local/ns/web/sa/web";
	struct netlink_ext_ack extack = {};
	const struct kzt_workload *found;
	struct kzt_decision decision;
	struct kzt_policy_set *set;
	struct kzt_policy *policy;
	struct kzt_workload *wl;

	KUNIT_ASSERT_NOT_NULL(test, tables);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_test_tables_put, tables), 0);
	wl = kzalloc(sizeof(*wl) + sizeof(dst_id), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, wl);
	wl->addr = dst;
	wl->ifindex = 1;
	wl->proto = KZT_PROTO_KZT1;
	wl->id_len = strlen(dst_id);
	memcpy(wl->id, dst_id, sizeof(dst_id));
	KUNIT_ASSERT_EQ(test, kzt_workload_table_insert(&tables->workloads, wl, false,
							&extack), 0);

	rcu_read_lock();
	/* Not a workload: no decision. */
	KUNIT_EXPECT_NULL(test, kzt_tables_authorize(tables, src_id, &src, &src, 80, false,
						     &decision));
	/* No policy: allowed, and the destination is the entry of the table. */
	found = kzt_tables_authorize(tables, src_id, &src, &dst, 80, false, &decision);
	KUNIT_EXPECT_PTR_EQ(test, found, (const struct kzt_workload *)wl);
	KUNIT_EXPECT_EQ(test, decision.verdict, KZT_VERDICT_ALLOW);
	KUNIT_EXPECT_EQ(test, decision.reason, KZT_REASON_NO_POLICY);
	rcu_read_unlock();

	/* An ALLOW policy of the destination's namespace that matches nothing. */
	policy = kzt_test_allow_ns(test, "prod");
	set = kzt_policy_set_add(NULL, policy, false, &extack);
	kzt_policy_put(policy);
	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	rcu_assign_pointer(tables->policies, set);

	rcu_read_lock();
	found = kzt_tables_authorize(tables, src_id, &src, &dst, 80, false, &decision);
	KUNIT_EXPECT_PTR_EQ(test, found, (const struct kzt_workload *)wl);
	KUNIT_EXPECT_EQ(test, decision.verdict, KZT_VERDICT_DENY);
	KUNIT_EXPECT_EQ(test, decision.reason, KZT_REASON_NO_ALLOW_MATCH);
	rcu_read_unlock();
}

/* A copy of the live tables, for the transactions begun from them. */

static const char *const kzt_test_names[] = { "a-deny", "b-deny", "c-deny" };

/* A DENY policy @name on namespace @ns with one rule: port 23. */
static struct kzt_policy *kzt_test_policy(struct kunit *test, const char *name,
					  const char *ns)
{
	struct sk_buff *skb = kzt_test_alloc_msg(test, 256);
	struct kzt_policy *policy;
	struct nlattr *rule;

	KUNIT_ASSERT_EQ(test, nla_put_string(skb, KZT_POLICY_A_NAME, name), 0);
	KUNIT_ASSERT_EQ(test, nla_put_u8(skb, KZT_POLICY_A_ACTION, KZT_ACTION_DENY), 0);
	KUNIT_ASSERT_EQ(test, nla_put_u8(skb, KZT_POLICY_A_SCOPE, KZT_SCOPE_NAMESPACE), 0);
	KUNIT_ASSERT_EQ(test, nla_put_string(skb, KZT_POLICY_A_NAMESPACE, ns), 0);
	rule = nla_nest_start(skb, KZT_POLICY_A_RULE);
	KUNIT_ASSERT_NOT_NULL(test, rule);
	KUNIT_ASSERT_EQ(test, nla_put_u16(skb, KZT_RULE_A_PORT, 23), 0);
	nla_nest_end(skb, rule);
	policy = kzt_policy_from_attrs((struct nlattr *)skb->data, skb->len, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(policy));
	return policy;
}

/*
 * Take the tables lock and find the snapshot a request of OWNER with the
 * TXN attribute @type = @txn (0: none, live) acts on, as a handler does.
 */
static struct kzt_tables *kzt_test_lock_target(struct kunit *test,
					       struct kzt_net *kn, u16 type,
					       u32 txn)
{
	const struct kzt_t_attr attrs[] = { T_U32(type, txn), { } };
	struct nlattr *txn_attr = NULL;

	if (txn)
		txn_attr = (struct nlattr *)kzt_test_msg(test, attrs)->data;
	mutex_lock(&kn->tables_lock);
	return kzt_txn_target(kn, txn_attr, OWNER, NULL);
}

/* POLICY_ADD (@replace) or, with !@policy, POLICY_DEL of @name. */
static int kzt_test_policy_op(struct kunit *test, struct kzt_net *kn, u32 txn,
			      struct kzt_policy *policy, const char *name,
			      bool replace)
{
	struct kzt_tables *tables;
	int err;

	tables = kzt_test_lock_target(test, kn, KZT_POLICY_A_TXN, txn);
	err = PTR_ERR_OR_ZERO(tables);
	if (err)
		kzt_policy_put(policy);
	else if (policy)
		err = kzt_tables_policy_add(kn, tables, policy, replace, NULL);
	else
		err = kzt_tables_policy_del(kn, tables, name, NULL);
	mutex_unlock(&kn->tables_lock);
	return err;
}

/* WORKLOAD_DEL of 10.0.0.@last, live or staged, as the handler does it. */
static int kzt_test_del(struct kunit *test, struct kzt_net *kn, u32 txn, u8 last)
{
	struct in6_addr addr = kzt_test_addr(last);
	struct kzt_tables *tables;
	int err;

	tables = kzt_test_lock_target(test, kn, KZT_WORKLOAD_A_TXN, txn);
	err = PTR_ERR_OR_ZERO(tables);
	if (!err)
		err = kzt_workload_table_remove(&tables->workloads, &addr);
	if (!err)
		kzt_tables_changed(kn, tables);
	mutex_unlock(&kn->tables_lock);
	return err;
}

/* The live snapshot, for a test that changes it only through kn. */
static struct kzt_tables *kzt_test_live(struct kzt_net *kn)
{
	struct kzt_tables *live;

	mutex_lock(&kn->tables_lock);
	live = kzt_tables_live(kn);
	mutex_unlock(&kn->tables_lock);
	return live;
}

/* The staging snapshot of the open transaction @id of OWNER. */
static struct kzt_tables *kzt_test_staging(struct kunit *test, struct kzt_net *kn,
					   u32 id)
{
	struct kzt_tables *tables;

	tables = kzt_test_lock_target(test, kn, KZT_WORKLOAD_A_TXN, id);
	mutex_unlock(&kn->tables_lock);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tables));
	return tables;
}

/* Live: 10.0.0.1 (local), 10.0.0.2 and .3 (remote, node 10.0.0.200), 3 policies. */
static void kzt_test_fill_live(struct kunit *test, struct kzt_net *kn)
{
	struct in6_addr node = kzt_test_addr(200);
	struct kzt_workload *wl;
	struct kzt_tables *live;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, 0, OWNER, 1), 0);
	for (i = 2; i <= 3; i++) {
		wl = kzalloc(sizeof(*wl) + 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, wl);
		wl->addr = kzt_test_addr(i);
		wl->node_addr = node;
		wl->proto = KZT_PROTO_KZT1;
		mutex_lock(&kn->tables_lock);
		live = kzt_tables_live(kn);
		KUNIT_ASSERT_EQ(test, kzt_workload_table_insert(&live->workloads, wl,
								false, NULL), 0);
		kzt_tables_changed(kn, live);
		mutex_unlock(&kn->tables_lock);
	}
	for (i = 0; i < ARRAY_SIZE(kzt_test_names); i++) {
		struct kzt_policy *policy = kzt_test_policy(test, kzt_test_names[i], "prod");

		KUNIT_ASSERT_EQ(test, kzt_test_policy_op(test, kn, 0, policy, NULL, false), 0);
	}
}

/* The policy names of @tables, in order, joined by ",". */
static const char *kzt_test_policy_names(struct kunit *test, struct kzt_net *kn,
					 struct kzt_tables *tables)
{
	char *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	const struct kzt_policy_set *set;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	mutex_lock(&kn->tables_lock);
	set = kzt_tables_policies(kn, tables);
	for (i = 0; i < kzt_policy_set_len(set); i++)
		snprintf(buf + strlen(buf), 256 - strlen(buf), "%s%s", i ? "," : "",
			 kzt_policy_name(kzt_policy_set_at(set, i)));
	mutex_unlock(&kn->tables_lock);
	return buf;
}

/* BEGIN from live: the staging snapshot holds copies of exactly the live entries. */
static void kzt_tables_from_live_copies_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_test_net(test);
	struct in6_addr node = kzt_test_addr(200);
	struct kzt_workload *orig, *copy;
	struct kzt_tables *live, *staging;
	unsigned int i;
	u32 id;

	kzt_test_fill_live(test, kn);
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &id, NULL), 0);
	staging = kzt_test_staging(test, kn, id);
	live = kzt_test_live(kn);
	KUNIT_ASSERT_PTR_NE(test, staging, live);

	KUNIT_EXPECT_EQ(test, kzt_workload_table_len(&staging->workloads), 3);
	rcu_read_lock();
	for (i = 1; i <= 3; i++) {
		struct in6_addr addr = kzt_test_addr(i);

		orig = kzt_workload_lookup(&live->workloads, &addr);
		copy = kzt_workload_lookup(&staging->workloads, &addr);
		KUNIT_ASSERT_NOT_NULL(test, orig);
		KUNIT_ASSERT_NOT_NULL(test, copy);
		/* A copy, not the entry: an entry is in one table only. */
		KUNIT_EXPECT_PTR_NE(test, orig, copy);
		KUNIT_EXPECT_EQ(test, memcmp(&copy->addr, &orig->addr,
					     offsetof(struct kzt_workload, rcu) -
					     offsetof(struct kzt_workload, addr)), 0);
		KUNIT_EXPECT_STREQ(test, copy->id, orig->id);
	}
	/* The index of peer nodes is copied too. */
	KUNIT_EXPECT_TRUE(test, kzt_workload_node_known(&staging->workloads, &node));
	rcu_read_unlock();
	KUNIT_EXPECT_STREQ(test, kzt_test_policy_names(test, kn, staging),
			   "a-deny,b-deny,c-deny");
	/* Nothing staged yet: the commit publishes the same entries. */
	KUNIT_ASSERT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), 0);
	for (i = 1; i <= 3; i++)
		KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, i));
	live = kzt_test_live(kn);
	KUNIT_EXPECT_PTR_EQ(test, live, staging);
	KUNIT_EXPECT_STREQ(test, kzt_test_policy_names(test, kn, live),
			   "a-deny,b-deny,c-deny");
}

/*
 * Changes staged in a copy: invisible until COMMIT, then all at once, with
 * one change of the generation (one re-decision of the flows).
 */
static void kzt_tables_from_live_changes_test(struct kunit *test)
{
	static const char prod_id[] = "spiffe://td/ns/prod/sa/x";
	struct kzt_decision decision;
	struct kzt_net *kn = kzt_test_net(test);
	struct in6_addr two = kzt_test_addr(2);
	struct netlink_ext_ack extack = {};
	struct kzt_tables *live;
	unsigned int gen;
	u32 id;

	kzt_test_fill_live(test, kn);
	gen = kn->generation;
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, id, OWNER, 4), 0);
	KUNIT_EXPECT_EQ(test, kzt_test_add(test, kn, id, OWNER, 1), -EEXIST);
	KUNIT_ASSERT_EQ(test, kzt_test_del(test, kn, id, 1), 0);
	/* DEL in a transaction: the same -ENOENT as live, nothing changed. */
	KUNIT_EXPECT_EQ(test, kzt_test_del(test, kn, id, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, kzt_test_del(test, kn, id, 9), -ENOENT);
	KUNIT_ASSERT_EQ(test, kzt_test_policy_op(test, kn, id, NULL, "b-deny", false), 0);
	KUNIT_EXPECT_EQ(test, kzt_test_policy_op(test, kn, id, NULL, "b-deny", false),
			-ENOENT);
	KUNIT_ASSERT_EQ(test, kzt_test_policy_op(test, kn, id,
						 kzt_test_policy(test, "a-deny", "dev"),
						 NULL, true), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_policy_op(test, kn, id,
						 kzt_test_policy(test, "d-new", "dev"),
						 NULL, false), 0);
	KUNIT_EXPECT_EQ(test, kzt_test_policy_op(test, kn, id,
						 kzt_test_policy(test, "d-new", "dev"),
						 NULL, false), -EEXIST);
	KUNIT_EXPECT_STREQ(test, kzt_test_policy_names(test, kn, kzt_test_staging(test, kn, id)),
			   "a-deny,c-deny,d-new");

	/* Readers still see the live tables, and the generation is the same. */
	KUNIT_EXPECT_EQ(test, kn->generation, gen);
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 1));
	KUNIT_EXPECT_FALSE(test, kzt_test_live_has(kn, 4));
	live = kzt_test_live(kn);
	KUNIT_EXPECT_STREQ(test, kzt_test_policy_names(test, kn, live),
			   "a-deny,b-deny,c-deny");

	KUNIT_ASSERT_EQ(test, kzt_txn_commit(kn, OWNER, id, &extack), 0);
	KUNIT_EXPECT_EQ(test, kn->generation, gen + 1);
	KUNIT_EXPECT_FALSE(test, kzt_test_live_has(kn, 1));
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 2));
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 3));
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 4));
	live = kzt_test_live(kn);
	KUNIT_EXPECT_STREQ(test, kzt_test_policy_names(test, kn, live),
			   "a-deny,c-deny,d-new");

	/*
	 * The committed set was indexed from what was staged: a-deny, first in
	 * name order, no longer applies to "prod", so c-deny decides.
	 */
	rcu_read_lock();
	kzt_policy_decide(rcu_dereference(live->policies),
			  &(struct kzt_authz_query){
				.src_addr = &two, .dst_id = prod_id,
				.dst_ns = prod_id + 15, .dst_ns_len = 4,
				.dst_port = 23 },
			  &decision);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, decision.verdict, KZT_VERDICT_DENY);
	KUNIT_EXPECT_STREQ(test, kzt_policy_name(decision.policy), "c-deny");
}

/* EAGAIN when the live tables changed since BEGIN; abort and release free all. */
static void kzt_tables_from_live_stale_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_test_net(test);
	u32 id;

	kzt_test_fill_live(test, kn);
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_del(test, kn, id, 2), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_del(test, kn, 0, 3), 0);		/* live */
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), -EAGAIN);
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 2));
	KUNIT_EXPECT_FALSE(test, kzt_test_live_has(kn, 3));

	/* A live policy change counts too. */
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_policy_op(test, kn, 0, NULL, "c-deny", false), 0);
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), -EAGAIN);

	/* Abort and a socket's release drop a changed copy (kmemleak, KASAN). */
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_add(test, kn, id, OWNER, 5), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_policy_op(test, kn, id, NULL, "a-deny", false), 0);
	KUNIT_ASSERT_EQ(test, kzt_txn_abort(kn, OWNER, id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_del(test, kn, id, 1), 0);
	/* The last policy out of a staging set leaves an empty (NULL) set. */
	KUNIT_ASSERT_EQ(test, kzt_test_policy_op(test, kn, id, NULL, "a-deny", false), 0);
	KUNIT_ASSERT_EQ(test, kzt_test_policy_op(test, kn, id, NULL, "b-deny", false), 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(kzt_test_staging(test, kn, id)->policies));
	kzt_txn_release(kn, OWNER);
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 1));
	KUNIT_EXPECT_FALSE(test, kzt_test_live_has(kn, 5));
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), -ENOENT);
}

static int kzt_test_dup_calls;

/* kzt_workload_dup() that fails on its second call. */
static struct kzt_workload *kzt_test_dup_fail(const struct kzt_workload *wl)
{
	if (++kzt_test_dup_calls >= 2)
		return NULL;
	return kmemdup(wl, struct_size(wl, id, wl->id_len + 1), GFP_KERNEL);
}

static int kzt_test_set_copy_fail(const struct kzt_policy_set *set,
				  struct kzt_policy_set **copyp)
{
	return -ENOMEM;
}

/* A copy that runs out of memory: -ENOMEM, extack, no transaction, live intact. */
static void kzt_tables_from_live_nomem_test(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct kzt_net *kn = kzt_test_net(test);
	unsigned int gen;
	u32 id = 0;

	kzt_test_fill_live(test, kn);
	gen = kn->generation;

	kzt_test_dup_calls = 0;
	kunit_activate_static_stub(test, kzt_workload_dup, kzt_test_dup_fail);
	KUNIT_EXPECT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &id, &extack),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, kzt_test_dup_calls, 2);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_NULL(test, READ_ONCE(kn->txn));
	kunit_deactivate_static_stub(test, kzt_workload_dup);

	extack = (struct netlink_ext_ack){};
	kunit_activate_static_stub(test, kzt_policy_set_copy, kzt_test_set_copy_fail);
	KUNIT_EXPECT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &id, &extack),
			-ENOMEM);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_NULL(test, READ_ONCE(kn->txn));
	kunit_deactivate_static_stub(test, kzt_policy_set_copy);

	/* Nothing changed, and the next BEGIN works. */
	KUNIT_EXPECT_EQ(test, kn->generation, gen);
	KUNIT_EXPECT_TRUE(test, kzt_test_live_has(kn, 1));
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &id, NULL), 0);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_len(&kzt_test_staging(test, kn, id)->workloads),
			3);
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), 0);
}

#define KZT_BENCH_WORKLOADS 10000
#define KZT_BENCH_POLICIES 1000

/*
 * What a BEGIN from live costs with 10,000 workloads and 1,000 policies,
 * and the COMMIT that seals the set (printed, not asserted: it depends on
 * the machine and on the debug options of the kernel).
 */
static void kzt_tables_from_live_cost_test(struct kunit *test)
{
	static const char id[] = "spiffe://cluster.local/ns/ns-0000/sa/default";
	struct kzt_net *kn = kzt_test_net(test);
	struct kzt_policy_set *set = NULL;
	struct kzt_tables *live;
	struct kzt_workload *wl;
	char name[32], ns[16];
	ktime_t t0, t1, t2;
	unsigned int i;
	u32 txn;
	int err;

	mutex_lock(&kn->tables_lock);
	live = kzt_tables_live(kn);
	for (i = 0; i < KZT_BENCH_WORKLOADS; i++) {
		wl = kzalloc(struct_size(wl, id, sizeof(id)), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, wl);
		wl->addr = kzt_test_addr(0);
		wl->addr.s6_addr32[3] = htonl(0x0a000000 + i + 1);
		wl->node_addr = kzt_test_addr(0);
		wl->node_addr.s6_addr32[3] = htonl(0xc0a80000 + i % 100 + 1);
		wl->proto = KZT_PROTO_KZT1;
		wl->id_len = sizeof(id) - 1;
		memcpy(wl->id, id, sizeof(id));
		/* The live table grows as it fills: wait for its resize. */
		while ((err = kzt_workload_table_insert(&live->workloads, wl, false,
							NULL)) == -EAGAIN) {
			mutex_unlock(&kn->tables_lock);
			usleep_range(1000, 2000);
			mutex_lock(&kn->tables_lock);
		}
		KUNIT_ASSERT_EQ(test, err, 0);
	}
	for (i = 0; i < KZT_BENCH_POLICIES; i++) {
		struct kzt_policy *policy;

		snprintf(name, sizeof(name), "policy-%04u", i);
		snprintf(ns, sizeof(ns), "ns-%04u", i % 200);
		mutex_unlock(&kn->tables_lock);
		policy = kzt_test_policy(test, name, ns);
		mutex_lock(&kn->tables_lock);
		KUNIT_ASSERT_EQ(test, kzt_policy_set_stage(&set, policy, false, NULL), 0);
		kzt_policy_put(policy);
	}
	KUNIT_ASSERT_EQ(test, kzt_policy_set_seal(set), 0);
	rcu_assign_pointer(live->policies, set);
	kzt_tables_changed(kn, live);
	mutex_unlock(&kn->tables_lock);

	t0 = ktime_get();
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, KZT_TXN_F_FROM_LIVE, &txn, NULL), 0);
	t1 = ktime_get();
	KUNIT_ASSERT_EQ(test, kzt_test_del(test, kn, txn, 0), -ENOENT);
	KUNIT_ASSERT_EQ(test, kzt_txn_commit(kn, OWNER, txn, NULL), 0);
	t2 = ktime_get();
	kunit_info(test, "begin from live, %u workloads + %u policies: %lld us; commit (index %u policies): %lld us\n",
		   KZT_BENCH_WORKLOADS, KZT_BENCH_POLICIES,
		   ktime_us_delta(t1, t0), KZT_BENCH_POLICIES, ktime_us_delta(t2, t1));
	mutex_lock(&kn->tables_lock);
	live = kzt_tables_live(kn);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_len(&live->workloads), KZT_BENCH_WORKLOADS);
	KUNIT_EXPECT_EQ(test, kzt_policy_set_len(kzt_tables_policies(kn, live)),
			KZT_BENCH_POLICIES);
	mutex_unlock(&kn->tables_lock);
}

static struct kunit_case kzt_tables_cases[] = {
	KUNIT_CASE(kzt_tables_authorize_test),
	KUNIT_CASE(kzt_tables_commit_swaps_test),
	KUNIT_CASE(kzt_tables_abort_test),
	KUNIT_CASE(kzt_tables_commit_stale_test),
	KUNIT_CASE(kzt_tables_ownership_test),
	KUNIT_CASE(kzt_tables_reference_test),
	KUNIT_CASE(kzt_tables_from_live_copies_test),
	KUNIT_CASE(kzt_tables_from_live_changes_test),
	KUNIT_CASE(kzt_tables_from_live_stale_test),
	KUNIT_CASE(kzt_tables_from_live_nomem_test),
	KUNIT_CASE_SLOW(kzt_tables_from_live_cost_test),
	{}
};

static struct kunit_suite kzt_tables_suite = {
	.name = "kzt_tables",
	.test_cases = kzt_tables_cases,
};

kunit_test_suite(kzt_tables_suite);
