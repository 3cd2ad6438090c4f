// SPDX-License-Identifier: GPL-2.0
/*
 * Flow telemetry: KZT_CMD_FLOW_START, _FLOW_STATS and _FLOW_END on the
 * "flows" multicast group, from which kztd makes Istio's TCP metrics and
 * access log. The flows report what their work item already knows (the
 * tuple, the identities, the pump's byte counts): no packet is looked at.
 * An event is built only while someone listens, never sleeps (GFP_NOWAIT),
 * and one that cannot be built or that no listener takes is counted in
 * KZT_STATS_A_FLOW_EVENTS_DROPPED. Documentation/telemetry.rst.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include <linux/kzt.h>

#include "flow.h"
#include "flow_internal.h"
#include "kzt.h"
#include "nl.h"
#include "stats.h"

static u8 kzt_flow_reason(enum kzt_flow_end how)
{
	switch (how) {
	case KZT_END_CLOSED:
	case KZT_END_QUIET:
		return KZT_FLOW_REASON_CLOSED;
	case KZT_END_RESET:
		return KZT_FLOW_REASON_RESET;
	case KZT_END_TLS_ERROR:
		return KZT_FLOW_REASON_TLS_ERROR;
	case KZT_END_IDLE:
		return KZT_FLOW_REASON_IDLE;
	case KZT_END_ABORT:
		return KZT_FLOW_REASON_ABORT;
	case KZT_END_REVOKED:
		return KZT_FLOW_REASON_REVOKED;
	case KZT_END_PEER_DEAD:
		return KZT_FLOW_REASON_PEER_DEAD;
	case KZT_END_KEY_LIMIT:
		return KZT_FLOW_REASON_KEY_LIMIT;
	case KZT_END_FAILED:
	default:
		return KZT_FLOW_REASON_FAILED;
	}
}

/* The attributes of one event (kzt_nl_conn_fill() and ours). */
static size_t kzt_flow_event_size(const struct kzt_flow *flow)
{
	lockdep_assert_held(&flow->lock);
	return 5 * nla_total_size_64bit(sizeof(u64)) + /* ID, BYTES_*, AGE, START */
	       4 * nla_total_size(sizeof(u8)) +	/* DIR, STATE, END, REASON */
	       3 * nla_total_size(sizeof(struct in6_addr)) +
	       3 * nla_total_size(sizeof(u16)) +	/* ports, CIPHER */
	       (flow->src_id ? nla_total_size(strlen(flow->src_id) + 1) : 0) +
	       (flow->dst_id ? nla_total_size(strlen(flow->dst_id) + 1) : 0);
}

/*
 * Build and multicast one event of @flow. Under flow->lock, so that the
 * events of one flow leave in order (START, STATS..., END) and each field
 * is whole. @reason: 0, or enum kzt_flow_reason for FLOW_END.
 */
static void kzt_flow_event_send(struct kzt_flow *flow, u8 cmd, u8 reason)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	lockdep_assert_held(&flow->lock);
	msg = genlmsg_new(kzt_flow_event_size(flow), GFP_NOWAIT | __GFP_NOWARN);
	if (!msg)
		goto out_dropped;
	hdr = genlmsg_put(msg, 0, 0, &kzt_family, 0, cmd);
	if (!hdr || kzt_nl_conn_fill(msg, flow) ||
	    nla_put_u64_64bit(msg, KZT_CONN_A_START_NS, flow->start_ns,
			      KZT_CONN_A_PAD) ||
	    (reason && nla_put_u8(msg, KZT_CONN_A_REASON, reason))) {
		/* The size above is wrong: a bug, not input. */
		WARN_ON_ONCE(1);
		nlmsg_free(msg);
		goto out_dropped;
	}
	genlmsg_end(msg, hdr);
	/*
	 * -ESRCH after a listener was seen: it left, or every listener's
	 * receive buffer was full. Either way nobody has this event.
	 */
	err = kzt_genl_notify_flow(flow->net, msg);
	if (!err)
		return;
out_dropped:
	kzt_stat_inc(flow->net, KZT_STATS_A_FLOW_EVENTS_DROPPED);
}

/**
 * kzt_flow_event_start() - FLOW_START: @flow is established
 * @flow: flow, from its work item, just established
 *
 * From now until its FLOW_END, the periodic pass reports it too. Never
 * sleeps.
 */
void kzt_flow_event_start(struct kzt_flow *flow)
{
	bool listening = kzt_genl_flows_listening(flow->net);

	spin_lock(&flow->lock);
	WRITE_ONCE(flow->reported, true);
	if (listening)
		kzt_flow_event_send(flow, KZT_CMD_FLOW_START, 0);
	spin_unlock(&flow->lock);
}

/**
 * kzt_flow_event_end() - FLOW_END: @flow ended, if it was established
 * @flow: flow, from its work item, in kzt_flow_end() after its sockets and
 *        buffers are gone (its byte counts are final)
 * @how: why it ended
 *
 * Never sleeps.
 */
void kzt_flow_event_end(struct kzt_flow *flow, enum kzt_flow_end how)
{
	bool listening = kzt_genl_flows_listening(flow->net);

	spin_lock(&flow->lock);
	if (flow->reported && listening)
		kzt_flow_event_send(flow, KZT_CMD_FLOW_END,
				    kzt_flow_reason(how));
	WRITE_ONCE(flow->reported, false);
	spin_unlock(&flow->lock);
}

static unsigned int kzt_flow_stats_interval_s(struct net *net)
{
	unsigned int s;

	rcu_read_lock();
	s = rcu_dereference(kzt_pernet(net)->config)->flow_stats_interval_s;
	rcu_read_unlock();
	return s;
}

/*
 * One FLOW_STATS per reported flow. The list lock is held only to take a
 * reference on each (a snapshot, at most as many as were running when it
 * began): building and sending happen under each flow's own lock, so
 * flows start and end meanwhile. A flow that ends between the snapshot
 * and its turn is skipped (its FLOW_END has the final counts); one that
 * started after the snapshot waits for the next pass.
 */
static void kzt_flow_stats_pass(struct kzt_flow_net *fn)
{
	unsigned int max = atomic_read(&fn->nr_running), n = 0, i;
	struct kzt_flow **snap, *flow;

	if (!max)
		return;
	snap = kvmalloc_array(max, sizeof(*snap), GFP_KERNEL);
	if (!snap) {
		kzt_stat_inc(fn->net, KZT_STATS_A_FLOW_EVENTS_DROPPED);
		return;
	}
	spin_lock(&fn->lock);
	list_for_each_entry(flow, &fn->flows, node) {
		if (n == max)
			break;
		/* Unlocked: rechecked under the flow's lock below. */
		if (!READ_ONCE(flow->reported))
			continue;
		refcount_inc(&flow->ref);
		snap[n++] = flow;
	}
	spin_unlock(&fn->lock);

	for (i = 0; i < n; i++) {
		flow = snap[i];
		spin_lock(&flow->lock);
		if (flow->reported && kzt_genl_flows_listening(fn->net))
			kzt_flow_event_send(flow, KZT_CMD_FLOW_STATS, 0);
		spin_unlock(&flow->lock);
		/* Process context: the last reference may go here. */
		kzt_flow_put(flow);
		cond_resched();
	}
	kvfree(snap);
}

/*
 * The delayed work of a netns: a pass while someone listens, then again
 * after the interval as long as flows run; stopped by the interval 0, the
 * last flow's end (kzt_flow_stats_arm() starts it again) and netns exit.
 */
static void kzt_flow_stats_work(struct work_struct *work)
{
	struct kzt_flow_net *fn = container_of(to_delayed_work(work),
					       struct kzt_flow_net, stats);
	unsigned int interval;

	if (!kzt_flow_stats_interval_s(fn->net))
		return;
	if (kzt_genl_flows_listening(fn->net))
		kzt_flow_stats_pass(fn);

	/* Read again: a change during the pass is honoured at once. */
	interval = kzt_flow_stats_interval_s(fn->net);
	spin_lock(&fn->lock);
	if (interval && !fn->dying && atomic_read(&fn->nr_running))
		queue_delayed_work(kzt_flow_wq, &fn->stats, interval * HZ);
	spin_unlock(&fn->lock);
}

/**
 * kzt_flow_stats_arm() - make sure the FLOW_STATS pass of @fn runs
 * @fn: the flows of a netns, one of which was just established
 *
 * Any context but hard irq. Does nothing when the pass is already queued
 * or the interval is 0.
 */
void kzt_flow_stats_arm(struct kzt_flow_net *fn)
{
	unsigned int interval = kzt_flow_stats_interval_s(fn->net);

	if (interval)
		queue_delayed_work(kzt_flow_wq, &fn->stats, interval * HZ);
}

/**
 * kzt_flow_stats_reschedule() - the FLOW_STATS interval of a netns changed
 * @fn: its flows; NULL (a netns kzt is not set up in) does nothing
 *
 * From the configuration's writer, after the new one is published: the
 * next pass comes one new interval from now, or none with 0.
 */
void kzt_flow_stats_reschedule(struct kzt_flow_net *fn)
{
	unsigned int interval;

	if (!fn)
		return;
	interval = kzt_flow_stats_interval_s(fn->net);
	if (interval)
		mod_delayed_work(kzt_flow_wq, &fn->stats, interval * HZ);
	else
		cancel_delayed_work(&fn->stats);
}

/**
 * kzt_flow_stats_init() - the FLOW_STATS pass of a new netns, not armed
 * @fn: its flows
 */
void kzt_flow_stats_init(struct kzt_flow_net *fn)
{
	INIT_DELAYED_WORK(&fn->stats, kzt_flow_stats_work);
}

/**
 * kzt_flow_stats_exit() - stop the pass for good
 * @fn: the flows of a dying netns (or kzt unloading), all ended: nothing
 *      arms it again but the work itself, which cancel_delayed_work_sync()
 *      stops from queueing itself
 */
void kzt_flow_stats_exit(struct kzt_flow_net *fn)
{
	cancel_delayed_work_sync(&fn->stats);
}
