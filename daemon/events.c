// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel tells kztd without being asked: kzt's CONFIG_NTF on the
 * "config" group, HANDSHAKE_READY on the "handshake" group (handshake.c),
 * and nlctrl's family notifications, so that kztd follows
 * the kzt module being unloaded and loaded again (a module upgrade) instead
 * of talking to a family id that no longer exists.
 */
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/kzt.h>

#include "kztd.h"

/* Join kzt's "config" group of the family in d->client. */
static int subscribe_config(struct kztd *d)
{
	int ret;

	ret = kzt_nl_family_mcgrp(&d->client.family, KZT_MCGRP_CONFIG,
				  &d->config_group);
	if (ret) {
		log_err("the kzt module has no \"%s\" multicast group (kzt module and kztd do not match)",
			KZT_MCGRP_CONFIG);
		return ret;
	}
	ret = kzt_nl_subscribe(d->events, d->config_group);
	if (ret)
		log_err("Unable to listen to the kzt \"%s\" group: %s",
			KZT_MCGRP_CONFIG, strerror(ret));
	return ret;
}

/**
 * kztd_events_open() - listen to kzt's config changes and to nlctrl
 * @d: a daemon whose client found the kzt family
 *
 * @retval 0     listening
 * @retval other errno (logged)
 */
int kztd_events_open(struct kztd *d)
{
	struct kzt_nl_family ctrl;
	struct kzt_nl_err err;
	uint32_t notify;
	char buf[256];
	int ret;

	ret = kzt_nl_open(&d->events);
	if (ret) {
		log_err("Unable to open a netlink socket: %s", strerror(ret));
		return ret;
	}
	ret = kzt_nl_family_resolve(d->client.nl, "nlctrl", &ctrl, &err);
	if (!ret)
		ret = kzt_nl_family_mcgrp(&ctrl, "notify", &notify);
	if (!ret)
		ret = kzt_nl_subscribe(d->events, notify);
	if (ret) {
		log_err("Unable to listen to generic netlink family changes: %s",
			kzt_nl_err_str(&err, buf, sizeof(buf)));
		return ret;
	}
	return subscribe_config(d);
}

/* The kzt family is back (a new module): listen, apply the file again. */
static void kzt_family_new(struct kztd *d)
{
	struct kzt_nl_family fam;
	struct kzt_nl_err err;
	char buf[256];
	int ret;

	ret = kzt_nl_family_resolve(d->client.nl, KZT_GENL_NAME, &fam, &err);
	if (ret) {
		log_err("kzt module loaded, but Unable to open its family: %s",
			kzt_err_str(&err, buf, sizeof(buf)));
		return;
	}
	d->client.family = fam;
	if (subscribe_config(d))
		return;
	d->kzt_gone = false;
	log_info("kzt module loaded (family id %u version %u): applying %s",
		 fam.id, fam.version, d->conf_path);
	if (!kztd_conf_apply(d, &d->conf))
		kztd_config_log(d, "config");
	kztd_hs_subscribe(d);
	kztd_telemetry_open(d);
}

static void kzt_family_del(struct kztd *d)
{
	if (d->kzt_gone)
		return;
	d->kzt_gone = true;
	kzt_nl_unsubscribe(d->events, d->config_group);
	kztd_hs_unsubscribe(d);
	kztd_hs_stop(d, false);
	kztd_peers_close(d);	/* their flows went with the module */
	kztd_telemetry_close(d);
	log_warn("kzt module unloaded: waiting for it to be loaded again");
}

static void on_ctrl(struct kztd *d, struct nlmsghdr *nlh)
{
	static struct nla_policy policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_NAME] = { .type = NLA_STRING },
	};
	struct genlmsghdr *ghdr = nlmsg_data(nlh);
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	char name[GENL_NAMSIZ];

	if (ghdr->cmd != CTRL_CMD_NEWFAMILY && ghdr->cmd != CTRL_CMD_DELFAMILY)
		return;
	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, policy) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME])
		return;
	nla_strlcpy(name, tb[CTRL_ATTR_FAMILY_NAME], sizeof(name));
	if (strcmp(name, KZT_GENL_NAME))
		return;

	if (ghdr->cmd == CTRL_CMD_DELFAMILY)
		kzt_family_del(d);
	else
		kzt_family_new(d);
}

static void on_kzt(struct kztd *d, struct nlmsghdr *nlh)
{
	struct genlmsghdr *ghdr = nlmsg_data(nlh);
	struct kzt_config cfg;
	char buf[KZT_CONFIG_STR_LEN];

	if (ghdr->cmd == KZT_CMD_HANDSHAKE_READY) {
		kztd_hs_accept_all(d);
		return;
	}
	if (ghdr->cmd != KZT_CMD_CONFIG_NTF) {
		log_debug("ignoring kzt notification with command %u",
			  ghdr->cmd);
		return;
	}
	if (kzt_config_from_msg(nlh, &cfg)) {
		log_warn("malformed config notification from the kernel");
		return;
	}
	log_info("config changed: %s", kzt_config_str(&cfg, buf, sizeof(buf)));
	kztd_trust_domain_set(d, &cfg);
}

static void on_notification(struct nlmsghdr *nlh, void *arg)
{
	struct kztd *d = arg;

	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return;
	if (nlh->nlmsg_type == GENL_ID_CTRL)
		on_ctrl(d, nlh);
	else if (!d->kzt_gone && nlh->nlmsg_type == d->client.family.id)
		on_kzt(d, nlh);
}

/* After lost notifications: find out what they would have said. */
static void resync(struct kztd *d)
{
	struct kzt_nl_family fam;
	int ret;

	ret = kzt_nl_family_resolve(d->client.nl, KZT_GENL_NAME, &fam, NULL);
	if (ret == ENOENT) {
		kzt_family_del(d);
	} else if (!ret && (d->kzt_gone || fam.id != d->client.family.id)) {
		kzt_family_del(d);
		kzt_family_new(d);
	} else if (!ret) {
		kztd_config_log(d, "config now");
		kztd_hs_accept_all(d);	/* a READY may be among the lost */
	}
}

/**
 * kztd_events_read() - handle every queued notification
 * @d: the daemon
 *
 * @retval 0     all handled (or some were lost and that was dealt with)
 * @retval other errno of the socket (logged): the loop should stop
 */
int kztd_events_read(struct kztd *d)
{
	int ret;

	ret = kzt_nl_events_read(d->events, on_notification, d);
	if (ret == ENOBUFS) {
		log_warn("missed kernel notifications (receive queue full)");
		resync(d);
		return 0;
	}
	if (ret)
		log_err("Unable to read kernel notifications: %s", strerror(ret));
	return ret;
}
