// SPDX-License-Identifier: GPL-2.0
/*
 * lib/conf.c: kztd.conf parsing, table-driven. Each case is a file body
 * and either the values it sets or the exact "file:line: problem" message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"

struct valid_case {
	const char *body;
	struct kzt_conf want;
};

static const struct valid_case valid_cases[] = {
	{ "", { .log_level = KZT_LOG_INFO } },
	{ "# only a comment\n\n   \n\t\n", { .log_level = KZT_LOG_INFO } },
	{ "tunnel_port = 15009\n",
	  { .kernel = { .has_tunnel_port = true, .tunnel_port = 15009 },
	    .log_level = KZT_LOG_INFO } },
	{ "tunnel_port=1",	/* no spaces, no final newline */
	  { .kernel = { .has_tunnel_port = true, .tunnel_port = 1 },
	    .log_level = KZT_LOG_INFO } },
	{ "tunnel_port = 65535\n",
	  { .kernel = { .has_tunnel_port = true, .tunnel_port = 65535 },
	    .log_level = KZT_LOG_INFO } },
	{ "tunnel_port = 08080\n",	/* decimal, never octal */
	  { .kernel = { .has_tunnel_port = true, .tunnel_port = 8080 },
	    .log_level = KZT_LOG_INFO } },
	{ "  capture\t=\ton  \r\n",	/* tabs, CRLF */
	  { .kernel = { .has_capture = true, .capture = true },
	    .log_level = KZT_LOG_INFO } },
	{ "capture = OFF # trailing comment\n",
	  { .kernel = { .has_capture = true, .capture = false },
	    .log_level = KZT_LOG_INFO } },
	{ "capture = yes\n",
	  { .kernel = { .has_capture = true, .capture = true },
	    .log_level = KZT_LOG_INFO } },
	{ "capture = 0\n",
	  { .kernel = { .has_capture = true, .capture = false },
	    .log_level = KZT_LOG_INFO } },
	{ "handshake_timeout_ms = 100\nidle_timeout_s = 0\n",
	  { .kernel = { .has_handshake_timeout_ms = true,
			.handshake_timeout_ms = 100,
			.has_idle_timeout_s = true, .idle_timeout_s = 0 },
	    .log_level = KZT_LOG_INFO } },
	{ "handshake_timeout_ms = 600000\nidle_timeout_s = 604800\n",
	  { .kernel = { .has_handshake_timeout_ms = true,
			.handshake_timeout_ms = 600000,
			.has_idle_timeout_s = true, .idle_timeout_s = 604800 },
	    .log_level = KZT_LOG_INFO } },
	{ "keepalive_idle_s = 0\nkeepalive_interval_s = 1\nkeepalive_probes = 1\n",
	  { .kernel = { .has_keepalive_idle_s = true, .keepalive_idle_s = 0,
			.has_keepalive_interval_s = true,
			.keepalive_interval_s = 1,
			.has_keepalive_probes = true, .keepalive_probes = 1 },
	    .log_level = KZT_LOG_INFO } },
	{ "keepalive_idle_s = 32767\nkeepalive_interval_s = 32767\nkeepalive_probes = 127\n",
	  { .kernel = { .has_keepalive_idle_s = true, .keepalive_idle_s = 32767,
			.has_keepalive_interval_s = true,
			.keepalive_interval_s = 32767,
			.has_keepalive_probes = true, .keepalive_probes = 127 },
	    .log_level = KZT_LOG_INFO } },
	{ "flow_stats_interval_s = 0\n",
	  { .kernel = { .has_flow_stats_interval_s = true,
			.flow_stats_interval_s = 0 },
	    .log_level = KZT_LOG_INFO } },
	{ "flow_stats_interval_s = 86400\n",
	  { .kernel = { .has_flow_stats_interval_s = true,
			.flow_stats_interval_s = 86400 },
	    .log_level = KZT_LOG_INFO } },
	{ "log_level = debug\n",
	  { .has_log_level = true, .log_level = KZT_LOG_DEBUG } },
	{ "# kztd\ntunnel_port = 15010\n\ncapture = true\nlog_level = warning\n",
	  { .kernel = { .has_tunnel_port = true, .tunnel_port = 15010,
			.has_capture = true, .capture = true },
	    .has_log_level = true, .log_level = KZT_LOG_WARNING } },
};

struct invalid_case {
	const char *body;
	const char *msg;
};

static const struct invalid_case invalid_cases[] = {
	{ "tunnel_port = 0\n",
	  "t.conf:1: tunnel_port: invalid value '0': out of range (expected a port number 1..65535)" },
	{ "tunnel_port = 65536\n",
	  "t.conf:1: tunnel_port: invalid value '65536': out of range (expected a port number 1..65535)" },
	{ "tunnel_port = 99999999999999999999999999\n",	/* overflows u64 */
	  "t.conf:1: tunnel_port: invalid value '99999999999999999999999999': out of range (expected a port number 1..65535)" },
	{ "tunnel_port = -1\n",
	  "t.conf:1: tunnel_port: invalid value '-1': not a port number (expected 1..65535)" },
	{ "tunnel_port = +80\n",
	  "t.conf:1: tunnel_port: invalid value '+80': not a port number (expected 1..65535)" },
	{ "tunnel_port = 0x50\n",
	  "t.conf:1: tunnel_port: invalid value '0x50': not a port number (expected 1..65535)" },
	{ "tunnel_port = 15 008\n",
	  "t.conf:1: tunnel_port: invalid value '15 008': not a port number (expected 1..65535)" },
	{ "tunnel_port =\n",
	  "t.conf:1: tunnel_port: missing value" },
	{ "tunnel_port = # no value\n",
	  "t.conf:1: tunnel_port: missing value" },
	{ "\n# c\nfoo = 1\n",
	  "t.conf:3: unknown key 'foo'" },
	{ "Tunnel_Port = 1\n",
	  "t.conf:1: unknown key 'Tunnel_Port'" },
	{ "tunnel-port = 1\n",
	  "t.conf:1: unknown key 'tunnel-port'" },
	{ "capture = maybe\n",
	  "t.conf:1: capture: invalid value 'maybe': expected on or off (or yes/no, true/false, 1/0)" },
	{ "capture\n",
	  "t.conf:1: expected 'key = value', got 'capture'" },
	{ " = on\n",
	  "t.conf:1: missing key before '='" },
	{ "capture = on\n\ncapture = off\n",
	  "t.conf:3: capture: given twice (first on line 1)" },
	{ "handshake_timeout_ms = 99\n",
	  "t.conf:1: handshake_timeout_ms: invalid value '99': out of range (expected 100..600000 milliseconds)" },
	{ "handshake_timeout_ms = 10s\n",
	  "t.conf:1: handshake_timeout_ms: invalid value '10s': not a number of milliseconds (expected 100..600000)" },
	{ "idle_timeout_s = 604801\n",
	  "t.conf:1: idle_timeout_s: invalid value '604801': out of range (expected 0..604800 seconds, 0: never)" },
	{ "idle_timeout_s = 1\nidle_timeout_s = 2\n",
	  "t.conf:2: idle_timeout_s: given twice (first on line 1)" },
	{ "keepalive_idle_s = 32768\n",
	  "t.conf:1: keepalive_idle_s: invalid value '32768': out of range (expected 0..32767 seconds, 0: off)" },
	{ "keepalive_interval_s = 0\n",
	  "t.conf:1: keepalive_interval_s: invalid value '0': out of range (expected 1..32767 seconds)" },
	{ "keepalive_probes = 128\n",
	  "t.conf:1: keepalive_probes: invalid value '128': out of range (expected 1..127 probes)" },
	{ "keepalive_probes = 9x\n",
	  "t.conf:1: keepalive_probes: invalid value '9x': not a number of probes (expected 1..127)" },
	{ "flow_stats_interval_s = 86401\n",
	  "t.conf:1: flow_stats_interval_s: invalid value '86401': out of range (expected 0..86400 seconds, 0: no flow-stats events)" },
	{ "flow_stats_interval_s = 15s\n",
	  "t.conf:1: flow_stats_interval_s: invalid value '15s': not a number of seconds (expected 0..86400, 0: no flow-stats events)" },
	{ "log_level = verbose\n",
	  "t.conf:1: log_level: invalid value 'verbose': expected error, warning, info or debug" },
	{ "certs = etc/kzt/certs\n",
	  "t.conf:1: certs: invalid value 'etc/kzt/certs': expected an absolute path" },
	{ "keylog = keys.log\n",
	  "t.conf:1: keylog: invalid value 'keys.log': expected an absolute path" },
	{ "ciphersuites = TLS_AES_128_CCM_SHA256\n",
	  "t.conf:1: ciphersuites: invalid value 'TLS_AES_128_CCM_SHA256': unknown suite 'TLS_AES_128_CCM_SHA256' (expected TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 or TLS_CHACHA20_POLY1305_SHA256)" },
	{ "max_client_handshakes = 0\n",
	  "t.conf:1: max_client_handshakes: invalid value '0': out of range (expected 1..16384 handshakes)" },
	{ "max_server_handshakes = 16385\n",
	  "t.conf:1: max_server_handshakes: invalid value '16385': out of range (expected 1..16384 handshakes)" },
	{ "max_server_handshakes = 64k\n",
	  "t.conf:1: max_server_handshakes: invalid value '64k': not a number of handshakes (expected 1..16384)" },
	{ "max_client_handshakes = 1\nmax_client_handshakes = 2\n",
	  "t.conf:2: max_client_handshakes: given twice (first on line 1)" },
	{ "metrics_address = 15020\n",
	  "t.conf:1: metrics_address: invalid value '15020': expected ADDR:PORT ([ADDR]:PORT for IPv6) or off" },
	{ "readiness_address = istiod:15021\n",
	  "t.conf:1: readiness_address: invalid value 'istiod:15021': not an IPv4 or IPv6 address" },
	{ "access_log = maybe\n",
	  "t.conf:1: access_log: invalid value 'maybe': expected on or off (or yes/no, true/false, 1/0)" },
	{ "access_log_rate = 0\n",
	  "t.conf:1: access_log_rate: invalid value '0': expected 1..100000 lines a second (access_log = off turns the log off)" },
	{ "access_log_rate = 100001\n",
	  "t.conf:1: access_log_rate: invalid value '100001': expected 1..100000 lines a second (access_log = off turns the log off)" },
	{ "capture = on\ntunnel_port = 1\nlog_level = info\nbad\n",
	  "t.conf:4: expected 'key = value', got 'bad'" },
};

/* The daemon's own keys: the certificate directory and the TLS options. */
static void test_tls_keys(void **state)
{
	static const char body[] =
		"certs = /etc/kzt/certs\n"
		"keylog = /run/kzt/keys.log # debug only\n"
		"ciphersuites = TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256\n";
	FILE *f = fmemopen((void *)body, strlen(body), "r");
	char err[KZT_CONF_ERR_MAX];
	struct kzt_conf got;

	(void)state;
	assert_int_equal(kzt_conf_parse(f, "t.conf", &got, err, sizeof(err)), 0);
	fclose(f);
	assert_true(got.has_certs);
	assert_string_equal(got.certs, "/etc/kzt/certs");
	assert_true(got.has_keylog);
	assert_string_equal(got.keylog, "/run/kzt/keys.log");
	assert_true(got.has_ciphersuites);
	assert_string_equal(got.ciphersuites,
			    "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256");
}

/* The handshake pools: absent, then each bound. */
static void test_hs_pools(void **state)
{
	static const char body[] =
		"max_client_handshakes = 1\nmax_server_handshakes = 16384\n";
	FILE *f = fmemopen((void *)body, strlen(body), "r");
	char err[KZT_CONF_ERR_MAX];
	struct kzt_conf got;

	(void)state;
	assert_int_equal(kzt_conf_parse(f, "t.conf", &got, err, sizeof(err)), 0);
	fclose(f);
	assert_true(got.has_max_client_hs);
	assert_int_equal(got.max_client_hs, 1);
	assert_true(got.has_max_server_hs);
	assert_int_equal(got.max_server_hs, 16384);

	f = fmemopen((void *)"capture = on\n", 13, "r");
	assert_int_equal(kzt_conf_parse(f, "t.conf", &got, err, sizeof(err)), 0);
	fclose(f);
	assert_false(got.has_max_client_hs);
	assert_false(got.has_max_server_hs);
}

/* The HTTP servers' addresses: given, off, absent. */
static void test_listen_keys(void **state)
{
	static const char body[] =
		"metrics_address = [::1]:9100\nreadiness_address = off\n";
	FILE *f = fmemopen((void *)body, strlen(body), "r");
	char err[KZT_CONF_ERR_MAX];
	struct kzt_conf got;

	(void)state;
	assert_int_equal(kzt_conf_parse(f, "t.conf", &got, err, sizeof(err)), 0);
	fclose(f);
	assert_true(got.has_metrics_address);
	assert_false(got.metrics_address.off);
	assert_true(IN6_IS_ADDR_LOOPBACK(&got.metrics_address.addr));
	assert_int_equal(got.metrics_address.port, 9100);
	assert_true(got.has_readiness_address);
	assert_true(got.readiness_address.off);

	f = fmemopen((void *)"capture = on\n", 13, "r");
	assert_int_equal(kzt_conf_parse(f, "t.conf", &got, err, sizeof(err)), 0);
	fclose(f);
	assert_false(got.has_metrics_address);
	assert_false(got.has_readiness_address);
}

/* The access log: on/off and its rate; absent by default. */
static void test_access_log_keys(void **state)
{
	static const char body[] = "access_log = off\naccess_log_rate = 100000\n";
	FILE *f = fmemopen((void *)body, strlen(body), "r");
	char err[KZT_CONF_ERR_MAX];
	struct kzt_conf got;

	(void)state;
	assert_int_equal(kzt_conf_parse(f, "t.conf", &got, err, sizeof(err)), 0);
	fclose(f);
	assert_true(got.has_access_log);
	assert_false(got.access_log);
	assert_true(got.has_access_log_rate);
	assert_int_equal(got.access_log_rate, 100000);

	f = fmemopen((void *)"capture = on\n", 13, "r");
	assert_int_equal(kzt_conf_parse(f, "t.conf", &got, err, sizeof(err)), 0);
	fclose(f);
	assert_false(got.has_access_log);
	assert_false(got.has_access_log_rate);
}

static FILE *mem_file(const char *body, size_t len)
{
	/* fmemopen() of 0 bytes fails; an empty file is "\n"-less text. */
	static char empty[1];
	FILE *f = fmemopen(len ? (void *)body : empty, len ? len : 1, "r");

	assert_non_null(f);
	if (!len)
		fgetc(f);	/* leave it at EOF */
	return f;
}

static void test_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
		const struct valid_case *tc = &valid_cases[i];
		struct kzt_conf got;
		char err[KZT_CONF_ERR_MAX];
		FILE *f = mem_file(tc->body, strlen(tc->body));
		int ret;

		memset(&got, 0xa5, sizeof(got));
		ret = kzt_conf_parse(f, "t.conf", &got, err, sizeof(err));
		fclose(f);
		if (ret)
			fail_msg("case %zu: unexpected error %d: %s", i, ret, err);
		assert_int_equal(got.kernel.has_tunnel_port, tc->want.kernel.has_tunnel_port);
		if (tc->want.kernel.has_tunnel_port)
			assert_int_equal(got.kernel.tunnel_port, tc->want.kernel.tunnel_port);
		assert_int_equal(got.kernel.has_capture, tc->want.kernel.has_capture);
		if (tc->want.kernel.has_capture)
			assert_int_equal(got.kernel.capture, tc->want.kernel.capture);
		assert_int_equal(got.kernel.has_handshake_timeout_ms,
				 tc->want.kernel.has_handshake_timeout_ms);
		if (tc->want.kernel.has_handshake_timeout_ms)
			assert_int_equal(got.kernel.handshake_timeout_ms,
					 tc->want.kernel.handshake_timeout_ms);
		assert_int_equal(got.kernel.has_idle_timeout_s,
				 tc->want.kernel.has_idle_timeout_s);
		if (tc->want.kernel.has_idle_timeout_s)
			assert_int_equal(got.kernel.idle_timeout_s,
					 tc->want.kernel.idle_timeout_s);
		assert_int_equal(got.kernel.has_keepalive_idle_s,
				 tc->want.kernel.has_keepalive_idle_s);
		if (tc->want.kernel.has_keepalive_idle_s)
			assert_int_equal(got.kernel.keepalive_idle_s,
					 tc->want.kernel.keepalive_idle_s);
		assert_int_equal(got.kernel.has_keepalive_interval_s,
				 tc->want.kernel.has_keepalive_interval_s);
		if (tc->want.kernel.has_keepalive_interval_s)
			assert_int_equal(got.kernel.keepalive_interval_s,
					 tc->want.kernel.keepalive_interval_s);
		assert_int_equal(got.kernel.has_keepalive_probes,
				 tc->want.kernel.has_keepalive_probes);
		if (tc->want.kernel.has_keepalive_probes)
			assert_int_equal(got.kernel.keepalive_probes,
					 tc->want.kernel.keepalive_probes);
		assert_int_equal(got.kernel.has_flow_stats_interval_s,
				 tc->want.kernel.has_flow_stats_interval_s);
		if (tc->want.kernel.has_flow_stats_interval_s)
			assert_int_equal(got.kernel.flow_stats_interval_s,
					 tc->want.kernel.flow_stats_interval_s);
		assert_int_equal(got.has_log_level, tc->want.has_log_level);
		assert_int_equal(got.log_level, tc->want.log_level);
	}
}

static void test_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		const struct invalid_case *tc = &invalid_cases[i];
		struct kzt_conf got, before;
		char err[KZT_CONF_ERR_MAX];
		FILE *f = mem_file(tc->body, strlen(tc->body));
		int ret;

		memset(&got, 0xa5, sizeof(got));
		before = got;
		ret = kzt_conf_parse(f, "t.conf", &got, err, sizeof(err));
		fclose(f);
		if (ret != EINVAL)
			fail_msg("case %zu (%s): ret %d, want EINVAL", i, tc->body, ret);
		assert_string_equal(err, tc->msg);
		/* A bad file changes nothing. */
		assert_memory_equal(&got, &before, sizeof(got));
	}
}

static void test_nul_byte(void **state)
{
	static const char body[] = "capture = on\ncapture\0 = off\n";
	char err[KZT_CONF_ERR_MAX];
	struct kzt_conf conf;
	FILE *f = mem_file(body, sizeof(body) - 1);

	(void)state;
	assert_int_equal(kzt_conf_parse(f, "t.conf", &conf, err, sizeof(err)), EINVAL);
	fclose(f);
	assert_string_equal(err, "t.conf:2: NUL byte in line");
}

static void test_long_line(void **state)
{
	char body[KZT_CONF_LINE_MAX + 64];
	char err[KZT_CONF_ERR_MAX];
	struct kzt_conf conf;
	FILE *f;

	(void)state;
	memset(body, ' ', sizeof(body));
	memcpy(body + sizeof(body) - 17, "capture = on\n", 13);
	body[sizeof(body) - 4] = '\0';
	f = mem_file(body, strlen(body));
	assert_int_equal(kzt_conf_parse(f, "t.conf", &conf, err, sizeof(err)), EINVAL);
	fclose(f);
	assert_string_equal(err, "t.conf:1: line longer than 1024 bytes");
}

static void test_small_errbuf(void **state)
{
	char err[12];
	struct kzt_conf conf;
	FILE *f = mem_file("foo = 1\n", 8);

	(void)state;
	assert_int_equal(kzt_conf_parse(f, "t.conf", &conf, err, sizeof(err)), EINVAL);
	fclose(f);
	assert_string_equal(err, "t.conf:1: u");	/* truncated, terminated */
}

static void test_load_missing(void **state)
{
	char err[KZT_CONF_ERR_MAX];
	struct kzt_conf conf;

	(void)state;
	assert_int_equal(kzt_conf_load("/nonexistent/kztd.conf", &conf, err, sizeof(err)),
			 ENOENT);
	assert_string_equal(err, "/nonexistent/kztd.conf: No such file or directory");
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/kzt-test-conf-XXXXXX";
	char err[KZT_CONF_ERR_MAX], want[KZT_CONF_ERR_MAX];
	struct kzt_conf conf;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("tunnel_port = 15011\ncapture = on\n", f);
	fclose(f);
	assert_int_equal(kzt_conf_load(path, &conf, err, sizeof(err)), 0);
	assert_int_equal(conf.kernel.tunnel_port, 15011);
	assert_true(conf.kernel.capture);

	f = fopen(path, "a");
	assert_non_null(f);
	fputs("oops = 1\n", f);
	fclose(f);
	assert_int_equal(kzt_conf_load(path, &conf, err, sizeof(err)), EINVAL);
	snprintf(want, sizeof(want), "%s:3: unknown key 'oops'", path);
	assert_string_equal(err, want);
	unlink(path);

	/* A directory opens but does not read. */
	assert_int_equal(kzt_conf_load("/", &conf, err, sizeof(err)), EISDIR);
	assert_string_equal(err, "/: Is a directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_tls_keys),
		cmocka_unit_test(test_hs_pools),
		cmocka_unit_test(test_listen_keys),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_access_log_keys),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_small_errbuf),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
