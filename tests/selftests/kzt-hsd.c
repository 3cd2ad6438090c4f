// SPDX-License-Identifier: GPL-2.0
/*
 * kzt-hsd: a stand-in handshake daemon for the kernel's tests. It listens
 * on the "handshake" group of its netns, ACCEPTs every request and reports
 * DONE at once, without any TLS: for the two ends of one TCP connection
 * (found by their addresses) it makes up one set of random keys, so the
 * kernel's kTLS on both ends match. Options make it report a failure
 * status, a wrong peer ID, or nothing at all. It checks what ACCEPT hands
 * over (the descriptor is a TCP socket, close-on-exec, blocking).
 *
 * One line per event on stdout:
 *   ready
 *   accept id=N role=client|server fd=ok|BAD(...) timeout_ms=T [local_id=..
 *          peer_id=.. dst=..]
 *   done id=N status=S cipher=C result=ok|errno=NAME extack="..."
 *
 * For tests only: the keys it reports are random, not the result of a
 * handshake. Exit: 0 after --count requests or on SIGTERM/SIGINT, 1 on a
 * local failure, 3 when the kzt family is not there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/kzt.h>
#include <linux/tls.h>

#include "nl.h"

static const char *prog = "kzt-hsd";

static const struct {
	const char *name;
	uint16_t cipher;
	int key_len;
} ciphers[] = {
	{ "aes128", TLS_CIPHER_AES_GCM_128, 16 },
	{ "aes256", TLS_CIPHER_AES_GCM_256, 32 },
	{ "chacha20", TLS_CIPHER_CHACHA20_POLY1305, 32 },
};

#define N_CIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))
#define CONNS_MAX 64
#define HELD_MAX 256

/* The keys of one TCP connection, both directions, by its two addresses. */
struct conn {
	bool used;
	struct sockaddr_storage a, b;	/* a: the end seen first */
	unsigned int cipher;		/* index into ciphers[] */
	uint8_t key_ab[32], iv_ab[12];	/* what a sends */
	uint8_t key_ba[32], iv_ba[12];	/* what b sends */
	int ends_done;
};

struct opts {
	unsigned long count;		/* 0: until a signal */
	unsigned int status;		/* reported instead of success */
	const char *peer_id;		/* reported instead of the one asked */
	const char *client_id;		/* a server's verified peer */
	bool no_done;
};

static struct conn conns[CONNS_MAX];
static unsigned int next_cipher;
static int held[HELD_MAX];
static unsigned int n_held;
static volatile sig_atomic_t stop;

static void ignore_event(struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static bool same_addr(const struct sockaddr_storage *x, const struct sockaddr_storage *y)
{
	if (x->ss_family != y->ss_family)
		return false;
	if (x->ss_family == AF_INET) {
		const struct sockaddr_in *p = (const void *)x, *q = (const void *)y;

		return p->sin_port == q->sin_port && p->sin_addr.s_addr == q->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *p = (const void *)x, *q = (const void *)y;

	return p->sin6_port == q->sin6_port &&
	       !memcmp(&p->sin6_addr, &q->sin6_addr, sizeof(p->sin6_addr));
}

/*
 * The connection of @fd, made up on its first end. *tx and *rx point to
 * the keys this end writes and reads with.
 */
static struct conn *conn_of(int fd, const uint8_t **tx_key, const uint8_t **tx_iv,
			    const uint8_t **rx_key, const uint8_t **rx_iv)
{
	struct sockaddr_storage local, peer;
	socklen_t len = sizeof(local);
	struct conn *c, *free_slot = NULL;

	if (getsockname(fd, (struct sockaddr *)&local, &len))
		return NULL;
	len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len))
		return NULL;
	for (c = conns; c < conns + CONNS_MAX; c++) {
		if (!c->used) {
			if (!free_slot)
				free_slot = c;
			continue;
		}
		if (same_addr(&c->a, &peer) && same_addr(&c->b, &local)) {
			*tx_key = c->key_ba;
			*tx_iv = c->iv_ba;
			*rx_key = c->key_ab;
			*rx_iv = c->iv_ab;
			return c;
		}
	}
	c = free_slot;
	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->a = local;
	c->b = peer;
	c->cipher = next_cipher++ % N_CIPHERS;
	if (getrandom(c->key_ab, sizeof(c->key_ab), 0) != sizeof(c->key_ab) ||
	    getrandom(c->key_ba, sizeof(c->key_ba), 0) != sizeof(c->key_ba) ||
	    getrandom(c->iv_ab, sizeof(c->iv_ab), 0) != sizeof(c->iv_ab) ||
	    getrandom(c->iv_ba, sizeof(c->iv_ba), 0) != sizeof(c->iv_ba)) {
		c->used = false;
		return NULL;
	}
	*tx_key = c->key_ab;
	*tx_iv = c->iv_ab;
	*rx_key = c->key_ba;
	*rx_iv = c->iv_ba;
	return c;
}

static void conn_end_done(struct conn *c)
{
	if (++c->ends_done < 2)
		return;
	/* Both ends have their keys: forget them. */
	explicit_bzero(c, sizeof(*c));
}

/* What ACCEPT handed over. */
struct accepted {
	bool got;
	uint32_t id;
	int fd;
	uint8_t role;
	uint32_t timeout_ms;
	char local_id[KZT_SPIFFE_ID_MAX + 1];
	char peer_id[KZT_SPIFFE_ID_MAX + 1];
	char dst[INET6_ADDRSTRLEN];
};

static void copy_str(char *dst, size_t size, const struct nlattr *nla)
{
	size_t n = nla_len(nla);

	if (n >= size)
		n = size - 1;
	memcpy(dst, nla_data(nla), n);
	dst[n] = '\0';
}

static int on_accept_reply(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *ghdr = nlmsg_data(nlh);
	struct accepted *a = arg;
	struct nlattr *nla;
	int rem;

	a->got = true;
	a->fd = -1;
	nla_for_each_attr(nla, genlmsg_attrdata(ghdr, 0), genlmsg_attrlen(ghdr, 0), rem) {
		switch (nla_type(nla)) {
		case KZT_HS_A_ID:
			a->id = nla_get_u32(nla);
			break;
		case KZT_HS_A_FD:
			a->fd = (int)nla_get_u32(nla);
			break;
		case KZT_HS_A_ROLE:
			a->role = nla_get_u8(nla);
			break;
		case KZT_HS_A_TIMEOUT_MS:
			a->timeout_ms = nla_get_u32(nla);
			break;
		case KZT_HS_A_LOCAL_ID:
			copy_str(a->local_id, sizeof(a->local_id), nla);
			break;
		case KZT_HS_A_PEER_ID:
			copy_str(a->peer_id, sizeof(a->peer_id), nla);
			break;
		case KZT_HS_A_DST_ADDR:
			if (nla_len(nla) == 16)
				inet_ntop(AF_INET6, nla_data(nla), a->dst, sizeof(a->dst));
			break;
		}
	}
	return 0;
}

/* "ok", or what is wrong with the descriptor ACCEPT gave. */
static const char *check_fd(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);
	int fl;

	if (fd < 0)
		return "BAD(no fd)";
	fl = fcntl(fd, F_GETFD);
	if (fl < 0)
		return "BAD(not open)";
	if (!(fl & FD_CLOEXEC))
		return "BAD(no close-on-exec)";
	if (fcntl(fd, F_GETFL) & O_NONBLOCK)
		return "BAD(non-blocking)";
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) || v != IPPROTO_TCP)
		return "BAD(not TCP)";
	return "ok";
}

static void print_result(const char *what, int ret, const struct kzt_nl_err *err)
{
	const char *name = ret ? strerrorname_np(ret) : NULL;

	if (!ret)
		printf("%s=ok", what);
	else
		printf("%s=errno=%s", what, name ? name : "?");
	if (err->msg[0])
		printf(" extack=\"%s\"", err->msg);
	putchar('\n');
}

static int put_dir(struct nl_msg *msg, int key_t, int iv_t, int seq_t, int key_len,
		   const uint8_t *key, const uint8_t *iv)
{
	return nla_put(msg, key_t, key_len, key) || nla_put(msg, iv_t, 12, iv) ||
	       nla_put_u64(msg, seq_t, 0);
}

static int report(struct kzt_nl *nl, const struct kzt_nl_family *fam,
		  const struct opts *o, const struct accepted *a)
{
	const uint8_t *tx_key = NULL, *tx_iv = NULL, *rx_key = NULL, *rx_iv = NULL;
	struct conn *c = NULL;
	struct kzt_nl_err err;
	struct nl_msg *msg;
	const char *peer;
	int ret;

	ret = kzt_nl_msg_new(fam, KZT_CMD_HANDSHAKE_DONE, KZT_GENL_VERSION,
			     NLM_F_REQUEST | NLM_F_ACK, &msg);
	if (ret)
		return ret;
	if (!o->status) {
		c = conn_of(a->fd, &tx_key, &tx_iv, &rx_key, &rx_iv);
		if (!c) {
			nlmsg_free(msg);
			return ENOSPC;
		}
	}
	ret = nla_put_u32(msg, KZT_HS_A_ID, a->id) ||
	      nla_put_s32(msg, KZT_HS_A_FD, a->fd) ||
	      nla_put_u32(msg, KZT_HS_A_STATUS, o->status);
	if (!ret && c) {
		int kl = ciphers[c->cipher].key_len;

		peer = o->peer_id ? o->peer_id :
		       a->role == KZT_HS_ROLE_CLIENT ? a->peer_id : o->client_id;
		ret = nla_put_u16(msg, KZT_HS_A_CIPHER, ciphers[c->cipher].cipher) ||
		      put_dir(msg, KZT_HS_A_TX_KEY, KZT_HS_A_TX_IV, KZT_HS_A_TX_SEQ, kl,
			      tx_key, tx_iv) ||
		      put_dir(msg, KZT_HS_A_RX_KEY, KZT_HS_A_RX_IV, KZT_HS_A_RX_SEQ, kl,
			      rx_key, rx_iv) ||
		      nla_put_string(msg, KZT_HS_A_PEER_ID, peer) ||
		      nla_put_string(msg, KZT_HS_A_LOCAL_ID,
				     a->role == KZT_HS_ROLE_CLIENT ? a->local_id :
				     "spiffe://kzt.test/ns/hsd/sa/server");
	}
	if (ret) {
		nlmsg_free(msg);
		return EMSGSIZE;
	}
	ret = kzt_nl_request(nl, msg, NULL, NULL, &err);
	/* The message held keys: wipe it before it goes back to the heap. */
	explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	printf("done id=%u status=%u cipher=%s ", a->id, o->status,
	       c ? ciphers[c->cipher].name : "-");
	print_result("result", ret, &err);
	if (c)
		conn_end_done(c);
	return 0;
}

/* ACCEPT until none waits. Return: requests handled, or -errno. */
static long sweep(struct kzt_nl *nl, const struct kzt_nl_family *fam, const struct opts *o)
{
	long handled = 0;

	for (;;) {
		struct accepted a = { .fd = -1 };
		struct kzt_nl_err err;
		struct nl_msg *msg;
		int ret;

		ret = kzt_nl_msg_new(fam, KZT_CMD_HANDSHAKE_ACCEPT, KZT_GENL_VERSION,
				     NLM_F_REQUEST | NLM_F_ACK, &msg);
		if (ret)
			return -ret;
		ret = kzt_nl_request(nl, msg, on_accept_reply, &a, &err);
		nlmsg_free(msg);
		if (ret == EAGAIN)
			return handled;
		if (ret) {
			print_result("accept", ret, &err);
			return -ret;
		}
		printf("accept id=%u role=%s fd=%s timeout_ms=%u", a.id,
		       a.role == KZT_HS_ROLE_CLIENT ? "client" :
		       a.role == KZT_HS_ROLE_SERVER ? "server" : "?",
		       check_fd(a.fd), a.timeout_ms);
		if (a.role == KZT_HS_ROLE_CLIENT)
			printf(" local_id=%s peer_id=%s dst=%s", a.local_id, a.peer_id, a.dst);
		putchar('\n');
		handled++;
		if (o->no_done) {
			if (n_held < HELD_MAX)
				held[n_held++] = a.fd;
			else
				close(a.fd);
			continue;
		}
		ret = report(nl, fam, o, &a);
		if (ret)
			printf("done id=%u local failure: %s\n", a.id, strerror(ret));
		close(a.fd);
	}
}

static int parse_errno(const char *s, unsigned int *v)
{
	static const struct { const char *name; int e; } names[] = {
		{ "EACCES", EACCES }, { "EPROTO", EPROTO }, { "ETIMEDOUT", ETIMEDOUT },
		{ "ECONNRESET", ECONNRESET }, { "ENOMEM", ENOMEM },
	};
	char *end;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i].name)) {
			*v = names[i].e;
			return 0;
		}
	}
	*v = strtoul(s, &end, 0);
	return *s && !*end ? 0 : EINVAL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--count N] [--status ERRNO] [--peer-id ID] [--client-id ID]\n"
		"       [--no-done]\n"
		"\n"
		"A stand-in kztd for the kernel tests: ACCEPT every handshake request of\n"
		"this netns and report DONE with made-up keys that match on both ends.\n"
		"\n"
		"  --count N       exit after N requests (default: until SIGTERM)\n"
		"  --status ERRNO  report this failure (EACCES, EPROTO, ... or a number)\n"
		"  --peer-id ID    report ID as the verified peer (default: the one asked)\n"
		"  --client-id ID  the verified peer a server reports\n"
		"                  (default spiffe://td/ns/a/sa/client)\n"
		"  --no-done       accept and hold the sockets, never report\n", prog);
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "status", required_argument, NULL, 's' },
		{ "peer-id", required_argument, NULL, 'p' },
		{ "client-id", required_argument, NULL, 'C' },
		{ "no-done", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .client_id = "spiffe://td/ns/a/sa/client" };
	struct kzt_nl *ev = NULL, *req = NULL;
	struct kzt_nl_family fam;
	struct kzt_nl_err err;
	unsigned long handled = 0;
	uint32_t group;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			if (parse_errno(optarg, &o.status)) {
				fprintf(stderr, "%s: bad status '%s'\n", prog, optarg);
				return 1;
			}
			break;
		case 'p':
			o.peer_id = optarg;
			break;
		case 'C':
			o.client_id = optarg;
			break;
		case 'n':
			o.no_done = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	if (kzt_nl_open(&ev) || kzt_nl_open(&req)) {
		fprintf(stderr, "%s: netlink socket: %s\n", prog, strerror(errno));
		return 1;
	}
	ret = kzt_nl_family_resolve(req, KZT_GENL_NAME, &fam, &err);
	if (ret) {
		fprintf(stderr, "%s: family kzt: %s\n", prog, strerror(ret));
		return ret == ENOENT ? 3 : 1;
	}
	ret = kzt_nl_family_mcgrp(&fam, KZT_MCGRP_HANDSHAKE, &group);
	if (!ret)
		ret = kzt_nl_subscribe(ev, group);
	if (ret) {
		fprintf(stderr, "%s: unable to join the handshake group: %s\n", prog,
			strerror(ret));
		return 1;
	}
	printf("ready\n");

	while (!stop && (!o.count || handled < o.count)) {
		struct pollfd p = { .fd = kzt_nl_fd(ev), .events = POLLIN };
		long n;

		/* A READY, an overrun (ENOBUFS) or a quiet second: sweep. */
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			break;
		if (p.revents)
			kzt_nl_events_read(ev, ignore_event, NULL);
		n = sweep(req, &fam, &o);
		if (n < 0) {
			ret = 1;
			break;
		}
		handled += n;
	}
	while (n_held)
		close(held[--n_held]);
	explicit_bzero(conns, sizeof(conns));
	kzt_nl_close(req);
	kzt_nl_close(ev);
	return ret ? 1 : 0;
}
