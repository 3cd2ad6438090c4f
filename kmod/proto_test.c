// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_proto: the kzt/1 header and status of
 * Documentation/protocol.rst. One row per header rule (each breaking
 * exactly one rule of a valid header, at its boundary), the byte layout
 * against literal bytes written from the protocol page, round trips for
 * both families, and every status code.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "proto.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/*
 * A valid IPv4 header, byte by byte as protocol.rst lays it out:
 * 10.1.0.2:80 from 10.2.0.7:40000.
 */
static const u8 kzt_hdr_v4[KZT_PROTO_HEADER_LEN] = {
	0x6b, 0x7a, 0x74, 0x31,		/* magic "kzt1" */
	0x01,				/* version */
	0x00,				/* flags */
	0x00, 0x30,			/* length 48 */
	0x04,				/* family */
	0x00, 0x00, 0x00,		/* reserved */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 0, 2, /* dst */
	0x00, 0x50,			/* dst port 80 */
	0x9c, 0x40,			/* src port 40000 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 2, 0, 7, /* src */
};

/* A valid IPv6 header: [fd00::2]:443 from [fd00:1::9]:1. */
static const u8 kzt_hdr_v6[KZT_PROTO_HEADER_LEN] = {
	0x6b, 0x7a, 0x74, 0x31, 0x01, 0x00, 0x00, 0x30,
	0x06, 0x00, 0x00, 0x00,
	0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0x01, 0xbb,
	0x00, 0x01,
	0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
};

/* A valid header with a few bytes changed. */
struct kzt_hdr_patch {
	u8 off;
	u8 val;
};

struct kzt_hdr_case {
	const char *name;
	const u8 *base;
	struct kzt_hdr_patch p[4];
	unsigned int n;
	enum kzt_proto_hdr_err err;
};

#define P(o, v) { .off = (o), .val = (v) }

static const struct kzt_hdr_case kzt_hdr_cases[] = {
	{ "valid IPv4", kzt_hdr_v4, {}, 0, KZT_HDR_OK },
	{ "valid IPv6", kzt_hdr_v6, {}, 0, KZT_HDR_OK },
	{ "magic first byte", kzt_hdr_v4, { P(0, 0x4b) }, 1, KZT_HDR_BAD_MAGIC },
	{ "magic last byte", kzt_hdr_v4, { P(3, 0x32) }, 1, KZT_HDR_BAD_MAGIC },
	{ "version 0", kzt_hdr_v4, { P(4, 0) }, 1, KZT_HDR_BAD_VERSION },
	{ "version 2", kzt_hdr_v4, { P(4, 2) }, 1, KZT_HDR_BAD_VERSION },
	{ "flag bit 0", kzt_hdr_v4, { P(5, 0x01) }, 1, KZT_HDR_BAD_FLAGS },
	{ "flag bit 7", kzt_hdr_v4, { P(5, 0x80) }, 1, KZT_HDR_BAD_FLAGS },
	{ "length 47", kzt_hdr_v4, { P(7, 47) }, 1, KZT_HDR_BAD_LENGTH },
	{ "length 49", kzt_hdr_v4, { P(7, 49) }, 1, KZT_HDR_BAD_LENGTH },
	{ "length 48 + 256", kzt_hdr_v4, { P(6, 1) }, 1, KZT_HDR_BAD_LENGTH },
	{ "family 0", kzt_hdr_v4, { P(8, 0) }, 1, KZT_HDR_BAD_FAMILY },
	{ "family 5", kzt_hdr_v4, { P(8, 5) }, 1, KZT_HDR_BAD_FAMILY },
	{ "family 10 (AF_INET6)", kzt_hdr_v6, { P(8, 10) }, 1, KZT_HDR_BAD_FAMILY },
	{ "reserved byte 9", kzt_hdr_v4, { P(9, 1) }, 1, KZT_HDR_BAD_RESERVED },
	{ "reserved byte 11", kzt_hdr_v4, { P(11, 0x80) }, 1,
	  KZT_HDR_BAD_RESERVED },
	{ "family 6, mapped addresses", kzt_hdr_v4, { P(8, 6) }, 1,
	  KZT_HDR_BAD_ADDR },
	{ "family 4, IPv6 addresses", kzt_hdr_v6, { P(8, 4) }, 1,
	  KZT_HDR_BAD_ADDR },
	{ "family 4, dst not mapped", kzt_hdr_v4, { P(22, 0xfe) }, 1,
	  KZT_HDR_BAD_ADDR },
	{ "family 4, src not mapped", kzt_hdr_v4, { P(43, 0x00) }, 1,
	  KZT_HDR_BAD_ADDR },
	{ "family 6, dst mapped", kzt_hdr_v6,
	  { P(12, 0), P(22, 0xff), P(23, 0xff) }, 3, KZT_HDR_BAD_ADDR },
	{ "family 6, src mapped", kzt_hdr_v6,
	  { P(32, 0), P(35, 0), P(42, 0xff), P(43, 0xff) }, 4, KZT_HDR_BAD_ADDR },
	{ "dst port 0", kzt_hdr_v4, { P(29, 0) }, 1, KZT_HDR_BAD_PORT },
	{ "src port 0", kzt_hdr_v4, { P(30, 0), P(31, 0) }, 2, KZT_HDR_BAD_PORT },
	{ "dst port 256", kzt_hdr_v4, { P(28, 1), P(29, 0) }, 2, KZT_HDR_OK },
	{ "src port 1", kzt_hdr_v6, { P(30, 0), P(31, 1) }, 2, KZT_HDR_OK },
	{ "first rule broken is reported", kzt_hdr_v4,
	  { P(4, 2), P(8, 9), P(29, 0) }, 3, KZT_HDR_BAD_VERSION },
};

#undef P

static void kzt_hdr_case_desc(const struct kzt_hdr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_hdr, kzt_hdr_cases, kzt_hdr_case_desc);

static void kzt_proto_header_rule_test(struct kunit *test)
{
	const struct kzt_hdr_case *c = test->param_value;
	struct kzt_proto_header hdr, untouched;
	u8 buf[KZT_PROTO_HEADER_LEN];
	unsigned int i;

	memcpy(buf, c->base, sizeof(buf));
	for (i = 0; i < c->n; i++)
		buf[c->p[i].off] = c->p[i].val;

	KUNIT_EXPECT_EQ(test, kzt_proto_header_check(buf), c->err);

	memset(&hdr, 0xa5, sizeof(hdr));
	memset(&untouched, 0xa5, sizeof(untouched));
	if (c->err == KZT_HDR_OK) {
		KUNIT_EXPECT_EQ(test, kzt_proto_header_decode(buf, &hdr), 0);
		KUNIT_EXPECT_EQ(test, hdr.family, buf[8]);
	} else {
		KUNIT_EXPECT_EQ(test, kzt_proto_header_decode(buf, &hdr), -EBADMSG);
		KUNIT_EXPECT_MEMEQ(test, &hdr, &untouched, sizeof(hdr));
	}
}

static void kzt_hdr_v4_fields(struct kzt_proto_header *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->family = 4;
	hdr->dst_addr.s6_addr[10] = 0xff;
	hdr->dst_addr.s6_addr[11] = 0xff;
	hdr->dst_addr.s6_addr[12] = 10;
	hdr->dst_addr.s6_addr[13] = 1;
	hdr->dst_addr.s6_addr[15] = 2;
	hdr->src_addr.s6_addr[10] = 0xff;
	hdr->src_addr.s6_addr[11] = 0xff;
	hdr->src_addr.s6_addr[12] = 10;
	hdr->src_addr.s6_addr[13] = 2;
	hdr->src_addr.s6_addr[15] = 7;
	hdr->dst_port = 80;
	hdr->src_port = 40000;
}

static void kzt_hdr_v6_fields(struct kzt_proto_header *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->family = 6;
	hdr->dst_addr.s6_addr[0] = 0xfd;
	hdr->dst_addr.s6_addr[15] = 2;
	hdr->src_addr.s6_addr[0] = 0xfd;
	hdr->src_addr.s6_addr[3] = 1;
	hdr->src_addr.s6_addr[15] = 9;
	hdr->dst_port = 443;
	hdr->src_port = 1;
}

/* Field by field: the struct has padding that decoding leaves alone. */
static void kzt_hdr_expect_eq(struct kunit *test,
			      const struct kzt_proto_header *a,
			      const struct kzt_proto_header *b)
{
	KUNIT_EXPECT_EQ(test, a->family, b->family);
	KUNIT_EXPECT_MEMEQ(test, &a->dst_addr, &b->dst_addr, sizeof(a->dst_addr));
	KUNIT_EXPECT_MEMEQ(test, &a->src_addr, &b->src_addr, sizeof(a->src_addr));
	KUNIT_EXPECT_EQ(test, a->dst_port, b->dst_port);
	KUNIT_EXPECT_EQ(test, a->src_port, b->src_port);
}

/* Encoding gives exactly the bytes of protocol.rst; decoding gives it back. */
static void kzt_proto_header_layout_test(struct kunit *test)
{
	struct kzt_proto_header in, out;
	u8 buf[KZT_PROTO_HEADER_LEN];

	kzt_hdr_v4_fields(&in);
	KUNIT_ASSERT_EQ(test, kzt_proto_header_encode(&in, buf), 0);
	KUNIT_EXPECT_MEMEQ(test, buf, kzt_hdr_v4, sizeof(buf));
	KUNIT_ASSERT_EQ(test, kzt_proto_header_decode(buf, &out), 0);
	kzt_hdr_expect_eq(test, &out, &in);

	kzt_hdr_v6_fields(&in);
	KUNIT_ASSERT_EQ(test, kzt_proto_header_encode(&in, buf), 0);
	KUNIT_EXPECT_MEMEQ(test, buf, kzt_hdr_v6, sizeof(buf));
	KUNIT_ASSERT_EQ(test, kzt_proto_header_decode(buf, &out), 0);
	kzt_hdr_expect_eq(test, &out, &in);
}

/* Round trips at the edges of the port and address ranges. */
static void kzt_proto_header_roundtrip_test(struct kunit *test)
{
	static const u16 ports[] = { 1, 255, 256, 15008, 65535 };
	struct kzt_proto_header in, out;
	u8 buf[KZT_PROTO_HEADER_LEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		kzt_hdr_v4_fields(&in);
		in.dst_port = ports[i];
		in.src_port = ports[ARRAY_SIZE(ports) - 1 - i];
		memset(in.dst_addr.s6_addr + 12, 0xff, 4);	/* 255.255.255.255 */
		KUNIT_ASSERT_EQ(test, kzt_proto_header_encode(&in, buf), 0);
		KUNIT_EXPECT_EQ(test, kzt_proto_header_check(buf), KZT_HDR_OK);
		KUNIT_ASSERT_EQ(test, kzt_proto_header_decode(buf, &out), 0);
		kzt_hdr_expect_eq(test, &out, &in);

		kzt_hdr_v6_fields(&in);
		in.dst_port = ports[i];
		memset(in.src_addr.s6_addr, 0xff, 16);
		KUNIT_ASSERT_EQ(test, kzt_proto_header_encode(&in, buf), 0);
		KUNIT_ASSERT_EQ(test, kzt_proto_header_decode(buf, &out), 0);
		kzt_hdr_expect_eq(test, &out, &in);
	}
}

/* A client refuses to write what a server would refuse, and writes nothing. */
static void kzt_proto_header_encode_bad_test(struct kunit *test)
{
	struct kzt_proto_header hdr;
	u8 buf[KZT_PROTO_HEADER_LEN], untouched[KZT_PROTO_HEADER_LEN];

	memset(untouched, 0x5a, sizeof(untouched));

	kzt_hdr_v4_fields(&hdr);
	hdr.family = 5;
	memcpy(buf, untouched, sizeof(buf));
	KUNIT_EXPECT_EQ(test, kzt_proto_header_encode(&hdr, buf), -EINVAL);
	KUNIT_EXPECT_MEMEQ(test, buf, untouched, sizeof(buf));

	kzt_hdr_v4_fields(&hdr);
	hdr.family = 6;
	KUNIT_EXPECT_EQ(test, kzt_proto_header_encode(&hdr, buf), -EINVAL);

	kzt_hdr_v6_fields(&hdr);
	hdr.family = 4;
	KUNIT_EXPECT_EQ(test, kzt_proto_header_encode(&hdr, buf), -EINVAL);

	kzt_hdr_v4_fields(&hdr);
	hdr.src_addr.s6_addr[10] = 0;	/* one address not mapped */
	KUNIT_EXPECT_EQ(test, kzt_proto_header_encode(&hdr, buf), -EINVAL);

	kzt_hdr_v4_fields(&hdr);
	hdr.dst_port = 0;
	KUNIT_EXPECT_EQ(test, kzt_proto_header_encode(&hdr, buf), -EINVAL);

	kzt_hdr_v6_fields(&hdr);
	hdr.src_port = 0;
	KUNIT_EXPECT_EQ(test, kzt_proto_header_encode(&hdr, buf), -EINVAL);
	KUNIT_EXPECT_MEMEQ(test, buf, untouched, sizeof(buf));
}

struct kzt_status_case {
	const char *name;
	enum kzt_proto_status status;
	u8 code;
	enum kzt_stats_attr stat;
};

/* The codes and names of protocol.rst's table, and their counters. */
static const struct kzt_status_case kzt_status_cases[] = {
	{ "OK", KZT_STATUS_OK, 0, KZT_STATS_A_STATUS_OK },
	{ "DENIED", KZT_STATUS_DENIED, 1, KZT_STATS_A_STATUS_DENIED },
	{ "NO_ROUTE", KZT_STATUS_NO_ROUTE, 2, KZT_STATS_A_STATUS_NO_ROUTE },
	{ "REFUSED", KZT_STATUS_REFUSED, 3, KZT_STATS_A_STATUS_REFUSED },
	{ "TIMEOUT", KZT_STATUS_TIMEOUT, 4, KZT_STATS_A_STATUS_TIMEOUT },
	{ "INTERNAL", KZT_STATUS_INTERNAL, 5, KZT_STATS_A_STATUS_INTERNAL },
	{ "BAD_REQUEST", KZT_STATUS_BAD_REQUEST, 6,
	  KZT_STATS_A_STATUS_BAD_REQUEST },
};

static void kzt_status_case_desc(const struct kzt_status_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_status, kzt_status_cases, kzt_status_case_desc);

static void kzt_proto_status_test(struct kunit *test)
{
	const struct kzt_status_case *c = test->param_value;
	const u8 want[KZT_PROTO_STATUS_LEN] = { 1, c->code, 0, 0 };
	enum kzt_proto_status got = __KZT_STATUS_MAX;
	u8 buf[KZT_PROTO_STATUS_LEN];

	memset(buf, 0xee, sizeof(buf));
	kzt_proto_status_encode(c->status, buf);
	KUNIT_EXPECT_MEMEQ(test, buf, want, sizeof(want));
	KUNIT_ASSERT_EQ(test, kzt_proto_status_decode(buf, &got), 0);
	KUNIT_EXPECT_EQ(test, got, c->status);
	KUNIT_EXPECT_EQ(test, kzt_proto_status_stat(c->status), c->stat);
	KUNIT_EXPECT_STREQ(test, kzt_proto_status_name(c->status), c->name);
}

/* What a client must not take for a status. */
static void kzt_proto_status_bad_test(struct kunit *test)
{
	static const u8 bad[][KZT_PROTO_STATUS_LEN] = {
		{ 0, 0, 0, 0 },		/* version 0 */
		{ 2, 0, 0, 0 },		/* version 2 */
		{ 1, 7, 0, 0 },		/* first unknown code */
		{ 1, 255, 0, 0 },
		{ 1, 0, 1, 0 },		/* reserved */
		{ 1, 0, 0, 0x80 },
	};
	enum kzt_proto_status got;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		got = KZT_STATUS_INTERNAL;
		KUNIT_EXPECT_EQ_MSG(test, kzt_proto_status_decode(bad[i], &got),
				    -EBADMSG, "row %u", i);
		KUNIT_EXPECT_EQ_MSG(test, got, KZT_STATUS_INTERNAL, "row %u", i);
	}
	KUNIT_EXPECT_STREQ(test, kzt_proto_status_name(__KZT_STATUS_MAX),
			   "unknown");
}

static struct kunit_case kzt_proto_cases[] = {
	KUNIT_CASE_PARAM(kzt_proto_header_rule_test, kzt_hdr_gen_params),
	KUNIT_CASE(kzt_proto_header_layout_test),
	KUNIT_CASE(kzt_proto_header_roundtrip_test),
	KUNIT_CASE(kzt_proto_header_encode_bad_test),
	KUNIT_CASE_PARAM(kzt_proto_status_test, kzt_status_gen_params),
	KUNIT_CASE(kzt_proto_status_bad_test),
	{}
};

static struct kunit_suite kzt_proto_suite = {
	.name = "kzt_proto",
	.test_cases = kzt_proto_cases,
};

kunit_test_suite(kzt_proto_suite);
