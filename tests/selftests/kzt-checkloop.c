// SPDX-License-Identifier: GPL-2.0
/*
 * kzt-checkloop: ask the kernel for one policy decision over and over on
 * one netlink socket, as fast as it answers, and count the verdicts:
 *
 *   checks=51234 allow=0 deny=51234 errors=0
 *
 * The atomic re-apply selftest runs it while the configuration is
 * replaced: a single ALLOW in a loop that must only ever see DENY is a
 * reader that saw a half-applied configuration. Runs until --count checks
 * are done or the file given to --until exists.
 * Exit status: 0 when the counts line was printed; 1 on bad usage or a
 * local failure; 3 when the family is not there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/kzt.h>

#include "nl.h"
#include "parse.h"

static const char *prog = "kzt-checkloop";

struct counts {
	unsigned long checks, allow, deny, errors;
};

static int on_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KZT_CHECK_A_MAX + 1];
	struct counts *c = arg;

	if (genlmsg_parse(nlh, 0, tb, KZT_CHECK_A_MAX, NULL) ||
	    !tb[KZT_CHECK_A_VERDICT])
		return EPROTO;
	if (nla_get_u8(tb[KZT_CHECK_A_VERDICT]) == KZT_VERDICT_ALLOW)
		c->allow++;
	else
		c->deny++;
	return 0;
}

static int parse_addr(const char *s, struct in6_addr *a6)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(a6, 0, sizeof(*a6));
		a6->s6_addr[10] = a6->s6_addr[11] = 0xff;
		memcpy(&a6->s6_addr[12], &a4, sizeof(a4));
		return 0;
	}
	return inet_pton(AF_INET6, s, a6) == 1 ? 0 : EINVAL;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s [--src-id ID] --src-ip IP --dst ADDR --port N\n"
		   "       %*s (--count N | --until FILE)\n", prog,
		(int)strlen(prog), "");
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "src-id",	required_argument,	NULL, 'i' },
		{ "src-ip",	required_argument,	NULL, 's' },
		{ "dst",	required_argument,	NULL, 'd' },
		{ "port",	required_argument,	NULL, 'p' },
		{ "count",	required_argument,	NULL, 'c' },
		{ "until",	required_argument,	NULL, 'u' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	const char *src_id = NULL, *until = NULL;
	struct in6_addr src, dst;
	bool has_src = false, has_dst = false;
	uint64_t port = 0, count = 0;
	struct kzt_nl_family fam;
	struct counts c = { 0 };
	struct kzt_nl_err err;
	struct kzt_nl *nl;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (opt) {
		case 'i':
			src_id = optarg;
			break;
		case 's':
			has_src = !parse_addr(optarg, &src);
			break;
		case 'd':
			has_dst = !parse_addr(optarg, &dst);
			break;
		case 'p':
			if (kzt_parse_uint(optarg, UINT16_MAX, &port))
				port = 0;
			break;
		case 'c':
			if (kzt_parse_uint(optarg, UINT32_MAX, &count))
				count = 0;
			break;
		case 'u':
			until = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (!has_src || !has_dst || !port || !count == !until) {
		usage(stderr);
		return 1;
	}

	ret = kzt_nl_open(&nl);
	if (ret) {
		fprintf(stderr, "%s: netlink socket: %s\n", prog, strerror(ret));
		return 1;
	}
	ret = kzt_nl_family_resolve(nl, KZT_GENL_NAME, &fam, &err);
	if (ret) {
		fprintf(stderr, "%s: family kzt: %s\n", prog, strerror(ret));
		kzt_nl_close(nl);
		return ret == ENOENT ? 3 : 1;
	}
	while (count ? c.checks < count : access(until, F_OK) != 0) {
		struct nl_msg *msg;

		ret = kzt_nl_msg_new(&fam, KZT_CMD_POLICY_CHECK,
				     KZT_GENL_VERSION, NLM_F_REQUEST, &msg);
		if (ret)
			break;
		if ((src_id && nla_put_string(msg, KZT_CHECK_A_SRC_ID, src_id)) ||
		    nla_put(msg, KZT_CHECK_A_SRC_ADDR, sizeof(src), &src) ||
		    nla_put(msg, KZT_CHECK_A_DST_ADDR, sizeof(dst), &dst) ||
		    nla_put_u16(msg, KZT_CHECK_A_DST_PORT, port)) {
			nlmsg_free(msg);
			ret = EMSGSIZE;
			break;
		}
		if (kzt_nl_request(nl, msg, on_reply, &c, &err))
			c.errors++;
		nlmsg_free(msg);
		c.checks++;
	}
	kzt_nl_close(nl);
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, strerror(ret));
		return 1;
	}
	printf("checks=%lu allow=%lu deny=%lu errors=%lu\n", c.checks, c.allow,
	       c.deny, c.errors);
	return 0;
}
