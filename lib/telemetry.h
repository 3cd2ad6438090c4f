/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Istio's TCP metrics and access log lines from the kernel's flow events
 * (Documentation/telemetry.rst, "kztd: metrics and access log"):
 *
 *   kzt_tm_event()        one FLOW_START/_STATS/_END: the counters of its
 *                         label set grow (bytes by their growth since the
 *                         flow's last event)
 *   kzt_tm_write()        the istio_tcp_* families, Prometheus text format
 *   kzt_tm_access_log()   one JSON line of a flow
 *   kzt_tokens_take()     the access log's rate limit (a token bucket)
 *
 * Pure: no kernel, no I/O but the stream given, so the unit tests run it
 * as kztd does. The labels are ztunnel's (src/proxy/metrics.rs).
 */
#ifndef KZT_TELEMETRY_H
#define KZT_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include "hmap.h"
#include "kztnl.h"
#include "xds_workload.h"

/* Label sets kept at most; past it new sets are not counted. */
#define KZT_TM_SERIES_MAX	4096
/* Flows whose last byte counts are kept at most. */
#define KZT_TM_FLOWS_MAX	65536

/* ztunnel's CommonTrafficLabels, in its order (no locality labels). */
enum kzt_tm_label {
	KZT_TM_REPORTER,
	KZT_TM_SOURCE_WORKLOAD,
	KZT_TM_SOURCE_CANONICAL_SERVICE,
	KZT_TM_SOURCE_CANONICAL_REVISION,
	KZT_TM_SOURCE_WORKLOAD_NAMESPACE,
	KZT_TM_SOURCE_PRINCIPAL,
	KZT_TM_SOURCE_APP,
	KZT_TM_SOURCE_VERSION,
	KZT_TM_SOURCE_CLUSTER,
	KZT_TM_DESTINATION_SERVICE,
	KZT_TM_DESTINATION_SERVICE_NAMESPACE,
	KZT_TM_DESTINATION_SERVICE_NAME,
	KZT_TM_DESTINATION_WORKLOAD,
	KZT_TM_DESTINATION_CANONICAL_SERVICE,
	KZT_TM_DESTINATION_CANONICAL_REVISION,
	KZT_TM_DESTINATION_WORKLOAD_NAMESPACE,
	KZT_TM_DESTINATION_PRINCIPAL,
	KZT_TM_DESTINATION_APP,
	KZT_TM_DESTINATION_VERSION,
	KZT_TM_DESTINATION_CLUSTER,
	KZT_TM_REQUEST_PROTOCOL,
	KZT_TM_RESPONSE_FLAGS,
	KZT_TM_CONNECTION_SECURITY_POLICY,

	KZT_TM_N_LABELS
};

/* The label values of one flow; v[] point into the workload data or ns[]. */
struct kzt_tm_labels {
	const char *v[KZT_TM_N_LABELS];
	const char *src_pod, *dst_pod;		/* for the access log; NULL */
	char ns[2][KZT_XDS_NAME_MAX + 1];	/* namespaces from identities */
};

/*
 * The workload at @addr (istiod's labels), or NULL when kztd knows none:
 * the labels then come from the flow's identities.
 */
typedef const struct kzt_xds_meta *(*kzt_tm_meta_fn)(const struct in6_addr *addr,
						     void *arg);

/* One label set and its counters. */
struct kzt_tm_series {
	const char *v[KZT_TM_N_LABELS];	/* into key */
	uint64_t opened, closed, received, sent;
	bool traffic;			/* opened/received/sent show it */
	bool ended;			/* closed shows it */
	size_t klen;
	char key[];			/* the values, each NUL-terminated */
};

struct kzt_tm {
	struct kzt_hmap series;		/* key -> struct kzt_tm_series */
	struct kzt_tm_series **order;	/* in creation order, for output */
	size_t n_series, series_max;
	struct kzt_hmap flows;		/* flow id -> struct kzt_tm_flow */
	size_t flows_max;
	uint64_t series_dropped;	/* counts not kept: no room for the set */
	uint64_t flows_untracked;	/* events of flows not kept: no room */
	uint64_t events;		/* flow events handled */
	uint64_t events_lost;		/* ENOBUFS reads (set by the caller) */
};

/* What kzt_tm_event() asks the caller to log. */
enum kzt_tm_log {
	KZT_TM_LOG_NONE,
	KZT_TM_LOG_OPENED,		/* "connection opened" */
	KZT_TM_LOG_COMPLETE,		/* "connection complete" */
};

void kzt_tm_init(struct kzt_tm *tm);
void kzt_tm_free(struct kzt_tm *tm);
const char *kzt_tm_label_name(enum kzt_tm_label l);
const char *kzt_tm_response_flags(const struct kzt_conn *c);
void kzt_tm_labels(const struct kzt_conn *c, const char *response_flags,
		   kzt_tm_meta_fn meta, void *arg, struct kzt_tm_labels *l);
int kzt_tm_event(struct kzt_tm *tm, const struct kzt_flow_event *ev,
		 kzt_tm_meta_fn meta, void *arg, enum kzt_tm_log *log);
size_t kzt_tm_end_all(struct kzt_tm *tm);
size_t kzt_tm_resync(struct kzt_tm *tm, const struct kzt_conns *live);
void kzt_tm_write(const struct kzt_tm *tm, FILE *f);
int kzt_tm_access_log(FILE *f, const struct kzt_flow_event *ev,
		      const struct kzt_tm_labels *l);

/*
 * A token bucket: @rate lines a second, at most @burst at once. Tokens
 * are kept in thousandths, so that any rate is exact over time.
 */
struct kzt_tokens {
	unsigned int rate;		/* per second; 0: nothing passes */
	unsigned int burst;
	uint64_t milli;			/* tokens * 1000 */
	uint64_t last_ms;		/* of the last refill */
	uint64_t dropped;		/* since the last line that passed */
};

void kzt_tokens_init(struct kzt_tokens *b, unsigned int rate,
		     unsigned int burst, uint64_t now_ms);
bool kzt_tokens_take(struct kzt_tokens *b, uint64_t now_ms,
		     uint64_t *dropped);

#endif /* KZT_TELEMETRY_H */
