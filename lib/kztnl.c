// SPDX-License-Identifier: GPL-2.0
/*
 * The kzt family from userspace: config get/set, its notifications, and
 * naming its attributes in error messages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/kzt.h>

#include "kztnl.h"

static const char *const kzt_config_attr_names[] = {
	[KZT_CONFIG_A_TUNNEL_PORT]	= "tunnel_port",
	[KZT_CONFIG_A_CAPTURE]		= "capture",
};

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
	const char *name = NULL;
	const char *what = "attribute";
	size_t pos;

	kzt_nl_err_str(err, buf, len);
	if (err->bad_attr > 0) {
		name = kzt_config_attr_name(err->bad_attr);
	} else if (err->has_miss_type && !err->has_miss_nest) {
		name = kzt_config_attr_name(err->miss_type);
		what = "missing attribute";
	}
	pos = strlen(buf);
	if (name && pos + 1 < len)
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
	return 0;
}

/**
 * kzt_config_str() - "tunnel_port=15008 capture=off", present fields only
 * @cfg: the configuration
 * @buf: where to write
 * @len: size of @buf
 *
 * @retval @buf ("(none)" when no field is present)
 */
const char *kzt_config_str(const struct kzt_config *cfg, char *buf, size_t len)
{
	const char *sep = "";
	size_t pos = 0;
	int n;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (cfg->has_tunnel_port) {
		n = snprintf(buf, len, "tunnel_port=%u", cfg->tunnel_port);
		pos = n < 0 ? 0 : (size_t)n;
		sep = " ";
	}
	if (cfg->has_capture && pos < len)
		snprintf(buf + pos, len - pos, "%scapture=%s", sep,
			 cfg->capture ? "on" : "off");
	if (!buf[0])
		snprintf(buf, len, "(none)");
	return buf;
}

static int config_get_reply(struct nlmsghdr *nlh, void *arg)
{
	struct genlmsghdr *ghdr = nlmsg_data(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    ghdr->cmd != KZT_CMD_CONFIG_GET)
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

	if (!cfg->has_tunnel_port && !cfg->has_capture) {
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
	     nla_put_u8(msg, KZT_CONFIG_A_CAPTURE, cfg->capture) < 0)) {
		nlmsg_free(msg);
		kzt_nl_err_set(err, ENOMEM);
		return ENOMEM;
	}
	ret = kzt_nl_request(c->nl, msg, NULL, NULL, err);
	nlmsg_free(msg);
	return ret;
}
