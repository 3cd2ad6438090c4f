// SPDX-License-Identifier: GPL-2.0
/*
 * kztd's control plane client: one connection to istiod (lib/grpc.h), one
 * delta ADS stream (lib/ads.h) subscribed to the workload API's Address
 * and Authorization resources. Each response is applied to the kernel as
 * one transaction of the exact changes it implies (lib/xds_store.h):
 * workload entries and policies together, so a new pod is never visible
 * without its selector policies and a removed ALLOW leaves no window. It
 * is then ACKed, or NACKed naming the resources refused (the others
 * applied). A lost connection is opened
 * again after a back-off of 1 s, doubling to 30 s, with jitter; the new
 * stream says what kztd holds, so istiod sends only what changed. While
 * istiod is away the kernel keeps enforcing what was applied: nothing is
 * flushed.
 *
 * Documentation/istio.rst, "kztd and istiod".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "ads.h"
#include "kztd.h"
#include "route.h"
#include "authorization.pb-c.h"
#include "workload.pb-c.h"
#include "xds_store.h"

#define XDS_BACKOFF_MIN_MS	1000
#define XDS_BACKOFF_MAX_MS	30000
#define XDS_KEEPALIVE_MS	30000	/* as ztunnel pings istiod */
/*
 * Until istiod's first Authorization response is applied, this global
 * DENY keeps the node closed (Documentation/istio.rst, "Before the first
 * Authorization response").
 */
#define XDS_PENDING		"kzt/authorization-pending"
#define XDS_COMMIT_TRIES	3	/* EAGAIN: the live tables moved */

static int on_grpc(struct kztd *d, struct kztd_io *io, uint32_t events);

/* ztunnel's environment (the DaemonSet's downward API), with defaults. */
static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static uint32_t epoll_events(const struct kzt_grpc *g)
{
	return kzt_grpc_events(g);
}

/* Forget the connection (its calls have ended or are cancelled). */
static void conn_drop(struct kztd *d)
{
	struct kztd_xds *x = &d->xds;

	kzt_ads_close(x->ads);
	x->ads = NULL;
	if (x->g) {
		kztd_ca_conn_lost(d);
		if (x->io.fd >= 0)
			kztd_io_del(d, &x->io);
		x->io.fd = -1;
		kzt_grpc_free(x->g);
		x->g = NULL;
	}
}

/* Try again after the back-off, which doubles up to its maximum. */
static void retry_later(struct kztd *d)
{
	struct kztd_xds *x = &d->xds;
	unsigned int jitter = x->backoff_ms / 4 ? (unsigned int)random() % (x->backoff_ms / 4) : 0;

	x->retry_at_ms = kztd_now_ms() + x->backoff_ms + jitter;
	x->backoff_ms = x->backoff_ms * 2 > XDS_BACKOFF_MAX_MS ?
			XDS_BACKOFF_MAX_MS : x->backoff_ms * 2;
}

/* The interface of a local pod, from the node's routes. */
static int pod_ifindex(const struct in6_addr *addr, uint32_t *ifindex,
		       void *arg)
{
	struct kzt_route_iface ri;
	int ret;

	(void)arg;
	ret = kzt_route_iface(addr, &ri);
	if (!ret)
		*ifindex = ri.ifindex;
	return ret;
}

/* Stage the workload changes in @opts's transaction; 0 or errno (logged). */
static int stage_workloads(struct kztd *d, const struct kzt_xds_wl_ops *ops,
			   const struct kzt_add_opts *opts)
{
	struct kzt_nl_err err;
	char buf[256], addr[KZT_ADDR_STRLEN];
	int ret;

	for (size_t i = 0; i < ops->add.n; i++) {
		ret = kzt_workload_add(&d->client, &ops->add.v[i], opts, &err);
		if (ret) {
			log_err("xds: Unable to add workload %s: %s",
				kzt_addr_str(&ops->add.v[i].addr, addr, sizeof(addr)),
				kzt_err_str(&err, buf, sizeof(buf)));
			return ret;
		}
	}
	for (size_t i = 0; i < ops->n_del; i++) {
		ret = kzt_workload_del_txn(&d->client, &ops->del[i], opts->txn, &err);
		if (ret && ret != ENOENT) {
			log_err("xds: Unable to remove workload %s: %s",
				kzt_addr_str(&ops->del[i], addr, sizeof(addr)),
				kzt_err_str(&err, buf, sizeof(buf)));
			return ret;
		}
	}
	return 0;
}

/* Stage the policy changes (and the end of XDS_PENDING when @unblock). */
static int stage_policies(struct kztd *d, const struct kzt_xds_pol_ops *ops,
			  bool unblock, const struct kzt_add_opts *opts)
{
	struct kzt_nl_err err;
	char buf[256];
	int ret;

	for (size_t i = 0; i < ops->n_add; i++) {
		ret = kzt_policy_add(&d->client, ops->add[i], opts, &err);
		if (ret) {
			log_err("xds: Unable to add policy %s: %s", ops->add[i]->name,
				kzt_err_str(&err, buf, sizeof(buf)));
			return ret;
		}
	}
	for (size_t i = 0; i < ops->n_del + unblock; i++) {
		const char *name = i < ops->n_del ? ops->del[i] : XDS_PENDING;

		ret = kzt_policy_del_txn(&d->client, name, opts->txn, &err);
		if (ret && ret != ENOENT) {
			log_err("xds: Unable to remove policy %s: %s", name,
				kzt_err_str(&err, buf, sizeof(buf)));
			return ret;
		}
	}
	return 0;
}

/*
 * Apply @wl and @pol as one transaction: staged on a copy of the live
 * tables, swapped in by the commit, or nothing changes. 0 or errno
 * (logged).
 */
static int kernel_apply(struct kztd *d, const struct kzt_xds_wl_ops *wl,
			const struct kzt_xds_pol_ops *pol, bool unblock)
{
	struct kzt_add_opts opts = { .replace = true, .in_txn = true };
	struct kzt_nl_err err;
	char buf[256];
	int ret = 0;

	if (!wl->add.n && !wl->n_del && !pol->n_add && !pol->n_del && !unblock)
		return 0;
	for (int tries = 0; tries < XDS_COMMIT_TRIES; tries++) {
		ret = kzt_txn_begin_flags(&d->client, KZT_TXN_F_FROM_LIVE,
					  &opts.txn, &err);
		if (ret) {
			log_err("xds: Unable to begin a transaction: %s",
				kzt_err_str(&err, buf, sizeof(buf)));
			return ret;
		}
		ret = stage_workloads(d, wl, &opts);
		if (!ret)
			ret = stage_policies(d, pol, unblock, &opts);
		if (ret) {
			kzt_txn_abort(&d->client, opts.txn, &err);
			return ret;
		}
		ret = kzt_txn_commit(&d->client, opts.txn, &err);
		if (ret != EAGAIN)
			break;
	}
	if (ret) {
		log_err("xds: Unable to commit the transaction: %s",
			kzt_err_str(&err, buf, sizeof(buf)));
		kzt_txn_abort(&d->client, opts.txn, &err);	/* if still open */
	}
	return ret;
}

/* Append "NAME: WHY" to the NACK message. */
static void nack_add(char *nack, size_t len, const char *name, const char *why)
{
	size_t o = strlen(nack);

	if (o < len)
		snprintf(nack + o, len - o, "%s%s: %s", o ? "; " : "", name, why);
}

/* One Address resource: a Workload into the store, anything else kept by version. */
static int address_put(struct kztd *d, const Envoy__Service__Discovery__V3__Resource *r,
		       char *why, size_t why_len)
{
	const struct kzt_xds_node node = {
		.name = d->xds.node_name, .trust_domain = d->trust_domain,
	};
	const Google__Protobuf__Any *any = r->resource;
	Istio__Workload__Address *a;
	struct kzt_xds_workload wl;
	int ret;

	if (!any || strcmp(any->type_url, KZT_XDS_TYPE_ADDRESS)) {
		snprintf(why, why_len, "not an istio.workload.Address");
		return EINVAL;
	}
	a = istio__workload__address__unpack(NULL, any->value.len, any->value.data);
	if (!a) {
		snprintf(why, why_len, "does not decode");
		return EINVAL;
	}
	if (a->type_case != ISTIO__WORKLOAD__ADDRESS__TYPE_WORKLOAD) {
		ret = kzt_xds_store_put_other(&d->xds.store, r->name, r->version);
		goto out;
	}
	ret = kzt_xds_workload_map(a->workload, &node, &wl, why, why_len);
	if (!ret && strcmp(wl.uid, r->name)) {
		snprintf(why, why_len, "uid %s is not the resource name", wl.uid);
		ret = EINVAL;
	}
	if (!ret)
		ret = kzt_xds_store_put(&d->xds.store, r->version, &wl);
	kzt_xds_workload_free(&wl);	/* zeroed if it moved into the store */
out:
	istio__workload__address__free_unpacked(a, NULL);
	return ret;
}

static void log_unenrolled(const struct kzt_xds_wl_ops *ops)
{
	char addr[KZT_ADDR_STRLEN];

	for (size_t i = 0; i < ops->n_unenrolled; i++)
		log_warn("xds: local workload %s (%s) not enrolled: no interface for it in the node's routes (%s)",
			 ops->unenrolled[i].uid,
			 kzt_addr_str(&ops->unenrolled[i].addr, addr, sizeof(addr)),
			 strerror(ops->unenrolled[i].err));
}

/* The identities of this node's kzt/1 pods: the certificates it needs. */
static void ca_want(struct kztd *d)
{
	struct kzt_hmap *wls = &d->xds.store.workloads;
	char **ids = calloc(wls->n + 1, sizeof(*ids));
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;
	size_t n = 0;

	if (!ids)
		return;
	for (e = kzt_hmap_first(wls, &it); e; e = kzt_hmap_next(wls, &it, e)) {
		const struct kzt_xds_workload *wl = &((struct kzt_xds_wl_res *)e->val)->wl;

		if (wl->local && wl->id && !wl->host_network &&
		    wl->refusal == KZT_XDS_REFUSAL_NONE)
			ids[n++] = wl->id;
	}
	kztd_ca_want(d, ids, n);
	free(ids);
}

/*
 * The store's changes after a response of @type, as one transaction.
 * Until istiod's first Authorization response nothing is applied: the
 * workloads wait in the store, so that no pod is entered without the
 * policies that select it (the live policies may be a previous kztd's);
 * the first Authorization response applies them all, its policies, and
 * the end of XDS_PENDING together. On failure the kernel is
 * unchanged and the marks stay, so the next response sends it all again.
 * @retval 0, EINVAL (@nack says why) or ENOMEM
 */
static int apply_response(struct kztd *d, const char *type,
			  const kzt_ads_response *r, size_t refused, char *nack,
			  size_t nack_len)
{
	struct kztd_xds *x = &d->xds;
	bool authz = !strcmp(type, "Authorization");
	bool unblock = authz && !x->authz_synced;
	struct kzt_xds_pol_ops pol = { 0 };
	struct kzt_xds_wl_ops ops;
	char why[256] = "";
	int ret;

	if (!authz && !x->authz_synced) {
		log_info("xds: %s response %s: %zu resources (%zu refused), %zu removed: kept until istiod's Authorization resources come",
			 type, r->nonce, r->n_resources, refused,
			 r->n_removed_resources);
		return 0;
	}
	ret = kzt_xds_store_ops(&x->store, pod_ifindex, NULL, &ops);
	if (ret)
		return ret;
	log_unenrolled(&ops);
	ret = kzt_xds_store_pol_ops(&x->store, &pol, why, sizeof(why));
	if (ret == EINVAL)
		nack_add(nack, nack_len, "(policy)", why);
	if (ret)
		goto out;
	ret = kernel_apply(d, &ops, &pol, unblock);
	if (!ret) {
		kzt_xds_store_committed(&x->store, &ops);
		kzt_xds_store_pol_committed(&x->store, &pol);
		if (unblock) {
			x->authz_synced = true;
			log_info("xds: istiod's Authorization applied: %s removed",
				 XDS_PENDING);
		}
	}
	log_info("xds: %s response %s: %zu resources (%zu refused), %zu removed: %zu workload entries set, %zu removed, %zu policies set, %zu removed%s",
		 type, r->nonce, r->n_resources, refused, r->n_removed_resources,
		 ops.add.n, ops.n_del, pol.n_add, pol.n_del,
		 ret ? " (failed: kept for the next response)" : "");
	if (ret) {
		nack_add(nack, nack_len, "(kernel)", strerror(ret));
		ret = EINVAL;
	} else {
		x->synced = true;
	}
out:
	kzt_xds_wl_ops_free(&ops);
	kzt_xds_pol_ops_free(&pol);
	return ret;
}

/* How one resource type goes into the store (on_response()). */
struct xds_kind {
	const char *name;
	int (*put)(struct kztd *d, const Envoy__Service__Discovery__V3__Resource *r,
		   char *why, size_t why_len);
	int (*remove)(struct kzt_xds_store *s, const char *name);
	/*
	 * A refused resource: what was under its name is removed (a
	 * workload's addresses then fail closed), or kept (@put has put a
	 * policy's stand-in, or changed nothing).
	 */
	bool drop_refused;
};

/*
 * A response of @kind: each resource put (NACKed by name if refused),
 * the removed ones removed, then applied as one transaction.
 */
static int on_response(struct kztd *d, const struct xds_kind *kind,
		       const kzt_ads_response *r, char *nack, size_t nack_len)
{
	size_t refused = 0;
	int ret;

	for (size_t i = 0; i < r->n_resources; i++) {
		const Envoy__Service__Discovery__V3__Resource *res = r->resources[i];
		char why[256] = "";

		ret = kind->put(d, res, why, sizeof(why));
		if (ret == ENOMEM)
			return ENOMEM;
		if (ret) {
			if (kind->drop_refused)
				kind->remove(&d->xds.store, res->name);
			nack_add(nack, nack_len, res->name, why);
			refused++;
		}
	}
	for (size_t i = 0; i < r->n_removed_resources; i++)
		if (kind->remove(&d->xds.store, r->removed_resources[i]))
			return ENOMEM;
	ret = apply_response(d, kind->name, r, refused, nack, nack_len);
	if (ret)
		return ret;
	return refused ? EINVAL : 0;
}

static int on_address(const kzt_ads_response *r, void *arg, char *nack,
		      size_t nack_len)
{
	static const struct xds_kind kind = {
		"Address", address_put, kzt_xds_store_remove, true,
	};
	struct kztd *d = arg;
	int ret = on_response(d, &kind, r, nack, nack_len);

	if (ret != ENOMEM)
		ca_want(d);
	return ret;
}

static int address_versions(void *arg, struct kzt_ads_versions *vs)
{
	struct kztd *d = arg;
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;

	for (e = kzt_hmap_first(&d->xds.store.workloads, &it); e;
	     e = kzt_hmap_next(&d->xds.store.workloads, &it, e)) {
		const struct kzt_xds_wl_res *res = e->val;

		if (kzt_ads_versions_add(vs, res->wl.uid, res->version))
			return ENOMEM;
	}
	for (e = kzt_hmap_first(&d->xds.store.others, &it); e;
	     e = kzt_hmap_next(&d->xds.store.others, &it, e)) {
		if (kzt_ads_versions_add(vs, (const char *)e->key, e->val))
			return ENOMEM;
	}
	return 0;
}

/*
 * One Authorization resource into the store: its policy, or when kzt
 * cannot enforce it exactly, its stand-in (kzt_xds_authz_standin()) and
 * EINVAL with @why. A resource that does not decode, or is not named as
 * its policy, changes nothing (EINVAL).
 */
static int authz_put(struct kztd *d, const Envoy__Service__Discovery__V3__Resource *r,
		     char *why, size_t why_len)
{
	const Google__Protobuf__Any *any = r->resource;
	Istio__Security__Authorization *a;
	struct kzt_xds_authz pol;
	bool inert = false;
	int ret, refused;

	if (!any || strcmp(any->type_url, KZT_XDS_TYPE_AUTHZ)) {
		snprintf(why, why_len, "not an istio.security.Authorization");
		return EINVAL;
	}
	a = istio__security__authorization__unpack(NULL, any->value.len,
						    any->value.data);
	if (!a) {
		snprintf(why, why_len, "does not decode");
		return EINVAL;
	}
	refused = kzt_xds_authz_map(a, &pol, why, why_len);
	if (refused == EINVAL) {
		kzt_xds_authz_free(&pol);
		ret = kzt_xds_authz_standin(a, &pol, &inert);
		if (ret == EINVAL)
			goto out;
		if (!ret)
			log_warn("xds: Authorization %s refused (%s): %s",
				 r->name, why, inert ? "not enforced (it never decides a flow)" :
				 "its strictest form is enforced instead");
	} else {
		ret = refused;
	}
	if (!ret && strcmp(pol.policy.name, r->name)) {
		snprintf(why, why_len, "named %s, not NAMESPACE/NAME (%s)",
			 r->name, pol.policy.name);
		ret = refused = EINVAL;
	} else if (!ret) {
		ret = kzt_xds_store_put_authz(&d->xds.store, r->version, &pol,
					      inert);
	}
out:
	kzt_xds_authz_free(&pol);	/* zeroed if it moved into the store */
	istio__security__authorization__free_unpacked(a, NULL);
	return ret ? ret : refused;
}

static int on_authorization(const kzt_ads_response *r, void *arg, char *nack,
			    size_t nack_len)
{
	static const struct xds_kind kind = {
		"Authorization", authz_put, kzt_xds_store_remove_authz, false,
	};

	return on_response(arg, &kind, r, nack, nack_len);
}

static int authz_versions(void *arg, struct kzt_ads_versions *vs)
{
	struct kztd *d = arg;
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;

	for (e = kzt_hmap_first(&d->xds.store.authz, &it); e;
	     e = kzt_hmap_next(&d->xds.store.authz, &it, e)) {
		const struct kzt_xds_authz_res *res = e->val;

		if (kzt_ads_versions_add(vs, (const char *)e->key, res->version))
			return ENOMEM;
	}
	return 0;
}

static const struct kzt_ads_type ads_types[] = {
	{ KZT_XDS_TYPE_ADDRESS, on_address, address_versions },
	{ KZT_XDS_TYPE_AUTHZ, on_authorization, authz_versions },
};

/*
 * At start: what the kernel holds from a previous kztd. Its policies are
 * istiod's last known ones: they stay, adopted by the store, until the
 * first Authorization response replaces or removes them. On a node whose
 * tables hold no workload (nothing was ever applied, or the module is
 * fresh) XDS_PENDING denies every flow until that response is applied; a
 * live XDS_PENDING stays for the same reason.
 */
static int policies_adopt(struct kztd *d)
{
	struct kzt_workloads wls = { 0 };
	struct kzt_policies live = { 0 };
	struct kzt_rule any = { 0 };
	const struct kzt_policy pending = {
		.name = XDS_PENDING, .action = KZT_ACTION_DENY,
		.scope = KZT_SCOPE_GLOBAL, .rules = &any, .n_rules = 1,
	};
	const struct kzt_add_opts replace = { .replace = true };
	struct kzt_nl_err err;
	bool have_pending = false;
	char buf[256];
	int ret;

	ret = kzt_policy_dump(&d->client, &live, &err);
	if (!ret)
		ret = kzt_workload_dump(&d->client, &wls, &err);
	if (ret) {
		log_err("xds: Unable to read the live tables: %s",
			kzt_err_str(&err, buf, sizeof(buf)));
		goto out;
	}
	for (size_t i = 0; i < live.n && !ret; i++) {
		if (!strcmp(live.v[i].name, XDS_PENDING))
			have_pending = true;
		else
			ret = kzt_xds_store_adopt_policy(&d->xds.store, live.v[i].name);
	}
	if (ret)
		goto out;
	if (live.n)
		log_info("xds: %zu live policies kept until istiod's Authorization resources replace them",
			 live.n - have_pending);
	if (!wls.n || have_pending) {
		ret = kzt_policy_add(&d->client, &pending, &replace, &err);
		if (ret)
			log_err("xds: Unable to add the policy %s: %s", XDS_PENDING,
				kzt_err_str(&err, buf, sizeof(buf)));
		else
			log_info("xds: policy %s denies every flow to this node's pods until istiod's Authorization resources are applied",
				 XDS_PENDING);
	}
out:
	kzt_workloads_free(&wls);
	kzt_policies_free(&live);
	return ret;
}

static void on_ads_close(const struct kzt_grpc_status *st, void *arg)
{
	struct kztd *d = arg;

	d->xds.ads = NULL;
	log_warn("xds: stream to istiod ended: %s%s", st->message,
		 d->xds.synced ? " (the node keeps what it applied)" : "");
	d->xds.failed = true;	/* dropped after this callback returns */
}

/* Open a connection and the stream; on failure, schedule a retry. */
static void conn_open(struct kztd *d)
{
	struct kztd_xds *x = &d->xds;
	static const char *const md_keys[] = {
		"NAME", "NAMESPACE", "INSTANCE_IPS", "NODE_NAME",
	};
	const char *md_values[] = {
		x->pod_name, x->pod_ns, x->instance_ip, x->node_name,
	};
	const struct kzt_ads_node node = {
		.id = x->node_id, .md_keys = md_keys, .md_values = md_values,
		.n_md = 4,
	};
	char why[KZT_GRPC_WHY_MAX];
	int ret;

	ret = kzt_grpc_new(&x->gconf, &x->g, why, sizeof(why));
	if (ret) {
		log_err("xds: %s", why);
		goto retry;
	}
	ret = kzt_grpc_connect(x->g);
	if (!ret)
		ret = kzt_ads_open(x->g, &node, ads_types,
				   sizeof(ads_types) / sizeof(ads_types[0]), d,
				   on_ads_close, &x->ads);
	if (ret) {
		log_warn("xds: Unable to reach istiod at %s:%s: %s", x->gconf.host,
			 x->gconf.port, kzt_grpc_why(x->g));
		goto retry;
	}
	x->io.fd = kzt_grpc_fd(x->g);
	x->io.fn = on_grpc;
	ret = kztd_io_add(d, &x->io, epoll_events(x->g));
	if (ret) {
		x->io.fd = -1;
		goto retry;
	}
	/* A name is resolved off the loop: kzt_grpc_fd() changes then. */
	log_info("xds: connecting to istiod at %s:%s", x->gconf.host, x->gconf.port);
	return;
retry:
	conn_drop(d);
	retry_later(d);
}

static int on_grpc(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	struct kztd_xds *x = &d->xds;
	int ret;

	(void)io;
	ret = kzt_grpc_on_ready(x->g, events);
	/*
	 * The name resolved (lib/grpc.h): the socket pair's end is closed,
	 * so epoll forgot it, and the TCP socket is watched instead.
	 */
	if (kzt_grpc_fd(x->g) != x->io.fd)
		x->io.fd = -1;
	if (x->synced && !x->failed)
		x->backoff_ms = XDS_BACKOFF_MIN_MS;	/* a good stream */
	if (ret || x->failed) {
		if (ret)
			log_warn("xds: connection to istiod failed: %s",
				 kzt_grpc_why(x->g));
		conn_drop(d);
		x->failed = false;
		retry_later(d);
		return 0;
	}
	if (x->io.fd < 0) {
		x->io.fd = kzt_grpc_fd(x->g);
		ret = kztd_io_add(d, &x->io, epoll_events(x->g));
		if (ret) {
			log_warn("xds: cannot watch the connection to istiod: %s",
				 strerror(ret));
			x->io.fd = -1;
			conn_drop(d);
			retry_later(d);
		}
		return 0;
	}
	kztd_io_mod(d, &x->io, epoll_events(x->g));
	return 0;
}

/**
 * kztd_xds_start() - connect to istiod if the configuration says so
 * @d:    the daemon, its loop and kernel client ready
 * @conf: xds_address and the rest
 *
 * @retval 0      started (or no control plane configured)
 * @retval EINVAL NODE_NAME is not set (logged)
 */
int kztd_xds_start(struct kztd *d, const struct kzt_conf *conf)
{
	struct kztd_xds *x = &d->xds;

	x->io.fd = -1;
	if (!conf->has_xds)
		return 0;
	x->node_name = getenv("NODE_NAME");
	if (!x->node_name || !*x->node_name) {
		log_err("xds_address is set but NODE_NAME is not: kztd cannot tell its own pods");
		return EINVAL;
	}
	x->pod_name = env_or("POD_NAME", "kztd");
	x->pod_ns = env_or("POD_NAMESPACE", "istio-system");
	x->instance_ip = env_or("INSTANCE_IP", "1.1.1.1");
	/* istiod serves the workload API to proxies of type "ztunnel". */
	snprintf(x->node_id, sizeof(x->node_id), "ztunnel~%s~%s.%s~%s.svc.cluster.local",
		 x->instance_ip, x->pod_name, x->pod_ns, x->pod_ns);
	x->gconf = (struct kzt_grpc_conf){
		.host = conf->xds_host,
		.port = conf->xds_port,
		.server_name = conf->has_xds_server_name ? conf->xds_server_name : NULL,
		.root_cert = conf->has_xds_root_cert ? conf->xds_root_cert :
			     KZT_CONF_XDS_ROOT_CERT_DEFAULT,
		.token_file = !conf->has_xds_token ? KZT_CONF_XDS_TOKEN_DEFAULT :
			      conf->xds_token[0] ? conf->xds_token : NULL,
		.cluster_id = conf->has_cluster_id ? conf->cluster_id :
			      KZT_CONF_CLUSTER_ID_DEFAULT,
		.keepalive_ms = XDS_KEEPALIVE_MS,
	};
	x->backoff_ms = XDS_BACKOFF_MIN_MS;
	if (policies_adopt(d))
		return EIO;
	conn_open(d);
	return 0;
}

/* The loop's wait, shortened to the retry time and the gRPC deadlines. */
int kztd_xds_timeout_ms(const struct kztd *d, int timeout)
{
	const struct kztd_xds *x = &d->xds;
	int t = -1;

	if (x->g) {
		t = kzt_grpc_tick_ms(x->g);
	} else if (x->retry_at_ms) {
		uint64_t now = kztd_now_ms();

		t = x->retry_at_ms > now ? (int)(x->retry_at_ms - now) : 0;
	}
	if (t >= 0 && (timeout < 0 || t < timeout))
		timeout = t;
	return timeout;
}

/* After each batch of events: the deadlines, and a retry that is due. */
void kztd_xds_expire(struct kztd *d)
{
	struct kztd_xds *x = &d->xds;

	if (x->g) {
		if (kzt_grpc_tick(x->g) || x->failed) {
			log_warn("xds: connection to istiod failed: %s",
				 kzt_grpc_why(x->g));
			conn_drop(d);
			x->failed = false;
			retry_later(d);
		} else {
			kztd_io_mod(d, &x->io, epoll_events(x->g));
		}
		return;
	}
	if (x->retry_at_ms && kztd_now_ms() >= x->retry_at_ms) {
		x->retry_at_ms = 0;
		conn_open(d);
	}
}

/* Close the connection; the kernel keeps every entry. */
void kztd_xds_stop(struct kztd *d)
{
	kztd_ca_stop(d);
	conn_drop(d);
	kzt_xds_store_free(&d->xds.store);
}
