// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel socket's reference on its network namespace.
 *
 * Sockets from sock_create_kern(), and the children of a kernel listener,
 * hold no reference on their netns (sk_net_refcnt 0): kzt closes them in
 * its pernet exit. A tunnel socket handed to kztd as a descriptor
 * (HANDSHAKE_ACCEPT) escapes that: kztd may keep the descriptor after the
 * netns is gone, and every use of it (getsockopt, close) reads
 * sock_net(). So ACCEPT pins the socket: from then on it holds a netns
 * reference until it is freed, as a user socket does.
 *
 * A pinned socket keeps a deleted netns alive, and with it kzt's flows in
 * it (pernet exit, which ends them, waits for the last reference). So the
 * flow unpins its tunnel again once it holds the socket's only file
 * reference (kztd closed its descriptor after DONE, and the request
 * dropped its own): nobody else can reach the socket any more, and kzt's
 * pernet exit closes it as before.
 *
 * Compat: the pin is what sk_net_refcnt_upgrade() does (6.15, and 6.12
 * stable backports); the unpin has no kernel helper. Both touch the
 * fields sk_alloc() and __sk_destruct()/__sk_free() read: sk_net_refcnt,
 * ns_tracker and the netns's socket count (sock_inuse_add()). Checked
 * against 6.12.118; written here instead of calling the backport, which
 * older 6.12 point releases lack.
 */
#include <linux/fs.h>
#include <linux/net.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "sknet.h"

/**
 * kzt_sk_net_pin() - make @sk hold a reference on its netns until freed
 * @sk: a kernel socket; process context (takes the socket lock)
 *
 * Does nothing when @sk holds one already.
 */
void kzt_sk_net_pin(struct sock *sk)
{
	struct net *net = sock_net(sk);

	/* sk_net_refcnt is a bit field next to ones setsockopt changes. */
	lock_sock(sk);
	if (!sk->sk_net_refcnt) {
		__netns_tracker_free(net, &sk->ns_tracker, false);
		sk->sk_net_refcnt = 1;
		get_net_track(net, &sk->ns_tracker, GFP_KERNEL);
		sock_inuse_add(net, 1);
	}
	release_sock(sk);
}

/**
 * kzt_sk_net_unpin_sole() - drop a pin nobody else can need any more
 * @file: the socket's file; the caller holds a reference on it and is
 *        an owner that kzt's pernet exit waits for (a flow)
 *
 * Only when the caller's reference is the file's only one: no descriptor
 * of any process holds the socket, and none can appear (a new reference
 * needs an existing one). Process context.
 *
 * Return: true when a pin was dropped.
 */
bool kzt_sk_net_unpin_sole(struct file *file)
{
	struct socket *sock = file->private_data;
	struct sock *sk = sock->sk;
	struct net *net = sock_net(sk);
	bool unpinned = false;

	if (file_count(file) != 1 || !sk->sk_net_refcnt)
		return false;
	lock_sock(sk);
	if (sk->sk_net_refcnt) {
		sock_inuse_add(net, -1);
		__netns_tracker_free(net, &sk->ns_tracker, true);
		sk->sk_net_refcnt = 0;
		__netns_tracker_alloc(net, &sk->ns_tracker, false, GFP_KERNEL);
		/*
		 * If the netns was deleted, this is its last reference:
		 * cleanup_net() then runs (in a worker) and kzt's pernet exit
		 * waits for the caller's owner to end.
		 */
		put_net(net);
		unpinned = true;
	}
	release_sock(sk);
	return unpinned;
}
