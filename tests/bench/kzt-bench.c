// SPDX-License-Identifier: GPL-2.0
/*
 * kzt-bench: the traffic of the data-path benchmark, over plain TCP
 * sockets, so that the same client and server measure every path
 * (plaintext, kzt, stunnel) and only the path in between changes.
 *
 *   kzt-bench serve PORT                 sink, echo and accept test server
 *   kzt-bench bulk HOST PORT BYTES       one stream of BYTES, timed
 *   kzt-bench pingpong HOST PORT N       N 1-byte round trips, p50/p99
 *   kzt-bench connrate HOST PORT N       N connections, each one round trip
 *   kzt-bench serve-conn PORT            accept server for the two below
 *   kzt-bench conns HOST PORT N CONC     N connections by CONC clients at once
 *   kzt-bench sustain HOST PORT SECS CONC  connections by CONC clients for SECS
 *
 * The client's first byte tells the server what to do: 'B' read to the end
 * and answer the byte count (8 bytes, big-endian), 'P' echo every byte, 'C'
 * answer one byte and close. Each client mode prints one JSON object.
 *
 * serve answers each connection in a process of its own (a bulk transfer
 * must not block the others); serve-conn answers only 'C', in one epoll
 * loop, so that the server's fork does not bound the connection rate of
 * conns and sustain (tests/bench/conns-guest.sh): those count failures
 * instead of stopping, and time each connection from the start of its
 * connect() to the server's byte received (time to first byte).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cpu-busy.h"

#define BUF_SIZE (256 * 1024)

static void die(const char *what)
{
	fprintf(stderr, "kzt-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int fd, err;

	err = getaddrinfo(host, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "kzt-bench: %s: %s\n", host, gai_strerror(err));
		exit(1);
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die("connect");
	freeaddrinfo(ai);
	nodelay(fd);
	return fd;
}

static void serve_one(int fd)
{
	static char buf[BUF_SIZE];
	uint64_t total = 0, be;
	char mode;
	ssize_t n;

	nodelay(fd);
	if (read_all(fd, &mode, 1) < 0)
		return;
	switch (mode) {
	case 'B':
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += n;
		be = htobe64(total);
		write_all(fd, &be, sizeof(be));
		break;
	case 'P':
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write_all(fd, buf, n) < 0)
				break;
		break;
	case 'C':
		write_all(fd, "c", 1);
		break;
	}
}

/* A listening socket on PORT, IPv4 and IPv6; TYPE may add SOCK_NONBLOCK. */
static int listen_any(const char *port, int type, int backlog)
{
	struct sockaddr_in6 sa = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(atoi(port)),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int one = 1, zero = 0, lfd;

	lfd = socket(AF_INET6, type, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(lfd, backlog) < 0)
		die("listen");
	return lfd;
}

static int serve(const char *port)
{
	int lfd;

	signal(SIGCHLD, SIG_IGN);
	lfd = listen_any(port, SOCK_STREAM, 1024);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		/* One process per connection: a slow bulk never blocks the rest. */
		if (fork() == 0) {
			close(lfd);
			serve_one(fd);
			_exit(0);
		}
		close(fd);
	}
}

static int bulk(const char *host, const char *port, uint64_t bytes)
{
	static char buf[BUF_SIZE];
	uint64_t left = bytes, got, t0, t1;
	double cpu0, cpu1;
	int fd;

	memset(buf, 'k', sizeof(buf));
	cpu0 = cpu_busy_seconds();
	t0 = now_ns();
	fd = dial(host, port);
	if (write_all(fd, "B", 1) < 0)
		die("write");
	while (left) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf);

		if (write_all(fd, buf, n) < 0)
			die("write");
		left -= n;
	}
	shutdown(fd, SHUT_WR);
	if (read_all(fd, &got, sizeof(got)) < 0)
		die("reading the byte count");
	t1 = now_ns();
	cpu1 = cpu_busy_seconds();
	got = be64toh(got);
	close(fd);
	if (got != bytes) {
		fprintf(stderr, "kzt-bench: sent %llu bytes, server got %llu\n",
			(unsigned long long)bytes, (unsigned long long)got);
		return 1;
	}
	printf("{\"bytes\":%llu,\"seconds\":%.3f,\"mbit_s\":%.1f,\"cpu_s\":%.2f}\n",
	       (unsigned long long)bytes, (t1 - t0) / 1e9,
	       bytes * 8 / ((t1 - t0) / 1e3), cpu1 - cpu0);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int pingpong(const char *host, const char *port, long n)
{
	uint64_t *rtt = calloc(n, sizeof(*rtt));
	char c = 'p';
	int fd;
	long i;

	if (!rtt)
		die("calloc");
	fd = dial(host, port);
	if (write_all(fd, "P", 1) < 0)
		die("write");
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		if (write_all(fd, &c, 1) < 0 || read_all(fd, &c, 1) < 0)
			die("round trip");
		rtt[i] = now_ns() - t0;
	}
	close(fd);
	qsort(rtt, n, sizeof(*rtt), cmp_u64);
	printf("{\"round_trips\":%ld,\"p50_us\":%.1f,\"p99_us\":%.1f}\n", n,
	       rtt[n / 2] / 1e3, rtt[(n * 99) / 100] / 1e3);
	free(rtt);
	return 0;
}

static int connrate(const char *host, const char *port, long n)
{
	uint64_t t0 = now_ns(), t1;
	long i;
	char c;

	for (i = 0; i < n; i++) {
		int fd = dial(host, port);

		if (write_all(fd, "C", 1) < 0 || read_all(fd, &c, 1) < 0)
			die("connection round trip");
		close(fd);
	}
	t1 = now_ns();
	printf("{\"connections\":%ld,\"seconds\":%.3f,\"per_second\":%.1f}\n",
	       n, (t1 - t0) / 1e9, n / ((t1 - t0) / 1e9));
	return 0;
}

/* serve-conn: one epoll loop; read the client's 'C', answer 'c', close. */
static __attribute__((noreturn)) void serve_conn(const char *port)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[64];
	int lfd, ep, n, i;

	signal(SIGPIPE, SIG_IGN);
	lfd = listen_any(port, SOCK_STREAM | SOCK_NONBLOCK, 4096);
	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1");
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll_ctl");
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			char c;

			if (fd == lfd) {
				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					nodelay(fd);
					ev.data.fd = fd;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
						close(fd);
				}
				continue;
			}
			/* A connection's first readable event: its byte or its end. */
			if (read(fd, &c, 1) == 1 && c == 'C')
				(void)!write(fd, "c", 1);
			close(fd);
		}
	}
}

/*
 * conns and sustain: CONC threads, each one connection after another (a
 * full connect, 'C', the server's byte, close) until N are started or SECS
 * are over. A failed connection is counted by its errno ("EOF": closed
 * before the byte) and the loop goes on.
 */
#define CONN_TIMEOUT_S 30
#define INTERVAL_S 5

struct conn_run {
	const char *host, *port;
	struct addrinfo *ai;
	long n;			/* connections to start, or 0: until deadline */
	uint64_t deadline;
	atomic_long next, ok, failed;
	atomic_long err[134];	/* by errno; [0]: EOF before the byte */
};

struct conn_thread {
	struct conn_run *run;
	uint64_t *ttfb;
	long nr, cap;
	pthread_t tid;
};

static int conn_once(struct conn_run *r, uint64_t *ttfb)
{
	struct timeval tv = { .tv_sec = CONN_TIMEOUT_S };
	uint64_t t0 = now_ns();
	int fd, err = 0;
	ssize_t n;
	char c;

	fd = socket(r->ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		return errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, r->ai->ai_addr, r->ai->ai_addrlen) < 0) {
		err = errno;
		goto out;
	}
	nodelay(fd);
	if (write_all(fd, "C", 1) < 0) {
		err = errno ? errno : EPIPE;
		goto out;
	}
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		*ttfb = now_ns() - t0;
	else
		err = n == 0 ? -1 : errno == EAGAIN ? ETIMEDOUT : errno;
out:
	close(fd);
	return err;
}

static void *conn_loop(void *arg)
{
	struct conn_thread *t = arg;
	struct conn_run *r = t->run;
	uint64_t ttfb = 0;
	int err;

	for (;;) {
		if (r->n ? atomic_fetch_add(&r->next, 1) >= r->n : now_ns() >= r->deadline)
			break;
		err = conn_once(r, &ttfb);
		if (err) {
			atomic_fetch_add(&r->failed, 1);
			atomic_fetch_add(&r->err[err < 0 ? 0 : err < 134 ? err : 133], 1);
			continue;
		}
		atomic_fetch_add(&r->ok, 1);
		if (t->nr == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 1024;
			t->ttfb = realloc(t->ttfb, t->cap * sizeof(*t->ttfb));
			if (!t->ttfb)
				die("realloc");
		}
		t->ttfb[t->nr++] = ttfb;
	}
	return NULL;
}

/*
 * Prints {"connections","failed","seconds","per_second","ttfb_p50_us",
 * "ttfb_p99_us","errors":{...}} and, for sustain, "ok_per_interval": the
 * connections completed in each INTERVAL_S seconds.
 */
static int conn_bench(const char *host, const char *port, long n, long secs, int conc)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct rlimit rl = { 65536, 65536 };
	static struct conn_run r;
	struct conn_thread *t = calloc(conc, sizeof(*t));
	uint64_t t0, t1, *all;
	long total = 0, i, k, last = 0;
	const char *sep = "";
	int err, j;

	if (!t)
		die("calloc");
	setrlimit(RLIMIT_NOFILE, &rl);
	signal(SIGPIPE, SIG_IGN);
	err = getaddrinfo(host, port, &hints, &r.ai);
	if (err) {
		fprintf(stderr, "kzt-bench: %s: %s\n", host, gai_strerror(err));
		return 1;
	}
	r.host = host;
	r.port = port;
	r.n = n;
	t0 = now_ns();
	r.deadline = t0 + secs * 1000000000ull;
	for (j = 0; j < conc; j++) {
		t[j].run = &r;
		if (pthread_create(&t[j].tid, NULL, conn_loop, &t[j]))
			die("pthread_create");
	}
	if (secs) {
		printf("{\"ok_per_interval\":[");
		for (i = 1; i <= secs / INTERVAL_S; i++) {
			uint64_t at = t0 + i * INTERVAL_S * 1000000000ull;
			struct timespec ts = { at / 1000000000ull, at % 1000000000ull };

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
			k = atomic_load(&r.ok);
			printf("%s%ld", sep, k - last);
			sep = ",";
			last = k;
		}
		printf("],");
	} else {
		printf("{");
	}
	for (j = 0; j < conc; j++) {
		pthread_join(t[j].tid, NULL);
		total += t[j].nr;
	}
	t1 = now_ns();
	all = malloc((total ? total : 1) * sizeof(*all));
	if (!all)
		die("malloc");
	for (j = 0, k = 0; j < conc; j++) {
		memcpy(all + k, t[j].ttfb, t[j].nr * sizeof(*all));
		k += t[j].nr;
		free(t[j].ttfb);
	}
	qsort(all, total, sizeof(*all), cmp_u64);
	printf("\"clients\":%d,\"connections\":%ld,\"failed\":%ld,\"seconds\":%.3f,"
	       "\"per_second\":%.1f,", conc, total, atomic_load(&r.failed),
	       (t1 - t0) / 1e9, total / ((t1 - t0) / 1e9));
	if (total)
		printf("\"ttfb_p50_us\":%.1f,\"ttfb_p99_us\":%.1f,", all[total / 2] / 1e3,
		       all[(total * 99) / 100] / 1e3);
	else
		printf("\"ttfb_p50_us\":null,\"ttfb_p99_us\":null,");
	printf("\"errors\":{");
	for (j = 0, sep = ""; j < 134; j++) {
		long c = atomic_load(&r.err[j]);

		if (!c)
			continue;
		printf("%s\"%s\":%ld", sep, j ? strerrorname_np(j) ?: "other" : "EOF", c);
		sep = ",";
	}
	printf("}}\n");
	free(all);
	free(t);
	freeaddrinfo(r.ai);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: kzt-bench serve PORT\n"
		   "       kzt-bench bulk HOST PORT BYTES\n"
		   "       kzt-bench pingpong HOST PORT N\n"
		   "       kzt-bench connrate HOST PORT N\n"
		   "       kzt-bench serve-conn PORT\n"
		   "       kzt-bench conns HOST PORT N CONC\n"
		   "       kzt-bench sustain HOST PORT SECONDS CONC\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "bulk"))
		return bulk(argv[2], argv[3], strtoull(argv[4], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "pingpong") && atol(argv[4]) > 0)
		return pingpong(argv[2], argv[3], atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "connrate") && atol(argv[4]) > 0)
		return connrate(argv[2], argv[3], atol(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "serve-conn"))
		serve_conn(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "conns") && atol(argv[4]) > 0 && atoi(argv[5]) > 0)
		return conn_bench(argv[2], argv[3], atol(argv[4]), 0, atoi(argv[5]));
	if (argc == 6 && !strcmp(argv[1], "sustain") && atol(argv[4]) > 0 && atoi(argv[5]) > 0)
		return conn_bench(argv[2], argv[3], 0, atol(argv[4]), atoi(argv[5]));
	usage(stderr);
	return 1;
}
