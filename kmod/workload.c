// SPDX-License-Identifier: GPL-2.0
/*
 * Workload entries (made from a WORKLOAD_ADD request, validated whole
 * before anything is allocated) and the rhashtable that indexes them by
 * address. See workload.h for the RCU contract.
 */
#include <linux/in.h>
#include <linux/netdevice.h>
#include <linux/overflow.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "extack.h"
#include "spiffe.h"
#include "workload.h"

static_assert(sizeof(struct in6_addr) == 16);
static_assert(KZT_SPIFFE_ID_MAX <= U16_MAX);

/*
 * Keyed by the address itself: jhash2 over the four words, with the
 * per-table random seed rhashtable picks, so the chain lengths do not
 * depend on which addresses a cluster happens to use.
 */
static const struct rhashtable_params kzt_workload_params = {
	.key_len = sizeof(struct in6_addr),
	.key_offset = offsetof(struct kzt_workload, addr),
	.head_offset = offsetof(struct kzt_workload, node),
	.automatic_shrinking = true,
};

/* A node address that remote kzt/1 workloads of the table run behind. */
struct kzt_node_ref {
	struct rhash_head node;
	struct in6_addr addr;		/* the key */
	unsigned int workloads;		/* entries behind it; writers only */
	struct rcu_head rcu;
};

static const struct rhashtable_params kzt_node_params = {
	.key_len = sizeof(struct in6_addr),
	.key_offset = offsetof(struct kzt_node_ref, addr),
	.head_offset = offsetof(struct kzt_node_ref, node),
	.automatic_shrinking = true,
};

/*
 * Whether @wl counts in the node index: a workload of a kzt/1 peer node
 * whose address is known. A workload dialed by its own address names no
 * node: its address is a pod's, which never opens a tunnel (protocol.rst).
 */
static bool kzt_workload_has_node(const struct kzt_workload *wl)
{
	return kzt_workload_remote_mesh(wl) && !kzt_workload_by_addr(wl);
}

/* Count @wl behind its node, adding the node if new: 0 or -errno. */
static int kzt_node_get(struct kzt_workload_table *table,
			const struct kzt_workload *wl)
{
	struct kzt_node_ref *ref;
	int err;

	if (!kzt_workload_has_node(wl))
		return 0;
	ref = rhashtable_lookup_fast(&table->nodes, &wl->node_addr,
				     kzt_node_params);
	if (ref) {
		ref->workloads++;
		return 0;
	}
	ref = kzalloc(sizeof(*ref), GFP_KERNEL_ACCOUNT);
	if (!ref)
		return -ENOMEM;
	ref->addr = wl->node_addr;
	ref->workloads = 1;
	err = rhashtable_insert_fast(&table->nodes, &ref->node, kzt_node_params);
	if (err) {
		kfree(ref);
		return err == -ENOMEM ? err : -EAGAIN;
	}
	return 0;
}

/* Undo kzt_node_get(): the last workload behind a node takes it along. */
static void kzt_node_put(struct kzt_workload_table *table,
			 const struct kzt_workload *wl)
{
	struct kzt_node_ref *ref;

	if (!kzt_workload_has_node(wl))
		return;
	ref = rhashtable_lookup_fast(&table->nodes, &wl->node_addr,
				     kzt_node_params);
	if (WARN_ON_ONCE(!ref) || --ref->workloads)
		return;
	/* Cannot fail: the entry is in the table, and writers are serialised. */
	rhashtable_remove_fast(&table->nodes, &ref->node, kzt_node_params);
	kfree_rcu(ref, rcu);
}

/**
 * kzt_workload_node_known() - whether workloads run behind @node_addr
 * @table: table to search
 * @node_addr: an underlay address (a tunnel's TCP peer)
 *
 * Context: rcu_read_lock() held (or the table's writer lock).
 * Return: true when a remote kzt/1 workload of @table has @node_addr as
 * its node: a known peer node.
 */
bool kzt_workload_node_known(struct kzt_workload_table *table,
			     const struct in6_addr *node_addr)
{
	return rhashtable_lookup(&table->nodes, node_addr, kzt_node_params);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_node_known);

/**
 * kzt_workload_table_init() - make an empty table
 * @table: table to initialise
 * @max: most entries it will hold
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_workload_table_init(struct kzt_workload_table *table, unsigned int max)
{
	int err;

	table->max = max;
	err = rhashtable_init(&table->ht, &kzt_workload_params);
	if (err)
		return err;
	err = rhashtable_init(&table->nodes, &kzt_node_params);
	if (err)
		rhashtable_destroy(&table->ht);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_table_init);

static void kzt_workload_free_entry(void *ptr, void *arg)
{
	kzt_workload_free(ptr);
}

static void kzt_node_free_entry(void *ptr, void *arg)
{
	kfree(ptr);
}

/**
 * kzt_workload_table_destroy() - free a table and every entry in it
 * @table: table nobody reads or writes any more (a grace period has passed
 *	   since it was last reachable)
 *
 * Context: process context; may sleep.
 */
void kzt_workload_table_destroy(struct kzt_workload_table *table)
{
	rhashtable_free_and_destroy(&table->ht, kzt_workload_free_entry, NULL);
	rhashtable_free_and_destroy(&table->nodes, kzt_node_free_entry, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_table_destroy);

/**
 * kzt_workload_table_len() - number of entries in @table
 * @table: table
 *
 * Return: the count; exact for the writer, a snapshot for anyone else.
 */
unsigned int kzt_workload_table_len(const struct kzt_workload_table *table)
{
	return atomic_read(&table->ht.nelems);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_table_len);

/**
 * kzt_workload_lookup() - the workload that owns @addr
 * @table: table to search
 * @addr: address, IPv6 or IPv4-mapped, network order
 *
 * The per-flow lookup of the data path: no lock, no reference, O(1).
 *
 * Context: rcu_read_lock() held (or the table's writer lock).
 * Return: the entry, valid until the caller's RCU read section ends, or
 * NULL when no workload has @addr.
 */
struct kzt_workload *kzt_workload_lookup(struct kzt_workload_table *table,
					 const struct in6_addr *addr)
{
	return rhashtable_lookup(&table->ht, addr, kzt_workload_params);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_lookup);

/**
 * kzt_workload_table_insert() - publish @wl in @table
 * @table: table to change
 * @wl: new entry, fully built; the table owns it on success
 * @replace: replace an entry with the same address instead of failing
 * @extack: where to report an error
 *
 * A replaced entry is freed after a grace period: readers that found it
 * keep a valid (old) entry until they leave their read section. The node
 * index follows (kzt_workload_node_known()).
 *
 * Context: the caller serialises every writer of @table.
 * Return: 0; -EEXIST when the address is taken and !@replace; -ENOSPC when
 * @table is full; -EAGAIN when it must grow first; -ENOMEM. On error @wl
 * stays the caller's.
 */
int kzt_workload_table_insert(struct kzt_workload_table *table,
			      struct kzt_workload *wl, bool replace,
			      struct netlink_ext_ack *extack)
{
	struct kzt_workload *old;
	int err;

	/* Writers are serialised, so @old cannot go away under us. */
	old = rhashtable_lookup_fast(&table->ht, &wl->addr, kzt_workload_params);
	if (old && !replace) {
		NL_SET_ERR_MSG(extack,
			       "a workload with this address exists (use the replace flag)");
		return -EEXIST;
	}
	if (!old && kzt_workload_table_len(table) >= table->max) {
		NL_SET_ERR_MSG(extack, "the workload table is full");
		return -ENOSPC;
	}
	/* ORDER: the new entry's node first, so a failure changes nothing. */
	err = kzt_node_get(table, wl);
	if (err) {
		if (err == -EAGAIN)
			NL_SET_ERR_MSG(extack, "the workload table is being resized, try again");
		return err;
	}
	if (old) {
		err = rhashtable_replace_fast(&table->ht, &old->node, &wl->node,
					      kzt_workload_params);
		if (err)
			goto out_put_node;
		kzt_node_put(table, old);
		kfree_rcu(old, rcu);
		return 0;
	}
	err = rhashtable_insert_fast(&table->ht, &wl->node, kzt_workload_params);
	if (err) {
		/* -EBUSY/-E2BIG: a rehash is due; nothing was inserted. */
		NL_SET_ERR_MSG(extack, "the workload table is being resized, try again");
		err = err == -ENOMEM ? err : -EAGAIN;
		goto out_put_node;
	}
	return 0;

out_put_node:
	kzt_node_put(table, wl);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_table_insert);

/**
 * kzt_workload_table_remove() - remove the entry of @addr from @table
 * @table: table to change
 * @addr: its address
 *
 * Context: the caller serialises every writer of @table.
 * Return: 0, or -ENOENT when no entry has @addr.
 */
int kzt_workload_table_remove(struct kzt_workload_table *table,
			      const struct in6_addr *addr)
{
	struct kzt_workload *wl;
	int err;

	wl = rhashtable_lookup_fast(&table->ht, addr, kzt_workload_params);
	if (!wl)
		return -ENOENT;
	err = rhashtable_remove_fast(&table->ht, &wl->node, kzt_workload_params);
	if (err)
		return err;
	kzt_node_put(table, wl);
	kfree_rcu(wl, rcu);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_table_remove);

/**
 * kzt_workload_dup() - a copy of @wl for another table
 * @wl: entry of a table
 *
 * An entry is in one table only (its rhash_head), so a table copy copies
 * the entries. Everything an entry holds is in its one allocation: keep
 * this in step with kzt_workload_from_attrs() and kzt_workload_free().
 *
 * Return: the copy, the caller's, or NULL.
 */
struct kzt_workload *kzt_workload_dup(const struct kzt_workload *wl)
{
	KUNIT_STATIC_STUB_REDIRECT(kzt_workload_dup, wl);
	return kmemdup(wl, struct_size(wl, id, wl->id_len + 1),
		       GFP_KERNEL_ACCOUNT);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_dup);

/* Entries copied per pass of the walker; it sleeps between passes. */
#define KZT_CLONE_BATCH 32

/**
 * kzt_workload_table_clone() - make @dst a copy of @src
 * @dst: table to initialise
 * @src: table to copy; its writers are held off by the caller
 *
 * @dst is sized for @src's entries up front, so filling it never resizes
 * it (nor its index of nodes). @src is walked in batches under RCU and copied outside it
 * (allocations may sleep): the batch's entries stay valid because only
 * writers free entries, and the caller holds them off. A resize of @src
 * rewinds the walker; entries seen again are skipped.
 *
 * Context: process context; the caller serialises every writer of @src.
 * Return: 0, or -ENOMEM (or, in theory, what kzt_workload_table_insert()
 * refused with) with @dst left uninitialised.
 */
int kzt_workload_table_clone(struct kzt_workload_table *dst,
			     struct kzt_workload_table *src)
{
	struct rhashtable_params node_params = kzt_node_params;
	struct kzt_workload *batch[KZT_CLONE_BATCH];
	struct rhashtable_params params = kzt_workload_params;
	struct rhashtable_iter iter;
	struct kzt_workload *wl;
	unsigned int n, i;
	bool done = false;
	int err;

	/*
	 * Both indexes sized for what they will hold: an insert into a table
	 * above its size may find a resize under way and fail (-EBUSY).
	 */
	params.nelem_hint = kzt_workload_table_len(src);
	node_params.nelem_hint = atomic_read(&src->nodes.nelems);
	dst->max = src->max;
	err = rhashtable_init(&dst->ht, &params);
	if (err)
		return err;
	err = rhashtable_init(&dst->nodes, &node_params);
	if (err) {
		rhashtable_destroy(&dst->ht);
		return err;
	}

	rhashtable_walk_enter(&src->ht, &iter);
	while (!done && !err) {
		n = 0;
		rhashtable_walk_start(&iter);
		while (n < KZT_CLONE_BATCH) {
			wl = rhashtable_walk_next(&iter);
			if (!wl) {
				done = true;
				break;
			}
			if (!IS_ERR(wl))
				batch[n++] = wl;
			/* else -EAGAIN: rewound after a resize */
		}
		rhashtable_walk_stop(&iter);

		for (i = 0; i < n && !err; i++) {
			if (rhashtable_lookup_fast(&dst->ht, &batch[i]->addr,
						   kzt_workload_params))
				continue;	/* seen before a rewind */
			wl = kzt_workload_dup(batch[i]);
			if (!wl) {
				err = -ENOMEM;
				break;
			}
			err = kzt_workload_table_insert(dst, wl, false, NULL);
			if (err)
				kzt_workload_free(wl);
		}
		cond_resched();
	}
	rhashtable_walk_exit(&iter);
	if (err)
		kzt_workload_table_destroy(dst);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_table_clone);

/* A workload or node address must name one host: not ::, not multicast. */
static bool kzt_addr_is_host(const struct in6_addr *addr)
{
	if (ipv6_addr_v4mapped(addr)) {
		__be32 v4 = addr->s6_addr32[3];

		return !ipv4_is_zeronet(v4) && !ipv4_is_multicast(v4) &&
		       !ipv4_is_lbcast(v4);
	}
	return !ipv6_addr_any(addr) && !ipv6_addr_is_multicast(addr);
}

/**
 * kzt_iface_unsupported() - why @dev cannot be a local workload's interface
 * @dev: a node-side interface
 *
 * Capture believes a pod's address only on that pod's own interface
 * (Documentation/capture.rst, "What capture assumes"). A port of a
 * bridge (Linux or Open vSwitch) or of a bond, team or VRF hands its
 * packets to the node's IP layer under its master's index, which every
 * pod behind that master shares; the master itself is such a shared
 * interface. On any of these a pod could claim another's address.
 * Any other master (HSR, failover, ...) takes the packets the same way;
 * and a port's flag (IFF_SLAVE, IFF_TEAM_PORT, IFF_OVS_DATAPATH) is set
 * only after NETDEV_CHANGEUPPER, so the master link itself is what counts.
 *
 * Context: rcu_read_lock() (the master is read under it).
 * Return: NULL, or the reason, a message for extack.
 */
const char *kzt_iface_unsupported(struct net_device *dev)
{
	static const char *const why[] = {
		"interface is a bridge port: its packets reach the node on the bridge, shared by every pod behind it, so the pod's address cannot be tied to it",
		"interface is a bridge: every pod behind it shares it, so a pod's address cannot be tied to one pod",
		"interface is enslaved to a bond, team or VRF: its packets reach the node on the master, so the pod's address cannot be tied to it",
		"interface has a master device: its packets reach the node on the master, so the pod's address cannot be tied to it",
	};

	if (netif_is_bridge_port(dev) || netif_is_ovs_port(dev))
		return why[0];
	if (netif_is_bridge_master(dev) || netif_is_ovs_master(dev))
		return why[1];
	if (netif_is_lag_port(dev) || netif_is_l3_slave(dev))
		return why[2];
	if (netdev_master_upper_dev_get_rcu(dev))
		return why[3];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_iface_unsupported);

/* Where the workload runs: exactly one of a node address and an interface. */
static int kzt_workload_check_location(struct net *net, struct nlattr **attrs,
				       struct netlink_ext_ack *extack)
{
	struct nlattr *node = attrs[KZT_WORKLOAD_A_NODE];
	struct nlattr *ifindex = attrs[KZT_WORKLOAD_A_IFINDEX];
	struct net_device *dev;
	const char *why = NULL;
	bool found;

	if (node && ifindex) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex,
				    "give either a node address (remote workload) or an interface (local workload), not both");
		return -EINVAL;
	}
	if (!node && !ifindex) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, KZT_WORKLOAD_A_NODE);
		NL_SET_ERR_MSG(extack,
			       "missing node address (remote workload) or interface (local workload)");
		return -EINVAL;
	}
	if (node) {
		if (!kzt_addr_is_host(nla_data(node))) {
			NL_SET_ERR_MSG_ATTR(extack, node,
					    "node address must be a unicast address");
			return -EINVAL;
		}
		return 0;
	}

	/*
	 * Only checked here: the data path compares ifindex numbers. An
	 * interface that becomes unsupported later ends its flows
	 * (recheck.c) and its packets arrive on another index (spoofed).
	 */
	rcu_read_lock();
	dev = dev_get_by_index_rcu(net, nla_get_u32(ifindex));
	found = dev;
	if (dev)
		why = kzt_iface_unsupported(dev);
	rcu_read_unlock();
	if (!found) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex,
				    "no interface with this index in the node's network namespace");
		return -ENODEV;
	}
	if (why) {
		kzt_extack_attr(extack, ifindex, why);
		return -EINVAL;
	}
	return 0;
}

/*
 * The identity: a valid SPIFFE ID; for a kzt/1 workload a required one of
 * the form spiffe://<td>/ns/<ns>/sa/<sa>, as policies select by namespace
 * and service account.
 */
static int kzt_workload_check_id(struct nlattr **attrs, u8 proto,
				 struct kzt_spiffe_id *id,
				 struct netlink_ext_ack *extack)
{
	struct nlattr *attr = attrs[KZT_WORKLOAD_A_ID];
	const char *why;

	if (!attr) {
		/* Neither carries a flow that needs an identity. */
		if (proto == KZT_PROTO_PLAINTEXT || proto == KZT_PROTO_REFUSED)
			return 0;
		NL_SET_ERR_ATTR_MISS(extack, NULL, KZT_WORKLOAD_A_ID);
		NL_SET_ERR_MSG(extack,
			       "missing SPIFFE ID (required unless the protocol is plaintext or refused)");
		return -EINVAL;
	}
	/* NLA_NUL_STRING: NUL-terminated within KZT_SPIFFE_ID_MAX + 1. */
	why = kzt_spiffe_parse(nla_data(attr), strlen(nla_data(attr)), id);
	if (why) {
		kzt_extack_attr(extack, attr, why);
		return -EINVAL;
	}
	if (proto == KZT_PROTO_KZT1 && !id->ns) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "SPIFFE ID of a kzt/1 workload must be spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>");
		return -EINVAL;
	}
	return 0;
}

/**
 * kzt_workload_from_attrs() - build a workload from a WORKLOAD_ADD request
 * @net: netns of the request (where an interface index is looked up)
 * @attrs: attributes, already checked by the WORKLOAD_ADD policy
 * @extack: where to report an error, naming the attribute at fault
 *
 * Everything the policy cannot check is checked here, before anything is
 * allocated: the address, the identity, and where the workload runs.
 *
 * Return: a new entry, the caller's (kzt_workload_free() it unless a table
 * takes it), or an ERR_PTR(): -EINVAL, -ENODEV (no such interface),
 * -ENOMEM.
 */
struct kzt_workload *kzt_workload_from_attrs(struct net *net,
					     struct nlattr **attrs,
					     struct netlink_ext_ack *extack)
{
	struct kzt_spiffe_id id = {};
	struct kzt_workload *wl;
	u8 proto = KZT_PROTO_KZT1;
	size_t id_len = 0;
	int err;

	if (NL_REQ_ATTR_CHECK(extack, NULL, attrs, KZT_WORKLOAD_A_ADDR)) {
		NL_SET_ERR_MSG(extack, "missing workload address");
		return ERR_PTR(-EINVAL);
	}
	if (!kzt_addr_is_host(nla_data(attrs[KZT_WORKLOAD_A_ADDR]))) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[KZT_WORKLOAD_A_ADDR],
				    "workload address must be a unicast address");
		return ERR_PTR(-EINVAL);
	}
	if (attrs[KZT_WORKLOAD_A_PROTOCOL])
		proto = nla_get_u8(attrs[KZT_WORKLOAD_A_PROTOCOL]);

	err = kzt_workload_check_id(attrs, proto, &id, extack);
	if (err)
		return ERR_PTR(err);
	err = kzt_workload_check_location(net, attrs, extack);
	if (err)
		return ERR_PTR(err);

	if (attrs[KZT_WORKLOAD_A_ID])
		id_len = strlen(nla_data(attrs[KZT_WORKLOAD_A_ID]));
	/*
	 * One allocation sized to the ID (typically 40-80 bytes of a 2 KiB
	 * maximum): a kmem_cache of fixed-size objects would waste most of
	 * each, and kmalloc's size classes already pack them. Charged to the
	 * memory cgroup of the process that asked.
	 */
	wl = kzalloc(struct_size(wl, id, id_len + 1), GFP_KERNEL_ACCOUNT);
	if (!wl)
		return ERR_PTR(-ENOMEM);

	nla_memcpy(&wl->addr, attrs[KZT_WORKLOAD_A_ADDR], sizeof(wl->addr));
	if (attrs[KZT_WORKLOAD_A_NODE])
		nla_memcpy(&wl->node_addr, attrs[KZT_WORKLOAD_A_NODE],
			   sizeof(wl->node_addr));
	else
		wl->ifindex = nla_get_u32(attrs[KZT_WORKLOAD_A_IFINDEX]);
	wl->proto = proto;
	wl->id_len = id_len;
	if (id_len) {
		memcpy(wl->id, nla_data(attrs[KZT_WORKLOAD_A_ID]), id_len);
		if (id.ns) {
			/* Offsets into our copy, not into the request. */
			wl->ns_off = id.ns - (const char *)nla_data(attrs[KZT_WORKLOAD_A_ID]);
			wl->ns_len = id.ns_len;
		}
	}
	return wl;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_from_attrs);

/**
 * kzt_workload_free() - free an entry no reader can reach
 * @wl: entry, or NULL
 */
void kzt_workload_free(struct kzt_workload *wl)
{
	kfree(wl);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_free);

/**
 * kzt_workload_msg_size() - room kzt_workload_fill() needs at most
 *
 * Return: the payload size of the attributes of the largest entry.
 */
size_t kzt_workload_msg_size(void)
{
	return nla_total_size(sizeof(struct in6_addr)) + /* _ADDR */
	       nla_total_size(KZT_SPIFFE_ID_MAX + 1) +	/* _ID */
	       nla_total_size(sizeof(u8)) +		/* _PROTOCOL */
	       nla_total_size(sizeof(struct in6_addr));	/* _NODE (> _IFINDEX) */
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_msg_size);

/**
 * kzt_workload_fill() - put the attributes of @wl into @skb
 * @skb: message being built
 * @wl: workload to describe
 *
 * Return: 0, or -EMSGSIZE when @skb is too small.
 */
int kzt_workload_fill(struct sk_buff *skb, const struct kzt_workload *wl)
{
	if (nla_put_in6_addr(skb, KZT_WORKLOAD_A_ADDR, &wl->addr) ||
	    (wl->id_len && nla_put_string(skb, KZT_WORKLOAD_A_ID, wl->id)) ||
	    nla_put_u8(skb, KZT_WORKLOAD_A_PROTOCOL, wl->proto))
		return -EMSGSIZE;
	if (kzt_workload_is_local(wl)) {
		if (nla_put_u32(skb, KZT_WORKLOAD_A_IFINDEX, wl->ifindex))
			return -EMSGSIZE;
	} else if (nla_put_in6_addr(skb, KZT_WORKLOAD_A_NODE, &wl->node_addr)) {
		return -EMSGSIZE;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_workload_fill);
