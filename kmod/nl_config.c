// SPDX-License-Identifier: GPL-2.0
/*
 * CONFIG_GET and CONFIG_SET: the node configuration over netlink.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "capture.h"
#include "flow.h"
#include "kzt.h"
#include "nl.h"

/* u32 bounds beyond the s16 of NLA_POLICY_RANGE */
static const struct netlink_range_validation kzt_hs_timeout_range = {
	.min = KZT_HANDSHAKE_TIMEOUT_MS_MIN,
	.max = KZT_HANDSHAKE_TIMEOUT_MS_MAX,
};

static const struct netlink_range_validation kzt_flow_stats_interval_range = {
	.max = KZT_FLOW_STATS_INTERVAL_S_MAX,
};

static const struct netlink_range_validation kzt_idle_timeout_range = {
	.max = KZT_IDLE_TIMEOUT_S_MAX,
};

const struct nla_policy kzt_config_set_policy[KZT_CONFIG_A_MAX + 1] = {
	[KZT_CONFIG_A_TUNNEL_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KZT_CONFIG_A_CAPTURE] = NLA_POLICY_MAX(NLA_U8, 1),
	[KZT_CONFIG_A_TRUST_DOMAIN] = { .type = NLA_NUL_STRING,
					.len = KZT_TRUST_DOMAIN_MAX },
	[KZT_CONFIG_A_NONMESH] = NLA_POLICY_MAX(NLA_U8, __KZT_NONMESH_MAX - 1),
	[KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kzt_hs_timeout_range),
	[KZT_CONFIG_A_IDLE_TIMEOUT_S] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kzt_idle_timeout_range),
	[KZT_CONFIG_A_KEEPALIVE_IDLE_S] =
		NLA_POLICY_MAX(NLA_U32, KZT_KEEPALIVE_IDLE_S_MAX),
	[KZT_CONFIG_A_KEEPALIVE_INTERVAL_S] =
		NLA_POLICY_RANGE(NLA_U32, 1, KZT_KEEPALIVE_INTERVAL_S_MAX),
	[KZT_CONFIG_A_KEEPALIVE_PROBES] =
		NLA_POLICY_RANGE(NLA_U8, 1, KZT_KEEPALIVE_PROBES_MAX),
	[KZT_CONFIG_A_FLOW_STATS_INTERVAL_S] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &kzt_flow_stats_interval_range),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_config_set_policy);

/**
 * kzt_nl_config_get_doit() - KZT_CMD_CONFIG_GET
 * @skb: request
 * @info: request attributes (none) and sender
 *
 * Return: 0 or a negative errno.
 */
int kzt_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kzt_net *kn = kzt_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(kzt_config_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kzt_family, 0, KZT_CMD_CONFIG_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_free;
	}

	/* Filled inside the read section: no copy of the config to keep. */
	rcu_read_lock();
	err = kzt_config_fill(msg, rcu_dereference(kn->config));
	rcu_read_unlock();
	if (err)
		goto out_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free:
	nlmsg_free(msg);
	return err;
}

/*
 * Which live flows a new configuration decides differently: the trust
 * domain is one of a tunnelled flow's facts (kzt_redecide()); nonmesh and
 * the tunnel port decide flows kzt lets through, and capture turned on
 * decides those that began before (Documentation/capture.rst).
 */
static bool kzt_config_redecides_tunnelled(const struct kzt_config *old,
					   const struct kzt_config *new)
{
	return strcmp(old->trust_domain, new->trust_domain);
}

static bool kzt_config_redecides_plain(const struct kzt_config *old,
				       const struct kzt_config *new)
{
	return old->nonmesh != new->nonmesh ||
	       old->tunnel_port != new->tunnel_port ||
	       (new->capture && !old->capture);
}

/**
 * kzt_nl_config_set_doit() - KZT_CMD_CONFIG_SET: replace the configuration
 * @skb: request
 * @info: request attributes and sender
 *
 * A change that decides live flows differently queues a sweep of them
 * once the new configuration is published, so that each re-decides on it
 * (Documentation/datapath.rst).
 *
 * Return: 0 or a negative errno; nothing changes on error.
 */
int kzt_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
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
	/* Hooks and listeners first: if they cannot follow, nothing changes. */
	err = kzt_capture_apply(net, old, new, info->extack);
	if (err)
		goto out_unlock;

	rcu_assign_pointer(kn->config, new);
	kzt_genl_notify_config(net, new);
	/* ORDER: after the publish, so that every decision reads @new. */
	if (kzt_config_redecides_tunnelled(old, new))
		kzt_flow_recheck_all(kn->flows);
	if (kzt_config_redecides_plain(old, new))
		kzt_capture_recheck(kn);
	if (old->flow_stats_interval_s != new->flow_stats_interval_s)
		kzt_flow_stats_reschedule(kn->flows);
	mutex_unlock(&kn->config_lock);

	kfree_rcu(old, rcu);
	return 0;

out_unlock:
	mutex_unlock(&kn->config_lock);
	kfree(new);
	return err;
}
