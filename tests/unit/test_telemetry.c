// SPDX-License-Identifier: GPL-2.0
/*
 * Istio's TCP metrics from flow events (lib/telemetry.c): the label set of
 * a flow with and without istiod's workload labels, bytes by their growth
 * between events of one flow, lost STARTs and ENDs, the caps, response
 * flags, the exposition, the access log line and its token bucket.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <linux/kzt.h>

#include "telemetry.h"

#define ID_A "spiffe://cluster.local/ns/demo/sa/client"
#define ID_B "spiffe://cluster.local/ns/demo/sa/server"

static struct in6_addr v4(const char *s)
{
	struct in6_addr a = {};

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	assert_int_equal(inet_pton(AF_INET, s, &a.s6_addr[12]), 1);
	return a;
}

/* A flow event a1 10.1.1.2:40000 -> b1 10.1.2.2:80 (not owning strings). */
static struct kzt_flow_event ev(uint8_t cmd, uint64_t id, uint8_t dir,
				uint64_t out, uint64_t in)
{
	struct kzt_flow_event e = { .cmd = cmd };

	e.conn.id = id;
	e.conn.dir = dir;
	e.conn.src_addr = v4("10.1.1.2");
	e.conn.dst_addr = v4("10.1.2.2");
	e.conn.src_port = 40000;
	e.conn.dst_port = 80;
	e.conn.src_id = (char *)ID_A;
	e.conn.dst_id = (char *)ID_B;
	e.conn.has_bytes = true;
	e.conn.bytes_out = out;
	e.conn.bytes_in = in;
	if (cmd == KZT_CMD_FLOW_END)
		e.conn.reason = KZT_FLOW_REASON_CLOSED;
	return e;
}

static const struct kzt_xds_meta server_meta = {
	.name = "server-7d9f-abcde", .namespace_ = "shop",
	.workload_name = "server", .canonical_name = "server-app",
	.canonical_revision = "v2", .service_account = "server",
	.trust_domain = "cluster.local", .cluster_id = "Kubernetes",
	.node = "node2",
};

/* istiod knows b1 (10.1.2.2) only. */
static const struct kzt_xds_meta *meta_b1(const struct in6_addr *a, void *arg)
{
	struct in6_addr b1 = v4("10.1.2.2");

	(void)arg;
	return !memcmp(a, &b1, sizeof(b1)) ? &server_meta : NULL;
}

static void test_labels(void **state)
{
	struct kzt_flow_event e = ev(KZT_CMD_FLOW_START, 1,
				     KZT_CONN_DIR_OUTBOUND, 0, 0);
	struct kzt_tm_labels l;

	(void)state;
	kzt_tm_labels(&e.conn, "-", meta_b1, NULL, &l);
	assert_string_equal(l.v[KZT_TM_REPORTER], "source");
	/* No workload data for a1: the identity's namespace, else unknown. */
	assert_string_equal(l.v[KZT_TM_SOURCE_WORKLOAD], "unknown");
	assert_string_equal(l.v[KZT_TM_SOURCE_WORKLOAD_NAMESPACE], "demo");
	assert_string_equal(l.v[KZT_TM_SOURCE_PRINCIPAL], ID_A);
	assert_string_equal(l.v[KZT_TM_SOURCE_APP], "unknown");
	assert_string_equal(l.v[KZT_TM_SOURCE_CLUSTER], "unknown");
	assert_null(l.src_pod);
	/* istiod's labels for b1, its principal from the flow. */
	assert_string_equal(l.v[KZT_TM_DESTINATION_WORKLOAD], "server");
	assert_string_equal(l.v[KZT_TM_DESTINATION_WORKLOAD_NAMESPACE], "shop");
	assert_string_equal(l.v[KZT_TM_DESTINATION_CANONICAL_SERVICE], "server-app");
	assert_string_equal(l.v[KZT_TM_DESTINATION_CANONICAL_REVISION], "v2");
	assert_string_equal(l.v[KZT_TM_DESTINATION_APP], "server-app");
	assert_string_equal(l.v[KZT_TM_DESTINATION_VERSION], "v2");
	assert_string_equal(l.v[KZT_TM_DESTINATION_CLUSTER], "Kubernetes");
	assert_string_equal(l.v[KZT_TM_DESTINATION_PRINCIPAL], ID_B);
	assert_string_equal(l.dst_pod, "server-7d9f-abcde");
	assert_string_equal(l.v[KZT_TM_DESTINATION_SERVICE], "unknown");
	assert_string_equal(l.v[KZT_TM_REQUEST_PROTOCOL], "tcp");
	assert_string_equal(l.v[KZT_TM_RESPONSE_FLAGS], "-");
	assert_string_equal(l.v[KZT_TM_CONNECTION_SECURITY_POLICY], "mutual_tls");

	e.conn.dir = KZT_CONN_DIR_INBOUND;
	e.conn.src_id = (char *)"spiffe://td/nsx/demo/sa/a";	/* not ns/ */
	e.conn.dst_id = NULL;
	kzt_tm_labels(&e.conn, "DENY", NULL, NULL, &l);
	assert_string_equal(l.v[KZT_TM_REPORTER], "destination");
	assert_string_equal(l.v[KZT_TM_SOURCE_WORKLOAD_NAMESPACE], "unknown");
	assert_string_equal(l.v[KZT_TM_DESTINATION_WORKLOAD_NAMESPACE], "unknown");
	assert_string_equal(l.v[KZT_TM_DESTINATION_PRINCIPAL], "unknown");
	assert_string_equal(l.v[KZT_TM_RESPONSE_FLAGS], "DENY");
	assert_string_equal(kzt_tm_label_name(KZT_TM_SOURCE_CANONICAL_SERVICE),
			    "source_canonical_service");
}

static void feed(struct kzt_tm *tm, struct kzt_flow_event e,
		 enum kzt_tm_log want_log)
{
	enum kzt_tm_log log;

	assert_int_equal(kzt_tm_event(tm, &e, NULL, NULL, &log), 0);
	assert_int_equal(log, want_log);
}

static const struct kzt_tm_series *only(const struct kzt_tm *tm)
{
	assert_int_equal(tm->n_series, 1);
	return tm->order[0];
}

/* Outbound: the request is bytes_out; bytes grow by their growth. */
static void test_deltas(void **state)
{
	const struct kzt_tm_series *s;
	struct kzt_tm tm;

	(void)state;
	kzt_tm_init(&tm);
	feed(&tm, ev(KZT_CMD_FLOW_START, 7, KZT_CONN_DIR_OUTBOUND, 0, 0),
	     KZT_TM_LOG_OPENED);
	s = only(&tm);
	assert_int_equal(s->opened, 1);
	feed(&tm, ev(KZT_CMD_FLOW_STATS, 7, KZT_CONN_DIR_OUTBOUND, 100, 50),
	     KZT_TM_LOG_NONE);
	assert_int_equal(s->received, 100);
	assert_int_equal(s->sent, 50);
	feed(&tm, ev(KZT_CMD_FLOW_STATS, 7, KZT_CONN_DIR_OUTBOUND, 300, 80),
	     KZT_TM_LOG_NONE);
	assert_int_equal(s->received, 300);
	assert_int_equal(s->sent, 80);
	assert_int_equal(tm.flows.n, 1);
	feed(&tm, ev(KZT_CMD_FLOW_END, 7, KZT_CONN_DIR_OUTBOUND, 400, 90),
	     KZT_TM_LOG_COMPLETE);
	assert_int_equal(s->received, 400);
	assert_int_equal(s->sent, 90);
	assert_int_equal(s->opened, 1);
	assert_int_equal(s->closed, 1);
	assert_int_equal(tm.flows.n, 0);

	/* A second flow, inbound: the request is bytes_in; its own set. */
	feed(&tm, ev(KZT_CMD_FLOW_START, 8, KZT_CONN_DIR_INBOUND, 0, 0),
	     KZT_TM_LOG_OPENED);
	feed(&tm, ev(KZT_CMD_FLOW_END, 8, KZT_CONN_DIR_INBOUND, 5, 11),
	     KZT_TM_LOG_COMPLETE);
	assert_int_equal(tm.n_series, 2);
	assert_string_equal(tm.order[1]->v[KZT_TM_REPORTER], "destination");
	assert_int_equal(tm.order[1]->received, 11);
	assert_int_equal(tm.order[1]->sent, 5);
	/* The same label set again: the same series. */
	feed(&tm, ev(KZT_CMD_FLOW_START, 9, KZT_CONN_DIR_OUTBOUND, 0, 0),
	     KZT_TM_LOG_OPENED);
	feed(&tm, ev(KZT_CMD_FLOW_END, 9, KZT_CONN_DIR_OUTBOUND, 1, 1),
	     KZT_TM_LOG_COMPLETE);
	assert_int_equal(tm.n_series, 2);
	assert_int_equal(s->opened, 2);
	assert_int_equal(s->received, 401);
	assert_int_equal(tm.events, 8);
	kzt_tm_free(&tm);
}

/* A lost START: opened at the first STATS; a lost everything: at END. */
static void test_lost_events(void **state)
{
	const struct kzt_tm_series *s;
	struct kzt_tm tm;
	enum kzt_tm_log log;
	struct kzt_flow_event plain = ev(KZT_CMD_FLOW_END, 3, KZT_CONN_DIR_PLAIN, 1, 1);

	(void)state;
	kzt_tm_init(&tm);
	feed(&tm, ev(KZT_CMD_FLOW_STATS, 1, KZT_CONN_DIR_OUTBOUND, 10, 20),
	     KZT_TM_LOG_NONE);
	s = only(&tm);
	assert_int_equal(s->opened, 1);
	assert_int_equal(s->received, 10);
	feed(&tm, ev(KZT_CMD_FLOW_STATS, 1, KZT_CONN_DIR_OUTBOUND, 15, 20),
	     KZT_TM_LOG_NONE);
	assert_int_equal(s->opened, 1);
	assert_int_equal(s->received, 15);
	/* Flow 2 seen only at its END: opened, closed, all its bytes. */
	feed(&tm, ev(KZT_CMD_FLOW_END, 2, KZT_CONN_DIR_OUTBOUND, 1000, 7),
	     KZT_TM_LOG_COMPLETE);
	assert_int_equal(s->opened, 2);
	assert_int_equal(s->closed, 1);
	assert_int_equal(s->received, 1015);
	assert_int_equal(s->sent, 27);
	assert_int_equal(tm.flows.n, 1);
	/* Not a flow kzt carries: nothing. */
	assert_int_equal(kzt_tm_event(&tm, &plain, NULL, NULL, &log), EINVAL);
	assert_int_equal(log, KZT_TM_LOG_NONE);
	/* The module went away: flow 1 is closed with what it had. */
	assert_int_equal(kzt_tm_end_all(&tm), 1);
	assert_int_equal(s->closed, 2);
	assert_int_equal(s->received, 1015);
	assert_int_equal(tm.flows.n, 0);
	kzt_tm_free(&tm);
}

/* After lost events: a kept flow the kernel no longer lists has ended. */
static void test_resync(void **state)
{
	struct kzt_conn live_v[1] = { { .id = 2 } };
	struct kzt_conns live = { .v = live_v, .n = 1 };
	const struct kzt_tm_series *s;
	struct kzt_tm tm;

	(void)state;
	kzt_tm_init(&tm);
	feed(&tm, ev(KZT_CMD_FLOW_START, 1, KZT_CONN_DIR_OUTBOUND, 0, 0),
	     KZT_TM_LOG_OPENED);
	feed(&tm, ev(KZT_CMD_FLOW_START, 2, KZT_CONN_DIR_OUTBOUND, 0, 0),
	     KZT_TM_LOG_OPENED);
	s = only(&tm);
	assert_int_equal(kzt_tm_resync(&tm, &live), 1);
	assert_int_equal(s->closed, 1);
	assert_int_equal(tm.flows.n, 1);
	/* Flow 2 is still kept: its END counts it once more. */
	feed(&tm, ev(KZT_CMD_FLOW_END, 2, KZT_CONN_DIR_OUTBOUND, 3, 4),
	     KZT_TM_LOG_COMPLETE);
	assert_int_equal(s->opened, 2);
	assert_int_equal(s->closed, 2);
	assert_int_equal(s->received, 3);
	kzt_tm_free(&tm);
}

/* Caps: flows past flows_max counted at their END; sets past series_max not. */
static void test_caps(void **state)
{
	struct kzt_flow_event e;
	const struct kzt_tm_series *s;
	struct kzt_tm tm;

	(void)state;
	kzt_tm_init(&tm);
	tm.flows_max = 1;
	tm.series_max = 1;
	feed(&tm, ev(KZT_CMD_FLOW_START, 1, KZT_CONN_DIR_OUTBOUND, 0, 0),
	     KZT_TM_LOG_OPENED);
	s = only(&tm);
	feed(&tm, ev(KZT_CMD_FLOW_START, 2, KZT_CONN_DIR_OUTBOUND, 0, 0),
	     KZT_TM_LOG_OPENED);
	feed(&tm, ev(KZT_CMD_FLOW_STATS, 2, KZT_CONN_DIR_OUTBOUND, 50, 0),
	     KZT_TM_LOG_NONE);
	assert_int_equal(tm.flows_untracked, 2);
	assert_int_equal(s->opened, 1);
	assert_int_equal(s->received, 0);
	feed(&tm, ev(KZT_CMD_FLOW_END, 2, KZT_CONN_DIR_OUTBOUND, 60, 6),
	     KZT_TM_LOG_COMPLETE);
	assert_int_equal(s->opened, 2);
	assert_int_equal(s->closed, 1);
	assert_int_equal(s->received, 60);
	assert_int_equal(s->sent, 6);
	/* Another label set (inbound): no room, dropped, flow 1 unharmed. */
	feed(&tm, ev(KZT_CMD_FLOW_END, 3, KZT_CONN_DIR_INBOUND, 9, 9),
	     KZT_TM_LOG_COMPLETE);
	assert_int_equal(tm.n_series, 1);
	assert_true(tm.series_dropped >= 1);
	/* A failed end needs a "DENY" set: no room, the closed count is lost. */
	e = ev(KZT_CMD_FLOW_END, 1, KZT_CONN_DIR_OUTBOUND, 1, 1);
	e.conn.reason = KZT_FLOW_REASON_REVOKED;
	e.conn.end = KZT_CONN_END_POLICY;
	feed(&tm, e, KZT_TM_LOG_COMPLETE);
	assert_int_equal(s->closed, 1);
	assert_int_equal(s->received, 61);
	assert_int_equal(tm.flows.n, 0);
	kzt_tm_free(&tm);
}

/* How a flow ended becomes response_flags of its closed count only. */
static void test_response_flags(void **state)
{
	static const struct { uint8_t reason, end; const char *want; } cases[] = {
		{ KZT_FLOW_REASON_CLOSED, 0, "-" },
		{ KZT_FLOW_REASON_RESET, 0, "-" },
		{ KZT_FLOW_REASON_IDLE, 0, "-" },
		{ KZT_FLOW_REASON_ABORT, 0, "-" },
		{ KZT_FLOW_REASON_TLS_ERROR, 0, "TLS_FAILURE" },
		{ KZT_FLOW_REASON_KEY_LIMIT, 0, "TLS_FAILURE" },
		{ KZT_FLOW_REASON_REVOKED, KZT_CONN_END_POLICY, "DENY" },
		{ KZT_FLOW_REASON_REVOKED, KZT_CONN_END_WORKLOAD, "DENY" },
		{ KZT_FLOW_REASON_REVOKED, KZT_CONN_END_TRUST, "CERT_REVOKED" },
		{ KZT_FLOW_REASON_PEER_DEAD, 0, "CONNECT" },
		{ KZT_FLOW_REASON_FAILED, 0, "CONNECT" },
	};
	struct kzt_flow_event e;
	struct kzt_tm tm;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = ev(KZT_CMD_FLOW_END, 1, KZT_CONN_DIR_OUTBOUND, 0, 0);
		e.conn.reason = cases[i].reason;
		e.conn.end = cases[i].end;
		assert_string_equal(kzt_tm_response_flags(&e.conn), cases[i].want);
	}
	kzt_tm_init(&tm);
	feed(&tm, ev(KZT_CMD_FLOW_START, 1, KZT_CONN_DIR_OUTBOUND, 0, 0),
	     KZT_TM_LOG_OPENED);
	e = ev(KZT_CMD_FLOW_END, 1, KZT_CONN_DIR_OUTBOUND, 10, 0);
	e.conn.reason = KZT_FLOW_REASON_REVOKED;
	e.conn.end = KZT_CONN_END_TRUST;
	feed(&tm, e, KZT_TM_LOG_COMPLETE);
	assert_int_equal(tm.n_series, 2);
	assert_string_equal(tm.order[0]->v[KZT_TM_RESPONSE_FLAGS], "-");
	assert_int_equal(tm.order[0]->opened, 1);
	assert_int_equal(tm.order[0]->received, 10);
	assert_int_equal(tm.order[0]->closed, 0);
	assert_false(tm.order[0]->ended);
	assert_string_equal(tm.order[1]->v[KZT_TM_RESPONSE_FLAGS], "CERT_REVOKED");
	assert_int_equal(tm.order[1]->closed, 1);
	assert_int_equal(tm.order[1]->opened, 0);
	assert_false(tm.order[1]->traffic);
	kzt_tm_free(&tm);
}

static char *scrape(const struct kzt_tm *tm)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kzt_tm_write(tm, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

#define LABELS(rep, flags) \
	"{reporter=\"" rep "\",source_workload=\"unknown\",source_canonical_service=\"unknown\"," \
	"source_canonical_revision=\"unknown\",source_workload_namespace=\"demo\"," \
	"source_principal=\"" ID_A "\",source_app=\"unknown\",source_version=\"unknown\"," \
	"source_cluster=\"unknown\",destination_service=\"unknown\"," \
	"destination_service_namespace=\"unknown\",destination_service_name=\"unknown\"," \
	"destination_workload=\"server\",destination_canonical_service=\"a\\\"b\\\\c\\nd\"," \
	"destination_canonical_revision=\"v2\",destination_workload_namespace=\"shop\"," \
	"destination_principal=\"" ID_B "\",destination_app=\"a\\\"b\\\\c\\nd\"," \
	"destination_version=\"v2\",destination_cluster=\"Kubernetes\"," \
	"request_protocol=\"tcp\",response_flags=\"" flags "\"," \
	"connection_security_policy=\"mutual_tls\"}"

static const struct kzt_xds_meta odd_meta = {
	.name = "p", .namespace_ = "shop", .workload_name = "server",
	.canonical_name = "a\"b\\c\nd", .canonical_revision = "v2",
	.service_account = "", .trust_domain = "", .cluster_id = "Kubernetes",
	.node = "",
};

static const struct kzt_xds_meta *meta_odd(const struct in6_addr *a, void *arg)
{
	struct in6_addr b1 = v4("10.1.2.2");

	(void)arg;
	return !memcmp(a, &b1, sizeof(b1)) ? &odd_meta : NULL;
}

/* The exposition: each family, escaped values, closed only once closed. */
static void test_write(void **state)
{
	struct kzt_flow_event e;
	enum kzt_tm_log log;
	struct kzt_tm tm;
	char *s;

	(void)state;
	kzt_tm_init(&tm);
	e = ev(KZT_CMD_FLOW_START, 1, KZT_CONN_DIR_OUTBOUND, 0, 0);
	assert_int_equal(kzt_tm_event(&tm, &e, meta_odd, NULL, &log), 0);
	e = ev(KZT_CMD_FLOW_STATS, 1, KZT_CONN_DIR_OUTBOUND, 123457, 654321);
	assert_int_equal(kzt_tm_event(&tm, &e, meta_odd, NULL, &log), 0);
	s = scrape(&tm);
	assert_non_null(strstr(s,
		"# HELP istio_tcp_connections_opened_total The total number of TCP connections opened\n"
		"# TYPE istio_tcp_connections_opened_total counter\n"
		"istio_tcp_connections_opened_total" LABELS("source", "-") " 1\n"
		"# HELP istio_tcp_connections_closed_total The total number of TCP connections closed\n"
		"# TYPE istio_tcp_connections_closed_total counter\n"
		"# HELP istio_tcp_received_bytes_total"));
	assert_non_null(strstr(s, "istio_tcp_received_bytes_total" LABELS("source", "-") " 123457\n"));
	assert_non_null(strstr(s, "istio_tcp_sent_bytes_total" LABELS("source", "-") " 654321\n"));
	assert_non_null(strstr(s, "\nkzt_telemetry_flows 1\n"));
	assert_non_null(strstr(s, "\nkzt_telemetry_series 1\n"));
	free(s);
	e = ev(KZT_CMD_FLOW_END, 1, KZT_CONN_DIR_OUTBOUND, 123457, 654321);
	e.conn.reason = KZT_FLOW_REASON_TLS_ERROR;
	assert_int_equal(kzt_tm_event(&tm, &e, meta_odd, NULL, &log), 0);
	s = scrape(&tm);
	assert_non_null(strstr(s, "istio_tcp_connections_closed_total" LABELS("source", "TLS_FAILURE") " 1\n"));
	assert_null(strstr(s, "istio_tcp_connections_closed_total" LABELS("source", "-")));
	assert_null(strstr(s, "istio_tcp_sent_bytes_total" LABELS("source", "TLS_FAILURE")));
	assert_non_null(strstr(s, "\nkzt_telemetry_flows 0\n"));
	assert_non_null(strstr(s, "\nkzt_telemetry_flow_events_total 3\n"));
	free(s);
	kzt_tm_free(&tm);
}

static char *log_line(const struct kzt_flow_event *e)
{
	struct kzt_tm_labels l;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kzt_tm_labels(&e->conn, "-", meta_b1, NULL, &l);
	assert_int_equal(kzt_tm_access_log(f, e, &l), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_access_log(void **state)
{
	struct kzt_flow_event e;
	char *s;

	(void)state;
	e = ev(KZT_CMD_FLOW_START, 42, KZT_CONN_DIR_OUTBOUND, 0, 0);
	e.conn.has_peer_node = true;
	e.conn.peer_node = v4("192.168.100.2");
	s = log_line(&e);
	assert_string_equal(s,
		"{\"level\":\"info\",\"target\":\"access\",\"message\":\"connection opened\","
		"\"id\":42,\"src.addr\":\"10.1.1.2:40000\",\"src.namespace\":\"demo\","
		"\"src.identity\":\"" ID_A "\",\"dst.addr\":\"10.1.2.2:80\","
		"\"dst.workload\":\"server-7d9f-abcde\",\"dst.namespace\":\"shop\","
		"\"dst.identity\":\"" ID_B "\",\"direction\":\"outbound\","
		"\"peer_node\":\"192.168.100.2\"}\n");
	free(s);
	e = ev(KZT_CMD_FLOW_END, 42, KZT_CONN_DIR_INBOUND, 654321, 123457);
	e.conn.age_ms = 1234;
	e.conn.reason = KZT_FLOW_REASON_PEER_DEAD;
	s = log_line(&e);
	assert_string_equal(s,
		"{\"level\":\"error\",\"target\":\"access\",\"message\":\"connection complete\","
		"\"id\":42,\"src.addr\":\"10.1.1.2:40000\",\"src.namespace\":\"demo\","
		"\"src.identity\":\"" ID_A "\",\"dst.addr\":\"10.1.2.2:80\","
		"\"dst.workload\":\"server-7d9f-abcde\",\"dst.namespace\":\"shop\","
		"\"dst.identity\":\"" ID_B "\",\"direction\":\"inbound\","
		"\"bytes_sent\":654321,\"bytes_recv\":123457,\"duration\":\"1234ms\","
		"\"reason\":\"peer-dead\",\"response_flags\":\"CONNECT\"}\n");
	free(s);
}

/* 2 a second, burst 2: two pass, then one per 500 ms; drops are told. */
static void test_tokens(void **state)
{
	struct kzt_tokens b;
	uint64_t dropped = 99;

	(void)state;
	kzt_tokens_init(&b, 2, 2, 1000);
	assert_true(kzt_tokens_take(&b, 1000, &dropped));
	assert_int_equal(dropped, 0);
	assert_true(kzt_tokens_take(&b, 1000, &dropped));
	assert_false(kzt_tokens_take(&b, 1000, &dropped));
	assert_false(kzt_tokens_take(&b, 1499, &dropped));
	assert_true(kzt_tokens_take(&b, 1500, &dropped));
	assert_int_equal(dropped, 2);
	assert_false(kzt_tokens_take(&b, 1500, &dropped));
	/* A long pause refills to the burst, not beyond. */
	assert_true(kzt_tokens_take(&b, 1000000000, &dropped));
	assert_int_equal(dropped, 1);
	assert_true(kzt_tokens_take(&b, 1000000000, &dropped));
	assert_false(kzt_tokens_take(&b, 1000000000, &dropped));
	/* A clock that does not move forward refills nothing. */
	assert_false(kzt_tokens_take(&b, 5, &dropped));
	/*
	 * Exact over time: 3 a second is 3 per 1000 ms, not 2 or 4 (the
	 * burst of 3, then 9 in 3 s: no remainder lost below the cap).
	 */
	kzt_tokens_init(&b, 3, 3, 0);
	for (int ms = 0, n = 0; ms <= 3000; ms++) {
		if (kzt_tokens_take(&b, ms, &dropped))
			n++;
		if (ms == 3000)
			assert_int_equal(n, 3 + 9);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_lost_events),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_response_flags),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_access_log),
		cmocka_unit_test(test_tokens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
