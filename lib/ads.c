// SPDX-License-Identifier: GPL-2.0
/*
 * A delta ADS stream (ads.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ads.h"

struct kzt_ads {
	struct kzt_grpc_call *call;
	const struct kzt_ads_type *types;
	size_t n_types;
	void *arg;
	void (*on_close)(const struct kzt_grpc_status *st, void *arg);
};

/**
 * kzt_ads_versions_add() - one resource held, for initial_resource_versions
 * @vs:      the list
 * @name:    borrowed until the request is sent
 * @version: likewise
 *
 * @retval 0 or ENOMEM
 */
int kzt_ads_versions_add(struct kzt_ads_versions *vs, const char *name,
			 const char *version)
{
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? vs->cap * 2 : 64;
		void *v = realloc(vs->v, cap * sizeof(*vs->v));

		if (!v)
			return ENOMEM;
		vs->v = v;
		vs->cap = cap;
	}
	envoy__service__discovery__v3__delta_discovery_request__initial_resource_versions_entry__init(&vs->v[vs->n]);
	vs->v[vs->n].key = (char *)name;
	vs->v[vs->n].value = (char *)version;
	vs->n++;
	return 0;
}

static const struct kzt_ads_type *type_of(const struct kzt_ads *a,
					  const char *url)
{
	for (size_t i = 0; i < a->n_types; i++)
		if (!strcmp(a->types[i].type_url, url))
			return &a->types[i];
	return NULL;
}

static int answer(struct kzt_ads *a, const kzt_ads_response *r,
		  const char *nack)
{
	Envoy__Service__Discovery__V3__DeltaDiscoveryRequest req =
		ENVOY__SERVICE__DISCOVERY__V3__DELTA_DISCOVERY_REQUEST__INIT;
	Envoy__Service__Discovery__V3__Status st =
		ENVOY__SERVICE__DISCOVERY__V3__STATUS__INIT;

	req.type_url = r->type_url;
	req.response_nonce = r->nonce;
	if (nack) {
		st.code = 3;		/* INVALID_ARGUMENT, as ztunnel */
		st.message = (char *)nack;
		req.error_detail = &st;
	}
	return kzt_grpc_call_send(a->call, &req.base);
}

static int on_message(struct kzt_grpc_call *call, const uint8_t *msg,
		      size_t len, void *arg, char *why, size_t why_len)
{
	struct kzt_ads *a = arg;
	const struct kzt_ads_type *t;
	char nack[KZT_ADS_WHY_MAX] = "";
	kzt_ads_response *r;
	int ret;

	(void)call;
	r = envoy__service__discovery__v3__delta_discovery_response__unpack(NULL, len, msg);
	if (!r) {
		snprintf(why, why_len, "a DeltaDiscoveryResponse of %zu bytes does not decode", len);
		return EBADMSG;
	}
	t = type_of(a, r->type_url);
	if (!t) {
		/* Not subscribed: say so, change nothing. */
		snprintf(nack, sizeof(nack), "type %.200s is not subscribed", r->type_url);
		ret = EINVAL;
	} else {
		ret = t->on_response(r, a->arg, nack, sizeof(nack));
	}
	if (ret == 0 || ret == EINVAL)
		ret = answer(a, r, ret ? nack : NULL);
	else
		snprintf(why, why_len, "%s response %s: %s", r->type_url,
			 r->nonce, nack[0] ? nack : strerror(ret));
	envoy__service__discovery__v3__delta_discovery_response__free_unpacked(r, NULL);
	return ret;
}

static void on_close(struct kzt_grpc_call *call,
		     const struct kzt_grpc_status *st, void *arg)
{
	struct kzt_ads *a = arg;

	(void)call;
	a->call = NULL;
	a->on_close(st, a->arg);
	free(a);
}

static const struct kzt_grpc_call_ops ads_ops = {
	.on_message = on_message,
	.on_close = on_close,
};

/* The subscription of one type: node, wildcard, what is held. */
static int subscribe(struct kzt_ads *a, const struct kzt_ads_type *t,
		     Envoy__Service__Discovery__V3__Node *node)
{
	Envoy__Service__Discovery__V3__DeltaDiscoveryRequest req =
		ENVOY__SERVICE__DISCOVERY__V3__DELTA_DISCOVERY_REQUEST__INIT;
	Envoy__Service__Discovery__V3__DeltaDiscoveryRequest__InitialResourceVersionsEntry **p = NULL;
	struct kzt_ads_versions vs = { 0 };
	int ret;

	ret = t->versions(a->arg, &vs);
	if (!ret && vs.n && !(p = calloc(vs.n, sizeof(*p))))
		ret = ENOMEM;
	if (!ret) {
		for (size_t i = 0; i < vs.n; i++)
			p[i] = &vs.v[i];
		req.node = node;
		req.type_url = (char *)t->type_url;
		req.n_initial_resource_versions = vs.n;
		req.initial_resource_versions = p;
		ret = kzt_grpc_call_send(a->call, &req.base);
	}
	free(p);
	free(vs.v);
	return ret;
}

/**
 * kzt_ads_open() - start the stream and subscribe to @types
 * @g:        an open connection
 * @node:     copied into the requests
 * @types:    kept until the stream ends
 * @n_types:  how many
 * @arg:      for the handlers and @on_close
 * @on_close: the stream ended (after which @out is gone); not called when
 *            kzt_ads_open() fails
 * @out:      the stream
 *
 * @retval 0     open; the subscriptions are queued
 * @retval other errno of starting the call or queuing a request
 */
int kzt_ads_open(struct kzt_grpc *g, const struct kzt_ads_node *node,
		 const struct kzt_ads_type *types, size_t n_types, void *arg,
		 void (*on_close_fn)(const struct kzt_grpc_status *st, void *arg),
		 struct kzt_ads **out)
{
	Envoy__Service__Discovery__V3__Node n = ENVOY__SERVICE__DISCOVERY__V3__NODE__INIT;
	Google__Protobuf__Struct md = GOOGLE__PROTOBUF__STRUCT__INIT;
	Google__Protobuf__Struct__FieldsEntry *fe = NULL, **fp = NULL;
	Google__Protobuf__Value *val = NULL;
	struct kzt_ads *a = calloc(1, sizeof(*a));
	int ret = ENOMEM;

	if (!a)
		return ENOMEM;
	a->types = types;
	a->n_types = n_types;
	a->arg = arg;
	a->on_close = on_close_fn;
	fe = calloc(node->n_md + 1, sizeof(*fe));
	fp = calloc(node->n_md + 1, sizeof(*fp));
	val = calloc(node->n_md + 1, sizeof(*val));
	if (!fe || !fp || !val)
		goto out;
	for (size_t i = 0; i < node->n_md; i++) {
		google__protobuf__struct__fields_entry__init(&fe[i]);
		google__protobuf__value__init(&val[i]);
		val[i].kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
		val[i].string_value = (char *)node->md_values[i];
		fe[i].key = (char *)node->md_keys[i];
		fe[i].value = &val[i];
		fp[i] = &fe[i];
	}
	md.n_fields = node->n_md;
	md.fields = fp;
	n.id = (char *)node->id;
	n.metadata = &md;

	ret = kzt_grpc_call_start(g, KZT_GRPC_PATH_DELTA_ADS, &ads_ops, a, &a->call);
	if (ret)
		goto out;
	for (size_t i = 0; !ret && i < n_types; i++)
		ret = subscribe(a, &types[i], &n);
	if (ret) {
		/* Cancelled: on_close does not run for it, we free @a. */
		kzt_grpc_call_cancel(a->call);
		goto out;
	}
	*out = a;
	a = NULL;
out:
	free(fe);
	free(fp);
	free(val);
	free(a);
	return ret;
}

/* End the stream now (RST_STREAM CANCEL); on_close is not called. */
void kzt_ads_close(struct kzt_ads *a)
{
	if (!a)
		return;
	if (a->call)
		kzt_grpc_call_cancel(a->call);
	free(a);
}

/**
 * kzt_ads_end() - half-close: no more requests; responses still come
 * @a: the stream
 *
 * A response that arrives after it is still handed to its handler but
 * can no longer be answered, which ends the stream with an error.
 *
 * @retval 0 or errno of queuing the end of the stream
 */
int kzt_ads_end(struct kzt_ads *a)
{
	return a->call ? kzt_grpc_call_send_end(a->call) : ENOTCONN;
}
