// SPDX-License-Identifier: GPL-2.0
/*
 * What kztd's two HTTP servers (http.c) answer:
 *
 *  - metrics_address (default [::]:15020), GET /stats/prometheus (also
 *    /metrics): the node's counters, those of `kztctl stats`, as
 *    Prometheus counters kzt_<key>_total, read from the kernel at each
 *    scrape (nothing is cached, so a scrape never sees stale values);
 *    then Istio's istio_tcp_* families of the flows the node carries
 *    (telemetry.c) and kztd's own counters, kzt_ca_*, kzt_handshakes_*,
 *    kzt_xds_*, kzt_telemetry_*, kzt_access_log_*;
 *  - readiness_address (default [::]:15021), GET /healthz/ready: 200 once
 *    kztd has applied its configuration and takes handshakes, 503 while
 *    the kzt module is not loaded.
 *
 * Documentation/kztd.rst, "Metrics and readiness".
 */
#include <string.h>

#include "kztd.h"
#include "prom.h"

/* What kztd itself counts (Documentation/telemetry.rst, "kztd's own"). */
static void daemon_metrics(const struct kztd *d, FILE *f)
{
	static const char *const roles[2] = { "client", "server" };
	struct kzt_prom_label role = { .name = "role" };

	kzt_prom_single(f, "kzt_ca_certificates_issued_total", "counter",
			"certificates istiod's CA issued to kztd and kztd uses", d->ca.issued);
	kzt_prom_single(f, "kzt_ca_certificates_failed_total", "counter",
			"certificate requests to istiod's CA that failed", d->ca.failed);
	kzt_prom_single(f, "kzt_ca_certificates_expired_total", "counter",
			"certificates that expired before istiod renewed them", d->ca.expired);
	kzt_prom_family(f, "kzt_handshakes_in_flight", "gauge",
			"TLS handshakes kztd runs now, by role");
	for (int i = 0; i < 2; i++) {
		role.value = roles[i];
		kzt_prom_sample(f, "kzt_handshakes_in_flight", &role, 1,
				d->hs_pool[i].n);
	}
	kzt_prom_single(f, "kzt_xds_connected", "gauge",
			"1 while kztd is connected to istiod", d->xds.g != NULL);
	kzt_prom_single(f, "kzt_xds_workloads", "gauge",
			"workloads kztd holds from istiod", d->xds.store.workloads.n);
	kzt_prom_single(f, "kzt_xds_workloads_refused", "gauge",
			"of those, workloads entered refused (waypoint, protocol): flows to them are reset",
			kzt_xds_store_n_refused(&d->xds.store));
	kztd_telemetry_write(d, f);
}

/* The node's counters, read from the kernel now. */
static int metrics_handle(struct kztd *d, const char *path, FILE *body,
			  const char **ctype)
{
	const struct kzt_stat_desc *descs;
	struct kzt_nl_err err;
	struct kzt_stats st;
	char name[128], help[256], buf[256];
	size_t n;
	int ret;

	if (strcmp(path, "/stats/prometheus") && strcmp(path, "/metrics"))
		return 404;
	if (d->kzt_gone) {
		fputs("kzt module not loaded\n", body);
		return 503;
	}
	ret = kzt_stats_get(&d->client, &st, &err);
	if (ret) {
		fprintf(body, "Unable to read the node's counters: %s\n",
			kzt_err_str(&err, buf, sizeof(buf)));
		return 503;
	}
	*ctype = KZT_PROM_CONTENT_TYPE;
	descs = kzt_stat_descs(&n);
	for (size_t i = 0; i < n; i++) {
		if (!st.has[descs[i].type])
			continue;
		snprintf(name, sizeof(name), "kzt_%s_total", descs[i].key);
		snprintf(help, sizeof(help), "%s: %s", descs[i].group,
			 descs[i].text);
		kzt_prom_family(body, name, "counter", help);
		kzt_prom_sample(body, name, NULL, 0, st.v[descs[i].type]);
	}
	daemon_metrics(d, body);
	return 200;
}

static int ready_handle(struct kztd *d, const char *path, FILE *body,
			const char **ctype)
{
	(void)ctype;
	if (strcmp(path, "/healthz/ready"))
		return 404;
	if (d->kzt_gone) {
		fputs("not ready: kzt module not loaded\n", body);
		return 503;
	}
	if (!d->ready) {
		fputs("not ready: starting\n", body);
		return 503;
	}
	if (d->xds_on && !d->xds.synced) {
		fputs("not ready: no state from istiod applied yet\n", body);
		return 503;
	}
	fputs("ready\n", body);
	return 200;
}

/* Set up the servers, closed; before kztd_metrics_open(). */
void kztd_metrics_init(struct kztd *d)
{
	d->metrics_http = (struct kztd_http){
		.what = "metrics", .io.fd = -1, .handle = metrics_handle,
	};
	d->ready_http = (struct kztd_http){
		.what = "readiness", .io.fd = -1, .handle = ready_handle,
	};
}

/* Where @conf puts a server: its key, else the default. */
static struct kzt_listen listen_at(bool has, const struct kzt_listen *l,
				   const char *dflt)
{
	struct kzt_listen at = {};
	const char *why;

	if (has)
		return *l;
	kzt_parse_listen(dflt, &at, &why);	/* a valid constant */
	return at;
}

/* (Re)open @h on @at unless it already listens there. */
static void server_set(struct kztd *d, struct kztd_http *h,
		       struct kzt_listen *cur, struct kzt_listen at)
{
	if (h->io.fd >= 0 && cur->off == at.off && cur->port == at.port &&
	    !memcmp(&cur->addr, &at.addr, sizeof(at.addr)))
		return;
	kztd_http_close(d, h);
	*cur = at;
	kztd_http_open(d, h, &at);
}

/**
 * kztd_metrics_open() - serve metrics and readiness where @conf says
 * @d:    the daemon, its loop set up
 * @conf: metrics_address, readiness_address (or the defaults)
 *
 * At start and at every reload; a server whose address did not change
 * keeps its socket (and its clients), one that cannot listen is logged
 * and left closed until the next reload.
 */
void kztd_metrics_open(struct kztd *d, const struct kzt_conf *conf)
{
	server_set(d, &d->metrics_http, &d->metrics_at,
		   listen_at(conf->has_metrics_address, &conf->metrics_address,
			     KZT_CONF_METRICS_DEFAULT));
	server_set(d, &d->ready_http, &d->ready_at,
		   listen_at(conf->has_readiness_address,
			     &conf->readiness_address,
			     KZT_CONF_READINESS_DEFAULT));
}

void kztd_metrics_close(struct kztd *d)
{
	kztd_http_close(d, &d->metrics_http);
	kztd_http_close(d, &d->ready_http);
}

/* The loop's wait, shortened to the servers' client deadlines. */
int kztd_metrics_timeout_ms(const struct kztd *d, int timeout)
{
	timeout = kztd_http_timeout_ms(&d->metrics_http, timeout);
	return kztd_http_timeout_ms(&d->ready_http, timeout);
}

/* Close the clients past their deadline; after each batch of events. */
void kztd_metrics_expire(struct kztd *d)
{
	kztd_http_expire(d, &d->metrics_http);
	kztd_http_expire(d, &d->ready_http);
}
