// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_REVOKE: end the flows of peer identities no longer trusted.
 * KZT_CMD_POOL_FLUSH: close the kept tunnels after a certificate change.
 */
#include <errno.h>

#include "kztnl_priv.h"

static int revoke_reply(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy policy[KZT_REVOKE_A_MAX + 1] = {
		[KZT_REVOKE_A_FLOWS]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[KZT_REVOKE_A_MAX + 1];
	uint64_t *flows = arg;

	if (!kztnl_reply_is(nlh, KZT_CMD_REVOKE) ||
	    genlmsg_parse(nlh, 0, tb, KZT_REVOKE_A_MAX, policy) < 0 ||
	    !tb[KZT_REVOKE_A_FLOWS])
		return EBADMSG;
	*flows += nla_get_u32(tb[KZT_REVOKE_A_FLOWS]);
	return 0;
}

/* One request with ids[0..*n): as many as fit; *n says how many did. */
static int revoke_batch(struct kzt_client *c, const char *const *ids,
			size_t *n, uint64_t *flows, struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	size_t i;
	int ret;

	ret = kztnl_msg_new(c, KZT_CMD_REVOKE, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	for (i = 0; i < *n && i < KZT_REVOKE_IDS_MAX; i++)
		if (nla_put_string(msg, KZT_REVOKE_A_PEER_ID, ids[i]) < 0)
			break;
	if (!i) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, EMSGSIZE);
		return EMSGSIZE;
	}
	*n = i;
	return kztnl_send(c, msg, revoke_reply, flows, err);
}

/**
 * kzt_revoke() - end every flow whose peer is one of @ids
 * @c:     an open client
 * @ids:   SPIFFE IDs of workloads
 * @n:     their number, at least 1; more than KZT_REVOKE_IDS_MAX (or than
 *         one message holds) go in several requests
 * @flows: the number of flows told to end, summed over the requests
 * @err:   the kernel's answer; may be NULL
 *
 * The kernel checks every ID of a request before it ends anything; when
 * a later request of several fails, the earlier ones took effect.
 *
 * @retval 0       done; @flows is set
 * @retval EINVAL  an ID is not the SPIFFE ID of a workload (@err says which)
 * @retval EBADMSG a reply was malformed
 * @retval other   errno from the kernel or the socket
 */
int kzt_revoke(struct kzt_client *c, const char *const *ids, size_t n,
	       uint64_t *flows, struct kzt_nl_err *err)
{
	size_t done;
	int ret;

	*flows = 0;
	if (!n) {
		kzt_nl_err_set(err, EINVAL);
		return EINVAL;
	}
	while (n) {
		done = n;
		ret = revoke_batch(c, ids, &done, flows, err);
		if (ret)
			return ret;
		ids += done;
		n -= done;
	}
	return 0;
}

static int pool_flush_reply(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy policy[KZT_POOL_A_MAX + 1] = {
		[KZT_POOL_A_CLOSED]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[KZT_POOL_A_MAX + 1];
	uint32_t *closed = arg;

	if (!kztnl_reply_is(nlh, KZT_CMD_POOL_FLUSH) ||
	    genlmsg_parse(nlh, 0, tb, KZT_POOL_A_MAX, policy) < 0 ||
	    !tb[KZT_POOL_A_CLOSED])
		return EBADMSG;
	*closed = nla_get_u32(tb[KZT_POOL_A_CLOSED]);
	return 0;
}

/**
 * kzt_pool_flush() - close every kept kzt/2 tunnel of the node
 * @c:      an open client
 * @closed: set to the number closed
 * @err:    the kernel's answer; may be NULL
 *
 * Tunnels carrying a flow now are not kept once it ends.
 *
 * @retval 0       done; @closed is set
 * @retval EBADMSG the reply was malformed
 * @retval other   errno from the kernel or the socket
 */
int kzt_pool_flush(struct kzt_client *c, uint32_t *closed,
		   struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	*closed = 0;
	ret = kztnl_msg_new(c, KZT_CMD_POOL_FLUSH, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	return kztnl_send(c, msg, pool_flush_reply, closed, err);
}
