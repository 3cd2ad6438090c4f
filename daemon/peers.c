// SPDX-License-Identifier: GPL-2.0
/*
 * Peers no longer trusted (Documentation/kztd.rst, "Trust changes and
 * live flows"): kztd keeps the chain each peer identity proved itself
 * with (lib/peers.c), verifies every one again whenever it loads a new
 * credential set (a bundle, an SVID, a trust domain), and tells the
 * kernel which identities failed (KZT_CMD_REVOKE), which ends their
 * flows. A handshake that started on the old set and ends after the
 * reload is verified against the new one before it is reported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kztd.h"
#include "peers.h"
#include "tlsconn.h"

/* Distinct (peer identity, role) pairs kept; the least recent goes first. */
#define KZTD_PEERS_MAX	4096

/**
 * kztd_peers_init() - an empty table
 * @d: the daemon
 */
void kztd_peers_init(struct kztd *d)
{
	kzt_peers_init(&d->peers, KZTD_PEERS_MAX);
}

/**
 * kztd_peers_admit() - a handshake succeeded: may its peer be reported?
 * @d: the daemon
 * @t: the handshake, done, whose peer verified against @t->creds
 *
 * When the credentials were reloaded while it ran, the peer is verified
 * again against the set now in use: a peer the new bundle refuses must
 * not start a flow after its identity was revoked. A peer accepted is
 * remembered for the next reload.
 *
 * @retval 0      report it to the kernel
 * @retval EACCES refused by the set now in use; @t->why says why
 */
int kztd_peers_admit(struct kztd *d, struct kzt_tls_conn *t)
{
	char why[KZT_SVID_WHY_MAX];
	char *evicted;

	if (!t->peer_leaf) {
		log_warn("peer %s: its chain was not kept (out of memory): it will not be verified again at a reload",
			 t->peer_id);
		return 0;
	}
	if (d->creds && t->creds != d->creds &&
	    kzt_peers_verify(d->creds, t->role, t->peer_leaf, t->peer_chain,
			     why, sizeof(why)) == EACCES) {
		/* Bounded: t->why is as large as why. */
		snprintf(t->why, sizeof(t->why),
			 "%.100s no longer verifies after the certificate reload during the handshake: %.300s",
			 t->peer_id, why);
		return EACCES;
	}
	if (kzt_peers_seen(&d->peers, t->peer_id, t->role, t->peer_leaf,
			   t->peer_chain, &evicted)) {
		log_warn("peer %s: out of memory: it will not be verified again at a reload",
			 t->peer_id);
		return 0;
	}
	if (evicted) {
		/* Once loudly, then quietly: a busy node evicts all the time. */
		if (d->peers.evicted == 1)
			log_warn("peer table full (%d entries): the least recently seen peers are dropped, and their live flows not verified again at a reload (first: %s)",
				 KZTD_PEERS_MAX, evicted);
		else
			log_debug("peer table full: dropped %s", evicted);
		free(evicted);
	}
	return 0;
}

static void log_refused(void *arg, const char *id, const char *why)
{
	(void)arg;
	log_warn("peer %s is no longer trusted: %s", id, why);
}

/**
 * kztd_pool_flush() - a new credential set: no kept tunnel of the old one
 * @d: the daemon, with the set in place (also the first)
 *
 * Kept kzt/2 tunnels were authenticated with the certificates of their
 * handshake; new flows must ride tunnels of the new ones. Also at start:
 * the kztd before may have had other certificates.
 */
void kztd_pool_flush(struct kztd *d)
{
	struct kzt_nl_err err;
	uint32_t closed;
	char buf[256];

	if (d->kzt_gone)
		return;
	if (kzt_pool_flush(&d->client, &closed, &err))
		log_err("Unable to close the kept tunnels: %s: they carry new flows with the certificates of before until they close",
			kzt_err_str(&err, buf, sizeof(buf)));
	else if (closed)
		log_info("closed %u kept tunnel%s of the certificates before",
			 closed, closed == 1 ? "" : "s");
}

/**
 * kztd_peers_recheck() - after a reload: revoke the peers it refuses
 * @d: the daemon, with its new credential set in place
 *
 * Also closes the kept tunnels (kztd_pool_flush()).
 */
void kztd_peers_recheck(struct kztd *d)
{
	struct kzt_nl_err err;
	uint64_t flows;
	char buf[256];
	size_t n;
	char **ids;
	int ret;

	if (!d->creds)
		return;
	kztd_pool_flush(d);
	if (kzt_peers_recheck(&d->peers, d->creds, log_refused, NULL, &ids, &n)) {
		log_err("Unable to verify the known peers again: out of memory");
		return;
	}
	log_debug("%zu known peer%s verified again after the reload, %zu refused",
		  d->peers.n + n, d->peers.n + n == 1 ? "" : "s", n);
	if (!n)
		return;
	if (d->kzt_gone) {
		log_info("%zu peer identit%s no longer trusted; the kzt module is not loaded (no flows)",
			 n, n == 1 ? "y" : "ies");
		kzt_peers_free_ids(ids, n);
		return;
	}
	ret = kzt_revoke(&d->client, (const char *const *)ids, n, &flows, &err);
	if (ret)
		log_err("Unable to revoke %zu peer identit%s no longer trusted: %s: their live flows go on",
			n, n == 1 ? "y" : "ies", kzt_err_str(&err, buf, sizeof(buf)));
	else
		log_info("revoked %zu peer identit%s no longer trusted: %llu flow%s ended",
			 n, n == 1 ? "y" : "ies", (unsigned long long)flows,
			 flows == 1 ? "" : "s");
	kzt_peers_free_ids(ids, n);
}

/**
 * kztd_peers_close() - forget every peer
 * @d: the daemon
 */
void kztd_peers_close(struct kztd *d)
{
	kzt_peers_clear(&d->peers);
}
