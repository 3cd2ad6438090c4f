// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_netlink: the policy of every workload, check and
 * transaction command as the netlink core applies it (types, exact
 * lengths, ranges, flag masks, string lengths, unknown attributes), with
 * the extack each refusal carries, and the repeated-attribute check every
 * command runs before its handler.
 */
#include <kunit/test.h>

#include <linux/kzt.h>

#include "kunit_nl.h"
#include "nl.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static const u8 addr16[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
static const u8 addr15[15];
static const u8 addr17[17];
static char long_id[KZT_SPIFFE_ID_MAX + 2];
static char long_name[KZT_POLICY_NAME_MAX + 2];

static int kzt_netlink_suite_init(struct kunit_suite *suite)
{
	memset(long_id, 'a', KZT_SPIFFE_ID_MAX + 1);
	memset(long_name, 'n', KZT_POLICY_NAME_MAX + 1);
	return 0;
}

enum kzt_nl_policy_id {
	WORKLOAD_ADD,
	WORKLOAD_ADDR,	/* WORKLOAD_DEL, WORKLOAD_GET do */
	WORKLOAD_DUMP,	/* WORKLOAD_GET dump: no attributes */
	POLICY_NAME,	/* POLICY_DEL, POLICY_GET do */
	CHECK,
	TXN_BEGIN,	/* no attributes */
	TXN_ID,		/* TXN_COMMIT, TXN_ABORT */
};

static const struct {
	const struct nla_policy *policy;
	int maxattr;
} kzt_nl_policies[] = {
	[WORKLOAD_ADD] = { kzt_workload_add_policy, KZT_WORKLOAD_A_MAX },
	[WORKLOAD_ADDR] = { kzt_workload_addr_policy, KZT_WORKLOAD_A_MAX },
	[WORKLOAD_DUMP] = { kzt_no_attrs_policy, KZT_WORKLOAD_A_MAX },
	[POLICY_NAME] = { kzt_policy_name_policy, KZT_POLICY_A_MAX },
	[CHECK] = { kzt_policy_check_policy, KZT_CHECK_A_MAX },
	[TXN_BEGIN] = { kzt_no_attrs_policy, KZT_TXN_A_MAX },
	[TXN_ID] = { kzt_txn_id_policy, KZT_TXN_A_MAX },
};

struct kzt_nl_case {
	const char *name;
	enum kzt_nl_policy_id policy;
	struct kzt_t_attr attrs[4];
	int err;
	const char *msg;	/* expected extack; NULL: none expected */
};

#define INVALID_LEN "invalid attribute length"
#define BAD_POLICY "Attribute failed policy validation"
#define OUT_OF_RANGE "integer out of range"
#define UNKNOWN "Unknown attribute type"
#define NO_ATTRS "this command takes no attributes"
#define BAD_SIZE "binary attribute size out of range"

static const struct kzt_nl_case kzt_nl_cases[] = {
	/* WORKLOAD_ADD */
	{ "add: every attribute", WORKLOAD_ADD,
	  { T_BIN(KZT_WORKLOAD_A_ADDR, addr16, 16), T_U8(KZT_WORKLOAD_A_PROTOCOL, 1),
	    T_U32(KZT_WORKLOAD_A_FLAGS, KZT_WORKLOAD_F_REPLACE),
	    T_U32(KZT_WORKLOAD_A_TXN, 7) }, 0 },
	{ "add: address of 15 bytes", WORKLOAD_ADD,
	  { T_BIN(KZT_WORKLOAD_A_ADDR, addr15, 15) }, -ERANGE, BAD_SIZE },
	{ "add: address of 17 bytes", WORKLOAD_ADD,
	  { T_BIN(KZT_WORKLOAD_A_ADDR, addr17, 17) }, -ERANGE, BAD_SIZE },
	{ "add: address as u32", WORKLOAD_ADD,
	  { T_U32(KZT_WORKLOAD_A_ADDR, 1) }, -ERANGE, BAD_SIZE },
	{ "add: node of 4 bytes", WORKLOAD_ADD,
	  { T_U32(KZT_WORKLOAD_A_NODE, 0x0a000001) }, -ERANGE, BAD_SIZE },
	{ "add: ID of the longest length", WORKLOAD_ADD,
	  { T_STR(KZT_WORKLOAD_A_ID, long_id + 1) }, 0 },
	{ "add: ID too long", WORKLOAD_ADD,
	  { T_STR(KZT_WORKLOAD_A_ID, long_id) }, -EINVAL, BAD_POLICY },
	{ "add: ID without NUL", WORKLOAD_ADD,
	  { T_U32(KZT_WORKLOAD_A_ID, 0x41414141) }, -EINVAL, BAD_POLICY },
	{ "add: protocol past the enum", WORKLOAD_ADD,
	  { T_U8(KZT_WORKLOAD_A_PROTOCOL, __KZT_PROTO_MAX) }, -ERANGE, OUT_OF_RANGE },
	{ "add: protocol as u32", WORKLOAD_ADD,
	  { T_U32(KZT_WORKLOAD_A_PROTOCOL, 1) }, -EINVAL, INVALID_LEN },
	{ "add: ifindex 0", WORKLOAD_ADD,
	  { T_U32(KZT_WORKLOAD_A_IFINDEX, 0) }, -ERANGE, OUT_OF_RANGE },
	{ "add: ifindex as u16", WORKLOAD_ADD,
	  { T_U16(KZT_WORKLOAD_A_IFINDEX, 2) }, -EINVAL, INVALID_LEN },
	{ "add: unknown flag", WORKLOAD_ADD,
	  { T_U32(KZT_WORKLOAD_A_FLAGS, KZT_WORKLOAD_F_REPLACE << 1) },
	  -EINVAL, "reserved bit set" },
	{ "add: transaction 0", WORKLOAD_ADD,
	  { T_U32(KZT_WORKLOAD_A_TXN, 0) }, -ERANGE, OUT_OF_RANGE },
	{ "add: unknown attribute", WORKLOAD_ADD,
	  { T_U8(KZT_WORKLOAD_A_MAX + 1, 0) }, -EINVAL, UNKNOWN },
	{ "add: valid then bad", WORKLOAD_ADD,
	  { T_BIN(KZT_WORKLOAD_A_ADDR, addr16, 16), T_U8(KZT_WORKLOAD_A_PROTOCOL, 9) },
	  -ERANGE, OUT_OF_RANGE },

	/* WORKLOAD_DEL / GET do */
	{ "del: address", WORKLOAD_ADDR, { T_BIN(KZT_WORKLOAD_A_ADDR, addr16, 16) }, 0 },
	{ "del: address of 15 bytes", WORKLOAD_ADDR,
	  { T_BIN(KZT_WORKLOAD_A_ADDR, addr15, 15) }, -ERANGE, BAD_SIZE },
	{ "del: an ADD-only attribute", WORKLOAD_ADDR,
	  { T_STR(KZT_WORKLOAD_A_ID, "spiffe://td/ns/a/sa/b") }, -EINVAL, "Unsupported attribute" },
	{ "del: transaction", WORKLOAD_ADDR,
	  { T_U32(KZT_WORKLOAD_A_TXN, 1) }, -EINVAL, "Unsupported attribute" },

	/* WORKLOAD_GET dump */
	{ "dump: nothing", WORKLOAD_DUMP, { }, 0 },
	{ "dump: an address", WORKLOAD_DUMP,
	  { T_BIN(KZT_WORKLOAD_A_ADDR, addr16, 16) }, -EINVAL, NO_ATTRS },
	{ "dump: unknown attribute", WORKLOAD_DUMP,
	  { T_U8(KZT_WORKLOAD_A_MAX + 1, 0) }, -EINVAL, UNKNOWN },

	/* POLICY_DEL / GET do */
	{ "policy name", POLICY_NAME, { T_STR(KZT_POLICY_A_NAME, "deny-all") }, 0 },
	{ "policy name of the longest length", POLICY_NAME,
	  { T_STR(KZT_POLICY_A_NAME, long_name + 1) }, 0 },
	{ "policy name too long", POLICY_NAME,
	  { T_STR(KZT_POLICY_A_NAME, long_name) }, -EINVAL, BAD_POLICY },
	{ "policy name with an ADD attribute", POLICY_NAME,
	  { T_STR(KZT_POLICY_A_NAME, "p"), T_U8(KZT_POLICY_A_ACTION, 0) },
	  -EINVAL, "Unsupported attribute" },

	/* POLICY_CHECK */
	{ "check: every attribute", CHECK,
	  { T_STR(KZT_CHECK_A_SRC_ID, "spiffe://td/ns/a/sa/b"),
	    T_BIN(KZT_CHECK_A_SRC_ADDR, addr16, 16), T_BIN(KZT_CHECK_A_DST_ADDR, addr16, 16),
	    T_U16(KZT_CHECK_A_DST_PORT, 443) }, 0 },
	{ "check: port 0", CHECK, { T_U16(KZT_CHECK_A_DST_PORT, 0) }, -ERANGE, OUT_OF_RANGE },
	{ "check: port as u32", CHECK,
	  { T_U32(KZT_CHECK_A_DST_PORT, 443) }, -EINVAL, INVALID_LEN },
	{ "check: source of 4 bytes", CHECK,
	  { T_U32(KZT_CHECK_A_SRC_ADDR, 1) }, -ERANGE, BAD_SIZE },
	{ "check: ID too long", CHECK,
	  { T_STR(KZT_CHECK_A_SRC_ID, long_id) }, -EINVAL, BAD_POLICY },
	{ "check: a reply attribute", CHECK,
	  { T_U8(KZT_CHECK_A_VERDICT, 0) }, -EINVAL, "Unsupported attribute" },

	/* TXN_BEGIN, TXN_COMMIT, TXN_ABORT */
	{ "begin: nothing", TXN_BEGIN, { }, 0 },
	{ "begin: an id", TXN_BEGIN, { T_U32(KZT_TXN_A_ID, 1) }, -EINVAL, NO_ATTRS },
	{ "commit: id", TXN_ID, { T_U32(KZT_TXN_A_ID, 1) }, 0 },
	{ "commit: id 0", TXN_ID, { T_U32(KZT_TXN_A_ID, 0) }, -ERANGE, OUT_OF_RANGE },
	{ "commit: id as u16", TXN_ID, { T_U16(KZT_TXN_A_ID, 1) }, -EINVAL, INVALID_LEN },
	{ "commit: unknown attribute", TXN_ID,
	  { T_U32(KZT_TXN_A_MAX + 1, 1) }, -EINVAL, UNKNOWN },
};

static void kzt_nl_case_desc(const struct kzt_nl_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_nl, kzt_nl_cases, kzt_nl_case_desc);

static void kzt_netlink_policy_test(struct kunit *test)
{
	const struct kzt_nl_case *c = test->param_value;
	struct nlattr *tb[KZT_NL_ATTR_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct sk_buff *skb = kzt_test_msg(test, c->attrs);
	int err;

	err = kzt_test_parse_msg(skb, kzt_nl_policies[c->policy].policy,
				 kzt_nl_policies[c->policy].maxattr, tb, &extack);
	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->err)
		KUNIT_EXPECT_NOT_NULL(test, extack.bad_attr);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
	else
		KUNIT_EXPECT_NULL(test, extack._msg);
}

/* A single attribute twice is refused; a multi-attr one may repeat. */
static void kzt_netlink_repeats_test(struct kunit *test)
{
	static const struct kzt_t_attr twice[] = {
		T_U32(KZT_TXN_A_ID, 1), T_U32(KZT_TXN_A_ID, 2), { }
	};
	static const struct kzt_t_attr distinct[] = {
		T_STR(KZT_POLICY_A_NAME, "p"), T_STR(KZT_POLICY_A_SCOPE_ID, "a"),
		T_STR(KZT_POLICY_A_SCOPE_ID, "b"), { }
	};
	struct netlink_ext_ack extack = {};
	struct sk_buff *skb;

	skb = kzt_test_msg(test, twice);
	KUNIT_EXPECT_EQ(test, kzt_nl_check_repeats((struct nlattr *)skb->data,
						   skb->len, 0, &extack), -EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "attribute given more than once");
	/* The second one is at fault. */
	KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr,
			    (const struct nlattr *)(skb->data + nla_total_size(4)));

	memset(&extack, 0, sizeof(extack));
	skb = kzt_test_msg(test, distinct);
	KUNIT_EXPECT_EQ(test, kzt_nl_check_repeats((struct nlattr *)skb->data, skb->len,
						   BIT_ULL(KZT_POLICY_A_SCOPE_ID), &extack), 0);
	KUNIT_EXPECT_EQ(test, kzt_nl_check_repeats((struct nlattr *)skb->data, skb->len,
						   0, &extack), -EINVAL);
}

static struct kunit_case kzt_netlink_cases[] = {
	KUNIT_CASE_PARAM(kzt_netlink_policy_test, kzt_nl_gen_params),
	KUNIT_CASE(kzt_netlink_repeats_test),
	{}
};

static struct kunit_suite kzt_netlink_suite = {
	.name = "kzt_netlink",
	.suite_init = kzt_netlink_suite_init,
	.test_cases = kzt_netlink_cases,
};

kunit_test_suite(kzt_netlink_suite);
