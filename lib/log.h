/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Levelled logging for kztd: to stderr (the default, for a service manager
 * that collects it) or to syslog.
 */
#ifndef KZT_LOG_H
#define KZT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

/* Levels are syslog priorities, so that they pass straight through. */
enum kzt_log_level {
	KZT_LOG_ERR	= LOG_ERR,
	KZT_LOG_WARNING	= LOG_WARNING,
	KZT_LOG_INFO	= LOG_INFO,
	KZT_LOG_DEBUG	= LOG_DEBUG,
};

/* One line, escaped (kzt_log_escape()); longer ones are cut. */
#define KZT_LOG_LINE_MAX	4096

enum kzt_log_dest {
	KZT_LOG_STDERR,
	KZT_LOG_SYSLOG,
};

void kzt_log_open(const char *ident, enum kzt_log_dest dest,
		  enum kzt_log_level level);
void kzt_log_set_level(enum kzt_log_level level);
void kzt_log_close(void);

void kzt_log(enum kzt_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

char *kzt_log_escape(const char *in, char *out, size_t out_len);
int kzt_log_level_parse(const char *name, enum kzt_log_level *level);
const char *kzt_log_level_name(enum kzt_log_level level);
int kzt_log_dest_parse(const char *name, enum kzt_log_dest *dest);

/*
 * A warning that repeats (a burst hitting a limit): at most one line per
 * interval, the next one saying how many were suppressed meanwhile.
 */
struct kzt_ratelimit {
	uint64_t next_ms;		/* no line before this (0: none yet) */
	unsigned int suppressed;	/* since the last line */
};

bool kzt_ratelimit(struct kzt_ratelimit *rl, uint64_t now_ms,
		   unsigned int interval_ms, unsigned int *suppressed);

#define log_err(...)	kzt_log(KZT_LOG_ERR, __VA_ARGS__)
#define log_warn(...)	kzt_log(KZT_LOG_WARNING, __VA_ARGS__)
#define log_info(...)	kzt_log(KZT_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	kzt_log(KZT_LOG_DEBUG, __VA_ARGS__)

#endif /* KZT_LOG_H */
