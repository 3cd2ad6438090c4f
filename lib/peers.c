// SPDX-License-Identifier: GPL-2.0
/*
 * kztd's table of verified peer chains; see peers.h. A doubly linked list
 * in recency order: a handshake moves its peer to the front (a linear
 * lookup, at most @max string compares, next to a handshake's ~80 ms of
 * public-key work), eviction takes the tail.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kzt.h>

#include "peers.h"
#include "svid.h"

struct kzt_peer {
	struct kzt_peer *prev, *next;
	char *id;
	int role;			/* ours: KZT_HS_ROLE_* */
	X509 *leaf;			/* a reference */
	STACK_OF(X509) *chain;		/* references; may be NULL */
};

/**
 * kzt_peers_init() - an empty table
 * @p:   the table
 * @max: at most this many entries (at least 1)
 */
void kzt_peers_init(struct kzt_peers *p, size_t max)
{
	memset(p, 0, sizeof(*p));
	p->max = max ? max : 1;
}

static void unlink_peer(struct kzt_peers *p, struct kzt_peer *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		p->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		p->tail = e->prev;
	e->prev = e->next = NULL;
	p->n--;
}

static void push_front(struct kzt_peers *p, struct kzt_peer *e)
{
	e->prev = NULL;
	e->next = p->head;
	if (p->head)
		p->head->prev = e;
	else
		p->tail = e;
	p->head = e;
	p->n++;
}

static void free_peer(struct kzt_peer *e)
{
	free(e->id);
	X509_free(e->leaf);
	sk_X509_pop_free(e->chain, X509_free);
	free(e);
}

/* New references to @leaf and @chain; false without memory. */
static bool set_chain(struct kzt_peer *e, X509 *leaf, STACK_OF(X509) *chain)
{
	STACK_OF(X509) *copy = NULL;

	if (chain && !(copy = X509_chain_up_ref(chain)))
		return false;
	if (!X509_up_ref(leaf)) {
		sk_X509_pop_free(copy, X509_free);
		return false;
	}
	X509_free(e->leaf);
	sk_X509_pop_free(e->chain, X509_free);
	e->leaf = leaf;
	e->chain = copy;
	return true;
}

/**
 * kzt_peers_seen() - remember the chain a peer just proved itself with
 * @p:       the table
 * @id:      its verified SPIFFE ID
 * @role:    our role in the handshake (KZT_HS_ROLE_*): the peer was the
 *           other one, and is verified again as such
 * @leaf:    its certificate (a reference is taken)
 * @chain:   the certificates it sent (references taken); may be NULL
 * @evicted: set to the ID dropped to make room (caller frees), or NULL
 *
 * The entry of (@id, @role) takes the new chain and becomes the most
 * recent; a new entry in a full table evicts the least recent one.
 *
 * @retval 0      remembered
 * @retval ENOMEM out of memory: the table is unchanged
 */
int kzt_peers_seen(struct kzt_peers *p, const char *id, int role, X509 *leaf,
		   STACK_OF(X509) *chain, char **evicted)
{
	struct kzt_peer *e;

	*evicted = NULL;
	for (e = p->head; e; e = e->next)
		if (e->role == role && !strcmp(e->id, id))
			break;
	if (e) {
		if (!set_chain(e, leaf, chain))
			return ENOMEM;
		unlink_peer(p, e);
		push_front(p, e);
		return 0;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->id = strdup(id)) || !set_chain(e, leaf, chain)) {
		if (e)
			free_peer(e);
		return ENOMEM;
	}
	e->role = role;
	if (p->n >= p->max) {
		struct kzt_peer *old = p->tail;

		unlink_peer(p, old);
		*evicted = old->id;
		old->id = NULL;
		free_peer(old);
		p->evicted++;
	}
	push_front(p, e);
	return 0;
}

/**
 * kzt_peers_verify() - would @c accept this peer chain in a handshake now
 * @c:       a credential set
 * @role:    our role: the peer is verified as a client when we were the
 *           server, as a server when we were the client
 * @leaf:    the peer's certificate
 * @chain:   the certificates it sent; may be NULL
 * @why:     on refusal, the reason
 * @why_len: size of @why
 *
 * The check of the handshake (kzt_svid_verify_ctx(), through
 * kzt_svid_verify_as()) against @c's bundle and trust domain, at the
 * present time.
 *
 * @retval 0      verified
 * @retval EACCES refused
 * @retval ENOMEM out of memory
 */
int kzt_peers_verify(const struct kzt_creds *c, int role, X509 *leaf,
		     STACK_OF(X509) *chain, char *why, size_t why_len)
{
	char id[KZT_SPIFFE_ID_MAX + 1];

	return kzt_svid_verify_as(c->bundle, leaf, chain,
				  role == KZT_HS_ROLE_SERVER ? "ssl_client" :
							       "ssl_server",
				  c->trust_domain, id, sizeof(id), why, why_len);
}

static bool has_id(char **ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

/**
 * kzt_peers_recheck() - verify every kept chain against new credentials
 * @p:       the table
 * @c:       the credentials now in use
 * @refused: called for each entry refused, with the reason; may be NULL
 * @arg:     its argument
 * @ids:     the refused identities, each once (free with
 *           kzt_peers_free_ids()); NULL when none
 * @n_ids:   their number
 *
 * Refused entries leave the table: a later handshake that verifies puts
 * the peer back. An entry that cannot be checked for lack of memory
 * stays, and counts as accepted.
 *
 * @retval 0      done
 * @retval ENOMEM out of memory for the list: the table is unchanged
 */
int kzt_peers_recheck(struct kzt_peers *p, const struct kzt_creds *c,
		      kzt_peer_refused_fn refused, void *arg,
		      char ***ids, size_t *n_ids)
{
	char why[KZT_SVID_WHY_MAX];
	struct kzt_peer *e, *next;
	char **out;
	size_t n = 0;

	*ids = NULL;
	*n_ids = 0;
	if (!p->n)
		return 0;
	out = calloc(p->n, sizeof(*out));
	if (!out)
		return ENOMEM;
	for (e = p->head; e; e = next) {
		next = e->next;
		if (kzt_peers_verify(c, e->role, e->leaf, e->chain, why,
				     sizeof(why)) != EACCES)
			continue;
		if (refused)
			refused(arg, e->id, why);
		unlink_peer(p, e);
		if (has_id(out, n, e->id)) {
			free_peer(e);
			continue;
		}
		out[n++] = e->id;
		e->id = NULL;
		free_peer(e);
	}
	if (!n) {
		free(out);
		return 0;
	}
	*ids = out;
	*n_ids = n;
	return 0;
}

/**
 * kzt_peers_free_ids() - free a list of kzt_peers_recheck()
 * @ids: the list; may be NULL
 * @n:   its length
 */
void kzt_peers_free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/**
 * kzt_peers_clear() - empty the table
 * @p: the table
 */
void kzt_peers_clear(struct kzt_peers *p)
{
	while (p->head) {
		struct kzt_peer *e = p->head;

		unlink_peer(p, e);
		free_peer(e);
	}
}
