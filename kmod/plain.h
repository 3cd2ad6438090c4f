/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flows kzt lets through without carrying them: same-node flows, flows
 * to non-mesh peers, plaintext flows into local workloads. The hook
 * decides their connection request; after every change a sweep of the
 * netns's conntrack entries decides the live ones again and resets both
 * ends of each one no longer allowed (Documentation/capture.rst,
 * "Changes and live flows").
 */
#ifndef _KZT_PLAIN_H
#define _KZT_PLAIN_H

#include <linux/list.h>
#include <linux/types.h>

struct iphdr;
struct net;
struct nf_conn;
struct netlink_ext_ack;
struct sk_buff;
struct sock;
struct tcphdr;
struct kzt_plain;

/* A revoked connection as CONN_GET lists it, CLOSING, for a few seconds. */
struct kzt_plain_gone {
	struct list_head node;		/* kzt_plain.gone, by ID */
	u64 id;				/* shared with the flows' */
	u64 at;				/* jiffies64 of the revocation */
	__be32 saddr, daddr;		/* the client; the server after DNAT */
	__be16 sport, dport;
	u8 end;				/* enum kzt_conn_end */
};

struct kzt_plain *kzt_plain_start(struct net *net,
				  struct netlink_ext_ack *extack);
void kzt_plain_stop(struct kzt_plain *plain);
void kzt_plain_recheck(struct kzt_plain *plain);
struct nf_conn *kzt_plain_bury_sock(struct kzt_plain *plain,
				    const struct sock *sk);
void kzt_plain_forget(struct kzt_plain *plain, struct nf_conn *ct);
void kzt_plain_reborn4(struct kzt_plain *plain, const struct sk_buff *skb,
		       const struct iphdr *iph, const struct tcphdr *th);
int kzt_plain_list_gone(struct kzt_plain *plain, u64 after,
			int (*fill)(const struct kzt_plain_gone *, void *),
			void *data);
bool kzt_plain_revoked4(struct kzt_plain *plain, const struct sk_buff *skb,
			const struct iphdr *iph, const struct tcphdr *th);

#endif /* _KZT_PLAIN_H */
