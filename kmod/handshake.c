// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake upcall's request queue: kzt asks a daemon (kztd) listening
 * on the "handshake" multicast group of the netns to run a TLS 1.3
 * handshake on a tunnel socket, the daemon ACCEPTs the request (getting the
 * socket as a descriptor) and reports DONE (nl_handshake.c). Every request
 * completes exactly once: DONE, its deadline, or a cancel by its owner.
 * Documentation/handshake.rst has the whole sequence and the lifetimes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "handshake_internal.h"
#include "kzt.h"
#include "stats.h"

/*
 * Deadlines run here: a module workqueue, so that module unload (through
 * netns exit) can wait for a deadline that is still running.
 */
static struct workqueue_struct *kzt_hs_wq;

/*
 * Bursts (Documentation/handshake.rst, "Bursts"): a request waits for a
 * daemon with no handshake deadline running, since every handshake in
 * progress shares the CPU and a deadline that ran while waiting would
 * expire for all of them at once. What bounds the wait instead is the
 * queue: at most max_queued_handshakes wait per netns (more are refused at
 * once, HS_QUEUE_FULL), none longer than hs_queue_timeout_ms
 * (HS_QUEUE_TIMEOUT).
 */
unsigned int kzt_hs_max_queued = 4096;
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_max_queued);
module_param_named(max_queued_handshakes, kzt_hs_max_queued, uint, 0644);
MODULE_PARM_DESC(max_queued_handshakes,
		 "handshake requests that may wait for a daemon in each node netns; more are refused at once (default 4096, at least 1)");

unsigned int kzt_hs_queue_timeout_ms = 60000;
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_queue_timeout_ms);
module_param_named(hs_queue_timeout_ms, kzt_hs_queue_timeout_ms, uint, 0644);
MODULE_PARM_DESC(hs_queue_timeout_ms,
		 "a handshake request no daemon accepted within this long fails (default 60000, 100..600000)");

static unsigned int kzt_hs_queue_cap(void)
{
	return max(READ_ONCE(kzt_hs_max_queued), 1U);
}

/**
 * kzt_handshake_queue_timeout_ms() - how long a request may wait for ACCEPT
 *
 * Return: hs_queue_timeout_ms, within 100..600000.
 */
unsigned int kzt_handshake_queue_timeout_ms(void)
{
	return clamp(READ_ONCE(kzt_hs_queue_timeout_ms),
		     KZT_HANDSHAKE_TIMEOUT_MS_MIN, KZT_HANDSHAKE_TIMEOUT_MS_MAX);
}

static struct list_head *kzt_hs_queue(struct kzt_hs_net *hn, u8 role)
{
	return &hn->waiting[role == KZT_HS_ROLE_SERVER];
}

static void kzt_hs_req_put(struct kzt_hs_req *req)
{
	if (!refcount_dec_and_test(&req->ref))
		return;
	kfree(req->local_id);
	kfree(req->peer_id);
	kfree(req);
}

/*
 * Take the request's one completion: true when the caller won it (and now
 * owns the live reference), false when another context did first. A
 * winner takes the request out of every lookup.
 */
static bool kzt_hs_claim_locked(struct kzt_hs_net *hn, struct kzt_hs_req *req)
{
	lockdep_assert_held(&hn->reqs.xa_lock);

	if (req->state == KZT_HS_COMPLETED)
		return false;
	if (req->state == KZT_HS_WAITING) {
		list_del_init(&req->node);
		hn->n_waiting--;
	}
	__xa_erase(&hn->reqs, req->id);
	req->state = KZT_HS_COMPLETED;
	return true;
}

static bool kzt_hs_claim(struct kzt_hs_req *req)
{
	struct kzt_hs_net *hn = req->hn;
	bool won;

	xa_lock_bh(&hn->reqs);
	won = kzt_hs_claim_locked(hn, req);
	xa_unlock_bh(&hn->reqs);
	return won;
}

/*
 * The end of a claimed request: stop its deadline, tell the owner (unless
 * it cancelled), drop the socket file and the live reference. Never sleeps
 * itself unless @sync; the owner's callback may.
 *
 * @sync: the caller is a worker that may sleep (the deadline, netns exit).
 * There the request's file reference can be the last one: the owner may
 * have released its own while the done callback ran (flow.c does, from
 * its work item). fput() from a kthread would leave the socket's release
 * to the delayed-fput work, which can run after the netns is gone (a
 * kernel socket holds no netns reference) or after this module is. With
 * __fput_sync() the socket is released here, so kzt_hs_net_free()'s
 * flush_workqueue() waits for it. Everyone else uses fput(): cancel
 * (any context) is called by an owner that still holds its own reference,
 * and DONE runs in the daemon's task, whose fput() completes on its
 * return to userspace.
 */
static void kzt_hs_finish(struct kzt_hs_req *req, bool call_done, int status,
			  const struct kzt_hs_result *res, bool sync)
{
	/* Pending: its reference is ours to drop. Running: it will lose. */
	if (cancel_delayed_work(&req->timeout))
		kzt_hs_req_put(req);
	if (call_done)
		req->done(req->data, status, res);
	if (sync)
		__fput_sync(req->file);
	else
		fput(req->file);
	kzt_hs_req_put(req);
}

/*
 * The queue's deadline (still WAITING: nobody took it) or the handshake's
 * (ACCEPTED). A run that finds @deadline in the future raced with ACCEPT
 * moving it: ACCEPT queued the work again, that run decides.
 */
static void kzt_hs_timeout_work(struct work_struct *work)
{
	struct kzt_hs_req *req = container_of(to_delayed_work(work),
					      struct kzt_hs_req, timeout);
	struct kzt_hs_net *hn = req->hn;
	bool won = false, waiting = false;

	xa_lock_bh(&hn->reqs);
	if (!time_before(jiffies, req->deadline)) {
		waiting = req->state == KZT_HS_WAITING;
		won = kzt_hs_claim_locked(hn, req);
	}
	xa_unlock_bh(&hn->reqs);
	if (won) {
		kzt_stat_inc(hn->net, waiting ? KZT_STATS_A_HS_QUEUE_TIMEOUT :
						 KZT_STATS_A_HS_TIMEOUT);
		kzt_hs_finish(req, true, -ETIMEDOUT, NULL, true);
	}
	kzt_hs_req_put(req);	/* the deadline's reference */
}

static int kzt_hs_params_check(const struct kzt_hs_params *p)
{
	switch (p->role) {
	case KZT_HS_ROLE_CLIENT:
		if (!p->local_id || !p->peer_id)
			return -EINVAL;
		break;
	case KZT_HS_ROLE_SERVER:
		break;
	default:
		return -EINVAL;
	}
	if (p->timeout_ms == 0 || p->timeout_ms > KZT_HANDSHAKE_TIMEOUT_MS_MAX)
		return -EINVAL;
	return 0;
}

static struct kzt_hs_req *kzt_hs_req_new(struct kzt_hs_net *hn,
					 struct socket *sock,
					 const struct kzt_hs_params *p,
					 kzt_hs_done_t done, void *data)
{
	struct kzt_hs_req *req;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return NULL;
	if (p->role == KZT_HS_ROLE_CLIENT) {
		req->local_id = kstrndup(p->local_id, KZT_SPIFFE_ID_MAX, GFP_KERNEL);
		req->peer_id = kstrndup(p->peer_id, KZT_SPIFFE_ID_MAX, GFP_KERNEL);
		if (!req->local_id || !req->peer_id) {
			kfree(req->local_id);
			kfree(req->peer_id);
			kfree(req);
			return NULL;
		}
	}
	refcount_set(&req->ref, 1);
	req->hn = hn;
	INIT_LIST_HEAD(&req->node);
	req->state = KZT_HS_WAITING;
	req->sock = sock;
	req->role = p->role;
	req->dst_addr = p->dst_addr;
	req->timeout_ms = p->timeout_ms;
	INIT_DELAYED_WORK(&req->timeout, kzt_hs_timeout_work);
	req->done = done;
	req->data = data;
	return req;
}

/*
 * kzt_hs_enqueue(), and with @hold a reference for the caller, taken
 * before the request becomes visible and dropped with kzt_hs_req_put():
 * the request stays valid memory even if it completes (and its done
 * callback returns) at once.
 */
static int kzt_hs_enqueue_hold(struct kzt_hs_net *hn, struct socket *sock,
			       const struct kzt_hs_params *params,
			       kzt_hs_done_t done, void *data,
			       struct kzt_hs_req **reqp, bool hold)
{
	unsigned int queue_ms = kzt_handshake_queue_timeout_ms();
	struct kzt_hs_req *req;
	int err;

	*reqp = NULL;
	if (!sock || !sock->sk || !sock->file || !params || !done)
		return -EINVAL;
	err = kzt_hs_params_check(params);
	if (err)
		return err;
	req = kzt_hs_req_new(hn, sock, params, done, data);
	if (!req)
		return -ENOMEM;
	req->file = get_file(sock->file);
	*reqp = req;

	xa_lock_bh(&hn->reqs);
	err = -ESHUTDOWN;
	if (hn->dead)
		goto out_unlock;
	/* May drop and retake the lock to allocate; nothing is visible yet. */
	err = __xa_alloc_cyclic(&hn->reqs, &req->id, req, xa_limit_32b,
				&hn->next_id, GFP_KERNEL);
	if (err < 0)
		goto out_unlock;
	/* Both checked after the allocation, which may drop the lock. */
	if (hn->dead || hn->n_waiting >= kzt_hs_queue_cap()) {
		__xa_erase(&hn->reqs, req->id);
		err = hn->dead ? -ESHUTDOWN : -EBUSY;
		goto out_unlock;
	}
	/* The queue's deadline; the handshake's starts at ACCEPT. */
	req->deadline = jiffies + msecs_to_jiffies(queue_ms);
	req->seq = hn->next_seq++;
	list_add_tail(&req->node, kzt_hs_queue(hn, req->role));
	hn->n_waiting++;
	refcount_inc(&req->ref);	/* the deadline's */
	if (hold)
		refcount_inc(&req->ref);	/* the caller's */
	queue_delayed_work(kzt_hs_wq, &req->timeout, msecs_to_jiffies(queue_ms));
	xa_unlock_bh(&hn->reqs);
	return 0;

out_unlock:
	xa_unlock_bh(&hn->reqs);
	*reqp = NULL;
	if (err == -EBUSY)
		kzt_stat_inc(hn->net, KZT_STATS_A_HS_QUEUE_FULL);
	fput(req->file);
	kzt_hs_req_put(req);
	return err;
}

/**
 * kzt_hs_enqueue() - queue a handshake request on @hn, without telling anyone
 * @hn: the requests of the socket's netns
 * @sock: connected TCP socket with a file (sock->file)
 * @params: role, identities, deadline; copied
 * @done: completion callback (see kzt_hs_done_t)
 * @data: its argument
 * @reqp: set to the request before it becomes visible (so before @done can
 *        run); NULL on error
 *
 * The request holds a reference on sock->file until it completes. It
 * waits at most hs_queue_timeout_ms for a daemon; its handshake deadline
 * (@params->timeout_ms) starts when a daemon accepts it. May sleep.
 *
 * Return: 0, -EINVAL (bad socket or parameters), -ENOMEM, -ESHUTDOWN (the
 * netns is going away) or -EBUSY (max_queued_handshakes wait already,
 * counted HS_QUEUE_FULL; or no free request ID).
 */
int kzt_hs_enqueue(struct kzt_hs_net *hn, struct socket *sock,
		   const struct kzt_hs_params *params, kzt_hs_done_t done,
		   void *data, struct kzt_hs_req **reqp)
{
	return kzt_hs_enqueue_hold(hn, sock, params, done, data, reqp, false);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_enqueue);

/**
 * kzt_hs_net_of() - the handshake requests of @net
 * @net: a netns kzt knows
 *
 * Return: its request table.
 */
struct kzt_hs_net *kzt_hs_net_of(struct net *net)
{
	return kzt_pernet(net)->hs;
}

/**
 * kzt_handshake_submit() - ask the netns's daemon for a TLS 1.3 handshake
 * @net: the netns of @sock (the node)
 * @sock: ESTABLISHED kernel TCP socket with a file (sock_alloc_file())
 * @params: role, identities and deadline; copied
 * @done: called exactly once unless kzt_handshake_cancel() wins, in process
 *        context with no kzt lock held, possibly before this returns
 * @data: argument of @done
 * @reqp: the request, for kzt_handshake_cancel(); set before @done can run
 *
 * Must be called in process context (it may sleep), never for a socket that
 * has a request already. The request holds a reference on @sock's file
 * until it completes; the daemon gets its own while it holds the socket as
 * a descriptor.
 *
 * The request waits for a daemon (at most hs_queue_timeout_ms) with no
 * deadline of its own running: @params->timeout_ms counts from ACCEPT.
 *
 * Return: 0 (@done will run, or cancel will win); -ESRCH when no daemon
 * listens on the handshake group of @net (counted HS_NO_DAEMON); -EBUSY
 * when the queue is full (counted HS_QUEUE_FULL); -EINVAL, -ENOMEM,
 * -ESHUTDOWN. On error @done never runs and *@reqp is NULL.
 */
int kzt_handshake_submit(struct net *net, struct socket *sock,
			 const struct kzt_hs_params *params,
			 kzt_hs_done_t done, void *data,
			 struct kzt_hs_req **reqp)
{
	struct kzt_hs_net *hn = kzt_hs_net_of(net);
	struct kzt_hs_req *req;
	int err;

	*reqp = NULL;
	if (!kzt_genl_hs_listening(net)) {
		kzt_stat_inc(net, KZT_STATS_A_HS_NO_DAEMON);
		return -ESRCH;
	}
	/*
	 * Held until the end of this function: once visible, the request can
	 * complete (a daemon woken by an earlier READY, or a short deadline)
	 * and be freed as soon as its done callback returns, before the
	 * cancel below.
	 */
	err = kzt_hs_enqueue_hold(hn, sock, params, done, data, reqp, true);
	if (err)
		return err;
	req = *reqp;

	err = kzt_genl_notify_hs_ready(net);
	/*
	 * -ENOBUFS: some listener overran; its socket reports ENOBUFS, on
	 * which a daemon ACCEPTs until -EAGAIN, so the request is not lost.
	 * (A listener must set NETLINK_BROADCAST_ERROR for that: without it
	 * an overrun listener reads as none, -ESRCH. kztd sets it.)
	 */
	if (err == -ENOBUFS)
		err = 0;
	/* Not told: take it back, unless it completed meanwhile. */
	if (err && kzt_handshake_cancel(req)) {
		*reqp = NULL;
		if (err == -ESRCH)
			kzt_stat_inc(net, KZT_STATS_A_HS_NO_DAEMON);
		kzt_hs_req_put(req);
		return err;
	}
	kzt_stat_inc(net, KZT_STATS_A_HS_STARTED);
	kzt_hs_req_put(req);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_handshake_submit);

/**
 * kzt_handshake_cancel() - withdraw a request before it completes
 * @req: from kzt_handshake_submit(); never used after its done callback
 *       returned
 *
 * Any context but hard IRQ (and not with IRQs off); never sleeps, never
 * calls the done callback. A daemon holding the socket as a descriptor
 * keeps it open until it closes it: shut the socket down to end its
 * handshake at once.
 *
 * Return: true when the request is gone and its done callback will never
 * run (@req is invalid now); false when the request completed first: the
 * done callback has run or is about to run.
 */
bool kzt_handshake_cancel(struct kzt_hs_req *req)
{
	if (!kzt_hs_claim(req))
		return false;
	kzt_hs_finish(req, false, 0, NULL, false);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_handshake_cancel);

/*
 * The oldest waiting request of @role (0: of either role), or NULL.
 * Caller holds hn's lock.
 */
static struct kzt_hs_req *kzt_hs_oldest_locked(struct kzt_hs_net *hn, u8 role)
{
	struct kzt_hs_req *c, *s;

	lockdep_assert_held(&hn->reqs.xa_lock);

	if (role)
		return list_first_entry_or_null(kzt_hs_queue(hn, role),
						struct kzt_hs_req, node);
	c = list_first_entry_or_null(kzt_hs_queue(hn, KZT_HS_ROLE_CLIENT),
				     struct kzt_hs_req, node);
	s = list_first_entry_or_null(kzt_hs_queue(hn, KZT_HS_ROLE_SERVER),
				     struct kzt_hs_req, node);
	if (!c || !s)
		return c ?: s;
	return c->seq < s->seq ? c : s;
}

/**
 * kzt_hs_accept_next() - take the oldest waiting request for a daemon
 * @hn: the caller's netns
 * @role: KZT_HS_ROLE_CLIENT or KZT_HS_ROLE_SERVER for that role's only;
 *        0 for either
 *
 * The request turns ACCEPTED: DONE may complete it from now on, and it no
 * longer counts as waiting. Its handshake deadline starts now.
 *
 * Return: the request, with a reference and a reference on its file for
 * the caller (kzt_hs_accept_finish() or kzt_hs_accept_undo() drop the
 * first, the file reference goes to the daemon's fd table or fput()); NULL
 * when none waits.
 */
struct kzt_hs_req *kzt_hs_accept_next(struct kzt_hs_net *hn, u8 role)
{
	unsigned long delay;
	struct kzt_hs_req *req;

	xa_lock_bh(&hn->reqs);
	req = kzt_hs_oldest_locked(hn, role);
	if (req) {
		list_del_init(&req->node);
		hn->n_waiting--;
		req->state = KZT_HS_ACCEPTED;
		refcount_inc(&req->ref);
		get_file(req->file);
		/*
		 * From the queue's deadline to the handshake's, once (after an
		 * undone ACCEPT it keeps running). Pending: moved, its
		 * reference stays. Idle or running (a run that lost to us sees
		 * the new @deadline and does nothing): queued anew, with a new
		 * reference.
		 */
		if (!req->hs_started) {
			req->hs_started = true;
			delay = msecs_to_jiffies(req->timeout_ms);
			req->deadline = jiffies + delay;
			if (!mod_delayed_work(kzt_hs_wq, &req->timeout, delay))
				refcount_inc(&req->ref);
		}
	}
	xa_unlock_bh(&hn->reqs);
	return req;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_accept_next);

/**
 * kzt_hs_accept_undo() - give a request back after a failed ACCEPT
 * @req: from kzt_hs_accept_next(); its file reference already dropped
 *
 * The request waits again, first in line, unless it completed meanwhile;
 * its handshake deadline keeps running (a failing ACCEPT must not give it
 * a new one). Drops the caller's reference.
 */
void kzt_hs_accept_undo(struct kzt_hs_req *req)
{
	struct kzt_hs_net *hn = req->hn;

	xa_lock_bh(&hn->reqs);
	if (req->state == KZT_HS_ACCEPTED) {
		req->state = KZT_HS_WAITING;
		list_add(&req->node, kzt_hs_queue(hn, req->role));
		hn->n_waiting++;
	}
	xa_unlock_bh(&hn->reqs);
	kzt_hs_req_put(req);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_accept_undo);

/**
 * kzt_hs_accept_finish() - drop the reference of a successful ACCEPT
 * @req: from kzt_hs_accept_next()
 */
void kzt_hs_accept_finish(struct kzt_hs_req *req)
{
	kzt_hs_req_put(req);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_accept_finish);

/**
 * kzt_hs_time_left_ms() - time before @req's deadline
 * @req: a request the caller holds a reference on
 *
 * Return: milliseconds, 0 when the deadline has passed.
 */
unsigned int kzt_hs_time_left_ms(const struct kzt_hs_req *req)
{
	long left = (long)(req->deadline - jiffies);

	return left > 0 ? jiffies_to_msecs(left) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_time_left_ms);

/**
 * kzt_hs_claim_accepted() - claim the completion of an accepted request
 * @hn: the caller's netns
 * @id: the request ID a daemon reported DONE for
 * @sock: the socket of the descriptor that DONE names, looked up in the
 *        caller's fd table: the proof that the caller holds the request
 *
 * An ID is guessable (IDs are allocated in sequence); holding the
 * request's socket is not. A DONE that names a live request but another
 * socket changes nothing.
 *
 * Return: the request, its completion now the caller's: it must end with
 * kzt_hs_complete(). ERR_PTR(-ENOENT) when @id names no request of @hn
 * accepted and not yet completed; ERR_PTR(-EPERM) when it does, but @sock
 * is not its socket.
 */
struct kzt_hs_req *kzt_hs_claim_accepted(struct kzt_hs_net *hn, u32 id,
					 const struct socket *sock)
{
	struct kzt_hs_req *req;

	xa_lock_bh(&hn->reqs);
	req = xa_load(&hn->reqs, id);
	if (!req || req->state != KZT_HS_ACCEPTED)
		req = ERR_PTR(-ENOENT);
	else if (req->sock != sock)
		req = ERR_PTR(-EPERM);
	else if (!kzt_hs_claim_locked(hn, req))
		req = ERR_PTR(-ENOENT);
	xa_unlock_bh(&hn->reqs);
	return req;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_claim_accepted);

/**
 * kzt_hs_complete() - end a request claimed with kzt_hs_claim_accepted()
 * @req: the request; invalid after this
 * @status: 0 (kTLS installed) or a negative errno
 * @res: with @status 0, what the callback learns; else NULL
 *
 * Calls the owner's done callback, in the caller's (process) context.
 */
void kzt_hs_complete(struct kzt_hs_req *req, int status,
		     const struct kzt_hs_result *res)
{
	kzt_hs_finish(req, true, status, status ? NULL : res, false);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_complete);

/**
 * kzt_hs_net_alloc() - an empty request table
 * @net: the netns it serves (for counters)
 *
 * Return: the table or NULL.
 */
struct kzt_hs_net *kzt_hs_net_alloc(struct net *net)
{
	struct kzt_hs_net *hn = kzalloc(sizeof(*hn), GFP_KERNEL);

	if (!hn)
		return NULL;
	hn->net = net;
	xa_init_flags(&hn->reqs, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
	INIT_LIST_HEAD(&hn->waiting[0]);
	INIT_LIST_HEAD(&hn->waiting[1]);
	return hn;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_net_alloc);

/**
 * kzt_hs_net_free() - cancel every request left, then free @hn
 * @hn: a table no new request and no netlink command can reach any more
 *
 * Owners cancel their requests before this (flow.c does at netns exit);
 * whatever is left, waiting or accepted, is cancelled here: its done
 * callback never runs, its file reference is dropped. Waits for deadlines
 * that are running. Sleeps.
 */
void kzt_hs_net_free(struct kzt_hs_net *hn)
{
	struct kzt_hs_req *req;
	unsigned long id;
	LIST_HEAD(left);

	xa_lock_bh(&hn->reqs);
	hn->dead = true;
	xa_for_each(&hn->reqs, id, req) {
		kzt_hs_claim_locked(hn, req);
		list_add_tail(&req->node, &left);
	}
	xa_unlock_bh(&hn->reqs);

	while ((req = list_first_entry_or_null(&left, struct kzt_hs_req, node))) {
		list_del(&req->node);
		pr_debug("netns exit: request %u cancelled\n", req->id);
		if (cancel_delayed_work_sync(&req->timeout))
			kzt_hs_req_put(req);
		kzt_hs_finish(req, false, 0, NULL, true);
	}
	/*
	 * A deadline that lost its race with a completion may still be
	 * running and about to take hn's lock.
	 */
	flush_workqueue(kzt_hs_wq);
	xa_destroy(&hn->reqs);
	kfree(hn);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_hs_net_free);

/**
 * kzt_handshake_net_init() - an empty request table for @net
 * @net: new netns
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_handshake_net_init(struct net *net)
{
	struct kzt_net *kn = kzt_pernet(net);

	kn->hs = kzt_hs_net_alloc(net);
	return kn->hs ? 0 : -ENOMEM;
}

/**
 * kzt_handshake_net_exit() - cancel what is left of @net's requests
 * @net: dying netns (or kzt unloading); flows are gone already
 */
void kzt_handshake_net_exit(struct net *net)
{
	struct kzt_net *kn = kzt_pernet(net);

	kzt_hs_net_free(kn->hs);
	kn->hs = NULL;
}

/**
 * kzt_handshake_module_init() - create the deadline workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int __init kzt_handshake_module_init(void)
{
	kzt_hs_wq = alloc_workqueue("kzt_hs", WQ_UNBOUND, 0);
	return kzt_hs_wq ? 0 : -ENOMEM;
}

/**
 * kzt_handshake_module_exit() - destroy it; every netns has exited
 */
void kzt_handshake_module_exit(void)
{
	destroy_workqueue(kzt_hs_wq);
}
