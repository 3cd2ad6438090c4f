// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and printing of workload addresses and IP blocks; see addr.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "parse.h"

static const uint8_t v4_mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

bool kzt_addr_is_v4(const struct in6_addr *addr)
{
	return !memcmp(addr->s6_addr, v4_mapped_prefix,
		       sizeof(v4_mapped_prefix));
}

/*
 * The family is told by a ':'. inet_pton(AF_INET) takes dotted quads only,
 * none of inet_aton()'s "10.1" or octal forms.
 */
static int addr_parse(const char *s, struct in6_addr *addr, bool *v4)
{
	struct in_addr a4;

	if (strchr(s, ':')) {
		*v4 = false;
		return inet_pton(AF_INET6, s, addr) == 1 ? 0 : EINVAL;
	}
	*v4 = true;
	if (inet_pton(AF_INET, s, &a4) != 1)
		return EINVAL;
	memcpy(addr->s6_addr, v4_mapped_prefix, sizeof(v4_mapped_prefix));
	memcpy(addr->s6_addr + 12, &a4, sizeof(a4));
	return 0;
}

/**
 * kzt_addr_parse() - parse an IPv4 or IPv6 address into the 16-byte form
 * @s:    "10.0.1.2", "fd00::2" or "::ffff:10.0.1.2"; nothing around it
 * @addr: where to store it; IPv4 becomes ::ffff:a.b.c.d
 *
 * @retval 0      @addr is set
 * @retval EINVAL @s is not an address
 */
int kzt_addr_parse(const char *s, struct in6_addr *addr)
{
	struct in6_addr a;
	bool v4;

	if (addr_parse(s, &a, &v4))
		return EINVAL;
	*addr = a;
	return 0;
}

/**
 * kzt_cidr_parse() - parse an IP block "ADDR/LEN" (or an address alone)
 * @s:    "10.0.0.0/8", "fd00::/8", "10.1.2.3" (a /32) or "fd00::1" (a /128)
 * @cidr: where to store it; an IPv4 block gets 96 + LEN
 *
 * The bits of the address below the prefix must be zero, as the kernel
 * requires: "10.0.0.1/8" is refused rather than silently widened.
 *
 * @retval 0      @cidr is set
 * @retval EINVAL not an address, or LEN not a number
 * @retval ERANGE LEN above 32 (IPv4) or 128 (IPv6)
 * @retval EDOM   host bits set below the prefix
 */
int kzt_cidr_parse(const char *s, struct kzt_cidr *cidr)
{
	char buf[KZT_CIDR_STRLEN];
	const char *slash = strchr(s, '/');
	struct kzt_cidr c;
	uint64_t len;
	bool v4;
	int ret;

	if (strlen(s) >= sizeof(buf))
		return EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	if (slash)
		buf[slash - s] = '\0';
	if (addr_parse(buf, &c.addr, &v4))
		return EINVAL;
	if (slash) {
		ret = kzt_parse_uint(slash + 1, v4 ? 32 : 128, &len);
		if (ret)
			return ret;
	} else {
		len = v4 ? 32 : 128;
	}
	c.prefix_len = (v4 ? 96 : 0) + len;

	for (unsigned int bit = c.prefix_len; bit < 128; bit++)
		if (c.addr.s6_addr[bit / 8] & (0x80 >> (bit % 8)))
			return EDOM;
	*cidr = c;
	return 0;
}

/**
 * kzt_addr_str() - an address in its natural form
 * @addr: the 16-byte form
 * @buf:  at least KZT_ADDR_STRLEN bytes
 * @len:  size of @buf
 *
 * @retval @buf: "10.0.1.2" for an IPv4-mapped address, else IPv6 text
 */
const char *kzt_addr_str(const struct in6_addr *addr, char *buf, size_t len)
{
	if (kzt_addr_is_v4(addr))
		inet_ntop(AF_INET, addr->s6_addr + 12, buf, len);
	else
		inet_ntop(AF_INET6, addr, buf, len);
	return buf;
}

/**
 * kzt_cidr_str() - an IP block in its natural form
 * @cidr: the block; an IPv4-mapped block of prefix 96 or more prints as
 *        IPv4 with 96 taken off ("10.0.0.0/8")
 * @buf:  at least KZT_CIDR_STRLEN bytes
 * @len:  size of @buf
 *
 * @retval @buf
 */
const char *kzt_cidr_str(const struct kzt_cidr *cidr, char *buf, size_t len)
{
	char a[KZT_ADDR_STRLEN];
	bool v4 = kzt_addr_is_v4(&cidr->addr) && cidr->prefix_len >= 96;

	if (v4)
		inet_ntop(AF_INET, cidr->addr.s6_addr + 12, a, sizeof(a));
	else
		inet_ntop(AF_INET6, &cidr->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, cidr->prefix_len - (v4 ? 96 : 0));
	return buf;
}

/**
 * kzt_addr_cmp() - order addresses: IPv4 first (numerically), then IPv6
 * @a: one address
 * @b: another
 *
 * @retval <0, 0, >0 as for memcmp()
 */
int kzt_addr_cmp(const struct in6_addr *a, const struct in6_addr *b)
{
	bool v4a = kzt_addr_is_v4(a), v4b = kzt_addr_is_v4(b);

	if (v4a != v4b)
		return v4a ? -1 : 1;
	return memcmp(a, b, sizeof(*a));
}
