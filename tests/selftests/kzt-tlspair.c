// SPDX-License-Identifier: GPL-2.0
/*
 * kzt-tlspair: a TLS 1.3 handshake with kztd's engine (lib/tlsconn.c) on
 * two real TCP sockets, then the derived keys installed in kTLS from
 * userspace (TLS_TX and TLS_RX on both), then data both ways through the
 * kernel's TLS only. It proves that the keys kztd would hand down work in
 * kTLS, per suite; the benchmark uses it as the "bare kTLS" path.
 *
 *   kzt-tlspair --certs DIR [--cipher aes128|aes256|chacha20]
 *               [--stream BYTES | --pingpong COUNT] [--addr IP] [--port N]
 *               [--server-netns NS] [--client-netns NS] [-j]
 *
 * Exit: 0 done and verified; 1 failure; 4 kTLS not available (skip).
 * KZT_TLSPAIR_CORRUPT_KEY=1 flips a bit of the client's TX key (the
 * selftest's negative control).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/tls.h>
#include <openssl/crypto.h>

#include "../bench/cpu-busy.h"
#include "addr.h"
#include "creds.h"
#include "log.h"
#include "tlsconn.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define EXIT_SKIP	4
#define CHUNK		(64 * 1024)

static const char *prog = "kzt-tlspair";

/* Where each part of the 12-byte IV, the key and the sequence go. */
struct ktls_layout {
	uint16_t cipher;
	size_t size;
	size_t iv, iv_len;		/* the IV's last iv_len bytes */
	size_t salt, salt_len;		/* its first salt_len bytes */
	size_t key, key_len;
	size_t rec_seq;
};

#define LAYOUT(c, type) { c, sizeof(struct type), \
	offsetof(struct type, iv), sizeof(((struct type *)0)->iv), \
	offsetof(struct type, salt), sizeof(((struct type *)0)->salt), \
	offsetof(struct type, key), sizeof(((struct type *)0)->key), \
	offsetof(struct type, rec_seq) }

static const struct ktls_layout layouts[] = {
	LAYOUT(TLS_CIPHER_AES_GCM_128, tls12_crypto_info_aes_gcm_128),
	LAYOUT(TLS_CIPHER_AES_GCM_256, tls12_crypto_info_aes_gcm_256),
	LAYOUT(TLS_CIPHER_CHACHA20_POLY1305, tls12_crypto_info_chacha20_poly1305),
};

/* TLS_TX or TLS_RX from one direction's keys; the copy is wiped. */
static int ktls_set(int fd, int dir, const struct kzt_tls_cipher *c,
		    const struct kzt_tls_traffic *t)
{
	const struct ktls_layout *l = NULL;
	unsigned char buf[64];
	struct tls_crypto_info *info = (struct tls_crypto_info *)buf;
	int ret;

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].cipher == c->kernel)
			l = &layouts[i];
	if (!l || l->size > sizeof(buf) || l->key_len != c->key_len ||
	    l->salt_len + l->iv_len != KZT_TLS_IV_LEN)
		return EINVAL;
	memset(buf, 0, sizeof(buf));
	info->version = TLS_1_3_VERSION;
	info->cipher_type = c->kernel;
	memcpy(buf + l->salt, t->iv, l->salt_len);
	memcpy(buf + l->iv, t->iv + l->salt_len, l->iv_len);
	memcpy(buf + l->key, t->key, l->key_len);
	for (int i = 0; i < 8; i++)
		buf[l->rec_seq + i] = (unsigned char)(t->seq >> (56 - 8 * i));
	ret = setsockopt(fd, SOL_TLS, dir, buf, l->size) ? errno : 0;
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

static int ktls_install(int fd, const struct kzt_tls_keys *k)
{
	int ret;

	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")))
		return errno;
	ret = ktls_set(fd, TLS_TX, k->cipher, &k->tx);
	return ret ? ret : ktls_set(fd, TLS_RX, k->cipher, &k->rx);
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd, ret = 0;

	if (!name)
		return 0;
	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		ret = errno;
	if (fd >= 0)
		close(fd);
	if (ret)
		fprintf(stderr, "%s: Unable to enter netns %s: %s\n", prog, name,
			strerror(ret));
	return ret;
}

static int sni_any(void *arg, const char *name, char *id, size_t id_len,
		   char *why, size_t why_len)
{
	(void)name;
	(void)why;
	(void)why_len;
	snprintf(id, id_len, "%s", (const char *)arg);
	return 0;
}

/* Both ends of the engine, stepped until both are done. */
static int handshake(struct kzt_creds *creds, int cfd, int sfd,
		     const char *cid, const char *sid, const char *sni,
		     struct kzt_tls_conn **cl, struct kzt_tls_conn **sv)
{
	struct kzt_tls_conn_params cp = {
		.role = KZT_HS_ROLE_CLIENT, .fd = cfd, .local_id = cid,
		.peer_id = sid, .server_name = sni,
	};
	struct kzt_tls_conn_params sp = {
		.role = KZT_HS_ROLE_SERVER, .fd = sfd, .sni = sni_any,
		.sni_arg = (void *)sid,
	};
	char why[KZT_SVID_WHY_MAX];
	int cret = EAGAIN, sret = EAGAIN;
	bool cw = true, sw = false;

	if (kzt_tls_conn_new(creds, &cp, cl, why, sizeof(why)) ||
	    kzt_tls_conn_new(creds, &sp, sv, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", prog, why);
		return EINVAL;
	}
	while (cret == EAGAIN || sret == EAGAIN) {
		struct pollfd pfd[2] = {
			{ cfd, cret == EAGAIN ? (cw ? POLLOUT : POLLIN) : 0, 0 },
			{ sfd, sret == EAGAIN ? (sw ? POLLOUT : POLLIN) : 0, 0 },
		};

		if (poll(pfd, 2, 10000) <= 0) {
			fprintf(stderr, "%s: handshake timed out\n", prog);
			return ETIMEDOUT;
		}
		if (cret == EAGAIN && pfd[0].revents)
			cret = kzt_tls_conn_step(*cl, &cw);
		if (sret == EAGAIN && pfd[1].revents)
			sret = kzt_tls_conn_step(*sv, &sw);
	}
	if (cret || sret) {
		fprintf(stderr, "%s: handshake failed: client %s (%s), server %s (%s)\n",
			prog, strerrorname_np(cret) ?: "ok", (*cl)->why,
			strerrorname_np(sret) ?: "ok", (*sv)->why);
		return EPROTO;
	}
	return 0;
}

static unsigned char pattern(uint64_t i)
{
	return (unsigned char)(i * 7 + (i >> 13));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int send_stream(int fd, uint64_t bytes)
{
	static unsigned char buf[CHUNK];
	uint64_t off = 0;

	while (off < bytes) {
		size_t n = bytes - off < CHUNK ? bytes - off : CHUNK;
		ssize_t w;

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fprintf(stderr, "%s: write: %s\n", prog, strerror(errno));
			return 1;
		}
		off += w;
	}
	return 0;
}

static int recv_stream(int fd, uint64_t bytes)
{
	static unsigned char buf[CHUNK];
	uint64_t off = 0;

	while (off < bytes) {
		size_t want = bytes - off < CHUNK ? bytes - off : CHUNK;
		ssize_t r = read(fd, buf, want);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "%s: read after %llu of %llu bytes: %s\n",
				prog, (unsigned long long)off,
				(unsigned long long)bytes,
				r ? strerror(errno) : "end of stream");
			return 1;
		}
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != pattern(off + i)) {
				fprintf(stderr, "%s: byte %llu is wrong\n", prog,
					(unsigned long long)(off + i));
				return 1;
			}
		off += r;
	}
	return 0;
}

/* The server's half: read the stream, send it back; or echo. */
static int serve(int fd, uint64_t bytes, uint64_t count)
{
	unsigned char b;

	if (!count)
		return recv_stream(fd, bytes) || send_stream(fd, bytes);
	for (uint64_t i = 0; i < count; i++)
		if (read(fd, &b, 1) != 1 || write(fd, &b, 1) != 1) {
			fprintf(stderr, "%s: echo %llu: %s\n", prog,
				(unsigned long long)i, strerror(errno));
			return 1;
		}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run_client(int fd, const char *cipher, uint64_t bytes,
		      uint64_t count, bool json)
{
	double t0, t1, *rtt;
	unsigned char b = 0x5a, r;

	if (!count) {
		double cpu0 = cpu_busy_seconds();

		t0 = now_s();
		if (send_stream(fd, bytes))
			return 1;
		if (recv_stream(fd, bytes))
			return 1;
		t1 = now_s();
		printf(json ? "{\"cipher\":\"%s\",\"mode\":\"stream\",\"bytes\":%llu,\"seconds\":%.3f,\"mbit_s\":%.1f,\"cpu_s\":%.2f}\n" :
			      "cipher %s: streamed %llu bytes each way in %.3f s: %.1f Mbit/s, %.2f CPU-s\n",
		       cipher, (unsigned long long)bytes, t1 - t0,
		       2.0 * bytes * 8 / 1e6 / (t1 - t0), cpu_busy_seconds() - cpu0);
		return 0;
	}
	rtt = calloc(count, sizeof(*rtt));
	if (!rtt)
		return 1;
	for (uint64_t i = 0; i < count; i++) {
		t0 = now_s();
		if (write(fd, &b, 1) != 1 || read(fd, &r, 1) != 1 || r != b) {
			fprintf(stderr, "%s: ping %llu failed\n", prog,
				(unsigned long long)i);
			free(rtt);
			return 1;
		}
		rtt[i] = (now_s() - t0) * 1e6;
		b++;
	}
	qsort(rtt, count, sizeof(*rtt), cmp_double);
	printf(json ? "{\"cipher\":\"%s\",\"mode\":\"pingpong\",\"count\":%llu,\"rtt_p50_us\":%.0f,\"rtt_p99_us\":%.0f}\n" :
		      "cipher %s: %llu 1-byte round trips: p50 %.0f us, p99 %.0f us\n",
	       cipher, (unsigned long long)count, rtt[count / 2],
	       rtt[count * 99 / 100]);
	free(rtt);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s --certs DIR [--cipher aes128|aes256|chacha20]\n"
		"          [--stream BYTES | --pingpong COUNT] [--addr IP] [--port N]\n"
		"          [--server-netns NS] [--client-netns NS] [-j]\n"
		"\n"
		"Handshake with kztd's TLS engine over TCP, install the derived keys in\n"
		"kTLS (TLS_TX, TLS_RX) on both sockets, then stream BYTES each way\n"
		"(default 1048576) or ping-pong 1 byte COUNT times, through kTLS only.\n"
		"The client presents the first identity of DIR, the server the last.\n"
		"The server listens on IP (default 127.0.0.1) port N (default: any),\n"
		"in netns NS if given; the client connects from its netns.\n"
		"\n"
		"Exit status: 0 verified; 1 failure; 4 kTLS not available.\n", prog);
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "certs", required_argument, NULL, 'd' },
		{ "cipher", required_argument, NULL, 'c' },
		{ "stream", required_argument, NULL, 's' },
		{ "pingpong", required_argument, NULL, 'p' },
		{ "addr", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'P' },
		{ "server-netns", required_argument, NULL, 'S' },
		{ "client-netns", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *addr = "127.0.0.1", *sns = NULL, *cns = NULL;
	const struct kzt_tls_cipher *cipher = &kzt_tls_ciphers[0];
	struct kzt_tls_conn *cl = NULL, *sv = NULL;
	struct sockaddr_storage ss = { 0 };
	struct kzt_tls_opts topts = { 0 };
	uint64_t bytes = 1 << 20, count = 0;
	struct kzt_creds *creds = NULL;
	int lfd = -1, cfd = -1, sfd = -1, opt, ret = 1, status;
	unsigned int port = 0;
	struct in6_addr a6;
	socklen_t sl;
	bool json = false;
	pid_t pid;
	char sni[KZT_ADDR_STRLEN];

	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'c':
			cipher = kzt_tls_cipher_by_name(optarg);
			if (!cipher) {
				fprintf(stderr, "%s: --cipher: expected aes128, aes256 or chacha20\n", prog);
				return 1;
			}
			break;
		case 's': bytes = strtoull(optarg, NULL, 0); count = 0; break;
		case 'p': count = strtoull(optarg, NULL, 0); break;
		case 'a': addr = optarg; break;
		case 'P': port = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'S': sns = optarg; break;
		case 'C': cns = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (!dir || optind < argc || port > 65535 || (!count && !bytes) ||
	    kzt_addr_parse(addr, &a6)) {
		usage(stderr);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	kzt_log_open(prog, KZT_LOG_STDERR, KZT_LOG_WARNING);
	topts.ciphersuites = cipher->name;
	if (kzt_creds_load(dir, NULL, &topts, &creds) || !creds->n_ids) {
		fprintf(stderr, "%s: no usable identity in %s\n", prog, dir);
		goto out;
	}

	/* Listener (server netns), connect (client netns), accept. */
	if (kzt_addr_is_v4(&a6)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, &a6.s6_addr[12], 4);
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = a6;
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
	}
	if (enter_netns(sns))
		goto out;
	lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)) ||
	    bind(lfd, (struct sockaddr *)&ss, sl) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&ss, &sl)) {
		fprintf(stderr, "%s: Unable to listen on %s: %s\n", prog, addr,
			strerror(errno));
		goto out;
	}
	if (enter_netns(cns))
		goto out;
	cfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&ss, sl) ||
	    (sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		fprintf(stderr, "%s: Unable to connect to %s: %s\n", prog, addr,
			strerror(errno));
		goto out;
	}
	fcntl(cfd, F_SETFL, O_NONBLOCK);
	fcntl(sfd, F_SETFL, O_NONBLOCK);

	kzt_addr_str(&a6, sni, sizeof(sni));
	if (handshake(creds, cfd, sfd, creds->ids[0].id,
		      creds->ids[creds->n_ids - 1].id, sni, &cl, &sv))
		goto out;
	if (cl->keys.cipher != cipher) {
		fprintf(stderr, "%s: negotiated %s, not %s\n", prog,
			cl->keys.cipher->name, cipher->name);
		goto out;
	}
	fcntl(cfd, F_SETFL, 0);
	fcntl(sfd, F_SETFL, 0);
	/* Negative control for the selftest: a wrong key must not work. */
	if (getenv("KZT_TLSPAIR_CORRUPT_KEY"))
		cl->keys.tx.key[0] ^= 1;
	ret = ktls_install(cfd, &cl->keys);
	if (!ret)
		ret = ktls_install(sfd, &sv->keys);
	kzt_tls_conn_free(cl);		/* wipes the keys; sends nothing */
	kzt_tls_conn_free(sv);
	cl = sv = NULL;
	if (ret == ENOENT || ret == ENOPROTOOPT) {
		printf("SKIP: kTLS not available (modprobe tls): %s\n", strerror(ret));
		ret = EXIT_SKIP;
		goto out;
	}
	if (ret) {
		fprintf(stderr, "%s: Unable to install the keys in kTLS: %s\n",
			prog, strerror(ret));
		ret = 1;
		goto out;
	}

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		ret = 1;
		goto out;
	}
	if (!pid) {
		close(cfd);
		_exit(serve(sfd, bytes, count));
	}
	close(sfd);
	sfd = -1;
	ret = run_client(cfd, cipher->short_name, bytes, count, json);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = 1;
out:
	kzt_tls_conn_free(cl);
	kzt_tls_conn_free(sv);
	kzt_creds_put(creds);
	if (lfd >= 0)
		close(lfd);
	if (cfd >= 0)
		close(cfd);
	if (sfd >= 0)
		close(sfd);
	return ret;
}
