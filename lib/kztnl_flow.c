// SPDX-License-Identifier: GPL-2.0
/*
 * The "flows" multicast group: KZT_CMD_FLOW_START, _STATS and _END, the
 * telemetry of the flows kzt carries (Documentation/telemetry.rst). Each
 * event is a flow in the attributes of KZT_CMD_CONN_GET.
 */
#include <errno.h>
#include <string.h>

#include "kztnl_priv.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const reason_names[__KZT_FLOW_REASON_MAX] = {
	[KZT_FLOW_REASON_CLOSED]	= "closed",
	[KZT_FLOW_REASON_RESET]		= "reset",
	[KZT_FLOW_REASON_TLS_ERROR]	= "tls-error",
	[KZT_FLOW_REASON_IDLE]		= "idle",
	[KZT_FLOW_REASON_ABORT]		= "abort",
	[KZT_FLOW_REASON_REVOKED]	= "revoked",
	[KZT_FLOW_REASON_PEER_DEAD]	= "peer-dead",
	[KZT_FLOW_REASON_KEY_LIMIT]	= "key-limit",
	[KZT_FLOW_REASON_FAILED]	= "failed",
};

/**
 * kzt_flow_reason_name() - how a flow ended, as kztctl monitor shows it
 * @reason: enum kzt_flow_reason
 *
 * @retval NULL for 0 (not an end), "?" for a value of a newer module
 */
const char *kzt_flow_reason_name(unsigned int reason)
{
	if (!reason)
		return NULL;
	return reason < ARRAY_LEN(reason_names) && reason_names[reason] ?
	       reason_names[reason] : "?";
}

/**
 * kzt_flow_event_name() - "start", "stats" or "end"
 * @cmd: KZT_CMD_FLOW_*
 *
 * @retval "?" for any other command
 */
const char *kzt_flow_event_name(unsigned int cmd)
{
	switch (cmd) {
	case KZT_CMD_FLOW_START:
		return "start";
	case KZT_CMD_FLOW_STATS:
		return "stats";
	case KZT_CMD_FLOW_END:
		return "end";
	default:
		return "?";
	}
}

void kzt_flow_event_free(struct kzt_flow_event *ev)
{
	kzt_conn_free(&ev->conn);
	ev->cmd = 0;
}

/**
 * kzt_flow_event_from_msg() - read one message of the "flows" group
 * @nlh:    the message
 * @family: the kzt family's id (the message type of its notifications)
 * @ev:     filled; free with kzt_flow_event_free()
 *
 * The attributes kzt_conn_from_msg() requires are required; a FLOW_END
 * also needs its reason, and every event its byte counts.
 *
 * @retval 0       @ev is filled
 * @retval ENOENT  not a flow event of @family (another message: skip it)
 * @retval EBADMSG malformed, a wrong size or a required attribute missing
 * @retval ENOMEM  out of memory
 */
int kzt_flow_event_from_msg(struct nlmsghdr *nlh, uint16_t family,
			    struct kzt_flow_event *ev)
{
	const struct genlmsghdr *ghdr;
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (nlh->nlmsg_type != family)
		return ENOENT;
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return EBADMSG;
	ghdr = nlmsg_data(nlh);
	if (ghdr->cmd != KZT_CMD_FLOW_START && ghdr->cmd != KZT_CMD_FLOW_STATS &&
	    ghdr->cmd != KZT_CMD_FLOW_END)
		return ENOENT;
	ret = kzt_conn_from_msg(nlh, &ev->conn);
	if (ret)
		return ret;
	if (!ev->conn.has_bytes ||
	    (ghdr->cmd == KZT_CMD_FLOW_END) != !!ev->conn.reason) {
		kzt_conn_free(&ev->conn);
		return EBADMSG;
	}
	ev->cmd = ghdr->cmd;
	return 0;
}

/**
 * kzt_flow_events_open() - a socket that receives the flow events
 * @c:   an open client (resolves the family and its groups)
 * @nlp: the new socket, subscribed to "flows", non-blocking; read it with
 *       kzt_nl_events_read(), close it with kzt_nl_close()
 * @err: what went wrong; may be NULL
 *
 * The socket sets NETLINK_BROADCAST_ERROR (kzt_nl_subscribe()): an event
 * it has no room for counts in the node's flow_events_dropped, and its
 * next read returns ENOBUFS.
 *
 * @retval 0      subscribed
 * @retval ENOENT the module has no "flows" group (an older kzt.ko)
 * @retval EPERM  subscribing needs CAP_NET_ADMIN
 * @retval other  errno of the socket
 */
int kzt_flow_events_open(struct kzt_client *c, struct kzt_nl **nlp,
			 struct kzt_nl_err *err)
{
	struct kzt_nl *nl;
	uint32_t group;
	int ret;

	*nlp = NULL;
	ret = kzt_nl_family_mcgrp(&c->family, KZT_MCGRP_FLOWS, &group);
	if (ret) {
		kzt_nl_err_set(err, ret);
		return ret;
	}
	ret = kzt_nl_open(&nl);
	if (!ret) {
		ret = kzt_nl_subscribe(nl, group);
		if (ret)
			kzt_nl_close(nl);
	}
	kzt_nl_err_set(err, ret);
	if (!ret)
		*nlp = nl;
	return ret;
}
