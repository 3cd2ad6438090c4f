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

#include <linux/kzt.h>

#include "nl.h"
#include "objects.h"

struct nl_msg;

/* What kztctl and kztd say when the family "kzt" does not exist. */
#define KZT_MSG_NOT_LOADED "kzt module not loaded in this kernel (modprobe kzt)"

/* Room for kzt_config_str() of any configuration, the longest trust
 * domain included. */
#define KZT_CONFIG_STR_LEN 512

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
	bool has_trust_domain;
	char trust_domain[KZT_TRUST_DOMAIN_MAX + 1];
	bool has_nonmesh;
	uint8_t nonmesh;		/* enum kzt_nonmesh */
	bool has_handshake_timeout_ms;
	uint32_t handshake_timeout_ms;
	bool has_idle_timeout_s;
	uint32_t idle_timeout_s;	/* 0: never */
	bool has_keepalive_idle_s;
	uint32_t keepalive_idle_s;	/* tunnels; 0: no keepalive */
	bool has_keepalive_interval_s;
	uint32_t keepalive_interval_s;
	bool has_keepalive_probes;
	uint8_t keepalive_probes;
	bool has_flow_stats_interval_s;
	uint32_t flow_stats_interval_s;	/* FLOW_STATS period; 0: none */
};

/* How an ADD is done: replace an entry of the same key, stage it in a
 * transaction instead of changing the live table. */
struct kzt_add_opts {
	bool replace;
	bool in_txn;
	uint32_t txn;
};

/* KZT_CMD_POLICY_CHECK: one flow to decide. */
struct kzt_check_query {
	const char *src_id;		/* NULL: a plaintext peer */
	struct in6_addr src_addr;
	struct in6_addr dst_addr;
	uint16_t dst_port;
};

struct kzt_check_result {
	uint8_t verdict;		/* enum kzt_verdict */
	uint8_t reason;			/* enum kzt_reason */
	bool has_policy;
	char policy[KZT_POLICY_NAME_MAX + 1];
	bool has_dst_id;
	char dst_id[KZT_SPIFFE_ID_MAX + 1];
	/* When a dry-run policy applies: the verdict with it enforced too. */
	bool has_dry_run;
	uint8_t dry_verdict;
	uint8_t dry_reason;
	bool has_dry_policy;
	char dry_policy[KZT_POLICY_NAME_MAX + 1];
};

/* One flow of KZT_CMD_CONN_GET; strings owned, NULL when absent. */
struct kzt_conn {
	uint64_t id;
	uint8_t dir;			/* enum kzt_conn_dir */
	uint8_t state;			/* enum kzt_conn_state */
	struct in6_addr src_addr, dst_addr;
	uint16_t src_port, dst_port;
	char *src_id, *dst_id;
	bool has_peer_node;
	struct in6_addr peer_node;
	bool has_cipher;
	uint16_t cipher;		/* TLS_CIPHER_* */
	bool has_bytes;			/* not for a plain flow */
	uint64_t bytes_out;		/* local pod -> peer */
	uint64_t bytes_in;		/* peer -> local pod */
	uint64_t age_ms;
	uint8_t end;			/* enum kzt_conn_end; 0: none */
	bool has_start_ns;		/* flow events only */
	uint64_t start_ns;		/* CLOCK_REALTIME at the flow's start */
	uint8_t reason;			/* enum kzt_flow_reason; 0: none */
};

/* One event of the "flows" multicast group; free with kzt_flow_event_free(). */
struct kzt_flow_event {
	uint8_t cmd;			/* KZT_CMD_FLOW_START, _STATS or _END */
	struct kzt_conn conn;
};

struct kzt_conns {
	struct kzt_conn *v;
	size_t n;
};

/* Counter types kztctl keeps: the uapi's and room for a newer module's. */
#define KZT_STATS_SLOTS	128

/* KZT_CMD_STATS_GET, indexed by enum kzt_stats_attr. */
struct kzt_stats {
	bool has[KZT_STATS_SLOTS];
	uint64_t v[KZT_STATS_SLOTS];
	bool replied;
};

/* A counter's stable JSON key, its group and what it counts. */
struct kzt_stat_desc {
	unsigned int type;		/* enum kzt_stats_attr */
	const char *key;		/* "hs_ok" */
	const char *group;		/* "capture", "handshake", "tunnel", "flow" */
	const char *text;		/* "succeeded" */
};

/* KZT_CMD_HANDSHAKE_ACCEPT: one request, its socket now our fd. */
struct kzt_hs_request {
	uint32_t id;
	int fd;				/* -1 if none */
	uint8_t role;			/* enum kzt_hs_role */
	char local_id[KZT_SPIFFE_ID_MAX + 1];	/* client; "" if absent */
	char peer_id[KZT_SPIFFE_ID_MAX + 1];	/* client; "" if absent */
	bool has_dst_addr;
	struct in6_addr dst_addr;	/* client: the SNI */
	uint32_t timeout_ms;
};

struct kzt_tls_keys;

/* KZT_CMD_HANDSHAKE_DONE: keys and identities only with status 0. */
struct kzt_hs_result {
	uint32_t id;
	int fd;				/* the request's socket, as ACCEPT gave it */
	uint32_t status;		/* 0 or a positive errno */
	const struct kzt_tls_keys *keys;
	const char *peer_id;
	const char *local_id;
	uint8_t proto;			/* kzt/N ALPN chose: 1 or 2 */
};

/* A dump that keeps racing with changes is given up after this many tries. */
#define KZT_DUMP_TRIES	8

/* A request socket bound to the kzt family. */
struct kzt_client {
	struct kzt_nl *nl;
	struct kzt_nl_family family;
};

int kzt_client_open(struct kzt_client *c, struct kzt_nl_err *err);
void kzt_client_close(struct kzt_client *c);

bool kzt_config_any(const struct kzt_config *cfg);
int kzt_config_get(struct kzt_client *c, struct kzt_config *cfg,
		   struct kzt_nl_err *err);
int kzt_config_set(struct kzt_client *c, const struct kzt_config *cfg,
		   struct kzt_nl_err *err);

int kzt_workload_add(struct kzt_client *c, const struct kzt_workload *w,
		     const struct kzt_add_opts *opts, struct kzt_nl_err *err);
int kzt_workload_del(struct kzt_client *c, const struct in6_addr *addr,
		     struct kzt_nl_err *err);
int kzt_workload_del_txn(struct kzt_client *c, const struct in6_addr *addr,
			 uint32_t txn, struct kzt_nl_err *err);
int kzt_workload_get(struct kzt_client *c, const struct in6_addr *addr,
		     struct kzt_workload *w, struct kzt_nl_err *err);
int kzt_workload_dump(struct kzt_client *c, struct kzt_workloads *list,
		      struct kzt_nl_err *err);

int kzt_policy_add(struct kzt_client *c, const struct kzt_policy *p,
		   const struct kzt_add_opts *opts, struct kzt_nl_err *err);
int kzt_policy_del(struct kzt_client *c, const char *name,
		   struct kzt_nl_err *err);
int kzt_policy_del_txn(struct kzt_client *c, const char *name, uint32_t txn,
		       struct kzt_nl_err *err);
int kzt_policy_get(struct kzt_client *c, const char *name,
		   struct kzt_policy *p, struct kzt_nl_err *err);
int kzt_policy_dump(struct kzt_client *c, struct kzt_policies *list,
		    struct kzt_nl_err *err);
int kzt_policy_check(struct kzt_client *c, const struct kzt_check_query *q,
		     struct kzt_check_result *res, struct kzt_nl_err *err);

int kzt_conn_dump(struct kzt_client *c, struct kzt_conns *list,
		  struct kzt_nl_err *err);
void kzt_conn_free(struct kzt_conn *conn);
void kzt_conns_free(struct kzt_conns *list);
void kzt_conns_sort(struct kzt_conns *list);
const char *kzt_conn_dir_name(unsigned int dir);
const char *kzt_conn_state_name(unsigned int state);
const char *kzt_conn_end_name(unsigned int end);
const char *kzt_cipher_name(uint16_t cipher, char *buf, size_t len);

int kzt_flow_events_open(struct kzt_client *c, struct kzt_nl **nlp,
			 struct kzt_nl_err *err);
void kzt_flow_event_free(struct kzt_flow_event *ev);
const char *kzt_flow_event_name(unsigned int cmd);
const char *kzt_flow_reason_name(unsigned int reason);

int kzt_stats_get(struct kzt_client *c, struct kzt_stats *st,
		  struct kzt_nl_err *err);
const struct kzt_stat_desc *kzt_stat_descs(size_t *n);
const char *kzt_stat_key(unsigned int type, char *buf, size_t len);

int kzt_txn_begin(struct kzt_client *c, uint32_t *id, struct kzt_nl_err *err);
int kzt_txn_begin_flags(struct kzt_client *c, uint32_t flags, uint32_t *id,
			struct kzt_nl_err *err);
int kzt_txn_commit(struct kzt_client *c, uint32_t id, struct kzt_nl_err *err);
int kzt_txn_abort(struct kzt_client *c, uint32_t id, struct kzt_nl_err *err);

int kzt_revoke(struct kzt_client *c, const char *const *ids, size_t n,
	       uint64_t *flows, struct kzt_nl_err *err);
int kzt_pool_flush(struct kzt_client *c, uint32_t *closed,
		   struct kzt_nl_err *err);

int kzt_hs_accept(struct kzt_client *c, uint8_t role,
		  struct kzt_hs_request *req, struct kzt_nl_err *err);
int kzt_hs_done(struct kzt_client *c, const struct kzt_hs_result *res,
		struct kzt_nl_err *err);

/* Message contents, without a socket: exposed for the unit tests. */
int kzt_hs_request_from_msg(struct nlmsghdr *nlh, struct kzt_hs_request *req);
int kzt_hs_result_put(struct nl_msg *msg, const struct kzt_hs_result *res);
int kzt_config_from_msg(struct nlmsghdr *nlh, struct kzt_config *cfg);
int kzt_workload_put(struct nl_msg *msg, const struct kzt_workload *w,
		     const struct kzt_add_opts *opts);
int kzt_workload_from_msg(struct nlmsghdr *nlh, struct kzt_workload *w);
int kzt_policy_put(struct nl_msg *msg, const struct kzt_policy *p,
		   const struct kzt_add_opts *opts);
int kzt_policy_from_msg(struct nlmsghdr *nlh, struct kzt_policy *p);
int kzt_check_from_msg(struct nlmsghdr *nlh, struct kzt_check_result *res);
int kzt_conn_from_msg(struct nlmsghdr *nlh, struct kzt_conn *conn);
int kzt_flow_event_from_msg(struct nlmsghdr *nlh, uint16_t family,
			    struct kzt_flow_event *ev);
int kzt_stats_from_msg(struct nlmsghdr *nlh, struct kzt_stats *st);
const char *kzt_config_str(const struct kzt_config *cfg, char *buf,
			   size_t len);
const char *kzt_config_attr_name(int type);
const char *kzt_err_str(const struct kzt_nl_err *err, char *buf, size_t len);

#endif /* KZT_KZTNL_H */
