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
#include <linux/bitops.h>
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
static const struct nla_policy kzt_match_nl_policy[KZT_MATCH_A_MAX + 1] = {
	[KZT_MATCH_A_PRINCIPAL] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_MATCH_A_NOT_PRINCIPAL] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_MATCH_A_NAMESPACE] = { .type = NLA_NUL_STRING, .len = KZT_NAMESPACE_MAX },
	[KZT_MATCH_A_NOT_NAMESPACE] = { .type = NLA_NUL_STRING, .len = KZT_NAMESPACE_MAX },
	[KZT_MATCH_A_IP_BLOCK] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_MATCH_A_NOT_IP_BLOCK] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_MATCH_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KZT_MATCH_A_NOT_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KZT_MATCH_A_DESTINATION_IP] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_MATCH_A_NOT_DESTINATION_IP] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_MATCH_A_SERVICE_ACCOUNT] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_MATCH_A_NOT_SERVICE_ACCOUNT] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
};

/* MATCH repeats, up to KZT_CLAUSE_MATCHES_MAX times. */
static const struct nla_policy kzt_clause_nl_policy[KZT_CLAUSE_A_MAX + 1] = {
	[KZT_CLAUSE_A_MATCH] = NLA_POLICY_NESTED(kzt_match_nl_policy),
};

/*
 * The fields of a match (the short form), or CLAUSE up to
 * KZT_RULE_CLAUSES_MAX times; never both.
 */
static const struct nla_policy kzt_rule_nl_policy[KZT_RULE_A_MAX + 1] = {
	[KZT_RULE_A_PRINCIPAL] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_RULE_A_NOT_PRINCIPAL] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_RULE_A_NAMESPACE] = { .type = NLA_NUL_STRING, .len = KZT_NAMESPACE_MAX },
	[KZT_RULE_A_NOT_NAMESPACE] = { .type = NLA_NUL_STRING, .len = KZT_NAMESPACE_MAX },
	[KZT_RULE_A_IP_BLOCK] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_RULE_A_NOT_IP_BLOCK] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_RULE_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KZT_RULE_A_NOT_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KZT_RULE_A_DESTINATION_IP] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_RULE_A_NOT_DESTINATION_IP] = NLA_POLICY_NESTED(kzt_cidr_nl_policy),
	[KZT_RULE_A_SERVICE_ACCOUNT] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_RULE_A_NOT_SERVICE_ACCOUNT] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_RULE_A_CLAUSE] = NLA_POLICY_NESTED(kzt_clause_nl_policy),
};

/*
 * SCOPE_ID, SCOPE_ADDR and RULE repeat (multi-attr); the others are single. The
 * counters (WOULD_ALLOW, WOULD_DENY) are only for replies: having no entry,
 * strict validation refuses them in a request.
 */
const struct nla_policy kzt_policy_add_nl_policy[KZT_POLICY_A_MAX + 1] = {
	[KZT_POLICY_A_NAME] = { .type = NLA_NUL_STRING, .len = KZT_POLICY_NAME_MAX },
	[KZT_POLICY_A_ACTION] = NLA_POLICY_MAX(NLA_U8, __KZT_ACTION_MAX - 1),
	[KZT_POLICY_A_SCOPE] = NLA_POLICY_MAX(NLA_U8, __KZT_SCOPE_MAX - 1),
	[KZT_POLICY_A_NAMESPACE] = { .type = NLA_NUL_STRING, .len = KZT_NAMESPACE_MAX },
	[KZT_POLICY_A_SCOPE_ID] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_POLICY_A_SCOPE_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
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
	[KZT_RULE_A_DESTINATION_IP - 1] = "destination-ip",
	[KZT_RULE_A_NOT_DESTINATION_IP - 1] = "not-destination-ip",
	[KZT_RULE_A_SERVICE_ACCOUNT - 1] = "service-account",
	[KZT_RULE_A_NOT_SERVICE_ACCOUNT - 1] = "not-service-account",
};

/* What kzt_rule_field_is_not() and kzt_rule_field_kind() rely on. */
static_assert(KZT_RULE_A_PRINCIPAL + 1 == KZT_RULE_A_NOT_PRINCIPAL &&
	      KZT_RULE_A_NOT_PRINCIPAL + 1 == KZT_RULE_A_NAMESPACE &&
	      KZT_RULE_A_NAMESPACE + 1 == KZT_RULE_A_NOT_NAMESPACE &&
	      KZT_RULE_A_NOT_NAMESPACE + 1 == KZT_RULE_A_IP_BLOCK &&
	      KZT_RULE_A_IP_BLOCK + 1 == KZT_RULE_A_NOT_IP_BLOCK &&
	      KZT_RULE_A_NOT_IP_BLOCK + 1 == KZT_RULE_A_PORT &&
	      KZT_RULE_A_PORT + 1 == KZT_RULE_A_NOT_PORT &&
	      KZT_RULE_A_NOT_PORT + 1 == KZT_RULE_A_DESTINATION_IP &&
	      KZT_RULE_A_DESTINATION_IP + 1 == KZT_RULE_A_NOT_DESTINATION_IP &&
	      KZT_RULE_A_NOT_DESTINATION_IP + 1 == KZT_RULE_A_SERVICE_ACCOUNT &&
	      KZT_RULE_A_SERVICE_ACCOUNT + 1 == KZT_RULE_A_NOT_SERVICE_ACCOUNT &&
	      KZT_RULE_A_UNSPEC + 1 == KZT_RULE_A_PRINCIPAL);

/* A rule's short form is a match: the same fields at the same types. */
static_assert((int)KZT_MATCH_A_PRINCIPAL == (int)KZT_RULE_A_PRINCIPAL &&
	      (int)KZT_MATCH_A_NOT_PRINCIPAL == (int)KZT_RULE_A_NOT_PRINCIPAL &&
	      (int)KZT_MATCH_A_NAMESPACE == (int)KZT_RULE_A_NAMESPACE &&
	      (int)KZT_MATCH_A_NOT_NAMESPACE == (int)KZT_RULE_A_NOT_NAMESPACE &&
	      (int)KZT_MATCH_A_IP_BLOCK == (int)KZT_RULE_A_IP_BLOCK &&
	      (int)KZT_MATCH_A_NOT_IP_BLOCK == (int)KZT_RULE_A_NOT_IP_BLOCK &&
	      (int)KZT_MATCH_A_PORT == (int)KZT_RULE_A_PORT &&
	      (int)KZT_MATCH_A_NOT_PORT == (int)KZT_RULE_A_NOT_PORT &&
	      (int)KZT_MATCH_A_DESTINATION_IP == (int)KZT_RULE_A_DESTINATION_IP &&
	      (int)KZT_MATCH_A_NOT_DESTINATION_IP == (int)KZT_RULE_A_NOT_DESTINATION_IP &&
	      (int)KZT_MATCH_A_SERVICE_ACCOUNT == (int)KZT_RULE_A_SERVICE_ACCOUNT &&
	      (int)KZT_MATCH_A_NOT_SERVICE_ACCOUNT == (int)KZT_RULE_A_NOT_SERVICE_ACCOUNT &&
	      (int)KZT_MATCH_A_MAX + 1 == (int)KZT_RULE_A_CLAUSE);

/* The smallest value takes 8 bytes: 16-bit indexes reach every value. */
static_assert(KZT_POLICY_SIZE_MAX / 8 <= U16_MAX);

/* What a policy needs, counted by the checking pass. */
struct kzt_policy_layout {
	u32 n_scope_ids;
	u32 n_scope_addrs;
	u32 n_rules;
	u32 n_clauses;
	u32 n_matches;
	u32 n_patterns;
	u32 n_cidrs;
	u32 n_ports;
	size_t strings;		/* bytes of every string, NULs included */
	size_t msg_size;	/* what kzt_policy_fill() will put */
};

static size_t kzt_nla_strlen(const struct nlattr *nla)
{
	/* NLA_NUL_STRING validation guarantees the NUL. */
	return strnlen(nla_data(nla), nla_len(nla));
}

/* Principals, namespaces and service accounts, and their not-forms. */
static bool kzt_is_rule_string(unsigned int field)
{
	return kzt_rule_field_kind(field) == KZT_RULE_A_PRINCIPAL ||
	       kzt_rule_field_kind(field) == KZT_RULE_A_NAMESPACE ||
	       kzt_rule_field_kind(field) == KZT_RULE_A_SERVICE_ACCOUNT;
}

/* Source and destination IP blocks, and their not-forms. */
static bool kzt_is_rule_cidr(unsigned int field)
{
	return kzt_rule_field_kind(field) == KZT_RULE_A_IP_BLOCK ||
	       kzt_rule_field_kind(field) == KZT_RULE_A_DESTINATION_IP;
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

/* "NS/SA", both non-empty SPIFFE path segments; NULL, or what is wrong. */
static const char *kzt_service_account_check(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);
	size_t i;

	if (!slash || slash == s || slash == s + len - 1)
		return "must be NS/SA, two non-empty names";
	for (i = 0; i < len; i++)
		if (s + i != slash && !kzt_spiffe_path_char(s[i]))
			return "has an invalid character (NS/SA of A-Za-z0-9 . - _)";
	return NULL;
}

/* A string value of a match; NULL, or what is wrong. */
static const char *kzt_rule_string_check(unsigned int field, const char *s,
					 size_t len)
{
	const char *err;
	size_t i;
	u8 kind;

	if (kzt_rule_field_kind(field) == KZT_RULE_A_SERVICE_ACCOUNT)
		return kzt_service_account_check(s, len);
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

/* The payload size of an IP block as kzt_policy_fill() puts it. */
#define KZT_CIDR_MSG_SIZE	(nla_total_size(sizeof(struct in6_addr)) + \
				 nla_total_size(sizeof(u8)))

/* Check one value of a field, count what it needs; add its size to @size. */
static int kzt_rule_value_measure(unsigned int field, const struct nlattr *nla,
				  struct kzt_policy_layout *lay, size_t *size,
				  struct netlink_ext_ack *extack)
{
	struct kzt_cidr cidr;
	const char *err;
	size_t len;

	if (kzt_is_rule_cidr(field)) {
		lay->n_cidrs++;
		*size += nla_total_size(KZT_CIDR_MSG_SIZE);
		return kzt_cidr_parse(nla, &cidr, extack);
	}
	if (!kzt_is_rule_string(field)) {
		lay->n_ports++;
		*size += nla_total_size(sizeof(u16));
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
	*size += nla_total_size(len + 1);
	return 0;
}

/*
 * The fields of one match: a MATCH nest, or a rule nest of the short form
 * (then every attribute of @nest is a field). Adds the payload of @nest as
 * kzt_policy_fill() puts it to @size.
 */
static int kzt_match_measure(const struct nlattr *nest,
			     struct kzt_policy_layout *lay, size_t *size,
			     struct netlink_ext_ack *extack)
{
	unsigned int count[KZT_RULE_FIELDS] = { 0 };
	const struct nlattr *nla;
	unsigned int field;
	int rem, err;

	nla_for_each_nested(nla, nest, rem) {
		field = nla_type(nla) - 1;
		if (++count[field] > KZT_RULE_VALUES_MAX) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, nla,
						"%s: more than %d values in one match",
						kzt_rule_field_names[field],
						KZT_RULE_VALUES_MAX);
			return -EINVAL;
		}
		err = kzt_rule_value_measure(field, nla, lay, size, extack);
		if (err)
			return err;
	}
	lay->n_matches++;
	return 0;
}

static int kzt_clause_measure(const struct nlattr *clause,
			      struct kzt_policy_layout *lay, size_t *size,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	size_t payload = 0, match;
	int rem, err;
	u32 n = 0;

	nla_for_each_nested_type(nla, KZT_CLAUSE_A_MATCH, clause, rem) {
		if (++n > KZT_CLAUSE_MATCHES_MAX) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, nla,
						"more than %d matches in one clause",
						KZT_CLAUSE_MATCHES_MAX);
			return -EINVAL;
		}
		match = 0;
		err = kzt_match_measure(nla, lay, &match, extack);
		if (err)
			return err;
		payload += nla_total_size(match);
	}
	lay->n_clauses++;
	*size += nla_total_size(payload);
	return 0;
}

/* A rule holding a field rather than CLAUSEs: NULL, or its first field. */
static const struct nlattr *kzt_rule_short_form(const struct nlattr *rule)
{
	const struct nlattr *nla;
	int rem;

	nla_for_each_nested(nla, rule, rem)
		if (nla_type(nla) != KZT_RULE_A_CLAUSE)
			return nla;
	return NULL;
}

/*
 * A rule holds CLAUSEs, or fields (its short form: one clause of one
 * match); a rule holding neither has no clause and matches all.
 */
static int kzt_rule_measure(const struct nlattr *rule,
			    struct kzt_policy_layout *lay,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *field = kzt_rule_short_form(rule), *nla;
	size_t payload = 0;
	int rem, err = 0;
	u32 n = 0;

	if (field) {
		nla = nla_find_nested(rule, KZT_RULE_A_CLAUSE);
		if (nla) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "a rule holds clauses or fields (its short form), not both");
			return -EINVAL;
		}
		lay->n_clauses++;
		err = kzt_match_measure(rule, lay, &payload, extack);
	}
	nla_for_each_nested_type(nla, KZT_RULE_A_CLAUSE, rule, rem) {
		if (++n > KZT_RULE_CLAUSES_MAX) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, nla,
						"more than %d clauses in one rule",
						KZT_RULE_CLAUSES_MAX);
			return -EINVAL;
		}
		err = kzt_clause_measure(nla, lay, &payload, extack);
		if (err)
			break;
	}
	if (err)
		return err;
	lay->n_rules++;
	lay->msg_size += nla_total_size(payload);
	return 0;
}

/* Where the scope's attribute is required, and where it is refused. */
static int kzt_scope_check(struct nlattr **tb,
			   const struct kzt_policy_layout *lay,
			   struct netlink_ext_ack *extack)
{
	u32 n_scope_ids = lay->n_scope_ids;
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
	if (lay->n_scope_addrs && scope != KZT_SCOPE_ADDRESSES) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KZT_POLICY_A_SCOPE_ADDR],
				    "scope addresses are only for a policy of scope addresses");
		return -EINVAL;
	}
	if (scope == KZT_SCOPE_ADDRESSES && !lay->n_scope_addrs) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KZT_POLICY_A_SCOPE],
				    "a policy of scope addresses needs at least one scope address");
		NL_SET_ERR_ATTR_MISS(extack, NULL, KZT_POLICY_A_SCOPE_ADDR);
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
	lay->msg_size += nla_total_size(len + 1);
	return 0;
}

static int kzt_scope_addr_measure(const struct nlattr *nla,
				  struct kzt_policy_layout *lay,
				  struct netlink_ext_ack *extack)
{
	if (++lay->n_scope_addrs > KZT_SCOPE_IDS_MAX) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, nla, "more than %d scope addresses",
					KZT_SCOPE_IDS_MAX);
		return -EINVAL;
	}
	/* Kept as a 16-byte key among the strings (no NUL). */
	lay->strings += sizeof(struct in6_addr);
	lay->msg_size += nla_total_size(sizeof(struct in6_addr));
	return 0;
}

/*
 * Walk the stream for what repeats (SCOPE_ID, SCOPE_ADDR, RULE); the table holds the
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
		} else if (type == KZT_POLICY_A_SCOPE_ADDR) {
			err = kzt_scope_addr_measure(nla, lay, extack);
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
						    "attribute given twice (only scope IDs, scope addresses and rules repeat)");
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
	size_t n;
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
	err = kzt_scope_check(tb, lay, extack);
	if (err)
		return err;
	n = kzt_nla_strlen(tb[KZT_POLICY_A_NAME]) + 1;
	lay->strings += n;
	lay->msg_size += nla_total_size(n) + 2 * nla_total_size(sizeof(u8));
	if (tb[KZT_POLICY_A_NAMESPACE]) {
		n = kzt_nla_strlen(tb[KZT_POLICY_A_NAMESPACE]) + 1;
		lay->strings += n;
		lay->msg_size += nla_total_size(n);
	}
	if (nla_get_flag(tb[KZT_POLICY_A_DRY_RUN]))	/* the flag, the counters */
		lay->msg_size += nla_total_size(0) +
				 2 * nla_total_size_64bit(sizeof(u64));
	/* GET replies and dumps carry a policy whole, in one message. */
	if (lay->msg_size > KZT_POLICY_SIZE_MAX) {
		NL_SET_ERR_MSG_FMT(extack,
				   "policy too large: %zu bytes in netlink form, at most %d",
				   lay->msg_size, KZT_POLICY_SIZE_MAX);
		return -EMSGSIZE;
	}
	return 0;
}

/* Where the building pass copies to, inside the new policy. */
struct kzt_policy_builder {
	struct kzt_policy *policy;
	struct kzt_pattern *scope_ids;
	struct kzt_rule *rules;
	struct kzt_clause *clauses;
	struct kzt_match *matches;
	struct kzt_pattern *patterns;
	struct kzt_cidr *cidrs;
	u16 *ports;
	char *strings;
};

/* The arrays follow the header by decreasing alignment: no padding. */
static_assert(__alignof__(struct kzt_policy) >= __alignof__(struct kzt_pattern) &&
	      __alignof__(struct kzt_pattern) >= __alignof__(struct kzt_rule) &&
	      __alignof__(struct kzt_rule) >= __alignof__(struct kzt_clause) &&
	      __alignof__(struct kzt_clause) >= __alignof__(struct kzt_cidr) &&
	      __alignof__(struct kzt_cidr) >= __alignof__(struct kzt_match) &&
	      __alignof__(struct kzt_match) >= __alignof__(u16));

static size_t kzt_policy_size(const struct kzt_policy_layout *lay)
{
	size_t size = sizeof(struct kzt_policy);

	size = size_add(size, array_size(lay->n_scope_ids + lay->n_scope_addrs +
					 lay->n_patterns,
					 sizeof(struct kzt_pattern)));
	size = size_add(size, array_size(lay->n_rules, sizeof(struct kzt_rule)));
	size = size_add(size, array_size(lay->n_clauses, sizeof(struct kzt_clause)));
	size = size_add(size, array_size(lay->n_cidrs, sizeof(struct kzt_cidr)));
	size = size_add(size, array_size(lay->n_matches, sizeof(struct kzt_match)));
	size = size_add(size, array_size(lay->n_ports, sizeof(u16)));
	return size_add(size, lay->strings);
}

static void kzt_builder_init(struct kzt_policy_builder *b,
			     struct kzt_policy *policy,
			     const struct kzt_policy_layout *lay)
{
	b->policy = policy;
	b->scope_ids = (struct kzt_pattern *)(policy + 1);
	b->patterns = b->scope_ids + lay->n_scope_ids + lay->n_scope_addrs;
	b->rules = (struct kzt_rule *)(b->patterns + lay->n_patterns);
	b->clauses = (struct kzt_clause *)(b->rules + lay->n_rules);
	b->cidrs = (struct kzt_cidr *)(b->clauses + lay->n_clauses);
	b->matches = (struct kzt_match *)(b->cidrs + lay->n_cidrs);
	b->ports = (u16 *)(b->matches + lay->n_matches);
	b->strings = (char *)(b->ports + lay->n_ports);

	policy->scope_ids = b->scope_ids;
	policy->patterns = b->patterns;
	policy->rules = b->rules;
	policy->clauses = b->clauses;
	policy->matches = b->matches;
	policy->cidrs = b->cidrs;
	policy->ports = b->ports;
}

/* Copy a string attribute. */
static void kzt_builder_string(struct kzt_policy_builder *b,
			       const struct nlattr *nla,
			       struct kzt_pattern *pattern)
{
	size_t len = kzt_nla_strlen(nla);

	memcpy(b->strings, nla_data(nla), len);
	b->strings[len] = '\0';
	pattern->text = b->strings;
	pattern->len = len;
	pattern->kind = KZT_MATCH_EXACT;
	b->strings += len + 1;
}

/* Copy a scope address: a 16-byte key, compared and hashed as bytes. */
static void kzt_builder_addr(struct kzt_policy_builder *b,
			     const struct nlattr *nla,
			     struct kzt_pattern *pattern)
{
	memcpy(b->strings, nla_data(nla), sizeof(struct in6_addr));
	pattern->text = b->strings;
	pattern->len = sizeof(struct in6_addr);
	pattern->kind = KZT_MATCH_EXACT;
	b->strings += sizeof(struct in6_addr);
}

static void kzt_builder_value(struct kzt_policy_builder *b, unsigned int field,
			      const struct nlattr *nla)
{
	if (kzt_is_rule_string(field)) {
		kzt_builder_string(b, nla, b->patterns);
		/*
		 * Checked by the measuring pass: a valid pattern (a service
		 * account has no '*': EXACT).
		 */
		kzt_pattern_kind(b->patterns->text, b->patterns->len,
				 &b->patterns->kind);
		b->patterns++;
	} else if (kzt_is_rule_cidr(field)) {
		/* Checked by the measuring pass: cannot fail now. */
		kzt_cidr_parse(nla, b->cidrs++, NULL);
	} else {
		*(b->ports++) = nla_get_u16(nla);
	}
}

/*
 * A match from a MATCH nest or a rule's short form, field by field, so
 * each field's values are contiguous.
 */
static void kzt_builder_match(struct kzt_policy_builder *b,
			      const struct nlattr *nest)
{
	const struct kzt_policy *policy = b->policy;
	struct kzt_match *m = b->matches++;
	const struct nlattr *nla;
	unsigned int field;
	int rem;

	BUILD_BUG_ON(BITS_PER_TYPE(m->fields) < KZT_RULE_FIELDS);
	m->fields = 0;
	for (field = 0; field < KZT_RULE_FIELDS; field++) {
		if (kzt_is_rule_string(field))
			m->field[field].first = b->patterns - policy->patterns;
		else if (kzt_is_rule_cidr(field))
			m->field[field].first = b->cidrs - policy->cidrs;
		else
			m->field[field].first = b->ports - policy->ports;
		nla_for_each_nested_type(nla, field + 1, nest, rem) {
			kzt_builder_value(b, field, nla);
			m->field[field].n++;
			m->fields |= BIT(field);
		}
	}
}

static void kzt_builder_rule(struct kzt_policy_builder *b,
			     const struct nlattr *rule)
{
	const struct kzt_policy *policy = b->policy;
	struct kzt_rule *r = b->rules++;
	const struct nlattr *clause, *match;
	struct kzt_clause *c;
	int rem, rem2;

	r->first = b->clauses - policy->clauses;
	r->short_form = kzt_rule_short_form(rule);
	if (r->short_form) {
		c = b->clauses++;
		c->first = b->matches - policy->matches;
		c->n = 1;
		kzt_builder_match(b, rule);
		r->n = 1;
		return;
	}
	nla_for_each_nested_type(clause, KZT_RULE_A_CLAUSE, rule, rem) {
		c = b->clauses++;
		c->first = b->matches - policy->matches;
		nla_for_each_nested_type(match, KZT_CLAUSE_A_MATCH, clause, rem2) {
			kzt_builder_match(b, match);
			c->n++;
		}
		r->n++;
	}
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
	policy->msg_size = lay->msg_size;
	policy->dry_run = nla_get_flag(tb[KZT_POLICY_A_DRY_RUN]);
	atomic64_set(&policy->would[KZT_VERDICT_ALLOW], 0);
	atomic64_set(&policy->would[KZT_VERDICT_DENY], 0);
	kzt_builder_string(&b, tb[KZT_POLICY_A_NAME], &policy->name);
	if (tb[KZT_POLICY_A_NAMESPACE])
		kzt_builder_string(&b, tb[KZT_POLICY_A_NAMESPACE], &policy->ns);

	nla_for_each_attr_type(nla, KZT_POLICY_A_SCOPE_ID, attrs, len, rem)
		kzt_builder_string(&b, nla, &b.scope_ids[policy->n_scope_ids++]);
	nla_for_each_attr_type(nla, KZT_POLICY_A_SCOPE_ADDR, attrs, len, rem)
		kzt_builder_addr(&b, nla, &b.scope_ids[policy->n_scope_ids++]);
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

/* The fields of @m, into the nest open at the tail of @skb. */
static int kzt_match_fill(struct sk_buff *skb, const struct kzt_policy *policy,
			  const struct kzt_match *m)
{
	unsigned int field;
	u32 i;

	for (field = 0; field < KZT_RULE_FIELDS; field++) {
		const struct kzt_rule_field *f = &m->field[field];

		for (i = f->first; i < f->first + f->n; i++)
			if (kzt_rule_value_fill(skb, policy, field, i))
				return -EMSGSIZE;
	}
	return 0;
}

static int kzt_clause_fill(struct sk_buff *skb, const struct kzt_policy *policy,
			   const struct kzt_clause *clause)
{
	struct nlattr *nest = nla_nest_start(skb, KZT_RULE_A_CLAUSE), *match;
	u32 i;

	if (!nest)
		return -EMSGSIZE;
	for (i = clause->first; i < clause->first + clause->n; i++) {
		match = nla_nest_start(skb, KZT_CLAUSE_A_MATCH);
		if (!match || kzt_match_fill(skb, policy, &policy->matches[i]))
			return -EMSGSIZE;
		nla_nest_end(skb, match);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A rule in the form it was given in: short (fields) or clauses. */
static int kzt_rule_fill(struct sk_buff *skb, const struct kzt_policy *policy,
			 const struct kzt_rule *rule)
{
	struct nlattr *nest = nla_nest_start(skb, KZT_POLICY_A_RULE);
	const struct kzt_clause *clause = &policy->clauses[rule->first];
	u32 i;

	if (!nest)
		return -EMSGSIZE;
	if (rule->short_form) {
		if (kzt_match_fill(skb, policy, &policy->matches[clause->first]))
			return -EMSGSIZE;
	} else {
		for (i = 0; i < rule->n; i++)
			if (kzt_clause_fill(skb, policy, &clause[i]))
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
 * SCOPE_IDs or SCOPE_ADDRs, the RULEs and DRY_RUN (no FLAGS or TXN), and a dry-run
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
	for (i = 0; i < policy->n_scope_ids; i++) {
		const struct kzt_pattern *key = &policy->scope_ids[i];

		if (policy->scope == KZT_SCOPE_ADDRESSES ?
		    nla_put(skb, KZT_POLICY_A_SCOPE_ADDR, key->len, key->text) :
		    nla_put_string(skb, KZT_POLICY_A_SCOPE_ID, key->text))
			return -EMSGSIZE;
	}
	for (i = 0; i < policy->n_rules; i++)
		if (kzt_rule_fill(skb, policy, &policy->rules[i]))
			return -EMSGSIZE;
	return kzt_policy_dry_run_fill(skb, policy);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_fill);
