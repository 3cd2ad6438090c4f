// SPDX-License-Identifier: GPL-2.0
/*
 * kztd's one event loop: epoll over the notification socket (events.c)
 * and a signalfd. Requests to the kernel are made on a separate socket and
 * are synchronous; nothing here blocks for long.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "kztd.h"

/**
 * kztd_signals_block() - route SIGHUP, SIGTERM and SIGINT to a signalfd
 * @d: d->signal_fd is set
 *
 * Done first, so that a SIGTERM that comes during start-up is not lost:
 * it waits in the signalfd and ends the loop cleanly.
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

/* Returns true when kztd must stop. */
static bool on_signal(struct kztd *d)
{
	struct signalfd_siginfo si;
	ssize_t n;

	for (;;) {
		n = read(d->signal_fd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(si))
			return false;	/* drained (EAGAIN) */

		switch (si.ssi_signo) {
		case SIGHUP:
			kztd_reload(d);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("SIG%s received: stopping",
				 sigabbrev_np(si.ssi_signo));
			return true;
		}
	}
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
	struct epoll_event ev = { .events = EPOLLIN };
	struct epoll_event evs[4];
	int epfd, events_fd, n, ret = 0;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		ret = errno;
		log_err("epoll_create1: %s", strerror(ret));
		return ret;
	}
	events_fd = kzt_nl_fd(d->events);
	ev.data.fd = d->signal_fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, d->signal_fd, &ev))
		goto out_errno;
	ev.data.fd = events_fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, events_fd, &ev))
		goto out_errno;

	for (;;) {
		n = epoll_wait(epfd, evs, sizeof(evs) / sizeof(evs[0]), -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out_errno;

		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == d->signal_fd) {
				if (on_signal(d))
					goto out_close;
			} else if (evs[i].data.fd == events_fd) {
				ret = kztd_events_read(d);
				if (ret)
					goto out_close;
			}
		}
	}

out_errno:
	ret = errno;
	log_err("event loop: %s", strerror(ret));
out_close:
	close(epfd);
	return ret;
}
