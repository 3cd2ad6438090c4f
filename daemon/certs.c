// SPDX-License-Identifier: GPL-2.0
/*
 * kztd's certificate directory: loaded at start, watched with inotify and
 * loaded again when its files change (and on SIGHUP, and when the node's
 * trust domain changes). A reload builds a complete new credential set and
 * swaps it in at once; a handshake in flight keeps the set it started
 * with (a reference) to its end. A reload whose bundle is bad keeps the
 * current set. After a reload, every peer kztd verified before is verified
 * again against the new set, and the kernel ends the flows of those it
 * refuses (peers.c).
 *
 * Writers rarely change a pair in one step (the .crt, then the .key), so a
 * change is loaded KZTD_CERTS_SETTLE_MS after the last event, not at the
 * first one.
 *
 * A pair refused at a reload keeps its last good pair (lib/creds.c) until
 * that one expires: a timer reloads then, so that it goes at its expiry.
 *
 * An inotify watch follows an inode, not a path: a directory replaced by
 * a rename (mv new certs, or a symlink swapped) would go unwatched. So
 * the parent directory is watched too, for entries of DIR's name, and
 * DIR's own watch is set again on the path whenever DIR is renamed,
 * deleted or replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "keylog.h"
#include "kztd.h"

#define KZTD_CERTS_SETTLE_MS	200
/* Changes of the files in DIR, and DIR itself moved or deleted. */
#define KZTD_CERTS_DIR_EVENTS	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
				 IN_CREATE | IN_DELETE | IN_ATTRIB | \
				 IN_MOVE_SELF | IN_DELETE_SELF)

static void keylog_warn(struct kztd *d)
{
	if (d->keylog)
		log_warn("keylog is ON: every TLS session secret is written to %s; anyone who reads it can decrypt all tunnel traffic. For debugging only.",
			 d->keylog_path);
}

/* A debug file for tshark's tls.keylog_file, guarded like a key. */
static int keylog_open(struct kztd *d, const char *path)
{
	char why[512];
	int ret;

	ret = kzt_keylog_open(path, &d->keylog, why, sizeof(why));
	if (ret) {
		log_err("Unable to open the keylog file: %s", why);
		return ret;
	}
	snprintf(d->keylog_path, sizeof(d->keylog_path), "%s", path);
	keylog_warn(d);
	return 0;
}

/* @prev: the set in use, whose refused pairs keep their last good one. */
static int load(struct kztd *d, const struct kzt_creds *prev,
		struct kzt_creds **out)
{
	struct kzt_tls_opts opts = {
		.ciphersuites = d->ciphersuites[0] ? d->ciphersuites : NULL,
		.keylog = d->keylog,
		.proto_max = d->conf.has_protocol_max ? d->conf.protocol_max : 0,
	};
	const char *td = d->trust_domain[0] ? d->trust_domain :
			 KZT_DEFAULT_TRUST_DOMAIN;

	if (prev)
		return kzt_creds_reload(prev, td, &opts, out);
	return kzt_creds_load(d->certs_dir, td, &opts, out);
}

static void log_loaded(const struct kzt_creds *c, const char *what)
{
	if (!c->n_ids)
		log_warn("%s %s: no usable identity: every handshake will fail",
			 what, c->dir);
	else
		log_info("%s %s: %zu identit%s%s%s", what, c->dir, c->n_ids,
			 c->n_ids == 1 ? "y" : "ies",
			 c->n_refused ? ", some pairs refused (see above)" : "",
			 c->n_kept ? ", last good pairs kept for some" : "");
}

/* A kept pair's expiry reloads the directory: then it goes. */
static void expiry_arm(struct kztd *d)
{
	struct itimerspec its = {
		.it_value.tv_sec = d->creds->kept_until ?
				   d->creds->kept_until + 1 : 0,
	};

	if (timerfd_settime(d->expiry_io.fd, TFD_TIMER_ABSTIME, &its, NULL))
		log_err("Unable to set the expiry timer: %s: a kept pair will stay past its expiry until the next reload",
			strerror(errno));
}

static int on_expiry(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	uint64_t n;

	(void)events;
	if (read(io->fd, &n, sizeof(n)) == sizeof(n))
		kztd_certs_reload(d, "a kept pair expired");
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Watch DIR's path again: a new directory may be there now. */
static void rewatch_dir(struct kztd *d)
{
	if (d->wd_dir >= 0)
		inotify_rm_watch(d->inotify_io.fd, d->wd_dir);	/* may be gone */
	d->wd_dir = inotify_add_watch(d->inotify_io.fd, d->certs_dir,
				      KZTD_CERTS_DIR_EVENTS);
	if (d->wd_dir < 0)
		log_warn("certificate directory %s: %s: keeping the current set until it is back",
			 d->certs_dir, strerror(errno));
	else
		log_info("watching %s again (it was replaced or moved)",
			 d->certs_dir);
}

/* Did this event replace, move or delete DIR itself? */
static bool dir_replaced(const struct kztd *d, const struct inotify_event *ev)
{
	if (ev->wd == d->wd_dir)
		return ev->mask & (IN_MOVE_SELF | IN_DELETE_SELF | IN_IGNORED);
	return ev->wd == d->wd_parent && ev->len &&
	       !strcmp(ev->name, base_name(d->certs_dir));
}

/* Read the events; load once the directory has been quiet a moment. */
static int on_inotify(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	struct itimerspec its = {
		.it_value.tv_nsec = KZTD_CERTS_SETTLE_MS * 1000000L,
	};
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool replaced = false, changed = false;
	ssize_t n;

	(void)events;
	while ((n = read(io->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (void *)p;

			if (ev->mask & IN_Q_OVERFLOW || dir_replaced(d, ev))
				replaced = true;
			/* The parent's other entries are none of kztd's business. */
			else if (ev->wd == d->wd_dir)
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (replaced)
		rewatch_dir(d);
	if (replaced || changed)
		timerfd_settime(d->settle_io.fd, 0, &its, NULL);
	return 0;
}

static int on_settle(struct kztd *d, struct kztd_io *io, uint32_t events)
{
	uint64_t n;

	(void)events;
	if (read(io->fd, &n, sizeof(n)) == sizeof(n))
		kztd_certs_reload(d, "files changed");
	return 0;
}

static int watch(struct kztd *d)
{
	char parent[sizeof(d->certs_dir)];
	char *slash;
	int ret;

	snprintf(parent, sizeof(parent), "%s", d->certs_dir);
	slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else
		slash[slash == parent] = '\0';	/* "/certs": "/" */

	d->inotify_io.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	d->inotify_io.fn = on_inotify;
	d->settle_io.fd = timerfd_create(CLOCK_MONOTONIC,
					 TFD_NONBLOCK | TFD_CLOEXEC);
	d->settle_io.fn = on_settle;
	d->expiry_io.fd = timerfd_create(CLOCK_REALTIME,
					 TFD_NONBLOCK | TFD_CLOEXEC);
	d->expiry_io.fn = on_expiry;
	if (d->inotify_io.fd >= 0) {
		d->wd_dir = inotify_add_watch(d->inotify_io.fd, d->certs_dir,
					      KZTD_CERTS_DIR_EVENTS);
		d->wd_parent = inotify_add_watch(d->inotify_io.fd, parent,
						 IN_MOVED_TO | IN_MOVED_FROM |
						 IN_CREATE | IN_DELETE |
						 IN_ONLYDIR);
	}
	if (d->inotify_io.fd < 0 || d->settle_io.fd < 0 ||
	    d->expiry_io.fd < 0 || d->wd_dir < 0 || d->wd_parent < 0) {
		ret = errno;
		log_err("Unable to watch %s: %s", d->certs_dir, strerror(ret));
		return ret;
	}
	ret = kztd_io_add(d, &d->inotify_io, EPOLLIN);
	if (!ret)
		ret = kztd_io_add(d, &d->settle_io, EPOLLIN);
	if (!ret)
		ret = kztd_io_add(d, &d->expiry_io, EPOLLIN);
	if (ret)
		log_err("epoll_ctl: %s", strerror(ret));
	return ret;
}

/**
 * kztd_certs_open() - load the certificate directory and watch it
 * @d: options parsed, config file loaded, loop initialized
 *
 * Without a directory (no --certs, no certs key) kztd runs no handshakes.
 *
 * @retval 0     loaded (or none configured)
 * @retval other the bundle, the options or the watch failed (logged)
 */
int kztd_certs_open(struct kztd *d)
{
	const char *dir = d->opt_certs ? d->opt_certs :
			  d->conf.has_certs ? d->conf.certs : NULL;
	const char *keylog = d->opt_keylog ? d->opt_keylog :
			     d->conf.has_keylog ? d->conf.keylog : NULL;
	const char *suites = d->opt_ciphersuites ? d->opt_ciphersuites :
			     d->conf.has_ciphersuites ? d->conf.ciphersuites : NULL;
	int ret;

	d->inotify_io.fd = d->settle_io.fd = d->expiry_io.fd = -1;
	if (!dir && !d->conf.has_xds) {
		log_info("no certificate directory (--certs or certs =): handshakes are off");
		return 0;
	}
	/* Also for certificates from istiod (istio_ca.c). */
	if (suites)
		snprintf(d->ciphersuites, sizeof(d->ciphersuites), "%s", suites);
	if (keylog) {
		ret = keylog_open(d, keylog);
		if (ret)
			return ret;
	}
	if (!dir)
		return 0;
	snprintf(d->certs_dir, sizeof(d->certs_dir), "%s", dir);
	/* "DIR/" names DIR: its parent is what the rename happens in. */
	for (size_t n = strlen(d->certs_dir); n > 1 && d->certs_dir[n - 1] == '/';)
		d->certs_dir[--n] = '\0';
	ret = load(d, NULL, &d->creds);
	if (ret) {
		log_err("Unable to load the certificate directory %s", dir);
		return ret;
	}
	log_loaded(d->creds, "certificates");
	kztd_pool_flush(d);
	return watch(d);
}

/**
 * kztd_certs_reload() - load the directory again and swap it in
 * @d:   the daemon
 * @why: what caused it, for the log
 *
 * Handshakes in flight keep the set they hold (and are checked against
 * the new one when they end: kztd_peers_admit()). A pair refused now
 * keeps its last good pair while that one is valid, and the expiry timer
 * is set to the first such end. The peers verified before are verified
 * again, and those refused revoked. On failure the current set stays,
 * and nothing is revoked.
 */
void kztd_certs_reload(struct kztd *d, const char *why)
{
	struct kzt_creds *c;

	if (!d->creds)
		return;
	log_info("reloading certificates (%s)", why);
	keylog_warn(d);
	if (load(d, d->creds, &c)) {
		log_err("certificate reload failed: keeping the %zu identities loaded before",
			d->creds->n_ids);
		return;
	}
	kzt_creds_put(d->creds);
	d->creds = c;
	log_loaded(c, "reloaded");
	expiry_arm(d);
	kztd_peers_recheck(d);
}

/**
 * kztd_certs_conf_changed() - SIGHUP read a new file: what it means here
 * @d:    the daemon
 * @conf: the new file
 *
 * The files of the directory are loaded again; a new directory, key log
 * or suite list needs a restart, and is logged as such.
 */
void kztd_certs_conf_changed(struct kztd *d, const struct kzt_conf *conf)
{
	if (!d->opt_certs && (conf->has_certs != d->conf.has_certs ||
			      strcmp(conf->certs, d->conf.certs)))
		log_warn("certs changed in %s: takes effect when kztd restarts",
			 d->conf_path);
	if (!d->opt_keylog && (conf->has_keylog != d->conf.has_keylog ||
			       strcmp(conf->keylog, d->conf.keylog)))
		log_warn("keylog changed in %s: takes effect when kztd restarts",
			 d->conf_path);
	if (!d->opt_ciphersuites &&
	    (conf->has_ciphersuites != d->conf.has_ciphersuites ||
	     strcmp(conf->ciphersuites, d->conf.ciphersuites)))
		log_warn("ciphersuites changed in %s: takes effect when kztd restarts",
			 d->conf_path);
	kztd_certs_reload(d, "SIGHUP");
}

/**
 * kztd_trust_domain_set() - follow the node's trust domain
 * @d:   the daemon
 * @cfg: a configuration read from or sent by the kernel
 *
 * Every SVID, local or peer, must be of this trust domain; a change
 * reloads the directory against it.
 */
void kztd_trust_domain_set(struct kztd *d, const struct kzt_config *cfg)
{
	if (!cfg->has_trust_domain || !strcmp(cfg->trust_domain, d->trust_domain))
		return;
	snprintf(d->trust_domain, sizeof(d->trust_domain), "%s",
		 cfg->trust_domain);
	kztd_certs_reload(d, "the trust domain changed");
}

/* Release the set and the watch; after every handshake has ended. */
void kztd_certs_close(struct kztd *d)
{
	kzt_creds_put(d->creds);
	d->creds = NULL;
	if (d->inotify_io.fd >= 0)
		close(d->inotify_io.fd);
	if (d->settle_io.fd >= 0)
		close(d->settle_io.fd);
	if (d->expiry_io.fd >= 0)
		close(d->expiry_io.fd);
	if (d->keylog)
		fclose(d->keylog);
	d->keylog = NULL;
}
