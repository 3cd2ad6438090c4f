// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * SPIFFE ID validation, after the SPIFFE ID standard (SPIFFE-ID.md, section
 * 2) and go-spiffe's spiffeid package: "spiffe://", a trust domain of
 * [a-z0-9._-], then path segments of [a-zA-Z0-9._-] that are neither
 * empty nor "." nor "..". Nothing is percent-decoded: such IDs are refused,
 * so two spellings of one ID cannot exist.
 *
 * Built into kzt.ko and compiled as is by userspace: it must include
 * nothing but spiffe.h and call nothing outside this file.
 */
#ifdef __KERNEL__
#include <linux/export.h>
#include <kunit/visibility.h>
#else
/* Nothing to export in userspace; a declaration takes the ';'. */
#define EXPORT_SYMBOL_IF_KUNIT(symbol) extern char kzt_unexported_##symbol
#endif

#include "spiffe.h"

static bool kzt_is_lower_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool kzt_trust_domain_char(char c)
{
	return kzt_is_lower_or_digit(c) || c == '.' || c == '-' || c == '_';
}

/**
 * kzt_spiffe_path_char() - whether @c may appear in a SPIFFE path segment
 * @c: character to test
 *
 * Return: true for letters, digits, '.', '-' and '_'.
 */
bool kzt_spiffe_path_char(char c)
{
	return kzt_trust_domain_char(c) || (c >= 'A' && c <= 'Z');
}
EXPORT_SYMBOL_IF_KUNIT(kzt_spiffe_path_char);

/* Why @c is refused: the likely mistakes first, then the general rule. */
static const char *kzt_bad_char_msg(char c, bool trust_domain)
{
	switch (c) {
	case '\0':
		return "SPIFFE ID contains a NUL byte";
	case '?':
		return "SPIFFE ID must not have a query ('?')";
	case '#':
		return "SPIFFE ID must not have a fragment ('#')";
	case '%':
		return "SPIFFE ID must not be percent-encoded ('%')";
	}
	if (!trust_domain)
		return "path segment has an invalid character (allowed: A-Za-z0-9 . - _)";
	if (c == ':')
		return "trust domain must not have a port (':')";
	if (c == '@')
		return "trust domain must not have user info ('@')";
	if (c >= 'A' && c <= 'Z')
		return "trust domain must be lower case";
	return "trust domain has an invalid character (allowed: a-z0-9 . - _)";
}

/**
 * kzt_trust_domain_check() - check a bare trust domain name
 * @s: the name, not NUL-terminated
 * @len: its length in bytes
 *
 * Return: NULL when @s is a valid trust domain, else why not.
 */
const char *kzt_trust_domain_check(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return "trust domain is empty";
	if (len > KZT_TRUST_DOMAIN_MAX)
		return "trust domain is longer than 255 bytes";
	for (i = 0; i < len; i++)
		if (!kzt_trust_domain_char(s[i]))
			return kzt_bad_char_msg(s[i], true);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_trust_domain_check);

static bool kzt_span_is(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!word[i] || s[i] != word[i])
			return false;
	return !word[len];
}

/*
 * Check one segment, s[0..len), that is followed by a '/' unless @last.
 * An empty last segment is a trailing slash.
 */
static const char *kzt_segment_check(const char *s, size_t len, bool last)
{
	size_t i;

	if (!len)
		return last ? "path must not end with '/'" : "path segment is empty";
	if (kzt_span_is(s, len, ".") || kzt_span_is(s, len, ".."))
		return "path segment must not be '.' or '..'";
	for (i = 0; i < len; i++)
		if (!kzt_spiffe_path_char(s[i]))
			return kzt_bad_char_msg(s[i], false);
	return NULL;
}

/* Up to four segments are remembered: enough to see /ns/<ns>/sa/<sa>. */
#define KZT_SEGMENTS_SEEN 4

/* Check @path ("" or "/..."); fill @id's ns and sa when it has that form. */
static const char *kzt_path_check(const char *path, size_t len,
				  struct kzt_spiffe_id *id)
{
	const char *seg[KZT_SEGMENTS_SEEN];
	size_t seg_len[KZT_SEGMENTS_SEEN];
	size_t n = 0, start, i;
	const char *err;

	/* The path starts with '/' here: the segment starts after it. */
	for (start = 1, i = 1; len && i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		err = kzt_segment_check(path + start, i - start, i == len);
		if (err)
			return err;
		if (n < KZT_SEGMENTS_SEEN) {
			seg[n] = path + start;
			seg_len[n] = i - start;
		}
		n++;
		start = i + 1;
	}
	if (n == 4 && kzt_span_is(seg[0], seg_len[0], "ns") &&
	    kzt_span_is(seg[2], seg_len[2], "sa")) {
		id->ns = seg[1];
		id->ns_len = seg_len[1];
		id->sa = seg[3];
		id->sa_len = seg_len[3];
	}
	return NULL;
}

/**
 * kzt_spiffe_parse() - validate a SPIFFE ID and find its parts
 * @s: the ID, not NUL-terminated
 * @len: its length in bytes
 * @id: where to put spans into @s (on success only); may be NULL
 *
 * Return: NULL when s[0..@len) is a valid SPIFFE ID, else a short static
 * message saying what is wrong with it.
 */
const char *kzt_spiffe_parse(const char *s, size_t len,
			     struct kzt_spiffe_id *id)
{
	struct kzt_spiffe_id parts = { 0 };
	const char *err;
	size_t td_len;

	if (len > KZT_SPIFFE_ID_MAX)
		return "SPIFFE ID is longer than 2048 bytes";
	if (len < KZT_SPIFFE_SCHEME_LEN ||
	    !kzt_span_is(s, KZT_SPIFFE_SCHEME_LEN, KZT_SPIFFE_SCHEME))
		return "SPIFFE ID must start with \"spiffe://\" (lower case)";

	parts.trust_domain = s + KZT_SPIFFE_SCHEME_LEN;
	for (td_len = 0; KZT_SPIFFE_SCHEME_LEN + td_len < len; td_len++)
		if (parts.trust_domain[td_len] == '/')
			break;
	err = kzt_trust_domain_check(parts.trust_domain, td_len);
	if (err)
		return err;
	parts.trust_domain_len = td_len;
	parts.path = parts.trust_domain + td_len;
	parts.path_len = len - KZT_SPIFFE_SCHEME_LEN - td_len;

	err = kzt_path_check(parts.path, parts.path_len, &parts);
	if (err)
		return err;
	if (id)
		*id = parts;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_spiffe_parse);

/**
 * kzt_spiffe_workload_check() - check the SPIFFE ID of a workload
 * @s: the ID, not NUL-terminated
 * @len: its length in bytes
 *
 * A workload's ID has a path: "spiffe://td" alone names a trust domain,
 * which no X.509-SVID kzt accepts may carry.
 *
 * Return: NULL when valid, else a short static message.
 */
const char *kzt_spiffe_workload_check(const char *s, size_t len)
{
	struct kzt_spiffe_id id;
	const char *err;

	err = kzt_spiffe_parse(s, len, &id);
	if (err)
		return err;
	if (!id.path_len)
		return "SPIFFE ID names a trust domain, not a workload (add its path)";
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_spiffe_workload_check);
