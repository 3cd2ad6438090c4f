// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_policy: POLICY_ADD requests built as real netlink
 * messages and run through kzt_policy_from_attrs() (good ones round-trip
 * through kzt_policy_fill(), bad ones are refused naming the field), policy
 * sets (order, replace, errors, references), decisions from a table, and
 * kzt_policy_decide() against a naive model on random policies and flows.
 * Dry-run policies in each: they never change a verdict, and their dry-run
 * decision and counters are checked against the same model.
 */
#include <kunit/test.h>
#include <kunit/resource.h>
#include <linux/inet.h>
#include <linux/prandom.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include <linux/kzt.h>

#include "policy_internal.h"
#include "spiffe.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- Policies as the tests write them ---- */

#define KZT_T_VALUES	3	/* values per field of a match */
#define KZT_T_RULES	4
#define KZT_T_CLAUSES	3	/* per rule */
#define KZT_T_MATCHES	3	/* per clause */
#define KZT_T_POOL	8	/* matches of a policy */
#define KZT_T_IDS	3
#define KZT_T_STR	48

struct kzt_tvalue {
	union {
		char str[KZT_T_STR];	/* principal, namespace, NS/SA */
		struct {		/* IP block */
			struct in6_addr addr;
			u8 prefix_len;
		};
		u16 port;
	};
};

struct kzt_tmatch {
	u8 n[KZT_RULE_FIELDS];
	struct kzt_tvalue v[KZT_RULE_FIELDS][KZT_T_VALUES];
};

struct kzt_tclause {
	u8 n_matches;
	u8 match[KZT_T_MATCHES];	/* in the policy's pool */
};

/*
 * The short form is one clause of one match, its fields directly in the
 * rule nest; a rule without clauses is an empty nest.
 */
struct kzt_trule {
	bool short_form;
	u8 n_clauses;
	struct kzt_tclause clauses[KZT_T_CLAUSES];
};

struct kzt_tpolicy {
	char name[KZT_T_STR];
	u8 action;
	u8 scope;
	char ns[KZT_T_STR];		/* "" for none */
	u8 n_ids;
	char ids[KZT_T_IDS][KZT_T_STR];
	u8 n_addrs;
	struct in6_addr addrs[KZT_T_IDS];
	u8 n_rules;
	struct kzt_trule rules[KZT_T_RULES];
	u8 n_matches;
	struct kzt_tmatch matches[KZT_T_POOL];
	bool dry_run;
};

/*
 * A policy as a table writes it: rules in kztctl's words, one string per
 * rule ("principal=td/ns/a/sa/x port=80 not-ip-block=10.0.0.0/8", the short
 * form), an empty string for a rule without fields; a string that starts
 * with '+' continues the rule before. A string that starts with "clauses:"
 * is a rule of clauses separated by ';', each of matches separated by '|';
 * a clause "-" has no matches, a match "{}" no fields:
 * "clauses: port=80 | namespace=a ; - ; {}".
 */
struct kzt_tdesc {
	const char *name;
	enum kzt_action action;
	enum kzt_scope scope;
	/* The namespace, or the IDs or addresses, separated by ','. */
	const char *scope_arg;
	const char *rules[KZT_T_RULES * 2];
	bool dry_run;
};

static const char *const kzt_tfield_names[KZT_RULE_FIELDS] = {
	"principal", "not-principal", "namespace", "not-namespace",
	"ip-block", "not-ip-block", "port", "not-port",
	"destination-ip", "not-destination-ip", "service-account",
	"not-service-account",
};

/* "10.0.0.0/8" (IPv4, mapped) or "2001:db8::/32"; no prefix: one address. */
static void kzt_tparse_cidr(struct kunit *test, const char *s,
			    struct in6_addr *addr, u8 *prefix_len)
{
	const char *slash = strchr(s, '/');
	int len = slash ? slash - s : strlen(s);
	unsigned int plen;
	bool v4;
	u8 a4[4];

	memset(addr, 0, sizeof(*addr));
	v4 = in4_pton(s, len, a4, -1, NULL);
	if (v4)
		ipv6_addr_set_v4mapped(*(__be32 *)a4, addr);
	else
		KUNIT_ASSERT_TRUE_MSG(test, in6_pton(s, len, addr->s6_addr, -1, NULL),
				      "bad address %s", s);
	plen = v4 ? 32 : 128;
	if (slash)
		KUNIT_ASSERT_EQ(test, kstrtouint(slash + 1, 10, &plen), 0);
	*prefix_len = v4 ? plen + 96 : plen;
}

static unsigned int kzt_tfield(struct kunit *test, const char *name)
{
	unsigned int field;

	for (field = 0; field < KZT_RULE_FIELDS; field++)
		if (!strcmp(name, kzt_tfield_names[field]))
			return field;
	KUNIT_FAIL_AND_ABORT(test, "unknown rule field %s", name);
	return 0;
}

/* Fields "name=value" separated by spaces, into @m; "{}" adds nothing. */
static void kzt_tparse_match(struct kunit *test, const char *text,
			     struct kzt_tmatch *m)
{
	char *buf = kunit_kstrdup(test, text, GFP_KERNEL), *tok, *eq;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	while ((tok = strsep(&buf, " "))) {
		unsigned int field;
		struct kzt_tvalue *v;

		if (!*tok || !strcmp(tok, "{}"))
			continue;
		eq = strchr(tok, '=');
		KUNIT_ASSERT_NOT_NULL(test, eq);
		*eq = '\0';
		field = kzt_tfield(test, tok);
		KUNIT_ASSERT_LT(test, m->n[field], KZT_T_VALUES);
		v = &m->v[field][m->n[field]++];
		switch (kzt_rule_field_kind(field)) {
		case KZT_RULE_A_IP_BLOCK:
		case KZT_RULE_A_DESTINATION_IP:
			kzt_tparse_cidr(test, eq + 1, &v->addr, &v->prefix_len);
			break;
		case KZT_RULE_A_PORT:
			KUNIT_ASSERT_EQ(test, kstrtou16(eq + 1, 10, &v->port), 0);
			break;
		default:
			strscpy(v->str, eq + 1, sizeof(v->str));
		}
	}
}

static u8 kzt_tnew_match(struct kunit *test, struct kzt_tpolicy *p)
{
	KUNIT_ASSERT_LT(test, p->n_matches, KZT_T_POOL);
	memset(&p->matches[p->n_matches], 0, sizeof(p->matches[0]));
	return p->n_matches++;
}

/* "clauses: ..." after the prefix, into @rule. */
static void kzt_tparse_clauses(struct kunit *test, const char *text,
			       struct kzt_tpolicy *p, struct kzt_trule *rule)
{
	char *buf = kunit_kstrdup(test, text, GFP_KERNEL), *ctext, *mtext;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	if (!*strim(buf))
		return;		/* no clauses */
	while ((ctext = strsep(&buf, ";"))) {
		struct kzt_tclause *c;

		KUNIT_ASSERT_LT(test, rule->n_clauses, KZT_T_CLAUSES);
		c = &rule->clauses[rule->n_clauses++];
		ctext = strim(ctext);
		if (!strcmp(ctext, "-"))
			continue;	/* no matches */
		while ((mtext = strsep(&ctext, "|"))) {
			KUNIT_ASSERT_LT(test, c->n_matches, KZT_T_MATCHES);
			c->match[c->n_matches] = kzt_tnew_match(test, p);
			kzt_tparse_match(test, mtext,
					 &p->matches[c->match[c->n_matches++]]);
		}
	}
}

/* A rule of @p: the short form, or "clauses: ...". */
static void kzt_tparse_rule(struct kunit *test, const char *text,
			    struct kzt_tpolicy *p, struct kzt_trule *rule)
{
	struct kzt_tclause *c = &rule->clauses[0];

	if (!strncmp(text, "clauses:", 8)) {
		kzt_tparse_clauses(test, text + 8, p, rule);
		return;
	}
	if (!*text)
		return;		/* no fields: no clauses */
	if (!rule->short_form) {
		rule->short_form = true;
		rule->n_clauses = 1;
		c->n_matches = 1;
		c->match[0] = kzt_tnew_match(test, p);
	}
	kzt_tparse_match(test, text, &p->matches[c->match[0]]);
}

static void kzt_tparse(struct kunit *test, const struct kzt_tdesc *d,
		       struct kzt_tpolicy *p)
{
	char *ids, *id;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	strscpy(p->name, d->name, sizeof(p->name));
	p->action = d->action;
	p->scope = d->scope;
	p->dry_run = d->dry_run;
	if (d->scope == KZT_SCOPE_NAMESPACE && d->scope_arg) {
		strscpy(p->ns, d->scope_arg, sizeof(p->ns));
	} else if (d->scope == KZT_SCOPE_WORKLOADS && d->scope_arg) {
		ids = kunit_kstrdup(test, d->scope_arg, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ids);
		while ((id = strsep(&ids, ","))) {
			KUNIT_ASSERT_LT(test, p->n_ids, KZT_T_IDS);
			strscpy(p->ids[p->n_ids++], id, KZT_T_STR);
		}
	} else if (d->scope == KZT_SCOPE_ADDRESSES && d->scope_arg) {
		ids = kunit_kstrdup(test, d->scope_arg, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ids);
		while ((id = strsep(&ids, ","))) {
			u8 plen;

			KUNIT_ASSERT_LT(test, p->n_addrs, KZT_T_IDS);
			kzt_tparse_cidr(test, id, &p->addrs[p->n_addrs++], &plen);
		}
	}
	for (i = 0; i < ARRAY_SIZE(d->rules) && d->rules[i]; i++) {
		const char *text = d->rules[i];

		if (text[0] == '+') {
			KUNIT_ASSERT_GT(test, p->n_rules, 0);
			text++;
		} else {
			KUNIT_ASSERT_LT(test, p->n_rules, KZT_T_RULES);
			p->n_rules++;
		}
		kzt_tparse_rule(test, text, p, &p->rules[p->n_rules - 1]);
	}
}

/* ---- Netlink messages ---- */

KUNIT_DEFINE_ACTION_WRAPPER(kzt_ptest_kfree_skb, kfree_skb, struct sk_buff *);
KUNIT_DEFINE_ACTION_WRAPPER(kzt_ptest_vfree, vfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(kzt_ptest_policy_put, kzt_policy_put,
			    struct kzt_policy *);

static struct sk_buff *kzt_ptest_skb(struct kunit *test, unsigned int size)
{
	struct sk_buff *skb = alloc_skb(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_ptest_kfree_skb, skb), 0);
	return skb;
}

static int kzt_tput_value(struct sk_buff *skb, unsigned int field,
			  const struct kzt_tvalue *v)
{
	struct nlattr *nest;

	switch (kzt_rule_field_kind(field)) {
	case KZT_RULE_A_PORT:
		return nla_put_u16(skb, field + 1, v->port);
	case KZT_RULE_A_IP_BLOCK:
	case KZT_RULE_A_DESTINATION_IP:
		nest = nla_nest_start(skb, field + 1);
		if (!nest || nla_put_in6_addr(skb, KZT_CIDR_A_ADDR, &v->addr) ||
		    nla_put_u8(skb, KZT_CIDR_A_PREFIX_LEN, v->prefix_len))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
		return 0;
	default:
		return nla_put_string(skb, field + 1, v->str);
	}
}

/* The fields of @m, in the order kzt_policy_fill() puts them. */
static int kzt_tput_match(struct sk_buff *skb, const struct kzt_tmatch *m)
{
	unsigned int field, i;

	for (field = 0; field < KZT_RULE_FIELDS; field++)
		for (i = 0; i < m->n[field]; i++)
			if (kzt_tput_value(skb, field, &m->v[field][i]))
				return -EMSGSIZE;
	return 0;
}

static int kzt_tput_clause(struct sk_buff *skb, const struct kzt_tpolicy *p,
			   const struct kzt_tclause *c)
{
	struct nlattr *nest = nla_nest_start(skb, KZT_RULE_A_CLAUSE), *match;
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < c->n_matches; i++) {
		match = nla_nest_start(skb, KZT_CLAUSE_A_MATCH);
		if (!match || kzt_tput_match(skb, &p->matches[c->match[i]]))
			return -EMSGSIZE;
		nla_nest_end(skb, match);
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int kzt_tput_rule(struct sk_buff *skb, const struct kzt_tpolicy *p,
			 const struct kzt_trule *rule)
{
	struct nlattr *nest = nla_nest_start(skb, KZT_POLICY_A_RULE);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	if (rule->short_form) {
		if (kzt_tput_match(skb, &p->matches[rule->clauses[0].match[0]]))
			return -EMSGSIZE;
	} else {
		for (i = 0; i < rule->n_clauses; i++)
			if (kzt_tput_clause(skb, p, &rule->clauses[i]))
				return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The request, attributes in the order kzt_policy_fill() puts them. */
static void kzt_tput(struct kunit *test, struct sk_buff *skb,
		     const struct kzt_tpolicy *p)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, nla_put_string(skb, KZT_POLICY_A_NAME, p->name), 0);
	KUNIT_ASSERT_EQ(test, nla_put_u8(skb, KZT_POLICY_A_ACTION, p->action), 0);
	KUNIT_ASSERT_EQ(test, nla_put_u8(skb, KZT_POLICY_A_SCOPE, p->scope), 0);
	if (p->ns[0])
		KUNIT_ASSERT_EQ(test, nla_put_string(skb, KZT_POLICY_A_NAMESPACE, p->ns), 0);
	for (i = 0; i < p->n_ids; i++)
		KUNIT_ASSERT_EQ(test, nla_put_string(skb, KZT_POLICY_A_SCOPE_ID, p->ids[i]), 0);
	for (i = 0; i < p->n_addrs; i++)
		KUNIT_ASSERT_EQ(test, nla_put_in6_addr(skb, KZT_POLICY_A_SCOPE_ADDR,
						       &p->addrs[i]), 0);
	for (i = 0; i < p->n_rules; i++)
		KUNIT_ASSERT_EQ(test, kzt_tput_rule(skb, p, &p->rules[i]), 0);
	if (p->dry_run)
		KUNIT_ASSERT_EQ(test, nla_put_flag(skb, KZT_POLICY_A_DRY_RUN), 0);
}

static struct kzt_policy *kzt_tfrom_skb(struct kunit *test, struct sk_buff *skb,
					struct netlink_ext_ack *extack)
{
	struct kzt_policy *policy;

	policy = kzt_policy_from_attrs((struct nlattr *)skb->data, skb->len, extack);
	if (!IS_ERR(policy))
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_ptest_policy_put,
								policy), 0);
	return policy;
}

/* A policy made the way the netlink handler makes it; freed with the test. */
static struct kzt_policy *kzt_tpolicy_make(struct kunit *test,
					   const struct kzt_tpolicy *p)
{
	struct sk_buff *skb = kzt_ptest_skb(test, 16384);
	struct netlink_ext_ack extack = {};
	struct kzt_policy *policy;

	kzt_tput(test, skb, p);
	policy = kzt_tfrom_skb(test, skb, &extack);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(policy), "%s: %ld %s", p->name,
			       PTR_ERR(policy), extack._msg);
	return policy;
}

static struct kzt_policy *kzt_tdesc_make(struct kunit *test,
					 const struct kzt_tdesc *d)
{
	struct kzt_tpolicy *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	kzt_tparse(test, d, p);
	return kzt_tpolicy_make(test, p);
}

/* ---- Requests: good ones round-trip, bad ones name the field ---- */

#define KZT_TD "spiffe://cluster.local"

static const struct kzt_tdesc kzt_good_descs[] = {
	{ "deny-all-in-ns", KZT_ACTION_DENY, KZT_SCOPE_NAMESPACE, "prod", { "" } },
	{ "allow-none", KZT_ACTION_ALLOW, KZT_SCOPE_GLOBAL, NULL, { } },
	{ "web", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS,
	  KZT_TD "/ns/prod/sa/web," KZT_TD "/ns/prod/sa/api",
	  { "principal=cluster.local/ns/prod/sa/front",
	    "+principal=cluster.local/ns/ops/* port=80 port=443",
	    "namespace=monitoring not-principal=*/sa/evil" } },
	{ "every-field", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL,
	  { "principal=* not-principal=td/x namespace=a* not-namespace=*b",
	    "+ip-block=10.0.0.0/8 ip-block=2001:db8::/32 not-ip-block=10.1.2.3",
	    "+not-ip-block=::/0 port=1 not-port=65535" } },
	{ "x", KZT_ACTION_ALLOW, KZT_SCOPE_GLOBAL, NULL,
	  { "ip-block=0.0.0.0/0", "port=8080", "", "namespace=*" } },
	{ "selected", KZT_ACTION_ALLOW, KZT_SCOPE_ADDRESSES,
	  "10.1.2.3,2001:db8::5,10.1.2.3", { "namespace=front" } },
	{ "dry-run-deny", KZT_ACTION_DENY, KZT_SCOPE_NAMESPACE, "prod",
	  { "namespace=legacy" }, true },
	{ "dry-run-allow-none", KZT_ACTION_ALLOW, KZT_SCOPE_GLOBAL, NULL, { },
	  true },
	{ "clauses", KZT_ACTION_ALLOW, KZT_SCOPE_GLOBAL, NULL,
	  { "clauses: namespace=a | service-account=b/c not-service-account=b/d ; "
	    "destination-ip=10.0.0.0/8 not-destination-ip=2001:db8::/32 port=80",
	    "clauses: - ; {} | port=1", "clauses:",
	    "destination-ip=::/0 not-service-account=x/y" } },
};

static void kzt_tdesc_name(const struct kzt_tdesc *d, char *desc)
{
	strscpy(desc, d->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_good, kzt_good_descs, kzt_tdesc_name);

/* The counter @type of a POLICY_GET reply, or U64_MAX when absent. */
static u64 kzt_tcounter(struct sk_buff *skb, int type)
{
	const struct nlattr *nla = nla_find((struct nlattr *)skb->data,
					    skb->len, type);

	return nla && nla_len(nla) == sizeof(u64) ? nla_get_u64(nla) : U64_MAX;
}

/*
 * fill() gives back the very request (same attributes, same order), and
 * for a dry-run policy its two counters after it, at 0.
 */
static void kzt_policy_roundtrip_test(struct kunit *test)
{
	struct kzt_tpolicy *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct sk_buff *in = kzt_ptest_skb(test, 16384);
	struct sk_buff *out = kzt_ptest_skb(test, 16384);
	struct kzt_policy *policy;
	unsigned int counters;

	KUNIT_ASSERT_NOT_NULL(test, p);
	kzt_tparse(test, test->param_value, p);
	kzt_tput(test, in, p);

	policy = kzt_tpolicy_make(test, p);
	KUNIT_ASSERT_EQ(test, kzt_policy_fill(out, policy), 0);

	KUNIT_EXPECT_STREQ(test, kzt_policy_name(policy), p->name);
	KUNIT_EXPECT_EQ(test, kzt_policy_msg_size(policy), out->len);
	KUNIT_EXPECT_EQ(test, policy->dry_run, p->dry_run);
	counters = p->dry_run ? 2 * nla_total_size_64bit(sizeof(u64)) : 0;
	KUNIT_ASSERT_EQ(test, out->len, in->len + counters);
	KUNIT_EXPECT_MEMEQ(test, out->data, in->data, in->len);
	KUNIT_EXPECT_EQ(test, kzt_tcounter(out, KZT_POLICY_A_WOULD_ALLOW),
			p->dry_run ? 0 : U64_MAX);
	KUNIT_EXPECT_EQ(test, kzt_tcounter(out, KZT_POLICY_A_WOULD_DENY),
			p->dry_run ? 0 : U64_MAX);
}

/* One byte short of kzt_policy_msg_size(), fill() fails cleanly. */
static void kzt_policy_fill_too_small_test(struct kunit *test)
{
	struct kzt_policy *policy = kzt_tdesc_make(test, &kzt_good_descs[3]);
	struct sk_buff *skb = kzt_ptest_skb(test, 16384);

	skb_put(skb, skb_tailroom(skb) - kzt_policy_msg_size(policy) + 1);
	KUNIT_EXPECT_EQ(test, kzt_policy_fill(skb, policy), -EMSGSIZE);
}

/* Fields given out of order come back grouped, and parse the same again. */
static void kzt_policy_canonical_test(struct kunit *test)
{
	struct sk_buff *in = kzt_ptest_skb(test, 4096);
	struct sk_buff *out = kzt_ptest_skb(test, 4096);
	struct sk_buff *again = kzt_ptest_skb(test, 4096);
	struct netlink_ext_ack extack = {};
	struct kzt_policy *policy;
	struct nlattr *rule;

	nla_put_u8(in, KZT_POLICY_A_SCOPE, KZT_SCOPE_GLOBAL);
	rule = nla_nest_start(in, KZT_POLICY_A_RULE);
	nla_put_u16(in, KZT_RULE_A_PORT, 80);
	nla_put_string(in, KZT_RULE_A_PRINCIPAL, "td/a");
	nla_put_u16(in, KZT_RULE_A_PORT, 81);
	nla_nest_end(in, rule);
	nla_put_u8(in, KZT_POLICY_A_ACTION, KZT_ACTION_ALLOW);
	nla_put_u32(in, KZT_POLICY_A_FLAGS, KZT_POLICY_F_REPLACE);
	KUNIT_ASSERT_EQ(test, nla_put_string(in, KZT_POLICY_A_NAME, "p"), 0);

	policy = kzt_tfrom_skb(test, in, &extack);
	KUNIT_ASSERT_FALSE(test, IS_ERR(policy));
	KUNIT_ASSERT_EQ(test, kzt_policy_fill(out, policy), 0);
	KUNIT_EXPECT_EQ(test, kzt_policy_msg_size(policy), out->len);
	/* No FLAGS in the reply: 4 bytes of header and 4 of value less. */
	KUNIT_EXPECT_EQ(test, out->len, in->len - nla_total_size(sizeof(u32)));

	policy = kzt_tfrom_skb(test, out, &extack);
	KUNIT_ASSERT_FALSE(test, IS_ERR(policy));
	KUNIT_ASSERT_EQ(test, kzt_policy_fill(again, policy), 0);
	KUNIT_ASSERT_EQ(test, again->len, out->len);
	KUNIT_EXPECT_MEMEQ(test, again->data, out->data, out->len);
	KUNIT_EXPECT_EQ(test, policy->matches[0].field[KZT_RULE_A_PORT - 1].n, 2);
}

/* Attributes a bad case adds after (or instead of) the described ones. */
typedef void (*kzt_tweak_t)(struct kunit *test, struct sk_buff *skb);

static void kzt_put_ok(struct kunit *test, int err)
{
	KUNIT_ASSERT_EQ(test, err, 0);
}

static void kzt_tweak_no_name(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_u8(skb, KZT_POLICY_A_ACTION, KZT_ACTION_DENY));
	kzt_put_ok(test, nla_put_u8(skb, KZT_POLICY_A_SCOPE, KZT_SCOPE_GLOBAL));
}

static void kzt_tweak_no_action(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_string(skb, KZT_POLICY_A_NAME, "p"));
	kzt_put_ok(test, nla_put_u8(skb, KZT_POLICY_A_SCOPE, KZT_SCOPE_GLOBAL));
}

static void kzt_tweak_no_scope(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_string(skb, KZT_POLICY_A_NAME, "p"));
	kzt_put_ok(test, nla_put_u8(skb, KZT_POLICY_A_ACTION, KZT_ACTION_DENY));
}

static void kzt_tweak_long_name(struct kunit *test, struct sk_buff *skb)
{
	char name[KZT_POLICY_NAME_MAX + 2];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	kzt_put_ok(test, nla_put_string(skb, KZT_POLICY_A_NAME, name));
	kzt_tweak_no_name(test, skb);
}

static void kzt_tweak_name_again(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_string(skb, KZT_POLICY_A_NAME, "again"));
}

static void kzt_tweak_bad_flags(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_u32(skb, KZT_POLICY_A_FLAGS, 2));
}

static void kzt_tweak_counter(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_u64_64bit(skb, KZT_POLICY_A_WOULD_DENY, 0,
					   KZT_POLICY_A_PAD));
}

static void kzt_tweak_dry_run_value(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_u8(skb, KZT_POLICY_A_DRY_RUN, 1));
}

static void kzt_tweak_dry_run_twice(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_flag(skb, KZT_POLICY_A_DRY_RUN));
	kzt_put_ok(test, nla_put_flag(skb, KZT_POLICY_A_DRY_RUN));
}

static void kzt_tweak_namespace(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_string(skb, KZT_POLICY_A_NAMESPACE, "prod"));
}

static void kzt_tweak_scope_id(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_string(skb, KZT_POLICY_A_SCOPE_ID, KZT_TD "/w"));
}

static void kzt_tweak_scope_addr(struct kunit *test, struct sk_buff *skb)
{
	struct in6_addr a = { };

	kzt_put_ok(test, nla_put_in6_addr(skb, KZT_POLICY_A_SCOPE_ADDR, &a));
}

static void kzt_tweak_many_scope_addrs(struct kunit *test, struct sk_buff *skb)
{
	struct in6_addr a = { };
	int i;

	for (i = 0; i < KZT_SCOPE_IDS_MAX; i++) {
		a.s6_addr32[3] = htonl(i);
		kzt_put_ok(test, nla_put_in6_addr(skb, KZT_POLICY_A_SCOPE_ADDR, &a));
	}
}

static void kzt_tweak_short_scope_addr(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put_u32(skb, KZT_POLICY_A_SCOPE_ADDR, 0));
}

static void kzt_tweak_many_scope_ids(struct kunit *test, struct sk_buff *skb)
{
	char id[32];
	int i;

	for (i = 0; i < KZT_SCOPE_IDS_MAX; i++) {
		snprintf(id, sizeof(id), "spiffe://td/w%d", i);
		kzt_put_ok(test, nla_put_string(skb, KZT_POLICY_A_SCOPE_ID, id));
	}
}

static void kzt_tweak_many_rules(struct kunit *test, struct sk_buff *skb)
{
	int i;

	for (i = 0; i < KZT_POLICY_RULES_MAX; i++) {
		struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE);

		KUNIT_ASSERT_NOT_NULL(test, rule);
		nla_nest_end(skb, rule);
	}
}

/* With the described rule: one too many for the size, not for the count. */
static void kzt_tweak_rules_too_large(struct kunit *test, struct sk_buff *skb)
{
	int i;

	for (i = 0; i < KZT_POLICY_RULES_MAX - 2; i++) {
		struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE);

		KUNIT_ASSERT_NOT_NULL(test, rule);
		nla_nest_end(skb, rule);
	}
}

static void kzt_tweak_both_forms(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE), *clause;

	KUNIT_ASSERT_NOT_NULL(test, rule);
	kzt_put_ok(test, nla_put_u16(skb, KZT_RULE_A_PORT, 80));
	clause = nla_nest_start(skb, KZT_RULE_A_CLAUSE);
	KUNIT_ASSERT_NOT_NULL(test, clause);
	nla_nest_end(skb, clause);
	nla_nest_end(skb, rule);
}

static void kzt_tweak_many_clauses(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE), *clause;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, rule);
	for (i = 0; i <= KZT_RULE_CLAUSES_MAX; i++) {
		clause = nla_nest_start(skb, KZT_RULE_A_CLAUSE);
		KUNIT_ASSERT_NOT_NULL(test, clause);
		nla_nest_end(skb, clause);
	}
	nla_nest_end(skb, rule);
}

/* A rule of one clause of one match; the match is left open. */
static struct nlattr *kzt_put_match_start(struct kunit *test,
					  struct sk_buff *skb,
					  struct nlattr **nests)
{
	nests[0] = nla_nest_start(skb, KZT_POLICY_A_RULE);
	nests[1] = nla_nest_start(skb, KZT_RULE_A_CLAUSE);
	nests[2] = nla_nest_start(skb, KZT_CLAUSE_A_MATCH);
	KUNIT_ASSERT_NOT_NULL(test, nests[0]);
	KUNIT_ASSERT_NOT_NULL(test, nests[1]);
	KUNIT_ASSERT_NOT_NULL(test, nests[2]);
	return nests[2];
}

static void kzt_put_match_end(struct sk_buff *skb, struct nlattr **nests)
{
	nla_nest_end(skb, nests[2]);
	nla_nest_end(skb, nests[1]);
	nla_nest_end(skb, nests[0]);
}

static void kzt_tweak_many_matches(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *nests[3], *match;
	int i;

	kzt_put_match_start(test, skb, nests);
	nla_nest_end(skb, nests[2]);
	for (i = 1; i <= KZT_CLAUSE_MATCHES_MAX; i++) {
		match = nla_nest_start(skb, KZT_CLAUSE_A_MATCH);
		KUNIT_ASSERT_NOT_NULL(test, match);
		nla_nest_end(skb, match);
	}
	nla_nest_end(skb, nests[1]);
	nla_nest_end(skb, nests[0]);
}

static void kzt_tweak_match_ports(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *nests[3];
	int i;

	kzt_put_match_start(test, skb, nests);
	for (i = 1; i <= KZT_RULE_VALUES_MAX + 1; i++)
		kzt_put_ok(test, nla_put_u16(skb, KZT_MATCH_A_PORT, i));
	kzt_put_match_end(skb, nests);
}

static void kzt_tweak_clause_in_match(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *nests[3], *clause;

	kzt_put_match_start(test, skb, nests);
	clause = nla_nest_start(skb, KZT_RULE_A_CLAUSE);
	KUNIT_ASSERT_NOT_NULL(test, clause);
	nla_nest_end(skb, clause);
	kzt_put_match_end(skb, nests);
}

static void kzt_tweak_match_not_nested(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE);
	struct nlattr *clause = nla_nest_start(skb, KZT_RULE_A_CLAUSE);

	KUNIT_ASSERT_NOT_NULL(test, rule);
	KUNIT_ASSERT_NOT_NULL(test, clause);
	kzt_put_ok(test, nla_put(skb, KZT_CLAUSE_A_MATCH, 0, NULL));
	nla_nest_end(skb, clause);
	nla_nest_end(skb, rule);
}

static void kzt_tweak_clause_unknown(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE);
	struct nlattr *clause = nla_nest_start(skb, KZT_RULE_A_CLAUSE);

	KUNIT_ASSERT_NOT_NULL(test, rule);
	KUNIT_ASSERT_NOT_NULL(test, clause);
	kzt_put_ok(test, nla_put_u8(skb, KZT_CLAUSE_A_MAX + 1, 1));
	nla_nest_end(skb, clause);
	nla_nest_end(skb, rule);
}

static void kzt_tweak_many_ports(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, rule);
	for (i = 1; i <= KZT_RULE_VALUES_MAX + 1; i++)
		kzt_put_ok(test, nla_put_u16(skb, KZT_RULE_A_PORT, i));
	nla_nest_end(skb, rule);
}

static void kzt_tweak_long_rule_ns(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE);
	char ns[KZT_NAMESPACE_MAX + 2];

	memset(ns, 'n', sizeof(ns) - 1);
	ns[sizeof(ns) - 1] = '\0';
	KUNIT_ASSERT_NOT_NULL(test, rule);
	kzt_put_ok(test, nla_put_string(skb, KZT_RULE_A_NAMESPACE, ns));
	nla_nest_end(skb, rule);
}

static void kzt_tweak_rule_unknown(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE);

	KUNIT_ASSERT_NOT_NULL(test, rule);
	kzt_put_ok(test, nla_put_u8(skb, KZT_RULE_A_MAX + 1, 1));
	nla_nest_end(skb, rule);
}

static void kzt_tweak_rule_not_nested(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ok(test, nla_put(skb, KZT_POLICY_A_RULE, 0, NULL));
}

/* An IP block with an address of @addr_len bytes, and a prefix if @plen. */
static void kzt_put_ip_block(struct kunit *test, struct sk_buff *skb,
			     int addr_len, bool plen)
{
	static const u8 zero[16];
	struct nlattr *rule = nla_nest_start(skb, KZT_POLICY_A_RULE);
	struct nlattr *block = nla_nest_start(skb, KZT_RULE_A_IP_BLOCK);

	KUNIT_ASSERT_NOT_NULL(test, rule);
	KUNIT_ASSERT_NOT_NULL(test, block);
	kzt_put_ok(test, nla_put(skb, KZT_CIDR_A_ADDR, addr_len, zero));
	if (plen)
		kzt_put_ok(test, nla_put_u8(skb, KZT_CIDR_A_PREFIX_LEN, 0));
	nla_nest_end(skb, block);
	nla_nest_end(skb, rule);
}

static void kzt_tweak_block_no_prefix(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ip_block(test, skb, 16, false);
}

static void kzt_tweak_block_short_addr(struct kunit *test, struct sk_buff *skb)
{
	kzt_put_ip_block(test, skb, 4, true);
}

struct kzt_bad_case {
	const char *name;
	struct kzt_tdesc desc;	/* name NULL: nothing described */
	kzt_tweak_t tweak;
	int err;
	const char *msg;	/* NULL: the netlink core's own message */
	u16 bad_type;		/* type of the attribute at fault, or 0 */
	u16 miss_type;		/* type of a missing attribute, or 0 */
};

#define KZT_GLOBAL_DENY(...) \
	{ "p", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL, { __VA_ARGS__ } }
#define KZT_STAR_MSG "may have '*' only alone, at the start or at the end"

static const struct kzt_bad_case kzt_bad_cases[] = {
	{ "name missing", { }, kzt_tweak_no_name, -EINVAL,
	  "policy name missing", 0, KZT_POLICY_A_NAME },
	{ "action missing", { }, kzt_tweak_no_action, -EINVAL,
	  "policy action missing", 0, KZT_POLICY_A_ACTION },
	{ "scope missing", { }, kzt_tweak_no_scope, -EINVAL,
	  "policy scope missing", 0, KZT_POLICY_A_SCOPE },
	{ "name empty", { "", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL }, NULL, -EINVAL,
	  "policy name is empty", KZT_POLICY_A_NAME },
	{ "name of 254 bytes", { }, kzt_tweak_long_name, -EINVAL,
	  NULL, KZT_POLICY_A_NAME },
	{ "name twice", KZT_GLOBAL_DENY(), kzt_tweak_name_again, -EINVAL,
	  "attribute given twice (only scope IDs, scope addresses and rules repeat)",
	  KZT_POLICY_A_NAME },
	{ "action 2", { "p", 2, KZT_SCOPE_GLOBAL }, NULL, -ERANGE,
	  "integer out of range", KZT_POLICY_A_ACTION },
	{ "scope 4", { "p", KZT_ACTION_DENY, 4 }, NULL, -ERANGE,
	  "integer out of range", KZT_POLICY_A_SCOPE },
	{ "unknown flag", KZT_GLOBAL_DENY(), kzt_tweak_bad_flags, -EINVAL,
	  "reserved bit set", KZT_POLICY_A_FLAGS },
	{ "a counter in a request", KZT_GLOBAL_DENY(), kzt_tweak_counter, -EINVAL,
	  "Unsupported attribute", KZT_POLICY_A_WOULD_DENY },
	{ "dry-run with a value", KZT_GLOBAL_DENY(), kzt_tweak_dry_run_value,
	  -ERANGE, "Attribute failed policy validation", KZT_POLICY_A_DRY_RUN },
	{ "dry-run twice", KZT_GLOBAL_DENY(), kzt_tweak_dry_run_twice, -EINVAL,
	  "attribute given twice (only scope IDs, scope addresses and rules repeat)",
	  KZT_POLICY_A_DRY_RUN },
	{ "scope namespace without namespace",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_NAMESPACE }, NULL, -EINVAL,
	  "a policy of scope namespace needs its namespace",
	  KZT_POLICY_A_SCOPE, KZT_POLICY_A_NAMESPACE },
	{ "namespace on a global policy", KZT_GLOBAL_DENY(), kzt_tweak_namespace,
	  -EINVAL, "namespace is only for a policy of scope namespace",
	  KZT_POLICY_A_NAMESPACE },
	{ "scope workloads without IDs",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_WORKLOADS }, NULL, -EINVAL,
	  "a policy of scope workloads needs at least one scope ID",
	  KZT_POLICY_A_SCOPE, KZT_POLICY_A_SCOPE_ID },
	{ "scope ID on a namespace policy",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_NAMESPACE, "prod" },
	  kzt_tweak_scope_id, -EINVAL,
	  "scope IDs are only for a policy of scope workloads",
	  KZT_POLICY_A_SCOPE_ID },
	{ "scope ID with trailing slash",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_WORKLOADS, KZT_TD "/a," KZT_TD "/b/" },
	  NULL, -EINVAL, "scope ID: path must not end with '/'",
	  KZT_POLICY_A_SCOPE_ID },
	{ "scope addresses without addresses",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_ADDRESSES }, NULL, -EINVAL,
	  "a policy of scope addresses needs at least one scope address",
	  KZT_POLICY_A_SCOPE, KZT_POLICY_A_SCOPE_ADDR },
	{ "scope address on a workloads policy",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_WORKLOADS, KZT_TD "/a" },
	  kzt_tweak_scope_addr, -EINVAL,
	  "scope addresses are only for a policy of scope addresses",
	  KZT_POLICY_A_SCOPE_ADDR },
	{ "scope ID on an addresses policy",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_ADDRESSES, "10.0.0.1" },
	  kzt_tweak_scope_id, -EINVAL,
	  "scope IDs are only for a policy of scope workloads",
	  KZT_POLICY_A_SCOPE_ID },
	{ "scope address of 4 bytes",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_ADDRESSES, "10.0.0.1" },
	  kzt_tweak_short_scope_addr, -ERANGE, NULL, KZT_POLICY_A_SCOPE_ADDR },
	{ "1025 scope addresses",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_ADDRESSES, "10.0.0.1" },
	  kzt_tweak_many_scope_addrs, -EINVAL, "more than 1024 scope addresses",
	  KZT_POLICY_A_SCOPE_ADDR },
	{ "1025 scope IDs",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_WORKLOADS, KZT_TD "/a" },
	  kzt_tweak_many_scope_ids, -EINVAL, "more than 1024 scope IDs",
	  KZT_POLICY_A_SCOPE_ID },
	{ "scope namespace with '*'",
	  { "p", KZT_ACTION_DENY, KZT_SCOPE_NAMESPACE, "prod*" }, NULL, -EINVAL,
	  "namespace must be a non-empty string of A-Za-z0-9 . - _",
	  KZT_POLICY_A_NAMESPACE },
	{ "8001 rules", KZT_GLOBAL_DENY(""), kzt_tweak_many_rules, -EINVAL,
	  "more than 8000 rules", KZT_POLICY_A_RULE },
	{ "7999 rules, too large", KZT_GLOBAL_DENY(""), kzt_tweak_rules_too_large,
	  -EMSGSIZE, "policy too large: 32020 bytes in netlink form, at most 32000" },
	{ "rule of both forms", KZT_GLOBAL_DENY(), kzt_tweak_both_forms, -EINVAL,
	  "a rule holds clauses or fields (its short form), not both",
	  KZT_RULE_A_CLAUSE },
	{ "65 clauses", KZT_GLOBAL_DENY(), kzt_tweak_many_clauses, -EINVAL,
	  "more than 64 clauses in one rule", KZT_RULE_A_CLAUSE },
	{ "257 matches", KZT_GLOBAL_DENY(), kzt_tweak_many_matches, -EINVAL,
	  "more than 256 matches in one clause", KZT_CLAUSE_A_MATCH },
	{ "257 ports in a match", KZT_GLOBAL_DENY(), kzt_tweak_match_ports,
	  -EINVAL, "port: more than 256 values in one match", KZT_MATCH_A_PORT },
	{ "clause in a match", KZT_GLOBAL_DENY(), kzt_tweak_clause_in_match,
	  -EINVAL, "Unknown attribute type", KZT_RULE_A_CLAUSE },
	{ "match not nested", KZT_GLOBAL_DENY(), kzt_tweak_match_not_nested,
	  -EINVAL, "NLA_F_NESTED is missing", KZT_CLAUSE_A_MATCH },
	{ "unknown clause attribute", KZT_GLOBAL_DENY(), kzt_tweak_clause_unknown,
	  -EINVAL, "Unknown attribute type", KZT_CLAUSE_A_MAX + 1 },
	{ "principal with scheme in a match",
	  KZT_GLOBAL_DENY("clauses: port=80 ; - ; {} | principal=spiffe://td/a"),
	  NULL, -EINVAL,
	  "principal must not have the \"spiffe://\" scheme (as in td/ns/NS/sa/SA)",
	  KZT_MATCH_A_PRINCIPAL },
	{ "service account without '/'", KZT_GLOBAL_DENY("service-account=a"),
	  NULL, -EINVAL, "service-account must be NS/SA, two non-empty names",
	  KZT_RULE_A_SERVICE_ACCOUNT },
	{ "service account without namespace",
	  KZT_GLOBAL_DENY("clauses: not-service-account=/x"), NULL, -EINVAL,
	  "not-service-account must be NS/SA, two non-empty names",
	  KZT_MATCH_A_NOT_SERVICE_ACCOUNT },
	{ "service account without name", KZT_GLOBAL_DENY("service-account=a/"),
	  NULL, -EINVAL, "service-account must be NS/SA, two non-empty names",
	  KZT_RULE_A_SERVICE_ACCOUNT },
	{ "service account of three parts",
	  KZT_GLOBAL_DENY("service-account=a/b/c"), NULL, -EINVAL,
	  "service-account has an invalid character (NS/SA of A-Za-z0-9 . - _)",
	  KZT_RULE_A_SERVICE_ACCOUNT },
	{ "service account pattern", KZT_GLOBAL_DENY("service-account=a/*"),
	  NULL, -EINVAL,
	  "service-account has an invalid character (NS/SA of A-Za-z0-9 . - _)",
	  KZT_RULE_A_SERVICE_ACCOUNT },
	{ "destination IP with host bits",
	  KZT_GLOBAL_DENY("clauses: not-destination-ip=10.0.0.1/8"), NULL, -EINVAL,
	  "IP block has host bits set below its prefix length", KZT_CIDR_A_ADDR },
	{ "rule not nested", KZT_GLOBAL_DENY(), kzt_tweak_rule_not_nested,
	  -EINVAL, "NLA_F_NESTED is missing", KZT_POLICY_A_RULE },
	{ "unknown rule field", KZT_GLOBAL_DENY(), kzt_tweak_rule_unknown,
	  -EINVAL, "Unknown attribute type", KZT_RULE_A_MAX + 1 },
	{ "257 ports", KZT_GLOBAL_DENY(), kzt_tweak_many_ports, -EINVAL,
	  "port: more than 256 values in one match", KZT_RULE_A_PORT },
	{ "principal with scheme", KZT_GLOBAL_DENY("principal=spiffe://td/a"),
	  NULL, -EINVAL,
	  "principal must not have the \"spiffe://\" scheme (as in td/ns/NS/sa/SA)",
	  KZT_RULE_A_PRINCIPAL },
	{ "principal empty", KZT_GLOBAL_DENY("principal="), NULL, -EINVAL,
	  "principal is empty", KZT_RULE_A_PRINCIPAL },
	{ "'*' inside", KZT_GLOBAL_DENY("port=80 not-principal=td/*/sa/x"), NULL,
	  -EINVAL, "not-principal " KZT_STAR_MSG, KZT_RULE_A_NOT_PRINCIPAL },
	{ "'*' at both ends", KZT_GLOBAL_DENY("principal=*td*"), NULL, -EINVAL,
	  "principal may hold one '*' only", KZT_RULE_A_PRINCIPAL },
	{ "namespace empty", KZT_GLOBAL_DENY("namespace="), NULL, -EINVAL,
	  "namespace is empty", KZT_RULE_A_NAMESPACE },
	{ "namespace with '/'", KZT_GLOBAL_DENY("", "not-namespace=a/b"), NULL,
	  -EINVAL, "not-namespace has an invalid character (allowed: A-Za-z0-9 . - _ *)",
	  KZT_RULE_A_NOT_NAMESPACE },
	{ "namespace '**'", KZT_GLOBAL_DENY("namespace=**"), NULL, -EINVAL,
	  "namespace may hold one '*' only", KZT_RULE_A_NAMESPACE },
	{ "namespace of 64 bytes", KZT_GLOBAL_DENY(), kzt_tweak_long_rule_ns,
	  -EINVAL, NULL, KZT_RULE_A_NAMESPACE },
	{ "IPv4 block with host bits", KZT_GLOBAL_DENY("ip-block=10.0.0.1/8"),
	  NULL, -EINVAL, "IP block has host bits set below its prefix length",
	  KZT_CIDR_A_ADDR },
	{ "IPv6 block with host bits",
	  KZT_GLOBAL_DENY("not-ip-block=2001:db8::1/127"), NULL, -EINVAL,
	  "IP block has host bits set below its prefix length", KZT_CIDR_A_ADDR },
	{ "prefix 129", KZT_GLOBAL_DENY("ip-block=::/129"), NULL, -ERANGE,
	  "integer out of range", KZT_CIDR_A_PREFIX_LEN },
	{ "IP block without prefix", KZT_GLOBAL_DENY(), kzt_tweak_block_no_prefix,
	  -EINVAL, "IP block needs an address and a prefix length",
	  KZT_RULE_A_IP_BLOCK, KZT_CIDR_A_PREFIX_LEN },
	{ "IP block of 4 bytes", KZT_GLOBAL_DENY(), kzt_tweak_block_short_addr,
	  -ERANGE, "binary attribute size out of range", KZT_CIDR_A_ADDR },
	{ "port 0", KZT_GLOBAL_DENY("port=0"), NULL, -ERANGE,
	  "integer out of range", KZT_RULE_A_PORT },
	{ "not-port 0", KZT_GLOBAL_DENY("not-port=0"), NULL, -ERANGE,
	  "integer out of range", KZT_RULE_A_NOT_PORT },
};

static void kzt_bad_case_desc(const struct kzt_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_bad, kzt_bad_cases, kzt_bad_case_desc);

static void kzt_policy_bad_request_test(struct kunit *test)
{
	const struct kzt_bad_case *c = test->param_value;
	struct sk_buff *skb = kzt_ptest_skb(test, 65536);
	struct kzt_tpolicy *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct netlink_ext_ack extack = {};
	struct kzt_policy *policy;

	KUNIT_ASSERT_NOT_NULL(test, p);
	if (c->desc.name) {
		kzt_tparse(test, &c->desc, p);
		kzt_tput(test, skb, p);
	}
	if (c->tweak)
		c->tweak(test, skb);

	policy = kzt_tfrom_skb(test, skb, &extack);

	KUNIT_ASSERT_TRUE(test, IS_ERR(policy));
	KUNIT_EXPECT_EQ(test, PTR_ERR(policy), c->err);
	KUNIT_ASSERT_NOT_NULL(test, extack._msg);
	if (c->msg)
		KUNIT_EXPECT_STREQ(test, extack._msg, c->msg);
	if (c->bad_type) {
		KUNIT_ASSERT_NOT_NULL(test, extack.bad_attr);
		KUNIT_EXPECT_EQ(test, nla_type(extack.bad_attr), c->bad_type);
	} else {
		KUNIT_EXPECT_NULL(test, extack.bad_attr);
	}
	KUNIT_EXPECT_EQ(test, extack.miss_type, c->miss_type);
}

/* ---- Sets ---- */

KUNIT_DEFINE_ACTION_WRAPPER(kzt_ptest_set_free, kzt_policy_set_free,
			    struct kzt_policy_set *);

/* @set, freed with the test unless released before. */
static struct kzt_policy_set *kzt_tset_keep(struct kunit *test,
					    struct kzt_policy_set *set)
{
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(set), "%ld", PTR_ERR(set));
	if (set)
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_ptest_set_free,
								set), 0);
	return set;
}

static void kzt_tset_release(struct kunit *test, struct kzt_policy_set *set)
{
	kunit_release_action(test, kzt_ptest_set_free, set);
}

static unsigned int kzt_refs(const struct kzt_policy *policy)
{
	return refcount_read(&policy->ref);
}

static const struct kzt_tdesc kzt_set_descs[] = {
	KZT_GLOBAL_DENY(""),
	{ "a", KZT_ACTION_ALLOW, KZT_SCOPE_NAMESPACE, "prod", { "port=80" } },
	{ "b", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL, { "port=22" } },
	{ "c", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_TD "/ns/x/sa/y", { } },
};

static void kzt_set_names_expect(struct kunit *test,
				 const struct kzt_policy_set *set,
				 const char *const *names, unsigned int n)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, kzt_policy_set_len(set), n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_STREQ(test, kzt_policy_name(kzt_policy_set_at(set, i)),
				   names[i]);
		KUNIT_EXPECT_PTR_EQ(test, kzt_policy_set_find(set, names[i]),
				    kzt_policy_set_at(set, i));
	}
	KUNIT_EXPECT_NULL(test, kzt_policy_set_at(set, n));
}

static void kzt_policy_set_add_test(struct kunit *test)
{
	static const char *const names[] = { "a", "b", "c", "p" };
	struct kzt_policy *p = kzt_tdesc_make(test, &kzt_set_descs[0]);
	struct kzt_policy *a = kzt_tdesc_make(test, &kzt_set_descs[1]);
	struct kzt_policy *b = kzt_tdesc_make(test, &kzt_set_descs[2]);
	struct kzt_policy *c = kzt_tdesc_make(test, &kzt_set_descs[3]);
	struct kzt_policy_set *s1, *s2, *s3, *s4;

	/* In every order: last, first, middle. */
	s1 = kzt_tset_keep(test, kzt_policy_set_add(NULL, b, false, NULL));
	s2 = kzt_tset_keep(test, kzt_policy_set_add(s1, p, false, NULL));
	s3 = kzt_tset_keep(test, kzt_policy_set_add(s2, a, false, NULL));
	s4 = kzt_tset_keep(test, kzt_policy_set_add(s3, c, false, NULL));

	kzt_set_names_expect(test, s4, names, 4);
	kzt_set_names_expect(test, s1, &names[1], 1);
	KUNIT_EXPECT_EQ(test, kzt_policy_set_len(s2), 2);
	KUNIT_EXPECT_EQ(test, kzt_policy_set_len(s3), 3);
	KUNIT_EXPECT_NULL(test, kzt_policy_set_find(s4, "bb"));
	KUNIT_EXPECT_NULL(test, kzt_policy_set_find(s4, ""));
	KUNIT_EXPECT_EQ(test, kzt_refs(b), 5);	/* ours and four sets' */
	KUNIT_EXPECT_EQ(test, kzt_refs(c), 2);

	kzt_tset_release(test, s4);
	kzt_tset_release(test, s3);
	kzt_tset_release(test, s2);
	kzt_tset_release(test, s1);
	KUNIT_EXPECT_EQ(test, kzt_refs(a), 1);
	KUNIT_EXPECT_EQ(test, kzt_refs(b), 1);
	KUNIT_EXPECT_EQ(test, kzt_refs(c), 1);
	KUNIT_EXPECT_EQ(test, kzt_refs(p), 1);
}

static void kzt_policy_set_replace_test(struct kunit *test)
{
	struct kzt_policy *a = kzt_tdesc_make(test, &kzt_set_descs[1]);
	struct kzt_policy *b = kzt_tdesc_make(test, &kzt_set_descs[2]);
	struct kzt_tdesc other_a = kzt_set_descs[2];
	struct netlink_ext_ack extack = {};
	struct kzt_policy_set *s0, *s1, *s2, *err;
	struct kzt_policy *a2;

	other_a.name = "a";
	a2 = kzt_tdesc_make(test, &other_a);
	s0 = kzt_tset_keep(test, kzt_policy_set_add(NULL, a, false, NULL));
	s1 = kzt_tset_keep(test, kzt_policy_set_add(s0, b, false, NULL));

	err = kzt_policy_set_add(s1, a2, false, &extack);
	KUNIT_EXPECT_EQ(test, PTR_ERR(err), -EEXIST);
	KUNIT_EXPECT_STREQ(test, extack._msg, "policy \"a\" exists (add it with replace)");

	s2 = kzt_tset_keep(test, kzt_policy_set_add(s1, a2, true, NULL));
	KUNIT_EXPECT_EQ(test, kzt_policy_set_len(s2), 2);
	KUNIT_EXPECT_PTR_EQ(test, kzt_policy_set_find(s2, "a"), a2);
	KUNIT_EXPECT_PTR_EQ(test, kzt_policy_set_find(s1, "a"), a);
	KUNIT_EXPECT_PTR_EQ(test, kzt_policy_set_at(s2, 1), b);
	KUNIT_EXPECT_EQ(test, kzt_refs(a), 3);	/* ours, s0's, s1's */
	KUNIT_EXPECT_EQ(test, kzt_refs(a2), 2);	/* ours, s2's */

	/* Replacing a policy by itself changes nothing but the set. */
	kzt_tset_keep(test, kzt_policy_set_add(s2, a2, true, NULL));
	KUNIT_EXPECT_EQ(test, kzt_refs(a2), 3);
}

static void kzt_policy_set_del_test(struct kunit *test)
{
	static const char *const names[] = { "a", "c" };
	struct kzt_policy *a = kzt_tdesc_make(test, &kzt_set_descs[1]);
	struct kzt_policy *b = kzt_tdesc_make(test, &kzt_set_descs[2]);
	struct kzt_policy *c = kzt_tdesc_make(test, &kzt_set_descs[3]);
	struct netlink_ext_ack extack = {};
	struct kzt_policy_set *s1, *s2, *s3;

	s1 = kzt_tset_keep(test, kzt_policy_set_add(NULL, a, false, NULL));
	s1 = kzt_tset_keep(test, kzt_policy_set_add(s1, b, false, NULL));
	s1 = kzt_tset_keep(test, kzt_policy_set_add(s1, c, false, NULL));

	KUNIT_EXPECT_EQ(test, PTR_ERR(kzt_policy_set_del(s1, "d", &extack)), -ENOENT);
	KUNIT_EXPECT_STREQ(test, extack._msg, "no policy \"d\"");
	KUNIT_EXPECT_EQ(test, PTR_ERR(kzt_policy_set_del(NULL, "a", NULL)), -ENOENT);

	s2 = kzt_tset_keep(test, kzt_policy_set_del(s1, "b", NULL));
	kzt_set_names_expect(test, s2, names, 2);
	KUNIT_EXPECT_EQ(test, kzt_policy_set_len(s1), 3);

	s3 = kzt_tset_keep(test, kzt_policy_set_del(s2, "a", NULL));
	s3 = kzt_tset_keep(test, kzt_policy_set_del(s3, "c", NULL));
	KUNIT_EXPECT_NULL(test, s3);	/* the empty set */
	KUNIT_EXPECT_EQ(test, kzt_policy_set_len(NULL), 0);
	KUNIT_EXPECT_NULL(test, kzt_policy_set_at(NULL, 0));
	KUNIT_EXPECT_NULL(test, kzt_policy_set_find(NULL, "a"));
	kzt_policy_set_free(NULL);
	kzt_policy_set_free_rcu(NULL);
}

/* A full set refuses a new name (and would still take a replacement). */
static void kzt_policy_set_full_test(struct kunit *test)
{
	struct kzt_policy *a = kzt_tdesc_make(test, &kzt_set_descs[1]);
	struct kzt_policy *b = kzt_tdesc_make(test, &kzt_set_descs[2]);
	struct netlink_ext_ack extack = {};
	struct kzt_policy_set *full;
	unsigned int i;

	/* Faked: KZT_POLICIES_MAX times "a", without references or index. */
	full = kunit_kzalloc(test, struct_size(full, policies, KZT_POLICIES_MAX),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, full);
	full->len = KZT_POLICIES_MAX;
	for (i = 0; i < KZT_POLICIES_MAX; i++)
		full->policies[i] = a;

	KUNIT_EXPECT_EQ(test, PTR_ERR(kzt_policy_set_add(full, b, true, &extack)),
			-ENOSPC);
	KUNIT_EXPECT_STREQ(test, extack._msg,
			   "the node holds 65536 policies already, the most it can");
	KUNIT_EXPECT_EQ(test, kzt_refs(a), 1);
	KUNIT_EXPECT_EQ(test, kzt_refs(b), 1);
}

static void kzt_policy_set_free_rcu_test(struct kunit *test)
{
	struct kzt_policy *a = kzt_tdesc_make(test, &kzt_set_descs[1]);
	struct kzt_policy_set *set = kzt_policy_set_add(NULL, a, false, NULL);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(set));
	KUNIT_EXPECT_EQ(test, kzt_refs(a), 2);
	kzt_policy_set_free_rcu(set);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, kzt_refs(a), 1);
}

/* ---- Decisions ---- */

/* Builds the set of @descs (ended by a NULL name), freed with the test. */
static struct kzt_policy_set *kzt_tset_make(struct kunit *test,
					    const struct kzt_tdesc *descs)
{
	struct kzt_policy_set *set = NULL, *next;

	for (; descs->name; descs++) {
		next = kzt_policy_set_add(set, kzt_tdesc_make(test, descs), false,
					  NULL);
		kzt_tset_keep(test, next);
		set = next;
	}
	return set;
}

static void kzt_tparse_addr(struct kunit *test, const char *s,
			    struct in6_addr *addr)
{
	u8 plen;

	kzt_tparse_cidr(test, s, addr, &plen);
	KUNIT_ASSERT_EQ(test, plen, 128);
}

#define KZT_PROD_WEB KZT_TD "/ns/prod/sa/web"
#define KZT_PROD_DB KZT_TD "/ns/prod/sa/db"
#define KZT_STAGING KZT_TD "/ns/staging/sa/web"

static const struct kzt_tdesc kzt_mesh_policies[] = {
	{ "allow-web", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_PROD_WEB,
	  { "principal=cluster.local/ns/front/sa/ui port=8080",
	    "principal=cluster.local/ns/ops/* port=9090" } },
	{ "deny-legacy", KZT_ACTION_DENY, KZT_SCOPE_NAMESPACE, "prod",
	  { "namespace=legacy" } },
	{ }
};

static const struct kzt_tdesc kzt_not_policies[] = {
	{ "deny-evil", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL,
	  { "principal=*/sa/evil" } },
	{ "deny-plaintext", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL,
	  { "not-principal=*" } },
	{ "deny-not-https", KZT_ACTION_DENY, KZT_SCOPE_WORKLOADS, KZT_PROD_DB,
	  { "not-port=443" } },
	{ }
};

static const struct kzt_tdesc kzt_order_policies[] = {
	{ "a-allow-nothing", KZT_ACTION_ALLOW, KZT_SCOPE_NAMESPACE, "prod", { } },
	{ "b-allow-all", KZT_ACTION_ALLOW, KZT_SCOPE_NAMESPACE, "prod", { "" } },
	{ "c-allow-80", KZT_ACTION_ALLOW, KZT_SCOPE_GLOBAL, NULL, { "port=80" } },
	{ "d-lockdown", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_STAGING, { } },
	{ }
};

static const struct kzt_tdesc kzt_cidr_policies[] = {
	{ "deny-v4", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL,
	  { "ip-block=10.1.0.0/16 not-ip-block=10.1.2.0/24" } },
	{ "deny-v6", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL,
	  { "ip-block=2001:db8::/127" } },
	{ "allow-v4", KZT_ACTION_ALLOW, KZT_SCOPE_GLOBAL, NULL,
	  { "ip-block=0.0.0.0/0" } },
	{ }
};

static const struct kzt_tdesc kzt_ns_policies[] = {
	{ "allow-not-kube", KZT_ACTION_ALLOW, KZT_SCOPE_GLOBAL, NULL,
	  { "not-namespace=kube-*" } },
	{ "allow-star", KZT_ACTION_ALLOW, KZT_SCOPE_NAMESPACE, "prod",
	  { "namespace=*" } },
	{ }
};

/*
 * Dry-run policies next to enforced ones. The enforced verdict never
 * depends on them; the dry-run one is the verdict with them enforced too.
 */
static const struct kzt_tdesc kzt_dry_policies[] = {
	{ "allow-web", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_PROD_WEB,
	  { "principal=cluster.local/ns/front/sa/ui port=8080" } },
	{ "deny-evil", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL,
	  { "principal=*/sa/evil" } },
	{ "dry-deny-legacy", KZT_ACTION_DENY, KZT_SCOPE_NAMESPACE, "prod",
	  { "namespace=legacy" }, true },
	{ "dry-lockdown-db", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_PROD_DB,
	  { "port=443" }, true },
	{ "z-dry-allow-ops", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_PROD_WEB,
	  { "principal=cluster.local/ns/ops/*" }, true },
	{ }
};

/* Istio's from and to: two clauses; ORs inside them. */
static const struct kzt_tdesc kzt_clause_policies[] = {
	{ "allow-from-to", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_PROD_WEB,
	  { "clauses: namespace=front | service-account=ops/admin ; port=8080 | port=9090" } },
	{ "deny-dst", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL,
	  { "clauses: destination-ip=10.8.0.0/16 not-destination-ip=10.8.1.0/24" } },
	{ "deny-not-sa", KZT_ACTION_DENY, KZT_SCOPE_GLOBAL, NULL,
	  { "not-service-account=ops/admin port=22" } },
	{ }
};

/* ztunnel's empty cases. */
static const struct kzt_tdesc kzt_empty_policies[] = {
	{ "a-empty-match", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_PROD_WEB,
	  { "clauses: {}" } },
	{ "b-empty-clause", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_PROD_DB,
	  { "clauses: - ; port=80" } },
	{ "c-no-clauses", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_STAGING,
	  { "clauses:" } },
	{ "d-empty-or", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_PROD_WEB,
	  { "clauses: {} | port=81" } },
	{ }
};

/*
 * Istio's WORKLOAD_SELECTOR, resolved to pod addresses: two pods of one
 * service account, only one selected.
 */
static const struct kzt_tdesc kzt_addr_policies[] = {
	{ "allow-selected", KZT_ACTION_ALLOW, KZT_SCOPE_ADDRESSES,
	  "10.8.0.1,2001:db8::1", { "port=80" } },
	{ "deny-selected", KZT_ACTION_DENY, KZT_SCOPE_ADDRESSES, "10.8.0.1",
	  { "principal=*/sa/evil" } },
	{ }
};

/* The dry-run decision of a case: none (no dry-run policy applies), or it. */
struct kzt_tdry {
	bool applies;
	enum kzt_verdict verdict;
	enum kzt_reason reason;
	const char *policy;
};

struct kzt_decide_case {
	const char *name;
	const struct kzt_tdesc *policies;
	const char *src_id;		/* NULL: plaintext */
	const char *src_addr;
	const char *dst_id;
	u16 port;
	enum kzt_verdict verdict;
	enum kzt_reason reason;
	const char *policy;		/* the deciding one, or NULL */
	struct kzt_tdry dry;
	const char *dst_addr;		/* NULL: none */
};

#define KZT_ALLOW KZT_VERDICT_ALLOW
#define KZT_DENY KZT_VERDICT_DENY
#define KZT_UI KZT_TD "/ns/front/sa/ui"
#define KZT_IP "10.9.0.1"

#define KZT_NO_DRY { }

static const struct kzt_decide_case kzt_decide_cases[] = {
	{ "from and to both match", kzt_clause_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 8080,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-from-to" },
	{ "from matches, to does not", kzt_clause_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 80, KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "to matches, from does not", kzt_clause_policies,
	  KZT_TD "/ns/back/sa/ui", KZT_IP, KZT_PROD_WEB, 9090,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "service account of any trust domain", kzt_clause_policies,
	  "spiffe://other.td/ns/ops/sa/admin", KZT_IP, KZT_PROD_WEB, 9090,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-from-to" },
	{ "service account is exact", kzt_clause_policies,
	  KZT_TD "/ns/ops/sa/admin2", KZT_IP, KZT_PROD_WEB, 9090,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "service account needs an identity", kzt_clause_policies,
	  NULL, KZT_IP, KZT_PROD_WEB, 9090, KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "not-service-account passes a plaintext peer", kzt_clause_policies,
	  NULL, KZT_IP, KZT_STAGING, 22,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-not-sa" },
	{ "not-service-account misses its account", kzt_clause_policies,
	  KZT_TD "/ns/ops/sa/admin", KZT_IP, KZT_STAGING, 22,
	  KZT_ALLOW, KZT_REASON_NO_POLICY },
	{ "destination IP in the block", kzt_clause_policies,
	  KZT_UI, KZT_IP, KZT_STAGING, 80,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-dst", KZT_NO_DRY, "10.8.2.1" },
	{ "destination IP in the hole", kzt_clause_policies,
	  KZT_UI, KZT_IP, KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_NO_POLICY, NULL, KZT_NO_DRY, "10.8.1.1" },
	{ "destination IP is not the source's", kzt_clause_policies,
	  KZT_UI, "10.8.2.1", KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_NO_POLICY, NULL, KZT_NO_DRY, "10.9.0.9" },
	{ "no destination address", kzt_clause_policies,
	  KZT_UI, KZT_IP, KZT_STAGING, 80, KZT_ALLOW, KZT_REASON_NO_POLICY },
	{ "a match without fields matches nothing", kzt_empty_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 80, KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "... but its clause's other match may", kzt_empty_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 81,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "d-empty-or" },
	{ "a clause without any match matches all", kzt_empty_policies,
	  NULL, KZT_IP, KZT_PROD_DB, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "b-empty-clause" },
	{ "... and the other clause must match", kzt_empty_policies,
	  NULL, KZT_IP, KZT_PROD_DB, 81, KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "a rule without clauses matches all", kzt_empty_policies,
	  NULL, "::1", KZT_STAGING, 1,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "c-no-clauses" },
	{ "ALLOW on a workload matches principal and port", kzt_mesh_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 8080,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-web" },
	{ "ALLOW applies, wrong port", kzt_mesh_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 80, KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "ALLOW by principal prefix", kzt_mesh_policies,
	  KZT_TD "/ns/ops/sa/admin", KZT_IP, KZT_PROD_WEB, 9090,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-web" },
	{ "prefix of another field's rule", kzt_mesh_policies,
	  KZT_TD "/ns/ops/sa/admin", KZT_IP, KZT_PROD_WEB, 8080,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "DENY on a namespace beats the ALLOW", kzt_mesh_policies,
	  KZT_TD "/ns/legacy/sa/ui", KZT_IP, KZT_PROD_WEB, 8080,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-legacy" },
	{ "DENY on a namespace, other workload", kzt_mesh_policies,
	  KZT_TD "/ns/legacy/sa/ui", KZT_IP, KZT_PROD_DB, 5432,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-legacy" },
	{ "no policy applies to the workload", kzt_mesh_policies,
	  KZT_UI, KZT_IP, KZT_PROD_DB, 5432, KZT_ALLOW, KZT_REASON_NO_POLICY },
	{ "namespace scope is the destination's", kzt_mesh_policies,
	  KZT_TD "/ns/legacy/sa/ui", KZT_IP, KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_NO_POLICY },
	{ "plaintext peer and an ALLOW on principals", kzt_mesh_policies,
	  NULL, KZT_IP, KZT_PROD_WEB, 8080, KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "destination without ID: only global policies", kzt_mesh_policies,
	  KZT_TD "/ns/legacy/sa/ui", KZT_IP, NULL, 80,
	  KZT_ALLOW, KZT_REASON_NO_POLICY },
	{ "principal suffix", kzt_not_policies,
	  KZT_TD "/ns/a/sa/evil", KZT_IP, KZT_STAGING, 80,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-evil" },
	{ "not-principal '*' denies a plaintext peer", kzt_not_policies,
	  NULL, KZT_IP, KZT_STAGING, 80,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-plaintext" },
	{ "not-principal '*' passes an authenticated peer", kzt_not_policies,
	  KZT_TD "/ns/a/sa/good", KZT_IP, KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_NO_POLICY },
	{ "not-port matches other ports", kzt_not_policies,
	  KZT_UI, KZT_IP, KZT_PROD_DB, 80,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-not-https" },
	{ "not-port misses its port", kzt_not_policies,
	  KZT_UI, KZT_IP, KZT_PROD_DB, 443, KZT_ALLOW, KZT_REASON_NO_POLICY },
	{ "first matching ALLOW in name order", kzt_order_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "b-allow-all" },
	{ "rule without fields matches all", kzt_order_policies,
	  NULL, "::1", KZT_PROD_WEB, 1,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "b-allow-all" },
	{ "global ALLOW elsewhere", kzt_order_policies,
	  KZT_UI, KZT_IP, KZT_TD "/ns/dev/sa/x", 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "c-allow-80" },
	{ "global ALLOW applies everywhere", kzt_order_policies,
	  KZT_UI, KZT_IP, KZT_TD "/ns/dev/sa/x", 81,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "ALLOW without rules matches nothing", kzt_order_policies,
	  KZT_UI, KZT_IP, KZT_STAGING, 81, KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "ALLOW without rules, another ALLOW matches", kzt_order_policies,
	  KZT_UI, KZT_IP, KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "c-allow-80" },
	{ "IPv4 block, last address", kzt_cidr_policies,
	  KZT_UI, "10.1.255.255", KZT_STAGING, 80,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-v4" },
	{ "IPv4 block, first address", kzt_cidr_policies,
	  KZT_UI, "10.1.0.0", KZT_STAGING, 80,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-v4" },
	{ "IPv4 block, next address", kzt_cidr_policies,
	  KZT_UI, "10.2.0.0", KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-v4" },
	{ "IPv4 block, previous address", kzt_cidr_policies,
	  KZT_UI, "10.0.255.255", KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-v4" },
	{ "not-ip-block carves a hole", kzt_cidr_policies,
	  KZT_UI, "10.1.2.255", KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-v4" },
	{ "IPv4-mapped form is IPv4", kzt_cidr_policies,
	  KZT_UI, "::ffff:10.1.3.0", KZT_STAGING, 80,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-v4" },
	{ "IPv6 /127, second address", kzt_cidr_policies,
	  KZT_UI, "2001:db8::1", KZT_STAGING, 80,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-v6" },
	{ "IPv6 /127, third address", kzt_cidr_policies,
	  KZT_UI, "2001:db8::2", KZT_STAGING, 80,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "not-namespace passes a plaintext peer", kzt_ns_policies,
	  NULL, KZT_IP, KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-not-kube" },
	{ "not-namespace prefix", kzt_ns_policies,
	  KZT_TD "/ns/kube-system/sa/x", KZT_IP, KZT_STAGING, 80,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "namespace '*' needs a namespace", kzt_ns_policies,
	  KZT_TD "/ns/kube-system/sa/x", KZT_IP, KZT_PROD_WEB, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-star" },
	{ "ID without /ns/ has no namespace", kzt_ns_policies,
	  KZT_TD "/job/kube-x", KZT_IP, KZT_PROD_WEB, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-not-kube" },
	{ "namespace '*' misses a plaintext peer", kzt_ns_policies + 1,
	  NULL, KZT_IP, KZT_PROD_WEB, 80, KZT_DENY, KZT_REASON_NO_ALLOW_MATCH },
	{ "no policies at all", kzt_ns_policies + 2,
	  NULL, KZT_IP, KZT_PROD_WEB, 80, KZT_ALLOW, KZT_REASON_NO_POLICY },
	{ "dry-run DENY would deny an allowed flow", kzt_dry_policies,
	  KZT_TD "/ns/legacy/sa/ui", KZT_IP, KZT_PROD_DB, 5432,
	  KZT_ALLOW, KZT_REASON_NO_POLICY, NULL,
	  { true, KZT_DENY, KZT_REASON_DENY_POLICY, "dry-deny-legacy" } },
	{ "dry-run ALLOW would allow its match", kzt_dry_policies,
	  KZT_UI, KZT_IP, KZT_PROD_DB, 443, KZT_ALLOW, KZT_REASON_NO_POLICY, NULL,
	  { true, KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "dry-lockdown-db" } },
	{ "dry-run ALLOW would deny the rest", kzt_dry_policies,
	  KZT_UI, KZT_IP, KZT_PROD_DB, 5432, KZT_ALLOW, KZT_REASON_NO_POLICY, NULL,
	  { true, KZT_DENY, KZT_REASON_NO_ALLOW_MATCH } },
	{ "dry-run DENY on an already denied flow", kzt_dry_policies,
	  KZT_TD "/ns/legacy/sa/ui", KZT_IP, KZT_PROD_WEB, 8080,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH, NULL,
	  { true, KZT_DENY, KZT_REASON_DENY_POLICY, "dry-deny-legacy" } },
	{ "dry-run policies that do not match", kzt_dry_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 8080,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-web",
	  { true, KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-web" } },
	{ "dry-run ALLOW would allow a denied flow", kzt_dry_policies,
	  KZT_TD "/ns/ops/sa/admin", KZT_IP, KZT_PROD_WEB, 9090,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH, NULL,
	  { true, KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "z-dry-allow-ops" } },
	{ "enforced DENY decides the dry run too", kzt_dry_policies,
	  KZT_TD "/ns/prod/sa/evil", KZT_IP, KZT_PROD_DB, 443,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-evil",
	  { true, KZT_DENY, KZT_REASON_DENY_POLICY, "deny-evil" } },
	{ "address scope: the selected pod's match", kzt_addr_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 80,
	  KZT_ALLOW, KZT_REASON_ALLOW_POLICY, "allow-selected", KZT_NO_DRY,
	  "10.8.0.1" },
	{ "address scope: the selected pod's miss", kzt_addr_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 8080,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH, NULL, KZT_NO_DRY, "10.8.0.1" },
	{ "address scope: IPv6 address", kzt_addr_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 8080,
	  KZT_DENY, KZT_REASON_NO_ALLOW_MATCH, NULL, KZT_NO_DRY, "2001:db8::1" },
	{ "address scope: DENY on the selected pod", kzt_addr_policies,
	  KZT_TD "/ns/x/sa/evil", KZT_IP, KZT_PROD_WEB, 80,
	  KZT_DENY, KZT_REASON_DENY_POLICY, "deny-selected", KZT_NO_DRY,
	  "10.8.0.1" },
	{ "address scope: same ID, other pod", kzt_addr_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 8080,
	  KZT_ALLOW, KZT_REASON_NO_POLICY, NULL, KZT_NO_DRY, "10.8.0.2" },
	{ "address scope: no destination address", kzt_addr_policies,
	  KZT_UI, KZT_IP, KZT_PROD_WEB, 8080, KZT_ALLOW, KZT_REASON_NO_POLICY },
	{ "no dry-run policy applies", kzt_dry_policies,
	  KZT_TD "/ns/legacy/sa/ui", KZT_IP, KZT_STAGING, 80,
	  KZT_ALLOW, KZT_REASON_NO_POLICY },
};

static void kzt_decide_case_desc(const struct kzt_decide_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_decide, kzt_decide_cases, kzt_decide_case_desc);

static void kzt_tpolicy_expect(struct kunit *test,
			       const struct kzt_policy *got, const char *want)
{
	if (want) {
		KUNIT_ASSERT_NOT_NULL(test, got);
		KUNIT_EXPECT_STREQ(test, kzt_policy_name(got), want);
	} else {
		KUNIT_EXPECT_NULL(test, got);
	}
}

static void kzt_policy_decide_test(struct kunit *test)
{
	const struct kzt_decide_case *c = test->param_value;
	struct kzt_policy_set *set = kzt_tset_make(test, c->policies);
	struct kzt_decision decision;
	struct in6_addr src, dst;
	struct kzt_authz_query query = {
		.src_id = c->src_id,
		.src_addr = &src,
		.dst_addr = c->dst_addr ? &dst : NULL,
		.dst_id = c->dst_id,
		.dst_port = c->port,
	};

	kzt_tparse_addr(test, c->src_addr, &src);
	if (c->dst_addr)
		kzt_tparse_addr(test, c->dst_addr, &dst);
	memset(&decision, 0x5a, sizeof(decision));

	rcu_read_lock();
	kzt_policy_decide(set, &query, &decision);
	rcu_read_unlock();

	KUNIT_EXPECT_EQ(test, decision.verdict, c->verdict);
	KUNIT_EXPECT_EQ(test, decision.reason, c->reason);
	kzt_tpolicy_expect(test, decision.policy, c->policy);

	/* Without a dry-run policy, the dry-run fields repeat the decision. */
	KUNIT_EXPECT_EQ(test, decision.dry_run, c->dry.applies);
	if (!c->dry.applies) {
		KUNIT_EXPECT_EQ(test, decision.dry_verdict, c->verdict);
		KUNIT_EXPECT_EQ(test, decision.dry_reason, c->reason);
		kzt_tpolicy_expect(test, decision.dry_policy, c->policy);
		return;
	}
	KUNIT_EXPECT_EQ(test, decision.dry_verdict, c->dry.verdict);
	KUNIT_EXPECT_EQ(test, decision.dry_reason, c->dry.reason);
	kzt_tpolicy_expect(test, decision.dry_policy, c->dry.policy);
}

/*
 * A new flow (query.count) counts its dry-run verdict once in every
 * dry-run policy that applies, a scope ID given twice included; a question
 * (no count) and the enforced policies count nothing.
 */
static void kzt_policy_dry_run_count_test(struct kunit *test)
{
	static const struct kzt_tdesc descs[] = {
		{ "allow-web", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS, KZT_PROD_WEB,
		  { "" } },
		{ "dry-deny-legacy", KZT_ACTION_DENY, KZT_SCOPE_NAMESPACE, "prod",
		  { "namespace=legacy" }, true },
		{ "dry-twice", KZT_ACTION_ALLOW, KZT_SCOPE_WORKLOADS,
		  KZT_PROD_WEB "," KZT_PROD_DB "," KZT_PROD_WEB, { "port=80" },
		  true },
		{ }
	};
	struct kzt_policy_set *set = kzt_tset_make(test, descs);
	const struct kzt_policy *web = kzt_policy_set_find(set, "allow-web");
	const struct kzt_policy *legacy = kzt_policy_set_find(set, "dry-deny-legacy");
	const struct kzt_policy *twice = kzt_policy_set_find(set, "dry-twice");
	struct kzt_decision decision;
	struct in6_addr src;
	struct kzt_authz_query query = {
		.src_id = KZT_TD "/ns/legacy/sa/ui",
		.src_addr = &src,
		.dst_id = KZT_PROD_WEB,
		.dst_port = 80,
		.count = true,
	};

	kzt_tparse_addr(test, KZT_IP, &src);
	rcu_read_lock();
	/* Allowed by allow-web; would be denied by dry-deny-legacy. */
	kzt_policy_decide(set, &query, &decision);
	KUNIT_EXPECT_EQ(test, decision.verdict, KZT_VERDICT_ALLOW);
	KUNIT_EXPECT_EQ(test, decision.dry_verdict, KZT_VERDICT_DENY);
	/* From ns front: would be allowed. */
	query.src_id = KZT_UI;
	kzt_policy_decide(set, &query, &decision);
	query.dst_port = 81;
	kzt_policy_decide(set, &query, &decision);
	/* Questions, and a destination no dry-run policy applies to. */
	query.count = false;
	kzt_policy_decide(set, &query, &decision);
	query.count = true;
	query.dst_id = KZT_STAGING;
	kzt_policy_decide(set, &query, &decision);
	KUNIT_EXPECT_FALSE(test, decision.dry_run);
	rcu_read_unlock();

	KUNIT_EXPECT_EQ(test, atomic64_read(&legacy->would[KZT_VERDICT_DENY]), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&legacy->would[KZT_VERDICT_ALLOW]), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&twice->would[KZT_VERDICT_DENY]), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&twice->would[KZT_VERDICT_ALLOW]), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&web->would[KZT_VERDICT_DENY]), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&web->would[KZT_VERDICT_ALLOW]), 0);
}

/* ---- kzt_policy_decide() against a naive model ---- */

/* What the model looked at, to prove that the test saw enough. */
struct kzt_r_stats {
	unsigned int reasons[__KZT_REASON_MAX];
	unsigned int dry_runs;		/* flows a dry-run policy applied to */
	unsigned int dry_differs;	/* ... whose dry-run verdict differed */
	/* Fields evaluated, by field and whether a value hit. */
	unsigned int fields[KZT_RULE_FIELDS][2];
	unsigned int empty_matches;	/* evaluated: a match without fields */
	unsigned int empty_clauses;	/* ... a clause without matches */
	unsigned int empty_rules;	/* ... a rule without clauses */
	unsigned int failed_clauses;	/* ... a clause of matches that failed */
	unsigned int later_matches;	/* ... a match past a clause's first hit */
};

struct kzt_tquery {
	bool plaintext;
	char src_id[KZT_T_STR];
	char principal[KZT_T_STR];	/* src_id without "spiffe://" */
	char src_ns[KZT_T_STR];		/* "" when the ID has none */
	char src_sa[KZT_T_STR];		/* "NS/SA", "" when the ID has none */
	struct in6_addr src_addr;
	struct in6_addr dst_addr;
	char dst_id[KZT_T_STR];		/* "" for none */
	char dst_ns[KZT_T_STR];
	u16 port;
	struct kzt_r_stats *stats;	/* NULL: count nothing */
};

static bool kzt_ref_pattern(const char *pattern, const char *s)
{
	size_t plen = strlen(pattern), slen = strlen(s);

	if (!strcmp(pattern, "*"))
		return true;
	if (pattern[0] == '*')
		return slen >= plen - 1 && !strcmp(s + slen - (plen - 1), pattern + 1);
	if (pattern[plen - 1] == '*')
		return slen >= plen - 1 && !strncmp(s, pattern, plen - 1);
	return !strcmp(pattern, s);
}

static bool kzt_ref_in_block(const struct in6_addr *addr,
			     const struct in6_addr *net, unsigned int prefix_len)
{
	unsigned int bit;

	for (bit = 0; bit < prefix_len; bit++) {
		u8 mask = 0x80 >> (bit % 8);

		if ((addr->s6_addr[bit / 8] & mask) != (net->s6_addr[bit / 8] & mask))
			return false;
	}
	return true;
}

static bool kzt_ref_value_hit(unsigned int attr, const struct kzt_tvalue *v,
			      const struct kzt_tquery *q)
{
	switch (attr) {
	case KZT_RULE_A_PRINCIPAL:
	case KZT_RULE_A_NOT_PRINCIPAL:
		return !q->plaintext && kzt_ref_pattern(v->str, q->principal);
	case KZT_RULE_A_NAMESPACE:
	case KZT_RULE_A_NOT_NAMESPACE:
		return q->src_ns[0] && kzt_ref_pattern(v->str, q->src_ns);
	case KZT_RULE_A_SERVICE_ACCOUNT:
	case KZT_RULE_A_NOT_SERVICE_ACCOUNT:
		return q->src_sa[0] && !strcmp(v->str, q->src_sa);
	case KZT_RULE_A_IP_BLOCK:
	case KZT_RULE_A_NOT_IP_BLOCK:
		return kzt_ref_in_block(&q->src_addr, &v->addr, v->prefix_len);
	case KZT_RULE_A_DESTINATION_IP:
	case KZT_RULE_A_NOT_DESTINATION_IP:
		return kzt_ref_in_block(&q->dst_addr, &v->addr, v->prefix_len);
	default:
		return v->port == q->port;
	}
}

/* ztunnel's Match: no field at all matches nothing. */
static bool kzt_ref_match_matches(const struct kzt_tmatch *m,
				  const struct kzt_tquery *q)
{
	unsigned int attr, i, fields = 0;
	bool ok = true;

	for (attr = 1; attr <= KZT_RULE_FIELDS; attr++) {
		bool not = !(attr & 1);		/* NOT_* are even */
		bool hit = false;

		if (!m->n[attr - 1])
			continue;
		fields++;
		for (i = 0; i < m->n[attr - 1]; i++)
			if (kzt_ref_value_hit(attr, &m->v[attr - 1][i], q))
				hit = true;
		if (q->stats)
			q->stats->fields[attr - 1][hit]++;
		if (not == hit)
			ok = false;
	}
	if (!fields && q->stats)
		q->stats->empty_matches++;
	return fields && ok;
}

/* ztunnel's Rule: each clause, each of one match; none at all: true. */
static bool kzt_ref_rule_matches(const struct kzt_tpolicy *p,
				 const struct kzt_trule *rule,
				 const struct kzt_tquery *q)
{
	unsigned int i, j;
	bool hit;

	if (!rule->n_clauses && q->stats)
		q->stats->empty_rules++;
	for (i = 0; i < rule->n_clauses; i++) {
		const struct kzt_tclause *c = &rule->clauses[i];

		if (!c->n_matches) {
			if (q->stats)
				q->stats->empty_clauses++;
			continue;
		}
		hit = false;
		for (j = 0; j < c->n_matches && !hit; j++)
			hit = kzt_ref_match_matches(&p->matches[c->match[j]], q);
		if (hit && j > 1 && q->stats)
			q->stats->later_matches++;	/* not the first match */
		if (!hit) {
			if (q->stats)
				q->stats->failed_clauses++;
			return false;
		}
	}
	return true;
}

static bool kzt_ref_matches(const struct kzt_tpolicy *p,
			    const struct kzt_tquery *q)
{
	unsigned int i;
	bool hit = false;

	/* Every rule, not only up to the first hit: for the statistics. */
	for (i = 0; i < p->n_rules; i++)
		if (kzt_ref_rule_matches(p, &p->rules[i], q))
			hit = true;
	return hit;
}

static bool kzt_ref_applies(const struct kzt_tpolicy *p,
			    const struct kzt_tquery *q)
{
	unsigned int i;

	if (p->scope == KZT_SCOPE_GLOBAL)
		return true;
	if (p->scope == KZT_SCOPE_NAMESPACE)
		return q->dst_ns[0] && !strcmp(p->ns, q->dst_ns);
	for (i = 0; i < p->n_addrs; i++)
		if (ipv6_addr_equal(&p->addrs[i], &q->dst_addr))
			return true;
	for (i = 0; i < p->n_ids; i++)
		if (q->dst_id[0] && !strcmp(p->ids[i], q->dst_id))
			return true;
	return false;
}

/*
 * Policies in name order; returns the deciding one's index or -1. The
 * dry-run policies take part only with @dry_run: the dry-run decision is
 * the decision with them enforced too.
 */
static int kzt_ref_decide(const struct kzt_tpolicy *policies, int n,
			  bool dry_run, const struct kzt_tquery *q,
			  struct kzt_decision *d)
{
	bool allow_applies = false;
	int i;

	for (i = 0; i < n; i++) {
		if (policies[i].dry_run && !dry_run)
			continue;
		if (policies[i].action == KZT_ACTION_DENY &&
		    kzt_ref_applies(&policies[i], q) && kzt_ref_matches(&policies[i], q)) {
			d->verdict = KZT_VERDICT_DENY;
			d->reason = KZT_REASON_DENY_POLICY;
			return i;
		}
	}
	for (i = 0; i < n; i++) {
		if (policies[i].dry_run && !dry_run)
			continue;
		if (policies[i].action == KZT_ACTION_ALLOW &&
		    kzt_ref_applies(&policies[i], q)) {
			allow_applies = true;
			if (kzt_ref_matches(&policies[i], q)) {
				d->verdict = KZT_VERDICT_ALLOW;
				d->reason = KZT_REASON_ALLOW_POLICY;
				return i;
			}
		}
	}
	d->verdict = allow_applies ? KZT_VERDICT_DENY : KZT_VERDICT_ALLOW;
	d->reason = allow_applies ? KZT_REASON_NO_ALLOW_MATCH : KZT_REASON_NO_POLICY;
	return -1;
}

/* Small alphabets, so that policies and flows meet often. */
static const char *const kzt_r_tds[] = { "td", "other" };

static const char *const kzt_r_nss[] = { "a", "b", "kube-x" };

static const char *const kzt_r_sas[] = { "x", "y" };

/* NS/SA of kzt_r_nss and kzt_r_sas, and some no ID has. */
static const char *const kzt_r_service_accounts[] = {
	"a/x", "a/y", "b/x", "kube-x/y", "c/x",
};

static const char *const kzt_r_principals[] = {
	"*", "td/ns/a/sa/x", "td/ns/a/*", "td/*", "*/sa/y", "other/ns/b/sa/x",
	"*x", "td/job/x",
};

static const char *const kzt_r_namespaces[] = { "a", "b", "kube-*", "*", "*-x" };

static const char *const kzt_r_blocks[] = {
	"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "0.0.0.0/0", "2001:db8::/32",
	"::/0",
};

static const char *const kzt_r_addrs[] = {
	"10.1.2.3", "10.1.9.9", "10.200.0.1", "192.168.1.1", "2001:db8::5",
	"2001:db9::5",
};

static const u16 kzt_r_ports[] = { 80, 443, 8080, 22 };

#define KZT_PICK(rnd, array) ({						\
	typeof(array) *__array = &(array);					\
	(*__array)[prandom_u32_state(rnd) % ARRAY_SIZE(*__array)];		\
})

static bool kzt_chance(struct rnd_state *rnd, unsigned int in)
{
	return prandom_u32_state(rnd) % in == 0;
}

/*
 * A workload ID; @ns gets its namespace, @sa "NS/SA" ("" for the /job/
 * form).
 */
static void kzt_r_id(struct rnd_state *rnd, const char *td, char *id, char *ns,
		     char *sa)
{
	const char *name = KZT_PICK(rnd, kzt_r_sas);

	if (kzt_chance(rnd, 8)) {
		snprintf(id, KZT_T_STR, "spiffe://%s/job/x", td);
		ns[0] = '\0';
		sa[0] = '\0';
		return;
	}
	strscpy(ns, KZT_PICK(rnd, kzt_r_nss), KZT_T_STR);
	snprintf(id, KZT_T_STR, "spiffe://%s/ns/%s/sa/%s", td, ns, name);
	snprintf(sa, KZT_T_STR, "%s/%s", ns, name);
}

/* Random fields; none with chance 1/@empty_in. */
static void kzt_r_match(struct kunit *test, struct rnd_state *rnd,
			struct kzt_tmatch *m, unsigned int empty_in)
{
	unsigned int field, i;

	memset(m, 0, sizeof(*m));
	if (kzt_chance(rnd, empty_in))
		return;
	for (field = 0; field < KZT_RULE_FIELDS; field++) {
		if (!kzt_chance(rnd, 6))
			continue;
		m->n[field] = 1 + prandom_u32_state(rnd) % 2;
		for (i = 0; i < m->n[field]; i++) {
			struct kzt_tvalue *v = &m->v[field][i];

			switch (kzt_rule_field_kind(field)) {
			case KZT_RULE_A_PRINCIPAL:
				strscpy(v->str, KZT_PICK(rnd, kzt_r_principals), KZT_T_STR);
				break;
			case KZT_RULE_A_NAMESPACE:
				strscpy(v->str, KZT_PICK(rnd, kzt_r_namespaces), KZT_T_STR);
				break;
			case KZT_RULE_A_SERVICE_ACCOUNT:
				strscpy(v->str, KZT_PICK(rnd, kzt_r_service_accounts),
					KZT_T_STR);
				break;
			case KZT_RULE_A_IP_BLOCK:
			case KZT_RULE_A_DESTINATION_IP:
				kzt_tparse_cidr(test, KZT_PICK(rnd, kzt_r_blocks),
						&v->addr, &v->prefix_len);
				break;
			default:
				v->port = kzt_r_ports[prandom_u32_state(rnd) % 3];
			}
		}
	}
	/* The short form needs a field: port 22 is the one no rule names. */
	if (empty_in == U32_MAX && !memchr_inv(m->n, 0, sizeof(m->n))) {
		m->n[KZT_RULE_A_NOT_PORT - 1] = 1;
		m->v[KZT_RULE_A_NOT_PORT - 1][0].port = 22;
	}
}

/*
 * A rule of no clauses (1/6), of the short form (1/3), or of 1..3
 * clauses of 0..3 matches.
 */
static void kzt_r_rule(struct kunit *test, struct rnd_state *rnd,
		       struct kzt_tpolicy *p, struct kzt_trule *rule)
{
	unsigned int form = prandom_u32_state(rnd) % 6, i, j;

	memset(rule, 0, sizeof(*rule));
	if (form == 0 || p->n_matches == KZT_T_POOL)
		return;
	if (form <= 2) {
		rule->short_form = true;
		rule->n_clauses = 1;
		rule->clauses[0].n_matches = 1;
		rule->clauses[0].match[0] = kzt_tnew_match(test, p);
		kzt_r_match(test, rnd, &p->matches[rule->clauses[0].match[0]],
			    U32_MAX);
		return;
	}
	rule->n_clauses = 1 + prandom_u32_state(rnd) % KZT_T_CLAUSES;
	for (i = 0; i < rule->n_clauses; i++) {
		struct kzt_tclause *c = &rule->clauses[i];

		c->n_matches = kzt_chance(rnd, 8) ? 0 :
			       1 + prandom_u32_state(rnd) % KZT_T_MATCHES;
		for (j = 0; j < c->n_matches && p->n_matches < KZT_T_POOL; j++) {
			c->match[j] = kzt_tnew_match(test, p);
			kzt_r_match(test, rnd, &p->matches[c->match[j]], 10);
		}
		c->n_matches = j;
	}
}

static void kzt_r_policy(struct kunit *test, struct rnd_state *rnd,
			 unsigned int i, struct kzt_tpolicy *p)
{
	char ns[KZT_T_STR], sa[KZT_T_STR];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, KZT_T_STR, "p%02u", i);
	p->action = kzt_chance(rnd, 3) ? KZT_ACTION_DENY : KZT_ACTION_ALLOW;
	p->dry_run = kzt_chance(rnd, 4);
	p->scope = prandom_u32_state(rnd) % __KZT_SCOPE_MAX;
	if (p->scope == KZT_SCOPE_NAMESPACE)
		strscpy(p->ns, KZT_PICK(rnd, kzt_r_nss), KZT_T_STR);
	if (p->scope == KZT_SCOPE_WORKLOADS) {
		p->n_ids = 1 + prandom_u32_state(rnd) % 2;
		for (i = 0; i < p->n_ids; i++)
			kzt_r_id(rnd, "td", p->ids[i], ns, sa);
	}
	if (p->scope == KZT_SCOPE_ADDRESSES) {
		p->n_addrs = 1 + prandom_u32_state(rnd) % 2;
		for (i = 0; i < p->n_addrs; i++)
			kzt_tparse_addr(test, KZT_PICK(rnd, kzt_r_addrs),
					&p->addrs[i]);
	}
	p->n_rules = prandom_u32_state(rnd) % 3;
	for (i = 0; i < p->n_rules; i++)
		kzt_r_rule(test, rnd, p, &p->rules[i]);
}

static void kzt_r_query(struct kunit *test, struct rnd_state *rnd,
			struct kzt_tquery *q)
{
	char sa[KZT_T_STR];

	memset(q, 0, sizeof(*q));
	q->plaintext = kzt_chance(rnd, 5);
	if (!q->plaintext) {
		kzt_r_id(rnd, KZT_PICK(rnd, kzt_r_tds), q->src_id, q->src_ns,
			 q->src_sa);
		strscpy(q->principal, q->src_id + strlen("spiffe://"), KZT_T_STR);
	}
	kzt_tparse_addr(test, KZT_PICK(rnd, kzt_r_addrs), &q->src_addr);
	kzt_tparse_addr(test, KZT_PICK(rnd, kzt_r_addrs), &q->dst_addr);
	if (!kzt_chance(rnd, 10))
		kzt_r_id(rnd, "td", q->dst_id, q->dst_ns, sa);
	q->port = KZT_PICK(rnd, kzt_r_ports);
}

#define KZT_R_SETS	30
#define KZT_R_POLICIES	12
#define KZT_R_QUERIES	150

/*
 * @n policies staged in the order @order as a transaction does, each
 * staged twice (the second time replacing), then sealed.
 */
static struct kzt_policy_set *kzt_r_staged_set(struct kunit *test,
					       struct kzt_tpolicy *policies,
					       const unsigned int *order,
					       unsigned int n)
{
	struct kzt_policy_set *set = NULL;
	struct kzt_policy *policy;
	unsigned int i;

	for (i = 0; i < n; i++) {
		policy = kzt_tpolicy_make(test, &policies[order[i]]);
		KUNIT_ASSERT_EQ(test, kzt_policy_set_stage(&set, policy, false, NULL), 0);
		KUNIT_ASSERT_EQ(test, kzt_policy_set_stage(&set, policy, false, NULL),
				-EEXIST);
		policy = kzt_tpolicy_make(test, &policies[order[i]]);
		KUNIT_ASSERT_EQ(test, kzt_policy_set_stage(&set, policy, true, NULL), 0);
		KUNIT_ASSERT_EQ(test, kzt_policy_set_len(set), i + 1);
	}
	KUNIT_ASSERT_EQ(test, kzt_policy_set_seal(set), 0);
	for (i = 1; i < n; i++)
		KUNIT_ASSERT_LT(test, strcmp(kzt_policy_name(kzt_policy_set_at(set, i - 1)),
					     kzt_policy_name(kzt_policy_set_at(set, i))), 0);
	return kzt_tset_keep(test, set);
}

/*
 * The dry-run decision of a flow against the model's, and what the model
 * counts for it in the dry-run policies that apply (@would).
 */
static void kzt_r_dry_run_expect(struct kunit *test,
				 const struct kzt_tpolicy *policies,
				 unsigned int n, const struct kzt_tquery *q,
				 const struct kzt_policy_set *set,
				 const struct kzt_decision *got,
				 u64 (*would)[__KZT_VERDICT_MAX],
				 struct kzt_r_stats *stats)
{
	struct kzt_decision want;
	bool applies = false;
	unsigned int i;
	int pos;

	pos = kzt_ref_decide(policies, n, true, q, &want);
	for (i = 0; i < n; i++)
		if (policies[i].dry_run && kzt_ref_applies(&policies[i], q)) {
			applies = true;
			would[i][want.verdict]++;
		}
	KUNIT_ASSERT_EQ(test, got->dry_run, applies);
	if (!applies)
		return;
	stats->dry_runs++;
	stats->dry_differs += want.verdict != got->verdict;
	KUNIT_ASSERT_EQ(test, got->dry_verdict, want.verdict);
	KUNIT_ASSERT_EQ(test, got->dry_reason, want.reason);
	KUNIT_ASSERT_PTR_EQ(test, got->dry_policy,
			    pos < 0 ? NULL : kzt_policy_set_at(set, pos));
}

/*
 * One random set, made in a random order (copy on write in even rounds,
 * staged and sealed in odd ones), and many random flows, each counted as
 * a new flow.
 */
static void kzt_r_round(struct kunit *test, struct rnd_state *rnd,
			struct kzt_tpolicy *policies, unsigned int round,
			struct kzt_r_stats *stats)
{
	unsigned int n = 1 + prandom_u32_state(rnd) % KZT_R_POLICIES;
	unsigned int order[KZT_R_POLICIES], i, j;
	u64 would[KZT_R_POLICIES][__KZT_VERDICT_MAX] = { };
	struct kzt_policy_set *set = NULL;
	struct kzt_decision want, got;
	struct kzt_tquery q;
	int pos;

	for (i = 0; i < n; i++) {
		kzt_r_policy(test, rnd, i, &policies[i]);
		j = prandom_u32_state(rnd) % (i + 1);	/* shuffle the order */
		order[i] = order[j];
		order[j] = i;
	}
	for (i = 0; i < n && round % 2 == 0; i++) {
		struct kzt_policy *policy = kzt_tpolicy_make(test, &policies[order[i]]);

		set = kzt_tset_keep(test, kzt_policy_set_add(set, policy, false, NULL));
	}
	if (round % 2)
		set = kzt_r_staged_set(test, policies, order, n);
	KUNIT_ASSERT_EQ(test, kzt_policy_set_len(set), n);

	for (i = 0; i < KZT_R_QUERIES; i++) {
		struct kzt_authz_query query;

		kzt_r_query(test, rnd, &q);
		query = (struct kzt_authz_query){
			.src_id = q.plaintext ? NULL : q.src_id,
			.src_addr = &q.src_addr,
			.dst_addr = &q.dst_addr,
			.dst_id = q.dst_id[0] ? q.dst_id : NULL,
			.dst_port = q.port,
			.count = true,
		};
		/* The verdict is the one without the dry-run policies. */
		q.stats = stats;
		pos = kzt_ref_decide(policies, n, false, &q, &want);
		q.stats = NULL;

		rcu_read_lock();
		kzt_policy_decide(set, &query, &got);
		rcu_read_unlock();

		KUNIT_ASSERT_EQ_MSG(test, got.verdict, want.verdict,
				    "round %u query %u: %s -> %s:%u", round, i,
				    q.src_id, q.dst_id, q.port);
		KUNIT_ASSERT_EQ_MSG(test, got.reason, want.reason,
				    "round %u query %u", round, i);
		KUNIT_ASSERT_PTR_EQ_MSG(test, got.policy,
					pos < 0 ? NULL : kzt_policy_set_at(set, pos),
					"round %u query %u", round, i);
		kzt_r_dry_run_expect(test, policies, n, &q, set, &got, would,
				     stats);
		stats->reasons[want.reason]++;
	}
	for (i = 0; i < n; i++) {
		const struct kzt_policy *policy =
			kzt_policy_set_find(set, policies[i].name);

		for (j = 0; j < __KZT_VERDICT_MAX; j++)
			KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&policy->would[j]),
					    would[i][j], "round %u policy %u", round, i);
	}
}

static void kzt_policy_decide_differential_test(struct kunit *test)
{
	struct kzt_r_stats stats = { };
	unsigned int *reasons = stats.reasons, round, r;
	struct kzt_tpolicy *policies;
	struct rnd_state rnd;

	policies = vcalloc(KZT_R_POLICIES, sizeof(*policies));
	KUNIT_ASSERT_NOT_NULL(test, policies);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_ptest_vfree,
							policies), 0);
	prandom_seed_state(&rnd, 20261126);

	for (round = 0; round < KZT_R_SETS; round++)
		kzt_r_round(test, &rnd, policies, round, &stats);

	/* The alphabets are small enough for every outcome to be common. */
	kunit_info(test, "reasons: no policy %u, allow %u, deny %u, no allow match %u\n",
		   reasons[0], reasons[1], reasons[2], reasons[3]);
	for (r = 0; r < __KZT_REASON_MAX; r++)
		KUNIT_EXPECT_GT(test, reasons[r], KZT_R_SETS * KZT_R_QUERIES / 20);
	kunit_info(test, "dry runs %u, with another verdict %u\n",
		   stats.dry_runs, stats.dry_differs);
	KUNIT_EXPECT_GT(test, stats.dry_runs, KZT_R_SETS * KZT_R_QUERIES / 10);
	KUNIT_EXPECT_GT(test, stats.dry_differs, KZT_R_SETS * KZT_R_QUERIES / 50);

	/* Every field both hit and missed; every empty case and the ORs. */
	for (r = 0; r < KZT_RULE_FIELDS; r++) {
		kunit_info(test, "%s: hit %u, missed %u\n", kzt_tfield_names[r],
			   stats.fields[r][1], stats.fields[r][0]);
		KUNIT_EXPECT_GT(test, stats.fields[r][1], 100);
		KUNIT_EXPECT_GT(test, stats.fields[r][0], 100);
	}
	kunit_info(test, "empty matches %u, clauses %u, rules %u; failed clauses %u, clauses hit past their first match %u\n",
		   stats.empty_matches, stats.empty_clauses, stats.empty_rules,
		   stats.failed_clauses, stats.later_matches);
	KUNIT_EXPECT_GT(test, stats.empty_matches, 100);
	KUNIT_EXPECT_GT(test, stats.empty_clauses, 100);
	KUNIT_EXPECT_GT(test, stats.empty_rules, 100);
	KUNIT_EXPECT_GT(test, stats.failed_clauses, 100);
	KUNIT_EXPECT_GT(test, stats.later_matches, 100);
}

static struct kunit_case kzt_policy_test_cases[] = {
	KUNIT_CASE_PARAM(kzt_policy_roundtrip_test, kzt_good_gen_params),
	KUNIT_CASE(kzt_policy_fill_too_small_test),
	KUNIT_CASE(kzt_policy_canonical_test),
	KUNIT_CASE_PARAM(kzt_policy_bad_request_test, kzt_bad_gen_params),
	KUNIT_CASE(kzt_policy_set_add_test),
	KUNIT_CASE(kzt_policy_set_replace_test),
	KUNIT_CASE(kzt_policy_set_del_test),
	KUNIT_CASE(kzt_policy_set_full_test),
	KUNIT_CASE(kzt_policy_set_free_rcu_test),
	KUNIT_CASE_PARAM(kzt_policy_decide_test, kzt_decide_gen_params),
	KUNIT_CASE(kzt_policy_dry_run_count_test),
	KUNIT_CASE(kzt_policy_decide_differential_test),
	{}
};

static struct kunit_suite kzt_policy_suite = {
	.name = "kzt_policy",
	.test_cases = kzt_policy_test_cases,
};

kunit_test_suite(kzt_policy_suite);
