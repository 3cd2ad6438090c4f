// SPDX-License-Identifier: GPL-2.0
/*
 * Apply files: YAML (libyaml's document loader) into plain structs, with
 * every value checked. The format is in Documentation/apply.rst. Nothing
 * here talks to the kernel.
 *
 * Anchors and aliases are refused: an alias makes one node appear in many
 * places, which no apply file needs and which would let a small file
 * expand into a huge one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "apply.h"
#include "names.h"
#include "parse.h"

#define PATH_MAX_LEN	256
#define MAP_KEYS_MAX	16	/* keys of the widest mapping of the format */

struct loader {
	yaml_document_t doc;
	const char *name;		/* the file, for messages */
	const char *trust_domain;	/* for namespace + serviceAccount */
	struct kzt_apply_file *f;
	char *err;
	size_t errlen;
};

/* Record where @node is; false when out of memory. */
static bool pos_set(struct kzt_apply_pos *pos, const yaml_node_t *node,
		    const char *path)
{
	pos->line = node->start_mark.line + 1;
	pos->col = node->start_mark.column + 1;
	pos->path = strdup(path);
	return pos->path != NULL;
}

static int fail(struct loader *l, const yaml_node_t *node, const char *path,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Write "FILE:LINE:COL: PATH: what" to the error buffer; EINVAL. */
static int fail(struct loader *l, const yaml_node_t *node, const char *path,
		const char *fmt, ...)
{
	size_t pos;
	va_list ap;
	int n;

	n = snprintf(l->err, l->errlen, "%s:%zu:%zu: %s%s", l->name,
		     node->start_mark.line + 1, node->start_mark.column + 1,
		     path, path[0] ? ": " : "");
	pos = n < 0 ? 0 : (size_t)n;
	if (pos < l->errlen) {
		va_start(ap, fmt);
		vsnprintf(l->err + pos, l->errlen - pos, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

static int oom(struct loader *l)
{
	snprintf(l->err, l->errlen, "%s: out of memory", l->name);
	return ENOMEM;
}

static yaml_node_t *node_at(struct loader *l, int id)
{
	return yaml_document_get_node(&l->doc, id);
}

/* Paths are as deep as the format, far below PATH_MAX_LEN; cut if not. */
static void path_key(char *out, const char *path, const char *key)
{
	if (snprintf(out, PATH_MAX_LEN, "%s%s%s", path, path[0] ? "." : "",
		     key) >= PATH_MAX_LEN)
		out[PATH_MAX_LEN - 1] = '\0';
}

static void path_index(char *out, const char *path, size_t i)
{
	if (snprintf(out, PATH_MAX_LEN, "%s[%zu]", path, i) >= PATH_MAX_LEN)
		out[PATH_MAX_LEN - 1] = '\0';
}

/* A plain empty, "~" or "null" scalar: the key is as good as absent. */
static bool is_null(const yaml_node_t *node)
{
	const char *v = (const char *)node->data.scalar.value;

	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !v[0] || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

/*
 * The value of each key of @keys in mapping @map (NULL when absent or
 * null). Unknown keys, non-scalar keys and a key given twice are errors.
 */
static int map_fields(struct loader *l, yaml_node_t *map, const char *path,
		      const char *const *keys, size_t nkeys,
		      yaml_node_t **vals)
{
	bool seen[MAP_KEYS_MAX] = { false };

	if (nkeys > MAP_KEYS_MAX)	/* a key table grew: raise MAP_KEYS_MAX */
		return fail(l, map, path, "internal error: %zu keys", nkeys);
	if (map->type != YAML_MAPPING_NODE)
		return fail(l, map, path, "expected a mapping (key: value)");
	for (size_t i = 0; i < nkeys; i++)
		vals[i] = NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(l, p->key), *v = node_at(l, p->value);
		const char *key;
		size_t i;

		if (!k || !v)
			return fail(l, map, path, "damaged document");
		if (k->type != YAML_SCALAR_NODE)
			return fail(l, k, path, "a key must be a plain word");
		key = (const char *)k->data.scalar.value;
		for (i = 0; i < nkeys; i++)
			if (!strcmp(key, keys[i]))
				break;
		if (i == nkeys) {
			char expected[256] = "";
			size_t pos = 0;

			for (size_t j = 0; j < nkeys && pos < sizeof(expected); j++)
				pos += snprintf(expected + pos, sizeof(expected) - pos,
						"%s%s", j ? ", " : "", keys[j]);
			return fail(l, k, path, "unknown key '%s' (expected %s)",
				    key, expected);
		}
		if (seen[i])
			return fail(l, k, path, "key '%s' given twice", key);
		seen[i] = true;
		vals[i] = is_null(v) ? NULL : v;
	}
	return 0;
}

#define MAP_FIELDS(l, map, path, keys, vals) \
	map_fields(l, map, path, keys, sizeof(keys) / sizeof(keys[0]), vals)

/* The text of a scalar, which must hold no NUL byte. */
static int scalar(struct loader *l, yaml_node_t *node, const char *path,
		  const char **s)
{
	if (node->type != YAML_SCALAR_NODE)
		return fail(l, node, path, "expected a single value");
	if (strlen((const char *)node->data.scalar.value) !=
	    node->data.scalar.length)
		return fail(l, node, path, "contains a NUL byte");
	*s = (const char *)node->data.scalar.value;
	return 0;
}

static int sequence(struct loader *l, yaml_node_t *node, const char *path,
		    yaml_node_item_t **items, size_t *n)
{
	*items = NULL;
	*n = 0;
	if (node->type != YAML_SEQUENCE_NODE)
		return fail(l, node, path, "expected a list");
	*items = node->data.sequence.items.start;
	*n = node->data.sequence.items.top - node->data.sequence.items.start;
	return 0;
}

static int alias_fail(struct loader *l, int id)
{
	yaml_node_t *node = node_at(l, id);

	if (!node)
		return fail(l, l->doc.nodes.start, "", "damaged document");
	return fail(l, node, "",
		    "this value is used again through an alias: anchors and aliases are not supported");
}

/* Every node is referenced once at most: no alias anywhere. */
static int check_no_alias(struct loader *l)
{
	size_t n = l->doc.nodes.top - l->doc.nodes.start;
	unsigned char *refs = calloc(n + 1, 1);
	int ret = 0;

	if (!refs)
		return oom(l);
	for (yaml_node_t *node = l->doc.nodes.start; node < l->doc.nodes.top; node++) {
		int ids[2];
		size_t nids;

		if (node->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *it = node->data.sequence.items.start;
			     it < node->data.sequence.items.top; it++) {
				if (*it < 1 || (size_t)*it > n || refs[*it]++) {
					ret = alias_fail(l, *it);
					goto out;
				}
			}
		} else if (node->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
			     p < node->data.mapping.pairs.top; p++) {
				ids[0] = p->key;
				ids[1] = p->value;
				for (nids = 0; nids < 2; nids++) {
					int id = ids[nids];

					if (id < 1 || (size_t)id > n || refs[id]++) {
						ret = alias_fail(l, id);
						goto out;
					}
				}
			}
		}
	}
out:
	free(refs);
	return ret;
}

/* ---- node ---- */

static int parse_node(struct loader *l, yaml_node_t *map, const char *path)
{
	static const char *const keys[] = {
		"trustDomain", "tunnelPort", "capture", "nonMesh",
		"handshakeTimeoutMs", "idleTimeoutSeconds",
		"keepaliveIdleSeconds", "keepaliveIntervalSeconds",
		"keepaliveProbes", "flowStatsIntervalSeconds",
	};
	struct kzt_config *cfg = &l->f->node;
	yaml_node_t *v[10];
	char p[PATH_MAX_LEN];
	const char *s, *msg;
	int ret;

	ret = MAP_FIELDS(l, map, path, keys, v);
	if (ret)
		return ret;
	if (v[0]) {
		path_key(p, path, keys[0]);
		if (scalar(l, v[0], p, &s))
			return EINVAL;
		msg = kzt_trust_domain_str_check(s);
		if (msg)
			return fail(l, v[0], p, "%s", msg);
		cfg->has_trust_domain = true;
		snprintf(cfg->trust_domain, sizeof(cfg->trust_domain), "%s", s);
	}
	if (v[1]) {
		path_key(p, path, keys[1]);
		if (scalar(l, v[1], p, &s))
			return EINVAL;
		if (kzt_parse_port(s, &cfg->tunnel_port))
			return fail(l, v[1], p, "'%s' is not a port (1..65535)", s);
		cfg->has_tunnel_port = true;
	}
	if (v[2]) {
		path_key(p, path, keys[2]);
		if (scalar(l, v[2], p, &s))
			return EINVAL;
		if (kzt_parse_bool(s, &cfg->capture))
			return fail(l, v[2], p, "'%s' is not true or false", s);
		cfg->has_capture = true;
	}
	if (v[3]) {
		path_key(p, path, keys[3]);
		if (scalar(l, v[3], p, &s))
			return EINVAL;
		if (kzt_nonmesh_parse(s, &cfg->nonmesh))
			return fail(l, v[3], p, "'%s' is not deny or passthrough", s);
		cfg->has_nonmesh = true;
	}
	if (v[4]) {
		path_key(p, path, keys[4]);
		if (scalar(l, v[4], p, &s))
			return EINVAL;
		if (kzt_parse_handshake_timeout(s, &cfg->handshake_timeout_ms, &msg))
			return fail(l, v[4], p, "'%s' is %s", s, msg);
		cfg->has_handshake_timeout_ms = true;
	}
	if (v[5]) {
		path_key(p, path, keys[5]);
		if (scalar(l, v[5], p, &s))
			return EINVAL;
		if (kzt_parse_idle_timeout(s, &cfg->idle_timeout_s, &msg))
			return fail(l, v[5], p, "'%s' is %s", s, msg);
		cfg->has_idle_timeout_s = true;
	}
	if (v[6]) {
		path_key(p, path, keys[6]);
		if (scalar(l, v[6], p, &s))
			return EINVAL;
		if (kzt_parse_keepalive_idle(s, &cfg->keepalive_idle_s, &msg))
			return fail(l, v[6], p, "'%s' is %s", s, msg);
		cfg->has_keepalive_idle_s = true;
	}
	if (v[7]) {
		path_key(p, path, keys[7]);
		if (scalar(l, v[7], p, &s))
			return EINVAL;
		if (kzt_parse_keepalive_interval(s, &cfg->keepalive_interval_s,
						 &msg))
			return fail(l, v[7], p, "'%s' is %s", s, msg);
		cfg->has_keepalive_interval_s = true;
	}
	if (v[8]) {
		path_key(p, path, keys[8]);
		if (scalar(l, v[8], p, &s))
			return EINVAL;
		if (kzt_parse_keepalive_probes(s, &cfg->keepalive_probes, &msg))
			return fail(l, v[8], p, "'%s' is %s", s, msg);
		cfg->has_keepalive_probes = true;
	}
	if (v[9]) {
		path_key(p, path, keys[9]);
		if (scalar(l, v[9], p, &s))
			return EINVAL;
		if (kzt_parse_flow_stats_interval(s, &cfg->flow_stats_interval_s,
						  &msg))
			return fail(l, v[9], p, "'%s' is %s", s, msg);
		cfg->has_flow_stats_interval_s = true;
	}
	return 0;
}

/* ---- workloads ---- */

/* What one workload entry says, before it becomes one entry per address. */
struct workload_spec {
	char *id;
	uint8_t protocol;
	bool has_node;
	struct in6_addr node;
	char ifname[IF_NAMESIZE];
	struct kzt_apply_pos iface;
};

static int spec_identity(struct loader *l, yaml_node_t *entry,
			 const char *path, yaml_node_t **v,
			 struct workload_spec *ws)
{
	/* v: identity, namespace, serviceAccount, trustDomain */
	const char *id = NULL, *ns = NULL, *sa = NULL, *td = l->trust_domain;
	char p[PATH_MAX_LEN];
	const char *msg;

	if (v[0]) {
		path_key(p, path, "identity");
		if (scalar(l, v[0], p, &id))
			return EINVAL;
		if (v[1] || v[2] || v[3])
			return fail(l, v[0], p,
				    "give identity, or namespace and serviceAccount, not both");
		msg = kzt_spiffe_id_check(id);
		if (msg)
			return fail(l, v[0], p, "%s", msg);
		ws->id = strdup(id);
		return ws->id ? 0 : oom(l);
	}
	if (!v[1] && !v[2]) {
		if (v[3])
			return fail(l, v[3], path,
				    "trustDomain needs namespace and serviceAccount");
		if (ws->protocol == KZT_PROTO_PLAINTEXT ||
		    ws->protocol == KZT_PROTO_REFUSED)
			return 0;
		return fail(l, entry, path,
			    "identity (or namespace and serviceAccount) is needed for a kzt workload");
	}
	if (!v[1] || !v[2])
		return fail(l, v[1] ? v[1] : v[2], path,
			    "namespace and serviceAccount go together");
	path_key(p, path, "namespace");
	if (scalar(l, v[1], p, &ns))
		return EINVAL;
	msg = kzt_namespace_check(ns);
	if (msg)
		return fail(l, v[1], p, "%s", msg);
	path_key(p, path, "serviceAccount");
	if (scalar(l, v[2], p, &sa))
		return EINVAL;
	if (v[3]) {
		path_key(p, path, "trustDomain");
		if (scalar(l, v[3], p, &td))
			return EINVAL;
		msg = kzt_trust_domain_str_check(td);
		if (msg)
			return fail(l, v[3], p, "%s", msg);
	}
	if (!v[3] && !l->f->node.has_trust_domain)
		l->f->used_live_trust_domain = true;
	if (asprintf(&ws->id, "spiffe://%s/ns/%s/sa/%s", td, ns, sa) < 0) {
		ws->id = NULL;
		return oom(l);
	}
	msg = kzt_spiffe_id_check(ws->id);
	if (msg) {
		path_key(p, path, "serviceAccount");
		return fail(l, v[2], p, "%s makes no valid SPIFFE ID: %s",
			    sa, msg);
	}
	return 0;
}

static int spec_location(struct loader *l, yaml_node_t *entry,
			 const char *path, yaml_node_t *node_ip,
			 yaml_node_t *iface, struct workload_spec *ws)
{
	char p[PATH_MAX_LEN];
	const char *s;

	if (!node_ip == !iface)
		return fail(l, node_ip ? node_ip : entry, path,
			    "give exactly one of nodeIp (remote) and interface (local)");
	if (node_ip) {
		path_key(p, path, "nodeIp");
		if (scalar(l, node_ip, p, &s))
			return EINVAL;
		if (kzt_addr_parse(s, &ws->node))
			return fail(l, node_ip, p, "'%s' is not an IP address", s);
		ws->has_node = true;
		return 0;
	}
	path_key(p, path, "interface");
	if (scalar(l, iface, p, &s))
		return EINVAL;
	if (!s[0] || strlen(s) >= IF_NAMESIZE || strchr(s, '/') ||
	    strpbrk(s, " \t\n:"))
		return fail(l, iface, p, "'%s' is not an interface name", s);
	snprintf(ws->ifname, sizeof(ws->ifname), "%s", s);
	return pos_set(&ws->iface, iface, p) ? 0 : oom(l);
}

static int push_workload(struct loader *l, const struct workload_spec *ws,
			 const struct in6_addr *addr, yaml_node_t *node,
			 const char *path)
{
	struct kzt_apply_file *f = l->f;
	struct kzt_apply_origin *o;
	struct kzt_workload w = {
		.addr = *addr,
		.protocol = ws->protocol,
		.has_node = ws->has_node,
		.node = ws->node,
	};

	if (f->workloads.n >= KZT_WORKLOADS_MAX)
		return fail(l, node, path, "more than %d workload addresses",
			    KZT_WORKLOADS_MAX);
	o = realloc(f->origins, (f->workloads.n + 1) * sizeof(*o));
	if (!o)
		return oom(l);
	f->origins = o;
	o += f->workloads.n;
	memset(o, 0, sizeof(*o));
	if (ws->id) {
		w.id = strdup(ws->id);
		if (!w.id)
			return oom(l);
	}
	o->iface = ws->iface;
	if (ws->iface.path)
		o->iface.path = strdup(ws->iface.path);
	if (!pos_set(&o->addr, node, path) ||
	    (ws->iface.path && !o->iface.path) ||
	    kzt_workloads_push(&f->workloads, &w)) {
		free(o->addr.path);
		free(o->iface.path);
		memset(o, 0, sizeof(*o));
		kzt_workload_free(&w);
		return oom(l);
	}
	snprintf(o->ifname, sizeof(o->ifname), "%s", ws->ifname);
	return 0;
}

static int parse_workload(struct loader *l, yaml_node_t *entry,
			  const char *path)
{
	static const char *const keys[] = {
		"name", "workloadIps", "identity", "namespace",
		"serviceAccount", "trustDomain", "protocol", "nodeIp",
		"interface",
	};
	struct workload_spec ws = { .protocol = KZT_PROTO_KZT1 };
	yaml_node_t *v[9];
	yaml_node_item_t *ips;
	char p[PATH_MAX_LEN], pi[PATH_MAX_LEN];
	const char *s;
	size_t n;
	int ret;

	ret = MAP_FIELDS(l, entry, path, keys, v);
	if (ret)
		return ret;
	if (v[0]) {
		path_key(p, path, "name");
		ret = scalar(l, v[0], p, &s);
		if (ret)
			return ret;
	}
	if (v[6]) {
		path_key(p, path, "protocol");
		ret = scalar(l, v[6], p, &s);
		if (ret)
			return ret;
		if (kzt_proto_parse(s, &ws.protocol))
			return fail(l, v[6], p, "'%s' is not kzt, plaintext or refused", s);
	}
	ret = spec_identity(l, entry, path, v + 2, &ws);
	if (!ret)
		ret = spec_location(l, entry, path, v[7], v[8], &ws);
	if (ret)
		goto out;

	path_key(p, path, "workloadIps");
	if (!v[1]) {
		ret = fail(l, entry, path, "workloadIps is needed");
		goto out;
	}
	ret = sequence(l, v[1], p, &ips, &n);
	if (ret)
		goto out;
	if (!n) {
		ret = fail(l, v[1], p, "at least one address is needed");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *ip = node_at(l, ips[i]);
		struct in6_addr addr;

		path_index(pi, p, i);
		ret = scalar(l, ip, pi, &s);
		if (ret)
			goto out;
		if (kzt_addr_parse(s, &addr)) {
			ret = fail(l, ip, pi, "'%s' is not an IP address", s);
			goto out;
		}
		ret = push_workload(l, &ws, &addr, ip, pi);
		if (ret)
			goto out;
	}
out:
	free(ws.id);
	free(ws.iface.path);
	return ret;
}

/* ---- policies ---- */

/* One scalar of a value list, at @path; returns 0 or what fail()/oom() do. */
typedef int (*value_fn)(struct loader *l, yaml_node_t *item, const char *path,
			const char *s, void *out);

/* A YAML list of at most @max scalars, each handed to @fn with its path. */
static int parse_values(struct loader *l, yaml_node_t *node, const char *path,
			size_t max, value_fn fn, void *out)
{
	char p[PATH_MAX_LEN];
	yaml_node_item_t *items;
	const char *s;
	size_t n;
	int ret;

	ret = sequence(l, node, path, &items, &n);
	if (ret)
		return ret;
	if (n > max)
		return fail(l, node, path, "more than %zu values", max);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = node_at(l, items[i]);

		path_index(p, path, i);
		ret = scalar(l, item, p, &s);
		if (!ret)
			ret = fn(l, item, p, s, out);
		if (ret)
			return ret;
	}
	return 0;
}

struct str_values {
	const char *(*check)(const char *);
	struct kzt_strs *strs;
};

static int str_value(struct loader *l, yaml_node_t *item, const char *path,
		     const char *s, void *out)
{
	struct str_values *v = out;
	const char *msg = v->check(s);

	if (msg)
		return fail(l, item, path, "%s", msg);
	return kzt_strs_push(v->strs, s, strlen(s)) ? oom(l) : 0;
}

static int parse_strs(struct loader *l, yaml_node_t *node, const char *path,
		      const char *(*check)(const char *), struct kzt_strs *out)
{
	struct str_values v = { .check = check, .strs = out };

	return parse_values(l, node, path, KZT_RULE_VALUES_MAX, str_value, &v);
}

static int cidr_value(struct loader *l, yaml_node_t *item, const char *path,
		      const char *s, void *out)
{
	struct kzt_cidr c;
	int ret;

	ret = kzt_cidr_parse(s, &c);
	if (ret == EDOM)
		return fail(l, item, path,
			    "'%s' has host bits set below the prefix", s);
	if (ret)
		return fail(l, item, path, "'%s' is not an IP block (ADDR/LEN)", s);
	return kzt_cidrs_push(out, &c) ? oom(l) : 0;
}

static int parse_cidrs(struct loader *l, yaml_node_t *node, const char *path,
		       struct kzt_cidrs *out)
{
	return parse_values(l, node, path, KZT_RULE_VALUES_MAX, cidr_value, out);
}

static int port_value(struct loader *l, yaml_node_t *item, const char *path,
		      const char *s, void *out)
{
	uint16_t port;

	if (kzt_parse_port(s, &port))
		return fail(l, item, path, "'%s' is not a port (1..65535)", s);
	return kzt_ports_push(out, port) ? oom(l) : 0;
}

static int parse_ports(struct loader *l, yaml_node_t *node, const char *path,
		       struct kzt_ports *out)
{
	return parse_values(l, node, path, KZT_RULE_VALUES_MAX, port_value, out);
}

/* One entry of "from": {source: {principals: [...], ...}}. */
static int parse_source(struct loader *l, yaml_node_t *node, const char *path,
			struct kzt_rule *r)
{
	static const char *const outer[] = { "source" };
	static const char *const keys[] = {
		"principals", "notPrincipals", "namespaces", "notNamespaces",
		"ipBlocks", "notIpBlocks",
	};
	yaml_node_t *src, *v[6];
	char sp[PATH_MAX_LEN], p[PATH_MAX_LEN];
	int ret;

	ret = MAP_FIELDS(l, node, path, outer, &src);
	if (ret)
		return ret;
	if (!src)
		return fail(l, node, path, "source is needed");
	path_key(sp, path, "source");
	ret = MAP_FIELDS(l, src, sp, keys, v);
	if (ret)
		return ret;
#define FIELD(i, fn, ...) \
	do { \
		if (v[i]) { \
			path_key(p, sp, keys[i]); \
			ret = fn(l, v[i], p, __VA_ARGS__); \
			if (ret) \
				return ret; \
		} \
	} while (0)
	FIELD(0, parse_strs, kzt_principal_check, &r->principals);
	FIELD(1, parse_strs, kzt_principal_check, &r->not_principals);
	FIELD(2, parse_strs, kzt_ns_match_check, &r->namespaces);
	FIELD(3, parse_strs, kzt_ns_match_check, &r->not_namespaces);
	FIELD(4, parse_cidrs, &r->ip_blocks);
	FIELD(5, parse_cidrs, &r->not_ip_blocks);
	return 0;
}

/* One entry of "to": {operation: {ports: [...], notPorts: [...]}}. */
static int parse_operation(struct loader *l, yaml_node_t *node,
			   const char *path, struct kzt_rule *r)
{
	static const char *const outer[] = { "operation" };
	static const char *const keys[] = { "ports", "notPorts" };
	yaml_node_t *op, *v[2];
	char sp[PATH_MAX_LEN], p[PATH_MAX_LEN];
	int ret;

	ret = MAP_FIELDS(l, node, path, outer, &op);
	if (ret)
		return ret;
	if (!op)
		return fail(l, node, path, "operation is needed");
	path_key(sp, path, "operation");
	ret = MAP_FIELDS(l, op, sp, keys, v);
	if (ret)
		return ret;
	FIELD(0, parse_ports, &r->ports);
	FIELD(1, parse_ports, &r->not_ports);
#undef FIELD
	return 0;
}

static int strs_append(struct kzt_strs *dst, const struct kzt_strs *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (kzt_strs_push(dst, src->v[i], strlen(src->v[i])))
			return ENOMEM;
	return 0;
}

static int cidrs_append(struct kzt_cidrs *dst, const struct kzt_cidrs *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (kzt_cidrs_push(dst, &src->v[i]))
			return ENOMEM;
	return 0;
}

static int ports_append(struct kzt_ports *dst, const struct kzt_ports *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (kzt_ports_push(dst, src->v[i]))
			return ENOMEM;
	return 0;
}

/* @dst gets the fields of @src added (one source or one operation). */
static int rule_merge(struct kzt_rule *dst, const struct kzt_rule *src)
{
	return strs_append(&dst->principals, &src->principals) ||
	       strs_append(&dst->not_principals, &src->not_principals) ||
	       strs_append(&dst->namespaces, &src->namespaces) ||
	       strs_append(&dst->not_namespaces, &src->not_namespaces) ||
	       cidrs_append(&dst->ip_blocks, &src->ip_blocks) ||
	       cidrs_append(&dst->not_ip_blocks, &src->not_ip_blocks) ||
	       ports_append(&dst->ports, &src->ports) ||
	       ports_append(&dst->not_ports, &src->not_ports) ? ENOMEM : 0;
}

static void rules_free(struct kzt_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kzt_rule_free(&r[i]);
	free(r);
}

static bool rule_is_empty(const struct kzt_rule *r)
{
	return !(r->principals.n || r->not_principals.n || r->namespaces.n ||
		 r->not_namespaces.n || r->ip_blocks.n || r->not_ip_blocks.n ||
		 r->ports.n || r->not_ports.n);
}

/*
 * A clause of @r with a match per entry of @list (sources or operations,
 * OR). None when @list is empty or an entry has no field: the side then
 * matches all, as a missing from or to does.
 */
static int clause_add(struct kzt_rule *r, const struct kzt_rule *list, size_t n)
{
	struct kzt_clause *c;
	struct kzt_rule *m;

	for (size_t i = 0; i < n; i++)
		if (rule_is_empty(&list[i]))
			return 0;
	if (!n)
		return 0;
	c = kzt_rule_clause_add(r);
	if (!c)
		return ENOMEM;
	for (size_t i = 0; i < n; i++) {
		m = kzt_clause_match_add(c);
		if (!m || rule_merge(m, &list[i]))
			return ENOMEM;
	}
	return 0;
}

/*
 * An Istio rule: sources (from, OR) and operations (to, OR), both must
 * match. With at most one of each, one rule of the short form holds the
 * fields of both; else a rule of two clauses, one for each side
 * (Documentation/policy.rst), as istiod sends ztunnel.
 */
static int parse_rule(struct loader *l, yaml_node_t *node, const char *path,
		      const char *policy_path, yaml_node_t *policy_node,
		      struct kzt_policy *pol)
{
	static const char *const keys[] = { "from", "to" };
	struct kzt_rule *src = NULL, *ops = NULL, *r;
	size_t nsrc = 0, nops = 0, nfrom, nto;
	yaml_node_item_t *items;
	yaml_node_t *v[2];
	char p[PATH_MAX_LEN], pi[PATH_MAX_LEN];
	int ret;

	ret = MAP_FIELDS(l, node, path, keys, v);
	if (ret)
		return ret;
	if (v[0]) {
		path_key(p, path, "from");
		ret = sequence(l, v[0], p, &items, &nfrom);
		if (ret)
			return ret;
		if (nfrom > KZT_CLAUSE_MATCHES_MAX) {
			ret = fail(l, v[0], p, "more than %d sources",
				   KZT_CLAUSE_MATCHES_MAX);
			goto out;
		}
		src = calloc(nfrom ? nfrom : 1, sizeof(*src));
		if (!src)
			return oom(l);
		for (; nsrc < nfrom; nsrc++) {
			path_index(pi, p, nsrc);
			ret = parse_source(l, node_at(l, items[nsrc]), pi, &src[nsrc]);
			if (ret) {
				nsrc++;
				goto out;
			}
		}
	}
	if (v[1]) {
		path_key(p, path, "to");
		ret = sequence(l, v[1], p, &items, &nto);
		if (ret)
			goto out;
		if (nto > KZT_CLAUSE_MATCHES_MAX) {
			ret = fail(l, v[1], p, "more than %d operations",
				   KZT_CLAUSE_MATCHES_MAX);
			goto out;
		}
		ops = calloc(nto ? nto : 1, sizeof(*ops));
		if (!ops) {
			ret = oom(l);
			goto out;
		}
		for (; nops < nto; nops++) {
			path_index(pi, p, nops);
			ret = parse_operation(l, node_at(l, items[nops]), pi, &ops[nops]);
			if (ret) {
				nops++;
				goto out;
			}
		}
	}

	if (pol->n_rules >= KZT_POLICY_RULES_MAX) {
		ret = fail(l, policy_node, policy_path,
			   "policy %s has more than %d rules", pol->name,
			   KZT_POLICY_RULES_MAX);
		goto out;
	}
	r = kzt_policy_rule_add(pol);
	if (!r)
		ret = ENOMEM;
	else if (nsrc <= 1 && nops <= 1)
		ret = (nsrc && rule_merge(r, &src[0])) ||
		      (nops && rule_merge(r, &ops[0])) ? ENOMEM : 0;
	else
		ret = clause_add(r, src, nsrc) ?: clause_add(r, ops, nops);
	if (ret)
		ret = oom(l);
out:
	rules_free(src, nsrc);
	rules_free(ops, nops);
	return ret;
}

static int parse_policy_scope(struct loader *l, yaml_node_t *entry,
			      const char *path, yaml_node_t **v,
			      struct kzt_policy *pol, const char *ns)
{
	/* v: scope, workloads */
	char p[PATH_MAX_LEN];
	const char *s;
	int ret;

	pol->scope = KZT_SCOPE_NAMESPACE;
	if (v[0]) {
		path_key(p, path, "scope");
		if (scalar(l, v[0], p, &s))
			return EINVAL;
		/*
		 * Scope addresses is kztd's form of Istio's workload
		 * selectors, made from istiod's data; a file names its
		 * workloads by ID.
		 */
		if (kzt_scope_parse(s, &pol->scope) ||
		    pol->scope == KZT_SCOPE_ADDRESSES)
			return fail(l, v[0], p,
				    "'%s' is not global, namespace or workloads", s);
	}
	if (!ns && pol->scope != KZT_SCOPE_GLOBAL)
		return fail(l, entry, path, "namespace is needed (unless scope is global)");
	if (pol->scope == KZT_SCOPE_NAMESPACE) {
		pol->ns = strdup(ns);
		if (!pol->ns)
			return oom(l);
	}
	path_key(p, path, "workloads");
	if (pol->scope != KZT_SCOPE_WORKLOADS) {
		if (v[1])
			return fail(l, v[1], p, "only for scope workloads");
		return 0;
	}
	if (!v[1])
		return fail(l, entry, path, "scope workloads needs a workloads list");
	/* Scope IDs have their own limit, larger than a rule field's. */
	ret = parse_values(l, v[1], p, KZT_SCOPE_IDS_MAX, str_value,
			   &(struct str_values){ kzt_spiffe_id_check, &pol->scope_ids });
	if (ret)
		return ret;
	if (!pol->scope_ids.n)
		return fail(l, v[1], p, "at least one SPIFFE ID is needed");
	return 0;
}

static int parse_policy(struct loader *l, yaml_node_t *entry,
			const char *path, struct kzt_policy *pol)
{
	static const char *const keys[] = {
		"name", "namespace", "scope", "workloads", "action", "rules",
		"dryRun",
	};
	yaml_node_t *v[7];
	yaml_node_item_t *items;
	char p[PATH_MAX_LEN], pi[PATH_MAX_LEN];
	const char *name, *ns = NULL, *s, *msg;
	size_t n;
	int ret;

	ret = MAP_FIELDS(l, entry, path, keys, v);
	if (ret)
		return ret;
	if (!v[0])
		return fail(l, entry, path, "name is needed");
	path_key(p, path, "name");
	if (scalar(l, v[0], p, &name))
		return EINVAL;
	if (strchr(name, '/'))
		return fail(l, v[0], p, "a name has no '/' (the namespace is its own key)");
	if (v[1]) {
		path_key(p, path, "namespace");
		if (scalar(l, v[1], p, &ns))
			return EINVAL;
		msg = kzt_namespace_check(ns);
		if (msg)
			return fail(l, v[1], p, "%s", msg);
	}
	if (asprintf(&pol->name, "%s%s%s", ns ? ns : "", ns ? "/" : "", name) < 0) {
		pol->name = NULL;
		return oom(l);
	}
	path_key(p, path, "name");
	msg = kzt_policy_name_check(pol->name);
	if (msg)
		return fail(l, v[0], p, "policy name '%s': %s", pol->name, msg);

	ret = parse_policy_scope(l, entry, path, v + 2, pol, ns);
	if (ret)
		return ret;

	pol->action = KZT_ACTION_ALLOW;	/* Istio's default */
	if (v[4]) {
		path_key(p, path, "action");
		if (scalar(l, v[4], p, &s))
			return EINVAL;
		if (kzt_action_parse(s, &pol->action)) {
			if (!strcmp(s, "ALLOW"))
				pol->action = KZT_ACTION_ALLOW;
			else if (!strcmp(s, "DENY"))
				pol->action = KZT_ACTION_DENY;
			else
				return fail(l, v[4], p, "'%s' is not allow or deny", s);
		}
	}
	if (v[6]) {
		path_key(p, path, "dryRun");
		if (scalar(l, v[6], p, &s))
			return EINVAL;
		if (kzt_parse_bool(s, &pol->dry_run))
			return fail(l, v[6], p, "'%s' is not true or false", s);
	}
	if (!v[5])
		return 0;
	path_key(p, path, "rules");
	ret = sequence(l, v[5], p, &items, &n);
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		path_index(pi, p, i);
		ret = parse_rule(l, node_at(l, items[i]), pi, path, entry, pol);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- duplicates ---- */

struct dup_key {
	size_t index;
	const void *obj;
};

static int addr_key_cmp(const void *a, const void *b)
{
	const struct dup_key *ka = a, *kb = b;
	int c = kzt_addr_cmp(ka->obj, kb->obj);

	return c ? c : (ka->index > kb->index) - (ka->index < kb->index);
}

static int name_key_cmp(const void *a, const void *b)
{
	const struct dup_key *ka = a, *kb = b;
	int c = strcmp(ka->obj, kb->obj);

	return c ? c : (ka->index > kb->index) - (ka->index < kb->index);
}

/*
 * The first entry (in file order) whose key an earlier entry has: sets
 * *@dup to it and *@first to the earliest entry with the same key.
 */
static bool find_dup(struct dup_key *keys, size_t n,
		     int (*cmp)(const void *, const void *),
		     size_t *dup, size_t *first)
{
	size_t run = 0;
	bool found = false;

	qsort(keys, n, sizeof(*keys), cmp);
	for (size_t i = 1; i < n; i++) {
		struct dup_key a = keys[run], b = keys[i];

		a.index = b.index = 0;	/* compare the keys alone */
		if (cmp(&a, &b)) {
			run = i;
			continue;
		}
		if (!found || keys[i].index < *dup) {
			*dup = keys[i].index;
			*first = keys[run].index;
			found = true;
		}
	}
	return found;
}

static int fail_pos(struct loader *l, const struct kzt_apply_pos *pos,
		    const struct kzt_apply_pos *first, const char *what,
		    const char *key)
{
	snprintf(l->err, l->errlen,
		 "%s:%zu:%zu: %s: %s %s given twice (first at %s, line %zu)",
		 l->name, pos->line, pos->col, pos->path, what, key,
		 first->path, first->line);
	return EINVAL;
}

static int check_dups(struct loader *l)
{
	struct kzt_apply_file *f = l->f;
	size_t n = f->workloads.n > f->policies.n ? f->workloads.n : f->policies.n;
	struct dup_key *keys = calloc(n ? n : 1, sizeof(*keys));
	char a[KZT_ADDR_STRLEN];
	size_t dup, first;
	int ret = 0;

	if (!keys)
		return oom(l);
	for (size_t i = 0; i < f->workloads.n; i++)
		keys[i] = (struct dup_key){ i, &f->workloads.v[i].addr };
	if (find_dup(keys, f->workloads.n, addr_key_cmp, &dup, &first)) {
		ret = fail_pos(l, &f->origins[dup].addr, &f->origins[first].addr,
			       "address",
			       kzt_addr_str(&f->workloads.v[dup].addr, a, sizeof(a)));
		goto out;
	}
	for (size_t i = 0; i < f->policies.n; i++)
		keys[i] = (struct dup_key){ i, f->policies.v[i].name };
	if (find_dup(keys, f->policies.n, name_key_cmp, &dup, &first))
		ret = fail_pos(l, &f->policy_pos[dup], &f->policy_pos[first],
			       "policy", f->policies.v[dup].name);
out:
	free(keys);
	return ret;
}

/* ---- the file ---- */

static int parse_workloads(struct loader *l, yaml_node_t *node)
{
	yaml_node_item_t *items;
	char p[PATH_MAX_LEN];
	size_t n;
	int ret;

	ret = sequence(l, node, "workloads", &items, &n);
	for (size_t i = 0; !ret && i < n; i++) {
		path_index(p, "workloads", i);
		ret = parse_workload(l, node_at(l, items[i]), p);
	}
	return ret;
}

static int parse_policies(struct loader *l, yaml_node_t *node)
{
	struct kzt_apply_file *f = l->f;
	yaml_node_item_t *items;
	char p[PATH_MAX_LEN];
	size_t n;
	int ret;

	ret = sequence(l, node, "policies", &items, &n);
	if (ret)
		return ret;
	if (n > KZT_POLICIES_MAX)
		return fail(l, node, "policies", "more than %d policies",
			    KZT_POLICIES_MAX);
	f->policy_pos = calloc(n ? n : 1, sizeof(*f->policy_pos));
	if (!f->policy_pos)
		return oom(l);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *entry = node_at(l, items[i]);
		struct kzt_policy pol = { 0 };

		path_index(p, "policies", i);
		ret = parse_policy(l, entry, p, &pol);
		if (!ret && kzt_policies_push(&f->policies, &pol))
			ret = oom(l);
		if (!ret && !pos_set(&f->policy_pos[i], entry, p))
			ret = oom(l);
		kzt_policy_free(&pol);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_root(struct loader *l)
{
	static const char *const keys[] = { "node", "workloads", "policies" };
	yaml_node_t *root = yaml_document_get_root_node(&l->doc);
	yaml_node_t *v[3];
	int ret;

	if (!root || is_null(root))
		return 0;	/* an empty file: no entries */
	ret = check_no_alias(l);
	if (!ret)
		ret = MAP_FIELDS(l, root, "", keys, v);
	if (!ret && v[0])
		ret = parse_node(l, v[0], "node");
	if (ret)
		return ret;
	/* Workload identities built from namespace + serviceAccount. */
	if (l->f->node.has_trust_domain)
		l->trust_domain = l->f->node.trust_domain;
	if (v[1])
		ret = parse_workloads(l, v[1]);
	if (!ret && v[2])
		ret = parse_policies(l, v[2]);
	if (!ret)
		ret = check_dups(l);
	return ret;
}

static int yaml_fail(struct loader *l, const yaml_parser_t *parser)
{
	const yaml_mark_t *mark = parser->problem ? &parser->problem_mark :
						    &parser->context_mark;

	if (parser->error == YAML_MEMORY_ERROR)
		return oom(l);
	snprintf(l->err, l->errlen, "%s:%zu:%zu: not valid YAML: %s%s%s",
		 l->name, mark->line + 1, mark->column + 1,
		 parser->problem ? parser->problem : "error",
		 parser->context ? " " : "",
		 parser->context ? parser->context : "");
	return EINVAL;
}

/**
 * kzt_apply_parse() - load an apply file from memory
 * @buf:               the YAML text
 * @len:               its length
 * @name:              the file name, for messages
 * @live_trust_domain: the trust domain of workloads given as namespace +
 *                     serviceAccount when the file's node section has none
 *                     (NULL: KZT_DEFAULT_TRUST_DOMAIN)
 * @f:                 filled on success; free with kzt_apply_free()
 * @errbuf:            on failure, "FILE:LINE:COL: PATH: what is wrong"
 * @errlen:            size of @errbuf
 *
 * Every value is checked as the kernel would check it, and duplicate
 * addresses and policy names are refused. Interface names are kept as
 * names: kzt_apply_resolve() turns them into ifindexes.
 *
 * @retval 0      @f holds the file
 * @retval EINVAL the file is wrong (@errbuf says where and why)
 * @retval ENOMEM out of memory
 */
int kzt_apply_parse(const char *buf, size_t len, const char *name,
		    const char *live_trust_domain, struct kzt_apply_file *f,
		    char *errbuf, size_t errlen)
{
	struct loader l = {
		.name = name,
		.trust_domain = live_trust_domain ? live_trust_domain :
				KZT_DEFAULT_TRUST_DOMAIN,
		.f = f,
		.err = errbuf,
		.errlen = errlen,
	};
	yaml_document_t extra;
	yaml_parser_t parser;
	int ret;

	memset(f, 0, sizeof(*f));
	if (errlen)
		errbuf[0] = '\0';
	f->name = strdup(name);
	if (!f->name || !yaml_parser_initialize(&parser)) {
		free(f->name);
		f->name = NULL;
		return oom(&l);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &l.doc)) {
		ret = yaml_fail(&l, &parser);
		yaml_parser_delete(&parser);
		kzt_apply_free(f);
		return ret;
	}
	ret = parse_root(&l);
	if (!ret) {
		/* A second document would be silently ignored: refuse it. */
		if (!yaml_parser_load(&parser, &extra)) {
			ret = yaml_fail(&l, &parser);
		} else {
			if (yaml_document_get_root_node(&extra))
				ret = fail(&l, yaml_document_get_root_node(&extra),
					   "", "only one YAML document is supported");
			yaml_document_delete(&extra);
		}
	}
	yaml_document_delete(&l.doc);
	yaml_parser_delete(&parser);
	if (ret)
		kzt_apply_free(f);
	return ret;
}

/**
 * kzt_apply_read() - read a whole apply file ("-" is stdin) into memory
 * @path:   the file
 * @bufp:   the contents, on success; free() it
 * @lenp:   their length
 * @errbuf: "FILE: strerror" on failure
 * @errlen: size of @errbuf
 *
 * @retval 0     read
 * @retval other errno of opening or reading it
 */
int kzt_apply_read(const char *path, char **bufp, size_t *lenp, char *errbuf,
		   size_t errlen)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "re") : stdin;
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *b;
	int ret = 0;

	if (!in) {
		ret = errno;
		snprintf(errbuf, errlen, "%s: %s", path, strerror(ret));
		return ret;
	}
	do {
		if (cap - len < 65536) {
			b = realloc(buf, cap + 65536);
			if (!b) {
				ret = ENOMEM;
				break;
			}
			buf = b;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len, in);
		len += n;
	} while (n);
	if (!ret && ferror(in))
		ret = EIO;
	if (in != stdin)
		fclose(in);
	if (ret) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(ret));
		free(buf);
		return ret;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/**
 * kzt_apply_load() - kzt_apply_read() then kzt_apply_parse()
 * @path:              the file
 * @live_trust_domain: as for kzt_apply_parse()
 * @f:                 filled on success; free with kzt_apply_free()
 * @errbuf:            the problem, on failure
 * @errlen:            size of @errbuf
 *
 * @retval 0      @f holds the file
 * @retval EINVAL the file is wrong
 * @retval other  errno of reading it (@errbuf says so)
 */
int kzt_apply_load(const char *path, const char *live_trust_domain,
		   struct kzt_apply_file *f, char *errbuf, size_t errlen)
{
	char *buf;
	size_t len;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = kzt_apply_read(path, &buf, &len, errbuf, errlen);
	if (ret)
		return ret;
	ret = kzt_apply_parse(buf, len, path, live_trust_domain, f, errbuf,
			      errlen);
	free(buf);
	return ret;
}

/**
 * kzt_apply_resolve() - turn the interface names of @f into ifindexes
 * @f:      a loaded file
 * @errbuf: on failure, "FILE:LINE:COL: PATH: no such interface 'NAME'"
 * @errlen: size of @errbuf
 *
 * Names are looked up in the netns of the caller, which is the netns the
 * kernel looks the ifindex up in.
 *
 * @retval 0      every local workload has its ifindex
 * @retval ENODEV an interface does not exist
 */
int kzt_apply_resolve(struct kzt_apply_file *f, char *errbuf, size_t errlen)
{
	for (size_t i = 0; i < f->workloads.n; i++) {
		const struct kzt_apply_origin *o = &f->origins[i];
		unsigned int ifindex;

		if (!o->ifname[0])
			continue;
		ifindex = if_nametoindex(o->ifname);
		if (!ifindex) {
			snprintf(errbuf, errlen,
				 "%s:%zu:%zu: %s: no such interface '%s' in this network namespace",
				 f->name, o->iface.line, o->iface.col,
				 o->iface.path, o->ifname);
			return ENODEV;
		}
		f->workloads.v[i].ifindex = ifindex;
	}
	return 0;
}

void kzt_apply_free(struct kzt_apply_file *f)
{
	for (size_t i = 0; f->origins && i < f->workloads.n; i++) {
		free(f->origins[i].addr.path);
		free(f->origins[i].iface.path);
	}
	for (size_t i = 0; f->policy_pos && i < f->policies.n; i++)
		free(f->policy_pos[i].path);
	free(f->origins);
	free(f->policy_pos);
	kzt_workloads_free(&f->workloads);
	kzt_policies_free(&f->policies);
	free(f->name);
	memset(f, 0, sizeof(*f));
}
