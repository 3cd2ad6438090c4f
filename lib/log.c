// SPDX-License-Identifier: GPL-2.0
/*
 * Levelled logging to stderr or syslog. One process-wide logger: kztd is
 * single-threaded, and lib/ itself never logs (it returns errors instead).
 *
 * Messages carry strings a peer or a certificate chose (a server name, a
 * SAN, a subject): every line is escaped here, at the one place lines
 * leave, so that no caller can forget it. A newline cannot forge a second
 * line and an ESC cannot drive the operator's terminal.
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
 * kzt_log_escape() - make a message safe to write as one log line
 * @in:      the message
 * @out:     where to write it escaped, NUL-terminated
 * @out_len: size of @out, at least 4
 *
 * Printable ASCII passes as is, a backslash becomes "\\" and every other
 * byte (controls, DEL, anything above 0x7f) "\xHH": the line stays one
 * line, holds no terminal escape, and says unambiguously what was sent.
 * A message that does not fit is cut at a whole escape and ends in "...".
 *
 * @retval @out
 */
static size_t escape_one(unsigned char ch, char esc[4])
{
	static const char hex[] = "0123456789abcdef";

	if (ch == '\\') {
		esc[0] = esc[1] = '\\';
		return 2;
	}
	if (ch >= 0x20 && ch < 0x7f) {
		esc[0] = ch;
		return 1;
	}
	esc[0] = '\\';
	esc[1] = 'x';
	esc[2] = hex[ch >> 4];
	esc[3] = hex[ch & 0xf];
	return 4;
}

char *kzt_log_escape(const char *in, char *out, size_t out_len)
{
	size_t o = 0, need = 0, room = out_len - 1;
	char esc[4];

	for (const char *p = in; *p; p++)
		need += escape_one(*p, esc);
	if (need > room)
		room -= 3;	/* for "..." */
	for (; *in; in++) {
		size_t n = escape_one(*in, esc);

		if (o + n > room)
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	if (need > out_len - 1) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
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
	char msg[KZT_LOG_LINE_MAX], line[KZT_LOG_LINE_MAX];
	int saved_errno = errno;
	const char *prefix = "";
	va_list ap;

	if (level > log_level)
		return;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kzt_log_escape(msg, line, sizeof(line));
	if (log_dest == KZT_LOG_SYSLOG) {
		syslog(LOG_DAEMON | level, "%s", line);
	} else {
		if (level == KZT_LOG_ERR)
			prefix = "error: ";
		else if (level == KZT_LOG_WARNING)
			prefix = "warning: ";
		else if (level == KZT_LOG_DEBUG)
			prefix = "debug: ";
		flockfile(stderr);
		fprintf(stderr, "%s: %s%s\n", log_ident, prefix, line);
		funlockfile(stderr);
	}
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

/**
 * kzt_ratelimit() - whether a repeated line may be logged now
 * @rl:          its state, zeroed at first
 * @now_ms:      a monotonic clock
 * @interval_ms: at most one line per this long
 * @suppressed:  set, when it may, to how many were not logged since the
 *               last line (to say so in it)
 *
 * @retval true  log it (and mention *@suppressed if not 0)
 * @retval false don't; counted
 */
bool kzt_ratelimit(struct kzt_ratelimit *rl, uint64_t now_ms,
		   unsigned int interval_ms, unsigned int *suppressed)
{
	if (rl->next_ms && now_ms < rl->next_ms) {
		rl->suppressed++;
		return false;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->next_ms = now_ms + interval_ms;
	if (!rl->next_ms)
		rl->next_ms = 1;
	return true;
}
