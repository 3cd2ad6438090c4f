// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of kztctl arguments into requests. Kept apart from the code that
 * talks to the kernel, so that the unit tests can feed it bad input.
 */
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kztctl.h"
#include "names.h"
#include "parse.h"

static bool field_is(const char *arg, const char *name)
{
	/* "tunnel-port" is the documented spelling; "tunnel_port" is what
	 * the JSON output and kztd.conf say, so take it too. */
	for (; *arg && *name; arg++, name++) {
		if (*arg == *name || (*arg == '_' && *name == '-'))
			continue;
		return false;
	}
	return !*arg && !*name;
}

/* "invalid FIELD 'VALUE': WHY" into @errbuf; EINVAL. */
static int bad(char *errbuf, size_t errlen, const char *field,
	       const char *value, const char *why)
{
	snprintf(errbuf, errlen, "invalid %s '%s': %s", field, value, why);
	return EINVAL;
}

/**
 * kztctl_parse_config_set() - parse "[tunnel-port N] [capture on|off]
 *                             [trust-domain TD] [nonmesh deny|passthrough]
 *                             [handshake-timeout MS] [idle-timeout S]
 *                             [keepalive-idle S] [keepalive-interval S]
 *                             [keepalive-probes N]"
 * @argc:   number of words after "config set"
 * @argv:   the words
 * @cfg:    the fields to set; filled only on success
 * @errbuf: on error, a message that names the field at fault
 * @errlen: size of @errbuf
 *
 * @retval 0      @cfg holds at least one field
 * @retval EINVAL nothing given, an unknown field, a field twice, a missing
 *                or a bad value
 */
int kztctl_parse_config_set(int argc, char *argv[], struct kzt_config *cfg,
			    char *errbuf, size_t errlen)
{
	struct kzt_config c = { 0 };
	const char *msg;
	int err;

	if (argc == 0) {
		snprintf(errbuf, errlen,
			 "nothing to set: give tunnel-port N, capture on|off, trust-domain TD, nonmesh deny|passthrough, handshake-timeout MS, idle-timeout S, keepalive-idle S, keepalive-interval S and/or keepalive-probes N");
		return EINVAL;
	}
	for (int i = 0; i < argc; i += 2) {
		const char *field = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (field_is(field, "tunnel-port")) {
			if (c.has_tunnel_port)
				goto twice;
			if (!value)
				goto no_value;
			err = kzt_parse_port(value, &c.tunnel_port);
			if (err) {
				snprintf(errbuf, errlen,
					 "invalid tunnel-port '%s': %s (expected 1..65535)",
					 value, err == ERANGE ? "out of range" :
					 "not a number");
				return EINVAL;
			}
			c.has_tunnel_port = true;
		} else if (field_is(field, "capture")) {
			if (c.has_capture)
				goto twice;
			if (!value)
				goto no_value;
			if (kzt_parse_bool(value, &c.capture)) {
				snprintf(errbuf, errlen,
					 "invalid capture '%s' (expected on or off)",
					 value);
				return EINVAL;
			}
			c.has_capture = true;
		} else if (field_is(field, "trust-domain")) {
			if (c.has_trust_domain)
				goto twice;
			if (!value)
				goto no_value;
			msg = kzt_trust_domain_str_check(value);
			if (msg) {
				snprintf(errbuf, errlen, "invalid trust-domain '%s': %s",
					 value, msg);
				return EINVAL;
			}
			snprintf(c.trust_domain, sizeof(c.trust_domain), "%s", value);
			c.has_trust_domain = true;
		} else if (field_is(field, "nonmesh")) {
			if (c.has_nonmesh)
				goto twice;
			if (!value)
				goto no_value;
			if (kzt_nonmesh_parse(value, &c.nonmesh)) {
				snprintf(errbuf, errlen,
					 "invalid nonmesh '%s' (expected deny or passthrough)",
					 value);
				return EINVAL;
			}
			c.has_nonmesh = true;
		} else if (field_is(field, "handshake-timeout") ||
			   field_is(field, "handshake-timeout-ms")) {
			if (c.has_handshake_timeout_ms)
				goto twice;
			if (!value)
				goto no_value;
			if (kzt_parse_handshake_timeout(value, &c.handshake_timeout_ms,
							&msg))
				return bad(errbuf, errlen, "handshake-timeout", value, msg);
			c.has_handshake_timeout_ms = true;
		} else if (field_is(field, "idle-timeout") ||
			   field_is(field, "idle-timeout-s")) {
			if (c.has_idle_timeout_s)
				goto twice;
			if (!value)
				goto no_value;
			if (kzt_parse_idle_timeout(value, &c.idle_timeout_s, &msg))
				return bad(errbuf, errlen, "idle-timeout", value, msg);
			c.has_idle_timeout_s = true;
		} else if (field_is(field, "keepalive-idle") ||
			   field_is(field, "keepalive-idle-s")) {
			if (c.has_keepalive_idle_s)
				goto twice;
			if (!value)
				goto no_value;
			if (kzt_parse_keepalive_idle(value, &c.keepalive_idle_s, &msg))
				return bad(errbuf, errlen, "keepalive-idle", value, msg);
			c.has_keepalive_idle_s = true;
		} else if (field_is(field, "keepalive-interval") ||
			   field_is(field, "keepalive-interval-s")) {
			if (c.has_keepalive_interval_s)
				goto twice;
			if (!value)
				goto no_value;
			if (kzt_parse_keepalive_interval(value, &c.keepalive_interval_s,
							 &msg))
				return bad(errbuf, errlen, "keepalive-interval", value,
					   msg);
			c.has_keepalive_interval_s = true;
		} else if (field_is(field, "keepalive-probes")) {
			if (c.has_keepalive_probes)
				goto twice;
			if (!value)
				goto no_value;
			if (kzt_parse_keepalive_probes(value, &c.keepalive_probes, &msg))
				return bad(errbuf, errlen, "keepalive-probes", value, msg);
			c.has_keepalive_probes = true;
		} else if (field_is(field, "flow-stats-interval") ||
			   field_is(field, "flow-stats-interval-s")) {
			if (c.has_flow_stats_interval_s)
				goto twice;
			if (!value)
				goto no_value;
			if (kzt_parse_flow_stats_interval(value,
							  &c.flow_stats_interval_s,
							  &msg))
				return bad(errbuf, errlen, "flow-stats-interval",
					   value, msg);
			c.has_flow_stats_interval_s = true;
		} else {
			snprintf(errbuf, errlen,
				 "unknown field '%s' (expected tunnel-port, capture, trust-domain, nonmesh, handshake-timeout, idle-timeout, keepalive-idle, keepalive-interval, keepalive-probes or flow-stats-interval)",
				 field);
			return EINVAL;
		}
		continue;
twice:
		snprintf(errbuf, errlen, "%s given twice", field);
		return EINVAL;
no_value:
		snprintf(errbuf, errlen, "%s needs a value", field);
		return EINVAL;
	}
	*cfg = c;
	return 0;
}

/**
 * kztctl_parse_workload_add() - parse "ADDR id SPIFFE_ID (node NODE_ADDR |
 *                               dev IFNAME) [protocol kzt|plaintext|refused]
 *                               [replace]"
 * @argc:    number of words after "workload add"
 * @argv:    the words
 * @w:       filled on success (free with kzt_workload_free()); ifindex is
 *           left 0, the caller resolves @ifname
 * @ifname:  the interface of a local workload, "" for a remote one
 *           (IF_NAMESIZE bytes)
 * @replace: whether "replace" was given
 * @errbuf:  on error, a message that names the field at fault
 * @errlen:  size of @errbuf
 *
 * @retval 0      parsed
 * @retval EINVAL a missing, unknown, repeated or bad field
 * @retval ENOMEM out of memory
 */
int kztctl_parse_workload_add(int argc, char *argv[], struct kzt_workload *w,
			      char *ifname, bool *replace, char *errbuf,
			      size_t errlen)
{
	struct kzt_workload n = { .protocol = KZT_PROTO_KZT1 };
	bool has_id = false, has_proto = false, has_dev = false;
	const char *msg, *id = NULL;

	*replace = false;
	ifname[0] = '\0';
	if (argc < 1) {
		snprintf(errbuf, errlen, "the workload's address is needed");
		return EINVAL;
	}
	if (kzt_addr_parse(argv[0], &n.addr))
		return bad(errbuf, errlen, "address", argv[0], "not an IP address");
	for (int i = 1; i < argc; i++) {
		const char *field = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(field, "replace")) {
			if (*replace)
				goto twice;
			*replace = true;
			continue;
		}
		if (strcmp(field, "id") && strcmp(field, "node") &&
		    strcmp(field, "dev") && strcmp(field, "protocol")) {
			snprintf(errbuf, errlen,
				 "unknown field '%s' (expected id, node, dev, protocol or replace)",
				 field);
			return EINVAL;
		}
		if (!value) {
			snprintf(errbuf, errlen, "%s needs a value", field);
			return EINVAL;
		}
		i++;
		if (!strcmp(field, "id")) {
			if (has_id)
				goto twice;
			msg = kzt_spiffe_id_check(value);
			if (msg)
				return bad(errbuf, errlen, "id", value, msg);
			id = value;
			has_id = true;
		} else if (!strcmp(field, "node")) {
			if (n.has_node)
				goto twice;
			if (kzt_addr_parse(value, &n.node))
				return bad(errbuf, errlen, "node", value,
					   "not an IP address");
			n.has_node = true;
		} else if (!strcmp(field, "dev")) {
			if (has_dev)
				goto twice;
			if (!value[0] || strlen(value) >= IF_NAMESIZE)
				return bad(errbuf, errlen, "dev", value,
					   "not an interface name");
			snprintf(ifname, IF_NAMESIZE, "%s", value);
			has_dev = true;
		} else {
			if (has_proto)
				goto twice;
			if (kzt_proto_parse(value, &n.protocol))
				return bad(errbuf, errlen, "protocol", value,
					   "expected kzt, plaintext or refused");
			has_proto = true;
		}
		continue;
twice:
		snprintf(errbuf, errlen, "%s given twice", field);
		return EINVAL;
	}
	if (n.has_node == has_dev) {
		snprintf(errbuf, errlen,
			 "give exactly one of node NODE_ADDR (remote) and dev IFNAME (local)");
		return EINVAL;
	}
	if (!has_id && n.protocol == KZT_PROTO_KZT1) {
		snprintf(errbuf, errlen, "id SPIFFE_ID is needed (unless protocol plaintext or refused)");
		return EINVAL;
	}
	if (id) {
		n.id = strdup(id);
		if (!n.id)
			return ENOMEM;
	}
	*w = n;
	return 0;
}

/* Rule fields on the command line, and where their values go. */
enum field_kind { F_PRINCIPAL, F_NAMESPACE, F_IP_BLOCK, F_PORT,
		  F_SERVICE_ACCOUNT };

static const struct {
	const char *name;
	enum field_kind kind;
	size_t offset;
} rule_fields[] = {
	{ "principal",		F_PRINCIPAL,	offsetof(struct kzt_rule, principals) },
	{ "not-principal",	F_PRINCIPAL,	offsetof(struct kzt_rule, not_principals) },
	{ "namespace",		F_NAMESPACE,	offsetof(struct kzt_rule, namespaces) },
	{ "not-namespace",	F_NAMESPACE,	offsetof(struct kzt_rule, not_namespaces) },
	{ "ip-block",		F_IP_BLOCK,	offsetof(struct kzt_rule, ip_blocks) },
	{ "not-ip-block",	F_IP_BLOCK,	offsetof(struct kzt_rule, not_ip_blocks) },
	{ "port",		F_PORT,		offsetof(struct kzt_rule, ports) },
	{ "not-port",		F_PORT,		offsetof(struct kzt_rule, not_ports) },
	{ "destination-ip",	F_IP_BLOCK,	offsetof(struct kzt_rule, destination_ips) },
	{ "not-destination-ip",	F_IP_BLOCK,	offsetof(struct kzt_rule, not_destination_ips) },
	{ "service-account",	F_SERVICE_ACCOUNT,
	  offsetof(struct kzt_rule, service_accounts) },
	{ "not-service-account", F_SERVICE_ACCOUNT,
	  offsetof(struct kzt_rule, not_service_accounts) },
};

static int rule_field_index(const char *name)
{
	for (size_t i = 0; i < sizeof(rule_fields) / sizeof(rule_fields[0]); i++)
		if (!strcmp(name, rule_fields[i].name))
			return i;
	return -1;
}

/* Count of the values a field already has, whatever their type. */
static size_t field_count(const struct kzt_rule *r, int f)
{
	const char *base = (const char *)r + rule_fields[f].offset;

	switch (rule_fields[f].kind) {
	case F_IP_BLOCK:
		return ((const struct kzt_cidrs *)base)->n;
	case F_PORT:
		return ((const struct kzt_ports *)base)->n;
	default:
		return ((const struct kzt_strs *)base)->n;
	}
}

/* One value of a rule field; "rule[N] FIELD 'VALUE': why" on error. */
static int rule_value(struct kzt_rule *r, size_t rule, int f, const char *v,
		      char *errbuf, size_t errlen)
{
	char *base = (char *)r + rule_fields[f].offset;
	const char *name = rule_fields[f].name;
	const char *msg = NULL;
	struct kzt_cidr c;
	uint16_t port;
	int ret;

	if (field_count(r, f) >= KZT_RULE_VALUES_MAX) {
		snprintf(errbuf, errlen, "rule %zu: more than %d values of %s",
			 rule, KZT_RULE_VALUES_MAX, name);
		return EINVAL;
	}
	switch (rule_fields[f].kind) {
	case F_PRINCIPAL:
		msg = kzt_principal_check(v);
		break;
	case F_NAMESPACE:
		msg = kzt_ns_match_check(v);
		break;
	case F_SERVICE_ACCOUNT:
		msg = kzt_service_account_check(v);
		break;
	case F_IP_BLOCK:
		ret = kzt_cidr_parse(v, &c);
		if (ret == EDOM)
			msg = "host bits set below the prefix";
		else if (ret)
			msg = "not an IP block (ADDR/LEN)";
		else if (kzt_cidrs_push((struct kzt_cidrs *)base, &c))
			return ENOMEM;
		break;
	case F_PORT:
		if (kzt_parse_port(v, &port))
			msg = "not a port (1..65535)";
		else if (kzt_ports_push((struct kzt_ports *)base, port))
			return ENOMEM;
		break;
	}
	if (msg) {
		snprintf(errbuf, errlen, "rule %zu: invalid %s '%s': %s", rule,
			 name, v, msg);
		return EINVAL;
	}
	if ((rule_fields[f].kind == F_PRINCIPAL ||
	     rule_fields[f].kind == F_NAMESPACE ||
	     rule_fields[f].kind == F_SERVICE_ACCOUNT) &&
	    kzt_strs_push((struct kzt_strs *)base, v, strlen(v)))
		return ENOMEM;
	return 0;
}

/* Each comma-separated item of @list to @fn; an empty item is an error. */
static int split_list(const char *list, const char *what,
		      int (*fn)(const char *item, void *arg), void *arg,
		      char *errbuf, size_t errlen)
{
	char *copy = strdup(list), *save = NULL, *item;
	int ret = 0;

	if (!copy)
		return ENOMEM;
	if (!list[0] || list[0] == ',' || list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,")) {
		snprintf(errbuf, errlen, "invalid %s '%s': an empty item", what, list);
		free(copy);
		return EINVAL;
	}
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = fn(item, arg);
	free(copy);
	return ret;
}

struct rule_item_ctx {
	struct kzt_rule *r;
	size_t rule;
	int field;
	char *errbuf;
	size_t errlen;
};

static int rule_item(const char *item, void *arg)
{
	struct rule_item_ctx *ctx = arg;

	return rule_value(ctx->r, ctx->rule, ctx->field, item, ctx->errbuf,
			  ctx->errlen);
}

struct scope_item_ctx {
	struct kzt_policy *p;
	char *errbuf;
	size_t errlen;
};

static int scope_item(const char *item, void *arg)
{
	struct scope_item_ctx *ctx = arg;
	const char *msg = kzt_spiffe_id_check(item);

	if (msg)
		return bad(ctx->errbuf, ctx->errlen, "workloads ID", item, msg);
	if (ctx->p->scope_ids.n >= KZT_SCOPE_IDS_MAX) {
		snprintf(ctx->errbuf, ctx->errlen, "more than %d workloads IDs",
			 KZT_SCOPE_IDS_MAX);
		return EINVAL;
	}
	return kzt_strs_push(&ctx->p->scope_ids, item, strlen(item));
}

static int scope_addr_item(const char *item, void *arg)
{
	struct scope_item_ctx *ctx = arg;
	struct in6_addr addr;

	if (kzt_addr_parse(item, &addr))
		return bad(ctx->errbuf, ctx->errlen, "address", item,
			   "not an IPv4 or IPv6 address");
	if (ctx->p->scope_addrs.n >= KZT_SCOPE_IDS_MAX) {
		snprintf(ctx->errbuf, ctx->errlen, "more than %d addresses",
			 KZT_SCOPE_IDS_MAX);
		return EINVAL;
	}
	return kzt_addrs_push(&ctx->p->scope_addrs, &addr);
}

/*
 * "scope global | namespace NS | workloads ID[,ID...] | addresses A[,A...]"
 * at argv[*i].
 */
static int parse_scope(int argc, char *argv[], int *i, struct kzt_policy *p,
		       char *errbuf, size_t errlen)
{
	struct scope_item_ctx ctx = { p, errbuf, errlen };
	const char *kind = *i + 1 < argc ? argv[*i + 1] : NULL;
	const char *arg = *i + 2 < argc ? argv[*i + 2] : NULL;
	const char *msg;

	if (!kind || kzt_scope_parse(kind, &p->scope)) {
		snprintf(errbuf, errlen,
			 "scope needs global, namespace NS, workloads ID[,ID...] or addresses A[,A...]");
		return EINVAL;
	}
	*i += 1;
	if (p->scope == KZT_SCOPE_GLOBAL)
		return 0;
	if (!arg) {
		snprintf(errbuf, errlen, "scope %s needs a value", kind);
		return EINVAL;
	}
	*i += 1;
	if (p->scope == KZT_SCOPE_NAMESPACE) {
		msg = kzt_namespace_check(arg);
		if (msg)
			return bad(errbuf, errlen, "namespace", arg, msg);
		p->ns = strdup(arg);
		return p->ns ? 0 : ENOMEM;
	}
	if (p->scope == KZT_SCOPE_ADDRESSES)
		return split_list(arg, "addresses", scope_addr_item, &ctx,
				  errbuf, errlen);
	return split_list(arg, "workloads", scope_item, &ctx, errbuf, errlen);
}

/**
 * kztctl_parse_policy_add() - parse "NAME action allow|deny scope
 *     global|namespace NS|workloads ID[,ID...] [rule [FIELD VALUE]...]...
 *     [dry-run] [replace]"
 * @argc:    number of words after "policy add"
 * @argv:    the words
 * @p:       filled on success; free with kzt_policy_free()
 * @replace: whether "replace" was given
 * @errbuf:  on error, a message that names the field at fault
 * @errlen:  size of @errbuf
 *
 * A rule holds the FIELD VALUE pairs that follow its "rule" word; a field
 * may repeat and VALUE may be a comma-separated list. A bare "rule"
 * matches everything. "dry-run" sets @p->dry_run.
 *
 * @retval 0      parsed
 * @retval EINVAL a missing, unknown, repeated or bad field
 * @retval ENOMEM out of memory
 */
int kztctl_parse_policy_add(int argc, char *argv[], struct kzt_policy *p,
			    bool *replace, char *errbuf, size_t errlen)
{
	struct kzt_policy n = { 0 };
	bool has_action = false, has_scope = false;
	struct kzt_rule *rule = NULL;
	const char *msg;
	int ret = EINVAL;

	*replace = false;
	if (argc < 1) {
		snprintf(errbuf, errlen, "the policy's name is needed");
		return EINVAL;
	}
	msg = kzt_policy_name_check(argv[0]);
	if (msg)
		return bad(errbuf, errlen, "name", argv[0], msg);
	n.name = strdup(argv[0]);
	if (!n.name)
		return ENOMEM;

	for (int i = 1; i < argc; i++) {
		const char *word = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;
		int f = rule ? rule_field_index(word) : -1;

		if (f >= 0) {
			struct rule_item_ctx ctx = {
				rule, n.n_rules - 1, f, errbuf, errlen,
			};

			if (!value) {
				snprintf(errbuf, errlen, "rule %zu: %s needs a value",
					 n.n_rules - 1, word);
				goto out;
			}
			ret = split_list(value, word, rule_item, &ctx, errbuf, errlen);
			if (ret)
				goto out;
			ret = EINVAL;
			i++;
		} else if (!strcmp(word, "rule")) {
			if (n.n_rules >= KZT_POLICY_RULES_MAX) {
				snprintf(errbuf, errlen, "more than %d rules",
					 KZT_POLICY_RULES_MAX);
				goto out;
			}
			rule = kzt_policy_rule_add(&n);
			if (!rule) {
				ret = ENOMEM;
				goto out;
			}
		} else if (!strcmp(word, "action")) {
			if (has_action)
				goto twice;
			if (!value || kzt_action_parse(value, &n.action)) {
				snprintf(errbuf, errlen, "action needs allow or deny");
				goto out;
			}
			has_action = true;
			i++;
		} else if (!strcmp(word, "scope")) {
			if (has_scope)
				goto twice;
			ret = parse_scope(argc, argv, &i, &n, errbuf, errlen);
			if (ret)
				goto out;
			ret = EINVAL;
			has_scope = true;
		} else if (!strcmp(word, "replace")) {
			if (*replace)
				goto twice;
			*replace = true;
		} else if (!strcmp(word, "dry-run")) {
			if (n.dry_run)
				goto twice;
			n.dry_run = true;
		} else {
			snprintf(errbuf, errlen,
				 rule ? "unknown field '%s' (expected a rule field: principal, not-principal, namespace, not-namespace, ip-block, not-ip-block, port, not-port, destination-ip, not-destination-ip, service-account, not-service-account; or rule, action, scope, dry-run, replace)" :
					"unknown field '%s' (expected action, scope, rule, dry-run or replace)",
				 word);
			goto out;
		}
		continue;
twice:
		snprintf(errbuf, errlen, "%s given twice", word);
		goto out;
	}
	if (!has_action) {
		snprintf(errbuf, errlen, "action allow|deny is needed");
		goto out;
	}
	if (!has_scope) {
		snprintf(errbuf, errlen,
			 "scope global|namespace NS|workloads ID[,ID...]|addresses A[,A...] is needed");
		goto out;
	}
	*p = n;
	return 0;
out:
	kzt_policy_free(&n);
	return ret;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]; NULL if not --name. */
static const char *long_opt(int argc, char *argv[], int *i, const char *name,
			    bool *missing)
{
	size_t len = strlen(name);
	const char *arg = argv[*i];

	*missing = false;
	if (strncmp(arg, name, len))
		return NULL;
	if (arg[len] == '=')
		return arg + len + 1;
	if (arg[len])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

/**
 * kztctl_parse_check() - parse "--src-id ID --src-ip IP --dst ADDR --port N"
 * @argc:   number of words after "policy check"
 * @argv:   the words
 * @q:      filled on success; q->src_id points into @argv (NULL without
 *          --src-id: a plaintext peer)
 * @errbuf: on error, a message that names the option at fault
 * @errlen: size of @errbuf
 *
 * @retval 0      parsed
 * @retval EINVAL a missing, unknown, repeated or bad option
 */
int kztctl_parse_check(int argc, char *argv[], struct kzt_check_query *q,
		       char *errbuf, size_t errlen)
{
	static const char *const names[] = {
		"--src-id", "--src-ip", "--dst", "--port",
	};
	struct kzt_check_query n = { 0 };
	bool seen[4] = { false };
	const char *msg;

	for (int i = 0; i < argc; i++) {
		const char *v = NULL;
		bool missing = false;
		size_t k;

		for (k = 0; k < 4; k++) {
			v = long_opt(argc, argv, &i, names[k], &missing);
			if (v || missing)
				break;
		}
		if (k == 4) {
			snprintf(errbuf, errlen,
				 "unknown option '%s' (expected --src-id, --src-ip, --dst, --port)",
				 argv[i]);
			return EINVAL;
		}
		if (missing) {
			snprintf(errbuf, errlen, "%s needs a value", names[k]);
			return EINVAL;
		}
		if (seen[k]) {
			snprintf(errbuf, errlen, "%s given twice", names[k]);
			return EINVAL;
		}
		seen[k] = true;
		switch (k) {
		case 0:
			msg = kzt_spiffe_id_check(v);
			if (msg)
				return bad(errbuf, errlen, "--src-id", v, msg);
			n.src_id = v;
			break;
		case 1:
			if (kzt_addr_parse(v, &n.src_addr))
				return bad(errbuf, errlen, "--src-ip", v,
					   "not an IP address");
			break;
		case 2:
			if (kzt_addr_parse(v, &n.dst_addr))
				return bad(errbuf, errlen, "--dst", v,
					   "not an IP address");
			break;
		default:
			if (kzt_parse_port(v, &n.dst_port))
				return bad(errbuf, errlen, "--port", v,
					   "not a port (1..65535)");
			break;
		}
	}
	for (size_t k = 1; k < 4; k++) {
		if (!seen[k]) {
			snprintf(errbuf, errlen, "%s is needed", names[k]);
			return EINVAL;
		}
	}
	*q = n;
	return 0;
}
