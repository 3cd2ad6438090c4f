// SPDX-License-Identifier: GPL-2.0
/*
 * Levelled logging to stderr or syslog. One process-wide logger: kztd is
 * single-threaded, and lib/ itself never logs (it returns errors instead).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static const char *log_ident = "kzt";
static enum kzt_log_dest log_dest = KZT_LOG_STDERR;
static enum kzt_log_level log_level = KZT_LOG_INFO;

static const struct {
	const char *name;
	enum kzt_log_level level;
} log_levels[] = {
	{ "error",	KZT_LOG_ERR },
	{ "warning",	KZT_LOG_WARNING },
	{ "info",	KZT_LOG_INFO },
	{ "debug",	KZT_LOG_DEBUG },
};

/**
 * kzt_log_open() - start logging
 * @ident: program name put in front of every line
 * @dest:  stderr or syslog (facility daemon)
 * @level: most verbose level that is written
 */
void kzt_log_open(const char *ident, enum kzt_log_dest dest,
		  enum kzt_log_level level)
{
	log_ident = ident;
	log_dest = dest;
	log_level = level;
	if (dest == KZT_LOG_SYSLOG)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void kzt_log_set_level(enum kzt_log_level level)
{
	log_level = level;
}

void kzt_log_close(void)
{
	if (log_dest == KZT_LOG_SYSLOG)
		closelog();
	log_dest = KZT_LOG_STDERR;
}

/**
 * kzt_log() - write one line if @level is enabled
 * @level: its priority
 * @fmt:   printf format, without the trailing newline
 *
 * errno is preserved, so a caller may log and then still report errno.
 */
void kzt_log(enum kzt_log_level level, const char *fmt, ...)
{
	int saved_errno = errno;
	const char *prefix = "";
	va_list ap;

	if (level > log_level)
		return;

	va_start(ap, fmt);
	if (log_dest == KZT_LOG_SYSLOG) {
		vsyslog(LOG_DAEMON | level, fmt, ap);
	} else {
		if (level == KZT_LOG_ERR)
			prefix = "error: ";
		else if (level == KZT_LOG_WARNING)
			prefix = "warning: ";
		else if (level == KZT_LOG_DEBUG)
			prefix = "debug: ";
		flockfile(stderr);
		fprintf(stderr, "%s: %s", log_ident, prefix);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		funlockfile(stderr);
	}
	va_end(ap);
	errno = saved_errno;
}

/**
 * kzt_log_level_parse() - turn "error", "warning", "info" or "debug" into a level
 * @name:  the word
 * @level: where to store the level
 *
 * @retval 0      @level is set
 * @retval EINVAL @name is not one of the four words
 */
int kzt_log_level_parse(const char *name, enum kzt_log_level *level)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (!strcmp(name, log_levels[i].name)) {
			*level = log_levels[i].level;
			return 0;
		}
	}
	return EINVAL;
}

const char *kzt_log_level_name(enum kzt_log_level level)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (log_levels[i].level == level)
			return log_levels[i].name;
	return "?";
}

/**
 * kzt_log_dest_parse() - turn "stderr" or "syslog" into a destination
 * @name: the word
 * @dest: where to store it
 *
 * @retval 0      @dest is set
 * @retval EINVAL unknown word
 */
int kzt_log_dest_parse(const char *name, enum kzt_log_dest *dest)
{
	if (!strcmp(name, "stderr"))
		*dest = KZT_LOG_STDERR;
	else if (!strcmp(name, "syslog"))
		*dest = KZT_LOG_SYSLOG;
	else
		return EINVAL;
	return 0;
}
