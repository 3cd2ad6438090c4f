/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrapping the callbacks of a TCP socket that kzt owns, plain or kTLS:
 * flows (flow.c) and the idle tunnels of the pool (pool.c) hand a kTLS
 * tunnel socket from one owner to the next, each with its own wrappers.
 */
#ifndef _KZT_SKHOOK_H
#define _KZT_SKHOOK_H

struct sock;

/* The four callbacks an owner wraps (or the ones it replaced). */
struct kzt_sk_callbacks {
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);
	void (*state_change)(struct sock *sk);
	void (*error_report)(struct sock *sk);
};

int kzt_sk_hook(struct sock *sk, void *user, const struct kzt_sk_callbacks *ours,
		struct kzt_sk_callbacks *saved);
void kzt_sk_unhook(struct sock *sk, const struct kzt_sk_callbacks *ours,
		   const struct kzt_sk_callbacks *saved);

#endif /* _KZT_SKHOOK_H */
