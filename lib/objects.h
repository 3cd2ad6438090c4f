/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workloads and authorization policies as plain structs: what the netlink
 * client sends and reads back, what an apply file loads into and what
 * kztctl prints. Strings and arrays are heap-allocated and owned by the
 * struct; the *_free() functions release them and leave the struct zeroed.
 */
#ifndef KZT_OBJECTS_H
#define KZT_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kzt.h>

#include "addr.h"

struct kzt_strs {
	char **v;
	size_t n;
};

struct kzt_cidrs {
	struct kzt_cidr *v;
	size_t n;
};

struct kzt_ports {
	uint16_t *v;
	size_t n;
};

struct kzt_addrs {
	struct in6_addr *v;
	size_t n;
};

/* One entry of the workload table: the address is the key. */
struct kzt_workload {
	struct in6_addr addr;
	char *id;		/* SPIFFE ID; NULL for a plaintext one without */
	uint8_t protocol;	/* enum kzt_proto */
	bool has_node;		/* remote: hosted by the node at @node */
	struct in6_addr node;
	uint32_t ifindex;	/* local: node-side interface; 0 when remote */
};

struct kzt_workloads {
	struct kzt_workload *v;
	size_t n;
};

struct kzt_clause;

/*
 * A rule of Istio's grammar (Documentation/policy.rst): with @n_clauses,
 * each clause must match, and the fields are unused; without, the fields
 * are its short form, one clause of one match, which matches when every
 * field it has matches (AND); no field: it matches all.
 */
struct kzt_rule {
	struct kzt_strs principals;
	struct kzt_strs not_principals;
	struct kzt_strs namespaces;
	struct kzt_strs not_namespaces;
	struct kzt_cidrs ip_blocks;
	struct kzt_cidrs not_ip_blocks;
	struct kzt_ports ports;
	struct kzt_ports not_ports;
	struct kzt_cidrs destination_ips;
	struct kzt_cidrs not_destination_ips;
	struct kzt_strs service_accounts;	/* "NS/SA" */
	struct kzt_strs not_service_accounts;
	struct kzt_clause *clauses;
	size_t n_clauses;
};

/*
 * One of its matches must match; a match is a struct kzt_rule of fields
 * only (no field: it matches nothing). No match: the clause matches all.
 */
struct kzt_clause {
	struct kzt_rule *matches;
	size_t n_matches;
};

struct kzt_policy {
	char *name;
	uint8_t action;		/* enum kzt_action */
	uint8_t scope;		/* enum kzt_scope */
	char *ns;		/* KZT_SCOPE_NAMESPACE only */
	struct kzt_strs scope_ids;	/* KZT_SCOPE_WORKLOADS only */
	struct kzt_addrs scope_addrs;	/* KZT_SCOPE_ADDRESSES only */
	struct kzt_rule *rules;
	size_t n_rules;
	bool dry_run;		/* decided and counted, never enforced */
	/* A dry-run policy's counters, as POLICY_GET reports them. */
	bool has_counters;
	uint64_t would_allow;
	uint64_t would_deny;
};

struct kzt_policies {
	struct kzt_policy *v;
	size_t n;
};

int kzt_strs_push(struct kzt_strs *s, const char *str, size_t len);
int kzt_cidrs_push(struct kzt_cidrs *c, const struct kzt_cidr *cidr);
int kzt_ports_push(struct kzt_ports *p, uint16_t port);
int kzt_addrs_push(struct kzt_addrs *a, const struct in6_addr *addr);
void kzt_strs_free(struct kzt_strs *s);

void kzt_workload_free(struct kzt_workload *w);
int kzt_workloads_push(struct kzt_workloads *list, struct kzt_workload *w);
void kzt_workloads_free(struct kzt_workloads *list);
void kzt_workloads_sort(struct kzt_workloads *list);

struct kzt_rule *kzt_policy_rule_add(struct kzt_policy *p);
struct kzt_clause *kzt_rule_clause_add(struct kzt_rule *r);
struct kzt_rule *kzt_clause_match_add(struct kzt_clause *c);
void kzt_rule_free(struct kzt_rule *r);
void kzt_policy_free(struct kzt_policy *p);
int kzt_policies_push(struct kzt_policies *list, struct kzt_policy *p);
void kzt_policies_free(struct kzt_policies *list);
void kzt_policies_sort(struct kzt_policies *list);

/* Words of the CLI, the apply files and the JSON output. */
const char *kzt_proto_name(unsigned int proto);
const char *kzt_action_name(unsigned int action);
const char *kzt_scope_name(unsigned int scope);
const char *kzt_nonmesh_name(unsigned int mode);
const char *kzt_verdict_name(unsigned int verdict);
const char *kzt_reason_name(unsigned int reason);
int kzt_proto_parse(const char *s, uint8_t *proto);
int kzt_action_parse(const char *s, uint8_t *action);
int kzt_scope_parse(const char *s, uint8_t *scope);
int kzt_nonmesh_parse(const char *s, uint8_t *mode);

#endif /* KZT_OBJECTS_H */
