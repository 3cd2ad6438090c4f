/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * SPIFFE ID parsing, per the SPIFFE ID standard (scheme, trust domain
 * characters, path segments, length). Shared by kzt.ko and userspace
 * (kztctl, the fuzz harness): spiffe.c uses nothing that only one side has,
 * so the fuzzer exercises the very code the kernel runs.
 */
#ifndef _KZT_SPIFFE_H
#define _KZT_SPIFFE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/kzt.h>
#else
#include <stdbool.h>
#include <stddef.h>
/*
 * The limits of linux/kzt.h, repeated so that spiffe.c builds with no
 * include path; a file that includes both gets a redefinition warning the
 * day they differ.
 */
#define KZT_TRUST_DOMAIN_MAX	255
#define KZT_SPIFFE_ID_MAX	2048
#endif

#define KZT_SPIFFE_SCHEME	"spiffe://"
#define KZT_SPIFFE_SCHEME_LEN	(sizeof(KZT_SPIFFE_SCHEME) - 1)

/* Spans into the parsed string; nothing is copied. */
struct kzt_spiffe_id {
	const char *trust_domain;
	size_t trust_domain_len;
	const char *path;		/* "" or "/seg/seg..." */
	size_t path_len;
	/* Set only when the path is exactly /ns/<ns>/sa/<sa>; else NULL, 0. */
	const char *ns;
	size_t ns_len;
	const char *sa;
	size_t sa_len;
};

const char *kzt_spiffe_parse(const char *s, size_t len,
			     struct kzt_spiffe_id *id);
const char *kzt_spiffe_workload_check(const char *s, size_t len);
const char *kzt_trust_domain_check(const char *s, size_t len);
bool kzt_spiffe_path_char(char c);

#endif /* _KZT_SPIFFE_H */
