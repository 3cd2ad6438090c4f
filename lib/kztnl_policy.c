// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_POLICY_*: authorization policies with their nested rules, and
 * KZT_CMD_POLICY_CHECK.
 */
#include <errno.h>
#include <string.h>

#include "kztnl_priv.h"

static int put_strs(struct nl_msg *msg, int type, const struct kzt_strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (nla_put_string(msg, type, s->v[i]) < 0)
			return EMSGSIZE;
	return 0;
}

static int put_cidrs(struct nl_msg *msg, int type, const struct kzt_cidrs *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);

		if (!nest ||
		    kztnl_put_addr(msg, KZT_CIDR_A_ADDR, &c->v[i].addr) ||
		    nla_put_u8(msg, KZT_CIDR_A_PREFIX_LEN, c->v[i].prefix_len) < 0)
			return EMSGSIZE;
		nla_nest_end_keep_empty(msg, nest);
	}
	return 0;
}

static int put_ports(struct nl_msg *msg, int type, const struct kzt_ports *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (nla_put_u16(msg, type, p->v[i]) < 0)
			return EMSGSIZE;
	return 0;
}

/* The fields of a match, or of a rule's short form (same attribute types). */
static int put_fields(struct nl_msg *msg, const struct kzt_rule *r)
{
	if (put_strs(msg, KZT_MATCH_A_PRINCIPAL, &r->principals) ||
	    put_strs(msg, KZT_MATCH_A_NOT_PRINCIPAL, &r->not_principals) ||
	    put_strs(msg, KZT_MATCH_A_NAMESPACE, &r->namespaces) ||
	    put_strs(msg, KZT_MATCH_A_NOT_NAMESPACE, &r->not_namespaces) ||
	    put_cidrs(msg, KZT_MATCH_A_IP_BLOCK, &r->ip_blocks) ||
	    put_cidrs(msg, KZT_MATCH_A_NOT_IP_BLOCK, &r->not_ip_blocks) ||
	    put_ports(msg, KZT_MATCH_A_PORT, &r->ports) ||
	    put_ports(msg, KZT_MATCH_A_NOT_PORT, &r->not_ports) ||
	    put_cidrs(msg, KZT_MATCH_A_DESTINATION_IP, &r->destination_ips) ||
	    put_cidrs(msg, KZT_MATCH_A_NOT_DESTINATION_IP, &r->not_destination_ips) ||
	    put_strs(msg, KZT_MATCH_A_SERVICE_ACCOUNT, &r->service_accounts) ||
	    put_strs(msg, KZT_MATCH_A_NOT_SERVICE_ACCOUNT, &r->not_service_accounts))
		return EMSGSIZE;
	return 0;
}

static int put_clause(struct nl_msg *msg, const struct kzt_clause *c)
{
	struct nlattr *nest = nla_nest_start(msg, KZT_RULE_A_CLAUSE | NLA_F_NESTED);
	struct nlattr *match;

	if (!nest)
		return EMSGSIZE;
	for (size_t i = 0; i < c->n_matches; i++) {
		match = nla_nest_start(msg, KZT_CLAUSE_A_MATCH | NLA_F_NESTED);
		if (!match || put_fields(msg, &c->matches[i]))
			return EMSGSIZE;
		/* an empty match matches nothing: it must stay */
		nla_nest_end_keep_empty(msg, match);
	}
	nla_nest_end_keep_empty(msg, nest);	/* no match: matches all */
	return 0;
}

static int put_rule(struct nl_msg *msg, const struct kzt_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, KZT_POLICY_A_RULE | NLA_F_NESTED);

	if (!nest)
		return EMSGSIZE;
	if (!r->n_clauses && put_fields(msg, r))
		return EMSGSIZE;
	for (size_t i = 0; i < r->n_clauses; i++)
		if (put_clause(msg, &r->clauses[i]))
			return EMSGSIZE;
	/* libnl drops an empty nest; an empty rule matches all */
	nla_nest_end_keep_empty(msg, nest);
	return 0;
}

/**
 * kzt_policy_put() - the attributes of a POLICY_ADD for @p
 * @msg:  the message, after its genl header
 * @p:    the policy; NAMESPACE is sent when @p->ns is set, SCOPE_ID for
 *        each of @p->scope_ids, SCOPE_ADDR for each of @p->scope_addrs, a RULE nest for each rule, DRY_RUN when
 *        @p->dry_run (its counters never: they are the kernel's)
 * @opts: replace/transaction; may be NULL
 *
 * @retval 0        added
 * @retval EMSGSIZE @msg is full
 */
int kzt_policy_put(struct nl_msg *msg, const struct kzt_policy *p,
		   const struct kzt_add_opts *opts)
{
	if (nla_put_string(msg, KZT_POLICY_A_NAME, p->name) < 0 ||
	    nla_put_u8(msg, KZT_POLICY_A_ACTION, p->action) < 0 ||
	    nla_put_u8(msg, KZT_POLICY_A_SCOPE, p->scope) < 0 ||
	    (p->ns && nla_put_string(msg, KZT_POLICY_A_NAMESPACE, p->ns) < 0) ||
	    put_strs(msg, KZT_POLICY_A_SCOPE_ID, &p->scope_ids))
		return EMSGSIZE;
	for (size_t i = 0; i < p->scope_addrs.n; i++)
		if (kztnl_put_addr(msg, KZT_POLICY_A_SCOPE_ADDR,
				   &p->scope_addrs.v[i]))
			return EMSGSIZE;
	for (size_t i = 0; i < p->n_rules; i++)
		if (put_rule(msg, &p->rules[i]))
			return EMSGSIZE;
	if (p->dry_run && nla_put_flag(msg, KZT_POLICY_A_DRY_RUN) < 0)
		return EMSGSIZE;
	return kztnl_put_opts(msg, KZT_POLICY_A_FLAGS, KZT_POLICY_F_REPLACE,
			      KZT_POLICY_A_TXN, opts);
}

/* A NUL-terminated string attribute of at most @max bytes before it. */
static bool attr_is_string(const struct nlattr *nla, size_t max)
{
	const char *s = nla_data(nla);
	int len = nla_len(nla);

	return len >= 1 && (size_t)len <= max + 1 && s[len - 1] == '\0' &&
	       strlen(s) == (size_t)len - 1;
}

static int get_cidr(const struct nlattr *nest, struct kzt_cidr *c)
{
	bool has_addr = false, has_len = false;
	const struct nlattr *nla;
	int rem;

	nla_for_each_nested(nla, nest, rem) {
		switch (nla_type(nla)) {
		case KZT_CIDR_A_ADDR:
			if (nla_len(nla) != sizeof(c->addr))
				return EBADMSG;
			memcpy(&c->addr, nla_data(nla), sizeof(c->addr));
			has_addr = true;
			break;
		case KZT_CIDR_A_PREFIX_LEN:
			if (nla_len(nla) != 1 || nla_get_u8(nla) > 128)
				return EBADMSG;
			c->prefix_len = nla_get_u8(nla);
			has_len = true;
			break;
		}
	}
	return has_addr && has_len ? 0 : EBADMSG;
}

static int get_clause(const struct nlattr *nest, struct kzt_clause *c);

/*
 * The fields of a MATCH nest, or of a RULE nest: its short form, or the
 * CLAUSEs (@clauses).
 */
static int get_rule(const struct nlattr *nest, struct kzt_rule *r, bool clauses)
{
	struct kzt_clause *clause;
	const struct nlattr *nla;
	struct kzt_strs *strs;
	struct kzt_cidrs *cidrs;
	struct kzt_ports *ports;
	struct kzt_cidr c;
	int rem, ret;

	nla_for_each_nested(nla, nest, rem) {
		strs = NULL;
		cidrs = NULL;
		ports = NULL;
		switch (nla_type(nla)) {
		case KZT_RULE_A_PRINCIPAL:	strs = &r->principals; break;
		case KZT_RULE_A_NOT_PRINCIPAL:	strs = &r->not_principals; break;
		case KZT_RULE_A_NAMESPACE:	strs = &r->namespaces; break;
		case KZT_RULE_A_NOT_NAMESPACE:	strs = &r->not_namespaces; break;
		case KZT_RULE_A_IP_BLOCK:	cidrs = &r->ip_blocks; break;
		case KZT_RULE_A_NOT_IP_BLOCK:	cidrs = &r->not_ip_blocks; break;
		case KZT_RULE_A_PORT:		ports = &r->ports; break;
		case KZT_RULE_A_NOT_PORT:	ports = &r->not_ports; break;
		case KZT_RULE_A_DESTINATION_IP:	cidrs = &r->destination_ips; break;
		case KZT_RULE_A_NOT_DESTINATION_IP:
			cidrs = &r->not_destination_ips;
			break;
		case KZT_RULE_A_SERVICE_ACCOUNT: strs = &r->service_accounts; break;
		case KZT_RULE_A_NOT_SERVICE_ACCOUNT:
			strs = &r->not_service_accounts;
			break;
		case KZT_RULE_A_CLAUSE:
			if (!clauses)
				return EBADMSG;
			clause = kzt_rule_clause_add(r);
			ret = clause ? get_clause(nla, clause) : ENOMEM;
			if (ret)
				return ret;
			continue;
		default:			continue;	/* newer module */
		}
		if (strs) {
			if (!attr_is_string(nla, KZT_SPIFFE_ID_MAX))
				return EBADMSG;
			ret = kzt_strs_push(strs, nla_data(nla), nla_len(nla) - 1);
		} else if (cidrs) {
			ret = get_cidr(nla, &c);
			if (!ret)
				ret = kzt_cidrs_push(cidrs, &c);
		} else {
			if (nla_len(nla) != 2)
				return EBADMSG;
			ret = kzt_ports_push(ports, nla_get_u16(nla));
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int get_clause(const struct nlattr *nest, struct kzt_clause *c)
{
	const struct nlattr *nla;
	struct kzt_rule *m;
	int rem, ret;

	nla_for_each_nested(nla, nest, rem) {
		if (nla_type(nla) != KZT_CLAUSE_A_MATCH)
			continue;	/* newer module */
		m = kzt_clause_match_add(c);
		ret = m ? get_rule(nla, m, false) : ENOMEM;
		if (ret)
			return ret;
	}
	return 0;
}

static int get_policy_attr(const struct nlattr *nla, struct kzt_policy *p)
{
	struct kzt_rule *r;

	switch (nla_type(nla)) {
	case KZT_POLICY_A_NAME:
		if (p->name || !attr_is_string(nla, KZT_POLICY_NAME_MAX))
			return EBADMSG;
		p->name = kztnl_strdup_attr(nla);
		return p->name ? 0 : ENOMEM;
	case KZT_POLICY_A_ACTION:
		if (nla_len(nla) != 1)
			return EBADMSG;
		p->action = nla_get_u8(nla);
		return 0;
	case KZT_POLICY_A_SCOPE:
		if (nla_len(nla) != 1)
			return EBADMSG;
		p->scope = nla_get_u8(nla);
		return 0;
	case KZT_POLICY_A_NAMESPACE:
		if (p->ns || !attr_is_string(nla, KZT_NAMESPACE_MAX))
			return EBADMSG;
		p->ns = kztnl_strdup_attr(nla);
		return p->ns ? 0 : ENOMEM;
	case KZT_POLICY_A_SCOPE_ID:
		if (!attr_is_string(nla, KZT_SPIFFE_ID_MAX))
			return EBADMSG;
		return kzt_strs_push(&p->scope_ids, nla_data(nla),
				     nla_len(nla) - 1);
	case KZT_POLICY_A_SCOPE_ADDR:
		if (nla_len(nla) != sizeof(struct in6_addr))
			return EBADMSG;
		return kzt_addrs_push(&p->scope_addrs, nla_data(nla));
	case KZT_POLICY_A_RULE:
		r = kzt_policy_rule_add(p);
		return r ? get_rule(nla, r, true) : ENOMEM;
	case KZT_POLICY_A_DRY_RUN:
		if (nla_len(nla) != 0)
			return EBADMSG;
		p->dry_run = true;
		return 0;
	case KZT_POLICY_A_WOULD_ALLOW:
	case KZT_POLICY_A_WOULD_DENY:
		if (nla_len(nla) != sizeof(uint64_t))
			return EBADMSG;
		if (nla_type(nla) == KZT_POLICY_A_WOULD_ALLOW)
			p->would_allow = nla_get_u64(nla);
		else
			p->would_deny = nla_get_u64(nla);
		p->has_counters = true;
		return 0;
	default:
		return 0;	/* a newer module's attribute */
	}
}

/**
 * kzt_policy_from_msg() - read one policy of a POLICY_GET reply
 * @nlh: the message
 * @p:   filled; free with kzt_policy_free()
 *
 * Repeated attributes (SCOPE_ID, RULE and the fields of a rule) are kept
 * in the order the kernel sent them.
 *
 * @retval 0       @p is filled
 * @retval EBADMSG malformed, or no name
 * @retval ENOMEM  out of memory
 */
int kzt_policy_from_msg(struct nlmsghdr *nlh, struct kzt_policy *p)
{
	struct genlmsghdr *ghdr = nlmsg_data(nlh);
	struct nlattr *nla;
	int rem, ret = 0;

	memset(p, 0, sizeof(*p));
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return EBADMSG;
	nla_for_each_attr(nla, genlmsg_attrdata(ghdr, 0),
			  genlmsg_attrlen(ghdr, 0), rem) {
		ret = get_policy_attr(nla, p);
		if (ret)
			break;
	}
	if (!ret && !p->name)
		ret = EBADMSG;
	if (ret)
		kzt_policy_free(p);
	return ret;
}

/**
 * kzt_policy_add() - add (or replace, or stage) a policy
 * @c:    an open client
 * @p:    the policy
 * @opts: replace/transaction; NULL for a plain add to the live set
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0        added
 * @retval EEXIST   the name is taken (no replace)
 * @retval EMSGSIZE the policy does not fit in one message
 * @retval other    errno from the kernel (extack in @err) or the socket
 */
int kzt_policy_add(struct kzt_client *c, const struct kzt_policy *p,
		   const struct kzt_add_opts *opts, struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	ret = kztnl_msg_new(c, KZT_CMD_POLICY_ADD, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	ret = kzt_policy_put(msg, p, opts);
	if (ret) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, ret);
		return ret;
	}
	return kztnl_send(c, msg, NULL, NULL, err);
}

static int put_name(struct kzt_client *c, uint8_t cmd, const char *name,
		    struct nl_msg **msgp, struct kzt_nl_err *err)
{
	int ret = kztnl_msg_new(c, cmd, NLM_F_ACK, msgp, err);

	if (ret)
		return ret;
	if (nla_put_string(*msgp, KZT_POLICY_A_NAME, name) < 0) {
		nlmsg_free(*msgp);
		kzt_nl_err_set(err, EMSGSIZE);
		return EMSGSIZE;
	}
	return 0;
}

/**
 * kzt_policy_del() - remove a policy by name
 * @c:    an open client
 * @name: its name
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0      removed
 * @retval ENOENT no such policy
 * @retval other  errno from the kernel or the socket
 */
int kzt_policy_del(struct kzt_client *c, const char *name,
		   struct kzt_nl_err *err)
{
	return kzt_policy_del_txn(c, name, 0, err);
}

/**
 * kzt_policy_del_txn() - remove a policy, live or in a transaction
 * @c:    an open client; with @txn, the one that began it
 * @name: its name
 * @txn:  an open transaction's id: remove it from the staging set;
 *        0: from the live set
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0      removed
 * @retval ENOENT no such policy (in that set), or no such open
 *                transaction of this client
 * @retval other  errno from the kernel or the socket
 */
int kzt_policy_del_txn(struct kzt_client *c, const char *name, uint32_t txn,
		       struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	ret = put_name(c, KZT_CMD_POLICY_DEL, name, &msg, err);
	if (ret)
		return ret;
	if (txn && nla_put_u32(msg, KZT_POLICY_A_TXN, txn) < 0) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, EMSGSIZE);
		return EMSGSIZE;
	}
	return kztnl_send(c, msg, NULL, NULL, err);
}

struct get_ctx {
	struct kzt_policy *p;
	bool found;
};

static int get_reply(struct nlmsghdr *nlh, void *arg)
{
	struct get_ctx *ctx = arg;
	int ret;

	if (!kztnl_reply_is(nlh, KZT_CMD_POLICY_GET) || ctx->found)
		return EBADMSG;
	ret = kzt_policy_from_msg(nlh, ctx->p);
	ctx->found = !ret;
	return ret;
}

/**
 * kzt_policy_get() - read one policy
 * @c:    an open client
 * @name: its name
 * @p:    filled on success; free with kzt_policy_free()
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0       @p is filled
 * @retval ENOENT  no such policy
 * @retval EBADMSG the reply was malformed or missing
 * @retval other   errno from the kernel or the socket
 */
int kzt_policy_get(struct kzt_client *c, const char *name,
		   struct kzt_policy *p, struct kzt_nl_err *err)
{
	struct get_ctx ctx = { .p = p };
	struct nl_msg *msg;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = put_name(c, KZT_CMD_POLICY_GET, name, &msg, err);
	if (ret)
		return ret;
	ret = kztnl_send(c, msg, get_reply, &ctx, err);
	if (!ret && !ctx.found) {
		ret = EBADMSG;
		kzt_nl_err_set(err, ret);
	}
	if (ret)
		kzt_policy_free(p);
	return ret;
}

static int dump_reply(struct nlmsghdr *nlh, void *arg)
{
	struct kzt_policy p;
	int ret;

	if (!kztnl_reply_is(nlh, KZT_CMD_POLICY_GET))
		return EBADMSG;
	ret = kzt_policy_from_msg(nlh, &p);
	if (!ret)
		ret = kzt_policies_push(arg, &p);
	kzt_policy_free(&p);
	return ret;
}

static void dump_reset(void *arg)
{
	kzt_policies_free(arg);
}

/**
 * kzt_policy_dump() - every policy of the node, in name order
 * @c:    an open client
 * @list: filled (emptied first); free with kzt_policies_free()
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0      @list holds one consistent view of the set
 * @retval EAGAIN the set kept changing during the dump
 * @retval other  errno from the kernel or the socket; @list is empty
 */
int kzt_policy_dump(struct kzt_client *c, struct kzt_policies *list,
		    struct kzt_nl_err *err)
{
	int ret;

	memset(list, 0, sizeof(*list));
	ret = kztnl_dump(c, KZT_CMD_POLICY_GET, dump_reply, dump_reset,
			 list, err);
	if (ret)
		kzt_policies_free(list);
	else
		kzt_policies_sort(list);
	return ret;
}

/**
 * kzt_check_from_msg() - read a POLICY_CHECK reply
 * @nlh: the message
 * @res: filled
 *
 * @retval 0       @res is filled
 * @retval EBADMSG malformed, no verdict or reason, or half a dry-run one
 */
int kzt_check_from_msg(struct nlmsghdr *nlh, struct kzt_check_result *res)
{
	static struct nla_policy policy[KZT_CHECK_A_MAX + 1] = {
		[KZT_CHECK_A_VERDICT]	= { .type = NLA_U8 },
		[KZT_CHECK_A_REASON]	= { .type = NLA_U8 },
		[KZT_CHECK_A_POLICY]	= { .type = NLA_STRING,
					    .maxlen = KZT_POLICY_NAME_MAX + 1 },
		[KZT_CHECK_A_DST_ID]	= { .type = NLA_STRING,
					    .maxlen = KZT_SPIFFE_ID_MAX + 1 },
		[KZT_CHECK_A_DRY_RUN_VERDICT] = { .type = NLA_U8 },
		[KZT_CHECK_A_DRY_RUN_REASON] = { .type = NLA_U8 },
		[KZT_CHECK_A_DRY_RUN_POLICY] = { .type = NLA_STRING,
						 .maxlen = KZT_POLICY_NAME_MAX + 1 },
	};
	struct nlattr *tb[KZT_CHECK_A_MAX + 1];

	memset(res, 0, sizeof(*res));
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    genlmsg_parse(nlh, 0, tb, KZT_CHECK_A_MAX, policy) < 0 ||
	    !tb[KZT_CHECK_A_VERDICT] || !tb[KZT_CHECK_A_REASON])
		return EBADMSG;
	res->verdict = nla_get_u8(tb[KZT_CHECK_A_VERDICT]);
	res->reason = nla_get_u8(tb[KZT_CHECK_A_REASON]);
	if (tb[KZT_CHECK_A_POLICY]) {
		res->has_policy = true;
		nla_strlcpy(res->policy, tb[KZT_CHECK_A_POLICY],
			    sizeof(res->policy));
	}
	if (tb[KZT_CHECK_A_DST_ID]) {
		res->has_dst_id = true;
		nla_strlcpy(res->dst_id, tb[KZT_CHECK_A_DST_ID],
			    sizeof(res->dst_id));
	}
	if (!tb[KZT_CHECK_A_DRY_RUN_VERDICT] != !tb[KZT_CHECK_A_DRY_RUN_REASON])
		return EBADMSG;
	if (tb[KZT_CHECK_A_DRY_RUN_VERDICT]) {
		res->has_dry_run = true;
		res->dry_verdict = nla_get_u8(tb[KZT_CHECK_A_DRY_RUN_VERDICT]);
		res->dry_reason = nla_get_u8(tb[KZT_CHECK_A_DRY_RUN_REASON]);
	}
	if (tb[KZT_CHECK_A_DRY_RUN_POLICY]) {
		res->has_dry_policy = true;
		nla_strlcpy(res->dry_policy, tb[KZT_CHECK_A_DRY_RUN_POLICY],
			    sizeof(res->dry_policy));
	}
	return 0;
}

struct check_ctx {
	struct kzt_check_result *res;
	bool found;
};

static int check_reply(struct nlmsghdr *nlh, void *arg)
{
	struct check_ctx *ctx = arg;
	int ret;

	if (!kztnl_reply_is(nlh, KZT_CMD_POLICY_CHECK) || ctx->found)
		return EBADMSG;
	ret = kzt_check_from_msg(nlh, ctx->res);
	ctx->found = !ret;
	return ret;
}

/**
 * kzt_policy_check() - decide a flow as the data path would
 * @c:   an open client
 * @q:   the flow
 * @res: the decision
 * @err: the kernel's answer; may be NULL
 *
 * @retval 0       @res is filled
 * @retval ENOENT  the destination is not a workload of this node
 * @retval EBADMSG the reply was malformed or missing
 * @retval other   errno from the kernel or the socket
 */
int kzt_policy_check(struct kzt_client *c, const struct kzt_check_query *q,
		     struct kzt_check_result *res, struct kzt_nl_err *err)
{
	struct check_ctx ctx = { .res = res };
	struct nl_msg *msg;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = kztnl_msg_new(c, KZT_CMD_POLICY_CHECK, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	if ((q->src_id && nla_put_string(msg, KZT_CHECK_A_SRC_ID, q->src_id) < 0) ||
	    kztnl_put_addr(msg, KZT_CHECK_A_SRC_ADDR, &q->src_addr) ||
	    kztnl_put_addr(msg, KZT_CHECK_A_DST_ADDR, &q->dst_addr) ||
	    nla_put_u16(msg, KZT_CHECK_A_DST_PORT, q->dst_port) < 0) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, EMSGSIZE);
		return EMSGSIZE;
	}
	ret = kztnl_send(c, msg, check_reply, &ctx, err);
	if (!ret && !ctx.found) {
		ret = EBADMSG;
		kzt_nl_err_set(err, ret);
	}
	return ret;
}
