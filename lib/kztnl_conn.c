// SPDX-License-Identifier: GPL-2.0
/*
 * KZT_CMD_CONN_GET: the flows of a node, like ss(8), and the words kztctl
 * shows for them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/tls.h>

#include "kztnl_priv.h"

/*
 * A flow list is a snapshot of something that moves: a dump interrupted
 * by flows coming and going is tried again this often, then taken as it
 * is (duplicates removed), as ss(8) would.
 */
#define KZT_CONN_DUMP_TRIES	3

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const dir_names[__KZT_CONN_DIR_MAX] = {
	[KZT_CONN_DIR_OUTBOUND]	= "outbound",
	[KZT_CONN_DIR_INBOUND]	= "inbound",
	[KZT_CONN_DIR_PLAIN]	= "plain",
};

static const char *const state_names[__KZT_CONN_STATE_MAX] = {
	[KZT_CONN_STATE_CONNECTING]	= "connecting",
	[KZT_CONN_STATE_HANDSHAKE]	= "handshake",
	[KZT_CONN_STATE_HEADER]		= "header",
	[KZT_CONN_STATE_POD_CONNECT]	= "pod-connect",
	[KZT_CONN_STATE_ESTABLISHED]	= "established",
	[KZT_CONN_STATE_HALF_CLOSED]	= "half-closed",
	[KZT_CONN_STATE_CLOSING]	= "closing",
	[KZT_CONN_STATE_IDLE]		= "idle",
};

static const char *const end_names[__KZT_CONN_END_MAX] = {
	[KZT_CONN_END_POLICY]	= "policy",
	[KZT_CONN_END_WORKLOAD]	= "workload",
	[KZT_CONN_END_CAPTURE]	= "capture",
	[KZT_CONN_END_PEER_DEAD] = "peer-dead",
	[KZT_CONN_END_TRUST]	= "trust",
	[KZT_CONN_END_NONMESH]	= "nonmesh",
};

static const struct {
	uint16_t cipher;
	const char *name;
} cipher_names[] = {
	{ TLS_CIPHER_AES_GCM_128,		"AES-128-GCM" },
	{ TLS_CIPHER_AES_GCM_256,		"AES-256-GCM" },
	{ TLS_CIPHER_AES_CCM_128,		"AES-128-CCM" },
	{ TLS_CIPHER_CHACHA20_POLY1305,		"CHACHA20-POLY1305" },
};

/* "?" for a value a newer module may send. */
const char *kzt_conn_dir_name(unsigned int dir)
{
	return dir < ARRAY_LEN(dir_names) && dir_names[dir] ? dir_names[dir] : "?";
}

const char *kzt_conn_state_name(unsigned int state)
{
	return state < ARRAY_LEN(state_names) && state_names[state] ?
	       state_names[state] : "?";
}

/* Why a flow was revoked; NULL for 0 (none), "?" for an unknown value. */
const char *kzt_conn_end_name(unsigned int end)
{
	if (!end)
		return NULL;
	return end < ARRAY_LEN(end_names) && end_names[end] ? end_names[end] : "?";
}

/**
 * kzt_cipher_name() - the name of a TLS_CIPHER_* (<linux/tls.h>)
 * @cipher: the kTLS cipher number
 * @buf:    room for "cipher-65535" when the number is not known here
 * @len:    size of @buf
 *
 * @retval "AES-128-GCM", "AES-256-GCM", "AES-128-CCM", "CHACHA20-POLY1305"
 * @retval @buf holding "cipher-N" for any other number
 */
const char *kzt_cipher_name(uint16_t cipher, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_LEN(cipher_names); i++)
		if (cipher_names[i].cipher == cipher)
			return cipher_names[i].name;
	snprintf(buf, len, "cipher-%u", cipher);
	return buf;
}

void kzt_conn_free(struct kzt_conn *conn)
{
	free(conn->src_id);
	free(conn->dst_id);
	memset(conn, 0, sizeof(*conn));
}

void kzt_conns_free(struct kzt_conns *list)
{
	for (size_t i = 0; i < list->n; i++)
		kzt_conn_free(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* Move @conn to the end of @list; 0 or ENOMEM (then @conn is untouched). */
static int conns_push(struct kzt_conns *list, struct kzt_conn *conn)
{
	struct kzt_conn *v;

	if (list->n >= SIZE_MAX / sizeof(*v) - 1)
		return ENOMEM;
	v = realloc(list->v, (list->n + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	list->v = v;
	list->v[list->n++] = *conn;
	memset(conn, 0, sizeof(*conn));
	return 0;
}

/**
 * kzt_conn_from_msg() - read one flow of a CONN_GET dump
 * @nlh:  the message
 * @conn: filled; free with kzt_conn_free()
 *
 * ID, DIR, STATE and both addresses and ports are required; the others
 * are optional (identities before the handshake, the cipher of a
 * same-node flow, all of them for a revoked plain flow). The same
 * attributes make a flow event (kzt_flow_event_from_msg()), with START_NS
 * and REASON. Attributes this program does not know are skipped.
 *
 * @retval 0       @conn is filled
 * @retval EBADMSG malformed, a wrong size or a required attribute missing
 * @retval ENOMEM  out of memory
 */
int kzt_conn_from_msg(struct nlmsghdr *nlh, struct kzt_conn *conn)
{
	static struct nla_policy policy[KZT_CONN_A_MAX + 1] = {
		[KZT_CONN_A_ID]		= { .type = NLA_U64, .minlen = 8, .maxlen = 8 },
		[KZT_CONN_A_DIR]	= { .type = NLA_U8, .minlen = 1, .maxlen = 1 },
		[KZT_CONN_A_STATE]	= { .type = NLA_U8, .minlen = 1, .maxlen = 1 },
		[KZT_CONN_A_SRC_ADDR]	= { .minlen = 16, .maxlen = 16 },
		[KZT_CONN_A_SRC_PORT]	= { .type = NLA_U16, .minlen = 2, .maxlen = 2 },
		[KZT_CONN_A_DST_ADDR]	= { .minlen = 16, .maxlen = 16 },
		[KZT_CONN_A_DST_PORT]	= { .type = NLA_U16, .minlen = 2, .maxlen = 2 },
		[KZT_CONN_A_SRC_ID]	= { .type = NLA_STRING,
					    .maxlen = KZT_SPIFFE_ID_MAX + 1 },
		[KZT_CONN_A_DST_ID]	= { .type = NLA_STRING,
					    .maxlen = KZT_SPIFFE_ID_MAX + 1 },
		[KZT_CONN_A_PEER_NODE]	= { .minlen = 16, .maxlen = 16 },
		[KZT_CONN_A_CIPHER]	= { .type = NLA_U16, .minlen = 2, .maxlen = 2 },
		[KZT_CONN_A_BYTES_OUT]	= { .type = NLA_U64, .minlen = 8, .maxlen = 8 },
		[KZT_CONN_A_BYTES_IN]	= { .type = NLA_U64, .minlen = 8, .maxlen = 8 },
		[KZT_CONN_A_AGE_MS]	= { .type = NLA_U64, .minlen = 8, .maxlen = 8 },
		[KZT_CONN_A_END]	= { .type = NLA_U8, .minlen = 1, .maxlen = 1 },
		[KZT_CONN_A_START_NS]	= { .type = NLA_U64, .minlen = 8, .maxlen = 8 },
		[KZT_CONN_A_REASON]	= { .type = NLA_U8, .minlen = 1, .maxlen = 1 },
	};
	static const int required[] = {
		KZT_CONN_A_ID, KZT_CONN_A_DIR, KZT_CONN_A_STATE,
		KZT_CONN_A_SRC_ADDR, KZT_CONN_A_SRC_PORT,
		KZT_CONN_A_DST_ADDR, KZT_CONN_A_DST_PORT,
	};
	struct nlattr *tb[KZT_CONN_A_MAX + 1];

	memset(conn, 0, sizeof(*conn));
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    genlmsg_parse(nlh, 0, tb, KZT_CONN_A_MAX, policy) < 0)
		return EBADMSG;
	for (size_t i = 0; i < ARRAY_LEN(required); i++)
		if (!tb[required[i]])
			return EBADMSG;

	conn->id = nla_get_u64(tb[KZT_CONN_A_ID]);
	conn->dir = nla_get_u8(tb[KZT_CONN_A_DIR]);
	conn->state = nla_get_u8(tb[KZT_CONN_A_STATE]);
	memcpy(&conn->src_addr, nla_data(tb[KZT_CONN_A_SRC_ADDR]), 16);
	conn->src_port = nla_get_u16(tb[KZT_CONN_A_SRC_PORT]);
	memcpy(&conn->dst_addr, nla_data(tb[KZT_CONN_A_DST_ADDR]), 16);
	conn->dst_port = nla_get_u16(tb[KZT_CONN_A_DST_PORT]);
	if (tb[KZT_CONN_A_PEER_NODE]) {
		conn->has_peer_node = true;
		memcpy(&conn->peer_node, nla_data(tb[KZT_CONN_A_PEER_NODE]), 16);
	}
	if (tb[KZT_CONN_A_CIPHER]) {
		conn->has_cipher = true;
		conn->cipher = nla_get_u16(tb[KZT_CONN_A_CIPHER]);
	}
	if (tb[KZT_CONN_A_BYTES_OUT] && tb[KZT_CONN_A_BYTES_IN]) {
		conn->has_bytes = true;
		conn->bytes_out = nla_get_u64(tb[KZT_CONN_A_BYTES_OUT]);
		conn->bytes_in = nla_get_u64(tb[KZT_CONN_A_BYTES_IN]);
	}
	if (tb[KZT_CONN_A_AGE_MS])
		conn->age_ms = nla_get_u64(tb[KZT_CONN_A_AGE_MS]);
	if (tb[KZT_CONN_A_END])
		conn->end = nla_get_u8(tb[KZT_CONN_A_END]);
	if (tb[KZT_CONN_A_START_NS]) {
		conn->has_start_ns = true;
		conn->start_ns = nla_get_u64(tb[KZT_CONN_A_START_NS]);
	}
	if (tb[KZT_CONN_A_REASON])
		conn->reason = nla_get_u8(tb[KZT_CONN_A_REASON]);
	if (tb[KZT_CONN_A_SRC_ID]) {
		conn->src_id = kztnl_strdup_attr(tb[KZT_CONN_A_SRC_ID]);
		if (!conn->src_id)
			return ENOMEM;
	}
	if (tb[KZT_CONN_A_DST_ID]) {
		conn->dst_id = kztnl_strdup_attr(tb[KZT_CONN_A_DST_ID]);
		if (!conn->dst_id) {
			kzt_conn_free(conn);
			return ENOMEM;
		}
	}
	return 0;
}

static int dump_reply(struct nlmsghdr *nlh, void *arg)
{
	struct kzt_conn conn;
	int ret;

	if (!kztnl_reply_is(nlh, KZT_CMD_CONN_GET))
		return EBADMSG;
	ret = kzt_conn_from_msg(nlh, &conn);
	if (!ret)
		ret = conns_push(arg, &conn);
	kzt_conn_free(&conn);
	return ret;
}

static int conn_cmp(const void *a, const void *b)
{
	const struct kzt_conn *ca = a, *cb = b;

	return ca->id < cb->id ? -1 : ca->id > cb->id;
}

/**
 * kzt_conns_sort() - oldest flow first (by id), each id once
 * @list: the list; a flow seen twice by an interrupted dump is dropped
 */
void kzt_conns_sort(struct kzt_conns *list)
{
	size_t out = 0;

	if (list->n < 2)
		return;
	qsort(list->v, list->n, sizeof(*list->v), conn_cmp);
	for (size_t i = 0; i < list->n; i++) {
		if (out && list->v[out - 1].id == list->v[i].id) {
			kzt_conn_free(&list->v[i]);
			continue;
		}
		list->v[out++] = list->v[i];
	}
	list->n = out;
}

/**
 * kzt_conn_dump() - every flow of the node, oldest first
 * @c:    an open client
 * @list: filled (emptied first); free with kzt_conns_free()
 * @err:  the kernel's answer; may be NULL
 *
 * @retval 0     @list holds the flows (a snapshot: flows come and go)
 * @retval other errno from the kernel or the socket; @list is empty
 */
int kzt_conn_dump(struct kzt_client *c, struct kzt_conns *list,
		  struct kzt_nl_err *err)
{
	struct nl_msg *msg;
	int ret = 0;

	memset(list, 0, sizeof(*list));
	for (int try = 0; try < KZT_CONN_DUMP_TRIES; try++) {
		kzt_conns_free(list);
		ret = kztnl_msg_new(c, KZT_CMD_CONN_GET, NLM_F_DUMP, &msg, err);
		if (ret)
			return ret;
		ret = kztnl_send(c, msg, dump_reply, list, err);
		if (ret != EINTR)
			break;
	}
	if (ret == EINTR) {	/* keep the last view */
		ret = 0;
		kzt_nl_err_set(err, 0);
	}
	if (ret)
		kzt_conns_free(list);
	else
		kzt_conns_sort(list);
	return ret;
}
