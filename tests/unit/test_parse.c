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
	{ .argv = { NULL }, .err = "nothing to set: give tunnel-port N and/or capture on|off" },
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
	  .err = "unknown field 'port' (expected tunnel-port or capture)" },
	{ .argv = { "tunnel-port-x", "1" },
	  .err = "unknown field 'tunnel-port-x' (expected tunnel-port or capture)" },
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
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_uint_bounds),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_config_set_args),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
