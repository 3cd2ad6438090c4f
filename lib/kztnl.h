/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client of the "kzt" generic netlink family (include/uapi/linux/kzt.h),
 * shared by kztd and kztctl.
 */
#ifndef KZT_KZTNL_H
#define KZT_KZTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"

/* What kztctl and kztd say when the family "kzt" does not exist. */
#define KZT_MSG_NOT_LOADED "kzt module not loaded in this kernel (modprobe kzt)"

/*
 * The node configuration of one netns. In a CONFIG_SET request only the
 * fields whose has_ flag is set are sent; in a reply or notification the
 * has_ flags say which attributes the kernel included.
 */
struct kzt_config {
	bool has_tunnel_port;
	uint16_t tunnel_port;
	bool has_capture;
	bool capture;
};

/* A request socket bound to the kzt family. */
struct kzt_client {
	struct kzt_nl *nl;
	struct kzt_nl_family family;
};

int kzt_client_open(struct kzt_client *c, struct kzt_nl_err *err);
void kzt_client_close(struct kzt_client *c);

int kzt_config_get(struct kzt_client *c, struct kzt_config *cfg,
		   struct kzt_nl_err *err);
int kzt_config_set(struct kzt_client *c, const struct kzt_config *cfg,
		   struct kzt_nl_err *err);

int kzt_config_from_msg(struct nlmsghdr *nlh, struct kzt_config *cfg);
const char *kzt_config_str(const struct kzt_config *cfg, char *buf,
			   size_t len);
const char *kzt_config_attr_name(int type);
const char *kzt_err_str(const struct kzt_nl_err *err, char *buf, size_t len);

#endif /* KZT_KZTNL_H */
