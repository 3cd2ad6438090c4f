// SPDX-License-Identifier: GPL-2.0
/*
 * Flows kzt lets through without carrying them (plain.h), re-decided after
 * every change from conntrack.
 *
 * Conntrack already holds every live connection of the node netns, so a
 * change costs one walk of it and no packet pays anything: the hook
 * decides a connection on its request only. A connection that the tables
 * now deny is reset on both ends with the sequence numbers conntrack
 * tracked, its entry is deleted, and the tuple of each of its directions
 * is kept for a while as a grave. A later packet of the connection (one in
 * flight, or the challenge ACK of an end whose reset missed a segment in
 * flight) makes a new conntrack entry; the hook finds its grave and
 * answers with a reset whose sequence number is exact.
 *
 * The pod side of a tunnelled flow that ends with a reset gets a grave as
 * well (kzt_plain_bury_sock()): once its socket is gone, a segment the pod
 * still sends would otherwise be routed like any other when its pod is no
 * longer enrolled (a workload deleted), out in the clear.
 *
 * A revoked connection is also listed by CONN_GET, CLOSING with why, for
 * as long as a tunnelled flow that ended early is (@gone).
 *
 * Locking: @lock (BH-safe) serialises the writers of @graves and @by_age
 * (the sweep, the reaper, ending flows) and everyone on @gone; the hooks
 * read @graves under RCU. One sweep runs at a time (one work item,
 * delayed a little so that a burst of changes shares one walk of the
 * table).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/route.h>
#include <net/tcp.h>

#include "capture.h"
#include "flow.h"
#include "kzt.h"
#include "plain.h"
#include "recheck.h"
#include "stats.h"

#define KZT_GRAVE_BITS		12
/* After the last segment it stopped: more than TCP's longest backoff. */
#define KZT_GRAVE_TTL		(TCP_RTO_MAX + 10 * HZ)
#define KZT_GRAVES_MAX		65536	/* then the oldest go first */
#define KZT_SWEEP_BATCH_MS	20	/* changes this close share a walk */
#define KZT_SWEEP_RETRY_MS	1000	/* after running out of memory */
#define KZT_GONE_MAX		4096	/* listed at once; the oldest go */

/* One direction of a revoked connection, as its packets arrive. */
struct kzt_grave {
	struct hlist_node node;		/* kzt_plain.graves, RCU */
	struct list_head age;		/* kzt_plain.by_age, oldest first */
	unsigned long expires;		/* jiffies; pushed on by every hit */
	__be32 saddr, daddr;
	__be16 sport, dport;
	struct rcu_head rcu;
};

struct kzt_plain {
	/* Read by the hooks for every packet that may be a late one. */
	unsigned int nr_graves ____cacheline_aligned_in_smp; /* @lock */
	atomic_t burying;		/* kzt_plain_bury_sock() .. _forget() */
	u32 seed;
	struct net *net;
	struct delayed_work sweep;
	struct delayed_work reap;
	spinlock_t lock ____cacheline_aligned_in_smp; /* all below */
	struct list_head by_age;
	struct list_head gone;		/* struct kzt_plain_gone, by ID */
	unsigned int nr_gone;
	DECLARE_HASHTABLE(graves, KZT_GRAVE_BITS);
};

/* A live connection the sweep found revoked: a conntrack reference. */
struct kzt_plain_victim {
	struct list_head node;
	struct nf_conn *ct;
	u8 end;				/* enum kzt_conn_end */
};

struct kzt_plain_sweep {
	struct net *net;
	struct list_head victims;
	bool incomplete;		/* out of memory: sweep again */
};

static u32 kzt_grave_hash(const struct kzt_plain *plain, __be32 saddr,
			  __be32 daddr, __be16 sport, __be16 dport)
{
	return jhash_3words((__force u32)saddr, (__force u32)daddr,
			    (__force u32)sport << 16 | (__force u32)dport,
			    plain->seed);
}

/* Context: @plain->lock held. */
static void kzt_grave_remove(struct kzt_plain *plain, struct kzt_grave *g)
{
	hash_del_rcu(&g->node);
	list_del(&g->age);
	WRITE_ONCE(plain->nr_graves, plain->nr_graves - 1);
	kfree_rcu(g, rcu);
}

/* Context: any but hard IRQ (@gfp says whether it may sleep). */
static void kzt_grave_add(struct kzt_plain *plain,
			  const struct nf_conntrack_tuple *t, gfp_t gfp)
{
	struct kzt_grave *g = kzalloc(sizeof(*g), gfp);

	if (!g)
		return;		/* the resets still go out */
	g->saddr = t->src.u3.ip;
	g->daddr = t->dst.u3.ip;
	g->sport = t->src.u.tcp.port;
	g->dport = t->dst.u.tcp.port;
	g->expires = jiffies + KZT_GRAVE_TTL;

	spin_lock_bh(&plain->lock);
	if (plain->nr_graves >= KZT_GRAVES_MAX)
		kzt_grave_remove(plain, list_first_entry(&plain->by_age,
							 struct kzt_grave,
							 age));
	hash_add_rcu(plain->graves, &g->node,
		     kzt_grave_hash(plain, g->saddr, g->daddr, g->sport,
				    g->dport));
	list_add_tail(&g->age, &plain->by_age);
	WRITE_ONCE(plain->nr_graves, plain->nr_graves + 1);
	spin_unlock_bh(&plain->lock);
	/* Pending already: for an older grave, which expires first. */
	queue_delayed_work(system_wq, &plain->reap, KZT_GRAVE_TTL);
}

static void kzt_plain_reap(struct work_struct *work)
{
	struct kzt_plain *plain = container_of(to_delayed_work(work),
					       struct kzt_plain, reap);
	unsigned long next = 0;
	struct kzt_grave *g;

	spin_lock_bh(&plain->lock);
	while ((g = list_first_entry_or_null(&plain->by_age,
					     struct kzt_grave, age))) {
		/* Oldest first; one pushed on holds the younger back a while. */
		if (time_before(jiffies, READ_ONCE(g->expires))) {
			next = READ_ONCE(g->expires) - jiffies;
			break;
		}
		kzt_grave_remove(plain, g);
	}
	spin_unlock_bh(&plain->lock);
	if (next)
		queue_delayed_work(system_wq, &plain->reap, next);
}

/* Context: @plain->lock held. */
static void kzt_gone_prune(struct kzt_plain *plain, unsigned int keep)
{
	u64 shown = get_jiffies_64() - msecs_to_jiffies(KZT_FLOW_ENDED_SHOW_MS);
	struct kzt_plain_gone *gone;

	while ((gone = list_first_entry_or_null(&plain->gone,
						struct kzt_plain_gone, node)) &&
	       (plain->nr_gone > keep || time_before64(gone->at, shown))) {
		list_del(&gone->node);
		plain->nr_gone--;
		kfree(gone);
	}
}

/* List a revoked connection for CONN_GET, why it ended in @end. */
static void kzt_gone_add(struct kzt_plain *plain, const struct nf_conn *ct,
			 u8 end)
{
	const struct nf_conntrack_tuple *o, *r;
	struct kzt_plain_gone *gone = kmalloc(sizeof(*gone), GFP_KERNEL);

	if (!gone)
		return;		/* counted all the same */
	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	gone->saddr = o->src.u3.ip;
	gone->sport = o->src.u.tcp.port;
	gone->daddr = r->src.u3.ip;
	gone->dport = r->src.u.tcp.port;
	gone->end = end;
	gone->at = get_jiffies_64();

	spin_lock_bh(&plain->lock);
	kzt_gone_prune(plain, KZT_GONE_MAX - 1);
	gone->id = kzt_flow_new_id(plain->net);	/* under @lock: in order */
	list_add_tail(&gone->node, &plain->gone);
	plain->nr_gone++;
	spin_unlock_bh(&plain->lock);
}

/**
 * kzt_plain_list_gone() - the revoked connections CONN_GET lists
 * @plain: the node's state
 * @after: only those of a greater ID
 * @fill: called for each in ascending ID; a non-zero return stops the walk
 * @data: for @fill
 *
 * Context: any but hard IRQ; under RCU (@plain lives until a grace period
 * after capture stops). @fill runs under a BH-safe spinlock.
 * Return: what @fill returned last, or 0.
 */
int kzt_plain_list_gone(struct kzt_plain *plain, u64 after,
			int (*fill)(const struct kzt_plain_gone *, void *),
			void *data)
{
	struct kzt_plain_gone *gone;
	int err = 0;

	spin_lock_bh(&plain->lock);
	kzt_gone_prune(plain, KZT_GONE_MAX);
	list_for_each_entry(gone, &plain->gone, node) {
		if (gone->id <= after)
			continue;
		err = fill(gone, data);
		if (err)
			break;
	}
	spin_unlock_bh(&plain->lock);
	return err;
}

/* A packet's 4-tuple as it came, before any DNAT: its entry's original. */
static void kzt_plain_packet_tuple(const struct sk_buff *skb,
				   const struct iphdr *iph,
				   const struct tcphdr *th, __be32 *saddr,
				   __be32 *daddr, __be16 *sport, __be16 *dport)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conntrack_tuple *t;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (ct && CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL) {
		t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
		*saddr = t->src.u3.ip;
		*daddr = t->dst.u3.ip;
		*sport = t->src.u.tcp.port;
		*dport = t->dst.u.tcp.port;
	} else {
		*saddr = iph->saddr;
		*daddr = iph->daddr;
		*sport = th->source;
		*dport = th->dest;
	}
}

/**
 * kzt_plain_revoked4() - whether a packet belongs to a revoked connection
 * @plain: the node's state
 * @skb: a TCP packet that is no connection request, at the hook
 * @iph: its IP header
 * @th: its TCP header
 *
 * Only a packet that starts a new conntrack entry (or has none) can: a
 * revoked connection's entry was deleted (or is about to be, while a
 * socket is buried). Nothing to look up, and no cost, while no
 * connection was revoked in the last minutes.
 * @skb's own socket, if kzt has one, was looked up before.
 *
 * Context: the hook, under RCU.
 * Return: true to refuse the packet with a reset.
 */
bool kzt_plain_revoked4(struct kzt_plain *plain, const struct sk_buff *skb,
			const struct iphdr *iph, const struct tcphdr *th)
{
	enum ip_conntrack_info ctinfo;
	__be32 saddr, daddr;
	__be16 sport, dport;
	struct kzt_grave *g;
	struct nf_conn *ct;

	if (likely(!READ_ONCE(plain->nr_graves)))
		return false;
	ct = nf_ct_get(skb, &ctinfo);
	/*
	 * A live entry is a live connection, but for one whose socket is
	 * being buried: its entry outlives the socket by a moment, and a
	 * packet in between finds no socket (kzt_plain_bury_sock()).
	 */
	smp_rmb();	/* the caller's socket lookup, then @burying */
	if (ct && ctinfo != IP_CT_NEW && !atomic_read(&plain->burying))
		return false;
	kzt_plain_packet_tuple(skb, iph, th, &saddr, &daddr, &sport, &dport);
	hash_for_each_possible_rcu(plain->graves, g, node,
				   kzt_grave_hash(plain, saddr, daddr, sport,
						  dport))
		if (g->saddr == saddr && g->daddr == daddr &&
		    g->sport == sport && g->dport == dport) {
			/* A pod that never hears the reset retransmits. */
			WRITE_ONCE(g->expires, jiffies + KZT_GRAVE_TTL);
			return true;
		}
	return false;
}

/**
 * kzt_plain_reborn4() - a connection request on a buried 4-tuple was allowed
 * @plain: the node's state
 * @skb: the request, at the hook
 * @iph: its IP header
 * @th: its TCP header
 *
 * It is a new connection: its graves (both directions) must not reset it.
 *
 * Context: the hook, under RCU.
 */
void kzt_plain_reborn4(struct kzt_plain *plain, const struct sk_buff *skb,
		       const struct iphdr *iph, const struct tcphdr *th)
{
	struct kzt_grave *g;
	struct hlist_node *tmp;
	__be32 saddr, daddr;
	__be16 sport, dport;
	int dir;

	if (likely(!READ_ONCE(plain->nr_graves)))
		return;
	kzt_plain_packet_tuple(skb, iph, th, &saddr, &daddr, &sport, &dport);
	spin_lock_bh(&plain->lock);
	for (dir = 0; dir < 2; dir++) {
		hash_for_each_possible_safe(plain->graves, g, tmp, node,
					    kzt_grave_hash(plain, saddr, daddr,
							   sport, dport))
			if (g->saddr == saddr && g->daddr == daddr &&
			    g->sport == sport && g->dport == dport)
				kzt_grave_remove(plain, g);
		swap(saddr, daddr);
		swap(sport, dport);
	}
	spin_unlock_bh(&plain->lock);
}

/*
 * The end of a revoked connection that is a socket of this node (a pod's
 * connection to a node address): a reset sent to it would come back in
 * on the loopback device with a pod's address and be dropped as spoofed,
 * so the socket is aborted instead (and resets its peer itself).
 */
static void kzt_plain_abort_local(struct net *net, __be32 saddr, __be16 sport,
				  __be32 daddr, __be16 dport)
{
	struct sock *sk;

	sk = inet_lookup_established(net, net->ipv4.tcp_death_row.hashinfo,
				     saddr, sport, daddr, dport, 0);
	if (!sk)
		return;
	tcp_abort(sk, ECONNRESET);
	sock_gen_put(sk);
}

/*
 * A reset from @saddr:@sport to @daddr:@dport, as its peer would send it:
 * @seq is what the receiver expects next, so that it takes the reset
 * (RFC 5961), and @ack what it sent; with @probe (@seq unknown: conntrack
 * never saw that direction) a bare ACK out of the window instead, whose
 * duplicate ACK meets the connection's grave and gets an exact reset.
 * Untracked: it is no connection.
 */
static void kzt_plain_send_rst4(struct net *net, __be32 saddr, __be16 sport,
				__be32 daddr, __be16 dport, u32 seq, u32 ack,
				bool probe)
{
	struct flowi4 fl4 = {
		.daddr = daddr,
		.saddr = saddr,
		.flowi4_proto = IPPROTO_TCP,
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
	};
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;
	if (rt->rt_type == RTN_LOCAL) {
		ip_rt_put(rt);
		kzt_plain_abort_local(net, saddr, sport, daddr, dport);
		return;
	}
	skb = alloc_skb(MAX_TCP_HEADER, GFP_KERNEL);
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	skb_reserve(skb, MAX_TCP_HEADER);
	th = skb_push(skb, sizeof(*th));
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = sizeof(*th) / 4;
	th->rst = !probe;
	th->ack = 1;
	th->check = tcp_v4_check(sizeof(*th), saddr, daddr,
				 csum_partial(th, sizeof(*th), 0));

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->frag_off = htons(IP_DF);
	iph->ttl = READ_ONCE(net->ipv4.sysctl_ip_default_ttl);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	skb->protocol = htons(ETH_P_IP);
	skb_dst_set(skb, &rt->dst);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	ip_local_out(net, NULL, skb);	/* sets tot_len and the checksum */
}

/*
 * End a revoked connection: its graves first (once its entry is gone, a
 * packet of it starts a new one), then its entry, then a reset to each
 * end with the sequence number that end expects next. The server of a
 * connection that should have been tunnelled is a mesh workload of
 * another node: nothing of the flow goes to it in the clear, not even a
 * reset (its node's flow timeout or keepalive ends its side).
 */
static void kzt_plain_revoke(struct kzt_plain *plain,
			     const struct kzt_plain_victim *v)
{
	const struct nf_conntrack_tuple *o, *r;
	struct nf_conn *ct = v->ct;
	u32 sent[IP_CT_DIR_MAX];
	bool seen[IP_CT_DIR_MAX];
	int dir;

	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	spin_lock_bh(&ct->lock);
	for (dir = 0; dir < IP_CT_DIR_MAX; dir++) {
		sent[dir] = ct->proto.tcp.seen[dir].td_end;
		seen[dir] = ct->proto.tcp.seen[dir].td_maxwin != 0;
	}
	spin_unlock_bh(&ct->lock);

	kzt_grave_add(plain, o, GFP_KERNEL);
	kzt_grave_add(plain, r, GFP_KERNEL);
	nf_ct_delete(ct, 0, 0);
	kzt_plain_send_rst4(plain->net, o->dst.u3.ip, o->dst.u.tcp.port,
			    o->src.u3.ip, o->src.u.tcp.port,
			    sent[IP_CT_DIR_REPLY], sent[IP_CT_DIR_ORIGINAL],
			    !seen[IP_CT_DIR_REPLY]);
	if (v->end != KZT_CONN_END_WORKLOAD)	/* not one to tunnel */
		kzt_plain_send_rst4(plain->net, r->dst.u3.ip, r->dst.u.tcp.port,
				    r->src.u3.ip, r->src.u.tcp.port,
				    sent[IP_CT_DIR_ORIGINAL],
				    sent[IP_CT_DIR_REPLY],
				    !seen[IP_CT_DIR_ORIGINAL]);
	kzt_gone_add(plain, ct, v->end);
	kzt_stat_inc(plain->net, KZT_STATS_A_PLAIN_REVOKED);
}

/**
 * kzt_plain_bury_sock() - a grave for the pod side of a tunnelled flow
 * @plain: the node's state
 * @sk: the flow's pod socket (IPv4), about to be closed with a reset
 *
 * The socket's connection is in conntrack (as the reply of the pod's
 * request, or as the original of kzt's connect to a local pod): the pod's
 * direction is buried. The entry must stay until the socket's reset has
 * gone out through it (NAT: a pod that connected to a service address
 * takes a reset only from that address); then kzt_plain_forget() deletes
 * it, so that what the pod still sends starts a new entry and meets the
 * grave. Until then the hooks look for graves for packets of live
 * entries too (@plain->burying): one of the pod's, in the moment between
 * the socket's end and the entry's, finds neither and would be routed.
 *
 * Context: any but hard IRQ; under RCU (@plain lives until a grace
 * period after capture stops).
 * Return: the entry (a reference, for kzt_plain_forget()), or NULL.
 */
struct nf_conn *kzt_plain_bury_sock(struct kzt_plain *plain,
				    const struct sock *sk)
{
	struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple t;
	struct nf_conn *ct;

	if (sk->sk_family != AF_INET)
		return NULL;
	memset(&t, 0, sizeof(t));	/* compared whole, padding too */
	t.src.l3num = NFPROTO_IPV4;
	t.src.u3.ip = sk->sk_rcv_saddr;
	t.src.u.tcp.port = htons(sk->sk_num);
	t.dst.u3.ip = sk->sk_daddr;
	t.dst.u.tcp.port = sk->sk_dport;
	t.dst.protonum = IPPROTO_TCP;
	h = nf_conntrack_find_get(plain->net, &nf_ct_zone_dflt, &t);
	if (!h)
		return NULL;
	ct = nf_ct_tuplehash_to_ctrack(h);
	atomic_inc(&plain->burying);
	smp_mb__after_atomic();	/* seen before the socket is gone */
	kzt_grave_add(plain, &ct->tuplehash[!NF_CT_DIRECTION(h)].tuple,
		      GFP_ATOMIC);
	return ct;
}

/**
 * kzt_plain_forget() - delete the entry kzt_plain_bury_sock() returned
 * @plain: the node's state, the same as for kzt_plain_bury_sock() (NULL
 *         only if capture stopped in between, which it never does first)
 * @ct: the entry, or NULL; its reference is dropped
 */
void kzt_plain_forget(struct kzt_plain *plain, struct nf_conn *ct)
{
	if (!ct)
		return;
	nf_ct_delete(ct, 0, 0);
	nf_ct_put(ct);
	if (plain)
		atomic_dec(&plain->burying);
}

/*
 * Whether a packet from @saddr:@sport to @daddr:@dport belongs to one of
 * kzt's own transparent sockets: the pod side of a tunnelled flow, whose
 * conntrack entry is decided by the flow itself (recheck.c).
 */
static bool kzt_plain_ours(struct net *net, __be32 saddr, __be16 sport,
			   __be32 daddr, __be16 dport)
{
	struct sock *sk;
	bool ours;

	sk = inet_lookup_established(net, net->ipv4.tcp_death_row.hashinfo,
				     saddr, sport, daddr, dport, 0);
	if (!sk)
		return false;
	ours = inet_sk_transparent(sk);
	sock_gen_put(sk);
	return ours;
}

/*
 * Whether the tables now deny the live connection of @ct: 0 if not, or
 * why (KZT_CONN_END_WORKLOAD: it should have been tunnelled).
 */
static u8 kzt_plain_denied(struct net *net, const struct nf_conn *ct)
{
	static const u8 why[] = {
		[KZT_PLAIN_TUNNEL]	= KZT_CONN_END_WORKLOAD,
		[KZT_PLAIN_LOCAL]	= KZT_CONN_END_POLICY,
		[KZT_PLAIN_NONMESH]	= KZT_CONN_END_NONMESH,
		[KZT_PLAIN_INBOUND]	= KZT_CONN_END_POLICY,
		[KZT_PLAIN_REFUSED]	= KZT_CONN_END_WORKLOAD,
	};
	const struct nf_conntrack_tuple *o, *r;
	const struct kzt_config *cfg;
	struct kzt_tables *tables;
	struct in6_addr src, dst;
	enum kzt_plain_kind kind;
	bool allow = true;
	u16 port;

	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	/* The hook sees requests that enter the node, never its own. */
	if (inet_addr_type(net, o->src.u3.ip) == RTN_LOCAL)
		return 0;
	/* As the hook decided the request: after DNAT. */
	ipv6_addr_set_v4mapped(o->src.u3.ip, &src);
	ipv6_addr_set_v4mapped(r->src.u3.ip, &dst);
	port = ntohs(r->src.u.tcp.port);

	rcu_read_lock();
	tables = kzt_tables_rcu(net);
	cfg = rcu_dereference(kzt_pernet(net)->config);
	kind = tables ? kzt_decide_plain(tables, cfg->nonmesh, &src, &dst,
					 port,
					 kzt_to_tunnel_port4(net, cfg,
							     r->src.u3.ip,
							     r->src.u.tcp.port),
					 false, &allow) :
			KZT_PLAIN_NONE;
	rcu_read_unlock();
	if (kind == KZT_PLAIN_NONE || allow)
		return 0;
	/* Seen from each end: the captured pod's, the inbound pod's. */
	if (kzt_plain_ours(net, o->src.u3.ip, o->src.u.tcp.port,
			   r->src.u3.ip, r->src.u.tcp.port) ||
	    kzt_plain_ours(net, r->src.u3.ip, r->src.u.tcp.port,
			   r->dst.u3.ip, r->dst.u.tcp.port))
		return 0;
	return why[kind];
}

/*
 * Called for every conntrack entry, under its bucket's lock with BHs off:
 * decide, and take a reference on what must end. Never asks conntrack to
 * delete (it would before the resets could read the sequence numbers).
 */
static int kzt_plain_sweep_one(struct nf_conn *ct, void *data)
{
	struct kzt_plain_sweep *s = data;
	struct kzt_plain_victim *v;
	u8 state, end;

	if (nf_ct_l3num(ct) != NFPROTO_IPV4 ||
	    nf_ct_protonum(ct) != IPPROTO_TCP || nf_ct_is_dying(ct))
		return 0;
	state = READ_ONCE(ct->proto.tcp.state);
	if (state == TCP_CONNTRACK_TIME_WAIT || state == TCP_CONNTRACK_CLOSE)
		return 0;
	end = kzt_plain_denied(s->net, ct);
	if (!end)
		return 0;
	v = kmalloc(sizeof(*v), GFP_NOWAIT | __GFP_NOWARN);
	if (!v) {
		s->incomplete = true;
		return 0;
	}
	/* Hashed, so referenced; it stays hashed while we hold its bucket. */
	nf_conntrack_get(&ct->ct_general);
	v->ct = ct;
	v->end = end;
	list_add_tail(&v->node, &s->victims);
	return 0;
}

static void kzt_plain_sweep(struct work_struct *work)
{
	struct kzt_plain *plain = container_of(to_delayed_work(work),
					       struct kzt_plain, sweep);
	struct kzt_plain_sweep s = {
		.net = plain->net,
		.victims = LIST_HEAD_INIT(s.victims),
	};
	struct nf_ct_iter_data iter = { .net = plain->net, .data = &s };
	struct kzt_plain_victim *v, *tmp;

	nf_ct_iterate_cleanup_net(kzt_plain_sweep_one, &iter);
	list_for_each_entry_safe(v, tmp, &s.victims, node) {
		kzt_plain_revoke(plain, v);
		nf_ct_put(v->ct);
		kfree(v);
	}
	if (s.incomplete)	/* what was found is done; the rest later */
		queue_delayed_work(system_unbound_wq, &plain->sweep,
				   msecs_to_jiffies(KZT_SWEEP_RETRY_MS));
}

/**
 * kzt_plain_recheck() - decide the live connections again, soon
 * @plain: the node's state
 *
 * Context: any; the sweep runs in a work item.
 */
void kzt_plain_recheck(struct kzt_plain *plain)
{
	queue_delayed_work(system_unbound_wq, &plain->sweep,
			   msecs_to_jiffies(KZT_SWEEP_BATCH_MS));
}

/**
 * kzt_plain_start() - follow the connections of a netns whose capture starts
 * @net: the node netns
 * @extack: where to say what failed
 *
 * Conntrack is turned on in @net (as an iptables rule using it would): the
 * live connections must be known to be re-decided.
 *
 * Context: process context.
 * Return: the state, or an ERR_PTR().
 */
struct kzt_plain *kzt_plain_start(struct net *net,
				  struct netlink_ext_ack *extack)
{
	struct kzt_plain *plain;
	int err;

	plain = kzalloc(sizeof(*plain), GFP_KERNEL);
	if (!plain)
		return ERR_PTR(-ENOMEM);
	err = nf_ct_netns_get(net, NFPROTO_IPV4);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack,
				   "cannot turn conntrack on: error %d", err);
		kfree(plain);
		return ERR_PTR(err);
	}
	plain->net = net;
	plain->seed = get_random_u32();
	INIT_DELAYED_WORK(&plain->sweep, kzt_plain_sweep);
	INIT_DELAYED_WORK(&plain->reap, kzt_plain_reap);
	spin_lock_init(&plain->lock);
	INIT_LIST_HEAD(&plain->by_age);
	INIT_LIST_HEAD(&plain->gone);
	hash_init(plain->graves);
	return plain;
}

/**
 * kzt_plain_stop() - forget the connections
 * @plain: the state; no hook reads it any more (a grace period passed)
 *
 * The connections stay as they are: kzt no longer decides them.
 */
void kzt_plain_stop(struct kzt_plain *plain)
{
	struct kzt_grave *g, *tmp;

	/* ORDER: a sweep digs graves, and graves queue the reaper. */
	cancel_delayed_work_sync(&plain->sweep);
	cancel_delayed_work_sync(&plain->reap);
	list_for_each_entry_safe(g, tmp, &plain->by_age, age)
		kfree(g);
	kzt_gone_prune(plain, 0);	/* no lister: RCU grace period */
	nf_ct_netns_put(plain->net, NFPROTO_IPV4);
	kfree(plain);
}
