// SPDX-License-Identifier: GPL-2.0
/*
 * lib/apply.c: apply files. The documented example loads into what it
 * says; every mistake in a table of bad files is reported with its exact
 * FILE:LINE:COL: PATH: message; Istio rules expand to the cross product of
 * their sources and operations.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apply.h"

#define EXAMPLE KZT_SRCDIR "/Documentation/examples/mesh.yaml"

static void test_example(void **state)
{
	struct kzt_apply_file f;
	const struct kzt_policy *p;
	char err[KZT_APPLY_ERR_MAX], a[KZT_CIDR_STRLEN];

	(void)state;
	if (kzt_apply_load(EXAMPLE, "live.example", &f, err, sizeof(err)))
		fail_msg("%s", err);

	assert_true(f.node.has_trust_domain);
	assert_string_equal(f.node.trust_domain, "cluster.local");
	assert_true(f.node.has_tunnel_port);
	assert_int_equal(f.node.tunnel_port, 15008);
	assert_true(f.node.has_capture && f.node.capture);
	assert_true(f.node.has_nonmesh);
	assert_int_equal(f.node.nonmesh, KZT_NONMESH_DENY);
	assert_false(f.used_live_trust_domain);	/* node.trustDomain is set */

	/* One entry per address. */
	assert_int_equal(f.workloads.n, 5);
	assert_string_equal(kzt_addr_str(&f.workloads.v[1].addr, a, sizeof(a)), "fd00::2");
	assert_string_equal(f.workloads.v[1].id, "spiffe://cluster.local/ns/default/sa/web");
	assert_string_equal(f.origins[1].ifname, "veth-web1");
	assert_string_equal(f.origins[1].addr.path, "workloads[0].workloadIps[1]");
	assert_int_equal(f.origins[1].addr.line, 14);
	/* namespace + serviceAccount, with node.trustDomain */
	assert_string_equal(f.workloads.v[2].id, "spiffe://cluster.local/ns/default/sa/client");
	assert_true(f.workloads.v[3].has_node);
	assert_string_equal(kzt_addr_str(&f.workloads.v[3].node, a, sizeof(a)), "192.168.0.3");
	assert_string_equal(f.origins[3].ifname, "");
	assert_null(f.workloads.v[4].id);
	assert_int_equal(f.workloads.v[4].protocol, KZT_PROTO_PLAINTEXT);

	assert_int_equal(f.policies.n, 3);
	p = &f.policies.v[0];
	assert_string_equal(p->name, "default/deny-legacy");
	assert_int_equal(p->action, KZT_ACTION_DENY);
	assert_int_equal(p->scope, KZT_SCOPE_NAMESPACE);
	assert_string_equal(p->ns, "default");
	assert_int_equal(p->n_rules, 1);
	assert_string_equal(kzt_cidr_str(&p->rules[0].ip_blocks.v[0], a, sizeof(a)),
			    "10.0.9.0/24");

	p = &f.policies.v[1];
	assert_string_equal(p->name, "default/allow-web");
	assert_int_equal(p->scope, KZT_SCOPE_WORKLOADS);
	assert_null(p->ns);	/* NAMESPACE goes with scope namespace only */
	assert_int_equal(p->scope_ids.n, 1);
	/* 2 sources and 1 operation: two clauses */
	assert_int_equal(p->n_rules, 1);
	assert_int_equal(p->rules[0].n_clauses, 2);
	assert_int_equal(p->rules[0].clauses[0].n_matches, 2);
	assert_string_equal(p->rules[0].clauses[0].matches[0].principals.v[0],
			    "cluster.local/ns/default/sa/client");
	assert_int_equal(p->rules[0].clauses[0].matches[0].namespaces.n, 0);
	assert_string_equal(p->rules[0].clauses[0].matches[1].namespaces.v[0], "ingress");
	assert_int_equal(p->rules[0].clauses[0].matches[1].principals.n, 0);
	assert_int_equal(p->rules[0].clauses[1].n_matches, 1);
	assert_int_equal(p->rules[0].clauses[1].matches[0].ports.n, 2);
	assert_int_equal(p->rules[0].clauses[1].matches[0].ports.v[1], 443);

	p = &f.policies.v[2];
	assert_string_equal(p->name, "db-port");
	assert_int_equal(p->scope, KZT_SCOPE_GLOBAL);
	assert_string_equal(p->rules[0].not_namespaces.v[0], "data");
	assert_int_equal(p->rules[0].ports.v[0], 5432);
	kzt_apply_free(&f);
}

static int parse(const char *text, struct kzt_apply_file *f, char *err,
		 size_t errlen)
{
	return kzt_apply_parse(text, strlen(text), "t.yaml", NULL, f, err, errlen);
}

/* Istio's from (OR) and to (OR) become two clauses of one rule. */
static void test_cross_product(void **state)
{
	static const char text[] =
		"policies:\n"
		"  - name: p\n"
		"    namespace: ns\n"
		"    rules:\n"
		"      - from:\n"
		"          - source: {principals: [a/ns/x/sa/1]}\n"
		"          - source: {namespaces: [n2]}\n"
		"          - source: {ipBlocks: [10.0.0.0/8], notPrincipals: ['*']}\n"
		"        to:\n"
		"          - operation: {ports: [80]}\n"
		"          - operation: {notPorts: [22, 23]}\n"
		"      - to:\n"
		"          - operation: {ports: [9090]}\n"
		"      - {}\n";
	struct kzt_apply_file f;
	const struct kzt_policy *p;
	char err[KZT_APPLY_ERR_MAX];

	(void)state;
	if (parse(text, &f, err, sizeof(err)))
		fail_msg("%s", err);
	p = &f.policies.v[0];
	assert_int_equal(p->action, KZT_ACTION_ALLOW);	/* Istio's default */
	assert_int_equal(p->scope, KZT_SCOPE_NAMESPACE);
	assert_false(p->dry_run);
	/* from and to: two clauses, a match per source and per operation */
	assert_int_equal(p->n_rules, 3);
	assert_int_equal(p->rules[0].n_clauses, 2);
	assert_int_equal(p->rules[0].principals.n + p->rules[0].ports.n, 0);
	assert_int_equal(p->rules[0].clauses[0].n_matches, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct kzt_rule *m = &p->rules[0].clauses[0].matches[i];

		assert_int_equal(m->principals.n, i == 0);
		assert_int_equal(m->namespaces.n, i == 1);
		assert_int_equal(m->ip_blocks.n, i == 2);
		assert_int_equal(m->not_principals.n, i == 2);
		assert_int_equal(m->ports.n + m->not_ports.n, 0);
	}
	assert_int_equal(p->rules[0].clauses[1].n_matches, 2);
	for (size_t j = 0; j < 2; j++) {
		const struct kzt_rule *m = &p->rules[0].clauses[1].matches[j];

		assert_int_equal(m->ports.n, j == 0);
		assert_int_equal(m->not_ports.n, j == 1 ? 2 : 0);
		assert_int_equal(m->principals.n + m->namespaces.n, 0);
	}
	/* one operation: the short form, as before */
	assert_int_equal(p->rules[1].n_clauses, 0);
	assert_int_equal(p->rules[1].ports.v[0], 9090);
	assert_int_equal(p->rules[1].principals.n, 0);
	/* "{}": a rule without fields matches all */
	assert_int_equal(p->rules[2].n_clauses + p->rules[2].ports.n +
			 p->rules[2].principals.n + p->rules[2].ip_blocks.n, 0);
	kzt_apply_free(&f);
}

/* dryRun: true|false (and the other spellings of a boolean). */
static void test_dry_run(void **state)
{
	static const char text[] =
		"policies:\n"
		"  - {name: a, scope: global, action: deny, dryRun: true}\n"
		"  - {name: b, scope: global, dryRun: false}\n"
		"  - {name: c, scope: global, dryRun: yes}\n";
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX];

	(void)state;
	if (parse(text, &f, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(f.policies.n, 3);
	assert_true(f.policies.v[0].dry_run);
	assert_int_equal(f.policies.v[0].action, KZT_ACTION_DENY);
	assert_false(f.policies.v[1].dry_run);
	assert_true(f.policies.v[2].dry_run);
	kzt_apply_free(&f);
}

/*
 * KZT_CLAUSE_MATCHES_MAX sources and operations fit in one rule of two
 * clauses; one more source does not. A source without fields makes the
 * from side match all: no clause for it.
 */
static void test_rule_limit(void **state)
{
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX], *text;
	size_t len = 0;
	FILE *m;

	(void)state;
	for (int extra = 0; extra < 3; extra++) {
		m = open_memstream(&text, &len);
		assert_non_null(m);
		fprintf(m, "policies:\n  - name: big\n    scope: global\n    rules:\n"
			   "      - from:\n");
		for (int i = 0; i < KZT_CLAUSE_MATCHES_MAX + (extra == 1) - (extra == 2); i++)
			fprintf(m, "          - source: {namespaces: [n%d]}\n", i);
		if (extra == 2)
			fprintf(m, "          - source: {}\n");
		fprintf(m, "        to:\n");
		for (int i = 0; i < KZT_CLAUSE_MATCHES_MAX; i++)
			fprintf(m, "          - operation: {ports: [%d]}\n", i + 1);
		fclose(m);
		if (extra == 1) {
			assert_int_equal(parse(text, &f, err, sizeof(err)), EINVAL);
			assert_string_equal(err,
				"t.yaml:6:11: policies[0].rules[0].from: more than 256 sources");
		} else {
			if (parse(text, &f, err, sizeof(err)))
				fail_msg("%s", err);
			assert_int_equal(f.policies.v[0].n_rules, 1);
			assert_int_equal(f.policies.v[0].rules[0].n_clauses,
					 extra ? 1 : 2);
			/* the from clause, or (extra) the to clause */
			assert_int_equal(f.policies.v[0].rules[0].clauses[0].n_matches,
					 KZT_CLAUSE_MATCHES_MAX);
			kzt_apply_free(&f);
		}
		free(text);
	}
}

static void test_trust_domain_default(void **state)
{
	static const char text[] =
		"workloads:\n"
		"  - workloadIps: [10.0.0.1]\n"
		"    namespace: ns\n"
		"    serviceAccount: sa\n"
		"    nodeIp: 192.168.0.1\n"
		"  - workloadIps: [10.0.0.2]\n"
		"    namespace: ns\n"
		"    serviceAccount: sa\n"
		"    trustDomain: other.td\n"
		"    nodeIp: 192.168.0.1\n";
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX];

	(void)state;
	assert_int_equal(kzt_apply_parse(text, strlen(text), "t.yaml", "live.td",
					 &f, err, sizeof(err)), 0);
	assert_string_equal(f.workloads.v[0].id, "spiffe://live.td/ns/ns/sa/sa");
	assert_string_equal(f.workloads.v[1].id, "spiffe://other.td/ns/ns/sa/sa");
	assert_true(f.used_live_trust_domain);
	kzt_apply_free(&f);

	assert_int_equal(parse(text, &f, err, sizeof(err)), 0);
	assert_string_equal(f.workloads.v[0].id, "spiffe://cluster.local/ns/ns/sa/sa");
	kzt_apply_free(&f);
}

static void test_node_timeouts(void **state)
{
	static const char text[] =
		"node:\n"
		"  handshakeTimeoutMs: 2500\n"
		"  idleTimeoutSeconds: 0\n";
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX];

	(void)state;
	if (parse(text, &f, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(f.node.has_handshake_timeout_ms);
	assert_int_equal(f.node.handshake_timeout_ms, 2500);
	assert_true(f.node.has_idle_timeout_s);
	assert_int_equal(f.node.idle_timeout_s, 0);
	assert_false(f.node.has_tunnel_port || f.node.has_capture);
	assert_false(f.node.has_keepalive_idle_s ||
		     f.node.has_keepalive_interval_s ||
		     f.node.has_keepalive_probes);
	kzt_apply_free(&f);
}

static void test_node_keepalive(void **state)
{
	static const char text[] =
		"node:\n"
		"  keepaliveIdleSeconds: 0\n"
		"  keepaliveIntervalSeconds: 32767\n"
		"  keepaliveProbes: 127\n";
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX];

	(void)state;
	if (parse(text, &f, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(f.node.has_keepalive_idle_s);
	assert_int_equal(f.node.keepalive_idle_s, 0);
	assert_true(f.node.has_keepalive_interval_s);
	assert_int_equal(f.node.keepalive_interval_s, 32767);
	assert_true(f.node.has_keepalive_probes);
	assert_int_equal(f.node.keepalive_probes, 127);
	assert_false(f.node.has_idle_timeout_s || f.node.has_tunnel_port);
	assert_false(f.node.has_flow_stats_interval_s);
	kzt_apply_free(&f);
}

static void test_empty(void **state)
{
	static const char *const texts[] = { "", "# nothing\n", "---\n", "{}\n",
					     "workloads: []\npolicies:\n" };
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (parse(texts[i], &f, err, sizeof(err)))
			fail_msg("\"%s\": %s", texts[i], err);
		assert_int_equal(f.workloads.n + f.policies.n, 0);
		kzt_apply_free(&f);
	}
}

#define W "workloads:\n  - workloadIps: [10.0.0.1]\n    nodeIp: 192.168.0.1\n"
#define P "policies:\n  - name: p\n    namespace: ns\n"

static const struct {
	const char *text;
	const char *err;
} bad_files[] = {
	{ "workloads: [\n",
	  "t.yaml:2:1: not valid YAML: did not find expected node content while parsing a flow node" },
	{ "- a\n", "t.yaml:1:1: expected a mapping (key: value)" },
	{ "nodes: {}\n",
	  "t.yaml:1:1: unknown key 'nodes' (expected node, workloads, policies)" },
	{ "node: {}\nnode: {}\n", "t.yaml:2:1: key 'node' given twice" },
	{ "a: &x 1\nb: *x\n",
	  "t.yaml:1:4: this value is used again through an alias: anchors and aliases are not supported" },
	{ "node: {}\n---\nnode: {}\n", "t.yaml:3:1: only one YAML document is supported" },
	{ "node: {tunnelPort: 0}\n",
	  "t.yaml:1:20: node.tunnelPort: '0' is not a port (1..65535)" },
	{ "node: {capture: maybe}\n",
	  "t.yaml:1:17: node.capture: 'maybe' is not true or false" },
	{ "node: {nonMesh: allow}\n",
	  "t.yaml:1:17: node.nonMesh: 'allow' is not deny or passthrough" },
	{ "node: {handshakeTimeoutMs: 99}\n",
	  "t.yaml:1:28: node.handshakeTimeoutMs: '99' is out of range (expected 100..600000 milliseconds)" },
	{ "node: {handshakeTimeoutMs: 10s}\n",
	  "t.yaml:1:28: node.handshakeTimeoutMs: '10s' is not a number of milliseconds (expected 100..600000)" },
	{ "node: {idleTimeoutSeconds: 604801}\n",
	  "t.yaml:1:28: node.idleTimeoutSeconds: '604801' is out of range (expected 0..604800 seconds, 0: never)" },
	{ "node: {keepaliveIdleSeconds: 32768}\n",
	  "t.yaml:1:30: node.keepaliveIdleSeconds: '32768' is out of range (expected 0..32767 seconds, 0: off)" },
	{ "node: {keepaliveIntervalSeconds: 0}\n",
	  "t.yaml:1:34: node.keepaliveIntervalSeconds: '0' is out of range (expected 1..32767 seconds)" },
	{ "node: {keepaliveProbes: 128}\n",
	  "t.yaml:1:25: node.keepaliveProbes: '128' is out of range (expected 1..127 probes)" },
	{ "node: {keepaliveProbes: many}\n",
	  "t.yaml:1:25: node.keepaliveProbes: 'many' is not a number of probes (expected 1..127)" },
	{ "node: {flowStatsIntervalSeconds: 86401}\n",
	  "t.yaml:1:34: node.flowStatsIntervalSeconds: '86401' is out of range (expected 0..86400 seconds, 0: no flow-stats events)" },
	{ "node: {keepalive: on}\n",
	  "t.yaml:1:8: node: unknown key 'keepalive' (expected trustDomain, tunnelPort, capture, nonMesh, handshakeTimeoutMs, idleTimeoutSeconds, keepaliveIdleSeconds, keepaliveIntervalSeconds, keepaliveProbes, flowStatsIntervalSeconds)" },
	{ "node: {trustDomain: Cluster.Local}\n",
	  "t.yaml:1:21: node.trustDomain: trust domain must be lower case" },
	{ "node: {trustDomain: [a]}\n",
	  "t.yaml:1:21: node.trustDomain: expected a single value" },
	{ "workloads: {a: 1}\n", "t.yaml:1:12: workloads: expected a list" },
	{ W "    identity: spiffe://cluster.local/ns/a/sa/b\n    uid: x\n",
	  "t.yaml:5:5: workloads[0]: unknown key 'uid' (expected name, workloadIps, identity, namespace, serviceAccount, trustDomain, protocol, nodeIp, interface)" },
	{ W, "t.yaml:2:5: workloads[0]: identity (or namespace and serviceAccount) is needed for a kzt workload" },
	{ W "    identity: cluster.local/ns/a/sa/b\n",
	  "t.yaml:4:15: workloads[0].identity: SPIFFE ID must start with \"spiffe://\" (lower case)" },
	{ W "    identity: spiffe://cluster.local/ns/a/sa/b\n    namespace: a\n",
	  "t.yaml:4:15: workloads[0].identity: give identity, or namespace and serviceAccount, not both" },
	{ W "    namespace: a\n",
	  "t.yaml:4:16: workloads[0]: namespace and serviceAccount go together" },
	{ W "    namespace: A\n    serviceAccount: b\n",
	  "t.yaml:4:16: workloads[0].namespace: not a namespace (lower-case letters, digits and '-')" },
	{ W "    protocol: plaintext\n    interface: veth0\n",
	  "t.yaml:3:13: workloads[0]: give exactly one of nodeIp (remote) and interface (local)" },
	{ "workloads:\n  - workloadIps: [10.0.0.1]\n    protocol: plaintext\n",
	  "t.yaml:2:5: workloads[0]: give exactly one of nodeIp (remote) and interface (local)" },
	{ "workloads:\n  - workloadIps: [10.0.0.1]\n    protocol: plaintext\n    interface: 'a b'\n",
	  "t.yaml:4:16: workloads[0].interface: 'a b' is not an interface name" },
	{ "workloads:\n  - workloadIps: [10.0.0.1]\n    protocol: http\n",
	  "t.yaml:3:15: workloads[0].protocol: 'http' is not kzt, plaintext or refused" },
	{ "workloads:\n  - workloadIps: [10.0.0.1]\n    protocol: plaintext\n    nodeIp: 192.168.0\n",
	  "t.yaml:4:13: workloads[0].nodeIp: '192.168.0' is not an IP address" },
	{ "workloads:\n  - protocol: plaintext\n    nodeIp: 192.168.0.1\n",
	  "t.yaml:2:5: workloads[0]: workloadIps is needed" },
	{ "workloads:\n  - workloadIps: []\n    protocol: plaintext\n    nodeIp: 192.168.0.1\n",
	  "t.yaml:2:18: workloads[0].workloadIps: at least one address is needed" },
	{ "workloads:\n  - workloadIps: [10.0.0.1, 10.0.0.300]\n    protocol: plaintext\n    nodeIp: 192.168.0.1\n",
	  "t.yaml:2:29: workloads[0].workloadIps[1]: '10.0.0.300' is not an IP address" },
	{ "workloads:\n  - workloadIps: [10.0.0.1, \"a\\0b\"]\n    protocol: plaintext\n    nodeIp: 192.168.0.1\n",
	  "t.yaml:2:29: workloads[0].workloadIps[1]: contains a NUL byte" },
	{ "workloads:\n"
	  "  - {workloadIps: [10.0.0.1], protocol: plaintext, nodeIp: 192.168.0.1}\n"
	  "  - {workloadIps: [fd00::1], protocol: plaintext, nodeIp: 192.168.0.1}\n"
	  "  - {workloadIps: ['::ffff:10.0.0.1'], protocol: plaintext, nodeIp: 192.168.0.1}\n",
	  "t.yaml:4:20: workloads[2].workloadIps[0]: address 10.0.0.1 given twice (first at workloads[0].workloadIps[0], line 2)" },
	{ "policies:\n  - namespace: ns\n", "t.yaml:2:5: policies[0]: name is needed" },
	{ "policies:\n  - name: a/b\n    namespace: ns\n",
	  "t.yaml:2:11: policies[0].name: a name has no '/' (the namespace is its own key)" },
	{ "policies:\n  - name: p\n", "t.yaml:2:5: policies[0]: namespace is needed (unless scope is global)" },
	{ P "    scope: cluster\n",
	  "t.yaml:4:12: policies[0].scope: 'cluster' is not global, namespace or workloads" },
	/* kztd's form of Istio's selectors, not an apply file's. */
	{ P "    scope: addresses\n",
	  "t.yaml:4:12: policies[0].scope: 'addresses' is not global, namespace or workloads" },
	{ P "    action: audit\n",
	  "t.yaml:4:13: policies[0].action: 'audit' is not allow or deny" },
	{ P "    dryRun: maybe\n",
	  "t.yaml:4:13: policies[0].dryRun: 'maybe' is not true or false" },
	{ P "    dryrun: true\n",
	  "t.yaml:4:5: policies[0]: unknown key 'dryrun' (expected name, namespace, scope, workloads, action, rules, dryRun)" },
	{ P "    workloads: [spiffe://td/ns/a/sa/b]\n",
	  "t.yaml:4:16: policies[0].workloads: only for scope workloads" },
	{ P "    scope: workloads\n",
	  "t.yaml:2:5: policies[0]: scope workloads needs a workloads list" },
	{ P "    scope: workloads\n    workloads: [spiffe://td/ns/a/sa/b, td/ns/a/sa/c]\n",
	  "t.yaml:5:40: policies[0].workloads[1]: SPIFFE ID must start with \"spiffe://\" (lower case)" },
	{ P "    rules:\n      - from:\n          - source: {principals: [spiffe://td/ns/a/sa/b]}\n",
	  "t.yaml:6:35: policies[0].rules[0].from[0].source.principals[0]: written without spiffe:// (as in Istio: cluster.local/ns/NS/sa/SA)" },
	{ P "    rules:\n      - from:\n          - source: {namespaces: ['a*b']}\n",
	  "t.yaml:6:35: policies[0].rules[0].from[0].source.namespaces[0]: '*' may only be the first or the last character, once" },
	{ P "    rules:\n      - from:\n          - source: {ipBlocks: [10.0.0.1/8]}\n",
	  "t.yaml:6:33: policies[0].rules[0].from[0].source.ipBlocks[0]: '10.0.0.1/8' has host bits set below the prefix" },
	{ P "    rules:\n      - from:\n          - source: {notIpBlocks: [10.0.0.0/40]}\n",
	  "t.yaml:6:36: policies[0].rules[0].from[0].source.notIpBlocks[0]: '10.0.0.0/40' is not an IP block (ADDR/LEN)" },
	{ P "    rules:\n      - from:\n          - source: {requestPrincipals: [x]}\n",
	  "t.yaml:6:22: policies[0].rules[0].from[0].source: unknown key 'requestPrincipals' (expected principals, notPrincipals, namespaces, notNamespaces, ipBlocks, notIpBlocks)" },
	{ P "    rules:\n      - from:\n          - {}\n",
	  "t.yaml:6:13: policies[0].rules[0].from[0]: source is needed" },
	{ P "    rules:\n      - to:\n          - operation: {ports: [80, 65536]}\n",
	  "t.yaml:6:37: policies[0].rules[0].to[0].operation.ports[1]: '65536' is not a port (1..65535)" },
	{ P "    rules:\n      - to:\n          - operation: {methods: [GET]}\n",
	  "t.yaml:6:25: policies[0].rules[0].to[0].operation: unknown key 'methods' (expected ports, notPorts)" },
	{ P "    rules:\n      - when: []\n",
	  "t.yaml:5:9: policies[0].rules[0]: unknown key 'when' (expected from, to)" },
	{ P "  - name: p\n    namespace: ns\n",
	  "t.yaml:4:5: policies[1]: policy ns/p given twice (first at policies[0], line 2)" },
};

static void test_bad_files(void **state)
{
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		int ret = parse(bad_files[i].text, &f, err, sizeof(err));

		if (ret != EINVAL)
			fail_msg("case %zu accepted (ret %d):\n%s", i, ret,
				 bad_files[i].text);
		if (strcmp(err, bad_files[i].err))
			fail_msg("case %zu: got\n  %s\nwant\n  %s", i, err,
				 bad_files[i].err);
		/* Nothing is kept of a bad file. */
		assert_int_equal(f.workloads.n + f.policies.n, 0);
		assert_null(f.origins);
	}
}

/* Values beyond the uapi limits are refused before anything is sent. */
static void test_value_limit(void **state)
{
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX], *text;
	size_t len = 0;
	FILE *m;

	(void)state;
	m = open_memstream(&text, &len);
	assert_non_null(m);
	fprintf(m, P "    rules:\n      - to:\n          - operation:\n              ports: [");
	for (int i = 1; i <= KZT_RULE_VALUES_MAX + 1; i++)
		fprintf(m, "%s%d", i > 1 ? ", " : "", i);
	fprintf(m, "]\n");
	fclose(m);
	assert_int_equal(parse(text, &f, err, sizeof(err)), EINVAL);
	assert_string_equal(err,
		"t.yaml:7:22: policies[0].rules[0].to[0].operation.ports: more than 256 values");
	free(text);
}

/* A scope takes up to KZT_SCOPE_IDS_MAX IDs, more than a rule field. */
static void test_scope_ids_limit(void **state)
{
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX], *text;
	size_t len = 0;
	FILE *m;

	(void)state;
	for (int n = KZT_SCOPE_IDS_MAX; n <= KZT_SCOPE_IDS_MAX + 1; n++) {
		m = open_memstream(&text, &len);
		assert_non_null(m);
		fprintf(m, "policies:\n  - name: p\n    namespace: a\n"
			   "    scope: workloads\n    workloads: [");
		for (int i = 0; i < n; i++)
			fprintf(m, "%sspiffe://td/ns/a/sa/w%d", i ? ", " : "", i);
		fprintf(m, "]\n");
		fclose(m);
		if (n == KZT_SCOPE_IDS_MAX) {
			assert_int_equal(parse(text, &f, err, sizeof(err)), 0);
			assert_int_equal(f.policies.v[0].scope_ids.n, n);
			kzt_apply_free(&f);
		} else {
			assert_int_equal(parse(text, &f, err, sizeof(err)), EINVAL);
			assert_non_null(strstr(err, "more than 1024 values"));
		}
		free(text);
	}
}

static void test_missing_file(void **state)
{
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX];

	(void)state;
	assert_int_equal(kzt_apply_load("/nonexistent/x.yaml", NULL, &f, err,
					sizeof(err)), ENOENT);
	assert_string_equal(err, "/nonexistent/x.yaml: No such file or directory");
}

static void test_resolve(void **state)
{
	static const char text[] =
		"workloads:\n"
		"  - {workloadIps: [10.0.0.1], protocol: plaintext, interface: lo}\n"
		"  - {workloadIps: [10.0.0.2], protocol: plaintext, interface: kzt-nonexistent}\n";
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX];

	(void)state;
	assert_int_equal(parse(text, &f, err, sizeof(err)), 0);
	assert_int_equal(kzt_apply_resolve(&f, err, sizeof(err)), ENODEV);
	assert_string_equal(err,
		"t.yaml:3:63: workloads[1].interface: no such interface 'kzt-nonexistent' in this network namespace");
	assert_int_equal(f.workloads.v[0].ifindex, 1);	/* lo */
	kzt_apply_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_cross_product),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_rule_limit),
		cmocka_unit_test(test_trust_domain_default),
		cmocka_unit_test(test_node_timeouts),
		cmocka_unit_test(test_node_keepalive),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_value_limit),
		cmocka_unit_test(test_scope_ids_limit),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests_name("apply", tests, NULL, NULL);
}
