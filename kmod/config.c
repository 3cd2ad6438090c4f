// SPDX-License-Identifier: GPL-2.0
/*
 * Node configuration values: defaults, applying a CONFIG_SET request, and
 * the netlink form. Pure logic with no locking of its own: the callers in
 * nl_config.c hold kzt_net.config_lock around a replace.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "config.h"
#include "extack.h"
#include "spiffe.h"

/**
 * kzt_config_init_defaults() - fill @cfg with the configuration of a new node
 * @cfg: configuration to fill
 */
void kzt_config_init_defaults(struct kzt_config *cfg)
{
	cfg->tunnel_port = KZT_DEFAULT_TUNNEL_PORT;
	cfg->capture = false;
	cfg->nonmesh = KZT_NONMESH_DENY;
	cfg->handshake_timeout_ms = KZT_DEFAULT_HANDSHAKE_TIMEOUT_MS;
	cfg->idle_timeout_s = KZT_DEFAULT_IDLE_TIMEOUT_S;
	cfg->keepalive_idle_s = KZT_DEFAULT_KEEPALIVE_IDLE_S;
	cfg->keepalive_interval_s = KZT_DEFAULT_KEEPALIVE_INTERVAL_S;
	cfg->keepalive_probes = KZT_DEFAULT_KEEPALIVE_PROBES;
	cfg->flow_stats_interval_s = KZT_DEFAULT_FLOW_STATS_INTERVAL_S;
	strscpy(cfg->trust_domain, KZT_DEFAULT_TRUST_DOMAIN);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_config_init_defaults);

static bool kzt_config_attr_given(struct nlattr **attrs)
{
	int type;

	for (type = 1; type <= KZT_CONFIG_A_MAX; type++)
		if (attrs[type])
			return true;
	return false;
}

/**
 * kzt_config_merge() - build the configuration a CONFIG_SET request asks for
 * @new: result: @old with the attributes of the request applied
 * @old: current configuration
 * @attrs: request attributes, already validated by the CONFIG_SET policy
 * @extack: where to report an error
 *
 * The policy checks types and ranges; what it cannot check (the syntax of a
 * trust domain) is checked here, before anything of @new is used.
 *
 * Return: 0, or -EINVAL when the request changes nothing (no attribute) or
 * names an invalid trust domain.
 */
int kzt_config_merge(struct kzt_config *new, const struct kzt_config *old,
		     struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	struct nlattr *td = attrs[KZT_CONFIG_A_TRUST_DOMAIN];

	if (!kzt_config_attr_given(attrs)) {
		NL_SET_ERR_MSG(extack, "no configuration attribute given");
		return -EINVAL;
	}
	if (td) {
		/* NLA_NUL_STRING: NUL-terminated within the policy's length. */
		const char *name = nla_data(td);
		const char *why = kzt_trust_domain_check(name, strlen(name));

		if (why) {
			kzt_extack_attr(extack, td, why);
			return -EINVAL;
		}
	}

	/* Field by field: @old's rcu_head is not ours to copy. */
	new->tunnel_port = old->tunnel_port;
	new->capture = old->capture;
	new->nonmesh = old->nonmesh;
	new->handshake_timeout_ms = old->handshake_timeout_ms;
	new->idle_timeout_s = old->idle_timeout_s;
	new->keepalive_idle_s = old->keepalive_idle_s;
	new->keepalive_interval_s = old->keepalive_interval_s;
	new->keepalive_probes = old->keepalive_probes;
	new->flow_stats_interval_s = old->flow_stats_interval_s;
	strscpy(new->trust_domain, old->trust_domain);
	if (attrs[KZT_CONFIG_A_TUNNEL_PORT])
		new->tunnel_port = nla_get_u16(attrs[KZT_CONFIG_A_TUNNEL_PORT]);
	if (attrs[KZT_CONFIG_A_CAPTURE])
		new->capture = nla_get_u8(attrs[KZT_CONFIG_A_CAPTURE]);
	if (attrs[KZT_CONFIG_A_NONMESH])
		new->nonmesh = nla_get_u8(attrs[KZT_CONFIG_A_NONMESH]);
	if (attrs[KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS])
		new->handshake_timeout_ms =
			nla_get_u32(attrs[KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS]);
	if (attrs[KZT_CONFIG_A_IDLE_TIMEOUT_S])
		new->idle_timeout_s =
			nla_get_u32(attrs[KZT_CONFIG_A_IDLE_TIMEOUT_S]);
	if (attrs[KZT_CONFIG_A_KEEPALIVE_IDLE_S])
		new->keepalive_idle_s =
			nla_get_u32(attrs[KZT_CONFIG_A_KEEPALIVE_IDLE_S]);
	if (attrs[KZT_CONFIG_A_KEEPALIVE_INTERVAL_S])
		new->keepalive_interval_s =
			nla_get_u32(attrs[KZT_CONFIG_A_KEEPALIVE_INTERVAL_S]);
	if (attrs[KZT_CONFIG_A_KEEPALIVE_PROBES])
		new->keepalive_probes =
			nla_get_u8(attrs[KZT_CONFIG_A_KEEPALIVE_PROBES]);
	if (attrs[KZT_CONFIG_A_FLOW_STATS_INTERVAL_S])
		new->flow_stats_interval_s =
			nla_get_u32(attrs[KZT_CONFIG_A_FLOW_STATS_INTERVAL_S]);
	if (td)
		strscpy(new->trust_domain, nla_data(td));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_config_merge);

/**
 * kzt_config_msg_size() - room kzt_config_fill() needs at most
 *
 * Return: the payload size of the attributes kzt_config_fill() puts for a
 * configuration whose trust domain has the longest length allowed.
 */
size_t kzt_config_msg_size(void)
{
	return nla_total_size(sizeof(u16)) +	/* KZT_CONFIG_A_TUNNEL_PORT */
	       nla_total_size(sizeof(u8)) +	/* KZT_CONFIG_A_CAPTURE */
	       nla_total_size(KZT_TRUST_DOMAIN_MAX + 1) + /* _TRUST_DOMAIN */
	       nla_total_size(sizeof(u8)) +	/* KZT_CONFIG_A_NONMESH */
	       nla_total_size(sizeof(u32)) +	/* _HANDSHAKE_TIMEOUT_MS */
	       nla_total_size(sizeof(u32)) +	/* _IDLE_TIMEOUT_S */
	       nla_total_size(sizeof(u32)) +	/* _KEEPALIVE_IDLE_S */
	       nla_total_size(sizeof(u32)) +	/* _KEEPALIVE_INTERVAL_S */
	       nla_total_size(sizeof(u8)) +	/* _KEEPALIVE_PROBES */
	       nla_total_size(sizeof(u32));	/* _FLOW_STATS_INTERVAL_S */
}
EXPORT_SYMBOL_IF_KUNIT(kzt_config_msg_size);

/**
 * kzt_config_fill() - put every configuration attribute into @skb
 * @skb: message being built
 * @cfg: configuration to describe
 *
 * Return: 0, or -EMSGSIZE when @skb is too small.
 */
int kzt_config_fill(struct sk_buff *skb, const struct kzt_config *cfg)
{
	if (nla_put_u16(skb, KZT_CONFIG_A_TUNNEL_PORT, cfg->tunnel_port) ||
	    nla_put_u8(skb, KZT_CONFIG_A_CAPTURE, cfg->capture) ||
	    nla_put_string(skb, KZT_CONFIG_A_TRUST_DOMAIN, cfg->trust_domain) ||
	    nla_put_u8(skb, KZT_CONFIG_A_NONMESH, cfg->nonmesh) ||
	    nla_put_u32(skb, KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS,
			cfg->handshake_timeout_ms) ||
	    nla_put_u32(skb, KZT_CONFIG_A_IDLE_TIMEOUT_S, cfg->idle_timeout_s) ||
	    nla_put_u32(skb, KZT_CONFIG_A_KEEPALIVE_IDLE_S,
			cfg->keepalive_idle_s) ||
	    nla_put_u32(skb, KZT_CONFIG_A_KEEPALIVE_INTERVAL_S,
			cfg->keepalive_interval_s) ||
	    nla_put_u8(skb, KZT_CONFIG_A_KEEPALIVE_PROBES,
		       cfg->keepalive_probes) ||
	    nla_put_u32(skb, KZT_CONFIG_A_FLOW_STATS_INTERVAL_S,
			cfg->flow_stats_interval_s))
		return -EMSGSIZE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_config_fill);
