/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One delta ADS stream (envoy.service.discovery.v3.AggregatedDiscovery
 * Service/DeltaAggregatedResources) on a lib/grpc.c connection, as
 * ztunnel runs it: a wildcard subscription per type URL, sent with the
 * node and with the versions the caller already holds
 * (initial_resource_versions, so a new stream brings only changes); each
 * response handed to its type's handler and answered by nonce: ACK, or
 * NACK with error_detail (INVALID_ARGUMENT) when the handler refused some
 * of its resources, having applied the rest. What resources mean is the
 * caller's business.
 */
#ifndef KZT_ADS_H
#define KZT_ADS_H

#include <stddef.h>

#include "grpc.h"
#include "xds.pb-c.h"

typedef Envoy__Service__Discovery__V3__DeltaDiscoveryResponse kzt_ads_response;

/* The resources the caller holds of one type: name and version. */
struct kzt_ads_versions {
	Envoy__Service__Discovery__V3__DeltaDiscoveryRequest__InitialResourceVersionsEntry *v;
	size_t n, cap;
};

int kzt_ads_versions_add(struct kzt_ads_versions *vs, const char *name,
			 const char *version);

#define KZT_ADS_WHY_MAX	1024	/* error_detail.message, at most */

struct kzt_ads_type {
	const char *type_url;
	/*
	 * Apply @r. Return 0 (ACK); EINVAL with @why naming the resources
	 * refused and why (NACK; the others must have been applied); or
	 * another errno to end the stream (nothing is answered).
	 */
	int (*on_response)(const kzt_ads_response *r, void *arg, char *why,
			   size_t why_len);
	/* What is held now (names borrowed until the request is sent). */
	int (*versions)(void *arg, struct kzt_ads_versions *vs);
};

/* The node, as ztunnel describes itself (Documentation/istio.rst). */
struct kzt_ads_node {
	const char *id;
	const char *const *md_keys;	/* metadata, string values */
	const char *const *md_values;
	size_t n_md;
};

struct kzt_ads;

int kzt_ads_open(struct kzt_grpc *g, const struct kzt_ads_node *node,
		 const struct kzt_ads_type *types, size_t n_types, void *arg,
		 void (*on_close)(const struct kzt_grpc_status *st, void *arg),
		 struct kzt_ads **out);
void kzt_ads_close(struct kzt_ads *a);
int kzt_ads_end(struct kzt_ads *a);

#endif /* KZT_ADS_H */
