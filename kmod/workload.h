/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workloads: the table that maps an address to the workload owning it
 * (identity, protocol, where it runs). The data path looks an address up
 * for every new flow, so lookups are lock-free under RCU and cost O(1)
 * (an rhashtable keyed by the 16-byte address).
 *
 * An entry is immutable once published: a change publishes a new entry in
 * its place (rhashtable_replace_fast()) and frees the old one after a grace
 * period, so a reader never sees half of a change. Writers are serialised
 * by the owner of the table (kzt_net.tables_lock, see tables.h).
 */
#ifndef _KZT_WORKLOAD_H
#define _KZT_WORKLOAD_H

#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <net/ipv6.h>

#include <linux/kzt.h>

struct net;
struct net_device;
struct nlattr;
struct sk_buff;
struct netlink_ext_ack;

struct kzt_workload {
	struct rhash_head node;
	struct in6_addr addr;		/* the key */
	/*
	 * remote: where its node takes its tunnels: the node's underlay
	 * address, or the workload's own address (kzt_workload_by_addr())
	 */
	struct in6_addr node_addr;
	int ifindex;			/* local: node-side interface; 0 remote */
	u8 proto;			/* enum kzt_proto */
	u16 id_len;			/* strlen(id); 0: no identity */
	/* The <ns> of .../ns/<ns>/sa/<sa> in @id, for namespace scopes. */
	u16 ns_off;
	u16 ns_len;			/* 0: the ID has no namespace */
	struct rcu_head rcu;
	char id[];			/* SPIFFE ID, NUL-terminated; "" if none */
};

/* One table of workloads; @max bounds it (KZT_WORKLOADS_MAX but in tests). */
struct kzt_workload_table {
	struct rhashtable ht;
	unsigned int max;
	/*
	 * The nodes of its remote kzt/1 workloads (struct kzt_node_ref),
	 * so that the tunnel listener can tell a known peer node from any
	 * other source at accept in O(1). Kept by the same writers.
	 */
	struct rhashtable nodes;
};

int kzt_workload_table_init(struct kzt_workload_table *table, unsigned int max);
void kzt_workload_table_destroy(struct kzt_workload_table *table);
unsigned int kzt_workload_table_len(const struct kzt_workload_table *table);
struct kzt_workload *kzt_workload_lookup(struct kzt_workload_table *table,
					 const struct in6_addr *addr);
int kzt_workload_table_insert(struct kzt_workload_table *table,
			      struct kzt_workload *wl, bool replace,
			      struct netlink_ext_ack *extack);
int kzt_workload_table_remove(struct kzt_workload_table *table,
			      const struct in6_addr *addr);
int kzt_workload_table_clone(struct kzt_workload_table *dst,
			     struct kzt_workload_table *src);
struct kzt_workload *kzt_workload_dup(const struct kzt_workload *wl);
bool kzt_workload_node_known(struct kzt_workload_table *table,
			     const struct in6_addr *node_addr);

struct kzt_workload *kzt_workload_from_attrs(struct net *net,
					     struct nlattr **attrs,
					     struct netlink_ext_ack *extack);
void kzt_workload_free(struct kzt_workload *wl);
const char *kzt_iface_unsupported(struct net_device *dev);
size_t kzt_workload_msg_size(void);
int kzt_workload_fill(struct sk_buff *skb, const struct kzt_workload *wl);

/**
 * kzt_workload_is_local() - whether @wl runs on this node
 * @wl: workload
 *
 * Return: true for a workload registered with its node-side interface.
 */
static inline bool kzt_workload_is_local(const struct kzt_workload *wl)
{
	return wl->ifindex != 0;
}

/**
 * kzt_workload_enrolled() - whether @wl is a kzt/1 workload of this node
 * @wl: workload, or NULL (no)
 *
 * Return: true when kzt captures and decides @wl's flows.
 */
static inline bool kzt_workload_enrolled(const struct kzt_workload *wl)
{
	return wl && kzt_workload_is_local(wl) && wl->proto == KZT_PROTO_KZT1;
}

/**
 * kzt_workload_remote_mesh() - whether @wl is a kzt/1 workload of another node
 * @wl: workload, or NULL (no)
 *
 * Return: true when flows to @wl go through a tunnel.
 */
static inline bool kzt_workload_remote_mesh(const struct kzt_workload *wl)
{
	return wl && !kzt_workload_is_local(wl) && wl->proto == KZT_PROTO_KZT1;
}

/**
 * kzt_workload_refused() - whether @wl is a workload kzt must not reach
 * @wl: workload, or NULL (no)
 *
 * A mesh workload that the control plane wants reached in a way kzt does
 * not do (through a waypoint): not a non-mesh peer, so never passed in
 * the clear. Flows to it from an enrolled pod, and any flow into a local
 * one, are refused (kzt_decide_plain()).
 *
 * Return: true for a KZT_PROTO_REFUSED workload.
 */
static inline bool kzt_workload_refused(const struct kzt_workload *wl)
{
	return wl && wl->proto == KZT_PROTO_REFUSED;
}

/**
 * kzt_workload_by_addr() - whether @wl's tunnels dial its own address
 * @wl: workload, or NULL (no)
 *
 * A remote kzt/1 workload registered with its own address as its node
 * address: its node is known by name only (istiod's WDS), so a tunnel to
 * it goes to the workload's address and the tunnel port, and its node
 * takes it from the underlay (capture.rst). Its tunnels' TCP peer cannot
 * be compared with its node address (protocol.rst).
 *
 * Return: true for such a workload.
 */
static inline bool kzt_workload_by_addr(const struct kzt_workload *wl)
{
	return kzt_workload_remote_mesh(wl) &&
	       ipv6_addr_equal(&wl->node_addr, &wl->addr);
}

#endif /* _KZT_WORKLOAD_H */
