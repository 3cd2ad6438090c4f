// SPDX-License-Identifier: GPL-2.0
/*
 * kztd's one event loop: epoll over the notification socket (events.c), a
 * signalfd, the certificate directory watch (certs.c), the sockets of
 * the handshakes in flight (handshake.c) and of the HTTP servers
 * (http.c); its timeout is the nearest handshake or HTTP client deadline. Requests to the kernel are made on a separate
 * socket and are synchronous; nothing here blocks for long.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "kztd.h"

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t kztd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * kztd_signals_block() - route SIGHUP, SIGTERM and SIGINT to a signalfd
 * @d: d->signal_fd is set
 *
 * Done first, so that a SIGTERM that comes during start-up is not lost:
 * it waits in the signalfd and ends the loop cleanly. SIGPIPE is ignored:
 * a peer that resets a handshake must not kill kztd.
 *
 * @retval 0     done
 * @retval other errno of sigprocmask() or signalfd()
 */
int kztd_signals_block(struct kztd *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return errno;
	d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->signal_fd < 0)
		return errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int on_signal(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	struct signalfd_siginfo si;
	ssize_t n;

	(void)events;
	for (;;) {
		n = read(io->fd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(si))
			return 0;	/* drained (EAGAIN) */

		switch (si.ssi_signo) {
		case SIGHUP:
			kztd_reload(d);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("SIG%s received: stopping",
				 sigabbrev_np(si.ssi_signo));
			return KZTD_STOP;
		}
	}
}

static int on_events(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	(void)io;
	(void)events;
	return kztd_events_read(d);
}

/**
 * kztd_io_add() - watch @io->fd
 * @d:      the daemon
 * @io:     stays valid until kztd_io_del()
 * @events: EPOLLIN, EPOLLOUT
 *
 * @retval 0     watched
 * @retval other errno of epoll_ctl()
 */
int kztd_io_add(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, io->fd, &ev) ? errno : 0;
}

/* Change what @io waits for; returns 0 or the errno of epoll_ctl(). */
int kztd_io_mod(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	return epoll_ctl(d->epfd, EPOLL_CTL_MOD, io->fd, &ev) ? errno : 0;
}

/* Stop watching @io->fd (before it is closed). */
void kztd_io_del(struct kztd *d, struct kztd_io *io)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, io->fd, NULL);
}

/**
 * kztd_loop_init() - create the epoll set; watch signals
 * @d: signals blocked (d->signal_fd)
 *
 * @retval 0     ready for the other parts to add theirs
 * @retval other errno (logged)
 */
int kztd_loop_init(struct kztd *d)
{
	int ret;

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		ret = errno;
		log_err("epoll_create1: %s", strerror(ret));
		return ret;
	}
	d->signal_io.fd = d->signal_fd;
	d->signal_io.fn = on_signal;
	ret = kztd_io_add(d, &d->signal_io, EPOLLIN);
	if (ret)
		log_err("epoll_ctl: %s", strerror(ret));
	return ret;
}

/* The nearest deadline of every part, in ms; -1: none. */
static int loop_timeout_ms(struct kztd *d)
{
	int t = kztd_hs_timeout_ms(d);

	t = kztd_metrics_timeout_ms(d, t);
	t = kztd_xds_timeout_ms(d, t);
	return kztd_ca_timeout_ms(d, t);
}

/**
 * kztd_loop() - run until SIGTERM or SIGINT
 * @d: a started daemon
 *
 * @retval 0     stopped by a signal
 * @retval other errno of epoll or of the notification socket (logged)
 */
int kztd_loop(struct kztd *d)
{
	struct epoll_event evs[64];
	int n, ret;

	d->events_io.fd = kzt_nl_fd(d->events);
	d->events_io.fn = on_events;
	ret = kztd_io_add(d, &d->events_io, EPOLLIN);
	if (ret) {
		log_err("epoll_ctl: %s", strerror(ret));
		return ret;
	}

	for (;;) {
		n = epoll_wait(d->epfd, evs, sizeof(evs) / sizeof(evs[0]),
			       loop_timeout_ms(d));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = errno;
			log_err("event loop: %s", strerror(ret));
			return ret;
		}
		for (int i = 0; i < n; i++) {
			struct kztd_io *io = evs[i].data.ptr;

			/*
			 * A handshake that ends during this batch (even one
			 * ended by another io) is freed only in
			 * kztd_hs_expire(), after the batch: @io stays valid.
			 */
			ret = io->fn(d, io, evs[i].events);
			if (ret == KZTD_STOP)
				return 0;
			if (ret)
				return ret;
		}
		kztd_hs_expire(d);
		kztd_metrics_expire(d);
		kztd_xds_expire(d);
		kztd_ca_expire(d);
	}
}
