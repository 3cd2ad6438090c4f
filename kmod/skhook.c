// SPDX-License-Identifier: GPL-2.0
/*
 * Wrapping a socket's callbacks, and putting them back.
 *
 * kTLS moves two of them into its own context when it is installed: it
 * calls the data_ready it found (rx: tls_sw_ctx_rx()->saved_data_ready)
 * once a whole record can be read, and the write_space it found
 * (ctx->sk_write_space) from its own tls_write_space(). A socket hooked
 * before kTLS came (a new tunnel) has our wrappers there already; one
 * hooked after (a tunnel passed from a flow to the pool and on) must get
 * them there too: a wrapper on sk_data_ready itself would run per TCP
 * segment, not per record, and miss a record that kTLS's parser
 * completes later from its own work. lock_sock() excludes kTLS's changes
 * (TLS_TX/TLS_RX setsockopt) and the callers that hold the socket lock;
 * sk_callback_lock the callbacks that run without it (see flow.c's
 * kzt_flow_sk_event()).
 */
#include <linux/string.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tls.h>

#include "skhook.h"

static bool kzt_sk_is_tls(const struct sock *sk)
{
	const struct tcp_ulp_ops *ulp = inet_csk(sk)->icsk_ulp_ops;

	return ulp && !strcmp(ulp->name, "tls");
}

/**
 * kzt_sk_hook() - point @sk's callbacks at @ours
 * @sk: a TCP socket, plain or with kTLS installed; process context
 * @user: sk_user_data from now on (the owner the wrappers look up)
 * @ours: the wrappers
 * @saved: set to the callbacks they replace, which they must chain to
 *
 * Return: 0, or -EBUSY when @sk already carries someone's user data.
 */
int kzt_sk_hook(struct sock *sk, void *user, const struct kzt_sk_callbacks *ours,
		struct kzt_sk_callbacks *saved)
{
	struct tls_context *ctx = NULL;
	int err = 0;

	lock_sock(sk);
	write_lock_bh(&sk->sk_callback_lock);
	if (__locked_read_sk_user_data_with_flags(sk, 0)) {
		err = -EBUSY;
		goto out_unlock;
	}
	if (kzt_sk_is_tls(sk))
		ctx = tls_get_ctx(sk);
	if (ctx && ctx->rx_conf != TLS_BASE) {
		saved->data_ready = tls_sw_ctx_rx(ctx)->saved_data_ready;
		tls_sw_ctx_rx(ctx)->saved_data_ready = ours->data_ready;
	} else {
		saved->data_ready = sk->sk_data_ready;
		sk->sk_data_ready = ours->data_ready;
	}
	if (ctx && ctx->tx_conf != TLS_BASE) {
		saved->write_space = ctx->sk_write_space;
		ctx->sk_write_space = ours->write_space;
	} else {
		saved->write_space = sk->sk_write_space;
		sk->sk_write_space = ours->write_space;
	}
	saved->state_change = sk->sk_state_change;
	saved->error_report = sk->sk_error_report;
	sk->sk_state_change = ours->state_change;
	sk->sk_error_report = ours->error_report;
	rcu_assign_sk_user_data(sk, user);
out_unlock:
	write_unlock_bh(&sk->sk_callback_lock);
	release_sock(sk);
	return err;
}

/**
 * kzt_sk_unhook() - put back what kzt_sk_hook() replaced
 * @sk: the socket; process context
 * @ours: the wrappers it installed
 * @saved: what it saved
 *
 * Wherever a wrapper of @ours sits, in the socket or in kTLS's context
 * (installed since the hook: a new tunnel's handshake), the saved
 * callback goes back: kTLS restores its saved data_ready on close, and a
 * pointer into this module left there would outlive it. A caller without
 * the socket lock that loaded a wrapper before may still run it once
 * after: the wrappers find no user data then and chain to nothing.
 */
void kzt_sk_unhook(struct sock *sk, const struct kzt_sk_callbacks *ours,
		   const struct kzt_sk_callbacks *saved)
{
	lock_sock(sk);
	write_lock_bh(&sk->sk_callback_lock);
	if (kzt_sk_is_tls(sk)) {
		struct tls_context *ctx = tls_get_ctx(sk);

		if (ctx && ctx->rx_conf != TLS_BASE &&
		    tls_sw_ctx_rx(ctx)->saved_data_ready == ours->data_ready)
			tls_sw_ctx_rx(ctx)->saved_data_ready = saved->data_ready;
		if (ctx && ctx->sk_write_space == ours->write_space)
			ctx->sk_write_space = saved->write_space;
	}
	if (sk->sk_data_ready == ours->data_ready)
		sk->sk_data_ready = saved->data_ready;
	if (sk->sk_write_space == ours->write_space)
		sk->sk_write_space = saved->write_space;
	sk->sk_state_change = saved->state_change;
	sk->sk_error_report = saved->error_report;
	rcu_assign_sk_user_data(sk, NULL);
	write_unlock_bh(&sk->sk_callback_lock);
	release_sock(sk);
}
