// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots of a node's workloads and policies: life cycle, changes in
 * place under kzt_net.tables_lock, and the decision readers ask for. The
 * locking rules are in tables.h.
 */
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "capture.h"
#include "flow.h"
#include "kzt.h"

/* Where the last kzt_tables_put() frees a snapshot: it may sleep. */
static struct workqueue_struct *kzt_tables_wq;

/**
 * kzt_tables_module_init() - set up what freeing snapshots needs
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_tables_module_init(void)
{
	kzt_tables_wq = alloc_workqueue("kzt_tables", 0, 0);
	return kzt_tables_wq ? 0 : -ENOMEM;
}

/**
 * kzt_tables_module_exit() - wait until every snapshot is freed
 *
 * Call after the last kzt_tables_put() (pernet exit of every netns).
 */
void kzt_tables_module_exit(void)
{
	/* ORDER: a put queues its work from an RCU callback. */
	rcu_barrier();
	destroy_workqueue(kzt_tables_wq);
}

static void kzt_tables_free_work(struct work_struct *work)
{
	struct kzt_tables *tables = container_of(to_rcu_work(work),
						 struct kzt_tables, free_work);

	/* A grace period has passed since the last reference went away. */
	kzt_workload_table_destroy(&tables->workloads);
	kzt_policy_set_free(rcu_dereference_protected(tables->policies, true));
	kfree(tables);
}

/**
 * kzt_tables_new() - make an empty snapshot
 * @max_workloads: most workloads it may hold (KZT_WORKLOADS_MAX)
 *
 * Return: the snapshot with one reference, the caller's, or NULL.
 */
struct kzt_tables *kzt_tables_new(unsigned int max_workloads)
{
	struct kzt_tables *tables;

	tables = kzalloc(sizeof(*tables), GFP_KERNEL_ACCOUNT);
	if (!tables)
		return NULL;
	if (kzt_workload_table_init(&tables->workloads, max_workloads)) {
		kfree(tables);
		return NULL;
	}
	refcount_set(&tables->ref, 1);
	INIT_RCU_WORK(&tables->free_work, kzt_tables_free_work);
	return tables;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_new);

/**
 * kzt_tables_clone() - a staging snapshot that starts as a copy of @src
 * @kn: per-netns state
 * @src: the snapshot to copy (the live one)
 *
 * For a transaction that stages only changes (KZT_TXN_F_FROM_LIVE). The
 * workload entries are copied (an entry is in one table only); the
 * policies are shared, in an unindexed staging set (kzt_policy_set_copy()).
 * Costs O(workloads + policies) with the lock held, which holds off other
 * writers only: readers are RCU.
 *
 * Context: @kn->tables_lock held.
 * Return: the snapshot with one reference, the caller's, or an ERR_PTR()
 * (-ENOMEM) with nothing allocated.
 */
struct kzt_tables *kzt_tables_clone(struct kzt_net *kn, struct kzt_tables *src)
{
	struct kzt_policy_set *set;
	struct kzt_tables *tables;
	int err;

	lockdep_assert_held(&kn->tables_lock);
	tables = kzalloc(sizeof(*tables), GFP_KERNEL_ACCOUNT);
	if (!tables)
		return ERR_PTR(-ENOMEM);
	err = kzt_policy_set_copy(kzt_tables_policies(kn, src), &set);
	if (err)
		goto out_free;
	err = kzt_workload_table_clone(&tables->workloads, &src->workloads);
	if (err) {
		kzt_policy_set_free(set);
		goto out_free;
	}
	RCU_INIT_POINTER(tables->policies, set);	/* unpublished */
	refcount_set(&tables->ref, 1);
	INIT_RCU_WORK(&tables->free_work, kzt_tables_free_work);
	return tables;

out_free:
	kfree(tables);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_clone);

/**
 * kzt_tables_put() - drop a reference to @tables
 * @tables: snapshot, or NULL
 *
 * The last reference frees it, after a grace period (RCU readers may still
 * hold the pointer they read from kzt_net.tables).
 *
 * Context: any; never sleeps.
 */
void kzt_tables_put(struct kzt_tables *tables)
{
	if (tables && refcount_dec_and_test(&tables->ref))
		queue_rcu_work(kzt_tables_wq, &tables->free_work);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_put);

/**
 * kzt_tables_live() - the live snapshot, for a writer
 * @kn: per-netns state
 *
 * Context: @kn->tables_lock held.
 * Return: the snapshot readers see; no reference taken.
 */
struct kzt_tables *kzt_tables_live(struct kzt_net *kn)
{
	return rcu_dereference_protected(kn->tables,
					 lockdep_is_held(&kn->tables_lock));
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_live);

/**
 * kzt_tables_get_live() - a reference to the live snapshot
 * @kn: per-netns state
 *
 * For a reader that keeps the snapshot beyond one RCU read section (a
 * dump walking it across calls).
 *
 * Context: @kn->tables_lock held.
 * Return: the snapshot, with a reference the caller puts.
 */
struct kzt_tables *kzt_tables_get_live(struct kzt_net *kn)
{
	struct kzt_tables *tables = kzt_tables_live(kn);

	refcount_inc(&tables->ref);
	return tables;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_get_live);

/**
 * kzt_tables_changed() - account for a change made to @tables
 * @kn: per-netns state
 * @tables: the snapshot just changed, live or staging
 *
 * A change of the live snapshot bumps the generation: dumps in progress
 * get NLM_F_DUMP_INTR and a transaction begun before it fails to commit.
 * The flows of the netns then re-decide (recheck.h): call this after the
 * change is published.
 *
 * Context: @kn->tables_lock held.
 */
void kzt_tables_changed(struct kzt_net *kn, struct kzt_tables *tables)
{
	lockdep_assert_held(&kn->tables_lock);
	if (tables != kzt_tables_live(kn))
		return;
	/* 0 means "no sequence" to nl_dump_check_consistent(). */
	if (!++kn->generation)
		kn->generation = 1;
	kzt_flow_recheck_all(kn->flows);
	kzt_capture_recheck(kn);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_changed);

/**
 * kzt_tables_policies() - the policy set of @tables, for a writer
 * @kn: per-netns state
 * @tables: live or staging snapshot
 *
 * Context: @kn->tables_lock held.
 * Return: the set, NULL when there is no policy.
 */
struct kzt_policy_set *kzt_tables_policies(struct kzt_net *kn,
					   struct kzt_tables *tables)
{
	return rcu_dereference_protected(tables->policies,
					 lockdep_is_held(&kn->tables_lock));
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_policies);

/* Publish @set in @tables; readers of the old set finish with it first. */
static void kzt_tables_replace_policies(struct kzt_net *kn,
					struct kzt_tables *tables,
					struct kzt_policy_set *set)
{
	struct kzt_policy_set *old = kzt_tables_policies(kn, tables);

	rcu_assign_pointer(tables->policies, set);
	kzt_policy_set_free_rcu(old);
	kzt_tables_changed(kn, tables);
}

/**
 * kzt_tables_policy_add() - add @policy to the policies of @tables
 * @kn: per-netns state
 * @tables: live or staging snapshot
 * @policy: new policy; its reference is consumed, whatever the outcome
 * @replace: replace a policy of the same name instead of failing
 * @extack: where to report an error
 *
 * A transaction's staging snapshot has no readers: its set grows in place
 * and is indexed at COMMIT (kzt_policy_set_stage()). The live one gets a
 * new set, copied on write.
 *
 * Context: @kn->tables_lock held.
 * Return: 0, or what kzt_policy_set_add() refused with.
 */
int kzt_tables_policy_add(struct kzt_net *kn, struct kzt_tables *tables,
			  struct kzt_policy *policy, bool replace,
			  struct netlink_ext_ack *extack)
{
	struct kzt_policy_set *set;
	int err;

	if (tables != kzt_tables_live(kn)) {
		set = kzt_tables_policies(kn, tables);
		err = kzt_policy_set_stage(&set, policy, replace, extack);
		kzt_policy_put(policy);
		RCU_INIT_POINTER(tables->policies, set);	/* unpublished */
		return err;
	}

	set = kzt_policy_set_add(kzt_tables_policies(kn, tables), policy,
				 replace, extack);
	kzt_policy_put(policy);
	if (IS_ERR(set))
		return PTR_ERR(set);
	kzt_tables_replace_policies(kn, tables, set);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_policy_add);

/**
 * kzt_tables_policy_del() - remove the policy @name from @tables
 * @kn: per-netns state
 * @tables: live or staging snapshot
 * @name: policy name
 * @extack: where to report an error
 *
 * A staging set shrinks in place, as kzt_tables_policy_add() grows it.
 *
 * Context: @kn->tables_lock held.
 * Return: 0, or what kzt_policy_set_del() refused with (-ENOENT).
 */
int kzt_tables_policy_del(struct kzt_net *kn, struct kzt_tables *tables,
			  const char *name, struct netlink_ext_ack *extack)
{
	struct kzt_policy_set *set;
	int err;

	if (tables != kzt_tables_live(kn)) {
		set = kzt_tables_policies(kn, tables);
		err = kzt_policy_set_unstage(&set, name, extack);
		RCU_INIT_POINTER(tables->policies, set);	/* unpublished */
		return err;
	}

	set = kzt_policy_set_del(kzt_tables_policies(kn, tables), name, extack);
	if (IS_ERR(set))
		return PTR_ERR(set);
	kzt_tables_replace_policies(kn, tables, set);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_policy_del);

/**
 * kzt_tables_rcu() - the live snapshot of @net, for a reader
 * @net: node netns
 *
 * Context: rcu_read_lock() held.
 * Return: the snapshot, valid until the read section ends.
 */
struct kzt_tables *kzt_tables_rcu(struct net *net)
{
	return rcu_dereference(kzt_pernet(net)->tables);
}

/**
 * kzt_tables_decide() - decide a new flow to a workload of one snapshot
 * @tables: the snapshot
 * @dst: the destination workload, looked up in @tables
 * @src_id: the peer's SPIFFE ID, NULL for a plaintext peer
 * @src_addr: the peer's address
 * @dst_port: the destination port
 * @new_flow: a new flow of the data path: count the dry-run verdict in
 *	the dry-run policies that apply (false for POLICY_CHECK and for live
 *	flows decided again)
 * @decision: the verdict, its reason and the deciding policy
 *
 * Context: rcu_read_lock() held; @decision->policy and ->dry_policy stay
 * valid until the caller's read section ends.
 */
void kzt_tables_decide(struct kzt_tables *tables,
		       const struct kzt_workload *dst, const char *src_id,
		       const struct in6_addr *src_addr, u16 dst_port,
		       bool new_flow, struct kzt_decision *decision)
{
	struct kzt_authz_query query = {
		.src_id = src_id,
		.src_addr = src_addr,
		/* Looked up by the flow's destination address: the same. */
		.dst_addr = &dst->addr,
		.dst_id = dst->id_len ? dst->id : NULL,
		.dst_port = dst_port,
		.count = new_flow,
	};

	if (dst->ns_len) {
		query.dst_ns = dst->id + dst->ns_off;
		query.dst_ns_len = dst->ns_len;
	}
	kzt_policy_decide(rcu_dereference(tables->policies), &query, decision);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_decide);

/**
 * kzt_tables_authorize() - decide a new flow on one snapshot
 * @tables: the snapshot
 * @src_id: the peer's SPIFFE ID, NULL for a plaintext peer
 * @src_addr: the peer's address
 * @dst_addr: the destination address
 * @dst_port: the destination port
 * @new_flow: count it in the dry-run policies (kzt_tables_decide())
 * @decision: the verdict, its reason and the deciding policy
 *
 * Context: rcu_read_lock() held; the returned workload and
 * @decision->policy stay valid until the caller's read section ends.
 * Return: the destination workload, or NULL when @dst_addr is not a
 * workload (@decision is then untouched).
 */
const struct kzt_workload *kzt_tables_authorize(struct kzt_tables *tables,
						const char *src_id,
						const struct in6_addr *src_addr,
						const struct in6_addr *dst_addr,
						u16 dst_port, bool new_flow,
						struct kzt_decision *decision)
{
	const struct kzt_workload *dst;

	dst = kzt_workload_lookup(&tables->workloads, dst_addr);
	if (dst)
		kzt_tables_decide(tables, dst, src_id, src_addr, dst_port,
				  new_flow, decision);
	return dst;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_tables_authorize);

/**
 * kzt_authorize() - decide a new flow to a workload of this node
 * @net: node netns
 * @src_id: the peer's SPIFFE ID, NULL for a plaintext peer
 * @src_addr: the peer's address
 * @dst_addr: the destination address
 * @dst_port: the destination port
 * @decision: the verdict, its reason and the deciding policy
 *
 * Reads the live snapshot once, then looks the destination up and applies
 * the policies of that same snapshot, as the data path does per new flow:
 * for POLICY_CHECK, so it counts in no dry-run policy. No lock, no
 * allocation, no reference.
 *
 * Context: rcu_read_lock() held; the returned workload and
 * @decision->policy stay valid until the caller's read section ends.
 * Return: the destination workload, or NULL when @dst_addr is not a
 * workload (@decision is then untouched).
 */
const struct kzt_workload *kzt_authorize(struct net *net, const char *src_id,
					 const struct in6_addr *src_addr,
					 const struct in6_addr *dst_addr,
					 u16 dst_port,
					 struct kzt_decision *decision)
{
	struct kzt_tables *tables = kzt_tables_rcu(net);

	/* NULL once the netns's kzt state is gone (pernet exit). */
	if (unlikely(!tables))
		return NULL;
	return kzt_tables_authorize(tables, src_id, src_addr, dst_addr,
				    dst_port, false, decision);
}
