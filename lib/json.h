/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for kztctl -j. Output is compact, one
 * document per call sequence, keys in the order they are written. Strings
 * are escaped per RFC 8259; bytes that are not valid UTF-8 become U+FFFD,
 * so the output is always valid JSON.
 *
 *	struct kzt_json j;
 *	kzt_json_init(&j, stdout);
 *	kzt_json_object_begin(&j, NULL);
 *	kzt_json_uint(&j, "tunnel_port", 15008);
 *	kzt_json_bool(&j, "capture", false);
 *	kzt_json_object_end(&j);
 *	ret = kzt_json_finish(&j);	// {"tunnel_port":15008,"capture":false}\n
 *
 * Inside an object every value needs a key; at the top and inside arrays
 * the key must be NULL. Misuse is recorded and returned by
 * kzt_json_finish(), so callers check once.
 */
#ifndef KZT_JSON_H
#define KZT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KZT_JSON_DEPTH_MAX	16

struct kzt_json {
	FILE *f;
	unsigned int depth;
	bool in_object[KZT_JSON_DEPTH_MAX];
	bool has_items[KZT_JSON_DEPTH_MAX];
	bool done;		/* the top-level value is written */
	int error;		/* first misuse (EINVAL) or write error */
};

void kzt_json_init(struct kzt_json *j, FILE *f);
void kzt_json_object_begin(struct kzt_json *j, const char *key);
void kzt_json_object_end(struct kzt_json *j);
void kzt_json_array_begin(struct kzt_json *j, const char *key);
void kzt_json_array_end(struct kzt_json *j);
void kzt_json_string(struct kzt_json *j, const char *key, const char *s);
void kzt_json_stringn(struct kzt_json *j, const char *key, const char *s,
		      size_t len);
void kzt_json_uint(struct kzt_json *j, const char *key, uint64_t v);
void kzt_json_int(struct kzt_json *j, const char *key, int64_t v);
void kzt_json_bool(struct kzt_json *j, const char *key, bool v);
void kzt_json_null(struct kzt_json *j, const char *key);
int kzt_json_finish(struct kzt_json *j);

void kzt_json_write_string(FILE *f, const char *s, size_t len);
size_t kzt_utf8_seq_len(const unsigned char *s, size_t len);

#endif /* KZT_JSON_H */
