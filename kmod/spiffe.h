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
#else
#include <stdbool.h>
#include <stddef.h>
#endif

/* Spans into the parsed string; nothing is copied. */
struct kzt_spiffe_id {
	const char *trust_domain;
	size_t trust_domain_len;
	const char *path;		/* "" or "/seg/seg..." */
	size_t path_len;
	/* Set only when the path is exactly /ns/<ns>/sa/<sa>. */
	const char *ns;
	size_t ns_len;
	const char *sa;
	size_t sa_len;
};

const char *kzt_spiffe_parse(const char *s, size_t len,
			     struct kzt_spiffe_id *id);
const char *kzt_trust_domain_check(const char *s, size_t len);

#endif /* _KZT_SPIFFE_H */
