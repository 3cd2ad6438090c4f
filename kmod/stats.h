/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Node counters (enum kzt_stats_attr): per-CPU, lock-free to bump from any
 * context, summed when read.
 */
#ifndef _KZT_STATS_H
#define _KZT_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>

#include <linux/kzt.h>

struct net;

struct kzt_stats {
	u64 v[__KZT_STATS_A_MAX];
};

void kzt_stat_inc(struct net *net, enum kzt_stats_attr what);
void kzt_stats_read(struct net *net, struct kzt_stats *sum);
int kzt_stats_net_init(struct net *net);
void kzt_stats_net_exit(struct net *net);

#endif /* _KZT_STATS_H */
