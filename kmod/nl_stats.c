// SPDX-License-Identifier: GPL-2.0
/*
 * STATS_GET: the node's counters over netlink.
 */
#include <net/genetlink.h>

#include <linux/kzt.h>

#include "kzt.h"
#include "nl.h"
#include "stats.h"

/* Every counter: enum kzt_stats_attr without UNSPEC and PAD. */
#define KZT_STATS_FIRST	KZT_STATS_A_CAPTURED

static size_t kzt_stats_msg_size(void)
{
	return (KZT_STATS_A_MAX - KZT_STATS_FIRST + 1) *
	       nla_total_size_64bit(sizeof(u64));
}

/**
 * kzt_nl_stats_get_doit() - KZT_CMD_STATS_GET: every counter of the node
 * @skb: request
 * @info: request attributes (none) and sender
 *
 * Return: 0 or a negative errno.
 */
int kzt_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kzt_stats *sum;
	struct sk_buff *msg;
	void *hdr;
	int i, err;

	/* Too large for the stack of a netlink handler. */
	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	err = -ENOMEM;
	msg = genlmsg_new(kzt_stats_msg_size(), GFP_KERNEL);
	if (!msg)
		goto out_free_sum;
	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &kzt_family, 0, KZT_CMD_STATS_GET);
	if (!hdr)
		goto out_free_msg;

	kzt_stats_read(genl_info_net(info), sum);
	for (i = KZT_STATS_FIRST; i <= KZT_STATS_A_MAX; i++)
		if (nla_put_u64_64bit(msg, i, sum->v[i], KZT_STATS_A_PAD))
			goto out_free_msg;
	kfree(sum);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free_msg:
	nlmsg_free(msg);
out_free_sum:
	kfree(sum);
	return err;
}
