// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_TXN_*: stage a new table of workloads and policies, from empty
 * or from a copy of the live one, and swap it in at once. A transaction
 * belongs to the socket that began it.
 */
#include <errno.h>
#include <string.h>

#include "kztnl_priv.h"

struct begin_ctx {
	uint32_t id;
	bool found;
};

static int begin_reply(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy policy[KZT_TXN_A_MAX + 1] = {
		[KZT_TXN_A_ID]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[KZT_TXN_A_MAX + 1];
	struct begin_ctx *ctx = arg;

	if (!kztnl_reply_is(nlh, KZT_CMD_TXN_BEGIN) || ctx->found ||
	    genlmsg_parse(nlh, 0, tb, KZT_TXN_A_MAX, policy) < 0 ||
	    !tb[KZT_TXN_A_ID])
		return EBADMSG;
	ctx->id = nla_get_u32(tb[KZT_TXN_A_ID]);
	ctx->found = true;
	return 0;
}

/**
 * kzt_txn_begin() - open a transaction on an empty staging table
 * @c:   an open client; the transaction is aborted when it closes
 * @id:  the transaction's id, for kzt_add_opts.txn
 * @err: the kernel's answer; may be NULL
 *
 * @retval 0       @id is set
 * @retval EBUSY   another transaction is open in this netns
 * @retval EBADMSG the reply was malformed or missing
 * @retval other   errno from the kernel or the socket
 */
int kzt_txn_begin(struct kzt_client *c, uint32_t *id, struct kzt_nl_err *err)
{
	return kzt_txn_begin_flags(c, 0, id, err);
}

/**
 * kzt_txn_begin_flags() - open a transaction
 * @c:     an open client; the transaction is aborted when it closes
 * @flags: KZT_TXN_F_*; KZT_TXN_F_FROM_LIVE: the staging table starts as a
 *         copy of the live one, so only changes need staging (ADD with
 *         replace, kzt_workload_del_txn(), kzt_policy_del_txn()); 0: empty
 * @id:    the transaction's id, for kzt_add_opts.txn
 * @err:   the kernel's answer; may be NULL
 *
 * @retval 0       @id is set
 * @retval EBUSY   another transaction is open in this netns
 * @retval ENOMEM  the kernel had no memory for the copy; nothing changed
 * @retval EINVAL  a flag this kernel does not know (an older module)
 * @retval EBADMSG the reply was malformed or missing
 * @retval other   errno from the kernel or the socket
 */
int kzt_txn_begin_flags(struct kzt_client *c, uint32_t flags, uint32_t *id,
			struct kzt_nl_err *err)
{
	struct begin_ctx ctx = { 0 };
	struct nl_msg *msg;
	int ret;

	ret = kztnl_msg_new(c, KZT_CMD_TXN_BEGIN, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	/* Sent only when set: a module without flags takes a plain BEGIN. */
	if (flags && nla_put_u32(msg, KZT_TXN_A_FLAGS, flags) < 0) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, EMSGSIZE);
		return EMSGSIZE;
	}
	ret = kztnl_send(c, msg, begin_reply, &ctx, err);
	if (!ret && !ctx.found) {
		ret = EBADMSG;
		kzt_nl_err_set(err, ret);
	}
	if (!ret)
		*id = ctx.id;
	return ret;
}

static int txn_request(struct kzt_client *c, uint8_t cmd, uint32_t id,
		       struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	ret = kztnl_msg_new(c, cmd, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	if (nla_put_u32(msg, KZT_TXN_A_ID, id) < 0) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, EMSGSIZE);
		return EMSGSIZE;
	}
	return kztnl_send(c, msg, NULL, NULL, err);
}

/**
 * kzt_txn_commit() - replace the live tables with the staged ones
 * @c:   the client that began the transaction
 * @id:  its id
 * @err: the kernel's answer; may be NULL
 *
 * @retval 0      committed; the transaction is closed
 * @retval EAGAIN the live tables changed since the begin: the transaction
 *                is aborted and nothing changed; start again
 * @retval ENOENT no such open transaction of this client
 * @retval other  errno from the kernel or the socket
 */
int kzt_txn_commit(struct kzt_client *c, uint32_t id, struct kzt_nl_err *err)
{
	return txn_request(c, KZT_CMD_TXN_COMMIT, id, err);
}

/**
 * kzt_txn_abort() - drop the staged tables
 * @c:   the client that began the transaction
 * @id:  its id
 * @err: the kernel's answer; may be NULL
 *
 * @retval 0      aborted
 * @retval ENOENT no such open transaction of this client
 * @retval other  errno from the kernel or the socket
 */
int kzt_txn_abort(struct kzt_client *c, uint32_t id, struct kzt_nl_err *err)
{
	return txn_request(c, KZT_CMD_TXN_ABORT, id, err);
}
