// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions: stage a new snapshot of workloads and policies, from empty
 * or from a copy of the live one, and swap it in at once (see the TXN
 * section of include/uapi/linux/kzt.h).
 *
 * One transaction may be open per netns. It belongs to the netlink socket
 * (portid) that began it: only that socket stages into it, commits or
 * aborts it, and it is aborted when that socket is released (a crashed
 * daemon leaves nothing half-staged behind) or the netns goes away.
 * Everything here runs under kzt_net.tables_lock.
 */
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "kzt.h"

struct kzt_txn {
	u32 id;
	u32 portid;			/* the owning netlink socket */
	unsigned int generation;	/* kzt_net.generation at BEGIN */
	struct kzt_tables *staging;	/* one reference */
};

static void kzt_txn_close(struct kzt_net *kn)
{
	struct kzt_txn *txn = kn->txn;

	lockdep_assert_held(&kn->tables_lock);
	WRITE_ONCE(kn->txn, NULL);
	kzt_tables_put(txn->staging);
	kfree(txn);
}

/* The open transaction @id of @portid, or NULL. */
static struct kzt_txn *kzt_txn_find(struct kzt_net *kn, u32 portid, u32 id)
{
	struct kzt_txn *txn = kn->txn;

	lockdep_assert_held(&kn->tables_lock);
	if (!txn || txn->id != id || txn->portid != portid)
		return NULL;
	return txn;
}

/**
 * kzt_txn_begin() - open a transaction
 * @kn: per-netns state
 * @portid: netlink socket that will own it
 * @flags: KZT_TXN_F_*; KZT_TXN_F_FROM_LIVE: the staging snapshot starts
 *	   as a copy of the live one (kzt_tables_clone()), else empty
 * @id: where to return its id
 * @extack: where to report an error
 *
 * The copy is made under the tables lock, so it is the live snapshot of
 * the generation the transaction records: COMMIT's -EAGAIN rule holds.
 *
 * Return: 0, -EBUSY when a transaction is open, or -ENOMEM (nothing
 * changed).
 */
int kzt_txn_begin(struct kzt_net *kn, u32 portid, u32 flags, u32 *id,
		  struct netlink_ext_ack *extack)
{
	struct kzt_tables *staging;
	struct kzt_txn *txn;
	int err;

	txn = kzalloc(sizeof(*txn), GFP_KERNEL);
	if (!txn)
		return -ENOMEM;
	if (!(flags & KZT_TXN_F_FROM_LIVE)) {
		txn->staging = kzt_tables_new(KZT_WORKLOADS_MAX);
		if (!txn->staging) {
			kfree(txn);
			return -ENOMEM;
		}
	}

	mutex_lock(&kn->tables_lock);
	err = -EBUSY;
	if (kn->txn) {
		NL_SET_ERR_MSG(extack,
			       "another transaction is open in this network namespace");
		goto out_unlock;
	}
	if (flags & KZT_TXN_F_FROM_LIVE) {
		staging = kzt_tables_clone(kn, kzt_tables_live(kn));
		if (IS_ERR(staging)) {
			err = PTR_ERR(staging);
			NL_SET_ERR_MSG(extack,
				       "out of memory copying the live tables; no transaction was opened");
			goto out_unlock;
		}
		txn->staging = staging;
	}
	/* Ids are never 0 and not reused soon: a stale id finds nothing. */
	if (!++kn->last_txn_id)
		++kn->last_txn_id;
	txn->id = kn->last_txn_id;
	txn->portid = portid;
	txn->generation = kn->generation;
	WRITE_ONCE(kn->txn, txn);
	*id = txn->id;
	txn = NULL;
	err = 0;
out_unlock:
	mutex_unlock(&kn->tables_lock);
	if (txn) {
		kzt_tables_put(txn->staging);
		kfree(txn);
	}
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_txn_begin);

/**
 * kzt_txn_commit() - publish the staged snapshot and close the transaction
 * @kn: per-netns state
 * @portid: netlink socket asking
 * @id: transaction id
 * @extack: where to report an error
 *
 * The swap is one rcu_assign_pointer(): a reader sees all of the old
 * tables or all of the new ones. The old snapshot is freed once every
 * reader and dump is done with it.
 *
 * Return: 0; -ENOENT when @portid has no open transaction @id; -EAGAIN
 * when the live tables changed since BEGIN; -ENOMEM. On an error other than
 * -ENOENT the transaction is aborted and nothing changes.
 */
int kzt_txn_commit(struct kzt_net *kn, u32 portid, u32 id,
		   struct netlink_ext_ack *extack)
{
	struct kzt_tables *old = NULL;
	struct kzt_txn *txn;
	int err;

	mutex_lock(&kn->tables_lock);
	txn = kzt_txn_find(kn, portid, id);
	err = -ENOENT;
	if (!txn) {
		NL_SET_ERR_MSG(extack, "no open transaction with this id on this socket");
		goto out_unlock;
	}
	err = -EAGAIN;
	if (txn->generation != kn->generation) {
		NL_SET_ERR_MSG(extack,
			       "the live tables changed since the transaction began; it was aborted, begin again");
		kzt_txn_close(kn);
		goto out_unlock;
	}
	/* Staged policies were collected unindexed (kzt_policy_set_stage()). */
	err = kzt_policy_set_seal(kzt_tables_policies(kn, txn->staging));
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory indexing the staged policies; aborted");
		kzt_txn_close(kn);
		goto out_unlock;
	}

	old = kzt_tables_live(kn);
	rcu_assign_pointer(kn->tables, txn->staging);
	txn->staging = NULL;		/* its reference moved to kn->tables */
	kzt_tables_changed(kn, kzt_tables_live(kn));
	kzt_txn_close(kn);
	err = 0;
out_unlock:
	mutex_unlock(&kn->tables_lock);
	kzt_tables_put(old);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_txn_commit);

/**
 * kzt_txn_abort() - drop the staged snapshot and close the transaction
 * @kn: per-netns state
 * @portid: netlink socket asking
 * @id: transaction id
 * @extack: where to report an error
 *
 * Return: 0, or -ENOENT when @portid has no open transaction @id.
 */
int kzt_txn_abort(struct kzt_net *kn, u32 portid, u32 id,
		  struct netlink_ext_ack *extack)
{
	int err = -ENOENT;

	mutex_lock(&kn->tables_lock);
	if (kzt_txn_find(kn, portid, id)) {
		kzt_txn_close(kn);
		err = 0;
	} else {
		NL_SET_ERR_MSG(extack, "no open transaction with this id on this socket");
	}
	mutex_unlock(&kn->tables_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_txn_abort);

/**
 * kzt_txn_release() - abort the transaction of a socket that went away
 * @kn: per-netns state
 * @portid: the released socket, or 0 for whatever transaction is open
 *	    (netns exit)
 */
void kzt_txn_release(struct kzt_net *kn, u32 portid)
{
	/* Every genetlink socket release comes here: stay cheap when idle. */
	if (!READ_ONCE(kn->txn))
		return;
	mutex_lock(&kn->tables_lock);
	if (kn->txn && (!portid || kn->txn->portid == portid))
		kzt_txn_close(kn);
	mutex_unlock(&kn->tables_lock);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_txn_release);

/**
 * kzt_txn_target() - the snapshot a change request writes to
 * @kn: per-netns state
 * @txn: the request's KZT_*_A_TXN attribute, or NULL
 * @portid: netlink socket asking
 * @extack: where to report an error
 *
 * Context: @kn->tables_lock held, and kept until the change is made.
 * Return: the live snapshot without @txn, else the staging snapshot of the
 * caller's open transaction @txn, or ERR_PTR(-ENOENT).
 */
struct kzt_tables *kzt_txn_target(struct kzt_net *kn, const struct nlattr *txn,
				  u32 portid, struct netlink_ext_ack *extack)
{
	struct kzt_txn *open;

	lockdep_assert_held(&kn->tables_lock);
	if (!txn)
		return kzt_tables_live(kn);
	open = kzt_txn_find(kn, portid, nla_get_u32(txn));
	if (!open) {
		NL_SET_ERR_MSG_ATTR(extack, txn,
				    "no open transaction with this id on this socket");
		return ERR_PTR(-ENOENT);
	}
	return open->staging;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_txn_target);

static int kzt_txn_netlink_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	/* A port id is never 0 here: only bound sockets are reported. */
	kzt_txn_release(kzt_pernet(n->net), n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block kzt_txn_notifier = {
	.notifier_call = kzt_txn_netlink_event,
};

/**
 * kzt_txn_notifier_register() - abort transactions of released sockets
 *
 * Return: 0 or a negative errno.
 */
int kzt_txn_notifier_register(void)
{
	return netlink_register_notifier(&kzt_txn_notifier);
}

/**
 * kzt_txn_notifier_unregister() - stop watching socket releases
 */
void kzt_txn_notifier_unregister(void)
{
	netlink_unregister_notifier(&kzt_txn_notifier);
}
