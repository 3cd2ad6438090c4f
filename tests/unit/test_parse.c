// SPDX-License-Identifier: GPL-2.0
/*
 * Value parsers (lib/parse.c) and kztctl's "config set" arguments
 * (tools/kztctl/args.c): what an operator types, good and bad.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "kztctl.h"
#include "parse.h"

/* args.c is linked alone: kztctl's globals live in main.c. */
const char *prog = "kztctl";
struct kztctl_opts kztctl_opts;

static void test_port(void **state)
{
	static const struct {
		const char *in;
		int ret;
		uint16_t port;
	} cases[] = {
		{ "1", 0, 1 },
		{ "80", 0, 80 },
		{ "15008", 0, 15008 },
		{ "065535", 0, 65535 },
		{ "65535", 0, 65535 },
		{ "0", ERANGE, 0 },
		{ "00000", ERANGE, 0 },
		{ "65536", ERANGE, 0 },
		{ "4294967297", ERANGE, 0 },		/* 2^32 + 1: no wrap */
		{ "18446744073709551617", ERANGE, 0 },	/* 2^64 + 1 */
		{ "", EINVAL, 0 },
		{ " 80", EINVAL, 0 },
		{ "80 ", EINVAL, 0 },
		{ "+80", EINVAL, 0 },
		{ "-1", EINVAL, 0 },
		{ "0x50", EINVAL, 0 },
		{ "8O", EINVAL, 0 },
		{ "99999999999999999999x", EINVAL, 0 },	/* junk beats range */
		{ "１", EINVAL, 0 },			/* fullwidth digit */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t port = 0xbeef;
		int ret = kzt_parse_port(cases[i].in, &port);

		if (ret != cases[i].ret)
			fail_msg("\"%s\": ret %d, want %d", cases[i].in, ret,
				 cases[i].ret);
		assert_int_equal(port, ret ? 0xbeef : cases[i].port);
	}
}

static void test_listen(void **state)
{
	static const struct {
		const char *in;
		int ret;
		const char *addr;	/* its IPv4-mapped or IPv6 form */
		uint16_t port;
	} cases[] = {
		{ "0.0.0.0:15020", 0, "::ffff:0.0.0.0", 15020 },
		{ "127.0.0.1:1", 0, "::ffff:127.0.0.1", 1 },
		{ "[::]:15020", 0, "::", 15020 },
		{ "[fd00::1]:65535", 0, "fd00::1", 65535 },
		{ "[::ffff:10.0.0.1]:80", 0, "::ffff:10.0.0.1", 80 },
		{ "off", 0, NULL, 0 },
		{ "OFF", EINVAL, NULL, 0 },
		{ "10.0.0.1", EINVAL, NULL, 0 },	/* no port */
		{ "10.0.0.1:", EINVAL, NULL, 0 },
		{ "10.0.0.1:0", EINVAL, NULL, 0 },
		{ "10.0.0.1:65536", EINVAL, NULL, 0 },
		{ ":15020", EINVAL, NULL, 0 },		/* no address */
		{ "[]:15020", EINVAL, NULL, 0 },
		{ "::1:15020", EINVAL, NULL, 0 },	/* IPv6 needs [] */
		{ "[::1]15020", EINVAL, NULL, 0 },
		{ "[10.0.0.1]:80", EINVAL, NULL, 0 },
		{ "[::1:80", EINVAL, NULL, 0 },
		{ "localhost:80", EINVAL, NULL, 0 },	/* no name lookups */
		{ "10.0.0.1:80 ", EINVAL, NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kzt_listen l = { .port = 7 };
		struct in6_addr want;
		const char *why = NULL;
		int ret = kzt_parse_listen(cases[i].in, &l, &why);

		if (ret != cases[i].ret)
			fail_msg("\"%s\": ret %d, want %d", cases[i].in, ret,
				 cases[i].ret);
		if (ret) {
			assert_non_null(why);
			continue;
		}
		if (!cases[i].addr) {
			assert_true(l.off);
			continue;
		}
		assert_false(l.off);
		assert_int_equal(inet_pton(AF_INET6, cases[i].addr, &want), 1);
		assert_memory_equal(&l.addr, &want, sizeof(want));
		assert_int_equal(l.port, cases[i].port);
	}
}

static void test_uint_bounds(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(kzt_parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(kzt_parse_uint("18446744073709551616", UINT64_MAX, &v), ERANGE);
	assert_int_equal(kzt_parse_uint("255", 255, &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(kzt_parse_uint("256", 255, &v), ERANGE);
	assert_int_equal(kzt_parse_uint("0", 0, &v), 0);
	assert_int_equal(kzt_parse_uint("5", 0, &v), ERANGE);
}

static void test_bool(void **state)
{
	static const struct {
		const char *in;
		int ret;
		bool val;
	} cases[] = {
		{ "on", 0, true }, { "off", 0, false },
		{ "yes", 0, true }, { "no", 0, false },
		{ "true", 0, true }, { "false", 0, false },
		{ "1", 0, true }, { "0", 0, false },
		{ "ON", 0, true }, { "Off", 0, false },
		{ "", EINVAL, false }, { "o", EINVAL, false },
		{ "onn", EINVAL, false }, { " on", EINVAL, false },
		{ "2", EINVAL, false }, { "enable", EINVAL, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool val = !cases[i].val;
		int ret = kzt_parse_bool(cases[i].in, &val);

		if (ret != cases[i].ret)
			fail_msg("\"%s\": ret %d, want %d", cases[i].in, ret,
				 cases[i].ret);
		if (!ret)
			assert_int_equal(val, cases[i].val);
	}
}

struct set_case {
	const char *argv[6];
	const char *err;	/* NULL: valid */
	struct kzt_config want;
};

static const struct set_case set_cases[] = {
	{ { "tunnel-port", "15009" }, NULL,
	  { .has_tunnel_port = true, .tunnel_port = 15009 } },
	{ { "capture", "on" }, NULL, { .has_capture = true, .capture = true } },
	{ { "capture", "off", "tunnel-port", "1" }, NULL,
	  { .has_tunnel_port = true, .tunnel_port = 1,
	    .has_capture = true, .capture = false } },
	{ { "tunnel_port", "65535" }, NULL,
	  { .has_tunnel_port = true, .tunnel_port = 65535 } },
	{ { "trust-domain", "example.org", "nonmesh", "passthrough" }, NULL,
	  { .has_trust_domain = true, .trust_domain = "example.org",
	    .has_nonmesh = true, .nonmesh = KZT_NONMESH_PASSTHROUGH } },
	{ { "nonmesh", "deny" }, NULL,
	  { .has_nonmesh = true, .nonmesh = KZT_NONMESH_DENY } },
	{ { "handshake-timeout", "100", "idle-timeout", "0" }, NULL,
	  { .has_handshake_timeout_ms = true, .handshake_timeout_ms = 100,
	    .has_idle_timeout_s = true, .idle_timeout_s = 0 } },
	{ { "handshake_timeout_ms", "600000", "idle_timeout_s", "604800" }, NULL,
	  { .has_handshake_timeout_ms = true, .handshake_timeout_ms = 600000,
	    .has_idle_timeout_s = true, .idle_timeout_s = 604800 } },
	{ { "idle-timeout-s", "30" }, NULL,
	  { .has_idle_timeout_s = true, .idle_timeout_s = 30 } },
	{ { "keepalive-idle", "0", "keepalive-interval", "1" }, NULL,
	  { .has_keepalive_idle_s = true, .keepalive_idle_s = 0,
	    .has_keepalive_interval_s = true, .keepalive_interval_s = 1 } },
	{ { "keepalive_idle_s", "32767", "keepalive_interval_s", "32767",
	    "keepalive_probes", "127" }, NULL,
	  { .has_keepalive_idle_s = true, .keepalive_idle_s = 32767,
	    .has_keepalive_interval_s = true, .keepalive_interval_s = 32767,
	    .has_keepalive_probes = true, .keepalive_probes = 127 } },
	{ { "keepalive-probes", "1", "keepalive-idle-s", "180" }, NULL,
	  { .has_keepalive_probes = true, .keepalive_probes = 1,
	    .has_keepalive_idle_s = true, .keepalive_idle_s = 180 } },
	{ .argv = { "keepalive-idle", "32768" },
	  .err = "invalid keepalive-idle '32768': out of range (expected 0..32767 seconds, 0: off)" },
	{ .argv = { "keepalive-idle", "3m" },
	  .err = "invalid keepalive-idle '3m': not a number of seconds (expected 0..32767, 0: off)" },
	{ .argv = { "keepalive-interval", "0" },
	  .err = "invalid keepalive-interval '0': out of range (expected 1..32767 seconds)" },
	{ .argv = { "keepalive-interval", "32768" },
	  .err = "invalid keepalive-interval '32768': out of range (expected 1..32767 seconds)" },
	{ .argv = { "keepalive-interval", "-1" },
	  .err = "invalid keepalive-interval '-1': not a number of seconds (expected 1..32767)" },
	{ .argv = { "keepalive-probes", "0" },
	  .err = "invalid keepalive-probes '0': out of range (expected 1..127 probes)" },
	{ .argv = { "keepalive-probes", "128" },
	  .err = "invalid keepalive-probes '128': out of range (expected 1..127 probes)" },
	{ .argv = { "keepalive-probes", "99999999999999999999999" },
	  .err = "invalid keepalive-probes '99999999999999999999999': out of range (expected 1..127 probes)" },
	{ .argv = { "keepalive-probes", "nine" },
	  .err = "invalid keepalive-probes 'nine': not a number of probes (expected 1..127)" },
	{ .argv = { "keepalive-probes" }, .err = "keepalive-probes needs a value" },
	{ .argv = { "keepalive-idle", "1", "keepalive_idle_s", "2" },
	  .err = "keepalive_idle_s given twice" },
	{ .argv = { "keepalive-interval", "1", "keepalive-interval-s", "2" },
	  .err = "keepalive-interval-s given twice" },
	{ .argv = { "keepalive-probes", "1", "keepalive_probes", "2" },
	  .err = "keepalive_probes given twice" },
	{ .argv = { "keepalive", "on" },
	  .err = "unknown field 'keepalive' (expected tunnel-port, capture, trust-domain, nonmesh, handshake-timeout, idle-timeout, keepalive-idle, keepalive-interval, keepalive-probes or flow-stats-interval)" },
	{ .argv = { "handshake-timeout", "99" },
	  .err = "invalid handshake-timeout '99': out of range (expected 100..600000 milliseconds)" },
	{ .argv = { "handshake-timeout", "600001" },
	  .err = "invalid handshake-timeout '600001': out of range (expected 100..600000 milliseconds)" },
	{ .argv = { "handshake-timeout", "10s" },
	  .err = "invalid handshake-timeout '10s': not a number of milliseconds (expected 100..600000)" },
	{ .argv = { "idle-timeout", "604801" },
	  .err = "invalid idle-timeout '604801': out of range (expected 0..604800 seconds, 0: never)" },
	{ .argv = { "idle-timeout", "-1" },
	  .err = "invalid idle-timeout '-1': not a number of seconds (expected 0..604800, 0: never)" },
	{ .argv = { "idle-timeout", "99999999999999999999999" },
	  .err = "invalid idle-timeout '99999999999999999999999': out of range (expected 0..604800 seconds, 0: never)" },
	{ .argv = { "idle-timeout" }, .err = "idle-timeout needs a value" },
	{ .argv = { "idle-timeout", "1", "idle_timeout_s", "2" },
	  .err = "idle_timeout_s given twice" },
	{ .argv = { "handshake-timeout", "100", "handshake-timeout-ms", "200" },
	  .err = "handshake-timeout-ms given twice" },
	{ .argv = { NULL }, .err = "nothing to set: give tunnel-port N, capture on|off, trust-domain TD, nonmesh deny|passthrough, handshake-timeout MS, idle-timeout S, keepalive-idle S, keepalive-interval S and/or keepalive-probes N" },
	{ .argv = { "nonmesh", "allow" },
	  .err = "invalid nonmesh 'allow' (expected deny or passthrough)" },
	{ .argv = { "trust-domain" }, .err = "trust-domain needs a value" },
	{ .argv = { "nonmesh", "deny", "nonmesh", "deny" }, .err = "nonmesh given twice" },
	{ .argv = { "tunnel-port" }, .err = "tunnel-port needs a value" },
	{ .argv = { "capture", "on", "tunnel-port" }, .err = "tunnel-port needs a value" },
	{ .argv = { "tunnel-port", "0" },
	  .err = "invalid tunnel-port '0': out of range (expected 1..65535)" },
	{ .argv = { "tunnel-port", "70000" },
	  .err = "invalid tunnel-port '70000': out of range (expected 1..65535)" },
	{ .argv = { "tunnel-port", "http" },
	  .err = "invalid tunnel-port 'http': not a number (expected 1..65535)" },
	{ .argv = { "capture", "maybe" },
	  .err = "invalid capture 'maybe' (expected on or off)" },
	{ .argv = { "port", "1" },
	  .err = "unknown field 'port' (expected tunnel-port, capture, trust-domain, nonmesh, handshake-timeout, idle-timeout, keepalive-idle, keepalive-interval, keepalive-probes or flow-stats-interval)" },
	{ .argv = { "tunnel-port-x", "1" },
	  .err = "unknown field 'tunnel-port-x' (expected tunnel-port, capture, trust-domain, nonmesh, handshake-timeout, idle-timeout, keepalive-idle, keepalive-interval, keepalive-probes or flow-stats-interval)" },
	{ .argv = { "capture", "on", "capture", "off" }, .err = "capture given twice" },
	{ .argv = { "tunnel-port", "1", "tunnel_port", "2" }, .err = "tunnel_port given twice" },
};

static void test_config_set_args(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(set_cases) / sizeof(set_cases[0]); i++) {
		const struct set_case *tc = &set_cases[i];
		struct kzt_config cfg, before;
		char *argv[6];
		char err[256] = "";
		int argc = 0, ret;

		while (argc < 6 && tc->argv[argc]) {
			argv[argc] = (char *)tc->argv[argc];
			argc++;
		}
		memset(&cfg, 0x5a, sizeof(cfg));
		before = cfg;
		ret = kztctl_parse_config_set(argc, argv, &cfg, err, sizeof(err));
		if (tc->err) {
			if (ret != EINVAL)
				fail_msg("case %zu: accepted, want \"%s\"", i, tc->err);
			assert_string_equal(err, tc->err);
			assert_memory_equal(&cfg, &before, sizeof(cfg));
			continue;
		}
		if (ret)
			fail_msg("case %zu: rejected: %s", i, err);
		assert_int_equal(cfg.has_tunnel_port, tc->want.has_tunnel_port);
		assert_int_equal(cfg.tunnel_port, tc->want.tunnel_port);
		assert_int_equal(cfg.has_capture, tc->want.has_capture);
		assert_int_equal(cfg.capture, tc->want.capture);
		assert_int_equal(cfg.has_trust_domain, tc->want.has_trust_domain);
		if (cfg.has_trust_domain)
			assert_string_equal(cfg.trust_domain, tc->want.trust_domain);
		assert_int_equal(cfg.has_nonmesh, tc->want.has_nonmesh);
		assert_int_equal(cfg.nonmesh, tc->want.nonmesh);
		assert_int_equal(cfg.has_handshake_timeout_ms,
				 tc->want.has_handshake_timeout_ms);
		assert_int_equal(cfg.handshake_timeout_ms,
				 tc->want.handshake_timeout_ms);
		assert_int_equal(cfg.has_idle_timeout_s, tc->want.has_idle_timeout_s);
		assert_int_equal(cfg.idle_timeout_s, tc->want.idle_timeout_s);
		assert_int_equal(cfg.has_keepalive_idle_s,
				 tc->want.has_keepalive_idle_s);
		assert_int_equal(cfg.keepalive_idle_s, tc->want.keepalive_idle_s);
		assert_int_equal(cfg.has_keepalive_interval_s,
				 tc->want.has_keepalive_interval_s);
		assert_int_equal(cfg.keepalive_interval_s,
				 tc->want.keepalive_interval_s);
		assert_int_equal(cfg.has_keepalive_probes,
				 tc->want.has_keepalive_probes);
		assert_int_equal(cfg.keepalive_probes, tc->want.keepalive_probes);
	}
}

/* Split "a b c" into @argv (at most 32 words); returns argc. */
static int words(char *line, char *argv[32])
{
	int argc = 0;

	for (char *save = NULL, *w = strtok_r(line, " ", &save); w && argc < 32;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return argc;
}

static void test_workload_add_args(void **state)
{
	static const struct {
		const char *line;
		const char *err;
	} bad[] = {
		{ "", "the workload's address is needed" },
		{ "10.0.0.256 id spiffe://td/ns/a/sa/b node 1.1.1.1",
		  "invalid address '10.0.0.256': not an IP address" },
		{ "10.0.0.1 id http://td/x node 1.1.1.1",
		  "invalid id 'http://td/x': SPIFFE ID must start with \"spiffe://\" (lower case)" },
		{ "10.0.0.1 id spiffe://td/ns/a/sa/b",
		  "give exactly one of node NODE_ADDR (remote) and dev IFNAME (local)" },
		{ "10.0.0.1 id spiffe://td/ns/a/sa/b node 1.1.1.1 dev veth0",
		  "give exactly one of node NODE_ADDR (remote) and dev IFNAME (local)" },
		{ "10.0.0.1 node 1.1.1.1", "id SPIFFE_ID is needed (unless protocol plaintext or refused)" },
		{ "10.0.0.1 id spiffe://td/ns/a/sa/b node 1.1.1",
		  "invalid node '1.1.1': not an IP address" },
		{ "10.0.0.1 id spiffe://td/ns/a/sa/b node 1.1.1.1 protocol h2",
		  "invalid protocol 'h2': expected kzt, plaintext or refused" },
		{ "10.0.0.1 id spiffe://td/ns/a/sa/b node 1.1.1.1 node 1.1.1.2",
		  "node given twice" },
		{ "10.0.0.1 id spiffe://td/ns/a/sa/b node", "node needs a value" },
		{ "10.0.0.1 id spiffe://td/ns/a/sa/b node 1.1.1.1 color red",
		  "unknown field 'color' (expected id, node, dev, protocol or replace)" },
		{ "10.0.0.1 id spiffe://td/ns/a/sa/b dev abcdefghijklmnopq",
		  "invalid dev 'abcdefghijklmnopq': not an interface name" },
	};
	struct kzt_workload w;
	char ifname[16], err[512], line[256], *argv[32];
	char a[64];
	bool replace;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i].line);
		if (kztctl_parse_workload_add(words(line, argv), argv, &w, ifname,
					      &replace, err, sizeof(err)) != EINVAL)
			fail_msg("\"%s\" accepted", bad[i].line);
		if (strcmp(err, bad[i].err))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].line,
				 err, bad[i].err);
	}

	snprintf(line, sizeof(line),
		 "fd00::2 id spiffe://cluster.local/ns/default/sa/web dev veth-web1 replace");
	assert_int_equal(kztctl_parse_workload_add(words(line, argv), argv, &w,
						   ifname, &replace, err,
						   sizeof(err)), 0);
	assert_string_equal(kzt_addr_str(&w.addr, a, sizeof(a)), "fd00::2");
	assert_string_equal(w.id, "spiffe://cluster.local/ns/default/sa/web");
	assert_string_equal(ifname, "veth-web1");
	assert_int_equal(w.protocol, KZT_PROTO_KZT1);
	assert_false(w.has_node);
	assert_true(replace);
	kzt_workload_free(&w);

	/* A plaintext workload needs no id. */
	snprintf(line, sizeof(line), "10.0.9.9 node 192.168.0.9 protocol plaintext");
	assert_int_equal(kztctl_parse_workload_add(words(line, argv), argv, &w,
						   ifname, &replace, err,
						   sizeof(err)), 0);
	assert_null(w.id);
	assert_true(w.has_node);
	assert_string_equal(kzt_addr_str(&w.node, a, sizeof(a)), "192.168.0.9");
	assert_int_equal(w.protocol, KZT_PROTO_PLAINTEXT);
	assert_string_equal(ifname, "");
	assert_false(replace);
	kzt_workload_free(&w);

	/* Nor does a refused one (a waypoint): flows to it are reset. */
	snprintf(line, sizeof(line), "10.0.9.8 dev veth-w protocol refused");
	assert_int_equal(kztctl_parse_workload_add(words(line, argv), argv, &w,
						   ifname, &replace, err,
						   sizeof(err)), 0);
	assert_null(w.id);
	assert_int_equal(w.protocol, KZT_PROTO_REFUSED);
	assert_string_equal(ifname, "veth-w");
	kzt_workload_free(&w);
}

static void test_policy_add_args(void **state)
{
	static const struct {
		const char *line;
		const char *err;
	} bad[] = {
		{ "", "the policy's name is needed" },
		{ "p scope global", "action allow|deny is needed" },
		{ "p action allow", "scope global|namespace NS|workloads ID[,ID...]|addresses A[,A...] is needed" },
		{ "p action maybe scope global", "action needs allow or deny" },
		{ "p action allow scope cluster", "scope needs global, namespace NS, workloads ID[,ID...] or addresses A[,A...]" },
		{ "p action allow scope namespace", "scope namespace needs a value" },
		{ "p action allow scope addresses 10.0.0.1,10.0.0.x",
		  "invalid address '10.0.0.x': not an IPv4 or IPv6 address" },
		{ "p action allow scope namespace Default",
		  "invalid namespace 'Default': not a namespace (lower-case letters, digits and '-')" },
		{ "p action allow scope workloads spiffe://td/a,,spiffe://td/b",
		  "invalid workloads 'spiffe://td/a,,spiffe://td/b': an empty item" },
		{ "p action allow scope global rule port 0",
		  "rule 0: invalid port '0': not a port (1..65535)" },
		{ "p action allow scope global rule rule ip-block 10.0.0.0/33",
		  "rule 1: invalid ip-block '10.0.0.0/33': not an IP block (ADDR/LEN)" },
		{ "p action allow scope global rule not-ip-block 10.1.0.0/8",
		  "rule 0: invalid not-ip-block '10.1.0.0/8': host bits set below the prefix" },
		{ "p action allow scope global rule principal cluster.local/*/sa/x",
		  "rule 0: invalid principal 'cluster.local/*/sa/x': '*' may only be the first or the last character, once" },
		{ "p action allow scope global rule port",
		  "rule 0: port needs a value" },
		{ "p action allow scope global port 80",
		  "unknown field 'port' (expected action, scope, rule, dry-run or replace)" },
		{ "p action allow scope global rule prot 80",
		  "unknown field 'prot' (expected a rule field: principal, not-principal, namespace, not-namespace, ip-block, not-ip-block, port, not-port, destination-ip, not-destination-ip, service-account, not-service-account; or rule, action, scope, dry-run, replace)" },
		{ "p action allow scope global rule service-account a",
		  "rule 0: invalid service-account 'a': not NS/SA (a namespace, '/', a service account)" },
		{ "p action allow scope global rule not-service-account A/b",
		  "rule 0: invalid not-service-account 'A/b': not a namespace (lower-case letters, digits and '-')" },
		{ "p action allow scope global rule service-account a/b/c",
		  "rule 0: invalid service-account 'a/b/c': service account of A-Za-z0-9 . - _ only" },
		{ "p action allow scope global rule destination-ip 10.0.0.1/8",
		  "rule 0: invalid destination-ip '10.0.0.1/8': host bits set below the prefix" },
		{ "p action allow action deny scope global", "action given twice" },
		{ "p action deny scope global dry-run rule dry-run", "dry-run given twice" },
	};
	struct kzt_policy p;
	char err[512], line[512], *argv[32], c[64];
	bool replace;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i].line);
		if (kztctl_parse_policy_add(words(line, argv), argv, &p, &replace,
					    err, sizeof(err)) != EINVAL)
			fail_msg("\"%s\" accepted", bad[i].line);
		if (strcmp(err, bad[i].err))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].line,
				 err, bad[i].err);
	}

	snprintf(line, sizeof(line),
		 "default/allow-web action allow scope namespace default "
		 "rule principal cluster.local/ns/default/sa/client,*/sa/ingress "
		 "port 80 port 443 rule not-ip-block 10.0.0.0/8,fd00::/16 rule replace");
	assert_int_equal(kztctl_parse_policy_add(words(line, argv), argv, &p,
						 &replace, err, sizeof(err)), 0);
	assert_string_equal(p.name, "default/allow-web");
	assert_int_equal(p.action, KZT_ACTION_ALLOW);
	assert_int_equal(p.scope, KZT_SCOPE_NAMESPACE);
	assert_string_equal(p.ns, "default");
	assert_int_equal(p.n_rules, 3);
	assert_int_equal(p.rules[0].principals.n, 2);
	assert_string_equal(p.rules[0].principals.v[1], "*/sa/ingress");
	assert_int_equal(p.rules[0].ports.n, 2);
	assert_int_equal(p.rules[0].ports.v[1], 443);
	assert_int_equal(p.rules[1].not_ip_blocks.n, 2);
	assert_string_equal(kzt_cidr_str(&p.rules[1].not_ip_blocks.v[0], c, sizeof(c)),
			    "10.0.0.0/8");
	assert_int_equal(p.rules[1].not_ip_blocks.v[0].prefix_len, 104);
	assert_string_equal(kzt_cidr_str(&p.rules[1].not_ip_blocks.v[1], c, sizeof(c)),
			    "fd00::/16");
	assert_int_equal(p.rules[2].ports.n + p.rules[2].principals.n, 0);
	assert_true(replace);
	assert_false(p.dry_run);
	kzt_policy_free(&p);

	/* The fields of Istio's grammar, in the short form. */
	snprintf(line, sizeof(line),
		 "s action deny scope global rule service-account a/web,b/x "
		 "not-service-account a/db destination-ip 10.8.0.0/16 "
		 "not-destination-ip fd00::1");
	assert_int_equal(kztctl_parse_policy_add(words(line, argv), argv, &p,
						 &replace, err, sizeof(err)), 0);
	assert_int_equal(p.rules[0].service_accounts.n, 2);
	assert_string_equal(p.rules[0].service_accounts.v[1], "b/x");
	assert_string_equal(p.rules[0].not_service_accounts.v[0], "a/db");
	assert_int_equal(p.rules[0].destination_ips.v[0].prefix_len, 112);
	assert_int_equal(p.rules[0].not_destination_ips.v[0].prefix_len, 128);
	kzt_policy_free(&p);

	/* dry-run anywhere after the name, also after a rule's fields. */
	snprintf(line, sizeof(line),
		 "d action deny scope global rule port 80 dry-run replace");
	assert_int_equal(kztctl_parse_policy_add(words(line, argv), argv, &p,
						 &replace, err, sizeof(err)), 0);
	assert_true(p.dry_run);
	assert_true(replace);
	assert_int_equal(p.n_rules, 1);
	assert_int_equal(p.rules[0].ports.n, 1);
	kzt_policy_free(&p);

	snprintf(line, sizeof(line),
		 "w action deny scope workloads spiffe://td/ns/a/sa/b,spiffe://td/ns/a/sa/c");
	assert_int_equal(kztctl_parse_policy_add(words(line, argv), argv, &p,
						 &replace, err, sizeof(err)), 0);
	assert_int_equal(p.scope, KZT_SCOPE_WORKLOADS);
	assert_null(p.ns);
	assert_int_equal(p.scope_ids.n, 2);
	assert_string_equal(p.scope_ids.v[1], "spiffe://td/ns/a/sa/c");
	assert_int_equal(p.n_rules, 0);
	assert_false(replace);
	kzt_policy_free(&p);

	snprintf(line, sizeof(line), "s action allow scope addresses 10.0.0.1,fd00::2");
	assert_int_equal(kztctl_parse_policy_add(words(line, argv), argv, &p,
						 &replace, err, sizeof(err)), 0);
	assert_int_equal(p.scope, KZT_SCOPE_ADDRESSES);
	assert_int_equal(p.scope_ids.n, 0);
	assert_int_equal(p.scope_addrs.n, 2);
	assert_int_equal(p.scope_addrs.v[0].s6_addr[15], 1);
	assert_int_equal(p.scope_addrs.v[0].s6_addr[10], 0xff);
	assert_int_equal(p.scope_addrs.v[1].s6_addr[0], 0xfd);
	kzt_policy_free(&p);
}

static void test_check_args(void **state)
{
	static const struct {
		const char *line;
		const char *err;
	} bad[] = {
		{ "--src-ip 1.1.1.1 --dst 2.2.2.2", "--port is needed" },
		{ "--dst 2.2.2.2 --port 80", "--src-ip is needed" },
		{ "--src-ip 1.1.1.1 --dst 2.2.2.2 --port 80 --port 81", "--port given twice" },
		{ "--src-ip 1.1.1.1 --dst 2.2.2.2 --port", "--port needs a value" },
		{ "--src-ip 1.1.1 --dst 2.2.2.2 --port 80",
		  "invalid --src-ip '1.1.1': not an IP address" },
		{ "--src-ip 1.1.1.1 --dst 2.2.2.2 --port 0",
		  "invalid --port '0': not a port (1..65535)" },
		{ "--src-ip 1.1.1.1 --dst 2.2.2.2 --port 80 --verbose",
		  "unknown option '--verbose' (expected --src-id, --src-ip, --dst, --port)" },
		{ "--src-id cluster.local/ns/a/sa/b --src-ip 1.1.1.1 --dst 2.2.2.2 --port 80",
		  "invalid --src-id 'cluster.local/ns/a/sa/b': SPIFFE ID must start with \"spiffe://\" (lower case)" },
	};
	struct kzt_check_query q;
	char err[512], line[256], *argv[32], a[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i].line);
		if (kztctl_parse_check(words(line, argv), argv, &q, err,
				       sizeof(err)) != EINVAL)
			fail_msg("\"%s\" accepted", bad[i].line);
		if (strcmp(err, bad[i].err))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].line,
				 err, bad[i].err);
	}
	snprintf(line, sizeof(line),
		 "--src-id=spiffe://cluster.local/ns/a/sa/b --src-ip 10.0.2.3 --dst fd00::2 --port=443");
	assert_int_equal(kztctl_parse_check(words(line, argv), argv, &q, err,
					    sizeof(err)), 0);
	assert_string_equal(q.src_id, "spiffe://cluster.local/ns/a/sa/b");
	assert_string_equal(kzt_addr_str(&q.src_addr, a, sizeof(a)), "10.0.2.3");
	assert_string_equal(kzt_addr_str(&q.dst_addr, a, sizeof(a)), "fd00::2");
	assert_int_equal(q.dst_port, 443);

	snprintf(line, sizeof(line), "--src-ip 10.0.2.3 --dst 10.0.2.2 --port 80");
	assert_int_equal(kztctl_parse_check(words(line, argv), argv, &q, err,
					    sizeof(err)), 0);
	assert_null(q.src_id);	/* a plaintext peer */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_uint_bounds),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_config_set_args),
		cmocka_unit_test(test_workload_add_args),
		cmocka_unit_test(test_policy_add_args),
		cmocka_unit_test(test_check_args),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
