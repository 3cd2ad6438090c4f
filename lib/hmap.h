/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hash map from byte-string keys (resource names, 16-byte addresses) to
 * pointers, with chaining and growth by doubling. The keys are copied;
 * the values belong to the caller. Not thread-safe (kztd has one thread).
 *
 * The hash is FNV-1a mixed with a per-process random seed: the keys come
 * from istiod, an authenticated peer, so flooding is not the threat; the
 * seed only keeps bucket layouts from being the same everywhere.
 */
#ifndef KZT_HMAP_H
#define KZT_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct kzt_hmap_entry {
	struct kzt_hmap_entry *next;
	uint64_t hash;
	void *val;
	size_t klen;
	unsigned char key[];
};

struct kzt_hmap {
	struct kzt_hmap_entry **buckets;
	size_t n_buckets;		/* 0 or a power of two */
	size_t n;			/* entries */
};

/* Iteration: for (e = kzt_hmap_first(m, &i); e; e = kzt_hmap_next(m, &i, e)) */
struct kzt_hmap_iter {
	size_t bucket;
};

int kzt_hmap_put(struct kzt_hmap *m, const void *key, size_t klen, void *val);
void *kzt_hmap_get(const struct kzt_hmap *m, const void *key, size_t klen);
void *kzt_hmap_del(struct kzt_hmap *m, const void *key, size_t klen);
struct kzt_hmap_entry *kzt_hmap_first(const struct kzt_hmap *m,
				      struct kzt_hmap_iter *it);
struct kzt_hmap_entry *kzt_hmap_next(const struct kzt_hmap *m,
				     struct kzt_hmap_iter *it,
				     const struct kzt_hmap_entry *e);
void kzt_hmap_free(struct kzt_hmap *m, void (*free_val)(void *val));

/* String keys, stored with their NUL: e->key is then a C string. */
static inline int kzt_hmap_sput(struct kzt_hmap *m, const char *key, void *val)
{
	return kzt_hmap_put(m, key, __builtin_strlen(key) + 1, val);
}

static inline void *kzt_hmap_sget(const struct kzt_hmap *m, const char *key)
{
	return kzt_hmap_get(m, key, __builtin_strlen(key) + 1);
}

static inline void *kzt_hmap_sdel(struct kzt_hmap *m, const char *key)
{
	return kzt_hmap_del(m, key, __builtin_strlen(key) + 1);
}

#endif /* KZT_HMAP_H */
