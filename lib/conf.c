// SPDX-License-Identifier: GPL-2.0
/*
 * kztd.conf parser. Strict on purpose: an unknown key, a bad value or a
 * key given twice is an error that names the file, the line and the key,
 * because a typo that is silently ignored is a config that silently
 * does not apply.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "conf.h"
#include "parse.h"
#include "tls13.h"

struct conf_key {
	const char *name;
	int (*set)(struct kzt_conf *conf, const char *value, const char **why);
	size_t line;	/* where it was set; 0: not yet */
};

static int set_tunnel_port(struct kzt_conf *conf, const char *value,
			   const char **why)
{
	int err = kzt_parse_port(value, &conf->kernel.tunnel_port);

	if (err == ERANGE)
		*why = "out of range (expected a port number 1..65535)";
	else if (err)
		*why = "not a port number (expected 1..65535)";
	else
		conf->kernel.has_tunnel_port = true;
	return err;
}

static int set_capture(struct kzt_conf *conf, const char *value,
		       const char **why)
{
	int err = kzt_parse_bool(value, &conf->kernel.capture);

	if (err)
		*why = "expected on or off (or yes/no, true/false, 1/0)";
	else
		conf->kernel.has_capture = true;
	return err;
}

static int set_handshake_timeout(struct kzt_conf *conf, const char *value,
				 const char **why)
{
	int err = kzt_parse_handshake_timeout(value,
					      &conf->kernel.handshake_timeout_ms,
					      why);

	if (!err)
		conf->kernel.has_handshake_timeout_ms = true;
	return err;
}

static int set_idle_timeout(struct kzt_conf *conf, const char *value,
			    const char **why)
{
	int err = kzt_parse_idle_timeout(value, &conf->kernel.idle_timeout_s,
					 why);

	if (!err)
		conf->kernel.has_idle_timeout_s = true;
	return err;
}

static int set_keepalive_idle(struct kzt_conf *conf, const char *value,
			      const char **why)
{
	int err = kzt_parse_keepalive_idle(value,
					   &conf->kernel.keepalive_idle_s, why);

	if (!err)
		conf->kernel.has_keepalive_idle_s = true;
	return err;
}

static int set_keepalive_interval(struct kzt_conf *conf, const char *value,
				  const char **why)
{
	int err = kzt_parse_keepalive_interval(value,
					       &conf->kernel.keepalive_interval_s,
					       why);

	if (!err)
		conf->kernel.has_keepalive_interval_s = true;
	return err;
}

static int set_keepalive_probes(struct kzt_conf *conf, const char *value,
				const char **why)
{
	int err = kzt_parse_keepalive_probes(value,
					     &conf->kernel.keepalive_probes, why);

	if (!err)
		conf->kernel.has_keepalive_probes = true;
	return err;
}

static int set_flow_stats_interval(struct kzt_conf *conf, const char *value,
				   const char **why)
{
	int err = kzt_parse_flow_stats_interval(value,
					&conf->kernel.flow_stats_interval_s, why);

	if (!err)
		conf->kernel.has_flow_stats_interval_s = true;
	return err;
}

static int set_log_level(struct kzt_conf *conf, const char *value,
			 const char **why)
{
	int err = kzt_log_level_parse(value, &conf->log_level);

	if (err)
		*why = "expected error, warning, info or debug";
	else
		conf->has_log_level = true;
	return err;
}

static int set_path(char *dst, bool *has, const char *value, const char **why)
{
	if (value[0] != '/') {
		*why = "expected an absolute path";
		return EINVAL;
	}
	snprintf(dst, KZT_CONF_LINE_MAX, "%s", value);
	*has = true;
	return 0;
}

static int set_certs(struct kzt_conf *conf, const char *value, const char **why)
{
	return set_path(conf->certs, &conf->has_certs, value, why);
}

static int set_keylog(struct kzt_conf *conf, const char *value, const char **why)
{
	return set_path(conf->keylog, &conf->has_keylog, value, why);
}

static int set_ciphersuites(struct kzt_conf *conf, const char *value,
			    const char **why)
{
	static char reason[256];

	if (kzt_tls_ciphersuites_check(value, reason, sizeof(reason))) {
		*why = reason;
		return EINVAL;
	}
	snprintf(conf->ciphersuites, sizeof(conf->ciphersuites), "%s", value);
	conf->has_ciphersuites = true;
	return 0;
}

static int set_protocol_max(struct kzt_conf *conf, const char *value,
			    const char **why)
{
	if (strcmp(value, "1") && strcmp(value, "2")) {
		*why = "expected 1 (kzt/1 only) or 2 (kzt/2, and kzt/1 with older nodes)";
		return EINVAL;
	}
	conf->protocol_max = value[0] - '0';
	conf->has_protocol_max = true;
	return 0;
}

static int set_hs_max(unsigned int *dst, bool *has, const char *value,
		      const char **why)
{
	uint64_t v;
	int err = kzt_parse_uint(value, KZT_CONF_HS_MAX_LIMIT, &v);

	if (!err && v == 0)
		err = ERANGE;
	if (err == ERANGE)
		*why = "out of range (expected 1..16384 handshakes)";
	else if (err)
		*why = "not a number of handshakes (expected 1..16384)";
	if (err)
		return err;
	*dst = v;
	*has = true;
	return 0;
}

static int set_max_client_hs(struct kzt_conf *conf, const char *value,
			     const char **why)
{
	return set_hs_max(&conf->max_client_hs, &conf->has_max_client_hs,
			  value, why);
}

static int set_max_server_hs(struct kzt_conf *conf, const char *value,
			     const char **why)
{
	return set_hs_max(&conf->max_server_hs, &conf->has_max_server_hs,
			  value, why);
}

static int set_listen(struct kzt_listen *dst, bool *has, const char *value,
		      const char **why)
{
	int err = kzt_parse_listen(value, dst, why);

	if (!err)
		*has = true;
	return err;
}

static int set_metrics_address(struct kzt_conf *conf, const char *value,
			       const char **why)
{
	return set_listen(&conf->metrics_address, &conf->has_metrics_address,
			  value, why);
}

static int set_readiness_address(struct kzt_conf *conf, const char *value,
				 const char **why)
{
	return set_listen(&conf->readiness_address,
			  &conf->has_readiness_address, value, why);
}

static int set_access_log(struct kzt_conf *conf, const char *value,
			  const char **why)
{
	int err = kzt_parse_bool(value, &conf->access_log);

	if (err)
		*why = "expected on or off (or yes/no, true/false, 1/0)";
	else
		conf->has_access_log = true;
	return err;
}

static int set_access_log_rate(struct kzt_conf *conf, const char *value,
			       const char **why)
{
	uint64_t v;
	int err = kzt_parse_uint(value, KZT_CONF_ACCESS_LOG_RATE_MAX, &v);

	if (!err && v == 0)
		err = ERANGE;
	if (err) {
		*why = "expected 1..100000 lines a second (access_log = off turns the log off)";
		return err;
	}
	conf->access_log_rate = v;
	conf->has_access_log_rate = true;
	return 0;
}

/* A DNS name or an IPv4 address: letters, digits, '-' and '.'. */
static bool host_ok(const char *s, size_t n)
{
	if (!n || n > KZT_CONF_HOST_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* HOST:PORT or [IPv6]:PORT; "off". */
static int set_xds_address(struct kzt_conf *conf, const char *value,
			   const char **why)
{
	const char *colon = strrchr(value, ':'), *host = value;
	size_t n = colon ? (size_t)(colon - value) : 0;
	uint16_t port;

	*why = "expected HOST:PORT ([IPv6]:PORT for an IPv6 address) or off";
	if (!strcmp(value, "off")) {
		conf->has_xds = false;
		return 0;
	}
	if (!colon || kzt_parse_port(colon + 1, &port))
		return EINVAL;
	if (n >= 2 && value[0] == '[' && value[n - 1] == ']') {
		struct in6_addr a;
		char buf[INET6_ADDRSTRLEN];

		host++;
		n -= 2;
		if (n >= sizeof(buf))
			return EINVAL;
		memcpy(buf, host, n);
		buf[n] = '\0';
		if (inet_pton(AF_INET6, buf, &a) != 1)
			return EINVAL;
	} else if (!host_ok(host, n)) {
		return EINVAL;
	}
	memcpy(conf->xds_host, host, n);
	conf->xds_host[n] = '\0';
	snprintf(conf->xds_port, sizeof(conf->xds_port), "%u", port);
	conf->has_xds = true;
	return 0;
}

static int set_xds_server_name(struct kzt_conf *conf, const char *value,
			       const char **why)
{
	if (!host_ok(value, strlen(value))) {
		*why = "expected a DNS name";
		return EINVAL;
	}
	snprintf(conf->xds_server_name, sizeof(conf->xds_server_name), "%s", value);
	conf->has_xds_server_name = true;
	return 0;
}

static int set_xds_root_cert(struct kzt_conf *conf, const char *value,
			     const char **why)
{
	return set_path(conf->xds_root_cert, &conf->has_xds_root_cert, value,
			why);
}

static int set_xds_token(struct kzt_conf *conf, const char *value,
			 const char **why)
{
	if (!strcmp(value, "off")) {
		conf->xds_token[0] = '\0';
		conf->has_xds_token = true;
		return 0;
	}
	return set_path(conf->xds_token, &conf->has_xds_token, value, why);
}

static int set_cluster_id(struct kzt_conf *conf, const char *value,
			  const char **why)
{
	/* Sent as an HTTP header value: printable ASCII, no blank. */
	for (const char *p = value; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7f) {
			*why = "expected printable ASCII without blanks";
			return EINVAL;
		}
	}
	if (strlen(value) > KZT_CONF_HOST_MAX) {
		*why = "longer than 253 bytes";
		return EINVAL;
	}
	snprintf(conf->cluster_id, sizeof(conf->cluster_id), "%s", value);
	conf->has_cluster_id = true;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\v' || c == '\f';
}

/* Cut blanks off both ends, in place. */
static char *trim(char *s)
{
	char *end;

	while (is_blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_blank(end[-1]))
		end--;
	*end = '\0';
	return s;
}

static int conf_error(char *errbuf, size_t errlen, const char *name,
		      size_t line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int conf_error(char *errbuf, size_t errlen, const char *name,
		      size_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen)
		return EINVAL;
	n = snprintf(errbuf, errlen, "%s:%zu: ", name, line);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

static int parse_line(char *line, const char *name, size_t lineno,
		      struct conf_key *keys, size_t n_keys,
		      struct kzt_conf *conf, char *errbuf, size_t errlen)
{
	char *hash, *eq, *key, *value;
	const char *why = NULL;
	struct conf_key *k = NULL;

	/* No key or value contains '#': a comment may follow a value. */
	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	line = trim(line);
	if (!*line)
		return 0;

	eq = strchr(line, '=');
	if (!eq)
		return conf_error(errbuf, errlen, name, lineno,
				  "expected 'key = value', got '%s'", line);
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!*key)
		return conf_error(errbuf, errlen, name, lineno,
				  "missing key before '='");

	for (size_t i = 0; i < n_keys; i++)
		if (!strcmp(keys[i].name, key))
			k = &keys[i];
	if (!k)
		return conf_error(errbuf, errlen, name, lineno,
				  "unknown key '%s'", key);
	if (k->line)
		return conf_error(errbuf, errlen, name, lineno,
				  "%s: given twice (first on line %zu)",
				  key, k->line);
	if (!*value)
		return conf_error(errbuf, errlen, name, lineno,
				  "%s: missing value", key);
	if (k->set(conf, value, &why))
		return conf_error(errbuf, errlen, name, lineno,
				  "%s: invalid value '%s': %s", key, value, why);
	k->line = lineno;
	return 0;
}

/**
 * kzt_conf_parse() - parse a kztd configuration from an open stream
 * @f:      the stream
 * @name:   file name used in error messages
 * @conf:   filled only when the whole file is valid; untouched otherwise
 * @errbuf: on error, "<name>:<line>: <problem>"
 * @errlen: size of @errbuf
 *
 * @retval 0      @conf holds what the file says
 * @retval EINVAL a line is wrong; @errbuf says which and why
 * @retval other  errno of reading the stream (EIO when it has none);
 *                @errbuf says "<name>: <reason>"
 */
int kzt_conf_parse(FILE *f, const char *name, struct kzt_conf *conf,
		   char *errbuf, size_t errlen)
{
	struct conf_key keys[] = {
		{ "tunnel_port",	set_tunnel_port,	0 },
		{ "capture",		set_capture,		0 },
		{ "handshake_timeout_ms", set_handshake_timeout, 0 },
		{ "idle_timeout_s",	set_idle_timeout,	0 },
		{ "keepalive_idle_s",	set_keepalive_idle,	0 },
		{ "keepalive_interval_s", set_keepalive_interval, 0 },
		{ "keepalive_probes",	set_keepalive_probes,	0 },
		{ "flow_stats_interval_s", set_flow_stats_interval, 0 },
		{ "log_level",		set_log_level,		0 },
		{ "certs",		set_certs,		0 },
		{ "keylog",		set_keylog,		0 },
		{ "ciphersuites",	set_ciphersuites,	0 },
		{ "protocol_max",	set_protocol_max,	0 },
		{ "max_client_handshakes", set_max_client_hs,	0 },
		{ "max_server_handshakes", set_max_server_hs,	0 },
		{ "metrics_address",	set_metrics_address,	0 },
		{ "readiness_address",	set_readiness_address,	0 },
		{ "access_log",		set_access_log,		0 },
		{ "access_log_rate",	set_access_log_rate,	0 },
		{ "xds_address",	set_xds_address,	0 },
		{ "xds_server_name",	set_xds_server_name,	0 },
		{ "xds_root_cert",	set_xds_root_cert,	0 },
		{ "xds_token",		set_xds_token,		0 },
		{ "cluster_id",		set_cluster_id,		0 },
	};
	struct kzt_conf c = { .log_level = KZT_LOG_INFO };
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int ret = 0;

	if (errlen)
		errbuf[0] = '\0';
	errno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (memchr(line, '\0', n)) {
			ret = conf_error(errbuf, errlen, name, lineno,
					 "NUL byte in line");
			goto out;
		}
		if ((size_t)n > KZT_CONF_LINE_MAX) {
			ret = conf_error(errbuf, errlen, name, lineno,
					 "line longer than %d bytes",
					 KZT_CONF_LINE_MAX);
			goto out;
		}
		ret = parse_line(line, name, lineno, keys,
				 sizeof(keys) / sizeof(keys[0]), &c,
				 errbuf, errlen);
		if (ret)
			goto out;
		errno = 0;
	}
	if (!feof(f)) {
		ret = errno ? errno : EIO;
		if (errlen)
			snprintf(errbuf, errlen, "%s: %s", name, strerror(ret));
		goto out;
	}
	*conf = c;
out:
	free(line);
	return ret;
}

/**
 * kzt_conf_load() - read and parse a kztd configuration file
 * @path:   the file
 * @conf:   filled only when the whole file is valid
 * @errbuf: on error, a message that starts with @path
 * @errlen: size of @errbuf
 *
 * @retval 0      @conf holds what the file says
 * @retval ENOENT there is no such file (the caller decides if that is fine)
 * @retval EINVAL a line is wrong
 * @retval other  errno of fopen() or of reading
 */
int kzt_conf_load(const char *path, struct kzt_conf *conf,
		  char *errbuf, size_t errlen)
{
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		ret = errno;
		if (errlen)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(ret));
		return ret;
	}
	ret = kzt_conf_parse(f, path, conf, errbuf, errlen);
	fclose(f);
	return ret;
}
