// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl's output, apart from the commands that fetch what it shows: the
 * JSON objects (documented, stable keys) and aligned text tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kztctl.h"

#define COLOR_BOLD	"\x1b[1m"
#define COLOR_RESET	"\x1b[0m"

/* A value an older module may not send: null then. */
static void json_opt_uint(struct kzt_json *j, const char *key, bool has,
			  uint64_t v)
{
	if (has)
		kzt_json_uint(j, key, v);
	else
		kzt_json_null(j, key);
}

/*
 * {"tunnel_port":15008,"capture":false,"trust_domain":...,"nonmesh":...,
 *  "handshake_timeout_ms":10000,"idle_timeout_s":0,"keepalive_idle_s":180,
 *  "keepalive_interval_s":180,"keepalive_probes":9,
 *  "flow_stats_interval_s":15}
 */
void kztctl_json_config(struct kzt_json *j, const char *key,
			const struct kzt_config *cfg)
{
	kzt_json_object_begin(j, key);
	kzt_json_uint(j, "tunnel_port", cfg->tunnel_port);
	kzt_json_bool(j, "capture", cfg->capture);
	if (cfg->has_trust_domain)
		kzt_json_string(j, "trust_domain", cfg->trust_domain);
	else
		kzt_json_null(j, "trust_domain");
	if (cfg->has_nonmesh)
		kzt_json_string(j, "nonmesh", kzt_nonmesh_name(cfg->nonmesh));
	else
		kzt_json_null(j, "nonmesh");
	json_opt_uint(j, "handshake_timeout_ms", cfg->has_handshake_timeout_ms,
		      cfg->handshake_timeout_ms);
	json_opt_uint(j, "idle_timeout_s", cfg->has_idle_timeout_s,
		      cfg->idle_timeout_s);
	json_opt_uint(j, "keepalive_idle_s", cfg->has_keepalive_idle_s,
		      cfg->keepalive_idle_s);
	json_opt_uint(j, "keepalive_interval_s", cfg->has_keepalive_interval_s,
		      cfg->keepalive_interval_s);
	json_opt_uint(j, "keepalive_probes", cfg->has_keepalive_probes,
		      cfg->keepalive_probes);
	json_opt_uint(j, "flow_stats_interval_s", cfg->has_flow_stats_interval_s,
		      cfg->flow_stats_interval_s);
	kzt_json_object_end(j);
}

/*
 * {"address":..,"id":..,"protocol":..,"node":..} for a remote workload,
 * {"address":..,"id":..,"protocol":..,"interface":..,"ifindex":N} for a
 * local one ("interface" null when the ifindex has no name here).
 */
void kztctl_json_workload(struct kzt_json *j, const struct kzt_workload *w)
{
	char a[KZT_ADDR_STRLEN], ifname[IF_NAMESIZE];

	kzt_json_object_begin(j, NULL);
	kzt_json_string(j, "address", kzt_addr_str(&w->addr, a, sizeof(a)));
	kzt_json_string(j, "id", w->id);	/* null when absent */
	kzt_json_string(j, "protocol", kzt_proto_name(w->protocol));
	if (w->has_node) {
		kzt_json_string(j, "node", kzt_addr_str(&w->node, a, sizeof(a)));
	} else {
		kzt_json_string(j, "interface",
				if_indextoname(w->ifindex, ifname));
		kzt_json_uint(j, "ifindex", w->ifindex);
	}
	kzt_json_object_end(j);
}

static void json_strs(struct kzt_json *j, const char *key,
		      const struct kzt_strs *s)
{
	kzt_json_array_begin(j, key);
	for (size_t i = 0; i < s->n; i++)
		kzt_json_string(j, NULL, s->v[i]);
	kzt_json_array_end(j);
}

static void json_cidrs(struct kzt_json *j, const char *key,
		       const struct kzt_cidrs *c)
{
	char buf[KZT_CIDR_STRLEN];

	kzt_json_array_begin(j, key);
	for (size_t i = 0; i < c->n; i++)
		kzt_json_string(j, NULL, kzt_cidr_str(&c->v[i], buf, sizeof(buf)));
	kzt_json_array_end(j);
}

static void json_ports(struct kzt_json *j, const char *key,
		       const struct kzt_ports *p)
{
	kzt_json_array_begin(j, key);
	for (size_t i = 0; i < p->n; i++)
		kzt_json_uint(j, NULL, p->v[i]);
	kzt_json_array_end(j);
}

/* Every field of a match (or a rule's short form), always present. */
static void json_fields(struct kzt_json *j, const struct kzt_rule *r)
{
	kzt_json_object_begin(j, NULL);
	json_strs(j, "principals", &r->principals);
	json_strs(j, "not_principals", &r->not_principals);
	json_strs(j, "namespaces", &r->namespaces);
	json_strs(j, "not_namespaces", &r->not_namespaces);
	json_cidrs(j, "ip_blocks", &r->ip_blocks);
	json_cidrs(j, "not_ip_blocks", &r->not_ip_blocks);
	json_ports(j, "ports", &r->ports);
	json_ports(j, "not_ports", &r->not_ports);
	json_cidrs(j, "destination_ips", &r->destination_ips);
	json_cidrs(j, "not_destination_ips", &r->not_destination_ips);
	json_strs(j, "service_accounts", &r->service_accounts);
	json_strs(j, "not_service_accounts", &r->not_service_accounts);
	kzt_json_object_end(j);
}

/* A rule of clauses: {"clauses":[[match, ...], ...]}. */
static void json_clauses(struct kzt_json *j, const struct kzt_rule *r)
{
	kzt_json_object_begin(j, NULL);
	kzt_json_array_begin(j, "clauses");
	for (size_t i = 0; i < r->n_clauses; i++) {
		kzt_json_array_begin(j, NULL);
		for (size_t k = 0; k < r->clauses[i].n_matches; k++)
			json_fields(j, &r->clauses[i].matches[k]);
		kzt_json_array_end(j);
	}
	kzt_json_array_end(j);
	kzt_json_object_end(j);
}

/*
 * {"name","action","scope", "namespace" (scope namespace), "workloads"
 * (scope workloads) or "addresses" (scope addresses), "rules":[{every field, always present} for a rule of
 * the short form, {"clauses":[[{every field}, ...], ...]} for one of
 * clauses],
 * "dry_run":false|true,"would_allow":N|null,"would_deny":N|null}; the
 * counters are null for an enforced policy.
 */
void kztctl_json_policy(struct kzt_json *j, const struct kzt_policy *p)
{
	kzt_json_object_begin(j, NULL);
	kzt_json_string(j, "name", p->name);
	kzt_json_string(j, "action", kzt_action_name(p->action));
	kzt_json_string(j, "scope", kzt_scope_name(p->scope));
	if (p->scope == KZT_SCOPE_NAMESPACE)
		kzt_json_string(j, "namespace", p->ns);
	if (p->scope == KZT_SCOPE_WORKLOADS)
		json_strs(j, "workloads", &p->scope_ids);
	if (p->scope == KZT_SCOPE_ADDRESSES) {
		char a[INET6_ADDRSTRLEN];

		kzt_json_array_begin(j, "addresses");
		for (size_t i = 0; i < p->scope_addrs.n; i++)
			kzt_json_string(j, NULL, kzt_addr_str(&p->scope_addrs.v[i],
							      a, sizeof(a)));
		kzt_json_array_end(j);
	}
	kzt_json_array_begin(j, "rules");
	for (size_t i = 0; i < p->n_rules; i++) {
		if (p->rules[i].n_clauses)
			json_clauses(j, &p->rules[i]);
		else
			json_fields(j, &p->rules[i]);
	}
	kzt_json_array_end(j);
	kzt_json_bool(j, "dry_run", p->dry_run);
	json_opt_uint(j, "would_allow", p->has_counters, p->would_allow);
	json_opt_uint(j, "would_deny", p->has_counters, p->would_deny);
	kzt_json_object_end(j);
}

/*
 * {"verdict","reason","policy":NAME|null,"destination":ID|null,
 *  "dry_run":{"verdict","reason","policy":NAME|null}|null}; "dry_run" is
 *  null when no dry-run policy applies.
 */
void kztctl_json_check(struct kzt_json *j, const struct kzt_check_result *r)
{
	kzt_json_object_begin(j, NULL);
	kzt_json_string(j, "verdict", kzt_verdict_name(r->verdict));
	kzt_json_string(j, "reason", kzt_reason_name(r->reason));
	kzt_json_string(j, "policy", r->has_policy ? r->policy : NULL);
	kzt_json_string(j, "destination", r->has_dst_id ? r->dst_id : NULL);
	if (r->has_dry_run) {
		kzt_json_object_begin(j, "dry_run");
		kzt_json_string(j, "verdict", kzt_verdict_name(r->dry_verdict));
		kzt_json_string(j, "reason", kzt_reason_name(r->dry_reason));
		kzt_json_string(j, "policy",
				r->has_dry_policy ? r->dry_policy : NULL);
		kzt_json_object_end(j);
	} else {
		kzt_json_null(j, "dry_run");
	}
	kzt_json_object_end(j);
}

/* {"workloads":N,"policies":M,"removed_workloads":R,"removed_policies":S} */
void kztctl_json_apply(struct kzt_json *j, const struct kzt_apply_result *r)
{
	kzt_json_object_begin(j, NULL);
	kzt_json_uint(j, "workloads", r->workloads);
	kzt_json_uint(j, "policies", r->policies);
	kzt_json_uint(j, "removed_workloads", r->removed_workloads);
	kzt_json_uint(j, "removed_policies", r->removed_policies);
	kzt_json_object_end(j);
}

/* {"address":"10.0.1.2","port":40000,"id":ID|null} */
static void json_endpoint(struct kzt_json *j, const char *key,
			  const struct in6_addr *addr, uint16_t port,
			  const char *id)
{
	char a[KZT_ADDR_STRLEN];

	kzt_json_object_begin(j, key);
	kzt_json_string(j, "address", kzt_addr_str(addr, a, sizeof(a)));
	kzt_json_uint(j, "port", port);
	kzt_json_string(j, "id", id);
	kzt_json_object_end(j);
}

/*
 * {"id":N,"direction":"outbound","state":"established","source":{...},
 *  "destination":{...},"peer_node":ADDR|null,"cipher":NAME|null,
 *  "bytes_out":N|null,"bytes_in":N|null,"age_ms":N,"end":"policy"|...|null}
 */
static void json_conn_fields(struct kzt_json *j, const struct kzt_conn *conn)
{
	char a[KZT_ADDR_STRLEN], cipher[16];

	kzt_json_uint(j, "id", conn->id);
	kzt_json_string(j, "direction", kzt_conn_dir_name(conn->dir));
	kzt_json_string(j, "state", kzt_conn_state_name(conn->state));
	json_endpoint(j, "source", &conn->src_addr, conn->src_port,
		      conn->src_id);
	json_endpoint(j, "destination", &conn->dst_addr, conn->dst_port,
		      conn->dst_id);
	kzt_json_string(j, "peer_node", conn->has_peer_node ?
			kzt_addr_str(&conn->peer_node, a, sizeof(a)) : NULL);
	kzt_json_string(j, "cipher", conn->has_cipher ?
			kzt_cipher_name(conn->cipher, cipher, sizeof(cipher)) :
			NULL);
	if (conn->has_bytes) {
		kzt_json_uint(j, "bytes_out", conn->bytes_out);
		kzt_json_uint(j, "bytes_in", conn->bytes_in);
	} else {
		kzt_json_null(j, "bytes_out");
		kzt_json_null(j, "bytes_in");
	}
	kzt_json_uint(j, "age_ms", conn->age_ms);
	kzt_json_string(j, "end", kzt_conn_end_name(conn->end));
}

void kztctl_json_conn(struct kzt_json *j, const struct kzt_conn *conn)
{
	kzt_json_object_begin(j, NULL);
	json_conn_fields(j, conn);
	kzt_json_object_end(j);
}

/*
 * {"event":"start"|"stats"|"end", then the keys of kztctl_json_conn(),
 *  then "start_ns":N|null,"reason":"closed"|...|null}
 */
void kztctl_json_flow_event(struct kzt_json *j, const struct kzt_flow_event *ev)
{
	kzt_json_object_begin(j, NULL);
	kzt_json_string(j, "event", kzt_flow_event_name(ev->cmd));
	json_conn_fields(j, &ev->conn);
	if (ev->conn.has_start_ns)
		kzt_json_uint(j, "start_ns", ev->conn.start_ns);
	else
		kzt_json_null(j, "start_ns");
	kzt_json_string(j, "reason", kzt_flow_reason_name(ev->conn.reason));
	kzt_json_object_end(j);
}

/*
 * {"captured":0,"local_allowed":0,...}: every counter the module sent, the
 * known ones in the order of kzt_stat_descs(), then "stat_N" for those of
 * a newer module.
 */
void kztctl_json_stats(struct kzt_json *j, const struct kzt_stats *st)
{
	const struct kzt_stat_desc *d;
	bool known[KZT_STATS_SLOTS] = { false };
	char key[16];
	size_t n;

	d = kzt_stat_descs(&n);
	kzt_json_object_begin(j, NULL);
	for (size_t i = 0; i < n; i++) {
		known[d[i].type] = true;
		if (st->has[d[i].type])
			kzt_json_uint(j, d[i].key, st->v[d[i].type]);
	}
	for (unsigned int t = 0; t < KZT_STATS_SLOTS; t++)
		if (st->has[t] && !known[t])
			kzt_json_uint(j, kzt_stat_key(t, key, sizeof(key)),
				      st->v[t]);
	kzt_json_object_end(j);
}

/* "[fd00::2]:80", "10.0.1.2:40000" */
const char *kztctl_endpoint_str(const struct in6_addr *addr, uint16_t port,
				char *buf, size_t len)
{
	char a[KZT_ADDR_STRLEN];

	kzt_addr_str(addr, a, sizeof(a));
	if (kzt_addr_is_v4(addr))
		snprintf(buf, len, "%s:%u", a, port);
	else
		snprintf(buf, len, "[%s]:%u", a, port);
	return buf;
}

/* "950ms", "42s", "3m07s", "5h02m", "2d03h" */
const char *kztctl_age_str(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s % 86400 / 3600);
	return buf;
}

struct strbuf {
	char *buf;
	size_t len, pos;
};

static void sb_add(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_add(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->pos >= sb->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->pos, sb->len - sb->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->pos += n;
}

static const char *verdict_word(unsigned int verdict)
{
	return verdict == KZT_VERDICT_ALLOW ? "ALLOW" :
	       verdict == KZT_VERDICT_DENY ? "DENY" : "?";
}

/*
 * "ALLOW (allow-policy: default/allow-web)", "DENY (no-allow-match)",
 * then, when a dry-run policy applies, "; dry-run: DENY (deny-policy: x)"
 */
const char *kztctl_check_str(const struct kzt_check_result *r, char *buf,
			     size_t len)
{
	struct strbuf sb = { buf, len, 0 };

	if (!len)
		return buf;
	buf[0] = '\0';
	sb_add(&sb, "%s (%s", verdict_word(r->verdict),
	       kzt_reason_name(r->reason));
	if (r->has_policy)
		sb_add(&sb, ": %s", r->policy);
	sb_add(&sb, ")");
	if (!r->has_dry_run)
		return buf;
	sb_add(&sb, "; dry-run: %s (%s", verdict_word(r->dry_verdict),
	       kzt_reason_name(r->dry_reason));
	if (r->has_dry_policy)
		sb_add(&sb, ": %s", r->dry_policy);
	sb_add(&sb, ")");
	return buf;
}

/* "-" for an enforced policy; "would-allow 3 would-deny 1" for a dry-run one. */
const char *kztctl_dry_run_str(const struct kzt_policy *p, char *buf,
			       size_t len)
{
	if (!p->dry_run)
		snprintf(buf, len, "-");
	else if (!p->has_counters)
		snprintf(buf, len, "yes");
	else
		snprintf(buf, len, "would-allow %" PRIu64 " would-deny %" PRIu64,
			 p->would_allow, p->would_deny);
	return buf;
}

static void sb_strs(struct strbuf *sb, const char *name,
		    const struct kzt_strs *s)
{
	if (!s->n)
		return;
	sb_add(sb, "%s%s ", sb->pos ? " " : "", name);
	for (size_t i = 0; i < s->n; i++)
		sb_add(sb, "%s%s", i ? "," : "", s->v[i]);
}

static void sb_cidrs(struct strbuf *sb, const char *name,
		     const struct kzt_cidrs *c)
{
	char buf[KZT_CIDR_STRLEN];

	if (!c->n)
		return;
	sb_add(sb, "%s%s ", sb->pos ? " " : "", name);
	for (size_t i = 0; i < c->n; i++)
		sb_add(sb, "%s%s", i ? "," : "",
		       kzt_cidr_str(&c->v[i], buf, sizeof(buf)));
}

static void sb_ports(struct strbuf *sb, const char *name,
		     const struct kzt_ports *p)
{
	if (!p->n)
		return;
	sb_add(sb, "%s%s ", sb->pos ? " " : "", name);
	for (size_t i = 0; i < p->n; i++)
		sb_add(sb, "%s%u", i ? "," : "", p->v[i]);
}

/* The fields of a match or a rule's short form, after what @sb holds. */
static void sb_fields(struct strbuf *sb, const struct kzt_rule *r)
{
	size_t start = sb->pos;

	sb_strs(sb, "principal", &r->principals);
	sb_strs(sb, "not-principal", &r->not_principals);
	sb_strs(sb, "namespace", &r->namespaces);
	sb_strs(sb, "not-namespace", &r->not_namespaces);
	sb_cidrs(sb, "ip-block", &r->ip_blocks);
	sb_cidrs(sb, "not-ip-block", &r->not_ip_blocks);
	sb_ports(sb, "port", &r->ports);
	sb_ports(sb, "not-port", &r->not_ports);
	sb_cidrs(sb, "destination-ip", &r->destination_ips);
	sb_cidrs(sb, "not-destination-ip", &r->not_destination_ips);
	sb_strs(sb, "service-account", &r->service_accounts);
	sb_strs(sb, "not-service-account", &r->not_service_accounts);
	if (sb->pos == start)
		sb_add(sb, "%s(none)", start ? " " : "");
}

/*
 * A rule as the command line writes it: "principal a,b port 80"; "(any)"
 * for a rule without fields or clauses. A rule of clauses: each clause in
 * brackets, its matches separated by '|', "[ port 80 | namespace a ] and
 * [ port 8080 ]"; "[ ]" a clause without matches (it matches all),
 * "(none)" a match without fields (it matches nothing).
 */
const char *kztctl_rule_str(const struct kzt_rule *r, char *buf, size_t len)
{
	struct strbuf sb = { buf, len, 0 };

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!r->n_clauses) {
		sb_fields(&sb, r);
		if (!strcmp(buf, "(none)"))
			snprintf(buf, len, "(any)");
		return buf;
	}
	for (size_t i = 0; i < r->n_clauses; i++) {
		const struct kzt_clause *c = &r->clauses[i];

		sb_add(&sb, "%s[", i ? " and " : "");
		for (size_t k = 0; k < c->n_matches; k++) {
			if (k)
				sb_add(&sb, " |");
			sb_fields(&sb, &c->matches[k]);
		}
		sb_add(&sb, " ]");
	}
	return buf;
}

struct kztctl_table {
	size_t ncols;
	size_t nrows;		/* the header is row 0 */
	char **cells;		/* nrows * ncols */
};

static int table_push(struct kztctl_table *t, const char *const *cells)
{
	char **c = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*c));

	if (!c)
		return ENOMEM;
	t->cells = c;
	c += t->nrows * t->ncols;
	for (size_t i = 0; i < t->ncols; i++) {
		c[i] = strdup(cells[i] ? cells[i] : "-");
		if (!c[i]) {
			while (i--)
				free(c[i]);
			return ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

/**
 * kztctl_table_new() - a text table with a header row
 * @ncols: number of columns
 * @head:  their titles
 *
 * @retval the table; free with kztctl_table_free()
 * @retval NULL out of memory
 */
struct kztctl_table *kztctl_table_new(size_t ncols, const char *const *head)
{
	struct kztctl_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ncols = ncols;
	if (table_push(t, head)) {
		free(t);
		return NULL;
	}
	return t;
}

/* One row; a NULL cell prints as "-". 0 or ENOMEM. */
int kztctl_table_add(struct kztctl_table *t, const char *const *cells)
{
	return table_push(t, cells);
}

/*
 * Columns padded to their widest cell, two spaces apart, the last one not
 * padded; the header in bold when @color.
 */
void kztctl_table_print(const struct kztctl_table *t, FILE *f, bool color)
{
	size_t *width = calloc(t->ncols, sizeof(*width));

	if (!width)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = strlen(t->cells[r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		if (r == 0 && color)
			fputs(COLOR_BOLD, f);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];

			if (c + 1 == t->ncols)
				fputs(cell, f);
			else
				fprintf(f, "%-*s  ", (int)width[c], cell);
		}
		if (r == 0 && color)
			fputs(COLOR_RESET, f);
		fputc('\n', f);
	}
	free(width);
}

void kztctl_table_free(struct kztctl_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

/**
 * kztctl_flow_event_str() - one line of kztctl monitor
 * @ev:  the event
 * @buf: where to write (KZT_SPIFFE_ID_MAX * 2 + 512 holds any event)
 * @len: size of @buf
 *
 * "end 7 outbound 10.0.1.2:40000 spiffe://td/ns/a/sa/c ->
 *  10.0.2.3:8080 spiffe://td/ns/b/sa/s peer 192.168.0.2 AES-128-GCM
 *  out 1000 in 2000 age 1s reason closed" (one line; "reason" on END,
 *  ":<why>" after it for a revocation).
 *
 * @retval @buf
 */
const char *kztctl_flow_event_str(const struct kzt_flow_event *ev, char *buf,
				  size_t len)
{
	const struct kzt_conn *c = &ev->conn;
	char src[KZT_ADDR_STRLEN + 8], dst[KZT_ADDR_STRLEN + 8];
	char peer[KZT_ADDR_STRLEN], cipher[16], age[24];
	struct strbuf sb = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	sb_add(&sb, "%s %" PRIu64 " %s %s %s -> %s %s", kzt_flow_event_name(ev->cmd),
	       c->id, kzt_conn_dir_name(c->dir),
	       kztctl_endpoint_str(&c->src_addr, c->src_port, src, sizeof(src)),
	       c->src_id ?: "-",
	       kztctl_endpoint_str(&c->dst_addr, c->dst_port, dst, sizeof(dst)),
	       c->dst_id ?: "-");
	if (c->has_peer_node)
		sb_add(&sb, " peer %s", kzt_addr_str(&c->peer_node, peer, sizeof(peer)));
	if (c->has_cipher)
		sb_add(&sb, " %s", kzt_cipher_name(c->cipher, cipher, sizeof(cipher)));
	sb_add(&sb, " out %" PRIu64 " in %" PRIu64 " age %s", c->bytes_out,
	       c->bytes_in, kztctl_age_str(c->age_ms, age, sizeof(age)));
	if (c->reason)
		sb_add(&sb, " reason %s", kzt_flow_reason_name(c->reason));
	if (c->end)
		sb_add(&sb, ":%s", kzt_conn_end_name(c->end));
	return buf;
}
