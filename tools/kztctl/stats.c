// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl stats: the node's counters (KZT_CMD_STATS_GET).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "kztctl.h"

static void stats_usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] stats\n\n"
		   "The counters of this node since kzt was loaded (or the netns made), by\n"
		   "step: capture, handshake, tunnel, flow. Every refused flow is counted\n"
		   "once, by the step that refused it. -j prints one flat object whose keys\n"
		   "(e.g. hs_ok, flows_reset) never change.\n",
		prog);
}

/* One table: GROUP, COUNTER (the JSON key), VALUE, what it counts. */
static int print_text(const struct kzt_stats *st)
{
	static const char *const head[] = { "GROUP", "COUNTER", "VALUE", "COUNTS" };
	const struct kzt_stat_desc *d;
	bool known[KZT_STATS_SLOTS] = { false };
	struct kztctl_table *t;
	char val[24], key[16];
	int ret = 0;
	size_t n;

	t = kztctl_table_new(4, head);
	if (!t)
		return ENOMEM;
	d = kzt_stat_descs(&n);
	for (size_t i = 0; i < n && !ret; i++) {
		const char *cells[4] = { d[i].group, d[i].key, val, d[i].text };

		known[d[i].type] = true;
		if (!st->has[d[i].type])
			continue;
		snprintf(val, sizeof(val), "%" PRIu64, st->v[d[i].type]);
		ret = kztctl_table_add(t, cells);
	}
	for (unsigned int type = 0; type < KZT_STATS_SLOTS && !ret; type++) {
		const char *cells[4] = { "?", kzt_stat_key(type, key, sizeof(key)),
					 val, "(newer than kztctl)" };

		if (!st->has[type] || known[type])
			continue;
		snprintf(val, sizeof(val), "%" PRIu64, st->v[type]);
		ret = kztctl_table_add(t, cells);
	}
	return kztctl_table_done(t, ret);
}

int stats_main(int argc, char *argv[])
{
	const char *what = "read the kzt counters";
	struct kzt_nl_err err;
	struct kzt_client c;
	struct kzt_stats st;
	struct kzt_json j;
	int ret;

	if (argc > 1) {
		if (kztctl_is_help(argv[1])) {
			stats_usage(stdout);
			return KZTCTL_EXIT_OK;
		}
		if (strcmp(argv[1], "show") || argc > 2)
			return kztctl_usage_error(stats_usage,
						  "stats takes no arguments");
	}

	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	ret = kzt_stats_get(&c, &st, &err);
	kzt_client_close(&c);
	if (ret)
		return kztctl_fail(what, ret, &err);

	if (kztctl_opts.json) {
		kzt_json_init(&j, stdout);
		kztctl_json_stats(&j, &st);
		ret = kzt_json_finish(&j);
	} else {
		ret = print_text(&st);
	}
	if (ret)
		return kztctl_fail(what, ret, NULL);
	return KZTCTL_EXIT_OK;
}
