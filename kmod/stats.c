// SPDX-License-Identifier: GPL-2.0
/*
 * Node counters: one per-CPU array per netns. Bumping is a this_cpu_inc
 * from any context (hooks run in softirq); a reader sums the CPUs, so a
 * read may miss an increment in flight but never sees a torn value on
 * 64-bit.
 */
#include <linux/percpu.h>
#include <kunit/visibility.h>

#include "kzt.h"
#include "stats.h"

/**
 * kzt_stat_inc() - count one event of @net
 * @net: the node netns
 * @what: the counter
 */
void kzt_stat_inc(struct net *net, enum kzt_stats_attr what)
{
	struct kzt_stats __percpu *stats = kzt_pernet(net)->stats;

	if (likely(stats && what < __KZT_STATS_A_MAX))
		this_cpu_inc(stats->v[what]);
}

/**
 * kzt_stats_read() - sum the counters of @net over every CPU
 * @net: the node netns
 * @sum: result
 */
void kzt_stats_read(struct net *net, struct kzt_stats *sum)
{
	struct kzt_stats __percpu *stats = kzt_pernet(net)->stats;
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	if (!stats)
		return;
	for_each_possible_cpu(cpu) {
		const struct kzt_stats *c = per_cpu_ptr(stats, cpu);

		for (i = 0; i < __KZT_STATS_A_MAX; i++)
			sum->v[i] += READ_ONCE(c->v[i]);
	}
}
EXPORT_SYMBOL_IF_KUNIT(kzt_stats_read);

/**
 * kzt_stats_net_init() - zeroed counters for a new netns
 * @net: the netns
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_stats_net_init(struct net *net)
{
	struct kzt_net *kn = kzt_pernet(net);

	kn->stats = alloc_percpu(struct kzt_stats);
	return kn->stats ? 0 : -ENOMEM;
}

/**
 * kzt_stats_net_exit() - free the counters of a dying netns
 * @net: the netns; nothing counts in it any more
 */
void kzt_stats_net_exit(struct net *net)
{
	struct kzt_net *kn = kzt_pernet(net);

	free_percpu(kn->stats);
	kn->stats = NULL;
}
