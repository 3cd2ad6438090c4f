// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_workload: building a workload from a WORKLOAD_ADD
 * request (through the real policy), the table (add, replace, delete,
 * lookup, limit) checked against a naive model, the netlink form
 * round-tripping, and which interfaces a local workload may have.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/random.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include <linux/kzt.h>

#include "kunit_nl.h"
#include "nl.h"
#include "workload.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define V4(a, b, c, d) { .s6_addr = { [10] = 0xff, [11] = 0xff, a, b, c, d } }

static const struct in6_addr pod_v4 = V4(10, 1, 0, 5);
static const struct in6_addr pod_v4_b = V4(10, 1, 0, 6);
static const struct in6_addr pod_v6 = {
	.s6_addr = { 0xfd, 0x00, [14] = 0x01, [15] = 0x05 } };
static const struct in6_addr node_v4 = V4(192, 168, 1, 2);
static const struct in6_addr any6 = {};
static const struct in6_addr any_v4 = V4(0, 0, 0, 0);
static const struct in6_addr mcast_v4 = V4(224, 0, 0, 1);
static const struct in6_addr mcast6 = { .s6_addr = { 0xff, 0x02, [15] = 1 } };

#define WEB_ID "spiffe://cluster.local/ns/default/sa/web"

KUNIT_DEFINE_ACTION_WRAPPER(kzt_test_free_workload, kzt_workload_free,
			    struct kzt_workload *);

/* Parse @attrs with the WORKLOAD_ADD policy and build the workload. */
static struct kzt_workload *kzt_test_workload(struct kunit *test,
					      const struct kzt_t_attr *attrs,
					      struct nlattr **tb,
					      struct netlink_ext_ack *extack)
{
	struct sk_buff *skb = kzt_test_msg(test, attrs);
	struct kzt_workload *wl;

	KUNIT_ASSERT_EQ(test, kzt_test_parse_msg(skb, kzt_workload_add_policy,
						 KZT_WORKLOAD_A_MAX, tb, extack), 0);
	wl = kzt_workload_from_attrs(&init_net, tb, extack);
	/* Entries that a table did not take are freed with the test. */
	if (!IS_ERR(wl))
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_test_free_workload,
								wl), 0);
	return wl;
}

struct kzt_build_case {
	const char *name;
	struct kzt_t_attr attrs[6];
	int err;
	int bad;		/* attribute at fault (bad_attr), if any */
	int miss;		/* attribute reported missing, if any */
	const char *msg;	/* expected extack, if fixed */
};

static const struct kzt_build_case kzt_build_cases[] = {
	{ "remote kzt/1, v4-mapped",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) }, 0 },
	{ "local kzt/1, v6, on lo",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v6), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
	    T_U32(KZT_WORKLOAD_A_IFINDEX, 1) }, 0 },
	{ "plaintext without ID",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4),
	    T_U8(KZT_WORKLOAD_A_PROTOCOL, KZT_PROTO_PLAINTEXT),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) }, 0 },
	{ "plaintext with a non-namespace ID",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4),
	    T_U8(KZT_WORKLOAD_A_PROTOCOL, KZT_PROTO_PLAINTEXT),
	    T_STR(KZT_WORKLOAD_A_ID, "spiffe://cluster.local/legacy"),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) }, 0 },
	{ "refused without ID, local",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4),
	    T_U8(KZT_WORKLOAD_A_PROTOCOL, KZT_PROTO_REFUSED),
	    T_U32(KZT_WORKLOAD_A_IFINDEX, 1) }, 0 },
	{ "refused with its ID, remote",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
	    T_U8(KZT_WORKLOAD_A_PROTOCOL, KZT_PROTO_REFUSED),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) }, 0 },
	{ "refused: neither node nor interface",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4),
	    T_U8(KZT_WORKLOAD_A_PROTOCOL, KZT_PROTO_REFUSED) },
	  -EINVAL, 0, KZT_WORKLOAD_A_NODE },
	{ "refused with an ID that is no SPIFFE ID",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, "https://x/ns/a/sa/b"),
	    T_U8(KZT_WORKLOAD_A_PROTOCOL, KZT_PROTO_REFUSED),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) },
	  -EINVAL, KZT_WORKLOAD_A_ID },
	{ "no address",
	  { T_STR(KZT_WORKLOAD_A_ID, WEB_ID), T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) },
	  -EINVAL, 0, KZT_WORKLOAD_A_ADDR, "missing workload address" },
	{ "address ::",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &any6), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) },
	  -EINVAL, KZT_WORKLOAD_A_ADDR, 0, "workload address must be a unicast address" },
	{ "address 0.0.0.0",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &any_v4), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) },
	  -EINVAL, KZT_WORKLOAD_A_ADDR, 0, "workload address must be a unicast address" },
	{ "multicast v4 address",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &mcast_v4), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) },
	  -EINVAL, KZT_WORKLOAD_A_ADDR, 0, "workload address must be a unicast address" },
	{ "multicast node address",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &mcast6) },
	  -EINVAL, KZT_WORKLOAD_A_NODE, 0, "node address must be a unicast address" },
	{ "kzt/1 without ID",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) },
	  -EINVAL, 0, KZT_WORKLOAD_A_ID,
	  "missing SPIFFE ID (required unless the protocol is plaintext or refused)" },
	{ "kzt/1 with a non-namespace ID",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4),
	    T_STR(KZT_WORKLOAD_A_ID, "spiffe://cluster.local/legacy"),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) },
	  -EINVAL, KZT_WORKLOAD_A_ID, 0,
	  "SPIFFE ID of a kzt/1 workload must be spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>" },
	{ "ID that is no SPIFFE ID",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, "https://x/ns/a/sa/b"),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) },
	  -EINVAL, KZT_WORKLOAD_A_ID },
	{ "empty ID",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, ""),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4) },
	  -EINVAL, KZT_WORKLOAD_A_ID },
	{ "node and interface",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
	    T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4), T_U32(KZT_WORKLOAD_A_IFINDEX, 1) },
	  -EINVAL, KZT_WORKLOAD_A_IFINDEX },
	{ "neither node nor interface",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, WEB_ID) },
	  -EINVAL, 0, KZT_WORKLOAD_A_NODE },
	{ "interface that does not exist",
	  { T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
	    T_U32(KZT_WORKLOAD_A_IFINDEX, 0x7ffffff0) },
	  -ENODEV, KZT_WORKLOAD_A_IFINDEX, 0,
	  "no interface with this index in the node's network namespace" },
};

static void kzt_build_case_desc(const struct kzt_build_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_build, kzt_build_cases, kzt_build_case_desc);

static void kzt_workload_build_test(struct kunit *test)
{
	const struct kzt_build_case *c = test->param_value;
	struct nlattr *tb[KZT_WORKLOAD_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct kzt_workload *wl;

	wl = kzt_test_workload(test, c->attrs, tb, &extack);
	KUNIT_EXPECT_EQ(test, IS_ERR(wl) ? PTR_ERR(wl) : 0, c->err);
	if (!c->err)
		return;
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
	if (c->bad)
		KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr, (const struct nlattr *)tb[c->bad]);
	if (c->miss)
		KUNIT_EXPECT_EQ(test, extack.miss_type, c->miss);
}

/* What a table entry keeps: the fields, the ID and its namespace span. */
static void kzt_workload_fields_test(struct kunit *test)
{
	const struct kzt_t_attr attrs[] = {
		T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v4), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
		T_U32(KZT_WORKLOAD_A_IFINDEX, 1), { }
	};
	struct nlattr *tb[KZT_WORKLOAD_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct kzt_workload *wl;

	wl = kzt_test_workload(test, attrs, tb, &extack);
	KUNIT_ASSERT_FALSE(test, IS_ERR(wl));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&wl->addr, &pod_v4));
	KUNIT_EXPECT_STREQ(test, wl->id, WEB_ID);
	KUNIT_EXPECT_EQ(test, wl->id_len, strlen(WEB_ID));
	KUNIT_EXPECT_EQ(test, wl->proto, KZT_PROTO_KZT1);
	KUNIT_EXPECT_EQ(test, wl->ifindex, 1);
	KUNIT_EXPECT_TRUE(test, kzt_workload_is_local(wl));
	KUNIT_EXPECT_EQ(test, wl->ns_len, strlen("default"));
	KUNIT_EXPECT_EQ(test, memcmp(wl->id + wl->ns_off, "default", wl->ns_len), 0);
}

/* fill() then the ADD policy then from_attrs() gives the same entry. */
static void kzt_workload_fill_roundtrip_test(struct kunit *test)
{
	const struct kzt_t_attr attrs[] = {
		T_ADDR(KZT_WORKLOAD_A_ADDR, &pod_v6), T_STR(KZT_WORKLOAD_A_ID, WEB_ID),
		T_ADDR(KZT_WORKLOAD_A_NODE, &node_v4), { }
	};
	struct nlattr *tb[KZT_WORKLOAD_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct kzt_workload *wl, *back;
	struct sk_buff *skb;

	wl = kzt_test_workload(test, attrs, tb, &extack);
	KUNIT_ASSERT_FALSE(test, IS_ERR(wl));
	skb = kzt_test_alloc_msg(test, NLMSG_GOODSIZE);
	KUNIT_ASSERT_EQ(test, kzt_workload_fill(skb, wl), 0);
	KUNIT_EXPECT_LE(test, skb->len, kzt_workload_msg_size());
	KUNIT_ASSERT_EQ(test, kzt_test_parse_msg(skb, kzt_workload_add_policy,
						 KZT_WORKLOAD_A_MAX, tb, &extack), 0);
	back = kzt_workload_from_attrs(&init_net, tb, &extack);
	KUNIT_ASSERT_FALSE(test, IS_ERR(back));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&back->addr, &wl->addr));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&back->node_addr, &wl->node_addr));
	KUNIT_EXPECT_STREQ(test, back->id, wl->id);
	KUNIT_EXPECT_EQ(test, back->proto, wl->proto);
	KUNIT_EXPECT_EQ(test, back->ifindex, 0);
	kzt_workload_free(back);
}

KUNIT_DEFINE_ACTION_WRAPPER(kzt_test_table_destroy, kzt_workload_table_destroy,
			    struct kzt_workload_table *);

static struct kzt_workload_table *kzt_test_table(struct kunit *test,
						 unsigned int max)
{
	struct kzt_workload_table *table = kunit_kzalloc(test, sizeof(*table),
							 GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, table);
	KUNIT_ASSERT_EQ(test, kzt_workload_table_init(table, max), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_test_table_destroy,
							table), 0);
	return table;
}

/* A bare remote entry for @addr, owned by nobody yet. */
static struct kzt_workload *kzt_test_entry(struct kunit *test,
					   const struct in6_addr *addr, u8 proto)
{
	struct kzt_workload *wl = kzalloc(sizeof(*wl) + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, wl);
	wl->addr = *addr;
	wl->node_addr = node_v4;
	wl->proto = proto;
	return wl;
}

static struct kzt_workload *kzt_test_lookup(struct kzt_workload_table *table,
					    const struct in6_addr *addr)
{
	struct kzt_workload *wl;

	rcu_read_lock();
	wl = kzt_workload_lookup(table, addr);
	rcu_read_unlock();
	/* Only compared by address in the tests: never dereferenced later. */
	return wl;
}

static void kzt_workload_table_ops_test(struct kunit *test)
{
	struct kzt_workload_table *table = kzt_test_table(test, 16);
	struct netlink_ext_ack extack = {};
	struct kzt_workload *a, *b, *c, *dup;

	a = kzt_test_entry(test, &pod_v4, KZT_PROTO_KZT1);
	b = kzt_test_entry(test, &pod_v6, KZT_PROTO_KZT1);
	KUNIT_ASSERT_EQ(test, kzt_workload_table_insert(table, a, false, &extack), 0);
	KUNIT_ASSERT_EQ(test, kzt_workload_table_insert(table, b, false, &extack), 0);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_len(table), 2);
	KUNIT_EXPECT_PTR_EQ(test, kzt_test_lookup(table, &pod_v4), a);
	KUNIT_EXPECT_PTR_EQ(test, kzt_test_lookup(table, &pod_v6), b);
	KUNIT_EXPECT_NULL(test, kzt_test_lookup(table, &pod_v4_b));

	/* Taken address, no replace: refused, the entry stays the caller's. */
	dup = kzt_test_entry(test, &pod_v4, KZT_PROTO_PLAINTEXT);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_insert(table, dup, false, &extack),
			-EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, kzt_test_lookup(table, &pod_v4), a);

	/* Replace: the new entry is found in the old one's place. */
	KUNIT_EXPECT_EQ(test, kzt_workload_table_insert(table, dup, true, &extack), 0);
	KUNIT_EXPECT_PTR_EQ(test, kzt_test_lookup(table, &pod_v4), dup);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_len(table), 2);

	/* Replace of an absent address is a plain add. */
	c = kzt_test_entry(test, &pod_v4_b, KZT_PROTO_KZT1);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_insert(table, c, true, &extack), 0);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_len(table), 3);

	KUNIT_EXPECT_EQ(test, kzt_workload_table_remove(table, &pod_v6), 0);
	KUNIT_EXPECT_NULL(test, kzt_test_lookup(table, &pod_v6));
	KUNIT_EXPECT_EQ(test, kzt_workload_table_remove(table, &pod_v6), -ENOENT);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_len(table), 2);

	/* The IPv4-mapped and the plain IPv6 form are different keys. */
	KUNIT_EXPECT_NULL(test, kzt_test_lookup(table, &(struct in6_addr){
		.s6_addr = { [12] = 10, 1, 0, 5 } }));
}

static void kzt_workload_table_limit_test(struct kunit *test)
{
	struct kzt_workload_table *table = kzt_test_table(test, 2);
	struct netlink_ext_ack extack = {};
	struct kzt_workload *a, *b, *full;

	a = kzt_test_entry(test, &pod_v4, KZT_PROTO_KZT1);
	KUNIT_ASSERT_EQ(test, kzt_workload_table_insert(table, a, false, &extack), 0);
	b = kzt_test_entry(test, &pod_v6, KZT_PROTO_KZT1);
	KUNIT_ASSERT_EQ(test, kzt_workload_table_insert(table, b, false, &extack), 0);

	full = kzt_test_entry(test, &pod_v4_b, KZT_PROTO_KZT1);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_insert(table, full, false, &extack),
			-ENOSPC);
	KUNIT_EXPECT_STREQ(test, extack._msg, "the workload table is full");
	KUNIT_EXPECT_EQ(test, kzt_workload_table_insert(table, full, true, &extack),
			-ENOSPC);
	kfree(full);

	/* A full table still takes replacements: they do not grow it. */
	a = kzt_test_entry(test, &pod_v4, KZT_PROTO_PLAINTEXT);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_insert(table, a, true, &extack), 0);
	KUNIT_EXPECT_EQ(test, kzt_workload_table_len(table), 2);
	KUNIT_EXPECT_PTR_EQ(test, kzt_test_lookup(table, &pod_v4), a);
}

/*
 * Differential test: random adds, replaces and deletes over a small
 * address space, checked after every step against a plain array; and the
 * node index (kzt_workload_node_known()) against the nodes of the model's
 * remote kzt/1 entries, over a few nodes and both protocols.
 */
#define KZT_MODEL_ADDRS 48
#define KZT_MODEL_NODES 4

static bool kzt_model_node_known(struct kzt_workload **model, u8 node)
{
	int i;

	for (i = 0; i < KZT_MODEL_ADDRS; i++)
		if (model[i] && model[i]->proto == KZT_PROTO_KZT1 &&
		    model[i]->node_addr.s6_addr[15] == node)
			return true;
	return false;
}

static void kzt_workload_table_model_test(struct kunit *test)
{
	struct kzt_workload_table *table = kzt_test_table(test, KZT_MODEL_ADDRS);
	struct kzt_workload *model[KZT_MODEL_ADDRS] = {};
	struct netlink_ext_ack extack = {};
	int step, i;

	for (step = 0; step < 3000; step++) {
		struct in6_addr addr = V4(10, 9, 0, 0);
		unsigned int k = get_random_u32_below(KZT_MODEL_ADDRS);
		unsigned int op = get_random_u32_below(3);
		struct kzt_workload *wl;
		int err;

		addr.s6_addr[15] = k;
		if (op == 2) {
			err = kzt_workload_table_remove(table, &addr);
			KUNIT_ASSERT_EQ(test, err, model[k] ? 0 : -ENOENT);
			model[k] = NULL;
		} else {
			wl = kzt_test_entry(test, &addr, get_random_u32_below(4) ?
					    KZT_PROTO_KZT1 : KZT_PROTO_PLAINTEXT);
			wl->node_addr.s6_addr[15] = get_random_u32_below(KZT_MODEL_NODES);
			err = kzt_workload_table_insert(table, wl, op == 1, &extack);
			if (model[k] && op == 0) {
				KUNIT_ASSERT_EQ(test, err, -EEXIST);
				kfree(wl);
			} else {
				KUNIT_ASSERT_EQ(test, err, 0);
				model[k] = wl;
			}
		}
		for (i = 0; i < KZT_MODEL_ADDRS; i++) {
			addr.s6_addr[15] = i;
			KUNIT_ASSERT_PTR_EQ(test, kzt_test_lookup(table, &addr), model[i]);
		}
		for (i = 0; i < KZT_MODEL_NODES; i++) {
			struct in6_addr node = node_v4;
			bool known;

			node.s6_addr[15] = i;
			rcu_read_lock();
			known = kzt_workload_node_known(table, &node);
			rcu_read_unlock();
			KUNIT_ASSERT_EQ(test, known, kzt_model_node_known(model, i));
		}
	}
}

struct kzt_iface_case {
	const char *name;
	unsigned int flags;		/* net_device.flags */
	u32 priv_flags;			/* net_device.priv_flags */
	const char *why;		/* in the reason; NULL: supported */
};

static const struct kzt_iface_case kzt_iface_cases[] = {
	{ "veth", 0, IFF_NO_QUEUE, NULL },
	{ "bond master", IFF_MASTER, IFF_BONDING, NULL },
	{ "macvlan lower", 0, IFF_MACVLAN_PORT, NULL },
	{ "bridge port", 0, IFF_BRIDGE_PORT | IFF_NO_QUEUE, "bridge port" },
	{ "ovs port", 0, IFF_OVS_DATAPATH, "bridge port" },
	{ "bridge", 0, IFF_EBRIDGE, "is a bridge" },
	{ "ovs bridge", 0, IFF_OPENVSWITCH, "is a bridge" },
	{ "bond slave", IFF_SLAVE, IFF_BONDING, "enslaved" },
	{ "team port", 0, IFF_TEAM_PORT, "enslaved" },
	{ "vrf slave", 0, IFF_L3MDEV_SLAVE, "enslaved" },
};

static void kzt_iface_desc(const struct kzt_iface_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_iface, kzt_iface_cases, kzt_iface_desc);

/* Which node-side interfaces can be a local workload's (capture.rst). */
static void kzt_workload_iface_test(struct kunit *test)
{
	const struct kzt_iface_case *c = test->param_value;
	struct net_device *dev;
	const char *why;

	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->flags = c->flags;
	dev->priv_flags = c->priv_flags;
	INIT_LIST_HEAD(&dev->adj_list.upper);	/* no master */

	rcu_read_lock();
	why = kzt_iface_unsupported(dev);
	rcu_read_unlock();
	if (!c->why) {
		KUNIT_EXPECT_NULL(test, why);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(why, c->why), "reason: %s", why);
}

static const struct net_device_ops kzt_test_netdev_ops = {};

static struct net_device *kzt_test_netdev(struct kunit *test)
{
	struct net_device *dev;

	dev = alloc_netdev(0, "kztt%d", NET_NAME_ENUM, ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->netdev_ops = &kzt_test_netdev_ops;
	eth_hw_addr_random(dev);
	return dev;
}

/*
 * Any master makes an interface unsupported, whatever flags its driver
 * sets (and some set them only after linking): a plain master link, as
 * HSR-like or future drivers make, is refused too.
 */
static void kzt_workload_iface_master_test(struct kunit *test)
{
	struct net_device *lower = kzt_test_netdev(test);
	struct net_device *upper = kzt_test_netdev(test);
	const char *before = NULL, *linked = NULL;
	bool lower_up, upper_up = false;
	int err;

	rtnl_lock();
	err = register_netdevice(lower);
	lower_up = !err;
	if (lower_up) {
		err = register_netdevice(upper);
		upper_up = !err;
	}
	if (upper_up)
		err = netdev_master_upper_dev_link(lower, upper, NULL, NULL,
						   NULL);
	if (!err) {
		rcu_read_lock();
		before = kzt_iface_unsupported(upper);
		linked = kzt_iface_unsupported(lower);
		rcu_read_unlock();
		netdev_upper_dev_unlink(lower, upper);
	}
	if (upper_up)
		unregister_netdevice(upper);
	if (lower_up)
		unregister_netdevice(lower);
	rtnl_unlock();		/* runs the unregistration */
	free_netdev(upper);
	free_netdev(lower);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "registering or linking test devices");

	KUNIT_EXPECT_NULL(test, before);	/* the master itself: a bond */
	KUNIT_ASSERT_NOT_NULL(test, linked);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(linked, "has a master"),
				  "reason: %s", linked);
}

static struct kunit_case kzt_workload_cases[] = {
	KUNIT_CASE_PARAM(kzt_workload_build_test, kzt_build_gen_params),
	KUNIT_CASE(kzt_workload_fields_test),
	KUNIT_CASE(kzt_workload_fill_roundtrip_test),
	KUNIT_CASE(kzt_workload_table_ops_test),
	KUNIT_CASE(kzt_workload_table_limit_test),
	KUNIT_CASE(kzt_workload_table_model_test),
	KUNIT_CASE_PARAM(kzt_workload_iface_test, kzt_iface_gen_params),
	KUNIT_CASE(kzt_workload_iface_master_test),
	{}
};

static struct kunit_suite kzt_workload_suite = {
	.name = "kzt_workload",
	.test_cases = kzt_workload_cases,
};

kunit_test_suite(kzt_workload_suite);
