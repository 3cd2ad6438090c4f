/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-owned listening TCP sockets that accept without a thread: the
 * listener's data_ready callback queues a work item that accepts every
 * pending connection and hands each to a callback.
 */
#ifndef _KZT_LISTENER_H
#define _KZT_LISTENER_H

#include <linux/socket.h>
#include <linux/types.h>

struct net;
struct socket;
struct kzt_listener;

/*
 * Gets each accepted socket (non-blocking, O_NONBLOCK semantics) and owns
 * it from then on. Runs in process context (a work item), no lock held.
 */
typedef void (*kzt_accept_t)(struct net *net, struct socket *sock);

struct kzt_listener *kzt_listener_open(struct net *net,
				       const struct sockaddr_storage *addr,
				       bool transparent, kzt_accept_t accept);
u16 kzt_listener_port(const struct kzt_listener *l);
void kzt_listener_close(struct kzt_listener *l);

#endif /* _KZT_LISTENER_H */
