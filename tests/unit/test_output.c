// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl's output (tools/kztctl/output.c): the JSON objects the selftests
 * and the benchmark read, the check verdict line, rules as text, tables.
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

#include "json.h"
#include "kztctl.h"

struct capture {
	FILE *f;
	char *buf;
	size_t len;
	struct kzt_json j;
};

static void begin(struct capture *c)
{
	c->buf = NULL;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	kzt_json_init(&c->j, c->f);
}

/* Finish the document and compare it (without the final newline). */
static void end(struct capture *c, const char *want)
{
	assert_int_equal(kzt_json_finish(&c->j), 0);
	fclose(c->f);
	c->buf[strcspn(c->buf, "\n")] = '\0';
	assert_string_equal(c->buf, want);
	free(c->buf);
}

static void test_config(void **state)
{
	struct kzt_config cfg = {
		.has_tunnel_port = true, .tunnel_port = 15008,
		.has_capture = true, .capture = false,
		.has_trust_domain = true, .trust_domain = "cluster.local",
		.has_nonmesh = true, .nonmesh = KZT_NONMESH_DENY,
		.has_handshake_timeout_ms = true, .handshake_timeout_ms = 10000,
		.has_idle_timeout_s = true, .idle_timeout_s = 0,
		.has_keepalive_idle_s = true, .keepalive_idle_s = 180,
		.has_keepalive_interval_s = true, .keepalive_interval_s = 180,
		.has_keepalive_probes = true, .keepalive_probes = 9,
		.has_flow_stats_interval_s = true, .flow_stats_interval_s = 15,
	};
	struct capture c;

	(void)state;
	begin(&c);
	kztctl_json_config(&c.j, NULL, &cfg);
	end(&c, "{\"tunnel_port\":15008,\"capture\":false,\"trust_domain\":\"cluster.local\",\"nonmesh\":\"deny\",\"handshake_timeout_ms\":10000,\"idle_timeout_s\":0,\"keepalive_idle_s\":180,\"keepalive_interval_s\":180,\"keepalive_probes\":9,\"flow_stats_interval_s\":15}");

	/* An older module sends none of them: the keys stay, as null. */
	cfg.has_trust_domain = cfg.has_nonmesh = false;
	cfg.has_handshake_timeout_ms = cfg.has_idle_timeout_s = false;
	cfg.has_keepalive_idle_s = cfg.has_keepalive_interval_s = false;
	cfg.has_keepalive_probes = cfg.has_flow_stats_interval_s = false;
	begin(&c);
	kztctl_json_config(&c.j, NULL, &cfg);
	end(&c, "{\"tunnel_port\":15008,\"capture\":false,\"trust_domain\":null,\"nonmesh\":null,\"handshake_timeout_ms\":null,\"idle_timeout_s\":null,\"keepalive_idle_s\":null,\"keepalive_interval_s\":null,\"keepalive_probes\":null,\"flow_stats_interval_s\":null}");
}

/* kztctl monitor: the JSON object and the line of one event. */
static void test_flow_event(void **state)
{
	struct kzt_flow_event ev = {
		.cmd = KZT_CMD_FLOW_END,
		.conn = {
			.id = 12, .dir = KZT_CONN_DIR_OUTBOUND,
			.state = KZT_CONN_STATE_CLOSING, .src_port = 40312,
			.dst_port = 80, .has_bytes = true, .bytes_out = 517,
			.bytes_in = 10240, .age_ms = 1830,
			.src_id = "spiffe://td/ns/a/sa/c",
			.has_cipher = true, .cipher = 51, .has_peer_node = true,
			.has_start_ns = true, .start_ns = 1796657292207827000ULL,
			.reason = KZT_FLOW_REASON_REVOKED,
			.end = KZT_CONN_END_POLICY,
		},
	};
	char line[512];
	struct capture c;

	(void)state;
	assert_int_equal(kzt_addr_parse("10.0.1.2", &ev.conn.src_addr), 0);
	assert_int_equal(kzt_addr_parse("10.0.2.2", &ev.conn.dst_addr), 0);
	assert_int_equal(kzt_addr_parse("192.168.0.2", &ev.conn.peer_node), 0);
	begin(&c);
	kztctl_json_flow_event(&c.j, &ev);
	end(&c, "{\"event\":\"end\",\"id\":12,\"direction\":\"outbound\",\"state\":\"closing\","
		"\"source\":{\"address\":\"10.0.1.2\",\"port\":40312,\"id\":\"spiffe://td/ns/a/sa/c\"},"
		"\"destination\":{\"address\":\"10.0.2.2\",\"port\":80,\"id\":null},"
		"\"peer_node\":\"192.168.0.2\",\"cipher\":\"AES-128-GCM\",\"bytes_out\":517,"
		"\"bytes_in\":10240,\"age_ms\":1830,\"end\":\"policy\","
		"\"start_ns\":1796657292207827000,\"reason\":\"revoked\"}");
	assert_string_equal(kztctl_flow_event_str(&ev, line, sizeof(line)),
			    "end 12 outbound 10.0.1.2:40312 spiffe://td/ns/a/sa/c -> "
			    "10.0.2.2:80 - peer 192.168.0.2 AES-128-GCM out 517 in 10240 "
			    "age 1s reason revoked:policy");

	/* A start: no reason, no end; a buffer too small is cut, never overrun. */
	ev.cmd = KZT_CMD_FLOW_START;
	ev.conn.reason = 0;
	ev.conn.end = 0;
	ev.conn.has_start_ns = false;
	begin(&c);
	kztctl_json_flow_event(&c.j, &ev);
	fclose(c.f);
	assert_non_null(strstr(c.buf, "\"end\":null,\"start_ns\":null,\"reason\":null}"));
	free(c.buf);
	assert_string_equal(kztctl_flow_event_str(&ev, line, 12), "start 12 ou");
}

static void test_conn(void **state)
{
	struct kzt_conn conn = {
		.id = 7, .dir = KZT_CONN_DIR_INBOUND,
		.state = KZT_CONN_STATE_HANDSHAKE, .src_port = 40000,
		.dst_port = 80, .has_bytes = true, .bytes_out = 12,
		.bytes_in = 34, .age_ms = 999,
	};
	struct kzt_conn plain;
	char buf[64];
	struct capture c;

	(void)state;
	assert_int_equal(kzt_addr_parse("10.0.1.2", &conn.src_addr), 0);
	assert_int_equal(kzt_addr_parse("fd00::2", &conn.dst_addr), 0);
	begin(&c);
	kztctl_json_conn(&c.j, &conn);
	end(&c, "{\"id\":7,\"direction\":\"inbound\",\"state\":\"handshake\","
		"\"source\":{\"address\":\"10.0.1.2\",\"port\":40000,\"id\":null},"
		"\"destination\":{\"address\":\"fd00::2\",\"port\":80,\"id\":null},"
		"\"peer_node\":null,\"cipher\":null,\"bytes_out\":12,\"bytes_in\":34,"
		"\"age_ms\":999,\"end\":null}");

	conn.src_id = "spiffe://cluster.local/ns/a/sa/b";
	conn.has_cipher = true;
	conn.cipher = 51;	/* TLS_CIPHER_AES_GCM_128 */
	conn.has_peer_node = true;
	assert_int_equal(kzt_addr_parse("192.168.0.2", &conn.peer_node), 0);
	conn.state = KZT_CONN_STATE_CLOSING;
	conn.end = KZT_CONN_END_POLICY;
	begin(&c);
	kztctl_json_conn(&c.j, &conn);
	end(&c, "{\"id\":7,\"direction\":\"inbound\",\"state\":\"closing\","
		"\"source\":{\"address\":\"10.0.1.2\",\"port\":40000,\"id\":\"spiffe://cluster.local/ns/a/sa/b\"},"
		"\"destination\":{\"address\":\"fd00::2\",\"port\":80,\"id\":null},"
		"\"peer_node\":\"192.168.0.2\",\"cipher\":\"AES-128-GCM\",\"bytes_out\":12,\"bytes_in\":34,"
		"\"age_ms\":999,\"end\":\"policy\"}");

	/* A revoked plain flow: no identities, node, cipher or bytes. */
	plain = (struct kzt_conn){
		.id = 8, .dir = KZT_CONN_DIR_PLAIN,
		.state = KZT_CONN_STATE_CLOSING, .src_port = 40000,
		.dst_port = 80, .age_ms = 5, .end = KZT_CONN_END_NONMESH,
	};
	assert_int_equal(kzt_addr_parse("10.0.1.2", &plain.src_addr), 0);
	assert_int_equal(kzt_addr_parse("192.168.0.2", &plain.dst_addr), 0);
	begin(&c);
	kztctl_json_conn(&c.j, &plain);
	end(&c, "{\"id\":8,\"direction\":\"plain\",\"state\":\"closing\","
		"\"source\":{\"address\":\"10.0.1.2\",\"port\":40000,\"id\":null},"
		"\"destination\":{\"address\":\"192.168.0.2\",\"port\":80,\"id\":null},"
		"\"peer_node\":null,\"cipher\":null,\"bytes_out\":null,\"bytes_in\":null,"
		"\"age_ms\":5,\"end\":\"nonmesh\"}");

	assert_string_equal(kztctl_endpoint_str(&conn.src_addr, 1, buf, sizeof(buf)),
			    "10.0.1.2:1");
	assert_string_equal(kztctl_endpoint_str(&conn.dst_addr, 80, buf, sizeof(buf)),
			    "[fd00::2]:80");
	assert_string_equal(kztctl_age_str(999, buf, sizeof(buf)), "999ms");
	assert_string_equal(kztctl_age_str(59999, buf, sizeof(buf)), "59s");
	assert_string_equal(kztctl_age_str(187000, buf, sizeof(buf)), "3m07s");
	assert_string_equal(kztctl_age_str(3600000 * 5 + 120000, buf, sizeof(buf)),
			    "5h02m");
	assert_string_equal(kztctl_age_str(86400000ULL * 2 + 3600000 * 3, buf,
					   sizeof(buf)), "2d03h");
}

static void test_stats(void **state)
{
	struct kzt_stats st = { 0 };
	struct capture c;

	(void)state;
	begin(&c);
	kztctl_json_stats(&c.j, &st);
	end(&c, "{}");

	st.has[KZT_STATS_A_TLS_ERRORS] = true;
	st.v[KZT_STATS_A_TLS_ERRORS] = 3;
	st.has[KZT_STATS_A_CAPTURED] = true;
	st.has[KZT_STATS_A_HS_OK] = true;
	st.v[KZT_STATS_A_HS_OK] = 18446744073709551615ULL;
	st.has[100] = true;
	st.v[100] = 1;
	begin(&c);
	kztctl_json_stats(&c.j, &st);
	end(&c, "{\"captured\":0,\"hs_ok\":18446744073709551615,\"tls_errors\":3,\"stat_100\":1}");
}

static void test_workload(void **state)
{
	struct kzt_workload w = { .protocol = KZT_PROTO_KZT1, .has_node = true };
	struct capture c;

	(void)state;
	assert_int_equal(kzt_addr_parse("10.0.1.2", &w.addr), 0);
	assert_int_equal(kzt_addr_parse("192.168.0.2", &w.node), 0);
	w.id = "spiffe://cluster.local/ns/default/sa/web";
	begin(&c);
	kztctl_json_workload(&c.j, &w);
	end(&c, "{\"address\":\"10.0.1.2\",\"id\":\"spiffe://cluster.local/ns/default/sa/web\",\"protocol\":\"kzt\",\"node\":\"192.168.0.2\"}");

	/* Local (lo is ifindex 1 in any netns), plaintext without an id. */
	w.has_node = false;
	w.ifindex = 1;
	w.id = NULL;
	w.protocol = KZT_PROTO_PLAINTEXT;
	assert_int_equal(kzt_addr_parse("fd00::2", &w.addr), 0);
	begin(&c);
	kztctl_json_workload(&c.j, &w);
	end(&c, "{\"address\":\"fd00::2\",\"id\":null,\"protocol\":\"plaintext\",\"interface\":\"lo\",\"ifindex\":1}");

	w.protocol = KZT_PROTO_REFUSED;
	begin(&c);
	kztctl_json_workload(&c.j, &w);
	end(&c, "{\"address\":\"fd00::2\",\"id\":null,\"protocol\":\"refused\",\"interface\":\"lo\",\"ifindex\":1}");
}

static void test_policy(void **state)
{
	struct kzt_policy p = { .action = KZT_ACTION_DENY,
				.scope = KZT_SCOPE_NAMESPACE };
	char line[128];
	struct kzt_rule *r;
	struct kzt_cidr cidr;
	struct capture c;

	(void)state;
	p.name = strdup("default/deny-x");
	p.ns = strdup("default");
	r = kzt_policy_rule_add(&p);
	assert_non_null(r);
	assert_int_equal(kzt_cidr_parse("10.0.0.0/8", &cidr), 0);
	assert_int_equal(kzt_cidrs_push(&r->ip_blocks, &cidr), 0);
	assert_int_equal(kzt_ports_push(&r->ports, 80), 0);
	begin(&c);
	kztctl_json_policy(&c.j, &p);
	end(&c, "{\"name\":\"default/deny-x\",\"action\":\"deny\",\"scope\":\"namespace\",\"namespace\":\"default\","
		"\"rules\":[{\"principals\":[],\"not_principals\":[],\"namespaces\":[],\"not_namespaces\":[],"
		"\"ip_blocks\":[\"10.0.0.0/8\"],\"not_ip_blocks\":[],\"ports\":[80],\"not_ports\":[],"
		"\"destination_ips\":[],\"not_destination_ips\":[],\"service_accounts\":[],\"not_service_accounts\":[]}],"
		"\"dry_run\":false,\"would_allow\":null,\"would_deny\":null}");
	kzt_policy_free(&p);

	/* Scope workloads: "workloads", no "namespace"; no rules: []. */
	p.name = strdup("w");
	p.scope = KZT_SCOPE_WORKLOADS;
	p.action = KZT_ACTION_ALLOW;
	assert_int_equal(kzt_strs_push(&p.scope_ids, "spiffe://td/ns/a/sa/b", 21), 0);
	begin(&c);
	kztctl_json_policy(&c.j, &p);
	end(&c, "{\"name\":\"w\",\"action\":\"allow\",\"scope\":\"workloads\",\"workloads\":[\"spiffe://td/ns/a/sa/b\"],\"rules\":[],"
		"\"dry_run\":false,\"would_allow\":null,\"would_deny\":null}");
	kzt_policy_free(&p);

	/* Scope addresses: "addresses" as text. */
	p.name = strdup("s");
	p.scope = KZT_SCOPE_ADDRESSES;
	p.action = KZT_ACTION_ALLOW;
	assert_int_equal(kzt_addrs_push(&p.scope_addrs, &(struct in6_addr){
		.s6_addr = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 } }), 0);
	assert_int_equal(kzt_addrs_push(&p.scope_addrs, &(struct in6_addr){
		.s6_addr = { 0xfd, [15] = 2 } }), 0);
	begin(&c);
	kztctl_json_policy(&c.j, &p);
	end(&c, "{\"name\":\"s\",\"action\":\"allow\",\"scope\":\"addresses\",\"addresses\":[\"10.0.0.1\",\"fd00::2\"],\"rules\":[],"
		"\"dry_run\":false,\"would_allow\":null,\"would_deny\":null}");
	kzt_policy_free(&p);

	/* Scope global: neither. */
	p.name = strdup("g");
	p.scope = KZT_SCOPE_GLOBAL;
	begin(&c);
	kztctl_json_policy(&c.j, &p);
	end(&c, "{\"name\":\"g\",\"action\":\"allow\",\"scope\":\"global\",\"rules\":[],"
		"\"dry_run\":false,\"would_allow\":null,\"would_deny\":null}");
	kzt_policy_free(&p);

	/* Dry-run: the flag and its counters, in JSON and in the table. */
	p.name = strdup("d");
	p.dry_run = true;
	p.has_counters = true;
	p.would_allow = 3;
	p.would_deny = 18446744073709551615ULL;
	begin(&c);
	kztctl_json_policy(&c.j, &p);
	end(&c, "{\"name\":\"d\",\"action\":\"allow\",\"scope\":\"global\",\"rules\":[],"
		"\"dry_run\":true,\"would_allow\":3,\"would_deny\":18446744073709551615}");
	assert_string_equal(kztctl_dry_run_str(&p, line, sizeof(line)),
			    "would-allow 3 would-deny 18446744073709551615");
	p.dry_run = false;
	assert_string_equal(kztctl_dry_run_str(&p, line, sizeof(line)), "-");
	kzt_policy_free(&p);
}

static void test_check(void **state)
{
	struct kzt_check_result r = {
		.verdict = KZT_VERDICT_ALLOW, .reason = KZT_REASON_ALLOW_POLICY,
		.has_policy = true, .policy = "default/allow-web",
		.has_dst_id = true, .dst_id = "spiffe://cluster.local/ns/default/sa/web",
	};
	struct capture c;
	char line[512];

	(void)state;
	begin(&c);
	kztctl_json_check(&c.j, &r);
	end(&c, "{\"verdict\":\"allow\",\"reason\":\"allow-policy\",\"policy\":\"default/allow-web\",\"destination\":\"spiffe://cluster.local/ns/default/sa/web\",\"dry_run\":null}");
	assert_string_equal(kztctl_check_str(&r, line, sizeof(line)),
			    "ALLOW (allow-policy: default/allow-web)");

	r.verdict = KZT_VERDICT_DENY;
	r.reason = KZT_REASON_NO_ALLOW_MATCH;
	r.has_policy = false;
	r.has_dst_id = false;
	begin(&c);
	kztctl_json_check(&c.j, &r);
	end(&c, "{\"verdict\":\"deny\",\"reason\":\"no-allow-match\",\"policy\":null,\"destination\":null,\"dry_run\":null}");
	assert_string_equal(kztctl_check_str(&r, line, sizeof(line)),
			    "DENY (no-allow-match)");

	r.reason = KZT_REASON_NO_POLICY;
	r.verdict = KZT_VERDICT_ALLOW;
	assert_string_equal(kztctl_check_str(&r, line, sizeof(line)), "ALLOW (no-policy)");

	/* A dry-run policy applies: its verdict follows, in both forms. */
	r.has_dry_run = true;
	r.dry_verdict = KZT_VERDICT_DENY;
	r.dry_reason = KZT_REASON_DENY_POLICY;
	r.has_dry_policy = true;
	snprintf(r.dry_policy, sizeof(r.dry_policy), "prod/deny-legacy");
	assert_string_equal(kztctl_check_str(&r, line, sizeof(line)),
			    "ALLOW (no-policy); dry-run: DENY (deny-policy: prod/deny-legacy)");
	begin(&c);
	kztctl_json_check(&c.j, &r);
	end(&c, "{\"verdict\":\"allow\",\"reason\":\"no-policy\",\"policy\":null,\"destination\":null,"
		"\"dry_run\":{\"verdict\":\"deny\",\"reason\":\"deny-policy\",\"policy\":\"prod/deny-legacy\"}}");
	r.dry_reason = KZT_REASON_NO_ALLOW_MATCH;
	r.has_dry_policy = false;
	assert_string_equal(kztctl_check_str(&r, line, sizeof(line)),
			    "ALLOW (no-policy); dry-run: DENY (no-allow-match)");
}

static void test_apply_result(void **state)
{
	struct kzt_apply_result r = { 5, 3, 1, 2 };
	struct capture c;

	(void)state;
	begin(&c);
	kztctl_json_apply(&c.j, &r);
	end(&c, "{\"workloads\":5,\"policies\":3,\"removed_workloads\":1,\"removed_policies\":2}");
}

static void test_rule_str(void **state)
{
	struct kzt_rule r = { 0 };
	struct kzt_cidr cidr;
	char buf[256];

	(void)state;
	assert_string_equal(kztctl_rule_str(&r, buf, sizeof(buf)), "(any)");
	assert_int_equal(kzt_strs_push(&r.principals, "td/ns/a/sa/b", 12), 0);
	assert_int_equal(kzt_strs_push(&r.principals, "*/sa/c", 6), 0);
	assert_int_equal(kzt_cidr_parse("fd00::/8", &cidr), 0);
	assert_int_equal(kzt_cidrs_push(&r.not_ip_blocks, &cidr), 0);
	assert_int_equal(kzt_ports_push(&r.ports, 80), 0);
	assert_int_equal(kzt_ports_push(&r.ports, 443), 0);
	assert_string_equal(kztctl_rule_str(&r, buf, sizeof(buf)),
			    "principal td/ns/a/sa/b,*/sa/c not-ip-block fd00::/8 port 80,443");
	kzt_rule_free(&r);
}

/* A rule of clauses: "[ A | B ] and [ ]"; JSON {"clauses":[[...]]}. */
static void test_rule_clauses(void **state)
{
	struct kzt_policy p = { .action = KZT_ACTION_ALLOW,
				.scope = KZT_SCOPE_GLOBAL };
	struct kzt_rule *r, *m;
	struct kzt_clause *cl;
	struct capture c;
	char buf[256];

	(void)state;
	p.name = strdup("c");
	r = kzt_policy_rule_add(&p);
	assert_non_null(r);
	cl = kzt_rule_clause_add(r);
	assert_non_null(cl);
	m = kzt_clause_match_add(cl);
	assert_non_null(m);
	assert_int_equal(kzt_strs_push(&m->service_accounts, "a/b", 3), 0);
	assert_int_equal(kzt_ports_push(&m->ports, 80), 0);
	assert_non_null(kzt_clause_match_add(cl));
	assert_non_null(kzt_rule_clause_add(r));
	assert_string_equal(kztctl_rule_str(r, buf, sizeof(buf)),
			    "[ port 80 service-account a/b | (none) ] and [ ]");
	begin(&c);
	kztctl_json_policy(&c.j, &p);
	end(&c, "{\"name\":\"c\",\"action\":\"allow\",\"scope\":\"global\",\"rules\":[{\"clauses\":[["
		"{\"principals\":[],\"not_principals\":[],\"namespaces\":[],\"not_namespaces\":[],"
		"\"ip_blocks\":[],\"not_ip_blocks\":[],\"ports\":[80],\"not_ports\":[],"
		"\"destination_ips\":[],\"not_destination_ips\":[],\"service_accounts\":[\"a/b\"],\"not_service_accounts\":[]},"
		"{\"principals\":[],\"not_principals\":[],\"namespaces\":[],\"not_namespaces\":[],"
		"\"ip_blocks\":[],\"not_ip_blocks\":[],\"ports\":[],\"not_ports\":[],"
		"\"destination_ips\":[],\"not_destination_ips\":[],\"service_accounts\":[],\"not_service_accounts\":[]}"
		"],[]]}],\"dry_run\":false,\"would_allow\":null,\"would_deny\":null}");
	kzt_policy_free(&p);
}

static void test_table(void **state)
{
	static const char *const head[] = { "A", "LONGER", "C" };
	static const char *const row1[] = { "xxxx", "y", "last column unpadded" };
	static const char *const row2[] = { "", NULL, "z" };
	struct kztctl_table *t = kztctl_table_new(3, head);
	char *buf = NULL;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(t);
	assert_int_equal(kztctl_table_add(t, row1), 0);
	assert_int_equal(kztctl_table_add(t, row2), 0);
	f = open_memstream(&buf, &len);
	kztctl_table_print(t, f, false);
	fclose(f);
	assert_string_equal(buf,
			    "A     LONGER  C\n"
			    "xxxx  y       last column unpadded\n"
			    "      -       z\n");
	free(buf);

	f = open_memstream(&buf, &len);
	kztctl_table_print(t, f, true);	/* a terminal: bold header only */
	fclose(f);
	assert_string_equal(buf,
			    "\x1b[1mA     LONGER  C\x1b[0m\n"
			    "xxxx  y       last column unpadded\n"
			    "      -       z\n");
	free(buf);
	kztctl_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_conn),
		cmocka_unit_test(test_flow_event),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_workload),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_apply_result),
		cmocka_unit_test(test_rule_str),
		cmocka_unit_test(test_rule_clauses),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
