// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_REVOKE: end the flows of peers that are no longer trusted. kztd
 * sends it after a new trust bundle failed to verify a peer it had
 * verified before (Documentation/kztd.rst); an operator with kztctl
 * revoke. The kernel keeps nothing of the request.
 * KZT_CMD_POOL_FLUSH: close the kept kzt/2 tunnels, authenticated with
 * certificates that just changed.
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "extack.h"
#include "flow.h"
#include "nl.h"
#include "spiffe.h"

const struct nla_policy kzt_revoke_policy[KZT_REVOKE_A_MAX + 1] = {
	[KZT_REVOKE_A_PEER_ID] = { .type = NLA_NUL_STRING,
				   .len = KZT_SPIFFE_ID_MAX },
};
EXPORT_SYMBOL_IF_KUNIT(kzt_revoke_policy);

static int kzt_revoke_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/**
 * kzt_nl_revoke_doit() - KZT_CMD_REVOKE
 * @skb: request
 * @info: request attributes, already checked by kzt_revoke_policy
 *
 * Every ID is checked, and the reply allocated, before any flow is
 * touched: a request refused for any reason ends nothing.
 *
 * Return: 0 or a negative errno.
 */
int kzt_nl_revoke_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *head = genlmsg_data(info->genlhdr);
	int len = genlmsg_len(info->genlhdr);
	const struct nlattr *nla;
	const char **ids = NULL;
	struct sk_buff *msg;
	unsigned int n = 0;
	const char *why;
	void *hdr;
	int rem, err;

	if (KZT_REQ_ATTR_CHECK(info, KZT_REVOKE_A_PEER_ID,
			       "no peer identity given (KZT_REVOKE_A_PEER_ID)"))
		return -EINVAL;
	nla_for_each_attr_type(nla, KZT_REVOKE_A_PEER_ID, head, len, rem) {
		if (++n > KZT_REVOKE_IDS_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "more than 1024 peer identities in one request");
			return -E2BIG;
		}
	}

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = -ENOMEM;
	ids = kmalloc_array(n, sizeof(*ids), GFP_KERNEL);
	if (!ids)
		goto out_free;
	n = 0;
	nla_for_each_attr_type(nla, KZT_REVOKE_A_PEER_ID, head, len, rem) {
		/* NLA_NUL_STRING: NUL-terminated within the policy's length. */
		why = kzt_spiffe_workload_check(nla_data(nla),
						strlen(nla_data(nla)));
		if (why) {
			kzt_extack_attr(info->extack, nla, why);
			err = -EINVAL;
			goto out_free;
		}
		ids[n++] = nla_data(nla);
	}
	sort(ids, n, sizeof(*ids), kzt_revoke_cmp, NULL);
	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &kzt_family, 0, KZT_CMD_REVOKE);
	if (!hdr)
		goto out_free;

	/* Sized for it: cannot fail. */
	nla_put_u32(msg, KZT_REVOKE_A_FLOWS,
		    kzt_flow_revoke_peers(genl_info_net(info), ids, n));
	kfree(ids);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free:
	kfree(ids);
	nlmsg_free(msg);
	return err;
}

/**
 * kzt_nl_pool_flush_doit() - KZT_CMD_POOL_FLUSH
 * @skb: request
 * @info: request (no attributes)
 *
 * Return: 0 or a negative errno.
 */
int kzt_nl_pool_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kzt_family, 0, KZT_CMD_POOL_FLUSH);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	/* Sized for it: cannot fail. */
	nla_put_u32(msg, KZT_POOL_A_CLOSED,
		    kzt_flow_pool_flush(genl_info_net(info)));
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}
