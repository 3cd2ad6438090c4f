/* SPDX-License-Identifier: GPL-2.0 */
/*
 * istiod's Authorization (istio.security.Authorization,
 * proto/authorization.proto) as a kzt policy (objects.h), the way ztunnel
 * enforces it. Pure: no kernel, no I/O, so the unit tests and the fuzzer
 * run it as kztd does (Documentation/istio.rst, "From Authorization to
 * kernel policies").
 */
#ifndef KZT_XDS_AUTHZ_H
#define KZT_XDS_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>

#include "authorization.pb-c.h"
#include "objects.h"

/* Kubernetes names: DNS subdomains of at most 253 bytes. */
#define KZT_XDS_AUTHZ_NAME_MAX	253

struct kzt_xds_authz {
	/*
	 * WORKLOAD_SELECTOR: @policy has scope KZT_SCOPE_ADDRESSES and no
	 * addresses; the store gives it those of the local workloads whose
	 * authorization_policies name it (kzt_xds_authz_set_addrs()).
	 */
	bool selector;
	struct kzt_policy policy;	/* name "NAMESPACE/NAME" */
};

int kzt_xds_authz_map(const Istio__Security__Authorization *a,
		      struct kzt_xds_authz *out, char *why, size_t why_len);
int kzt_xds_authz_set_addrs(struct kzt_xds_authz *a,
			    const struct in6_addr *addrs, size_t n, char *why,
			    size_t why_len);
int kzt_xds_policy_size(const struct kzt_policy *p, size_t *size);
int kzt_xds_authz_standin(const Istio__Security__Authorization *a,
			  struct kzt_xds_authz *out, bool *inert);
void kzt_xds_authz_free(struct kzt_xds_authz *a);

#endif /* KZT_XDS_AUTHZ_H */
