// SPDX-License-Identifier: GPL-2.0
/*
 * Address resources and the workload table they imply (xds_store.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xds_store.h"

#define ADDR_LEN sizeof(struct in6_addr)

/* The workloads that claim one address, first claim first. */
struct kzt_xds_claims {
	size_t n, cap;
	struct kzt_xds_wl_res **v;
};

static bool has_addr(const struct kzt_xds_workload *wl,
		     const struct in6_addr *a)
{
	for (size_t i = 0; i < wl->n_addrs; i++)
		if (!memcmp(&wl->addrs[i], a, ADDR_LEN))
			return true;
	return false;
}

static int mark(struct kzt_xds_store *s, const struct in6_addr *a)
{
	/* The value is unused; any non-NULL pointer marks the key. */
	return kzt_hmap_put(&s->dirty, a, ADDR_LEN, s);
}

/* Room for one more claim on @a (so that claiming cannot fail later). */
static int claims_reserve(struct kzt_xds_store *s, const struct in6_addr *a)
{
	struct kzt_xds_claims *c = kzt_hmap_get(&s->claims, a, ADDR_LEN);
	struct kzt_xds_wl_res **v;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c || kzt_hmap_put(&s->claims, a, ADDR_LEN, c)) {
			free(c);
			return ENOMEM;
		}
	}
	if (c->n < c->cap)
		return 0;
	v = realloc(c->v, (c->cap ? c->cap * 2 : 2) * sizeof(*v));
	if (!v)
		return ENOMEM;
	c->v = v;
	c->cap = c->cap ? c->cap * 2 : 2;
	return 0;
}

/* Replace @old by @new in @a's claims (in place), or append @new. */
static void claim(struct kzt_xds_store *s, const struct in6_addr *a,
		  struct kzt_xds_wl_res *old, struct kzt_xds_wl_res *new)
{
	struct kzt_xds_claims *c = kzt_hmap_get(&s->claims, a, ADDR_LEN);

	for (size_t i = 0; old && i < c->n; i++) {
		if (c->v[i] == old) {
			c->v[i] = new;
			return;
		}
	}
	c->v[c->n++] = new;
}

static void unclaim(struct kzt_xds_store *s, const struct in6_addr *a,
		    struct kzt_xds_wl_res *res)
{
	struct kzt_xds_claims *c = kzt_hmap_get(&s->claims, a, ADDR_LEN);

	for (size_t i = 0; c && i < c->n; i++) {
		if (c->v[i] != res)
			continue;
		memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(*c->v));
		if (--c->n == 0) {
			kzt_hmap_del(&s->claims, a, ADDR_LEN);
			free(c->v);
			free(c);
		}
		return;
	}
}

static void res_free(struct kzt_xds_wl_res *res)
{
	kzt_xds_workload_free(&res->wl);
	free(res->version);
	free(res);
}

/* Mark (and reserve a claim for) every address of @wl. */
static int prepare(struct kzt_xds_store *s, const struct kzt_xds_workload *wl)
{
	for (size_t i = 0; i < wl->n_addrs; i++)
		if (mark(s, &wl->addrs[i]) || claims_reserve(s, &wl->addrs[i]))
			return ENOMEM;
	return 0;
}

/**
 * kzt_xds_store_put() - a Workload was added or updated
 * @s:       the store
 * @version: the resource's version
 * @wl:      mapped; moved into the store (zeroed on success)
 *
 * An update keeps its place in the claims of the addresses it still has.
 *
 * @retval 0      stored; its addresses (old and new) are marked
 * @retval ENOMEM the store is unchanged (some addresses may be marked)
 */
int kzt_xds_store_put(struct kzt_xds_store *s, const char *version,
		      struct kzt_xds_workload *wl)
{
	struct kzt_xds_wl_res *old = kzt_hmap_sget(&s->workloads, wl->uid);
	struct kzt_xds_wl_res *res = calloc(1, sizeof(*res));

	if (!res || !(res->version = strdup(version)) ||
	    prepare(s, wl) || (old && prepare(s, &old->wl)))
		goto nomem;
	res->wl = *wl;
	if (kzt_hmap_sput(&s->workloads, res->wl.uid, res))
		goto nomem;
	memset(wl, 0, sizeof(*wl));

	for (size_t i = 0; old && i < old->wl.n_addrs; i++)
		if (!has_addr(&res->wl, &old->wl.addrs[i]))
			unclaim(s, &old->wl.addrs[i], old);
	for (size_t i = 0; i < res->wl.n_addrs; i++)
		claim(s, &res->wl.addrs[i],
		      old && has_addr(&old->wl, &res->wl.addrs[i]) ? old : NULL,
		      res);
	if (old)
		res_free(old);
	return 0;
nomem:
	if (res)
		free(res->version);
	free(res);
	return ENOMEM;
}

/**
 * kzt_xds_store_put_other() - an Address resource kzt does not use (a
 * Service) was added or updated: only its version is kept, for the next
 * stream's initial_resource_versions
 * @s:       the store
 * @name:    the resource name
 * @version: its version
 *
 * @retval 0 or ENOMEM (unchanged)
 */
int kzt_xds_store_put_other(struct kzt_xds_store *s, const char *name,
			    const char *version)
{
	char *old = kzt_hmap_sget(&s->others, name), *v = strdup(version);

	if (!v || kzt_hmap_sput(&s->others, name, v)) {
		free(v);
		return ENOMEM;
	}
	free(old);
	return 0;
}

/**
 * kzt_xds_store_remove() - istiod removed the resource @name
 * @s:    the store
 * @name: a workload uid or another Address name; unknown names are fine
 *
 * @retval 0      removed (its addresses marked), or it was not there
 * @retval ENOMEM unchanged
 */
int kzt_xds_store_remove(struct kzt_xds_store *s, const char *name)
{
	struct kzt_xds_wl_res *res = kzt_hmap_sget(&s->workloads, name);

	free(kzt_hmap_sdel(&s->others, name));
	if (!res)
		return 0;
	for (size_t i = 0; i < res->wl.n_addrs; i++)
		if (mark(s, &res->wl.addrs[i]))
			return ENOMEM;
	for (size_t i = 0; i < res->wl.n_addrs; i++)
		unclaim(s, &res->wl.addrs[i], res);
	kzt_hmap_sdel(&s->workloads, name);
	res_free(res);
	return 0;
}

/* What the kernel should hold for @a now; false: nothing. */
static bool desired(struct kzt_xds_store *s, const struct in6_addr *a,
		    kzt_xds_ifindex_fn ifindex, void *arg,
		    struct kzt_workload *out, struct kzt_xds_wl_ops *ops)
{
	struct kzt_xds_claims *c = kzt_hmap_get(&s->claims, a, ADDR_LEN);
	const struct kzt_xds_workload *wl;
	int err;

	if (!c)
		return false;
	wl = &c->v[0]->wl;
	if (wl->host_network)
		return false;		/* the node's own address */
	if (wl->refusal != KZT_XDS_REFUSAL_NONE) {
		ops->n_refused++;
		return false;
	}
	memset(out, 0, sizeof(*out));
	out->addr = *a;
	out->protocol = wl->protocol;
	out->id = wl->id;		/* borrowed until copied */
	if (!wl->local) {
		/* Reached by dialing its own address (Documentation/istio.rst). */
		out->has_node = true;
		out->node = *a;
		return true;
	}
	err = ifindex(a, &out->ifindex, arg);
	if (!err)
		return true;
	ops->unenrolled[ops->n_unenrolled++] = (struct kzt_xds_unenrolled){
		.addr = *a, .uid = wl->uid, .err = err,
	};
	return false;
}

static bool same(const struct kzt_workload *a, const struct kzt_workload *b)
{
	return a->protocol == b->protocol && a->has_node == b->has_node &&
	       !memcmp(&a->node, &b->node, ADDR_LEN) &&
	       a->ifindex == b->ifindex &&
	       (a->id == b->id || (a->id && b->id && !strcmp(a->id, b->id)));
}

/**
 * kzt_xds_store_ops() - the kernel changes of the marked addresses
 * @s:       the store
 * @ifindex: resolves a local workload's interface
 * @arg:     for @ifindex
 * @ops:     zeroed, then filled; kzt_xds_wl_ops_free() it
 *
 * An address whose owner cannot be installed (a local pod without an
 * interface, a refused workload, a host-network one) is deleted if the
 * kernel has it: it is then unknown to the node and fails closed.
 *
 * @retval 0      @ops holds the changes (maybe none)
 * @retval ENOMEM @ops is empty
 */
int kzt_xds_store_ops(struct kzt_xds_store *s, kzt_xds_ifindex_fn ifindex,
		      void *arg, struct kzt_xds_wl_ops *ops)
{
	size_t n = s->dirty.n;
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;

	memset(ops, 0, sizeof(*ops));
	ops->add.v = calloc(n ? n : 1, sizeof(*ops->add.v));
	ops->del = calloc(n ? n : 1, sizeof(*ops->del));
	ops->unenrolled = calloc(n ? n : 1, sizeof(*ops->unenrolled));
	if (!ops->add.v || !ops->del || !ops->unenrolled)
		goto nomem;
	for (e = kzt_hmap_first(&s->dirty, &it); e; e = kzt_hmap_next(&s->dirty, &it, e)) {
		const struct in6_addr *a = (const struct in6_addr *)e->key;
		const struct kzt_workload *have = kzt_hmap_get(&s->installed, a, ADDR_LEN);
		struct kzt_workload want, *w;

		if (!desired(s, a, ifindex, arg, &want, ops)) {
			if (have)
				ops->del[ops->n_del++] = *a;
			continue;
		}
		if (have && same(have, &want))
			continue;
		w = &ops->add.v[ops->add.n];
		*w = want;
		w->id = want.id ? strdup(want.id) : NULL;
		if (want.id && !w->id)
			goto nomem;
		ops->add.n++;
	}
	return 0;
nomem:
	kzt_xds_wl_ops_free(ops);
	return ENOMEM;
}

static void installed_free(void *val)
{
	if (!val)
		return;
	kzt_workload_free(val);
	free(val);
}

/**
 * kzt_xds_store_committed() - the kernel applied @ops: remember it
 * @s:   the store
 * @ops: from kzt_xds_store_ops(); its additions move into the store
 *
 * The marks are cleared. Should remembering fail for want of memory, the
 * entry is dropped from what is installed and its address stays marked,
 * so the next kzt_xds_store_ops() sends it again (an ADD with REPLACE).
 */
void kzt_xds_store_committed(struct kzt_xds_store *s,
			     struct kzt_xds_wl_ops *ops)
{
	kzt_hmap_free(&s->dirty, NULL);
	for (size_t i = 0; i < ops->n_del; i++)
		installed_free(kzt_hmap_del(&s->installed, &ops->del[i], ADDR_LEN));
	for (size_t i = 0; i < ops->add.n; i++) {
		struct kzt_workload *w = malloc(sizeof(*w));
		const struct in6_addr *a = &ops->add.v[i].addr;
		struct kzt_workload *old = kzt_hmap_get(&s->installed, a, ADDR_LEN);

		if (!w || kzt_hmap_put(&s->installed, a, ADDR_LEN, w)) {
			free(w);
			installed_free(kzt_hmap_del(&s->installed, a, ADDR_LEN));
			mark(s, a);
			continue;
		}
		*w = ops->add.v[i];
		memset(&ops->add.v[i], 0, sizeof(ops->add.v[i]));
		if (old)
			installed_free(old);
	}
}

void kzt_xds_wl_ops_free(struct kzt_xds_wl_ops *ops)
{
	kzt_workloads_free(&ops->add);
	free(ops->del);
	free(ops->unenrolled);
	memset(ops, 0, sizeof(*ops));
}

static void claims_free(void *val)
{
	struct kzt_xds_claims *c = val;

	free(c->v);
	free(c);
}

static void wl_res_free(void *val)
{
	res_free(val);
}

void kzt_xds_store_free(struct kzt_xds_store *s)
{
	kzt_hmap_free(&s->workloads, wl_res_free);
	kzt_hmap_free(&s->others, free);
	kzt_hmap_free(&s->claims, claims_free);
	kzt_hmap_free(&s->installed, installed_free);
	kzt_hmap_free(&s->dirty, NULL);
}

/**
 * kzt_xds_store_by_addr() - the workload that owns an address
 * @s: the store
 * @a: an address (IPv4-mapped for IPv4)
 *
 * The first workload that claimed @a (the one the kernel's entry is
 * built from), for the labels of a flow's end.
 *
 * @retval the workload, valid until the next change of the store
 * @retval NULL none claims @a
 */
const struct kzt_xds_workload *
kzt_xds_store_by_addr(const struct kzt_xds_store *s, const struct in6_addr *a)
{
	const struct kzt_xds_claims *c = kzt_hmap_get(&s->claims, a, ADDR_LEN);

	return c && c->n ? &c->v[0]->wl : NULL;
}
