// SPDX-License-Identifier: GPL-2.0
/*
 * kzt-txn: one transaction on one socket, for tests of incremental
 * transactions (KZT_TXN_F_FROM_LIVE): begin, stage deletions, commit.
 *
 *   kzt-txn [--empty] [--wait FILE] [--time] OP...
 *     OP: del-workload ADDR | del-policy NAME
 *
 * The transaction begins from the live tables (--empty: from an empty
 * table). With --wait, "staged" is printed once every OP is staged and the
 * commit waits until FILE exists, so a test can look at the live tables
 * meanwhile. With --time, "begin_us=N commit_us=N" (wall clock around each
 * request, round trip included) comes before the result. Prints "ok", or
 * "STEP: errno=NAME extack=\"...\"" for the first step the kernel refused
 * (the transaction is then aborted).
 * Exit status: 0 committed, 1 refused, 2 bad usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/kzt.h>

#include "addr.h"
#include "kztnl.h"

static int refused(const char *step, int ret, const struct kzt_nl_err *err)
{
	printf("%s: errno=%s extack=\"%s\"\n", step,
	       strerrorname_np(ret) ?: "?", err->msg);
	return 1;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: kzt-txn [--empty] [--wait FILE] [--time] OP...\n"
		"  OP: del-workload ADDR | del-policy NAME\n");
	return 2;
}

int main(int argc, char *argv[])
{
	uint32_t flags = KZT_TXN_F_FROM_LIVE, id;
	long long t0, t_begin, t_commit;
	const char *wait_file = NULL;
	struct kzt_nl_err err = { 0 };
	bool timed = false;
	struct in6_addr addr;
	struct kzt_client c;
	int i = 1, ret;

	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--empty"))
			flags = 0;
		else if (!strcmp(argv[i], "--wait") && i + 1 < argc)
			wait_file = argv[++i];
		else if (!strcmp(argv[i], "--time"))
			timed = true;
		else
			return usage();
	}
	if ((argc - i) % 2)
		return usage();
	for (int j = i; j < argc; j += 2) {
		if (strcmp(argv[j], "del-workload") && strcmp(argv[j], "del-policy"))
			return usage();
		if (!strcmp(argv[j], "del-workload") && kzt_addr_parse(argv[j + 1], &addr)) {
			fprintf(stderr, "kzt-txn: '%s' is not an IP address\n", argv[j + 1]);
			return 2;
		}
	}

	ret = kzt_client_open(&c, &err);
	if (ret)
		return refused("open", ret, &err);
	t0 = now_us();
	ret = kzt_txn_begin_flags(&c, flags, &id, &err);
	t_begin = now_us() - t0;
	if (ret) {
		kzt_client_close(&c);
		return refused("begin", ret, &err);
	}
	for (; i < argc; i += 2) {
		if (!strcmp(argv[i], "del-workload")) {
			kzt_addr_parse(argv[i + 1], &addr);
			ret = kzt_workload_del_txn(&c, &addr, id, &err);
		} else {
			ret = kzt_policy_del_txn(&c, argv[i + 1], id, &err);
		}
		if (ret) {
			/* Closing the socket aborts the transaction. */
			kzt_client_close(&c);
			return refused(argv[i], ret, &err);
		}
	}
	if (wait_file) {
		printf("staged\n");
		fflush(stdout);
		while (access(wait_file, F_OK))
			usleep(10000);
	}
	t0 = now_us();
	ret = kzt_txn_commit(&c, id, &err);
	t_commit = now_us() - t0;
	kzt_client_close(&c);
	if (timed)
		printf("begin_us=%lld commit_us=%lld\n", t_begin, t_commit);
	if (ret)
		return refused("commit", ret, &err);
	printf("ok\n");
	return 0;
}
