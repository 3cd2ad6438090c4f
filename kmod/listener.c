// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-owned listening TCP sockets that accept without a thread.
 *
 * The listener's sk_data_ready is wrapped: when the TCP stack completes a
 * connection it calls the listener's data_ready (softirq, or process
 * context from release_sock()), and the wrapper queues a work item that
 * accepts every pending connection with O_NONBLOCK and hands each to the
 * owner's callback.
 *
 * Children: a TCP child is a clone of its listener, so it starts with the
 * listener's callbacks. The listener pointer is published with
 * SK_USER_DATA_NOCOPY, so a child never sees it (its sk_user_data is NULL
 * and the wrapper does nothing for it), and the accept work puts the
 * original sk_data_ready back into every child before the callback owns
 * it: no accepted socket keeps a pointer into this module.
 *
 * Locking: sk_callback_lock of the listening socket guards its
 * sk_data_ready and sk_user_data (the wrapper reads them under the read
 * lock, open and close change them under the write lock). Once close has
 * restored the original callback nothing queues the work any more;
 * cancel_work_sync() then waits for a run in progress (which may re-queue
 * itself) before the socket is released.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "listener.h"

/* Connections accepted per run of the work before it yields the CPU. */
#define KZT_LISTENER_BATCH	64

struct kzt_listener {
	struct net *net;		/* no reference: pernet exit closes us */
	struct socket *sock;
	kzt_accept_t accept;
	struct work_struct work;
	void (*saved_data_ready)(struct sock *sk);
	u16 port;			/* bound port, host order */
};

static void kzt_listener_data_ready(struct sock *sk)
{
	struct kzt_listener *l;

	read_lock_bh(&sk->sk_callback_lock);
	l = __locked_read_sk_user_data_with_flags(sk, 0);
	/* NULL on a child (NOCOPY) and once close has begun. */
	if (l && sk->sk_state == TCP_LISTEN)
		queue_work(system_wq, &l->work);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Give an accepted child the callback its listener had before us. */
static void kzt_listener_release_child(struct kzt_listener *l,
				       struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_data_ready == kzt_listener_data_ready)
		sk->sk_data_ready = l->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void kzt_listener_work(struct work_struct *work)
{
	struct kzt_listener *l = container_of(work, struct kzt_listener, work);
	struct socket *nsock;
	int i, err;

	for (i = 0; i < KZT_LISTENER_BATCH; i++) {
		err = kernel_accept(l->sock, &nsock, O_NONBLOCK);
		if (err) {
			/*
			 * -EAGAIN: the queue is empty. Anything else (no
			 * memory for the new socket) leaves the connection
			 * queued until the next data_ready.
			 */
			if (err != -EAGAIN)
				pr_warn_ratelimited("accept on port %u failed: %d\n",
						    l->port, err);
			return;
		}
		kzt_listener_release_child(l, nsock->sk);
		l->accept(l->net, nsock);
	}
	/* More may be waiting: run again after other work had its turn. */
	queue_work(system_wq, &l->work);
}

static int kzt_listener_setsockopt(struct socket *sock, int level, int opt,
				   int val)
{
	return sock_common_setsockopt(sock, level, opt, KERNEL_SOCKPTR(&val),
				      sizeof(val));
}

static int kzt_listener_prepare(struct socket *sock, int family,
				bool transparent)
{
	int err = 0;

	sock_set_reuseaddr(sock->sk);
	if (family == AF_INET6) {
		/* Dual stack whatever net.ipv6.bindv6only says. */
		err = kzt_listener_setsockopt(sock, SOL_IPV6, IPV6_V6ONLY, 0);
		if (!err && transparent)
			err = kzt_listener_setsockopt(sock, SOL_IPV6,
						      IPV6_TRANSPARENT, 1);
	} else if (transparent) {
		err = kzt_listener_setsockopt(sock, SOL_IP, IP_TRANSPARENT, 1);
	}
	return err;
}

/**
 * kzt_listener_open() - listen on a TCP address of @net
 * @net: the netns to listen in
 * @addr: a struct sockaddr_in or sockaddr_in6 (by its family); port 0
 *        binds an ephemeral port (kzt_listener_port())
 * @transparent: set IP_TRANSPARENT (IPV6_TRANSPARENT), so that TPROXY can
 *               deliver connections for addresses that are not local
 * @accept: gets every accepted socket; see kzt_accept_t
 *
 * An IPv6 listener is dual stack (IPV6_V6ONLY off). The socket is a kernel
 * socket: it holds no reference on @net, so its owner closes it before
 * @net goes away (pernet exit).
 *
 * Context: process context, may sleep.
 * Return: the listener, or an ERR_PTR: -EADDRINUSE when the address is
 * taken, -EAFNOSUPPORT for another family, or what socket creation says.
 */
struct kzt_listener *kzt_listener_open(struct net *net,
				       const struct sockaddr_storage *addr,
				       bool transparent, kzt_accept_t accept)
{
	struct kzt_listener *l;
	struct sock *sk;
	int family = addr->ss_family;
	int addrlen;
	int err;

	if (family == AF_INET)
		addrlen = sizeof(struct sockaddr_in);
	else if (family == AF_INET6)
		addrlen = sizeof(struct sockaddr_in6);
	else
		return ERR_PTR(-EAFNOSUPPORT);

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return ERR_PTR(-ENOMEM);
	l->net = net;
	l->accept = accept;
	INIT_WORK(&l->work, kzt_listener_work);

	err = sock_create_kern(net, family, SOCK_STREAM, IPPROTO_TCP, &l->sock);
	if (err)
		goto out_free;
	err = kzt_listener_prepare(l->sock, family, transparent);
	if (err)
		goto out_release;
	err = kernel_bind(l->sock, (struct sockaddr *)addr, addrlen);
	if (err)
		goto out_release;

	sk = l->sock->sk;
	l->port = ntohs(inet_sk(sk)->inet_sport);

	/* ORDER: the callback is in place before a connection can arrive. */
	write_lock_bh(&sk->sk_callback_lock);
	l->saved_data_ready = sk->sk_data_ready;
	__rcu_assign_sk_user_data_with_flags(sk, l, SK_USER_DATA_NOCOPY);
	sk->sk_data_ready = kzt_listener_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);

	err = kernel_listen(l->sock, SOMAXCONN);
	if (err)
		goto out_restore;
	return l;

out_restore:
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = l->saved_data_ready;
	rcu_assign_sk_user_data(sk, NULL);
	write_unlock_bh(&sk->sk_callback_lock);
out_release:
	sock_release(l->sock);
out_free:
	kfree(l);
	return ERR_PTR(err);
}

/**
 * kzt_listener_port() - the port @l listens on
 * @l: listener
 *
 * Return: the port in host order (the ephemeral one when opened with 0).
 */
u16 kzt_listener_port(const struct kzt_listener *l)
{
	return l->port;
}

/**
 * kzt_listener_close() - stop accepting and release the socket
 * @l: listener from kzt_listener_open(), or NULL
 *
 * Connections not yet accepted are reset by the stack. Waits for an accept
 * run in progress, so the accept callback must not wait for anything the
 * caller of close holds.
 *
 * Context: process context, may sleep.
 */
void kzt_listener_close(struct kzt_listener *l)
{
	struct sock *sk;

	if (!l)
		return;
	sk = l->sock->sk;

	/* ORDER: nothing queues the work once the callback is restored. */
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = l->saved_data_ready;
	rcu_assign_sk_user_data(sk, NULL);
	write_unlock_bh(&sk->sk_callback_lock);

	cancel_work_sync(&l->work);
	sock_release(l->sock);
	kfree(l);
}
