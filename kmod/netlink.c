// SPDX-License-Identifier: GPL-2.0
/*
 * The "kzt" generic netlink family: per-command policies, handlers and
 * notifications. The attribute tree is documented in
 * include/uapi/linux/kzt.h and Documentation/netlink/specs/kzt.yaml.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "kzt.h"

/* Index of each multicast group in kzt_mcgrps[]. */
enum kzt_mcgrp_id {
	KZT_MCGRP_ID_CONFIG,
};

/*
 * Subscribing needs CAP_NET_ADMIN over the netns (its owning user
 * namespace): the configuration is not for every process to read.
 */
static const struct genl_multicast_group kzt_mcgrps[] = {
	[KZT_MCGRP_ID_CONFIG] = {
		.name = KZT_MCGRP_CONFIG,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

VISIBLE_IF_KUNIT
const struct nla_policy kzt_config_set_policy[KZT_CONFIG_A_MAX + 1] = {
	[KZT_CONFIG_A_TUNNEL_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KZT_CONFIG_A_CAPTURE] = NLA_POLICY_MAX(NLA_U8, 1),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_config_set_policy);

/*
 * For split ops without a policy the core checks no attribute at all
 * (genl_family_rcv_msg_attrs_parse() returns early when maxattr is 0), so
 * commands that take none say so explicitly.
 */
VISIBLE_IF_KUNIT
const struct nla_policy kzt_no_attrs_policy[KZT_CONFIG_A_MAX + 1] = {
	[1 ... KZT_CONFIG_A_MAX] = {
		.type = NLA_REJECT,
		.reject_message = "this command takes no attributes",
	},
};
EXPORT_SYMBOL_IF_KUNIT(kzt_no_attrs_policy);

static struct genl_family kzt_family;

/* Put a CONFIG_GET reply or CONFIG_NTF for @cfg into @msg; never sleeps. */
static int kzt_config_msg_put(struct sk_buff *msg, const struct kzt_config *cfg,
			      u8 cmd, u32 portid, u32 seq)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &kzt_family, 0, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (kzt_config_fill(msg, cfg)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int kzt_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kzt_net *kn = kzt_pernet(genl_info_net(info));
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(kzt_config_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	/* Filled inside the read section: no copy of the config to keep. */
	rcu_read_lock();
	err = kzt_config_msg_put(msg, rcu_dereference(kn->config),
				 KZT_CMD_CONFIG_GET, info->snd_portid,
				 info->snd_seq);
	rcu_read_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int kzt_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct kzt_net *kn = kzt_pernet(net);
	struct kzt_config *old, *new;
	int err;

	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	mutex_lock(&kn->config_lock);
	old = rcu_dereference_protected(kn->config,
					lockdep_is_held(&kn->config_lock));
	err = kzt_config_merge(new, old, info->attrs, info->extack);
	if (err)
		goto out_unlock;

	rcu_assign_pointer(kn->config, new);
	kzt_genl_notify_config(net, new);
	mutex_unlock(&kn->config_lock);

	kfree_rcu(old, rcu);
	return 0;

out_unlock:
	mutex_unlock(&kn->config_lock);
	kfree(new);
	return err;
}

/*
 * Every command needs CAP_NET_ADMIN in the initial user namespace: the
 * family configures the node's data path.
 */
static const struct genl_split_ops kzt_nl_ops[] = {
	{
		.cmd	= KZT_CMD_CONFIG_GET,
		.doit	= kzt_nl_config_get_doit,
		.policy	= kzt_no_attrs_policy,
		.maxattr = KZT_CONFIG_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_CONFIG_SET,
		.doit	= kzt_nl_config_set_doit,
		.policy	= kzt_config_set_policy,
		.maxattr = KZT_CONFIG_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static struct genl_family kzt_family __ro_after_init = {
	.name		= KZT_GENL_NAME,
	.version	= KZT_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,	/* kzt_net.config_lock serialises writers */
	.module		= THIS_MODULE,
	.split_ops	= kzt_nl_ops,
	.n_split_ops	= ARRAY_SIZE(kzt_nl_ops),
	.mcgrps		= kzt_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kzt_mcgrps),
};

/**
 * kzt_genl_notify_config() - tell the "config" group of @net about @cfg
 * @net: netns whose configuration changed
 * @cfg: its new configuration
 *
 * Best effort: a listener that misses it can always CONFIG_GET.
 */
void kzt_genl_notify_config(struct net *net, const struct kzt_config *cfg)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&kzt_family, net, KZT_MCGRP_ID_CONFIG))
		return;
	msg = genlmsg_new(kzt_config_msg_size(), GFP_KERNEL);
	if (!msg)
		return;
	if (kzt_config_msg_put(msg, cfg, KZT_CMD_CONFIG_NTF, 0, 0)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&kzt_family, net, msg, 0, KZT_MCGRP_ID_CONFIG,
				GFP_KERNEL);
}

/**
 * kzt_genl_register() - make the "kzt" family reachable from every netns
 *
 * Return: 0 or a negative errno.
 */
int __init kzt_genl_register(void)
{
	return genl_register_family(&kzt_family);
}

/**
 * kzt_genl_unregister() - remove the family; waits for running handlers
 */
void kzt_genl_unregister(void)
{
	genl_unregister_family(&kzt_family);
}
