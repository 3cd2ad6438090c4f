/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What flow.c, tunnel.c, pump.c and nl_conn.c share about a flow.
 * Documentation/datapath.rst has the states, the work items and the
 * lifetimes in prose.
 *
 * Concurrency in one sentence: everything a flow does runs in its one work
 * item on kzt_flow_wq (a work item never runs twice at once), so the
 * fields marked "work" need no lock; socket callbacks, the timer and the
 * handshake completion only set an event bit and queue that work item.
 */
#ifndef _KZT_FLOW_INTERNAL_H
#define _KZT_FLOW_INTERNAL_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <linux/kzt.h>

#include "admit.h"
#include "outbound.h"
#include "pool.h"
#include "pump.h"
#include "proto.h"
#include "skhook.h"

struct file;
struct net;
struct sock;
struct socket;
struct kzt_hs_req;
struct kzt_hs_result;

/* The flows of one netns. */
struct kzt_flow_net {
	struct net *net;		/* ours; no reference */
	spinlock_t lock;		/* @flows, @generation, @dying */
	struct list_head flows;		/* by ascending ID (CONN_GET cursor) */
	struct work_struct recheck;	/* asks every flow to re-decide */
	unsigned int generation;	/* bumped on add and remove; never 0 */
	bool dying;			/* pernet exit began: no new flow */
	atomic64_t next_id;
	atomic_t nr_flows;		/* allocated, not yet freed */
	atomic_t nr_running;		/* started, not yet ended: hold sockets */
	struct kzt_admit admit;		/* inbound, header not yet accepted */
	struct kzt_outbound outbound;	/* outbound, per source workload */
	struct delayed_work stats;	/* FLOW_STATS pass (flow_events.c) */
	struct kzt_pool pool;		/* kept kzt/2 tunnels (pool.c) */
};

/* One of the two sockets of a flow, and the callbacks we wrapped on it. */
struct kzt_flow_sock {
	struct socket *sock;
	struct file *file;		/* tunnel: holds the socket; pod: NULL */
	bool hooked;
	struct kzt_sk_callbacks saved;	/* under sk_callback_lock */
};

/* Event bits in kzt_flow.events. */
enum {
	KZT_FLOW_EV_ABORT,		/* netns exit: reset now */
	KZT_FLOW_EV_RECHECK,		/* the tables changed: re-decide */
	KZT_FLOW_EV_CAPTURE_OFF,	/* capture stops: revoke now */
	KZT_FLOW_EV_UNTRUSTED,		/* KZT_CMD_REVOKE named its peer */
	KZT_FLOW_EV_POOL_FLUSH,		/* kept tunnels go: an IDLE one ends */
};

/* How a flow ends (kzt_flow_end()). */
enum kzt_flow_end {
	KZT_END_CLOSED,		/* both directions ended cleanly */
	KZT_END_QUIET,		/* refused by us, closed cleanly (counted) */
	KZT_END_FAILED,		/* never established; reset (counted) */
	KZT_END_RESET,		/* a side reset, or an error: reset both */
	KZT_END_TLS_ERROR,	/* bad record, alert, truncation: reset both */
	KZT_END_IDLE,		/* idle timeout: reset both */
	KZT_END_ABORT,		/* netns exit or unload: reset both */
	KZT_END_REVOKED,	/* no longer allowed (@end says why): reset */
	KZT_END_PEER_DEAD,	/* the tunnel timed out: reset both */
	KZT_END_KEY_LIMIT,	/* an AES-GCM key's record limit: reset both */
};

struct kzt_flow {
	refcount_t ref;
	struct net *net;		/* no reference: pernet exit ends us */
	struct kzt_flow_net *fn;
	struct list_head node;		/* in fn->flows, under fn->lock */
	struct work_struct work;
	struct timer_list timer;	/* wakes the work at @deadline */
	unsigned long events;		/* KZT_FLOW_EV_* bits */

	/* work: the step machine */
	bool dead;			/* ended; under @lock for the hs callback */
	unsigned long deadline;		/* jiffies; of the current step */
	unsigned long last_active;	/* jiffies of the last byte moved */
	struct kzt_flow_sock pod;
	struct kzt_flow_sock tunnel;
	struct kzt_pump pump;
	u8 ctl[KZT_PROTO_HEADER_LEN];	/* header or status on its way */
	unsigned int ctl_len;		/* bytes of @ctl to send or expected */
	unsigned int ctl_off;		/* bytes sent or received so far */
	bool hdr_sent;			/* outbound: header sent, status awaited */
	bool hs_submitted;		/* kzt_flow_submit_hs() succeeded */
	bool opened;			/* reached ESTABLISHED (and counted) */
	bool tunnel_shut;		/* CLOSING: SHUT_WR sent on the tunnel */
	struct kzt_admission admission;	/* held in fn->admit until authorized */
	struct kzt_outbound_slot outbound; /* held in fn->outbound until the end */
	bool decided;			/* allowed: re-decide on changes */
	int pod_ifindex;		/* the local pod's interface then */
	u8 proto;			/* the tunnel's kzt/N: 1 or 2 */
	bool reused;			/* the tunnel carried an earlier flow */
	bool idle_counted;		/* IDLE: in pool.n_inbound_idle */
	u32 pool_gen;			/* pool generation of its handshake */
	u64 tunnel_flows;		/* flows of the tunnel, this one included */
	u64 tunnel_records;		/* records it had before this flow */
	bool listed;			/* in fn->flows (a revoked flow stays a while) */

	/* @lock: the handshake request and its result */
	spinlock_t lock;
	struct kzt_hs_req *hs_req;	/* submitted, done not yet run */
	bool hs_finished;		/* done ran: @hs_status is valid */
	bool reported;			/* FLOW_START sent, FLOW_END not yet */
	int hs_status;
	char *hs_peer_id;		/* verified peer ID, from done */
	char *hs_local_id;		/* ID presented, from done */

	/*
	 * What CONN_GET reports. Written by the work under @lock (so that a
	 * dump sees each field whole); the IDs are set once and freed with
	 * the flow.
	 */
	u64 id;
	u8 dir;				/* enum kzt_conn_dir */
	u8 state;			/* enum kzt_conn_state */
	u16 cipher;			/* TLS_CIPHER_*; 0 before the handshake */
	u8 end;				/* enum kzt_conn_end once revoked; 0 */
	u16 src_port, dst_port;
	struct in6_addr src_addr, dst_addr, peer_node;
	char *src_id, *dst_id;
	u64 start;			/* jiffies64 at creation */
	u64 start_ns;			/* CLOCK_REALTIME at creation */
	atomic64_t bytes_out;		/* local pod -> peer */
	atomic64_t bytes_in;		/* peer -> local pod */
};

/* flow.c */
extern struct workqueue_struct *kzt_flow_wq;
struct kzt_flow_net *kzt_flow_net(struct net *net);
void kzt_flow_put(struct kzt_flow *flow);
void kzt_flow_kick(struct kzt_flow *flow);
void kzt_flow_set_state(struct kzt_flow *flow, enum kzt_conn_state state);
void kzt_flow_set_deadline(struct kzt_flow *flow, unsigned int ms);
bool kzt_flow_expired(const struct kzt_flow *flow);
int kzt_flow_hook(struct kzt_flow *flow, struct kzt_flow_sock *fs);
void kzt_flow_end(struct kzt_flow *flow, enum kzt_flow_end how);
void kzt_flow_drop_sock(struct kzt_flow_sock *fs, bool reset);
void kzt_flow_established(struct kzt_flow *flow);
bool kzt_flow_pass_tunnel(struct kzt_flow *flow);
void kzt_flow_adopt_tunnel(struct kzt_flow *flow, struct kzt_tunnel *t);
void kzt_flow_authorized(struct kzt_flow *flow);
void kzt_flow_closing(struct kzt_flow *flow);
bool kzt_flow_idle(struct kzt_flow *flow);
unsigned int kzt_flow_hs_timeout_ms(struct net *net);
u16 kzt_flow_tunnel_port(struct net *net);
void kzt_flow_set_keepalive(struct kzt_flow *flow, struct socket *sock);
void kzt_flow_hs_done(void *data, int status, const struct kzt_hs_result *res);
int kzt_flow_submit_hs(struct kzt_flow *flow, u8 role, const char *local_id,
		       const char *peer_id, const struct in6_addr *dst,
		       unsigned int timeout_ms);

/* flow_events.c: telemetry on the "flows" multicast group */
void kzt_flow_event_start(struct kzt_flow *flow);
void kzt_flow_event_end(struct kzt_flow *flow, enum kzt_flow_end how);
void kzt_flow_stats_arm(struct kzt_flow_net *fn);
void kzt_flow_stats_init(struct kzt_flow_net *fn);
void kzt_flow_stats_exit(struct kzt_flow_net *fn);

/* recheck.c */
enum kzt_conn_end kzt_flow_redecide(struct kzt_flow *flow);

/* tunnel.c: the steps before ESTABLISHED */
void kzt_tunnel_step(struct kzt_flow *flow);

/* pump.c */
void kzt_pump_step(struct kzt_flow *flow);
void kzt_pump_linger(struct kzt_flow *flow);

#endif /* _KZT_FLOW_INTERNAL_H */
