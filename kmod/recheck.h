/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deciding a tunnelled flow, at its start and again after every change
 * (Documentation/datapath.rst, "Changes and live flows").
 *
 * The same functions decide a new flow and re-decide a live one, so that
 * a flow lives exactly as long as it would still be allowed to start. A
 * change of the tables (kzt_tables_changed()) or the loss of an interface
 * queues one sweep of the netns's flows (kzt_flow_recheck_all()), and so
 * does a change of the node's trust domain or nonmesh mode; each
 * flow then re-decides in its own work item, on one RCU snapshot, and a
 * flow that is no longer allowed is reset on both sides and revoked.
 * Nothing of this runs per packet.
 */
#ifndef _KZT_RECHECK_H
#define _KZT_RECHECK_H

#include <linux/in6.h>
#include <linux/types.h>

#include <linux/kzt.h>

struct kzt_tables;
struct kzt_workload;

/* What an inbound flow's checks found (protocol.rst, in its order). */
enum kzt_inbound_verdict {
	KZT_IN_OK,
	KZT_IN_NO_ROUTE,	/* no local kzt/1 workload with that identity */
	KZT_IN_BAD_SOURCE,	/* the source can be no pod: loopback, ... */
	KZT_IN_WRONG_SOURCE,	/* the source is no pod of the peer node with
				 * the peer's identity
				 */
	KZT_IN_DENIED,		/* the policy denies it */
};

/*
 * A connection kzt does not carry, by what kzt does with it: it must be
 * tunnelled (and so, not being one of kzt's, may not run), or it is a
 * same-node flow, a flow to a non-mesh peer or a plaintext flow into a
 * local workload, decided by policy or the nonmesh mode; or it reaches a
 * refused workload and may never run; or it is none of kzt's business.
 */
enum kzt_plain_kind {
	KZT_PLAIN_NONE,
	KZT_PLAIN_TUNNEL,
	KZT_PLAIN_LOCAL,
	KZT_PLAIN_NONMESH,
	KZT_PLAIN_INBOUND,
	KZT_PLAIN_REFUSED,	/* to or into a KZT_PROTO_REFUSED workload:
				 * never allowed
				 */
};

/* What a live tunnelled flow was allowed on. */
struct kzt_flow_facts {
	u8 dir;				/* enum kzt_conn_dir */
	const struct in6_addr *src_addr, *dst_addr;
	bool src_is_local;		/* inbound: the source is an address
					 * of this node now
					 */
	bool peer_is_local;		/* inbound: so is @peer_node */
	u16 dst_port;
	const char *src_id, *dst_id;	/* both verified by now */
	const struct in6_addr *peer_node; /* the other node: outbound the
					   * destination's, inbound the
					   * tunnel's TCP peer
					   */
	int pod_ifindex;		/* the local pod's interface then */
	bool pod_if_alive;		/* that interface still exists */
	const char *trust_domain;	/* the node's, now */
};

bool kzt_decide_outbound(struct kzt_tables *tables,
			 const struct in6_addr *src_addr,
			 const struct in6_addr *dst_addr,
			 const struct kzt_workload **src,
			 const struct kzt_workload **dst);
bool kzt_addr_never_a_pod(const struct in6_addr *addr);
bool kzt_addr_is_local(struct net *net, const struct in6_addr *addr);
enum kzt_inbound_verdict kzt_decide_inbound(struct kzt_tables *tables,
					    const char *peer_id,
					    const char *local_id,
					    const struct in6_addr *peer_node,
					    bool peer_is_local,
					    const struct in6_addr *src_addr,
					    bool src_is_local,
					    const struct in6_addr *dst_addr,
					    u16 dst_port, bool new_flow,
					    int *pod_ifindex);
enum kzt_plain_kind kzt_decide_plain(struct kzt_tables *tables, u8 nonmesh,
				     const struct in6_addr *src_addr,
				     const struct in6_addr *dst_addr,
				     u16 dst_port, bool to_tunnel_port,
				     bool new_flow, bool *allow);
bool kzt_id_in_trust_domain(const char *id, const char *trust_domain);
enum kzt_conn_end kzt_redecide(struct kzt_tables *tables,
			       const struct kzt_flow_facts *f);

int kzt_recheck_module_init(void);
void kzt_recheck_module_exit(void);

#endif /* _KZT_RECHECK_H */
