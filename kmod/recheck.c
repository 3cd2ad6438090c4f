// SPDX-License-Identifier: GPL-2.0
/*
 * Deciding a tunnelled flow, at its start and again after a change
 * (recheck.h), and the interface events that call for it.
 */
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/string.h>
#include <kunit/visibility.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "config.h"
#include "flow.h"
#include "flow_internal.h"
#include "kzt.h"
#include "recheck.h"
#include "spiffe.h"
#include "tables.h"

/**
 * kzt_decide_outbound() - whether a captured flow may take a tunnel
 * @tables: snapshot, under rcu_read_lock()
 * @src_addr: the source pod
 * @dst_addr: the destination pod
 * @src: its workload, when allowed
 * @dst: its workload, when allowed
 *
 * The source must be an enrolled local workload with an identity, the
 * destination a kzt/1 workload of another node with one. The policy is
 * the destination node's to apply.
 *
 * Return: true when allowed.
 */
bool kzt_decide_outbound(struct kzt_tables *tables,
			 const struct in6_addr *src_addr,
			 const struct in6_addr *dst_addr,
			 const struct kzt_workload **src,
			 const struct kzt_workload **dst)
{
	*src = kzt_workload_lookup(&tables->workloads, src_addr);
	*dst = kzt_workload_lookup(&tables->workloads, dst_addr);
	return kzt_workload_enrolled(*src) && (*src)->id_len &&
	       kzt_workload_remote_mesh(*dst) && (*dst)->id_len;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_decide_outbound);

/**
 * kzt_addr_never_a_pod() - whether no pod can have @addr as its source
 * @addr: an address of a kzt/1 header, IPv6 or IPv4-mapped
 *
 * Unspecified, loopback, link-local (169.254/16, fe80::/10: the metadata
 * service, the node's own link), multicast and broadcast addresses name
 * the receiving node or no host at all; a pod's connection never comes
 * from one.
 *
 * Return: true for such an address.
 */
bool kzt_addr_never_a_pod(const struct in6_addr *addr)
{
	if (ipv6_addr_v4mapped(addr)) {
		__be32 v4 = addr->s6_addr32[3];

		return ipv4_is_zeronet(v4) || ipv4_is_loopback(v4) ||
		       ipv4_is_linklocal_169(v4) || ipv4_is_multicast(v4) ||
		       ipv4_is_lbcast(v4);
	}
	return ipv6_addr_any(addr) || ipv6_addr_loopback(addr) ||
	       ipv6_addr_type(addr) & IPV6_ADDR_LINKLOCAL ||
	       ipv6_addr_is_multicast(addr);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_addr_never_a_pod);

/**
 * kzt_addr_is_local() - whether @addr is an address of @net (this node)
 * @net: the node netns
 * @addr: an address (IPv4 v4-mapped)
 *
 * The addresses of the node change without a table change, so this is
 * asked at each decision rather than kept in the table.
 *
 * Return: true when @net has it (RTN_LOCAL, or an IPv6 address of it).
 */
bool kzt_addr_is_local(struct net *net, const struct in6_addr *addr)
{
	if (ipv6_addr_v4mapped(addr))
		return inet_addr_type(net, addr->s6_addr32[3]) == RTN_LOCAL;
	return ipv6_chk_addr(net, addr, NULL, 0);
}

/*
 * Whether @peer may have dialed a tunnel for a source workload that is
 * dialed by its own address (kzt_workload_by_addr()): the table knows no
 * node address to compare @peer with, so only what can never be a peer
 * node is refused: this node (@peer_is_local), an address that names no
 * host, and a pod kzt captures (a local workload, or a kzt/1 workload of
 * another node: its node opens its tunnels, never the pod).
 */
static bool kzt_peer_may_be_node(struct kzt_tables *tables,
				 const struct in6_addr *peer,
				 bool peer_is_local)
{
	const struct kzt_workload *wl;

	if (peer_is_local || kzt_addr_never_a_pod(peer))
		return false;
	wl = kzt_workload_lookup(&tables->workloads, peer);
	return !wl || (!kzt_workload_is_local(wl) &&
		       wl->proto != KZT_PROTO_KZT1);
}

/**
 * kzt_decide_inbound() - the checks of protocol.rst for a tunnelled flow
 * @tables: snapshot, under rcu_read_lock()
 * @peer_id: the client's verified identity
 * @local_id: the identity this node presented
 * @peer_node: the client node: the tunnel's TCP peer address
 * @peer_is_local: @peer_node is an address of this node now
 *	(kzt_addr_is_local())
 * @src_addr: the source pod, from the header
 * @src_is_local: @src_addr is an address of this node now
 *	(kzt_addr_is_local()): never a pod's, whatever the table says
 * @dst_addr: the destination pod, from the header
 * @dst_port: its port
 * @new_flow: a new flow (count it in the dry-run policies), not a live one
 *	decided again
 * @pod_ifindex: set to the destination's interface when allowed
 *
 * The source must be a kzt/1 workload that the table places behind
 * @peer_node, with @peer_id: the node that authenticated speaks for its
 * own pods only, never for this node's pods, another node's, or an
 * address nobody registered. A source dialed by its own address names no
 * node: then the peer only has to be one that can be a node
 * (kzt_peer_may_be_node()), and any node with @peer_id may claim it
 * (protocol.rst). The policy comes last, so that only a flow
 * the policies decide counts in the dry-run policies; their verdict never
 * refuses a flow.
 *
 * Return: KZT_IN_OK, or the first check that failed.
 */
enum kzt_inbound_verdict kzt_decide_inbound(struct kzt_tables *tables,
					    const char *peer_id,
					    const char *local_id,
					    const struct in6_addr *peer_node,
					    bool peer_is_local,
					    const struct in6_addr *src_addr,
					    bool src_is_local,
					    const struct in6_addr *dst_addr,
					    u16 dst_port, bool new_flow,
					    int *pod_ifindex)
{
	const struct kzt_workload *src, *dst;
	struct kzt_decision decision;

	dst = kzt_workload_lookup(&tables->workloads, dst_addr);
	if (!kzt_workload_enrolled(dst) || strcmp(dst->id, local_id))
		return KZT_IN_NO_ROUTE;
	if (src_is_local || kzt_addr_never_a_pod(src_addr))
		return KZT_IN_BAD_SOURCE;
	src = kzt_workload_lookup(&tables->workloads, src_addr);
	if (!kzt_workload_remote_mesh(src) || strcmp(src->id, peer_id))
		return KZT_IN_WRONG_SOURCE;
	if (kzt_workload_by_addr(src) ?
	    !kzt_peer_may_be_node(tables, peer_node, peer_is_local) :
	    !ipv6_addr_equal(&src->node_addr, peer_node))
		return KZT_IN_WRONG_SOURCE;
	kzt_tables_decide(tables, dst, peer_id, src_addr, dst_port, new_flow,
			  &decision);
	if (decision.verdict != KZT_VERDICT_ALLOW)
		return KZT_IN_DENIED;
	*pod_ifindex = dst->ifindex;
	return KZT_IN_OK;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_decide_inbound);

/**
 * kzt_decide_plain() - decide a connection that kzt would not carry
 * @tables: snapshot, under rcu_read_lock()
 * @nonmesh: the node's enum kzt_nonmesh
 * @src_addr: the client
 * @dst_addr: the server (after DNAT)
 * @dst_port: its port
 * @to_tunnel_port: the server is this node's own tunnel port
 * @new_flow: a connection request: counted in the dry-run policies
 * @allow: set for the kinds decided here: whether it may run
 *
 * The same answer for a connection request at the hook and for a live
 * connection found in conntrack after a change (capture.rst): an enrolled
 * pod's flow to a mesh workload of another node is tunnelled, one to a
 * local kzt/1 workload is decided by the policy with the pod's identity,
 * one to a refused workload (local or not) is refused, one to anyone
 * else by the nonmesh mode (never to the node's tunnel port); a flow from
 * anyone else into a local refused workload is refused, one into an
 * enrolled pod is decided by the policy without an identity.
 *
 * Return: the kind of connection.
 */
enum kzt_plain_kind kzt_decide_plain(struct kzt_tables *tables, u8 nonmesh,
				     const struct in6_addr *src_addr,
				     const struct in6_addr *dst_addr,
				     u16 dst_port, bool to_tunnel_port,
				     bool new_flow, bool *allow)
{
	const struct kzt_workload *src, *dst;
	struct kzt_decision decision;

	src = kzt_workload_lookup(&tables->workloads, src_addr);
	dst = kzt_workload_lookup(&tables->workloads, dst_addr);
	*allow = false;
	if (kzt_workload_enrolled(src)) {
		if (kzt_workload_remote_mesh(dst))
			return KZT_PLAIN_TUNNEL;
		/* A mesh workload: never a non-mesh peer, whatever @nonmesh. */
		if (kzt_workload_refused(dst))
			return KZT_PLAIN_REFUSED;
		if (!kzt_workload_enrolled(dst)) {
			*allow = !to_tunnel_port &&
				 nonmesh == KZT_NONMESH_PASSTHROUGH;
			return KZT_PLAIN_NONMESH;
		}
		kzt_tables_decide(tables, dst, src->id_len ? src->id : NULL,
				  src_addr, dst_port, new_flow, &decision);
		*allow = decision.verdict == KZT_VERDICT_ALLOW;
		return KZT_PLAIN_LOCAL;
	}
	if (kzt_workload_refused(dst) && kzt_workload_is_local(dst))
		return KZT_PLAIN_REFUSED;
	if (!kzt_workload_enrolled(dst))
		return KZT_PLAIN_NONE;
	kzt_tables_decide(tables, dst, NULL, src_addr, dst_port, new_flow,
			  &decision);
	*allow = decision.verdict == KZT_VERDICT_ALLOW;
	return KZT_PLAIN_INBOUND;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_decide_plain);

/**
 * kzt_id_in_trust_domain() - whether @id is spiffe://@trust_domain/...
 * @id: a SPIFFE ID, validated when it entered the kernel
 * @trust_domain: a trust domain (kzt_trust_domain_check())
 *
 * Return: true when @id names a workload of exactly @trust_domain: not of
 * one that @trust_domain is a prefix of.
 */
bool kzt_id_in_trust_domain(const char *id, const char *trust_domain)
{
	size_t len = strlen(trust_domain);

	if (strncmp(id, KZT_SPIFFE_SCHEME, KZT_SPIFFE_SCHEME_LEN))
		return false;
	id += KZT_SPIFFE_SCHEME_LEN;
	return !strncmp(id, trust_domain, len) && id[len] == '/';
}
EXPORT_SYMBOL_IF_KUNIT(kzt_id_in_trust_domain);

/**
 * kzt_redecide() - take a live flow's decision again
 * @tables: the snapshot now, under rcu_read_lock()
 * @f: what the flow was allowed on
 *
 * The flow goes on only if it would be allowed to start now with the
 * same identities, the same peer node and the same pod interface (for an
 * inbound flow: its source pod still behind the node that opened the
 * tunnel, kzt_decide_inbound()): an
 * identity, a protocol, a node or an interface that changed under a live
 * flow is a different flow, and the pod must connect again. Both of its
 * identities (the local one and the verified peer's) must be of the
 * node's trust domain: kztd verifies every peer in it, so a flow of
 * another one would not start.
 *
 * Return: 0 to keep the flow, or why it must end.
 */
enum kzt_conn_end kzt_redecide(struct kzt_tables *tables,
			       const struct kzt_flow_facts *f)
{
	const struct kzt_workload *src, *dst;
	int ifindex = 0;

	if (!f->pod_if_alive)
		return KZT_CONN_END_WORKLOAD;
	if (!kzt_id_in_trust_domain(f->src_id, f->trust_domain) ||
	    !kzt_id_in_trust_domain(f->dst_id, f->trust_domain))
		return KZT_CONN_END_TRUST;
	if (f->dir == KZT_CONN_DIR_OUTBOUND) {
		if (!kzt_decide_outbound(tables, f->src_addr, f->dst_addr,
					 &src, &dst) ||
		    strcmp(src->id, f->src_id) || strcmp(dst->id, f->dst_id) ||
		    src->ifindex != f->pod_ifindex ||
		    !ipv6_addr_equal(&dst->node_addr, f->peer_node))
			return KZT_CONN_END_WORKLOAD;
		return 0;
	}
	/* Not a new flow: no count, and dry-run policies never end it. */
	switch (kzt_decide_inbound(tables, f->src_id, f->dst_id, f->peer_node,
				   f->peer_is_local, f->src_addr,
				   f->src_is_local, f->dst_addr, f->dst_port,
				   false, &ifindex)) {
	case KZT_IN_OK:
		return ifindex == f->pod_ifindex ? 0 : KZT_CONN_END_WORKLOAD;
	case KZT_IN_DENIED:
		return KZT_CONN_END_POLICY;
	default:
		return KZT_CONN_END_WORKLOAD;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kzt_redecide);

/**
 * kzt_flow_redecide() - take @flow's decision again, on the tables now
 * @flow: a flow that was allowed (@flow->decided), from its work item
 *
 * Return: 0 to keep it, or why it must end.
 */
enum kzt_conn_end kzt_flow_redecide(struct kzt_flow *flow)
{
	struct kzt_flow_facts f = {
		.dir = flow->dir,
		.src_addr = &flow->src_addr,
		.dst_addr = &flow->dst_addr,
		.dst_port = flow->dst_port,
		.src_id = flow->src_id,
		.dst_id = flow->dst_id,
		.peer_node = &flow->peer_node,
		.pod_ifindex = flow->pod_ifindex,
	};
	struct net_device *dev;
	struct kzt_tables *tables;
	enum kzt_conn_end why;

	if (f.dir == KZT_CONN_DIR_INBOUND) {
		f.src_is_local = kzt_addr_is_local(flow->net, f.src_addr);
		f.peer_is_local = kzt_addr_is_local(flow->net, f.peer_node);
	}
	rcu_read_lock();
	tables = kzt_tables_rcu(flow->net);
	f.trust_domain = rcu_dereference(kzt_pernet(flow->net)->config)->trust_domain;
	dev = dev_get_by_index_rcu(flow->net, f.pod_ifindex);
	f.pod_if_alive = dev && !kzt_iface_unsupported(dev);
	why = tables ? kzt_redecide(tables, &f) : KZT_CONN_END_WORKLOAD;
	rcu_read_unlock();
	return why;
}

/*
 * A pod's interface that goes away (deleted, or moved to another netns)
 * ends the flows that ran over it, even while its workload entry stays:
 * the ifindex may be reused by another pod's interface. So does one that
 * gets a master (made a bridge port, say): its packets now reach the node
 * on the master's index (kzt_iface_unsupported(), which looks at the
 * master link: a port's flags may be set only after this event). Fail
 * closed: the workload entry stays, and its pod's packets are dropped as
 * spoofed.
 */
static int kzt_recheck_netdev_event(struct notifier_block *nb,
				    unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct netdev_notifier_changeupper_info *upper = ptr;
	struct kzt_net *kn;

	ASSERT_RTNL();	/* ->flows goes to NULL under it at netns exit */
	/* NULL: a netns whose kzt state failed to init, being undone. */
	kn = kzt_pernet(dev_net(dev));
	if (kn && (event == NETDEV_UNREGISTER ||
		   (event == NETDEV_CHANGEUPPER && upper->linking && upper->master)))
		kzt_flow_recheck_all(kn->flows);
	return NOTIFY_DONE;
}

static struct notifier_block kzt_recheck_netdev_notifier = {
	.notifier_call = kzt_recheck_netdev_event,
};

/**
 * kzt_recheck_module_init() - follow interface events
 *
 * Return: 0 or a negative errno.
 */
int kzt_recheck_module_init(void)
{
	return register_netdevice_notifier(&kzt_recheck_netdev_notifier);
}

/**
 * kzt_recheck_module_exit() - stop following them
 */
void kzt_recheck_module_exit(void)
{
	unregister_netdevice_notifier(&kzt_recheck_netdev_notifier);
}
