// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl status: is the module loaded, which version, and the
 * configuration of this network namespace.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/kzt.h>

#include "json.h"
#include "kztctl.h"

#define MODULE_VERSION_PATH "/sys/module/kzt/version"

struct status {
	bool loaded;
	bool has_version;
	char version[64];
	bool has_family;
	struct kzt_nl_family family;
	bool has_config;
	struct kzt_config config;
};

static void status_usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] status\n", prog);
}

/* MODULE_VERSION() of kzt.ko; absent for a built-in kzt without one. */
static bool read_module_version(char *buf, size_t len)
{
	FILE *f = fopen(MODULE_VERSION_PATH, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok && buf[0];
}

static int print_json(const struct status *st)
{
	struct kzt_json j;

	kzt_json_init(&j, stdout);
	kzt_json_object_begin(&j, NULL);

	kzt_json_object_begin(&j, "module");
	kzt_json_bool(&j, "loaded", st->loaded);
	kzt_json_string(&j, "version", st->has_version ? st->version : NULL);
	kzt_json_object_end(&j);

	if (st->has_family) {
		kzt_json_object_begin(&j, "family");
		kzt_json_string(&j, "name", st->family.name);
		kzt_json_uint(&j, "id", st->family.id);
		kzt_json_uint(&j, "version", st->family.version);
		kzt_json_object_end(&j);
	} else {
		kzt_json_null(&j, "family");
	}

	if (st->has_config) {
		kztctl_json_config(&j, "config", &st->config);
	} else {
		kzt_json_null(&j, "config");
	}

	kzt_json_object_end(&j);
	return kzt_json_finish(&j);
}

static void print_text(const struct status *st)
{
	kztctl_print_header("module");
	kztctl_print_field("loaded", "%s", st->loaded ? "yes" : "no");
	if (st->has_version)
		kztctl_print_field("version", "%s", st->version);
	if (st->has_family) {
		kztctl_print_field("family", "%s (id %u, version %u)",
				   st->family.name, st->family.id,
				   st->family.version);
	}
	if (st->has_config) {
		kztctl_print_header("config");
		kztctl_print_field("tunnel port", "%u", st->config.tunnel_port);
		kztctl_print_field("capture", "%s",
				   st->config.capture ? "on" : "off");
		if (st->config.has_trust_domain)
			kztctl_print_field("trust domain", "%s",
					   st->config.trust_domain);
		if (st->config.has_nonmesh)
			kztctl_print_field("non-mesh peers", "%s",
					   kzt_nonmesh_name(st->config.nonmesh));
		if (st->config.has_handshake_timeout_ms)
			kztctl_print_field("handshake timeout", "%u ms",
					   st->config.handshake_timeout_ms);
		if (st->config.has_idle_timeout_s)
			kztctl_print_field("idle timeout", "%u s%s",
					   st->config.idle_timeout_s,
					   st->config.idle_timeout_s ? "" : " (never)");
		if (st->config.has_keepalive_idle_s)
			kztctl_print_field("keepalive idle", "%u s%s",
					   st->config.keepalive_idle_s,
					   st->config.keepalive_idle_s ? "" : " (off)");
		if (st->config.has_keepalive_interval_s)
			kztctl_print_field("keepalive interval", "%u s",
					   st->config.keepalive_interval_s);
		if (st->config.has_keepalive_probes)
			kztctl_print_field("keepalive probes", "%u",
					   st->config.keepalive_probes);
		if (st->config.has_flow_stats_interval_s)
			kztctl_print_field("flow stats interval", "%u s%s",
					   st->config.flow_stats_interval_s,
					   st->config.flow_stats_interval_s ?
					   "" : " (off)");
	}
}

int status_main(int argc, char *argv[])
{
	struct status st = { 0 };
	struct kzt_nl_err err;
	struct kzt_client c;
	int ret, rc = KZTCTL_EXIT_OK;

	if (argc > 1) {
		if (kztctl_is_help(argv[1])) {
			status_usage(stdout);
			return KZTCTL_EXIT_OK;
		}
		return kztctl_usage_error(status_usage,
					  "status takes no arguments");
	}

	/* Resolving the family may load the module (its genl alias): look
	 * at sysfs afterwards. */
	ret = kzt_client_open(&c, &err);
	st.has_version = read_module_version(st.version, sizeof(st.version));
	if (ret == ENOENT) {
		fprintf(stderr, "%s: Unable to read the kzt status: %s\n", prog,
			KZT_MSG_NOT_LOADED);
		rc = KZTCTL_EXIT_NO_MODULE;
	} else if (ret) {
		return kztctl_fail("read the kzt status", ret, &err);
	} else {
		st.loaded = true;
		st.has_family = true;
		st.family = c.family;
		ret = kzt_config_get(&c, &st.config, &err);
		if (ret)
			rc = kztctl_fail("read the kzt configuration", ret, &err);
		else
			st.has_config = true;
		kzt_client_close(&c);
	}

	/* What could be learnt is printed even when a part failed. */
	if (kztctl_opts.json) {
		ret = print_json(&st);
		if (ret && rc == KZTCTL_EXIT_OK)
			rc = kztctl_fail("print the status", ret, NULL);
	} else {
		print_text(&st);
	}
	return rc;
}
