// SPDX-License-Identifier: GPL-2.0
/*
 * WORKLOAD_ADD, _DEL and _GET (do and dump).
 *
 * The dump walks the workload rhashtable across calls (an rhashtable
 * walker: O(1) per entry however large the table, where a skip count would
 * rescan from the start every call) and holds a reference to the snapshot
 * it walks, so a COMMIT during the dump cannot free it under the walker.
 * Each call stamps cb->seq with the generation of the tables (plus the
 * walker's restarts after a resize, which may repeat entries), so a dump
 * racing with any change is flagged NLM_F_DUMP_INTR.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "kzt.h"
#include "nl.h"

const struct nla_policy kzt_workload_add_policy[KZT_WORKLOAD_A_MAX + 1] = {
	[KZT_WORKLOAD_A_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KZT_WORKLOAD_A_ID] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_WORKLOAD_A_PROTOCOL] = NLA_POLICY_MAX(NLA_U8, __KZT_PROTO_MAX - 1),
	[KZT_WORKLOAD_A_NODE] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KZT_WORKLOAD_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[KZT_WORKLOAD_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __KZT_WORKLOAD_F_ALL),
	[KZT_WORKLOAD_A_TXN] = NLA_POLICY_MIN(NLA_U32, 1),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_add_policy);

/* WORKLOAD_DEL and the WORKLOAD_GET do: the address and nothing else. */
const struct nla_policy kzt_workload_addr_policy[KZT_WORKLOAD_A_MAX + 1] = {
	[KZT_WORKLOAD_A_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_addr_policy);

/* WORKLOAD_DEL: the address, and the transaction to remove it in. */
const struct nla_policy kzt_workload_del_policy[KZT_WORKLOAD_A_MAX + 1] = {
	[KZT_WORKLOAD_A_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KZT_WORKLOAD_A_TXN] = NLA_POLICY_MIN(NLA_U32, 1),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_del_policy);

/**
 * kzt_nl_workload_add_doit() - KZT_CMD_WORKLOAD_ADD
 * @skb: request
 * @info: request attributes and sender
 *
 * Return: 0 or a negative errno; nothing changes on error.
 */
int kzt_nl_workload_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct kzt_net *kn = kzt_pernet(net);
	struct nlattr **attrs = info->attrs;
	struct kzt_tables *tables;
	struct kzt_workload *wl;
	bool replace = false;
	int err;

	/* Validated and built whole before any lock is taken. */
	wl = kzt_workload_from_attrs(net, attrs, info->extack);
	if (IS_ERR(wl))
		return PTR_ERR(wl);
	if (attrs[KZT_WORKLOAD_A_FLAGS])
		replace = nla_get_u32(attrs[KZT_WORKLOAD_A_FLAGS]) &
			  KZT_WORKLOAD_F_REPLACE;

	mutex_lock(&kn->tables_lock);
	tables = kzt_txn_target(kn, attrs[KZT_WORKLOAD_A_TXN], info->snd_portid,
				info->extack);
	if (IS_ERR(tables)) {
		err = PTR_ERR(tables);
		goto out_unlock;
	}
	err = kzt_workload_table_insert(&tables->workloads, wl, replace,
					info->extack);
	if (err)
		goto out_unlock;
	kzt_tables_changed(kn, tables);
	mutex_unlock(&kn->tables_lock);
	return 0;

out_unlock:
	mutex_unlock(&kn->tables_lock);
	kzt_workload_free(wl);
	return err;
}

/**
 * kzt_nl_workload_del_doit() - KZT_CMD_WORKLOAD_DEL
 * @skb: request
 * @info: request attributes and sender
 *
 * Acts on the live table, or with KZT_WORKLOAD_A_TXN on the staging table
 * of the caller's transaction.
 *
 * Return: 0 or a negative errno (-ENOENT: no such workload, or no such
 * open transaction).
 */
int kzt_nl_workload_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kzt_net *kn = kzt_pernet(genl_info_net(info));
	struct kzt_tables *tables;
	int err;

	if (KZT_REQ_ATTR_CHECK(info, KZT_WORKLOAD_A_ADDR, "missing workload address"))
		return -EINVAL;

	mutex_lock(&kn->tables_lock);
	tables = kzt_txn_target(kn, info->attrs[KZT_WORKLOAD_A_TXN],
				info->snd_portid, info->extack);
	if (IS_ERR(tables)) {
		err = PTR_ERR(tables);
		goto out_unlock;
	}
	err = kzt_workload_table_remove(&tables->workloads,
					nla_data(info->attrs[KZT_WORKLOAD_A_ADDR]));
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KZT_WORKLOAD_A_ADDR],
				    "no workload with this address");
	if (!err)
		kzt_tables_changed(kn, tables);
out_unlock:
	mutex_unlock(&kn->tables_lock);
	return err;
}

/* One workload as a GET reply or dump message; never sleeps. */
static int kzt_nl_workload_put(struct sk_buff *msg, const struct kzt_workload *wl,
			       u32 portid, u32 seq, int flags,
			       struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &kzt_family, flags,
			  KZT_CMD_WORKLOAD_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (kzt_workload_fill(msg, wl)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/**
 * kzt_nl_workload_get_doit() - KZT_CMD_WORKLOAD_GET of one address
 * @skb: request
 * @info: request attributes and sender
 *
 * Return: 0 or a negative errno (-ENOENT: no such workload).
 */
int kzt_nl_workload_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr *addr = info->attrs[KZT_WORKLOAD_A_ADDR];
	const struct kzt_workload *wl;
	struct sk_buff *msg;
	int err;

	if (KZT_REQ_ATTR_CHECK(info, KZT_WORKLOAD_A_ADDR, "missing workload address"))
		return -EINVAL;

	msg = genlmsg_new(kzt_workload_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rcu_read_lock();
	wl = kzt_workload_lookup(&kzt_tables_rcu(net)->workloads, nla_data(addr));
	err = -ENOENT;
	if (wl)
		err = kzt_nl_workload_put(msg, wl, info->snd_portid,
					  info->snd_seq, 0, NULL);
	rcu_read_unlock();
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, addr,
					    "no workload with this address");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* The dump cursor, in cb->ctx. */
struct kzt_workload_dump {
	struct kzt_tables *tables;	/* the snapshot walked; a reference */
	struct rhashtable_iter *iter;	/* too large for cb->ctx itself */
	unsigned int resets;		/* walker restarts after a resize */
};

static_assert(sizeof(struct kzt_workload_dump) <=
	      sizeof_field(struct netlink_callback, ctx));

/**
 * kzt_nl_workload_dump_begin() - set up a dump of the workloads of @kn
 * @kn: per-netns state
 * @cb: dump state
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_nl_workload_dump_begin(struct kzt_net *kn, struct netlink_callback *cb)
{
	struct kzt_workload_dump *dump = (struct kzt_workload_dump *)cb->ctx;

	dump->iter = kmalloc(sizeof(*dump->iter), GFP_KERNEL);
	if (!dump->iter)
		return -ENOMEM;

	mutex_lock(&kn->tables_lock);
	dump->tables = kzt_tables_get_live(kn);
	mutex_unlock(&kn->tables_lock);
	rhashtable_walk_enter(&dump->tables->workloads.ht, dump->iter);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_nl_workload_dump_begin);

/**
 * kzt_nl_workload_dump_fill() - fill @skb with the next workloads of @kn
 * @kn: per-netns state
 * @skb: message to fill
 * @cb: dump state
 *
 * Return: bytes put, 0 at the end, or a negative errno.
 */
int kzt_nl_workload_dump_fill(struct kzt_net *kn, struct sk_buff *skb,
			      struct netlink_callback *cb)
{
	struct kzt_workload_dump *dump = (struct kzt_workload_dump *)cb->ctx;
	struct kzt_workload *wl;
	int err = 0;

	/* Held for the call: what we stamp is the generation of what we read. */
	mutex_lock(&kn->tables_lock);
	if (dump->tables != kzt_tables_live(kn)) {
		/*
		 * A COMMIT replaced the tables. Before the first message, dump
		 * the new ones; after it, end here: the generation changed, so
		 * NLMSG_DONE is flagged NLM_F_DUMP_INTR and the old snapshot
		 * is not walked (or kept) for a result that is discarded.
		 * Generations are never 0, so prev_seq tells.
		 */
		if (cb->prev_seq) {
			cb->seq = kn->generation;
			mutex_unlock(&kn->tables_lock);
			return 0;
		}
		rhashtable_walk_exit(dump->iter);
		kzt_tables_put(dump->tables);
		dump->tables = kzt_tables_get_live(kn);
		rhashtable_walk_enter(&dump->tables->workloads.ht, dump->iter);
	}
	if (rhashtable_walk_start_check(dump->iter) == -EAGAIN)
		dump->resets++;
	cb->seq = kn->generation + dump->resets;

	/* peek: the entry that did not fit last time comes first. */
	for (wl = rhashtable_walk_peek(dump->iter); wl;
	     wl = rhashtable_walk_next(dump->iter)) {
		if (IS_ERR(wl)) {
			err = PTR_ERR(wl);
			if (err != -EAGAIN)
				break;
			/* Rewound after a resize: entries may repeat. */
			err = 0;
			dump->resets++;
			cb->seq = kn->generation + dump->resets;
			continue;
		}
		err = kzt_nl_workload_put(skb, wl, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err)
			break;
	}

	rhashtable_walk_stop(dump->iter);
	mutex_unlock(&kn->tables_lock);
	if (err == -EMSGSIZE && skb->len)
		return skb->len;	/* full: go on in the next call */
	return err ?: skb->len;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_nl_workload_dump_fill);

/**
 * kzt_nl_workload_dump_start() - begin a WORKLOAD_GET dump
 * @cb: dump state
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_nl_workload_dump_start(struct netlink_callback *cb)
{
	return kzt_nl_workload_dump_begin(kzt_pernet(sock_net(cb->skb->sk)), cb);
}

/**
 * kzt_nl_workload_get_dumpit() - fill @skb with the next workloads
 * @skb: message to fill
 * @cb: dump state
 *
 * Return: bytes put, 0 at the end, or a negative errno.
 */
int kzt_nl_workload_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return kzt_nl_workload_dump_fill(kzt_pernet(sock_net(skb->sk)), skb, cb);
}

/**
 * kzt_nl_workload_dump_done() - end a WORKLOAD_GET dump, however it ended
 * @cb: dump state
 *
 * Return: 0.
 */
int kzt_nl_workload_dump_done(struct netlink_callback *cb)
{
	struct kzt_workload_dump *dump = (struct kzt_workload_dump *)cb->ctx;

	rhashtable_walk_exit(dump->iter);
	kfree(dump->iter);
	kzt_tables_put(dump->tables);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_nl_workload_dump_done);
