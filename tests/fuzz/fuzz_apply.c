// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the apply-file loader (lib/apply.c) through its
 * buffer entry point. Beyond "no crash, no leak, no UB", it checks what
 * the loader promises: an error always has a message, a file it accepts
 * holds only values the kernel would accept too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_policy(const struct kzt_policy *p)
{
	if (kzt_policy_name_check(p->name) || p->n_rules > KZT_POLICY_RULES_MAX ||
	    p->action >= __KZT_ACTION_MAX || p->scope >= __KZT_SCOPE_MAX ||
	    (p->scope == KZT_SCOPE_NAMESPACE) != (p->ns != NULL) ||
	    (p->scope == KZT_SCOPE_WORKLOADS) != (p->scope_ids.n > 0))
		abort();
	for (size_t i = 0; i < p->scope_ids.n; i++)
		if (kzt_spiffe_id_check(p->scope_ids.v[i]))
			abort();
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct kzt_rule *r = &p->rules[i];

		for (size_t j = 0; j < r->ports.n; j++)
			if (!r->ports.v[j])
				abort();
		for (size_t j = 0; j < r->ip_blocks.n; j++)
			if (r->ip_blocks.v[j].prefix_len > 128)
				abort();
		for (size_t j = 0; j < r->principals.n; j++)
			if (kzt_principal_check(r->principals.v[j]))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kzt_apply_file f;
	char err[KZT_APPLY_ERR_MAX];
	int ret;

	ret = kzt_apply_parse((const char *)data, size, "fuzz.yaml",
			      "cluster.local", &f, err, sizeof(err));
	if (ret) {
		/* Every refusal says where and why; nothing is kept. */
		if (!err[0] || strncmp(err, "fuzz.yaml", 9) || f.workloads.n ||
		    f.policies.n)
			abort();
		return 0;
	}
	for (size_t i = 0; i < f.workloads.n; i++) {
		const struct kzt_workload *w = &f.workloads.v[i];

		if ((w->id && kzt_spiffe_id_check(w->id)) ||
		    (!w->id && w->protocol == KZT_PROTO_KZT1) ||
		    w->has_node == (f.origins[i].ifname[0] != '\0'))
			abort();
	}
	for (size_t i = 0; i < f.policies.n; i++)
		check_policy(&f.policies.v[i]);
	kzt_apply_free(&f);
	return 0;
}
