// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_CONN_GET: dump every flow of the caller's netns, like ss(8), and
 * the plain connections revoked of late (plain.c). The attributes are
 * those of the "conn" set of the spec, and only those.
 */
#include <linux/jiffies.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include <linux/kzt.h>

#include "capture.h"
#include "flow_internal.h"
#include "kzt.h"
#include "nl.h"
#include "plain.h"

static_assert(KZT_CONN_A_MAX <= KZT_NL_ATTR_MAX);

/**
 * kzt_nl_conn_fill() - the "conn" attributes of @flow, as CONN_GET has them
 * @skb: message being built
 * @flow: flow
 *
 * Also the body of the flow events (flow_events.c).
 *
 * Context: flow->lock held (each field whole); never sleeps.
 *
 * Return: 0 or -EMSGSIZE.
 */
int kzt_nl_conn_fill(struct sk_buff *skb, const struct kzt_flow *flow)
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

/* One revoked plain connection: the attributes the uapi lists for it. */
static int kzt_nl_conn_fill_gone(struct sk_buff *skb,
				 const struct kzt_plain_gone *gone)
{
	u64 age_ms = jiffies64_to_msecs(get_jiffies_64() - gone->at);
	struct in6_addr src, dst;

	ipv6_addr_set_v4mapped(gone->saddr, &src);
	ipv6_addr_set_v4mapped(gone->daddr, &dst);
	if (nla_put_u64_64bit(skb, KZT_CONN_A_ID, gone->id, KZT_CONN_A_PAD) ||
	    nla_put_u8(skb, KZT_CONN_A_DIR, KZT_CONN_DIR_PLAIN) ||
	    nla_put_u8(skb, KZT_CONN_A_STATE, KZT_CONN_STATE_CLOSING) ||
	    nla_put_in6_addr(skb, KZT_CONN_A_SRC_ADDR, &src) ||
	    nla_put_u16(skb, KZT_CONN_A_SRC_PORT, ntohs(gone->sport)) ||
	    nla_put_in6_addr(skb, KZT_CONN_A_DST_ADDR, &dst) ||
	    nla_put_u16(skb, KZT_CONN_A_DST_PORT, ntohs(gone->dport)) ||
	    nla_put_u64_64bit(skb, KZT_CONN_A_AGE_MS, age_ms, KZT_CONN_A_PAD) ||
	    nla_put_u8(skb, KZT_CONN_A_END, gone->end))
		return -EMSGSIZE;
	return 0;
}

struct kzt_nl_conn_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u64 last;			/* the ID of the last one sent */
};

static void *kzt_nl_conn_put(struct kzt_nl_conn_dump *d)
{
	void *hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
				d->cb->nlh->nlmsg_seq, &kzt_family,
				NLM_F_MULTI, KZT_CMD_CONN_GET);

	if (hdr)
		genl_dump_check_consistent(d->cb, hdr);
	return hdr;
}

/* Context: under a BH-safe spinlock (kzt_plain_list_gone()). */
static int kzt_nl_conn_gone(const struct kzt_plain_gone *gone, void *data)
{
	struct kzt_nl_conn_dump *d = data;
	void *hdr = kzt_nl_conn_put(d);

	if (!hdr)
		return -EMSGSIZE;
	if (kzt_nl_conn_fill_gone(d->skb, gone)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	d->last = gone->id;
	return 0;
}

static int kzt_nl_conn_flows(struct kzt_nl_conn_dump *d)
{
	struct kzt_flow_net *fn = kzt_flow_net(sock_net(d->skb->sk));
	struct kzt_flow *flow;
	int err = 0;
	void *hdr;

	spin_lock(&fn->lock);
	d->cb->seq = fn->generation;
	list_for_each_entry(flow, &fn->flows, node) {
		if (flow->id <= d->last)
			continue;
		hdr = kzt_nl_conn_put(d);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		spin_lock(&flow->lock);
		err = kzt_nl_conn_fill(d->skb, flow);
		spin_unlock(&flow->lock);
		if (err) {
			genlmsg_cancel(d->skb, hdr);
			break;
		}
		genlmsg_end(d->skb, hdr);
		d->last = flow->id;
	}
	spin_unlock(&fn->lock);
	return err;
}

/**
 * kzt_nl_conn_get_dumpit() - KZT_CMD_CONN_GET dump
 * @skb: reply
 * @cb: dump state; cb->args[0] is the ID of the last one sent, args[1]
 *      true once the flows are all sent and the revoked plain connections
 *      are listed
 *
 * Each list goes by ascending ID, so a dump resumes after the last ID it
 * sent, whatever came and went in between. A dump that saw the flow list
 * change between two calls is flagged NLM_F_DUMP_INTR.
 *
 * Return: the reply's length, 0 at the end, or a negative errno.
 */
int kzt_nl_conn_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kzt_nl_conn_dump d = { .skb = skb, .cb = cb,
				      .last = cb->args[0] };
	int err = 0;

	if (!cb->args[1]) {
		err = kzt_nl_conn_flows(&d);
		if (!err) {
			cb->args[1] = true;
			d.last = 0;
		}
	}
	if (cb->args[1])
		err = kzt_capture_list_gone(sock_net(skb->sk), d.last,
					    kzt_nl_conn_gone, &d);
	cb->args[0] = d.last;

	/* A full skb ends this call; the next one resumes after @last. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}
