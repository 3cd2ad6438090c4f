// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the parsers of the kernel's replies (lib/kztnl*.c,
 * lib/nl.c): kztctl and kztd trust the kernel, but a parser must never
 * read past a message, leak, or hand out a string without its NUL, whatever
 * a newer, older or broken module sends. The first byte picks the parser,
 * the rest is the message's payload after the genetlink header (for the
 * extack parser: after the netlink header of an NLMSG_ERROR).
 *
 * The handshake request carries a descriptor the parser owns: every
 * KZT_HS_A_FD in the input is pointed at a fresh descriptor of /dev/null,
 * and the harness checks the parser closed it exactly when it refused a
 * request that carried one (the kernel installed it: it must not leak).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "kztnl.h"
#include "nl.h"
#include "objects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MSG_MAX	65536

static union {
	struct nlmsghdr nlh;
	uint8_t bytes[MSG_MAX];
} buf;

static void check_str(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

static struct nlmsghdr *genl_msg(const uint8_t *data, size_t size)
{
	struct genlmsghdr *g;

	if (size > MSG_MAX - NLMSG_LENGTH(GENL_HDRLEN))
		size = MSG_MAX - NLMSG_LENGTH(GENL_HDRLEN);
	memset(&buf, 0, NLMSG_LENGTH(GENL_HDRLEN));
	buf.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + size;
	g = nlmsg_data(&buf.nlh);
	g->version = KZT_GENL_VERSION;
	memcpy((uint8_t *)g + GENL_HDRLEN, data, size);
	return &buf.nlh;
}

/*
 * Point every KZT_HS_A_FD at @fd; whether the last one (the one a parser
 * takes) now names it.
 */
static bool set_fds(struct nlmsghdr *nlh, int fd)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *nla;
	bool last = false;
	int rem;

	nla_for_each_attr(nla, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) {
		if (nla_type(nla) != KZT_HS_A_FD)
			continue;
		last = nla_len(nla) >= 4;
		if (last)
			memcpy(nla_data(nla), &fd, sizeof(fd));
	}
	return last;
}

static void parse_hs_request(struct nlmsghdr *nlh)
{
	struct kzt_hs_request req;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	bool open_after, refused, sent;

	if (fd < 0)
		abort();
	sent = set_fds(nlh, fd);
	refused = kzt_hs_request_from_msg(nlh, &req);
	if (refused) {
		if (req.fd != -1)
			abort();
	} else {
		check_str(req.local_id, sizeof(req.local_id));
		check_str(req.peer_id, sizeof(req.peer_id));
		if (req.fd != fd)
			abort();
	}
	/* Closed when refused, kept when accepted; never one not sent. */
	open_after = fcntl(fd, F_GETFD) != -1;
	if (open_after != (!sent || !refused))
		abort();
	if (open_after)
		close(fd);
}

static void parse_conn(struct nlmsghdr *nlh)
{
	struct kzt_conn c;

	if (kzt_conn_from_msg(nlh, &c))
		return;
	if (c.src_id)
		check_str(c.src_id, KZT_SPIFFE_ID_MAX + 1);
	if (c.dst_id)
		check_str(c.dst_id, KZT_SPIFFE_ID_MAX + 1);
	kzt_conn_free(&c);
}

/*
 * A flow event of the "flows" group: the first byte picks the command
 * (START, STATS, END or another one), the family id is FUZZ_FAMILY.
 */
#define FUZZ_FAMILY	0x1d

static void parse_flow_event(const uint8_t *data, size_t size)
{
	struct kzt_flow_event ev;
	struct nlmsghdr *nlh;

	if (!size)
		return;
	nlh = genl_msg(data + 1, size - 1);
	nlh->nlmsg_type = FUZZ_FAMILY;
	((struct genlmsghdr *)nlmsg_data(nlh))->cmd = KZT_CMD_FLOW_START +
						       data[0] % 4;
	if (kzt_flow_event_from_msg(nlh, FUZZ_FAMILY, &ev))
		return;
	if (ev.conn.src_id)
		check_str(ev.conn.src_id, KZT_SPIFFE_ID_MAX + 1);
	if (ev.conn.dst_id)
		check_str(ev.conn.dst_id, KZT_SPIFFE_ID_MAX + 1);
	check_str(kzt_flow_event_name(ev.cmd), 8);
	kzt_flow_reason_name(ev.conn.reason);
	kzt_flow_event_free(&ev);
}

static void parse_workload(struct nlmsghdr *nlh)
{
	struct kzt_workload w;

	if (!kzt_workload_from_msg(nlh, &w))
		kzt_workload_free(&w);
}

static void parse_policy(struct nlmsghdr *nlh)
{
	struct kzt_policy p;

	if (!kzt_policy_from_msg(nlh, &p))
		kzt_policy_free(&p);
	/* The parser frees what it built when it refuses. */
}

static void parse_check(struct nlmsghdr *nlh)
{
	struct kzt_check_result r;

	if (kzt_check_from_msg(nlh, &r))
		return;
	check_str(r.policy, sizeof(r.policy));
	check_str(r.dst_id, sizeof(r.dst_id));
	check_str(r.dry_policy, sizeof(r.dry_policy));
}

static void parse_config(struct nlmsghdr *nlh)
{
	struct kzt_config cfg;
	char s[1024];

	if (kzt_config_from_msg(nlh, &cfg))
		return;
	check_str(cfg.trust_domain, sizeof(cfg.trust_domain));
	kzt_config_str(&cfg, s, sizeof(s));
	check_str(s, sizeof(s));
}

static void parse_stats(struct nlmsghdr *nlh)
{
	struct kzt_stats st;

	kzt_stats_from_msg(nlh, &st);
}

static void parse_extack(const uint8_t *data, size_t size)
{
	struct kzt_nl_err err;
	char s[1024];

	if (size > MSG_MAX - NLMSG_HDRLEN)
		size = MSG_MAX - NLMSG_HDRLEN;
	memset(&buf, 0, NLMSG_HDRLEN);
	buf.nlh.nlmsg_len = NLMSG_HDRLEN + size;
	buf.nlh.nlmsg_type = NLMSG_ERROR;
	buf.nlh.nlmsg_flags = NLM_F_ACK_TLVS;
	if (size)	/* the first byte sets NLM_F_CAPPED */
		buf.nlh.nlmsg_flags |= data[0] & 1 ? NLM_F_CAPPED : 0;
	memcpy(buf.bytes + NLMSG_HDRLEN, data, size);
	kzt_nl_extack_parse(&buf.nlh, buf.nlh.nlmsg_len, &err);
	check_str(err.msg, sizeof(err.msg));
	kzt_nl_err_str(&err, s, sizeof(s));
	check_str(s, sizeof(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t which;

	if (!size)
		return 0;
	which = data[0];
	data++;
	size--;
	switch (which % 9) {
	case 0:
		parse_hs_request(genl_msg(data, size));
		break;
	case 1:
		parse_conn(genl_msg(data, size));
		break;
	case 2:
		parse_workload(genl_msg(data, size));
		break;
	case 3:
		parse_policy(genl_msg(data, size));
		break;
	case 4:
		parse_check(genl_msg(data, size));
		break;
	case 5:
		parse_config(genl_msg(data, size));
		break;
	case 6:
		parse_stats(genl_msg(data, size));
		break;
	case 7:
		parse_extack(data, size);
		break;
	case 8:
		parse_flow_event(data, size);
		break;
	}
	return 0;
}
