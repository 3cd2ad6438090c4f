/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kztnl_*.c files share and nobody else needs.
 */
#ifndef KZT_KZTNL_PRIV_H
#define KZT_KZTNL_PRIV_H

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kztnl.h"

int kztnl_msg_new(struct kzt_client *c, uint8_t cmd, uint16_t flags,
		  struct nl_msg **msgp, struct kzt_nl_err *err);
int kztnl_send(struct kzt_client *c, struct nl_msg *msg, kzt_nl_reply_fn fn,
	       void *arg, struct kzt_nl_err *err);
int kztnl_dump(struct kzt_client *c, uint8_t cmd, kzt_nl_reply_fn fn,
	       void (*reset)(void *arg), void *arg, struct kzt_nl_err *err);
bool kztnl_reply_is(struct nlmsghdr *nlh, uint8_t cmd);
int kztnl_put_addr(struct nl_msg *msg, int type, const struct in6_addr *a);
int kztnl_put_opts(struct nl_msg *msg, int flags_type, uint32_t replace_flag,
		   int txn_type, const struct kzt_add_opts *opts);
char *kztnl_strdup_attr(const struct nlattr *nla);

#endif /* KZT_KZTNL_PRIV_H */
