// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl monitor: the flow events of this node (group "flows"), one line
 * or one JSON object each, until interrupted.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "kztctl.h"
#include "nl.h"

/* Room for a stats pass: about 13000 events of 300 bytes. */
#define MONITOR_RCVBUF	(4 * 1024 * 1024)

static volatile sig_atomic_t monitor_stop;

static void monitor_usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] monitor [flows]\n\n"
		   "Print the flow events of this node until interrupted (SIGINT, SIGTERM):\n"
		   "start when a flow kzt carries is established, stats every\n"
		   "flow-stats-interval seconds while it lives, end when it ends, with the\n"
		   "reason. Each carries the flow's id, direction, addresses, identities,\n"
		   "peer node, cipher, cumulative bytes (out: from the local pod) and age.\n"
		   "-j prints one JSON object per line. Once subscribed it says so on stderr\n"
		   "(\"listening for flow events\"). Events the kernel dropped because\n"
		   "this reader was too slow show as a line 'lost' ({\"event\":\"lost\"});\n"
		   "the node counts them in flow_events_dropped (kztctl stats).\n",
		prog);
}

struct monitor {
	uint16_t family;
	int ret;		/* first output error */
};

static void print_lost(void)
{
	struct kzt_json j;

	if (kztctl_opts.json) {
		kzt_json_init(&j, stdout);
		kzt_json_object_begin(&j, NULL);
		kzt_json_string(&j, "event", "lost");
		kzt_json_object_end(&j);
		kzt_json_finish(&j);
	} else {
		printf("lost: events dropped (this reader was too slow)\n");
	}
	fflush(stdout);
}

static void on_event(struct nlmsghdr *nlh, void *arg)
{
	static char line[2 * KZT_SPIFFE_ID_MAX + 512];
	struct monitor *m = arg;
	struct kzt_flow_event ev;
	struct kzt_json j;
	int ret;

	ret = kzt_flow_event_from_msg(nlh, m->family, &ev);
	if (ret == ENOENT)
		return;
	if (ret) {
		fprintf(stderr, "%s: skipping a flow event: %s\n", prog,
			strerror(ret));
		return;
	}
	if (kztctl_opts.json) {
		kzt_json_init(&j, stdout);
		kztctl_json_flow_event(&j, &ev);
		ret = kzt_json_finish(&j);
	} else {
		printf("%s\n", kztctl_flow_event_str(&ev, line, sizeof(line)));
	}
	/* One event, one write: a pipe reader sees it at once. */
	if (fflush(stdout) && !m->ret)
		m->ret = errno ?: EIO;
	if (ret && !m->ret)
		m->ret = ret;
	kzt_flow_event_free(&ev);
}

static void on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

/* SIGINT and SIGTERM set monitor_stop; blocked except inside ppoll(). */
static int monitor_signals(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &block, wait_mask) ||
	    sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return errno;
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	return 0;
}

static int monitor_loop(struct kzt_nl *nl, struct monitor *m)
{
	struct pollfd pfd = { .fd = kzt_nl_fd(nl), .events = POLLIN };
	sigset_t wait_mask;
	int ret;

	ret = monitor_signals(&wait_mask);
	if (ret)
		return ret;
	while (!monitor_stop && !m->ret) {
		if (ppoll(&pfd, 1, NULL, &wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		ret = kzt_nl_events_read(nl, on_event, m);
		if (ret == ENOBUFS) {
			print_lost();
			continue;
		}
		if (ret)
			return ret;
	}
	return m->ret;
}

int monitor_main(int argc, char *argv[])
{
	const char *what = "monitor the flow events";
	struct monitor m = { 0 };
	struct kzt_nl_err err;
	struct kzt_client c;
	struct kzt_nl *nl;
	int ret, size = MONITOR_RCVBUF;

	if (argc > 1 && kztctl_is_help(argv[1])) {
		monitor_usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	if (argc > 1 && strcmp(argv[1], "flows"))
		return kztctl_usage_error(monitor_usage,
					  "unknown monitor object '%s' (expected flows)",
					  argv[1]);
	if (argc > 2)
		return kztctl_usage_error(monitor_usage,
					  "monitor takes at most one argument");

	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	m.family = c.family.id;
	ret = kzt_flow_events_open(&c, &nl, &err);
	kzt_client_close(&c);
	if (ret == ENOENT) {
		fprintf(stderr, "%s: Unable to %s: the loaded kzt module has no \"flows\" group (too old)\n",
			prog, what);
		return KZTCTL_EXIT_ERROR;
	}
	if (ret)
		return kztctl_fail(what, ret, &err);
	/*
	 * A stats pass sends one event per flow at once: more room than
	 * net.core.rmem_max allows (FORCE: we hold CAP_NET_ADMIN, the
	 * subscription needed it). Best effort: less room only loses events
	 * sooner, and says so.
	 */
	if (setsockopt(kzt_nl_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)))
		setsockopt(kzt_nl_fd(nl), SOL_SOCKET, SO_RCVBUF, &size,
			   sizeof(size));
	/* On stderr: stdout has events only. Scripts wait for this line. */
	fprintf(stderr, "%s: listening for flow events\n", prog);
	ret = monitor_loop(nl, &m);
	kzt_nl_close(nl);
	if (ret)
		return kztctl_fail(what, ret, NULL);
	return KZTCTL_EXIT_OK;
}
