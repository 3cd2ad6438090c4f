// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake upcall, kztd's side (include/uapi/linux/kzt.h): on
 * KZT_CMD_HANDSHAKE_READY, ACCEPT requests until -EAGAIN; run each
 * handshake on its socket in this one epoll loop (non-blocking OpenSSL,
 * lib/tlsconn.c); report with DONE; close the descriptor.
 *
 * Two pools, client and server handshakes, each with at most
 * max_{client,server}_handshakes in flight (ACCEPT with a role filter):
 * the rest wait in the kernel with no deadline running, and the next is
 * taken when one ends. Bounded work in progress is what keeps a burst
 * from failing as one: every handshake in flight shares the CPU, so past
 * a point none of them would finish before its deadline
 * (Documentation/handshake.rst, "Bursts"). A pool of its own for each
 * role keeps a burst of outbound flows from starving inbound ones, and
 * the reverse.
 *
 * Every accepted request gets exactly one DONE from here: with the keys,
 * or with a positive errno (EACCES, EPROTO, ETIMEDOUT, ECONNRESET, ENOKEY)
 * when it fails, its deadline (TIMEOUT_MS from ACCEPT) passes, or kztd
 * stops. Only when the kzt module itself goes away is there nobody to
 * tell.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "kztd.h"
#include "tlsconn.h"

struct kztd_hs {
	struct kztd_io io;		/* io.fd: the tunnel socket */
	struct kztd_hs *next;
	uint32_t id;
	uint8_t role;
	int fd_flags;			/* restored before DONE */
	uint64_t deadline_ms;
	bool want_write;
	bool ended;
	struct kzt_tls_conn *tls;
	char peer[KZT_ADDR_STRLEN + 8];	/* "addr:port", for the log */
};

/* Repeated warnings: at most one line per this long. */
#define HS_WARN_INTERVAL_MS	10000
/* After EMFILE with nothing of ours to close: try again this soon. */
#define HS_RETRY_MS		1000
/* Descriptors beyond the handshakes: netlink, epoll, inotify, files. */
#define HS_FD_RESERVE		256

static const char *role_name(uint8_t role)
{
	return role == KZT_HS_ROLE_CLIENT ? "client" : "server";
}

static struct kztd_hs_pool *pool_of(struct kztd *d, uint8_t role)
{
	return &d->hs_pool[role == KZT_HS_ROLE_SERVER];
}

static uint8_t pool_role(const struct kztd *d, const struct kztd_hs_pool *p)
{
	return p == &d->hs_pool[1] ? KZT_HS_ROLE_SERVER : KZT_HS_ROLE_CLIENT;
}

/*
 * Enough descriptors for both pools: raise the soft RLIMIT_NOFILE (and
 * the hard one, if allowed) to what they need. Short of it, EMFILE on
 * ACCEPT only slows the pools down: the requests wait in the kernel.
 */
static void nofile_raise(unsigned int handshakes)
{
	rlim_t want = (rlim_t)handshakes + HS_FD_RESERVE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= want)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
		struct rlimit up = { .rlim_cur = want, .rlim_max = want };

		if (!setrlimit(RLIMIT_NOFILE, &up)) {
			log_debug("RLIMIT_NOFILE raised to %llu", (unsigned long long)want);
			return;
		}
		want = rl.rlim_max;
		log_warn("RLIMIT_NOFILE: the hard limit is %llu, %u handshakes need %llu: fewer run at once (EMFILE), the rest wait in the kernel",
			 (unsigned long long)rl.rlim_max, handshakes,
			 (unsigned long long)handshakes + HS_FD_RESERVE);
	}
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_warn("Unable to raise RLIMIT_NOFILE to %llu: %s",
			 (unsigned long long)want, strerror(errno));
	else
		log_debug("RLIMIT_NOFILE raised to %llu", (unsigned long long)want);
}

/*
 * Handshakes are CPU work with a few network round trips: a few per CPU
 * keep the CPUs busy, and a pool's worth still ends well within one
 * deadline on a slow or loaded machine.
 */
static unsigned int pool_default(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long n = cpus > 0 ? (unsigned long)cpus * KZT_CONF_HS_PER_CPU : 0;

	if (n < KZT_CONF_HS_MIN)
		return KZT_CONF_HS_MIN;
	return n > KZT_CONF_HS_MAX_LIMIT ? KZT_CONF_HS_MAX_LIMIT : n;
}

/**
 * kztd_hs_pools_set() - size the two pools from the file, raise the fd limit
 * @d:    the daemon
 * @conf: the file's keys (absent: 4 per online CPU, at least 8)
 *
 * A smaller pool ends nothing in flight: it only takes no more until it
 * is below its new size.
 */
void kztd_hs_pools_set(struct kztd *d, const struct kzt_conf *conf)
{
	struct kztd_hs_pool *c = pool_of(d, KZT_HS_ROLE_CLIENT);
	struct kztd_hs_pool *s = pool_of(d, KZT_HS_ROLE_SERVER);

	c->max = conf->has_max_client_hs ? conf->max_client_hs : pool_default();
	s->max = conf->has_max_server_hs ? conf->max_server_hs : pool_default();
	log_debug("handshake pools: %u client, %u server", c->max, s->max);
	nofile_raise(c->max + s->max);
	/* A larger pool may take what waits at once. */
	c->backlog = s->backlog = true;
}

/*
 * Server role: the client's server name is a workload address; it must be
 * a local workload (it has an interface) speaking kzt/1, and its identity
 * is the one to present.
 */
static int sni_lookup(void *arg, const char *name, char *id, size_t id_len,
		      char *why, size_t why_len)
{
	struct kztd *d = arg;
	struct kzt_workload w;
	struct kzt_nl_err err;
	struct in6_addr addr;
	char buf[256];
	int ret;

	if (kzt_addr_parse(name, &addr)) {
		snprintf(why, why_len, "not an IP address");
		return EPROTO;
	}
	ret = kzt_workload_get(&d->client, &addr, &w, &err);
	if (ret == ENOENT) {
		snprintf(why, why_len, "no workload has this address");
		return EPROTO;
	}
	if (ret) {
		snprintf(why, why_len, "cannot look up the workload: %s",
			 kzt_err_str(&err, buf, sizeof(buf)));
		return EPROTO;
	}
	ret = EPROTO;
	if (!w.ifindex)
		snprintf(why, why_len, "a workload of another node, not of this one");
	else if (w.protocol != KZT_PROTO_KZT1 || !w.id)
		snprintf(why, why_len, "a local workload that does not speak kzt/1");
	else if (strlen(w.id) >= id_len)
		snprintf(why, why_len, "identity too long");
	else
		ret = 0;
	if (!ret)
		strcpy(id, w.id);
	kzt_workload_free(&w);
	return ret;
}

static void peer_str(struct kztd_hs *hs)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (getpeername(hs->io.fd, (struct sockaddr *)&ss, &len))
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
		snprintf(hs->peer, sizeof(hs->peer), "%s:%u", host, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
		snprintf(hs->peer, sizeof(hs->peer), "[%s]:%u", host, port);
	}
}

/* Report, wipe, close; the struct itself is freed after the batch. */
static void end(struct kztd *d, struct kztd_hs *hs, int status,
		const char *why, bool send_done)
{
	struct kzt_tls_conn *t = hs->tls;
	struct kzt_hs_result res = {
		.id = hs->id, .fd = hs->io.fd, .status = status,
	};
	struct kzt_nl_err err;
	char buf[256];
	int ret;

	if (hs->ended)
		return;
	hs->ended = true;
	if (!status) {
		res.keys = &t->keys;
		res.peer_id = t->peer_id;
		res.local_id = t->local_id;
		res.proto = t->proto;
	}
	if (hs->io.fd >= 0) {
		kztd_io_del(d, &hs->io);
		fcntl(hs->io.fd, F_SETFL, hs->fd_flags);
	}
	if (send_done) {
		ret = kzt_hs_done(&d->client, &res, &err);
		if (ret == ENOENT)
			log_warn("handshake %u: the kernel no longer waits for it (its deadline passed)",
				 hs->id);
		else if (ret)
			log_err("handshake %u: Unable to report it to the kernel: %s",
				hs->id, kzt_err_str(&err, buf, sizeof(buf)));
	}
	if (!status)
		log_debug("handshake %u (%s, peer %s): kzt/%u, %s, %s with %s",
			  hs->id, role_name(hs->role), hs->peer, t->proto,
			  t->keys.cipher->name, t->local_id, t->peer_id);
	else
		log_warn("handshake %u (%s, peer %s) failed: %s: %s", hs->id,
			 role_name(hs->role), hs->peer,
			 strerrorname_np(status) ?: "?", why);
	kzt_tls_conn_free(t);		/* wipes the keys and the secrets */
	hs->tls = NULL;
	if (hs->io.fd >= 0) {
		close(hs->io.fd);
		d->hs_no_fd = false;	/* a descriptor is free again */
	}
	hs->io.fd = -1;

	/* From the in-flight list to the dead one. */
	for (struct kztd_hs **pp = &d->hs_head; *pp; pp = &(*pp)->next) {
		if (*pp == hs) {
			*pp = hs->next;
			break;
		}
	}
	hs->next = d->hs_dead;
	d->hs_dead = hs;
	pool_of(d, hs->role)->n--;
}

/* Advance; on EAGAIN wait for what OpenSSL wants. */
static void step(struct kztd *d, struct kztd_hs *hs)
{
	bool want_write = false;
	int ret = kzt_tls_conn_step(hs->tls, &want_write);

	if (!ret)
		ret = kztd_peers_admit(d, hs->tls);
	if (ret != EAGAIN) {
		end(d, hs, ret, hs->tls->why, true);
		return;
	}
	if (want_write != hs->want_write) {
		hs->want_write = want_write;
		ret = kztd_io_mod(d, &hs->io, want_write ? EPOLLOUT : EPOLLIN);
		if (ret)
			end(d, hs, ECONNRESET, strerror(ret), true);
	}
}

static int on_socket(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	struct kztd_hs *hs = (struct kztd_hs *)io;

	(void)events;
	if (!hs->ended)
		step(d, hs);
	return 0;
}

/* A new request: its socket, its TLS state, its first step. */
static void start(struct kztd *d, struct kzt_hs_request *req)
{
	struct kzt_tls_conn_params p = {
		.role = req->role, .fd = req->fd,
		.local_id = req->local_id, .peer_id = req->peer_id,
		.sni = sni_lookup, .sni_arg = d,
	};
	char sni[KZT_ADDR_STRLEN], why[KZT_SVID_WHY_MAX];
	struct kztd_hs *hs = calloc(1, sizeof(*hs));
	int ret;

	if (!hs) {
		struct kzt_hs_result res = {
			.id = req->id, .fd = req->fd, .status = ENOMEM,
		};

		kzt_hs_done(&d->client, &res, NULL);
		close(req->fd);
		log_err("handshake %u: out of memory", req->id);
		return;
	}
	hs->io.fd = req->fd;
	hs->io.fn = on_socket;
	hs->id = req->id;
	hs->role = req->role;
	hs->deadline_ms = kztd_now_ms() + req->timeout_ms;
	snprintf(hs->peer, sizeof(hs->peer), "?");
	hs->next = d->hs_head;
	d->hs_head = hs;
	pool_of(d, hs->role)->n++;
	peer_str(hs);

	hs->fd_flags = fcntl(req->fd, F_GETFL);
	if (hs->fd_flags < 0 ||
	    fcntl(req->fd, F_SETFL, hs->fd_flags | O_NONBLOCK)) {
		end(d, hs, ECONNRESET, strerror(errno), true);
		return;
	}
	if (req->role == KZT_HS_ROLE_CLIENT) {
		kzt_addr_str(&req->dst_addr, sni, sizeof(sni));
		p.server_name = sni;
		log_debug("handshake %u: client to %s (%s), as %s, for %s",
			  req->id, hs->peer, sni, req->local_id, req->peer_id);
	} else {
		log_debug("handshake %u: server for %s", req->id, hs->peer);
	}
	if (!d->creds) {
		end(d, hs, ENOKEY, "no certificate directory loaded", true);
		return;
	}
	ret = kzt_tls_conn_new(d->creds, &p, &hs->tls, why, sizeof(why));
	if (ret) {
		end(d, hs, ret, why, true);
		return;
	}
	ret = kztd_io_add(d, &hs->io, EPOLLIN);
	if (ret) {
		end(d, hs, ECONNRESET, strerror(ret), true);
		return;
	}
	step(d, hs);
}

/* Out of descriptors: stop, go on when one of ours closes (or soon). */
static void accept_no_fd(struct kztd *d, struct kztd_hs_pool *p, int ret)
{
	unsigned int n;

	p->backlog = true;
	d->hs_no_fd = true;
	d->hs_retry_ms = kztd_now_ms() + HS_RETRY_MS;
	if (kzt_ratelimit(&d->hs_no_fd_rl, kztd_now_ms(), HS_WARN_INTERVAL_MS, &n))
		log_warn("no free descriptor for a %s handshake (%s; %u client, %u server in flight): the next ones wait in the kernel (%u such warnings suppressed)",
			 role_name(pool_role(d, p)), strerrorname_np(ret) ?: "?",
			 d->hs_pool[0].n, d->hs_pool[1].n, n);
}

/* Take the waiting requests of one role until none is left or it is full. */
static void accept_pool(struct kztd *d, struct kztd_hs_pool *p)
{
	uint8_t role = pool_role(d, p);
	struct kzt_hs_request req;
	struct kzt_nl_err err;
	char buf[256];
	unsigned int n;
	int ret;

	p->backlog = false;
	while (p->n < p->max) {
		ret = kzt_hs_accept(&d->client, role, &req, &err);
		if (ret == EAGAIN)
			return;
		if (ret == EMFILE || ret == ENFILE) {
			accept_no_fd(d, p, ret);
			return;
		}
		if (ret == EBADMSG && req.id) {
			/*
			 * Its descriptor is closed already, and DONE is taken
			 * only from the holder of the socket: the kernel's
			 * deadline fails it.
			 */
			log_err("handshake %u: malformed ACCEPT reply: left to its deadline",
				req.id);
			continue;
		}
		if (ret) {
			log_err("Unable to accept a handshake request: %s",
				kzt_err_str(&err, buf, sizeof(buf)));
			return;
		}
		start(d, &req);
	}
	p->backlog = true;
	if (kzt_ratelimit(&p->full_rl, kztd_now_ms(), HS_WARN_INTERVAL_MS, &n))
		log_info("%u %s handshakes in flight (max_%s_handshakes): the next ones wait in the kernel (%u such lines suppressed)",
			 p->n, role_name(role), role_name(role), n);
}

/**
 * kztd_hs_accept_all() - take waiting requests, each pool until none of
 *                        its role is left or it is full
 * @d: the daemon
 */
void kztd_hs_accept_all(struct kztd *d)
{
	if (!d->hs_subscribed || d->kzt_gone)
		return;
	if (d->hs_no_fd && kztd_now_ms() < d->hs_retry_ms) {
		/* Nothing closed since EMFILE: kztd_hs_expire() goes on. */
		d->hs_pool[0].backlog = d->hs_pool[1].backlog = true;
		return;
	}
	d->hs_no_fd = false;
	accept_pool(d, pool_of(d, KZT_HS_ROLE_CLIENT));
	accept_pool(d, pool_of(d, KZT_HS_ROLE_SERVER));
}

/**
 * kztd_hs_subscribe() - listen to the "handshake" group, take what waits
 * @d: the daemon; the kzt family is known
 *
 * Without certificates kztd does not listen: the kernel then fails
 * handshakes at once (no daemon) instead of at their deadline.
 *
 * @retval 0     listening (or no certificates, or a module without the
 *               group: logged)
 * @retval other errno (logged)
 */
int kztd_hs_subscribe(struct kztd *d)
{
	int ret;

	if (!d->creds)
		return 0;
	ret = kzt_nl_family_mcgrp(&d->client.family, KZT_MCGRP_HANDSHAKE,
				  &d->hs_group);
	if (ret) {
		/* An older module: keep the config duties, retry on reload. */
		log_err("the kzt module has no \"%s\" multicast group (kzt module and kztd do not match): handshakes are off until a matching module is loaded",
			KZT_MCGRP_HANDSHAKE);
		return 0;
	}
	ret = kzt_nl_subscribe(d->events, d->hs_group);
	if (ret) {
		log_err("Unable to listen to the kzt \"%s\" group: %s",
			KZT_MCGRP_HANDSHAKE, strerror(ret));
		return ret;
	}
	d->hs_subscribed = true;
	log_info("handling handshakes (%zu local identities)", d->creds->n_ids);
	kztd_hs_accept_all(d);	/* requests queued before we listened */
	return 0;
}

/* The module went away: its group id means nothing any more. */
void kztd_hs_unsubscribe(struct kztd *d)
{
	if (!d->hs_subscribed)
		return;
	kzt_nl_unsubscribe(d->events, d->hs_group);
	d->hs_subscribed = false;
}

/**
 * kztd_hs_timeout_ms() - how long the loop may sleep
 * @d: the daemon
 *
 * Frees the handshakes that ended in the last batch first.
 *
 * @retval ms to the nearest deadline, or to the next try after EMFILE
 *            (0 if one has passed)
 * @retval -1 none of these
 */
int kztd_hs_timeout_ms(struct kztd *d)
{
	uint64_t now = kztd_now_ms(), next = UINT64_MAX;

	while (d->hs_dead) {
		struct kztd_hs *hs = d->hs_dead;

		d->hs_dead = hs->next;
		free(hs);
	}
	for (struct kztd_hs *hs = d->hs_head; hs; hs = hs->next)
		if (hs->deadline_ms < next)
			next = hs->deadline_ms;
	if (d->hs_no_fd && d->hs_retry_ms < next)
		next = d->hs_retry_ms;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

/**
 * kztd_hs_expire() - after each batch: end what is overdue, accept more
 * @d: the daemon
 *
 * A pool that stopped (full, or EMFILE) sweeps what waits in the kernel
 * again once it has room: after EMFILE, once one of our descriptors
 * closed or HS_RETRY_MS passed.
 */
void kztd_hs_expire(struct kztd *d)
{
	uint64_t now = kztd_now_ms();
	struct kztd_hs *hs, *next;

	for (hs = d->hs_head; hs; hs = next) {
		next = hs->next;
		if (hs->deadline_ms <= now)
			end(d, hs, ETIMEDOUT,
			    "not finished before its deadline", true);
	}
	if (d->hs_no_fd && now < d->hs_retry_ms)
		return;
	d->hs_no_fd = false;
	if (!d->hs_subscribed || d->kzt_gone)
		return;
	for (int i = 0; i < 2; i++) {
		struct kztd_hs_pool *p = &d->hs_pool[i];

		if (p->backlog && p->n < p->max)
			accept_pool(d, p);
	}
}

/**
 * kztd_hs_stop() - end every handshake in flight
 * @d:         the daemon
 * @send_done: tell the kernel (ECONNRESET); false when it went away
 */
void kztd_hs_stop(struct kztd *d, bool send_done)
{
	while (d->hs_head)
		end(d, d->hs_head, ECONNRESET,
		    send_done ? "kztd is stopping" : "the kzt module went away",
		    send_done);
	kztd_hs_timeout_ms(d);	/* frees them */
}
