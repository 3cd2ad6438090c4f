// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl config show | set: the node configuration of this netns.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "kztctl.h"

static void config_usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] config [show]\n"
		   "       %s config set [tunnel-port N] [capture on|off] [trust-domain TD]\n"
		   "                     [nonmesh deny|passthrough] [handshake-timeout MS]\n"
		   "                     [idle-timeout S] [keepalive-idle S]\n"
		   "                     [keepalive-interval S] [keepalive-probes N]\n\n"
		   "  tunnel-port N     TCP port of this node's tunnel listener, 1..65535\n"
		   "  capture on|off    capture the TCP flows of enrolled workloads\n"
		   "  trust-domain TD   the SPIFFE trust domain of this node\n"
		   "  nonmesh MODE      flows with peers that do not speak kzt/1: deny or\n"
		   "                    passthrough (in the clear)\n"
		   "  handshake-timeout MS  how long a tunnel may take to connect and finish\n"
		   "                    its handshake, 100..600000 ms (default 10000)\n"
		   "  idle-timeout S    reset a flow idle this long, 0..604800 s, 0: never\n"
		   "                    (default 0)\n"
		   "  keepalive-idle S  TCP keepalive of new tunnels: idle seconds before the\n"
		   "                    first probe, 0..32767, 0: off (default 180)\n"
		   "  keepalive-interval S  seconds between keepalive probes, 1..32767\n"
		   "                    (default 180)\n"
		   "  keepalive-probes N  unanswered probes before a tunnel is dead and its\n"
		   "                    flow is reset, 1..127 (default 9)\n"
		   "Fields left out keep their value; at least one is needed.\n",
		prog, prog);
}

static int print_config(const struct kzt_config *cfg)
{
	struct kzt_json j;

	if (!kztctl_opts.json) {
		printf("tunnel-port: %u\n", cfg->tunnel_port);
		printf("capture: %s\n", cfg->capture ? "on" : "off");
		if (cfg->has_trust_domain)
			printf("trust-domain: %s\n", cfg->trust_domain);
		if (cfg->has_nonmesh)
			printf("nonmesh: %s\n", kzt_nonmesh_name(cfg->nonmesh));
		if (cfg->has_handshake_timeout_ms)
			printf("handshake-timeout: %u ms\n",
			       cfg->handshake_timeout_ms);
		if (cfg->has_idle_timeout_s)
			printf("idle-timeout: %u s%s\n", cfg->idle_timeout_s,
			       cfg->idle_timeout_s ? "" : " (never)");
		if (cfg->has_keepalive_idle_s)
			printf("keepalive-idle: %u s%s\n", cfg->keepalive_idle_s,
			       cfg->keepalive_idle_s ? "" : " (off)");
		if (cfg->has_keepalive_interval_s)
			printf("keepalive-interval: %u s\n",
			       cfg->keepalive_interval_s);
		if (cfg->has_keepalive_probes)
			printf("keepalive-probes: %u\n", cfg->keepalive_probes);
		if (cfg->has_flow_stats_interval_s)
			printf("flow-stats-interval: %u s%s\n",
			       cfg->flow_stats_interval_s,
			       cfg->flow_stats_interval_s ? "" : " (off)");
		return fflush(stdout) ? errno : 0;
	}
	kzt_json_init(&j, stdout);
	kztctl_json_config(&j, NULL, cfg);
	return kzt_json_finish(&j);
}

static int config_show(int argc, char *argv[])
{
	const char *what = "show the kzt configuration";
	struct kzt_config cfg;
	struct kzt_nl_err err;
	struct kzt_client c;
	int ret;

	if (argc > 1) {
		if (kztctl_is_help(argv[1])) {
			config_usage(stdout);
			return KZTCTL_EXIT_OK;
		}
		return kztctl_usage_error(config_usage,
					  "config show takes no arguments");
	}

	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	ret = kzt_config_get(&c, &cfg, &err);
	kzt_client_close(&c);
	if (ret)
		return kztctl_fail(what, ret, &err);

	ret = print_config(&cfg);
	if (ret)
		return kztctl_fail(what, ret, NULL);
	return KZTCTL_EXIT_OK;
}

static int config_set(int argc, char *argv[])
{
	const char *what = "set the kzt configuration";
	struct kzt_config cfg;
	struct kzt_nl_err err;
	struct kzt_client c;
	char msg[256];
	int ret;

	if (argc > 1 && kztctl_is_help(argv[1])) {
		config_usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	/* Every value is checked before anything is sent. */
	if (kztctl_parse_config_set(argc - 1, argv + 1, &cfg, msg, sizeof(msg)))
		return kztctl_usage_error(config_usage, "config set: %s", msg);

	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	ret = kzt_config_set(&c, &cfg, &err);
	kzt_client_close(&c);
	if (ret)
		return kztctl_fail(what, ret, &err);
	return KZTCTL_EXIT_OK;
}

int config_main(int argc, char *argv[])
{
	if (argc == 1)
		return config_show(argc, argv);
	if (kztctl_is_help(argv[1])) {
		config_usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "show"))
		return config_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "set"))
		return config_set(argc - 1, argv + 1);
	return kztctl_usage_error(config_usage, "unknown config command '%s'",
				  argv[1]);
}
