/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flows: one pod TCP connection carried by kzt, from capture (outbound) or
 * the tunnel listener (inbound) to its end. flow.c owns their life cycle
 * and the per-netns flow list; tunnel.c the kzt/1 steps; pump.c the bytes.
 */
#ifndef _KZT_FLOW_H
#define _KZT_FLOW_H

#include <linux/types.h>

struct net;
struct socket;

/*
 * How long a flow ended for a reason of enum kzt_conn_end stays in the
 * CONN_GET list, CLOSING, with it: long enough for a person or a scraper
 * to see why, short enough that a burst of them holds little (a flow
 * without its sockets and buffers, a revoked plain connection's tuple).
 */
#define KZT_FLOW_ENDED_SHOW_MS	10000

/*
 * kzt_flow_outbound() - carry a captured pod connection to its peer node
 * @net: the node netns
 * @pod: accepted on the capture listener: its local address is the
 *       original destination, its peer the source pod; owned from now on
 */
void kzt_flow_outbound(struct net *net, struct socket *pod);

/*
 * kzt_flow_inbound() - serve a connection accepted on the tunnel port
 * @net: the node netns
 * @tunnel: accepted tunnel socket; owned from now on
 */
void kzt_flow_inbound(struct net *net, struct socket *tunnel);

struct kzt_flow_net;

void kzt_flow_recheck_all(struct kzt_flow_net *fn);
void kzt_flow_stats_reschedule(struct kzt_flow_net *fn);
unsigned int kzt_flow_revoke_peers(struct net *net, const char *const *ids,
				   unsigned int n);
void kzt_flow_revoke_all(struct net *net);
unsigned int kzt_flow_pool_flush(struct net *net);
void kzt_flow_abort_all(struct net *net);
u64 kzt_flow_new_id(struct net *net);

int kzt_flow_net_init(struct net *net);
void kzt_flow_net_exit(struct net *net);
int kzt_flow_module_init(void);
void kzt_flow_module_exit(void);

#endif /* _KZT_FLOW_H */
