// SPDX-License-Identifier: GPL-2.0
/*
 * The kzt/1 steps of a flow, up to ESTABLISHED (Documentation/protocol.rst,
 * Documentation/datapath.rst):
 *
 * outbound (source node)          inbound (destination node)
 *   CONNECTING  tunnel TCP connect    HANDSHAKE   the first byte, then
 *                                                 the server handshake
 *   HANDSHAKE   client handshake      HEADER      read and check the header
 *   HEADER      send header, read     POD_CONNECT transparent connect to
 *               the status                        the pod, send the status
 *
 * kzt/2 keeps a tunnel whose flow ended cleanly (pool.c): an outbound
 * flow that finds one of its key goes from CONNECTING straight to HEADER;
 * the destination's side waits in IDLE for the next header.
 *
 * Each step runs in the flow's work item, does what it can without
 * blocking and returns; a socket callback, the handshake completion or
 * the step's deadline runs it again. Every refusal is counted once here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "admit.h"
#include "flow_internal.h"
#include "handshake.h"
#include "kzt.h"
#include "recheck.h"
#include "stats.h"
#include "tables.h"

/* The local and peer address of a connected TCP socket, as kzt keeps them. */
static void kzt_sk_addrs(const struct sock *sk, struct in6_addr *local,
			 u16 *lport, struct in6_addr *peer, u16 *pport)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (sk->sk_family == AF_INET6) {
		*local = sk->sk_v6_rcv_saddr;
		*peer = sk->sk_v6_daddr;
	} else {
		ipv6_addr_set_v4mapped(inet->inet_rcv_saddr, local);
		ipv6_addr_set_v4mapped(inet->inet_daddr, peer);
	}
	*lport = ntohs(inet->inet_sport);
	*pport = ntohs(inet->inet_dport);
}

/* A sockaddr for @addr:@port (IPv4 for a mapped address); its length. */
static int kzt_sockaddr(const struct in6_addr *addr, u16 port,
			struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6;

	memset(ss, 0, sizeof(*ss));
	if (ipv6_addr_v4mapped(addr)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = addr->s6_addr32[3];
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = *addr;
	sin6->sin6_port = htons(port);
	return sizeof(*sin6);
}

/* The error a socket reports, or 0 while it is still in the game. */
static int kzt_sock_failed(const struct kzt_flow_sock *fs)
{
	const struct sock *sk = fs->sock->sk;
	int err = READ_ONCE(sk->sk_err);

	if (err)
		return -err;
	return READ_ONCE(sk->sk_state) == TCP_CLOSE ? -ECONNRESET : 0;
}

/*
 * Create a kernel TCP socket in the flow's netns, hook it and start a
 * non-blocking connect to @dst (from @src when given: a transparent socket
 * that speaks with the source pod's address). A tunnel socket gets its
 * file right away (the agreement with the handshake upcall) and the node's
 * TCP keepalive.
 */
static int kzt_tunnel_connect(struct kzt_flow *flow, struct kzt_flow_sock *fs,
			      bool tunnel, const struct sockaddr_storage *dst,
			      int dst_len, const struct sockaddr_storage *src,
			      int src_len)
{
	int family = dst->ss_family, one = 1;
	struct socket *sock;
	struct file *file;
	int err;

	err = sock_create_kern(flow->net, family, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (err)
		return err;
	if (tunnel) {
		/* Releases the socket itself on failure. */
		file = sock_alloc_file(sock, 0, NULL);
		if (IS_ERR(file))
			return PTR_ERR(file);
		fs->file = file;
		kzt_flow_set_keepalive(flow, sock);	/* armed once connected */
	}
	fs->sock = sock;

	if (src) {
		/* Our own address for a while: reuse it even in TIME_WAIT. */
		sock_set_reuseaddr(sock->sk);
		if (family == AF_INET6)
			err = sock_common_setsockopt(sock, SOL_IPV6,
						     IPV6_TRANSPARENT,
						     KERNEL_SOCKPTR(&one),
						     sizeof(one));
		else
			err = sock_common_setsockopt(sock, SOL_IP,
						     IP_TRANSPARENT,
						     KERNEL_SOCKPTR(&one),
						     sizeof(one));
		if (err)
			return err;
		err = kernel_bind(sock, (struct sockaddr *)src, src_len);
		if (err)
			return err;
	}
	/* ORDER: hooked before the connect can complete. */
	err = kzt_flow_hook(flow, fs);
	if (err)
		return err;
	err = kernel_connect(sock, (struct sockaddr *)dst, dst_len, O_NONBLOCK);
	return err == -EINPROGRESS ? 0 : err;
}

/* Send what is left of flow->ctl: 0 when all is sent, -EAGAIN, -errno. */
static int kzt_tunnel_ctl_send(struct kzt_flow *flow)
{
	int n;

	while (flow->ctl_off < flow->ctl_len) {
		n = kzt_sock_send(flow->tunnel.sock, flow->ctl + flow->ctl_off,
				  flow->ctl_len - flow->ctl_off);
		if (n < 0)
			return n;
		flow->ctl_off += n;
	}
	return 0;
}

/*
 * Read the rest of flow->ctl from the tunnel: 0 when complete, -EAGAIN,
 * -ESHUTDOWN when the peer sent close_notify first, -ENODATA for a FIN
 * without one, -EPROTO for any other record, or the socket's error.
 */
static int kzt_tunnel_ctl_recv(struct kzt_flow *flow)
{
	u8 type;
	int n;

	while (flow->ctl_off < flow->ctl_len) {
		n = kzt_tls_recv(flow->tunnel.sock, flow->ctl + flow->ctl_off,
				 flow->ctl_len - flow->ctl_off, &type);
		if (n < 0)
			return n;
		if (!n)			/* FIN without close_notify */
			return -ENODATA;
		if (type == KZT_TLS_ALERT)
			return n == 2 && flow->ctl[flow->ctl_off + 1] ==
					 KZT_TLS_ALERT_CLOSE_NOTIFY ?
			       -ESHUTDOWN : -EPROTO;
		if (type != KZT_TLS_APPLICATION_DATA)
			return -EPROTO;
		flow->ctl_off += n;
	}
	return 0;
}

/* ---- outbound ---- */

/*
 * Decide the flow on one snapshot (kzt_decide_outbound()) and keep what
 * it was allowed on. Capture decided so a moment ago; the tables may have
 * changed since.
 */
static int kzt_tunnel_out_lookup(struct kzt_flow *flow,
				 struct in6_addr *node)
{
	const struct kzt_workload *src, *dst;
	struct kzt_tables *tables;
	char *src_id = NULL, *dst_id = NULL;
	int err = -ENOENT;

	rcu_read_lock();
	tables = kzt_tables_rcu(flow->net);
	if (!tables ||
	    !kzt_decide_outbound(tables, &flow->src_addr, &flow->dst_addr,
				 &src, &dst))
		goto out_unlock;
	err = -ENOMEM;
	src_id = kmemdup(src->id, src->id_len + 1, GFP_ATOMIC);
	dst_id = kmemdup(dst->id, dst->id_len + 1, GFP_ATOMIC);
	if (!src_id || !dst_id)
		goto out_unlock;
	*node = dst->node_addr;
	flow->pod_ifindex = src->ifindex;
	err = 0;
out_unlock:
	rcu_read_unlock();
	if (err) {
		kfree(src_id);
		kfree(dst_id);
		return err;
	}
	spin_lock(&flow->lock);
	flow->src_id = src_id;
	flow->dst_id = dst_id;
	flow->peer_node = *node;
	spin_unlock(&flow->lock);
	/* From now on every change re-decides it (recheck.h). */
	flow->decided = true;
	return 0;
}

static void kzt_tunnel_out_header(struct kzt_flow *flow);
static void kzt_tunnel_out_status(struct kzt_flow *flow);

/*
 * A tunnel for the flow to flow->peer_node: a kept one of exactly its key
 * when @may_keep (no handshake: straight to the header), else a new TCP
 * connection, whose handshake follows in CONNECTING.
 */
static void kzt_tunnel_out_open(struct kzt_flow *flow, bool may_keep)
{
	u16 port = kzt_flow_tunnel_port(flow->net);
	struct sockaddr_storage ss;
	struct kzt_tunnel t;
	int len, err;

	while (may_keep && kzt_pool_take(&flow->fn->pool, flow->src_id,
					 flow->dst_id, &flow->peer_node, port,
					 &t)) {
		/* The record limit may have been lowered since it was kept. */
		if (!kzt_pump_keys_fresh(t.cipher, t.records)) {
			kzt_tunnel_release(&t);
			continue;
		}
		kzt_flow_adopt_tunnel(flow, &t);
		kzt_tunnel_release(&t);			/* what is left: IDs */
		if (!kzt_flow_hook(flow, &flow->tunnel)) {
			kzt_stat_inc(flow->net, KZT_STATS_A_TUNNELS_REUSED);
			kzt_tunnel_out_header(flow);
			if (!flow->dead)
				kzt_tunnel_out_status(flow);
			return;
		}
		kzt_flow_drop_sock(&flow->tunnel, true);
		flow->reused = false;
		break;
	}
	len = kzt_sockaddr(&flow->peer_node, port, &ss);
	err = kzt_tunnel_connect(flow, &flow->tunnel, true, &ss, len, NULL, 0);
	if (err) {
		pr_debug("flow %llu: no tunnel: %d\n", flow->id, err);
		kzt_stat_inc(flow->net, KZT_STATS_A_TUNNEL_CONNECT_FAILED);
		kzt_flow_end(flow, KZT_END_FAILED);
	}
}

/*
 * A kept tunnel that failed before the status (its peer closed it while
 * it was idle, or restarted): nothing of the pod was sent yet, so the
 * flow takes a new tunnel, once, within its deadline.
 */
static bool kzt_tunnel_out_retry(struct kzt_flow *flow)
{
	if (!flow->reused || kzt_flow_expired(flow))
		return false;
	pr_debug("flow %llu: kept tunnel failed; a new one\n", flow->id);
	kzt_stat_inc(flow->net, KZT_STATS_A_TUNNEL_RETRIES);
	kzt_flow_drop_sock(&flow->tunnel, true);
	flow->reused = false;
	flow->hdr_sent = false;
	spin_lock(&flow->lock);
	flow->cipher = 0;
	spin_unlock(&flow->lock);
	kzt_flow_set_state(flow, KZT_CONN_STATE_CONNECTING);
	kzt_tunnel_out_open(flow, false);
	return true;
}

static void kzt_tunnel_out_start(struct kzt_flow *flow)
{
	struct in6_addr local, peer, node;
	u16 lport, pport;
	int err;

	/* The pod's local address is the original destination. */
	kzt_sk_addrs(flow->pod.sock->sk, &local, &lport, &peer, &pport);
	spin_lock(&flow->lock);
	flow->dst_addr = local;
	flow->dst_port = lport;
	flow->src_addr = peer;
	flow->src_port = pport;
	spin_unlock(&flow->lock);

	kzt_flow_set_deadline(flow, kzt_flow_hs_timeout_ms(flow->net));
	err = kzt_tunnel_out_lookup(flow, &node);
	if (!err)
		err = kzt_flow_hook(flow, &flow->pod);
	if (err) {
		pr_debug("flow %llu: no tunnel: %d\n", flow->id, err);
		kzt_stat_inc(flow->net, KZT_STATS_A_TUNNEL_CONNECT_FAILED);
		kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}
	kzt_tunnel_out_open(flow, true);
}

static void kzt_tunnel_out_connecting(struct kzt_flow *flow)
{
	unsigned long now;
	struct sock *sk;
	unsigned int left;
	int err;

	if (!flow->tunnel.sock) {
		kzt_tunnel_out_start(flow);
		/* Ended, or on a kept tunnel already. */
		if (flow->dead || flow->state != KZT_CONN_STATE_CONNECTING)
			return;
	}
	sk = flow->tunnel.sock->sk;
	err = kzt_sock_failed(&flow->tunnel);
	if (!err && READ_ONCE(sk->sk_state) != TCP_ESTABLISHED) {
		if (!kzt_flow_expired(flow))
			return;			/* SYN_SENT */
		err = -ETIMEDOUT;
	}
	/* Connected, but the work ran past the deadline: nothing is left. */
	now = jiffies;
	if (!err && time_after_eq(now, flow->deadline))
		err = -ETIMEDOUT;
	if (err) {
		pr_debug("flow %llu: tunnel connect: %d\n", flow->id, err);
		kzt_stat_inc(flow->net, KZT_STATS_A_TUNNEL_CONNECT_FAILED);
		kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}

	/* The handshake gets what is left of "connect to handshake end". */
	left = jiffies_to_msecs(flow->deadline - now) ?: 1;
	kzt_flow_set_deadline(flow, 0);
	kzt_flow_set_state(flow, KZT_CONN_STATE_HANDSHAKE);
	err = kzt_flow_submit_hs(flow, KZT_HS_ROLE_CLIENT, flow->src_id,
				 flow->dst_id, &flow->dst_addr, left);
	if (err) {
		/*
		 * Counted by the upcall: -ESRCH (no kztd), -EBUSY (its queue
		 * is full: refused at once, the pod gets a reset).
		 */
		if (err != -ESRCH && err != -EBUSY)
			kzt_stat_inc(flow->net, KZT_STATS_A_HS_FAILED);
		kzt_flow_end(flow, KZT_END_FAILED);
	}
}

static void kzt_tunnel_out_header(struct kzt_flow *flow)
{
	struct kzt_proto_header hdr = {
		.family = ipv6_addr_v4mapped(&flow->dst_addr) ? 4 : 6,
		.dst_addr = flow->dst_addr,
		.dst_port = flow->dst_port,
		.src_addr = flow->src_addr,
		.src_port = flow->src_port,
	};

	kzt_flow_set_state(flow, KZT_CONN_STATE_HEADER);
	/*
	 * Capture refuses port 0 (capture.c) and takes IPv4 flows between
	 * unicast workload addresses only, so the header is valid; should a
	 * pod's packet ever get past that, its flow fails closed here. Never
	 * a WARN: a pod must not be able to crash a panic_on_warn node.
	 */
	if (kzt_proto_header_encode(&hdr, flow->ctl)) {
		net_warn_ratelimited("kzt: flow %llu: no valid kzt/1 header for port %u -> %u\n",
				     flow->id, flow->src_port, flow->dst_port);
		kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}
	flow->ctl_len = KZT_PROTO_HEADER_LEN;
	flow->ctl_off = 0;
	/* Header sent and status read within one handshake timeout. */
	kzt_flow_set_deadline(flow, kzt_flow_hs_timeout_ms(flow->net));
}

static void kzt_tunnel_out_status(struct kzt_flow *flow)
{
	enum kzt_proto_status status;
	int err;

	if (!flow->hdr_sent) {
		err = kzt_tunnel_ctl_send(flow);
		if (err == -EAGAIN)
			goto out_wait;
		if (err) {
			if (!kzt_tunnel_out_retry(flow))
				kzt_flow_end(flow, KZT_END_FAILED);
			return;
		}
		flow->hdr_sent = true;
		flow->ctl_len = KZT_PROTO_STATUS_LEN;
		flow->ctl_off = 0;
	}

	err = kzt_tunnel_ctl_recv(flow);
	if (err == -EAGAIN)
		goto out_wait;
	if (err) {
		if (kzt_tunnel_out_retry(flow))
			return;
		/* The server must answer a status; anything else is an error. */
		kzt_flow_end(flow, err == -ECONNRESET ? KZT_END_FAILED :
						       KZT_END_TLS_ERROR);
		return;
	}
	if (kzt_proto_status_decode(flow->ctl, &status)) {
		kzt_flow_end(flow, KZT_END_TLS_ERROR);
		return;
	}
	kzt_stat_inc(flow->net, kzt_proto_status_stat(status));
	if (status != KZT_STATUS_OK) {
		pr_debug("flow %llu: peer answered %s\n", flow->id,
			 kzt_proto_status_name(status));
		kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}
	kzt_flow_established(flow);
	return;

out_wait:
	if (kzt_flow_expired(flow)) {
		kzt_stat_inc(flow->net, KZT_STATS_A_HEADER_TIMEOUT);
		kzt_flow_end(flow, KZT_END_FAILED);
	}
}

/* ---- inbound ---- */

/*
 * Whether the client has spoken: a ClientHello starts with its first
 * byte, so a tunnel with nothing to read after hello_timeout_ms is no
 * client, only a slot held (admit.h).
 */
static bool kzt_tunnel_in_spoke(const struct sock *sk)
{
	return !skb_queue_empty_lockless(&sk->sk_receive_queue);
}

/*
 * Whether it left without a byte: nothing for kztd to do. A client whose
 * own node refused its handshake (hs_queue_full) closes so; in a burst
 * those must not take the server queue and pool from real ClientHellos.
 */
static bool kzt_tunnel_in_left(struct kzt_flow *flow)
{
	return kzt_sock_failed(&flow->tunnel) ||
	       READ_ONCE(flow->tunnel.sock->sk->sk_shutdown) & RCV_SHUTDOWN;
}

/*
 * Hook the tunnel, wait for the client's first byte (the hello deadline,
 * or for a peer node the time its client may wait in its handshake queue
 * plus the handshake timeout), then hand the handshake to kztd: a
 * silent connection never takes a kztd handshake, and one of a source
 * that is no peer node gives its slot back within hello_timeout_ms.
 */
static void kzt_tunnel_in_start(struct kzt_flow *flow)
{
	struct sock *sk = flow->tunnel.sock->sk;
	struct in6_addr local, peer;
	unsigned int hello_ms, hs_ms;
	u16 lport, pport;
	int err;

	if (!flow->tunnel.hooked) {
		kzt_sk_addrs(sk, &local, &lport, &peer, &pport);
		spin_lock(&flow->lock);
		flow->peer_node = peer;
		spin_unlock(&flow->lock);
		/* ORDER: hooked before the check, so no byte goes unnoticed. */
		err = kzt_flow_hook(flow, &flow->tunnel);
		if (err)
			goto out_failed;
		hs_ms = kzt_flow_hs_timeout_ms(flow->net);
		hello_ms = kzt_admit_hello_timeout_ms(&flow->admission);
		if (hello_ms) {		/* never longer than the handshake's */
			hello_ms = min(hello_ms, hs_ms);
		} else {
			/*
			 * A peer node. Its client connects before its request
			 * waits in that node's handshake queue (up to
			 * hs_queue_timeout_ms), and speaks once accepted.
			 */
			hello_ms = kzt_handshake_queue_timeout_ms() + hs_ms;
		}
		kzt_flow_set_deadline(flow, hello_ms);
	}
	if (!kzt_tunnel_in_spoke(sk)) {
		if (kzt_tunnel_in_left(flow)) {
			kzt_flow_end(flow, KZT_END_FAILED);
		} else if (kzt_flow_expired(flow)) {
			kzt_stat_inc(flow->net, KZT_STATS_A_TUNNEL_HELLO_TIMEOUT);
			kzt_flow_end(flow, KZT_END_FAILED);
		}
		return;
	}
	kzt_flow_set_deadline(flow, 0);
	err = kzt_flow_submit_hs(flow, KZT_HS_ROLE_SERVER, NULL, NULL, NULL,
				 kzt_flow_hs_timeout_ms(flow->net));
	if (!err)
		return;
out_failed:
	if (err != -ESRCH && err != -EBUSY)	/* counted by the upcall */
		kzt_stat_inc(flow->net, KZT_STATS_A_HS_FAILED);
	kzt_flow_end(flow, KZT_END_FAILED);
}

/*
 * Refuse an inbound flow: the status (none for @status < 0), close_notify,
 * then CLOSING, where the tunnel's FIN follows its last record.
 */
static void kzt_tunnel_in_refuse(struct kzt_flow *flow, int status)
{
	if (status >= 0) {
		pr_debug("flow %llu: refused: %s\n", flow->id,
			 kzt_proto_status_name(status));
		kzt_stat_inc(flow->net, kzt_proto_status_stat(status));
		kzt_proto_status_encode(status, flow->ctl);
		flow->ctl_len = KZT_PROTO_STATUS_LEN;
		flow->ctl_off = 0;
		/* A fresh kTLS socket has room for 4 bytes and an alert. */
		if (kzt_tunnel_ctl_send(flow)) {
			kzt_flow_end(flow, KZT_END_FAILED);
			return;
		}
	}
	if (flow->pod.sock)
		kzt_flow_drop_sock(&flow->pod, true);
	if (kzt_tls_send_close_notify(flow->tunnel.sock)) {
		kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}
	kzt_flow_closing(flow);
}

/*
 * The checks of protocol.rst on one snapshot of the tables
 * (kzt_decide_inbound()); an allowed flow re-decides on every change. A
 * source the peer node may not claim is counted on its own
 * (source-refused): it is a peer node lying, not a policy at work.
 */
static enum kzt_proto_status kzt_tunnel_in_check(struct kzt_flow *flow,
						 const struct kzt_proto_header *hdr)
{
	bool src_is_local = kzt_addr_is_local(flow->net, &hdr->src_addr);
	bool peer_is_local = kzt_addr_is_local(flow->net, &flow->peer_node);
	enum kzt_inbound_verdict verdict = KZT_IN_NO_ROUTE;
	struct kzt_tables *tables;
	int ifindex = 0;

	rcu_read_lock();
	tables = kzt_tables_rcu(flow->net);
	if (tables)
		verdict = kzt_decide_inbound(tables, flow->src_id, flow->dst_id,
					     &flow->peer_node, peer_is_local,
					     &hdr->src_addr, src_is_local,
					     &hdr->dst_addr,
					     hdr->dst_port, true, &ifindex);
	rcu_read_unlock();
	if (!tables)
		return KZT_STATUS_INTERNAL;
	switch (verdict) {
	case KZT_IN_OK:
		flow->pod_ifindex = ifindex;
		flow->decided = true;
		return KZT_STATUS_OK;
	case KZT_IN_NO_ROUTE:
		return KZT_STATUS_NO_ROUTE;
	case KZT_IN_BAD_SOURCE:
		kzt_stat_inc(flow->net, KZT_STATS_A_SOURCE_REFUSED);
		return KZT_STATUS_BAD_REQUEST;
	case KZT_IN_WRONG_SOURCE:
		kzt_stat_inc(flow->net, KZT_STATS_A_SOURCE_REFUSED);
		return KZT_STATUS_DENIED;
	default:
		return KZT_STATUS_DENIED;
	}
}

static void kzt_tunnel_in_pod_connect(struct kzt_flow *flow)
{
	struct sockaddr_storage dst, src;
	int dst_len, src_len, err;

	kzt_flow_set_state(flow, KZT_CONN_STATE_POD_CONNECT);
	kzt_flow_authorized(flow);
	dst_len = kzt_sockaddr(&flow->dst_addr, flow->dst_port, &dst);
	src_len = kzt_sockaddr(&flow->src_addr, flow->src_port, &src);
	err = kzt_tunnel_connect(flow, &flow->pod, false, &dst, dst_len,
				 &src, src_len);
	if (err) {
		pr_debug("flow %llu: pod connect: %d\n", flow->id, err);
		kzt_tunnel_in_refuse(flow, err == -ECONNREFUSED ?
				     KZT_STATUS_REFUSED : KZT_STATUS_INTERNAL);
		return;
	}
	/*
	 * Half the handshake timeout: a client with the same configuration
	 * waits that long for the status, so it gets TIMEOUT from us before
	 * it gives up itself.
	 */
	kzt_flow_set_deadline(flow, kzt_flow_hs_timeout_ms(flow->net) / 2);
	flow->ctl_len = 0;
}

static void kzt_tunnel_in_header(struct kzt_flow *flow)
{
	struct kzt_proto_header hdr;
	enum kzt_proto_status status;
	int err;

	err = kzt_tunnel_ctl_recv(flow);
	if (err == -EAGAIN) {
		if (kzt_flow_expired(flow)) {
			kzt_stat_inc(flow->net, KZT_STATS_A_HEADER_TIMEOUT);
			kzt_tunnel_in_refuse(flow, -1);
		}
		return;
	}
	if (err == -ESHUTDOWN || err == -ENODATA) {
		/* close_notify or FIN before a whole header: a truncated one */
		kzt_stat_inc(flow->net, KZT_STATS_A_HEADER_BAD);
		kzt_tunnel_in_refuse(flow, -1);
		return;
	}
	if (err) {
		kzt_flow_end(flow, err == -ECONNRESET ? KZT_END_FAILED :
						       KZT_END_TLS_ERROR);
		return;
	}
	if (kzt_proto_header_decode(flow->ctl, &hdr)) {
		pr_debug("flow %llu: bad header: rule %d\n", flow->id,
			 kzt_proto_header_check(flow->ctl));
		kzt_stat_inc(flow->net, KZT_STATS_A_HEADER_BAD);
		kzt_tunnel_in_refuse(flow, KZT_STATUS_BAD_REQUEST);
		return;
	}
	spin_lock(&flow->lock);
	flow->src_addr = hdr.src_addr;
	flow->src_port = hdr.src_port;
	flow->dst_addr = hdr.dst_addr;
	flow->dst_port = hdr.dst_port;
	spin_unlock(&flow->lock);

	status = kzt_tunnel_in_check(flow, &hdr);
	if (status != KZT_STATUS_OK) {
		kzt_tunnel_in_refuse(flow, status);
		return;
	}
	kzt_tunnel_in_pod_connect(flow);
}

static void kzt_tunnel_in_pod_wait(struct kzt_flow *flow)
{
	int err;

	if (kzt_sock_failed(&flow->tunnel)) {		/* the client left */
		kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}
	if (!flow->ctl_len) {
		err = kzt_sock_failed(&flow->pod);
		if (err) {
			pr_debug("flow %llu: pod connect: %d\n", flow->id, err);
			kzt_tunnel_in_refuse(flow, err == -ETIMEDOUT ?
					     KZT_STATUS_TIMEOUT :
					     KZT_STATUS_REFUSED);
			return;
		}
		if (READ_ONCE(flow->pod.sock->sk->sk_state) != TCP_ESTABLISHED) {
			if (kzt_flow_expired(flow))
				kzt_tunnel_in_refuse(flow, KZT_STATUS_TIMEOUT);
			return;
		}
		kzt_stat_inc(flow->net, KZT_STATS_A_STATUS_OK);
		kzt_proto_status_encode(KZT_STATUS_OK, flow->ctl);
		flow->ctl_len = KZT_PROTO_STATUS_LEN;
		flow->ctl_off = 0;
	}
	err = kzt_tunnel_ctl_send(flow);
	if (err == -EAGAIN)
		return;
	if (err) {
		kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}
	kzt_flow_established(flow);
}

/*
 * IDLE: a kept kzt/2 tunnel whose last flow ended; the next header starts
 * the next flow (protocol.rst, "kzt/2"). Until its first byte the client
 * may close the tunnel at any time (close_notify, FIN or RST): the end of
 * an idle tunnel, no error. It waits longer than a client with the same
 * configuration keeps it, so that the client closes first.
 */
static void kzt_tunnel_in_idle(struct kzt_flow *flow)
{
	int err;

	if (!flow->tunnel.hooked) {
		if (kzt_flow_hook(flow, &flow->tunnel)) {
			kzt_flow_end(flow, KZT_END_FAILED);
			return;
		}
		flow->ctl_len = KZT_PROTO_HEADER_LEN;
		flow->ctl_off = 0;
		kzt_flow_set_deadline(flow, kzt_pool_idle_ms(flow->net) +
					    KZT_PROTO_HEADER_TIMEOUT_MS);
	}
	err = kzt_tunnel_ctl_recv(flow);
	if (!flow->ctl_off) {
		if (err != -EAGAIN) {
			kzt_flow_end(flow, KZT_END_FAILED);
		} else if (kzt_flow_expired(flow)) {
			kzt_stat_inc(flow->net, KZT_STATS_A_TUNNELS_EXPIRED);
			kzt_flow_end(flow, KZT_END_FAILED);
		}
		return;
	}
	/* The next flow begins: from here on, kzt/1's steps. */
	kzt_pool_inbound_put(&flow->fn->pool);
	flow->idle_counted = false;
	kzt_stat_inc(flow->net, KZT_STATS_A_TUNNELS_REUSED);
	spin_lock(&flow->lock);
	flow->start = get_jiffies_64();
	flow->start_ns = ktime_get_real_ns();
	flow->state = KZT_CONN_STATE_HEADER;
	spin_unlock(&flow->lock);
	kzt_flow_set_deadline(flow, KZT_PROTO_HEADER_TIMEOUT_MS);
	kzt_tunnel_in_header(flow);
}

/* ---- both ---- */

/*
 * The handshake's result, once: the verified identities become the flow's
 * (outbound: the kernel checked the peer is the destination's identity).
 */
static void kzt_tunnel_handshake(struct kzt_flow *flow)
{
	char *peer_id, *local_id;
	int status;

	spin_lock(&flow->lock);
	if (!flow->hs_finished) {
		spin_unlock(&flow->lock);
		/* The pod may reset while we wait. */
		if (flow->pod.sock && kzt_sock_failed(&flow->pod) == -ECONNRESET)
			kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}
	status = flow->hs_status;
	peer_id = flow->hs_peer_id;
	local_id = flow->hs_local_id;
	if (!status && flow->dir == KZT_CONN_DIR_INBOUND) {
		flow->src_id = peer_id;
		flow->dst_id = local_id;
		flow->hs_peer_id = NULL;
		flow->hs_local_id = NULL;
	}
	spin_unlock(&flow->lock);

	if (status) {
		/* Counted by the upcall (failed, timed out, bad peer). */
		pr_debug("flow %llu: handshake: %d\n", flow->id, status);
		kzt_flow_end(flow, KZT_END_FAILED);
		return;
	}
	flow->tunnel_flows = 1;
	if (flow->dir == KZT_CONN_DIR_OUTBOUND) {
		kzt_tunnel_out_header(flow);
		if (!flow->dead)
			kzt_tunnel_out_status(flow);
		return;
	}
	kzt_flow_set_state(flow, KZT_CONN_STATE_HEADER);
	flow->ctl_len = KZT_PROTO_HEADER_LEN;
	flow->ctl_off = 0;
	kzt_flow_set_deadline(flow, KZT_PROTO_HEADER_TIMEOUT_MS);
	kzt_tunnel_in_header(flow);
}

/**
 * kzt_tunnel_step() - run the kzt/1 step @flow is in
 * @flow: a flow before ESTABLISHED, from its work item
 */
void kzt_tunnel_step(struct kzt_flow *flow)
{
	switch (flow->state) {
	case KZT_CONN_STATE_CONNECTING:
		kzt_tunnel_out_connecting(flow);
		break;
	case KZT_CONN_STATE_HANDSHAKE:
		if (flow->dir == KZT_CONN_DIR_INBOUND && !flow->hs_submitted)
			kzt_tunnel_in_start(flow);
		else
			kzt_tunnel_handshake(flow);
		break;
	case KZT_CONN_STATE_HEADER:
		if (flow->dir == KZT_CONN_DIR_OUTBOUND)
			kzt_tunnel_out_status(flow);
		else
			kzt_tunnel_in_header(flow);
		break;
	case KZT_CONN_STATE_POD_CONNECT:
		kzt_tunnel_in_pod_wait(flow);
		break;
	case KZT_CONN_STATE_IDLE:
		kzt_tunnel_in_idle(flow);
		break;
	default:
		WARN_ONCE(1, "kzt: flow in state %u in the tunnel step\n",
			  flow->state);
		kzt_flow_end(flow, KZT_END_FAILED);
		break;
	}
}
