// SPDX-License-Identifier: GPL-2.0
/*
 * kztd's config file and the kernel: load it, apply the keys it gives
 * with one CONFIG_SET, and do the same again on SIGHUP.
 */
#include <errno.h>
#include <string.h>

#include <linux/kzt.h>

#include "kztd.h"

/**
 * kztd_conf_load() - read the config file named on the command line
 * @d:    the daemon (path, and whether it was given with -c)
 * @conf: filled only on success
 *
 * A missing default file means "all defaults": kztd then leaves the
 * kernel's configuration as it is. A missing file given with -c is an
 * error. Every problem is logged with its file and line.
 *
 * @retval 0      @conf holds the file (or nothing, for no default file)
 * @retval EINVAL the file is wrong
 * @retval other  errno of opening or reading it
 */
int kztd_conf_load(const struct kztd *d, struct kzt_conf *conf)
{
	char msg[KZT_CONF_ERR_MAX];
	int ret;

	ret = kzt_conf_load(d->conf_path, conf, msg, sizeof(msg));
	if (ret == ENOENT && !d->conf_path_given) {
		log_info("%s not found: using defaults", d->conf_path);
		memset(conf, 0, sizeof(*conf));
		return 0;
	}
	if (ret)
		log_err("%s", msg);
	return ret;
}

/* The file's log_level, unless -v asked for debug. */
void kztd_conf_use_log_level(const struct kztd *d, const struct kzt_conf *conf)
{
	if (d->verbose)
		kzt_log_set_level(KZT_LOG_DEBUG);
	else if (conf->has_log_level)
		kzt_log_set_level(conf->log_level);
	else
		kzt_log_set_level(KZT_LOG_INFO);
}

/**
 * kztd_conf_apply() - send the kernel keys of @conf in one CONFIG_SET
 * @d:    the daemon
 * @conf: a loaded file; only the keys it gives are sent
 *
 * @retval 0     applied, or nothing to apply
 * @retval other errno from the kernel (logged with its extack message)
 */
int kztd_conf_apply(struct kztd *d, const struct kzt_conf *conf)
{
	struct kzt_nl_err err;
	char buf[KZT_CONFIG_STR_LEN];
	int ret;

	if (!kzt_config_any(&conf->kernel)) {
		log_debug("%s sets no kernel key: nothing to apply",
			  d->conf_path);
		return 0;
	}
	log_debug("applying %s",
		  kzt_config_str(&conf->kernel, buf, sizeof(buf)));
	ret = kzt_config_set(&d->client, &conf->kernel, &err);
	if (ret) {
		kzt_err_str(&err, buf, sizeof(buf));
		log_err("Unable to apply %s: %s%s", d->conf_path, buf,
			ret == EPERM ? " (CAP_NET_ADMIN is needed)" : "");
	}
	return ret;
}

/**
 * kztd_config_log() - read the kernel's configuration and log it
 * @d:    the daemon
 * @what: what the line starts with, e.g. "config"
 *
 * @retval 0     logged
 * @retval other errno of CONFIG_GET (logged)
 */
int kztd_config_log(struct kztd *d, const char *what)
{
	struct kzt_config cfg;
	struct kzt_nl_err err;
	char buf[KZT_CONFIG_STR_LEN];
	int ret;

	ret = kzt_config_get(&d->client, &cfg, &err);
	if (ret) {
		kzt_err_str(&err, buf, sizeof(buf));
		log_err("Unable to read the kzt configuration: %s%s", buf,
			ret == EPERM ? " (CAP_NET_ADMIN is needed)" : "");
		return ret;
	}
	log_info("%s: %s", what, kzt_config_str(&cfg, buf, sizeof(buf)));
	kztd_trust_domain_set(d, &cfg);
	return 0;
}

/**
 * kztd_reload() - SIGHUP: read the file again and apply it
 * @d: the daemon
 *
 * A file that does not parse changes nothing: neither the kernel nor the
 * log level. The kernel applies a CONFIG_SET entirely or not at all.
 */
void kztd_reload(struct kztd *d)
{
	struct kzt_conf conf;

	log_info("reloading %s", d->conf_path);
	if (kztd_conf_load(d, &conf)) {
		log_err("reload failed: keeping the current configuration");
		return;
	}
	kztd_certs_conf_changed(d, &conf);
	if (d->kzt_gone) {
		d->conf = conf;
		kztd_conf_use_log_level(d, &conf);
		kztd_hs_pools_set(d, &conf);
		kztd_metrics_open(d, &conf);
		kztd_telemetry_conf(d, &conf);
		log_warn("kzt module not loaded: %s will be applied when it is",
			 d->conf_path);
		return;
	}
	if (kztd_conf_apply(d, &conf)) {
		log_err("reload failed: the kernel kept its configuration");
		return;
	}
	d->conf = conf;
	kztd_conf_use_log_level(d, &conf);
	kztd_hs_pools_set(d, &conf);
	kztd_metrics_open(d, &conf);
	kztd_telemetry_conf(d, &conf);
	log_info("reloaded %s", d->conf_path);
}
