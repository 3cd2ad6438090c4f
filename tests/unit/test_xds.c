// SPDX-License-Identifier: GPL-2.0
/*
 * istiod's Workloads as kzt installs them (lib/xds_workload.c) and the
 * kernel changes a delta implies (lib/xds_store.c): identities and their
 * defaults, refusals, bad input, incremental changes, and an address
 * reused by a new pod before istiod removes the old one.
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

#include "xds_store.h"

static const struct kzt_xds_node node = {
	.name = "node-a", .trust_domain = "cluster.local",
};

/* A Workload as istiod would send it; addresses are IPv4 text. */
struct wl_spec {
	const char *uid, *ns, *sa, *td, *node;
	const char *addrs[3];
	Istio__Workload__TunnelProtocol proto;
	bool waypoint;
	const char *policies[3];	/* authorization_policies */
};

static int map(const struct wl_spec *sp, struct kzt_xds_workload *out,
	       char *why, size_t len)
{
	Istio__Workload__Workload w = ISTIO__WORKLOAD__WORKLOAD__INIT;
	Istio__Workload__GatewayAddress gw = ISTIO__WORKLOAD__GATEWAY_ADDRESS__INIT;
	ProtobufCBinaryData addrs[3];
	struct in_addr a4[3];
	size_t n = 0;

	w.uid = (char *)sp->uid;
	w.name = (char *)sp->uid;
	w.namespace_ = (char *)(sp->ns ? sp->ns : "default");
	w.service_account = (char *)(sp->sa ? sp->sa : "");
	w.trust_domain = (char *)(sp->td ? sp->td : "");
	w.node = (char *)(sp->node ? sp->node : "node-b");
	w.tunnel_protocol = sp->proto;
	if (sp->waypoint)
		w.waypoint = &gw;
	for (; n < 3 && sp->addrs[n]; n++) {
		assert_int_equal(inet_pton(AF_INET, sp->addrs[n], &a4[n]), 1);
		addrs[n].data = (uint8_t *)&a4[n];
		addrs[n].len = 4;
	}
	w.addresses = addrs;
	w.n_addresses = n;
	for (n = 0; n < 3 && sp->policies[n]; n++)
		;
	w.authorization_policies = (char **)sp->policies;
	w.n_authorization_policies = n;
	return kzt_xds_workload_map(&w, &node, out, why, len);
}

static struct in6_addr v4(const char *s)
{
	struct in6_addr a = { .s6_addr = { [10] = 0xff, [11] = 0xff } };

	assert_int_equal(inet_pton(AF_INET, s, &a.s6_addr[12]), 1);
	return a;
}

static void test_map_remote(void **state)
{
	const struct wl_spec sp = {
		.uid = "Kubernetes//Pod/prod/web-1", .ns = "prod", .sa = "web",
		.addrs = { "10.1.0.5" },
		.proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__HBONE,
	};
	struct kzt_xds_workload wl;
	struct in6_addr want = v4("10.1.0.5");
	char why[256];

	(void)state;
	assert_int_equal(map(&sp, &wl, why, sizeof(why)), 0);
	assert_string_equal(wl.id, "spiffe://cluster.local/ns/prod/sa/web");
	assert_int_equal(wl.protocol, KZT_PROTO_KZT1);
	assert_false(wl.local);
	assert_int_equal(wl.refusal, KZT_XDS_REFUSAL_NONE);
	assert_int_equal(wl.n_addrs, 1);
	assert_memory_equal(&wl.addrs[0], &want, sizeof(want));
	assert_string_equal(wl.meta.namespace_, "prod");
	kzt_xds_workload_free(&wl);
}

static void test_map_defaults_and_kinds(void **state)
{
	struct wl_spec sp = {
		.uid = "u1", .td = "", .sa = "", .node = "node-a",
		.addrs = { "10.1.0.6" },
		.proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__HBONE,
	};
	struct kzt_xds_workload wl;
	char why[256];

	(void)state;
	/* No trust domain, no service account: the node's and "default". */
	assert_int_equal(map(&sp, &wl, why, sizeof(why)), 0);
	assert_string_equal(wl.id, "spiffe://cluster.local/ns/default/sa/default");
	assert_true(wl.local);
	kzt_xds_workload_free(&wl);

	sp.td = "example.org";
	assert_int_equal(map(&sp, &wl, why, sizeof(why)), 0);
	assert_string_equal(wl.id, "spiffe://example.org/ns/default/sa/default");
	kzt_xds_workload_free(&wl);

	sp.proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__NONE;
	assert_int_equal(map(&sp, &wl, why, sizeof(why)), 0);
	assert_int_equal(wl.protocol, KZT_PROTO_PLAINTEXT);
	assert_null(wl.id);
	kzt_xds_workload_free(&wl);

	sp.proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__LEGACY_ISTIO_MTLS;
	assert_int_equal(map(&sp, &wl, why, sizeof(why)), 0);
	assert_int_equal(wl.refusal, KZT_XDS_REFUSAL_PROTOCOL);
	kzt_xds_workload_free(&wl);

	sp.proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__HBONE;
	sp.waypoint = true;
	assert_int_equal(map(&sp, &wl, why, sizeof(why)), 0);
	assert_int_equal(wl.refusal, KZT_XDS_REFUSAL_WAYPOINT);
	kzt_xds_workload_free(&wl);
}

static void test_map_bad(void **state)
{
	static const struct {
		struct wl_spec sp;
		const char *why;
	} cases[] = {
		{ { .uid = "", .addrs = { "10.0.0.1" } }, "no uid" },
		{ { .uid = "u", .addrs = { "10.0.0.1", "10.0.0.1" } },
		  "address 1 given twice" },
		{ { .uid = "u", .ns = "a/b", .addrs = { "10.0.0.1" },
		    .proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__HBONE },
		  "namespace 'a/b' is not a name" },
		{ { .uid = "u", .sa = "..", .addrs = { "10.0.0.1" },
		    .proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__HBONE },
		  "service account '..' is not a name" },
		{ { .uid = "u", .td = "Bad_Domain", .addrs = { "10.0.0.1" },
		    .proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__HBONE },
		  "identity 'spiffe://Bad_Domain" },
		{ { .uid = "u", .ns = "", .addrs = { "10.0.0.1" },
		    .proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__HBONE },
		  "no namespace" },
	};
	struct kzt_xds_workload wl;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wl_spec sp = cases[i].sp;

		if (!sp.ns && !strstr(cases[i].why, "no namespace"))
			sp.ns = "default";
		assert_int_equal(map(&sp, &wl, why, sizeof(why)), EINVAL);
		if (!strstr(why, cases[i].why))
			fail_msg("case %zu: '%s', want '%s'", i, why, cases[i].why);
		kzt_xds_workload_free(&wl);
	}
}

/* A 3-byte address and one of 17 addresses are refused. */
static void test_map_bad_addresses(void **state)
{
	Istio__Workload__Workload w = ISTIO__WORKLOAD__WORKLOAD__INIT;
	ProtobufCBinaryData addrs[17];
	uint8_t bytes[17][4] = { { 0 } };
	struct kzt_xds_workload wl;
	char why[256];

	(void)state;
	for (int i = 0; i < 17; i++) {
		bytes[i][3] = i + 1;
		addrs[i] = (ProtobufCBinaryData){ .len = 4, .data = bytes[i] };
	}
	w.uid = "u";
	w.addresses = addrs;
	w.n_addresses = 17;
	assert_int_equal(kzt_xds_workload_map(&w, &node, &wl, why, sizeof(why)), EINVAL);
	assert_non_null(strstr(why, "17 addresses (at most 16)"));
	kzt_xds_workload_free(&wl);
	addrs[0].len = 3;
	w.n_addresses = 1;
	assert_int_equal(kzt_xds_workload_map(&w, &node, &wl, why, sizeof(why)), EINVAL);
	assert_non_null(strstr(why, "address 0 is 3 bytes"));
	kzt_xds_workload_free(&wl);
}

/* ---- the store ---- */

static int no_iface_for_10_9;

static int fake_ifindex(const struct in6_addr *a, uint32_t *ifindex, void *arg)
{
	(void)arg;
	if (no_iface_for_10_9 && a->s6_addr[12] == 10 && a->s6_addr[13] == 9)
		return ENOENT;
	*ifindex = 100 + a->s6_addr[15];
	return 0;
}

static void put(struct kzt_xds_store *s, const struct wl_spec *sp)
{
	struct kzt_xds_workload wl;
	char why[256];

	assert_int_equal(map(sp, &wl, why, sizeof(why)), 0);
	assert_int_equal(kzt_xds_store_put(s, "v1", &wl), 0);
	kzt_xds_workload_free(&wl);
}

/* Compute, check the counts, and commit. */
static void expect_ops(struct kzt_xds_store *s, size_t n_add, size_t n_del,
		       struct kzt_xds_wl_ops *keep)
{
	struct kzt_xds_wl_ops ops;

	assert_int_equal(kzt_xds_store_ops(s, fake_ifindex, NULL, &ops), 0);
	if (ops.add.n != n_add || ops.n_del != n_del)
		fail_msg("ops: %zu add %zu del, want %zu %zu", ops.add.n,
			 ops.n_del, n_add, n_del);
	if (keep) {
		*keep = ops;
		return;
	}
	kzt_xds_store_committed(s, &ops);
	kzt_xds_wl_ops_free(&ops);
}

#define HBONE ISTIO__WORKLOAD__TUNNEL_PROTOCOL__HBONE

static void test_store_incremental(void **state)
{
	struct kzt_xds_store s = { 0 };
	struct kzt_xds_wl_ops ops;
	struct in6_addr a = v4("10.1.0.5");

	(void)state;
	put(&s, &(struct wl_spec){ .uid = "web", .sa = "web", .addrs = { "10.1.0.5" }, .proto = HBONE });
	put(&s, &(struct wl_spec){ .uid = "db", .sa = "db", .node = "node-a", .addrs = { "10.2.0.7" }, .proto = HBONE });
	assert_int_equal(kzt_xds_store_ops(&s, fake_ifindex, NULL, &ops), 0);
	assert_int_equal(ops.add.n, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct kzt_workload *w = &ops.add.v[i];

		if (w->addr.s6_addr[12] == 10 && w->addr.s6_addr[13] == 1) {
			/* Remote: the node dials the pod's own address. */
			assert_true(w->has_node);
			assert_memory_equal(&w->node, &a, sizeof(a));
			assert_int_equal(w->ifindex, 0);
		} else {
			assert_false(w->has_node);
			assert_int_equal(w->ifindex, 107);
		}
	}
	kzt_xds_store_committed(&s, &ops);
	kzt_xds_wl_ops_free(&ops);

	/* The same again: nothing; a new identity: one replace. */
	put(&s, &(struct wl_spec){ .uid = "web", .sa = "web", .addrs = { "10.1.0.5" }, .proto = HBONE });
	expect_ops(&s, 0, 0, NULL);
	put(&s, &(struct wl_spec){ .uid = "web", .sa = "web2", .addrs = { "10.1.0.5" }, .proto = HBONE });
	expect_ops(&s, 1, 0, &ops);
	assert_string_equal(ops.add.v[0].id, "spiffe://cluster.local/ns/default/sa/web2");
	kzt_xds_store_committed(&s, &ops);
	kzt_xds_wl_ops_free(&ops);

	/* A new address and one dropped: one add, one delete. */
	put(&s, &(struct wl_spec){ .uid = "web", .sa = "web2", .addrs = { "10.1.0.6" }, .proto = HBONE });
	expect_ops(&s, 1, 1, NULL);
	assert_int_equal(kzt_xds_store_remove(&s, "web"), 0);
	assert_int_equal(kzt_xds_store_remove(&s, "never-seen"), 0);
	expect_ops(&s, 0, 1, NULL);
	assert_int_equal(s.installed.n, 1);
	kzt_xds_store_free(&s);
}

/* A new pod takes an address before the old pod is removed. */
static void test_store_address_reuse(void **state)
{
	struct kzt_xds_store s = { 0 };
	struct kzt_xds_wl_ops ops;

	(void)state;
	put(&s, &(struct wl_spec){ .uid = "old", .sa = "a", .addrs = { "10.1.0.5" }, .proto = HBONE });
	expect_ops(&s, 1, 0, NULL);
	put(&s, &(struct wl_spec){ .uid = "new", .sa = "b", .addrs = { "10.1.0.5" }, .proto = HBONE });
	expect_ops(&s, 0, 0, NULL);	/* the first claim still owns it */
	/* An update of the owner keeps its place. */
	put(&s, &(struct wl_spec){ .uid = "old", .sa = "a", .addrs = { "10.1.0.5" }, .proto = HBONE });
	expect_ops(&s, 0, 0, NULL);
	/* The old pod goes: the address moves, never unknown (no DEL). */
	assert_int_equal(kzt_xds_store_remove(&s, "old"), 0);
	expect_ops(&s, 1, 0, &ops);
	assert_string_equal(ops.add.v[0].id, "spiffe://cluster.local/ns/default/sa/b");
	kzt_xds_store_committed(&s, &ops);
	kzt_xds_wl_ops_free(&ops);
	assert_int_equal(kzt_xds_store_remove(&s, "new"), 0);
	expect_ops(&s, 0, 1, NULL);
	assert_int_equal(s.claims.n, 0);
	kzt_xds_store_free(&s);
}

/* No interface, host network: not installed (deleted if it was). */
static void test_store_not_installed(void **state)
{
	struct kzt_xds_store s = { 0 };
	struct kzt_xds_wl_ops ops;

	(void)state;
	put(&s, &(struct wl_spec){ .uid = "p", .node = "node-a", .addrs = { "10.9.0.1" }, .proto = HBONE });
	expect_ops(&s, 1, 0, NULL);
	no_iface_for_10_9 = 1;
	put(&s, &(struct wl_spec){ .uid = "p", .sa = "x", .node = "node-a", .addrs = { "10.9.0.1" }, .proto = HBONE });
	expect_ops(&s, 0, 1, &ops);
	assert_int_equal(ops.n_unenrolled, 1);
	assert_string_equal(ops.unenrolled[0].uid, "p");
	assert_int_equal(ops.unenrolled[0].err, ENOENT);
	kzt_xds_store_committed(&s, &ops);
	kzt_xds_wl_ops_free(&ops);
	no_iface_for_10_9 = 0;
	kzt_xds_store_free(&s);
}

/*
 * A refused workload (a waypoint, a protocol kzt does not speak) is
 * entered as KZT_PROTO_REFUSED, never left out: left out, a node with
 * nonmesh passthrough would pass flows to it in the clear.
 */
static void test_store_refused(void **state)
{
	struct in6_addr a = v4("10.1.0.9"), l = v4("10.2.0.7"), n = v4("10.9.0.3");
	struct kzt_xds_store s = { 0 };
	struct kzt_xds_wl_ops ops;

	(void)state;
	/* Remote, behind a waypoint: dialed by its own address, as others. */
	put(&s, &(struct wl_spec){ .uid = "w", .sa = "web", .addrs = { "10.1.0.9" }, .proto = HBONE, .waypoint = true });
	expect_ops(&s, 1, 0, &ops);
	assert_int_equal(ops.n_refused, 1);
	assert_int_equal(ops.add.v[0].protocol, KZT_PROTO_REFUSED);
	assert_true(ops.add.v[0].has_node);
	assert_memory_equal(&ops.add.v[0].node, &a, sizeof(a));
	assert_memory_equal(&ops.add.v[0].addr, &a, sizeof(a));
	assert_string_equal(ops.add.v[0].id, "spiffe://cluster.local/ns/default/sa/web");
	kzt_xds_store_committed(&s, &ops);
	kzt_xds_wl_ops_free(&ops);
	assert_int_equal(kzt_xds_store_n_refused(&s), 1);

	/* Local: with its pod's interface. */
	put(&s, &(struct wl_spec){ .uid = "l", .sa = "db", .node = "node-a", .addrs = { "10.2.0.7" },
				   .proto = ISTIO__WORKLOAD__TUNNEL_PROTOCOL__LEGACY_ISTIO_MTLS });
	expect_ops(&s, 1, 0, &ops);
	assert_int_equal(ops.add.v[0].protocol, KZT_PROTO_REFUSED);
	assert_false(ops.add.v[0].has_node);
	assert_int_equal(ops.add.v[0].ifindex, 107);
	assert_memory_equal(&ops.add.v[0].addr, &l, sizeof(l));
	kzt_xds_store_committed(&s, &ops);
	kzt_xds_wl_ops_free(&ops);

	/* Local without an interface: still refused, as a remote one. */
	no_iface_for_10_9 = 1;
	put(&s, &(struct wl_spec){ .uid = "x", .sa = "db", .node = "node-a", .addrs = { "10.9.0.3" },
				   .proto = HBONE, .waypoint = true });
	expect_ops(&s, 1, 0, &ops);
	no_iface_for_10_9 = 0;
	assert_int_equal(ops.n_unenrolled, 0);
	assert_int_equal(ops.add.v[0].protocol, KZT_PROTO_REFUSED);
	assert_true(ops.add.v[0].has_node);
	assert_memory_equal(&ops.add.v[0].node, &n, sizeof(n));
	kzt_xds_store_committed(&s, &ops);
	kzt_xds_wl_ops_free(&ops);
	assert_int_equal(kzt_xds_store_n_refused(&s), 3);

	/* The waypoint goes: the same address becomes a kzt/1 workload. */
	put(&s, &(struct wl_spec){ .uid = "w", .sa = "web", .addrs = { "10.1.0.9" }, .proto = HBONE });
	expect_ops(&s, 1, 0, &ops);
	assert_int_equal(ops.n_refused, 0);
	assert_int_equal(ops.add.v[0].protocol, KZT_PROTO_KZT1);
	kzt_xds_store_committed(&s, &ops);
	kzt_xds_wl_ops_free(&ops);
	assert_int_equal(kzt_xds_store_n_refused(&s), 2);

	/* Removed: deleted, no longer counted. */
	assert_int_equal(kzt_xds_store_remove(&s, "l"), 0);
	expect_ops(&s, 0, 1, NULL);
	assert_int_equal(kzt_xds_store_n_refused(&s), 1);
	kzt_xds_store_free(&s);
}

/* Resources kzt does not use are kept by version only. */
static void test_store_others(void **state)
{
	struct kzt_xds_store s = { 0 };

	(void)state;
	assert_int_equal(kzt_xds_store_put_other(&s, "prod/web.svc", "1"), 0);
	assert_int_equal(kzt_xds_store_put_other(&s, "prod/web.svc", "2"), 0);
	assert_string_equal(kzt_hmap_sget(&s.others, "prod/web.svc"), "2");
	assert_int_equal(kzt_xds_store_remove(&s, "prod/web.svc"), 0);
	assert_int_equal(s.others.n, 0);
	kzt_xds_store_free(&s);
}

/* ---- Authorization resources and their policies ---- */

#define LOCAL "node-a"

/* An ALLOW of one rule (port 80), as istiod would send it. */
static void put_authz(struct kzt_xds_store *s, const char *ns,
		      const char *name, Istio__Security__Scope scope,
		      Istio__Security__Action action, const char *version)
{
	Istio__Security__Authorization a = ISTIO__SECURITY__AUTHORIZATION__INIT;
	Istio__Security__Rule rule = ISTIO__SECURITY__RULE__INIT, *rules = &rule;
	Istio__Security__Clause cl = ISTIO__SECURITY__CLAUSE__INIT, *cls = &cl;
	Istio__Security__Match m = ISTIO__SECURITY__MATCH__INIT, *ms = &m;
	uint32_t port = 80;
	struct kzt_xds_authz out;
	char why[256];

	a.name = (char *)name;
	a.namespace_ = (char *)ns;
	a.scope = scope;
	a.action = action;
	a.rules = &rules;
	a.n_rules = 1;
	rule.clauses = &cls;
	rule.n_clauses = 1;
	cl.matches = &ms;
	cl.n_matches = 1;
	m.destination_ports = &port;
	m.n_destination_ports = 1;
	assert_int_equal(kzt_xds_authz_map(&a, &out, why, sizeof(why)), 0);
	assert_int_equal(kzt_xds_store_put_authz(s, version, &out, false), 0);
	kzt_xds_authz_free(&out);
}

/* The policy ops, by name: "+name[addr,addr]" or "-name", sorted, joined. */
static void expect_pol_ops(struct kzt_xds_store *s, const char *want)
{
	struct kzt_xds_pol_ops ops;
	char got[1024] = "", *items[64], why[256];
	size_t n = 0, len = 0;

	assert_int_equal(kzt_xds_store_pol_ops(s, &ops, why, sizeof(why)), 0);
	for (size_t i = 0; i < ops.n_add; i++) {
		char buf[256], a[64];
		size_t o = snprintf(buf, sizeof(buf), "+%s", ops.add[i]->name);

		for (size_t j = 0; j < ops.add[i]->scope_addrs.n; j++)
			o += snprintf(buf + o, sizeof(buf) - o, "%s%s", j ? "," : "[",
				      inet_ntop(AF_INET6, &ops.add[i]->scope_addrs.v[j], a, sizeof(a)));
		if (ops.add[i]->scope_addrs.n)
			snprintf(buf + o, sizeof(buf) - o, "]");
		items[n++] = strdup(buf);
	}
	for (size_t i = 0; i < ops.n_del; i++) {
		char buf[256];

		snprintf(buf, sizeof(buf), "-%s", ops.del[i]);
		items[n++] = strdup(buf);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(items[j], items[i]) < 0) {
				char *t = items[i];

				items[i] = items[j];
				items[j] = t;
			}
	for (size_t i = 0; i < n; i++) {
		len += snprintf(got + len, sizeof(got) - len, "%s%s", i ? " " : "", items[i]);
		free(items[i]);
	}
	assert_string_equal(got, want);
	kzt_xds_store_pol_committed(s, &ops);
	kzt_xds_pol_ops_free(&ops);
}

#define SEL ISTIO__SECURITY__SCOPE__WORKLOAD_SELECTOR
#define NSS ISTIO__SECURITY__SCOPE__NAMESPACE
#define ALLOW ISTIO__SECURITY__ACTION__ALLOW

/*
 * A selector policy follows the local workloads that list it: two pods of
 * one service account, only one listing it; a remote pod listing it does
 * not count; a pod that comes, changes its list, or goes.
 */
static void test_store_selector(void **state)
{
	struct kzt_xds_store s = { 0 };

	(void)state;
	put_authz(&s, "prod", "allow-web", SEL, ALLOW, "1");
	put_authz(&s, "prod", "ns-wide", NSS, ALLOW, "1");
	/* Selects nothing local: not installed; the namespace one is. */
	expect_pol_ops(&s, "+prod/ns-wide");
	expect_pol_ops(&s, "");

	put(&s, &(struct wl_spec){ .uid = "web-1", .ns = "prod", .sa = "web", .node = LOCAL,
				   .addrs = { "10.1.0.1" }, .proto = HBONE,
				   .policies = { "prod/allow-web" } });
	put(&s, &(struct wl_spec){ .uid = "web-2", .ns = "prod", .sa = "web", .node = LOCAL,
				   .addrs = { "10.1.0.2" }, .proto = HBONE });
	put(&s, &(struct wl_spec){ .uid = "web-3", .ns = "prod", .sa = "web", .node = "node-b",
				   .addrs = { "10.1.0.3" }, .proto = HBONE,
				   .policies = { "prod/allow-web" } });
	expect_pol_ops(&s, "+prod/allow-web[::ffff:10.1.0.1]");
	expect_pol_ops(&s, "");

	/* The second pod lists it (twice): one more address. */
	put(&s, &(struct wl_spec){ .uid = "web-2", .ns = "prod", .sa = "web", .node = LOCAL,
				   .addrs = { "10.1.0.2" }, .proto = HBONE,
				   .policies = { "prod/allow-web", "prod/allow-web" } });
	expect_pol_ops(&s, "+prod/allow-web[::ffff:10.1.0.1,::ffff:10.1.0.2]");

	/* The resource changes: sent again with the same addresses. */
	put_authz(&s, "prod", "allow-web", SEL, ALLOW, "2");
	expect_pol_ops(&s, "+prod/allow-web[::ffff:10.1.0.1,::ffff:10.1.0.2]");

	/* Both pods go: removed, not left with no scope. */
	assert_int_equal(kzt_xds_store_remove(&s, "web-1"), 0);
	expect_pol_ops(&s, "+prod/allow-web[::ffff:10.1.0.2]");
	assert_int_equal(kzt_xds_store_remove(&s, "web-2"), 0);
	expect_pol_ops(&s, "-prod/allow-web");

	/* istiod removes the namespace policy. */
	assert_int_equal(kzt_xds_store_remove_authz(&s, "prod/ns-wide"), 0);
	assert_int_equal(kzt_xds_store_remove_authz(&s, "prod/never-seen"), 0);
	expect_pol_ops(&s, "-prod/ns-wide");
	assert_int_equal(s.pol_installed.n, 0);
	kzt_xds_store_free(&s);
}

/*
 * Policies a previous kztd left live: kept until the ops, then replaced
 * by istiod's version or removed. An inert resource (AUDIT) installs
 * nothing and removes what it replaced.
 */
static void test_store_adopted(void **state)
{
	struct kzt_xds_store s = { 0 };
	struct kzt_xds_authz inert = { 0 };

	(void)state;
	assert_int_equal(kzt_xds_store_adopt_policy(&s, "prod/ns-wide"), 0);
	assert_int_equal(kzt_xds_store_adopt_policy(&s, "prod/gone"), 0);
	assert_int_equal(kzt_xds_store_adopt_policy(&s, "prod/audit"), 0);
	put_authz(&s, "prod", "ns-wide", NSS, ALLOW, "1");
	inert.policy.name = strdup("prod/audit");
	assert_int_equal(kzt_xds_store_put_authz(&s, "1", &inert, true), 0);
	expect_pol_ops(&s, "+prod/ns-wide -prod/audit -prod/gone");
	expect_pol_ops(&s, "");
	kzt_xds_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_remote),
		cmocka_unit_test(test_map_defaults_and_kinds),
		cmocka_unit_test(test_map_bad),
		cmocka_unit_test(test_map_bad_addresses),
		cmocka_unit_test(test_store_incremental),
		cmocka_unit_test(test_store_address_reuse),
		cmocka_unit_test(test_store_not_installed),
		cmocka_unit_test(test_store_refused),
		cmocka_unit_test(test_store_others),
		cmocka_unit_test(test_store_selector),
		cmocka_unit_test(test_store_adopted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
