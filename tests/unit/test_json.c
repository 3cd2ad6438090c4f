// SPDX-License-Identifier: GPL-2.0
/*
 * lib/json.c: escaping, UTF-8 handling, structure, misuse.
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

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static void capture_start(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

/* One JSON string for @len bytes of @in; compared with @want. */
static void check_string(const char *in, size_t len, const char *want)
{
	struct capture c;
	char *got;

	capture_start(&c);
	kzt_json_write_string(c.f, in, len);
	got = capture_end(&c);
	assert_string_equal(got, want);
	free(got);
}

#define CHECK(in, want) check_string(in, sizeof(in) - 1, want)

static void test_escape_quotes(void **state)
{
	(void)state;
	CHECK("", "\"\"");
	CHECK("plain", "\"plain\"");
	CHECK("a\"b", "\"a\\\"b\"");
	CHECK("back\\slash", "\"back\\\\slash\"");
	CHECK("/", "\"/\"");	/* no need to escape the solidus */
}

static void test_escape_control(void **state)
{
	(void)state;
	CHECK("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	CHECK("\x01\x1f", "\"\\u0001\\u001f\"");
	CHECK("\x7f", "\"\\u007f\"");
	CHECK("a\0b", "\"a\\u0000b\"");	/* stringn keeps NUL bytes */
	CHECK("\x1b[31mred", "\"\\u001b[31mred\"");
}

static void test_utf8_passthrough(void **state)
{
	(void)state;
	CHECK("h\xc3\xa9llo", "\"h\xc3\xa9llo\"");		/* U+00E9 */
	CHECK("\xe2\x9c\x93", "\"\xe2\x9c\x93\"");		/* U+2713 */
	CHECK("\xf0\x9d\x84\x9e", "\"\xf0\x9d\x84\x9e\"");	/* U+1D11E */
	CHECK("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");		/* U+D7FF */
	CHECK("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */
}

static void test_utf8_invalid(void **state)
{
	(void)state;
	CHECK("\xff", "\"\\ufffd\"");
	CHECK("a\x80z", "\"a\\ufffdz\"");			/* lone continuation */
	CHECK("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong '/' */
	CHECK("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");	/* overlong */
	CHECK("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	CHECK("\xf4\x90\x80\x80",
	      "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");		/* > U+10FFFF */
	CHECK("\xe2\x82", "\"\\ufffd\\ufffd\"");		/* cut short */
	CHECK("\xe2\x82\"", "\"\\ufffd\\ufffd\\\"\"");		/* cut by a quote */
}

static void test_document(void **state)
{
	struct kzt_json j;
	struct capture c;
	char *got;

	(void)state;
	capture_start(&c);
	kzt_json_init(&j, c.f);
	kzt_json_object_begin(&j, NULL);
	kzt_json_uint(&j, "tunnel_port", 15008);
	kzt_json_bool(&j, "capture", false);
	kzt_json_string(&j, "name", "k\"z\"t");
	kzt_json_string(&j, "none", NULL);
	kzt_json_int(&j, "min", INT64_MIN);
	kzt_json_uint(&j, "max", UINT64_MAX);
	kzt_json_object_begin(&j, "empty");
	kzt_json_object_end(&j);
	kzt_json_array_begin(&j, "list");
	kzt_json_uint(&j, NULL, 1);
	kzt_json_object_begin(&j, NULL);
	kzt_json_bool(&j, "t", true);
	kzt_json_object_end(&j);
	kzt_json_array_begin(&j, NULL);
	kzt_json_array_end(&j);
	kzt_json_null(&j, NULL);
	kzt_json_array_end(&j);
	kzt_json_object_end(&j);
	assert_int_equal(kzt_json_finish(&j), 0);
	got = capture_end(&c);
	assert_string_equal(got,
		"{\"tunnel_port\":15008,\"capture\":false,\"name\":\"k\\\"z\\\"t\","
		"\"none\":null,\"min\":-9223372036854775808,"
		"\"max\":18446744073709551615,\"empty\":{},"
		"\"list\":[1,{\"t\":true},[],null]}\n");
	free(got);
}

static void test_escaped_key(void **state)
{
	struct kzt_json j;
	struct capture c;
	char *got;

	(void)state;
	capture_start(&c);
	kzt_json_init(&j, c.f);
	kzt_json_object_begin(&j, NULL);
	kzt_json_uint(&j, "a\"\n", 1);
	kzt_json_object_end(&j);
	assert_int_equal(kzt_json_finish(&j), 0);
	got = capture_end(&c);
	assert_string_equal(got, "{\"a\\\"\\n\":1}\n");
	free(got);
}

typedef void (*misuse_fn)(struct kzt_json *j);

static void misuse_key_at_top(struct kzt_json *j)
{
	kzt_json_uint(j, "k", 1);
}

static void misuse_no_key_in_object(struct kzt_json *j)
{
	kzt_json_object_begin(j, NULL);
	kzt_json_uint(j, NULL, 1);
	kzt_json_object_end(j);
}

static void misuse_key_in_array(struct kzt_json *j)
{
	kzt_json_array_begin(j, NULL);
	kzt_json_uint(j, "k", 1);
	kzt_json_array_end(j);
}

static void misuse_unbalanced(struct kzt_json *j)
{
	kzt_json_object_begin(j, NULL);
	kzt_json_array_end(j);
}

static void misuse_unclosed(struct kzt_json *j)
{
	kzt_json_object_begin(j, NULL);
}

static void misuse_nothing(struct kzt_json *j)
{
	(void)j;
}

static void misuse_two_documents(struct kzt_json *j)
{
	kzt_json_bool(j, NULL, true);
	kzt_json_bool(j, NULL, false);
}

static void misuse_too_deep(struct kzt_json *j)
{
	for (int i = 0; i <= KZT_JSON_DEPTH_MAX; i++)
		kzt_json_array_begin(j, NULL);
	for (int i = 0; i <= KZT_JSON_DEPTH_MAX; i++)
		kzt_json_array_end(j);
}

static void test_misuse(void **state)
{
	static const misuse_fn cases[] = {
		misuse_key_at_top, misuse_no_key_in_object,
		misuse_key_in_array, misuse_unbalanced, misuse_unclosed,
		misuse_nothing, misuse_two_documents, misuse_too_deep,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kzt_json j;
		struct capture c;

		capture_start(&c);
		kzt_json_init(&j, c.f);
		cases[i](&j);
		if (kzt_json_finish(&j) != EINVAL)
			fail_msg("misuse case %zu was not caught", i);
		free(capture_end(&c));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_quotes),
		cmocka_unit_test(test_escape_control),
		cmocka_unit_test(test_utf8_passthrough),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_escaped_key),
		cmocka_unit_test(test_misuse),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
