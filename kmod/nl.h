/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the files of the "kzt" generic netlink family: netlink.c holds
 * the family and its operation table, nl_<object>.c the policies and
 * handlers of one object each.
 */
#ifndef _KZT_NL_H
#define _KZT_NL_H

#include <net/genetlink.h>

#include <linux/kzt.h>

/* The largest attribute set: kzt_no_attrs_policy covers every command. */
#define KZT_NL_ATTR_MAX KZT_STATS_A_MAX

static_assert(KZT_CONFIG_A_MAX <= KZT_NL_ATTR_MAX);
static_assert(KZT_WORKLOAD_A_MAX <= KZT_NL_ATTR_MAX);
static_assert(KZT_CHECK_A_MAX <= KZT_NL_ATTR_MAX);
static_assert(KZT_TXN_A_MAX <= KZT_NL_ATTR_MAX);
static_assert(KZT_POLICY_A_MAX <= KZT_NL_ATTR_MAX);
static_assert(KZT_HS_A_MAX <= KZT_NL_ATTR_MAX);
static_assert(KZT_CONN_A_MAX <= KZT_NL_ATTR_MAX);
static_assert(KZT_REVOKE_A_MAX <= KZT_NL_ATTR_MAX);

struct kzt_net;

extern struct genl_family kzt_family;

/*
 * A required attribute, with an extack message naming it: userspace sees
 * which field is missing (miss_type) and a sentence a person can act on.
 */
#define KZT_REQ_ATTR_CHECK(info, attr, msg) ({				\
	const struct genl_info *__kinfo = (info);			\
	bool __missing = GENL_REQ_ATTR_CHECK(__kinfo, attr);		\
									\
	if (__missing)							\
		NL_SET_ERR_MSG(__kinfo->extack, msg);			\
	__missing;							\
})

int kzt_nl_check_repeats(const struct nlattr *head, int len, u64 multi,
			 struct netlink_ext_ack *extack);

extern const struct nla_policy kzt_no_attrs_policy[KZT_NL_ATTR_MAX + 1];
extern const struct nla_policy kzt_config_set_policy[KZT_CONFIG_A_MAX + 1];
extern const struct nla_policy kzt_workload_add_policy[KZT_WORKLOAD_A_MAX + 1];
extern const struct nla_policy kzt_workload_addr_policy[KZT_WORKLOAD_A_MAX + 1];
extern const struct nla_policy kzt_workload_del_policy[KZT_WORKLOAD_A_MAX + 1];
extern const struct nla_policy kzt_policy_name_policy[KZT_POLICY_A_MAX + 1];
extern const struct nla_policy kzt_policy_del_policy[KZT_POLICY_A_MAX + 1];
extern const struct nla_policy kzt_policy_check_policy[KZT_CHECK_A_MAX + 1];
extern const struct nla_policy kzt_txn_id_policy[KZT_TXN_A_MAX + 1];
extern const struct nla_policy kzt_txn_begin_policy[KZT_TXN_A_MAX + 1];
extern const struct nla_policy kzt_hs_done_policy[KZT_HS_A_MAX + 1];
extern const struct nla_policy kzt_hs_accept_policy[KZT_HS_A_MAX + 1];
extern const struct nla_policy kzt_revoke_policy[KZT_REVOKE_A_MAX + 1];

int kzt_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info);

int kzt_nl_workload_add_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_workload_del_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_workload_get_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_workload_dump_start(struct netlink_callback *cb);
int kzt_nl_workload_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kzt_nl_workload_dump_done(struct netlink_callback *cb);
int kzt_nl_workload_dump_begin(struct kzt_net *kn, struct netlink_callback *cb);
int kzt_nl_workload_dump_fill(struct kzt_net *kn, struct sk_buff *skb,
			      struct netlink_callback *cb);

int kzt_nl_policy_add_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_policy_del_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_policy_dump_start(struct netlink_callback *cb);
int kzt_nl_policy_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kzt_nl_policy_dump_fill(struct kzt_net *kn, struct sk_buff *skb,
			    struct netlink_callback *cb);
int kzt_nl_policy_check_doit(struct sk_buff *skb, struct genl_info *info);

int kzt_nl_txn_begin_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_txn_commit_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_txn_abort_doit(struct sk_buff *skb, struct genl_info *info);

int kzt_nl_hs_accept_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_hs_done_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);

int kzt_nl_conn_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
struct kzt_flow;
int kzt_nl_conn_fill(struct sk_buff *skb, const struct kzt_flow *flow);

int kzt_nl_revoke_doit(struct sk_buff *skb, struct genl_info *info);
int kzt_nl_pool_flush_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _KZT_NL_H */
