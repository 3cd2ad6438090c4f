// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_tables: snapshots and transactions on a bare per-netns
 * state (no socket needed): staging is invisible until COMMIT, COMMIT
 * swaps everything at once, a live change since BEGIN makes COMMIT fail
 * with -EAGAIN and change nothing, one transaction per netns owned by its
 * socket, aborted when that socket goes away, and a dump's reference keeps
 * a replaced snapshot alive.
 */
#include <kunit/test.h>

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
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, &id), 0);
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
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, &id), 0);
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

	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, &id), 0);
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
	KUNIT_EXPECT_EQ(test, kzt_txn_begin(kn, OWNER, &id), 0);
	KUNIT_EXPECT_EQ(test, kzt_txn_commit(kn, OWNER, id, NULL), 0);
	KUNIT_EXPECT_EQ(test, kn->generation, gen + 2);
}

/* One transaction per netns, and only its socket may use it. */
static void kzt_tables_ownership_test(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct kzt_net *kn = kzt_test_net(test);
	u32 id, id2;

	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, &id), 0);
	KUNIT_EXPECT_EQ(test, kzt_txn_begin(kn, OTHER, &id2), -EBUSY);
	KUNIT_EXPECT_EQ(test, kzt_txn_begin(kn, OWNER, &id2), -EBUSY);
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
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, &id2), 0);
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

	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, OWNER, &id), 0);
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

static struct kunit_case kzt_tables_cases[] = {
	KUNIT_CASE(kzt_tables_authorize_test),
	KUNIT_CASE(kzt_tables_commit_swaps_test),
	KUNIT_CASE(kzt_tables_abort_test),
	KUNIT_CASE(kzt_tables_commit_stale_test),
	KUNIT_CASE(kzt_tables_ownership_test),
	KUNIT_CASE(kzt_tables_reference_test),
	{}
};

static struct kunit_suite kzt_tables_suite = {
	.name = "kzt_tables",
	.test_cases = kzt_tables_cases,
};

kunit_test_suite(kzt_tables_suite);
