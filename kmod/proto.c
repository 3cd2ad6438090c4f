// SPDX-License-Identifier: GPL-2.0
/*
 * The kzt/1 header and status, byte by byte (Documentation/protocol.rst).
 * No state and no allocation: the tunnel code reads and writes the bytes,
 * this file says what they mean and whether they are acceptable.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <net/ipv6.h>
#include <kunit/visibility.h>

#include "proto.h"

/* Header offsets, version 1. */
#define KZT_HDR_OFF_MAGIC	0
#define KZT_HDR_OFF_VERSION	4
#define KZT_HDR_OFF_FLAGS	5
#define KZT_HDR_OFF_LEN		6
#define KZT_HDR_OFF_FAMILY	8
#define KZT_HDR_OFF_RESERVED	9
#define KZT_HDR_RESERVED_LEN	3
#define KZT_HDR_OFF_DST_ADDR	12
#define KZT_HDR_OFF_DST_PORT	28
#define KZT_HDR_OFF_SRC_PORT	30
#define KZT_HDR_OFF_SRC_ADDR	32

/* Status offsets. */
#define KZT_ST_OFF_VERSION	0
#define KZT_ST_OFF_CODE		1
#define KZT_ST_OFF_RESERVED	2

static const u8 kzt_proto_magic[4] = { 0x6b, 0x7a, 0x74, 0x31 }; /* "kzt1" */

static_assert(KZT_HDR_OFF_SRC_ADDR + sizeof(struct in6_addr) ==
	      KZT_PROTO_HEADER_LEN);

/* The family rule: 4 with both addresses mapped, 6 with neither. */
static enum kzt_proto_hdr_err kzt_proto_addrs_check(u8 family,
						    const struct in6_addr *dst,
						    const struct in6_addr *src)
{
	bool dst4 = ipv6_addr_v4mapped(dst), src4 = ipv6_addr_v4mapped(src);

	switch (family) {
	case 4:
		return dst4 && src4 ? KZT_HDR_OK : KZT_HDR_BAD_ADDR;
	case 6:
		return !dst4 && !src4 ? KZT_HDR_OK : KZT_HDR_BAD_ADDR;
	default:
		return KZT_HDR_BAD_FAMILY;
	}
}

/**
 * kzt_proto_header_check() - which rule of a version-1 server a header breaks
 * @buf: the first KZT_PROTO_HEADER_LEN bytes the client sent
 *
 * The rules of protocol.rst, checked in the order of the layout; the
 * first one broken is reported.
 *
 * Return: KZT_HDR_OK, or the rule broken (the server answers BAD_REQUEST).
 */
enum kzt_proto_hdr_err kzt_proto_header_check(const u8 *buf)
{
	struct in6_addr dst, src;
	enum kzt_proto_hdr_err err;
	int i;

	if (memcmp(buf + KZT_HDR_OFF_MAGIC, kzt_proto_magic,
		   sizeof(kzt_proto_magic)))
		return KZT_HDR_BAD_MAGIC;
	if (buf[KZT_HDR_OFF_VERSION] != KZT_PROTO_VERSION)
		return KZT_HDR_BAD_VERSION;
	if (buf[KZT_HDR_OFF_FLAGS])
		return KZT_HDR_BAD_FLAGS;
	if (get_unaligned_be16(buf + KZT_HDR_OFF_LEN) != KZT_PROTO_HEADER_LEN)
		return KZT_HDR_BAD_LENGTH;
	if (buf[KZT_HDR_OFF_FAMILY] != 4 && buf[KZT_HDR_OFF_FAMILY] != 6)
		return KZT_HDR_BAD_FAMILY;
	for (i = 0; i < KZT_HDR_RESERVED_LEN; i++)
		if (buf[KZT_HDR_OFF_RESERVED + i])
			return KZT_HDR_BAD_RESERVED;
	memcpy(&dst, buf + KZT_HDR_OFF_DST_ADDR, sizeof(dst));
	memcpy(&src, buf + KZT_HDR_OFF_SRC_ADDR, sizeof(src));
	err = kzt_proto_addrs_check(buf[KZT_HDR_OFF_FAMILY], &dst, &src);
	if (err)
		return err;
	if (!get_unaligned_be16(buf + KZT_HDR_OFF_DST_PORT) ||
	    !get_unaligned_be16(buf + KZT_HDR_OFF_SRC_PORT))
		return KZT_HDR_BAD_PORT;
	return KZT_HDR_OK;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_proto_header_check);

/**
 * kzt_proto_header_decode() - read a header a version-1 server accepts
 * @buf: the first KZT_PROTO_HEADER_LEN bytes the client sent
 * @hdr: filled when the header is valid, untouched otherwise
 *
 * Return: 0, or -EBADMSG when any rule fails (kzt_proto_header_check()
 * says which).
 */
int kzt_proto_header_decode(const u8 *buf, struct kzt_proto_header *hdr)
{
	if (kzt_proto_header_check(buf) != KZT_HDR_OK)
		return -EBADMSG;
	hdr->family = buf[KZT_HDR_OFF_FAMILY];
	memcpy(&hdr->dst_addr, buf + KZT_HDR_OFF_DST_ADDR, sizeof(hdr->dst_addr));
	memcpy(&hdr->src_addr, buf + KZT_HDR_OFF_SRC_ADDR, sizeof(hdr->src_addr));
	hdr->dst_port = get_unaligned_be16(buf + KZT_HDR_OFF_DST_PORT);
	hdr->src_port = get_unaligned_be16(buf + KZT_HDR_OFF_SRC_PORT);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_proto_header_decode);

/**
 * kzt_proto_header_encode() - write the version-1 header of a flow
 * @hdr: the flow; must pass the server's checks
 * @buf: KZT_PROTO_HEADER_LEN bytes, written only on success
 *
 * A client never sends what a server would refuse: a header that breaks a
 * rule is not written.
 *
 * Return: 0, or -EINVAL (bad family, addresses or a zero port).
 */
int kzt_proto_header_encode(const struct kzt_proto_header *hdr, u8 *buf)
{
	if (kzt_proto_addrs_check(hdr->family, &hdr->dst_addr, &hdr->src_addr))
		return -EINVAL;
	if (!hdr->dst_port || !hdr->src_port)
		return -EINVAL;

	memset(buf, 0, KZT_PROTO_HEADER_LEN);
	memcpy(buf + KZT_HDR_OFF_MAGIC, kzt_proto_magic, sizeof(kzt_proto_magic));
	buf[KZT_HDR_OFF_VERSION] = KZT_PROTO_VERSION;
	put_unaligned_be16(KZT_PROTO_HEADER_LEN, buf + KZT_HDR_OFF_LEN);
	buf[KZT_HDR_OFF_FAMILY] = hdr->family;
	memcpy(buf + KZT_HDR_OFF_DST_ADDR, &hdr->dst_addr, sizeof(hdr->dst_addr));
	put_unaligned_be16(hdr->dst_port, buf + KZT_HDR_OFF_DST_PORT);
	put_unaligned_be16(hdr->src_port, buf + KZT_HDR_OFF_SRC_PORT);
	memcpy(buf + KZT_HDR_OFF_SRC_ADDR, &hdr->src_addr, sizeof(hdr->src_addr));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_proto_header_encode);

/**
 * kzt_proto_status_encode() - write a status
 * @status: a status code below __KZT_STATUS_MAX
 * @buf: KZT_PROTO_STATUS_LEN bytes
 */
void kzt_proto_status_encode(enum kzt_proto_status status, u8 *buf)
{
	buf[KZT_ST_OFF_VERSION] = KZT_PROTO_VERSION;
	buf[KZT_ST_OFF_CODE] = status;
	put_unaligned_be16(0, buf + KZT_ST_OFF_RESERVED);
}
EXPORT_SYMBOL_IF_KUNIT(kzt_proto_status_encode);

/**
 * kzt_proto_status_decode() - read the status a server answered
 * @buf: the KZT_PROTO_STATUS_LEN bytes after the header
 * @status: set to the code when the status is valid
 *
 * Return: 0, or -EBADMSG for another version, reserved bytes that are not
 * zero or an unknown code.
 */
int kzt_proto_status_decode(const u8 *buf, enum kzt_proto_status *status)
{
	if (buf[KZT_ST_OFF_VERSION] != KZT_PROTO_VERSION ||
	    get_unaligned_be16(buf + KZT_ST_OFF_RESERVED) ||
	    buf[KZT_ST_OFF_CODE] >= __KZT_STATUS_MAX)
		return -EBADMSG;
	*status = buf[KZT_ST_OFF_CODE];
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_proto_status_decode);

static const struct {
	const char *name;
	enum kzt_stats_attr stat;
} kzt_proto_statuses[__KZT_STATUS_MAX] = {
	[KZT_STATUS_OK]		 = { "OK", KZT_STATS_A_STATUS_OK },
	[KZT_STATUS_DENIED]	 = { "DENIED", KZT_STATS_A_STATUS_DENIED },
	[KZT_STATUS_NO_ROUTE]	 = { "NO_ROUTE", KZT_STATS_A_STATUS_NO_ROUTE },
	[KZT_STATUS_REFUSED]	 = { "REFUSED", KZT_STATS_A_STATUS_REFUSED },
	[KZT_STATUS_TIMEOUT]	 = { "TIMEOUT", KZT_STATS_A_STATUS_TIMEOUT },
	[KZT_STATUS_INTERNAL]	 = { "INTERNAL", KZT_STATS_A_STATUS_INTERNAL },
	[KZT_STATUS_BAD_REQUEST] = { "BAD_REQUEST", KZT_STATS_A_STATUS_BAD_REQUEST },
};

/**
 * kzt_proto_status_stat() - the counter of a status sent or received
 * @status: a status code below __KZT_STATUS_MAX
 *
 * Return: its KZT_STATS_A_STATUS_* counter.
 */
enum kzt_stats_attr kzt_proto_status_stat(enum kzt_proto_status status)
{
	return kzt_proto_statuses[status].stat;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_proto_status_stat);

/**
 * kzt_proto_status_name() - the protocol.rst name of a status, for logs
 * @status: any value
 *
 * Return: "OK", "DENIED", ...; "unknown" past the known codes.
 */
const char *kzt_proto_status_name(enum kzt_proto_status status)
{
	if ((unsigned int)status >= __KZT_STATUS_MAX)
		return "unknown";
	return kzt_proto_statuses[status].name;
}
EXPORT_SYMBOL_IF_KUNIT(kzt_proto_status_name);
