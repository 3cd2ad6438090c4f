/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Node configuration: one immutable struct kzt_config per network namespace,
 * published with RCU and replaced whole on every change, so a reader always
 * sees either the old or the new configuration and never a mix of the two.
 */
#ifndef _KZT_CONFIG_H
#define _KZT_CONFIG_H

#include <linux/types.h>
#include <linux/rcupdate.h>

#include <linux/kzt.h>

struct sk_buff;
struct nlattr;
struct netlink_ext_ack;

struct kzt_config {
	u16 tunnel_port;
	bool capture;
	u8 nonmesh;		/* enum kzt_nonmesh */
	u32 handshake_timeout_ms;
	u32 idle_timeout_s;	/* 0: never */
	u32 keepalive_idle_s;	/* tunnels; 0: no keepalive */
	u32 keepalive_interval_s;
	u8 keepalive_probes;
	u32 flow_stats_interval_s;	/* FLOW_STATS period; 0: none */
	char trust_domain[KZT_TRUST_DOMAIN_MAX + 1];
	struct rcu_head rcu;
};

void kzt_config_init_defaults(struct kzt_config *cfg);
int kzt_config_merge(struct kzt_config *new, const struct kzt_config *old,
		     struct nlattr **attrs, struct netlink_ext_ack *extack);
size_t kzt_config_msg_size(void);
int kzt_config_fill(struct sk_buff *skb, const struct kzt_config *cfg);

#endif /* _KZT_CONFIG_H */
