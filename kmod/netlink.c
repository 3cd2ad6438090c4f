// SPDX-License-Identifier: GPL-2.0
/*
 * The "kzt" generic netlink family: its operation table, multicast groups
 * and the checks every command shares. The attribute tree is documented in
 * include/uapi/linux/kzt.h and Documentation/netlink/specs/kzt.yaml; the
 * policies and handlers of each object are in nl_<object>.c.
 */
#include <linux/bits.h>
#include <linux/srcu.h>
#include <net/genetlink.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "kzt.h"
#include "nl.h"

/* Index of each multicast group in kzt_mcgrps[]. */
enum kzt_mcgrp_id {
	KZT_MCGRP_ID_CONFIG,
	KZT_MCGRP_ID_HANDSHAKE,
	KZT_MCGRP_ID_FLOWS,
};

/*
 * Set once, at unload, before the family is unregistered. The multicasts
 * below run in an SRCU read section that tests it: genl_unregister_family()
 * releases the family's group ids for reuse, and flows and handshakes that
 * end during unload (pernet exit, after the family is gone) must not send
 * to a group another family may have by then. kzt_genl_unregister() waits
 * for the readers that saw it clear. SRCU: the handshake notification
 * allocates with GFP_KERNEL; srcu_read_lock() is fine under a spinlock.
 */
static bool kzt_genl_gone;
DEFINE_STATIC_SRCU(kzt_genl_srcu);

/* Whether the family is still registered; in a kzt_genl_srcu section. */
static bool kzt_genl_up(void)
{
	return !READ_ONCE(kzt_genl_gone);
}

/*
 * Subscribing needs CAP_NET_ADMIN over the netns (its owning user
 * namespace): the configuration is not for every process to read, and a
 * handshake listener is who the kernel trusts with tunnel sockets, and
 * the flow events show who talks to whom.
 */
static const struct genl_multicast_group kzt_mcgrps[] = {
	[KZT_MCGRP_ID_CONFIG] = {
		.name = KZT_MCGRP_CONFIG,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	[KZT_MCGRP_ID_HANDSHAKE] = {
		.name = KZT_MCGRP_HANDSHAKE,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	[KZT_MCGRP_ID_FLOWS] = {
		.name = KZT_MCGRP_FLOWS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/*
 * For split ops without a policy the core checks no attribute at all
 * (genl_family_rcv_msg_attrs_parse() returns early when maxattr is 0), so
 * commands that take none say so explicitly. Sized for the largest
 * attribute set; each op passes its own maxattr.
 */
const struct nla_policy kzt_no_attrs_policy[KZT_NL_ATTR_MAX + 1] = {
	[1 ... KZT_NL_ATTR_MAX] = {
		.type = NLA_REJECT,
		.reject_message = "this command takes no attributes",
	},
};
EXPORT_SYMBOL_IF_KUNIT(kzt_no_attrs_policy);

/**
 * kzt_nl_check_repeats() - refuse a repeated attribute that is not a list
 * @head: first attribute of a message or nest, already policy-checked
 * @len: length of the attribute stream
 * @multi: bit N set when attribute type N may repeat (multi-attr)
 * @extack: where to report an error
 *
 * nla_parse() keeps the last of repeated attributes silently; a request
 * saying two things about one field is refused instead.
 *
 * Return: 0, or -EINVAL naming the repeated attribute.
 */
int kzt_nl_check_repeats(const struct nlattr *head, int len, u64 multi,
			 struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	u64 seen = 0;
	int rem;

	nla_for_each_attr(nla, head, len, rem) {
		int type = nla_type(nla);

		/* Types this large were refused by the policy already. */
		if (type >= 64 || (multi & BIT_ULL(type)))
			continue;
		if (seen & BIT_ULL(type)) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "attribute given more than once");
			return -EINVAL;
		}
		seen |= BIT_ULL(type);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_nl_check_repeats);

/* The attributes a command may repeat: multi-attr in the spec. */
static u64 kzt_nl_multi_attrs(u8 cmd)
{
	switch (cmd) {
	case KZT_CMD_POLICY_ADD:
		return BIT_ULL(KZT_POLICY_A_SCOPE_ID) |
		       BIT_ULL(KZT_POLICY_A_SCOPE_ADDR) | BIT_ULL(KZT_POLICY_A_RULE);
	case KZT_CMD_REVOKE:
		return BIT_ULL(KZT_REVOKE_A_PEER_ID);
	default:
		return 0;
	}
}

/*
 * After the policy checked every attribute, before the handler runs. Split
 * ops take no family-wide pre_doit: every doit op names it.
 */
static int kzt_nl_pre_doit(const struct genl_split_ops *ops,
			   struct sk_buff *skb, struct genl_info *info)
{
	return kzt_nl_check_repeats(genlmsg_data(info->genlhdr),
				    genlmsg_len(info->genlhdr),
				    kzt_nl_multi_attrs(ops->cmd), info->extack);
}

/*
 * Every command needs CAP_NET_ADMIN in the initial user namespace: the
 * family configures the node's data path, and its reads show identities.
 */
static const struct genl_split_ops kzt_nl_ops[] = {
	{
		.cmd	= KZT_CMD_CONFIG_GET,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_config_get_doit,
		.policy	= kzt_no_attrs_policy,
		.maxattr = KZT_CONFIG_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_CONFIG_SET,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_config_set_doit,
		.policy	= kzt_config_set_policy,
		.maxattr = KZT_CONFIG_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_WORKLOAD_ADD,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_workload_add_doit,
		.policy	= kzt_workload_add_policy,
		.maxattr = KZT_WORKLOAD_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_WORKLOAD_DEL,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_workload_del_doit,
		.policy	= kzt_workload_del_policy,
		.maxattr = KZT_WORKLOAD_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_WORKLOAD_GET,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_workload_get_doit,
		.policy	= kzt_workload_addr_policy,
		.maxattr = KZT_WORKLOAD_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_WORKLOAD_GET,
		.start	= kzt_nl_workload_dump_start,
		.dumpit	= kzt_nl_workload_get_dumpit,
		.done	= kzt_nl_workload_dump_done,
		.policy	= kzt_no_attrs_policy,
		.maxattr = KZT_WORKLOAD_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd	= KZT_CMD_POLICY_ADD,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_policy_add_doit,
		.policy	= kzt_policy_add_nl_policy,
		.maxattr = KZT_POLICY_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_POLICY_DEL,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_policy_del_doit,
		.policy	= kzt_policy_del_policy,
		.maxattr = KZT_POLICY_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_POLICY_GET,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_policy_get_doit,
		.policy	= kzt_policy_name_policy,
		.maxattr = KZT_POLICY_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_POLICY_GET,
		.start	= kzt_nl_policy_dump_start,
		.dumpit	= kzt_nl_policy_get_dumpit,
		.policy	= kzt_no_attrs_policy,
		.maxattr = KZT_POLICY_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd	= KZT_CMD_POLICY_CHECK,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_policy_check_doit,
		.policy	= kzt_policy_check_policy,
		.maxattr = KZT_CHECK_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_TXN_BEGIN,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_txn_begin_doit,
		.policy	= kzt_txn_begin_policy,
		.maxattr = KZT_TXN_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_TXN_COMMIT,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_txn_commit_doit,
		.policy	= kzt_txn_id_policy,
		.maxattr = KZT_TXN_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_TXN_ABORT,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_txn_abort_doit,
		.policy	= kzt_txn_id_policy,
		.maxattr = KZT_TXN_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_HANDSHAKE_ACCEPT,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_hs_accept_doit,
		.policy	= kzt_hs_accept_policy,
		.maxattr = KZT_HS_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		/*
		 * No .policy and no .pre_doit: the handler checks with
		 * kzt_hs_done_policy itself, so that it can wipe a request
		 * refused by any check.
		 */
		.cmd	= KZT_CMD_HANDSHAKE_DONE,
		.doit	= kzt_nl_hs_done_doit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_CONN_GET,
		.dumpit	= kzt_nl_conn_get_dumpit,
		.policy	= kzt_no_attrs_policy,
		.maxattr = KZT_CONN_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd	= KZT_CMD_STATS_GET,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_stats_get_doit,
		.policy	= kzt_no_attrs_policy,
		.maxattr = KZT_STATS_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_REVOKE,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_revoke_doit,
		.policy	= kzt_revoke_policy,
		.maxattr = KZT_REVOKE_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KZT_CMD_POOL_FLUSH,
		.pre_doit = kzt_nl_pre_doit,
		.doit	= kzt_nl_pool_flush_doit,
		.policy	= kzt_no_attrs_policy,
		.maxattr = KZT_POOL_A_MAX,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

struct genl_family kzt_family __ro_after_init = {
	.name		= KZT_GENL_NAME,
	.version	= KZT_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,	/* kzt_net's locks serialise writers */
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
	void *hdr;
	int idx;

	idx = srcu_read_lock(&kzt_genl_srcu);
	if (!kzt_genl_up() ||
	    !genl_has_listeners(&kzt_family, net, KZT_MCGRP_ID_CONFIG))
		goto out;
	msg = genlmsg_new(kzt_config_msg_size(), GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, &kzt_family, 0, KZT_CMD_CONFIG_NTF);
	if (!hdr || kzt_config_fill(msg, cfg)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&kzt_family, net, msg, 0, KZT_MCGRP_ID_CONFIG,
				GFP_KERNEL);
out:
	srcu_read_unlock(&kzt_genl_srcu, idx);
}

/**
 * kzt_genl_hs_listening() - whether a daemon listens for handshakes in @net
 * @net: the node netns
 *
 * Return: true when a socket of @net is in the "handshake" group.
 */
bool kzt_genl_hs_listening(struct net *net)
{
	return kzt_genl_up() &&
	       genl_has_listeners(&kzt_family, net, KZT_MCGRP_ID_HANDSHAKE);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_genl_hs_listening);

/**
 * kzt_genl_notify_hs_ready() - tell the "handshake" group requests wait
 * @net: the node netns
 *
 * Process context.
 *
 * Return: 0 when a listener got it, -ESRCH when none listens (or kzt is
 * unloading), -ENOMEM.
 */
int kzt_genl_notify_hs_ready(struct net *net)
{
	struct sk_buff *msg;
	void *hdr;
	int idx, err = -ESRCH;

	idx = srcu_read_lock(&kzt_genl_srcu);
	if (!kzt_genl_up())
		goto out;
	err = -ENOMEM;
	msg = genlmsg_new(0, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, &kzt_family, 0, KZT_CMD_HANDSHAKE_READY);
	if (!hdr) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_multicast_netns(&kzt_family, net, msg, 0,
				      KZT_MCGRP_ID_HANDSHAKE, GFP_KERNEL);
out:
	srcu_read_unlock(&kzt_genl_srcu, idx);
	return err;
}

/**
 * kzt_genl_flows_listening() - whether anyone listens for flow events in @net
 * @net: the node netns
 *
 * Any context. Cheap (a bit test): the flows check it before they build
 * an event.
 *
 * Return: true when a socket of @net is in the "flows" group.
 */
bool kzt_genl_flows_listening(struct net *net)
{
	return kzt_genl_up() &&
	       genl_has_listeners(&kzt_family, net, KZT_MCGRP_ID_FLOWS);
}

/**
 * kzt_genl_notify_flow() - multicast a flow event to the "flows" group
 * @net: the node netns
 * @msg: a finished KZT_CMD_FLOW_* message; consumed
 *
 * Never sleeps: callable under a spinlock.
 *
 * Return: 0 when a listener took it; -ESRCH when none did (none listens,
 * kzt is unloading, or every listener's receive buffer was full), -ENOBUFS
 * when one that set NETLINK_BROADCAST_ERROR could not take it, -ENOMEM.
 */
int kzt_genl_notify_flow(struct net *net, struct sk_buff *msg)
{
	int idx, err;

	idx = srcu_read_lock(&kzt_genl_srcu);
	if (kzt_genl_up()) {
		err = genlmsg_multicast_netns(&kzt_family, net, msg, 0,
					      KZT_MCGRP_ID_FLOWS,
					      GFP_NOWAIT | __GFP_NOWARN);
	} else {
		nlmsg_free(msg);
		err = -ESRCH;
	}
	srcu_read_unlock(&kzt_genl_srcu, idx);
	return err;
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
 *
 * No notification is sent from the start of this call on, even by the
 * flows that pernet exit ends afterwards (kzt_genl_gone).
 */
void kzt_genl_unregister(void)
{
	WRITE_ONCE(kzt_genl_gone, true);
	/* ORDER: no multicast that saw the family up is still running. */
	synchronize_srcu(&kzt_genl_srcu);
	genl_unregister_family(&kzt_family);
}
