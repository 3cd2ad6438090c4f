// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_dump: the WORKLOAD_GET and POLICY_GET dumps, driven call
 * by call with small buffers as the netlink core drives them. A quiet dump
 * returns every entry exactly once over several calls; a change between
 * two calls sets NLM_F_DUMP_INTR; a COMMIT during a workload dump leaves
 * the walked snapshot alive and whole until the dump ends.
 */
#include <kunit/test.h>
#include <net/genetlink.h>

#include <linux/kzt.h>

#include "kunit_nl.h"
#include "kzt.h"
#include "nl.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define KZT_DUMP_WORKLOADS 40

struct kzt_dump_run {
	struct netlink_callback cb;
	struct nlmsghdr request;
	unsigned int seen[256];		/* per last address byte / policy */
	unsigned int msgs, intr, calls;
	char order[8];			/* first letters of policy names */
};

static void kzt_dump_run_init(struct kunit *test, struct kzt_dump_run *run)
{
	memset(run, 0, sizeof(*run));
	run->request.nlmsg_seq = 7;
	run->cb.nlh = &run->request;
	run->cb.skb = kzt_test_alloc_msg(test, NLMSG_GOODSIZE);
}

/* One dump call into a buffer with @room bytes of tail room. */
static int kzt_dump_call(struct kunit *test, struct kzt_net *kn,
			 struct kzt_dump_run *run, bool policies,
			 unsigned int room)
{
	struct sk_buff *skb = kzt_test_alloc_msg(test, NLMSG_GOODSIZE);
	struct nlmsghdr *nlh;
	int ret, rem;

	skb_reserve(skb, skb_tailroom(skb) - room);
	ret = policies ? kzt_nl_policy_dump_fill(kn, skb, &run->cb) :
			 kzt_nl_workload_dump_fill(kn, skb, &run->cb);
	KUNIT_ASSERT_GE(test, ret, 0);
	run->calls++;
	nlmsg_for_each_msg(nlh, (struct nlmsghdr *)skb->data, skb->len, rem) {
		int type = policies ? KZT_POLICY_A_NAME : KZT_WORKLOAD_A_ADDR;
		struct nlattr *attr = nlmsg_find_attr(nlh, GENL_HDRLEN, type);

		KUNIT_ASSERT_NOT_NULL(test, attr);
		KUNIT_EXPECT_EQ(test, nlh->nlmsg_seq, 7);
		KUNIT_EXPECT_TRUE(test, nlh->nlmsg_flags & NLM_F_MULTI);
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			run->intr++;
		if (policies) {
			if (run->msgs < sizeof(run->order) - 1)
				run->order[run->msgs] = *(char *)nla_data(attr);
			run->seen[*(u8 *)nla_data(attr)]++;
		} else {
			run->seen[((u8 *)nla_data(attr))[15]]++;
		}
		run->msgs++;
	}
	return ret;
}

static struct in6_addr kzt_dump_addr(u8 last)
{
	return (struct in6_addr){ .s6_addr = { [10] = 0xff, [11] = 0xff, 10, 0, 2, last } };
}

static void kzt_dump_add_workload(struct kunit *test, struct kzt_net *kn, u8 last)
{
	struct kzt_workload *wl = kzalloc(sizeof(*wl) + 1, GFP_KERNEL);
	struct kzt_tables *tables;

	KUNIT_ASSERT_NOT_NULL(test, wl);
	wl->addr = kzt_dump_addr(last);
	wl->ifindex = 1;
	mutex_lock(&kn->tables_lock);
	tables = kzt_tables_live(kn);
	KUNIT_ASSERT_EQ(test, kzt_workload_table_insert(&tables->workloads, wl, false, NULL), 0);
	kzt_tables_changed(kn, tables);
	mutex_unlock(&kn->tables_lock);
}

static struct kzt_net *kzt_dump_net(struct kunit *test)
{
	struct kzt_net *kn = kzt_test_net(test);
	int i;

	for (i = 1; i <= KZT_DUMP_WORKLOADS; i++)
		kzt_dump_add_workload(test, kn, i);
	return kn;
}

KUNIT_DEFINE_ACTION_WRAPPER(kzt_dump_done, kzt_nl_workload_dump_done,
			    struct netlink_callback *);

static void kzt_dump_begin(struct kunit *test, struct kzt_net *kn,
			   struct kzt_dump_run *run)
{
	KUNIT_ASSERT_EQ(test, kzt_nl_workload_dump_begin(kn, &run->cb), 0);
	/* .done runs however the test ends, as the netlink core would. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_dump_done, &run->cb), 0);
}

static void kzt_dump_expect_each_once(struct kunit *test, struct kzt_dump_run *run)
{
	int i;

	for (i = 1; i <= KZT_DUMP_WORKLOADS; i++)
		KUNIT_EXPECT_EQ_MSG(test, run->seen[i], 1, "workload %d", i);
}

/* No change: every workload once, over several calls, no INTR. */
static void kzt_dump_workloads_quiet_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_dump_net(test);
	struct kzt_dump_run *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, run);
	kzt_dump_run_init(test, run);
	kzt_dump_begin(test, kn, run);
	while (kzt_dump_call(test, kn, run, false, 400) > 0)
		;
	KUNIT_EXPECT_GT(test, run->calls, 3);
	KUNIT_EXPECT_EQ(test, run->msgs, KZT_DUMP_WORKLOADS);
	kzt_dump_expect_each_once(test, run);
	KUNIT_EXPECT_EQ(test, run->intr, 0);
}

/* A live change between two calls flags the dump. */
static void kzt_dump_workloads_change_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_dump_net(test);
	struct kzt_dump_run *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, run);
	kzt_dump_run_init(test, run);
	kzt_dump_begin(test, kn, run);
	KUNIT_ASSERT_GT(test, kzt_dump_call(test, kn, run, false, 400), 0);
	KUNIT_EXPECT_EQ(test, run->intr, 0);
	kzt_dump_add_workload(test, kn, 200);
	while (kzt_dump_call(test, kn, run, false, 400) > 0)
		;
	KUNIT_EXPECT_GT(test, run->intr, 0);
}

/*
 * COMMIT mid-dump: the dump ends at once, and its NLMSG_DONE is flagged
 * (the core checks cb->seq against cb->prev_seq for it).
 */
static void kzt_dump_workloads_commit_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_dump_net(test);
	struct kzt_dump_run *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	u32 id;

	KUNIT_ASSERT_NOT_NULL(test, run);
	kzt_dump_run_init(test, run);
	kzt_dump_begin(test, kn, run);
	KUNIT_ASSERT_GT(test, kzt_dump_call(test, kn, run, false, 400), 0);

	/* An empty table replaces the live one. */
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, 1, 0, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_txn_commit(kn, 1, id, NULL), 0);

	KUNIT_EXPECT_EQ(test, kzt_dump_call(test, kn, run, false, 400), 0);
	KUNIT_EXPECT_LT(test, run->msgs, KZT_DUMP_WORKLOADS);
	KUNIT_EXPECT_NE(test, run->cb.seq, run->cb.prev_seq);
}

/* COMMIT before the first message: the dump shows the new tables. */
static void kzt_dump_workloads_commit_first_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_dump_net(test);
	struct kzt_dump_run *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	u32 id;

	KUNIT_ASSERT_NOT_NULL(test, run);
	kzt_dump_run_init(test, run);
	kzt_dump_begin(test, kn, run);
	KUNIT_ASSERT_EQ(test, kzt_txn_begin(kn, 1, 0, &id, NULL), 0);
	KUNIT_ASSERT_EQ(test, kzt_txn_commit(kn, 1, id, NULL), 0);
	kzt_dump_add_workload(test, kn, 200);

	while (kzt_dump_call(test, kn, run, false, 400) > 0)
		;
	KUNIT_EXPECT_EQ(test, run->msgs, 1);
	KUNIT_EXPECT_EQ(test, run->seen[200], 1);
	KUNIT_EXPECT_EQ(test, run->intr, 0);
}

/* Make the policy of the request in @skb and add it to the live tables. */
static void kzt_dump_add_policy_msg(struct kunit *test, struct kzt_net *kn,
				    struct sk_buff *skb)
{
	struct kzt_policy *policy;
	int err;

	policy = kzt_policy_from_attrs((struct nlattr *)skb->data, skb->len, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(policy));
	mutex_lock(&kn->tables_lock);
	/* Consumes the reference. */
	err = kzt_tables_policy_add(kn, kzt_tables_live(kn), policy, false, NULL);
	mutex_unlock(&kn->tables_lock);
	KUNIT_ASSERT_EQ(test, err, 0);
}

static void kzt_dump_add_policy(struct kunit *test, struct kzt_net *kn,
				const char *name)
{
	const struct kzt_t_attr attrs[] = {
		T_STR(KZT_POLICY_A_NAME, name), T_U8(KZT_POLICY_A_ACTION, KZT_ACTION_DENY),
		T_U8(KZT_POLICY_A_SCOPE, KZT_SCOPE_GLOBAL), { }
	};

	kzt_dump_add_policy_msg(test, kn, kzt_test_msg(test, attrs));
}

/* A workloads-scope policy "big" with @ids scope IDs of 999 bytes each. */
static struct sk_buff *kzt_dump_big_policy_msg(struct kunit *test,
					       unsigned int ids)
{
	struct sk_buff *skb = kzt_test_alloc_msg(test, 64 * 1024);
	char *id = kunit_kzalloc(test, 1000, GFP_KERNEL);
	unsigned int i;
	int len;

	KUNIT_ASSERT_NOT_NULL(test, id);
	KUNIT_ASSERT_EQ(test, nla_put_string(skb, KZT_POLICY_A_NAME, "big"), 0);
	KUNIT_ASSERT_EQ(test, nla_put_u8(skb, KZT_POLICY_A_ACTION, KZT_ACTION_ALLOW), 0);
	KUNIT_ASSERT_EQ(test, nla_put_u8(skb, KZT_POLICY_A_SCOPE, KZT_SCOPE_WORKLOADS), 0);
	for (i = 0; i < ids; i++) {
		len = snprintf(id, 1000, "spiffe://cluster.local/ns/n/sa/%u-", i);
		memset(id + len, 'x', 999 - len);
		KUNIT_ASSERT_EQ(test, nla_put_string(skb, KZT_POLICY_A_SCOPE_ID, id), 0);
	}
	return skb;
}

/*
 * A policy is sent whole: one over KZT_POLICY_SIZE_MAX is refused, one
 * just under it (far over a default dump buffer) is dumped in the buffer
 * the dump's .start asks for.
 */
static void kzt_dump_big_policy_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_test_net(test);
	struct kzt_dump_run *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	struct netlink_ext_ack extack = { };
	struct kzt_policy *policy;
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, run);
	skb = kzt_dump_big_policy_msg(test, 32);
	policy = kzt_policy_from_attrs((struct nlattr *)skb->data, skb->len, &extack);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(policy), -EMSGSIZE);
	if (!IS_ERR(policy))
		kzt_policy_put(policy);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);

	kzt_dump_add_policy_msg(test, kn, kzt_dump_big_policy_msg(test, 31));
	kzt_dump_run_init(test, run);
	KUNIT_ASSERT_EQ(test, kzt_nl_policy_dump_start(&run->cb), 0);
	KUNIT_ASSERT_GT(test, run->cb.min_dump_alloc, NLMSG_GOODSIZE);
	skb = kzt_test_alloc_msg(test, run->cb.min_dump_alloc);
	KUNIT_EXPECT_GT(test, kzt_nl_policy_dump_fill(kn, skb, &run->cb),
			NLMSG_GOODSIZE);
	skb = kzt_test_alloc_msg(test, run->cb.min_dump_alloc);
	KUNIT_EXPECT_EQ(test, kzt_nl_policy_dump_fill(kn, skb, &run->cb), 0);
}

/* Policies come in name order, one per call here; a change flags them. */
static void kzt_dump_policies_test(struct kunit *test)
{
	struct kzt_net *kn = kzt_test_net(test);
	struct kzt_dump_run *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, run);
	kzt_dump_add_policy(test, kn, "b-policy");
	kzt_dump_add_policy(test, kn, "d-policy");
	kzt_dump_add_policy(test, kn, "a-policy");

	kzt_dump_run_init(test, run);
	while (kzt_dump_call(test, kn, run, true, 60) > 0)
		;
	KUNIT_EXPECT_STREQ(test, run->order, "abd");
	KUNIT_EXPECT_EQ(test, run->calls, 4);
	KUNIT_EXPECT_EQ(test, run->intr, 0);

	kzt_dump_run_init(test, run);
	KUNIT_ASSERT_GT(test, kzt_dump_call(test, kn, run, true, 60), 0);
	kzt_dump_add_policy(test, kn, "c-policy");
	while (kzt_dump_call(test, kn, run, true, 60) > 0)
		;
	KUNIT_EXPECT_GT(test, run->intr, 0);
}

static struct kunit_case kzt_dump_cases[] = {
	KUNIT_CASE(kzt_dump_workloads_quiet_test),
	KUNIT_CASE(kzt_dump_workloads_change_test),
	KUNIT_CASE(kzt_dump_workloads_commit_test),
	KUNIT_CASE(kzt_dump_workloads_commit_first_test),
	KUNIT_CASE(kzt_dump_big_policy_test),
	KUNIT_CASE(kzt_dump_policies_test),
	{}
};

static struct kunit_suite kzt_dump_suite = {
	.name = "kzt_dump",
	.test_cases = kzt_dump_cases,
};

kunit_test_suite(kzt_dump_suite);
