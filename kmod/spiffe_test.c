// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_spiffe: SPIFFE IDs and trust domains, valid and invalid,
 * one row per rule of the SPIFFE ID standard, the length limits at their
 * boundaries, and the /ns/<ns>/sa/<sa> parts.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "spiffe.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

struct kzt_spiffe_case {
	const char *name;
	const char *id;
	size_t len;		/* 0: strlen(id) */
	const char *err;	/* NULL: valid */
	const char *td;		/* expected parts of a valid ID */
	const char *path;
	const char *ns;		/* NULL: not the /ns/<ns>/sa/<sa> form */
	const char *sa;
};

#define KZT_SCHEME_ERR "SPIFFE ID must start with \"spiffe://\" (lower case)"
#define KZT_TD_CHAR_ERR "trust domain has an invalid character (allowed: a-z0-9 . - _)"
#define KZT_SEG_CHAR_ERR "path segment has an invalid character (allowed: A-Za-z0-9 . - _)"
#define KZT_DOT_ERR "path segment must not be '.' or '..'"
#define KZT_TRAILING_ERR "path must not end with '/'"

static const struct kzt_spiffe_case kzt_spiffe_cases[] = {
	{ "trust domain only", "spiffe://example.org", 0, NULL,
	  "example.org", "", NULL, NULL },
	{ "workload ID", "spiffe://cluster.local/ns/default/sa/web", 0, NULL,
	  "cluster.local", "/ns/default/sa/web", "default", "web" },
	{ "all trust domain chars", "spiffe://a-b_c.9", 0, NULL,
	  "a-b_c.9", "", NULL, NULL },
	{ "all path chars", "spiffe://td/Az-09._x", 0, NULL,
	  "td", "/Az-09._x", NULL, NULL },
	{ "three dots are a name", "spiffe://td/...", 0, NULL,
	  "td", "/...", NULL, NULL },
	{ "dot-led segment", "spiffe://td/.x/..y", 0, NULL,
	  "td", "/.x/..y", NULL, NULL },
	{ "ns/sa plus a segment", "spiffe://td/ns/a/sa/b/c", 0, NULL,
	  "td", "/ns/a/sa/b/c", NULL, NULL },
	{ "ns without sa", "spiffe://td/ns/a", 0, NULL,
	  "td", "/ns/a", NULL, NULL },
	{ "sa before ns", "spiffe://td/sa/a/ns/b", 0, NULL,
	  "td", "/sa/a/ns/b", NULL, NULL },
	{ "upper-case NS keyword", "spiffe://td/NS/a/sa/b", 0, NULL,
	  "td", "/NS/a/sa/b", NULL, NULL },
	{ "empty", "", 0, KZT_SCHEME_ERR },
	{ "no scheme", "example.org/ns/a/sa/b", 0, KZT_SCHEME_ERR },
	{ "upper-case scheme", "SPIFFE://example.org", 0, KZT_SCHEME_ERR },
	{ "one slash", "spiffe:/example.org", 0, KZT_SCHEME_ERR },
	{ "other scheme", "https://example.org", 0, KZT_SCHEME_ERR },
	{ "scheme only", "spiffe://", 0, "trust domain is empty" },
	{ "empty trust domain", "spiffe:///ns/a", 0, "trust domain is empty" },
	{ "upper-case trust domain", "spiffe://Example.org", 0,
	  "trust domain must be lower case" },
	{ "port", "spiffe://example.org:8443/a", 0,
	  "trust domain must not have a port (':')" },
	{ "user info", "spiffe://me@example.org/a", 0,
	  "trust domain must not have user info ('@')" },
	{ "space in trust domain", "spiffe://exa mple", 0, KZT_TD_CHAR_ERR },
	{ "trailing slash", "spiffe://td/", 0, KZT_TRAILING_ERR },
	{ "trailing slash after a segment", "spiffe://td/a/", 0,
	  KZT_TRAILING_ERR },
	{ "empty segment", "spiffe://td/a//b", 0, "path segment is empty" },
	{ "dot segment", "spiffe://td/a/./b", 0, KZT_DOT_ERR },
	{ "dot-dot segment", "spiffe://td/a/..", 0, KZT_DOT_ERR },
	{ "query", "spiffe://td/a?x=1", 0,
	  "SPIFFE ID must not have a query ('?')" },
	{ "fragment", "spiffe://td/a#f", 0,
	  "SPIFFE ID must not have a fragment ('#')" },
	{ "query on trust domain", "spiffe://td?x", 0,
	  "SPIFFE ID must not have a query ('?')" },
	{ "percent-encoding", "spiffe://td/a%2Fb", 0,
	  "SPIFFE ID must not be percent-encoded ('%')" },
	{ "space in path", "spiffe://td/a b", 0, KZT_SEG_CHAR_ERR },
	{ "non-ASCII in path", "spiffe://td/caf\xc3\xa9", 0, KZT_SEG_CHAR_ERR },
	{ "NUL inside", "spiffe://td/a\0b", 14, "SPIFFE ID contains a NUL byte" },
	{ "NUL in trust domain", "spiffe://t\0d", 12,
	  "SPIFFE ID contains a NUL byte" },
};

static void kzt_spiffe_case_desc(const struct kzt_spiffe_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_spiffe, kzt_spiffe_cases, kzt_spiffe_case_desc);

static void kzt_expect_span(struct kunit *test, const char *span, size_t len,
			    const char *want)
{
	if (!want) {
		KUNIT_EXPECT_NULL(test, span);
		KUNIT_EXPECT_EQ(test, len, 0);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, span);
	KUNIT_EXPECT_EQ(test, len, strlen(want));
	KUNIT_EXPECT_MEMEQ(test, span, want, min(len, strlen(want)));
}

static void kzt_spiffe_parse_test(struct kunit *test)
{
	const struct kzt_spiffe_case *c = test->param_value;
	size_t len = c->len ? c->len : strlen(c->id);
	struct kzt_spiffe_id id;
	const char *err;

	memset(&id, 0x5a, sizeof(id));
	err = kzt_spiffe_parse(c->id, len, &id);

	if (c->err) {
		KUNIT_EXPECT_STREQ(test, err, c->err);
		return;
	}
	KUNIT_ASSERT_NULL_MSG(test, err, "%s", err);
	kzt_expect_span(test, id.trust_domain, id.trust_domain_len, c->td);
	kzt_expect_span(test, id.path, id.path_len, c->path);
	kzt_expect_span(test, id.ns, id.ns_len, c->ns);
	kzt_expect_span(test, id.sa, id.sa_len, c->sa);
	/* Validating without the parts gives the same answer. */
	KUNIT_EXPECT_NULL(test, kzt_spiffe_parse(c->id, len, NULL));
}

struct kzt_length_case {
	const char *name;
	size_t td_len;		/* bytes of trust domain */
	size_t total;		/* whole ID, a path of one segment filling it */
	const char *err;
};

static const struct kzt_length_case kzt_length_cases[] = {
	{ "trust domain of 255 bytes", 255, 9 + 255, NULL },
	{ "trust domain of 256 bytes", 256, 9 + 256,
	  "trust domain is longer than 255 bytes" },
	{ "ID of 2048 bytes", 255, 2048, NULL },
	{ "ID of 2049 bytes", 1, 2049, "SPIFFE ID is longer than 2048 bytes" },
	{ "ID of 2048 bytes, short trust domain", 1, 2048, NULL },
};

static void kzt_length_case_desc(const struct kzt_length_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_length, kzt_length_cases, kzt_length_case_desc);

static void kzt_spiffe_length_test(struct kunit *test)
{
	const struct kzt_length_case *c = test->param_value;
	size_t path_start = 9 + c->td_len;
	struct kzt_spiffe_id id;
	const char *err;
	char *s;

	s = kunit_kzalloc(test, c->total, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	memcpy(s, "spiffe://", 9);
	memset(s + 9, 'd', c->td_len);
	if (c->total > path_start) {
		s[path_start] = '/';
		memset(s + path_start + 1, 'p', c->total - path_start - 1);
	}

	err = kzt_spiffe_parse(s, c->total, &id);
	if (c->err) {
		KUNIT_EXPECT_STREQ(test, err, c->err);
	} else {
		KUNIT_EXPECT_NULL_MSG(test, err, "%s", err);
		KUNIT_EXPECT_EQ(test, id.trust_domain_len, c->td_len);
		KUNIT_EXPECT_EQ(test, id.path_len, c->total - path_start);
	}
}

/* A peer to revoke is a workload: a valid ID, and a path. */
static void kzt_spiffe_workload_check_test(struct kunit *test)
{
	static const char ok[] = "spiffe://cluster.local/ns/a/sa/b";
	static const char td_only[] = "spiffe://cluster.local";

	KUNIT_EXPECT_NULL(test, kzt_spiffe_workload_check(ok, sizeof(ok) - 1));
	KUNIT_EXPECT_NULL(test, kzt_spiffe_workload_check("spiffe://td/x", 13));
	KUNIT_EXPECT_STREQ(test,
			   kzt_spiffe_workload_check(td_only, sizeof(td_only) - 1),
			   "SPIFFE ID names a trust domain, not a workload (add its path)");
	KUNIT_EXPECT_STREQ(test, kzt_spiffe_workload_check("spiffe://td/", 12),
			   "path must not end with '/'");
	KUNIT_EXPECT_STREQ(test, kzt_spiffe_workload_check("td/ns/a", 7),
			   "SPIFFE ID must start with \"spiffe://\" (lower case)");
}

static void kzt_trust_domain_check_test(struct kunit *test)
{
	char *long_td = kunit_kzalloc(test, 256, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, long_td);
	memset(long_td, 'x', 256);

	KUNIT_EXPECT_NULL(test, kzt_trust_domain_check("cluster.local", 13));
	KUNIT_EXPECT_NULL(test, kzt_trust_domain_check("a-b_c.0", 7));
	KUNIT_EXPECT_NULL(test, kzt_trust_domain_check(long_td, 255));
	KUNIT_EXPECT_STREQ(test, kzt_trust_domain_check(long_td, 256),
			   "trust domain is longer than 255 bytes");
	KUNIT_EXPECT_STREQ(test, kzt_trust_domain_check("", 0),
			   "trust domain is empty");
	KUNIT_EXPECT_STREQ(test, kzt_trust_domain_check("Cluster", 7),
			   "trust domain must be lower case");
	KUNIT_EXPECT_STREQ(test, kzt_trust_domain_check("td:1", 4),
			   "trust domain must not have a port (':')");
	KUNIT_EXPECT_STREQ(test, kzt_trust_domain_check("td/x", 4),
			   KZT_TD_CHAR_ERR);
	KUNIT_EXPECT_STREQ(test, kzt_trust_domain_check("spiffe://td", 11),
			   "trust domain must not have a port (':')");
}

static struct kunit_case kzt_spiffe_test_cases[] = {
	KUNIT_CASE_PARAM(kzt_spiffe_parse_test, kzt_spiffe_gen_params),
	KUNIT_CASE_PARAM(kzt_spiffe_length_test, kzt_length_gen_params),
	KUNIT_CASE(kzt_trust_domain_check_test),
	KUNIT_CASE(kzt_spiffe_workload_check_test),
	{}
};

static struct kunit_suite kzt_spiffe_suite = {
	.name = "kzt_spiffe",
	.test_cases = kzt_spiffe_test_cases,
};

kunit_test_suite(kzt_spiffe_suite);
