// SPDX-License-Identifier: GPL-2.0
/*
 * HANDSHAKE_ACCEPT and HANDSHAKE_DONE: the daemon's side of the handshake
 * upcall (include/uapi/linux/kzt.h, Documentation/handshake.rst).
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "extack.h"
#include "handshake_internal.h"
#include "ktls.h"
#include "nl.h"
#include "nl_handshake.h"
#include "sknet.h"
#include "stats.h"

/*
 * Key lengths are checked against the cipher in the handler; the policy
 * bounds them by the longest key (32 bytes, AES-256 and ChaCha20). The IVs
 * are the 12-byte TLS 1.3 write IVs (KZT_TLS13_IV_LEN).
 */
const struct nla_policy kzt_hs_done_policy[KZT_HS_A_MAX + 1] = {
	[KZT_HS_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KZT_HS_A_FD] = { .type = NLA_S32 },
	[KZT_HS_A_STATUS] = NLA_POLICY_MAX(NLA_U32, 4095),
	[KZT_HS_A_CIPHER] = { .type = NLA_U16 },
	[KZT_HS_A_TX_KEY] = { .type = NLA_BINARY, .len = 32 },
	[KZT_HS_A_TX_IV] = NLA_POLICY_EXACT_LEN(12),
	[KZT_HS_A_TX_SEQ] = { .type = NLA_U64 },
	[KZT_HS_A_RX_KEY] = { .type = NLA_BINARY, .len = 32 },
	[KZT_HS_A_RX_IV] = NLA_POLICY_EXACT_LEN(12),
	[KZT_HS_A_RX_SEQ] = { .type = NLA_U64 },
	[KZT_HS_A_PEER_ID] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_HS_A_LOCAL_ID] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_HS_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, 1, 2),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_done_policy);

static_assert(KZT_TLS13_IV_LEN == 12);

/* ACCEPT: an optional role filter, so a daemon can run one pool per role. */
const struct nla_policy kzt_hs_accept_policy[KZT_HS_A_MAX + 1] = {
	[KZT_HS_A_ROLE] = NLA_POLICY_RANGE(NLA_U8, KZT_HS_ROLE_CLIENT,
					   KZT_HS_ROLE_SERVER),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_accept_policy);

static size_t kzt_hs_accept_msg_size(void)
{
	return nla_total_size(sizeof(u32))	/* ID */
	     + nla_total_size(sizeof(s32))	/* FD */
	     + nla_total_size(sizeof(u8))	/* ROLE */
	     + 2 * nla_total_size(KZT_SPIFFE_ID_MAX + 1) /* LOCAL_ID, PEER_ID */
	     + nla_total_size(sizeof(struct in6_addr))	/* DST_ADDR */
	     + nla_total_size(sizeof(u32));	/* TIMEOUT_MS */
}

static int kzt_hs_accept_fill(struct sk_buff *msg, const struct kzt_hs_req *req,
			      int fd)
{
	if (nla_put_u32(msg, KZT_HS_A_ID, req->id) ||
	    nla_put_s32(msg, KZT_HS_A_FD, fd) ||
	    nla_put_u8(msg, KZT_HS_A_ROLE, req->role) ||
	    nla_put_u32(msg, KZT_HS_A_TIMEOUT_MS, kzt_hs_time_left_ms(req)))
		return -EMSGSIZE;
	if (req->role != KZT_HS_ROLE_CLIENT)
		return 0;
	if (nla_put_string(msg, KZT_HS_A_LOCAL_ID, req->local_id) ||
	    nla_put_string(msg, KZT_HS_A_PEER_ID, req->peer_id) ||
	    nla_put_in6_addr(msg, KZT_HS_A_DST_ADDR, &req->dst_addr))
		return -EMSGSIZE;
	return 0;
}

/**
 * kzt_nl_hs_accept_doit() - KZT_CMD_HANDSHAKE_ACCEPT
 * @skb: request
 * @info: request (KZT_HS_A_ROLE: of this role only) and sender
 *
 * Takes the oldest waiting request of the caller's netns (of the role
 * asked for, if any) and makes its socket a descriptor of the caller (this
 * runs in the caller's context); its handshake deadline starts now.
 * Whatever fails after the request was taken gives it back, first in line.
 *
 * Return: 0, -EAGAIN when no request waits, or a negative errno.
 */
int kzt_nl_hs_accept_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kzt_hs_net *hn = kzt_hs_net_of(genl_info_net(info));
	struct kzt_hs_req *req;
	struct sk_buff *msg;
	u8 role = 0;
	void *hdr;
	int fd, err;

	if (info->attrs[KZT_HS_A_ROLE])
		role = nla_get_u8(info->attrs[KZT_HS_A_ROLE]);

	/* ORDER: everything that can fail for want of resources comes first. */
	msg = genlmsg_new(kzt_hs_accept_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		NL_SET_ERR_MSG(info->extack, "no free file descriptor for the tunnel socket");
		goto out_free;
	}
	hdr = genlmsg_put_reply(msg, info, &kzt_family, 0, KZT_CMD_HANDSHAKE_ACCEPT);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_put_fd;
	}

	err = -EAGAIN;
	req = kzt_hs_accept_next(hn, role);
	if (!req) {
		NL_SET_ERR_MSG(info->extack, "no handshake request is waiting");
		goto out_put_fd;
	}
	err = kzt_hs_accept_fill(msg, req, fd);
	if (err)
		goto out_undo;
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	msg = NULL;		/* consumed, sent or not */
	if (err)
		goto out_undo;

	/*
	 * The reference kzt_hs_accept_next() took goes to the fd table.
	 * ORDER: pinned first: from now on the socket may outlive the
	 * netns in the caller's hands (sknet.c).
	 */
	kzt_sk_net_pin(req->sock->sk);
	fd_install(fd, req->file);
	kzt_hs_accept_finish(req);
	return 0;

out_undo:
	fput(req->file);
	kzt_hs_accept_undo(req);
out_put_fd:
	put_unused_fd(fd);
out_free:
	nlmsg_free(msg);
	return err;
}

static bool kzt_hs_missing(struct nlattr **tb, int type, const char *msg,
			   struct netlink_ext_ack *extack)
{
	if (tb[type])
		return false;
	NL_SET_ERR_ATTR_MISS(extack, NULL, type);
	kzt_extack_attr(extack, NULL, msg);
	return true;
}

static int kzt_hs_done_key(struct nlattr **tb, int key_type, int iv_type,
			   int seq_type, int key_len, struct kzt_tls_dir *dir,
			   struct netlink_ext_ack *extack)
{
	const struct nlattr *key = tb[key_type];

	if (nla_len(key) != key_len) {
		NL_SET_ERR_MSG_ATTR(extack, key, "key length does not fit the cipher");
		return -EINVAL;
	}
	dir->key = nla_data(key);
	dir->iv = nla_data(tb[iv_type]);
	dir->seq = nla_get_u64(tb[seq_type]);
	return 0;
}

/**
 * kzt_hs_done_parse() - read and check a policy-checked DONE request
 * @tb: its attributes (kzt_hs_done_policy applied)
 * @m: result; points into @tb
 * @extack: names what is missing or wrong
 *
 * ID, status and FD are always required. With status 0 every key
 * attribute and both identities are required and the keys must fit the
 * cipher; with another status they are ignored.
 *
 * Return: 0 or -EINVAL. m->named tells whether ID, status and FD were
 * there, so that a DONE whose success report cannot be used still names
 * the request that must fail (if FD is its socket).
 */
int kzt_hs_done_parse(struct nlattr **tb, struct kzt_hs_done_msg *m,
		      struct netlink_ext_ack *extack)
{
	int key_len, err;

	memset(m, 0, sizeof(*m));
	if (kzt_hs_missing(tb, KZT_HS_A_ID, "handshake request ID missing", extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_STATUS, "handshake status missing", extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_FD,
			   "the descriptor of the request's socket (FD) is missing", extack))
		return -EINVAL;
	m->id = nla_get_u32(tb[KZT_HS_A_ID]);
	m->status = nla_get_u32(tb[KZT_HS_A_STATUS]);
	m->named = true;
	if (m->status)
		return 0;

	if (kzt_hs_missing(tb, KZT_HS_A_CIPHER, "status 0 needs the cipher", extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_TX_KEY, "status 0 needs the write key", extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_TX_IV, "status 0 needs the write IV", extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_TX_SEQ, "status 0 needs the write sequence number",
			   extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_RX_KEY, "status 0 needs the read key", extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_RX_IV, "status 0 needs the read IV", extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_RX_SEQ, "status 0 needs the read sequence number",
			   extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_PEER_ID, "status 0 needs the verified peer ID",
			   extack) ||
	    kzt_hs_missing(tb, KZT_HS_A_LOCAL_ID, "status 0 needs the presented local ID",
			   extack))
		return -EINVAL;

	m->cipher = nla_get_u16(tb[KZT_HS_A_CIPHER]);
	key_len = kzt_ktls_key_len(m->cipher);
	if (key_len < 0) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KZT_HS_A_CIPHER],
				    "cipher must be TLS_CIPHER_AES_GCM_128, _AES_GCM_256 or _CHACHA20_POLY1305");
		return -EINVAL;
	}
	err = kzt_hs_done_key(tb, KZT_HS_A_TX_KEY, KZT_HS_A_TX_IV, KZT_HS_A_TX_SEQ,
			      key_len, &m->tx, extack);
	if (!err)
		err = kzt_hs_done_key(tb, KZT_HS_A_RX_KEY, KZT_HS_A_RX_IV,
				      KZT_HS_A_RX_SEQ, key_len, &m->rx, extack);
	if (err)
		return err;
	m->peer_id = nla_data(tb[KZT_HS_A_PEER_ID]);
	m->local_id = nla_data(tb[KZT_HS_A_LOCAL_ID]);
	m->proto = tb[KZT_HS_A_PROTO] ? nla_get_u8(tb[KZT_HS_A_PROTO]) : 1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_done_parse);

/**
 * kzt_hs_status_errno() - the done callback's status for a daemon's status
 * @status: positive errno from DONE, not 0
 *
 * Return: -EACCES, -EPROTO, -ETIMEDOUT or -ECONNRESET as reported; -EPROTO
 * for any other errno, so owners see only the documented values.
 */
int kzt_hs_status_errno(u32 status)
{
	switch (status) {
	case EACCES:
	case EPROTO:
	case ETIMEDOUT:
	case ECONNRESET:
		return -(int)status;
	default:
		return -EPROTO;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_status_errno);

/**
 * kzt_hs_done_apply() - complete a claimed request as DONE reports
 * @req: claimed with kzt_hs_claim_accepted(); completed when this returns
 * @m: the parsed report (status 0: keys checked against the cipher)
 * @tb: the request's attributes
 * @extack: the reason for a refusal
 *
 * Client role: the verified peer must be the one asked. Then kTLS is
 * installed and the owner's done callback runs. The caller wipes the
 * message (kzt_hs_done()).
 *
 * Return: 0 when the report was taken (success or failure status); a
 * negative errno when the kernel refused a success report (the request
 * failed with it).
 */
int kzt_hs_done_apply(struct kzt_hs_req *req, const struct kzt_hs_done_msg *m,
		      struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct net *net = req->hn->net;
	struct kzt_hs_result res;
	const char *why;
	int err;

	if (m->status) {
		/* kztd's own deadline ran out first: a stalled peer */
		kzt_stat_inc(net, m->status == ETIMEDOUT ? KZT_STATS_A_HS_TIMEOUT :
							   KZT_STATS_A_HS_FAILED);
		kzt_hs_complete(req, kzt_hs_status_errno(m->status), NULL);
		return 0;
	}
	if (req->role == KZT_HS_ROLE_CLIENT && strcmp(m->peer_id, req->peer_id)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KZT_HS_A_PEER_ID],
				    "verified peer ID is not the one the request asked for");
		kzt_stat_inc(net, KZT_STATS_A_HS_BAD_PEER);
		kzt_hs_complete(req, -EACCES, NULL);
		return -EACCES;
	}

	err = kzt_ktls_install(req->sock, m->cipher, &m->tx, &m->rx, &why);
	if (err) {
		kzt_extack_attr(extack, NULL, why);
		kzt_stat_inc(net, KZT_STATS_A_HS_FAILED);
		kzt_hs_complete(req, err, NULL);
		return err;
	}
	res.cipher = m->cipher;
	res.peer_id = m->peer_id;
	res.local_id = m->local_id;
	res.proto = m->proto;
	kzt_stat_inc(net, KZT_STATS_A_HS_OK);
	kzt_hs_complete(req, 0, &res);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_done_apply);

/* A parsed DONE: the report of the request it names, if it is ours. */
static int kzt_hs_done_take(struct kzt_hs_net *hn, const struct socket *sock,
			    struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct kzt_hs_done_msg m;
	struct kzt_hs_req *req;
	int bad;

	bad = kzt_hs_done_parse(tb, &m, extack);
	if (bad && !m.named)
		return bad;
	req = sock ? kzt_hs_claim_accepted(hn, m.id, sock) : ERR_PTR(-EBADF);
	if (IS_ERR(req)) {
		if (bad)	/* its message names the first problem */
			return bad;
		switch (PTR_ERR(req)) {
		case -EBADF:
			NL_SET_ERR_MSG_ATTR(extack, tb[KZT_HS_A_FD],
					    "FD is not an open socket descriptor of the caller");
			break;
		case -EPERM:
			NL_SET_ERR_MSG_ATTR(extack, tb[KZT_HS_A_FD],
					    "FD is not the socket of this handshake request: only its holder may report it");
			break;
		default:
			NL_SET_ERR_MSG_ATTR(extack, tb[KZT_HS_A_ID],
					    "no such accepted handshake request in this netns (timed out or completed)");
		}
		return PTR_ERR(req);
	}
	if (bad) {
		kzt_stat_inc(hn->net, KZT_STATS_A_HS_FAILED);
		kzt_hs_complete(req, bad, NULL);
		return bad;
	}
	return kzt_hs_done_apply(req, &m, tb, extack);
}

/**
 * kzt_hs_done() - take a DONE request, then wipe it
 * @hn: the sender's netns
 * @sock: the socket the request's FD attribute names in the sender's fd
 *        table, or NULL (no FD, or not an open socket)
 * @attrs: the request's attribute stream, not parsed yet
 * @len: its length
 * @extack: the reason for a refusal
 *
 * A DONE naming a request accepted in this netns, whose FD is that
 * request's socket, completes it, whatever else is wrong with it: the
 * daemon closes its descriptor after DONE in any case, so a request left
 * waiting would only time out. A DONE from anyone who does not hold the
 * socket (the ID alone is guessable) changes nothing, as net/handshake
 * does.
 *
 * The checks genetlink and kzt_nl_pre_doit() make for other commands are
 * made here, so that every outcome wipes the keys and IVs from the request:
 * a DONE the policy refuses is wiped too, and so is the copy of it that an
 * error ack echoes.
 *
 * Return: 0, or a negative errno with an extack message.
 */
int kzt_hs_done(struct kzt_hs_net *hn, const struct socket *sock, void *attrs,
		int len, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KZT_HS_A_MAX + 1];
	int err;

	err = nla_parse(tb, KZT_HS_A_MAX, attrs, len, kzt_hs_done_policy, extack);
	if (!err)
		err = kzt_nl_check_repeats(attrs, len, 0, extack);
	if (!err)
		err = kzt_hs_done_take(hn, sock, tb, extack);
	memzero_explicit(attrs, len);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_done);

/**
 * kzt_nl_hs_done_doit() - KZT_CMD_HANDSHAKE_DONE
 * @skb: request
 * @info: the request; genetlink parsed no attribute (see kzt_hs_done())
 *
 * Runs in the sender's context, so FD is looked up in the sender's own fd
 * table (what net/handshake's DONE does). Only the socket's identity is
 * compared: the reference is dropped once DONE is taken.
 *
 * Return: 0, or a negative errno with an extack message.
 */
int kzt_nl_hs_done_doit(struct sk_buff *skb, struct genl_info *info)
{
	void *attrs = genlmsg_data(info->genlhdr);
	int len = genlmsg_len(info->genlhdr);
	const struct nlattr *fd = nla_find(attrs, len, KZT_HS_A_FD);
	struct socket *sock = NULL;
	int err;

	/* Unchecked yet: a malformed FD is refused by the policy after. */
	if (fd && nla_len(fd) == sizeof(s32) && nla_get_s32(fd) >= 0)
		sock = sockfd_lookup(nla_get_s32(fd), &err);
	err = kzt_hs_done(kzt_hs_net_of(genl_info_net(info)), sock, attrs, len,
			  info->extack);
	if (sock)
		sockfd_put(sock);
	return err;
}
