// SPDX-License-Identifier: GPL-2.0
/*
 * Node configuration values: defaults, applying a CONFIG_SET request, and
 * the netlink form. Pure logic with no locking of its own: the callers in
 * netlink.c hold kzt_net.config_lock around a replace.
 */
#include <linux/errno.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "config.h"

/**
 * kzt_config_init_defaults() - fill @cfg with the configuration of a new node
 * @cfg: configuration to fill
 */
void kzt_config_init_defaults(struct kzt_config *cfg)
{
	cfg->tunnel_port = KZT_DEFAULT_TUNNEL_PORT;
	cfg->capture = false;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_config_init_defaults);

/**
 * kzt_config_merge() - build the configuration a CONFIG_SET request asks for
 * @new: result: @old with the attributes of the request applied
 * @old: current configuration
 * @attrs: request attributes, already validated by the CONFIG_SET policy
 * @extack: where to report an error
 *
 * Return: 0, or -EINVAL when the request changes nothing (no attribute).
 */
int kzt_config_merge(struct kzt_config *new, const struct kzt_config *old,
		     struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	if (!attrs[KZT_CONFIG_A_TUNNEL_PORT] && !attrs[KZT_CONFIG_A_CAPTURE]) {
		NL_SET_ERR_MSG(extack, "no configuration attribute given");
		return -EINVAL;
	}

	new->tunnel_port = old->tunnel_port;
	new->capture = old->capture;
	if (attrs[KZT_CONFIG_A_TUNNEL_PORT])
		new->tunnel_port = nla_get_u16(attrs[KZT_CONFIG_A_TUNNEL_PORT]);
	if (attrs[KZT_CONFIG_A_CAPTURE])
		new->capture = nla_get_u8(attrs[KZT_CONFIG_A_CAPTURE]);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_config_merge);

/**
 * kzt_config_msg_size() - room kzt_config_fill() needs
 *
 * Return: the payload size of the attributes kzt_config_fill() puts.
 */
size_t kzt_config_msg_size(void)
{
	return nla_total_size(sizeof(u16)) +	/* KZT_CONFIG_A_TUNNEL_PORT */
	       nla_total_size(sizeof(u8));	/* KZT_CONFIG_A_CAPTURE */
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
	    nla_put_u8(skb, KZT_CONFIG_A_CAPTURE, cfg->capture))
		return -EMSGSIZE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_config_fill);
