// SPDX-License-Identifier: GPL-2.0
/*
 * Capture: the node's netfilter hooks and listeners (capture.h).
 *
 * A PRE_ROUTING hook of the node netns (after conntrack DNAT) looks at
 * every TCP packet that enters the node and decides with one RCU snapshot
 * of the tables (Documentation/capture.rst has the table):
 *
 *  - a local workload's address seen on another interface is dropped;
 *  - every TCP packet of kzt's own transparent sockets is handed to them,
 *    whatever the tables say now and whatever tcp_early_demux is;
 *  - a new flow from an enrolled pod to a mesh workload on another node is
 *    handed to the capture listener (TPROXY without a rule);
 *  - a new flow from outside the node's registered workloads to a local
 *    enrolled workload's own address and the tunnel port is a tunnel
 *    another node dialed by that address: it is handed to the tunnel
 *    listener, and the ICMP errors about its segments to the node;
 *  - new flows between two local workloads, from an enrolled pod to a
 *    non-mesh peer, and from a plaintext peer into a local workload are
 *    allowed or refused with a TCP reset (and taken again from conntrack
 *    after every change, plain.c: a late packet of one that was revoked
 *    is refused too);
 *  - anything else is not touched.
 *
 * Locking: kzt_net.capture is written under kzt_net.config_lock (CONFIG_SET
 * and netns exit) and read by the hooks under the RCU read lock netfilter
 * holds for them. The hooks are registered only while a capture state
 * exists, and unregistered (plus a grace period) before it is freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/netfilter/nf_tproxy.h>
#include <net/route.h>
#include <net/tcp.h>

#include "capture.h"
#include "flow.h"
#include "kzt.h"
#include "plain.h"
#include "recheck.h"
#include "stats.h"

struct kzt_capture {
	struct kzt_listener *capture;	/* 127.0.0.1:ephemeral, transparent */
	struct kzt_listener *tunnel;	/* every address, the tunnel port;
					 * transparent, for kzt_capture_tunnel4()
					 */
	__be16 capture_port;		/* of @capture, for the hooks */
	u16 tunnel_port;		/* of @tunnel, host order */
	struct kzt_plain *plain;	/* flows kzt lets through (plain.c) */
};

/*
 * Route @skb as if addressed to @dst. ip_route_input_noref() takes the TOS
 * byte and returns an errno up to 6.12; from 6.13 it takes a dscp_t and
 * returns an skb drop reason. Its ip_route_input() wrapper takes a dscp_t
 * in both and returns 0 on success in both (at the cost of a reference on
 * the dst), so no version test is needed: keep it that way here.
 */
static bool kzt_route_input4(struct sk_buff *skb, __be32 dst, __be32 src,
			     const struct iphdr *iph, struct net_device *dev)
{
	return ip_route_input(skb, dst, src, ip4h_dscp(iph), dev) == 0;
}

/*
 * Deliver @skb to this netns whatever its destination address says, as
 * policy routing does for xt_TPROXY: route it with the destination set to
 * a real address of the node (127.0.0.1 is martian on any other device),
 * the ingress device's primary one or else any of the netns, and require a
 * local route. IPSKB_MULTIPATH keeps ip_list_rcv_finish() from reusing
 * this local route as the hint for the next skb of the same batch with the
 * same destination, which is not captured (veth GRO lists).
 */
static unsigned int kzt_capture_local4(struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	__be32 laddr;

	laddr = inet_select_addr(state->in, 0, RT_SCOPE_UNIVERSE);
	if (unlikely(!laddr)) {
		net_warn_ratelimited("kzt: no IPv4 address in netns to deliver a captured packet to\n");
		return NF_DROP;
	}
	skb_dst_drop(skb);
	if (!kzt_route_input4(skb, laddr, iph->saddr, iph, state->in) ||
	    skb_rtable(skb)->rt_type != RTN_LOCAL)
		return NF_DROP;
	IPCB(skb)->flags |= IPSKB_MULTIPATH;
	return NF_ACCEPT;
}

/* Refuse a connection request: a reset to its sender, the SYN dropped. */
static unsigned int kzt_capture_refuse4(struct sk_buff *skb,
					const struct nf_hook_state *state,
					enum kzt_stats_attr what)
{
	kzt_stat_inc(state->net, what);
	nf_send_reset(state->net, state->sk, skb, state->hook);
	return NF_DROP;
}

/*
 * The socket of kzt that a packet from a pod belongs to, if any: an
 * accepted captured connection, or the pod-side socket of an inbound flow
 * (transparent, bound to the remote pod's address), or a tunnel taken
 * from the underlay. A SYN that meets a TIME_WAIT socket of a flow kzt
 * takes goes to the listener that takes it again, @tw_laddr:@tw_lport
 * (@tw_lport 0: it is not kzt's). Returns a reference, on a transparent
 * socket only.
 */
static struct sock *kzt_capture_find4(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct iphdr *iph,
				      const struct tcphdr *th,
				      __be32 tw_laddr, __be16 tw_lport)
{
	struct net *net = state->net;
	struct sock *sk;

	sk = nf_tproxy_get_sock_v4(net, skb, IPPROTO_TCP, iph->saddr,
				   iph->daddr, th->source, th->dest, state->in,
				   NF_TPROXY_LOOKUP_ESTABLISHED);
	if (!sk)
		return NULL;
	if (sk->sk_state == TCP_TIME_WAIT && kzt_tcp_is_syn(th)) {
		if (!tw_lport) {
			/* A new flow that is not ours: decide it afresh. */
			inet_twsk_put(inet_twsk(sk));
			return NULL;
		}
		/* Consumes the TIME_WAIT reference. */
		sk = nf_tproxy_handle_time_wait4(net, skb, tw_laddr, tw_lport,
						 sk);
		if (!sk)
			return NULL;
	}
	/* Puts the reference when it says no. */
	return nf_tproxy_sk_is_transparent(sk) ? sk : NULL;
}

/*
 * Whether @th, which no socket claims, is the ACK that completes a
 * connection request the capture listener answered with a SYN cookie
 * (its SYN queue was full, or net.ipv4.tcp_syncookies=2): then no request
 * socket exists and only the listener can take it, as xt_TPROXY's
 * listener lookup after a failed established one gives it there. The
 * cookie is checked here, so that every other segment of a mesh flow
 * without a socket stays STRAY instead of drawing the listener's reset.
 *
 * A valid cookie alone proves nothing: the cookie secret is global to
 * the kernel, not per netns, so a pod that can set tcp_syncookies=2 and
 * add addresses in a netns of its own (a user namespace is enough) gets
 * the SYN-ACK, hence the cookie, for any 4-tuple it likes, and can send
 * the ACK from its real netns with NET_RAW. Only a cookie the hook saw
 * being issued counts: conntrack (on while capture is, plain.c) then
 * tracked the SYN and its SYN-ACK, so the ACK is no new connection.
 */
static bool kzt_tcp_is_cookie_ack4(const struct sk_buff *skb,
				   const struct iphdr *iph,
				   const struct tcphdr *th)
{
	enum ip_conntrack_info ctinfo;

	return kzt_tcp_cookie_ack4(iph, th) && nf_ct_get(skb, &ctinfo) &&
	       ctinfo != IP_CT_NEW;
}

/*
 * Whether @th is the ACK of a SYN cookie for a plain connection of kzt's
 * (to or from an enrolled pod, into a local refused workload) that
 * conntrack saw no handshake of:
 * minted, not issued (kzt_tcp_is_cookie_ack4()). Costs a cookie check only
 * for an ACK that starts a conntrack entry.
 */
static bool kzt_capture_forged_cookie4(const struct sk_buff *skb,
				       const struct iphdr *iph,
				       const struct tcphdr *th,
				       struct kzt_tables *tables,
				       const struct in6_addr *saddr,
				       const struct in6_addr *daddr)
{
	const struct kzt_workload *dst;
	enum ip_conntrack_info ctinfo;

	if (nf_ct_get(skb, &ctinfo) && ctinfo != IP_CT_NEW)
		return false;
	if (!kzt_tcp_cookie_ack4(iph, th))
		return false;
	dst = kzt_workload_lookup(&tables->workloads, daddr);
	return kzt_workload_enrolled(kzt_workload_lookup(&tables->workloads,
							 saddr)) ||
	       kzt_workload_enrolled(dst) ||
	       (kzt_workload_refused(dst) && kzt_workload_is_local(dst));
}

/*
 * A new flow kzt takes: its connection request, or the ACK of a SYN
 * cookie the listener sent it, goes to the transparent listener on
 * @laddr:@lport as if addressed to it; counted as @what. A new flow from
 * an enrolled pod to a mesh workload on another node goes to the capture
 * listener; a tunnel to a local pod's address to the tunnel listener
 * (kzt_capture_tunnel4()).
 */
static unsigned int kzt_capture_take4(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct iphdr *iph,
				      const struct tcphdr *th,
				      __be32 laddr, __be16 lport,
				      enum kzt_stats_attr what)
{
	struct sock *sk;

	sk = nf_tproxy_get_sock_v4(state->net, skb, IPPROTO_TCP, iph->saddr,
				   laddr, th->source, lport, state->in,
				   NF_TPROXY_LOOKUP_LISTENER);
	if (!sk || !nf_tproxy_sk_is_transparent(sk)) {
		/* Only while the listener is being replaced: fail closed. */
		kzt_stat_inc(state->net, KZT_STATS_A_STRAY);
		return NF_DROP;
	}
	/* Counted once per flow, at its request. */
	if (kzt_tcp_is_syn(th))
		kzt_stat_inc(state->net, what);
	nf_tproxy_assign_sock(skb, sk);		/* consumes the reference */
	return kzt_capture_local4(skb, state);
}

/*
 * Whether a packet from @src to @dst is a tunnel that another node dialed
 * by the destination workload's own address (protocol.rst): to a local
 * enrolled workload, on the tunnel port, from no registered local workload
 * (whose address, checked at the top of the hook, arrives on its own
 * interface only: a same-node flow is decided by the local rules) and not
 * on the destination pod's own interface. A local pod that is not in the
 * table looks like the underlay here and is taken too (capture.rst). A
 * plaintext workload's port is its own.
 */
static bool kzt_capture_tunnel4(const struct nf_hook_state *state,
				const struct tcphdr *th,
				const struct kzt_capture *cap,
				const struct kzt_workload *src,
				const struct kzt_workload *dst)
{
	return ntohs(th->dest) == READ_ONCE(cap->tunnel_port) &&
	       kzt_workload_enrolled(dst) &&
	       dst->ifindex != state->in->ifindex &&
	       !(src && kzt_workload_is_local(src));
}

/*
 * A connection request kzt does not carry (recheck.c decides it, as it
 * decides the live ones after a change): allowed, or refused with a reset.
 */
static unsigned int kzt_capture_plain4(struct sk_buff *skb,
				       const struct nf_hook_state *state,
				       const struct iphdr *iph,
				       const struct tcphdr *th,
				       const struct kzt_capture *cap,
				       struct kzt_tables *tables,
				       const struct in6_addr *saddr,
				       const struct in6_addr *daddr)
{
	static const enum kzt_stats_attr counted[][2] = {
		[KZT_PLAIN_LOCAL] = { KZT_STATS_A_LOCAL_DENIED,
				      KZT_STATS_A_LOCAL_ALLOWED },
		[KZT_PLAIN_NONMESH] = { KZT_STATS_A_NONMESH_DENIED,
					KZT_STATS_A_NONMESH_PASSED },
		[KZT_PLAIN_INBOUND] = { KZT_STATS_A_INBOUND_PLAIN_DENIED,
					KZT_STATS_A_INBOUND_PLAIN_ALLOWED },
		/* Never allowed: the second is never counted. */
		[KZT_PLAIN_REFUSED] = { KZT_STATS_A_REFUSED_WORKLOAD,
					KZT_STATS_A_REFUSED_WORKLOAD },
	};
	const struct kzt_config *cfg;
	enum kzt_plain_kind kind;
	bool allow;

	cfg = rcu_dereference(kzt_pernet(state->net)->config);
	/* A port-0 request is refused below: no flow, so no dry-run count. */
	kind = kzt_decide_plain(tables, cfg->nonmesh, saddr, daddr,
				ntohs(th->dest),
				kzt_to_tunnel_port4(state->net, cfg, iph->daddr,
						    th->dest),
				!kzt_tcp_port_zero(th), &allow);
	if (kind == KZT_PLAIN_NONE || kind == KZT_PLAIN_TUNNEL)
		return NF_ACCEPT;	/* not ours; a tunnel was taken before */
	if (kzt_tcp_port_zero(th))
		return kzt_capture_refuse4(skb, state, KZT_STATS_A_BAD_PORT);
	if (!allow)
		return kzt_capture_refuse4(skb, state, counted[kind][0]);
	kzt_stat_inc(state->net, counted[kind][1]);
	kzt_plain_reborn4(cap->plain, skb, iph, th);
	return NF_ACCEPT;
}

/*
 * An ICMP error about a segment one of kzt's transparent sockets sent
 * belongs to that socket: deliver it locally so that tcp_v4_err() finds
 * the socket by the quoted header, as it would for a socket of the node's
 * own address. Two kinds, told apart by @tunnel_port:
 *
 *  - 0: from an enrolled pod, about a segment sent to it (the quoted
 *    header runs from the socket's local address to the pod): else PMTU
 *    discovery and unreachable errors of captured flows would be forwarded
 *    to the other node;
 *  - the tunnel port (network order): to an enrolled pod, from anywhere (a
 *    router on the path sends PMTU errors), about a segment of a tunnel
 *    taken at that pod's address (the quoted header runs from POD:port):
 *    else it would be forwarded into the pod, which has no such
 *    connection.
 *
 * Either way only an error whose quoted 4-tuple finds a transparent socket
 * of the node netns is claimed: kzt's.
 */
static unsigned int kzt_capture_icmp4(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      __be16 tunnel_port)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct {
		struct icmphdr icmp;
		struct iphdr ip;
	} _hdr, *hdr;
	struct tcphdr _th;
	const struct tcphdr *th;
	unsigned int off = ip_hdrlen(skb);
	struct sock *sk;
	bool ours;

	hdr = skb_header_pointer(skb, off, sizeof(_hdr), &_hdr);
	if (!hdr || !icmp_is_err(hdr->icmp.type) ||
	    hdr->ip.protocol != IPPROTO_TCP || hdr->ip.ihl < 5)
		return NF_ACCEPT;
	if (tunnel_port ? hdr->ip.saddr != iph->daddr :
			  hdr->ip.daddr != iph->saddr)
		return NF_ACCEPT;
	/* RFC 792: at least the first 8 bytes (the ports) are quoted. */
	th = skb_header_pointer(skb, off + sizeof(hdr->icmp) + hdr->ip.ihl * 4,
				8, &_th);
	if (!th || (tunnel_port && th->source != tunnel_port))
		return NF_ACCEPT;

	/* The socket's local end is the quoted source, its peer the dest. */
	sk = inet_lookup_established(state->net,
				     state->net->ipv4.tcp_death_row.hashinfo,
				     hdr->ip.daddr, th->dest, hdr->ip.saddr,
				     th->source, state->in->ifindex);
	if (!sk)
		return NF_ACCEPT;
	ours = inet_sk_transparent(sk);
	sock_gen_put(sk);
	return ours ? kzt_capture_local4(skb, state) : NF_ACCEPT;
}

static unsigned int kzt_capture_hook4(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct kzt_workload *src, *dst;
	const struct kzt_capture *cap;
	struct kzt_tables *tables;
	struct in6_addr saddr, daddr;
	struct tcphdr _th;
	const struct tcphdr *th;
	bool enrolled, remote_mesh, tunnel;
	struct sock *sk;

	cap = rcu_dereference(kzt_pernet(state->net)->capture);
	tables = kzt_tables_rcu(state->net);
	if (unlikely(!cap || !tables))
		return NF_ACCEPT;

	/* An address is only believed on its own interface. */
	ipv6_addr_set_v4mapped(iph->saddr, &saddr);
	src = kzt_workload_lookup(&tables->workloads, &saddr);
	if (src && kzt_workload_is_local(src) &&
	    src->ifindex != state->in->ifindex) {
		kzt_stat_inc(state->net, KZT_STATS_A_SPOOFED);
		return NF_DROP;
	}
	enrolled = kzt_workload_enrolled(src);

	if (iph->protocol == IPPROTO_ICMP) {
		if (enrolled)
			return kzt_capture_icmp4(skb, state, 0);
		/* Perhaps about a tunnel taken at that pod's address. */
		ipv6_addr_set_v4mapped(iph->daddr, &daddr);
		dst = kzt_workload_lookup(&tables->workloads, &daddr);
		if (kzt_workload_enrolled(dst) &&
		    dst->ifindex != state->in->ifindex)
			return kzt_capture_icmp4(skb, state,
						 htons(READ_ONCE(cap->tunnel_port)));
		return NF_ACCEPT;
	}
	/* nf_defrag_ipv4 ran before us: a fragment here is not reassembled. */
	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
		return NF_ACCEPT;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;	/* truncated: tcp_v4_rcv drops it */

	ipv6_addr_set_v4mapped(iph->daddr, &daddr);
	dst = kzt_workload_lookup(&tables->workloads, &daddr);

	/*
	 * A packet of a flow kzt carries goes to kzt's socket first, even
	 * when a change has just made its pod a stranger: the flow is being
	 * revoked, and until its socket is gone nothing of it may be routed
	 * out in the clear. This is early demux for our sockets, done here
	 * because net.ipv4.tcp_early_demux may be off: one lookup in the
	 * established hash per TCP packet.
	 */
	remote_mesh = enrolled && kzt_workload_remote_mesh(dst);
	tunnel = kzt_capture_tunnel4(state, th, cap, src, dst);
	if (remote_mesh)
		sk = kzt_capture_find4(skb, state, iph, th,
				       htonl(INADDR_LOOPBACK), cap->capture_port);
	else
		sk = kzt_capture_find4(skb, state, iph, th, iph->daddr,
				       tunnel ? th->dest : 0);
	if (sk) {
		nf_tproxy_assign_sock(skb, sk);	/* consumes the reference */
		return kzt_capture_local4(skb, state);
	}
	if (remote_mesh) {
		/* No kzt/1 header can carry port 0: refused before the tunnel. */
		if (kzt_tcp_is_syn(th) && kzt_tcp_port_zero(th))
			return kzt_capture_refuse4(skb, state,
						   KZT_STATS_A_BAD_PORT);
		if (kzt_tcp_is_syn(th) || kzt_tcp_is_cookie_ack4(skb, iph, th))
			return kzt_capture_take4(skb, state, iph, th,
						 htonl(INADDR_LOOPBACK),
						 cap->capture_port,
						 KZT_STATS_A_CAPTURED);
		/* Never let the plaintext of a mesh flow leave. */
		kzt_stat_inc(state->net, KZT_STATS_A_STRAY);
		return NF_DROP;
	}
	/*
	 * The listener is transparent: the accepted socket keeps the pod's
	 * address as its own and answers from it, so the pod never sees it.
	 */
	if (tunnel && (kzt_tcp_is_syn(th) ||
		       kzt_tcp_is_cookie_ack4(skb, iph, th)))
		return kzt_capture_take4(skb, state, iph, th, iph->daddr,
					 th->dest, KZT_STATS_A_TUNNEL_TAKEN);
	/*
	 * Only the connection request is decided, and revoked flows met;
	 * and a SYN cookie's ACK that conntrack saw no handshake for, which
	 * would open a connection at a pod of this node (the same cookie
	 * secret) that no decided request led to.
	 */
	if (!kzt_tcp_is_syn(th)) {
		if (kzt_plain_revoked4(cap->plain, skb, iph, th) ||
		    kzt_capture_forged_cookie4(skb, iph, th, tables, &saddr,
					       &daddr))
			return kzt_capture_refuse4(skb, state, KZT_STATS_A_STRAY);
		return NF_ACCEPT;
	}
	return kzt_capture_plain4(skb, state, iph, th, cap, tables, &saddr,
				  &daddr);
}

/*
 * Priority NF_IP_PRI_NAT_DST + 1: after conntrack and DNAT, so that a
 * service address is already translated to a workload's. The IPv6 hook
 * (capture6.c) refuses what this one would capture.
 */
static const struct nf_hook_ops kzt_capture_ops[] = {
	{
		.hook		= kzt_capture_hook4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_NAT_DST + 1,
	},
	{
		.hook		= kzt_capture_hook6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_NAT_DST + 1,
	},
};

static int kzt_capture_hooks_register(struct net *net)
{
	int err;

	/* As xt_TPROXY: the hooks must see whole datagrams. */
	err = nf_defrag_ipv4_enable(net);
	if (err)
		return err;
	err = nf_defrag_ipv6_enable(net);
	if (err)
		goto out_defrag4;
	err = nf_register_net_hooks(net, kzt_capture_ops,
				    ARRAY_SIZE(kzt_capture_ops));
	if (err)
		goto out_defrag6;
	return 0;

out_defrag6:
	nf_defrag_ipv6_disable(net);
out_defrag4:
	nf_defrag_ipv4_disable(net);
	return err;
}

static void kzt_capture_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, kzt_capture_ops,
				ARRAY_SIZE(kzt_capture_ops));
	nf_defrag_ipv6_disable(net);
	nf_defrag_ipv4_disable(net);
}

/*
 * A connection accepted on the tunnel listener. It inherits
 * IP_TRANSPARENT, which a tunnel taken at a pod's address needs (it
 * answers from that address, and the hook hands it its segments). One
 * dialed to an address of the node needs neither: clear it there, so that
 * the hook's established lookup passes its segments by and they keep the
 * normal input path (early demux, the route hint of a GRO list), as
 * before tunnels could be taken. Segments that arrive before the accept
 * take the hook's path, which delivers them just the same.
 */
static void kzt_capture_tunnel_accept(struct net *net, struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct in6_addr laddr;

	if (sk->sk_family == AF_INET6)
		laddr = sk->sk_v6_rcv_saddr;
	else
		ipv6_addr_set_v4mapped(sk->sk_rcv_saddr, &laddr);
	if (kzt_addr_is_local(net, &laddr))
		inet_clear_bit(TRANSPARENT, sk);
	kzt_flow_inbound(net, sock);
}

/*
 * The tunnel listener: every address, IPv6 dual stack, or IPv4 only when
 * this kernel has no IPv6. Transparent, so that it also takes the tunnels
 * dialed to a local pod's address (kzt_capture_tunnel4()) and its
 * accepted sockets answer from that address
 * (kzt_capture_tunnel_accept()).
 */
static struct kzt_listener *kzt_capture_open_tunnel(struct net *net, u16 port,
						    struct netlink_ext_ack *extack)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct kzt_listener *l;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	l = kzt_listener_open(net, &ss, true, kzt_capture_tunnel_accept);
	if (IS_ERR(l) && PTR_ERR(l) == -EAFNOSUPPORT) {
		memset(&ss, 0, sizeof(ss));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		l = kzt_listener_open(net, &ss, true,
				      kzt_capture_tunnel_accept);
	}
	if (IS_ERR(l)) {
		if (PTR_ERR(l) == -EADDRINUSE)
			NL_SET_ERR_MSG_FMT(extack,
					   "tunnel port %u is already in use in this netns",
					   port);
		else
			NL_SET_ERR_MSG_FMT(extack,
					   "cannot listen on tunnel port %u: error %ld",
					   port, PTR_ERR(l));
	}
	return l;
}

/*
 * The capture listener: transparent, on 127.0.0.1 and an ephemeral port,
 * so that no pod can reach it (127.0.0.1 is martian off the loopback
 * device); only the hook hands it connections. IP_TRANSPARENT also lets
 * it bind while the netns's loopback device is down.
 */
static struct kzt_listener *kzt_capture_open_capture(struct net *net,
						     struct netlink_ext_ack *extack)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct kzt_listener *l;

	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = kzt_listener_open(net, &ss, true, kzt_flow_outbound);
	if (IS_ERR(l))
		NL_SET_ERR_MSG_FMT(extack,
				   "cannot open the capture listener: error %ld",
				   PTR_ERR(l));
	return l;
}

static int kzt_capture_start(struct net *net, u16 tunnel_port,
			     struct netlink_ext_ack *extack)
{
	struct kzt_net *kn = kzt_pernet(net);
	struct kzt_capture *cap;
	int err;

	cap = kzalloc(sizeof(*cap), GFP_KERNEL);
	if (!cap)
		return -ENOMEM;

	cap->tunnel = kzt_capture_open_tunnel(net, tunnel_port, extack);
	if (IS_ERR(cap->tunnel)) {
		err = PTR_ERR(cap->tunnel);
		goto out_free;
	}
	cap->tunnel_port = tunnel_port;
	cap->capture = kzt_capture_open_capture(net, extack);
	if (IS_ERR(cap->capture)) {
		err = PTR_ERR(cap->capture);
		goto out_close_tunnel;
	}
	cap->capture_port = htons(kzt_listener_port(cap->capture));
	cap->plain = kzt_plain_start(net, extack);
	if (IS_ERR(cap->plain)) {
		err = PTR_ERR(cap->plain);
		goto out_close_capture;
	}

	/* ORDER: published before the hooks that read it can run. */
	rcu_assign_pointer(kn->capture, cap);
	err = kzt_capture_hooks_register(net);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack,
				   "cannot register the netfilter hooks: error %d",
				   err);
		goto out_unpublish;
	}
	return 0;

out_unpublish:
	RCU_INIT_POINTER(kn->capture, NULL);
	synchronize_net();
	kzt_plain_stop(cap->plain);
out_close_capture:
	kzt_listener_close(cap->capture);
out_close_tunnel:
	kzt_listener_close(cap->tunnel);
out_free:
	kfree(cap);
	return err;
}

/*
 * ORDER: the listeners go first (no new flow; until the hooks go, a new
 * captured connection finds no listener and is dropped), then the flows
 * (@end_flows resets them and returns when none holds a socket), then the
 * hooks. Without the hook a packet of a captured flow would be routed
 * like any other, out on the underlay in the clear, whenever the stack
 * does not find the flow's socket by itself (tcp_early_demux=0).
 */
static void kzt_capture_stop(struct net *net, struct kzt_capture *cap,
			     void (*end_flows)(struct net *net))
{
	struct kzt_net *kn = kzt_pernet(net);

	kzt_listener_close(cap->capture);
	kzt_listener_close(cap->tunnel);
	end_flows(net);
	kzt_capture_hooks_unregister(net);
	RCU_INIT_POINTER(kn->capture, NULL);
	/* ORDER: no hook still reads @cap, no change queues its sweep. */
	synchronize_net();
	kzt_plain_stop(cap->plain);
	kfree(cap);
}

/**
 * kzt_capture_bury() - refuse what a pod still sends to a closed socket
 * @net: node netns
 * @sk: a tunnelled flow's pod socket, about to be closed with a reset
 *
 * See kzt_plain_bury_sock(); nothing while capture is off.
 *
 * Return: what to pass to kzt_capture_forget() once the socket is closed.
 */
struct nf_conn *kzt_capture_bury(struct net *net, const struct sock *sk)
{
	struct kzt_capture *cap;
	struct nf_conn *ct = NULL;

	rcu_read_lock();
	cap = rcu_dereference(kzt_pernet(net)->capture);
	if (cap)
		ct = kzt_plain_bury_sock(cap->plain, sk);
	rcu_read_unlock();
	return ct;
}

/**
 * kzt_capture_forget() - the buried socket is closed: its entry goes too
 * @net: node netns
 * @ct: what kzt_capture_bury() returned; capture has not stopped since
 *      (it ends every flow first)
 */
void kzt_capture_forget(struct net *net, struct nf_conn *ct)
{
	struct kzt_capture *cap;

	if (!ct)
		return;
	rcu_read_lock();
	cap = rcu_dereference(kzt_pernet(net)->capture);
	WARN_ON_ONCE(!cap);
	kzt_plain_forget(cap ? cap->plain : NULL, ct);
	rcu_read_unlock();
}

/**
 * kzt_capture_list_gone() - the plain connections revoked of late
 * @net: node netns
 * @after: see kzt_plain_list_gone(); none while capture is off
 * @fill: likewise
 * @data: likewise
 *
 * Return: what @fill returned last, or 0.
 */
int kzt_capture_list_gone(struct net *net, u64 after,
			  int (*fill)(const struct kzt_plain_gone *, void *),
			  void *data)
{
	struct kzt_capture *cap;
	int err = 0;

	rcu_read_lock();
	cap = rcu_dereference(kzt_pernet(net)->capture);
	if (cap)
		err = kzt_plain_list_gone(cap->plain, after, fill, data);
	rcu_read_unlock();
	return err;
}

/**
 * kzt_capture_recheck() - have the flows kzt lets through re-decided
 * @kn: per-netns state; nothing happens while capture is off
 *
 * Call after a change that may alter their decision is published.
 */
void kzt_capture_recheck(struct kzt_net *kn)
{
	struct kzt_capture *cap;

	rcu_read_lock();
	cap = rcu_dereference(kn->capture);
	if (cap)
		kzt_plain_recheck(cap->plain);
	rcu_read_unlock();
}

/**
 * kzt_capture_apply() - make the hooks and listeners match a configuration
 * @net: node netns
 * @old: configuration in force
 * @new: configuration about to be published
 * @extack: where to say what failed
 *
 * Opens the hooks and both listeners when @new turns capture on, closes
 * them when it turns it off, re-opens the tunnel listener when its port
 * changes (the new one first, so that a port in use changes nothing).
 *
 * Context: process context; kzt_net.config_lock held.
 * Return: 0, or a negative errno (-EADDRINUSE: the tunnel port is taken)
 * with nothing changed.
 */
int kzt_capture_apply(struct net *net, const struct kzt_config *old,
		      const struct kzt_config *new,
		      struct netlink_ext_ack *extack)
{
	struct kzt_net *kn = kzt_pernet(net);
	struct kzt_listener *tunnel;
	struct kzt_capture *cap;

	cap = rcu_dereference_protected(kn->capture,
					lockdep_is_held(&kn->config_lock));
	if (!new->capture) {
		if (cap)
			kzt_capture_stop(net, cap, kzt_flow_revoke_all);
		return 0;
	}
	if (!cap)
		return kzt_capture_start(net, new->tunnel_port, extack);
	if (cap->tunnel_port == new->tunnel_port)
		return 0;

	/* The hooks read cap->tunnel_port without the lock: a u16 store. */
	tunnel = kzt_capture_open_tunnel(net, new->tunnel_port, extack);
	if (IS_ERR(tunnel))
		return PTR_ERR(tunnel);
	kzt_listener_close(cap->tunnel);
	cap->tunnel = tunnel;
	WRITE_ONCE(cap->tunnel_port, new->tunnel_port);
	return 0;
}

/**
 * kzt_capture_net_exit() - end capture and the flows of a dying netns
 * @net: the netns; also called for every netns when kzt unloads
 *
 * Kernel sockets hold no reference on their netns: the listeners and the
 * flows' sockets must be gone before it is. No flow starts afterwards.
 */
void kzt_capture_net_exit(struct net *net)
{
	struct kzt_net *kn = kzt_pernet(net);
	struct kzt_capture *cap;

	mutex_lock(&kn->config_lock);
	cap = rcu_dereference_protected(kn->capture,
					lockdep_is_held(&kn->config_lock));
	if (cap)
		kzt_capture_stop(net, cap, kzt_flow_abort_all);
	mutex_unlock(&kn->config_lock);
}
