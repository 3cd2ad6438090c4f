// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the messages istiod sends kztd, decoded with the
 * protobuf-c code generated from proto/ (.build/proto): the first byte
 * picks DeltaDiscoveryResponse (with every resource's Any decoded as its
 * type URL says, as kztd will), istio.workload.Address or
 * istio.security.Authorization; the rest is the message. Everything
 * decoded is walked (strings read to their end, byte fields to their
 * length, so ASan sees a bad pointer) and freed (LSan sees a leak).
 * Every Authorization is also mapped as kztd maps it (lib/xds_authz.c): a
 * policy that is taken must hold only what kztctl's own checks accept and
 * fit the kernel's size limit; a refused one must say why and have a
 * stand-in or be unnameable.
 *
 * No re-encoding check: protobuf-c keeps a malformed unknown field (field
 * number 0) that it then refuses when it reads its own output back, and
 * kzt never re-encodes what it receives.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "xds_authz.h"

#include "xds.pb-c.h"
#include "workload.pb-c.h"
#include "authorization.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch_str(const char *s)
{
	sink += strlen(s);
}

static void touch_bytes(const ProtobufCBinaryData *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		sink += b->data[i];
}

static void walk_gateway(const Istio__Workload__GatewayAddress *g)
{
	if (!g)
		return;
	if (g->destination_case == ISTIO__WORKLOAD__GATEWAY_ADDRESS__DESTINATION_HOSTNAME) {
		touch_str(g->hostname->namespace_);
		touch_str(g->hostname->hostname);
	} else if (g->destination_case == ISTIO__WORKLOAD__GATEWAY_ADDRESS__DESTINATION_ADDRESS) {
		touch_str(g->address->network);
		touch_bytes(&g->address->address);
	}
}

static void walk_workload(const Istio__Workload__Workload *w)
{
	size_t i, j;

	touch_str(w->uid);
	touch_str(w->name);
	touch_str(w->namespace_);
	touch_str(w->network);
	touch_str(w->trust_domain);
	touch_str(w->service_account);
	touch_str(w->node);
	touch_str(w->canonical_name);
	touch_str(w->canonical_revision);
	touch_str(w->workload_name);
	touch_str(w->cluster_id);
	for (i = 0; i < w->n_addresses; i++)
		touch_bytes(&w->addresses[i]);
	for (i = 0; i < w->n_authorization_policies; i++)
		touch_str(w->authorization_policies[i]);
	for (i = 0; i < w->n_services; i++) {
		touch_str(w->services[i]->key);
		if (!w->services[i]->value)
			continue;
		for (j = 0; j < w->services[i]->value->n_ports; j++)
			sink += w->services[i]->value->ports[j]->target_port;
	}
	walk_gateway(w->waypoint);
	walk_gateway(w->network_gateway);
}

static void walk_address(const Istio__Workload__Address *a)
{
	size_t i;

	if (a->type_case == ISTIO__WORKLOAD__ADDRESS__TYPE_WORKLOAD) {
		walk_workload(a->workload);
	} else if (a->type_case == ISTIO__WORKLOAD__ADDRESS__TYPE_SERVICE) {
		touch_str(a->service->name);
		touch_str(a->service->hostname);
		for (i = 0; i < a->service->n_addresses; i++)
			touch_bytes(&a->service->addresses[i]->address);
		walk_gateway(a->service->waypoint);
	}
}

static void walk_string_matches(Istio__Security__StringMatch **m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (m[i]->match_type_case) {
		case ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE_EXACT:
			touch_str(m[i]->exact);
			break;
		case ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE_PREFIX:
			touch_str(m[i]->prefix);
			break;
		case ISTIO__SECURITY__STRING_MATCH__MATCH_TYPE_SUFFIX:
			touch_str(m[i]->suffix);
			break;
		default:
			break;
		}
	}
}

static void walk_authorization(const Istio__Security__Authorization *z)
{
	size_t r, c, m, i;

	touch_str(z->name);
	touch_str(z->namespace_);
	for (r = 0; r < z->n_rules; r++) {
		for (c = 0; c < z->rules[r]->n_clauses; c++) {
			const Istio__Security__Clause *cl = z->rules[r]->clauses[c];

			for (m = 0; m < cl->n_matches; m++) {
				const Istio__Security__Match *mt = cl->matches[m];

				walk_string_matches(mt->namespaces, mt->n_namespaces);
				walk_string_matches(mt->not_namespaces, mt->n_not_namespaces);
				walk_string_matches(mt->principals, mt->n_principals);
				walk_string_matches(mt->not_principals, mt->n_not_principals);
				for (i = 0; i < mt->n_service_accounts; i++) {
					touch_str(mt->service_accounts[i]->namespace_);
					touch_str(mt->service_accounts[i]->serviceaccount);
				}
				for (i = 0; i < mt->n_source_ips; i++)
					touch_bytes(&mt->source_ips[i]->address);
				for (i = 0; i < mt->n_destination_ips; i++)
					touch_bytes(&mt->destination_ips[i]->address);
				for (i = 0; i < mt->n_destination_ports; i++)
					sink += mt->destination_ports[i];
			}
		}
	}
}

static void check_strs(const struct kzt_strs *s, const char *(*check)(const char *))
{
	for (size_t i = 0; i < s->n; i++)
		if (check(s->v[i])) {
			fprintf(stderr, "mapped value '%s': %s\n", s->v[i], check(s->v[i]));
			abort();
		}
}

static void check_match(const struct kzt_rule *m)
{
	check_strs(&m->principals, kzt_principal_check);
	check_strs(&m->not_principals, kzt_principal_check);
	check_strs(&m->namespaces, kzt_ns_match_check);
	check_strs(&m->not_namespaces, kzt_ns_match_check);
	check_strs(&m->service_accounts, kzt_service_account_check);
	check_strs(&m->not_service_accounts, kzt_service_account_check);
	for (size_t i = 0; i < m->ports.n; i++)
		if (!m->ports.v[i])
			abort();
}

/* Map @z as kztd does and check what comes out. */
static void map_authorization(const Istio__Security__Authorization *z)
{
	static const struct in6_addr addrs[2] = {
		{ .s6_addr = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 } },
		{ .s6_addr = { 0xfd, [15] = 2 } },
	};
	struct kzt_xds_authz a;
	char why[256] = "";
	size_t size;
	bool inert;
	int ret;

	ret = kzt_xds_authz_map(z, &a, why, sizeof(why));
	if (ret == EINVAL && !why[0])
		abort();			/* a refusal must say why */
	if (!ret) {
		if (kzt_policy_name_check(a.policy.name))
			abort();
		for (size_t r = 0; r < a.policy.n_rules; r++)
			for (size_t c = 0; c < a.policy.rules[r].n_clauses; c++)
				for (size_t m = 0; m < a.policy.rules[r].clauses[c].n_matches; m++)
					check_match(&a.policy.rules[r].clauses[c].matches[m]);
		if (a.selector &&
		    kzt_xds_authz_set_addrs(&a, addrs, 2, why, sizeof(why)) == ENOMEM)
			abort();
		if (!kzt_xds_policy_size(&a.policy, &size) && size > KZT_POLICY_SIZE_MAX &&
		    !a.selector)
			abort();		/* taken, but the kernel refuses it */
	}
	kzt_xds_authz_free(&a);
	if (ret == EINVAL) {
		ret = kzt_xds_authz_standin(z, &a, &inert);
		if (ret && ret != EINVAL)
			abort();
		kzt_xds_authz_free(&a);
	}
}

/* Decode @any as its type URL says, walk it, free it. */
static void walk_any(const Google__Protobuf__Any *any)
{
	if (!any)
		return;
	touch_str(any->type_url);
	if (!strcmp(any->type_url, "type.googleapis.com/istio.workload.Address")) {
		Istio__Workload__Address *a =
			istio__workload__address__unpack(NULL, any->value.len, any->value.data);

		if (a) {
			walk_address(a);
			istio__workload__address__free_unpacked(a, NULL);
		}
	} else if (!strcmp(any->type_url, "type.googleapis.com/istio.security.Authorization")) {
		Istio__Security__Authorization *z =
			istio__security__authorization__unpack(NULL, any->value.len,
							       any->value.data);

		if (z) {
			walk_authorization(z);
			map_authorization(z);
			istio__security__authorization__free_unpacked(z, NULL);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ProtobufCMessage *m = NULL;
	size_t i;

	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0: {
		Envoy__Service__Discovery__V3__DeltaDiscoveryResponse *r =
			envoy__service__discovery__v3__delta_discovery_response__unpack(
				NULL, size - 1, data + 1);

		if (!r)
			return 0;
		touch_str(r->type_url);
		touch_str(r->nonce);
		for (i = 0; i < r->n_removed_resources; i++)
			touch_str(r->removed_resources[i]);
		for (i = 0; i < r->n_resources; i++) {
			touch_str(r->resources[i]->name);
			touch_str(r->resources[i]->version);
			walk_any(r->resources[i]->resource);
		}
		m = &r->base;
		break;
	}
	case 1: {
		Istio__Workload__Address *a =
			istio__workload__address__unpack(NULL, size - 1, data + 1);

		if (!a)
			return 0;
		walk_address(a);
		m = &a->base;
		break;
	}
	case 2: {
		Istio__Security__Authorization *z =
			istio__security__authorization__unpack(NULL, size - 1, data + 1);

		if (!z)
			return 0;
		walk_authorization(z);
		map_authorization(z);
		m = &z->base;
		break;
	}
	}
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}
