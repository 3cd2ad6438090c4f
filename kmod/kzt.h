/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state of kzt. Each node of a mesh is a netns with
 * its own configuration and tables; everything kzt keeps hangs off struct
 * kzt_net.
 */
#ifndef _KZT_H
#define _KZT_H

#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>

#include "config.h"
#include "tables.h"

struct kzt_txn;
struct kzt_stats;
struct kzt_hs_net;
struct kzt_flow_net;
struct kzt_capture;

struct kzt_net {
	/* Serialises writers of @config; readers use RCU only. */
	struct mutex config_lock;
	struct kzt_config __rcu *config;

	/*
	 * Serialises every change of @tables (the live snapshot and what it
	 * points to), @generation and @txn (and its staging snapshot).
	 * Readers of @tables use RCU only; dumps take it per call so that
	 * the generation they stamp is the one of what they read.
	 */
	struct mutex tables_lock;
	struct kzt_tables __rcu *tables;
	/* Bumped by every change of the live tables; never 0 (cb->seq). */
	unsigned int generation;
	struct kzt_txn *txn;		/* the open transaction, or NULL */
	u32 last_txn_id;

	struct kzt_stats __percpu *stats;	/* stats.c */
	struct kzt_hs_net *hs;			/* handshake.c */
	struct kzt_flow_net *flows;		/* flow.c */
	struct kzt_capture __rcu *capture;	/* capture.c */
};

extern unsigned int kzt_net_id;

static inline struct kzt_net *kzt_pernet(const struct net *net)
{
	return net_generic(net, kzt_net_id);
}

int kzt_pernet_register(void);
void kzt_pernet_unregister(void);
int kzt_net_state_init(struct kzt_net *kn);
void kzt_net_state_exit(struct kzt_net *kn);

int kzt_txn_begin(struct kzt_net *kn, u32 portid, u32 flags, u32 *id,
		  struct netlink_ext_ack *extack);
int kzt_txn_commit(struct kzt_net *kn, u32 portid, u32 id,
		   struct netlink_ext_ack *extack);
int kzt_txn_abort(struct kzt_net *kn, u32 portid, u32 id,
		  struct netlink_ext_ack *extack);
void kzt_txn_release(struct kzt_net *kn, u32 portid);
struct kzt_tables *kzt_txn_target(struct kzt_net *kn, const struct nlattr *txn,
				  u32 portid, struct netlink_ext_ack *extack);
int kzt_txn_notifier_register(void);
void kzt_txn_notifier_unregister(void);

int kzt_genl_register(void);
void kzt_genl_unregister(void);
void kzt_genl_notify_config(struct net *net, const struct kzt_config *cfg);
bool kzt_genl_hs_listening(struct net *net);
int kzt_genl_notify_hs_ready(struct net *net);
bool kzt_genl_flows_listening(struct net *net);
int kzt_genl_notify_flow(struct net *net, struct sk_buff *msg);

#endif /* _KZT_H */
