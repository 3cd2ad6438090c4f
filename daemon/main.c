// SPDX-License-Identifier: GPL-2.0
/*
 * kztd: options, start-up, the loop, teardown.
 *
 * kztd always runs in the foreground and logs to stderr or syslog: a
 * service manager (systemd, an init script with a supervisor, a container
 * runtime) starts, restarts and stops it. There is no daemonizing mode.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kzt.h>

#include "kztd.h"
#include "tls13.h"

static const char *prog = "kztd";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-c FILE] [-v] [--log stderr|syslog] [--certs DIR]\n"
		"            [--ciphersuites LIST] [--keylog FILE]\n"
		"       %s [-c FILE] [--certs DIR] --check-config\n"
		"       %s -h | -V\n"
		"\n"
		"The kzt node daemon. It applies its configuration file to the kzt module\n"
		"of the network namespace it runs in, logs every configuration change, runs\n"
		"the TLS 1.3 handshakes of the kernel's tunnels with the certificates of\n"
		"DIR, and runs in the foreground under a service manager.\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE   configuration file (default %s;\n"
		"                      if the default file is missing, defaults apply)\n"
		"  -v, --verbose       log debug messages, whatever log_level says\n"
		"      --log DEST      log to stderr (default) or syslog\n"
		"      --certs DIR     certificate directory: DIR/bundle.pem, DIR/<name>.crt\n"
		"                      and DIR/<name>.key (default: the file's certs; none:\n"
		"                      no handshakes)\n"
		"      --ciphersuites LIST  TLS 1.3 suites, ':'-separated, in order of\n"
		"                      preference (default %s)\n"
		"      --keylog FILE   DEBUG ONLY: append every TLS secret to FILE (NSS key\n"
		"                      log format, for tshark); whoever reads it can decrypt\n"
		"                      all tunnel traffic\n"
		"      --check-config  check the configuration file (and the certificate\n"
		"                      directory) and exit\n"
		"  -h, --help          print this help and exit\n"
		"  -V, --version       print the version and exit\n"
		"\n"
		"Signals: SIGHUP reads the configuration file again and applies it (a bad\n"
		"file changes nothing) and reloads the certificates (also reloaded when\n"
		"their files change); SIGTERM and SIGINT stop kztd.\n"
		"\n"
		"Exit status: 0 stopped by a signal, or --check-config found the file valid;\n"
		"1 any error (bad usage or file, kzt module not loaded, kernel refusal).\n",
		prog, prog, prog, KZT_CONF_DEFAULT_PATH, KZT_TLS_CIPHERSUITES);
}

enum { OPT_LOG = 256, OPT_CHECK_CONFIG, OPT_CERTS, OPT_KEYLOG,
       OPT_CIPHERSUITES };

/* --check-config: the directory loads (any trust domain: no kernel here). */
static int check_certs(const struct kztd *d, const struct kzt_conf *conf)
{
	const char *dir = d->opt_certs ? d->opt_certs :
			  conf->has_certs ? conf->certs : NULL;
	struct kzt_tls_opts opts = {
		.ciphersuites = d->opt_ciphersuites ? d->opt_ciphersuites :
				conf->has_ciphersuites ? conf->ciphersuites : NULL,
	};
	struct kzt_creds *c;
	bool refused;

	if (!dir)
		return EXIT_SUCCESS;
	if (kzt_creds_load(dir, NULL, &opts, &c))
		return EXIT_FAILURE;
	printf("%s: %zu identities, %zu pairs refused\n", dir, c->n_ids,
	       c->n_refused);
	refused = c->n_refused;
	kzt_creds_put(c);
	return refused ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int check_config(struct kztd *d)
{
	struct kzt_conf conf;
	char buf[KZT_CONFIG_STR_LEN];

	if (kztd_conf_load(d, &conf))
		return EXIT_FAILURE;
	printf("%s: valid: %s", d->conf_path,
	       kzt_config_str(&conf.kernel, buf, sizeof(buf)));
	if (conf.has_log_level)
		printf(" log_level=%s", kzt_log_level_name(conf.log_level));
	putchar('\n');
	return check_certs(d, &conf);
}

/* Connect to the kernel and apply the file; on failure say why. */
static int start(struct kztd *d)
{
	struct kzt_nl_err err;
	char buf[256];
	int ret;

	ret = kzt_client_open(&d->client, &err);
	if (ret == ENOENT) {
		log_err("%s", KZT_MSG_NOT_LOADED);
		return ret;
	}
	if (ret) {
		log_err("Unable to open the kzt netlink family: %s",
			kzt_err_str(&err, buf, sizeof(buf)));
		return ret;
	}
	log_debug("kzt family id %u version %u", d->client.family.id,
		  d->client.family.version);

	/* ORDER: listen before applying, so that no change goes unseen. */
	ret = kztd_events_open(d);
	if (ret)
		return ret;

	ret = kztd_conf_apply(d, &d->conf);
	if (ret)
		return ret;
	ret = kztd_config_log(d, "config");	/* learns the trust domain */
	if (ret)
		return ret;
	ret = kztd_certs_open(d);
	if (!ret)
		ret = kztd_ca_start(d, &d->conf);
	if (ret)
		return ret;
	ret = kztd_hs_subscribe(d);
	if (ret)
		return ret;
	kztd_metrics_open(d, &d->conf);
	kztd_telemetry_conf(d, &d->conf);
	kztd_telemetry_open(d);
	d->ready = true;
	d->xds_on = d->conf.has_xds;
	return kztd_xds_start(d, &d->conf);
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "config",		required_argument,	NULL, 'c' },
		{ "verbose",		no_argument,		NULL, 'v' },
		{ "log",		required_argument,	NULL, OPT_LOG },
		{ "check-config",	no_argument,		NULL, OPT_CHECK_CONFIG },
		{ "certs",		required_argument,	NULL, OPT_CERTS },
		{ "keylog",		required_argument,	NULL, OPT_KEYLOG },
		{ "ciphersuites",	required_argument,	NULL, OPT_CIPHERSUITES },
		{ "help",		no_argument,		NULL, 'h' },
		{ "version",		no_argument,		NULL, 'V' },
		{ NULL,			0,			NULL, 0 },
	};
	struct kztd d = {
		.conf_path = KZT_CONF_DEFAULT_PATH,
		.signal_fd = -1,
		.epfd = -1,
		.inotify_io.fd = -1,
		.settle_io.fd = -1,
		.expiry_io.fd = -1,
		.wd_dir = -1,
		.wd_parent = -1,
	};
	char why[256];
	enum kzt_log_dest dest = KZT_LOG_STDERR;
	bool only_check = false;
	int opt, ret;

	/* Before anything reads a key: see privs.c. */
	if (kztd_privs_undumpable()) {
		fprintf(stderr, "%s: Unable to make the process non-dumpable: %s\n",
			prog, strerror(errno));
		return EXIT_FAILURE;
	}
	while ((opt = getopt_long(argc, argv, "c:vhV", long_options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			d.conf_path = optarg;
			d.conf_path_given = true;
			break;
		case 'v':
			d.verbose = true;
			break;
		case OPT_LOG:
			if (kzt_log_dest_parse(optarg, &dest)) {
				fprintf(stderr, "%s: --log: expected stderr or syslog, got '%s'\n",
					prog, optarg);
				return EXIT_FAILURE;
			}
			break;
		case OPT_CHECK_CONFIG:
			only_check = true;
			break;
		case OPT_CERTS:
			d.opt_certs = optarg;
			break;
		case OPT_KEYLOG:
			d.opt_keylog = optarg;
			break;
		case OPT_CIPHERSUITES:
			if (kzt_tls_ciphersuites_check(optarg, why, sizeof(why))) {
				fprintf(stderr, "%s: --ciphersuites: %s\n", prog, why);
				return EXIT_FAILURE;
			}
			d.opt_ciphersuites = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("%s %s\n", prog, KZT_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		usage(stderr);
		return EXIT_FAILURE;
	}

	if (only_check) {
		kzt_log_open(prog, KZT_LOG_STDERR, KZT_LOG_INFO);
		return check_config(&d);
	}

	kzt_log_open(prog, dest, d.verbose ? KZT_LOG_DEBUG : KZT_LOG_INFO);
	kztd_peers_init(&d);
	kztd_metrics_init(&d);
	kztd_telemetry_init(&d);
	ret = kztd_signals_block(&d);
	if (ret) {
		log_err("Unable to set up signals: %s", strerror(ret));
		goto out;
	}
	ret = kztd_conf_load(&d, &d.conf);
	if (ret)
		goto out;
	kztd_conf_use_log_level(&d, &d.conf);
	log_info("kztd %s starting (config %s)", KZT_VERSION, d.conf_path);
	kztd_hs_pools_set(&d, &d.conf);

	ret = kztd_loop_init(&d);
	if (!ret)
		ret = start(&d);
	/* ORDER: everything privileged is open; only kzt requests remain. */
	if (!ret)
		ret = kztd_privs_drop();
	if (!ret) {
		kztd_notify("READY=1");
		ret = kztd_loop(&d);
		kztd_notify("STOPPING=1");
	}

out:
	/* ORDER: handshakes hold credentials; DONE needs the client. */
	kztd_hs_stop(&d, d.client.nl && !d.kzt_gone);
	kztd_certs_close(&d);
	kztd_peers_close(&d);
	kztd_metrics_close(&d);
	kztd_xds_stop(&d);
	kztd_telemetry_free(&d);
	if (d.epfd >= 0)
		close(d.epfd);
	kzt_nl_close(d.events);
	if (d.client.nl)
		kzt_client_close(&d.client);
	if (d.signal_fd >= 0)
		close(d.signal_fd);
	log_info("exiting%s", ret ? " on error" : "");
	kzt_log_close();
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
