/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tables of a node: its workloads and its policies, as one snapshot.
 *
 * Readers (the data path, POLICY_CHECK, GET) take no lock: under
 * rcu_read_lock() they read kzt_net.tables once and then see the workloads
 * and the policies of that one snapshot. Writers hold kzt_net.tables_lock:
 *
 *  - a single ADD or DEL changes the live snapshot in place: a workload
 *    entry is replaced whole (workload.h), the policy set is replaced by a
 *    new immutable set (policy.h); every live change bumps
 *    kzt_net.generation;
 *  - a transaction (txn.c) fills a private snapshot, empty or a copy of the
 *    live one (kzt_tables_clone()), and COMMIT publishes it with one
 *    rcu_assign_pointer(), so a reader sees the old tables or the new ones
 *    and never a mix.
 *
 * A snapshot is reference counted: kzt_net.tables holds one reference, an
 * open transaction one on its staging snapshot, a workload dump one on the
 * snapshot it walks (a COMMIT during the dump must not free it under the
 * walker). The last kzt_tables_put() frees it after a grace period from a
 * workqueue, because rhashtable_free_and_destroy() sleeps.
 */
#ifndef _KZT_TABLES_H
#define _KZT_TABLES_H

#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "policy.h"
#include "workload.h"

struct net;
struct nlattr;
struct netlink_ext_ack;
struct kzt_net;

struct kzt_tables {
	struct kzt_workload_table workloads;
	struct kzt_policy_set __rcu *policies;	/* NULL: no policy */
	refcount_t ref;
	struct rcu_work free_work;
};

int kzt_tables_module_init(void);
void kzt_tables_module_exit(void);

struct kzt_tables *kzt_tables_new(unsigned int max_workloads);
struct kzt_tables *kzt_tables_clone(struct kzt_net *kn, struct kzt_tables *src);
void kzt_tables_put(struct kzt_tables *tables);
struct kzt_tables *kzt_tables_live(struct kzt_net *kn);
struct kzt_tables *kzt_tables_get_live(struct kzt_net *kn);
void kzt_tables_changed(struct kzt_net *kn, struct kzt_tables *tables);
struct kzt_policy_set *kzt_tables_policies(struct kzt_net *kn,
					   struct kzt_tables *tables);
int kzt_tables_policy_add(struct kzt_net *kn, struct kzt_tables *tables,
			  struct kzt_policy *policy, bool replace,
			  struct netlink_ext_ack *extack);
int kzt_tables_policy_del(struct kzt_net *kn, struct kzt_tables *tables,
			  const char *name, struct netlink_ext_ack *extack);

struct kzt_tables *kzt_tables_rcu(struct net *net);
void kzt_tables_decide(struct kzt_tables *tables,
		       const struct kzt_workload *dst, const char *src_id,
		       const struct in6_addr *src_addr, u16 dst_port,
		       bool new_flow, struct kzt_decision *decision);
const struct kzt_workload *kzt_tables_authorize(struct kzt_tables *tables,
						const char *src_id,
						const struct in6_addr *src_addr,
						const struct in6_addr *dst_addr,
						u16 dst_port, bool new_flow,
						struct kzt_decision *decision);
const struct kzt_workload *kzt_authorize(struct net *net, const char *src_id,
					 const struct in6_addr *src_addr,
					 const struct in6_addr *dst_addr,
					 u16 dst_port,
					 struct kzt_decision *decision);

#endif /* _KZT_TABLES_H */
