// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace life cycle: every netns, the initial one included,
 * gets a struct kzt_net with a default configuration when it is created (or
 * when kzt loads) and loses it when the netns goes away (or kzt unloads).
 */
#include <linux/slab.h>

#include "kzt.h"

unsigned int kzt_net_id __read_mostly;

static int __net_init kzt_net_init(struct net *net)
{
	struct kzt_net *kn = kzt_pernet(net);
	struct kzt_config *cfg;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	kzt_config_init_defaults(cfg);

	mutex_init(&kn->config_lock);
	RCU_INIT_POINTER(kn->config, cfg);
	return 0;
}

static void __net_exit kzt_net_exit(struct net *net)
{
	struct kzt_net *kn = kzt_pernet(net);

	/*
	 * No netlink request can still run in a dying netns (every socket
	 * holds a reference on it); kfree_rcu() all the same, the object's
	 * RCU contract costs nothing here.
	 */
	kfree_rcu(rcu_dereference_protected(kn->config, true), rcu);
	RCU_INIT_POINTER(kn->config, NULL);
	mutex_destroy(&kn->config_lock);
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
