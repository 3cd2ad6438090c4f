// SPDX-License-Identifier: GPL-2.0
/*
 * From istiod's Workload to kzt's workload entries (xds_workload.h).
 *
 * The rules (Documentation/istio.rst has them for operators):
 *  - every address (4 or 16 bytes) is one entry, IPv4 in its mapped form;
 *  - the identity is spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT,
 *    with this node's trust domain and the service account "default" when
 *    istiod leaves them out, as Istio does; it must pass the kernel's own
 *    SPIFFE parser;
 *  - tunnel_protocol HBONE is kzt/1 (every node of the cluster runs kzt),
 *    NONE is plaintext (no identity: the pod holds no certificate),
 *    LEGACY_ISTIO_MTLS is a sidecar, which kzt/1 cannot reach: refused;
 *  - a waypoint (or a network gateway) means flows must not go straight to
 *    the pod: refused, never bypassed;
 *  - node == this node's name: a local workload.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kzt.h>

#include "spiffe.h"
#include "xds_workload.h"

/**
 * kzt_xds_fail() - say why a resource is refused
 * @why: where (for the NACK)
 * @len: its size
 * @fmt: printf format
 *
 * @retval EINVAL always
 */
int kzt_xds_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return EINVAL;
}

/* A copy of a name istiod sent, checked for length and NUL-free text. */
static int name_dup(char **dst, const char *src, const char *what, char *why,
		    size_t why_len)
{
	if (strlen(src) > KZT_XDS_NAME_MAX)
		return kzt_xds_fail(why, why_len, "%s longer than %d bytes", what,
			    KZT_XDS_NAME_MAX);
	*dst = strdup(src);
	return *dst ? 0 : ENOMEM;
}

static int meta_fill(const Istio__Workload__Workload *w,
		     const struct kzt_xds_node *node, struct kzt_xds_meta *m,
		     char *why, size_t len)
{
	const char *td = *w->trust_domain ? w->trust_domain : node->trust_domain;
	const char *sa = *w->service_account ? w->service_account : "default";
	const struct {
		char **dst;
		const char *src, *what;
	} f[] = {
		{ &m->name, w->name, "name" },
		{ &m->namespace_, w->namespace_, "namespace" },
		{ &m->workload_name, w->workload_name, "workload_name" },
		{ &m->canonical_name, w->canonical_name, "canonical_name" },
		{ &m->canonical_revision, w->canonical_revision,
		  "canonical_revision" },
		{ &m->service_account, sa, "service_account" },
		{ &m->trust_domain, td ? td : "", "trust_domain" },
		{ &m->cluster_id, w->cluster_id, "cluster_id" },
		{ &m->node, w->node, "node" },
	};
	int ret;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		ret = name_dup(f[i].dst, f[i].src, f[i].what, why, len);
		if (ret)
			return ret;
	}
	return 0;
}

static int addrs_fill(const Istio__Workload__Workload *w,
		      struct kzt_xds_workload *out, char *why, size_t len)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (w->n_addresses > KZT_XDS_WL_ADDRS_MAX)
		return kzt_xds_fail(why, len, "%zu addresses (at most %d)",
			    w->n_addresses, KZT_XDS_WL_ADDRS_MAX);
	for (size_t i = 0; i < w->n_addresses; i++) {
		const ProtobufCBinaryData *a = &w->addresses[i];
		struct in6_addr *dst = &out->addrs[i];

		if (a->len == 4) {
			memcpy(dst->s6_addr, v4mapped, 12);
			memcpy(dst->s6_addr + 12, a->data, 4);
		} else if (a->len == 16) {
			memcpy(dst->s6_addr, a->data, 16);
		} else {
			return kzt_xds_fail(why, len, "address %zu is %zu bytes (4 or 16)",
				    i, a->len);
		}
		for (size_t j = 0; j < i; j++)
			if (!memcmp(dst, &out->addrs[j], sizeof(*dst)))
				return kzt_xds_fail(why, len, "address %zu given twice", i);
	}
	out->n_addrs = w->n_addresses;
	return 0;
}

/* One path segment of a SPIFFE ID: a Kubernetes name, no '/'. */
static bool segment_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || !kzt_spiffe_path_char(*s))
			return false;
	return true;
}

static int identity_fill(struct kzt_xds_workload *out, char *why, size_t len)
{
	const struct kzt_xds_meta *m = &out->meta;
	const char *bad;
	int n;

	if (!*m->trust_domain)
		return kzt_xds_fail(why, len, "no trust domain (istiod sent none and the node has none)");
	if (!*m->namespace_)
		return kzt_xds_fail(why, len, "no namespace");
	if (!segment_ok(m->namespace_, KZT_NAMESPACE_MAX))
		return kzt_xds_fail(why, len, "namespace '%s' is not a name of at most %d bytes",
			    m->namespace_, KZT_NAMESPACE_MAX);
	if (!segment_ok(m->service_account, KZT_XDS_NAME_MAX))
		return kzt_xds_fail(why, len, "service account '%s' is not a name",
			    m->service_account);
	n = asprintf(&out->id, "spiffe://%s/ns/%s/sa/%s", m->trust_domain,
		     m->namespace_, m->service_account);
	if (n < 0) {
		out->id = NULL;
		return ENOMEM;
	}
	bad = kzt_spiffe_workload_check(out->id, n);
	if (bad)
		return kzt_xds_fail(why, len, "identity '%s': %s", out->id, bad);
	return 0;
}

static int policies_fill(const Istio__Workload__Workload *w,
			 struct kzt_xds_workload *out, char *why, size_t len)
{
	if (w->n_authorization_policies > KZT_XDS_WL_POLICIES_MAX)
		return kzt_xds_fail(why, len, "%zu authorization_policies (at most %d)",
			    w->n_authorization_policies, KZT_XDS_WL_POLICIES_MAX);
	if (!w->n_authorization_policies)
		return 0;
	out->policies = calloc(w->n_authorization_policies, sizeof(char *));
	if (!out->policies)
		return ENOMEM;
	for (size_t i = 0; i < w->n_authorization_policies; i++) {
		const char *p = w->authorization_policies[i];
		int ret;

		if (strlen(p) > KZT_POLICY_NAME_MAX || !strchr(p, '/'))
			return kzt_xds_fail(why, len, "authorization_policies[%zu] is not NAMESPACE/NAME of at most %d bytes",
				    i, KZT_POLICY_NAME_MAX);
		ret = name_dup(&out->policies[i], p, "policy", why, len);
		if (ret)
			return ret;
		out->n_policies = i + 1;
	}
	return 0;
}

/**
 * kzt_xds_workload_map() - what kzt installs for one Workload
 * @w:       decoded by protobuf-c (unknown fields already skipped)
 * @node:    this node's name and trust domain
 * @out:     filled; kzt_xds_workload_free() it in every case
 * @why:     on EINVAL, what is wrong (for the NACK's error_detail)
 * @why_len: size of @why
 *
 * @retval 0      @out describes the workload (perhaps refused: @out->refusal)
 * @retval EINVAL the Workload cannot be applied at all
 * @retval ENOMEM out of memory
 */
int kzt_xds_workload_map(const Istio__Workload__Workload *w,
			 const struct kzt_xds_node *node,
			 struct kzt_xds_workload *out, char *why, size_t why_len)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (!*w->uid)
		return kzt_xds_fail(why, why_len, "no uid");
	ret = name_dup(&out->uid, w->uid, "uid", why, why_len);
	if (!ret)
		ret = meta_fill(w, node, &out->meta, why, why_len);
	if (!ret)
		ret = addrs_fill(w, out, why, why_len);
	if (!ret)
		ret = policies_fill(w, out, why, why_len);
	if (ret)
		return ret;

	out->local = node->name && *node->name && !strcmp(w->node, node->name);
	out->host_network =
		w->network_mode == ISTIO__WORKLOAD__NETWORK_MODE__HOST_NETWORK;
	switch (w->tunnel_protocol) {
	case ISTIO__WORKLOAD__TUNNEL_PROTOCOL__NONE:
		out->protocol = KZT_PROTO_PLAINTEXT;
		break;
	case ISTIO__WORKLOAD__TUNNEL_PROTOCOL__HBONE:
		out->protocol = KZT_PROTO_KZT1;
		ret = identity_fill(out, why, why_len);
		if (ret)
			return ret;
		break;
	default:	/* LEGACY_ISTIO_MTLS, or a value newer than kzt */
		out->protocol = KZT_PROTO_PLAINTEXT;
		out->refusal = KZT_XDS_REFUSAL_PROTOCOL;
		break;
	}
	if (w->waypoint)
		out->refusal = KZT_XDS_REFUSAL_WAYPOINT;
	else if (w->network_gateway)
		out->refusal = KZT_XDS_REFUSAL_PROTOCOL;
	return 0;
}

/* Free what @w holds and zero it. */
void kzt_xds_workload_free(struct kzt_xds_workload *w)
{
	struct kzt_xds_meta *m = &w->meta;

	free(w->uid);
	free(w->id);
	for (size_t i = 0; i < w->n_policies; i++)
		free(w->policies[i]);
	free(w->policies);
	free(m->name);
	free(m->namespace_);
	free(m->workload_name);
	free(m->canonical_name);
	free(m->canonical_revision);
	free(m->service_account);
	free(m->trust_domain);
	free(m->cluster_id);
	free(m->node);
	memset(w, 0, sizeof(*w));
}

/* For logs and metrics. */
const char *kzt_xds_refusal_name(enum kzt_xds_refusal r)
{
	switch (r) {
	case KZT_XDS_REFUSAL_NONE:	return "none";
	case KZT_XDS_REFUSAL_WAYPOINT:	return "waypoint";
	case KZT_XDS_REFUSAL_PROTOCOL:	return "protocol";
	}
	return "?";
}
