/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kzt: sidecarless service-mesh data plane - generic netlink interface.
 *
 * Family "kzt", version KZT_GENL_VERSION. The family is per network
 * namespace (netnsok): each node netns has its own state, and a command acts
 * on the netns of the socket that sends it. Every command needs
 * CAP_NET_ADMIN in the initial user namespace (GENL_ADMIN_PERM). Errors come
 * back as a negative errno with an extended ack message naming the field at
 * fault; unknown attributes are rejected (strict validation).
 *
 * This header and Documentation/netlink/specs/kzt.yaml describe the same
 * family; tests/spec/check-spec.py fails when they disagree.
 *
 * KZT_CMD_CONFIG_GET - read the node configuration of the caller's netns.
 *   request:  (no attributes)
 *   reply:    KZT_CMD_CONFIG_GET
 *               KZT_CONFIG_A_TUNNEL_PORT   u16
 *               KZT_CONFIG_A_CAPTURE       u8
 *
 * KZT_CMD_CONFIG_SET - change the node configuration. Every attribute is
 *   optional, at least one must be given; an attribute left out keeps its
 *   value. Either the whole request is applied or nothing is.
 *   request:  KZT_CMD_CONFIG_SET
 *               KZT_CONFIG_A_TUNNEL_PORT   u16, 1..65535; the TCP port of
 *                                          this node's tunnel listener
 *                                          (default KZT_DEFAULT_TUNNEL_PORT)
 *               KZT_CONFIG_A_CAPTURE       u8, 0 or 1; whether kzt captures
 *                                          the TCP flows of enrolled
 *                                          workloads (default 0)
 *   reply:    none (ack)
 *
 * KZT_CMD_CONFIG_NTF - multicast on group KZT_MCGRP_CONFIG after every
 *   successful KZT_CMD_CONFIG_SET, with the full new configuration (same
 *   attributes as the KZT_CMD_CONFIG_GET reply). Subscribing to the group
 *   needs CAP_NET_ADMIN over the netns.
 */
#ifndef _UAPI_LINUX_KZT_H
#define _UAPI_LINUX_KZT_H

#define KZT_GENL_NAME		"kzt"
#define KZT_GENL_VERSION	1

#define KZT_MCGRP_CONFIG	"config"

#define KZT_DEFAULT_TUNNEL_PORT	15008

enum kzt_cmd {
	KZT_CMD_UNSPEC,
	KZT_CMD_CONFIG_GET,
	KZT_CMD_CONFIG_SET,
	KZT_CMD_CONFIG_NTF,

	__KZT_CMD_MAX
};

#define KZT_CMD_MAX (__KZT_CMD_MAX - 1)

enum kzt_config_attr {
	KZT_CONFIG_A_UNSPEC,
	KZT_CONFIG_A_TUNNEL_PORT,
	KZT_CONFIG_A_CAPTURE,

	__KZT_CONFIG_A_MAX
};

#define KZT_CONFIG_A_MAX (__KZT_CONFIG_A_MAX - 1)

#endif /* _UAPI_LINUX_KZT_H */
