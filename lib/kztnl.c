// SPDX-License-Identifier: GPL-2.0
/*
 * The kzt family from userspace: the client, config get/set and its
 * notifications, what the other kztnl_*.c files share (requests, dumps
 * that restart when interrupted), and naming attributes in error
 * messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kztnl_priv.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kzt_config_attr_names[] = {
	[KZT_CONFIG_A_TUNNEL_PORT]	= "tunnel_port",
	[KZT_CONFIG_A_CAPTURE]		= "capture",
	[KZT_CONFIG_A_TRUST_DOMAIN]	= "trust_domain",
	[KZT_CONFIG_A_NONMESH]		= "nonmesh",
	[KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS] = "handshake_timeout_ms",
	[KZT_CONFIG_A_IDLE_TIMEOUT_S]	= "idle_timeout_s",
	[KZT_CONFIG_A_KEEPALIVE_IDLE_S]	= "keepalive_idle_s",
	[KZT_CONFIG_A_KEEPALIVE_INTERVAL_S] = "keepalive_interval_s",
	[KZT_CONFIG_A_KEEPALIVE_PROBES]	= "keepalive_probes",
	[KZT_CONFIG_A_FLOW_STATS_INTERVAL_S] = "flow_stats_interval_s",
};

/* The attribute tree of each command, for naming a path in an error. */
struct attr_table {
	const char *const *names;
	unsigned int n;
	uint32_t repeated;			/* bit per type: print [index] */
	const struct attr_table *const *nests;	/* per type, or NULL */
};

static const char *const cidr_names[] = {
	[KZT_CIDR_A_ADDR]		= "address",
	[KZT_CIDR_A_PREFIX_LEN]		= "prefix_len",
};

static const struct attr_table cidr_table = {
	cidr_names, ARRAY_LEN(cidr_names), 0, NULL,
};

static const char *const rule_names[] = {
	[KZT_RULE_A_PRINCIPAL]		= "principal",
	[KZT_RULE_A_NOT_PRINCIPAL]	= "not_principal",
	[KZT_RULE_A_NAMESPACE]		= "namespace",
	[KZT_RULE_A_NOT_NAMESPACE]	= "not_namespace",
	[KZT_RULE_A_IP_BLOCK]		= "ip_block",
	[KZT_RULE_A_NOT_IP_BLOCK]	= "not_ip_block",
	[KZT_RULE_A_PORT]		= "port",
	[KZT_RULE_A_NOT_PORT]		= "not_port",
};

static const struct attr_table *const rule_nests[] = {
	[KZT_RULE_A_IP_BLOCK]		= &cidr_table,
	[KZT_RULE_A_NOT_IP_BLOCK]	= &cidr_table,
};

static const struct attr_table rule_table = {
	rule_names, ARRAY_LEN(rule_names), ~0U, rule_nests,
};

static const char *const policy_names[] = {
	[KZT_POLICY_A_NAME]		= "name",
	[KZT_POLICY_A_ACTION]		= "action",
	[KZT_POLICY_A_SCOPE]		= "scope",
	[KZT_POLICY_A_NAMESPACE]	= "namespace",
	[KZT_POLICY_A_SCOPE_ID]		= "scope_id",
	[KZT_POLICY_A_RULE]		= "rule",
	[KZT_POLICY_A_FLAGS]		= "flags",
	[KZT_POLICY_A_TXN]		= "txn",
};

static const struct attr_table *const policy_nests[KZT_POLICY_A_MAX + 1] = {
	[KZT_POLICY_A_RULE]		= &rule_table,
};

static const struct attr_table policy_table = {
	policy_names, ARRAY_LEN(policy_names),
	1U << KZT_POLICY_A_SCOPE_ID | 1U << KZT_POLICY_A_RULE, policy_nests,
};

static const char *const workload_names[] = {
	[KZT_WORKLOAD_A_ADDR]		= "address",
	[KZT_WORKLOAD_A_ID]		= "id",
	[KZT_WORKLOAD_A_PROTOCOL]	= "protocol",
	[KZT_WORKLOAD_A_NODE]		= "node",
	[KZT_WORKLOAD_A_IFINDEX]	= "ifindex",
	[KZT_WORKLOAD_A_FLAGS]		= "flags",
	[KZT_WORKLOAD_A_TXN]		= "txn",
};

static const char *const check_names[] = {
	[KZT_CHECK_A_SRC_ID]		= "src_id",
	[KZT_CHECK_A_SRC_ADDR]		= "src_addr",
	[KZT_CHECK_A_DST_ADDR]		= "dst_addr",
	[KZT_CHECK_A_DST_PORT]		= "dst_port",
	[KZT_CHECK_A_VERDICT]		= "verdict",
	[KZT_CHECK_A_REASON]		= "reason",
	[KZT_CHECK_A_POLICY]		= "policy",
	[KZT_CHECK_A_DST_ID]		= "dst_id",
};

static const char *const txn_names[] = {
	[KZT_TXN_A_ID]			= "id",
};

static const char *const hs_names[] = {
	[KZT_HS_A_ID]			= "id",
	[KZT_HS_A_FD]			= "fd",
	[KZT_HS_A_ROLE]			= "role",
	[KZT_HS_A_LOCAL_ID]		= "local_id",
	[KZT_HS_A_PEER_ID]		= "peer_id",
	[KZT_HS_A_DST_ADDR]		= "dst_addr",
	[KZT_HS_A_TIMEOUT_MS]		= "timeout_ms",
	[KZT_HS_A_STATUS]		= "status",
	[KZT_HS_A_CIPHER]		= "cipher",
	[KZT_HS_A_TX_KEY]		= "tx_key",
	[KZT_HS_A_TX_IV]		= "tx_iv",
	[KZT_HS_A_TX_SEQ]		= "tx_seq",
	[KZT_HS_A_RX_KEY]		= "rx_key",
	[KZT_HS_A_RX_IV]		= "rx_iv",
	[KZT_HS_A_RX_SEQ]		= "rx_seq",
	[KZT_HS_A_PROTO]		= "proto",
};

static const struct attr_table hs_table = {
	hs_names, ARRAY_LEN(hs_names), 0, NULL,
};
static const struct attr_table config_table = {
	kzt_config_attr_names, ARRAY_LEN(kzt_config_attr_names), 0, NULL,
};
static const struct attr_table workload_table = {
	workload_names, ARRAY_LEN(workload_names), 0, NULL,
};
static const struct attr_table check_table = {
	check_names, ARRAY_LEN(check_names), 0, NULL,
};
static const struct attr_table txn_table = {
	txn_names, ARRAY_LEN(txn_names), 0, NULL,
};

/* An error from before commands were recorded is a config one. */
static const struct attr_table *cmd_table(uint8_t cmd)
{
	switch (cmd) {
	case KZT_CMD_WORKLOAD_ADD:
	case KZT_CMD_WORKLOAD_DEL:
	case KZT_CMD_WORKLOAD_GET:
		return &workload_table;
	case KZT_CMD_POLICY_ADD:
	case KZT_CMD_POLICY_DEL:
	case KZT_CMD_POLICY_GET:
		return &policy_table;
	case KZT_CMD_POLICY_CHECK:
		return &check_table;
	case KZT_CMD_TXN_BEGIN:
	case KZT_CMD_TXN_COMMIT:
	case KZT_CMD_TXN_ABORT:
		return &txn_table;
	case KZT_CMD_HANDSHAKE_ACCEPT:
	case KZT_CMD_HANDSHAKE_DONE:
		return &hs_table;
	default:
		return &config_table;
	}
}

/*
 * "rule[1].ip_block[0].prefix_len" for @path in @t, plus @missing (a type
 * inside the last nest of @path) when it is not negative. False when a
 * step has no name here (a newer module): the caller then says nothing.
 */
static bool attr_path_str(const struct attr_table *t,
			  const struct kzt_nl_attr_pos *path,
			  unsigned int depth, long missing,
			  char *buf, size_t len)
{
	size_t pos = 0;
	int n;

	buf[0] = '\0';
	for (unsigned int i = 0; i <= depth; i++) {
		unsigned int type;
		bool repeated;

		if (i == depth && missing < 0)
			break;
		type = i < depth ? path[i].type : (unsigned int)missing;
		if (!t || type == 0 || type >= t->n || !t->names[type])
			return false;
		repeated = i < depth && type < 32 && (t->repeated & (1U << type));
		if (repeated)
			n = snprintf(buf + pos, len - pos, "%s%s[%u]",
				     pos ? "." : "", t->names[type],
				     path[i].index);
		else
			n = snprintf(buf + pos, len - pos, "%s%s",
				     pos ? "." : "", t->names[type]);
		if (n < 0 || (size_t)n >= len - pos)
			return false;
		pos += n;
		t = t->nests ? t->nests[type] : NULL;
	}
	return pos > 0;
}

/**
 * kzt_config_attr_name() - the name of a KZT_CONFIG_A_* attribute
 * @type: attribute type
 *
 * @retval its name, as used in kztd.conf and kztctl's JSON
 * @retval NULL for a type this program does not know
 */
const char *kzt_config_attr_name(int type)
{
	if (type <= 0 ||
	    type >= (int)(sizeof(kzt_config_attr_names) /
			  sizeof(kzt_config_attr_names[0])))
		return NULL;
	return kzt_config_attr_names[type];
}

/**
 * kzt_err_str() - kzt_nl_err_str() with kzt's attribute names added
 * @err: the error of a kzt config request
 * @buf: where to write
 * @len: size of @buf
 *
 * @retval @buf
 */
const char *kzt_err_str(const struct kzt_nl_err *err, char *buf, size_t len)
{
	const struct attr_table *t = cmd_table(err->cmd);
	struct kzt_nl_attr_pos top;
	const char *what = NULL;
	char name[128];
	size_t pos;

	kzt_nl_err_str(err, buf, len);
	if (err->depth) {
		if (attr_path_str(t, err->path, err->depth, -1, name, sizeof(name)))
			what = "attribute";
	} else if (err->bad_attr > 0) {
		top.type = err->bad_attr;
		top.index = 0;
		if (attr_path_str(t, &top, 1, -1, name, sizeof(name)))
			what = "attribute";
	} else if (err->has_miss_type && !err->has_miss_nest) {
		if (attr_path_str(t, NULL, 0, err->miss_type, name, sizeof(name)))
			what = "missing attribute";
	} else if (err->has_miss_type && err->miss_depth) {
		if (attr_path_str(t, err->miss_path, err->miss_depth,
				  err->miss_type, name, sizeof(name)))
			what = "missing attribute";
	}
	pos = strlen(buf);
	if (what && pos + 1 < len)
		snprintf(buf + pos, len - pos, " [%s %s]", what, name);
	return buf;
}

/**
 * kzt_client_open() - open a request socket and find the kzt family
 * @c:   filled; close with kzt_client_close()
 * @err: the kernel's answer; may be NULL
 *
 * @retval 0      ready
 * @retval ENOENT the kzt module is not loaded in this kernel
 * @retval other  errno from the socket or the kernel
 */
int kzt_client_open(struct kzt_client *c, struct kzt_nl_err *err)
{
	int ret;

	memset(c, 0, sizeof(*c));
	ret = kzt_nl_open(&c->nl);
	if (ret) {
		kzt_nl_err_set(err, ret);
		return ret;
	}
	ret = kzt_nl_family_resolve(c->nl, KZT_GENL_NAME, &c->family, err);
	if (ret) {
		kzt_nl_close(c->nl);
		c->nl = NULL;
	}
	return ret;
}

void kzt_client_close(struct kzt_client *c)
{
	kzt_nl_close(c->nl);
	c->nl = NULL;
}

/**
 * kzt_config_from_msg() - read a CONFIG_GET reply or a CONFIG_NTF
 * @nlh: the message (kzt family)
 * @cfg: filled; has_ flags say which attributes were present
 *
 * Attributes this program does not know are skipped, so that a newer
 * module can add some.
 *
 * @retval 0       @cfg is filled
 * @retval EBADMSG the message is malformed or an attribute has a wrong size
 */
int kzt_config_from_msg(struct nlmsghdr *nlh, struct kzt_config *cfg)
{
	static struct nla_policy policy[KZT_CONFIG_A_MAX + 1] = {
		[KZT_CONFIG_A_TUNNEL_PORT]	= { .type = NLA_U16,
						    .minlen = 2, .maxlen = 2 },
		[KZT_CONFIG_A_CAPTURE]		= { .type = NLA_U8,
						    .minlen = 1, .maxlen = 1 },
		[KZT_CONFIG_A_TRUST_DOMAIN]	= { .type = NLA_STRING,
						    .maxlen = KZT_TRUST_DOMAIN_MAX + 1 },
		[KZT_CONFIG_A_NONMESH]		= { .type = NLA_U8,
						    .minlen = 1, .maxlen = 1 },
		[KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS] = { .type = NLA_U32,
						    .minlen = 4, .maxlen = 4 },
		[KZT_CONFIG_A_IDLE_TIMEOUT_S]	= { .type = NLA_U32,
						    .minlen = 4, .maxlen = 4 },
		[KZT_CONFIG_A_KEEPALIVE_IDLE_S]	= { .type = NLA_U32,
						    .minlen = 4, .maxlen = 4 },
		[KZT_CONFIG_A_KEEPALIVE_INTERVAL_S] = { .type = NLA_U32,
						    .minlen = 4, .maxlen = 4 },
		[KZT_CONFIG_A_KEEPALIVE_PROBES]	= { .type = NLA_U8,
						    .minlen = 1, .maxlen = 1 },
		[KZT_CONFIG_A_FLOW_STATS_INTERVAL_S] = { .type = NLA_U32,
						    .minlen = 4, .maxlen = 4 },
	};
	struct nlattr *tb[KZT_CONFIG_A_MAX + 1];

	memset(cfg, 0, sizeof(*cfg));
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    genlmsg_parse(nlh, 0, tb, KZT_CONFIG_A_MAX, policy) < 0)
		return EBADMSG;

	if (tb[KZT_CONFIG_A_TUNNEL_PORT]) {
		cfg->has_tunnel_port = true;
		cfg->tunnel_port = nla_get_u16(tb[KZT_CONFIG_A_TUNNEL_PORT]);
	}
	if (tb[KZT_CONFIG_A_CAPTURE]) {
		cfg->has_capture = true;
		cfg->capture = nla_get_u8(tb[KZT_CONFIG_A_CAPTURE]);
	}
	if (tb[KZT_CONFIG_A_TRUST_DOMAIN]) {
		cfg->has_trust_domain = true;
		nla_strlcpy(cfg->trust_domain, tb[KZT_CONFIG_A_TRUST_DOMAIN],
			    sizeof(cfg->trust_domain));
	}
	if (tb[KZT_CONFIG_A_NONMESH]) {
		cfg->has_nonmesh = true;
		cfg->nonmesh = nla_get_u8(tb[KZT_CONFIG_A_NONMESH]);
	}
	if (tb[KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS]) {
		cfg->has_handshake_timeout_ms = true;
		cfg->handshake_timeout_ms =
			nla_get_u32(tb[KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS]);
	}
	if (tb[KZT_CONFIG_A_IDLE_TIMEOUT_S]) {
		cfg->has_idle_timeout_s = true;
		cfg->idle_timeout_s = nla_get_u32(tb[KZT_CONFIG_A_IDLE_TIMEOUT_S]);
	}
	if (tb[KZT_CONFIG_A_KEEPALIVE_IDLE_S]) {
		cfg->has_keepalive_idle_s = true;
		cfg->keepalive_idle_s =
			nla_get_u32(tb[KZT_CONFIG_A_KEEPALIVE_IDLE_S]);
	}
	if (tb[KZT_CONFIG_A_KEEPALIVE_INTERVAL_S]) {
		cfg->has_keepalive_interval_s = true;
		cfg->keepalive_interval_s =
			nla_get_u32(tb[KZT_CONFIG_A_KEEPALIVE_INTERVAL_S]);
	}
	if (tb[KZT_CONFIG_A_KEEPALIVE_PROBES]) {
		cfg->has_keepalive_probes = true;
		cfg->keepalive_probes =
			nla_get_u8(tb[KZT_CONFIG_A_KEEPALIVE_PROBES]);
	}
	if (tb[KZT_CONFIG_A_FLOW_STATS_INTERVAL_S]) {
		cfg->has_flow_stats_interval_s = true;
		cfg->flow_stats_interval_s =
			nla_get_u32(tb[KZT_CONFIG_A_FLOW_STATS_INTERVAL_S]);
	}
	return 0;
}

/* Append " key=value" (no blank before the first) to @buf at *@pos. */
static void str_add(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void str_add(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	if (*pos) {
		n = snprintf(buf + *pos, len - *pos, " ");
		*pos += n < 0 ? 0 : (size_t)n;
		if (*pos >= len)
			return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	*pos += n < 0 ? 0 : (size_t)n;
}

/**
 * kzt_config_str() - "tunnel_port=15008 capture=off trust_domain=cluster.local
 *                    nonmesh=deny handshake_timeout_ms=10000
 *                    idle_timeout_s=0 keepalive_idle_s=180
 *                    keepalive_interval_s=180 keepalive_probes=9
 *                    flow_stats_interval_s=15", present fields only
 * @cfg: the configuration
 * @buf: where to write
 * @len: size of @buf
 *
 * @retval @buf ("(none)" when no field is present)
 */
const char *kzt_config_str(const struct kzt_config *cfg, char *buf, size_t len)
{
	size_t pos = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (cfg->has_tunnel_port)
		str_add(buf, len, &pos, "tunnel_port=%u", cfg->tunnel_port);
	if (cfg->has_capture)
		str_add(buf, len, &pos, "capture=%s", cfg->capture ? "on" : "off");
	if (cfg->has_trust_domain)
		str_add(buf, len, &pos, "trust_domain=%s", cfg->trust_domain);
	if (cfg->has_nonmesh)
		str_add(buf, len, &pos, "nonmesh=%s",
			kzt_nonmesh_name(cfg->nonmesh));
	if (cfg->has_handshake_timeout_ms)
		str_add(buf, len, &pos, "handshake_timeout_ms=%u",
			cfg->handshake_timeout_ms);
	if (cfg->has_idle_timeout_s)
		str_add(buf, len, &pos, "idle_timeout_s=%u", cfg->idle_timeout_s);
	if (cfg->has_keepalive_idle_s)
		str_add(buf, len, &pos, "keepalive_idle_s=%u",
			cfg->keepalive_idle_s);
	if (cfg->has_keepalive_interval_s)
		str_add(buf, len, &pos, "keepalive_interval_s=%u",
			cfg->keepalive_interval_s);
	if (cfg->has_keepalive_probes)
		str_add(buf, len, &pos, "keepalive_probes=%u",
			cfg->keepalive_probes);
	if (cfg->has_flow_stats_interval_s)
		str_add(buf, len, &pos, "flow_stats_interval_s=%u",
			cfg->flow_stats_interval_s);
	if (!buf[0])
		snprintf(buf, len, "(none)");
	return buf;
}

static int config_get_reply(struct nlmsghdr *nlh, void *arg)
{
	if (!kztnl_reply_is(nlh, KZT_CMD_CONFIG_GET))
		return EBADMSG;
	return kzt_config_from_msg(nlh, arg);
}

/**
 * kzt_config_get() - read the configuration of the caller's netns
 * @c:   an open client
 * @cfg: filled
 * @err: the kernel's answer; may be NULL
 *
 * @retval 0       @cfg is filled
 * @retval EPERM   the caller lacks CAP_NET_ADMIN
 * @retval EBADMSG the reply was malformed or missing
 * @retval other   errno from the kernel or the socket
 */
int kzt_config_get(struct kzt_client *c, struct kzt_config *cfg,
		   struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = kzt_nl_msg_new(&c->family, KZT_CMD_CONFIG_GET, KZT_GENL_VERSION,
			     NLM_F_REQUEST | NLM_F_ACK, &msg);
	if (ret) {
		kzt_nl_err_set(err, ret);
		return ret;
	}
	ret = kzt_nl_request(c->nl, msg, config_get_reply, cfg, err);
	nlmsg_free(msg);
	if (!ret && !cfg->has_tunnel_port && !cfg->has_capture) {
		ret = EBADMSG;	/* acked, but no reply came */
		kzt_nl_err_set(err, ret);
	}
	return ret;
}

/**
 * kzt_config_any() - whether @cfg has a field to set
 * @cfg: the fields (has_ flags)
 *
 * @retval true at least one has_ flag is set
 */
bool kzt_config_any(const struct kzt_config *cfg)
{
	return cfg->has_tunnel_port || cfg->has_capture ||
	       cfg->has_trust_domain || cfg->has_nonmesh ||
	       cfg->has_handshake_timeout_ms || cfg->has_idle_timeout_s ||
	       cfg->has_keepalive_idle_s || cfg->has_keepalive_interval_s ||
	       cfg->has_keepalive_probes || cfg->has_flow_stats_interval_s;
}

/**
 * kzt_config_set() - change the configuration of the caller's netns
 * @c:   an open client
 * @cfg: the fields to change (has_ flags); the others keep their value
 * @err: the kernel's answer; may be NULL
 *
 * The kernel applies all of the fields or none.
 *
 * @retval 0      applied
 * @retval EINVAL no field given, or the kernel rejected a value (extack
 *                in @err)
 * @retval EPERM  the caller lacks CAP_NET_ADMIN
 * @retval other  errno from the kernel or the socket
 */
int kzt_config_set(struct kzt_client *c, const struct kzt_config *cfg,
		   struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	if (!kzt_config_any(cfg)) {
		kzt_nl_err_set(err, EINVAL);
		return EINVAL;
	}
	ret = kzt_nl_msg_new(&c->family, KZT_CMD_CONFIG_SET, KZT_GENL_VERSION,
			     NLM_F_REQUEST | NLM_F_ACK, &msg);
	if (ret) {
		kzt_nl_err_set(err, ret);
		return ret;
	}
	if ((cfg->has_tunnel_port &&
	     nla_put_u16(msg, KZT_CONFIG_A_TUNNEL_PORT, cfg->tunnel_port) < 0) ||
	    (cfg->has_capture &&
	     nla_put_u8(msg, KZT_CONFIG_A_CAPTURE, cfg->capture) < 0) ||
	    (cfg->has_trust_domain &&
	     nla_put_string(msg, KZT_CONFIG_A_TRUST_DOMAIN,
			    cfg->trust_domain) < 0) ||
	    (cfg->has_nonmesh &&
	     nla_put_u8(msg, KZT_CONFIG_A_NONMESH, cfg->nonmesh) < 0) ||
	    (cfg->has_handshake_timeout_ms &&
	     nla_put_u32(msg, KZT_CONFIG_A_HANDSHAKE_TIMEOUT_MS,
			 cfg->handshake_timeout_ms) < 0) ||
	    (cfg->has_idle_timeout_s &&
	     nla_put_u32(msg, KZT_CONFIG_A_IDLE_TIMEOUT_S,
			 cfg->idle_timeout_s) < 0) ||
	    (cfg->has_keepalive_idle_s &&
	     nla_put_u32(msg, KZT_CONFIG_A_KEEPALIVE_IDLE_S,
			 cfg->keepalive_idle_s) < 0) ||
	    (cfg->has_keepalive_interval_s &&
	     nla_put_u32(msg, KZT_CONFIG_A_KEEPALIVE_INTERVAL_S,
			 cfg->keepalive_interval_s) < 0) ||
	    (cfg->has_keepalive_probes &&
	     nla_put_u8(msg, KZT_CONFIG_A_KEEPALIVE_PROBES,
			cfg->keepalive_probes) < 0) ||
	    (cfg->has_flow_stats_interval_s &&
	     nla_put_u32(msg, KZT_CONFIG_A_FLOW_STATS_INTERVAL_S,
			 cfg->flow_stats_interval_s) < 0)) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, ENOMEM);
		return ENOMEM;
	}
	ret = kzt_nl_request(c->nl, msg, NULL, NULL, err);
	nlmsg_free(msg);
	return ret;
}

/* kztnl_*.c helpers. Each fills @err on failure, as the public calls do. */

int kztnl_msg_new(struct kzt_client *c, uint8_t cmd, uint16_t flags,
		  struct nl_msg **msgp, struct kzt_nl_err *err)
{
	int ret = kzt_nl_msg_new(&c->family, cmd, KZT_GENL_VERSION,
				 NLM_F_REQUEST | flags, msgp);

	if (ret)
		kzt_nl_err_set(err, ret);
	return ret;
}

/* Send @msg (freed here) and wait for its ack; replies go to @fn. */
int kztnl_send(struct kzt_client *c, struct nl_msg *msg, kzt_nl_reply_fn fn,
	       void *arg, struct kzt_nl_err *err)
{
	int ret = kzt_nl_request(c->nl, msg, fn, arg, err);

	nlmsg_free(msg);
	return ret;
}

/**
 * kztnl_dump() - dump a table, again from scratch when it was interrupted
 * @c:     an open client
 * @cmd:   the GET command to dump
 * @fn:    called for each object
 * @reset: empties @arg before each new try
 * @arg:   for @fn and @reset
 * @err:   the kernel's answer
 *
 * A dump flagged NLM_F_DUMP_INTR raced with a change and may show a mix of
 * the old and the new table; callers get a consistent view or an error.
 *
 * @retval 0      @fn has seen every object of one consistent view
 * @retval EAGAIN the table changed during each of KZT_DUMP_TRIES dumps
 * @retval other  errno from the kernel, @fn or the socket
 */
int kztnl_dump(struct kzt_client *c, uint8_t cmd, kzt_nl_reply_fn fn,
	       void (*reset)(void *arg), void *arg, struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret = EAGAIN;

	for (int try = 0; try < KZT_DUMP_TRIES; try++) {
		reset(arg);
		ret = kztnl_msg_new(c, cmd, NLM_F_DUMP, &msg, err);
		if (ret)
			return ret;
		ret = kztnl_send(c, msg, fn, arg, err);
		if (ret != EINTR)
			return ret;
	}
	reset(arg);
	kzt_nl_err_set(err, EAGAIN);
	if (err)
		snprintf(err->msg, sizeof(err->msg),
			 "the table changed during each of %d dumps",
			 KZT_DUMP_TRIES);
	return EAGAIN;
}

/* A reply of the kzt family to @cmd, with room for its genl header. */
bool kztnl_reply_is(struct nlmsghdr *nlh, uint8_t cmd)
{
	struct genlmsghdr *ghdr = nlmsg_data(nlh);

	return nlh->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN) && ghdr->cmd == cmd;
}

int kztnl_put_addr(struct nl_msg *msg, int type, const struct in6_addr *a)
{
	return nla_put(msg, type, sizeof(*a), a) < 0 ? EMSGSIZE : 0;
}

/* The FLAGS and TXN attributes of an ADD; none when @opts is NULL. */
int kztnl_put_opts(struct nl_msg *msg, int flags_type, uint32_t replace_flag,
		   int txn_type, const struct kzt_add_opts *opts)
{
	if (!opts)
		return 0;
	if (opts->replace && nla_put_u32(msg, flags_type, replace_flag) < 0)
		return EMSGSIZE;
	if (opts->in_txn && nla_put_u32(msg, txn_type, opts->txn) < 0)
		return EMSGSIZE;
	return 0;
}

/* A copy of a string attribute, NUL-terminated whatever the sender did. */
char *kztnl_strdup_attr(const struct nlattr *nla)
{
	const char *s = nla_data(nla);
	size_t len = nla_len(nla);

	return strndup(s, len);	/* stops at the sender's NUL */
}
