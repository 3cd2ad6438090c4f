// SPDX-License-Identifier: GPL-2.0
/*
 * Istio's TCP metrics and the access log, from the kernel's flow events
 * (the "flows" group: Documentation/telemetry.rst). kztd listens on a
 * socket of its own, so that a burst of flow events never delays a
 * handshake request or a config notification; lib/telemetry.c counts,
 * metrics.c serves what it counted.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/kzt.h>

#include "kztd.h"
#include "prom.h"
#include "telemetry.h"

/* Room for a burst of a few thousand events (as kztctl monitor asks). */
#define FLOWS_RCVBUF	(4 << 20)

/* The labels istiod gave the workload at @addr; NULL without istiod. */
static const struct kzt_xds_meta *meta_of(const struct in6_addr *addr,
					  void *arg)
{
	struct kztd *d = arg;
	const struct kzt_xds_workload *wl;

	if (!d->xds_on)
		return NULL;
	wl = kzt_xds_store_by_addr(&d->xds.store, addr);
	return wl ? &wl->meta : NULL;
}

static void access_log(struct kztd *d, const struct kzt_flow_event *ev)
{
	struct kztd_telemetry *t = &d->tm;
	struct kzt_tm_labels l;
	uint64_t dropped;
	int ret;

	if (!kzt_tokens_take(&t->tokens, kztd_now_ms(), &dropped)) {
		t->log_dropped++;
		return;
	}
	if (dropped)
		log_warn("access log: %llu lines dropped (more than access_log_rate = %u a second)",
			 (unsigned long long)dropped, t->tokens.rate);
	kzt_tm_labels(&ev->conn,
		      ev->cmd == KZT_CMD_FLOW_END ?
		      kzt_tm_response_flags(&ev->conn) : "-",
		      meta_of, d, &l);
	ret = kzt_tm_access_log(stderr, ev, &l);
	if (ret)
		t->log_failed++;
}

static void on_flow(struct nlmsghdr *nlh, void *arg)
{
	struct kztd *d = arg;
	struct kzt_flow_event ev;
	enum kzt_tm_log log;
	int ret;

	ret = kzt_flow_event_from_msg(nlh, d->client.family.id, &ev);
	if (ret == ENOENT)
		return;
	if (ret) {
		d->tm.bad++;
		log_warn("skipping a malformed flow event: %s", strerror(ret));
		return;
	}
	kzt_tm_event(&d->tm.tm, &ev, meta_of, d, &log);
	if (log != KZT_TM_LOG_NONE && d->tm.log_on)
		access_log(d, &ev);
	kzt_flow_event_free(&ev);
}

/* Events were lost: the flows the kernel no longer lists have ended. */
static void resync(struct kztd *d)
{
	struct kzt_conns live = {};
	struct kzt_nl_err err;
	char buf[256];
	size_t n;
	int ret;

	ret = kzt_conn_dump(&d->client, &live, &err);
	if (ret) {
		log_warn("flow events lost, and Unable to list the flows: %s",
			 kzt_err_str(&err, buf, sizeof(buf)));
		return;
	}
	n = kzt_tm_resync(&d->tm.tm, &live);
	kzt_conns_free(&live);
	if (n)
		log_info("flow events lost: %zu flows ended unseen, counted closed", n);
}

static int on_flows(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	struct kztd_telemetry *t = &d->tm;
	unsigned int suppressed;
	int ret;

	(void)io;
	(void)events;
	ret = kzt_nl_events_read(t->nl, on_flow, d);
	if (ret == ENOBUFS) {
		t->tm.events_lost++;
		if (kzt_ratelimit(&t->lost_rl, kztd_now_ms(), 10000, &suppressed))
			log_warn("flow events lost: the receive queue was full (%u more times since the last warning); counted in kzt_telemetry_flow_events_lost_total",
				 suppressed);
		resync(d);
		return 0;
	}
	if (ret)
		log_err("Unable to read flow events: %s (telemetry stops)",
			strerror(ret));
	/* A broken socket stops the metrics, not the daemon. */
	if (ret)
		kztd_telemetry_close(d);
	return 0;
}

/**
 * kztd_telemetry_open() - listen to the flow events of kzt's family
 * @d: the daemon; its client knows the family
 *
 * A module without the "flows" group, or a socket that cannot be
 * opened, leaves kztd without TCP metrics and access log (logged): the
 * rest works on.
 */
void kztd_telemetry_open(struct kztd *d)
{
	struct kztd_telemetry *t = &d->tm;
	struct kzt_nl_err err;
	int size = FLOWS_RCVBUF, ret;
	char buf[256];

	if (t->nl)
		return;
	ret = kzt_flow_events_open(&d->client, &t->nl, &err);
	if (ret) {
		log_err("Unable to listen to flow events: %s: no istio_tcp_* metrics, no access log",
			ret == ENOENT ? "the kzt module has no \"flows\" group" :
			kzt_err_str(&err, buf, sizeof(buf)));
		return;
	}
	/* Best effort: without CAP_NET_ADMIN the default buffer stays. */
	if (setsockopt(kzt_nl_fd(t->nl), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		log_debug("flow events: SO_RCVBUFFORCE: %s", strerror(errno));
	t->io.fd = kzt_nl_fd(t->nl);
	t->io.fn = on_flows;
	ret = kztd_io_add(d, &t->io, EPOLLIN);
	if (ret) {
		log_err("Unable to watch the flow events: %s", strerror(ret));
		kzt_nl_close(t->nl);
		t->nl = NULL;
		t->io.fd = -1;
		return;
	}
	log_debug("listening for flow events");
}

/**
 * kztd_telemetry_close() - stop listening (the module went away, or exit)
 * @d: the daemon
 *
 * The flows kztd kept ended with the module: they are counted closed.
 */
void kztd_telemetry_close(struct kztd *d)
{
	struct kztd_telemetry *t = &d->tm;
	size_t n;

	if (t->nl) {
		kztd_io_del(d, &t->io);
		kzt_nl_close(t->nl);
		t->nl = NULL;
		t->io.fd = -1;
	}
	n = kzt_tm_end_all(&t->tm);
	if (n)
		log_info("%zu flows ended without their end event (kzt went away)", n);
}

/**
 * kztd_telemetry_conf() - the access log's settings from @conf
 * @d:    the daemon
 * @conf: access_log, access_log_rate (or the defaults: on, 100)
 */
void kztd_telemetry_conf(struct kztd *d, const struct kzt_conf *conf)
{
	struct kztd_telemetry *t = &d->tm;
	unsigned int rate = conf->has_access_log_rate ? conf->access_log_rate :
			    KZT_CONF_ACCESS_LOG_RATE_DEFAULT;

	t->log_on = conf->has_access_log ? conf->access_log : true;
	if (t->tokens.rate != rate)
		kzt_tokens_init(&t->tokens, rate, rate, kztd_now_ms());
}

void kztd_telemetry_init(struct kztd *d)
{
	kzt_tm_init(&d->tm.tm);
	d->tm.io.fd = -1;
	d->tm.log_on = true;
	kzt_tokens_init(&d->tm.tokens, KZT_CONF_ACCESS_LOG_RATE_DEFAULT,
			KZT_CONF_ACCESS_LOG_RATE_DEFAULT, 0);
}

void kztd_telemetry_free(struct kztd *d)
{
	if (d->tm.nl) {
		kzt_nl_close(d->tm.nl);
		d->tm.nl = NULL;
	}
	kzt_tm_free(&d->tm.tm);
}

/**
 * kztd_telemetry_write() - the metrics of this file, Prometheus format
 * @d: the daemon
 * @f: the scrape's body
 */
void kztd_telemetry_write(const struct kztd *d, FILE *f)
{
	const struct kztd_telemetry *t = &d->tm;

	kzt_tm_write(&t->tm, f);
	kzt_prom_single(f, "kzt_access_log_dropped_total", "counter",
			"access log lines not written: over access_log_rate",
			t->log_dropped);
	kzt_prom_single(f, "kzt_access_log_failed_total", "counter",
			"access log lines that could not be written (stderr)",
			t->log_failed);
	kzt_prom_single(f, "kzt_telemetry_flow_events_malformed_total",
			"counter", "flow events kztd could not decode", t->bad);
}
