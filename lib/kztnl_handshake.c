// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_HANDSHAKE_ACCEPT and _DONE: kztd's side of the handshake upcall
 * (include/uapi/linux/kzt.h). ACCEPT installs the tunnel socket in the
 * caller's descriptor table; every path here that cannot hand that
 * descriptor to the caller closes it. DONE carries traffic keys: the
 * message buffer is wiped before it is freed.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "kztnl_priv.h"
#include "tls13.h"

/**
 * kzt_hs_request_from_msg() - read an ACCEPT reply
 * @nlh: the message
 * @req: filled; @req->fd is -1 unless the reply carried one
 *
 * On EBADMSG a descriptor the reply carried is closed here, and @req->id
 * is still set when the reply had one (so the caller can fail the
 * request with DONE instead of leaving it to time out).
 *
 * @retval 0       @req is complete
 * @retval EBADMSG malformed, or a required attribute is missing
 */
/* The descriptor an unreadable request names (the last one, as a parse
 * would take it), or -1. */
static int last_fd(struct nlmsghdr *nlh)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *nla, *fd = NULL;
	int rem;

	nla_for_each_attr(nla, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem)
		if (nla_type(nla) == KZT_HS_A_FD)
			fd = nla;
	return fd && nla_len(fd) >= 4 ? (int)nla_get_u32(fd) : -1;
}

int kzt_hs_request_from_msg(struct nlmsghdr *nlh, struct kzt_hs_request *req)
{
	static struct nla_policy policy[KZT_HS_A_MAX + 1] = {
		[KZT_HS_A_ID]		= { .type = NLA_U32 },
		[KZT_HS_A_FD]		= { .type = NLA_U32 },
		[KZT_HS_A_ROLE]		= { .type = NLA_U8 },
		[KZT_HS_A_LOCAL_ID]	= { .type = NLA_STRING,
					    .maxlen = KZT_SPIFFE_ID_MAX + 1 },
		[KZT_HS_A_PEER_ID]	= { .type = NLA_STRING,
					    .maxlen = KZT_SPIFFE_ID_MAX + 1 },
		[KZT_HS_A_DST_ADDR]	= { .minlen = 16, .maxlen = 16 },
		[KZT_HS_A_TIMEOUT_MS]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[KZT_HS_A_MAX + 1];
	bool client;

	memset(req, 0, sizeof(*req));
	req->fd = -1;
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return EBADMSG;
	if (genlmsg_parse(nlh, 0, tb, KZT_HS_A_MAX, policy) < 0) {
		/* The kernel installed the descriptor before it sent this:
		 * a reply we cannot read must not leak it. */
		int fd = last_fd(nlh);

		if (fd >= 0)
			close(fd);
		return EBADMSG;
	}
	if (tb[KZT_HS_A_ID])
		req->id = nla_get_u32(tb[KZT_HS_A_ID]);
	if (tb[KZT_HS_A_FD])
		req->fd = (int)nla_get_u32(tb[KZT_HS_A_FD]);
	if (tb[KZT_HS_A_ROLE])
		req->role = nla_get_u8(tb[KZT_HS_A_ROLE]);
	if (tb[KZT_HS_A_TIMEOUT_MS])
		req->timeout_ms = nla_get_u32(tb[KZT_HS_A_TIMEOUT_MS]);
	if (tb[KZT_HS_A_LOCAL_ID])
		nla_strlcpy(req->local_id, tb[KZT_HS_A_LOCAL_ID],
			    sizeof(req->local_id));
	if (tb[KZT_HS_A_PEER_ID])
		nla_strlcpy(req->peer_id, tb[KZT_HS_A_PEER_ID],
			    sizeof(req->peer_id));
	if (tb[KZT_HS_A_DST_ADDR]) {
		req->has_dst_addr = true;
		memcpy(&req->dst_addr, nla_data(tb[KZT_HS_A_DST_ADDR]),
		       sizeof(req->dst_addr));
	}

	client = req->role == KZT_HS_ROLE_CLIENT;
	if (!tb[KZT_HS_A_ID] || req->fd < 0 || !tb[KZT_HS_A_TIMEOUT_MS] ||
	    (!client && req->role != KZT_HS_ROLE_SERVER) ||
	    (client && (!req->local_id[0] || !req->peer_id[0] ||
			!req->has_dst_addr))) {
		if (req->fd >= 0)
			close(req->fd);
		req->fd = -1;
		return EBADMSG;
	}
	return 0;
}

struct accept_ctx {
	struct kzt_hs_request *req;
	bool got;
	int ret;
};

static int accept_reply(struct nlmsghdr *nlh, void *arg)
{
	struct accept_ctx *ctx = arg;
	struct kzt_hs_request extra;

	if (!kztnl_reply_is(nlh, KZT_CMD_HANDSHAKE_ACCEPT))
		return EBADMSG;
	if (ctx->got) {		/* never happens; never leak an fd either */
		kzt_hs_request_from_msg(nlh, &extra);
		if (extra.fd >= 0)
			close(extra.fd);
		return EBADMSG;
	}
	ctx->got = true;
	ctx->ret = kzt_hs_request_from_msg(nlh, ctx->req);
	return ctx->ret;
}

/**
 * kzt_hs_accept() - take the oldest waiting handshake request
 * @c:    an open client
 * @role: KZT_HS_ROLE_CLIENT or KZT_HS_ROLE_SERVER: the oldest of that role
 *        only; 0: of either
 * @req:  filled; on success @req->fd is the tunnel socket (close it after
 *        DONE); its deadline runs from now (@req->timeout_ms)
 * @err: the kernel's answer; may be NULL
 *
 * @retval 0       @req is set
 * @retval EAGAIN  no request is waiting
 * @retval EBADMSG the reply was malformed; its descriptor, if any, is
 *                 closed, and @req->id is set if it was known
 * @retval other   errno from the kernel or the socket
 */
int kzt_hs_accept(struct kzt_client *c, uint8_t role,
		  struct kzt_hs_request *req, struct kzt_nl_err *err)
{
	struct accept_ctx ctx = { .req = req };
	struct nl_msg *msg;
	int ret;

	memset(req, 0, sizeof(*req));
	req->fd = -1;
	ret = kztnl_msg_new(c, KZT_CMD_HANDSHAKE_ACCEPT, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	if (role && nla_put_u8(msg, KZT_HS_A_ROLE, role) < 0) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, EMSGSIZE);
		return EMSGSIZE;
	}
	ret = kztnl_send(c, msg, accept_reply, &ctx, err);
	if (!ret && !ctx.got) {
		ret = EBADMSG;
		kzt_nl_err_set(err, ret);
	}
	if (ret && req->fd >= 0) {
		close(req->fd);
		req->fd = -1;
	}
	return ret;
}

/**
 * kzt_hs_result_put() - the attributes of a DONE
 * @msg: the message, after its genl header
 * @res: status 0 with keys and identities, or a failure status; always the
 *       request's descriptor (the kernel takes DONE only from its holder)
 *
 * @retval 0        added
 * @retval EINVAL   no descriptor, or status 0 without keys or identities
 * @retval EMSGSIZE @msg is full
 */
int kzt_hs_result_put(struct nl_msg *msg, const struct kzt_hs_result *res)
{
	const struct kzt_tls_keys *k = res->keys;

	if (res->fd < 0)
		return EINVAL;
	if (nla_put_u32(msg, KZT_HS_A_ID, res->id) < 0 ||
	    nla_put_s32(msg, KZT_HS_A_FD, res->fd) < 0 ||
	    nla_put_u32(msg, KZT_HS_A_STATUS, res->status) < 0)
		return EMSGSIZE;
	if (res->status)
		return 0;
	if (!k || !k->cipher || !res->peer_id || !res->local_id)
		return EINVAL;
	if (nla_put_u16(msg, KZT_HS_A_CIPHER, k->cipher->kernel) < 0 ||
	    nla_put(msg, KZT_HS_A_TX_KEY, k->cipher->key_len, k->tx.key) < 0 ||
	    nla_put(msg, KZT_HS_A_TX_IV, KZT_TLS_IV_LEN, k->tx.iv) < 0 ||
	    nla_put_u64(msg, KZT_HS_A_TX_SEQ, k->tx.seq) < 0 ||
	    nla_put(msg, KZT_HS_A_RX_KEY, k->cipher->key_len, k->rx.key) < 0 ||
	    nla_put(msg, KZT_HS_A_RX_IV, KZT_TLS_IV_LEN, k->rx.iv) < 0 ||
	    nla_put_u64(msg, KZT_HS_A_RX_SEQ, k->rx.seq) < 0 ||
	    nla_put_string(msg, KZT_HS_A_PEER_ID, res->peer_id) < 0 ||
	    nla_put_string(msg, KZT_HS_A_LOCAL_ID, res->local_id) < 0)
		return EMSGSIZE;
	/* Absent means kzt/1, which a kernel without kzt/2 also reads. */
	if (res->proto > 1 && nla_put_u8(msg, KZT_HS_A_PROTO, res->proto) < 0)
		return EMSGSIZE;
	return 0;
}

/* Wipe a message that may hold keys, then free it. */
static void msg_free_cleanse(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	OPENSSL_cleanse(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

/**
 * kzt_hs_done() - complete an accepted request
 * @c:   an open client
 * @res: the outcome; keys are copied into the message, which is wiped
 *       after sending (the caller wipes its own copy)
 * @err: the kernel's answer; may be NULL
 *
 * @retval 0      the kernel took it
 * @retval ENOENT no such request (it timed out, or was completed)
 * @retval EINVAL the kernel refused the keys (extack in @err), or status 0
 *                without keys
 * @retval other  errno from the kernel or the socket
 */
int kzt_hs_done(struct kzt_client *c, const struct kzt_hs_result *res,
		struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	ret = kztnl_msg_new(c, KZT_CMD_HANDSHAKE_DONE, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	ret = kzt_hs_result_put(msg, res);
	if (ret) {
		msg_free_cleanse(msg);
		kzt_nl_err_set(err, ret);
		return ret;
	}
	ret = kzt_nl_request(c->nl, msg, NULL, NULL, err);
	msg_free_cleanse(msg);
	return ret;
}
