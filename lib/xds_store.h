/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kztd holds of istiod's Address resources, and what it has put in
 * the kernel's workload table, so that each delta becomes exactly the
 * kernel changes it implies: a one-pod update on a node with 10,000
 * workloads is one entry, never a resync.
 *
 *   kzt_xds_store_put() / _remove()   a resource changed (marks addresses)
 *   kzt_xds_store_ops()               the kernel changes of every marked
 *                                     address (desired vs installed)
 *   kzt_xds_store_committed()         the kernel took them: installed
 *
 * An address can be claimed by two workloads at once (a pod's address
 * reused by a new pod before istiod removes the old one): the first claim
 * owns it, the others wait in order and take over when it is released, so
 * the order in which istiod sends the two never leaves the address
 * unknown. Pure: no kernel, no I/O (the unit tests drive it).
 */
#ifndef KZT_XDS_STORE_H
#define KZT_XDS_STORE_H

#include "hmap.h"
#include "objects.h"
#include "xds_workload.h"

struct kzt_xds_wl_res {
	char *version;
	struct kzt_xds_workload wl;
};

struct kzt_xds_store {
	struct kzt_hmap workloads;	/* uid -> struct kzt_xds_wl_res */
	struct kzt_hmap others;		/* other Address names -> version */
	struct kzt_hmap claims;		/* address -> struct kzt_xds_claims */
	struct kzt_hmap installed;	/* address -> struct kzt_workload */
	struct kzt_hmap dirty;		/* addresses to look at again */
};

/* For a local workload's address: the node-side interface of its pod. */
typedef int (*kzt_xds_ifindex_fn)(const struct in6_addr *addr,
				  uint32_t *ifindex, void *arg);

/* A local address that cannot be enrolled (no interface found). */
struct kzt_xds_unenrolled {
	struct in6_addr addr;
	const char *uid;		/* valid until the next store change */
	int err;			/* of the ifindex lookup */
};

/* The kernel changes for the marked addresses. */
struct kzt_xds_wl_ops {
	struct kzt_workloads add;	/* ADD with REPLACE */
	struct in6_addr *del;		/* DEL */
	size_t n_del;
	struct kzt_xds_unenrolled *unenrolled;
	size_t n_unenrolled;
	size_t n_refused;		/* waypoint/protocol: not installed yet */
};

int kzt_xds_store_put(struct kzt_xds_store *s, const char *version,
		      struct kzt_xds_workload *wl);
int kzt_xds_store_put_other(struct kzt_xds_store *s, const char *name,
			    const char *version);
int kzt_xds_store_remove(struct kzt_xds_store *s, const char *name);
int kzt_xds_store_ops(struct kzt_xds_store *s, kzt_xds_ifindex_fn ifindex,
		      void *arg, struct kzt_xds_wl_ops *ops);
void kzt_xds_store_committed(struct kzt_xds_store *s,
			     struct kzt_xds_wl_ops *ops);
void kzt_xds_wl_ops_free(struct kzt_xds_wl_ops *ops);
void kzt_xds_store_free(struct kzt_xds_store *s);
const struct kzt_xds_workload *
kzt_xds_store_by_addr(const struct kzt_xds_store *s, const struct in6_addr *a);

#endif /* KZT_XDS_STORE_H */
