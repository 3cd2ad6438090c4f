// SPDX-License-Identifier: GPL-2.0
/*
 * kzt-nlraw: send one hand-made, possibly malformed, request to the kzt
 * generic netlink family and print what the kernel answered, on one line:
 *
 *   ok
 *   errno=EINVAL (22) extack="integer out of range" bad_attr_offset=20 bad_attr=1
 *
 * For tests only: it builds exactly what it is told (wrong types, unknown
 * attributes, odd flags) so that the module's validation can be checked.
 * Exit status: 0 when a result line was printed, whatever the result;
 * 1 for bad usage or a local failure; 3 when the family is not there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/kzt.h>

#include "nl.h"
#include "parse.h"

static const char *prog = "kzt-nlraw";

static const struct {
	const char *name;
	uint8_t cmd;
} commands[] = {
	{ "unspec",	KZT_CMD_UNSPEC },
	{ "config-get",	KZT_CMD_CONFIG_GET },
	{ "config-set",	KZT_CMD_CONFIG_SET },
	{ "config-ntf",	KZT_CMD_CONFIG_NTF },
	{ "workload-add", KZT_CMD_WORKLOAD_ADD },
	{ "workload-del", KZT_CMD_WORKLOAD_DEL },
	{ "workload-get", KZT_CMD_WORKLOAD_GET },
	{ "policy-add",	KZT_CMD_POLICY_ADD },
	{ "policy-del",	KZT_CMD_POLICY_DEL },
	{ "policy-get",	KZT_CMD_POLICY_GET },
	{ "policy-check", KZT_CMD_POLICY_CHECK },
	{ "txn-begin",	KZT_CMD_TXN_BEGIN },
	{ "txn-commit",	KZT_CMD_TXN_COMMIT },
	{ "txn-abort",	KZT_CMD_TXN_ABORT },
	{ "stats-get",	KZT_CMD_STATS_GET },
	{ "revoke",	KZT_CMD_REVOKE },
	{ "pool-flush",	KZT_CMD_POOL_FLUSH },
};

static const struct {
	const char *name;
	uint16_t flag;
} nlm_flags[] = {
	{ "request",	NLM_F_REQUEST },
	{ "multi",	NLM_F_MULTI },
	{ "ack",	NLM_F_ACK },
	{ "echo",	NLM_F_ECHO },
	{ "root",	NLM_F_ROOT },
	{ "match",	NLM_F_MATCH },
	{ "atomic",	NLM_F_ATOMIC },
	{ "dump",	NLM_F_DUMP },
	{ "replace",	NLM_F_REPLACE },
	{ "excl",	NLM_F_EXCL },
	{ "create",	NLM_F_CREATE },
	{ "append",	NLM_F_APPEND },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options] CMD [ATTR_ID:TYPE[=VALUE] | end ...]\n"
		"\n"
		"Send one request to the kzt genl family; print the kernel's answer.\n"
		"\n"
		"  CMD      a number, or a command name of the uapi header in lower\n"
		"           case with '-' (config-get, workload-add, txn-begin, ...)\n"
		"  ATTR_ID  attribute type, 0..65535 (flag bits included as given)\n"
		"  TYPE     u8|u16|u32|u64 (decimal or 0x hex), str (NUL-terminated),\n"
		"           nstr (no NUL), bin (hex bytes, may be empty), flag (no value),\n"
		"           ip (an IPv4 or IPv6 address as 16 bytes, IPv4 mapped),\n"
		"           nest (no value: the attributes up to the matching 'end'\n"
		"           go inside it)\n"
		"\n"
		"Options:\n"
		"  --flags F[,F...]   netlink flags: request,ack,dump,root,match,atomic,\n"
		"                     echo,multi,replace,excl,create,append or a number\n"
		"                     (default request,ack)\n"
		"  --genl-version N   genl header version (default %d)\n"
		"  --family NAME      genl family (default %s)\n"
		"  --timeout MS       how long to wait for an answer (default 1000);\n"
		"                     without the ack flag, silence means ok\n"
		"  --replies          print each reply message after the result line\n"
		"  --hold MS          keep the socket open MS milliseconds after the\n"
		"                     answer (what the kernel ties to the socket, a\n"
		"                     transaction, lives that long)\n"
		"  -h, --help         print this help\n"
		"\n"
		"Output, one line: 'ok' or 'errno=NAME (N)' followed by extack=\"...\",\n"
		"bad_attr_offset=, bad_attr=, missing_type=, missing_nest=, policy_min=,\n"
		"policy_max= when the kernel said them. Exit 0 when that line was\n"
		"printed; 1 on bad usage or a local failure; 3 if the family is missing.\n",
		prog, KZT_GENL_VERSION, KZT_GENL_NAME);
}

static int parse_number(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
		if (!s[2] || s[2] == '-' || s[2] == '+')
			return EINVAL;
		errno = 0;
		*v = strtoull(s + 2, &end, 16);
		if (*end || errno == ERANGE)
			return *end ? EINVAL : ERANGE;
		return *v > max ? ERANGE : 0;
	}
	return kzt_parse_uint(s, max, v);
}

static int parse_flags(const char *arg, uint16_t *flags)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	uint64_t v;
	int ret = 0;

	if (!copy)
		return ENOMEM;
	*flags = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(nlm_flags) / sizeof(nlm_flags[0]); i++)
			if (!strcmp(tok, nlm_flags[i].name))
				break;
		if (i < sizeof(nlm_flags) / sizeof(nlm_flags[0])) {
			*flags |= nlm_flags[i].flag;
		} else if (!parse_number(tok, UINT16_MAX, &v)) {
			*flags |= v;
		} else {
			fprintf(stderr, "%s: unknown flag '%s'\n", prog, tok);
			ret = EINVAL;
			break;
		}
	}
	free(copy);
	return ret;
}

static int parse_cmd(const char *arg, uint8_t *cmd)
{
	uint64_t v;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(arg, commands[i].name)) {
			*cmd = commands[i].cmd;
			return 0;
		}
	}
	if (parse_number(arg, UINT8_MAX, &v))
		return EINVAL;
	*cmd = v;
	return 0;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append one "ID:TYPE[=VALUE]" attribute to @msg. */
static int put_attr(struct nl_msg *msg, const char *spec)
{
	static const struct {
		const char *name;
		size_t size;
	} ints[] = { { "u8", 1 }, { "u16", 2 }, { "u32", 4 }, { "u64", 8 } };
	char *copy = strdup(spec), *colon, *type, *eq, *value = NULL;
	unsigned char bin[4096];
	uint64_t id, v;
	int ret = EINVAL;

	if (!copy)
		return ENOMEM;
	colon = strchr(copy, ':');
	if (!colon)
		goto bad;
	*colon = '\0';
	type = colon + 1;
	eq = strchr(type, '=');
	if (eq) {
		*eq = '\0';
		value = eq + 1;
	}
	if (parse_number(copy, UINT16_MAX, &id))
		goto bad;

	if (!strcmp(type, "flag")) {
		if (value)
			goto bad;
		ret = nla_put(msg, id, 0, NULL);
		goto put;
	}
	if (!value)
		goto bad;
	if (!strcmp(type, "ip")) {
		struct in6_addr a6;
		struct in_addr a4;

		if (inet_pton(AF_INET, value, &a4) == 1) {
			memset(&a6, 0, sizeof(a6));
			a6.s6_addr[10] = a6.s6_addr[11] = 0xff;
			memcpy(&a6.s6_addr[12], &a4, 4);
		} else if (inet_pton(AF_INET6, value, &a6) != 1) {
			goto bad;
		}
		ret = nla_put(msg, id, sizeof(a6), &a6);
		goto put;
	}
	if (!strcmp(type, "str")) {
		ret = nla_put(msg, id, strlen(value) + 1, value);
		goto put;
	}
	if (!strcmp(type, "nstr")) {
		ret = nla_put(msg, id, strlen(value), value);
		goto put;
	}
	if (!strcmp(type, "bin")) {
		size_t n = strlen(value);

		if (n % 2 || n / 2 > sizeof(bin))
			goto bad;
		for (size_t i = 0; i < n / 2; i++) {
			int hi = hex_nibble(value[2 * i]);
			int lo = hex_nibble(value[2 * i + 1]);

			if (hi < 0 || lo < 0)
				goto bad;
			bin[i] = hi << 4 | lo;
		}
		ret = nla_put(msg, id, n / 2, bin);
		goto put;
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint64_t max = ints[i].size == 8 ? UINT64_MAX :
			       (1ULL << (8 * ints[i].size)) - 1;

		if (strcmp(type, ints[i].name))
			continue;
		if (parse_number(value, max, &v))
			goto bad;
		switch (ints[i].size) {
		case 1:
			u8 = v;
			ret = nla_put(msg, id, 1, &u8);
			break;
		case 2:
			u16 = v;
			ret = nla_put(msg, id, 2, &u16);
			break;
		case 4:
			u32 = v;
			ret = nla_put(msg, id, 4, &u32);
			break;
		default:
			ret = nla_put(msg, id, 8, &v);
			break;
		}
		goto put;
	}
bad:
	fprintf(stderr, "%s: bad attribute '%s' (want ID:TYPE=VALUE, see --help)\n",
		prog, spec);
	free(copy);
	return EINVAL;
put:
	free(copy);
	if (ret < 0) {
		fprintf(stderr, "%s: attribute '%s' does not fit\n", prog, spec);
		return EMSGSIZE;
	}
	return 0;
}

/*
 * Put every attribute of @args into @msg; "ID:nest" opens a nest that the
 * matching "end" closes. An empty nest is sent as it is (libnl's
 * nla_nest_end() would drop it): an empty rule or clause means something.
 */
static int put_attrs(struct nl_msg *msg, int n, char *args[])
{
	struct nlattr *open[16];
	unsigned int depth = 0;
	size_t len;
	uint64_t id;

	for (int i = 0; i < n; i++) {
		const char *a = args[i];

		len = strlen(a);
		if (!strcmp(a, "end")) {
			if (!depth) {
				fprintf(stderr, "%s: 'end' without a nest\n", prog);
				return EINVAL;
			}
			nla_nest_end_keep_empty(msg, open[--depth]);
			continue;
		}
		if (len > 5 && !strcmp(a + len - 5, ":nest")) {
			char idtext[8];

			if (len - 5 >= sizeof(idtext) || depth == 16) {
				fprintf(stderr, "%s: bad nest '%s'\n", prog, a);
				return EINVAL;
			}
			memcpy(idtext, a, len - 5);
			idtext[len - 5] = '\0';
			if (parse_number(idtext, UINT16_MAX, &id)) {
				fprintf(stderr, "%s: bad nest '%s'\n", prog, a);
				return EINVAL;
			}
			open[depth] = nla_nest_start(msg, id | NLA_F_NESTED);
			if (!open[depth++])
				return EMSGSIZE;
			continue;
		}
		if (put_attr(msg, a))
			return EINVAL;
	}
	if (depth) {
		fprintf(stderr, "%s: a nest lacks its 'end'\n", prog);
		return EINVAL;
	}
	return 0;
}

/* Replies are kept and printed after the result line. */
struct replies {
	char *text;
	size_t len;
	FILE *f;
};

static int on_reply(struct nlmsghdr *nlh, void *arg)
{
	struct replies *r = arg;
	struct genlmsghdr *ghdr = nlmsg_data(nlh);
	struct nlattr *nla;
	int rem;

	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return 0;
	fprintf(r->f, "reply cmd=%u", ghdr->cmd);
	nla_for_each_attr(nla, genlmsg_attrdata(ghdr, 0),
			  genlmsg_attrlen(ghdr, 0), rem) {
		const unsigned char *p = nla_data(nla);

		fprintf(r->f, " %u:", nla->nla_type);
		for (int i = 0; i < nla_len(nla); i++)
			fprintf(r->f, "%02x", p[i]);
	}
	fputc('\n', r->f);
	return 0;
}

/* extack text between quotes, with '"' and '\' escaped. */
static void print_quoted(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void print_result(int ret, const struct kzt_nl_err *err)
{
	const char *name = ret ? strerrorname_np(ret) : NULL;

	if (!ret)
		printf("ok");
	else
		printf("errno=%s (%d)", name ? name : "?", ret);
	if (err->msg[0]) {
		printf(" extack=");
		print_quoted(err->msg);
	}
	if (err->has_offs)
		printf(" bad_attr_offset=%u", err->offs);
	if (err->bad_attr >= 0)
		printf(" bad_attr=%d", err->bad_attr);
	if (err->has_miss_type)
		printf(" missing_type=%u", err->miss_type);
	if (err->has_miss_nest)
		printf(" missing_nest=%u", err->miss_nest);
	if (err->has_range && err->range_signed)
		printf(" policy_min=%lld policy_max=%lld",
		       (long long)err->min_s, (long long)err->max_s);
	else if (err->has_range)
		printf(" policy_min=%llu policy_max=%llu",
		       (unsigned long long)err->min_u,
		       (unsigned long long)err->max_u);
	if (err->has_len)
		printf(" policy_min_len=%u policy_max_len=%u", err->min_len,
		       err->max_len);
	putchar('\n');
}

enum { OPT_FLAGS = 256, OPT_GENL_VERSION, OPT_FAMILY, OPT_TIMEOUT,
       OPT_REPLIES, OPT_HOLD };

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "flags",		required_argument,	NULL, OPT_FLAGS },
		{ "genl-version",	required_argument,	NULL, OPT_GENL_VERSION },
		{ "family",		required_argument,	NULL, OPT_FAMILY },
		{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
		{ "replies",		no_argument,		NULL, OPT_REPLIES },
		{ "hold",		required_argument,	NULL, OPT_HOLD },
		{ "help",		no_argument,		NULL, 'h' },
		{ NULL,			0,			NULL, 0 },
	};
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	const char *family = KZT_GENL_NAME;
	struct replies replies = { 0 };
	bool show_replies = false;
	uint64_t version = KZT_GENL_VERSION, timeout = 1000, hold = 0;
	struct kzt_nl_family fam;
	struct kzt_nl_err err;
	struct nl_msg *msg;
	struct kzt_nl *nl;
	uint8_t cmd;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_FLAGS:
			if (parse_flags(optarg, &flags))
				return 1;
			break;
		case OPT_GENL_VERSION:
			if (parse_number(optarg, UINT8_MAX, &version)) {
				fprintf(stderr, "%s: bad --genl-version '%s'\n", prog, optarg);
				return 1;
			}
			break;
		case OPT_FAMILY:
			family = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_number(optarg, 600000, &timeout)) {
				fprintf(stderr, "%s: bad --timeout '%s'\n", prog, optarg);
				return 1;
			}
			break;
		case OPT_REPLIES:
			show_replies = true;
			break;
		case OPT_HOLD:
			if (parse_number(optarg, 600000, &hold)) {
				fprintf(stderr, "%s: bad --hold '%s'\n", prog, optarg);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no command given\n", prog);
		usage(stderr);
		return 1;
	}
	if (parse_cmd(argv[optind], &cmd)) {
		fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[optind]);
		return 1;
	}

	ret = kzt_nl_open(&nl);
	if (ret) {
		fprintf(stderr, "%s: netlink socket: %s\n", prog, strerror(ret));
		return 1;
	}
	kzt_nl_set_timeout(nl, timeout);
	ret = kzt_nl_family_resolve(nl, family, &fam, &err);
	if (ret) {
		fprintf(stderr, "%s: family %s: %s\n", prog, family,
			ret == ENOENT ? "not found (module not loaded?)" :
			strerror(ret));
		kzt_nl_close(nl);
		return ret == ENOENT ? 3 : 1;
	}

	ret = kzt_nl_msg_new(&fam, cmd, version, flags, &msg);
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, strerror(ret));
		kzt_nl_close(nl);
		return 1;
	}
	if (put_attrs(msg, argc - optind - 1, argv + optind + 1)) {
		nlmsg_free(msg);
		kzt_nl_close(nl);
		return 1;
	}

	replies.f = open_memstream(&replies.text, &replies.len);
	if (!replies.f) {
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		return 1;
	}
	ret = kzt_nl_request(nl, msg, on_reply, &replies, &err);
	fclose(replies.f);
	nlmsg_free(msg);

	print_result(ret, &err);
	if (show_replies && replies.text)
		fputs(replies.text, stdout);
	free(replies.text);
	fflush(stdout);
	usleep(hold * 1000);
	kzt_nl_close(nl);
	return 0;
}
