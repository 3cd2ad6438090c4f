// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_config: defaults, the CONFIG_SET policy as the netlink core
 * applies it, merging a request into the current configuration, and the
 * netlink form round-tripping through the policy.
 */
#include <kunit/test.h>
#include <kunit/resource.h>
#include <net/netlink.h>

#include <linux/kzt.h>

#include "kzt.h"
#include "nl.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* One attribute to put into a request: type, payload width and value. */
struct kzt_attr_spec {
	u16 type;
	u8 width;	/* 1, 2 or 4 bytes; 0 with no @str ends a list */
	u32 value;
	const char *str;	/* a NUL-terminated string instead */
};

KUNIT_DEFINE_ACTION_WRAPPER(kzt_test_kfree_skb, kfree_skb, struct sk_buff *);

/* An skb freed when the test ends, however it ends. */
static struct sk_buff *kzt_test_alloc_skb(struct kunit *test, unsigned int size)
{
	struct sk_buff *skb = alloc_skb(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_test_kfree_skb, skb), 0);
	return skb;
}

static struct sk_buff *kzt_test_build(struct kunit *test,
				      const struct kzt_attr_spec *attrs)
{
	struct sk_buff *skb = kzt_test_alloc_skb(test, NLMSG_GOODSIZE);

	for (; attrs->width || attrs->str; attrs++) {
		int err = -EINVAL;

		if (attrs->str)
			err = nla_put_string(skb, attrs->type, attrs->str);
		else if (attrs->width == 1)
			err = nla_put_u8(skb, attrs->type, attrs->value);
		else if (attrs->width == 2)
			err = nla_put_u16(skb, attrs->type, attrs->value);
		else if (attrs->width == 4)
			err = nla_put_u32(skb, attrs->type, attrs->value);
		KUNIT_ASSERT_EQ(test, err, 0);
	}
	return skb;
}

static int kzt_test_parse_with(const struct nla_policy *policy,
			       struct sk_buff *skb, struct nlattr **tb,
			       struct netlink_ext_ack *extack)
{
	/* Strict, as genetlink parses for an op whose validate is 0. */
	return nla_parse(tb, KZT_CONFIG_A_MAX, (struct nlattr *)skb->data,
			 skb->len, policy, extack);
}

static int kzt_test_parse(struct sk_buff *skb, struct nlattr **tb,
			  struct netlink_ext_ack *extack)
{
	return kzt_test_parse_with(kzt_config_set_policy, skb, tb, extack);
}

static void kzt_config_defaults_test(struct kunit *test)
{
	struct kzt_config cfg;

	memset(&cfg, 0xff, sizeof(cfg));
	kzt_config_init_defaults(&cfg);
	KUNIT_EXPECT_EQ(test, cfg.tunnel_port, KZT_DEFAULT_TUNNEL_PORT);
	KUNIT_EXPECT_FALSE(test, cfg.capture);
	KUNIT_EXPECT_EQ(test, cfg.nonmesh, KZT_NONMESH_DENY);
	KUNIT_EXPECT_EQ(test, cfg.handshake_timeout_ms,
			KZT_DEFAULT_HANDSHAKE_TIMEOUT_MS);
	KUNIT_EXPECT_EQ(test, cfg.idle_timeout_s, 0);	/* never */
	/* ztunnel's keepalive: 180 s idle, 180 s apart, 9 probes */
	KUNIT_EXPECT_EQ(test, cfg.keepalive_idle_s, 180);
	KUNIT_EXPECT_EQ(test, cfg.keepalive_interval_s, 180);
	KUNIT_EXPECT_EQ(test, cfg.keepalive_probes, 9);
	KUNIT_EXPECT_EQ(test, cfg.flow_stats_interval_s, 15);
	KUNIT_EXPECT_STREQ(test, cfg.trust_domain, KZT_DEFAULT_TRUST_DOMAIN);
}

/* A trust domain of exactly KZT_TRUST_DOMAIN_MAX characters, and one more. */
static char kzt_td_max[KZT_TRUST_DOMAIN_MAX + 1];
static char kzt_td_too_long[KZT_TRUST_DOMAIN_MAX + 2];

static int kzt_config_suite_init(struct kunit_suite *suite)
{
	memset(kzt_td_max, 'a', KZT_TRUST_DOMAIN_MAX);
	memset(kzt_td_too_long, 'a', KZT_TRUST_DOMAIN_MAX + 1);
	return 0;
}

struct kzt_policy_case {
	const char *name;
	struct kzt_attr_spec attrs[3];
	int err;
	const char *msg;	/* expected extack message, if any */
};

static const struct kzt_policy_case kzt_policy_cases[] = {
	{ "port 15009", { { KZT_CONFIG_A_TUNNEL_PORT, 2, 15009 } }, 0, NULL },
	{ "port 65535", { { KZT_CONFIG_A_TUNNEL_PORT, 2, 65535 } }, 0, NULL },
	{ "port 1", { { KZT_CONFIG_A_TUNNEL_PORT, 2, 1 } }, 0, NULL },
	{ "port 0", { { KZT_CONFIG_A_TUNNEL_PORT, 2, 0 } },
	  -ERANGE, "integer out of range" },
	{ "port as u32", { { KZT_CONFIG_A_TUNNEL_PORT, 4, 15008 } },
	  -EINVAL, "invalid attribute length" },
	{ "port as u8", { { KZT_CONFIG_A_TUNNEL_PORT, 1, 80 } },
	  -EINVAL, "invalid attribute length" },
	{ "capture 1", { { KZT_CONFIG_A_CAPTURE, 1, 1 } }, 0, NULL },
	{ "capture 2", { { KZT_CONFIG_A_CAPTURE, 1, 2 } },
	  -ERANGE, "integer out of range" },
	{ "capture as u16", { { KZT_CONFIG_A_CAPTURE, 2, 1 } },
	  -EINVAL, "invalid attribute length" },
	{ "unknown attribute", { { KZT_CONFIG_A_MAX + 1, 1, 0 } },
	  -EINVAL, "Unknown attribute type" },
	{ "unspec attribute", { { KZT_CONFIG_A_UNSPEC, 1, 0 } },
	  -EINVAL, "Unknown attribute type" },
	{ "nonmesh passthrough", { { KZT_CONFIG_A_NONMESH, 1, KZT_NONMESH_PASSTHROUGH } },
	  0, NULL },
	{ "nonmesh past the enum", { { KZT_CONFIG_A_NONMESH, 1, __KZT_NONMESH_MAX } },
	  -ERANGE, "integer out of range" },
	{ "nonmesh as u32", { { KZT_CONFIG_A_NONMESH, 4, 0 } },
	  -EINVAL, "invalid attribute length" },
	{ "trust domain", { { KZT_CONFIG_A_TRUST_DOMAIN, 0, 0, "example.org" } },
	  0, NULL },
	{ "trust domain of the longest length",
	  { { KZT_CONFIG_A_TRUST_DOMAIN, 0, 0, kzt_td_max } }, 0, NULL },
	{ "trust domain too long",
	  { { KZT_CONFIG_A_TRUST_DOMAIN, 0, 0, kzt_td_too_long } },
	  -EINVAL, "Attribute failed policy validation" },
	{ "trust domain without NUL", { { KZT_CONFIG_A_TRUST_DOMAIN, 4, 0x61616161 } },
	  -EINVAL, "Attribute failed policy validation" },
	{ "both valid", { { KZT_CONFIG_A_TUNNEL_PORT, 2, 2000 },
			  { KZT_CONFIG_A_CAPTURE, 1, 0 } }, 0, NULL },
	{ "valid then bad", { { KZT_CONFIG_A_CAPTURE, 1, 1 },
			      { KZT_CONFIG_A_TUNNEL_PORT, 2, 0 } },
	  -ERANGE, "integer out of range" },
	{ "keepalive idle 0 (off)", { { KZT_CONFIG_A_KEEPALIVE_IDLE_S, 4, 0 } },
	  0, NULL },
	{ "keepalive idle 32767", { { KZT_CONFIG_A_KEEPALIVE_IDLE_S, 4, 32767 } },
	  0, NULL },
	{ "keepalive idle 32768", { { KZT_CONFIG_A_KEEPALIVE_IDLE_S, 4, 32768 } },
	  -ERANGE, "integer out of range" },
	{ "keepalive idle as u16", { { KZT_CONFIG_A_KEEPALIVE_IDLE_S, 2, 60 } },
	  -EINVAL, "invalid attribute length" },
	{ "keepalive interval 1", { { KZT_CONFIG_A_KEEPALIVE_INTERVAL_S, 4, 1 } },
	  0, NULL },
	{ "keepalive interval 32767",
	  { { KZT_CONFIG_A_KEEPALIVE_INTERVAL_S, 4, 32767 } }, 0, NULL },
	{ "keepalive interval 0", { { KZT_CONFIG_A_KEEPALIVE_INTERVAL_S, 4, 0 } },
	  -ERANGE, "integer out of range" },
	{ "keepalive interval 2^32-1",
	  { { KZT_CONFIG_A_KEEPALIVE_INTERVAL_S, 4, U32_MAX } },
	  -ERANGE, "integer out of range" },
	{ "keepalive probes 1", { { KZT_CONFIG_A_KEEPALIVE_PROBES, 1, 1 } }, 0, NULL },
	{ "keepalive probes 127", { { KZT_CONFIG_A_KEEPALIVE_PROBES, 1, 127 } },
	  0, NULL },
	{ "keepalive probes 0", { { KZT_CONFIG_A_KEEPALIVE_PROBES, 1, 0 } },
	  -ERANGE, "integer out of range" },
	{ "keepalive probes 128", { { KZT_CONFIG_A_KEEPALIVE_PROBES, 1, 128 } },
	  -ERANGE, "integer out of range" },
	{ "keepalive probes as u32", { { KZT_CONFIG_A_KEEPALIVE_PROBES, 4, 9 } },
	  -EINVAL, "invalid attribute length" },
	{ "flow stats interval 0 (off)",
	  { { KZT_CONFIG_A_FLOW_STATS_INTERVAL_S, 4, 0 } }, 0, NULL },
	{ "flow stats interval 86400",
	  { { KZT_CONFIG_A_FLOW_STATS_INTERVAL_S, 4, 86400 } }, 0, NULL },
	{ "flow stats interval 86401",
	  { { KZT_CONFIG_A_FLOW_STATS_INTERVAL_S, 4, 86401 } },
	  -ERANGE, "integer out of range" },
	{ "flow stats interval as u8",
	  { { KZT_CONFIG_A_FLOW_STATS_INTERVAL_S, 1, 1 } },
	  -EINVAL, "invalid attribute length" },
};

static void kzt_policy_case_desc(const struct kzt_policy_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_policy, kzt_policy_cases, kzt_policy_case_desc);

static void kzt_config_policy_test(struct kunit *test)
{
	const struct kzt_policy_case *c = test->param_value;
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[KZT_CONFIG_A_MAX + 1];
	struct sk_buff *skb = kzt_test_build(test, c->attrs);
	int err;

	err = kzt_test_parse(skb, tb, &extack);
	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->err)
		KUNIT_EXPECT_NOT_NULL(test, extack.bad_attr);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
}

struct kzt_merge_case {
	const char *name;
	struct kzt_attr_spec attrs[3];
	int err;
	u16 port;
	bool capture;
	u8 nonmesh;
	const char *trust_domain;
};

/* The old configuration: port 7000, capture on, passthrough, "old.test". */
static const struct kzt_merge_case kzt_merge_cases[] = {
	{ "nothing given", { }, -EINVAL },
	{ "port only", { { KZT_CONFIG_A_TUNNEL_PORT, 2, 443 } },
	  0, 443, true, KZT_NONMESH_PASSTHROUGH, "old.test" },
	{ "capture only", { { KZT_CONFIG_A_CAPTURE, 1, 0 } },
	  0, 7000, false, KZT_NONMESH_PASSTHROUGH, "old.test" },
	{ "both", { { KZT_CONFIG_A_TUNNEL_PORT, 2, 15010 },
		    { KZT_CONFIG_A_CAPTURE, 1, 0 } },
	  0, 15010, false, KZT_NONMESH_PASSTHROUGH, "old.test" },
	{ "nonmesh only", { { KZT_CONFIG_A_NONMESH, 1, KZT_NONMESH_DENY } },
	  0, 7000, true, KZT_NONMESH_DENY, "old.test" },
	{ "trust domain only", { { KZT_CONFIG_A_TRUST_DOMAIN, 0, 0, "new-td.example" } },
	  0, 7000, true, KZT_NONMESH_PASSTHROUGH, "new-td.example" },
	{ "upper-case trust domain", { { KZT_CONFIG_A_TRUST_DOMAIN, 0, 0, "Example.org" } },
	  -EINVAL },
	{ "empty trust domain", { { KZT_CONFIG_A_TRUST_DOMAIN, 0, 0, "" } }, -EINVAL },
	{ "trust domain with a port", { { KZT_CONFIG_A_TRUST_DOMAIN, 0, 0, "td:443" } },
	  -EINVAL },
	{ "valid port, bad trust domain", { { KZT_CONFIG_A_TUNNEL_PORT, 2, 1 },
					    { KZT_CONFIG_A_TRUST_DOMAIN, 0, 0, "a/b" } },
	  -EINVAL },
};

static void kzt_merge_case_desc(const struct kzt_merge_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_merge, kzt_merge_cases, kzt_merge_case_desc);

static void kzt_config_merge_test(struct kunit *test)
{
	const struct kzt_merge_case *c = test->param_value;
	const struct kzt_config old = {
		.tunnel_port = 7000, .capture = true,
		.nonmesh = KZT_NONMESH_PASSTHROUGH, .trust_domain = "old.test",
	};
	struct kzt_config new = { .tunnel_port = 1, .capture = false };
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[KZT_CONFIG_A_MAX + 1];
	struct sk_buff *skb = kzt_test_build(test, c->attrs);

	KUNIT_ASSERT_EQ(test, kzt_test_parse(skb, tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, kzt_config_merge(&new, &old, tb, &extack), c->err);
	if (!c->err) {
		KUNIT_EXPECT_EQ(test, new.tunnel_port, c->port);
		KUNIT_EXPECT_EQ(test, new.capture, c->capture);
		KUNIT_EXPECT_EQ(test, new.nonmesh, c->nonmesh);
		KUNIT_EXPECT_STREQ(test, new.trust_domain, c->trust_domain);
	} else if (!c->attrs[0].type) {
		KUNIT_EXPECT_STREQ(test, extack._msg,
				   "no configuration attribute given");
	} else {
		/* The trust domain's own reason, pointing at it. */
		KUNIT_EXPECT_NOT_NULL(test, extack._msg);
		KUNIT_EXPECT_PTR_EQ(test, extack.bad_attr,
				    (const struct nlattr *)tb[KZT_CONFIG_A_TRUST_DOMAIN]);
		KUNIT_EXPECT_EQ(test, new.tunnel_port, 1);
	}
}

/* The keepalive values: each one given alone, the others kept. */
static void kzt_config_merge_keepalive_test(struct kunit *test)
{
	static const struct kzt_attr_spec probes[] = {
		{ KZT_CONFIG_A_KEEPALIVE_PROBES, 1, 5 }, { }
	};
	static const struct kzt_attr_spec off[] = {
		{ KZT_CONFIG_A_KEEPALIVE_IDLE_S, 4, 0 }, { }
	};
	static const struct kzt_attr_spec all[] = {
		{ KZT_CONFIG_A_KEEPALIVE_IDLE_S, 4, 30 },
		{ KZT_CONFIG_A_KEEPALIVE_INTERVAL_S, 4, 7 },
		{ KZT_CONFIG_A_KEEPALIVE_PROBES, 1, 127 }, { }
	};
	const struct kzt_config old = {
		.keepalive_idle_s = 100, .keepalive_interval_s = 10,
		.keepalive_probes = 3, .idle_timeout_s = 60,
	};
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[KZT_CONFIG_A_MAX + 1];
	struct kzt_config new;

	KUNIT_ASSERT_EQ(test, kzt_test_parse(kzt_test_build(test, probes), tb,
					     &extack), 0);
	KUNIT_ASSERT_EQ(test, kzt_config_merge(&new, &old, tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, new.keepalive_idle_s, 100);
	KUNIT_EXPECT_EQ(test, new.keepalive_interval_s, 10);
	KUNIT_EXPECT_EQ(test, new.keepalive_probes, 5);
	KUNIT_EXPECT_EQ(test, new.idle_timeout_s, 60);

	KUNIT_ASSERT_EQ(test, kzt_test_parse(kzt_test_build(test, off), tb,
					     &extack), 0);
	KUNIT_ASSERT_EQ(test, kzt_config_merge(&new, &old, tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, new.keepalive_idle_s, 0);
	KUNIT_EXPECT_EQ(test, new.keepalive_interval_s, 10);
	KUNIT_EXPECT_EQ(test, new.keepalive_probes, 3);

	KUNIT_ASSERT_EQ(test, kzt_test_parse(kzt_test_build(test, all), tb,
					     &extack), 0);
	KUNIT_ASSERT_EQ(test, kzt_config_merge(&new, &old, tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, new.keepalive_idle_s, 30);
	KUNIT_EXPECT_EQ(test, new.keepalive_interval_s, 7);
	KUNIT_EXPECT_EQ(test, new.keepalive_probes, 127);
}

static void kzt_config_fill_roundtrip_test(struct kunit *test)
{
	struct kzt_config want = {
		.tunnel_port = 65535, .capture = true,
		.nonmesh = KZT_NONMESH_PASSTHROUGH,
		.handshake_timeout_ms = KZT_HANDSHAKE_TIMEOUT_MS_MAX,
		.idle_timeout_s = KZT_IDLE_TIMEOUT_S_MAX,
		.keepalive_idle_s = KZT_KEEPALIVE_IDLE_S_MAX,
		.keepalive_interval_s = KZT_KEEPALIVE_INTERVAL_S_MAX,
		.keepalive_probes = KZT_KEEPALIVE_PROBES_MAX,
		.flow_stats_interval_s = KZT_FLOW_STATS_INTERVAL_S_MAX,
	};
	struct kzt_config base, got;
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[KZT_CONFIG_A_MAX + 1];
	struct sk_buff *skb = kzt_test_alloc_skb(test, NLMSG_GOODSIZE);

	/* The longest trust domain: the size is then exactly the maximum. */
	strscpy(want.trust_domain, kzt_td_max);
	KUNIT_ASSERT_EQ(test, kzt_config_fill(skb, &want), 0);
	KUNIT_EXPECT_EQ(test, skb->len, kzt_config_msg_size());
	KUNIT_ASSERT_EQ(test, kzt_test_parse(skb, tb, &extack), 0);

	kzt_config_init_defaults(&base);
	KUNIT_ASSERT_EQ(test, kzt_config_merge(&got, &base, tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, got.tunnel_port, want.tunnel_port);
	KUNIT_EXPECT_EQ(test, got.capture, want.capture);
	KUNIT_EXPECT_EQ(test, got.nonmesh, want.nonmesh);
	KUNIT_EXPECT_EQ(test, got.handshake_timeout_ms, want.handshake_timeout_ms);
	KUNIT_EXPECT_EQ(test, got.idle_timeout_s, want.idle_timeout_s);
	KUNIT_EXPECT_EQ(test, got.keepalive_idle_s, want.keepalive_idle_s);
	KUNIT_EXPECT_EQ(test, got.keepalive_interval_s, want.keepalive_interval_s);
	KUNIT_EXPECT_EQ(test, got.keepalive_probes, want.keepalive_probes);
	KUNIT_EXPECT_EQ(test, got.flow_stats_interval_s,
			want.flow_stats_interval_s);
	KUNIT_EXPECT_STREQ(test, got.trust_domain, want.trust_domain);
}

static void kzt_config_fill_too_small_test(struct kunit *test)
{
	struct kzt_config cfg;
	struct sk_buff *skb = kzt_test_alloc_skb(test, 64);

	/* Room for the port attribute (8 bytes) but not for the next one. */
	skb_put(skb, skb_tailroom(skb) - nla_total_size(sizeof(u16)));
	kzt_config_init_defaults(&cfg);
	KUNIT_EXPECT_EQ(test, kzt_config_fill(skb, &cfg), -EMSGSIZE);
}

/* Commands without attributes (CONFIG_GET) refuse every one, known or not. */
static void kzt_config_no_attrs_policy_test(struct kunit *test)
{
	static const struct kzt_attr_spec known[] = {
		{ KZT_CONFIG_A_TUNNEL_PORT, 2, 15008 }, { }
	};
	static const struct kzt_attr_spec unknown[] = {
		{ KZT_CONFIG_A_MAX + 1, 1, 0 }, { }
	};
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[KZT_CONFIG_A_MAX + 1];
	struct sk_buff *skb;

	skb = kzt_test_build(test, known);
	KUNIT_EXPECT_EQ(test, kzt_test_parse_with(kzt_no_attrs_policy, skb, tb, &extack),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "this command takes no attributes");

	memset(&extack, 0, sizeof(extack));
	skb = kzt_test_build(test, unknown);
	KUNIT_EXPECT_EQ(test, kzt_test_parse_with(kzt_no_attrs_policy, skb, tb, &extack),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "Unknown attribute type");
}

static struct kunit_case kzt_config_cases[] = {
	KUNIT_CASE(kzt_config_defaults_test),
	KUNIT_CASE_PARAM(kzt_config_policy_test, kzt_policy_gen_params),
	KUNIT_CASE_PARAM(kzt_config_merge_test, kzt_merge_gen_params),
	KUNIT_CASE(kzt_config_merge_keepalive_test),
	KUNIT_CASE(kzt_config_fill_roundtrip_test),
	KUNIT_CASE(kzt_config_fill_too_small_test),
	KUNIT_CASE(kzt_config_no_attrs_policy_test),
	{}
};

static struct kunit_suite kzt_config_suite = {
	.name = "kzt_config",
	.suite_init = kzt_config_suite_init,
	.test_cases = kzt_config_cases,
};

kunit_test_suite(kzt_config_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for kzt");
