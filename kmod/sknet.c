// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel socket's reference on its network namespace.
 *
 * Sockets from sock_create_kern(), and the children of a kernel listener,
 * hold no reference on their netns (sk_net_refcnt 0), only a passive one
 * (net->passive, since 6.12.43): it keeps the struct net's memory, not the
 * netns, alive, and kzt closes these sockets in its pernet exit. A tunnel
 * socket handed to kztd as a descriptor (HANDSHAKE_ACCEPT) escapes that:
 * kztd may keep the descriptor after the netns is gone, and every use of
 * it (getsockopt, close) reads sock_net(). So ACCEPT pins the socket: from
 * then on it holds a netns reference until it is freed, as a user socket
 * does.
 *
 * A pinned socket keeps a deleted netns alive, and with it kzt's flows in
 * it (pernet exit, which ends them, waits for the last reference). So the
 * flow unpins its tunnel again once it holds the socket's only file
 * reference (kztd closed its descriptor after DONE, and the request
 * dropped its own): nobody else can reach the socket any more, and kzt's
 * pernet exit closes it as before.
 *
 * Compat (kzt_sk_net_upgrade(), kzt_sk_net_downgrade()): the pin is
 * sk_net_refcnt_upgrade() where the kernel has it (6.15, 6.12.43 and
 * other stable backports), which also drops the passive reference; the
 * written-out fallback for older kernels has none to drop. The unpin has
 * no kernel helper: it undoes the upgrade field by field (sk_net_refcnt,
 * ns_tracker, the netns's socket count of sock_inuse_add(), and
 * net->passive where it exists), so that __sk_free()/__sk_destruct() free
 * the socket as the kernel socket it was. Checked against 6.12.118.
 * Kbuild defines KZT_HAVE_* from the target kernel's headers.
 *
 * Locking: sk_net_refcnt is a bit field next to ones setsockopt changes
 * (sk_reuse, sk_ipv6only): written under the socket lock only.
 */
#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <kunit/visibility.h>

#include "sknet.h"

/* Socket locked, not pinned: hold a netns reference instead of a passive one. */
static void kzt_sk_net_upgrade(struct sock *sk)
{
#ifdef KZT_HAVE_SK_NET_REFCNT_UPGRADE
	sk_net_refcnt_upgrade(sk);
#else
	struct net *net = sock_net(sk);

	__netns_tracker_free(net, &sk->ns_tracker, false);
	sk->sk_net_refcnt = 1;
	get_net_track(net, &sk->ns_tracker, GFP_KERNEL);
	sock_inuse_add(net, 1);
#endif
}

/* Socket locked, pinned: back to what sk_alloc() gives a kernel socket. */
static void kzt_sk_net_downgrade(struct sock *sk)
{
	struct net *net = sock_net(sk);

	sock_inuse_add(net, -1);
	__netns_tracker_free(net, &sk->ns_tracker, true);
	sk->sk_net_refcnt = 0;
#ifdef KZT_HAVE_NET_PASSIVE_INC
	/* Before put_net(): __sk_destruct() drops it, after the netns's end. */
	net_passive_inc(net);
#endif
	__netns_tracker_alloc(net, &sk->ns_tracker, false, GFP_KERNEL);
	/*
	 * If the netns was deleted, this is its last reference: cleanup_net()
	 * then runs (in a worker) and kzt's pernet exit waits for the caller's
	 * owner to end.
	 */
	put_net(net);
}

/**
 * kzt_sk_net_pin() - make @sk hold a reference on its netns until freed
 * @sk: a kernel socket; process context (takes the socket lock)
 *
 * Does nothing when @sk holds one already.
 */
void kzt_sk_net_pin(struct sock *sk)
{
	lock_sock(sk);
	if (!sk->sk_net_refcnt)
		kzt_sk_net_upgrade(sk);
	release_sock(sk);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_sk_net_pin);

/**
 * kzt_sk_net_unpin_sole() - drop a pin nobody else can need any more
 * @file: the socket's file; the caller holds a reference on it and is
 *        an owner that kzt's pernet exit waits for (a flow)
 *
 * Only when the caller's reference is the file's only one: no descriptor
 * of any process holds the socket, and none can appear (a new reference
 * needs an existing one). Process context.
 *
 * Return: true when the socket is still pinned (someone else holds the
 * file), false when it holds no netns reference (any more).
 */
bool kzt_sk_net_unpin_sole(struct file *file)
{
	struct socket *sock = file->private_data;
	struct sock *sk = sock->sk;

	/* Racy peek to spare the lock; decided again under it. */
	if (!data_race(!!sk->sk_net_refcnt))
		return false;
	if (file_count(file) != 1)
		return true;
	lock_sock(sk);
	if (sk->sk_net_refcnt)
		kzt_sk_net_downgrade(sk);
	release_sock(sk);
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_sk_net_unpin_sole);
