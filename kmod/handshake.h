/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake upcall: kzt.ko asks kztd to run a TLS 1.3 handshake on a
 * tunnel socket it owns (KZT_CMD_HANDSHAKE_*, include/uapi/linux/kzt.h),
 * then installs the resulting keys with kTLS itself.
 */
#ifndef _KZT_HANDSHAKE_H
#define _KZT_HANDSHAKE_H

#include <linux/in6.h>
#include <linux/types.h>

#include <linux/kzt.h>

struct net;
struct socket;
struct kzt_hs_req;

/* What the caller asks of the handshake. */
struct kzt_hs_params {
	u8 role;			/* enum kzt_hs_role */
	const char *local_id;		/* client: identity to present */
	const char *peer_id;		/* client: identity the server must prove */
	struct in6_addr dst_addr;	/* client: destination workload */
	unsigned int timeout_ms;	/* deadline, from ACCEPT (not submission) */
};

/* What a finished handshake tells the caller (valid during the callback). */
struct kzt_hs_result {
	u16 cipher;			/* TLS_CIPHER_*, installed on the socket */
	const char *peer_id;		/* verified SPIFFE ID of the peer */
	const char *local_id;		/* SPIFFE ID presented */
	u8 proto;			/* kzt/1 or kzt/2, as ALPN chose */
};

/*
 * Called exactly once per submitted request that was not cancelled, in
 * process context, with no kzt lock held. @status is 0 with @res set (TLS_TX
 * and TLS_RX are installed on the socket), or a negative errno with @res
 * NULL: -ETIMEDOUT (deadline), -ESRCH (no daemon), -EACCES (peer refused),
 * -EPROTO, -ECONNRESET, -EINVAL (bad keys), -ENOMEM, or the errno of a
 * failed kTLS installation (-ENOTCONN, ...). On any error the socket may be
 * half-way into kTLS: close it.
 */
typedef void (*kzt_hs_done_t)(void *data, int status,
			      const struct kzt_hs_result *res);

int kzt_handshake_submit(struct net *net, struct socket *sock,
			 const struct kzt_hs_params *params,
			 kzt_hs_done_t done, void *data,
			 struct kzt_hs_req **reqp);
bool kzt_handshake_cancel(struct kzt_hs_req *req);
unsigned int kzt_handshake_queue_timeout_ms(void);

int kzt_handshake_net_init(struct net *net);
void kzt_handshake_net_exit(struct net *net);
int kzt_handshake_module_init(void);
void kzt_handshake_module_exit(void);

#endif /* _KZT_HANDSHAKE_H */
