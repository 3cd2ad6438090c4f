// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_STATS_GET: the node's counters, and their names. The names are
 * the keys of kztctl's JSON and must never change: a counter may be added,
 * never renamed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kztnl_priv.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Every enum kzt_stats_attr entry, in the order kztctl prints them. */
static const struct kzt_stat_desc stat_descs[] = {
	{ KZT_STATS_A_CAPTURED, "captured", "capture",
	  "outbound flows taken into kzt" },
	{ KZT_STATS_A_LOCAL_ALLOWED, "local_allowed", "capture",
	  "same-node flows allowed" },
	{ KZT_STATS_A_LOCAL_DENIED, "local_denied", "capture",
	  "same-node flows refused by policy" },
	{ KZT_STATS_A_INBOUND_PLAIN_ALLOWED, "inbound_plain_allowed", "capture",
	  "plaintext flows to a local workload allowed" },
	{ KZT_STATS_A_INBOUND_PLAIN_DENIED, "inbound_plain_denied", "capture",
	  "plaintext flows to a local workload refused" },
	{ KZT_STATS_A_NONMESH_PASSED, "nonmesh_passed", "capture",
	  "flows with a non-mesh peer let through in the clear" },
	{ KZT_STATS_A_NONMESH_DENIED, "nonmesh_denied", "capture",
	  "flows with a non-mesh peer refused" },
	{ KZT_STATS_A_SPOOFED, "spoofed", "capture",
	  "packets from a workload address on the wrong link" },
	{ KZT_STATS_A_STRAY, "stray", "capture",
	  "captured-flow packets with no socket" },
	{ KZT_STATS_A_HS_STARTED, "hs_started", "handshake", "started" },
	{ KZT_STATS_A_HS_OK, "hs_ok", "handshake", "succeeded" },
	{ KZT_STATS_A_HS_FAILED, "hs_failed", "handshake",
	  "failed (reported by kztd)" },
	{ KZT_STATS_A_HS_TIMEOUT, "hs_timeout", "handshake",
	  "not completed in time" },
	{ KZT_STATS_A_HS_NO_DAEMON, "hs_no_daemon", "handshake",
	  "no kztd listening" },
	{ KZT_STATS_A_HS_BAD_PEER, "hs_bad_peer", "handshake",
	  "verified peer not the one asked" },
	{ KZT_STATS_A_TUNNEL_CONNECT_FAILED, "tunnel_connect_failed", "tunnel",
	  "connects to a peer node failed" },
	{ KZT_STATS_A_TUNNEL_ACCEPTED, "tunnel_accepted", "tunnel",
	  "tunnels accepted from peer nodes" },
	{ KZT_STATS_A_HEADER_BAD, "header_bad", "tunnel",
	  "bad kzt/1 headers (BAD_REQUEST sent)" },
	{ KZT_STATS_A_HEADER_TIMEOUT, "header_timeout", "tunnel",
	  "kzt/1 headers not received in time" },
	{ KZT_STATS_A_STATUS_OK, "status_ok", "tunnel", "status OK" },
	{ KZT_STATS_A_STATUS_DENIED, "status_denied", "tunnel", "status DENIED" },
	{ KZT_STATS_A_STATUS_NO_ROUTE, "status_no_route", "tunnel",
	  "status NO_ROUTE" },
	{ KZT_STATS_A_STATUS_REFUSED, "status_refused", "tunnel",
	  "status REFUSED" },
	{ KZT_STATS_A_STATUS_TIMEOUT, "status_timeout", "tunnel",
	  "status TIMEOUT" },
	{ KZT_STATS_A_STATUS_INTERNAL, "status_internal", "tunnel",
	  "status INTERNAL" },
	{ KZT_STATS_A_STATUS_BAD_REQUEST, "status_bad_request", "tunnel",
	  "status BAD_REQUEST" },
	{ KZT_STATS_A_FLOWS_OPENED, "flows_opened", "flow",
	  "reached established" },
	{ KZT_STATS_A_FLOWS_CLOSED, "flows_closed", "flow", "ended cleanly" },
	{ KZT_STATS_A_FLOWS_RESET, "flows_reset", "flow",
	  "ended by a reset or an error" },
	{ KZT_STATS_A_FLOWS_IDLE, "flows_idle", "flow",
	  "ended by the idle timeout" },
	{ KZT_STATS_A_TLS_ERRORS, "tls_errors", "flow",
	  "bad records, alerts, truncation" },
	{ KZT_STATS_A_TUNNEL_OVERLOAD, "tunnel_overload", "tunnel",
	  "tunnels reset: too many unauthenticated" },
	{ KZT_STATS_A_IPV6_REFUSED, "ipv6_refused", "capture",
	  "IPv6 flows of enrolled workloads refused" },
	{ KZT_STATS_A_FLOWS_REVOKED, "flows_revoked", "flow",
	  "allowed, then reset after a change" },
	{ KZT_STATS_A_FLOWS_PEER_DEAD, "flows_peer_dead", "flow",
	  "reset: the tunnel timed out (peer node dead)" },
	{ KZT_STATS_A_PLAIN_REVOKED, "plain_revoked", "capture",
	  "same-node/plaintext flows reset after a change" },
	{ KZT_STATS_A_FLOWS_UNTRUSTED, "flows_untrusted", "flow",
	  "revoked: an identity no longer trusted (revoke, trust domain)" },
	{ KZT_STATS_A_SOURCE_REFUSED, "source_refused", "tunnel",
	  "headers whose source the peer node may not claim" },
	{ KZT_STATS_A_TUNNEL_SOURCE_LIMIT, "tunnel_source_limit", "tunnel",
	  "tunnels reset: too many unauthenticated from one address" },
	{ KZT_STATS_A_TUNNEL_HELLO_TIMEOUT, "tunnel_hello_timeout", "tunnel",
	  "tunnels reset: no first byte in hello_timeout_ms" },
	{ KZT_STATS_A_BAD_PORT, "bad_port", "capture",
	  "connection requests with port 0 refused" },
	{ KZT_STATS_A_FLOWS_KEY_LIMIT, "flows_key_limit", "flow",
	  "reset before a key encrypted or decrypted too many records (AES-GCM)" },
	{ KZT_STATS_A_FLOWS_SOURCE_LIMIT, "flows_source_limit", "flow",
	  "outbound flows reset: their source pod held its share" },
	{ KZT_STATS_A_FLOWS_NO_MEMORY, "flows_no_memory", "flow",
	  "reset: no memory for the pump buffers" },
	{ KZT_STATS_A_HS_QUEUE_FULL, "hs_queue_full", "handshake",
	  "handshakes refused at once: max_queued_handshakes were waiting" },
	{ KZT_STATS_A_HS_QUEUE_TIMEOUT, "hs_queue_timeout", "handshake",
	  "handshakes no kztd took within hs_queue_timeout_ms" },
	{ KZT_STATS_A_FLOW_EVENTS_DROPPED, "flow_events_dropped", "flow",
	  "flow events lost: not built, or no listener took them" },
	{ KZT_STATS_A_TUNNEL_TAKEN, "tunnel_taken", "tunnel",
	  "tunnels to a local pod's address taken from the underlay" },
	{ KZT_STATS_A_REFUSED_WORKLOAD, "refused_workload", "capture",
	  "connection requests to or into a refused workload (waypoint) reset" },
	{ KZT_STATS_A_TUNNELS_KEPT, "tunnels_kept", "tunnel",
	  "kzt/2 tunnels kept open for the next flow when theirs ended" },
	{ KZT_STATS_A_TUNNELS_REUSED, "tunnels_reused", "tunnel",
	  "flows carried by a kept tunnel, without a handshake" },
	{ KZT_STATS_A_TUNNELS_EXPIRED, "tunnels_expired", "tunnel",
	  "kept tunnels closed unused after pool_idle_ms" },
	{ KZT_STATS_A_TUNNEL_RETRIES, "tunnel_retries", "tunnel",
	  "outbound flows whose kept tunnel failed before the status: a new one taken" },
};

/* Catches a counter added to the uapi enum without a name here. */
_Static_assert(ARRAY_LEN(stat_descs) == __KZT_STATS_A_MAX - 2,
	       "every KZT_STATS_A_* counter needs a name in stat_descs");

/**
 * kzt_stat_descs() - the counters this program knows, in print order
 * @n: set to their number
 *
 * @retval the table (static)
 */
const struct kzt_stat_desc *kzt_stat_descs(size_t *n)
{
	*n = ARRAY_LEN(stat_descs);
	return stat_descs;
}

/**
 * kzt_stat_key() - the JSON key of a counter
 * @type: its attribute type
 * @buf:  room for "stat_65535"
 * @len:  size of @buf
 *
 * @retval the name of stat_descs ("hs_ok")
 * @retval @buf holding "stat_N" for a counter of a newer module
 */
const char *kzt_stat_key(unsigned int type, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_LEN(stat_descs); i++)
		if (stat_descs[i].type == type)
			return stat_descs[i].key;
	snprintf(buf, len, "stat_%u", type);
	return buf;
}

/**
 * kzt_stats_from_msg() - read a STATS_GET reply
 * @nlh: the message
 * @st:  filled; has[] says which counters were present
 *
 * Every counter is a u64; types above KZT_STATS_SLOTS are skipped.
 *
 * @retval 0       @st is filled
 * @retval EBADMSG malformed, or a counter that is not 8 bytes long
 */
int kzt_stats_from_msg(struct nlmsghdr *nlh, struct kzt_stats *st)
{
	struct nlattr *nla;
	int rem;

	memset(st, 0, sizeof(*st));
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return EBADMSG;
	nla_for_each_attr(nla, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		int type = nla_type(nla);

		if (type == KZT_STATS_A_UNSPEC || type == KZT_STATS_A_PAD ||
		    type >= KZT_STATS_SLOTS)
			continue;
		if (nla_len(nla) != sizeof(uint64_t))
			return EBADMSG;
		st->has[type] = true;
		st->v[type] = nla_get_u64(nla);
	}
	if (rem)
		return EBADMSG;	/* trailing bytes that are no attribute */
	return 0;
}

static int stats_reply(struct nlmsghdr *nlh, void *arg)
{
	struct kzt_stats *st = arg;
	int ret;

	if (!kztnl_reply_is(nlh, KZT_CMD_STATS_GET) || st->replied)
		return EBADMSG;
	ret = kzt_stats_from_msg(nlh, st);
	st->replied = !ret;
	return ret;
}

/**
 * kzt_stats_get() - read the node's counters
 * @c:   an open client
 * @st:  filled
 * @err: the kernel's answer; may be NULL
 *
 * @retval 0          @st is filled
 * @retval EOPNOTSUPP the module has no STATS_GET (older than kztctl)
 * @retval EBADMSG    the reply was malformed or missing
 * @retval other      errno from the kernel or the socket
 */
int kzt_stats_get(struct kzt_client *c, struct kzt_stats *st,
		  struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = kztnl_msg_new(c, KZT_CMD_STATS_GET, NLM_F_ACK, &msg, err);
	if (ret)
		return ret;
	ret = kztnl_send(c, msg, stats_reply, st, err);
	if (!ret && !st->replied) {
		ret = EBADMSG;	/* acked, but no reply came */
		kzt_nl_err_set(err, ret);
	}
	return ret;
}
