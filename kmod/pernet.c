// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace life cycle: every netns, the initial one included,
 * gets a struct kzt_net with a default configuration and empty tables when
 * it is created (or when kzt loads) and loses it when the netns goes away
 * (or kzt unloads).
 */
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "flow.h"
#include "handshake.h"
#include "capture.h"
#include "kzt.h"
#include "stats.h"

unsigned int kzt_net_id __read_mostly;

/**
 * kzt_net_state_init() - give @kn a default configuration and empty tables
 * @kn: zeroed per-netns state
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_net_state_init(struct kzt_net *kn)
{
	struct kzt_tables *tables;
	struct kzt_config *cfg;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	tables = kzt_tables_new(KZT_WORKLOADS_MAX);
	if (!tables) {
		kfree(cfg);
		return -ENOMEM;
	}
	kzt_config_init_defaults(cfg);

	mutex_init(&kn->config_lock);
	RCU_INIT_POINTER(kn->config, cfg);
	mutex_init(&kn->tables_lock);
	RCU_INIT_POINTER(kn->tables, tables);
	kn->generation = 1;
	kn->txn = NULL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_net_state_init);

/**
 * kzt_net_state_exit() - free everything @kn holds
 * @kn: per-netns state nobody can send requests to any more
 */
void kzt_net_state_exit(struct kzt_net *kn)
{
	/*
	 * No netlink request can still run in a dying netns (every socket
	 * holds a reference on it), nor a dump (it holds its socket). Readers
	 * from other contexts may still be in an RCU read section: both
	 * objects are freed after a grace period.
	 */
	kzt_txn_release(kn, 0);
	kzt_tables_put(rcu_dereference_protected(kn->tables, true));
	RCU_INIT_POINTER(kn->tables, NULL);
	mutex_destroy(&kn->tables_lock);

	kfree_rcu(rcu_dereference_protected(kn->config, true), rcu);
	RCU_INIT_POINTER(kn->config, NULL);
	mutex_destroy(&kn->config_lock);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_net_state_exit);

static int __net_init kzt_net_init(struct net *net)
{
	int err;

	err = kzt_net_state_init(kzt_pernet(net));
	if (err)
		return err;
	err = kzt_stats_net_init(net);
	if (err)
		goto out_state_exit;
	err = kzt_handshake_net_init(net);
	if (err)
		goto out_stats_exit;
	err = kzt_flow_net_init(net);
	if (err)
		goto out_handshake_exit;
	return 0;

out_handshake_exit:
	kzt_handshake_net_exit(net);
out_stats_exit:
	kzt_stats_net_exit(net);
out_state_exit:
	kzt_net_state_exit(kzt_pernet(net));
	return err;
}

static void __net_exit kzt_net_exit(struct net *net)
{
	/*
	 * ORDER: hooks and listeners go first (no new flow), then flows
	 * (they cancel their handshake requests), then what they used.
	 */
	kzt_capture_net_exit(net);
	kzt_flow_net_exit(net);
	kzt_handshake_net_exit(net);
	kzt_stats_net_exit(net);
	kzt_net_state_exit(kzt_pernet(net));
}

static struct pernet_operations kzt_net_ops = {
	.init = kzt_net_init,
	.exit = kzt_net_exit,
	.id = &kzt_net_id,
	.size = sizeof(struct kzt_net),
};

/**
 * kzt_pernet_register() - create kzt state in every netns, now and later
 *
 * Return: 0 or a negative errno.
 */
int kzt_pernet_register(void)
{
	return register_pernet_subsys(&kzt_net_ops);
}

/**
 * kzt_pernet_unregister() - free the kzt state of every netns
 */
void kzt_pernet_unregister(void)
{
	unregister_pernet_subsys(&kzt_net_ops);
}
