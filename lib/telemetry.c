// SPDX-License-Identifier: GPL-2.0
/*
 * Istio's TCP metrics and access log lines from flow events (telemetry.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kzt.h>

#include "addr.h"
#include "json.h"
#include "prom.h"
#include "telemetry.h"

#define UNKNOWN "unknown"

static const char *const label_names[KZT_TM_N_LABELS] = {
	[KZT_TM_REPORTER]			= "reporter",
	[KZT_TM_SOURCE_WORKLOAD]		= "source_workload",
	[KZT_TM_SOURCE_CANONICAL_SERVICE]	= "source_canonical_service",
	[KZT_TM_SOURCE_CANONICAL_REVISION]	= "source_canonical_revision",
	[KZT_TM_SOURCE_WORKLOAD_NAMESPACE]	= "source_workload_namespace",
	[KZT_TM_SOURCE_PRINCIPAL]		= "source_principal",
	[KZT_TM_SOURCE_APP]			= "source_app",
	[KZT_TM_SOURCE_VERSION]			= "source_version",
	[KZT_TM_SOURCE_CLUSTER]			= "source_cluster",
	[KZT_TM_DESTINATION_SERVICE]		= "destination_service",
	[KZT_TM_DESTINATION_SERVICE_NAMESPACE]	= "destination_service_namespace",
	[KZT_TM_DESTINATION_SERVICE_NAME]	= "destination_service_name",
	[KZT_TM_DESTINATION_WORKLOAD]		= "destination_workload",
	[KZT_TM_DESTINATION_CANONICAL_SERVICE]	= "destination_canonical_service",
	[KZT_TM_DESTINATION_CANONICAL_REVISION]	= "destination_canonical_revision",
	[KZT_TM_DESTINATION_WORKLOAD_NAMESPACE]	= "destination_workload_namespace",
	[KZT_TM_DESTINATION_PRINCIPAL]		= "destination_principal",
	[KZT_TM_DESTINATION_APP]		= "destination_app",
	[KZT_TM_DESTINATION_VERSION]		= "destination_version",
	[KZT_TM_DESTINATION_CLUSTER]		= "destination_cluster",
	[KZT_TM_REQUEST_PROTOCOL]		= "request_protocol",
	[KZT_TM_RESPONSE_FLAGS]			= "response_flags",
	[KZT_TM_CONNECTION_SECURITY_POLICY]	= "connection_security_policy",
};

/* One flow kzt carries, as last reported. */
struct kzt_tm_flow {
	struct kzt_tm_series *series;	/* its label set; NULL: not counted */
	uint64_t req, resp;		/* client->server, server->client */
};

const char *kzt_tm_label_name(enum kzt_tm_label l)
{
	return l < KZT_TM_N_LABELS ? label_names[l] : NULL;
}

void kzt_tm_init(struct kzt_tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	tm->series_max = KZT_TM_SERIES_MAX;
	tm->flows_max = KZT_TM_FLOWS_MAX;
}

void kzt_tm_free(struct kzt_tm *tm)
{
	kzt_hmap_free(&tm->flows, free);
	kzt_hmap_free(&tm->series, NULL);
	for (size_t i = 0; i < tm->n_series; i++)
		free(tm->order[i]);
	free(tm->order);
	tm->order = NULL;
	tm->n_series = 0;
}

/**
 * kzt_tm_response_flags() - ztunnel's response_flags for how a flow ended
 * @c: the flow (its END; any other event is "-")
 *
 * A flow that ended the way TCP ends (closed, reset, idle, aborted by its
 * netns) is "-"; a policy or workload change that ended it "DENY", a
 * revoked identity "CERT_REVOKED", a tunnel fault "TLS_FAILURE", a dead
 * peer node or kzt's own failure "CONNECT".
 */
const char *kzt_tm_response_flags(const struct kzt_conn *c)
{
	switch (c->reason) {
	case KZT_FLOW_REASON_TLS_ERROR:
	case KZT_FLOW_REASON_KEY_LIMIT:
		return "TLS_FAILURE";
	case KZT_FLOW_REASON_REVOKED:
		return c->end == KZT_CONN_END_TRUST ? "CERT_REVOKED" : "DENY";
	case KZT_FLOW_REASON_PEER_DEAD:
	case KZT_FLOW_REASON_FAILED:
		return "CONNECT";
	default:
		return "-";
	}
}

/* NS of spiffe://TD/ns/NS/sa/SA into @buf; false: not of that form. */
static bool id_namespace(const char *id, char *buf, size_t len)
{
	const char *p, *end;

	if (!id || strncmp(id, "spiffe://", 9))
		return false;
	p = strchr(id + 9, '/');
	if (!p || strncmp(p, "/ns/", 4))
		return false;
	p += 4;
	end = strchr(p, '/');
	if (!end || end == p || (size_t)(end - p) >= len)
		return false;
	memcpy(buf, p, end - p);
	buf[end - p] = '\0';
	return true;
}

static const char *known(const char *s)
{
	return s && *s ? s : UNKNOWN;
}

/* One end's labels from @m (may be NULL), @id and @ns_buf. */
static void side(const struct kzt_xds_meta *m, const char *id, char *ns_buf,
		 size_t ns_len, const char **v, enum kzt_tm_label workload,
		 const char **pod)
{
	/* source_* and destination_* are laid out alike from _WORKLOAD on. */
	static const int off_cs = KZT_TM_SOURCE_CANONICAL_SERVICE - KZT_TM_SOURCE_WORKLOAD;
	static const int off_cr = KZT_TM_SOURCE_CANONICAL_REVISION - KZT_TM_SOURCE_WORKLOAD;
	static const int off_ns = KZT_TM_SOURCE_WORKLOAD_NAMESPACE - KZT_TM_SOURCE_WORKLOAD;
	static const int off_id = KZT_TM_SOURCE_PRINCIPAL - KZT_TM_SOURCE_WORKLOAD;
	static const int off_app = KZT_TM_SOURCE_APP - KZT_TM_SOURCE_WORKLOAD;
	static const int off_ver = KZT_TM_SOURCE_VERSION - KZT_TM_SOURCE_WORKLOAD;
	static const int off_cl = KZT_TM_SOURCE_CLUSTER - KZT_TM_SOURCE_WORKLOAD;
	const char **w = v + workload;

	w[0] = known(m ? m->workload_name : NULL);
	w[off_cs] = known(m ? m->canonical_name : NULL);
	w[off_cr] = known(m ? m->canonical_revision : NULL);
	w[off_ns] = known(m ? m->namespace_ : NULL);
	if (w[off_ns] == (const char *)UNKNOWN && id_namespace(id, ns_buf, ns_len))
		w[off_ns] = ns_buf;
	w[off_id] = known(id);
	w[off_app] = w[off_cs];
	w[off_ver] = w[off_cr];
	w[off_cl] = known(m ? m->cluster_id : NULL);
	*pod = m && m->name && *m->name ? m->name : NULL;
}

/**
 * kzt_tm_labels() - the label set of a flow, as ztunnel would report it
 * @c:              the flow
 * @response_flags: "-", or how it ended (kzt_tm_response_flags())
 * @meta:           the workload data by address; NULL: none
 * @arg:            for @meta
 * @l:              filled; valid while @c, @l and the workload data are
 *
 * The reporter is "source" on the node of an outbound flow, "destination"
 * on that of an inbound one. Each end's workload labels come from the
 * workload at its address; the principals are the identities the flow
 * carries (verified by the handshake); a namespace istiod did not give is
 * the identity's; anything else not known is "unknown". The destination
 * service is not known (the kernel reports the pod after DNAT).
 */
void kzt_tm_labels(const struct kzt_conn *c, const char *response_flags,
		   kzt_tm_meta_fn meta, void *arg, struct kzt_tm_labels *l)
{
	const struct kzt_xds_meta *sm = meta ? meta(&c->src_addr, arg) : NULL;
	const struct kzt_xds_meta *dm = meta ? meta(&c->dst_addr, arg) : NULL;

	memset(l, 0, sizeof(*l));
	l->v[KZT_TM_REPORTER] = c->dir == KZT_CONN_DIR_OUTBOUND ?
				"source" : "destination";
	side(sm, c->src_id, l->ns[0], sizeof(l->ns[0]), l->v,
	     KZT_TM_SOURCE_WORKLOAD, &l->src_pod);
	side(dm, c->dst_id, l->ns[1], sizeof(l->ns[1]), l->v,
	     KZT_TM_DESTINATION_WORKLOAD, &l->dst_pod);
	l->v[KZT_TM_DESTINATION_SERVICE] = UNKNOWN;
	l->v[KZT_TM_DESTINATION_SERVICE_NAMESPACE] = UNKNOWN;
	l->v[KZT_TM_DESTINATION_SERVICE_NAME] = UNKNOWN;
	l->v[KZT_TM_REQUEST_PROTOCOL] = "tcp";
	l->v[KZT_TM_RESPONSE_FLAGS] = response_flags;
	l->v[KZT_TM_CONNECTION_SECURITY_POLICY] = "mutual_tls";
}

/*
 * The series of @v, created if new. NULL: no memory, or no room
 * (counted in series_dropped).
 */
static struct kzt_tm_series *series_get(struct kzt_tm *tm,
					const char *const v[KZT_TM_N_LABELS])
{
	struct kzt_tm_series *s, *old, **order;
	size_t len[KZT_TM_N_LABELS], klen = 0;
	char *key;

	for (int i = 0; i < KZT_TM_N_LABELS; i++) {
		len[i] = strlen(v[i]) + 1;
		klen += len[i];
	}
	s = malloc(sizeof(*s) + klen);
	if (!s)
		goto fail;
	memset(s, 0, sizeof(*s));
	s->klen = klen;
	key = s->key;
	for (int i = 0; i < KZT_TM_N_LABELS; key += len[i], i++) {
		memcpy(key, v[i], len[i]);
		s->v[i] = key;
	}
	old = kzt_hmap_get(&tm->series, s->key, klen);
	if (old) {
		free(s);
		return old;
	}
	if (tm->n_series >= tm->series_max)
		goto fail_free;
	order = realloc(tm->order, (tm->n_series + 1) * sizeof(*order));
	if (!order)
		goto fail_free;
	tm->order = order;
	if (kzt_hmap_put(&tm->series, s->key, klen, s))
		goto fail_free;
	tm->order[tm->n_series++] = s;
	return s;

fail_free:
	free(s);
fail:
	tm->series_dropped++;
	return NULL;
}

/* @s with other response flags (the closed count of a failed flow). */
static struct kzt_tm_series *series_flags(struct kzt_tm *tm,
					  const struct kzt_tm_series *s,
					  const char *flags)
{
	const char *v[KZT_TM_N_LABELS];

	if (!strcmp(s->v[KZT_TM_RESPONSE_FLAGS], flags))
		return (struct kzt_tm_series *)s;
	memcpy(v, s->v, sizeof(v));
	v[KZT_TM_RESPONSE_FLAGS] = flags;
	return series_get(tm, v);
}

static void add_bytes(struct kzt_tm_series *s, struct kzt_tm_flow *f,
		      uint64_t req, uint64_t resp)
{
	/* Cumulative counts never shrink; a smaller one adds nothing. */
	if (s) {
		s->received += req > f->req ? req - f->req : 0;
		s->sent += resp > f->resp ? resp - f->resp : 0;
	}
	if (req > f->req)
		f->req = req;
	if (resp > f->resp)
		f->resp = resp;
}

static void closed(struct kzt_tm *tm, struct kzt_tm_series *s,
		   const char *flags)
{
	if (s)
		s = series_flags(tm, s, flags);
	if (s) {
		s->closed++;
		s->ended = true;
	}
}

/**
 * kzt_tm_event() - count one flow event
 * @tm:   the counters
 * @ev:   FLOW_START, _STATS or _END of an outbound or inbound flow
 * @meta: the workload data by address (labels), or NULL
 * @arg:  for @meta
 * @log:  set to the access log line the event makes, if any
 *
 * A flow is opened (counted, its labels taken) at its first event kept:
 * its START, or the STATS or END of a flow whose START was lost. Its
 * bytes grow by their growth since its last event; its END counts it
 * closed (labelled with its response_flags) and forgets it. When
 * KZT_TM_FLOWS_MAX flows are kept, a new one is not kept: its STATS are
 * ignored and its END counts it opened, closed and all its bytes at once
 * (flows_untracked counts such events). A label set past
 * KZT_TM_SERIES_MAX is not counted (series_dropped).
 *
 * @retval 0      counted
 * @retval EINVAL not a flow kzt carries (plain), nothing counted
 * @retval ENOMEM no memory to keep a new flow (counted as untracked)
 */
int kzt_tm_event(struct kzt_tm *tm, const struct kzt_flow_event *ev,
		 kzt_tm_meta_fn meta, void *arg, enum kzt_tm_log *log)
{
	const struct kzt_conn *c = &ev->conn;
	bool out = c->dir == KZT_CONN_DIR_OUTBOUND;
	uint64_t req = out ? c->bytes_out : c->bytes_in;
	uint64_t resp = out ? c->bytes_in : c->bytes_out;
	struct kzt_tm_flow *f, gone = {};
	struct kzt_tm_labels l;
	int ret = 0;

	*log = KZT_TM_LOG_NONE;
	if (c->dir != KZT_CONN_DIR_OUTBOUND && c->dir != KZT_CONN_DIR_INBOUND)
		return EINVAL;
	tm->events++;
	if (ev->cmd == KZT_CMD_FLOW_START)
		*log = KZT_TM_LOG_OPENED;
	else if (ev->cmd == KZT_CMD_FLOW_END)
		*log = KZT_TM_LOG_COMPLETE;

	f = kzt_hmap_get(&tm->flows, &c->id, sizeof(c->id));
	if (!f) {
		struct kzt_tm_series *s;

		if (ev->cmd != KZT_CMD_FLOW_END && tm->flows.n >= tm->flows_max) {
			tm->flows_untracked++;
			return 0;
		}
		if (ev->cmd != KZT_CMD_FLOW_END) {
			f = calloc(1, sizeof(*f));
			if (!f || kzt_hmap_put(&tm->flows, &c->id, sizeof(c->id), f)) {
				free(f);
				tm->flows_untracked++;
				return ENOMEM;
			}
		}
		kzt_tm_labels(c, "-", meta, arg, &l);
		s = series_get(tm, l.v);
		if (s) {
			s->opened++;
			s->traffic = true;
		}
		if (!f) {
			/* The END of a flow not kept: all of it at once. */
			gone.series = s;
			f = &gone;
		} else {
			f->series = s;
		}
	}
	add_bytes(f->series, f, req, resp);
	if (ev->cmd != KZT_CMD_FLOW_END)
		return ret;
	closed(tm, f->series, kzt_tm_response_flags(c));
	if (f != &gone) {
		kzt_hmap_del(&tm->flows, &c->id, sizeof(c->id));
		free(f);
	}
	return ret;
}

/**
 * kzt_tm_end_all() - every kept flow ended unseen (the module went away)
 * @tm: the counters
 *
 * Each is counted closed ("-") with the bytes of its last event.
 *
 * @retval the number of flows ended
 */
size_t kzt_tm_end_all(struct kzt_tm *tm)
{
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;
	size_t n = tm->flows.n;

	for (e = kzt_hmap_first(&tm->flows, &it); e;
	     e = kzt_hmap_next(&tm->flows, &it, e)) {
		struct kzt_tm_flow *f = e->val;

		closed(tm, f->series, "-");
	}
	kzt_hmap_free(&tm->flows, free);
	return n;
}

/**
 * kzt_tm_resync() - forget the kept flows the kernel no longer lists
 * @tm:   the counters
 * @live: the node's flows now (kzt_conn_dump()), after lost events
 *
 * A kept flow not in @live ended while its END was lost: it is counted
 * closed ("-"), with the bytes of its last event.
 *
 * @retval the number of flows found ended
 * @retval 0 also when memory ran out (nothing changed)
 */
size_t kzt_tm_resync(struct kzt_tm *tm, const struct kzt_conns *live)
{
	struct kzt_hmap ids = {};
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;
	uint64_t *gone;
	size_t n = 0;

	gone = calloc(tm->flows.n + 1, sizeof(*gone));
	if (!gone)
		return 0;
	for (size_t i = 0; i < live->n; i++)
		if (kzt_hmap_put(&ids, &live->v[i].id, sizeof(uint64_t), gone))
			goto out;
	for (e = kzt_hmap_first(&tm->flows, &it); e;
	     e = kzt_hmap_next(&tm->flows, &it, e))
		if (!kzt_hmap_get(&ids, e->key, e->klen))
			memcpy(&gone[n++], e->key, sizeof(uint64_t));
	for (size_t i = 0; i < n; i++) {
		struct kzt_tm_flow *f = kzt_hmap_del(&tm->flows, &gone[i],
						     sizeof(uint64_t));

		closed(tm, f->series, "-");
		free(f);
	}
out:
	kzt_hmap_free(&ids, NULL);
	free(gone);
	return n;
}

static void family(const struct kzt_tm *tm, FILE *f, const char *name,
		   const char *help, size_t field)
{
	struct kzt_prom_label labels[KZT_TM_N_LABELS];

	kzt_prom_family(f, name, "counter", help);
	for (int i = 0; i < KZT_TM_N_LABELS; i++)
		labels[i].name = label_names[i];
	for (size_t i = 0; i < tm->n_series; i++) {
		const struct kzt_tm_series *s = tm->order[i];
		bool shown = field == offsetof(struct kzt_tm_series, closed) ?
			     s->ended : s->traffic;

		if (!shown)
			continue;
		for (int j = 0; j < KZT_TM_N_LABELS; j++)
			labels[j].value = s->v[j];
		kzt_prom_sample(f, name, labels, KZT_TM_N_LABELS,
				*(const uint64_t *)((const char *)s + field));
	}
}

/**
 * kzt_tm_write() - the istio_tcp_* families and kzt_telemetry_* counters
 * @tm: the counters
 * @f:  the stream (Prometheus text format)
 *
 * A label set shows in opened, received and sent once a flow opened with
 * it, in closed once a flow closed with it, as ztunnel's families do.
 */
void kzt_tm_write(const struct kzt_tm *tm, FILE *f)
{
	family(tm, f, "istio_tcp_connections_opened_total",
	       "The total number of TCP connections opened",
	       offsetof(struct kzt_tm_series, opened));
	family(tm, f, "istio_tcp_connections_closed_total",
	       "The total number of TCP connections closed",
	       offsetof(struct kzt_tm_series, closed));
	family(tm, f, "istio_tcp_received_bytes_total",
	       "The size of total bytes received during request in case of a TCP connection",
	       offsetof(struct kzt_tm_series, received));
	family(tm, f, "istio_tcp_sent_bytes_total",
	       "The size of total bytes sent during response in case of a TCP connection",
	       offsetof(struct kzt_tm_series, sent));
	kzt_prom_single(f, "kzt_telemetry_series", "gauge",
			"label sets of the istio_tcp_* families", tm->n_series);
	kzt_prom_single(f, "kzt_telemetry_series_dropped_total", "counter",
			"flow counts not kept: a new label set past the cap of 4096", tm->series_dropped);
	kzt_prom_single(f, "kzt_telemetry_flows", "gauge",
			"live flows whose byte counts kztd keeps", tm->flows.n);
	kzt_prom_single(f, "kzt_telemetry_flows_untracked_total", "counter",
			"flow events of flows not kept (past 65536 flows): counted at their end",
			tm->flows_untracked);
	kzt_prom_single(f, "kzt_telemetry_flow_events_total", "counter",
			"flow events kztd counted", tm->events);
	kzt_prom_single(f, "kzt_telemetry_flow_events_lost_total", "counter",
			"times kztd's flow event socket overflowed (events lost; see flow_events_dropped)",
			tm->events_lost);
}

static void endpoint(struct kzt_json *j, const char *key,
		     const struct in6_addr *a, uint16_t port)
{
	char s[KZT_ADDR_STRLEN], buf[KZT_ADDR_STRLEN + 16];

	kzt_addr_str(a, s, sizeof(s));
	snprintf(buf, sizeof(buf), kzt_addr_is_v4(a) ? "%s:%u" : "[%s]:%u",
		 s, port);
	kzt_json_string(j, key, buf);
}

static void opt_string(struct kzt_json *j, const char *key, const char *s)
{
	if (s && strcmp(s, UNKNOWN))
		kzt_json_string(j, key, s);
}

/**
 * kzt_tm_access_log() - one access log line of a flow, ztunnel's fields
 * @f:  the stream; the line is written with one fwrite()
 * @ev: FLOW_START ("connection opened") or FLOW_END ("connection complete")
 * @l:  its labels (kzt_tm_labels())
 *
 * bytes_sent is what the local pod sent (bytes_out), bytes_recv what it
 * received, as ztunnel's access log has them on each side. Workload and
 * namespace fields that are not known are left out.
 *
 * @retval 0     written
 * @retval other errno (ENOMEM, or of the stream)
 */
int kzt_tm_access_log(FILE *f, const struct kzt_flow_event *ev,
		      const struct kzt_tm_labels *l)
{
	const struct kzt_conn *c = &ev->conn;
	bool end = ev->cmd == KZT_CMD_FLOW_END;
	const char *flags = end ? kzt_tm_response_flags(c) : "-";
	char *buf = NULL, dur[32], a[KZT_ADDR_STRLEN];
	struct kzt_json j;
	size_t len = 0;
	FILE *m;
	int ret;

	m = open_memstream(&buf, &len);
	if (!m)
		return errno ?: ENOMEM;
	kzt_json_init(&j, m);
	kzt_json_object_begin(&j, NULL);
	kzt_json_string(&j, "level", strcmp(flags, "-") ? "error" : "info");
	kzt_json_string(&j, "target", "access");
	kzt_json_string(&j, "message",
			end ? "connection complete" : "connection opened");
	kzt_json_uint(&j, "id", c->id);
	endpoint(&j, "src.addr", &c->src_addr, c->src_port);
	opt_string(&j, "src.workload", l->src_pod);
	opt_string(&j, "src.namespace", l->v[KZT_TM_SOURCE_WORKLOAD_NAMESPACE]);
	opt_string(&j, "src.identity", c->src_id);
	endpoint(&j, "dst.addr", &c->dst_addr, c->dst_port);
	opt_string(&j, "dst.workload", l->dst_pod);
	opt_string(&j, "dst.namespace",
		   l->v[KZT_TM_DESTINATION_WORKLOAD_NAMESPACE]);
	opt_string(&j, "dst.identity", c->dst_id);
	kzt_json_string(&j, "direction",
			c->dir == KZT_CONN_DIR_OUTBOUND ? "outbound" : "inbound");
	if (c->has_peer_node)
		kzt_json_string(&j, "peer_node",
				kzt_addr_str(&c->peer_node, a, sizeof(a)));
	if (end) {
		kzt_json_uint(&j, "bytes_sent", c->bytes_out);
		kzt_json_uint(&j, "bytes_recv", c->bytes_in);
		snprintf(dur, sizeof(dur), "%llums",
			 (unsigned long long)c->age_ms);
		kzt_json_string(&j, "duration", dur);
		kzt_json_string(&j, "reason", kzt_flow_reason_name(c->reason));
		kzt_json_string(&j, "response_flags", flags);
	}
	kzt_json_object_end(&j);
	ret = kzt_json_finish(&j);
	if (fclose(m) && !ret)
		ret = errno ?: EIO;
	if (!ret && (fwrite(buf, 1, len, f) != len || fflush(f)))
		ret = errno ?: EIO;
	free(buf);
	return ret;
}

void kzt_tokens_init(struct kzt_tokens *b, unsigned int rate,
		     unsigned int burst, uint64_t now_ms)
{
	b->rate = rate;
	b->burst = burst;
	b->milli = (uint64_t)burst * 1000;
	b->last_ms = now_ms;
	b->dropped = 0;
}

/**
 * kzt_tokens_take() - may one more line go out now?
 * @b:       the bucket
 * @now_ms:  a monotonic time
 * @dropped: if it may: how many were refused since the last that went
 *
 * @retval true  yes (one token taken)
 * @retval false no: counted as dropped
 */
bool kzt_tokens_take(struct kzt_tokens *b, uint64_t now_ms, uint64_t *dropped)
{
	uint64_t cap = (uint64_t)b->burst * 1000;
	uint64_t el = now_ms > b->last_ms ? now_ms - b->last_ms : 0;

	/* Past a full refill the elapsed time no longer matters. */
	if (b->rate && el > cap / b->rate + 1)
		el = cap / b->rate + 1;
	b->milli += el * b->rate;
	if (b->milli > cap)
		b->milli = cap;
	if (now_ms > b->last_ms)
		b->last_ms = now_ms;
	if (b->milli < 1000) {
		b->dropped++;
		return false;
	}
	b->milli -= 1000;
	*dropped = b->dropped;
	b->dropped = 0;
	return true;
}
