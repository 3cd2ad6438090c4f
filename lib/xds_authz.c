// SPDX-License-Identifier: GPL-2.0
/*
 * From istiod's Authorization to a kzt policy (xds_authz.h).
 *
 * The rules (Documentation/istio.rst has them for operators):
 *  - the name is "NAMESPACE/NAME", the key ztunnel and Workload's
 *    authorization_policies use;
 *  - ALLOW and DENY map one to one; any other action is refused;
 *  - scope GLOBAL (istiod's root-namespace policies) is KZT_SCOPE_GLOBAL,
 *    NAMESPACE is KZT_SCOPE_NAMESPACE of the resource's namespace,
 *    WORKLOAD_SELECTOR is KZT_SCOPE_ADDRESSES: the addresses of the local
 *    workloads that list the policy, never their SPIFFE IDs (two pods of
 *    one service account would get each other's policies);
 *  - rules, clauses and matches keep their shape (a rule of clauses each);
 *  - a StringMatch is kzt's string form: exact "x", prefix "x*", suffix
 *    "*x", presence "*";
 *  - what kzt cannot say exactly (an empty match type, a '*' inside a
 *    value, an address of a length other than 4 or 16, a port outside
 *    1..65535, more values than the kernel takes) refuses the resource:
 *    ztunnel drops such values, which can widen a not_ field; kzt NACKs.
 * An address with host bits set below its length is taken as its network,
 * as ztunnel's IpNet matching does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/genetlink.h>

#include <linux/kzt.h>

#include "kztnl.h"
#include "names.h"
#include "xds_authz.h"
#include "xds_workload.h"

/* Where a field's problem is reported: "rule R clause C match M FIELD". */
struct where {
	size_t rule, clause, match;
	const char *field;
	char *why;
	size_t len;
};

static int bad(const struct where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(const struct where *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kzt_xds_fail(w->why, w->len, "rule %zu clause %zu match %zu %s: %s",
		    w->rule, w->clause, w->match, w->field, msg);
}

static int count_check(const struct where *w, size_t n)
{
	if (n > KZT_RULE_VALUES_MAX)
		return bad(w, "%zu values, kzt takes at most %d", n,
			   KZT_RULE_VALUES_MAX);
	return 0;
}

/* A StringMatch in kzt's form, checked by @check (names.h). */
static int string_match(const struct where *w,
			const Istio__Security__StringMatch *m,
			const char *(*check)(const char *), struct kzt_strs *out)
{
	const char *v = NULL, *msg;
	char buf[KZT_SPIFFE_ID_MAX + 2];
	int ret;

	switch (m->match_type_case) {
	case ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE_EXACT:
		v = m->exact;
		snprintf(buf, sizeof(buf), "%s", v);
		break;
	case ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE_PREFIX:
		v = m->prefix;
		snprintf(buf, sizeof(buf), "%s*", v);
		break;
	case ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE_SUFFIX:
		v = m->suffix;
		snprintf(buf, sizeof(buf), "*%s", v);
		break;
	case ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE_PRESENCE:
		v = "";
		snprintf(buf, sizeof(buf), "*");
		break;
	default:
		return bad(w, "a match of no type");
	}
	if (m->match_type_case != ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE_PRESENCE) {
		if (!*v)
			return bad(w, "an empty value");
		if (strchr(v, '*'))
			return bad(w, "'%s' has a '*', which kzt reads as a wildcard", v);
		if (strlen(v) > KZT_SPIFFE_ID_MAX - 1)
			return bad(w, "a value longer than %d bytes",
				   KZT_SPIFFE_ID_MAX - 1);
	}
	msg = check(buf);
	if (msg)
		return bad(w, "'%s': %s", buf, msg);
	ret = kzt_strs_push(out, buf, strlen(buf));
	return ret;
}

static int strings(struct where *w, const char *field,
		   Istio__Security__StringMatch *const *v, size_t n,
		   const char *(*check)(const char *), struct kzt_strs *out)
{
	int ret;

	w->field = field;
	ret = count_check(w, n);
	for (size_t i = 0; !ret && i < n; i++)
		ret = string_match(w, v[i], check, out);
	return ret;
}

static int service_accounts(struct where *w, const char *field,
			    Istio__Security__ServiceAccountMatch *const *v,
			    size_t n, struct kzt_strs *out)
{
	char buf[2 * KZT_XDS_AUTHZ_NAME_MAX + 2];
	const char *msg;
	int ret;

	w->field = field;
	ret = count_check(w, n);
	for (size_t i = 0; !ret && i < n; i++) {
		if (strlen(v[i]->namespace_) > KZT_XDS_AUTHZ_NAME_MAX ||
		    strlen(v[i]->serviceaccount) > KZT_XDS_AUTHZ_NAME_MAX)
			return bad(w, "a name longer than %d bytes",
				   KZT_XDS_AUTHZ_NAME_MAX);
		snprintf(buf, sizeof(buf), "%s/%s", v[i]->namespace_,
			 v[i]->serviceaccount);
		msg = kzt_service_account_check(buf);
		if (msg)
			return bad(w, "'%s': %s", buf, msg);
		ret = kzt_strs_push(out, buf, strlen(buf));
	}
	return ret;
}

static int addresses(struct where *w, const char *field,
		     Istio__Security__Address *const *v, size_t n,
		     struct kzt_cidrs *out)
{
	struct kzt_cidr c;
	int ret;

	w->field = field;
	ret = count_check(w, n);
	for (size_t i = 0; !ret && i < n; i++) {
		const ProtobufCBinaryData *a = &v[i]->address;
		unsigned int max = a->len == 4 ? 32 : 128;

		if (a->len != 4 && a->len != 16)
			return bad(w, "an address of %zu bytes (not 4 or 16)",
				   a->len);
		if (v[i]->length > max)
			return bad(w, "a prefix length of %u (at most %u)",
				   v[i]->length, max);
		memset(&c, 0, sizeof(c));
		if (a->len == 4) {
			c.addr.s6_addr[10] = 0xff;
			c.addr.s6_addr[11] = 0xff;
			memcpy(&c.addr.s6_addr[12], a->data, 4);
			c.prefix_len = 96 + v[i]->length;
		} else {
			memcpy(&c.addr, a->data, 16);
			c.prefix_len = v[i]->length;
		}
		for (unsigned int b = c.prefix_len; b < 128; b++)
			c.addr.s6_addr[b / 8] &= ~(0x80 >> (b % 8));
		ret = kzt_cidrs_push(out, &c);
	}
	return ret;
}

static int ports(struct where *w, const char *field, const uint32_t *v,
		 size_t n, struct kzt_ports *out)
{
	int ret;

	w->field = field;
	ret = count_check(w, n);
	for (size_t i = 0; !ret && i < n; i++) {
		if (!v[i] || v[i] > 65535)
			return bad(w, "port %u is not 1..65535", v[i]);
		ret = kzt_ports_push(out, (uint16_t)v[i]);
	}
	return ret;
}

static int match_map(struct where *w, const Istio__Security__Match *m,
		     struct kzt_rule *r)
{
	return strings(w, "namespaces", m->namespaces, m->n_namespaces,
		       kzt_ns_match_check, &r->namespaces) ?:
	       strings(w, "not_namespaces", m->not_namespaces,
		       m->n_not_namespaces, kzt_ns_match_check,
		       &r->not_namespaces) ?:
	       strings(w, "principals", m->principals, m->n_principals,
		       kzt_principal_check, &r->principals) ?:
	       strings(w, "not_principals", m->not_principals,
		       m->n_not_principals, kzt_principal_check,
		       &r->not_principals) ?:
	       service_accounts(w, "service_accounts", m->service_accounts,
				m->n_service_accounts, &r->service_accounts) ?:
	       service_accounts(w, "not_service_accounts",
				m->not_service_accounts,
				m->n_not_service_accounts,
				&r->not_service_accounts) ?:
	       addresses(w, "source_ips", m->source_ips, m->n_source_ips,
			 &r->ip_blocks) ?:
	       addresses(w, "not_source_ips", m->not_source_ips,
			 m->n_not_source_ips, &r->not_ip_blocks) ?:
	       addresses(w, "destination_ips", m->destination_ips,
			 m->n_destination_ips, &r->destination_ips) ?:
	       addresses(w, "not_destination_ips", m->not_destination_ips,
			 m->n_not_destination_ips, &r->not_destination_ips) ?:
	       ports(w, "destination_ports", m->destination_ports,
		     m->n_destination_ports, &r->ports) ?:
	       ports(w, "not_destination_ports", m->not_destination_ports,
		     m->n_not_destination_ports, &r->not_ports);
}

/*
 * Each rule in the clause form, as istiod sends it: a rule without clauses
 * matches all, a clause without matches matches all, a match without
 * fields matches nothing (kzt's grammar is ztunnel's).
 */
static int rules_map(const Istio__Security__Authorization *a,
		     struct kzt_policy *p, char *why, size_t len)
{
	struct where w = { .why = why, .len = len };
	struct kzt_clause *c;
	struct kzt_rule *r, *m;
	int ret;

	if (a->n_rules > KZT_POLICY_RULES_MAX)
		return kzt_xds_fail(why, len, "%zu rules, kzt takes at most %d",
			    a->n_rules, KZT_POLICY_RULES_MAX);
	for (w.rule = 0; w.rule < a->n_rules; w.rule++) {
		const Istio__Security__Rule *rule = a->rules[w.rule];

		if (rule->n_clauses > KZT_RULE_CLAUSES_MAX)
			return kzt_xds_fail(why, len, "rule %zu: %zu clauses, kzt takes at most %d",
				    w.rule, rule->n_clauses, KZT_RULE_CLAUSES_MAX);
		r = kzt_policy_rule_add(p);
		if (!r)
			return ENOMEM;
		for (w.clause = 0; w.clause < rule->n_clauses; w.clause++) {
			const Istio__Security__Clause *cl = rule->clauses[w.clause];

			if (cl->n_matches > KZT_CLAUSE_MATCHES_MAX)
				return kzt_xds_fail(why, len,
					    "rule %zu clause %zu: %zu matches, kzt takes at most %d",
					    w.rule, w.clause, cl->n_matches,
					    KZT_CLAUSE_MATCHES_MAX);
			c = kzt_rule_clause_add(r);
			if (!c)
				return ENOMEM;
			for (w.match = 0; w.match < cl->n_matches; w.match++) {
				m = kzt_clause_match_add(c);
				if (!m)
					return ENOMEM;
				ret = match_map(&w, cl->matches[w.match], m);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

/**
 * kzt_xds_policy_size() - a policy's size as the kernel counts it
 * @p:    the policy
 * @size: its attributes as a POLICY_GET reply carries them, in bytes
 *
 * The kernel refuses a policy above KZT_POLICY_SIZE_MAX (-EMSGSIZE); kztd
 * refuses it first, naming it, rather than failing the transaction.
 *
 * @retval 0        @size set
 * @retval EMSGSIZE larger than a netlink message can hold
 * @retval ENOMEM    out of memory
 */
int kzt_xds_policy_size(const struct kzt_policy *p, size_t *size)
{
	struct nl_msg *msg = nlmsg_alloc_size(4 * KZT_POLICY_SIZE_MAX);
	int ret;

	if (!msg)
		return ENOMEM;
	ret = kzt_policy_put(msg, p, NULL);
	if (!ret) {
		*size = nlmsg_datalen(nlmsg_hdr(msg));
		/* A dry-run policy's reply has its two u64 counters too. */
		if (p->dry_run)
			*size += 2 * nla_total_size(sizeof(uint64_t) + 4);
	}
	nlmsg_free(msg);
	return ret;
}

static int size_check(const struct kzt_policy *p, char *why, size_t len)
{
	size_t size;
	int ret = kzt_xds_policy_size(p, &size);

	if (ret == EMSGSIZE || (!ret && size > KZT_POLICY_SIZE_MAX))
		return kzt_xds_fail(why, len,
			    "too large for kzt: %s bytes in netlink form, at most %d",
			    ret ? "more than 4 x 32000" : "over 32000",
			    KZT_POLICY_SIZE_MAX);
	return ret;
}

/**
 * kzt_xds_authz_map() - what an Authorization resource is in kzt's words
 * @a:       the resource as istiod sent it
 * @out:     the policy (zeroed first; kzt_xds_authz_free() it, on failure
 *           too)
 * @why:     on EINVAL, why the resource is refused (for the NACK)
 * @why_len: its size
 *
 * @retval 0      @out is the policy; a selector policy still needs its
 *                addresses (kzt_xds_authz_set_addrs())
 * @retval EINVAL kzt cannot enforce it exactly: refused, @why says why
 * @retval ENOMEM out of memory
 */
int kzt_xds_authz_map(const Istio__Security__Authorization *a,
		      struct kzt_xds_authz *out, char *why, size_t why_len)
{
	struct kzt_policy *p = &out->policy;
	const char *msg;
	char name[2 * KZT_XDS_AUTHZ_NAME_MAX + 2];
	int ret;

	memset(out, 0, sizeof(*out));
	if (!*a->name || !*a->namespace_)
		return kzt_xds_fail(why, why_len, "name and namespace are needed");
	if (strlen(a->name) > KZT_XDS_AUTHZ_NAME_MAX ||
	    strlen(a->namespace_) > KZT_XDS_AUTHZ_NAME_MAX)
		return kzt_xds_fail(why, why_len, "name or namespace longer than %d bytes",
			    KZT_XDS_AUTHZ_NAME_MAX);
	snprintf(name, sizeof(name), "%s/%s", a->namespace_, a->name);
	msg = kzt_policy_name_check(name);
	if (msg)
		return kzt_xds_fail(why, why_len, "name '%s': %s", name, msg);
	p->name = strdup(name);
	if (!p->name)
		return ENOMEM;

	switch (a->action) {
	case ISTIO__SECURITY__ACTION__ALLOW:
		p->action = KZT_ACTION_ALLOW;
		break;
	case ISTIO__SECURITY__ACTION__DENY:
		p->action = KZT_ACTION_DENY;
		break;
	default:
		return kzt_xds_fail(why, why_len,
			    "action %d: kzt enforces ALLOW and DENY only",
			    (int)a->action);
	}

	switch (a->scope) {
	case ISTIO__SECURITY__SCOPE__GLOBAL:
		p->scope = KZT_SCOPE_GLOBAL;
		break;
	case ISTIO__SECURITY__SCOPE__NAMESPACE:
		msg = kzt_namespace_check(a->namespace_);
		if (msg)
			return kzt_xds_fail(why, why_len, "namespace '%s': %s",
				    a->namespace_, msg);
		p->scope = KZT_SCOPE_NAMESPACE;
		p->ns = strdup(a->namespace_);
		if (!p->ns)
			return ENOMEM;
		break;
	case ISTIO__SECURITY__SCOPE__WORKLOAD_SELECTOR:
		p->scope = KZT_SCOPE_ADDRESSES;
		out->selector = true;
		break;
	default:
		return kzt_xds_fail(why, why_len, "scope %d is not GLOBAL, NAMESPACE or WORKLOAD_SELECTOR",
			    (int)a->scope);
	}
	p->dry_run = a->dry_run;
	ret = rules_map(a, p, why, why_len);
	if (ret)
		return ret;
	return size_check(p, why, why_len);
}

/**
 * kzt_xds_authz_set_addrs() - give a selector policy its addresses
 * @a:       a policy kzt_xds_authz_map() made, @a->selector
 * @addrs:   the addresses of the local workloads that list it (copied)
 * @n:       how many, 1..KZT_SCOPE_IDS_MAX
 * @why:     on EINVAL, why it cannot be installed
 * @why_len: its size
 *
 * @retval 0      @a->policy.scope_addrs is @addrs
 * @retval EINVAL too many addresses, or the policy grows too large
 * @retval ENOMEM out of memory
 */
int kzt_xds_authz_set_addrs(struct kzt_xds_authz *a,
			    const struct in6_addr *addrs, size_t n, char *why,
			    size_t why_len)
{
	struct kzt_addrs *s = &a->policy.scope_addrs;

	if (n > KZT_SCOPE_IDS_MAX)
		return kzt_xds_fail(why, why_len,
			    "selects %zu local addresses, kzt takes at most %d",
			    n, KZT_SCOPE_IDS_MAX);
	s->n = 0;
	for (size_t i = 0; i < n; i++)
		if (kzt_addrs_push(s, &addrs[i]))
			return ENOMEM;
	return size_check(&a->policy, why, why_len);
}

void kzt_xds_authz_free(struct kzt_xds_authz *a)
{
	kzt_policy_free(&a->policy);
	memset(a, 0, sizeof(*a));
}

/**
 * kzt_xds_authz_standin() - what kztd enforces for a refused Authorization
 * @a:     the resource kzt_xds_authz_map() refused
 * @out:   its stand-in (zeroed first; kzt_xds_authz_free() it)
 * @inert: set when nothing is to be enforced: an action other than ALLOW
 *         and DENY (Istio's AUDIT never decides a flow), or a dry-run
 *         policy; @out->policy.name is still set
 *
 * Dropping a refused policy could let flows in that istiod meant to stop,
 * so it is replaced by its strictest form in its own scope: an ALLOW that
 * matches nothing (its scope admits only what other ALLOW policies
 * allow), a DENY that matches everything. An unknown scope becomes
 * GLOBAL, a NAMESPACE scope of a bad namespace too.
 *
 * @retval 0      @out set
 * @retval EINVAL the name cannot name a kernel policy: nothing can stand in
 * @retval ENOMEM out of memory
 */
int kzt_xds_authz_standin(const Istio__Security__Authorization *a,
			  struct kzt_xds_authz *out, bool *inert)
{
	struct kzt_policy *p = &out->policy;
	char name[2 * KZT_XDS_AUTHZ_NAME_MAX + 2];

	memset(out, 0, sizeof(*out));
	*inert = false;
	if (!*a->name || !*a->namespace_ ||
	    strlen(a->name) > KZT_XDS_AUTHZ_NAME_MAX ||
	    strlen(a->namespace_) > KZT_XDS_AUTHZ_NAME_MAX)
		return EINVAL;
	snprintf(name, sizeof(name), "%s/%s", a->namespace_, a->name);
	if (kzt_policy_name_check(name))
		return EINVAL;
	p->name = strdup(name);
	if (!p->name)
		return ENOMEM;
	if ((a->action != ISTIO__SECURITY__ACTION__ALLOW &&
	     a->action != ISTIO__SECURITY__ACTION__DENY) || a->dry_run) {
		*inert = true;
		return 0;
	}
	p->action = a->action == ISTIO__SECURITY__ACTION__ALLOW ?
		    KZT_ACTION_ALLOW : KZT_ACTION_DENY;
	p->scope = KZT_SCOPE_GLOBAL;
	if (a->scope == ISTIO__SECURITY__SCOPE__WORKLOAD_SELECTOR) {
		p->scope = KZT_SCOPE_ADDRESSES;
		out->selector = true;
	} else if (a->scope == ISTIO__SECURITY__SCOPE__NAMESPACE &&
		   !kzt_namespace_check(a->namespace_)) {
		p->scope = KZT_SCOPE_NAMESPACE;
		p->ns = strdup(a->namespace_);
		if (!p->ns)
			return ENOMEM;
	}
	if (p->action == KZT_ACTION_DENY && !kzt_policy_rule_add(p))
		return ENOMEM;
	return 0;
}
