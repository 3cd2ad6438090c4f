/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict parsers for the values that operators type: in kztd's config file
 * and on kztctl's command line. The same words mean the same thing in both.
 */
#ifndef KZT_PARSE_H
#define KZT_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* A TCP address a server of kztd listens on (kztd.conf *_address). */
struct kzt_listen {
	bool off;			/* "off": no server */
	struct in6_addr addr;		/* IPv4-mapped for IPv4; :: any */
	uint16_t port;
};

int kzt_parse_uint(const char *s, uint64_t max, uint64_t *val);
int kzt_parse_port(const char *s, uint16_t *port);
int kzt_parse_bool(const char *s, bool *val);
int kzt_parse_handshake_timeout(const char *s, uint32_t *ms, const char **why);
int kzt_parse_idle_timeout(const char *s, uint32_t *sec, const char **why);
int kzt_parse_keepalive_idle(const char *s, uint32_t *sec, const char **why);
int kzt_parse_keepalive_interval(const char *s, uint32_t *sec,
				 const char **why);
int kzt_parse_keepalive_probes(const char *s, uint8_t *n, const char **why);

int kzt_parse_listen(const char *s, struct kzt_listen *l, const char **why);

#endif /* KZT_PARSE_H */
