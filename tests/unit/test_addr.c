// SPDX-License-Identifier: GPL-2.0
/*
 * lib/addr.c: addresses and IP blocks in their natural form and in the
 * 16-byte form of the kzt family (IPv4 as ::ffff:a.b.c.d, prefix 96 + n).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"

static void test_addr_parse(void **state)
{
	static const struct {
		const char *in;
		int ret;
		const char *out;	/* printed back */
		bool v4;
	} cases[] = {
		{ "10.0.1.2", 0, "10.0.1.2", true },
		{ "0.0.0.0", 0, "0.0.0.0", true },
		{ "255.255.255.255", 0, "255.255.255.255", true },
		{ "fd00::2", 0, "fd00::2", false },
		{ "::", 0, "::", false },
		{ "::ffff:10.0.1.2", 0, "10.0.1.2", true },	/* same key as 10.0.1.2 */
		{ "FD00:0:0::2", 0, "fd00::2", false },
		{ "10.0.1", EINVAL, NULL, false },
		{ "10.0.1.256", EINVAL, NULL, false },
		{ "010.0.1.2", EINVAL, NULL, false },	/* no octal guessing */
		{ " 10.0.1.2", EINVAL, NULL, false },
		{ "10.0.1.2/32", EINVAL, NULL, false },
		{ "fd00::2::3", EINVAL, NULL, false },
		{ "", EINVAL, NULL, false },
		{ "localhost", EINVAL, NULL, false },
	};
	char buf[KZT_ADDR_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct in6_addr a;
		int ret = kzt_addr_parse(cases[i].in, &a);

		if (ret != cases[i].ret)
			fail_msg("\"%s\": ret %d, want %d", cases[i].in, ret,
				 cases[i].ret);
		if (ret)
			continue;
		assert_string_equal(kzt_addr_str(&a, buf, sizeof(buf)), cases[i].out);
		assert_int_equal(kzt_addr_is_v4(&a), cases[i].v4);
	}
}

static void test_v4_mapped_bytes(void **state)
{
	static const uint8_t want[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 1, 2,
	};
	struct in6_addr a;
	struct kzt_cidr c;

	(void)state;
	assert_int_equal(kzt_addr_parse("10.0.1.2", &a), 0);
	assert_memory_equal(a.s6_addr, want, 16);
	assert_int_equal(kzt_cidr_parse("10.0.0.0/8", &c), 0);
	assert_int_equal(c.prefix_len, 104);
	assert_int_equal(c.addr.s6_addr[10], 0xff);
	assert_int_equal(c.addr.s6_addr[12], 10);
}

static void test_cidr_parse(void **state)
{
	static const struct {
		const char *in;
		int ret;
		uint8_t prefix_len;	/* over 128 bits */
		const char *out;
	} cases[] = {
		{ "10.0.0.0/8", 0, 104, "10.0.0.0/8" },
		{ "0.0.0.0/0", 0, 96, "0.0.0.0/0" },
		{ "10.1.2.3", 0, 128, "10.1.2.3/32" },
		{ "10.1.2.3/32", 0, 128, "10.1.2.3/32" },
		{ "fd00::/8", 0, 8, "fd00::/8" },
		{ "::/0", 0, 0, "::/0" },
		{ "fd00::1", 0, 128, "fd00::1/128" },
		{ "10.0.0.1/8", EDOM, 0, NULL },	/* host bits set */
		{ "fd00::1/64", EDOM, 0, NULL },
		{ "10.0.0.0/33", ERANGE, 0, NULL },
		{ "fd00::/129", ERANGE, 0, NULL },
		{ "10.0.0.0/", EINVAL, 0, NULL },
		{ "10.0.0.0/+8", EINVAL, 0, NULL },
		{ "10.0.0.0/8/8", EINVAL, 0, NULL },
		{ "10.0.0/8", EINVAL, 0, NULL },
		{ "/8", EINVAL, 0, NULL },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", EINVAL, 0, NULL },
	};
	char buf[KZT_CIDR_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kzt_cidr c;
		int ret = kzt_cidr_parse(cases[i].in, &c);

		if (ret != cases[i].ret)
			fail_msg("\"%s\": ret %d, want %d", cases[i].in, ret,
				 cases[i].ret);
		if (ret)
			continue;
		assert_int_equal(c.prefix_len, cases[i].prefix_len);
		assert_string_equal(kzt_cidr_str(&c, buf, sizeof(buf)), cases[i].out);
	}
}

/* A mapped block shorter than /96 is not IPv4 any more: print it as IPv6. */
static void test_cidr_str_short_mapped(void **state)
{
	char buf[KZT_CIDR_STRLEN];
	struct kzt_cidr c = { .prefix_len = 80 };

	(void)state;
	assert_string_equal(kzt_cidr_str(&c, buf, sizeof(buf)), "::/80");
}

static void test_addr_order(void **state)
{
	struct in6_addr a, b, c;

	(void)state;
	assert_int_equal(kzt_addr_parse("10.0.0.9", &a), 0);
	assert_int_equal(kzt_addr_parse("10.0.0.10", &b), 0);
	assert_int_equal(kzt_addr_parse("::1", &c), 0);
	assert_true(kzt_addr_cmp(&a, &b) < 0);	/* numeric, not text */
	assert_true(kzt_addr_cmp(&b, &c) < 0);	/* IPv4 before IPv6 */
	assert_true(kzt_addr_cmp(&c, &a) > 0);
	assert_int_equal(kzt_addr_cmp(&a, &a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_v4_mapped_bytes),
		cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_cidr_str_short_mapped),
		cmocka_unit_test(test_addr_order),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
