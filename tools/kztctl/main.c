// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl: global options and the subcommand table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kztctl.h"

struct kztctl_opts kztctl_opts;
const char *prog = "kztctl";

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
	const char *synopsis;	/* more lines, or NULL */
} subcommands[] = {
	{ "status", status_main,
	  "show whether kzt is loaded, and this netns's configuration", NULL },
	{ "config", config_main,
	  "show or change this netns's kzt configuration",
	  "config [show]\n"
	  "config set [tunnel-port N] [capture on|off] [trust-domain TD]\n"
	  "           [nonmesh deny|passthrough] [handshake-timeout MS]\n"
	  "           [idle-timeout S] [keepalive-idle S] [keepalive-interval S]\n"
	  "           [keepalive-probes N] [flow-stats-interval S]\n"
	  "           (at least one field)" },
	{ "workload", workload_main,
	  "the workload table: address -> identity, protocol, location",
	  "workload add ADDR id SPIFFE_ID (node NODE_ADDR | dev IFNAME)\n"
	  "             [protocol kzt|plaintext|refused] [replace]\n"
	  "workload del ADDR\n"
	  "workload list | show [ADDR]" },
	{ "policy", policy_main,
	  "authorization policies (Istio AuthorizationPolicy, L4)",
	  "policy add NAME action allow|deny\n"
	  "           scope global|namespace NS|workloads ID[,ID...]\n"
	  "                 |addresses A[,A...]\n"
	  "           [rule [FIELD VALUE]...]... [replace]\n"
	  "policy del NAME\n"
	  "policy list | show [NAME]\n"
	  "policy check [--src-id ID] --src-ip IP --dst ADDR --port N" },
	{ "apply", apply_main,
	  "replace workloads and policies from a YAML file, atomically",
	  "apply -f FILE [--prune]" },
	{ "conn", conn_main,
	  "the flows kzt carries on this node, like ss(8)",
	  "conn [list]" },
	{ "stats", stats_main,
	  "the node's counters (capture, handshakes, tunnels, flows)", NULL },
	{ "monitor", monitor_main,
	  "print flow events (start, stats, end) until interrupted",
	  "monitor [flows]" },
	{ "revoke", revoke_main,
	  "end the flows of peer identities no longer trusted",
	  "revoke PEER_ID..." },
	{ "pool", pool_main,
	  "close the kept kzt/2 tunnels (after a certificate change)",
	  "pool flush" },
	{ "ca", ca_main,
	  "a development CA: SPIFFE certificates without an outside PKI",
	  "ca init --dir DIR [--trust-domain TD] [--days N] [--force]\n"
	  "ca issue --ca DIR SPIFFE_ID --out CERTDIR [--days N] [--name NAME]\n"
	  "         [--force]\n"
	  "ca show FILE" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] <command> [<args>]\n"
		   "       %s -h | -V\n\n", prog, prog);
	fprintf(f, "Commands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		const char *line = subcommands[i].synopsis;

		fprintf(f, "  %-9s %s\n", subcommands[i].name,
			subcommands[i].description);
		while (line && *line) {
			size_t n = strcspn(line, "\n");

			fprintf(f, "              %.*s\n", (int)n, line);
			line += n + (line[n] == '\n');
		}
	}
	fprintf(f, "\n"
		"Options:\n"
		"  -j, --json     print one JSON object on stdout (iproute2 style)\n"
		"  -h, --help     print this help and exit\n"
		"  -V, --version  print the version and exit\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  failure, or wrong usage\n"
		"  3  the kzt module is not loaded in this kernel (modprobe kzt)\n"
		"  4  permission denied: the command needs CAP_NET_ADMIN\n"
		"\n"
		"A command acts on the network namespace kztctl runs in.\n");
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL,		0,		NULL, 0 },
	};
	const char *color_off = getenv("NO_COLOR");
	int opt;

	kztctl_opts.color = isatty(STDOUT_FILENO) && !(color_off && *color_off);

	/* "+": stop at the subcommand; its own options are its business. */
	while ((opt = getopt_long(argc, argv, "+jhV", long_options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			kztctl_opts.json = true;
			break;
		case 'h':
			usage(stdout);
			return KZTCTL_EXIT_OK;
		case 'V':
			printf("%s %s\n", prog, KZT_VERSION);
			return KZTCTL_EXIT_OK;
		default:
			usage(stderr);
			return KZTCTL_EXIT_ERROR;
		}
	}
	argc -= optind;
	argv += optind;

	if (argc == 0)
		return kztctl_usage_error(usage, "no command given");
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[0], subcommands[i].name))
			return subcommands[i].fn(argc, argv);

	return kztctl_usage_error(usage, "unknown command '%s'", argv[0]);
}
