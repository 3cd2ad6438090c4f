// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_WORKLOAD_*: the workload table of the caller's netns.
 */
#include <errno.h>
#include <string.h>

#include "kztnl_priv.h"

/**
 * kzt_workload_put() - the attributes of a WORKLOAD_ADD for @w
 * @msg:  the message, after its genl header
 * @w:    the workload: NODE when has_node, IFINDEX when ifindex is set
 * @opts: replace/transaction; may be NULL
 *
 * @retval 0        added
 * @retval EMSGSIZE @msg is full
 */
int kzt_workload_put(struct nl_msg *msg, const struct kzt_workload *w,
		     const struct kzt_add_opts *opts)
{
	if (kztnl_put_addr(msg, KZT_WORKLOAD_A_ADDR, &w->addr) ||
	    (w->id && nla_put_string(msg, KZT_WORKLOAD_A_ID, w->id) < 0) ||
	    nla_put_u8(msg, KZT_WORKLOAD_A_PROTOCOL, w->protocol) < 0 ||
	    (w->has_node && kztnl_put_addr(msg, KZT_WORKLOAD_A_NODE, &w->node)) ||
	    (w->ifindex && nla_put_u32(msg, KZT_WORKLOAD_A_IFINDEX, w->ifindex) < 0))
		return EMSGSIZE;
	return kztnl_put_opts(msg, KZT_WORKLOAD_A_FLAGS, KZT_WORKLOAD_F_REPLACE,
			      KZT_WORKLOAD_A_TXN, opts);
}

/**
 * kzt_workload_from_msg() - read one workload of a WORKLOAD_GET reply
 * @nlh: the message
 * @w:   filled; free with kzt_workload_free()
 *
 * @retval 0       @w is filled
 * @retval EBADMSG malformed, no address, or neither NODE nor IFINDEX
 * @retval ENOMEM  out of memory
 */
int kzt_workload_from_msg(struct nlmsghdr *nlh, struct kzt_workload *w)
{
	static struct nla_policy policy[KZT_WORKLOAD_A_MAX + 1] = {
		[KZT_WORKLOAD_A_ADDR]	  = { .minlen = 16, .maxlen = 16 },
		[KZT_WORKLOAD_A_ID]	  = { .type = NLA_STRING,
					      .maxlen = KZT_SPIFFE_ID_MAX + 1 },
		[KZT_WORKLOAD_A_PROTOCOL] = { .type = NLA_U8 },
		[KZT_WORKLOAD_A_NODE]	  = { .minlen = 16, .maxlen = 16 },
		[KZT_WORKLOAD_A_IFINDEX]  = { .type = NLA_U32 },
	};
	struct nlattr *tb[KZT_WORKLOAD_A_MAX + 1];

	memset(w, 0, sizeof(*w));
	w->protocol = KZT_PROTO_KZT1;
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    genlmsg_parse(nlh, 0, tb, KZT_WORKLOAD_A_MAX, policy) < 0 ||
	    !tb[KZT_WORKLOAD_A_ADDR] ||
	    (!tb[KZT_WORKLOAD_A_NODE] == !tb[KZT_WORKLOAD_A_IFINDEX]))
		return EBADMSG;

	memcpy(&w->addr, nla_data(tb[KZT_WORKLOAD_A_ADDR]), sizeof(w->addr));
	if (tb[KZT_WORKLOAD_A_PROTOCOL])
		w->protocol = nla_get_u8(tb[KZT_WORKLOAD_A_PROTOCOL]);
	if (tb[KZT_WORKLOAD_A_NODE]) {
		w->has_node = true;
		memcpy(&w->node, nla_data(tb[KZT_WORKLOAD_A_NODE]),
		       sizeof(w->node));
	}
	if (tb[KZT_WORKLOAD_A_IFINDEX])
		w->ifindex = nla_get_u32(tb[KZT_WORKLOAD_A_IFINDEX]);
	if (tb[KZT_WORKLOAD_A_ID]) {
		w->id = kztnl_strdup_attr(tb[KZT_WORKLOAD_A_ID]);
		if (!w->id)
			return ENOMEM;
	}
	return 0;
}

/**
 * kzt_workload_add() - add (or replace, or stage) a workload
 * @c:    an open client
 * @w:    the workload
 * @opts: replace/transaction; NULL for a plain add to the live table
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0      added
 * @retval EEXIST the address is taken (no replace)
 * @retval ENODEV no such interface in the netns
 * @retval other  errno from the kernel (extack in @err) or the socket
 */
int kzt_workload_add(struct kzt_client *c, const struct kzt_workload *w,
		     const struct kzt_add_opts *opts, struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	ret = kztnl_msg_new(c, KZT_CMD_WORKLOAD_ADD, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	ret = kzt_workload_put(msg, w, opts);
	if (ret) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, ret);
		return ret;
	}
	return kztnl_send(c, msg, NULL, NULL, err);
}

/**
 * kzt_workload_del() - remove the workload of an address
 * @c:    an open client
 * @addr: the address
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0      removed
 * @retval ENOENT no such workload
 * @retval other  errno from the kernel or the socket
 */
int kzt_workload_del(struct kzt_client *c, const struct in6_addr *addr,
		     struct kzt_nl_err *err)
{
	return kzt_workload_del_txn(c, addr, 0, err);
}

/**
 * kzt_workload_del_txn() - remove a workload, live or in a transaction
 * @c:    an open client; with @txn, the one that began it
 * @addr: the address
 * @txn:  an open transaction's id: remove it from the staging table;
 *        0: from the live table
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0      removed
 * @retval ENOENT no such workload (in that table), or no such open
 *                transaction of this client
 * @retval other  errno from the kernel or the socket
 */
int kzt_workload_del_txn(struct kzt_client *c, const struct in6_addr *addr,
			 uint32_t txn, struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	ret = kztnl_msg_new(c, KZT_CMD_WORKLOAD_DEL, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	if (kztnl_put_addr(msg, KZT_WORKLOAD_A_ADDR, addr) ||
	    (txn && nla_put_u32(msg, KZT_WORKLOAD_A_TXN, txn) < 0)) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, EMSGSIZE);
		return EMSGSIZE;
	}
	return kztnl_send(c, msg, NULL, NULL, err);
}

struct get_ctx {
	struct kzt_workload *w;
	bool found;
};

static int get_reply(struct nlmsghdr *nlh, void *arg)
{
	struct get_ctx *ctx = arg;
	int ret;

	if (!kztnl_reply_is(nlh, KZT_CMD_WORKLOAD_GET) || ctx->found)
		return EBADMSG;
	ret = kzt_workload_from_msg(nlh, ctx->w);
	ctx->found = !ret;
	return ret;
}

/**
 * kzt_workload_get() - read the workload of one address
 * @c:    an open client
 * @addr: the address
 * @w:    filled on success; free with kzt_workload_free()
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0       @w is filled
 * @retval ENOENT  no such workload
 * @retval EBADMSG the reply was malformed or missing
 * @retval other   errno from the kernel or the socket
 */
int kzt_workload_get(struct kzt_client *c, const struct in6_addr *addr,
		     struct kzt_workload *w, struct kzt_nl_err *err)
{
	struct get_ctx ctx = { .w = w };
	struct nl_msg *msg;
	int ret;

	memset(w, 0, sizeof(*w));
	ret = kztnl_msg_new(c, KZT_CMD_WORKLOAD_GET, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	if (kztnl_put_addr(msg, KZT_WORKLOAD_A_ADDR, addr)) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, EMSGSIZE);
		return EMSGSIZE;
	}
	ret = kztnl_send(c, msg, get_reply, &ctx, err);
	if (!ret && !ctx.found) {
		ret = EBADMSG;
		kzt_nl_err_set(err, ret);
	}
	if (ret)
		kzt_workload_free(w);
	return ret;
}

static int dump_reply(struct nlmsghdr *nlh, void *arg)
{
	struct kzt_workload w;
	int ret;

	if (!kztnl_reply_is(nlh, KZT_CMD_WORKLOAD_GET))
		return EBADMSG;
	ret = kzt_workload_from_msg(nlh, &w);
	if (!ret)
		ret = kzt_workloads_push(arg, &w);
	kzt_workload_free(&w);
	return ret;
}

static void dump_reset(void *arg)
{
	kzt_workloads_free(arg);
}

/**
 * kzt_workload_dump() - every workload of the table, sorted by address
 * @c:    an open client
 * @list: filled (emptied first); free with kzt_workloads_free()
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0      @list holds one consistent view of the table
 * @retval EAGAIN the table kept changing during the dump
 * @retval other  errno from the kernel or the socket; @list is empty
 */
int kzt_workload_dump(struct kzt_client *c, struct kzt_workloads *list,
		      struct kzt_nl_err *err)
{
	int ret;

	memset(list, 0, sizeof(*list));
	ret = kztnl_dump(c, KZT_CMD_WORKLOAD_GET, dump_reply, dump_reset,
			 list, err);
	if (ret)
		kzt_workloads_free(list);
	else
		kzt_workloads_sort(list);
	return ret;
}
