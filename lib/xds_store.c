// SPDX-License-Identifier: GPL-2.0
/*
 * Address resources and the workload table they imply (xds_store.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xds_store.h"

#define ADDR_LEN sizeof(struct in6_addr)

static void authz_res_free(void *val);
static void pol_inst_free(void *val);

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

/*
 * What the kernel should hold for @a now; false: nothing.
 *
 * A refused workload (a waypoint, a protocol kzt does not speak) is
 * entered as KZT_PROTO_REFUSED, so that the kernel resets flows to it
 * instead of passing them as non-mesh (Documentation/istio.rst,
 * "Refused"): a local one with its pod's interface, or, without one,
 * like a remote one (flows to it from the node's pods are still refused).
 */
static bool desired(struct kzt_xds_store *s, const struct in6_addr *a,
		    kzt_xds_ifindex_fn ifindex, void *arg,
		    struct kzt_workload *out, struct kzt_xds_wl_ops *ops)
{
	struct kzt_xds_claims *c = kzt_hmap_get(&s->claims, a, ADDR_LEN);
	const struct kzt_xds_workload *wl;
	bool refused;
	int err;

	if (!c)
		return false;
	wl = &c->v[0]->wl;
	if (wl->host_network)
		return false;		/* the node's own address */
	refused = wl->refusal != KZT_XDS_REFUSAL_NONE;
	if (refused)
		ops->n_refused++;
	memset(out, 0, sizeof(*out));
	out->addr = *a;
	out->protocol = refused ? KZT_PROTO_REFUSED : wl->protocol;
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
	if (refused) {
		out->ifindex = 0;
		out->has_node = true;
		out->node = *a;
		return true;
	}
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
 * interface, a host-network one) is deleted if the kernel has it: it is
 * then unknown to the node and fails closed. A refused workload is
 * installed as KZT_PROTO_REFUSED (desired()).
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
	kzt_hmap_free(&s->authz, authz_res_free);
	kzt_hmap_free(&s->pol_installed, pol_inst_free);
	kzt_hmap_free(&s->pol_dirty, NULL);
}

/* ---- Authorization resources and the kernel's policies ---- */

/* What the kernel holds for one policy kztd put there (or found live). */
struct kzt_xds_pol_inst {
	bool unknown;			/* found live at start: replace or remove */
	struct in6_addr *addrs;		/* a selector policy's, sorted */
	size_t n;
};

static void authz_res_free(void *val)
{
	struct kzt_xds_authz_res *res = val;

	if (!res)
		return;
	kzt_xds_authz_free(&res->a);
	free(res->version);
	free(res);
}

static void pol_inst_free(void *val)
{
	struct kzt_xds_pol_inst *inst = val;

	if (!inst)
		return;
	free(inst->addrs);
	free(inst);
}

static int pol_mark(struct kzt_xds_store *s, const char *name)
{
	return kzt_hmap_sput(&s->pol_dirty, name, s);
}

/**
 * kzt_xds_store_put_authz() - an Authorization was added or updated
 * @s:       the store
 * @version: the resource's version
 * @a:       the policy (kzt_xds_authz_map(), or the stand-in of a refused
 *           one); its name is the resource name. Moved into the store
 *           (zeroed) on success
 * @inert:   nothing to enforce (@a holds no policy; its name is still set)
 *
 * @retval 0      stored; the name is marked
 * @retval ENOMEM unchanged
 */
int kzt_xds_store_put_authz(struct kzt_xds_store *s, const char *version,
			    struct kzt_xds_authz *a, bool inert)
{
	const char *name = a->policy.name;
	struct kzt_xds_authz_res *old = kzt_hmap_sget(&s->authz, name);
	struct kzt_xds_authz_res *res = calloc(1, sizeof(*res));

	if (!res || !(res->version = strdup(version)) || pol_mark(s, name))
		goto nomem;
	res->a = *a;
	res->inert = inert;
	if (kzt_hmap_sput(&s->authz, name, res))
		goto nomem;
	memset(a, 0, sizeof(*a));
	authz_res_free(old);
	return 0;
nomem:
	if (res)
		free(res->version);
	free(res);
	return ENOMEM;
}

/**
 * kzt_xds_store_remove_authz() - istiod removed the Authorization @name
 * @s:    the store
 * @name: its resource name; unknown names are fine
 *
 * @retval 0 or ENOMEM (unchanged)
 */
int kzt_xds_store_remove_authz(struct kzt_xds_store *s, const char *name)
{
	struct kzt_xds_authz_res *res = kzt_hmap_sget(&s->authz, name);

	if (!res)
		return 0;
	if (pol_mark(s, name))
		return ENOMEM;
	kzt_hmap_sdel(&s->authz, name);
	authz_res_free(res);
	return 0;
}

/**
 * kzt_xds_store_adopt_policy() - a policy of a previous kztd is live
 * @s:    the store
 * @name: its name
 *
 * It stays live; the next kzt_xds_store_pol_ops() replaces it by what
 * istiod says now, or removes it if istiod has no such resource.
 *
 * @retval 0 or ENOMEM
 */
int kzt_xds_store_adopt_policy(struct kzt_xds_store *s, const char *name)
{
	struct kzt_xds_pol_inst *inst = calloc(1, sizeof(*inst));

	if (!inst)
		return ENOMEM;
	inst->unknown = true;
	pol_inst_free(kzt_hmap_sget(&s->pol_installed, name));
	if (kzt_hmap_sput(&s->pol_installed, name, inst)) {
		kzt_hmap_sdel(&s->pol_installed, name);
		free(inst);
		return ENOMEM;
	}
	return 0;
}

/* The local addresses of one selector policy, while they are gathered. */
struct sel_addrs {
	struct in6_addr *v;
	size_t n, cap;
};

static void sel_addrs_free(void *val)
{
	struct sel_addrs *a = val;

	free(a->v);
	free(a);
}

static int sel_add(struct kzt_hmap *sel, const char *name,
		   const struct in6_addr *addr)
{
	struct sel_addrs *a = kzt_hmap_sget(sel, name);
	struct in6_addr *v;

	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a || kzt_hmap_sput(sel, name, a)) {
			free(a);
			return ENOMEM;
		}
	}
	if (a->n == a->cap) {
		v = realloc(a->v, (a->cap ? a->cap * 2 : 4) * sizeof(*v));
		if (!v)
			return ENOMEM;
		a->v = v;
		a->cap = a->cap ? a->cap * 2 : 4;
	}
	a->v[a->n++] = *addr;
	return 0;
}

static int addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, ADDR_LEN);
}

/* Sorted, without repeats (a pod may list a policy twice). */
static void sel_normalize(struct sel_addrs *a)
{
	size_t n = 0;

	qsort(a->v, a->n, ADDR_LEN, addr_cmp);
	for (size_t i = 0; i < a->n; i++)
		if (!n || memcmp(&a->v[n - 1], &a->v[i], ADDR_LEN))
			a->v[n++] = a->v[i];
	a->n = n;
}

/* Name -> addresses of the local workloads that list each selector policy. */
static int selections(struct kzt_xds_store *s, struct kzt_hmap *sel)
{
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;

	for (e = kzt_hmap_first(&s->workloads, &it); e;
	     e = kzt_hmap_next(&s->workloads, &it, e)) {
		const struct kzt_xds_workload *wl =
			&((struct kzt_xds_wl_res *)e->val)->wl;

		if (!wl->local || wl->host_network)
			continue;
		for (size_t p = 0; p < wl->n_policies; p++) {
			const struct kzt_xds_authz_res *res =
				kzt_hmap_sget(&s->authz, wl->policies[p]);

			if (!res || res->inert || !res->a.selector)
				continue;
			for (size_t i = 0; i < wl->n_addrs; i++)
				if (sel_add(sel, wl->policies[p], &wl->addrs[i]))
					return ENOMEM;
		}
	}
	return 0;
}

static bool inst_same(const struct kzt_xds_pol_inst *inst,
		      const struct sel_addrs *a)
{
	size_t n = a ? a->n : 0;

	return !inst->unknown && inst->n == n &&
	       (!n || !memcmp(inst->addrs, a->v, n * ADDR_LEN));
}

static int del_push(struct kzt_xds_pol_ops *ops, const char *name)
{
	char *copy = strdup(name);

	if (!copy)
		return ENOMEM;
	ops->del[ops->n_del++] = copy;
	return 0;
}

/*
 * One Authorization: add it when it changed or its selection did, remove
 * it when it has nothing to enforce on this node.
 */
static int pol_op(struct kzt_xds_store *s, const char *name,
		  struct kzt_xds_authz_res *res, struct kzt_hmap *sel,
		  struct kzt_xds_pol_ops *ops, char *why, size_t why_len)
{
	const struct kzt_xds_pol_inst *inst = kzt_hmap_sget(&s->pol_installed, name);
	struct sel_addrs *a = NULL;
	int ret;

	if (!res->inert && res->a.selector) {
		a = kzt_hmap_sget(sel, name);
		if (a)
			sel_normalize(a);
	}
	if (res->inert || (res->a.selector && !a))
		return inst ? del_push(ops, name) : 0;
	if (inst && !kzt_hmap_sget(&s->pol_dirty, name) && inst_same(inst, a))
		return 0;
	if (a) {
		ret = kzt_xds_authz_set_addrs(&res->a, a->v, a->n, why, why_len);
		if (ret == EINVAL)
			/* Only the number of pods can do it: at most 1024. */
			snprintf(why + strlen(why), why_len - strlen(why),
				 " (%s)", name);
		if (ret)
			return ret;
	}
	ops->add[ops->n_add++] = &res->a.policy;
	return 0;
}

/**
 * kzt_xds_store_pol_ops() - the policy changes the store implies now
 * @s:       the store
 * @ops:     zeroed, then filled; kzt_xds_pol_ops_free() it
 * @why:     on EINVAL, which policy cannot be installed and why
 * @why_len: its size
 *
 * The Authorizations marked since the last commit are added (replaced) or
 * removed; a selector policy also when the addresses of the local
 * workloads that list it changed; a policy found live at start that
 * istiod has no resource for is removed.
 *
 * @retval 0      @ops holds the changes (maybe none)
 * @retval EINVAL a selector policy selects more addresses than a policy
 *                holds (@ops empty)
 * @retval ENOMEM @ops empty
 */
int kzt_xds_store_pol_ops(struct kzt_xds_store *s, struct kzt_xds_pol_ops *ops,
			  char *why, size_t why_len)
{
	size_t n = s->authz.n + s->pol_installed.n;
	struct kzt_hmap sel = { 0 };
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;
	int ret;

	memset(ops, 0, sizeof(*ops));
	ops->add = calloc(n ? n : 1, sizeof(*ops->add));
	ops->del = calloc(n ? n : 1, sizeof(*ops->del));
	ret = !ops->add || !ops->del ? ENOMEM : selections(s, &sel);
	for (e = kzt_hmap_first(&s->authz, &it); !ret && e;
	     e = kzt_hmap_next(&s->authz, &it, e))
		ret = pol_op(s, (const char *)e->key, e->val, &sel, ops, why,
			     why_len);
	for (e = kzt_hmap_first(&s->pol_installed, &it); !ret && e;
	     e = kzt_hmap_next(&s->pol_installed, &it, e))
		if (!kzt_hmap_sget(&s->authz, (const char *)e->key))
			ret = del_push(ops, (const char *)e->key);
	kzt_hmap_free(&sel, sel_addrs_free);
	if (ret)
		kzt_xds_pol_ops_free(ops);
	return ret;
}

/**
 * kzt_xds_store_pol_committed() - the kernel applied @ops: remember it
 * @s:   the store
 * @ops: from kzt_xds_store_pol_ops()
 *
 * The marks are cleared. Should remembering an addition fail for want of
 * memory, the policy is marked again, so the next ops send it again.
 */
void kzt_xds_store_pol_committed(struct kzt_xds_store *s,
				 struct kzt_xds_pol_ops *ops)
{
	kzt_hmap_free(&s->pol_dirty, NULL);
	for (size_t i = 0; i < ops->n_del; i++)
		pol_inst_free(kzt_hmap_sdel(&s->pol_installed, ops->del[i]));
	for (size_t i = 0; i < ops->n_add; i++) {
		const struct kzt_policy *p = ops->add[i];
		struct kzt_xds_pol_inst *inst = calloc(1, sizeof(*inst));
		size_t n = p->scope_addrs.n;

		if (inst && n) {
			inst->addrs = malloc(n * ADDR_LEN);
			if (inst->addrs) {
				memcpy(inst->addrs, p->scope_addrs.v, n * ADDR_LEN);
				inst->n = n;
			}
		}
		pol_inst_free(kzt_hmap_sdel(&s->pol_installed, p->name));
		if (!inst || (n && !inst->addrs) ||
		    kzt_hmap_sput(&s->pol_installed, p->name, inst)) {
			pol_inst_free(inst);
			/* Unknown to the store: sent again next time. */
			kzt_xds_store_adopt_policy(s, p->name);
			pol_mark(s, p->name);
		}
	}
}

void kzt_xds_pol_ops_free(struct kzt_xds_pol_ops *ops)
{
	for (size_t i = 0; i < ops->n_del; i++)
		free(ops->del[i]);
	free(ops->del);
	free(ops->add);
	memset(ops, 0, sizeof(*ops));
}

/**
 * kzt_xds_store_n_refused() - how many workloads the store holds refused
 * @s: the store
 *
 * Those entered as KZT_PROTO_REFUSED (a host-network one is not entered).
 *
 * @retval their number
 */
size_t kzt_xds_store_n_refused(const struct kzt_xds_store *s)
{
	const struct kzt_hmap *wls = &s->workloads;
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;
	size_t n = 0;

	for (e = kzt_hmap_first(wls, &it); e; e = kzt_hmap_next(wls, &it, e)) {
		const struct kzt_xds_workload *wl = &((struct kzt_xds_wl_res *)e->val)->wl;

		n += wl->refusal != KZT_XDS_REFUSAL_NONE && !wl->host_network;
	}
	return n;
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
