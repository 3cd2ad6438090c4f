// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the KUnit suites: requests built from attribute tables, freed
 * when the test ends however it ends, and parsed strictly, as genetlink
 * parses an op of a family whose resv_start_op is 0.
 */
#include <kunit/resource.h>
#include <linux/skbuff.h>

#include "kunit_nl.h"

KUNIT_DEFINE_ACTION_WRAPPER(kzt_test_free_msg, kfree_skb, struct sk_buff *);

/**
 * kzt_test_alloc_msg() - an empty skb freed when @test ends
 * @test: the running test
 * @size: its size
 *
 * Return: the skb; the test fails if there is none.
 */
struct sk_buff *kzt_test_alloc_msg(struct kunit *test, unsigned int size)
{
	struct sk_buff *skb = alloc_skb(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_test_free_msg, skb), 0);
	return skb;
}

/**
 * kzt_test_msg() - the attributes of @attrs, one after the other
 * @test: the running test
 * @attrs: attributes, ended by one of kind KZT_T_END
 *
 * Return: an skb holding the attribute stream, freed when @test ends.
 */
struct sk_buff *kzt_test_msg(struct kunit *test, const struct kzt_t_attr *attrs)
{
	struct sk_buff *skb = kzt_test_alloc_msg(test, 2 * NLMSG_GOODSIZE);

	for (; attrs->kind != KZT_T_END; attrs++) {
		int err = -EINVAL;

		switch (attrs->kind) {
		case KZT_T_U8:
			err = nla_put_u8(skb, attrs->type, attrs->val);
			break;
		case KZT_T_U16:
			err = nla_put_u16(skb, attrs->type, attrs->val);
			break;
		case KZT_T_U32:
			err = nla_put_u32(skb, attrs->type, attrs->val);
			break;
		case KZT_T_STR:
			err = nla_put_string(skb, attrs->type, attrs->data);
			break;
		case KZT_T_BIN:
			err = nla_put(skb, attrs->type, attrs->val, attrs->data);
			break;
		}
		KUNIT_ASSERT_EQ(test, err, 0);
	}
	return skb;
}

/**
 * kzt_test_parse_msg() - parse @skb as genetlink parses a request
 * @skb: attribute stream from kzt_test_msg()
 * @policy: the op's policy
 * @maxattr: the op's maxattr
 * @tb: result, @maxattr + 1 entries
 * @extack: where the error goes
 *
 * Return: what nla_parse() returns.
 */
int kzt_test_parse_msg(struct sk_buff *skb, const struct nla_policy *policy,
		       int maxattr, struct nlattr **tb,
		       struct netlink_ext_ack *extack)
{
	return nla_parse(tb, maxattr, (struct nlattr *)skb->data, skb->len,
			 policy, extack);
}
