// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 of enrolled workloads: fail closed until capture covers IPv6.
 *
 * The IPv4 hook (capture.c) carries an enrolled pod's flows to other
 * nodes through the tunnel and decides its same-node and plaintext flows
 * with the policies. Nothing does that for IPv6 yet, and letting such a
 * flow through would put a mesh workload's bytes on the wire in the clear,
 * or past its policies. So while capture is on, this PRE_ROUTING hook
 * refuses with a reset every IPv6 TCP connection request from a local
 * kzt/1 workload or into one, or into a local refused workload (counted
 * ipv6-refused), drops the rest of
 * such a flow that would leave for another node, refuses the ACK of a
 * SYN cookie (minted: no request was let through) of such a flow, and
 * drops a local workload's address seen on another link (spoofed), as
 * for IPv4.
 * Workloads that are not enrolled, and other protocols, are untouched.
 *
 * Locking: as capture.c, which registers this hook with its own; the
 * tables are read under the RCU read lock netfilter holds for the hook.
 */
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/tcp.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "capture.h"
#include "kzt.h"
#include "stats.h"

/*
 * Whether a flow from @src to @dst is one IPv4 capture would decide: from
 * or into an enrolled pod, or into a local refused workload (whose flows
 * are all refused, recheck.c).
 */
static bool kzt_capture6_ours(const struct kzt_workload *src,
			      const struct kzt_workload *dst)
{
	return kzt_workload_enrolled(src) || kzt_workload_enrolled(dst) ||
	       (kzt_workload_refused(dst) && kzt_workload_is_local(dst));
}

/**
 * kzt_capture_hook6() - the IPv6 PRE_ROUTING hook of a node netns
 * @priv: unused
 * @skb: an IPv6 packet entering the node
 * @state: netfilter's hook state
 *
 * Registered with the IPv4 hook (capture.c), after nf_defrag_ipv6.
 *
 * Return: NF_ACCEPT, or NF_DROP for what is refused or dropped.
 */
unsigned int kzt_capture_hook6(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct kzt_workload *src, *dst;
	struct kzt_tables *tables;
	u8 nexthdr = ip6h->nexthdr;
	const struct tcphdr *th;
	struct tcphdr _th;
	__be16 frag_off;
	int thoff;

	tables = kzt_tables_rcu(state->net);
	if (unlikely(!tables))
		return NF_ACCEPT;

	/* An address is only believed on its own interface. */
	src = kzt_workload_lookup(&tables->workloads, &ip6h->saddr);
	if (src && kzt_workload_is_local(src) &&
	    src->ifindex != state->in->ifindex) {
		kzt_stat_inc(state->net, KZT_STATS_A_SPOOFED);
		return NF_DROP;
	}

	thoff = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
	/* nf_defrag_ipv6 ran before us: a fragment here is not reassembled. */
	if (thoff < 0 || nexthdr != IPPROTO_TCP || frag_off)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;	/* truncated: tcp_v6_rcv drops it */

	dst = kzt_workload_lookup(&tables->workloads, &ip6h->daddr);
	if (!kzt_tcp_is_syn(th)) {
		/* A flow that predates capture: none of it leaves in the clear. */
		if (kzt_workload_enrolled(src) && kzt_workload_remote_mesh(dst)) {
			kzt_stat_inc(state->net, KZT_STATS_A_STRAY);
			return NF_DROP;
		}
		/*
		 * Nor may a SYN cookie's ACK open what a SYN may not: every
		 * request of such a flow is refused, so a valid cookie was
		 * minted (the secret is the kernel's, capture.c), not issued.
		 */
		if (kzt_capture6_ours(src, dst) && kzt_tcp_cookie_ack6(ip6h, th))
			goto refuse;
		return NF_ACCEPT;
	}
	if (!kzt_capture6_ours(src, dst))
		return NF_ACCEPT;
refuse:
	kzt_stat_inc(state->net, KZT_STATS_A_IPV6_REFUSED);
	nf_send_reset6(state->net, state->sk, skb, state->hook);
	return NF_DROP;
}
