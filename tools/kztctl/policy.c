// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl policy add | del | list | show | check: the authorization
 * policies of this netns, and what they decide for a flow.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "kztctl.h"

static void policy_usage(FILE *f)
{
	fprintf(f, "Usage: %s policy add NAME action allow|deny\n"
		   "                        scope global|namespace NS|workloads ID[,ID...]\n"
		   "                              |addresses A[,A...]\n"
		   "                        [rule [FIELD VALUE]...]... [dry-run] [replace]\n"
		   "       %s policy del NAME\n"
		   "       %s [-j] policy list\n"
		   "       %s [-j] policy show [NAME]\n"
		   "       %s [-j] policy check [--src-id ID] --src-ip IP --dst ADDR --port N\n\n"
		   "  FIELD  principal | not-principal | namespace | not-namespace |\n"
		   "         ip-block | not-ip-block | port | not-port | destination-ip |\n"
		   "         not-destination-ip | service-account | not-service-account\n"
		   "         Each may repeat inside a rule; VALUE may be a comma-separated\n"
		   "         list. A bare 'rule' matches everything. Principals are SPIFFE\n"
		   "         IDs without spiffe://, exact, PREFIX* or *SUFFIX, or *;\n"
		   "         service accounts NS/SA, exact.\n"
		   "  dry-run  decide and count, never enforce; show tells what the\n"
		   "           policy would have done (would-allow, would-deny).\n"
		   "  check  decide a flow as the data path would; without --src-id the\n"
		   "         peer is plaintext. Prints ALLOW or DENY and the reason, and\n"
		   "         the dry-run verdict when a dry-run policy applies.\n",
		prog, prog, prog, prog, prog);
}

static const char *scope_target(const struct kzt_policy *p, char *buf,
				size_t len)
{
	size_t pos = 0;

	switch (p->scope) {
	case KZT_SCOPE_NAMESPACE:
		snprintf(buf, len, "namespace %s", p->ns ? p->ns : "?");
		break;
	case KZT_SCOPE_WORKLOADS:
		pos = snprintf(buf, len, "workloads ");
		for (size_t i = 0; i < p->scope_ids.n && pos < len; i++)
			pos += snprintf(buf + pos, len - pos, "%s%s", i ? "," : "",
					p->scope_ids.v[i]);
		break;
	case KZT_SCOPE_ADDRESSES:
		pos = snprintf(buf, len, "addresses ");
		for (size_t i = 0; i < p->scope_addrs.n && pos < len; i++) {
			char a[INET6_ADDRSTRLEN];

			pos += snprintf(buf + pos, len - pos, "%s%s", i ? "," : "",
					kzt_addr_str(&p->scope_addrs.v[i], a,
						     sizeof(a)));
		}
		break;
	default:
		snprintf(buf, len, "%s", kzt_scope_name(p->scope));
		break;
	}
	return buf;
}

/* One row per rule; the policy's own columns on its first row only. */
static int text_rows(struct kztctl_table *t, const struct kzt_policy *p)
{
	char target[1024], rule[2048], index[32], dry_run[64];
	const char *cells[6];
	size_t n = p->n_rules ? p->n_rules : 1;

	for (size_t i = 0; i < n; i++) {
		cells[0] = i ? "" : p->name;
		cells[1] = i ? "" : kzt_action_name(p->action);
		cells[2] = i ? "" : kztctl_dry_run_str(p, dry_run, sizeof(dry_run));
		cells[3] = i ? "" : scope_target(p, target, sizeof(target));
		if (p->n_rules) {
			snprintf(index, sizeof(index), "%zu", i);
			cells[4] = index;
			cells[5] = kztctl_rule_str(&p->rules[i], rule, sizeof(rule));
		} else {
			cells[4] = "-";
			cells[5] = "(no rules)";
		}
		if (kztctl_table_add(t, cells))
			return ENOMEM;
	}
	return 0;
}

static int print_policies(const struct kzt_policy *v, size_t n, bool one)
{
	static const char *const head[] = {
		"NAME", "ACTION", "DRY-RUN", "SCOPE", "RULE", "MATCH",
	};
	struct kztctl_table *t;
	struct kzt_json j;
	int ret = 0;

	if (kztctl_opts.json) {
		kzt_json_init(&j, stdout);
		if (!one) {
			kzt_json_object_begin(&j, NULL);
			kzt_json_array_begin(&j, "policies");
		}
		for (size_t i = 0; i < n; i++)
			kztctl_json_policy(&j, &v[i]);
		if (!one) {
			kzt_json_array_end(&j);
			kzt_json_object_end(&j);
		}
		return kzt_json_finish(&j);
	}
	t = kztctl_table_new(6, head);
	if (!t)
		return ENOMEM;
	for (size_t i = 0; i < n && !ret; i++)
		ret = text_rows(t, &v[i]);
	return kztctl_table_done(t, ret);
}

static int policy_show(int argc, char *argv[])
{
	const char *what = "show the policies";
	struct kzt_policies list;
	struct kzt_policy p;
	struct kzt_nl_err err;
	struct kzt_client c;
	int ret;

	if (argc > 2)
		return kztctl_usage_error(policy_usage, "%s takes one name at most",
					  argv[0]);
	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	if (argc == 2) {
		what = "show the policy";
		ret = kzt_policy_get(&c, argv[1], &p, &err);
		kzt_client_close(&c);
		if (ret)
			return kztctl_fail(what, ret, &err);
		ret = print_policies(&p, 1, true);
		kzt_policy_free(&p);
	} else {
		ret = kzt_policy_dump(&c, &list, &err);
		kzt_client_close(&c);
		if (ret)
			return kztctl_fail(what, ret, &err);
		ret = print_policies(list.v, list.n, false);
		kzt_policies_free(&list);
	}
	return ret ? kztctl_fail(what, ret, NULL) : KZTCTL_EXIT_OK;
}

static int policy_add(int argc, char *argv[])
{
	const char *what = "add the policy";
	struct kzt_add_opts opts = { 0 };
	struct kzt_policy p;
	struct kzt_nl_err err;
	struct kzt_client c;
	char msg[512];
	int ret;

	ret = kztctl_parse_policy_add(argc - 1, argv + 1, &p, &opts.replace,
				      msg, sizeof(msg));
	if (ret == ENOMEM)
		return kztctl_fail(what, ret, NULL);
	if (ret)
		return kztctl_usage_error(policy_usage, "policy add: %s", msg);
	ret = kztctl_open(&c, what);
	if (!ret) {
		ret = kzt_policy_add(&c, &p, &opts, &err);
		kzt_client_close(&c);
		if (ret)
			ret = kztctl_fail(what, ret, &err);
	}
	kzt_policy_free(&p);
	return ret;
}

static int policy_del(int argc, char *argv[])
{
	const char *what = "delete the policy";
	struct kzt_nl_err err;
	struct kzt_client c;
	int ret;

	if (argc != 2)
		return kztctl_usage_error(policy_usage, "policy del needs one name");
	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	ret = kzt_policy_del(&c, argv[1], &err);
	kzt_client_close(&c);
	return ret ? kztctl_fail(what, ret, &err) : KZTCTL_EXIT_OK;
}

static int policy_check(int argc, char *argv[])
{
	const char *what = "check the flow";
	struct kzt_check_result res;
	struct kzt_check_query q;
	struct kzt_nl_err err;
	struct kzt_client c;
	struct kzt_json j;
	char msg[512];
	int ret;

	if (kztctl_parse_check(argc - 1, argv + 1, &q, msg, sizeof(msg)))
		return kztctl_usage_error(policy_usage, "policy check: %s", msg);
	ret = kztctl_open(&c, what);
	if (ret)
		return ret;
	ret = kzt_policy_check(&c, &q, &res, &err);
	kzt_client_close(&c);
	if (ret)
		return kztctl_fail(what, ret, &err);

	if (kztctl_opts.json) {
		kzt_json_init(&j, stdout);
		kztctl_json_check(&j, &res);
		ret = kzt_json_finish(&j);
	} else {
		printf("%s\n", kztctl_check_str(&res, msg, sizeof(msg)));
		ret = fflush(stdout) ? errno : 0;
	}
	/* A DENY is an answer, not a failure: exit 0 either way. */
	return ret ? kztctl_fail(what, ret, NULL) : KZTCTL_EXIT_OK;
}

int policy_main(int argc, char *argv[])
{
	if (argc == 1)
		return policy_show(argc, argv);
	if (kztctl_is_help(argv[1]) || (argc > 2 && kztctl_is_help(argv[2]))) {
		policy_usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "list")) {
		if (argc > 2)
			return kztctl_usage_error(policy_usage,
						  "policy list takes no arguments");
		return policy_show(1, argv + 1);
	}
	if (!strcmp(argv[1], "show"))
		return policy_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "add"))
		return policy_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return policy_del(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return policy_check(argc - 1, argv + 1);
	return kztctl_usage_error(policy_usage, "unknown policy command '%s'",
				  argv[1]);
}
