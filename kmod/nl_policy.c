// SPDX-License-Identifier: GPL-2.0
/*
 * POLICY_ADD, _DEL, _GET (do and dump) and POLICY_CHECK. Policies are
 * parsed and validated by policy.c; this file finds the snapshot a request
 * acts on and does the netlink plumbing.
 *
 * The policy set is an immutable array in name order, so the dump cursor
 * is an index into the set of the live snapshot, read again under
 * kzt_net.tables_lock on every call; cb->seq is the tables generation, so
 * a dump that races with a change is flagged NLM_F_DUMP_INTR.
 */
#include <net/genetlink.h>
#include <net/sock.h>
#include <kunit/visibility.h>

#include <linux/kzt.h>

#include "extack.h"
#include "kzt.h"
#include "nl.h"
#include "spiffe.h"

/* POLICY_DEL and the POLICY_GET do: the name and nothing else. */
const struct nla_policy kzt_policy_name_policy[KZT_POLICY_A_MAX + 1] = {
	[KZT_POLICY_A_NAME] = { .type = NLA_NUL_STRING, .len = KZT_POLICY_NAME_MAX },
};
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_name_policy);

/* POLICY_DEL: the name, and the transaction to remove it in. */
const struct nla_policy kzt_policy_del_policy[KZT_POLICY_A_MAX + 1] = {
	[KZT_POLICY_A_NAME] = { .type = NLA_NUL_STRING, .len = KZT_POLICY_NAME_MAX },
	[KZT_POLICY_A_TXN] = NLA_POLICY_MIN(NLA_U32, 1),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_del_policy);

const struct nla_policy kzt_policy_check_policy[KZT_CHECK_A_MAX + 1] = {
	[KZT_CHECK_A_SRC_ID] = { .type = NLA_NUL_STRING, .len = KZT_SPIFFE_ID_MAX },
	[KZT_CHECK_A_SRC_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KZT_CHECK_A_DST_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KZT_CHECK_A_DST_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};
EXPORT_SYMBOL_IF_KUNIT(kzt_policy_check_policy);

/**
 * kzt_nl_policy_add_doit() - KZT_CMD_POLICY_ADD
 * @skb: request
 * @info: request attributes and sender
 *
 * Return: 0 or a negative errno; nothing changes on error.
 */
int kzt_nl_policy_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kzt_net *kn = kzt_pernet(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct kzt_tables *tables;
	struct kzt_policy *policy;
	bool replace = false;
	int err;

	/* Parsed and validated whole before any lock is taken. */
	policy = kzt_policy_from_attrs(genlmsg_data(info->genlhdr),
				       genlmsg_len(info->genlhdr), info->extack);
	if (IS_ERR(policy))
		return PTR_ERR(policy);
	if (attrs[KZT_POLICY_A_FLAGS])
		replace = nla_get_u32(attrs[KZT_POLICY_A_FLAGS]) &
			  KZT_POLICY_F_REPLACE;

	mutex_lock(&kn->tables_lock);
	tables = kzt_txn_target(kn, attrs[KZT_POLICY_A_TXN], info->snd_portid,
				info->extack);
	if (IS_ERR(tables)) {
		kzt_policy_put(policy);
		err = PTR_ERR(tables);
	} else {
		err = kzt_tables_policy_add(kn, tables, policy, replace,
					    info->extack);
	}
	mutex_unlock(&kn->tables_lock);
	return err;
}

/**
 * kzt_nl_policy_del_doit() - KZT_CMD_POLICY_DEL
 * @skb: request
 * @info: request attributes and sender
 *
 * Acts on the live set, or with KZT_POLICY_A_TXN on the staging set of the
 * caller's transaction.
 *
 * Return: 0 or a negative errno (-ENOENT: no such policy, or no such open
 * transaction).
 */
int kzt_nl_policy_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kzt_net *kn = kzt_pernet(genl_info_net(info));
	struct kzt_tables *tables;
	int err;

	if (KZT_REQ_ATTR_CHECK(info, KZT_POLICY_A_NAME, "missing policy name"))
		return -EINVAL;

	mutex_lock(&kn->tables_lock);
	tables = kzt_txn_target(kn, info->attrs[KZT_POLICY_A_TXN],
				info->snd_portid, info->extack);
	if (IS_ERR(tables))
		err = PTR_ERR(tables);
	else
		err = kzt_tables_policy_del(kn, tables,
					    nla_data(info->attrs[KZT_POLICY_A_NAME]),
					    info->extack);
	mutex_unlock(&kn->tables_lock);
	return err;
}

/* One policy as a GET reply or dump message; never sleeps. */
static int kzt_nl_policy_put(struct sk_buff *msg, const struct kzt_policy *policy,
			     u32 portid, u32 seq, int flags,
			     struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &kzt_family, flags,
			  KZT_CMD_POLICY_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (kzt_policy_fill(msg, policy)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/**
 * kzt_nl_policy_get_doit() - KZT_CMD_POLICY_GET of one name
 * @skb: request
 * @info: request attributes and sender
 *
 * Return: 0 or a negative errno (-ENOENT: no such policy).
 */
int kzt_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kzt_net *kn = kzt_pernet(genl_info_net(info));
	struct nlattr *name = info->attrs[KZT_POLICY_A_NAME];
	const struct kzt_policy *policy;
	struct sk_buff *msg = NULL;
	int err;

	if (KZT_REQ_ATTR_CHECK(info, KZT_POLICY_A_NAME, "missing policy name"))
		return -EINVAL;

	/* The lock keeps the policy alive while its size is taken and used. */
	mutex_lock(&kn->tables_lock);
	policy = kzt_policy_set_find(kzt_tables_policies(kn, kzt_tables_live(kn)),
				     nla_data(name));
	err = -ENOENT;
	if (!policy) {
		NL_SET_ERR_MSG_ATTR(info->extack, name, "no policy with this name");
		goto out_unlock;
	}
	err = -ENOMEM;
	msg = genlmsg_new(kzt_policy_msg_size(policy), GFP_KERNEL);
	if (!msg)
		goto out_unlock;
	err = kzt_nl_policy_put(msg, policy, info->snd_portid, info->snd_seq,
				0, NULL);
out_unlock:
	mutex_unlock(&kn->tables_lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/**
 * kzt_nl_policy_dump_fill() - fill @skb with the next policies of @kn
 * @kn: per-netns state
 * @skb: message to fill
 * @cb: dump state; cb->args[0] is the index of the next policy
 *
 * Return: bytes put, 0 at the end, or a negative errno.
 */
int kzt_nl_policy_dump_fill(struct kzt_net *kn, struct sk_buff *skb,
			    struct netlink_callback *cb)
{
	const struct kzt_policy_set *set;
	unsigned int i;
	int err = 0;

	mutex_lock(&kn->tables_lock);
	cb->seq = kn->generation;
	set = kzt_tables_policies(kn, kzt_tables_live(kn));
	for (i = cb->args[0]; i < kzt_policy_set_len(set); i++) {
		err = kzt_nl_policy_put(skb, kzt_policy_set_at(set, i),
					NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err)
			break;
	}
	mutex_unlock(&kn->tables_lock);
	cb->args[0] = i;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;	/* full: go on in the next call */
	return err ?: skb->len;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_nl_policy_dump_fill);

/**
 * kzt_nl_policy_dump_start() - begin a POLICY_GET dump
 * @cb: dump state
 *
 * Each message of the dump holds one whole policy of up to
 * KZT_POLICY_SIZE_MAX bytes: ask for buffers that always fit one, or a
 * policy larger than a default buffer would end the dump with -EMSGSIZE.
 *
 * Return: 0.
 */
int kzt_nl_policy_dump_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = nlmsg_total_size(GENL_HDRLEN + KZT_POLICY_SIZE_MAX);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_nl_policy_dump_start);

/**
 * kzt_nl_policy_get_dumpit() - fill @skb with the next policies
 * @skb: message to fill
 * @cb: dump state
 *
 * Return: bytes put, 0 at the end, or a negative errno.
 */
int kzt_nl_policy_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return kzt_nl_policy_dump_fill(kzt_pernet(sock_net(skb->sk)), skb, cb);
}

static size_t kzt_nl_check_reply_size(void)
{
	return nla_total_size(sizeof(u8)) +		/* _VERDICT */
	       nla_total_size(sizeof(u8)) +		/* _REASON */
	       nla_total_size(KZT_POLICY_NAME_MAX + 1) + /* _POLICY */
	       nla_total_size(KZT_SPIFFE_ID_MAX + 1) +	/* _DST_ID */
	       2 * nla_total_size(sizeof(u8)) +		/* _DRY_RUN_VERDICT, _REASON */
	       nla_total_size(KZT_POLICY_NAME_MAX + 1);	/* _DRY_RUN_POLICY */
}

/* The dry-run decision, when a dry-run policy applies. */
static int kzt_nl_check_dry_run_fill(struct sk_buff *msg,
				     const struct kzt_decision *d)
{
	if (!d->dry_run)
		return 0;
	if (nla_put_u8(msg, KZT_CHECK_A_DRY_RUN_VERDICT, d->dry_verdict) ||
	    nla_put_u8(msg, KZT_CHECK_A_DRY_RUN_REASON, d->dry_reason) ||
	    (d->dry_policy && nla_put_string(msg, KZT_CHECK_A_DRY_RUN_POLICY,
					     kzt_policy_name(d->dry_policy))))
		return -EMSGSIZE;
	return 0;
}

static int kzt_nl_check_fill(struct sk_buff *msg, const struct kzt_decision *d,
			     const struct kzt_workload *dst)
{
	if (nla_put_u8(msg, KZT_CHECK_A_VERDICT, d->verdict) ||
	    nla_put_u8(msg, KZT_CHECK_A_REASON, d->reason) ||
	    (d->policy && nla_put_string(msg, KZT_CHECK_A_POLICY,
					 kzt_policy_name(d->policy))) ||
	    (dst->id_len && nla_put_string(msg, KZT_CHECK_A_DST_ID, dst->id)))
		return -EMSGSIZE;
	return kzt_nl_check_dry_run_fill(msg, d);
}

/* The peer's identity, when given, must be a SPIFFE ID. */
static int kzt_nl_check_src_id(struct nlattr *attr, struct netlink_ext_ack *extack)
{
	struct kzt_spiffe_id id;
	const char *why;

	if (!attr)
		return 0;
	why = kzt_spiffe_parse(nla_data(attr), strlen(nla_data(attr)), &id);
	if (why) {
		kzt_extack_attr(extack, attr, why);
		return -EINVAL;
	}
	return 0;
}

/**
 * kzt_nl_policy_check_doit() - KZT_CMD_POLICY_CHECK: decide a flow
 * @skb: request
 * @info: request attributes and sender
 *
 * Decides exactly as the data path does (kzt_authorize()), on the live
 * snapshot, and reports the dry-run decision too when a dry-run policy
 * applies. A question, not a flow: it counts in no dry-run policy.
 *
 * Return: 0 or a negative errno (-ENOENT: the destination is not a
 * workload of this node).
 */
int kzt_nl_policy_check_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr **attrs = info->attrs;
	const struct kzt_workload *dst;
	struct kzt_decision decision;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (KZT_REQ_ATTR_CHECK(info, KZT_CHECK_A_SRC_ADDR, "missing source address") ||
	    KZT_REQ_ATTR_CHECK(info, KZT_CHECK_A_DST_ADDR, "missing destination address") ||
	    KZT_REQ_ATTR_CHECK(info, KZT_CHECK_A_DST_PORT, "missing destination port"))
		return -EINVAL;
	err = kzt_nl_check_src_id(attrs[KZT_CHECK_A_SRC_ID], info->extack);
	if (err)
		return err;

	msg = genlmsg_new(kzt_nl_check_reply_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kzt_family, 0, KZT_CMD_POLICY_CHECK);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_free;
	}

	/* The reply is filled in the read section the decision was made in. */
	rcu_read_lock();
	dst = kzt_authorize(net,
			    attrs[KZT_CHECK_A_SRC_ID] ? nla_data(attrs[KZT_CHECK_A_SRC_ID]) : NULL,
			    nla_data(attrs[KZT_CHECK_A_SRC_ADDR]),
			    nla_data(attrs[KZT_CHECK_A_DST_ADDR]),
			    nla_get_u16(attrs[KZT_CHECK_A_DST_PORT]), &decision);
	err = -ENOENT;
	if (dst)
		err = kzt_nl_check_fill(msg, &decision, dst);
	rcu_read_unlock();
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KZT_CHECK_A_DST_ADDR],
				    "destination address is not a workload of this node");
	if (err)
		goto out_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free:
	nlmsg_free(msg);
	return err;
}
