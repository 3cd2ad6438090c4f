/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The peers kztd has verified: for each peer identity (and the role it
 * played), the certificate chain it proved itself with in its latest
 * handshake. When the trust bundle or the trust domain changes, every
 * chain is verified again, by the handshake's own check, against the new
 * credentials; the identities that fail are the ones whose live flows the
 * kernel must end (KZT_CMD_REVOKE).
 *
 * Bounded: at most @max entries; the least recently seen goes first
 * (counted in @evicted). A peer evicted while its flows live is not
 * re-verified at the next reload; size the table above the number of
 * distinct peers a node talks to.
 */
#ifndef KZT_PEERS_H
#define KZT_PEERS_H

#include <stddef.h>

#include <openssl/x509.h>

#include "creds.h"

struct kzt_peer;

struct kzt_peers {
	struct kzt_peer *head, *tail;	/* most recently seen first */
	size_t n;
	size_t max;
	size_t evicted;			/* ever, for the log */
};

/* A peer refused by a new set of credentials; see kzt_peers_recheck(). */
typedef void (*kzt_peer_refused_fn)(void *arg, const char *id,
				    const char *why);

void kzt_peers_init(struct kzt_peers *p, size_t max);
int kzt_peers_seen(struct kzt_peers *p, const char *id, int role, X509 *leaf,
		   STACK_OF(X509) *chain, char **evicted);
int kzt_peers_verify(const struct kzt_creds *c, int role, X509 *leaf,
		     STACK_OF(X509) *chain, char *why, size_t why_len);
int kzt_peers_recheck(struct kzt_peers *p, const struct kzt_creds *c,
		      kzt_peer_refused_fn refused, void *arg,
		      char ***ids, size_t *n_ids);
void kzt_peers_free_ids(char **ids, size_t n);
void kzt_peers_clear(struct kzt_peers *p);

#endif /* KZT_PEERS_H */
