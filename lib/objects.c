// SPDX-License-Identifier: GPL-2.0
/*
 * Ownership, growth, ordering and names of workloads and policies; see
 * objects.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "objects.h"

/*
 * @base (@n items of @size) with room for one more, zeroed; NULL when out
 * of memory, @base then unchanged. The caller stores the result.
 */
static void *grow(void *base, size_t n, size_t size)
{
	char *p;

	if (n >= SIZE_MAX / size - 1)
		return NULL;
	p = realloc(base, (n + 1) * size);
	if (p)
		memset(p + n * size, 0, size);
	return p;
}

/**
 * kzt_strs_push() - append a copy of @len bytes of @str
 * @s:   the list
 * @str: the bytes (need not be NUL-terminated)
 * @len: how many
 *
 * @retval 0      appended
 * @retval ENOMEM out of memory; @s is unchanged
 */
int kzt_strs_push(struct kzt_strs *s, const char *str, size_t len)
{
	char *copy = strndup(str, len);
	char **v;

	if (!copy)
		return ENOMEM;
	v = grow(s->v, s->n, sizeof(*v));
	if (!v) {
		free(copy);
		return ENOMEM;
	}
	s->v = v;
	s->v[s->n++] = copy;
	return 0;
}

int kzt_cidrs_push(struct kzt_cidrs *c, const struct kzt_cidr *cidr)
{
	struct kzt_cidr *v = grow(c->v, c->n, sizeof(*v));

	if (!v)
		return ENOMEM;
	c->v = v;
	c->v[c->n++] = *cidr;
	return 0;
}

int kzt_addrs_push(struct kzt_addrs *a, const struct in6_addr *addr)
{
	struct in6_addr *v = grow(a->v, a->n, sizeof(*v));

	if (!v)
		return ENOMEM;
	a->v = v;
	a->v[a->n++] = *addr;
	return 0;
}

int kzt_ports_push(struct kzt_ports *p, uint16_t port)
{
	uint16_t *v = grow(p->v, p->n, sizeof(*v));

	if (!v)
		return ENOMEM;
	p->v = v;
	p->v[p->n++] = port;
	return 0;
}

void kzt_strs_free(struct kzt_strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

void kzt_workload_free(struct kzt_workload *w)
{
	free(w->id);
	memset(w, 0, sizeof(*w));
}

/**
 * kzt_workloads_push() - move @w to the end of @list
 * @list: the list
 * @w:    taken over on success (then zeroed); untouched on failure
 *
 * @retval 0      appended
 * @retval ENOMEM out of memory
 */
int kzt_workloads_push(struct kzt_workloads *list, struct kzt_workload *w)
{
	struct kzt_workload *v = grow(list->v, list->n, sizeof(*v));

	if (!v)
		return ENOMEM;
	list->v = v;
	list->v[list->n++] = *w;
	memset(w, 0, sizeof(*w));
	return 0;
}

void kzt_workloads_free(struct kzt_workloads *list)
{
	for (size_t i = 0; i < list->n; i++)
		kzt_workload_free(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

static int workload_cmp(const void *a, const void *b)
{
	const struct kzt_workload *wa = a, *wb = b;

	return kzt_addr_cmp(&wa->addr, &wb->addr);
}

/* By address: IPv4 before IPv6, each in numeric order. */
void kzt_workloads_sort(struct kzt_workloads *list)
{
	if (list->n > 1)
		qsort(list->v, list->n, sizeof(*list->v), workload_cmp);
}

/**
 * kzt_policy_rule_add() - append an empty (match-all) rule to @p
 * @p: the policy
 *
 * @retval the new rule
 * @retval NULL out of memory; @p is unchanged
 */
struct kzt_rule *kzt_policy_rule_add(struct kzt_policy *p)
{
	struct kzt_rule *v = grow(p->rules, p->n_rules, sizeof(*v));

	if (!v)
		return NULL;
	p->rules = v;
	return &p->rules[p->n_rules++];
}

/**
 * kzt_rule_clause_add() - append a clause without matches to @r
 * @r: the rule; its fields are then unused
 *
 * @retval the new clause
 * @retval NULL out of memory; @r is unchanged
 */
struct kzt_clause *kzt_rule_clause_add(struct kzt_rule *r)
{
	struct kzt_clause *v = grow(r->clauses, r->n_clauses, sizeof(*v));

	if (!v)
		return NULL;
	r->clauses = v;
	return &r->clauses[r->n_clauses++];
}

/**
 * kzt_clause_match_add() - append a match without fields to @c
 * @c: the clause
 *
 * @retval the new match, whose fields only are used
 * @retval NULL out of memory; @c is unchanged
 */
struct kzt_rule *kzt_clause_match_add(struct kzt_clause *c)
{
	struct kzt_rule *v = grow(c->matches, c->n_matches, sizeof(*v));

	if (!v)
		return NULL;
	c->matches = v;
	return &c->matches[c->n_matches++];
}

void kzt_rule_free(struct kzt_rule *r)
{
	for (size_t i = 0; i < r->n_clauses; i++) {
		for (size_t j = 0; j < r->clauses[i].n_matches; j++)
			kzt_rule_free(&r->clauses[i].matches[j]);
		free(r->clauses[i].matches);
	}
	free(r->clauses);
	kzt_strs_free(&r->service_accounts);
	kzt_strs_free(&r->not_service_accounts);
	free(r->destination_ips.v);
	free(r->not_destination_ips.v);
	kzt_strs_free(&r->principals);
	kzt_strs_free(&r->not_principals);
	kzt_strs_free(&r->namespaces);
	kzt_strs_free(&r->not_namespaces);
	free(r->ip_blocks.v);
	free(r->not_ip_blocks.v);
	free(r->ports.v);
	free(r->not_ports.v);
	memset(r, 0, sizeof(*r));
}

void kzt_policy_free(struct kzt_policy *p)
{
	free(p->name);
	free(p->ns);
	kzt_strs_free(&p->scope_ids);
	free(p->scope_addrs.v);
	for (size_t i = 0; i < p->n_rules; i++)
		kzt_rule_free(&p->rules[i]);
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

/* As kzt_workloads_push(), for policies. */
int kzt_policies_push(struct kzt_policies *list, struct kzt_policy *p)
{
	struct kzt_policy *v = grow(list->v, list->n, sizeof(*v));

	if (!v)
		return ENOMEM;
	list->v = v;
	list->v[list->n++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
}

void kzt_policies_free(struct kzt_policies *list)
{
	for (size_t i = 0; i < list->n; i++)
		kzt_policy_free(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

static int policy_cmp(const void *a, const void *b)
{
	const struct kzt_policy *pa = a, *pb = b;

	return strcmp(pa->name, pb->name);
}

/* By name, bytewise, as the kernel dumps them. */
void kzt_policies_sort(struct kzt_policies *list)
{
	if (list->n > 1)
		qsort(list->v, list->n, sizeof(*list->v), policy_cmp);
}

static const char *const proto_names[__KZT_PROTO_MAX] = {
	[KZT_PROTO_PLAINTEXT]	= "plaintext",
	[KZT_PROTO_KZT1]	= "kzt",
	[KZT_PROTO_REFUSED]	= "refused",
};

static const char *const action_names[__KZT_ACTION_MAX] = {
	[KZT_ACTION_ALLOW]	= "allow",
	[KZT_ACTION_DENY]	= "deny",
};

static const char *const scope_names[__KZT_SCOPE_MAX] = {
	[KZT_SCOPE_GLOBAL]	= "global",
	[KZT_SCOPE_NAMESPACE]	= "namespace",
	[KZT_SCOPE_WORKLOADS]	= "workloads",
	[KZT_SCOPE_ADDRESSES]	= "addresses",
};

static const char *const nonmesh_names[__KZT_NONMESH_MAX] = {
	[KZT_NONMESH_DENY]		= "deny",
	[KZT_NONMESH_PASSTHROUGH]	= "passthrough",
};

static const char *const verdict_names[__KZT_VERDICT_MAX] = {
	[KZT_VERDICT_ALLOW]	= "allow",
	[KZT_VERDICT_DENY]	= "deny",
};

static const char *const reason_names[__KZT_REASON_MAX] = {
	[KZT_REASON_NO_POLICY]		= "no-policy",
	[KZT_REASON_ALLOW_POLICY]	= "allow-policy",
	[KZT_REASON_DENY_POLICY]	= "deny-policy",
	[KZT_REASON_NO_ALLOW_MATCH]	= "no-allow-match",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* "?" for a value a newer module may send. */
static const char *enum_name(const char *const *names, size_t n,
			     unsigned int v)
{
	return v < n && names[v] ? names[v] : "?";
}

static int enum_parse(const char *const *names, size_t n, const char *s,
		      uint8_t *v)
{
	for (size_t i = 0; i < n; i++) {
		if (names[i] && !strcmp(s, names[i])) {
			*v = i;
			return 0;
		}
	}
	return EINVAL;
}

const char *kzt_proto_name(unsigned int proto)
{
	return enum_name(proto_names, ARRAY_LEN(proto_names), proto);
}

const char *kzt_action_name(unsigned int action)
{
	return enum_name(action_names, ARRAY_LEN(action_names), action);
}

const char *kzt_scope_name(unsigned int scope)
{
	return enum_name(scope_names, ARRAY_LEN(scope_names), scope);
}

const char *kzt_nonmesh_name(unsigned int mode)
{
	return enum_name(nonmesh_names, ARRAY_LEN(nonmesh_names), mode);
}

const char *kzt_verdict_name(unsigned int verdict)
{
	return enum_name(verdict_names, ARRAY_LEN(verdict_names), verdict);
}

const char *kzt_reason_name(unsigned int reason)
{
	return enum_name(reason_names, ARRAY_LEN(reason_names), reason);
}

/* The parsers return 0, or EINVAL for any other word. */
int kzt_proto_parse(const char *s, uint8_t *proto)
{
	return enum_parse(proto_names, ARRAY_LEN(proto_names), s, proto);
}

int kzt_action_parse(const char *s, uint8_t *action)
{
	return enum_parse(action_names, ARRAY_LEN(action_names), s, action);
}

int kzt_scope_parse(const char *s, uint8_t *scope)
{
	return enum_parse(scope_names, ARRAY_LEN(scope_names), s, scope);
}

int kzt_nonmesh_parse(const char *s, uint8_t *mode)
{
	return enum_parse(nonmesh_names, ARRAY_LEN(nonmesh_names), s, mode);
}
