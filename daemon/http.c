// SPDX-License-Identifier: GPL-2.0
/*
 * kztd's small HTTP/1.1 servers: the Prometheus scrape endpoint and the
 * readiness probe (metrics.c has what they answer). A scraper or a kubelet
 * sends one GET and reads one reply; that is all these servers do:
 *
 *  - one request per connection, answered with "Connection: close";
 *  - the request head (request line and headers) must fit in
 *    KZTD_HTTP_HEAD_MAX bytes, else 431; a body is never read;
 *  - GET and HEAD only (405), HTTP/1.0 and 1.1 only (505);
 *  - at most KZTD_HTTP_CONNS connections per server: one more is closed
 *    at once (with a rate-limited warning);
 *  - a connection that has not sent its request and read its reply
 *    within KZTD_HTTP_DEADLINE_MS is closed: a slow or silent client
 *    holds a slot at most that long.
 *
 * Everything runs in kztd's one loop, non-blocking; no request can make
 * kztd wait or grow without bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include "addr.h"
#include "kztd.h"

#define KZTD_HTTP_HEAD_MAX	4096
#define KZTD_HTTP_CONNS		16
#define KZTD_HTTP_DEADLINE_MS	5000
#define KZTD_HTTP_WARN_INTERVAL_MS 10000

struct kztd_http_conn {
	struct kztd_io io;		/* first: the loop hands us &io */
	struct kztd_http *srv;
	struct kztd_http_conn *next;
	uint64_t deadline_ms;
	char head[KZTD_HTTP_HEAD_MAX + 1];
	size_t head_len;
	char *reply;			/* NULL until the request is read */
	size_t reply_len, reply_off;
};

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default:  return "Internal Server Error";
	}
}

static void conn_free(struct kztd *d, struct kztd_http_conn *c)
{
	struct kztd_http_conn **pp;

	for (pp = &c->srv->conns; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	c->srv->n_conns--;
	kztd_io_del(d, &c->io);
	close(c->io.fd);
	free(c->reply);
	free(c);
}

/*
 * Build the whole reply in memory: the status line, the headers and,
 * unless @head_only, the body the handler wrote. Returns 0 or ENOMEM.
 */
static int reply_build(struct kztd_http_conn *c, int status,
		       const char *ctype, const char *body, size_t body_len,
		       bool head_only)
{
	FILE *f = open_memstream(&c->reply, &c->reply_len);

	if (!f)
		return ENOMEM;
	fprintf(f, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		"Content-Length: %zu\r\nConnection: close\r\n", status,
		status_text(status), ctype, body_len);
	if (status == 405)
		fputs("Allow: GET, HEAD\r\n", f);
	fputs("\r\n", f);
	if (!head_only)
		fwrite(body, 1, body_len, f);
	if (fclose(f)) {
		free(c->reply);
		c->reply = NULL;
		return ENOMEM;
	}
	return 0;
}

/*
 * The request head is complete in c->head: check it, ask the server's
 * handler for the body, and queue the reply.
 */
static int request_handle(struct kztd *d, struct kztd_http_conn *c)
{
	const char *ctype = "text/plain; charset=utf-8";
	char *method, *target, *version, *end, *body = NULL;
	size_t body_len = 0;
	bool head_only = false;
	int status, ret;
	FILE *f;

	end = strstr(c->head, "\r\n");
	*end = '\0';
	method = c->head;
	target = strchr(method, ' ');
	version = target ? strchr(target + 1, ' ') : NULL;
	if (!version || target[1] != '/') {
		status = 400;
		goto reply;
	}
	*target++ = '\0';
	*version++ = '\0';
	if (strcmp(version, "HTTP/1.1") && strcmp(version, "HTTP/1.0")) {
		status = 505;
		goto reply;
	}
	head_only = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head_only) {
		status = 405;
		goto reply;
	}
	target[strcspn(target, "?")] = '\0';	/* the query is not used */

	f = open_memstream(&body, &body_len);
	if (!f)
		return ENOMEM;
	status = c->srv->handle(d, target, f, &ctype);
	if (fclose(f)) {
		free(body);
		return ENOMEM;
	}
reply:
	if (status != 200 && !body_len) {
		/* A short reason for people who curl the endpoint. */
		free(body);
		ret = asprintf(&body, "%s\n", status_text(status));
		if (ret < 0)
			return ENOMEM;
		body_len = ret;
	}
	ret = reply_build(c, status, ctype, body, body_len, head_only);
	free(body);
	return ret;
}

/*
 * Read what the client sent until its request head is complete, then
 * build the reply. Returns 0 (more to read, or c->reply is set) or errno.
 */
static int conn_read(struct kztd *d, struct kztd_http_conn *c)
{
	ssize_t n;
	int ret;

	for (;;) {
		n = recv(c->io.fd, c->head + c->head_len,
			 KZTD_HTTP_HEAD_MAX - c->head_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return ECONNRESET;	/* closed or failed early */
		c->head_len += n;
		c->head[c->head_len] = '\0';
		if (memchr(c->head, '\0', c->head_len)) {
			ret = reply_build(c, 400, "text/plain", "Bad Request\n",
					  12, false);
			break;
		}
		if (strstr(c->head, "\r\n\r\n")) {
			ret = request_handle(d, c);
			break;
		}
		if (c->head_len == KZTD_HTTP_HEAD_MAX) {
			ret = reply_build(c, 431, "text/plain",
					  "Request Header Fields Too Large\n",
					  32, false);
			break;
		}
	}
	return ret;
}

/* Send the reply; 1 when it is all sent. */
static int conn_write(struct kztd_http_conn *c)
{
	ssize_t n;

	while (c->reply_off < c->reply_len) {
		n = send(c->io.fd, c->reply + c->reply_off,
			 c->reply_len - c->reply_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return errno;
		c->reply_off += n;
	}
	return 1;
}

static int on_conn(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	struct kztd_http_conn *c = (struct kztd_http_conn *)io;
	int ret = 0;

	(void)events;
	if (!c->reply) {
		ret = conn_read(d, c);
		if (!ret && c->reply)
			ret = kztd_io_mod(d, &c->io, EPOLLOUT);
	}
	if (!ret && c->reply)
		ret = conn_write(c);	/* most replies fit the socket now */
	if (ret) {
		/* Sent (1), or the client went away: a scrape never hurts kztd. */
		if (ret != 1)
			log_debug("%s: connection closed: %s", c->srv->what,
				  strerror(ret));
		conn_free(d, c);
	}
	return 0;
}

static int on_listen(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	struct kztd_http *h = (struct kztd_http *)((char *)io -
						    offsetof(struct kztd_http, io));
	struct kztd_http_conn *c;
	unsigned int n;
	int fd;

	(void)events;
	for (;;) {
		fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return 0;	/* EAGAIN, or EMFILE: the next try */
		if (h->n_conns >= KZTD_HTTP_CONNS) {
			if (kzt_ratelimit(&h->full_rl, kztd_now_ms(),
					  KZTD_HTTP_WARN_INTERVAL_MS, &n))
				log_warn("%s: %d connections open: closing a new one (%u such warnings suppressed)",
					 h->what, KZTD_HTTP_CONNS, n);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->io.fd = fd;
		c->io.fn = on_conn;
		c->srv = h;
		c->deadline_ms = kztd_now_ms() + KZTD_HTTP_DEADLINE_MS;
		if (kztd_io_add(d, &c->io, EPOLLIN)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = h->conns;
		h->conns = c;
		h->n_conns++;
	}
}

/**
 * kztd_http_open() - listen on @l and serve @h from the loop
 * @d: the daemon (its loop is set up)
 * @h: h->what, h->handle set; h->io.fd is -1 (not open)
 * @l: where; off: nothing is opened
 *
 * IPv6 any (::) takes IPv4 too. A failure is logged with the address and
 * leaves @h closed: the data path never depends on these servers.
 *
 * @retval 0     listening (or @l is off)
 * @retval other errno of socket(), bind(), listen() or epoll
 */
int kztd_http_open(struct kztd *d, struct kztd_http *h,
		   const struct kzt_listen *l)
{
	struct sockaddr_in6 sa = {
		.sin6_family = AF_INET6,
		.sin6_addr = l->addr,
		.sin6_port = htons(l->port),
	};
	char addr[KZT_ADDR_STRLEN];
	int fd, one = 1, zero = 0, ret;

	if (l->off)
		return 0;
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 64))
		goto fail;
	h->io.fd = fd;
	h->io.fn = on_listen;
	ret = kztd_io_add(d, &h->io, EPOLLIN);
	if (ret) {
		errno = ret;
		h->io.fd = -1;
		goto fail;
	}
	log_info("%s: listening on %s%s%s:%u", h->what,
		 kzt_addr_is_v4(&l->addr) ? "" : "[",
		 kzt_addr_str(&l->addr, addr, sizeof(addr)),
		 kzt_addr_is_v4(&l->addr) ? "" : "]", l->port);
	return 0;
fail:
	ret = errno;
	if (fd >= 0)
		close(fd);
	log_warn("%s: Unable to listen on %s port %u: %s", h->what,
		 kzt_addr_str(&l->addr, addr, sizeof(addr)), l->port,
		 strerror(ret));
	return ret;
}

/**
 * kztd_http_close() - stop serving @h: its connections and its socket
 * @d: the daemon
 * @h: open or not
 */
void kztd_http_close(struct kztd *d, struct kztd_http *h)
{
	while (h->conns)
		conn_free(d, h->conns);
	if (h->io.fd >= 0) {
		kztd_io_del(d, &h->io);
		close(h->io.fd);
		h->io.fd = -1;
	}
}

/**
 * kztd_http_timeout_ms() - the loop's wait, shortened to @h's deadlines
 * @h:       a server
 * @timeout: the wait so far in ms; -1: none
 *
 * @retval the wait in ms until the nearest deadline, or @timeout
 */
int kztd_http_timeout_ms(const struct kztd_http *h, int timeout)
{
	uint64_t now = kztd_now_ms();

	for (const struct kztd_http_conn *c = h->conns; c; c = c->next) {
		int left = c->deadline_ms > now ? (int)(c->deadline_ms - now) : 0;

		if (timeout < 0 || left < timeout)
			timeout = left;
	}
	return timeout;
}

/**
 * kztd_http_expire() - close @h's connections past their deadline
 * @d: the daemon
 * @h: a server
 *
 * Called after each batch of events, so no event of the batch still
 * refers to a connection freed here.
 */
void kztd_http_expire(struct kztd *d, struct kztd_http *h)
{
	uint64_t now = kztd_now_ms();
	struct kztd_http_conn *c = h->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->deadline_ms <= now) {
			log_debug("%s: client too slow: connection closed",
				  h->what);
			conn_free(d, c);
		}
	}
}
