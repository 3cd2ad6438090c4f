/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Addresses as the kzt family carries them (include/uapi/linux/kzt.h):
 * 16 bytes, IPv4 in its IPv4-mapped form ::ffff:a.b.c.d, and IP blocks
 * with a prefix length over all 128 bits. Operators type and read them in
 * their natural form: "10.0.0.0/8" is sent as ::ffff:10.0.0.0/104 and
 * printed back as "10.0.0.0/8".
 */
#ifndef KZT_ADDR_H
#define KZT_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* "ffff:ffff:...:255.255.255.255/128" and a NUL fit. */
#define KZT_ADDR_STRLEN		INET6_ADDRSTRLEN
#define KZT_CIDR_STRLEN		(INET6_ADDRSTRLEN + 4)

struct kzt_cidr {
	struct in6_addr addr;
	uint8_t prefix_len;	/* 0..128, over the 16-byte form */
};

int kzt_addr_parse(const char *s, struct in6_addr *addr);
int kzt_cidr_parse(const char *s, struct kzt_cidr *cidr);
bool kzt_addr_is_v4(const struct in6_addr *addr);
const char *kzt_addr_str(const struct in6_addr *addr, char *buf, size_t len);
const char *kzt_cidr_str(const struct kzt_cidr *cidr, char *buf, size_t len);
int kzt_addr_cmp(const struct in6_addr *a, const struct in6_addr *b);

#endif /* KZT_ADDR_H */
