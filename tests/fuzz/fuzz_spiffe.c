// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kzt_spiffe_parse() and kzt_trust_domain_check():
 * kmod/spiffe.c compiled as is, the very code kzt.ko runs on every
 * SPIFFE ID it is given. The input is not NUL-terminated, as in the
 * kernel, so a read past @len is an ASan report. Accepted IDs must have
 * spans inside the input that agree with each other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spiffe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(const char *p, size_t len, const char *s, size_t size)
{
	return p >= s && len <= size && p + len <= s + size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly @size bytes: ASan sees any overread. */
	char *s = malloc(size ? size : 1);
	struct kzt_spiffe_id id;
	const char *msg;

	if (!s)
		return 0;
	memcpy(s, data, size);
	msg = kzt_spiffe_parse(s, size, &id);
	if (!msg) {
		if (size < 9 || memcmp(s, "spiffe://", 9) ||
		    !inside(id.trust_domain, id.trust_domain_len, s, size) ||
		    !inside(id.path, id.path_len, s, size) ||
		    kzt_trust_domain_check(id.trust_domain, id.trust_domain_len) ||
		    (id.path_len && id.path[0] != '/') ||
		    (id.ns && (!inside(id.ns, id.ns_len, id.path, id.path_len) ||
			       !id.sa ||
			       !inside(id.sa, id.sa_len, id.path, id.path_len) ||
			       !id.ns_len || !id.sa_len)))
			abort();
	} else if (!msg[0]) {
		abort();	/* a refusal always says why */
	}
	msg = kzt_trust_domain_check(s, size);
	if (msg && !msg[0])
		abort();
	free(s);
	return 0;
}
