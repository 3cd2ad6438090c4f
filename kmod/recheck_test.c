// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite kzt_recheck: kzt_redecide() over a table of changes and flow
 * kinds, and kzt_decide_plain() for the flows kzt lets through (and those
 * to or into a refused workload, which it never does). Each case
 * builds the tables a live flow was allowed on, makes one change to them
 * (or to the pod's interface) and expects the flow kept or ended for the
 * right reason: the same answer a new flow would get. A change of the
 * node's trust domain is a change of the flow's facts. Then
 * kzt_decide_inbound() over the source addresses a peer node may claim,
 * and over the peers that may claim a source dialed by its own address.
 */
#include <kunit/test.h>

#include <linux/kzt.h>

#include "kunit_nl.h"
#include "recheck.h"
#include "spiffe.h"
#include "tables.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define ID_CLIENT	"spiffe://cluster.local/ns/a/sa/client"
#define ID_SERVER	"spiffe://cluster.local/ns/b/sa/server"
#define ID_OTHER	"spiffe://cluster.local/ns/a/sa/other"
#define TD		"cluster.local"
/* The same workloads under another trust domain. */
#define ID_CLIENT_TD2	"spiffe://other.td/ns/a/sa/client"
#define ID_SERVER_TD2	"spiffe://other.td/ns/b/sa/server"
#define POD_IF		5

static struct in6_addr kzt_rt_addr(u8 a, u8 b)
{
	return (struct in6_addr){ .s6_addr = { [10] = 0xff, [11] = 0xff, 10, 0, a, b } };
}

/* The flow: client pod 10.0.1.2 (node 192.0.2.1) to server 10.0.2.2:80. */
#define CLIENT		kzt_rt_addr(1, 2)
#define SERVER		kzt_rt_addr(2, 2)
#define CLIENT_NODE	kzt_rt_addr(255, 1)
#define SERVER_NODE	kzt_rt_addr(255, 2)

struct kzt_rt_env {
	struct kunit *test;
	struct kzt_tables *tables;
	struct kzt_flow_facts facts;
	struct in6_addr src, dst, node;
};

/* Add or replace a workload: local on @ifindex, or remote on @node. */
static void kzt_rt_put(struct kzt_rt_env *env, struct in6_addr addr,
		       const char *id, int ifindex, struct in6_addr node, u8 proto)
{
	struct kunit *test = env->test;
	size_t len = id ? strlen(id) : 0;
	struct netlink_ext_ack extack = {};
	struct kzt_spiffe_id parts = {};
	struct kzt_workload *wl;

	wl = kzalloc(struct_size(wl, id, len + 1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, wl);
	wl->addr = addr;
	wl->ifindex = ifindex;
	if (!ifindex)
		wl->node_addr = node;
	wl->proto = proto;
	wl->id_len = len;
	if (len) {
		memcpy(wl->id, id, len);
		KUNIT_ASSERT_NULL(test, kzt_spiffe_parse(wl->id, len, &parts));
		wl->ns_off = parts.ns - wl->id;
		wl->ns_len = parts.ns_len;
	}
	KUNIT_ASSERT_EQ(test, kzt_workload_table_insert(&env->tables->workloads,
							wl, true, &extack), 0);
}

static void kzt_rt_del(struct kzt_rt_env *env, struct in6_addr addr)
{
	KUNIT_ASSERT_EQ(env->test,
			kzt_workload_table_remove(&env->tables->workloads, &addr), 0);
}

/*
 * An ALLOW policy on namespace b with no rule: it applies, never matches;
 * enforced, or dry-run.
 */
static void kzt_rt_allow_nothing(struct kzt_rt_env *env, bool dry_run)
{
	const struct kzt_t_attr attrs[] = {
		T_STR(KZT_POLICY_A_NAME, "b/allow-nothing"),
		T_U8(KZT_POLICY_A_ACTION, KZT_ACTION_ALLOW),
		T_U8(KZT_POLICY_A_SCOPE, KZT_SCOPE_NAMESPACE),
		T_STR(KZT_POLICY_A_NAMESPACE, "b"),
		/* The flag, a zero-length attribute; else the end of the list. */
		{ .type = KZT_POLICY_A_DRY_RUN,
		  .kind = dry_run ? KZT_T_BIN : KZT_T_END },
		{ }
	};
	struct sk_buff *skb = kzt_test_msg(env->test, attrs);
	struct netlink_ext_ack extack = {};
	struct kzt_policy_set *set;
	struct kzt_policy *policy;

	policy = kzt_policy_from_attrs((struct nlattr *)skb->data, skb->len, NULL);
	KUNIT_ASSERT_FALSE(env->test, IS_ERR(policy));
	set = kzt_policy_set_add(NULL, policy, false, &extack);
	kzt_policy_put(policy);
	KUNIT_ASSERT_FALSE(env->test, IS_ERR(set));
	rcu_assign_pointer(env->tables->policies, set);
}

/* ---- the changes ---- */

static void ch_none(struct kzt_rt_env *env)
{
}

static void ch_if_gone(struct kzt_rt_env *env)
{
	env->facts.pod_if_alive = false;
}

static void ch_policy(struct kzt_rt_env *env)
{
	kzt_rt_allow_nothing(env, false);
}

/* A dry-run policy that would deny never ends a flow. */
static void ch_dry_run_policy(struct kzt_rt_env *env)
{
	kzt_rt_allow_nothing(env, true);
}

static void ch_del_client(struct kzt_rt_env *env)
{
	kzt_rt_del(env, CLIENT);
}

static void ch_del_server(struct kzt_rt_env *env)
{
	kzt_rt_del(env, SERVER);
}

/* On the client's node: the client local, the server remote. */
static void ch_out_client_id(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_OTHER, POD_IF, CLIENT_NODE, KZT_PROTO_KZT1);
}

static void ch_out_client_plain(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_CLIENT, POD_IF, CLIENT_NODE, KZT_PROTO_PLAINTEXT);
}

static void ch_out_client_if(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_CLIENT, POD_IF + 1, CLIENT_NODE, KZT_PROTO_KZT1);
}

static void ch_out_server_node(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_SERVER, 0, kzt_rt_addr(255, 9), KZT_PROTO_KZT1);
}

static void ch_out_server_id(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_OTHER, 0, SERVER_NODE, KZT_PROTO_KZT1);
}

static void ch_out_server_plain(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_SERVER, 0, SERVER_NODE, KZT_PROTO_PLAINTEXT);
}

/* The destination goes behind a waypoint: refused, with its identity. */
static void ch_out_server_refused(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_SERVER, 0, SERVER_NODE, KZT_PROTO_REFUSED);
}

/* On the server's node: the server local, the client remote. */
static void ch_in_server_id(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_OTHER, POD_IF, CLIENT_NODE, KZT_PROTO_KZT1);
}

static void ch_in_server_refused(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_SERVER, POD_IF, CLIENT_NODE, KZT_PROTO_REFUSED);
}

static void ch_in_server_if(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_SERVER, POD_IF + 1, CLIENT_NODE, KZT_PROTO_KZT1);
}

static void ch_in_client_id(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_OTHER, 0, CLIENT_NODE, KZT_PROTO_KZT1);
}

/* The client pod moves to another node: its flows came from this one. */
static void ch_in_client_node(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_CLIENT, 0, kzt_rt_addr(255, 9), KZT_PROTO_KZT1);
}

/* The client's address is now a pod of this node, with the same identity. */
static void ch_in_client_local(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_CLIENT, POD_IF + 1, CLIENT_NODE, KZT_PROTO_KZT1);
}

static void ch_in_client_plain(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_CLIENT, 0, CLIENT_NODE, KZT_PROTO_PLAINTEXT);
}

/*
 * The client is (re-)registered as dialed by its own address (WDS): its
 * node is no longer known, any peer that can be a node may speak for it.
 */
static void ch_in_client_by_addr(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_CLIENT, 0, CLIENT, KZT_PROTO_KZT1);
}

/* ... and the flow's peer is now an address of this node. */
static void ch_in_by_addr_peer_local(struct kzt_rt_env *env)
{
	ch_in_client_by_addr(env);
	env->facts.peer_is_local = true;
}

/* ... and the flow's peer is now a pod of this node. */
static void ch_in_by_addr_peer_pod(struct kzt_rt_env *env)
{
	ch_in_client_by_addr(env);
	kzt_rt_put(env, CLIENT_NODE, ID_OTHER, POD_IF + 1, CLIENT_NODE,
		   KZT_PROTO_PLAINTEXT);
}

/* ... and its identity changed. */
static void ch_in_by_addr_id(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_OTHER, 0, CLIENT, KZT_PROTO_KZT1);
}

/* The node's trust domain changes (kztctl config set trust-domain). */
static void ch_td_other(struct kzt_rt_env *env)
{
	env->facts.trust_domain = "other.td";
}

/* Set again to the same value: nothing changed. */
static void ch_td_same(struct kzt_rt_env *env)
{
	env->facts.trust_domain = TD;
}

/* A prefix of the flow's trust domain is another trust domain. */
static void ch_td_prefix(struct kzt_rt_env *env)
{
	env->facts.trust_domain = "cluster";
}

/* The flow's trust domain extended: cluster.local is a prefix of it. */
static void ch_td_longer(struct kzt_rt_env *env)
{
	env->facts.trust_domain = "cluster.local2";
}

/*
 * Every identity moves to other.td (tables, flow and node alike) but the
 * peer's: the tables allow it, the trust domain does not. On either node
 * the client's is the peer or the local identity.
 */
static void ch_td_client_only(struct kzt_rt_env *env)
{
	bool out = env->facts.dir == KZT_CONN_DIR_OUTBOUND;

	kzt_rt_put(env, SERVER, ID_SERVER_TD2, out ? 0 : POD_IF,
		   out ? SERVER_NODE : CLIENT_NODE, KZT_PROTO_KZT1);
	env->facts.dst_id = ID_SERVER_TD2;
	env->facts.trust_domain = "other.td";
}

/* Both identities and the node move to other.td together: allowed. */
static void ch_td_all_moved(struct kzt_rt_env *env)
{
	bool out = env->facts.dir == KZT_CONN_DIR_OUTBOUND;

	kzt_rt_put(env, CLIENT, ID_CLIENT_TD2, out ? POD_IF : 0, CLIENT_NODE,
		   KZT_PROTO_KZT1);
	kzt_rt_put(env, SERVER, ID_SERVER_TD2, out ? 0 : POD_IF,
		   out ? SERVER_NODE : CLIENT_NODE, KZT_PROTO_KZT1);
	env->facts.src_id = ID_CLIENT_TD2;
	env->facts.dst_id = ID_SERVER_TD2;
	env->facts.trust_domain = "other.td";
}

/* The interface went and the trust domain changed: the interface first. */
static void ch_td_and_if_gone(struct kzt_rt_env *env)
{
	ch_td_other(env);
	ch_if_gone(env);
}

struct kzt_rt_case {
	const char *name;
	u8 dir;
	void (*change)(struct kzt_rt_env *env);
	enum kzt_conn_end want;		/* 0: kept */
};

#define OUT	KZT_CONN_DIR_OUTBOUND
#define IN	KZT_CONN_DIR_INBOUND
#define KEEP	0
#define WL	KZT_CONN_END_WORKLOAD
#define POLICY	KZT_CONN_END_POLICY
#define TRUST	KZT_CONN_END_TRUST

static const struct kzt_rt_case kzt_rt_cases[] = {
	{ "out: no change",			OUT, ch_none,			KEEP },
	{ "out: policy is the peer's",		OUT, ch_policy,			KEEP },
	{ "out: interface gone",		OUT, ch_if_gone,		WL },
	{ "out: source deleted",		OUT, ch_del_client,		WL },
	{ "out: source identity",		OUT, ch_out_client_id,		WL },
	{ "out: source plaintext",		OUT, ch_out_client_plain,	WL },
	{ "out: source interface",		OUT, ch_out_client_if,		WL },
	{ "out: destination deleted",		OUT, ch_del_server,		WL },
	{ "out: destination node",		OUT, ch_out_server_node,	WL },
	{ "out: destination identity",		OUT, ch_out_server_id,		WL },
	{ "out: destination plaintext",		OUT, ch_out_server_plain,	WL },
	{ "out: destination refused",		OUT, ch_out_server_refused,	WL },
	{ "in: no change",			IN,  ch_none,			KEEP },
	{ "in: policy denies",			IN,  ch_policy,			POLICY },
	{ "in: dry-run policy would deny",	IN,  ch_dry_run_policy,		KEEP },
	{ "in: interface gone",			IN,  ch_if_gone,		WL },
	{ "in: destination deleted",		IN,  ch_del_server,		WL },
	{ "in: destination identity",		IN,  ch_in_server_id,		WL },
	{ "in: destination refused",		IN,  ch_in_server_refused,	WL },
	{ "in: destination interface",		IN,  ch_in_server_if,		WL },
	{ "in: source of another identity",	IN,  ch_in_client_id,		WL },
	{ "in: source address deleted",		IN,  ch_del_client,		WL },
	{ "in: source moved to another node",	IN,  ch_in_client_node,		WL },
	{ "in: source now a local pod",		IN,  ch_in_client_local,	WL },
	{ "in: source now plaintext",		IN,  ch_in_client_plain,	WL },
	{ "in: source now dialed by address",	IN,  ch_in_client_by_addr,	KEEP },
	{ "in: by address, peer now this node",	IN,  ch_in_by_addr_peer_local,	WL },
	{ "in: by address, peer now a pod",	IN,  ch_in_by_addr_peer_pod,	WL },
	{ "in: by address, other identity",	IN,  ch_in_by_addr_id,		WL },
	{ "out: trust domain changed",		OUT, ch_td_other,		TRUST },
	{ "in: trust domain changed",		IN,  ch_td_other,		TRUST },
	{ "out: trust domain set again",	OUT, ch_td_same,		KEEP },
	{ "in: trust domain set again",		IN,  ch_td_same,		KEEP },
	{ "out: trust domain a prefix",		OUT, ch_td_prefix,		TRUST },
	{ "in: trust domain a prefix",		IN,  ch_td_prefix,		TRUST },
	{ "out: trust domain extends it",	OUT, ch_td_longer,		TRUST },
	{ "in: trust domain extends it",	IN,  ch_td_longer,		TRUST },
	{ "out: local left in the old domain",	OUT, ch_td_client_only,		TRUST },
	{ "in: peer left in the old domain",	IN,  ch_td_client_only,		TRUST },
	{ "out: everything moved together",	OUT, ch_td_all_moved,		KEEP },
	{ "in: everything moved together",	IN,  ch_td_all_moved,		KEEP },
	{ "out: interface gone and domain",	OUT, ch_td_and_if_gone,		WL },
	{ "in: interface gone and domain",	IN,  ch_td_and_if_gone,		WL },
};

static void kzt_rt_case_desc(const struct kzt_rt_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_rt, kzt_rt_cases, kzt_rt_case_desc);

/* The trust domain's boundary: the whole name, then '/'. */
static void kzt_id_in_trust_domain_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, kzt_id_in_trust_domain(ID_CLIENT, TD));
	KUNIT_EXPECT_TRUE(test, kzt_id_in_trust_domain("spiffe://a/x", "a"));
	KUNIT_EXPECT_FALSE(test, kzt_id_in_trust_domain(ID_CLIENT, "cluster"));
	KUNIT_EXPECT_FALSE(test, kzt_id_in_trust_domain(ID_CLIENT, "cluster.local2"));
	KUNIT_EXPECT_FALSE(test, kzt_id_in_trust_domain(ID_CLIENT_TD2, TD));
	KUNIT_EXPECT_FALSE(test, kzt_id_in_trust_domain("spiffe://cluster.local", TD));
	KUNIT_EXPECT_FALSE(test, kzt_id_in_trust_domain("cluster.local/ns/a/sa/b", TD));
	KUNIT_EXPECT_FALSE(test, kzt_id_in_trust_domain("", TD));
}

KUNIT_DEFINE_ACTION_WRAPPER(kzt_rt_tables_put, kzt_tables_put, struct kzt_tables *);

static void kzt_redecide_test(struct kunit *test)
{
	const struct kzt_rt_case *c = test->param_value;
	bool out = c->dir == KZT_CONN_DIR_OUTBOUND;
	struct kzt_rt_env env = {
		.test = test,
		.src = CLIENT, .dst = SERVER,
		.node = out ? SERVER_NODE : CLIENT_NODE,
	};

	env.tables = kzt_tables_new(8);
	KUNIT_ASSERT_NOT_NULL(test, env.tables);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_rt_tables_put,
							env.tables), 0);
	/* The tables the flow was allowed on, on the node that carries it. */
	if (out) {
		kzt_rt_put(&env, CLIENT, ID_CLIENT, POD_IF, CLIENT_NODE, KZT_PROTO_KZT1);
		kzt_rt_put(&env, SERVER, ID_SERVER, 0, SERVER_NODE, KZT_PROTO_KZT1);
	} else {
		kzt_rt_put(&env, SERVER, ID_SERVER, POD_IF, SERVER_NODE, KZT_PROTO_KZT1);
		kzt_rt_put(&env, CLIENT, ID_CLIENT, 0, CLIENT_NODE, KZT_PROTO_KZT1);
	}
	env.facts = (struct kzt_flow_facts){
		.dir = c->dir,
		.src_addr = &env.src, .dst_addr = &env.dst, .dst_port = 80,
		.src_id = ID_CLIENT, .dst_id = ID_SERVER,
		.peer_node = &env.node,
		.pod_ifindex = POD_IF, .pod_if_alive = true,
		.trust_domain = TD,
	};

	/* The same tables decide it allowed before any change. */
	rcu_read_lock();
	KUNIT_ASSERT_EQ(test, kzt_redecide(env.tables, &env.facts), 0);
	rcu_read_unlock();

	c->change(&env);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, kzt_redecide(env.tables, &env.facts), c->want);
	rcu_read_unlock();
}

/*
 * kzt_decide_plain(): a connection kzt lets through, from the client pod
 * to the server pod, both on this node, decided after one change: the
 * kind it now is and whether it may go on.
 */
static void ch_server_remote_mesh(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_SERVER, 0, SERVER_NODE, KZT_PROTO_KZT1);
}

static void ch_server_remote_plain(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_SERVER, 0, SERVER_NODE, KZT_PROTO_PLAINTEXT);
}

static void ch_client_plain(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_CLIENT, POD_IF, CLIENT_NODE, KZT_PROTO_PLAINTEXT);
}

/* A waypoint for the server: remote or local, with or without an ID. */
static void ch_server_remote_refused(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, ID_SERVER, 0, SERVER_NODE, KZT_PROTO_REFUSED);
}

static void ch_server_local_refused(struct kzt_rt_env *env)
{
	kzt_rt_put(env, SERVER, NULL, POD_IF + 1, CLIENT_NODE, KZT_PROTO_REFUSED);
}

static void ch_server_local_refused_client_del(struct kzt_rt_env *env)
{
	ch_server_local_refused(env);
	kzt_rt_del(env, CLIENT);
}

static void ch_server_remote_refused_client_del(struct kzt_rt_env *env)
{
	ch_server_remote_refused(env);
	kzt_rt_del(env, CLIENT);
}

static void ch_both_refused(struct kzt_rt_env *env)
{
	kzt_rt_put(env, CLIENT, ID_CLIENT, POD_IF, CLIENT_NODE, KZT_PROTO_REFUSED);
	ch_server_local_refused(env);
}

static void ch_del_both(struct kzt_rt_env *env)
{
	kzt_rt_del(env, CLIENT);
	kzt_rt_del(env, SERVER);
}

static void ch_del_client_policy(struct kzt_rt_env *env)
{
	kzt_rt_del(env, CLIENT);
	kzt_rt_allow_nothing(env, false);
}

struct kzt_plain_case {
	const char *name;
	void (*change)(struct kzt_rt_env *env);
	u8 nonmesh;
	bool to_tunnel_port;
	enum kzt_plain_kind want;
	bool allow;
};

#define DENY_NM		KZT_NONMESH_DENY
#define PASS_NM		KZT_NONMESH_PASSTHROUGH

#define LOCAL		KZT_PLAIN_LOCAL
#define NONMESH		KZT_PLAIN_NONMESH
#define INBOUND		KZT_PLAIN_INBOUND
#define REFUSED		KZT_PLAIN_REFUSED

static const struct kzt_plain_case kzt_plain_cases[] = {
	{ "same node: no change",	ch_none, DENY_NM, false, LOCAL, true },
	{ "same node: policy denies",	ch_policy, DENY_NM, false, LOCAL, false },
	{ "server moved away, mesh",	ch_server_remote_mesh, DENY_NM, false,
	  KZT_PLAIN_TUNNEL, false },
	{ "server deleted, nonmesh deny", ch_del_server, DENY_NM, false, NONMESH, false },
	{ "server deleted, passthrough", ch_del_server, PASS_NM, false, NONMESH, true },
	{ "server plaintext, passthrough", ch_server_remote_plain, PASS_NM, false,
	  NONMESH, true },
	{ "passthrough to the tunnel port", ch_server_remote_plain, PASS_NM, true,
	  NONMESH, false },
	{ "client deleted: plaintext in", ch_del_client, DENY_NM, false, INBOUND, true },
	{ "client plaintext: plaintext in", ch_client_plain, DENY_NM, false, INBOUND, true },
	{ "plaintext in, policy denies", ch_del_client_policy, DENY_NM, false, INBOUND, false },
	{ "both deleted: not kzt's",	ch_del_both, DENY_NM, false, KZT_PLAIN_NONE, false },
	/* A refused server is never a non-mesh peer, nor reachable. */
	{ "to remote refused, deny",	ch_server_remote_refused, DENY_NM, false,
	  REFUSED, false },
	{ "to remote refused, passthrough", ch_server_remote_refused, PASS_NM, false,
	  REFUSED, false },
	{ "to local refused, passthrough", ch_server_local_refused, PASS_NM, false,
	  REFUSED, false },
	{ "plaintext into local refused", ch_server_local_refused_client_del, PASS_NM,
	  false, REFUSED, false },
	{ "refused into local refused",	ch_both_refused, PASS_NM, false, REFUSED, false },
	{ "stranger to remote refused: not kzt's", ch_server_remote_refused_client_del,
	  PASS_NM, false, KZT_PLAIN_NONE, false },
};

static void kzt_plain_case_desc(const struct kzt_plain_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_plain, kzt_plain_cases, kzt_plain_case_desc);

static void kzt_decide_plain_test(struct kunit *test)
{
	const struct kzt_plain_case *c = test->param_value;
	struct kzt_rt_env env = { .test = test };
	struct in6_addr client = CLIENT, server = SERVER;
	enum kzt_plain_kind kind;
	bool allow;

	env.tables = kzt_tables_new(8);
	KUNIT_ASSERT_NOT_NULL(test, env.tables);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_rt_tables_put,
							env.tables), 0);
	kzt_rt_put(&env, CLIENT, ID_CLIENT, POD_IF, CLIENT_NODE, KZT_PROTO_KZT1);
	kzt_rt_put(&env, SERVER, ID_SERVER, POD_IF + 1, CLIENT_NODE, KZT_PROTO_KZT1);

	c->change(&env);
	rcu_read_lock();
	kind = kzt_decide_plain(env.tables, c->nonmesh, &client, &server, 80,
				c->to_tunnel_port, false, &allow);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, kind, c->want);
	KUNIT_EXPECT_EQ(test, allow, c->allow);
}

/*
 * kzt_decide_inbound(): the source address a peer node may put in a
 * header. The peer is CLIENT_NODE with ID_CLIENT; the table has the
 * client behind it, the server on this node and a third pod behind
 * another node with the client's identity.
 */
struct kzt_in_case {
	const char *name;
	struct in6_addr src;
	bool local;		/* an address of this node, too */
	enum kzt_inbound_verdict want;
};

#define V4(a, b, c, d) \
	{ .s6_addr = { [10] = 0xff, [11] = 0xff, a, b, c, d } }
#define V6(...)	{ .s6_addr = { __VA_ARGS__ } }

static const struct kzt_in_case kzt_in_cases[] = {
	{ "its own pod",		V4(10, 0, 1, 2),	false, KZT_IN_OK },
	{ "another node's pod",		V4(10, 0, 3, 2),	false, KZT_IN_WRONG_SOURCE },
	{ "a pod of this node",		V4(10, 0, 2, 3),	false, KZT_IN_WRONG_SOURCE },
	{ "an unregistered address",	V4(10, 0, 1, 99),	false, KZT_IN_WRONG_SOURCE },
	{ "the peer node itself",	V4(10, 0, 255, 1),	false, KZT_IN_WRONG_SOURCE },
	{ "loopback",			V4(127, 0, 0, 1),	false, KZT_IN_BAD_SOURCE },
	{ "loopback, not .1",		V4(127, 9, 9, 9),	false, KZT_IN_BAD_SOURCE },
	{ "link-local (metadata)",	V4(169, 254, 169, 254),	false, KZT_IN_BAD_SOURCE },
	{ "0.0.0.0",			V4(0, 0, 0, 0),		false, KZT_IN_BAD_SOURCE },
	{ "multicast",			V4(224, 0, 0, 1),	false, KZT_IN_BAD_SOURCE },
	{ "broadcast",			V4(255, 255, 255, 255),	false, KZT_IN_BAD_SOURCE },
	{ "IPv6 loopback",		V6([15] = 1),		false, KZT_IN_BAD_SOURCE },
	{ "IPv6 unspecified",		V6(0),			false, KZT_IN_BAD_SOURCE },
	{ "IPv6 link-local",		V6(0xfe, 0x80, [15] = 1), false, KZT_IN_BAD_SOURCE },
	{ "IPv6 multicast",		V6(0xff, 0x02, [15] = 1), false, KZT_IN_BAD_SOURCE },
	{ "IPv6 unregistered",		V6(0xfd, 0, [15] = 2),	false, KZT_IN_WRONG_SOURCE },
	{ "its own pod's address, this node's too", V4(10, 0, 1, 2), true,
	  KZT_IN_BAD_SOURCE },
};

static void kzt_in_case_desc(const struct kzt_in_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_in, kzt_in_cases, kzt_in_case_desc);

static void kzt_decide_inbound_test(struct kunit *test)
{
	const struct kzt_in_case *c = test->param_value;
	struct kzt_rt_env env = { .test = test };
	struct in6_addr server = SERVER, peer = CLIENT_NODE;
	enum kzt_inbound_verdict verdict;
	int ifindex = 0;

	env.tables = kzt_tables_new(8);
	KUNIT_ASSERT_NOT_NULL(test, env.tables);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_rt_tables_put,
							env.tables), 0);
	kzt_rt_put(&env, CLIENT, ID_CLIENT, 0, CLIENT_NODE, KZT_PROTO_KZT1);
	kzt_rt_put(&env, SERVER, ID_SERVER, POD_IF, SERVER_NODE, KZT_PROTO_KZT1);
	kzt_rt_put(&env, kzt_rt_addr(3, 2), ID_CLIENT, 0, kzt_rt_addr(255, 3),
		   KZT_PROTO_KZT1);
	kzt_rt_put(&env, kzt_rt_addr(2, 3), ID_CLIENT, POD_IF + 1, SERVER_NODE,
		   KZT_PROTO_KZT1);

	rcu_read_lock();
	verdict = kzt_decide_inbound(env.tables, ID_CLIENT, ID_SERVER, &peer,
				     false, &c->src, c->local, &server, 80,
				     false, &ifindex);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, verdict, c->want);
	KUNIT_EXPECT_EQ(test, ifindex, c->want == KZT_IN_OK ? POD_IF : 0);
	KUNIT_EXPECT_EQ(test, kzt_addr_never_a_pod(&c->src),
			c->want == KZT_IN_BAD_SOURCE && !c->local);
}

/*
 * kzt_decide_inbound() for sources dialed by their own address: the
 * client pod CLIENT and a pod 10.0.3.2 of a third node, both with the
 * client's identity; no node address is known, so the tunnel's peer is
 * only checked to be one that can be a node. A pod of this node, a
 * remote kzt/1 pod and a remote plaintext workload (a host-network one,
 * say, on its node's address) are in the table too.
 */
struct kzt_by_addr_case {
	const char *name;
	struct in6_addr src;
	struct in6_addr peer;
	bool peer_local;	/* the peer is an address of this node */
	const char *peer_id;
	enum kzt_inbound_verdict want;
};

static const struct kzt_by_addr_case kzt_by_addr_cases[] = {
	{ "its node",		V4(10, 0, 1, 2), V4(10, 0, 255, 1), false,
	  ID_CLIENT, KZT_IN_OK },
	/* What is lost: any node holding the identity may claim the pod. */
	{ "any other node",	V4(10, 0, 1, 2), V4(10, 0, 255, 9), false,
	  ID_CLIENT, KZT_IN_OK },
	{ "another node's pod, same identity", V4(10, 0, 3, 2),
	  V4(10, 0, 255, 1), false, ID_CLIENT, KZT_IN_OK },
	{ "a host-network workload's address", V4(10, 0, 1, 2),
	  V4(10, 0, 4, 1), false, ID_CLIENT, KZT_IN_OK },
	{ "peer of another identity", V4(10, 0, 1, 2), V4(10, 0, 255, 1), false,
	  ID_OTHER, KZT_IN_WRONG_SOURCE },
	{ "peer is this node",	V4(10, 0, 1, 2), V4(10, 0, 255, 2), true,
	  ID_CLIENT, KZT_IN_WRONG_SOURCE },
	{ "peer is loopback",	V4(10, 0, 1, 2), V4(127, 0, 0, 1), false,
	  ID_CLIENT, KZT_IN_WRONG_SOURCE },
	{ "peer is unspecified", V4(10, 0, 1, 2), V4(0, 0, 0, 0), false,
	  ID_CLIENT, KZT_IN_WRONG_SOURCE },
	{ "peer is a pod of this node", V4(10, 0, 1, 2), V4(10, 0, 2, 3), false,
	  ID_CLIENT, KZT_IN_WRONG_SOURCE },
	{ "peer is the source pod itself", V4(10, 0, 1, 2), V4(10, 0, 1, 2),
	  false, ID_CLIENT, KZT_IN_WRONG_SOURCE },
	{ "peer is a kzt/1 pod of another node", V4(10, 0, 1, 2),
	  V4(10, 0, 3, 2), false, ID_CLIENT, KZT_IN_WRONG_SOURCE },
	{ "source is a pod of this node", V4(10, 0, 2, 3), V4(10, 0, 255, 1),
	  false, ID_CLIENT, KZT_IN_WRONG_SOURCE },
	{ "source unregistered", V4(10, 0, 1, 99), V4(10, 0, 255, 1), false,
	  ID_CLIENT, KZT_IN_WRONG_SOURCE },
};

static void kzt_by_addr_case_desc(const struct kzt_by_addr_case *c,
				  char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kzt_by_addr, kzt_by_addr_cases, kzt_by_addr_case_desc);

static void kzt_decide_inbound_by_addr_test(struct kunit *test)
{
	const struct kzt_by_addr_case *c = test->param_value;
	struct kzt_rt_env env = { .test = test };
	struct in6_addr server = SERVER, pod3 = kzt_rt_addr(3, 2);
	enum kzt_inbound_verdict verdict;
	int ifindex = 0;

	env.tables = kzt_tables_new(8);
	KUNIT_ASSERT_NOT_NULL(test, env.tables);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kzt_rt_tables_put,
							env.tables), 0);
	kzt_rt_put(&env, CLIENT, ID_CLIENT, 0, CLIENT, KZT_PROTO_KZT1);
	kzt_rt_put(&env, SERVER, ID_SERVER, POD_IF, SERVER_NODE, KZT_PROTO_KZT1);
	kzt_rt_put(&env, pod3, ID_CLIENT, 0, pod3, KZT_PROTO_KZT1);
	kzt_rt_put(&env, kzt_rt_addr(2, 3), ID_CLIENT, POD_IF + 1, SERVER_NODE,
		   KZT_PROTO_KZT1);
	kzt_rt_put(&env, kzt_rt_addr(4, 1), NULL, 0, kzt_rt_addr(4, 1),
		   KZT_PROTO_PLAINTEXT);

	rcu_read_lock();
	verdict = kzt_decide_inbound(env.tables, c->peer_id, ID_SERVER,
				     &c->peer, c->peer_local, &c->src, false,
				     &server, 80, false, &ifindex);
	/* Dialed by address: never an entry of the known-node index. */
	KUNIT_EXPECT_FALSE(test, kzt_workload_node_known(&env.tables->workloads,
							 &c->src));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, verdict, c->want);
	KUNIT_EXPECT_EQ(test, ifindex, c->want == KZT_IN_OK ? POD_IF : 0);
}

static struct kunit_case kzt_recheck_test_cases[] = {
	KUNIT_CASE_PARAM(kzt_redecide_test, kzt_rt_gen_params),
	KUNIT_CASE_PARAM(kzt_decide_plain_test, kzt_plain_gen_params),
	KUNIT_CASE_PARAM(kzt_decide_inbound_test, kzt_in_gen_params),
	KUNIT_CASE_PARAM(kzt_decide_inbound_by_addr_test,
			 kzt_by_addr_gen_params),
	KUNIT_CASE(kzt_id_in_trust_domain_test),
	{}
};

static struct kunit_suite kzt_recheck_suite = {
	.name = "kzt_recheck",
	.test_cases = kzt_recheck_test_cases,
};

kunit_test_suite(kzt_recheck_suite);
