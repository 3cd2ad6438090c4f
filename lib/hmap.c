// SPDX-License-Identifier: GPL-2.0
/*
 * Byte-string hash map (hmap.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hmap.h"

static uint64_t hash_seed(void)
{
	static uint64_t seed;
	static int done;

	if (!done) {
		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
			seed = 0x9e3779b97f4a7c15ULL;	/* no entropy yet: fixed */
		done = 1;
	}
	return seed;
}

static uint64_t hash_bytes(const void *key, size_t klen)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL ^ hash_seed();

	for (size_t i = 0; i < klen; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static struct kzt_hmap_entry **slot(const struct kzt_hmap *m, uint64_t hash)
{
	return &m->buckets[hash & (m->n_buckets - 1)];
}

static struct kzt_hmap_entry **find(const struct kzt_hmap *m, const void *key,
				    size_t klen, uint64_t hash)
{
	struct kzt_hmap_entry **pp;

	if (!m->n_buckets)
		return NULL;
	for (pp = slot(m, hash); *pp; pp = &(*pp)->next)
		if ((*pp)->hash == hash && (*pp)->klen == klen &&
		    !memcmp((*pp)->key, key, klen))
			return pp;
	return NULL;
}

/* Double the buckets (16 at first); on ENOMEM the map stays as it was. */
static int grow(struct kzt_hmap *m)
{
	size_t nb = m->n_buckets ? m->n_buckets * 2 : 16;
	struct kzt_hmap_entry **b = calloc(nb, sizeof(*b));
	struct kzt_hmap old = *m;

	if (!b)
		return ENOMEM;
	m->buckets = b;
	m->n_buckets = nb;
	for (size_t i = 0; i < old.n_buckets; i++) {
		struct kzt_hmap_entry *e = old.buckets[i], *next;

		for (; e; e = next) {
			struct kzt_hmap_entry **s = slot(m, e->hash);

			next = e->next;
			e->next = *s;
			*s = e;
		}
	}
	free(old.buckets);
	return 0;
}

/**
 * kzt_hmap_put() - set @key to @val (a new entry or a new value)
 * @m:    the map
 * @key:  copied
 * @klen: its length
 * @val:  stored as is
 *
 * @retval 0      done
 * @retval ENOMEM nothing changed
 */
int kzt_hmap_put(struct kzt_hmap *m, const void *key, size_t klen, void *val)
{
	uint64_t hash = hash_bytes(key, klen);
	struct kzt_hmap_entry **pp = find(m, key, klen, hash), *e;

	if (pp) {
		(*pp)->val = val;
		return 0;
	}
	if (m->n >= m->n_buckets && grow(m))
		return ENOMEM;
	e = malloc(sizeof(*e) + klen);
	if (!e)
		return ENOMEM;
	e->hash = hash;
	e->val = val;
	e->klen = klen;
	memcpy(e->key, key, klen);
	pp = slot(m, hash);
	e->next = *pp;
	*pp = e;
	m->n++;
	return 0;
}

/* The value of @key, or NULL. */
void *kzt_hmap_get(const struct kzt_hmap *m, const void *key, size_t klen)
{
	struct kzt_hmap_entry **pp = find(m, key, klen, hash_bytes(key, klen));

	return pp ? (*pp)->val : NULL;
}

/* Remove @key; returns its value, or NULL if it was not there. */
void *kzt_hmap_del(struct kzt_hmap *m, const void *key, size_t klen)
{
	struct kzt_hmap_entry **pp = find(m, key, klen, hash_bytes(key, klen));
	struct kzt_hmap_entry *e;
	void *val;

	if (!pp)
		return NULL;
	e = *pp;
	*pp = e->next;
	val = e->val;
	free(e);
	m->n--;
	return val;
}

static struct kzt_hmap_entry *from_bucket(const struct kzt_hmap *m,
					  struct kzt_hmap_iter *it)
{
	for (; it->bucket < m->n_buckets; it->bucket++)
		if (m->buckets[it->bucket])
			return m->buckets[it->bucket];
	return NULL;
}

/* The first entry (any order), or NULL. */
struct kzt_hmap_entry *kzt_hmap_first(const struct kzt_hmap *m,
				      struct kzt_hmap_iter *it)
{
	it->bucket = 0;
	return from_bucket(m, it);
}

/* The entry after @e; @e must not have been deleted meanwhile. */
struct kzt_hmap_entry *kzt_hmap_next(const struct kzt_hmap *m,
				     struct kzt_hmap_iter *it,
				     const struct kzt_hmap_entry *e)
{
	if (e->next)
		return e->next;
	it->bucket++;
	return from_bucket(m, it);
}

/* Free every entry (and each value with @free_val, if not NULL). */
void kzt_hmap_free(struct kzt_hmap *m, void (*free_val)(void *val))
{
	for (size_t i = 0; i < m->n_buckets; i++) {
		struct kzt_hmap_entry *e = m->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			if (free_val)
				free_val(e->val);
			free(e);
		}
	}
	free(m->buckets);
	memset(m, 0, sizeof(*m));
}
