// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl conn list: the flows of this node, like ss(8).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "kztctl.h"

static void conn_usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] conn [list]\n\n"
		   "Every flow kzt carries on this node, oldest first: direction, state,\n"
		   "source and destination workload (address:port and identity), the peer\n"
		   "node, the kTLS cipher, bytes each way (OUT: from the local pod) and age.\n"
		   "A flow that a change no longer allows is reset and shows for a moment\n"
		   "as closing:<why> (policy, workload, capture), one whose peer node\n"
		   "stopped answering as closing:peer-dead, one whose peer or trust domain\n"
		   "is no longer trusted (kztctl revoke, a new trust bundle in kztd, a\n"
		   "trust domain change) as closing:trust. A flow kzt lets through without\n"
		   "carrying it (same node, non-mesh peer, plaintext into a pod) shows only\n"
		   "once revoked, for a moment: direction plain, closing:<why> (policy,\n"
		   "nonmesh, or workload when it should now be tunnelled). A kzt/2 tunnel\n"
		   "kept for the next flow shows on the destination node as inbound, idle,\n"
		   "with the two identities and no addresses.\n",
		prog);
}

static int text_row(struct kztctl_table *t, const struct kzt_conn *conn)
{
	char src[KZT_ADDR_STRLEN + 8], dst[KZT_ADDR_STRLEN + 8];
	char peer[KZT_ADDR_STRLEN], cipher[16], out[24], in[24], age[24];
	char state[32];
	const char *cells[11];
	bool idle;

	snprintf(out, sizeof(out), "%" PRIu64, conn->bytes_out);
	snprintf(in, sizeof(in), "%" PRIu64, conn->bytes_in);
	cells[0] = kzt_conn_dir_name(conn->dir);
	cells[1] = kzt_conn_state_name(conn->state);
	if (conn->end) {
		snprintf(state, sizeof(state), "%s:%s", cells[1],
			 kzt_conn_end_name(conn->end));
		cells[1] = state;
	}
	/* A kept tunnel between two flows has no pods. */
	idle = conn->state == KZT_CONN_STATE_IDLE;
	cells[2] = idle ? NULL : kztctl_endpoint_str(&conn->src_addr, conn->src_port,
						     src, sizeof(src));
	cells[3] = conn->src_id;
	cells[4] = idle ? NULL : kztctl_endpoint_str(&conn->dst_addr, conn->dst_port,
						     dst, sizeof(dst));
	cells[5] = conn->dst_id;
	cells[6] = conn->has_peer_node ?
		   kzt_addr_str(&conn->peer_node, peer, sizeof(peer)) : NULL;
	cells[7] = conn->has_cipher ?
		   kzt_cipher_name(conn->cipher, cipher, sizeof(cipher)) : NULL;
	cells[8] = conn->has_bytes ? out : NULL;
	cells[9] = conn->has_bytes ? in : NULL;
	cells[10] = kztctl_age_str(conn->age_ms, age, sizeof(age));
	return kztctl_table_add(t, cells);
}

static int print_list(const struct kzt_conns *list)
{
	static const char *const head[] = {
		"DIR", "STATE", "SOURCE", "SOURCE ID", "DESTINATION",
		"DESTINATION ID", "PEER NODE", "CIPHER", "OUT", "IN", "AGE",
	};
	struct kztctl_table *t;
	struct kzt_json j;
	int ret = 0;

	if (kztctl_opts.json) {
		kzt_json_init(&j, stdout);
		kzt_json_object_begin(&j, NULL);
		kzt_json_array_begin(&j, "connections");
		for (size_t i = 0; i < list->n; i++)
			kztctl_json_conn(&j, &list->v[i]);
		kzt_json_array_end(&j);
		kzt_json_object_end(&j);
		return kzt_json_finish(&j);
	}
	t = kztctl_table_new(sizeof(head) / sizeof(head[0]), head);
	if (!t)
		return ENOMEM;
	for (size_t i = 0; i < list->n && !ret; i++)
		ret = text_row(t, &list->v[i]);
	return kztctl_table_done(t, ret);
}

int conn_main(int argc, char *argv[])
{
	const char *what = "list the connections";
	struct kzt_conns list;
	struct kzt_nl_err err;
	struct kzt_client c;
	int ret;

	if (argc > 1 && kztctl_is_help(argv[1])) {
		conn_usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	if (argc > 1 && strcmp(argv[1], "list") && strcmp(argv[1], "show"))
		return kztctl_usage_error(conn_usage, "unknown conn command '%s'",
					  argv[1]);
	if (argc > 2)
		return kztctl_usage_error(conn_usage, "conn %s takes no arguments",
					  argv[1]);

	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	ret = kzt_conn_dump(&c, &list, &err);
	kzt_client_close(&c);
	if (ret)
		return kztctl_fail(what, ret, &err);
	ret = print_list(&list);
	kzt_conns_free(&list);
	if (ret)
		return kztctl_fail(what, ret, NULL);
	return KZTCTL_EXIT_OK;
}
