// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl pool flush: close the kept kzt/2 tunnels (KZT_CMD_POOL_FLUSH), as
 * kztd does when its certificates change.
 */
#include <stdio.h>
#include <string.h>

#include "kztctl.h"

static void pool_usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] pool flush\n\n"
		   "Close every kzt/2 tunnel this node keeps for the next flow (both the\n"
		   "source side's pool and the destination side's idle tunnels), and keep\n"
		   "none of the tunnels carrying a flow now once it ends: new flows then\n"
		   "make new tunnels, with a handshake and the certificates of now. Flows\n"
		   "go on. kztd does this by itself when its certificates change. Prints\n"
		   "how many kept tunnels were closed.\n",
		prog);
}

int pool_main(int argc, char *argv[])
{
	const char *what = "flush the kept tunnels";
	struct kzt_nl_err err;
	struct kzt_client c;
	uint32_t closed;
	int ret;

	if (argc > 1 && kztctl_is_help(argv[1])) {
		pool_usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	if (argc < 2)
		return kztctl_usage_error(pool_usage, "pool needs a subcommand (flush)");
	if (strcmp(argv[1], "flush"))
		return kztctl_usage_error(pool_usage, "pool: unknown subcommand '%s'",
					  argv[1]);
	if (argc > 2)
		return kztctl_usage_error(pool_usage, "pool flush takes no arguments");
	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	ret = kzt_pool_flush(&c, &closed, &err);
	kzt_client_close(&c);
	if (ret)
		return kztctl_fail(what, ret, &err);
	return kztctl_print_count(what, "closed", closed, closed == 1 ?
				  "kept tunnel closed" : "kept tunnels closed");
}
