// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer; see json.h for the rules.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"

/**
 * kzt_utf8_seq_len() - length of the UTF-8 sequence at @s
 * @s:   at least one byte
 * @len: bytes available at @s
 *
 * Overlong forms, surrogates and values above U+10FFFF are invalid (RFC
 * 3629).
 *
 * @retval 1..4 the length of the valid sequence at @s
 * @retval 0    @s does not start a valid sequence
 */
size_t kzt_utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/**
 * kzt_json_write_string() - write @len bytes of @s as a quoted JSON string
 * @f:   the stream
 * @s:   the bytes; NUL bytes are written as \u0000
 * @len: how many
 */
void kzt_json_write_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	fputc('"', f);
	while (i < len) {
		unsigned char c = p[i];

		switch (c) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
				break;
			}
			n = kzt_utf8_seq_len(p + i, len - i);
			if (!n) {
				fputs("\\ufffd", f);
				i++;
				continue;
			}
			fwrite(p + i, 1, n, f);
			i += n;
			continue;
		}
		i++;
	}
	fputc('"', f);
}

void kzt_json_init(struct kzt_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Separator and key before a value; false (and j->error) on misuse. */
static bool json_value_start(struct kzt_json *j, const char *key)
{
	if (j->error)
		return false;
	if (j->depth == 0) {
		if (key || j->done) {
			j->error = EINVAL;
			return false;
		}
		return true;
	}
	if (j->in_object[j->depth - 1] != (key != NULL)) {
		j->error = EINVAL;
		return false;
	}
	if (j->has_items[j->depth - 1])
		fputc(',', j->f);
	j->has_items[j->depth - 1] = true;
	if (key) {
		kzt_json_write_string(j->f, key, strlen(key));
		fputc(':', j->f);
	}
	return true;
}

static void json_value_end(struct kzt_json *j)
{
	if (j->depth == 0)
		j->done = true;
}

static void json_open(struct kzt_json *j, const char *key, bool object)
{
	if (!json_value_start(j, key))
		return;
	if (j->depth == KZT_JSON_DEPTH_MAX) {
		j->error = EINVAL;
		return;
	}
	fputc(object ? '{' : '[', j->f);
	j->in_object[j->depth] = object;
	j->has_items[j->depth] = false;
	j->depth++;
}

static void json_close(struct kzt_json *j, bool object)
{
	if (j->error)
		return;
	if (j->depth == 0 || j->in_object[j->depth - 1] != object) {
		j->error = EINVAL;
		return;
	}
	fputc(object ? '}' : ']', j->f);
	j->depth--;
	json_value_end(j);
}

void kzt_json_object_begin(struct kzt_json *j, const char *key)
{
	json_open(j, key, true);
}

void kzt_json_object_end(struct kzt_json *j)
{
	json_close(j, true);
}

void kzt_json_array_begin(struct kzt_json *j, const char *key)
{
	json_open(j, key, false);
}

void kzt_json_array_end(struct kzt_json *j)
{
	json_close(j, false);
}

/* @s NULL writes null. */
void kzt_json_string(struct kzt_json *j, const char *key, const char *s)
{
	if (!s) {
		kzt_json_null(j, key);
		return;
	}
	kzt_json_stringn(j, key, s, strlen(s));
}

void kzt_json_stringn(struct kzt_json *j, const char *key, const char *s,
		      size_t len)
{
	if (!json_value_start(j, key))
		return;
	kzt_json_write_string(j->f, s, len);
	json_value_end(j);
}

void kzt_json_uint(struct kzt_json *j, const char *key, uint64_t v)
{
	if (!json_value_start(j, key))
		return;
	fprintf(j->f, "%" PRIu64, v);
	json_value_end(j);
}

void kzt_json_int(struct kzt_json *j, const char *key, int64_t v)
{
	if (!json_value_start(j, key))
		return;
	fprintf(j->f, "%" PRId64, v);
	json_value_end(j);
}

void kzt_json_bool(struct kzt_json *j, const char *key, bool v)
{
	if (!json_value_start(j, key))
		return;
	fputs(v ? "true" : "false", j->f);
	json_value_end(j);
}

void kzt_json_null(struct kzt_json *j, const char *key)
{
	if (!json_value_start(j, key))
		return;
	fputs("null", j->f);
	json_value_end(j);
}

/**
 * kzt_json_finish() - end the document with a newline and flush it
 * @j: the writer
 *
 * @retval 0      a complete, valid document was written
 * @retval EINVAL misuse: a missing or extra key, unbalanced or too deep
 *                nesting, no value or two top-level values
 * @retval other  errno of writing the stream
 */
int kzt_json_finish(struct kzt_json *j)
{
	if (!j->error && (j->depth || !j->done))
		j->error = EINVAL;
	if (!j->error) {
		fputc('\n', j->f);
		if (fflush(j->f) || ferror(j->f))
			j->error = errno ? errno : EIO;
	}
	return j->error;
}
