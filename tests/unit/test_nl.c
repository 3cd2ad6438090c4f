// SPDX-License-Identifier: GPL-2.0
/*
 * lib/nl.c and lib/kztnl.c without a kernel: the extack parser on
 * hand-built NLMSG_ERROR messages, the offset-to-attribute lookup, the
 * error text, and the parsing of kzt config messages.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/genetlink.h>
#include <linux/kzt.h>
#include <linux/netlink.h>
#include <linux/tls.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

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

/* An error no kernel sends (found by tests/fuzz/fuzz_nlreply: -INT_MIN). */
static void test_error_not_errno(void **state)
{
	static const int bad[] = { INT_MIN, -4096, 1 };
	struct kzt_nl_err err;
	struct buf m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error_msg(&m, bad[i], NLM_F_CAPPED, 20);
		assert_int_equal(kzt_nl_extack_parse(&m.nlh, m.len, &err), 0);
		assert_int_equal(err.error, EPROTO);
	}
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

/* A kzt message built by the library, as it would be sent. */
static struct nl_msg *kzt_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, 0x1d, 0, NLM_F_REQUEST, cmd, 1));
	return msg;
}

static struct kzt_policy sample_policy(void)
{
	struct kzt_policy p = { .action = KZT_ACTION_DENY,
				.scope = KZT_SCOPE_WORKLOADS };
	struct kzt_rule *r;
	struct kzt_cidr c;

	p.name = strdup("default/deny-x");
	assert_int_equal(kzt_strs_push(&p.scope_ids, "spiffe://td/ns/a/sa/b", 21), 0);
	assert_int_equal(kzt_strs_push(&p.scope_ids, "spiffe://td/ns/a/sa/c", 21), 0);
	r = kzt_policy_rule_add(&p);		/* rule 0: match-all */
	assert_non_null(r);
	r = kzt_policy_rule_add(&p);		/* rule 1 */
	assert_non_null(r);
	assert_int_equal(kzt_strs_push(&r->principals, "td/ns/a/*", 9), 0);
	assert_int_equal(kzt_strs_push(&r->not_namespaces, "kube-system", 11), 0);
	assert_int_equal(kzt_cidr_parse("10.0.0.0/8", &c), 0);
	assert_int_equal(kzt_cidrs_push(&r->ip_blocks, &c), 0);
	assert_int_equal(kzt_cidr_parse("fd00::/16", &c), 0);
	assert_int_equal(kzt_cidrs_push(&r->ip_blocks, &c), 0);
	assert_int_equal(kzt_ports_push(&r->ports, 80), 0);
	assert_int_equal(kzt_ports_push(&r->not_ports, 22), 0);
	return p;
}

static void test_policy_roundtrip(void **state)
{
	struct kzt_add_opts opts = { .replace = true, .in_txn = true, .txn = 7 };
	struct kzt_policy in = sample_policy(), out;
	struct nl_msg *msg = kzt_msg(KZT_CMD_POLICY_GET);
	struct nlattr *tb[KZT_POLICY_A_MAX + 1];
	char c[KZT_CIDR_STRLEN];

	(void)state;
	assert_int_equal(kzt_policy_put(msg, &in, &opts), 0);
	assert_int_equal(kzt_policy_from_msg(nlmsg_hdr(msg), &out), 0);
	assert_string_equal(out.name, "default/deny-x");
	assert_int_equal(out.action, KZT_ACTION_DENY);
	assert_int_equal(out.scope, KZT_SCOPE_WORKLOADS);
	assert_null(out.ns);
	assert_int_equal(out.scope_ids.n, 2);
	assert_string_equal(out.scope_ids.v[1], "spiffe://td/ns/a/sa/c");
	assert_int_equal(out.n_rules, 2);
	assert_int_equal(out.rules[0].principals.n + out.rules[0].ports.n, 0);
	assert_string_equal(out.rules[1].principals.v[0], "td/ns/a/*");
	assert_string_equal(out.rules[1].not_namespaces.v[0], "kube-system");
	assert_int_equal(out.rules[1].ip_blocks.n, 2);
	assert_int_equal(out.rules[1].ip_blocks.v[0].prefix_len, 104);
	assert_string_equal(kzt_cidr_str(&out.rules[1].ip_blocks.v[1], c, sizeof(c)),
			    "fd00::/16");
	assert_int_equal(out.rules[1].ports.v[0], 80);
	assert_int_equal(out.rules[1].not_ports.v[0], 22);

	/* Nests carry NLA_F_NESTED (strict validation needs it); the
	 * options are there. */
	assert_int_equal(genlmsg_parse(nlmsg_hdr(msg), 0, tb, KZT_POLICY_A_MAX,
				       NULL), 0);
	assert_true(tb[KZT_POLICY_A_RULE]->nla_type & NLA_F_NESTED);
	assert_int_equal(nla_get_u32(tb[KZT_POLICY_A_FLAGS]), KZT_POLICY_F_REPLACE);
	assert_int_equal(nla_get_u32(tb[KZT_POLICY_A_TXN]), 7);
	assert_null(tb[KZT_POLICY_A_DRY_RUN]);
	assert_false(out.dry_run);
	assert_false(out.has_counters);
	kzt_policy_free(&out);
	kzt_policy_free(&in);
	nlmsg_free(msg);
}

/*
 * A rule of clauses (an empty clause and an empty match kept) and the
 * fields of Istio's grammar go out and come back; a reply's match never
 * holds clauses.
 */
static void test_policy_clauses(void **state)
{
	struct kzt_policy in = { .action = KZT_ACTION_ALLOW,
				 .scope = KZT_SCOPE_GLOBAL }, out;
	struct nl_msg *msg = kzt_msg(KZT_CMD_POLICY_GET);
	struct kzt_rule *r, *m;
	struct kzt_clause *cl;
	struct kzt_cidr c;

	(void)state;
	in.name = strdup("c");
	r = kzt_policy_rule_add(&in);
	assert_non_null(r);
	assert_int_equal(kzt_strs_push(&r->service_accounts, "a/b", 3), 0);
	assert_int_equal(kzt_cidr_parse("10.8.0.0/16", &c), 0);
	assert_int_equal(kzt_cidrs_push(&r->not_destination_ips, &c), 0);
	r = kzt_policy_rule_add(&in);
	assert_non_null(r);
	cl = kzt_rule_clause_add(r);		/* [ ns a | (none) ] */
	assert_non_null(cl);
	m = kzt_clause_match_add(cl);
	assert_non_null(m);
	assert_int_equal(kzt_strs_push(&m->namespaces, "a", 1), 0);
	assert_non_null(kzt_clause_match_add(cl));
	assert_non_null(kzt_rule_clause_add(r));	/* [ ] */
	cl = kzt_rule_clause_add(r);		/* [ destination-ip, not-sa ] */
	assert_non_null(cl);
	m = kzt_clause_match_add(cl);
	assert_non_null(m);
	assert_int_equal(kzt_cidrs_push(&m->destination_ips, &c), 0);
	assert_int_equal(kzt_strs_push(&m->not_service_accounts, "x/y", 3), 0);

	assert_int_equal(kzt_policy_put(msg, &in, NULL), 0);
	assert_int_equal(kzt_policy_from_msg(nlmsg_hdr(msg), &out), 0);
	assert_int_equal(out.n_rules, 2);
	assert_int_equal(out.rules[0].n_clauses, 0);
	assert_string_equal(out.rules[0].service_accounts.v[0], "a/b");
	assert_int_equal(out.rules[0].not_destination_ips.v[0].prefix_len, 112);
	r = &out.rules[1];
	assert_int_equal(r->n_clauses, 3);
	assert_int_equal(r->principals.n + r->service_accounts.n, 0);
	assert_int_equal(r->clauses[0].n_matches, 2);
	assert_string_equal(r->clauses[0].matches[0].namespaces.v[0], "a");
	assert_int_equal(r->clauses[0].matches[1].namespaces.n, 0);
	assert_int_equal(r->clauses[1].n_matches, 0);
	assert_int_equal(r->clauses[2].n_matches, 1);
	assert_int_equal(r->clauses[2].matches[0].destination_ips.n, 1);
	assert_string_equal(r->clauses[2].matches[0].not_service_accounts.v[0], "x/y");
	assert_int_equal(r->clauses[2].matches[0].n_clauses, 0);
	kzt_policy_free(&out);
	kzt_policy_free(&in);
	nlmsg_free(msg);
}

/* DRY_RUN goes out as a flag; a reply's counters come back. */
static void test_policy_dry_run(void **state)
{
	struct kzt_policy in = sample_policy(), out;
	struct nl_msg *msg = kzt_msg(KZT_CMD_POLICY_GET);
	struct nlattr *tb[KZT_POLICY_A_MAX + 1];

	(void)state;
	in.dry_run = true;
	assert_int_equal(kzt_policy_put(msg, &in, NULL), 0);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(msg), 0, tb, KZT_POLICY_A_MAX,
				       NULL), 0);
	assert_non_null(tb[KZT_POLICY_A_DRY_RUN]);
	assert_int_equal(nla_len(tb[KZT_POLICY_A_DRY_RUN]), 0);
	assert_null(tb[KZT_POLICY_A_WOULD_ALLOW]);	/* never sent */
	assert_int_equal(nla_put_u64(msg, KZT_POLICY_A_WOULD_ALLOW, 7), 0);
	assert_int_equal(nla_put_u64(msg, KZT_POLICY_A_WOULD_DENY, 1ULL << 40), 0);
	assert_int_equal(kzt_policy_from_msg(nlmsg_hdr(msg), &out), 0);
	assert_true(out.dry_run);
	assert_true(out.has_counters);
	assert_int_equal(out.would_allow, 7);
	assert_int_equal(out.would_deny, 1ULL << 40);
	kzt_policy_free(&out);
	nlmsg_free(msg);

	msg = kzt_msg(KZT_CMD_POLICY_GET);	/* a counter of 4 bytes */
	assert_int_equal(nla_put_string(msg, KZT_POLICY_A_NAME, "p"), 0);
	assert_int_equal(nla_put_u32(msg, KZT_POLICY_A_WOULD_DENY, 1), 0);
	assert_int_equal(kzt_policy_from_msg(nlmsg_hdr(msg), &out), EBADMSG);
	nlmsg_free(msg);
	kzt_policy_free(&in);
}

static void test_workload_roundtrip(void **state)
{
	struct kzt_workload in = { .protocol = KZT_PROTO_KZT1, .ifindex = 7 }, out;
	struct nl_msg *msg = kzt_msg(KZT_CMD_WORKLOAD_GET);
	struct nlattr *tb[KZT_WORKLOAD_A_MAX + 1];
	char a[KZT_ADDR_STRLEN];

	(void)state;
	assert_int_equal(kzt_addr_parse("10.0.2.2", &in.addr), 0);
	in.id = "spiffe://cluster.local/ns/default/sa/web";
	assert_int_equal(kzt_workload_put(msg, &in, NULL), 0);
	assert_int_equal(kzt_workload_from_msg(nlmsg_hdr(msg), &out), 0);
	assert_string_equal(kzt_addr_str(&out.addr, a, sizeof(a)), "10.0.2.2");
	assert_string_equal(out.id, in.id);
	assert_int_equal(out.protocol, KZT_PROTO_KZT1);
	assert_int_equal(out.ifindex, 7);
	assert_false(out.has_node);
	/* No options: neither FLAGS nor TXN; no NODE for a local one. */
	assert_int_equal(genlmsg_parse(nlmsg_hdr(msg), 0, tb, KZT_WORKLOAD_A_MAX,
				       NULL), 0);
	assert_null(tb[KZT_WORKLOAD_A_FLAGS]);
	assert_null(tb[KZT_WORKLOAD_A_TXN]);
	assert_null(tb[KZT_WORKLOAD_A_NODE]);
	assert_int_equal(nla_len(tb[KZT_WORKLOAD_A_ADDR]), 16);
	kzt_workload_free(&out);
	nlmsg_free(msg);

	/* Neither NODE nor IFINDEX in a reply: malformed. */
	msg = kzt_msg(KZT_CMD_WORKLOAD_GET);
	in.ifindex = 0;
	assert_int_equal(kzt_workload_put(msg, &in, NULL), 0);
	assert_int_equal(kzt_workload_from_msg(nlmsg_hdr(msg), &out), EBADMSG);
	nlmsg_free(msg);
}

/* Find the byte offset of the first attribute @type inside @nest. */
static uint32_t offset_of(struct nlmsghdr *nlh, struct nlattr *nla)
{
	return (uint32_t)((char *)nla - (char *)nlh);
}

static void test_nested_error_names(void **state)
{
	struct kzt_policy p = sample_policy();
	struct nl_msg *msg = kzt_msg(KZT_CMD_POLICY_ADD);
	struct nlmsghdr *nlh;
	struct nlattr *nla, *rule = NULL, *block = NULL, *field;
	struct kzt_nl_attr_pos path[KZT_NL_PATH_MAX];
	struct kzt_nl_err err;
	char out[512];
	int rem, n = 0;

	(void)state;
	assert_int_equal(kzt_policy_put(msg, &p, NULL), 0);
	nlh = nlmsg_hdr(msg);
	nla_for_each_attr(nla, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)
		if (nla_type(nla) == KZT_POLICY_A_RULE && n++ == 1)
			rule = nla;
	assert_non_null(rule);
	nla_for_each_nested(nla, rule, rem)
		if (nla_type(nla) == KZT_RULE_A_IP_BLOCK)
			block = nla;	/* the second one */
	assert_non_null(block);
	field = nla_find(nla_data(block), nla_len(block), KZT_CIDR_A_PREFIX_LEN);
	assert_non_null(field);

	assert_int_equal(kzt_nl_attr_path(nlh, 0, offset_of(nlh, field), path,
					  KZT_NL_PATH_MAX), 3);
	assert_int_equal(path[0].type, KZT_POLICY_A_RULE);
	assert_int_equal(path[0].index, 1);
	assert_int_equal(path[1].type, KZT_RULE_A_IP_BLOCK);
	assert_int_equal(path[1].index, 1);
	assert_int_equal(path[2].type, KZT_CIDR_A_PREFIX_LEN);

	/* What kztctl prints for it. */
	kzt_nl_err_set(&err, EINVAL);
	snprintf(err.msg, sizeof(err.msg), "prefix longer than the address");
	err.cmd = KZT_CMD_POLICY_ADD;
	err.depth = kzt_nl_attr_path(nlh, 0, offset_of(nlh, field), err.path,
				     KZT_NL_PATH_MAX);
	assert_string_equal(kzt_err_str(&err, out, sizeof(out)),
			    "Invalid argument: prefix longer than the address [attribute rule[1].ip_block[1].prefix_len]");

	/* The offset of a nest's header names the nest itself. */
	err.depth = kzt_nl_attr_path(nlh, 0, offset_of(nlh, rule), err.path,
				     KZT_NL_PATH_MAX);
	assert_int_equal(err.depth, 1);
	assert_string_equal(kzt_err_str(&err, out, sizeof(out)),
			    "Invalid argument: prefix longer than the address [attribute rule[1]]");

	/* A required attribute missing from a nest. */
	kzt_nl_err_set(&err, EINVAL);
	err.cmd = KZT_CMD_POLICY_ADD;
	err.has_miss_type = err.has_miss_nest = true;
	err.miss_type = KZT_CIDR_A_ADDR;
	err.miss_nest = offset_of(nlh, block);
	err.miss_depth = kzt_nl_attr_path(nlh, 0, err.miss_nest, err.miss_path,
					  KZT_NL_PATH_MAX);
	assert_string_equal(kzt_err_str(&err, out, sizeof(out)),
			    "Invalid argument [missing attribute rule[1].ip_block[1].address]");

	/* Workload and check commands have their own names. */
	kzt_nl_err_set(&err, EEXIST);
	err.cmd = KZT_CMD_WORKLOAD_ADD;
	err.bad_attr = KZT_WORKLOAD_A_ADDR;
	assert_string_equal(kzt_err_str(&err, out, sizeof(out)),
			    "File exists [attribute address]");
	err.cmd = KZT_CMD_POLICY_CHECK;
	err.bad_attr = KZT_CHECK_A_DST_ADDR;
	assert_string_equal(kzt_err_str(&err, out, sizeof(out)),
			    "File exists [attribute dst_addr]");
	err.bad_attr = 99;	/* from a newer module: no name, no guess */
	assert_string_equal(kzt_err_str(&err, out, sizeof(out)), "File exists");

	kzt_policy_free(&p);
	nlmsg_free(msg);
}

/* Damaged or odd nests end the walk where they stop making sense. */
static void test_attr_path_damaged(void **state)
{
	struct kzt_nl_attr_pos path[KZT_NL_PATH_MAX];
	uint16_t port = 80;
	struct buf m;
	size_t rule, inner;

	(void)state;
	genl_msg(&m, 0x1d, KZT_CMD_POLICY_ADD);
	put_attr(&m, KZT_POLICY_A_NAME, "p", 2);
	rule = nest_start(&m, KZT_POLICY_A_RULE);
	inner = put_attr(&m, KZT_RULE_A_PORT, &port, sizeof(port));
	nest_end(&m, rule);

	/* The port, inside the rule. */
	assert_int_equal(kzt_nl_attr_path(&m.nlh, 0, inner + 4, path, 4), 2);
	assert_int_equal(path[1].type, KZT_RULE_A_PORT);
	/* Room for one step only: the rule. */
	assert_int_equal(kzt_nl_attr_path(&m.nlh, 0, inner, path, 1), 1);
	assert_int_equal(path[0].type, KZT_POLICY_A_RULE);
	/* A rule whose length claims more than the message: not entered. */
	((struct nlattr *)(m.b + rule))->nla_len = 200;
	assert_int_equal(kzt_nl_attr_path(&m.nlh, 0, inner, path, 4), 0);
	/* The same attribute without NLA_F_NESTED: not walked into. */
	((struct nlattr *)(m.b + rule))->nla_len = m.len - rule;
	((struct nlattr *)(m.b + rule))->nla_type = KZT_POLICY_A_RULE;
	assert_int_equal(kzt_nl_attr_path(&m.nlh, 0, inner, path, 4), 1);
	/* An inner attribute of length 0 stops the walk inside. */
	((struct nlattr *)(m.b + rule))->nla_type = KZT_POLICY_A_RULE | NLA_F_NESTED;
	((struct nlattr *)(m.b + inner))->nla_len = 0;
	assert_int_equal(kzt_nl_attr_path(&m.nlh, 0, inner, path, 4), 1);
	assert_int_equal(kzt_nl_attr_path(&m.nlh, 0, 8, path, 4), 0);	/* header */
}

static void test_check_from_msg(void **state)
{
	struct nl_msg *msg = kzt_msg(KZT_CMD_POLICY_CHECK);
	struct kzt_check_result r;

	(void)state;
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_VERDICT, KZT_VERDICT_DENY), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_REASON, KZT_REASON_DENY_POLICY), 0);
	assert_int_equal(nla_put_string(msg, KZT_CHECK_A_POLICY, "default/deny-x"), 0);
	assert_int_equal(nla_put_string(msg, KZT_CHECK_A_DST_ID, "spiffe://td/ns/a/sa/b"), 0);
	assert_int_equal(kzt_check_from_msg(nlmsg_hdr(msg), &r), 0);
	assert_int_equal(r.verdict, KZT_VERDICT_DENY);
	assert_int_equal(r.reason, KZT_REASON_DENY_POLICY);
	assert_true(r.has_policy);
	assert_string_equal(r.policy, "default/deny-x");
	assert_string_equal(r.dst_id, "spiffe://td/ns/a/sa/b");
	assert_false(r.has_dry_run);
	nlmsg_free(msg);

	msg = kzt_msg(KZT_CMD_POLICY_CHECK);	/* with a dry-run verdict */
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_VERDICT, KZT_VERDICT_ALLOW), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_REASON, KZT_REASON_NO_POLICY), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_DRY_RUN_VERDICT, KZT_VERDICT_DENY), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_DRY_RUN_REASON,
				    KZT_REASON_DENY_POLICY), 0);
	assert_int_equal(nla_put_string(msg, KZT_CHECK_A_DRY_RUN_POLICY, "d"), 0);
	assert_int_equal(kzt_check_from_msg(nlmsg_hdr(msg), &r), 0);
	assert_true(r.has_dry_run);
	assert_int_equal(r.dry_verdict, KZT_VERDICT_DENY);
	assert_int_equal(r.dry_reason, KZT_REASON_DENY_POLICY);
	assert_true(r.has_dry_policy);
	assert_string_equal(r.dry_policy, "d");
	nlmsg_free(msg);

	msg = kzt_msg(KZT_CMD_POLICY_CHECK);	/* half a dry-run verdict */
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_VERDICT, KZT_VERDICT_ALLOW), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_REASON, KZT_REASON_NO_POLICY), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_DRY_RUN_VERDICT, KZT_VERDICT_DENY), 0);
	assert_int_equal(kzt_check_from_msg(nlmsg_hdr(msg), &r), EBADMSG);
	nlmsg_free(msg);

	msg = kzt_msg(KZT_CMD_POLICY_CHECK);	/* no verdict: malformed */
	assert_int_equal(nla_put_u8(msg, KZT_CHECK_A_REASON, 0), 0);
	assert_int_equal(kzt_check_from_msg(nlmsg_hdr(msg), &r), EBADMSG);
	nlmsg_free(msg);
}

static void test_config_new_fields(void **state)
{
	struct nl_msg *msg = kzt_msg(KZT_CMD_CONFIG_GET);
	struct kzt_config cfg;
	char out[256];

	(void)state;
	assert_int_equal(nla_put_u16(msg, KZT_CONFIG_A_TUNNEL_PORT, 15008), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CONFIG_A_CAPTURE, 0), 0);
	assert_int_equal(nla_put_string(msg, KZT_CONFIG_A_TRUST_DOMAIN, "cluster.local"), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CONFIG_A_NONMESH, KZT_NONMESH_PASSTHROUGH), 0);
	assert_int_equal(kzt_config_from_msg(nlmsg_hdr(msg), &cfg), 0);
	assert_string_equal(kzt_config_str(&cfg, out, sizeof(out)),
			    "tunnel_port=15008 capture=off trust_domain=cluster.local nonmesh=passthrough");
	assert_false(cfg.has_handshake_timeout_ms || cfg.has_idle_timeout_s);
	assert_int_equal(nla_put_u32(msg, KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS, 10000), 0);
	assert_int_equal(nla_put_u32(msg, KZT_CONFIG_A_IDLE_TIMEOUT_S, 0), 0);
	assert_int_equal(kzt_config_from_msg(nlmsg_hdr(msg), &cfg), 0);
	assert_true(cfg.has_handshake_timeout_ms && cfg.has_idle_timeout_s);
	assert_int_equal(cfg.handshake_timeout_ms, 10000);
	assert_int_equal(cfg.idle_timeout_s, 0);
	assert_string_equal(kzt_config_str(&cfg, out, sizeof(out)),
			    "tunnel_port=15008 capture=off trust_domain=cluster.local nonmesh=passthrough handshake_timeout_ms=10000 idle_timeout_s=0");
	assert_false(cfg.has_keepalive_idle_s || cfg.has_keepalive_interval_s ||
		     cfg.has_keepalive_probes);
	assert_int_equal(nla_put_u32(msg, KZT_CONFIG_A_KEEPALIVE_IDLE_S, 180), 0);
	assert_int_equal(nla_put_u32(msg, KZT_CONFIG_A_KEEPALIVE_INTERVAL_S, 75), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CONFIG_A_KEEPALIVE_PROBES, 9), 0);
	assert_int_equal(kzt_config_from_msg(nlmsg_hdr(msg), &cfg), 0);
	assert_true(cfg.has_keepalive_idle_s && cfg.has_keepalive_interval_s &&
		    cfg.has_keepalive_probes);
	assert_int_equal(cfg.keepalive_idle_s, 180);
	assert_int_equal(cfg.keepalive_interval_s, 75);
	assert_int_equal(cfg.keepalive_probes, 9);
	assert_string_equal(kzt_config_str(&cfg, out, sizeof(out)),
			    "tunnel_port=15008 capture=off trust_domain=cluster.local nonmesh=passthrough handshake_timeout_ms=10000 idle_timeout_s=0 keepalive_idle_s=180 keepalive_interval_s=75 keepalive_probes=9");
	/* A truncated string stops cleanly. */
	assert_string_equal(kzt_config_str(&cfg, out, 20), "tunnel_port=15008 c");
	nlmsg_free(msg);

	/* A u32 timeout that is 2 bytes long is malformed. */
	msg = kzt_msg(KZT_CMD_CONFIG_GET);
	assert_int_equal(nla_put_u16(msg, KZT_CONFIG_A_IDLE_TIMEOUT_S, 5), 0);
	assert_int_equal(kzt_config_from_msg(nlmsg_hdr(msg), &cfg), EBADMSG);
	nlmsg_free(msg);

	/* So is a probe count (u8) that is 4 bytes long. */
	msg = kzt_msg(KZT_CMD_CONFIG_GET);
	assert_int_equal(nla_put_u32(msg, KZT_CONFIG_A_KEEPALIVE_PROBES, 9), 0);
	assert_int_equal(kzt_config_from_msg(nlmsg_hdr(msg), &cfg), EBADMSG);
	nlmsg_free(msg);
}

/*
 * A CONN_GET reply (or a flow event, @cmd) as the kernel builds it
 * (nla_put_u64_64bit pads).
 */
static struct nl_msg *conn_msg_cmd(uint8_t cmd, uint64_t id, bool full)
{
	struct nl_msg *msg = kzt_msg(cmd);
	struct in6_addr src, dst, node;

	assert_int_equal(kzt_addr_parse("10.0.1.2", &src), 0);
	assert_int_equal(kzt_addr_parse("fd00::3", &dst), 0);
	assert_int_equal(kzt_addr_parse("192.168.0.3", &node), 0);
	assert_int_equal(nla_put_u64(msg, KZT_CONN_A_ID, id), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CONN_A_DIR, KZT_CONN_DIR_OUTBOUND), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CONN_A_STATE, KZT_CONN_STATE_ESTABLISHED), 0);
	assert_int_equal(nla_put(msg, KZT_CONN_A_SRC_ADDR, 16, &src), 0);
	assert_int_equal(nla_put_u16(msg, KZT_CONN_A_SRC_PORT, 40000), 0);
	assert_int_equal(nla_put(msg, KZT_CONN_A_DST_ADDR, 16, &dst), 0);
	assert_int_equal(nla_put_u16(msg, KZT_CONN_A_DST_PORT, 80), 0);
	if (!full)
		return msg;
	assert_int_equal(nla_put_string(msg, KZT_CONN_A_SRC_ID,
					"spiffe://cluster.local/ns/default/sa/client"), 0);
	assert_int_equal(nla_put_string(msg, KZT_CONN_A_DST_ID,
					"spiffe://cluster.local/ns/default/sa/web"), 0);
	assert_int_equal(nla_put(msg, KZT_CONN_A_PEER_NODE, 16, &node), 0);
	assert_int_equal(nla_put_u16(msg, KZT_CONN_A_CIPHER, TLS_CIPHER_AES_GCM_256), 0);
	assert_int_equal(nla_put_u64(msg, KZT_CONN_A_BYTES_OUT, 1ULL << 40), 0);
	assert_int_equal(nla_put_u64(msg, KZT_CONN_A_BYTES_IN, 7), 0);
	assert_int_equal(nla_put_u64(msg, KZT_CONN_A_AGE_MS, 61000), 0);
	assert_int_equal(nla_put_u32(msg, 200, 1), 0);	/* a newer module's */
	assert_int_equal(nla_put(msg, KZT_CONN_A_PAD, 0, NULL), 0);
	return msg;
}

static struct nl_msg *conn_msg(uint64_t id, bool full)
{
	return conn_msg_cmd(KZT_CMD_CONN_GET, id, full);
}

static void test_flow_event_from_msg(void **state)
{
	struct nl_msg *msg = conn_msg_cmd(KZT_CMD_FLOW_END, 9, true);
	struct kzt_flow_event ev;

	(void)state;
	assert_int_equal(nla_put_u64(msg, KZT_CONN_A_START_NS, 1700000000123456789ULL), 0);
	assert_int_equal(nla_put_u8(msg, KZT_CONN_A_END, KZT_CONN_END_TRUST), 0);
	/* No reason yet: an END without one is refused. */
	assert_int_equal(kzt_flow_event_from_msg(nlmsg_hdr(msg), 0x1d, &ev), EBADMSG);
	assert_int_equal(nla_put_u8(msg, KZT_CONN_A_REASON, KZT_FLOW_REASON_REVOKED), 0);
	/* Another family's message is not ours. */
	assert_int_equal(kzt_flow_event_from_msg(nlmsg_hdr(msg), 0x1e, &ev), ENOENT);
	assert_int_equal(kzt_flow_event_from_msg(nlmsg_hdr(msg), 0x1d, &ev), 0);
	assert_int_equal(ev.cmd, KZT_CMD_FLOW_END);
	assert_string_equal(kzt_flow_event_name(ev.cmd), "end");
	assert_int_equal(ev.conn.id, 9);
	assert_int_equal(ev.conn.bytes_out, 1ULL << 40);
	assert_int_equal(ev.conn.bytes_in, 7);
	assert_true(ev.conn.has_start_ns);
	assert_true(ev.conn.start_ns == 1700000000123456789ULL);
	assert_string_equal(kzt_flow_reason_name(ev.conn.reason), "revoked");
	assert_string_equal(kzt_conn_end_name(ev.conn.end), "trust");
	assert_string_equal(ev.conn.dst_id, "spiffe://cluster.local/ns/default/sa/web");
	kzt_flow_event_free(&ev);
	nlmsg_free(msg);

	/* A START with a reason is malformed; one without bytes too. */
	msg = conn_msg_cmd(KZT_CMD_FLOW_START, 3, true);
	assert_int_equal(kzt_flow_event_from_msg(nlmsg_hdr(msg), 0x1d, &ev), 0);
	assert_string_equal(kzt_flow_event_name(ev.cmd), "start");
	assert_false(ev.conn.has_start_ns);
	assert_null(kzt_flow_reason_name(ev.conn.reason));
	kzt_flow_event_free(&ev);
	assert_int_equal(nla_put_u8(msg, KZT_CONN_A_REASON, KZT_FLOW_REASON_CLOSED), 0);
	assert_int_equal(kzt_flow_event_from_msg(nlmsg_hdr(msg), 0x1d, &ev), EBADMSG);
	nlmsg_free(msg);
	msg = conn_msg_cmd(KZT_CMD_FLOW_STATS, 3, false);
	assert_int_equal(kzt_flow_event_from_msg(nlmsg_hdr(msg), 0x1d, &ev), EBADMSG);
	nlmsg_free(msg);

	/* Another command of the family is skipped, not refused. */
	msg = conn_msg(3, true);
	assert_int_equal(kzt_flow_event_from_msg(nlmsg_hdr(msg), 0x1d, &ev), ENOENT);
	nlmsg_free(msg);
	assert_string_equal(kzt_flow_reason_name(__KZT_FLOW_REASON_MAX), "?");
	assert_string_equal(kzt_flow_event_name(KZT_CMD_CONN_GET), "?");
}

static void test_conn_from_msg(void **state)
{
	struct nl_msg *msg = conn_msg(42, true);
	char a[KZT_ADDR_STRLEN], buf[16];
	struct kzt_conn conn;

	(void)state;
	assert_int_equal(kzt_conn_from_msg(nlmsg_hdr(msg), &conn), 0);
	assert_int_equal(conn.id, 42);
	assert_string_equal(kzt_conn_dir_name(conn.dir), "outbound");
	assert_string_equal(kzt_conn_state_name(conn.state), "established");
	assert_string_equal(kzt_addr_str(&conn.src_addr, a, sizeof(a)), "10.0.1.2");
	assert_int_equal(conn.src_port, 40000);
	assert_string_equal(kzt_addr_str(&conn.dst_addr, a, sizeof(a)), "fd00::3");
	assert_int_equal(conn.dst_port, 80);
	assert_string_equal(conn.src_id, "spiffe://cluster.local/ns/default/sa/client");
	assert_string_equal(conn.dst_id, "spiffe://cluster.local/ns/default/sa/web");
	assert_true(conn.has_peer_node);
	assert_string_equal(kzt_addr_str(&conn.peer_node, a, sizeof(a)), "192.168.0.3");
	assert_true(conn.has_cipher);
	assert_string_equal(kzt_cipher_name(conn.cipher, buf, sizeof(buf)), "AES-256-GCM");
	assert_true(conn.has_bytes);
	assert_int_equal(conn.bytes_out, 1ULL << 40);
	assert_int_equal(conn.bytes_in, 7);
	assert_int_equal(conn.age_ms, 61000);
	kzt_conn_free(&conn);
	nlmsg_free(msg);

	/* Before the handshake: no identity, cipher or peer. */
	msg = conn_msg(1, false);
	assert_int_equal(kzt_conn_from_msg(nlmsg_hdr(msg), &conn), 0);
	assert_null(conn.src_id);
	assert_false(conn.has_cipher || conn.has_peer_node);
	/* A u64 that is 4 bytes long is malformed. */
	assert_int_equal(nla_put_u32(msg, KZT_CONN_A_BYTES_IN, 1), 0);
	assert_int_equal(kzt_conn_from_msg(nlmsg_hdr(msg), &conn), EBADMSG);
	nlmsg_free(msg);

	/* Each required attribute missing in turn. */
	for (int missing = KZT_CONN_A_ID; missing <= KZT_CONN_A_DST_PORT; missing++) {
		struct nl_msg *src = conn_msg(1, false);
		struct nlattr *nla;
		int rem;

		msg = kzt_msg(KZT_CMD_CONN_GET);
		nlmsg_for_each_attr(nla, nlmsg_hdr(src), GENL_HDRLEN, rem)
			if (nla_type(nla) != missing)
				assert_int_equal(nla_put(msg, nla_type(nla),
							 nla_len(nla), nla_data(nla)), 0);
		if (kzt_conn_from_msg(nlmsg_hdr(msg), &conn) != EBADMSG)
			fail_msg("accepted without attribute %d", missing);
		nlmsg_free(msg);
		nlmsg_free(src);
	}

	assert_string_equal(kzt_cipher_name(TLS_CIPHER_AES_GCM_128, buf, sizeof(buf)),
			    "AES-128-GCM");
	assert_string_equal(kzt_cipher_name(TLS_CIPHER_CHACHA20_POLY1305, buf,
					    sizeof(buf)), "CHACHA20-POLY1305");
	assert_string_equal(kzt_cipher_name(99, buf, sizeof(buf)), "cipher-99");
	assert_string_equal(kzt_conn_state_name(__KZT_CONN_STATE_MAX), "?");
	assert_string_equal(kzt_conn_dir_name(KZT_CONN_DIR_INBOUND), "inbound");
}

/* An interrupted dump can show a flow twice: sorted by id, once each. */
static void test_conns_sort(void **state)
{
	static const uint64_t ids[] = { 9, 3, 9, 1, 3 };
	struct kzt_conns list = { 0 };

	(void)state;
	list.v = calloc(5, sizeof(*list.v));
	assert_non_null(list.v);
	for (size_t i = 0; i < 5; i++) {
		list.v[i].id = ids[i];
		list.v[i].src_id = strdup("x");	/* freed by the dedup */
	}
	list.n = 5;
	kzt_conns_sort(&list);
	assert_int_equal(list.n, 3);
	assert_int_equal(list.v[0].id, 1);
	assert_int_equal(list.v[1].id, 3);
	assert_int_equal(list.v[2].id, 9);
	kzt_conns_free(&list);
}

static void test_stats_from_msg(void **state)
{
	struct nl_msg *msg = kzt_msg(KZT_CMD_STATS_GET);
	const struct kzt_stat_desc *d;
	struct kzt_stats st;
	char key[16], newer[16];
	size_t n;

	(void)state;
	for (int t = KZT_STATS_A_CAPTURED; t <= KZT_STATS_A_MAX; t++)
		assert_int_equal(nla_put_u64(msg, t, 1000 + t), 0);
	assert_int_equal(nla_put_u64(msg, KZT_STATS_A_MAX + 1, 5), 0);	/* newer */
	assert_int_equal(nla_put(msg, KZT_STATS_A_PAD, 0, NULL), 0);
	assert_int_equal(kzt_stats_from_msg(nlmsg_hdr(msg), &st), 0);
	for (int t = KZT_STATS_A_CAPTURED; t <= KZT_STATS_A_MAX; t++) {
		assert_true(st.has[t]);
		assert_int_equal(st.v[t], 1000 + t);
	}
	assert_false(st.has[KZT_STATS_A_PAD]);
	assert_true(st.has[KZT_STATS_A_MAX + 1]);
	snprintf(newer, sizeof(newer), "stat_%d", KZT_STATS_A_MAX + 1);
	assert_string_equal(kzt_stat_key(KZT_STATS_A_MAX + 1, key, sizeof(key)), newer);
	assert_string_equal(kzt_stat_key(KZT_STATS_A_HS_OK, key, sizeof(key)), "hs_ok");

	/* Every counter has one key, none twice. */
	d = kzt_stat_descs(&n);
	assert_int_equal(n, KZT_STATS_A_MAX - 1);
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++) {
			assert_int_not_equal(d[i].type, d[k].type);
			assert_string_not_equal(d[i].key, d[k].key);
		}

	/* A counter that is not 8 bytes long is malformed. */
	assert_int_equal(nla_put_u32(msg, KZT_STATS_A_TLS_ERRORS, 1), 0);
	assert_int_equal(kzt_stats_from_msg(nlmsg_hdr(msg), &st), EBADMSG);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ack),
		cmocka_unit_test(test_plain_error),
		cmocka_unit_test(test_error_not_errno),
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
		cmocka_unit_test(test_policy_roundtrip),
		cmocka_unit_test(test_policy_clauses),
		cmocka_unit_test(test_policy_dry_run),
		cmocka_unit_test(test_workload_roundtrip),
		cmocka_unit_test(test_nested_error_names),
		cmocka_unit_test(test_attr_path_damaged),
		cmocka_unit_test(test_check_from_msg),
		cmocka_unit_test(test_config_new_fields),
		cmocka_unit_test(test_conn_from_msg),
		cmocka_unit_test(test_flow_event_from_msg),
		cmocka_unit_test(test_conns_sort),
		cmocka_unit_test(test_stats_from_msg),
	};

	return cmocka_run_group_tests_name("netlink", tests, NULL, NULL);
}
