/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HANDSHAKE_DONE, taken apart: nl_handshake.c and its KUnit suite.
 */
#ifndef _KZT_NL_HANDSHAKE_H
#define _KZT_NL_HANDSHAKE_H

#include <net/netlink.h>

#include "ktls.h"

struct kzt_hs_net;
struct kzt_hs_req;
struct socket;

/* A DONE request, read; pointers into its message. */
struct kzt_hs_done_msg {
	bool named;		/* id, status and fd were present */
	u32 id;
	u32 status;		/* 0 or a positive errno */
	u16 cipher;		/* the rest: status 0 only */
	struct kzt_tls_dir tx;
	struct kzt_tls_dir rx;
	const char *peer_id;
	const char *local_id;
	u8 proto;		/* 1 when absent */
};

int kzt_hs_done_parse(struct nlattr **tb, struct kzt_hs_done_msg *m,
		      struct netlink_ext_ack *extack);
int kzt_hs_done_apply(struct kzt_hs_req *req, const struct kzt_hs_done_msg *m,
		      struct nlattr **tb, struct netlink_ext_ack *extack);
int kzt_hs_status_errno(u32 status);
int kzt_hs_done(struct kzt_hs_net *hn, const struct socket *sock, void *attrs,
		int len, struct netlink_ext_ack *extack);

#endif /* _KZT_NL_HANDSHAKE_H */
