// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_CONN_GET: dump every flow of the caller's netns, like ss(8). The
 * attributes are those of the "conn" set of the spec, and only those.
 */
#include <linux/jiffies.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <linux/kzt.h>

#include "flow_internal.h"
#include "kzt.h"
#include "nl.h"

static_assert(KZT_CONN_A_MAX <= KZT_NL_ATTR_MAX);

/* Context: flow->lock held (each field whole). */
static int kzt_nl_conn_fill(struct sk_buff *skb, const struct kzt_flow *flow)
{
	u64 age_ms = jiffies64_to_msecs(get_jiffies_64() - flow->start);

	lockdep_assert_held(&flow->lock);
	if (nla_put_u64_64bit(skb, KZT_CONN_A_ID, flow->id, KZT_CONN_A_PAD) ||
	    nla_put_u8(skb, KZT_CONN_A_DIR, flow->dir) ||
	    nla_put_u8(skb, KZT_CONN_A_STATE, flow->state) ||
	    nla_put_in6_addr(skb, KZT_CONN_A_SRC_ADDR, &flow->src_addr) ||
	    nla_put_u16(skb, KZT_CONN_A_SRC_PORT, flow->src_port) ||
	    nla_put_in6_addr(skb, KZT_CONN_A_DST_ADDR, &flow->dst_addr) ||
	    nla_put_u16(skb, KZT_CONN_A_DST_PORT, flow->dst_port) ||
	    (flow->src_id &&
	     nla_put_string(skb, KZT_CONN_A_SRC_ID, flow->src_id)) ||
	    (flow->dst_id &&
	     nla_put_string(skb, KZT_CONN_A_DST_ID, flow->dst_id)) ||
	    nla_put_in6_addr(skb, KZT_CONN_A_PEER_NODE, &flow->peer_node) ||
	    (flow->cipher &&
	     nla_put_u16(skb, KZT_CONN_A_CIPHER, flow->cipher)) ||
	    nla_put_u64_64bit(skb, KZT_CONN_A_BYTES_OUT,
			      atomic64_read(&flow->bytes_out), KZT_CONN_A_PAD) ||
	    nla_put_u64_64bit(skb, KZT_CONN_A_BYTES_IN,
			      atomic64_read(&flow->bytes_in), KZT_CONN_A_PAD) ||
	    nla_put_u64_64bit(skb, KZT_CONN_A_AGE_MS, age_ms, KZT_CONN_A_PAD) ||
	    (flow->end && nla_put_u8(skb, KZT_CONN_A_END, flow->end)))
		return -EMSGSIZE;
	return 0;
}

/**
 * kzt_nl_conn_get_dumpit() - KZT_CMD_CONN_GET dump
 * @skb: reply
 * @cb: dump state; cb->args[0] is the ID of the last flow sent
 *
 * Flows are listed by ascending ID, so a dump resumes after the last ID it
 * sent, whatever came and went in between. A dump that saw the list change
 * between two calls is flagged NLM_F_DUMP_INTR.
 *
 * Return: the reply's length, 0 at the end, or a negative errno.
 */
int kzt_nl_conn_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kzt_flow_net *fn = kzt_flow_net(sock_net(skb->sk));
	u64 last = cb->args[0];
	struct kzt_flow *flow;
	int err = 0;
	void *hdr;

	spin_lock(&fn->lock);
	cb->seq = fn->generation;
	list_for_each_entry(flow, &fn->flows, node) {
		if (flow->id <= last)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &kzt_family, NLM_F_MULTI,
				  KZT_CMD_CONN_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		spin_lock(&flow->lock);
		err = kzt_nl_conn_fill(skb, flow);
		spin_unlock(&flow->lock);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		last = flow->id;
	}
	spin_unlock(&fn->lock);
	cb->args[0] = last;

	/* A full skb ends this call; the next one resumes after @last. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}
