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
 *
 * It also holds istiod's Authorization resources and the policies put in
 * the kernel for them:
 *
 *   kzt_xds_store_put_authz() / _remove_authz()   a resource changed
 *   kzt_xds_store_adopt_policy()      a policy found live at start
 *   kzt_xds_store_pol_ops()           the policies to add (replace) or
 *                                     remove: the changed resources, and
 *                                     the selector policies whose set of
 *                                     local addresses changed
 *   kzt_xds_store_pol_committed()     the kernel took them
 *
 * A WORKLOAD_SELECTOR policy applies to the addresses of the local
 * workloads whose authorization_policies name it; it is recomputed from
 * the workloads each time, so a new pod, a pod that goes, or a pod whose
 * list changes all change it. One that selects no local address is not
 * installed (nothing on this node to enforce it on).
 */
#ifndef KZT_XDS_STORE_H
#define KZT_XDS_STORE_H

#include "hmap.h"
#include "objects.h"
#include "xds_authz.h"
#include "xds_workload.h"

struct kzt_xds_wl_res {
	char *version;
	struct kzt_xds_workload wl;
};

/* An Authorization resource, as kztd enforces it. */
struct kzt_xds_authz_res {
	char *version;
	/*
	 * The policy; for a refused resource its stand-in (xds_authz.h),
	 * and no policy at all when @inert.
	 */
	struct kzt_xds_authz a;
	bool inert;
};

struct kzt_xds_store {
	struct kzt_hmap workloads;	/* uid -> struct kzt_xds_wl_res */
	struct kzt_hmap others;		/* other Address names -> version */
	struct kzt_hmap claims;		/* address -> struct kzt_xds_claims */
	struct kzt_hmap installed;	/* address -> struct kzt_workload */
	struct kzt_hmap dirty;		/* addresses to look at again */
	struct kzt_hmap authz;		/* "ns/name" -> struct kzt_xds_authz_res */
	/* policy name -> struct kzt_xds_pol_inst: what the kernel holds */
	struct kzt_hmap pol_installed;
	struct kzt_hmap pol_dirty;	/* names of changed Authorizations */
};

/* The policy changes of one response. */
struct kzt_xds_pol_ops {
	/* To add with REPLACE; borrowed from the store until committed. */
	const struct kzt_policy **add;
	size_t n_add;
	char **del;			/* names to remove (owned) */
	size_t n_del;
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
	size_t n_refused;		/* waypoint/protocol: entered refused */
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

int kzt_xds_store_put_authz(struct kzt_xds_store *s, const char *version,
			    struct kzt_xds_authz *a, bool inert);
int kzt_xds_store_remove_authz(struct kzt_xds_store *s, const char *name);
int kzt_xds_store_adopt_policy(struct kzt_xds_store *s, const char *name);
int kzt_xds_store_pol_ops(struct kzt_xds_store *s, struct kzt_xds_pol_ops *ops,
			  char *why, size_t why_len);
void kzt_xds_store_pol_committed(struct kzt_xds_store *s,
				 struct kzt_xds_pol_ops *ops);
void kzt_xds_pol_ops_free(struct kzt_xds_pol_ops *ops);
void kzt_xds_store_free(struct kzt_xds_store *s);
size_t kzt_xds_store_n_refused(const struct kzt_xds_store *s);
const struct kzt_xds_workload *
kzt_xds_store_by_addr(const struct kzt_xds_store *s, const struct in6_addr *a);

#endif /* KZT_XDS_STORE_H */
