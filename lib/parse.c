// SPDX-License-Identifier: GPL-2.0
/*
 * Value parsers. No strtoul(): it accepts leading blanks, a sign and "0x",
 * and "-1" silently becomes a huge number.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <linux/kzt.h>

#include "addr.h"
#include "parse.h"

/**
 * kzt_parse_uint() - parse a decimal number made of digits only
 * @s:   the text; nothing else may surround the digits
 * @max: largest value accepted
 * @val: where to store the number
 *
 * @retval 0      @val is set
 * @retval EINVAL @s is empty or holds anything but the digits 0-9
 * @retval ERANGE the number is larger than @max (however many digits)
 */
int kzt_parse_uint(const char *s, uint64_t max, uint64_t *val)
{
	uint64_t v = 0;
	bool too_big = false;

	if (!*s)
		return EINVAL;
	for (; *s; s++) {
		unsigned int digit;

		if (*s < '0' || *s > '9')
			return EINVAL;
		digit = *s - '0';
		if (digit > max || v > (max - digit) / 10)
			too_big = true;	/* keep scanning: "9999x" is EINVAL */
		else
			v = v * 10 + digit;
	}
	if (too_big)
		return ERANGE;
	*val = v;
	return 0;
}

/**
 * kzt_parse_port() - parse a TCP port, 1..65535
 * @s:    the text
 * @port: where to store the port
 *
 * @retval 0      @port is set
 * @retval EINVAL not a decimal number
 * @retval ERANGE 0, or above 65535
 */
int kzt_parse_port(const char *s, uint16_t *port)
{
	uint64_t v;
	int err;

	err = kzt_parse_uint(s, UINT16_MAX, &v);
	if (err)
		return err;
	if (v == 0)
		return ERANGE;
	*port = v;
	return 0;
}

/**
 * kzt_parse_bool() - parse on/off, yes/no, true/false, 1/0 (any case)
 * @s:   the text
 * @val: where to store the value
 *
 * @retval 0      @val is set
 * @retval EINVAL any other word
 */
int kzt_parse_bool(const char *s, bool *val)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };

	for (unsigned int i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*val = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*val = false;
			return 0;
		}
	}
	return EINVAL;
}

/* "out of range (expected 100..600000)" from the uapi limits. */
#define KZT_STR(x)	#x
#define KZT_XSTR(x)	KZT_STR(x)

/**
 * kzt_parse_handshake_timeout() - parse a handshake timeout in ms
 * @s:   the text, decimal
 * @ms:  where to store it
 * @why: on error, what is wrong (a static string)
 *
 * @retval 0      @ms is set, KZT_HANDSHAKE_TIMEOUT_MS_MIN..._MAX
 * @retval EINVAL not a decimal number
 * @retval ERANGE outside the range the kernel accepts
 */
int kzt_parse_handshake_timeout(const char *s, uint32_t *ms, const char **why)
{
	uint64_t v;
	int err;

	err = kzt_parse_uint(s, KZT_HANDSHAKE_TIMEOUT_MS_MAX, &v);
	if (!err && v < KZT_HANDSHAKE_TIMEOUT_MS_MIN)
		err = ERANGE;
	if (err == ERANGE)
		*why = "out of range (expected " KZT_XSTR(KZT_HANDSHAKE_TIMEOUT_MS_MIN)
		       ".." KZT_XSTR(KZT_HANDSHAKE_TIMEOUT_MS_MAX) " milliseconds)";
	else if (err)
		*why = "not a number of milliseconds (expected "
		       KZT_XSTR(KZT_HANDSHAKE_TIMEOUT_MS_MIN) ".."
		       KZT_XSTR(KZT_HANDSHAKE_TIMEOUT_MS_MAX) ")";
	else
		*ms = v;
	return err;
}

/**
 * kzt_parse_idle_timeout() - parse an idle timeout in seconds, 0: never
 * @s:   the text, decimal
 * @sec: where to store it
 * @why: on error, what is wrong (a static string)
 *
 * @retval 0      @sec is set, 0..KZT_IDLE_TIMEOUT_S_MAX
 * @retval EINVAL not a decimal number
 * @retval ERANGE above the kernel's limit
 */
int kzt_parse_idle_timeout(const char *s, uint32_t *sec, const char **why)
{
	uint64_t v;
	int err;

	err = kzt_parse_uint(s, KZT_IDLE_TIMEOUT_S_MAX, &v);
	if (err == ERANGE)
		*why = "out of range (expected 0.." KZT_XSTR(KZT_IDLE_TIMEOUT_S_MAX)
		       " seconds, 0: never)";
	else if (err)
		*why = "not a number of seconds (expected 0.."
		       KZT_XSTR(KZT_IDLE_TIMEOUT_S_MAX) ", 0: never)";
	else
		*sec = v;
	return err;
}

/**
 * kzt_parse_keepalive_idle() - parse the seconds before a tunnel's first
 *                              keepalive probe, 0: no keepalive
 * @s:   the text, decimal
 * @sec: where to store it
 * @why: on error, what is wrong (a static string)
 *
 * @retval 0      @sec is set, 0..KZT_KEEPALIVE_IDLE_S_MAX
 * @retval EINVAL not a decimal number
 * @retval ERANGE above the kernel's limit
 */
int kzt_parse_keepalive_idle(const char *s, uint32_t *sec, const char **why)
{
	uint64_t v;
	int err;

	err = kzt_parse_uint(s, KZT_KEEPALIVE_IDLE_S_MAX, &v);
	if (err == ERANGE)
		*why = "out of range (expected 0.." KZT_XSTR(KZT_KEEPALIVE_IDLE_S_MAX)
		       " seconds, 0: off)";
	else if (err)
		*why = "not a number of seconds (expected 0.."
		       KZT_XSTR(KZT_KEEPALIVE_IDLE_S_MAX) ", 0: off)";
	else
		*sec = v;
	return err;
}

/**
 * kzt_parse_keepalive_interval() - parse the seconds between keepalive
 *                                  probes
 * @s:   the text, decimal
 * @sec: where to store it
 * @why: on error, what is wrong (a static string)
 *
 * @retval 0      @sec is set, 1..KZT_KEEPALIVE_INTERVAL_S_MAX
 * @retval EINVAL not a decimal number
 * @retval ERANGE 0, or above the kernel's limit
 */
int kzt_parse_keepalive_interval(const char *s, uint32_t *sec,
				 const char **why)
{
	uint64_t v;
	int err;

	err = kzt_parse_uint(s, KZT_KEEPALIVE_INTERVAL_S_MAX, &v);
	if (!err && v == 0)
		err = ERANGE;
	if (err == ERANGE)
		*why = "out of range (expected 1.."
		       KZT_XSTR(KZT_KEEPALIVE_INTERVAL_S_MAX) " seconds)";
	else if (err)
		*why = "not a number of seconds (expected 1.."
		       KZT_XSTR(KZT_KEEPALIVE_INTERVAL_S_MAX) ")";
	else
		*sec = v;
	return err;
}

/**
 * kzt_parse_keepalive_probes() - parse how many keepalive probes may go
 *                                unanswered
 * @s:   the text, decimal
 * @n:   where to store it
 * @why: on error, what is wrong (a static string)
 *
 * @retval 0      @n is set, 1..KZT_KEEPALIVE_PROBES_MAX
 * @retval EINVAL not a decimal number
 * @retval ERANGE 0, or above the kernel's limit
 */
int kzt_parse_keepalive_probes(const char *s, uint8_t *n, const char **why)
{
	uint64_t v;
	int err;

	err = kzt_parse_uint(s, KZT_KEEPALIVE_PROBES_MAX, &v);
	if (!err && v == 0)
		err = ERANGE;
	if (err == ERANGE)
		*why = "out of range (expected 1.."
		       KZT_XSTR(KZT_KEEPALIVE_PROBES_MAX) " probes)";
	else if (err)
		*why = "not a number of probes (expected 1.."
		       KZT_XSTR(KZT_KEEPALIVE_PROBES_MAX) ")";
	else
		*n = v;
	return err;
}

/**
 * kzt_parse_listen() - parse a TCP listen address: "ADDR:PORT" or "off"
 * @s:   "0.0.0.0:15020", "127.0.0.1:15020", "[::]:15020", "[fd00::1]:15020"
 * @l:   set on success (IPv4 in its IPv4-mapped form; :: is every address
 *       of both families)
 * @why: on error, what was expected
 *
 * @retval 0      @l is set
 * @retval EINVAL not one of the forms, or a bad address or port
 */
int kzt_parse_listen(const char *s, struct kzt_listen *l, const char **why)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t n;

	*why = "expected ADDR:PORT ([ADDR]:PORT for IPv6) or off";
	if (!strcmp(s, "off")) {
		memset(l, 0, sizeof(*l));
		l->off = true;
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon)
		return EINVAL;
	n = colon - s;
	if (s[0] == '[') {
		if (n < 2 || s[n - 1] != ']')
			return EINVAL;
		s++;
		n -= 2;
		if (!memchr(s, ':', n))
			return EINVAL;	/* [1.2.3.4]: not IPv6 */
	} else if (memchr(s, ':', n)) {
		return EINVAL;		/* a bare IPv6 address: ambiguous */
	}
	if (n == 0 || n >= sizeof(host))
		return EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (kzt_addr_parse(host, &l->addr)) {
		*why = "not an IPv4 or IPv6 address";
		return EINVAL;
	}
	if (kzt_parse_port(colon + 1, &l->port)) {
		*why = "expected a port 1..65535 after the last ':'";
		return EINVAL;
	}
	l->off = false;
	return 0;
}
