/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kztd's configuration file: "key = value" lines, '#' comments, blank
 * lines. See Documentation/kztd.rst for the keys.
 */
#ifndef KZT_CONF_H
#define KZT_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kztnl.h"
#include "log.h"
#include "parse.h"

#define KZT_CONF_DEFAULT_PATH	"/etc/kzt/kztd.conf"
#define KZT_CONF_LINE_MAX	1024
#define KZT_CONF_ERR_MAX	512

/*
 * Handshakes kztd runs at once per role (max_client_handshakes, ...);
 * default: KZT_CONF_HS_PER_CPU per online CPU, at least KZT_CONF_HS_MIN.
 */
#define KZT_CONF_HS_PER_CPU	4
#define KZT_CONF_HS_MIN		8
#define KZT_CONF_HS_MAX_LIMIT	16384

/* The control plane (Documentation/istio.rst); off unless xds_address. */
#define KZT_CONF_XDS_ROOT_CERT_DEFAULT	"/var/run/secrets/istio/root-cert.pem"
#define KZT_CONF_XDS_TOKEN_DEFAULT	"/var/run/secrets/tokens/istio-token"
#define KZT_CONF_CLUSTER_ID_DEFAULT	"Kubernetes"
#define KZT_CONF_HOST_MAX		253

/* kztd's HTTP servers: Prometheus scrapes and the readiness probe. */
#define KZT_CONF_METRICS_DEFAULT	"[::]:15020"
#define KZT_CONF_READINESS_DEFAULT	"[::]:15021"

/* The access log (Documentation/telemetry.rst): lines per second, burst. */
#define KZT_CONF_ACCESS_LOG_RATE_DEFAULT	100
#define KZT_CONF_ACCESS_LOG_RATE_MAX		100000

/* What the file said; a key that is absent has its has_ flag clear. */
struct kzt_conf {
	struct kzt_config kernel;	/* tunnel_port, capture, timeouts */
	bool has_log_level;
	enum kzt_log_level log_level;
	bool has_certs;
	char certs[KZT_CONF_LINE_MAX];		/* certificate directory */
	bool has_keylog;
	char keylog[KZT_CONF_LINE_MAX];		/* NSS key log file (debug) */
	bool has_ciphersuites;
	char ciphersuites[KZT_CONF_LINE_MAX];	/* TLS 1.3 suites, ':' list */
	bool has_protocol_max;
	unsigned int protocol_max;		/* 1 or 2: highest kzt/N */
	bool has_max_client_hs;
	unsigned int max_client_hs;		/* 1..KZT_CONF_HS_MAX_LIMIT */
	bool has_max_server_hs;
	unsigned int max_server_hs;
	bool has_metrics_address;
	struct kzt_listen metrics_address;	/* GET /stats/prometheus */
	bool has_readiness_address;
	struct kzt_listen readiness_address;	/* GET /healthz/ready */
	bool has_access_log;
	bool access_log;			/* a JSON line per flow */
	bool has_access_log_rate;
	unsigned int access_log_rate;		/* lines/s, 1..RATE_MAX */
	/* istiod: xds_address HOST:PORT (absent or "off": none) */
	bool has_xds;
	char xds_host[KZT_CONF_HOST_MAX + 1];
	char xds_port[6];
	bool has_xds_server_name;
	char xds_server_name[KZT_CONF_HOST_MAX + 1];
	bool has_xds_root_cert;
	char xds_root_cert[KZT_CONF_LINE_MAX];
	bool has_xds_token;			/* "off": no token */
	char xds_token[KZT_CONF_LINE_MAX];
	bool has_cluster_id;
	char cluster_id[KZT_CONF_HOST_MAX + 1];
};

int kzt_conf_parse(FILE *f, const char *name, struct kzt_conf *conf,
		   char *errbuf, size_t errlen);
int kzt_conf_load(const char *path, struct kzt_conf *conf,
		  char *errbuf, size_t errlen);

#endif /* KZT_CONF_H */
