// SPDX-License-Identifier: GPL-2.0
/*
 * The life of a flow: creation from capture (outbound) or the tunnel
 * listener (inbound), the per-netns list CONN_GET walks, references, the
 * socket callbacks and the timer that drive the flow's work item, and
 * every way a flow ends. The kzt/1 steps are in tunnel.c, the bytes in
 * pump.c; Documentation/datapath.rst describes the whole.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/net.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/timekeeping.h>
#include <linux/wait_bit.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tls.h>

#include "capture.h"
#include "flow.h"
#include "flow_internal.h"
#include "handshake.h"
#include "kzt.h"
#include "skhook.h"
#include "sknet.h"
#include "stats.h"
#include "tables.h"

static struct kzt_flow *kzt_flow_new(struct net *net, u8 dir);
static bool kzt_flow_start(struct kzt_flow *flow, const struct kzt_flow *prev);

/* How long a flow whose directions both ended waits for TCP to finish. */
#define KZT_FLOW_LINGER_MS	5000

/* How often an established flow looks whether kztd let go of its tunnel. */
#define KZT_FLOW_UNPIN_POLL	HZ

/*
 * Every flow's work item runs here. Unbound: a flow runs on whichever CPU
 * is free, many flows in parallel, and no thread is tied to a flow.
 */
struct workqueue_struct *kzt_flow_wq;

/**
 * kzt_flow_net() - the flows of @net
 * @net: a netns kzt knows
 *
 * Return: its flow list.
 */
struct kzt_flow_net *kzt_flow_net(struct net *net)
{
	return kzt_pernet(net)->flows;
}

/**
 * kzt_flow_new_id() - a CONN_GET ID for something listed beside the flows
 * @net: the node netns
 *
 * Return: an ID no flow of @net has or will have (plain.c's revoked
 * connections share the counter).
 */
u64 kzt_flow_new_id(struct net *net)
{
	return atomic64_inc_return(&kzt_flow_net(net)->next_id);
}

static void kzt_flow_free(struct kzt_flow *flow)
{
	struct kzt_flow_net *fn = flow->fn;

	kfree(flow->src_id);
	kfree(flow->dst_id);
	kfree(flow->hs_peer_id);
	kfree(flow->hs_local_id);
	kfree(flow);
	/* Pairs with wait_var_event() in kzt_flow_net_exit(). */
	if (atomic_dec_and_test(&fn->nr_flows))
		wake_up_var(&fn->nr_flows);
}

/**
 * kzt_flow_put() - drop a reference on @flow
 * @flow: flow
 *
 * The last reference is never dropped in atomic context: by then the flow
 * has ended in its work item and nothing but that work item, a handshake
 * completion or a netns exit holds one.
 */
void kzt_flow_put(struct kzt_flow *flow)
{
	if (refcount_dec_and_test(&flow->ref))
		kzt_flow_free(flow);
}

/**
 * kzt_flow_kick() - run @flow's work item (again)
 * @flow: a flow the caller holds a reference on, directly or through the
 *        socket callback lock of a hooked socket
 *
 * Any context. A queued work item holds a reference of its own.
 */
void kzt_flow_kick(struct kzt_flow *flow)
{
	refcount_inc(&flow->ref);
	if (!queue_work(kzt_flow_wq, &flow->work))
		kzt_flow_put(flow);
}

/**
 * kzt_flow_set_state() - move @flow to @state, as CONN_GET shows it
 * @flow: flow, from its work item
 * @state: the new state
 */
void kzt_flow_set_state(struct kzt_flow *flow, enum kzt_conn_state state)
{
	spin_lock(&flow->lock);
	flow->state = state;
	spin_unlock(&flow->lock);
}

/**
 * kzt_flow_set_deadline() - give the current step @ms milliseconds
 * @flow: flow, from its work item
 * @ms: from now; 0 for no deadline
 *
 * The timer runs the work item at the deadline, which then finds
 * kzt_flow_expired() true.
 */
void kzt_flow_set_deadline(struct kzt_flow *flow, unsigned int ms)
{
	if (!ms) {
		flow->deadline = 0;
		timer_delete(&flow->timer);
		return;
	}
	/* 0 means none: a deadline landing on jiffies 0 moves by a tick. */
	flow->deadline = (jiffies + msecs_to_jiffies(ms)) ?: 1;
	mod_timer(&flow->timer, flow->deadline);
}

/**
 * kzt_flow_expired() - whether the current step's deadline has passed
 * @flow: flow, from its work item
 *
 * Return: true past a deadline set with kzt_flow_set_deadline().
 */
bool kzt_flow_expired(const struct kzt_flow *flow)
{
	return flow->deadline && time_after_eq(jiffies, flow->deadline);
}

static void kzt_flow_timer(struct timer_list *t)
{
	struct kzt_flow *flow = from_timer(flow, t, timer);

	/* Shut down (timer_shutdown_sync()) before the list reference goes. */
	kzt_flow_kick(flow);
}

/**
 * kzt_flow_hs_timeout_ms() - the node's handshake timeout
 * @net: node netns
 *
 * Return: KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS of the live configuration.
 */
unsigned int kzt_flow_hs_timeout_ms(struct net *net)
{
	unsigned int ms;

	rcu_read_lock();
	ms = rcu_dereference(kzt_pernet(net)->config)->handshake_timeout_ms;
	rcu_read_unlock();
	return ms;
}

/**
 * kzt_flow_tunnel_port() - the node's tunnel port
 * @net: node netns
 *
 * Return: KZT_CONFIG_A_TUNNEL_PORT of the live configuration.
 */
u16 kzt_flow_tunnel_port(struct net *net)
{
	u16 port;

	rcu_read_lock();
	port = rcu_dereference(kzt_pernet(net)->config)->tunnel_port;
	rcu_read_unlock();
	return port;
}

static unsigned int kzt_flow_idle_timeout_s(struct net *net)
{
	unsigned int s;

	rcu_read_lock();
	s = rcu_dereference(kzt_pernet(net)->config)->idle_timeout_s;
	rcu_read_unlock();
	return s;
}

/**
 * kzt_flow_set_keepalive() - TCP keepalive on a tunnel socket of @flow
 * @flow: its flow
 * @sock: the tunnel: outbound before its connect, inbound just accepted
 *
 * With the node's keepalive values of this moment, which the tunnel keeps
 * for its life. A peer node that stops answering then fails the socket
 * (ETIMEDOUT), and the flow ends with a reset to its pod, instead of
 * waiting for a byte that never comes. keepalive-idle-s 0: no keepalive.
 */
void kzt_flow_set_keepalive(struct kzt_flow *flow, struct socket *sock)
{
	const struct kzt_config *cfg;
	u32 idle, intvl;
	u8 probes;

	/* Copied out: the setters below take the socket lock and sleep. */
	rcu_read_lock();
	cfg = rcu_dereference(kzt_pernet(flow->net)->config);
	idle = cfg->keepalive_idle_s;
	intvl = cfg->keepalive_interval_s;
	probes = cfg->keepalive_probes;
	rcu_read_unlock();
	if (!idle)
		return;
	/* The CONFIG_SET policy holds each value to what TCP accepts. */
	tcp_sock_set_keepidle(sock->sk, idle);
	tcp_sock_set_keepintvl(sock->sk, intvl);
	tcp_sock_set_keepcnt(sock->sk, probes);
	sock_set_keepalive(sock->sk);
}

/* ---- socket callbacks ---- */

static struct kzt_flow_sock *kzt_flow_sock_of(struct kzt_flow *flow,
					      const struct sock *sk)
{
	return flow->tunnel.sock && flow->tunnel.sock->sk == sk ?
	       &flow->tunnel : &flow->pod;
}

/*
 * Every socket callback of a hooked socket kicks the flow, then chains to
 * the callback it replaced (for the tunnel during the handshake: the one
 * that wakes kztd). Not every caller holds the socket lock: kTLS's async
 * encryption completion (tls_encrypt_done() -> tls_err_abort()) calls
 * sk_error_report without it, so kzt_flow_unhook() (and the flow's
 * release) can run between our read of sk_user_data and the chained call.
 * Only sk_callback_lock excludes unhook, so the callback to chain to is
 * copied under it, and nothing of the flow is touched once it is dropped.
 * The copy is a kernel callback (the socket's own), valid as long as the
 * socket is.
 *
 * Such a caller may also have loaded sk_error_report (our wrapper) before
 * unhook and call it after: the wrapper then runs once more, finds no
 * sk_user_data and chains to nothing, so that one report wakes nobody (the
 * socket is on its way out). It runs before the socket's close returns:
 * tls_sw_release_resources_tx() waits for the pending encryptions, whose
 * completion calls it first; so before the flow's release is done, and
 * before this module can go.
 */
static struct kzt_sk_callbacks kzt_flow_sk_event(struct sock *sk)
{
	struct kzt_sk_callbacks saved = {};
	struct kzt_flow *flow;

	read_lock_bh(&sk->sk_callback_lock);
	flow = __locked_read_sk_user_data_with_flags(sk, 0);
	if (flow) {
		saved = kzt_flow_sock_of(flow, sk)->saved;
		kzt_flow_kick(flow);
	}
	read_unlock_bh(&sk->sk_callback_lock);
	return saved;
}

static void kzt_flow_data_ready(struct sock *sk)
{
	struct kzt_sk_callbacks saved = kzt_flow_sk_event(sk);

	if (saved.data_ready)
		saved.data_ready(sk);
}

static void kzt_flow_write_space(struct sock *sk)
{
	struct kzt_sk_callbacks saved = kzt_flow_sk_event(sk);

	if (saved.write_space)
		saved.write_space(sk);
}

static void kzt_flow_state_change(struct sock *sk)
{
	struct kzt_sk_callbacks saved = kzt_flow_sk_event(sk);

	if (saved.state_change)
		saved.state_change(sk);
}

static void kzt_flow_error_report(struct sock *sk)
{
	struct kzt_sk_callbacks saved = kzt_flow_sk_event(sk);

	if (saved.error_report)
		saved.error_report(sk);
}

static const struct kzt_sk_callbacks kzt_flow_callbacks = {
	.data_ready = kzt_flow_data_ready,
	.write_space = kzt_flow_write_space,
	.state_change = kzt_flow_state_change,
	.error_report = kzt_flow_error_report,
};

/**
 * kzt_flow_hook() - wrap the callbacks of one of @flow's sockets
 * @flow: flow, from its work item
 * @fs: its pod or tunnel socket, not yet hooked
 *
 * A new tunnel is hooked before its handshake, so the callbacks wrapped
 * are the plain TCP ones; kTLS then keeps our data_ready (as the callback
 * for complete records) and our write_space in its context. A tunnel
 * passed on from another owner gets them there directly (skhook.c).
 *
 * Nagle is turned off: the pump sends what it read at once, and the pod's
 * own socket has already made the choice for its bytes. A second Nagle
 * here would hold a small write until the previous one is acknowledged.
 *
 * Return: 0, or -EBUSY when the socket already carries someone's user data.
 */
int kzt_flow_hook(struct kzt_flow *flow, struct kzt_flow_sock *fs)
{
	struct sock *sk = fs->sock->sk;
	int err;

	tcp_sock_set_nodelay(sk);
	err = kzt_sk_hook(sk, flow, &kzt_flow_callbacks, &fs->saved);
	if (!err)
		fs->hooked = true;
	return err;
}

/* Put back what kzt_flow_hook() replaced (skhook.c). */
static void kzt_flow_unhook(struct kzt_flow_sock *fs)
{
	if (!fs->hooked)
		return;
	kzt_sk_unhook(fs->sock->sk, &kzt_flow_callbacks, &fs->saved);
	fs->hooked = false;
}

/*
 * Release one socket of an ended flow. A reset closes with SO_LINGER 0
 * (RST). A tunnel whose handshake did not succeed may also be held open
 * by kztd's descriptor: shutting it down ends that handshake at once, and
 * the peer learns at once that this end is gone.
 * Tunnel sockets have a file: its last fput() releases the socket, done
 * synchronously here (__fput_sync()) so that the socket is gone before a
 * dying netns is (a kernel socket holds no netns reference), instead of
 * in the delayed fput a kworker's fput() would get.
 */
static void kzt_flow_release(struct kzt_flow_sock *fs, bool reset,
			     bool hs_unfinished)
{
	if (!fs->sock)
		return;
	kzt_flow_unhook(fs);
	if (reset)
		sock_no_linger(fs->sock->sk);
	if (hs_unfinished)
		kernel_sock_shutdown(fs->sock, SHUT_RDWR);
	if (fs->file)
		__fput_sync(fs->file);
	else
		sock_release(fs->sock);
	fs->sock = NULL;
	fs->file = NULL;
}

/**
 * kzt_flow_drop_sock() - release one socket of a flow that goes on
 * @fs: the flow's pod socket (a failed pod connect), from the work item
 * @reset: close with RST
 */
void kzt_flow_drop_sock(struct kzt_flow_sock *fs, bool reset)
{
	kzt_flow_release(fs, reset, false);
}

/* ---- handshake ---- */

/**
 * kzt_flow_hs_done() - handshake completion (kzt_hs_done_t)
 * @data: the flow; the request held a reference on it
 * @status: 0, or a negative errno
 * @res: with @status 0, the cipher and both identities
 *
 * Keeps the result for the work item and kicks it.
 */
void kzt_flow_hs_done(void *data, int status, const struct kzt_hs_result *res)
{
	struct kzt_flow *flow = data;
	char *peer_id = NULL, *local_id = NULL;

	if (!status) {
		peer_id = kstrdup(res->peer_id ?: "", GFP_KERNEL);
		local_id = kstrdup(res->local_id ?: "", GFP_KERNEL);
		if (!peer_id || !local_id)
			status = -ENOMEM;
	}

	spin_lock(&flow->lock);
	flow->hs_req = NULL;
	if (!flow->dead) {
		flow->hs_finished = true;
		flow->hs_status = status;
		if (!status) {
			flow->cipher = res->cipher;
			flow->proto = res->proto;
			swap(flow->hs_peer_id, peer_id);
			swap(flow->hs_local_id, local_id);
		}
	}
	spin_unlock(&flow->lock);
	kfree(peer_id);
	kfree(local_id);

	kzt_flow_kick(flow);
	kzt_flow_put(flow);
}

/**
 * kzt_flow_submit_hs() - ask kztd for the handshake on @flow's tunnel
 * @flow: flow, from its work item, with a connected tunnel
 * @role: KZT_HS_ROLE_CLIENT or KZT_HS_ROLE_SERVER
 * @local_id: client: identity to present
 * @peer_id: client: identity the server must prove
 * @dst: client: the destination workload (SNI)
 * @timeout_ms: deadline
 *
 * Return: 0 (kzt_flow_hs_done() will run unless the flow ends first and
 * cancels), or the errno of kzt_handshake_submit().
 */
int kzt_flow_submit_hs(struct kzt_flow *flow, u8 role, const char *local_id,
		       const char *peer_id, const struct in6_addr *dst,
		       unsigned int timeout_ms)
{
	struct kzt_hs_params params = {
		.role = role,
		.local_id = local_id,
		.peer_id = peer_id,
		.timeout_ms = timeout_ms,
	};
	struct kzt_hs_req *req;
	int err;

	if (dst)
		params.dst_addr = *dst;
	/* A certificate change from now on: this tunnel is not kept. */
	flow->pool_gen = kzt_pool_generation(&flow->fn->pool);
	refcount_inc(&flow->ref);		/* the request's */
	/*
	 * The done callback may run before submit returns; it only reads
	 * flow->hs_req under the lock, after submit stored it (submit
	 * publishes *reqp before the request can complete).
	 */
	spin_lock(&flow->lock);
	flow->hs_finished = false;
	spin_unlock(&flow->lock);
	err = kzt_handshake_submit(flow->net, flow->tunnel.sock, &params,
				   kzt_flow_hs_done, flow, &req);
	if (err) {
		kzt_flow_put(flow);
		return err;
	}
	flow->hs_submitted = true;
	spin_lock(&flow->lock);
	if (!flow->hs_finished)
		flow->hs_req = req;
	spin_unlock(&flow->lock);
	return 0;
}

/* ---- the work item ---- */

/* Leave the list, and drop the list's reference. */
static void kzt_flow_unlist(struct kzt_flow *flow)
{
	struct kzt_flow_net *fn = flow->fn;

	timer_shutdown_sync(&flow->timer);
	spin_lock(&fn->lock);
	list_del(&flow->node);
	fn->generation = fn->generation + 1 ?: 1;
	spin_unlock(&fn->lock);
	flow->listed = false;
	kzt_flow_put(flow);
}

/* Reset both sides of a flow that is no longer allowed, and count it. */
static void kzt_flow_revoke(struct kzt_flow *flow, enum kzt_conn_end why)
{
	pr_debug("flow %llu: revoked: %u\n", flow->id, why);
	spin_lock(&flow->lock);
	flow->end = why;
	spin_unlock(&flow->lock);
	kzt_flow_end(flow, KZT_END_REVOKED);
}

/*
 * kztd's descriptor of the tunnel gone: unpin it (sknet.c), so netns exit
 * may end the flow again. Until then, poll: an idle flow has no socket
 * event to run its work item, and a deleted netns waits for the unpin.
 */
static void kzt_flow_unpin(struct kzt_flow *flow)
{
	if (flow->tunnel.file && kzt_sk_net_unpin_sole(flow->tunnel.file))
		timer_reduce(&flow->timer, jiffies + KZT_FLOW_UNPIN_POLL);
}

static void kzt_flow_work(struct work_struct *work)
{
	struct kzt_flow *flow = container_of(work, struct kzt_flow, work);
	enum kzt_conn_end why;

	if (flow->dead) {
		/* Ended with a reason: shown until its deadline or netns exit. */
		if (flow->listed &&
		    (test_and_clear_bit(KZT_FLOW_EV_ABORT, &flow->events) ||
		     kzt_flow_expired(flow)))
			kzt_flow_unlist(flow);
		goto out_put;
	}
	if (test_and_clear_bit(KZT_FLOW_EV_ABORT, &flow->events)) {
		kzt_flow_end(flow, KZT_END_ABORT);
		goto out_put;
	}
	/* An IDLE tunnel carries no flow yet: it ends without a trace. */
	if (test_and_clear_bit(KZT_FLOW_EV_POOL_FLUSH, &flow->events) &&
	    flow->state == KZT_CONN_STATE_IDLE) {
		kzt_flow_end(flow, KZT_END_FAILED);
		goto out_put;
	}
	if (flow->state == KZT_CONN_STATE_IDLE &&
	    (test_bit(KZT_FLOW_EV_CAPTURE_OFF, &flow->events) ||
	     test_bit(KZT_FLOW_EV_UNTRUSTED, &flow->events))) {
		kzt_flow_end(flow, KZT_END_FAILED);
		goto out_put;
	}
	if (test_and_clear_bit(KZT_FLOW_EV_CAPTURE_OFF, &flow->events)) {
		kzt_flow_revoke(flow, KZT_CONN_END_CAPTURE);
		goto out_put;
	}
	/* CLOSING: both directions ended; nothing is left to authorize. */
	if (test_and_clear_bit(KZT_FLOW_EV_UNTRUSTED, &flow->events) &&
	    flow->state != KZT_CONN_STATE_CLOSING) {
		kzt_flow_revoke(flow, KZT_CONN_END_TRUST);
		goto out_put;
	}
	if (test_and_clear_bit(KZT_FLOW_EV_RECHECK, &flow->events) &&
	    flow->decided && flow->state != KZT_CONN_STATE_CLOSING) {
		why = kzt_flow_redecide(flow);
		if (why) {
			kzt_flow_revoke(flow, why);
			goto out_put;
		}
	}
	switch (flow->state) {
	case KZT_CONN_STATE_ESTABLISHED:
	case KZT_CONN_STATE_HALF_CLOSED:
		kzt_flow_unpin(flow);
		kzt_pump_step(flow);
		break;
	case KZT_CONN_STATE_CLOSING:
		kzt_pump_linger(flow);
		break;
	default:
		kzt_tunnel_step(flow);
		break;
	}
out_put:
	kzt_flow_put(flow);
}

/**
 * kzt_flow_established() - the flow carries bytes from now on
 * @flow: flow, from its work item, after the status OK
 *
 * Its handshake is over (outbound.h). Gives the pump its buffers, only
 * now: a flow that never gets here never holds them; without them it ends
 * (reset, counted FLOWS_NO_MEMORY). Counts it opened, arms the idle
 * timeout and runs the pump at once (bytes may be waiting on either side
 * already).
 */
void kzt_flow_established(struct kzt_flow *flow)
{
	kzt_outbound_established(&flow->fn->outbound, &flow->outbound);
	if (kzt_pump_init(&flow->pump)) {
		kzt_stat_inc(flow->net, KZT_STATS_A_FLOWS_NO_MEMORY);
		kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}
	kzt_stat_inc(flow->net, KZT_STATS_A_FLOWS_OPENED);
	flow->opened = true;
	flow->last_active = jiffies;
	kzt_flow_set_state(flow, KZT_CONN_STATE_ESTABLISHED);
	kzt_flow_set_deadline(flow, 0);
	/* ORDER: before the first byte, so FLOW_START carries 0 and 0. */
	kzt_flow_event_start(flow);
	kzt_flow_stats_arm(flow->fn);
	kzt_flow_unpin(flow);
	kzt_pump_step(flow);
}

/**
 * kzt_flow_closing() - wait for the tunnel's last records and TCP's close
 * @flow: flow, from its work item: both directions ended, or a server that
 *        refused the flow and sent close_notify
 */
void kzt_flow_closing(struct kzt_flow *flow)
{
	kzt_flow_set_state(flow, KZT_CONN_STATE_CLOSING);
	kzt_flow_set_deadline(flow, KZT_FLOW_LINGER_MS);
	kzt_pump_linger(flow);
}

/**
 * kzt_flow_adopt_tunnel() - give @flow a kept kzt/2 tunnel
 * @flow: a flow without a tunnel, from its work item (or not yet started)
 * @t: the tunnel, not hooked; its socket and file move to @flow
 */
void kzt_flow_adopt_tunnel(struct kzt_flow *flow, struct kzt_tunnel *t)
{
	flow->tunnel.sock = t->sock;
	flow->tunnel.file = t->file;
	t->sock = NULL;
	t->file = NULL;
	spin_lock(&flow->lock);
	flow->cipher = t->cipher;
	spin_unlock(&flow->lock);
	flow->proto = 2;
	flow->reused = true;
	flow->tunnel_flows = t->flows + 1;
	flow->tunnel_records = t->records;
	/* A certificate change since its handshake: not kept again. */
	flow->pool_gen = t->gen;
}

/*
 * The destination's side of a kept tunnel: a new flow in IDLE that waits
 * for the next header (tunnel.c). Takes over @t on success.
 */
static bool kzt_flow_inbound_idle(struct kzt_flow *prev, struct kzt_tunnel *t)
{
	struct kzt_flow_net *fn = prev->fn;
	struct kzt_flow *flow;

	if (!kzt_pool_inbound_get(&fn->pool))
		return false;
	flow = kzt_flow_new(prev->net, KZT_CONN_DIR_INBOUND);
	if (!flow) {
		kzt_pool_inbound_put(&fn->pool);
		return false;
	}
	flow->idle_counted = true;
	flow->state = KZT_CONN_STATE_IDLE;
	flow->peer_node = t->node;
	flow->src_id = t->peer_id;
	flow->dst_id = t->local_id;
	kzt_flow_adopt_tunnel(flow, t);
	if (!kzt_flow_start(flow, prev)) {
		/* Back to the caller, which closes it (the netns is going). */
		t->sock = flow->tunnel.sock;
		t->file = flow->tunnel.file;
		flow->tunnel.sock = NULL;
		flow->tunnel.file = NULL;
		flow->src_id = NULL;
		flow->dst_id = NULL;
		kzt_pool_inbound_put(&fn->pool);
		kzt_flow_put(flow);
		return false;
	}
	t->peer_id = NULL;
	t->local_id = NULL;
	/* Not flow->net: started, it may have ended and be freed already. */
	kzt_stat_inc(prev->net, KZT_STATS_A_TUNNELS_KEPT);
	return true;
}

/**
 * kzt_flow_pass_tunnel() - hand a clean kzt/2 tunnel on to the next flow
 * @flow: a kzt/2 flow whose directions both ended cleanly (END sent and
 *        received), from its work item
 *
 * The source node keeps it in the pool, the destination node gives it to
 * a new flow in IDLE. Not when kztd still holds its descriptor, when a
 * certificate changed since its handshake, or when the pool is full: the
 * caller then closes it as kzt/1 does (the peer takes that as the end of
 * an idle tunnel).
 *
 * Return: true when passed on (@flow has no tunnel any more).
 */
bool kzt_flow_pass_tunnel(struct kzt_flow *flow)
{
	bool outbound = flow->dir == KZT_CONN_DIR_OUTBOUND;
	struct kzt_tunnel t = {};
	bool kept;

	/* A pinned socket would keep a deleted netns alive (sknet.c). */
	if (kzt_sk_net_unpin_sole(flow->tunnel.file))
		return false;
	t.local_id = kstrdup(outbound ? flow->src_id : flow->dst_id, GFP_KERNEL);
	t.peer_id = kstrdup(outbound ? flow->dst_id : flow->src_id, GFP_KERNEL);
	if (!t.local_id || !t.peer_id)
		goto out_free;
	t.node = flow->peer_node;
	t.port = outbound ? kzt_flow_tunnel_port(flow->net) : 0;
	t.cipher = flow->cipher;
	t.flows = flow->tunnel_flows;
	t.records = flow->tunnel_records;
	t.gen = flow->pool_gen;
	kzt_flow_unhook(&flow->tunnel);
	t.sock = flow->tunnel.sock;
	t.file = flow->tunnel.file;
	kept = outbound ? kzt_pool_put(&flow->fn->pool, &t, &flow->events) :
			  kzt_flow_inbound_idle(flow, &t);
	if (!kept) {
		/* Cannot fail: nobody else hooks our socket. */
		kzt_flow_hook(flow, &flow->tunnel);
		goto out_free;
	}
	flow->tunnel.sock = NULL;
	flow->tunnel.file = NULL;
	return true;

out_free:
	kfree(t.local_id);
	kfree(t.peer_id);
	return false;
}

/**
 * kzt_flow_idle() - whether an established flow has been idle too long
 * @flow: flow, from its work item
 *
 * Re-arms the timer for the next check otherwise.
 *
 * Return: true when no byte moved for the configured idle timeout.
 */
bool kzt_flow_idle(struct kzt_flow *flow)
{
	unsigned int idle_s = kzt_flow_idle_timeout_s(flow->net);
	unsigned long end;

	if (!idle_s)
		return false;
	end = flow->last_active + (unsigned long)idle_s * HZ;
	if (time_after_eq(jiffies, end))
		return true;
	/* Lazily: the timer moves only when it fires, not per byte. */
	if (!timer_pending(&flow->timer))
		mod_timer(&flow->timer, end);
	return false;
}

static bool kzt_flow_reset_on(enum kzt_flow_end how)
{
	return how != KZT_END_CLOSED && how != KZT_END_QUIET;
}

static void kzt_flow_count_end(struct kzt_flow *flow, enum kzt_flow_end how)
{
	if (how == KZT_END_TLS_ERROR)
		kzt_stat_inc(flow->net, KZT_STATS_A_TLS_ERRORS);
	/* Established or not yet: these two are always counted. */
	if (how == KZT_END_REVOKED) {
		kzt_stat_inc(flow->net, KZT_STATS_A_FLOWS_REVOKED);
		if (flow->end == KZT_CONN_END_TRUST)
			kzt_stat_inc(flow->net, KZT_STATS_A_FLOWS_UNTRUSTED);
		return;
	}
	if (how == KZT_END_PEER_DEAD) {
		kzt_stat_inc(flow->net, KZT_STATS_A_FLOWS_PEER_DEAD);
		return;
	}
	if (how == KZT_END_KEY_LIMIT)
		kzt_stat_inc(flow->net, KZT_STATS_A_FLOWS_KEY_LIMIT);
	if (!flow->opened)
		return;
	switch (how) {
	case KZT_END_CLOSED:
		kzt_stat_inc(flow->net, KZT_STATS_A_FLOWS_CLOSED);
		break;
	case KZT_END_IDLE:
		kzt_stat_inc(flow->net, KZT_STATS_A_FLOWS_IDLE);
		break;
	default:
		kzt_stat_inc(flow->net, KZT_STATS_A_FLOWS_RESET);
		break;
	}
}

/**
 * kzt_flow_end() - end @flow: release its sockets and leave the list
 * @flow: flow, from its work item, not yet ended
 * @how: why; every end but KZT_END_CLOSED and KZT_END_QUIET resets both
 *       sockets (RST)
 *
 * Cancels a handshake still running, stops the timer, restores the
 * callbacks and releases both sockets, counts the end, then leaves the
 * list and drops its reference; a flow revoked or whose peer died leaves
 * it later, so that CONN_GET shows why it ended. Sleeps.
 */
void kzt_flow_end(struct kzt_flow *flow, enum kzt_flow_end how)
{
	struct kzt_flow_net *fn = flow->fn;
	bool reset = kzt_flow_reset_on(how);
	bool hs_running, hs_unfinished, hs_cancelled = false;
	struct nf_conn *ct;

	spin_lock(&flow->lock);
	flow->dead = true;
	flow->state = KZT_CONN_STATE_CLOSING;
	if (how == KZT_END_PEER_DEAD)
		flow->end = KZT_CONN_END_PEER_DEAD;
	/*
	 * ORDER: cancel under the lock kzt_flow_hs_done() clears hs_req
	 * under. The request is freed as soon as the done callback returns,
	 * so a cancel after this lock is dropped could use a freed request.
	 * Cancel never sleeps and never calls done. Lost: the done callback
	 * runs (or ran) and drops its reference. Either way kztd may still
	 * hold the tunnel as a descriptor, so the tunnel is shut down below.
	 */
	hs_running = !!flow->hs_req;
	if (hs_running)
		hs_cancelled = kzt_handshake_cancel(flow->hs_req);
	flow->hs_req = NULL;
	/*
	 * A handshake that completed without success may still be in kztd's
	 * hands too: its deadline (or the kernel refusing the keys) completes
	 * the request while kztd keeps the descriptor and works on. Shut the
	 * tunnel down for those as well, or it stays open, and the peer
	 * waits, until kztd gives up by itself.
	 */
	hs_unfinished = hs_running ||
			(flow->hs_submitted && flow->hs_finished && flow->hs_status);
	spin_unlock(&flow->lock);
	if (hs_cancelled)
		kzt_flow_put(flow);	/* the request's; not the last */
	timer_delete_sync(&flow->timer);
	kzt_flow_authorized(flow);	/* or never will be: no longer counted */
	if (flow->idle_counted) {
		kzt_pool_inbound_put(&fn->pool);
		flow->idle_counted = false;
	}

	/* ORDER: buried, reset through its conntrack entry, forgotten. */
	ct = reset && flow->pod.sock ?
	     kzt_capture_bury(flow->net, flow->pod.sock->sk) : NULL;
	kzt_flow_release(&flow->pod, reset, false);
	kzt_capture_forget(flow->net, ct);
	kzt_flow_release(&flow->tunnel, reset, hs_unfinished);
	kzt_pump_free(&flow->pump);
	/* Sockets and buffers gone: its source may start another flow. */
	kzt_outbound_release(&fn->outbound, &flow->outbound);
	kzt_flow_count_end(flow, how);
	/* ORDER: after the pump's last byte; @end is set (a revocation). */
	kzt_flow_event_end(flow, how);
	/* Pairs with wait_var_event() in kzt_flow_revoke_all(). */
	if (atomic_dec_and_test(&fn->nr_running))
		wake_up_var(&fn->nr_running);

	/* One that ended for a reason CONN_GET shows stays listed a while. */
	if (flow->end)
		kzt_flow_set_deadline(flow, KZT_FLOW_ENDED_SHOW_MS);
	else
		kzt_flow_unlist(flow);
}

/* ---- creation ---- */

/**
 * kzt_flow_authorized() - @flow no longer counts in the inbound budgets
 * @flow: inbound flow whose header was accepted, or any ending flow; from
 *        its work item (or before it was started)
 */
void kzt_flow_authorized(struct kzt_flow *flow)
{
	kzt_admit_release(&flow->admission);
}

static struct kzt_flow *kzt_flow_new(struct net *net, u8 dir)
{
	struct kzt_flow_net *fn = kzt_flow_net(net);
	struct kzt_flow *flow;

	/* The pump's buffers come when it is established. */
	flow = kzalloc(sizeof(*flow), GFP_KERNEL);
	if (!flow)
		return NULL;
	refcount_set(&flow->ref, 1);		/* the list's */
	flow->net = net;
	flow->fn = fn;
	INIT_WORK(&flow->work, kzt_flow_work);
	timer_setup(&flow->timer, kzt_flow_timer, 0);
	spin_lock_init(&flow->lock);
	flow->dir = dir;
	flow->state = dir == KZT_CONN_DIR_OUTBOUND ? KZT_CONN_STATE_CONNECTING :
						     KZT_CONN_STATE_HANDSHAKE;
	flow->start = get_jiffies_64();
	flow->start_ns = ktime_get_real_ns();
	atomic64_set(&flow->bytes_out, 0);
	atomic64_set(&flow->bytes_in, 0);
	atomic_inc(&fn->nr_flows);
	return flow;
}

/*
 * Publish @flow and start its work; false when the netns is going away,
 * or, for the IDLE successor of @prev, when something @prev was told since
 * (a flush, capture off, its peer revoked) must not miss the successor:
 * kzt_flow_kick_all(), kzt_flow_revoke_peers() and kzt_flow_pool_flush()
 * flag flows under fn->lock (the flush after bumping the generation), so
 * under it the successor is either listed for them or sees what they did.
 */
static bool kzt_flow_start(struct kzt_flow *flow, const struct kzt_flow *prev)
{
	struct kzt_flow_net *fn = flow->fn;

	spin_lock(&fn->lock);
	if (fn->dying ||
	    (prev && (READ_ONCE(fn->pool.generation) != prev->pool_gen ||
		      test_bit(KZT_FLOW_EV_CAPTURE_OFF, &prev->events) ||
		      test_bit(KZT_FLOW_EV_UNTRUSTED, &prev->events)))) {
		spin_unlock(&fn->lock);
		return false;
	}
	flow->id = atomic64_inc_return(&fn->next_id);
	list_add_tail(&flow->node, &fn->flows);
	flow->listed = true;
	atomic_inc(&fn->nr_running);
	fn->generation = fn->generation + 1 ?: 1;
	spin_unlock(&fn->lock);
	kzt_flow_kick(flow);
	return true;
}

/* The peer address of a connected TCP socket, as kzt keeps addresses. */
static void kzt_sk_peer_addr(const struct sock *sk, struct in6_addr *addr)
{
	if (sk->sk_family == AF_INET6)
		*addr = sk->sk_v6_daddr;
	else
		ipv6_addr_set_v4mapped(inet_sk(sk)->inet_daddr, addr);
}

/* A socket we could not take a flow for: reset it. */
static void kzt_flow_refuse_sock(struct socket *sock)
{
	sock_no_linger(sock->sk);
	sock_release(sock);
}

/**
 * kzt_flow_outbound() - carry a captured pod connection to its peer node
 * @net: the node netns
 * @pod: accepted on the capture listener: its local address is the
 *       original destination, its peer the source pod; owned from now on
 *
 * Called from the capture listener's accept work. The flow's work item
 * does the rest (tunnel.c); on any failure the pod sees a reset. A source
 * that holds its share of flows or handshakes (outbound.h) gets that reset
 * at once, counted FLOWS_SOURCE_LIMIT.
 */
void kzt_flow_outbound(struct net *net, struct socket *pod)
{
	struct kzt_flow_net *fn = kzt_flow_net(net);
	struct kzt_outbound_limits limits;
	struct kzt_outbound_slot slot;
	struct kzt_flow *flow;
	struct in6_addr src;

	kzt_sk_peer_addr(pod->sk, &src);
	kzt_outbound_limits(&limits);
	switch (kzt_outbound_take(&fn->outbound, &limits, &src, &slot)) {
	case KZT_OUTBOUND_OK:
		break;
	case KZT_OUTBOUND_NOMEM:
		kzt_flow_refuse_sock(pod);
		return;
	default:
		kzt_stat_inc(net, KZT_STATS_A_FLOWS_SOURCE_LIMIT);
		kzt_flow_refuse_sock(pod);
		return;
	}
	flow = kzt_flow_new(net, KZT_CONN_DIR_OUTBOUND);
	if (!flow) {
		kzt_outbound_release(&fn->outbound, &slot);
		kzt_flow_refuse_sock(pod);
		return;
	}
	flow->outbound = slot;
	flow->pod.sock = pod;
	if (!kzt_flow_start(flow, NULL)) {
		flow->pod.sock = NULL;
		kzt_flow_refuse_sock(pod);
		kzt_outbound_release(&fn->outbound, &flow->outbound);
		kzt_flow_put(flow);
	}
}

/* Whether @addr is the node address of workloads in the table now. */
static bool kzt_flow_peer_known(struct net *net, const struct in6_addr *addr)
{
	struct kzt_tables *tables;
	bool known;

	rcu_read_lock();
	tables = kzt_tables_rcu(net);
	known = tables && kzt_workload_node_known(&tables->workloads, addr);
	rcu_read_unlock();
	return known;
}

/**
 * kzt_flow_inbound() - serve a connection accepted on the tunnel port
 * @net: the node netns
 * @tunnel: accepted tunnel socket; owned from now on
 *
 * Called from the tunnel listener's accept work. Gives the socket its
 * file (the handshake upcall passes it to kztd as a descriptor) and the
 * node's TCP keepalive; the flow's work item does the rest (tunnel.c).
 */
void kzt_flow_inbound(struct net *net, struct socket *tunnel)
{
	struct kzt_flow_net *fn = kzt_flow_net(net);
	struct kzt_admit_limits limits;
	struct kzt_admission adm;
	struct kzt_flow *flow;
	struct in6_addr src;
	struct file *file;

	kzt_stat_inc(net, KZT_STATS_A_TUNNEL_ACCEPTED);
	kzt_sk_peer_addr(tunnel->sk, &src);
	kzt_admit_limits(&limits);
	switch (kzt_admit(&fn->admit, &limits, &src,
			  kzt_flow_peer_known(net, &src), &adm)) {
	case KZT_ADMIT_OK:
		break;
	case KZT_ADMIT_SOURCE_LIMIT:
		kzt_stat_inc(net, KZT_STATS_A_TUNNEL_SOURCE_LIMIT);
		kzt_flow_refuse_sock(tunnel);
		return;
	default:
		kzt_stat_inc(net, KZT_STATS_A_TUNNEL_OVERLOAD);
		kzt_flow_refuse_sock(tunnel);
		return;
	}
	flow = kzt_flow_new(net, KZT_CONN_DIR_INBOUND);
	if (!flow) {
		kzt_admit_release(&adm);
		kzt_flow_refuse_sock(tunnel);
		return;
	}
	flow->admission = adm;
	/* Releases the socket itself on failure. */
	file = sock_alloc_file(tunnel, 0, NULL);
	if (IS_ERR(file))
		goto out_free;
	flow->tunnel.sock = tunnel;
	flow->tunnel.file = file;
	kzt_flow_set_keepalive(flow, tunnel);
	if (!kzt_flow_start(flow, NULL)) {
		sock_no_linger(tunnel->sk);
		__fput_sync(file);
		flow->tunnel.sock = NULL;
		flow->tunnel.file = NULL;
		goto out_free;
	}
	return;

out_free:
	kzt_flow_authorized(flow);
	kzt_flow_put(flow);
}

/* ---- changes ---- */

/* Post event @ev (KZT_FLOW_EV_*) to every flow of @fn. */
static void kzt_flow_kick_all(struct kzt_flow_net *fn, int ev)
{
	struct kzt_flow *flow;

	spin_lock(&fn->lock);
	list_for_each_entry(flow, &fn->flows, node) {
		set_bit(ev, &flow->events);
		kzt_flow_kick(flow);
	}
	spin_unlock(&fn->lock);
}

static void kzt_flow_recheck_work(struct work_struct *work)
{
	kzt_flow_kick_all(container_of(work, struct kzt_flow_net, recheck),
			  KZT_FLOW_EV_RECHECK);
}

/**
 * kzt_flow_recheck_all() - have every flow of a netns re-decide
 * @fn: its flows; NULL (a netns kzt is not set up in) does nothing
 *
 * After a change is published: the flows re-decide on what they read
 * then. Any context; changes in a burst queue one sweep, and a flow
 * re-decides once per run of its work item.
 */
void kzt_flow_recheck_all(struct kzt_flow_net *fn)
{
	if (fn)
		queue_work(kzt_flow_wq, &fn->recheck);
}

static int kzt_flow_id_cmp(const void *key, const void *elt)
{
	return strcmp(key, *(const char *const *)elt);
}

/*
 * The identity that @flow's peer proved, or will have to: outbound, the
 * destination's (the handshake requires it); inbound, the client's, once
 * its handshake is done (before the work item took it, still in
 * hs_peer_id). NULL while unknown.
 */
static const char *kzt_flow_peer_id(const struct kzt_flow *flow)
{
	lockdep_assert_held(&flow->lock);
	if (flow->dir == KZT_CONN_DIR_OUTBOUND)
		return flow->dst_id;
	return flow->src_id ?: flow->hs_peer_id;
}

/**
 * kzt_flow_revoke_peers() - end every flow of @net whose peer is in @ids
 * @net: node netns
 * @ids: SPIFFE IDs in strcmp() order, all valid; read during the call only
 * @n: their number
 *
 * Each matching flow not yet ended or CLOSING gets KZT_FLOW_EV_UNTRUSTED
 * and ends in its work item, revoked for KZT_CONN_END_TRUST. Nothing of
 * @ids is kept: a flow whose inbound handshake is still in kztd's hands
 * has no peer yet, and kztd checks that one against its new bundle itself
 * before it completes the handshake.
 *
 * Context: process context; takes fn->lock, then each flow's lock (the
 * order of the CONN_GET dump). O(flows * log @n).
 *
 * Return: the number of flows told to end.
 */
unsigned int kzt_flow_revoke_peers(struct net *net, const char *const *ids,
				   unsigned int n)
{
	struct kzt_flow_net *fn = kzt_flow_net(net);
	unsigned int count = 0;
	struct kzt_flow *flow;
	const char *peer;
	bool hit, idle;

	spin_lock(&fn->lock);
	list_for_each_entry(flow, &fn->flows, node) {
		spin_lock(&flow->lock);
		peer = kzt_flow_peer_id(flow);
		hit = !flow->dead && flow->state != KZT_CONN_STATE_CLOSING &&
		      peer && bsearch(peer, ids, n, sizeof(*ids), kzt_flow_id_cmp);
		idle = flow->state == KZT_CONN_STATE_IDLE;
		spin_unlock(&flow->lock);
		if (!hit)
			continue;
		set_bit(KZT_FLOW_EV_UNTRUSTED, &flow->events);
		kzt_flow_kick(flow);
		/* Kept tunnels (IDLE, and the pool's) are no flows: not counted. */
		if (!idle)
			count++;
	}
	spin_unlock(&fn->lock);
	kzt_pool_revoke_peers(&fn->pool, ids, n);
	return count;
}

/**
 * kzt_flow_pool_flush() - close every kept kzt/2 tunnel of @net
 * @net: node netns
 *
 * The source node's pool is emptied and its generation bumped, so that no
 * tunnel whose handshake started before is kept again (either role); the
 * destination's IDLE tunnels end in their work items.
 *
 * Context: process context. Sleeps.
 *
 * Return: the number of kept tunnels closed or told to close.
 */
unsigned int kzt_flow_pool_flush(struct net *net)
{
	struct kzt_flow_net *fn = kzt_flow_net(net);
	unsigned int n = kzt_pool_flush(&fn->pool);
	struct kzt_flow *flow;

	spin_lock(&fn->lock);
	list_for_each_entry(flow, &fn->flows, node) {
		if (READ_ONCE(flow->state) != KZT_CONN_STATE_IDLE)
			continue;
		set_bit(KZT_FLOW_EV_POOL_FLUSH, &flow->events);
		kzt_flow_kick(flow);
		n++;
	}
	spin_unlock(&fn->lock);
	return n;
}

/**
 * kzt_flow_revoke_all() - reset every flow of @net: capture stops
 * @net: node netns whose listeners are closed already (no new flow)
 *
 * Returns when no flow of @net holds a socket any more, so that the hooks
 * may go without a packet of a captured flow leaving in the clear. The
 * flows stay listed for a moment, revoked for KZT_CONN_END_CAPTURE.
 *
 * Context: process context; nothing a flow's work item waits for held.
 * Sleeps.
 */
void kzt_flow_revoke_all(struct net *net)
{
	struct kzt_flow_net *fn = kzt_flow_net(net);

	kzt_flow_kick_all(fn, KZT_FLOW_EV_CAPTURE_OFF);
	kzt_pool_flush(&fn->pool);
	/*
	 * Not flush_workqueue(): the caller holds genl's cb_lock and the
	 * config lock, and lockdep (by lock class) would see a flow work
	 * closing a socket as taking them. No flow work takes either.
	 */
	wait_var_event(&fn->nr_running, !atomic_read(&fn->nr_running));
}

/* ---- netns and module ---- */

/**
 * kzt_flow_net_init() - an empty flow list for @net
 * @net: new netns
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_flow_net_init(struct net *net)
{
	struct kzt_flow_net *fn;

	fn = kzalloc(sizeof(*fn), GFP_KERNEL);
	if (!fn)
		return -ENOMEM;
	fn->net = net;
	spin_lock_init(&fn->lock);
	INIT_LIST_HEAD(&fn->flows);
	INIT_WORK(&fn->recheck, kzt_flow_recheck_work);
	fn->generation = 1;
	atomic64_set(&fn->next_id, 0);
	atomic_set(&fn->nr_flows, 0);
	atomic_set(&fn->nr_running, 0);
	kzt_admit_init(&fn->admit);
	kzt_outbound_init(&fn->outbound);
	kzt_pool_init(&fn->pool, net);
	kzt_flow_stats_init(fn);
	/* ORDER: published whole to the netdev notifier, which holds RTNL. */
	rtnl_lock();
	kzt_pernet(net)->flows = fn;
	rtnl_unlock();
	return 0;
}

/**
 * kzt_flow_abort_all() - reset every flow of @net and wait until they are gone
 * @net: dying netns, or kzt unloading; the listeners are closed already
 *
 * No flow starts afterwards. Each flow ends in its own work item
 * (KZT_END_ABORT: both sockets reset, its handshake request cancelled; a
 * revoked one leaves the list); this waits until the last reference of
 * the last flow is gone, so nothing of them runs afterwards. Sleeps.
 */
void kzt_flow_abort_all(struct net *net)
{
	struct kzt_flow_net *fn = kzt_flow_net(net);

	spin_lock(&fn->lock);
	fn->dying = true;
	spin_unlock(&fn->lock);
	kzt_flow_kick_all(fn, KZT_FLOW_EV_ABORT);

	wait_var_event(&fn->nr_flows, !atomic_read(&fn->nr_flows));
	WARN_ON_ONCE(!list_empty(&fn->flows));
}

/**
 * kzt_flow_net_exit() - free the flow list of a dying netns
 * @net: the netns, or kzt unloading; capture has stopped
 */
void kzt_flow_net_exit(struct net *net)
{
	struct kzt_flow_net *fn = kzt_flow_net(net);

	kzt_flow_abort_all(net);
	/* ORDER: no flow is left to keep a tunnel. */
	kzt_pool_destroy(&fn->pool);
	/* ORDER: no flow is left to arm it again. */
	kzt_flow_stats_exit(fn);
	/*
	 * ORDER: the netdev notifier reads ->flows under RTNL and queues
	 * fn->recheck: gone for it first, then the last queued run waited for.
	 */
	rtnl_lock();
	kzt_pernet(net)->flows = NULL;
	rtnl_unlock();
	cancel_work_sync(&fn->recheck);
	kzt_outbound_destroy(&fn->outbound);
	kfree(fn);
}

/**
 * kzt_flow_module_init() - create the flow workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int __init kzt_flow_module_init(void)
{
	kzt_flow_wq = alloc_workqueue("kzt_flow", WQ_UNBOUND, 0);
	return kzt_flow_wq ? 0 : -ENOMEM;
}

/**
 * kzt_flow_module_exit() - destroy it; every netns has exited (no flow left)
 */
void kzt_flow_module_exit(void)
{
	destroy_workqueue(kzt_flow_wq);
}
