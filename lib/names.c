// SPDX-License-Identifier: GPL-2.0
/*
 * Name and identity checks; see names.h. SPIFFE IDs and trust domains are
 * checked by kmod/spiffe.c, the kernel's own parser, so that kztctl
 * refuses exactly what the kernel would.
 */
#include <stdbool.h>
#include <string.h>

#include <linux/kzt.h>

#include "names.h"
#include "spiffe.h"

/**
 * kzt_spiffe_id_check() - is @s a SPIFFE ID the kernel accepts
 * @s: "spiffe://cluster.local/ns/default/sa/web"
 *
 * @retval NULL fine
 * @retval what is wrong, from kzt_spiffe_parse()
 */
const char *kzt_spiffe_id_check(const char *s)
{
	struct kzt_spiffe_id id;

	return kzt_spiffe_parse(s, strlen(s), &id);
}

/**
 * kzt_workload_id_check() - is @s a SPIFFE ID of a workload (with a path)
 * @s: "spiffe://cluster.local/ns/default/sa/web"
 *
 * @retval NULL fine
 * @retval what is wrong, from kzt_spiffe_workload_check()
 */
const char *kzt_workload_id_check(const char *s)
{
	return kzt_spiffe_workload_check(s, strlen(s));
}

const char *kzt_trust_domain_str_check(const char *s)
{
	return kzt_trust_domain_check(s, strlen(s));
}

/* A Kubernetes namespace (a DNS-1123 label), maybe with one '*' at an end. */
static const char *label_check(const char *s, bool wildcard)
{
	size_t len = strlen(s);
	const char *star = strchr(s, '*');

	if (!len)
		return "empty";
	if (len > KZT_NAMESPACE_MAX)
		return "longer than 63 bytes";
	if (wildcard && star && (strchr(star + 1, '*') ||
				 (star != s && star != s + len - 1)))
		return "'*' may only be the first or the last character, once";
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || (wildcard && ch == '*'))
			continue;
		return "not a namespace (lower-case letters, digits and '-')";
	}
	return NULL;
}

/**
 * kzt_namespace_check() - a namespace, as a policy's scope
 * @s: the name
 *
 * @retval NULL fine
 * @retval what is wrong
 */
const char *kzt_namespace_check(const char *s)
{
	return label_check(s, false);
}

/**
 * kzt_ns_match_check() - a namespace in a rule: exact, or with one '*' as
 *                        the first or last character (as in Istio)
 * @s: the value
 *
 * @retval NULL fine
 * @retval what is wrong
 */
const char *kzt_ns_match_check(const char *s)
{
	return label_check(s, true);
}

/**
 * kzt_service_account_check() - a service account in a rule
 * @s: "NS/SA": a namespace and a service account name, exact (no '*')
 *
 * @retval NULL fine
 * @retval what is wrong
 */
const char *kzt_service_account_check(const char *s)
{
	const char *slash = strchr(s, '/'), *why;
	char ns[KZT_NAMESPACE_MAX + 1];
	size_t len;

	if (!slash || !slash[1])
		return "not NS/SA (a namespace, '/', a service account)";
	len = slash - s;
	if (len > KZT_NAMESPACE_MAX)
		return "namespace longer than 63 bytes";
	memcpy(ns, s, len);
	ns[len] = '\0';
	why = kzt_namespace_check(ns);
	if (why)
		return why;
	if (strlen(slash + 1) > KZT_SPIFFE_ID_MAX)
		return "longer than 2048 bytes";
	for (const char *p = slash + 1; *p; p++)
		if (!kzt_spiffe_path_char(*p))
			return "service account of A-Za-z0-9 . - _ only";
	return NULL;
}

/**
 * kzt_principal_check() - a principal in a rule
 * @s: "cluster.local/ns/default/sa/web", "cluster.local/ns/default/" + "*",
 *     "*" + "/sa/web", or "*"
 *
 * As in Istio, a principal is a SPIFFE ID without "spiffe://". One '*' is
 * allowed, as the first or the last character.
 *
 * @retval NULL fine
 * @retval what is wrong
 */
const char *kzt_principal_check(const char *s)
{
	size_t len = strlen(s);
	const char *star = strchr(s, '*');

	if (!len)
		return "empty";
	if (len > KZT_SPIFFE_ID_MAX)
		return "longer than 2048 bytes";
	if (!strncmp(s, "spiffe://", 9))
		return "written without spiffe:// (as in Istio: cluster.local/ns/NS/sa/SA)";
	if (star && (strchr(star + 1, '*') ||
		     (star != s && star != s + len - 1)))
		return "'*' may only be the first or the last character, once";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return "contains a blank, a control or a non-ASCII character";
	return NULL;
}

/**
 * kzt_policy_name_check() - a policy's name in the kernel
 * @s: the name, e.g. "default/deny-legacy"
 *
 * @retval NULL fine
 * @retval what is wrong
 */
const char *kzt_policy_name_check(const char *s)
{
	size_t len = strlen(s);

	if (!len)
		return "empty";
	if (len > KZT_POLICY_NAME_MAX)
		return "longer than 253 bytes";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return "contains a blank, a control or a non-ASCII character";
	return NULL;
}
