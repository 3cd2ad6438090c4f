// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl revoke: end the flows of peer identities that are no longer
 * trusted (KZT_CMD_REVOKE), as kztd does after a trust bundle change.
 */
#include <stdio.h>

#include "kztctl.h"
#include "names.h"

static void revoke_usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] revoke PEER_ID...\n\n"
		   "End every flow of this node whose peer identity is one of the SPIFFE IDs\n"
		   "given (an inbound flow's client, an outbound flow's destination): both\n"
		   "pods see a reset and the flow shows as closing:trust for a moment. The\n"
		   "kernel remembers nothing: a new connection of the same peer is decided\n"
		   "and verified afresh (kztd revokes by itself when its trust bundle no\n"
		   "longer verifies a peer). Prints how many flows were told to end.\n",
		prog);
}

int revoke_main(int argc, char *argv[])
{
	const char *what = "revoke the peer identities";
	struct kzt_nl_err err;
	struct kzt_client c;
	uint64_t flows;
	const char *bad;
	int ret;

	if (argc > 1 && kztctl_is_help(argv[1])) {
		revoke_usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	if (argc < 2)
		return kztctl_usage_error(revoke_usage, "revoke needs at least one peer identity");
	/* All checked first: a request that ends anything ends all it names. */
	for (int i = 1; i < argc; i++) {
		bad = kzt_workload_id_check(argv[i]);
		if (bad)
			return kztctl_usage_error(NULL, "revoke: invalid peer identity '%s': %s",
						  argv[i], bad);
	}

	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	ret = kzt_revoke(&c, (const char *const *)argv + 1, argc - 1, &flows,
			 &err);
	kzt_client_close(&c);
	if (ret)
		return kztctl_fail(what, ret, &err);
	return kztctl_print_count(what, "flows", flows, flows == 1 ?
				  "flow told to end" : "flows told to end");
}
