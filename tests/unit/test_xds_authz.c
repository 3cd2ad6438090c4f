// SPDX-License-Identifier: GPL-2.0
/*
 * istiod's Authorizations as kzt policies (lib/xds_authz.c): name, action,
 * every scope, every field of a match and its not_ form, StringMatch
 * kinds, dry-run, and the refusals that name what kzt cannot say.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/kzt.h>

#include "addr.h"
#include "xds_authz.h"

#define SM(kind, v)							\
	((Istio__Security__StringMatch){				\
		PROTOBUF_C_MESSAGE_INIT(&istio__security__string_match__descriptor), \
		ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE_##kind, { .exact = (v) } })

static Google__Protobuf__Empty empty = GOOGLE__PROTOBUF__EMPTY__INIT;

/* One resource: one rule of one clause of @m; more are added by tests. */
struct fixture {
	Istio__Security__Authorization a;
	Istio__Security__Rule rule, *rules[2];
	Istio__Security__Clause clause, *clauses[1];
	Istio__Security__Match m, *matches[1];
};

static void fixture_init(struct fixture *f, Istio__Security__Scope scope,
			 Istio__Security__Action action)
{
	f->a = (Istio__Security__Authorization)ISTIO__SECURITY__AUTHORIZATION__INIT;
	f->rule = (Istio__Security__Rule)ISTIO__SECURITY__RULE__INIT;
	f->clause = (Istio__Security__Clause)ISTIO__SECURITY__CLAUSE__INIT;
	f->m = (Istio__Security__Match)ISTIO__SECURITY__MATCH__INIT;
	f->a.name = "allow-web";
	f->a.namespace_ = "prod";
	f->a.scope = scope;
	f->a.action = action;
	f->matches[0] = &f->m;
	f->clause.matches = f->matches;
	f->clause.n_matches = 1;
	f->clauses[0] = &f->clause;
	f->rule.clauses = f->clauses;
	f->rule.n_clauses = 1;
	f->rules[0] = &f->rule;
	f->a.rules = f->rules;
	f->a.n_rules = 1;
}

static const char *cidr(const struct kzt_cidrs *c, size_t i, char *buf)
{
	return kzt_cidr_str(&c->v[i], buf, KZT_CIDR_STRLEN);
}

/* Every field and its not_ form, each StringMatch kind. */
static void test_every_field(void **state)
{
	Istio__Security__StringMatch ns[4] = {
		SM(EXACT, "front"), SM(PREFIX, "team-"), SM(SUFFIX, "-prod"),
		SM(PRESENCE, NULL),
	};
	Istio__Security__StringMatch *nsp[4] = { &ns[0], &ns[1], &ns[2], &ns[3] };
	Istio__Security__StringMatch nns = SM(EXACT, "legacy"), *nnsp = &nns;
	Istio__Security__StringMatch pr = SM(PREFIX, "cluster.local/ns/ops/"), *prp = &pr;
	Istio__Security__StringMatch npr = SM(SUFFIX, "/sa/evil"), *nprp = &npr;
	Istio__Security__ServiceAccountMatch sa = ISTIO__SECURITY__SERVICE_ACCOUNT_MATCH__INIT;
	Istio__Security__ServiceAccountMatch nsa = ISTIO__SECURITY__SERVICE_ACCOUNT_MATCH__INIT;
	Istio__Security__ServiceAccountMatch *sap = &sa, *nsap = &nsa;
	uint8_t v4[4] = { 10, 1, 2, 3 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	Istio__Security__Address src = ISTIO__SECURITY__ADDRESS__INIT;
	Istio__Security__Address nsrc = ISTIO__SECURITY__ADDRESS__INIT;
	Istio__Security__Address dst = ISTIO__SECURITY__ADDRESS__INIT;
	Istio__Security__Address ndst = ISTIO__SECURITY__ADDRESS__INIT;
	Istio__Security__Address *srcp = &src, *nsrcp = &nsrc, *dstp = &dst, *ndstp = &ndst;
	uint32_t ports[2] = { 80, 443 }, nports[1] = { 22 };
	struct kzt_xds_authz out;
	struct fixture f;
	char why[256] = "", buf[KZT_CIDR_STRLEN];
	const struct kzt_rule *m;

	(void)state;
	ns[3].presence = &empty;
	fixture_init(&f, ISTIO__SECURITY__SCOPE__NAMESPACE, ISTIO__SECURITY__ACTION__DENY);
	f.a.dry_run = true;
	f.m.namespaces = nsp;
	f.m.n_namespaces = 4;
	f.m.not_namespaces = &nnsp;
	f.m.n_not_namespaces = 1;
	f.m.principals = &prp;
	f.m.n_principals = 1;
	f.m.not_principals = &nprp;
	f.m.n_not_principals = 1;
	sa.namespace_ = "ops";
	sa.serviceaccount = "admin";
	nsa.namespace_ = "ops";
	nsa.serviceaccount = "bot";
	f.m.service_accounts = &sap;
	f.m.n_service_accounts = 1;
	f.m.not_service_accounts = &nsap;
	f.m.n_not_service_accounts = 1;
	src.address = (ProtobufCBinaryData){ 4, v4 };
	src.length = 8;			/* host bits: the network is taken */
	nsrc.address = (ProtobufCBinaryData){ 4, v4 };
	nsrc.length = 32;
	dst.address = (ProtobufCBinaryData){ 16, v6 };
	dst.length = 32;
	ndst.address = (ProtobufCBinaryData){ 16, v6 };
	ndst.length = 128;
	f.m.source_ips = &srcp;
	f.m.n_source_ips = 1;
	f.m.not_source_ips = &nsrcp;
	f.m.n_not_source_ips = 1;
	f.m.destination_ips = &dstp;
	f.m.n_destination_ips = 1;
	f.m.not_destination_ips = &ndstp;
	f.m.n_not_destination_ips = 1;
	f.m.destination_ports = ports;
	f.m.n_destination_ports = 2;
	f.m.not_destination_ports = nports;
	f.m.n_not_destination_ports = 1;

	assert_int_equal(kzt_xds_authz_map(&f.a, &out, why, sizeof(why)), 0);
	assert_string_equal(out.policy.name, "prod/allow-web");
	assert_int_equal(out.policy.action, KZT_ACTION_DENY);
	assert_int_equal(out.policy.scope, KZT_SCOPE_NAMESPACE);
	assert_string_equal(out.policy.ns, "prod");
	assert_false(out.selector);
	assert_true(out.policy.dry_run);
	assert_int_equal(out.policy.n_rules, 1);
	assert_int_equal(out.policy.rules[0].n_clauses, 1);
	assert_int_equal(out.policy.rules[0].clauses[0].n_matches, 1);
	m = &out.policy.rules[0].clauses[0].matches[0];
	assert_int_equal(m->namespaces.n, 4);
	assert_string_equal(m->namespaces.v[0], "front");
	assert_string_equal(m->namespaces.v[1], "team-*");
	assert_string_equal(m->namespaces.v[2], "*-prod");
	assert_string_equal(m->namespaces.v[3], "*");
	assert_string_equal(m->not_namespaces.v[0], "legacy");
	assert_string_equal(m->principals.v[0], "cluster.local/ns/ops/*");
	assert_string_equal(m->not_principals.v[0], "*/sa/evil");
	assert_string_equal(m->service_accounts.v[0], "ops/admin");
	assert_string_equal(m->not_service_accounts.v[0], "ops/bot");
	assert_string_equal(cidr(&m->ip_blocks, 0, buf), "10.0.0.0/8");
	assert_string_equal(cidr(&m->not_ip_blocks, 0, buf), "10.1.2.3/32");
	assert_string_equal(cidr(&m->destination_ips, 0, buf), "2001:db8::/32");
	assert_string_equal(cidr(&m->not_destination_ips, 0, buf), "2001:db8::/128");
	assert_int_equal(m->ports.n, 2);
	assert_int_equal(m->ports.v[1], 443);
	assert_int_equal(m->not_ports.v[0], 22);
	kzt_xds_authz_free(&out);
}

/* Scopes and actions; a rule of no clauses, a clause of no matches. */
static void test_scopes(void **state)
{
	struct in6_addr addrs[2];
	struct kzt_xds_authz out;
	struct fixture f;
	char why[256] = "";

	(void)state;
	fixture_init(&f, ISTIO__SECURITY__SCOPE__GLOBAL, ISTIO__SECURITY__ACTION__ALLOW);
	f.a.namespace_ = "istio-system";
	f.rule.n_clauses = 0;
	assert_int_equal(kzt_xds_authz_map(&f.a, &out, why, sizeof(why)), 0);
	assert_string_equal(out.policy.name, "istio-system/allow-web");
	assert_int_equal(out.policy.scope, KZT_SCOPE_GLOBAL);
	assert_int_equal(out.policy.action, KZT_ACTION_ALLOW);
	assert_null(out.policy.ns);
	assert_int_equal(out.policy.n_rules, 1);
	assert_int_equal(out.policy.rules[0].n_clauses, 0);
	kzt_xds_authz_free(&out);

	fixture_init(&f, ISTIO__SECURITY__SCOPE__WORKLOAD_SELECTOR,
		     ISTIO__SECURITY__ACTION__ALLOW);
	f.clause.n_matches = 0;
	f.a.n_rules = 0;
	assert_int_equal(kzt_xds_authz_map(&f.a, &out, why, sizeof(why)), 0);
	assert_true(out.selector);
	assert_int_equal(out.policy.scope, KZT_SCOPE_ADDRESSES);
	assert_int_equal(out.policy.scope_ids.n, 0);
	assert_int_equal(out.policy.scope_addrs.n, 0);
	assert_int_equal(out.policy.n_rules, 0);
	assert_int_equal(kzt_addr_parse("10.0.0.7", &addrs[0]), 0);
	assert_int_equal(kzt_addr_parse("fd00::7", &addrs[1]), 0);
	assert_int_equal(kzt_xds_authz_set_addrs(&out, addrs, 2, why, sizeof(why)), 0);
	assert_int_equal(out.policy.scope_addrs.n, 2);
	assert_memory_equal(&out.policy.scope_addrs.v[1], &addrs[1], 16);
	/* Again with fewer: replaced, not appended. */
	assert_int_equal(kzt_xds_authz_set_addrs(&out, addrs, 1, why, sizeof(why)), 0);
	assert_int_equal(out.policy.scope_addrs.n, 1);
	kzt_xds_authz_free(&out);
}

struct refusal {
	const char *name;
	void (*tweak)(struct fixture *f);
	const char *why;	/* a part of the message */
};

static Istio__Security__StringMatch bad_sm;
static Istio__Security__StringMatch *bad_smp = &bad_sm;
static Istio__Security__Address bad_addr;
static Istio__Security__Address *bad_addrp = &bad_addr;
static uint8_t bad_bytes[16];
static uint32_t bad_port;

static void t_audit(struct fixture *f) { f->a.action = 2; }
static void t_scope(struct fixture *f) { f->a.scope = 7; }
static void t_no_ns(struct fixture *f) { f->a.namespace_ = ""; }

static void t_sm_unset(struct fixture *f)
{
	bad_sm = SM(EXACT, NULL);
	bad_sm.match_type_case = ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE__NOT_SET;
	f->m.not_principals = &bad_smp;
	f->m.n_not_principals = 1;
}

static void t_sm_star(struct fixture *f)
{
	bad_sm = SM(EXACT, "a*b");
	f->m.principals = &bad_smp;
	f->m.n_principals = 1;
}

static void t_sm_empty(struct fixture *f)
{
	bad_sm = SM(PREFIX, "");
	f->m.namespaces = &bad_smp;
	f->m.n_namespaces = 1;
}

static void t_addr_len(struct fixture *f)
{
	bad_addr = (Istio__Security__Address)ISTIO__SECURITY__ADDRESS__INIT;
	bad_addr.address = (ProtobufCBinaryData){ 5, bad_bytes };
	f->m.not_destination_ips = &bad_addrp;
	f->m.n_not_destination_ips = 1;
}

static void t_prefix_len(struct fixture *f)
{
	bad_addr = (Istio__Security__Address)ISTIO__SECURITY__ADDRESS__INIT;
	bad_addr.address = (ProtobufCBinaryData){ 4, bad_bytes };
	bad_addr.length = 33;
	f->m.source_ips = &bad_addrp;
	f->m.n_source_ips = 1;
}

static void t_port(struct fixture *f)
{
	bad_port = 65536;
	f->m.not_destination_ports = &bad_port;
	f->m.n_not_destination_ports = 1;
}

static void t_port0(struct fixture *f)
{
	bad_port = 0;
	f->m.destination_ports = &bad_port;
	f->m.n_destination_ports = 1;
}

static void t_too_many(struct fixture *f)
{
	static uint32_t many[KZT_RULE_VALUES_MAX + 1];

	for (size_t i = 0; i < KZT_RULE_VALUES_MAX + 1; i++)
		many[i] = 1 + i;
	f->m.destination_ports = many;
	f->m.n_destination_ports = KZT_RULE_VALUES_MAX + 1;
}

/* 200 rules of 200 ports each: fields within limits, too large in all. */
static void t_too_large(struct fixture *f)
{
	static uint32_t ports[200];
	static Istio__Security__Rule *rules[200];

	for (size_t i = 0; i < 200; i++) {
		ports[i] = 1 + i;
		rules[i] = &f->rule;
	}
	f->m.destination_ports = ports;
	f->m.n_destination_ports = 200;
	f->a.rules = rules;
	f->a.n_rules = 200;
}

static const struct refusal refusals[] = {
	{ "AUDIT", t_audit, "action 2: kzt enforces ALLOW and DENY only" },
	{ "unknown scope", t_scope, "scope 7" },
	{ "no namespace", t_no_ns, "name and namespace are needed" },
	{ "match of no type", t_sm_unset, "rule 0 clause 0 match 0 not_principals: a match of no type" },
	{ "'*' in exact", t_sm_star, "principals: 'a*b' has a '*'" },
	{ "empty prefix", t_sm_empty, "namespaces: an empty value" },
	{ "5-byte address", t_addr_len, "not_destination_ips: an address of 5 bytes" },
	{ "prefix 33", t_prefix_len, "source_ips: a prefix length of 33" },
	{ "port 65536", t_port, "not_destination_ports: port 65536" },
	{ "port 0", t_port0, "destination_ports: port 0" },
	{ "257 ports", t_too_many, "destination_ports: 257 values" },
	{ "too large", t_too_large, "too large for kzt" },
};

static void test_refusals(void **state)
{
	struct kzt_xds_authz out;
	struct fixture f;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		fixture_init(&f, ISTIO__SECURITY__SCOPE__NAMESPACE,
			     ISTIO__SECURITY__ACTION__ALLOW);
		refusals[i].tweak(&f);
		why[0] = '\0';
		assert_int_equal(kzt_xds_authz_map(&f.a, &out, why, sizeof(why)), EINVAL);
		if (!strstr(why, refusals[i].why))
			fail_msg("%s: '%s' lacks '%s'", refusals[i].name, why,
				 refusals[i].why);
		kzt_xds_authz_free(&out);
	}
}

/* A selector policy that grows too large with its addresses is refused. */
static void test_selector_too_many(void **state)
{
	static struct in6_addr addrs[KZT_SCOPE_IDS_MAX + 1];
	struct kzt_xds_authz out;
	struct fixture f;
	char why[256] = "";

	(void)state;
	fixture_init(&f, ISTIO__SECURITY__SCOPE__WORKLOAD_SELECTOR,
		     ISTIO__SECURITY__ACTION__ALLOW);
	assert_int_equal(kzt_xds_authz_map(&f.a, &out, why, sizeof(why)), 0);
	assert_int_equal(kzt_xds_authz_set_addrs(&out, addrs, KZT_SCOPE_IDS_MAX + 1,
						 why, sizeof(why)), EINVAL);
	assert_non_null(strstr(why, "selects 1025 local addresses"));
	kzt_xds_authz_free(&out);
}

/* A refused resource's stand-in: its strictest form in its scope. */
static void test_standin(void **state)
{
	struct kzt_xds_authz out;
	struct fixture f;
	bool inert;

	(void)state;
	fixture_init(&f, ISTIO__SECURITY__SCOPE__NAMESPACE, ISTIO__SECURITY__ACTION__ALLOW);
	assert_int_equal(kzt_xds_authz_standin(&f.a, &out, &inert), 0);
	assert_false(inert);
	assert_string_equal(out.policy.name, "prod/allow-web");
	assert_int_equal(out.policy.action, KZT_ACTION_ALLOW);
	assert_int_equal(out.policy.scope, KZT_SCOPE_NAMESPACE);
	assert_string_equal(out.policy.ns, "prod");
	assert_int_equal(out.policy.n_rules, 0);	/* allows nothing */
	kzt_xds_authz_free(&out);

	fixture_init(&f, ISTIO__SECURITY__SCOPE__WORKLOAD_SELECTOR,
		     ISTIO__SECURITY__ACTION__DENY);
	assert_int_equal(kzt_xds_authz_standin(&f.a, &out, &inert), 0);
	assert_true(out.selector);
	assert_int_equal(out.policy.scope, KZT_SCOPE_ADDRESSES);
	assert_int_equal(out.policy.n_rules, 1);	/* denies everything */
	assert_int_equal(out.policy.rules[0].n_clauses, 0);
	kzt_xds_authz_free(&out);

	fixture_init(&f, 9, ISTIO__SECURITY__ACTION__DENY);
	assert_int_equal(kzt_xds_authz_standin(&f.a, &out, &inert), 0);
	assert_int_equal(out.policy.scope, KZT_SCOPE_GLOBAL);
	kzt_xds_authz_free(&out);

	fixture_init(&f, ISTIO__SECURITY__SCOPE__GLOBAL, 2);	/* AUDIT */
	assert_int_equal(kzt_xds_authz_standin(&f.a, &out, &inert), 0);
	assert_true(inert);
	assert_string_equal(out.policy.name, "prod/allow-web");
	kzt_xds_authz_free(&out);

	fixture_init(&f, ISTIO__SECURITY__SCOPE__GLOBAL, ISTIO__SECURITY__ACTION__DENY);
	f.a.name = "bad name";
	assert_int_equal(kzt_xds_authz_standin(&f.a, &out, &inert), EINVAL);
	kzt_xds_authz_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_selector_too_many),
		cmocka_unit_test(test_standin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
