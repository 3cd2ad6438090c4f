// SPDX-License-Identifier: GPL-2.0
/*
 * The pump: both directions of an established flow, in the flow's work
 * item, never blocking (MSG_DONTWAIT everywhere).
 *
 * Each direction has one buffer of KZT_PUMP_BUF_SIZE. It reads from its
 * source only when the buffer is empty, so when the destination cannot
 * take more (-EAGAIN) the direction stops reading: the source's receive
 * queue fills and TCP closes its window (backpressure). The destination's
 * write_space callback kicks the work again. A run moves at most
 * KZT_PUMP_BUDGET bytes per direction, then queues itself behind the
 * other flows' work.
 *
 * Ends (Documentation/protocol.rst, "The byte stream"):
 *  - pod FIN            -> close_notify on the tunnel (that direction ends);
 *                          kzt/2: an END record
 *  - tunnel close_notify -> FIN to the pod (shutdown SHUT_WR); kzt/2: END
 *  - both ended         -> CLOSING: the tunnel's write side is shut down
 *                          once kTLS has handed its last record to TCP;
 *                          kzt/2 hands the tunnel on to the next flow
 *  - pod RST            -> tunnel RST, no close_notify
 *  - tunnel RST         -> pod RST
 *  - tunnel FIN without close_notify, another alert, a non-data record,
 *    a record that fails authentication -> pod RST, counted TLS_ERRORS
 */
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/tls.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/tls.h>
#include <linux/unaligned.h>

#include "flow_internal.h"

/* How often CLOSING looks whether kTLS still holds records for TCP. */
#define KZT_PUMP_FLUSH_POLL_MS		10

/*
 * AEAD limits (RFC 8446 5.5): one AES-GCM key may protect at most 2^24.5
 * full records. kTLS in 6.12 cannot change the keys of a socket (a second
 * TLS_TX/TLS_RX is -EBUSY: "we don't support set crypto info more than one
 * time", net/tls/tls_main.c), so there is no KeyUpdate: a flow whose
 * tunnel comes near the limit in either direction is reset on both sides
 * and counted (FLOWS_KEY_LIMIT); its pods reconnect with fresh keys.
 * Documentation/protocol.rst, "Key limits".
 */
#define KZT_AEAD_RECORD_LIMIT		23726566U	/* floor(2^24.5) */
#define KZT_AEAD_RECORD_LIMIT_MIN	64U

/*
 * Records one pump run can seal: a send of at most KZT_PUMP_BUF_SIZE bytes
 * (one record's worth) closes at most two records (the one left open and
 * its own), however few bytes it carries, so a run ends after
 * KZT_PUMP_RUN_SENDS sends to the tunnel (a trickling pod would otherwise
 * seal a record per byte of the budget). Checking this many records early,
 * before each run, never passes the limit.
 */
#define KZT_PUMP_RUN_SENDS	(KZT_PUMP_BUDGET / KZT_PUMP_BUF_SIZE)
#define KZT_PUMP_RUN_RECORDS	(2 * KZT_PUMP_RUN_SENDS)

/*
 * Records of a tunnel its byte counters do not show: the kzt/1 header or
 * status (a byte per record at worst), close_notify, and on receive what
 * the pump's buffer holds. Every other record carries a byte of
 * bytes_out (bytes_in), so below the limit by this much more there is no
 * need to read the sequence numbers.
 */
#define KZT_PUMP_UNCOUNTED_RECORDS	\
	(KZT_PROTO_HEADER_LEN + 1 + KZT_PUMP_BUF_SIZE + KZT_PUMP_RUN_RECORDS)

static unsigned int kzt_aead_record_limit = KZT_AEAD_RECORD_LIMIT;

static int kzt_aead_limit_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v < KZT_AEAD_RECORD_LIMIT_MIN || v > KZT_AEAD_RECORD_LIMIT)
		return -ERANGE;
	WRITE_ONCE(kzt_aead_record_limit, v);
	return 0;
}

static const struct kernel_param_ops kzt_aead_limit_ops = {
	.set = kzt_aead_limit_set,
	.get = param_get_uint,
};
module_param_cb(aead_record_limit, &kzt_aead_limit_ops, &kzt_aead_record_limit, 0644);
MODULE_PARM_DESC(aead_record_limit,
		 "records per AES-GCM key and direction before a flow is reset (for tests: 64..23726566, default 23726566)");

/**
 * kzt_pump_init() - give @pump its two buffers
 * @pump: zeroed
 *
 * Return: 0 or -ENOMEM.
 */
int kzt_pump_init(struct kzt_pump *pump)
{
	pump->out.buf = kvmalloc(KZT_PUMP_BUF_SIZE, GFP_KERNEL_ACCOUNT);
	pump->in.buf = kvmalloc(KZT_PUMP_BUF_SIZE, GFP_KERNEL_ACCOUNT);
	if (!pump->out.buf || !pump->in.buf) {
		kzt_pump_free(pump);
		return -ENOMEM;
	}
	return 0;
}

/**
 * kzt_pump_free() - free @pump's buffers
 * @pump: initialised or zeroed; process context
 */
void kzt_pump_free(struct kzt_pump *pump)
{
	kvfree(pump->out.buf);
	kvfree(pump->in.buf);
	pump->out.buf = NULL;
	pump->in.buf = NULL;
}

/**
 * kzt_tls_recv() - read bytes of one record type from a kTLS socket
 * @sock: socket with TLS_RX
 * @buf: destination
 * @len: its size
 * @type: set to the TLS content type of what was read
 *
 * Passes a control buffer, so kTLS returns records of other types than
 * application data (an alert, a handshake message) with their type
 * instead of failing with -EIO. One call never mixes types.
 *
 * Return: bytes read, 0 at a TCP FIN, -EAGAIN when no whole record is
 * there, or another negative errno (-EBADMSG: authentication failed).
 */
int kzt_tls_recv(struct socket *sock, void *buf, size_t len, u8 *type)
{
	union {
		struct cmsghdr hdr;
		u8 space[CMSG_SPACE(sizeof(u8))];
	} cmsg = {};
	struct msghdr msg = {
		.msg_control = &cmsg,
		.msg_controllen = sizeof(cmsg),
	};
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	int n;

	n = kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_DONTWAIT);
	if (n <= 0)
		return n;
	/* put_cmsg() advanced msg_control past what it wrote. */
	if ((msg.msg_flags & MSG_CTRUNC) || msg.msg_controllen == sizeof(cmsg) ||
	    cmsg.hdr.cmsg_level != SOL_TLS ||
	    cmsg.hdr.cmsg_type != TLS_GET_RECORD_TYPE)
		return -EPROTO;
	*type = *(u8 *)CMSG_DATA(&cmsg.hdr);
	return n;
}

/**
 * kzt_sock_send() - send bytes (application data on a kTLS socket)
 * @sock: connected socket
 * @buf: bytes
 * @len: how many
 *
 * Return: bytes taken (maybe fewer than @len), -EAGAIN when none fit, or
 * another negative errno.
 */
int kzt_sock_send(struct socket *sock, const void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };

	return kernel_sendmsg(sock, &msg, &iov, 1, len);
}

/*
 * Send @len bytes as one record of content @type (a TLS_SET_RECORD_TYPE
 * control message); kTLS first closes the record it may have open, so it
 * comes after every byte sent before. 0, -EAGAIN or a negative errno.
 */
static int kzt_tls_send_record(struct socket *sock, u8 type, const u8 *data,
			       size_t len)
{
	union {
		struct cmsghdr hdr;
		u8 space[CMSG_SPACE(sizeof(u8))];
	} cmsg = {};
	struct msghdr msg = {
		.msg_control = &cmsg,
		.msg_controllen = sizeof(cmsg),
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	struct kvec iov = { .iov_base = (void *)data, .iov_len = len };
	int n;

	cmsg.hdr.cmsg_level = SOL_TLS;
	cmsg.hdr.cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg.hdr.cmsg_len = CMSG_LEN(sizeof(u8));
	*(u8 *)CMSG_DATA(&cmsg.hdr) = type;

	n = kernel_sendmsg(sock, &msg, &iov, 1, len);
	if (n < 0)
		return n;
	return n == len ? 0 : -EAGAIN;
}

/**
 * kzt_tls_send_close_notify() - end our sending direction of a kTLS socket
 * @sock: socket with TLS_TX
 *
 * Sends the close_notify alert as a record of type alert, after every
 * byte sent before.
 *
 * Return: 0, -EAGAIN (try again on write_space), or a negative errno.
 */
int kzt_tls_send_close_notify(struct socket *sock)
{
	static const u8 alert[2] = {
		KZT_TLS_ALERT_WARNING, KZT_TLS_ALERT_CLOSE_NOTIFY
	};

	return kzt_tls_send_record(sock, KZT_TLS_ALERT, alert, sizeof(alert));
}

/**
 * kzt_tls_send_end() - end the flow's sending direction on a kzt/2 tunnel
 * @sock: socket with TLS_TX
 *
 * The tunnel stays open for the next flow; the END record comes after
 * every byte sent before.
 *
 * Return: 0, -EAGAIN (try again on write_space), or a negative errno.
 */
int kzt_tls_send_end(struct socket *sock)
{
	static const u8 end = KZT_END_FLOW;

	return kzt_tls_send_record(sock, KZT_TLS_KZT_END, &end, 1);
}

/**
 * kzt_tls_tx_pending() - whether kTLS holds records not yet given to TCP
 * @sock: socket with TLS_TX
 *
 * A non-blocking send returns once the bytes are in a record; a record TCP
 * had no room for waits in kTLS's tx_list until write_space. A shutdown
 * before they have all gone to TCP would put the FIN before them.
 *
 * Return: true while such records exist.
 */
bool kzt_tls_tx_pending(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct tls_context *ctx;
	bool pending = false;

	lock_sock(sk);
	ctx = tls_get_ctx(sk);
	if (inet_csk(sk)->icsk_ulp_ops && ctx && ctx->tx_conf == TLS_SW)
		pending = ctx->partially_sent_record ||
			  ctx->pending_open_record_frags ||
			  !list_empty(&tls_sw_ctx_tx(ctx)->tx_list);
	release_sock(sk);
	return pending;
}

/*
 * The next record sequence numbers of both directions of a kTLS socket:
 * records sealed (or opened) under its keys so far, counted from what
 * DONE installed. kTLS keeps them big-endian in its context and advances
 * them under the socket lock. Checked against 6.12.118.
 */
static void kzt_tls_rec_seq(struct socket *sock, u64 *tx, u64 *rx)
{
	struct sock *sk = sock->sk;
	struct tls_context *ctx;

	*tx = 0;
	*rx = 0;
	lock_sock(sk);
	ctx = tls_get_ctx(sk);
	if (inet_csk(sk)->icsk_ulp_ops && ctx) {
		if (ctx->tx_conf == TLS_SW && ctx->prot_info.rec_seq_size == 8)
			*tx = get_unaligned_be64(ctx->tx.rec_seq);
		if (ctx->rx_conf == TLS_SW && ctx->prot_info.rec_seq_size == 8)
			*rx = get_unaligned_be64(ctx->rx.rec_seq);
	}
	release_sock(sk);
}

/*
 * Whether the tunnel's keys are near their AEAD limit: its sealed records
 * within a pump run of it, or its opened ones at it. The peer seals those:
 * a kzt peer stops its own side early; a peer that does not is reset in
 * the first run that starts past the limit (a run opens at most what its
 * reads return, or more when the peer sends empty records, which also
 * escape the byte filter below).
 * ChaCha20-Poly1305 has no such limit within the sequence number space.
 */
static bool kzt_pump_key_limit(struct kzt_flow *flow)
{
	u64 limit = READ_ONCE(kzt_aead_record_limit), tx, rx;
	/* A kept tunnel's records before this flow count too. */
	u64 bytes = flow->tunnel_records +
		    max(atomic64_read(&flow->bytes_out),
			atomic64_read(&flow->bytes_in));

	if (flow->cipher != TLS_CIPHER_AES_GCM_128 &&
	    flow->cipher != TLS_CIPHER_AES_GCM_256)
		return false;
	/* Spares the socket lock of the flows far from it: nearly all. */
	if (bytes + KZT_PUMP_UNCOUNTED_RECORDS < limit)
		return false;
	kzt_tls_rec_seq(flow->tunnel.sock, &tx, &rx);
	return tx + KZT_PUMP_RUN_RECORDS >= limit || rx >= limit;
}

static int kzt_sock_recv(struct socket *sock, void *buf, size_t len)
{
	struct msghdr msg = {};
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	return kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_DONTWAIT);
}

/* A socket error, not the peer speaking bad TLS: a reset, not TLS_ERRORS. */
static enum kzt_flow_end kzt_pump_tunnel_err(int err)
{
	switch (err) {
	case -EBADMSG:		/* authentication failed */
	case -EMSGSIZE:		/* record too long */
	case -EINVAL:
	case -EIO:
	case -EPROTO:
		return KZT_END_TLS_ERROR;
	case -ETIMEDOUT:	/* keepalive or retransmissions gave up */
		return KZT_END_PEER_DEAD;
	default:
		return KZT_END_RESET;
	}
}

/*
 * Send what @d holds to @to and count it. Returns 1 when some was sent, 0
 * when @to is full, -1 when @to is gone (*@how set), as the pumps return.
 */
static int kzt_pump_drain(struct kzt_flow *flow, struct kzt_pump_dir *d,
			  struct socket *to, atomic64_t *bytes,
			  unsigned int *moved, enum kzt_flow_end *how)
{
	int n = kzt_sock_send(to, d->buf + d->head, d->len);

	if (n == -EAGAIN)
		return 0;
	if (n < 0) {
		*how = n == -ETIMEDOUT && to == flow->tunnel.sock ?
		       KZT_END_PEER_DEAD : KZT_END_RESET;
		return -1;
	}
	d->head += n;
	d->len -= n;
	*moved += n;
	atomic64_add(n, bytes);
	flow->last_active = jiffies;
	return 1;
}

/*
 * Tunnel -> pod. Returns 1 when the budget ran out, 0 when waiting for an
 * event, -1 when the flow must end as *@how says.
 */
static int kzt_pump_in(struct kzt_flow *flow, enum kzt_flow_end *how)
{
	struct kzt_pump_dir *d = &flow->pump.in;
	struct socket *pod = flow->pod.sock, *tunnel = flow->tunnel.sock;
	unsigned int moved = 0;
	u8 type;
	int n;

	while (moved < KZT_PUMP_BUDGET) {
		if (d->len) {
			n = kzt_pump_drain(flow, d, pod, &flow->bytes_in, &moved,
					   how);
			if (n <= 0)
				return n;
			continue;
		}
		if (d->eof) {
			if (!d->done) {
				kernel_sock_shutdown(pod, SHUT_WR);
				d->done = true;
			}
			return 0;
		}
		n = kzt_tls_recv(tunnel, d->buf, KZT_PUMP_BUF_SIZE, &type);
		if (n == -EAGAIN)
			return 0;
		if (n <= 0) {
			/* 0: FIN without close_notify, a truncation. */
			*how = n ? kzt_pump_tunnel_err(n) : KZT_END_TLS_ERROR;
			return -1;
		}
		if (type == KZT_TLS_APPLICATION_DATA) {
			d->head = 0;
			d->len = n;
			continue;
		}
		/* kzt/1 ends a direction with close_notify, kzt/2 with END. */
		if (flow->proto == 2 ?
		    type == KZT_TLS_KZT_END && n == 1 && d->buf[0] == KZT_END_FLOW :
		    type == KZT_TLS_ALERT && n == 2 &&
		    d->buf[1] == KZT_TLS_ALERT_CLOSE_NOTIFY) {
			d->eof = true;
			continue;
		}
		/* Another alert, a handshake message (KeyUpdate, ticket). */
		*how = KZT_END_TLS_ERROR;
		return -1;
	}
	return 1;
}

/* Pod -> tunnel; returns as kzt_pump_in(). */
static int kzt_pump_out(struct kzt_flow *flow, enum kzt_flow_end *how)
{
	struct kzt_pump_dir *d = &flow->pump.out;
	struct socket *pod = flow->pod.sock, *tunnel = flow->tunnel.sock;
	unsigned int moved = 0, sends = 0;
	int n;

	/* Each send may seal records: KZT_PUMP_RUN_RECORDS. */
	while (moved < KZT_PUMP_BUDGET && sends < KZT_PUMP_RUN_SENDS) {
		if (d->len) {
			sends++;
			n = kzt_pump_drain(flow, d, tunnel, &flow->bytes_out, &moved,
					   how);
			if (n <= 0)
				return n;
			continue;
		}
		if (d->eof) {
			if (!d->done) {
				sends++;
				n = flow->proto == 2 ? kzt_tls_send_end(tunnel) :
				    kzt_tls_send_close_notify(tunnel);
				if (n == -EAGAIN)
					return 0;
				if (n < 0) {
					*how = KZT_END_RESET;
					return -1;
				}
				d->done = true;
			}
			return 0;
		}
		n = kzt_sock_recv(pod, d->buf, KZT_PUMP_BUF_SIZE);
		if (n == -EAGAIN)
			return 0;
		if (n < 0) {
			*how = KZT_END_RESET;		/* the pod reset */
			return -1;
		}
		if (!n) {
			d->eof = true;			/* the pod's FIN */
			continue;
		}
		d->head = 0;
		d->len = n;
	}
	return 1;
}

/*
 * A side we no longer read from can still be reset: its error shows only
 * in sk_err. (Its TCP state alone says nothing: a pod that closed after
 * our FIN goes to TIME_WAIT, i.e. TCP_CLOSE, with its FIN still unread.)
 */
static int kzt_pump_side_failed(const struct kzt_flow_sock *fs)
{
	return READ_ONCE(fs->sock->sk->sk_err);
}

/**
 * kzt_pump_keys_fresh() - whether a kept tunnel may carry another flow
 * @cipher: its TLS_CIPHER_*
 * @records: the most records its keys sealed or opened in one direction
 *
 * Not once an AES-GCM key has done half of its work: the next flows
 * would soon meet the limit and be reset.
 *
 * Return: true when it may.
 */
bool kzt_pump_keys_fresh(u16 cipher, u64 records)
{
	if (cipher != TLS_CIPHER_AES_GCM_128 && cipher != TLS_CIPHER_AES_GCM_256)
		return true;
	return records < READ_ONCE(kzt_aead_record_limit) / 2;
}

/*
 * Both directions of the flow ended cleanly: a kzt/2 tunnel goes on,
 * once kTLS has handed its END (and every byte before) to TCP: whoever
 * takes it may close it with a reset, which must not overtake them.
 */
static void kzt_pump_keep_tunnel(struct kzt_flow *flow)
{
	u64 tx, rx;

	if (flow->proto != 2 || kzt_tls_tx_pending(flow->tunnel.sock))
		return;
	kzt_tls_rec_seq(flow->tunnel.sock, &tx, &rx);
	flow->tunnel_records = max(tx, rx);
	if (kzt_pump_keys_fresh(flow->cipher, flow->tunnel_records))
		kzt_flow_pass_tunnel(flow);
}

/**
 * kzt_pump_step() - move what can be moved, both ways
 * @flow: an ESTABLISHED or HALF_CLOSED flow, from its work item
 *
 * Ends the flow on a reset, an error or the idle timeout; moves it to
 * HALF_CLOSED and CLOSING as its directions end.
 */
void kzt_pump_step(struct kzt_flow *flow)
{
	struct kzt_pump *pump = &flow->pump;
	enum kzt_flow_end how = KZT_END_RESET;
	int in, out, err = 0;

	if (pump->out.eof && !pump->out.len)
		err = kzt_pump_side_failed(&flow->pod);
	if (!err && pump->in.eof) {
		err = kzt_pump_side_failed(&flow->tunnel);
		if (err == ETIMEDOUT)
			how = KZT_END_PEER_DEAD;
	}
	if (err) {
		kzt_flow_end(flow, how);
		return;
	}
	if (kzt_pump_key_limit(flow)) {
		pr_debug("flow %llu: AEAD record limit\n", flow->id);
		kzt_flow_end(flow, KZT_END_KEY_LIMIT);
		return;
	}
	in = kzt_pump_in(flow, &how);
	if (in < 0) {
		kzt_flow_end(flow, how);
		return;
	}
	out = kzt_pump_out(flow, &how);
	if (out < 0) {
		kzt_flow_end(flow, how);
		return;
	}
	if (pump->in.done && pump->out.done) {
		kzt_pump_keep_tunnel(flow);
		kzt_flow_closing(flow);
		return;
	}
	if ((pump->in.done || pump->out.done) &&
	    flow->state != KZT_CONN_STATE_HALF_CLOSED)
		kzt_flow_set_state(flow, KZT_CONN_STATE_HALF_CLOSED);
	if (in > 0 || out > 0) {
		kzt_flow_kick(flow);		/* the budget ran out */
		return;
	}
	if (kzt_flow_idle(flow))
		kzt_flow_end(flow, KZT_END_IDLE);
}

static bool kzt_pump_sock_closed(const struct kzt_flow_sock *fs)
{
	return !fs->sock || READ_ONCE(fs->sock->sk->sk_state) == TCP_CLOSE;
}

/**
 * kzt_pump_linger() - the CLOSING state
 * @flow: flow, from its work item
 *
 * Shuts the tunnel's write side once kTLS has handed every record to TCP,
 * then waits until TCP has finished with both sockets (TCP_CLOSE, after the
 * FIN exchange) before releasing them, so that no orphan socket outlives
 * the flow (kernel sockets hold no netns reference). Past the deadline
 * both are reset.
 */
void kzt_pump_linger(struct kzt_flow *flow)
{
	enum kzt_flow_end how = flow->opened ? KZT_END_CLOSED : KZT_END_QUIET;

	if (kzt_flow_expired(flow)) {
		if (flow->pod.sock)
			sock_no_linger(flow->pod.sock->sk);
		if (flow->tunnel.sock)
			sock_no_linger(flow->tunnel.sock->sk);
		kzt_flow_end(flow, how);
		return;
	}
	/* A kzt/2 tunnel went on to the next flow: only the pod is left. */
	if (!flow->tunnel_shut && flow->tunnel.sock) {
		if (!kzt_pump_sock_closed(&flow->tunnel) &&
		    kzt_tls_tx_pending(flow->tunnel.sock)) {
			unsigned long poll = jiffies +
				msecs_to_jiffies(KZT_PUMP_FLUSH_POLL_MS);

			/*
			 * kTLS pushes them from its own work, which does not
			 * tell us when it is done: look again shortly.
			 */
			if (time_after(poll, flow->deadline))
				poll = flow->deadline;
			mod_timer(&flow->timer, poll);
			return;
		}
		kernel_sock_shutdown(flow->tunnel.sock, SHUT_WR);
		flow->tunnel_shut = true;
		mod_timer(&flow->timer, flow->deadline);
	}
	if (kzt_pump_sock_closed(&flow->pod) &&
	    kzt_pump_sock_closed(&flow->tunnel))
		kzt_flow_end(flow, how);
}
