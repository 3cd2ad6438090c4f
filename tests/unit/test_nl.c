// SPDX-License-Identifier: GPL-2.0
/*
 * lib/nl.c and lib/kztnl.c without a kernel: the extack parser on
 * hand-built NLMSG_ERROR messages, the offset-to-attribute lookup, the
 * error text, and the parsing of kzt config messages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/genetlink.h>
#include <linux/kzt.h>
#include <linux/netlink.h>
#include <netlink/errno.h>

#include "kztnl.h"
#include "nl.h"

/* A message under construction, 4-byte aligned. */
struct buf {
	union {
		struct nlmsghdr nlh;
		unsigned char b[1024];
	};
	size_t len;
};

static void put(struct buf *m, const void *p, size_t len)
{
	assert_true(m->len + NLA_ALIGN(len) <= sizeof(m->b));
	memcpy(m->b + m->len, p, len);
	memset(m->b + m->len + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_ALIGN(len);
	m->nlh.nlmsg_len = m->len;
}

static size_t put_attr(struct buf *m, uint16_t type, const void *p, size_t len)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + len, .nla_type = type };
	size_t at = m->len;

	put(m, &nla, sizeof(nla));
	if (len)
		put(m, p, len);
	return at;
}

static void put_u32(struct buf *m, uint16_t type, uint32_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

static void put_u64(struct buf *m, uint16_t type, uint64_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

/* Open a nest; close it with nest_end(). */
static size_t nest_start(struct buf *m, uint16_t type)
{
	return put_attr(m, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct buf *m, size_t at)
{
	struct nlattr *nla = (struct nlattr *)(m->b + at);

	nla->nla_len = m->len - at;
}

/*
 * NLMSG_ERROR for a request of @req_len bytes; with @capped the request
 * is not echoed, otherwise its payload (zeros) follows struct nlmsgerr.
 */
static void error_msg(struct buf *m, int error, uint16_t flags,
		      uint32_t req_len)
{
	struct nlmsgerr e = { .error = error };

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = NLMSG_ERROR;
	m->nlh.nlmsg_flags = flags;
	m->len = NLMSG_HDRLEN;
	e.msg.nlmsg_len = req_len;
	e.msg.nlmsg_type = 0x1d;
	put(m, &e, sizeof(e));
	if (!(flags & NLM_F_CAPPED) && req_len > NLMSG_HDRLEN) {
		unsigned char zero[256] = { 0 };

		assert_true(req_len - NLMSG_HDRLEN <= sizeof(zero));
		put(m, zero, req_len - NLMSG_HDRLEN);
	}
}

static void test_plain_ack(void **state)
{
	struct kzt_nl_err err;
	struct buf m;

	(void)state;
	error_msg(&m, 0, NLM_F_CAPPED, 20);
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_int_equal(err.error, 0);
	assert_string_equal(err.msg, "");
	assert_false(err.has_offs);
	assert_int_equal(err.bad_attr, -1);
}

static void test_plain_error(void **state)
{
	struct kzt_nl_err err;
	struct buf m;

	(void)state;
	error_msg(&m, -EPERM, NLM_F_CAPPED, 20);
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_int_equal(err.error, EPERM);
	assert_string_equal(err.msg, "");
}

static void test_range_error(void **state)
{
	static const char text[] = "integer out of range";
	struct kzt_nl_err err;
	char out[256];
	struct buf m;
	size_t pol;

	(void)state;
	error_msg(&m, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 28);
	put_attr(&m, NLMSGERR_ATTR_MSG, text, sizeof(text));
	put_u32(&m, NLMSGERR_ATTR_OFFS, 20);
	pol = nest_start(&m, NLMSGERR_ATTR_POLICY);
	put_u32(&m, NL_POLICY_TYPE_ATTR_TYPE, NL_ATTR_TYPE_U16);
	put_u64(&m, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1);
	put_u64(&m, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 65535);
	nest_end(&m, pol);

	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_int_equal(err.error, EINVAL);
	assert_string_equal(err.msg, "integer out of range");
	assert_true(err.has_offs);
	assert_int_equal(err.offs, 20);
	assert_true(err.has_range);
	assert_false(err.range_signed);
	assert_int_equal(err.min_u, 1);
	assert_int_equal(err.max_u, 65535);
	assert_false(err.has_miss_type);
	assert_string_equal(kzt_nl_err_str(&err, out, sizeof(out)),
			    "Invalid argument: integer out of range (expected 1..65535)");

	/* kzt names the attribute once the offset is mapped to it. */
	err.bad_attr = KZT_CONFIG_A_TUNNEL_PORT;
	assert_string_equal(kzt_err_str(&err, out, sizeof(out)),
			    "Invalid argument: integer out of range (expected 1..65535) [attribute tunnel_port]");
}

static void test_not_capped(void **state)
{
	static const char text[] = "echoed request is skipped";
	struct kzt_nl_err err;
	struct buf m;

	(void)state;
	/* A 36-byte request echoed back: 20 bytes of payload to skip. */
	error_msg(&m, -EINVAL, NLM_F_ACK_TLVS, 36);
	put_attr(&m, NLMSGERR_ATTR_MSG, text, sizeof(text));
	put_u32(&m, NLMSGERR_ATTR_OFFS, 24);
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_string_equal(err.msg, text);
	assert_int_equal(err.offs, 24);
}

static void test_missing_attr(void **state)
{
	static const char text[] = "missing tunnel port\n";
	struct kzt_nl_err err;
	char out[256];
	struct buf m;

	(void)state;
	error_msg(&m, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 20);
	put_attr(&m, NLMSGERR_ATTR_MSG, text, sizeof(text));
	put_u32(&m, NLMSGERR_ATTR_MISS_TYPE, KZT_CONFIG_A_TUNNEL_PORT);
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_string_equal(err.msg, "missing tunnel port");	/* no '\n' */
	assert_true(err.has_miss_type);
	assert_int_equal(err.miss_type, KZT_CONFIG_A_TUNNEL_PORT);
	assert_false(err.has_miss_nest);
	assert_string_equal(kzt_err_str(&err, out, sizeof(out)),
			    "Invalid argument: missing tunnel port [missing attribute tunnel_port]");
}

static void test_msg_unterminated(void **state)
{
	struct kzt_nl_err err;
	struct buf m;

	(void)state;
	error_msg(&m, -ERANGE, NLM_F_CAPPED | NLM_F_ACK_TLVS, 20);
	put_attr(&m, NLMSGERR_ATTR_MSG, "abcde", 5);	/* no NUL */
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_string_equal(err.msg, "abcde");
}

static void test_msg_too_long(void **state)
{
	char text[600];
	struct kzt_nl_err err;
	struct buf m;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	error_msg(&m, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 20);
	put_attr(&m, NLMSGERR_ATTR_MSG, text, sizeof(text));
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_int_equal(strlen(err.msg), KZT_NL_ERRMSG_MAX - 1);
}

static void test_warning_on_ack(void **state)
{
	static const char text[] = "deprecated attribute";
	struct kzt_nl_err err;
	char out[256];
	struct buf m;

	(void)state;
	error_msg(&m, 0, NLM_F_CAPPED | NLM_F_ACK_TLVS, 20);
	put_attr(&m, NLMSGERR_ATTR_MSG, text, sizeof(text));
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_int_equal(err.error, 0);
	assert_string_equal(kzt_nl_err_str(&err, out, sizeof(out)), text);
}

static void test_damaged_tlvs(void **state)
{
	static const char text[] = "kept";
	struct kzt_nl_err err;
	struct nlattr *bad;
	struct buf m;
	size_t at;

	(void)state;
	error_msg(&m, -EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 20);
	put_attr(&m, NLMSGERR_ATTR_MSG, text, sizeof(text));
	at = m.len;
	put_u32(&m, NLMSGERR_ATTR_OFFS, 20);
	bad = (struct nlattr *)(m.b + at);
	bad->nla_len = 200;		/* runs past the message */
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_int_equal(err.error, EINVAL);
	assert_string_equal(err.msg, "kept");
	assert_false(err.has_offs);

	bad->nla_len = 2;		/* shorter than a header */
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_false(err.has_offs);

	bad->nla_len = NLA_HDRLEN + 2;	/* u32 of the wrong size */
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
	assert_false(err.has_offs);
}

static void test_malformed(void **state)
{
	struct kzt_nl_err err;
	struct buf m;

	(void)state;
	error_msg(&m, -EINVAL, NLM_F_CAPPED, 20);
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len - 1, &err), EBADMSG);
	assert_int_equal(err.error, EBADMSG);
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, 8, &err), EBADMSG);

	m.nlh.nlmsg_len = NLMSG_HDRLEN + 4;	/* nlmsgerr cut short */
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), EBADMSG);

	error_msg(&m, -EINVAL, NLM_F_CAPPED, 20);
	m.nlh.nlmsg_type = NLMSG_DONE;
	assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), EBADMSG);
}

/* A kzt request: genl header, then the given attributes. */
static void genl_msg(struct buf *m, uint16_t type, uint8_t cmd)
{
	struct genlmsghdr g = { .cmd = cmd, .version = KZT_GENL_VERSION };

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = type;
	m->len = NLMSG_HDRLEN;
	put(m, &g, sizeof(g));
}

static void test_attr_at(void **state)
{
	uint16_t port = 15009;
	uint8_t capture = 1;
	struct buf m;
	size_t a1, a2;

	(void)state;
	genl_msg(&m, 0x1d, KZT_CMD_CONFIG_SET);
	a1 = put_attr(&m, KZT_CONFIG_A_TUNNEL_PORT, &port, sizeof(port));
	a2 = put_attr(&m, KZT_CONFIG_A_CAPTURE, &capture, sizeof(capture));
	assert_int_equal(a1, 20);
	assert_int_equal(a2, 28);

	assert_int_equal(kzt_nl_attr_at(&m.nlh, 0, a1), KZT_CONFIG_A_TUNNEL_PORT);
	assert_int_equal(kzt_nl_attr_at(&m.nlh, 0, a1 + 4), KZT_CONFIG_A_TUNNEL_PORT);
	assert_int_equal(kzt_nl_attr_at(&m.nlh, 0, a2), KZT_CONFIG_A_CAPTURE);
	assert_int_equal(kzt_nl_attr_at(&m.nlh, 0, 0), -1);	/* nlmsghdr */
	assert_int_equal(kzt_nl_attr_at(&m.nlh, 0, 16), -1);	/* genlmsghdr */
	assert_int_equal(kzt_nl_attr_at(&m.nlh, 0, m.len), -1);	/* past the end */
	assert_int_equal(kzt_nl_attr_at(&m.nlh, 0, 1u << 31), -1);
}

static void test_config_from_msg(void **state)
{
	uint16_t port = 15010;
	uint8_t capture = 1;
	uint32_t wide = 7;
	struct kzt_config cfg;
	char out[128];
	struct buf m;

	(void)state;
	genl_msg(&m, 0x1d, KZT_CMD_CONFIG_NTF);
	put_attr(&m, KZT_CONFIG_A_TUNNEL_PORT, &port, sizeof(port));
	put_attr(&m, 42, &wide, sizeof(wide));	/* from a newer module */
	put_attr(&m, KZT_CONFIG_A_CAPTURE, &capture, sizeof(capture));
	assert_int_equal(kzt_config_from_msg(&m.nlh, &cfg), 0);
	assert_true(cfg.has_tunnel_port);
	assert_int_equal(cfg.tunnel_port, 15010);
	assert_true(cfg.has_capture);
	assert_true(cfg.capture);
	assert_string_equal(kzt_config_str(&cfg, out, sizeof(out)),
			    "tunnel_port=15010 capture=on");

	genl_msg(&m, 0x1d, KZT_CMD_CONFIG_NTF);
	assert_int_equal(kzt_config_from_msg(&m.nlh, &cfg), 0);
	assert_false(cfg.has_tunnel_port);
	assert_string_equal(kzt_config_str(&cfg, out, sizeof(out)), "(none)");

	/* A u16 attribute that is 4 bytes long is not a port. */
	genl_msg(&m, 0x1d, KZT_CMD_CONFIG_NTF);
	put_attr(&m, KZT_CONFIG_A_TUNNEL_PORT, &wide, sizeof(wide));
	assert_int_equal(kzt_config_from_msg(&m.nlh, &cfg), EBADMSG);

	genl_msg(&m, 0x1d, KZT_CMD_CONFIG_NTF);
	m.nlh.nlmsg_len = NLMSG_HDRLEN + 2;	/* genl header cut short */
	assert_int_equal(kzt_config_from_msg(&m.nlh, &cfg), EBADMSG);
}

static void test_errno_map(void **state)
{
	(void)state;
	assert_int_equal(kzt_nl_errno(0), 0);
	assert_int_equal(kzt_nl_errno(-NLE_PERM), EPERM);
	assert_int_equal(kzt_nl_errno(NLE_OBJ_NOTFOUND), ENOENT);
	assert_int_equal(kzt_nl_errno(-NLE_NOMEM), ENOMEM);
	assert_int_equal(kzt_nl_errno(-NLE_FAILURE), EIO);
	assert_int_equal(kzt_nl_errno(-10000), EIO);
}

static void test_attr_names(void **state)
{
	(void)state;
	assert_string_equal(kzt_config_attr_name(KZT_CONFIG_A_TUNNEL_PORT), "tunnel_port");
	assert_string_equal(kzt_config_attr_name(KZT_CONFIG_A_CAPTURE), "capture");
	assert_null(kzt_config_attr_name(KZT_CONFIG_A_UNSPEC));
	assert_null(kzt_config_attr_name(KZT_CONFIG_A_MAX + 1));
	assert_null(kzt_config_attr_name(-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ack),
		cmocka_unit_test(test_plain_error),
		cmocka_unit_test(test_range_error),
		cmocka_unit_test(test_not_capped),
		cmocka_unit_test(test_missing_attr),
		cmocka_unit_test(test_msg_unterminated),
		cmocka_unit_test(test_msg_too_long),
		cmocka_unit_test(test_warning_on_ack),
		cmocka_unit_test(test_damaged_tlvs),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_attr_at),
		cmocka_unit_test(test_config_from_msg),
		cmocka_unit_test(test_errno_map),
		cmocka_unit_test(test_attr_names),
	};

	return cmocka_run_group_tests_name("netlink", tests, NULL, NULL);
}
