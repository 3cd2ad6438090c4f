/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capture: netfilter hooks in each node netns that take the TCP flows of
 * enrolled workloads into kzt (TPROXY done inside the module, no rule
 * written by anyone), decide same-node and plaintext flows with the
 * policies, and the node's two listeners (capture and tunnel). Everything
 * exists only while the node's configuration has capture = 1.
 * Documentation/capture.rst describes the decisions and the traps.
 */
#ifndef _KZT_CAPTURE_H
#define _KZT_CAPTURE_H

#include <linux/tcp.h>
#include <net/route.h>
#include <net/tcp.h>

#include "config.h"
#include "listener.h"

struct net;
struct nf_conn;
struct kzt_config;
struct kzt_net;
struct kzt_plain_gone;
struct netlink_ext_ack;
struct nf_hook_state;
struct sk_buff;
struct sock;

/* A connection request: SYN without ACK (nor RST or FIN). */
static inline bool kzt_tcp_is_syn(const struct tcphdr *th)
{
	return th->syn && !th->ack && !th->rst && !th->fin;
}

/*
 * Whether @th is a bare ACK whose acknowledgment is a valid SYN cookie
 * of this kernel for its 4-tuple (the cookie of one of the last minutes).
 * The secret is the kernel's, shared by every netns: see capture.c.
 */
static inline bool kzt_tcp_cookie_ack4(const struct iphdr *iph,
				       const struct tcphdr *th)
{
#if IS_ENABLED(CONFIG_SYN_COOKIES)
	return th->ack && !th->syn && !th->rst && __cookie_v4_check(iph, th);
#else
	return false;
#endif
}

static inline bool kzt_tcp_cookie_ack6(const struct ipv6hdr *ip6h,
				       const struct tcphdr *th)
{
#if IS_ENABLED(CONFIG_SYN_COOKIES) && IS_ENABLED(CONFIG_IPV6)
	return th->ack && !th->syn && !th->rst && __cookie_v6_check(ip6h, th);
#else
	return false;
#endif
}

/*
 * Port 0 names no TCP endpoint (RFC 6335 reserves it) and no kzt/1 header
 * may carry it; Linux still lets connect() send a SYN to it, and a raw
 * socket can send one from it.
 */
static inline bool kzt_tcp_port_zero(const struct tcphdr *th)
{
	return !th->source || !th->dest;
}

/* Whether @daddr:@dport is the node's own tunnel port: no pod's business. */
static inline bool kzt_to_tunnel_port4(struct net *net,
				       const struct kzt_config *cfg,
				       __be32 daddr, __be16 dport)
{
	return ntohs(dport) == cfg->tunnel_port &&
	       inet_addr_type(net, daddr) == RTN_LOCAL;
}

/*
 * Accepted connections go to flow.c: kzt_flow_outbound() gets each one
 * taken from a pod (capture listener), kzt_flow_inbound() each one accepted
 * on the tunnel port. They run from the listeners' work items and must not
 * take kzt_net.config_lock: a configuration change holds it while it closes
 * a listener and waits for that work.
 */
int kzt_capture_apply(struct net *net, const struct kzt_config *old,
		      const struct kzt_config *new,
		      struct netlink_ext_ack *extack);
void kzt_capture_net_exit(struct net *net);
void kzt_capture_recheck(struct kzt_net *kn);
struct nf_conn *kzt_capture_bury(struct net *net, const struct sock *sk);
void kzt_capture_forget(struct net *net, struct nf_conn *ct);
int kzt_capture_list_gone(struct net *net, u64 after,
			  int (*fill)(const struct kzt_plain_gone *, void *),
			  void *data);

/* capture6.c: IPv6 of enrolled workloads is refused (no IPv6 capture yet). */
unsigned int kzt_capture_hook6(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state);

#endif /* _KZT_CAPTURE_H */
