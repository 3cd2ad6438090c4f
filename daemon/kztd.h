/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kztd: the node daemon. It applies its config file to the kernel, logs
 * every change the kernel reports, and runs the TLS 1.3 handshakes of the
 * kernel's tunnels (the handshake upcall), many at once in one epoll loop.
 */
#ifndef KZTD_H
#define KZTD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "grpc.h"
#include "xds_store.h"
#include "creds.h"
#include "kztnl.h"
#include "log.h"
#include "peers.h"
#include "telemetry.h"

struct kztd;

/*
 * Something the loop watches. @fn runs when epoll reports @fd; it returns
 * 0 to go on, or KZTD_STOP / a positive errno to end the loop.
 */
struct kztd_io {
	int fd;
	int (*fn)(struct kztd *d, struct kztd_io *io, uint32_t events);
};

#define KZTD_STOP	(-1)	/* end the loop, exit 0 */

struct kztd_hs;

/* istio_ca.c: certificates from istiod's CA (no certificate directory). */
#define KZTD_CA_VALIDITY_S	(24 * 3600)	/* asked for; istiod may cap it */
struct kztd_ca {
	bool on;
	unsigned int validity_s;
	char root_cert[KZT_CONF_LINE_MAX];
	ino_t root_ino;
	time_t root_mtime;
	off_t root_size;
	uint64_t root_check_ms;
	struct kzt_hmap certs;		/* SPIFFE ID -> struct kztd_cert */
	uint64_t issued, failed, expired;
};
struct kztd_http_conn;
struct kzt_ads;

/* xds.c: the control plane client (istiod). */
struct kztd_xds {
	struct kzt_grpc_conf gconf;
	struct kzt_grpc *g;		/* NULL: not connected */
	struct kzt_ads *ads;		/* the delta ADS stream, or NULL */
	struct kztd_io io;		/* g's socket; fd -1: none */
	bool failed;			/* the stream ended: drop g after the callback */
	bool synced;			/* a response was applied: ready */
	/* The first Authorization response is applied: policies are istiod's. */
	bool authz_synced;
	unsigned int backoff_ms;
	uint64_t retry_at_ms;		/* 0: no retry pending */
	const char *node_name, *pod_name, *pod_ns, *instance_ip;
	char node_id[512];
	struct kzt_xds_store store;	/* Address resources and the kernel entries */
};

/* One HTTP server of kztd (http.c): a listening socket and its clients. */
struct kztd_http {
	const char *what;		/* "metrics": for log lines */
	struct kztd_io io;		/* listening; fd -1: not open */
	/*
	 * Writes the reply body for a GET of @path to @body and may set
	 * *@ctype; returns the HTTP status (200, 404, 503...).
	 */
	int (*handle)(struct kztd *d, const char *path, FILE *body,
		      const char **ctype);
	struct kztd_http_conn *conns;
	unsigned int n_conns;
	struct kzt_ratelimit full_rl;	/* "too many connections" */
};

/* telemetry.c: istio_tcp_* metrics and the access log from flow events. */
struct kztd_telemetry {
	struct kzt_nl *nl;		/* subscribed to "flows"; NULL: none */
	struct kztd_io io;
	struct kzt_tm tm;		/* the counters */
	bool log_on;			/* access_log */
	struct kzt_tokens tokens;	/* access_log_rate */
	uint64_t log_dropped, log_failed, bad;
	struct kzt_ratelimit lost_rl;	/* "flow events lost" warnings */
};

struct kztd {
	const char *conf_path;
	bool conf_path_given;		/* -c: a missing file is an error */
	bool verbose;			/* -v: debug, whatever log_level says */
	const char *opt_certs;		/* --certs, over the file's certs */
	const char *opt_keylog;		/* --keylog */
	const char *opt_ciphersuites;	/* --ciphersuites */
	struct kzt_conf conf;		/* the file as last loaded */
	struct kzt_client client;	/* requests */
	struct kzt_nl *events;		/* kzt "config", "handshake", nlctrl */
	uint32_t config_group;		/* kzt's "config" group id */
	bool kzt_gone;			/* the module was unloaded */
	int signal_fd;
	int epfd;
	struct kztd_io signal_io, events_io;

	/* certs.c: the certificate directory (none: no handshakes) */
	char certs_dir[KZT_CONF_LINE_MAX];
	char ciphersuites[KZT_CONF_LINE_MAX];
	char trust_domain[KZT_TRUST_DOMAIN_MAX + 1];
	struct kzt_creds *creds;	/* current set; handshakes hold refs */
	FILE *keylog;			/* debug: NSS key log, or NULL */
	char keylog_path[KZT_CONF_LINE_MAX];
	struct kztd_io inotify_io, settle_io;	/* dir watch, settle timer */
	int wd_dir, wd_parent;		/* the watches: DIR, and where DIR is */
	struct kztd_io expiry_io;	/* reload when a kept pair expires */

	/* peers.c: the chains of verified peers, checked again at reloads */
	struct kzt_peers peers;

	/* handshake.c */
	uint32_t hs_group;
	bool hs_subscribed;
	struct kztd_hs *hs_head;	/* in flight */
	struct kztd_hs *hs_dead;	/* ended, freed after the epoll batch */
	struct kztd_hs_pool {
		unsigned int n;		/* in flight */
		unsigned int max;	/* max_{client,server}_handshakes */
		bool backlog;		/* stopped at @max or EMFILE: more may wait */
		struct kzt_ratelimit full_rl;	/* "@max in flight" warnings */
	} hs_pool[2];			/* [role - 1] */
	bool hs_no_fd;			/* ACCEPT met EMFILE: wait for a close */
	uint64_t hs_retry_ms;		/* ... or for this time */
	struct kzt_ratelimit hs_no_fd_rl;

	/* metrics.c: Prometheus scrapes and the readiness probe */
	struct kztd_http metrics_http, ready_http;
	struct kzt_listen metrics_at, ready_at;	/* where they listen */
	bool ready;			/* started: config applied, handshakes on */

	struct kztd_telemetry tm;
	struct kztd_xds xds;
	struct kztd_ca ca;
	bool xds_on;			/* xds_address configured at start */
};

/* config.c */
int kztd_conf_load(const struct kztd *d, struct kzt_conf *conf);
void kztd_conf_use_log_level(const struct kztd *d, const struct kzt_conf *conf);
int kztd_conf_apply(struct kztd *d, const struct kzt_conf *conf);
int kztd_config_log(struct kztd *d, const char *what);
void kztd_reload(struct kztd *d);

/* events.c */
int kztd_events_open(struct kztd *d);
int kztd_events_read(struct kztd *d);

/* loop.c */
int kztd_signals_block(struct kztd *d);
int kztd_loop_init(struct kztd *d);
int kztd_io_add(struct kztd *d, struct kztd_io *io, uint32_t events);
int kztd_io_mod(struct kztd *d, struct kztd_io *io, uint32_t events);
void kztd_io_del(struct kztd *d, struct kztd_io *io);
int kztd_loop(struct kztd *d);
uint64_t kztd_now_ms(void);

/* certs.c */
int kztd_certs_open(struct kztd *d);
void kztd_certs_reload(struct kztd *d, const char *why);
void kztd_certs_conf_changed(struct kztd *d, const struct kzt_conf *conf);
void kztd_trust_domain_set(struct kztd *d, const struct kzt_config *cfg);
void kztd_certs_close(struct kztd *d);

/* http.c */
int kztd_http_open(struct kztd *d, struct kztd_http *h,
		   const struct kzt_listen *l);
void kztd_http_close(struct kztd *d, struct kztd_http *h);
int kztd_http_timeout_ms(const struct kztd_http *h, int timeout);
void kztd_http_expire(struct kztd *d, struct kztd_http *h);

/* metrics.c */
void kztd_metrics_init(struct kztd *d);
void kztd_metrics_open(struct kztd *d, const struct kzt_conf *conf);
void kztd_metrics_close(struct kztd *d);
int kztd_metrics_timeout_ms(const struct kztd *d, int timeout);
void kztd_metrics_expire(struct kztd *d);

/* telemetry.c */
void kztd_telemetry_init(struct kztd *d);
void kztd_telemetry_open(struct kztd *d);
void kztd_telemetry_close(struct kztd *d);
void kztd_telemetry_conf(struct kztd *d, const struct kzt_conf *conf);
void kztd_telemetry_write(const struct kztd *d, FILE *f);
void kztd_telemetry_free(struct kztd *d);

/* xds.c */
int kztd_xds_start(struct kztd *d, const struct kzt_conf *conf);
int kztd_xds_timeout_ms(const struct kztd *d, int timeout);
void kztd_xds_expire(struct kztd *d);
void kztd_xds_stop(struct kztd *d);

/* istio_ca.c */
int kztd_ca_start(struct kztd *d, const struct kzt_conf *conf);
void kztd_ca_want(struct kztd *d, char *const *ids, size_t n);
int kztd_ca_timeout_ms(const struct kztd *d, int timeout);
void kztd_ca_expire(struct kztd *d);
void kztd_ca_conn_lost(struct kztd *d);
void kztd_ca_stop(struct kztd *d);

/* privs.c */
int kztd_privs_undumpable(void);
int kztd_privs_drop(void);

/* notify.c */
void kztd_notify(const char *state);

/* peers.c */
struct kzt_tls_conn;
void kztd_peers_init(struct kztd *d);
int kztd_peers_admit(struct kztd *d, struct kzt_tls_conn *t);
void kztd_peers_recheck(struct kztd *d);
void kztd_pool_flush(struct kztd *d);
void kztd_peers_close(struct kztd *d);

/* handshake.c */
void kztd_hs_pools_set(struct kztd *d, const struct kzt_conf *conf);
int kztd_hs_subscribe(struct kztd *d);
void kztd_hs_unsubscribe(struct kztd *d);
void kztd_hs_accept_all(struct kztd *d);
int kztd_hs_timeout_ms(struct kztd *d);
void kztd_hs_expire(struct kztd *d);
void kztd_hs_stop(struct kztd *d, bool send_done);

#endif /* KZTD_H */
