/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state of kzt. Each node of a mesh is a netns with
 * its own configuration; everything kzt keeps hangs off struct kzt_net.
 */
#ifndef _KZT_H
#define _KZT_H

#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>

#include "config.h"

struct kzt_net {
	/* Serialises writers of @config; readers use RCU only. */
	struct mutex config_lock;
	struct kzt_config __rcu *config;
};

extern unsigned int kzt_net_id;

static inline struct kzt_net *kzt_pernet(const struct net *net)
{
	return net_generic(net, kzt_net_id);
}

int kzt_pernet_register(void);
void kzt_pernet_unregister(void);

int kzt_genl_register(void);
void kzt_genl_unregister(void);
void kzt_genl_notify_config(struct net *net, const struct kzt_config *cfg);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals the KUnit suites (kzt_test.ko) reach through EXPORT_SYMBOL_IF_KUNIT. */
extern const struct nla_policy kzt_config_set_policy[];
extern const struct nla_policy kzt_no_attrs_policy[];
#endif

#endif /* _KZT_H */
