// SPDX-License-Identifier: GPL-2.0
/*
 * Policies in their netlink form: the POLICY_ADD attribute policy, checking
 * a request and building the one allocation a policy lives in, and putting
 * a policy back into attributes for GET replies and dumps.
 *
 * A request is read twice: a first pass validates every attribute and
 * counts what the policy needs (kzt_policy_measure()), a second copies it
 * into an allocation of exactly that size (kzt_policy_build()), which then
 * cannot fail.
 */
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include "policy_internal.h"
#include "spiffe.h"

static const struct nla_policy kzt_cidr_nl_policy[KZT_CIDR_A_MAX + 1] = {
	[KZT_CIDR_A_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KZT_CIDR_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* Every field may repeat (multi-attr), up to KZT_RULE_VALUES_MAX times. */
static const struct nla_policy kzt_rule_nl_policy[KZT_RULE_A_MAX + 1] = {
	[KZT_RULE_A_PRINCIPAL] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_RULE_A_NOT_PRINCIPAL] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_RULE_A_NAMESPACE] = { .type = NLA_NUL_STRING, .len = KZT_NAMESPACE_MAX },
	[KZT_RULE_A_NOT_NAMESPACE] = { .type = NLA_NUL_STRING, .len = KZT_NAMESPACE_MAX },
	[KZT_RULE_A_IP_BLOCK] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_RULE_A_NOT_IP_BLOCK] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_RULE_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KZT_RULE_A_NOT_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

/*
 * SCOPE_ID and RULE repeat (multi-attr); the others are single. The
 * counters (WOULD_ALLOW, WOULD_DENY) are only for replies: having no entry,
 * strict validation refuses them in a request.
 */
const struct nla_policy kzt_policy_add_nl_policy[KZT_POLICY_A_MAX + 1] = {
	[KZT_POLICY_A_NAME] = { .type = NLA_NUL_STRING, .len = KZT_POLICY_NAME_MAX },
	[KZT_POLICY_A_ACTION] = NLA_POLICY_MAX(NLA_U8, __KZT_ACTION_MAX - 1),
	[KZT_POLICY_A_SCOPE] = NLA_POLICY_MAX(NLA_U8, __KZT_SCOPE_MAX - 1),
	[KZT_POLICY_A_NAMESPACE] = { .type = NLA_NUL_STRING, .len = KZT_NAMESPACE_MAX },
	[KZT_POLICY_A_SCOPE_ID] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_POLICY_A_RULE] = NLA_POLICY_NESTED(kzt_rule_nl_policy),
	[KZT_POLICY_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __KZT_POLICY_F_ALL),
	[KZT_POLICY_A_TXN] = NLA_POLICY_MIN(NLA_U32, 1),
	[KZT_POLICY_A_DRY_RUN] = { .type = NLA_FLAG },
};
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_add_nl_policy);

/* Field names as kztctl spells them, for error messages. */
static const char *const kzt_rule_field_names[KZT_RULE_FIELDS] = {
	[KZT_RULE_A_PRINCIPAL - 1] = "principal",
	[KZT_RULE_A_NOT_PRINCIPAL - 1] = "not-principal",
	[KZT_RULE_A_NAMESPACE - 1] = "namespace",
	[KZT_RULE_A_NOT_NAMESPACE - 1] = "not-namespace",
	[KZT_RULE_A_IP_BLOCK - 1] = "ip-block",
	[KZT_RULE_A_NOT_IP_BLOCK - 1] = "not-ip-block",
	[KZT_RULE_A_PORT - 1] = "port",
	[KZT_RULE_A_NOT_PORT - 1] = "not-port",
};

/* What kzt_rule_field_is_not() and kzt_rule_field_kind() rely on. */
static_assert(KZT_RULE_A_PRINCIPAL + 1 == KZT_RULE_A_NOT_PRINCIPAL &&
	      KZT_RULE_A_NOT_PRINCIPAL + 1 == KZT_RULE_A_NAMESPACE &&
	      KZT_RULE_A_NAMESPACE + 1 == KZT_RULE_A_NOT_NAMESPACE &&
	      KZT_RULE_A_NOT_NAMESPACE + 1 == KZT_RULE_A_IP_BLOCK &&
	      KZT_RULE_A_IP_BLOCK + 1 == KZT_RULE_A_NOT_IP_BLOCK &&
	      KZT_RULE_A_NOT_IP_BLOCK + 1 == KZT_RULE_A_PORT &&
	      KZT_RULE_A_PORT + 1 == KZT_RULE_A_NOT_PORT &&
	      KZT_RULE_A_UNSPEC + 1 == KZT_RULE_A_PRINCIPAL);

/* What a policy needs, counted by the checking pass. */
struct kzt_policy_layout {
	u32 n_scope_ids;
	u32 n_rules;
	u32 n_patterns;
	u32 n_cidrs;
	u32 n_ports;
	size_t strings;		/* bytes of every string, NULs included */
};

static size_t kzt_nla_strlen(const struct nlattr *nla)
{
	/* NLA_NUL_STRING validation guarantees the NUL. */
	return strnlen(nla_data(nla), nla_len(nla));
}

/* Principals and namespaces, and their not-forms. */
static bool kzt_is_rule_string(unsigned int field)
{
	return kzt_rule_field_kind(field) == KZT_RULE_A_PRINCIPAL ||
	       kzt_rule_field_kind(field) == KZT_RULE_A_NAMESPACE;
}

static bool kzt_is_rule_cidr(unsigned int field)
{
	return kzt_rule_field_kind(field) == KZT_RULE_A_IP_BLOCK;
}

/* Sort @s into a match kind; NULL, or why it is no pattern. */
static const char *kzt_pattern_kind(const char *s, size_t len, u8 *kind)
{
	const char *star = memchr(s, '*', len);

	*kind = KZT_MATCH_EXACT;
	if (!len)
		return "is empty";
	if (!star)
		return NULL;
	if (len == 1)
		*kind = KZT_MATCH_ANY;
	else if (memchr(star + 1, '*', s + len - star - 1))
		return "may hold one '*' only";
	else if (star == s)
		*kind = KZT_MATCH_SUFFIX;
	else if (star == s + len - 1)
		*kind = KZT_MATCH_PREFIX;
	else
		return "may have '*' only alone, at the start or at the end";
	return NULL;
}

/* A principal or namespace value of a rule; NULL, or what is wrong. */
static const char *kzt_rule_string_check(unsigned int field, const char *s,
					 size_t len)
{
	const char *err;
	size_t i;
	u8 kind;

	err = kzt_pattern_kind(s, len, &kind);
	if (err)
		return err;
	if (kzt_rule_field_kind(field) == KZT_RULE_A_PRINCIPAL) {
		if (len >= KZT_SPIFFE_SCHEME_LEN &&
		    !memcmp(s, KZT_SPIFFE_SCHEME, KZT_SPIFFE_SCHEME_LEN))
			return "must not have the \"spiffe://\" scheme (as in td/ns/NS/sa/SA)";
		return NULL;
	}
	for (i = 0; i < len; i++)
		if (s[i] != '*' && !kzt_spiffe_path_char(s[i]))
			return "has an invalid character (allowed: A-Za-z0-9 . - _ *)";
	return NULL;
}

static int kzt_cidr_parse(const struct nlattr *nla, struct kzt_cidr *cidr,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KZT_CIDR_A_MAX + 1];
	struct in6_addr net;
	int err;

	err = nla_parse_nested(tb, KZT_CIDR_A_MAX, nla, kzt_cidr_nl_policy,
			       extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, KZT_CIDR_A_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, KZT_CIDR_A_PREFIX_LEN)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "IP block needs an address and a prefix length");
		return -EINVAL;
	}
	cidr->addr = nla_get_in6_addr(tb[KZT_CIDR_A_ADDR]);
	cidr->prefix_len = nla_get_u8(tb[KZT_CIDR_A_PREFIX_LEN]);
	ipv6_addr_prefix(&net, &cidr->addr, cidr->prefix_len);
	if (!ipv6_addr_equal(&net, &cidr->addr)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KZT_CIDR_A_ADDR],
				    "IP block has host bits set below its prefix length");
		return -EINVAL;
	}
	return 0;
}

/* Check one value of a rule field and count what it needs. */
static int kzt_rule_value_measure(unsigned int field, const struct nlattr *nla,
				  struct kzt_policy_layout *lay,
				  struct netlink_ext_ack *extack)
{
	struct kzt_cidr cidr;
	const char *err;
	size_t len;

	if (kzt_is_rule_cidr(field)) {
		lay->n_cidrs++;
		return kzt_cidr_parse(nla, &cidr, extack);
	}
	if (!kzt_is_rule_string(field)) {
		lay->n_ports++;
		return 0;
	}
	len = kzt_nla_strlen(nla);
	err = kzt_rule_string_check(field, nla_data(nla), len);
	if (err) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, nla, "%s %s",
					kzt_rule_field_names[field], err);
		return -EINVAL;
	}
	lay->n_patterns++;
	lay->strings += len + 1;
	return 0;
}

static int kzt_rule_measure(const struct nlattr *rule,
			    struct kzt_policy_layout *lay,
			    struct netlink_ext_ack *extack)
{
	unsigned int count[KZT_RULE_FIELDS] = { 0 };
	const struct nlattr *nla;
	unsigned int field;
	int rem, err;

	err = nla_validate_nested(rule, KZT_RULE_A_MAX, kzt_rule_nl_policy,
				  extack);
	if (err)
		return err;
	nla_for_each_nested(nla, rule, rem) {
		field = nla_type(nla) - 1;
		if (++count[field] > KZT_RULE_VALUES_MAX) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, nla,
						"%s: more than %d values in one rule",
						kzt_rule_field_names[field],
						KZT_RULE_VALUES_MAX);
			return -EINVAL;
		}
		err = kzt_rule_value_measure(field, nla, lay, extack);
		if (err)
			return err;
	}
	lay->n_rules++;
	return 0;
}

/* Where the scope's attribute is required, and where it is refused. */
static int kzt_scope_check(struct nlattr **tb, u32 n_scope_ids,
			   struct netlink_ext_ack *extack)
{
	enum kzt_scope scope = nla_get_u8(tb[KZT_POLICY_A_SCOPE]);
	const struct nlattr *ns = tb[KZT_POLICY_A_NAMESPACE];
	const char *s;
	size_t i;

	if (ns && scope != KZT_SCOPE_NAMESPACE) {
		NL_SET_ERR_MSG_ATTR(extack, ns,
				    "namespace is only for a policy of scope namespace");
		return -EINVAL;
	}
	if (n_scope_ids && scope != KZT_SCOPE_WORKLOADS) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KZT_POLICY_A_SCOPE_ID],
				    "scope IDs are only for a policy of scope workloads");
		return -EINVAL;
	}
	if (scope == KZT_SCOPE_WORKLOADS && !n_scope_ids) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KZT_POLICY_A_SCOPE],
				    "a policy of scope workloads needs at least one scope ID");
		NL_SET_ERR_ATTR_MISS(extack, NULL, KZT_POLICY_A_SCOPE_ID);
		return -EINVAL;
	}
	if (scope != KZT_SCOPE_NAMESPACE)
		return 0;
	if (!ns) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KZT_POLICY_A_SCOPE],
				    "a policy of scope namespace needs its namespace");
		NL_SET_ERR_ATTR_MISS(extack, NULL, KZT_POLICY_A_NAMESPACE);
		return -EINVAL;
	}
	s = nla_data(ns);
	for (i = 0; s[i]; i++)
		if (!kzt_spiffe_path_char(s[i]))
			break;
	if (!i || s[i]) {
		NL_SET_ERR_MSG_ATTR(extack, ns,
				    "namespace must be a non-empty string of A-Za-z0-9 . - _");
		return -EINVAL;
	}
	return 0;
}

static int kzt_scope_id_measure(const struct nlattr *nla,
				struct kzt_policy_layout *lay,
				struct netlink_ext_ack *extack)
{
	size_t len = kzt_nla_strlen(nla);
	const char *err;

	if (++lay->n_scope_ids > KZT_SCOPE_IDS_MAX) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, nla, "more than %d scope IDs",
					KZT_SCOPE_IDS_MAX);
		return -EINVAL;
	}
	err = kzt_spiffe_parse(nla_data(nla), len, NULL);
	if (err) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, nla, "scope ID: %s", err);
		return -EINVAL;
	}
	lay->strings += len + 1;
	return 0;
}

/*
 * Walk the stream for what repeats (SCOPE_ID, RULE); the table holds the
 * single attributes, which must not repeat.
 */
static int kzt_repeated_measure(const struct nlattr *attrs, int len,
				struct kzt_policy_layout *lay,
				struct netlink_ext_ack *extack)
{
	bool seen[KZT_POLICY_A_MAX + 1] = { };
	const struct nlattr *nla;
	int rem, err;

	nla_for_each_attr(nla, attrs, len, rem) {
		int type = nla_type(nla);

		if (type == KZT_POLICY_A_SCOPE_ID) {
			err = kzt_scope_id_measure(nla, lay, extack);
		} else if (type == KZT_POLICY_A_RULE) {
			err = -EINVAL;
			if (lay->n_rules == KZT_POLICY_RULES_MAX)
				NL_SET_ERR_MSG_ATTR_FMT(extack, nla, "more than %d rules",
							KZT_POLICY_RULES_MAX);
			else
				err = kzt_rule_measure(nla, lay, extack);
		} else {
			err = seen[type] ? -EINVAL : 0;
			if (err)
				NL_SET_ERR_MSG_ATTR(extack, nla,
						    "attribute given twice (only scope IDs and rules repeat)");
			seen[type] = true;
		}
		if (err)
			return err;
	}
	return 0;
}

/* Validate a whole request; fill @lay with what the policy needs. */
static int kzt_policy_measure(struct nlattr **tb,
			      const struct nlattr *attrs, int len,
			      struct kzt_policy_layout *lay,
			      struct netlink_ext_ack *extack)
{
	int err;

	if (NL_REQ_ATTR_CHECK(extack, NULL, tb, KZT_POLICY_A_NAME)) {
		NL_SET_ERR_MSG(extack, "policy name missing");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, NULL, tb, KZT_POLICY_A_ACTION)) {
		NL_SET_ERR_MSG(extack, "policy action missing");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, NULL, tb, KZT_POLICY_A_SCOPE)) {
		NL_SET_ERR_MSG(extack, "policy scope missing");
		return -EINVAL;
	}
	if (!kzt_nla_strlen(tb[KZT_POLICY_A_NAME])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KZT_POLICY_A_NAME],
				    "policy name is empty");
		return -EINVAL;
	}
	err = kzt_repeated_measure(attrs, len, lay, extack);
	if (err)
		return err;
	err = kzt_scope_check(tb, lay->n_scope_ids, extack);
	if (err)
		return err;
	lay->strings += kzt_nla_strlen(tb[KZT_POLICY_A_NAME]) + 1;
	if (tb[KZT_POLICY_A_NAMESPACE])
		lay->strings += kzt_nla_strlen(tb[KZT_POLICY_A_NAMESPACE]) + 1;
	return 0;
}

/* Where the building pass copies to, inside the new policy. */
struct kzt_policy_builder {
	struct kzt_policy *policy;
	struct kzt_pattern *scope_ids;
	struct kzt_rule *rules;
	struct kzt_pattern *patterns;
	struct kzt_cidr *cidrs;
	u16 *ports;
	char *strings;
};

/* The arrays follow the header by decreasing alignment: no padding. */
static_assert(__alignof__(struct kzt_policy) >= __alignof__(struct kzt_pattern) &&
	      __alignof__(struct kzt_pattern) >= __alignof__(struct kzt_rule) &&
	      __alignof__(struct kzt_rule) >= __alignof__(struct kzt_cidr) &&
	      __alignof__(struct kzt_cidr) >= __alignof__(u16));

static size_t kzt_policy_size(const struct kzt_policy_layout *lay)
{
	size_t size = sizeof(struct kzt_policy);

	size = size_add(size, array_size(lay->n_scope_ids + lay->n_patterns,
					 sizeof(struct kzt_pattern)));
	size = size_add(size, array_size(lay->n_rules, sizeof(struct kzt_rule)));
	size = size_add(size, array_size(lay->n_cidrs, sizeof(struct kzt_cidr)));
	size = size_add(size, array_size(lay->n_ports, sizeof(u16)));
	return size_add(size, lay->strings);
}

static void kzt_builder_init(struct kzt_policy_builder *b,
			     struct kzt_policy *policy,
			     const struct kzt_policy_layout *lay)
{
	b->policy = policy;
	b->scope_ids = (struct kzt_pattern *)(policy + 1);
	b->patterns = b->scope_ids + lay->n_scope_ids;
	b->rules = (struct kzt_rule *)(b->patterns + lay->n_patterns);
	b->cidrs = (struct kzt_cidr *)(b->rules + lay->n_rules);
	b->ports = (u16 *)(b->cidrs + lay->n_cidrs);
	b->strings = (char *)(b->ports + lay->n_ports);

	policy->scope_ids = b->scope_ids;
	policy->patterns = b->patterns;
	policy->rules = b->rules;
	policy->cidrs = b->cidrs;
	policy->ports = b->ports;
}

/* Copy a string attribute; add its attribute to the message size. */
static void kzt_builder_string(struct kzt_policy_builder *b,
			       const struct nlattr *nla,
			       struct kzt_pattern *pattern, size_t *msg_size)
{
	size_t len = kzt_nla_strlen(nla);

	memcpy(b->strings, nla_data(nla), len);
	b->strings[len] = '\0';
	pattern->text = b->strings;
	pattern->len = len;
	pattern->kind = KZT_MATCH_EXACT;
	b->strings += len + 1;
	*msg_size += nla_total_size(len + 1);
}

static void kzt_builder_value(struct kzt_policy_builder *b, unsigned int field,
			      const struct nlattr *nla, size_t *msg_size)
{
	if (kzt_is_rule_string(field)) {
		kzt_builder_string(b, nla, b->patterns, msg_size);
		/* Checked by the measuring pass: a valid pattern. */
		kzt_pattern_kind(b->patterns->text, b->patterns->len,
				 &b->patterns->kind);
		b->patterns++;
	} else if (kzt_is_rule_cidr(field)) {
		/* Checked by the measuring pass: cannot fail now. */
		kzt_cidr_parse(nla, b->cidrs++, NULL);
		*msg_size += nla_total_size(nla_total_size(sizeof(struct in6_addr)) +
					    nla_total_size(sizeof(u8)));
	} else {
		*(b->ports++) = nla_get_u16(nla);
		*msg_size += nla_total_size(sizeof(u16));
	}
}

/* A rule's values, field by field, so each field's are contiguous. */
static void kzt_builder_rule(struct kzt_policy_builder *b,
			     const struct nlattr *rule)
{
	const struct kzt_policy *policy = b->policy;
	struct kzt_rule *r = b->rules++;
	size_t msg_size = 0;
	const struct nlattr *nla;
	unsigned int field;
	int rem;

	for (field = 0; field < KZT_RULE_FIELDS; field++) {
		if (kzt_is_rule_string(field))
			r->field[field].first = b->patterns - policy->patterns;
		else if (kzt_is_rule_cidr(field))
			r->field[field].first = b->cidrs - policy->cidrs;
		else
			r->field[field].first = b->ports - policy->ports;
		nla_for_each_nested_type(nla, field + 1, rule, rem) {
			kzt_builder_value(b, field, nla, &msg_size);
			r->field[field].n++;
		}
	}
	b->policy->msg_size += nla_total_size(msg_size);
}

static void kzt_policy_build(struct kzt_policy *policy,
			     struct nlattr **tb,
			     const struct nlattr *attrs, int len,
			     const struct kzt_policy_layout *lay)
{
	struct kzt_policy_builder b;
	const struct nlattr *nla;
	int rem;

	kzt_builder_init(&b, policy, lay);
	refcount_set(&policy->ref, 1);
	policy->action = nla_get_u8(tb[KZT_POLICY_A_ACTION]);
	policy->scope = nla_get_u8(tb[KZT_POLICY_A_SCOPE]);
	policy->msg_size = 2 * nla_total_size(sizeof(u8));
	policy->dry_run = nla_get_flag(tb[KZT_POLICY_A_DRY_RUN]);
	atomic64_set(&policy->would[KZT_VERDICT_ALLOW], 0);
	atomic64_set(&policy->would[KZT_VERDICT_DENY], 0);
	if (policy->dry_run)	/* the flag and the two counters */
		policy->msg_size += nla_total_size(0) +
				    2 * nla_total_size_64bit(sizeof(u64));
	kzt_builder_string(&b, tb[KZT_POLICY_A_NAME], &policy->name,
			   &policy->msg_size);
	if (tb[KZT_POLICY_A_NAMESPACE])
		kzt_builder_string(&b, tb[KZT_POLICY_A_NAMESPACE], &policy->ns,
				   &policy->msg_size);

	nla_for_each_attr_type(nla, KZT_POLICY_A_SCOPE_ID, attrs, len, rem)
		kzt_builder_string(&b, nla, &b.scope_ids[policy->n_scope_ids++],
				   &policy->msg_size);
	nla_for_each_attr_type(nla, KZT_POLICY_A_RULE, attrs, len, rem)
		kzt_builder_rule(&b, nla);
	policy->n_rules = lay->n_rules;
}

/**
 * kzt_policy_from_attrs() - make a policy from a POLICY_ADD request
 * @attrs: the request's attribute stream (every attribute, repeated ones
 *	included)
 * @len: its length in bytes
 * @extack: where to report what is wrong, naming the attribute
 *
 * Validates the whole request (attribute policy, required and exclusive
 * attributes, limits, SPIFFE IDs, patterns, IP blocks) and copies it into
 * one allocation. FLAGS and TXN are accepted and left to the caller.
 *
 * Return: a new policy holding one reference (kzt_policy_put() it), or an
 * ERR_PTR: -EINVAL for a bad request, -ENOMEM.
 */
struct kzt_policy *kzt_policy_from_attrs(const struct nlattr *attrs, int len,
					 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KZT_POLICY_A_MAX + 1];
	struct kzt_policy_layout lay = { };
	struct kzt_policy *policy;
	int err;

	err = nla_parse(tb, KZT_POLICY_A_MAX, attrs, len,
			kzt_policy_add_nl_policy, extack);
	if (err)
		return ERR_PTR(err);
	err = kzt_policy_measure(tb, attrs, len, &lay,
				 extack);
	if (err)
		return ERR_PTR(err);

	policy = kvzalloc(kzt_policy_size(&lay), GFP_KERNEL_ACCOUNT);
	if (!policy)
		return ERR_PTR(-ENOMEM);
	kzt_policy_build(policy, tb, attrs, len, &lay);
	/* GET replies and dumps carry a policy whole, in one message. */
	if (policy->msg_size > KZT_POLICY_SIZE_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "policy too large: %zu bytes in netlink form, at most %d",
				   policy->msg_size, KZT_POLICY_SIZE_MAX);
		kvfree(policy);
		return ERR_PTR(-EMSGSIZE);
	}
	return policy;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_from_attrs);

/**
 * kzt_policy_put() - drop a reference to @policy, freeing it with the last
 * @policy: the policy, or NULL
 *
 * Callable from any context, an RCU callback included.
 */
void kzt_policy_put(struct kzt_policy *policy)
{
	if (policy && refcount_dec_and_test(&policy->ref))
		kvfree(policy);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_put);

/**
 * kzt_policy_name() - the name of @policy
 * @policy: the policy
 *
 * Return: its NUL-terminated name, which lives as long as @policy.
 */
const char *kzt_policy_name(const struct kzt_policy *policy)
{
	return policy->name.text;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_name);

/**
 * kzt_policy_msg_size() - room kzt_policy_fill() needs for @policy
 * @policy: the policy
 *
 * Return: the exact payload size of the attributes kzt_policy_fill() puts.
 */
size_t kzt_policy_msg_size(const struct kzt_policy *policy)
{
	return policy->msg_size;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_msg_size);

static int kzt_cidr_fill(struct sk_buff *skb, int type,
			 const struct kzt_cidr *cidr)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_in6_addr(skb, KZT_CIDR_A_ADDR, &cidr->addr) ||
	    nla_put_u8(skb, KZT_CIDR_A_PREFIX_LEN, cidr->prefix_len))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int kzt_rule_value_fill(struct sk_buff *skb,
			       const struct kzt_policy *policy,
			       unsigned int field, u32 i)
{
	if (kzt_is_rule_string(field))
		return nla_put_string(skb, field + 1, policy->patterns[i].text);
	if (kzt_is_rule_cidr(field))
		return kzt_cidr_fill(skb, field + 1, &policy->cidrs[i]);
	return nla_put_u16(skb, field + 1, policy->ports[i]);
}

static int kzt_rule_fill(struct sk_buff *skb, const struct kzt_policy *policy,
			 const struct kzt_rule *rule)
{
	struct nlattr *nest = nla_nest_start(skb, KZT_POLICY_A_RULE);
	unsigned int field;
	u32 i;

	if (!nest)
		return -EMSGSIZE;
	for (field = 0; field < KZT_RULE_FIELDS; field++) {
		const struct kzt_rule_field *f = &rule->field[field];

		for (i = f->first; i < f->first + f->n; i++)
			if (kzt_rule_value_fill(skb, policy, field, i))
				return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* DRY_RUN and the counters, read now: for a dry-run policy only. */
static int kzt_policy_dry_run_fill(struct sk_buff *skb,
				   const struct kzt_policy *policy)
{
	if (!policy->dry_run)
		return 0;
	if (nla_put_flag(skb, KZT_POLICY_A_DRY_RUN) ||
	    nla_put_u64_64bit(skb, KZT_POLICY_A_WOULD_ALLOW,
			      atomic64_read(&policy->would[KZT_VERDICT_ALLOW]),
			      KZT_POLICY_A_PAD) ||
	    nla_put_u64_64bit(skb, KZT_POLICY_A_WOULD_DENY,
			      atomic64_read(&policy->would[KZT_VERDICT_DENY]),
			      KZT_POLICY_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/**
 * kzt_policy_fill() - put @policy into @skb as a POLICY_GET reply
 * @skb: message being built
 * @policy: the policy
 *
 * Puts the POLICY_ADD attributes NAME, ACTION, SCOPE, NAMESPACE or the
 * SCOPE_IDs, the RULEs and DRY_RUN (no FLAGS or TXN), and a dry-run
 * policy's counters, in kzt_policy_msg_size() bytes. Never sleeps. On
 * failure the caller cancels the message.
 *
 * Return: 0, or -EMSGSIZE when @skb is too small.
 */
int kzt_policy_fill(struct sk_buff *skb, const struct kzt_policy *policy)
{
	u32 i;

	if (nla_put_string(skb, KZT_POLICY_A_NAME, policy->name.text) ||
	    nla_put_u8(skb, KZT_POLICY_A_ACTION, policy->action) ||
	    nla_put_u8(skb, KZT_POLICY_A_SCOPE, policy->scope))
		return -EMSGSIZE;
	if (policy->scope == KZT_SCOPE_NAMESPACE &&
	    nla_put_string(skb, KZT_POLICY_A_NAMESPACE, policy->ns.text))
		return -EMSGSIZE;
	for (i = 0; i < policy->n_scope_ids; i++)
		if (nla_put_string(skb, KZT_POLICY_A_SCOPE_ID,
				   policy->scope_ids[i].text))
			return -EMSGSIZE;
	for (i = 0; i < policy->n_rules; i++)
		if (kzt_rule_fill(skb, policy, &policy->rules[i]))
			return -EMSGSIZE;
	return kzt_policy_dry_run_fill(skb, policy);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_fill);
