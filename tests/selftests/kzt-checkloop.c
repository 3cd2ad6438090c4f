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
 *
 * The control-plane benchmark (tests/bench/) cycles through the queries of
 * a file instead (--queries: "SRC_ID|- SRC_IP DST PORT" per line), and
 * measures the netlink round trip alone with --config-get (the same loop
 * asking for the node configuration), so that the two rates side by side
 * give the cost of the decision itself.
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

struct query {
	char *src_id;			/* NULL: a plaintext peer */
	struct in6_addr src, dst;
	uint16_t port;
};

static int on_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[KZT_CHECK_A_MAX + 1];
	struct counts *c = arg;

	if (genlmsg_parse(nlh, 0, tb, KZT_CHECK_A_MAX, NULL))
		return EPROTO;
	if (!tb[KZT_CHECK_A_VERDICT])	/* a CONFIG_GET reply (--config-get) */
		return 0;
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

/* Read "SRC_ID|- SRC_IP DST PORT" lines; returns the number read, 0 on error. */
static size_t read_queries(const char *path, struct query **qs)
{
	char id[KZT_SPIFFE_ID_MAX + 1], src[64], dst[64];
	size_t n = 0, cap = 0;
	unsigned int port;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fscanf(f, "%2048s %63s %63s %u", id, src, dst, &port) == 4) {
		struct query *q;

		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			q = realloc(*qs, cap * sizeof(*q));
			if (!q)
				break;
			*qs = q;
		}
		q = &(*qs)[n];
		q->src_id = strcmp(id, "-") ? strdup(id) : NULL;
		q->port = port;
		if (parse_addr(src, &q->src) || parse_addr(dst, &q->dst) ||
		    !port || port > UINT16_MAX) {
			fprintf(stderr, "%s: %s: bad query line %zu\n", prog, path,
				n + 1);
			n = 0;
			break;
		}
		n++;
	}
	fclose(f);
	return n;
}

static int put_query(struct nl_msg *msg, const struct query *q)
{
	if ((q->src_id && nla_put_string(msg, KZT_CHECK_A_SRC_ID, q->src_id)) ||
	    nla_put(msg, KZT_CHECK_A_SRC_ADDR, sizeof(q->src), &q->src) ||
	    nla_put(msg, KZT_CHECK_A_DST_ADDR, sizeof(q->dst), &q->dst) ||
	    nla_put_u16(msg, KZT_CHECK_A_DST_PORT, q->port))
		return EMSGSIZE;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s ([--src-id ID] --src-ip IP --dst ADDR --port N |\n"
		   "        --queries FILE | --config-get) (--count N | --until FILE)\n",
		prog);
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
		{ "queries",	required_argument,	NULL, 'q' },
		{ "config-get",	no_argument,		NULL, 'g' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	const char *until = NULL, *queries = NULL;
	struct query one = { 0 }, *qs = &one;
	bool has_src = false, has_dst = false, config_get = false;
	uint64_t port = 0, count = 0;
	size_t n_qs = 1;
	struct kzt_nl_family fam;
	struct counts c = { 0 };
	struct kzt_nl_err err;
	struct kzt_nl *nl;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (opt) {
		case 'i':
			one.src_id = optarg;
			break;
		case 's':
			has_src = !parse_addr(optarg, &one.src);
			break;
		case 'd':
			has_dst = !parse_addr(optarg, &one.dst);
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
		case 'q':
			queries = optarg;
			break;
		case 'g':
			config_get = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	one.port = port;
	if ((!queries && !config_get && (!has_src || !has_dst || !port)) ||
	    !count == !until) {
		usage(stderr);
		return 1;
	}
	if (queries) {
		qs = NULL;
		n_qs = read_queries(queries, &qs);
		if (!n_qs) {
			fprintf(stderr, "%s: no queries read from %s\n", prog, queries);
			return 1;
		}
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

		ret = kzt_nl_msg_new(&fam, config_get ? KZT_CMD_CONFIG_GET :
				     KZT_CMD_POLICY_CHECK, KZT_GENL_VERSION,
				     NLM_F_REQUEST, &msg);
		if (ret)
			break;
		if (!config_get) {
			ret = put_query(msg, &qs[c.checks % n_qs]);
			if (ret) {
				nlmsg_free(msg);
				break;
			}
		}
		if (kzt_nl_request(nl, msg, on_reply, &c, &err))
			c.errors++;
		nlmsg_free(msg);
		c.checks++;
	}
	kzt_nl_close(nl);
	if (queries) {
		for (size_t i = 0; i < n_qs; i++)
			free(qs[i].src_id);
		free(qs);
	}
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, strerror(ret));
		return 1;
	}
	printf("checks=%lu allow=%lu deny=%lu errors=%lu\n", c.checks, c.allow,
	       c.deny, c.errors);
	return 0;
}
