/* SPDX-License-Identifier: GPL-2.0 */
/*
 * istiod's Workload (istio.workload.Workload, proto/workload.proto) as
 * kzt sees it: the addresses it owns, how the node reaches it and its
 * identity (what the kernel's workload table needs), and the names the
 * metrics and access logs label it with. Pure: no kernel, no I/O, so the
 * unit tests and the fuzzer run it as kztd does (Documentation/istio.rst,
 * "From Workload to the workload table").
 */
#ifndef KZT_XDS_WORKLOAD_H
#define KZT_XDS_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "workload.pb-c.h"

/* At most this many addresses per workload (a pod has one per family). */
#define KZT_XDS_WL_ADDRS_MAX		16
/* At most this many Authorization names select one workload. */
#define KZT_XDS_WL_POLICIES_MAX		64
/* Kubernetes names are DNS labels or subdomains: 253 bytes at most. */
#define KZT_XDS_NAME_MAX		253

/*
 * Why a workload's addresses are not reachable through kzt/1 as istiod
 * describes them. Such a workload is still entered, so that a flow to it
 * is refused rather than sent around what istiod asked for.
 */
enum kzt_xds_refusal {
	KZT_XDS_REFUSAL_NONE,
	/* Its traffic must go through a waypoint (L7): kzt has none. */
	KZT_XDS_REFUSAL_WAYPOINT,
	/* A sidecar (Istio mTLS), or HBONE through a network gateway. */
	KZT_XDS_REFUSAL_PROTOCOL,
};

/* The labels of a workload (strings never NULL; "" when istiod sent none). */
struct kzt_xds_meta {
	char *name;			/* the pod */
	char *namespace_;
	char *workload_name;		/* its Deployment, Job... */
	char *canonical_name;		/* service.istio.io/canonical-name */
	char *canonical_revision;
	char *service_account;
	char *trust_domain;
	char *cluster_id;
	char *node;
};

struct kzt_xds_workload {
	char *uid;			/* the resource name */
	struct in6_addr addrs[KZT_XDS_WL_ADDRS_MAX];	/* IPv4-mapped */
	size_t n_addrs;
	char *id;			/* spiffe://TD/ns/NS/sa/SA; NULL: plaintext */
	uint8_t protocol;		/* enum kzt_proto */
	bool local;			/* runs on this node (node name) */
	bool host_network;		/* its addresses are its node's */
	enum kzt_xds_refusal refusal;
	char **policies;		/* "ns/name" of the Authorizations selecting it */
	size_t n_policies;
	struct kzt_xds_meta meta;
};

/* What kzt_xds_workload_map() needs to know about this node. */
struct kzt_xds_node {
	const char *name;		/* Kubernetes node name */
	const char *trust_domain;	/* for a workload that names none */
};

int kzt_xds_workload_map(const Istio__Workload__Workload *w,
			 const struct kzt_xds_node *node,
			 struct kzt_xds_workload *out, char *why, size_t why_len);
void kzt_xds_workload_free(struct kzt_xds_workload *w);
const char *kzt_xds_refusal_name(enum kzt_xds_refusal r);
int kzt_xds_fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* KZT_XDS_WORKLOAD_H */
