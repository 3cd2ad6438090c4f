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
 *
 * The client's first byte tells the server what to do: 'B' read to the end
 * and answer the byte count (8 bytes, big-endian), 'P' echo every byte, 'C'
 * answer one byte and close. Each client mode prints one JSON object.
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

static int serve(const char *port)
{
	struct sockaddr_in6 sa = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(atoi(port)),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int one = 1, zero = 0, lfd;

	signal(SIGCHLD, SIG_IGN);
	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(lfd, 1024) < 0)
		die("listen");
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

static void usage(FILE *f)
{
	fprintf(f, "Usage: kzt-bench serve PORT\n"
		   "       kzt-bench bulk HOST PORT BYTES\n"
		   "       kzt-bench pingpong HOST PORT N\n"
		   "       kzt-bench connrate HOST PORT N\n");
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
	usage(stderr);
	return 1;
}
