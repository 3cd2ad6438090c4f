// SPDX-License-Identifier: GPL-2.0
/*
 * TXN_BEGIN, TXN_COMMIT and TXN_ABORT; the transaction logic is in txn.c.
 */
#include <net/genetlink.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "kzt.h"
#include "nl.h"

const struct nla_policy kzt_txn_id_policy[KZT_TXN_A_MAX + 1] = {
	[KZT_TXN_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_txn_id_policy);

const struct nla_policy kzt_txn_begin_policy[KZT_TXN_A_MAX + 1] = {
	[KZT_TXN_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __KZT_TXN_F_ALL),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_txn_begin_policy);

/**
 * kzt_nl_txn_begin_doit() - KZT_CMD_TXN_BEGIN: reply with the new id
 * @skb: request
 * @info: request (KZT_TXN_A_FLAGS) and sender, the transaction's owner
 *
 * Return: 0 or a negative errno (-EBUSY: a transaction is open; -ENOMEM).
 */
int kzt_nl_txn_begin_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kzt_net *kn = kzt_pernet(genl_info_net(info));
	struct sk_buff *msg;
	u32 flags = 0;
	void *hdr;
	u32 id;
	int err;

	if (info->attrs[KZT_TXN_A_FLAGS])
		flags = nla_get_u32(info->attrs[KZT_TXN_A_FLAGS]);

	/* Built first: once the transaction is open, replying cannot fail. */
	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kzt_family, 0, KZT_CMD_TXN_BEGIN);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_free;
	}

	err = kzt_txn_begin(kn, info->snd_portid, flags, &id, info->extack);
	if (err)
		goto out_free;
	/* Room was reserved by genlmsg_new() above. */
	WARN_ON_ONCE(nla_put_u32(msg, KZT_TXN_A_ID, id));
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	/* The owner never learnt the id: nobody could finish it. */
	if (err)
		kzt_txn_abort(kn, info->snd_portid, id, NULL);
	return err;

out_free:
	nlmsg_free(msg);
	return err;
}

/**
 * kzt_nl_txn_commit_doit() - KZT_CMD_TXN_COMMIT
 * @skb: request
 * @info: request attributes and sender
 *
 * Return: 0 or a negative errno (-ENOENT, -EAGAIN: see kzt_txn_commit()).
 */
int kzt_nl_txn_commit_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (KZT_REQ_ATTR_CHECK(info, KZT_TXN_A_ID, "missing transaction id"))
		return -EINVAL;
	return kzt_txn_commit(kzt_pernet(genl_info_net(info)), info->snd_portid,
			      nla_get_u32(info->attrs[KZT_TXN_A_ID]),
			      info->extack);
}

/**
 * kzt_nl_txn_abort_doit() - KZT_CMD_TXN_ABORT
 * @skb: request
 * @info: request attributes and sender
 *
 * Return: 0 or a negative errno (-ENOENT: no such open transaction).
 */
int kzt_nl_txn_abort_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (KZT_REQ_ATTR_CHECK(info, KZT_TXN_A_ID, "missing transaction id"))
		return -EINVAL;
	return kzt_txn_abort(kzt_pernet(genl_info_net(info)), info->snd_portid,
			     nla_get_u32(info->attrs[KZT_TXN_A_ID]),
			     info->extack);
}
