/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extended ack helpers for messages that are not string literals (the
 * NL_SET_ERR_MSG* macros take literals only): the reasons kzt_spiffe_parse()
 * and kzt_trust_domain_check() return are static strings.
 */
#ifndef _KZT_EXTACK_H
#define _KZT_EXTACK_H

#include <linux/netlink.h>

/**
 * kzt_extack_attr() - report @msg about @attr
 * @extack: extended ack, or NULL
 * @attr: the attribute at fault
 * @msg: a string that outlives the request (a static one)
 */
static inline void kzt_extack_attr(struct netlink_ext_ack *extack,
				   const struct nlattr *attr, const char *msg)
{
	if (!extack)
		return;
	extack->_msg = msg;
	extack->bad_attr = attr;
}

#endif /* _KZT_EXTACK_H */
