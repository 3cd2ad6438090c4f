/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the KUnit suites (kzt_test.ko only): build a netlink request
 * from a table of attributes and parse it the way genetlink does.
 */
#ifndef _KZT_KUNIT_NL_H
#define _KZT_KUNIT_NL_H

#include <kunit/test.h>
#include <net/netlink.h>

enum kzt_t_kind {
	KZT_T_END,
	KZT_T_U8,
	KZT_T_U16,
	KZT_T_U32,
	KZT_T_STR,	/* NUL-terminated string */
	KZT_T_BIN,	/* @len bytes of @data */
};

struct kzt_t_attr {
	u16 type;
	u8 kind;
	u32 val;		/* integers; KZT_T_BIN: the length */
	const void *data;	/* KZT_T_STR, KZT_T_BIN */
};

#define T_U8(t, v)	{ .type = (t), .kind = KZT_T_U8, .val = (v) }
#define T_U16(t, v)	{ .type = (t), .kind = KZT_T_U16, .val = (v) }
#define T_U32(t, v)	{ .type = (t), .kind = KZT_T_U32, .val = (v) }
#define T_STR(t, s)	{ .type = (t), .kind = KZT_T_STR, .data = (s) }
#define T_BIN(t, p, n)	{ .type = (t), .kind = KZT_T_BIN, .data = (p), .val = (n) }
#define T_ADDR(t, a)	T_BIN(t, a, sizeof(struct in6_addr))

struct sk_buff *kzt_test_alloc_msg(struct kunit *test, unsigned int size);
struct sk_buff *kzt_test_msg(struct kunit *test, const struct kzt_t_attr *attrs);
int kzt_test_parse_msg(struct sk_buff *skb, const struct nla_policy *policy,
		       int maxattr, struct nlattr **tb,
		       struct netlink_ext_ack *extack);

#endif /* _KZT_KUNIT_NL_H */
