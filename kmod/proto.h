/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kzt/1 header and status (Documentation/protocol.rst): their byte
 * layout, encoding, decoding and validation. Pure functions on byte
 * buffers, no socket in sight: the tunnel code moves the bytes. This is
 * the one place of the header/status step, so that a second framing
 * (HBONE) can reuse the checks.
 */
#ifndef _KZT_PROTO_H
#define _KZT_PROTO_H

#include <linux/in6.h>
#include <linux/types.h>

#include <linux/kzt.h>

#define KZT_PROTO_VERSION	1
#define KZT_PROTO_HEADER_LEN	48	/* version 1 */
#define KZT_PROTO_STATUS_LEN	4
/* A server closes a tunnel without a whole header this long after DONE. */
#define KZT_PROTO_HEADER_TIMEOUT_MS	10000

/* Status codes (protocol.rst, "The status"). */
enum kzt_proto_status {
	KZT_STATUS_OK,
	KZT_STATUS_DENIED,
	KZT_STATUS_NO_ROUTE,
	KZT_STATUS_REFUSED,
	KZT_STATUS_TIMEOUT,
	KZT_STATUS_INTERNAL,
	KZT_STATUS_BAD_REQUEST,

	__KZT_STATUS_MAX
};

/* A decoded header; addresses IPv4-mapped for family 4, ports host order. */
struct kzt_proto_header {
	u8 family;			/* 4 or 6 */
	struct in6_addr dst_addr;	/* original destination (the pod) */
	struct in6_addr src_addr;	/* original source (the source pod) */
	u16 dst_port;
	u16 src_port;
};

/* Which rule a header broke: each one means BAD_REQUEST on the wire. */
enum kzt_proto_hdr_err {
	KZT_HDR_OK,
	KZT_HDR_BAD_MAGIC,
	KZT_HDR_BAD_VERSION,
	KZT_HDR_BAD_FLAGS,
	KZT_HDR_BAD_LENGTH,
	KZT_HDR_BAD_FAMILY,
	KZT_HDR_BAD_RESERVED,
	KZT_HDR_BAD_ADDR,		/* mapped-ness does not match the family */
	KZT_HDR_BAD_PORT,		/* a port is 0 */
};

enum kzt_proto_hdr_err kzt_proto_header_check(const u8 *buf);
int kzt_proto_header_decode(const u8 *buf, struct kzt_proto_header *hdr);
int kzt_proto_header_encode(const struct kzt_proto_header *hdr, u8 *buf);
void kzt_proto_status_encode(enum kzt_proto_status status, u8 *buf);
int kzt_proto_status_decode(const u8 *buf, enum kzt_proto_status *status);
enum kzt_stats_attr kzt_proto_status_stat(enum kzt_proto_status status);
const char *kzt_proto_status_name(enum kzt_proto_status status);

#endif /* _KZT_PROTO_H */
