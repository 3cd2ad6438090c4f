// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl apply -f FILE [--prune]: make this node's workloads, policies and
 * configuration what an apply file says (Documentation/apply.rst).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "kztctl.h"

static void apply_usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] apply -f FILE [--prune]\n\n"
		   "  -f FILE   the apply file (YAML, Documentation/apply.rst); - for stdin\n"
		   "  --prune   also remove the workloads and policies FILE does not name\n"
		   "The file is checked completely before anything changes. Workloads and\n"
		   "policies are replaced in one transaction; the node section is applied\n"
		   "after it commits.\n",
		prog);
}

static int parse_args(int argc, char *argv[], const char **file, bool *prune)
{
	*file = NULL;
	*prune = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--prune")) {
			if (*prune)
				return kztctl_usage_error(apply_usage, "apply: --prune given twice");
			*prune = true;
		} else if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--file")) {
			if (*file)
				return kztctl_usage_error(apply_usage, "apply: -f given twice");
			if (i + 1 >= argc)
				return kztctl_usage_error(apply_usage, "apply: -f needs a file");
			*file = argv[++i];
		} else {
			return kztctl_usage_error(apply_usage, "apply: unknown argument '%s'",
						  argv[i]);
		}
	}
	if (!*file)
		return kztctl_usage_error(apply_usage, "apply: -f FILE is needed");
	return KZTCTL_EXIT_OK;
}

static int print_result(const struct kzt_apply_result *r, bool prune)
{
	struct kzt_json j;

	if (kztctl_opts.json) {
		kzt_json_init(&j, stdout);
		kztctl_json_apply(&j, r);
		return kzt_json_finish(&j);
	}
	printf("applied: %zu workload%s, %zu polic%s", r->workloads,
	       r->workloads == 1 ? "" : "s", r->policies,
	       r->policies == 1 ? "y" : "ies");
	if (prune)
		printf("; removed %zu workload%s, %zu polic%s",
		       r->removed_workloads, r->removed_workloads == 1 ? "" : "s",
		       r->removed_policies, r->removed_policies == 1 ? "y" : "ies");
	putchar('\n');
	return fflush(stdout) ? errno : 0;
}

/* The file could not be read, is wrong, or names a missing interface. */
static int load_failed(const char *action, int ret, const char *msg,
		       struct kzt_apply_file *f)
{
	kzt_apply_free(f);
	if (ret == ENOMEM)
		return kztctl_fail(action, ret, NULL);
	/* "FILE:LINE:COL: PATH: what", or "FILE: strerror" */
	fprintf(stderr, "%s: %s\n%s: nothing was changed\n", prog, msg, prog);
	return KZTCTL_EXIT_ERROR;
}

int apply_main(int argc, char *argv[])
{
	char what[1024], msg[KZT_APPLY_ERR_MAX], action[1200];
	struct kzt_apply_result res;
	struct kzt_apply_file f;
	struct kzt_config live;
	struct kzt_nl_err err;
	struct kzt_client c;
	const char *file;
	bool prune;
	int ret;

	if (argc > 1 && kztctl_is_help(argv[1])) {
		apply_usage(stdout);
		return KZTCTL_EXIT_OK;
	}
	ret = parse_args(argc, argv, &file, &prune);
	if (ret)
		return ret;

	snprintf(action, sizeof(action), "apply %s", file);
	/* Everything is checked before the kernel is asked anything. */
	ret = kzt_apply_load(file, NULL, &f, msg, sizeof(msg));
	if (ret)
		return load_failed(action, ret, msg, &f);
	ret = kztctl_open(&c, action);
	if (ret) {
		kzt_apply_free(&f);
		return ret;
	}
	ret = kzt_config_get(&c, &live, &err);
	if (ret) {
		kzt_client_close(&c);
		kzt_apply_free(&f);
		return kztctl_fail(action, ret, &err);
	}
	/* namespace + serviceAccount take the node's live trust domain. */
	if (f.used_live_trust_domain && live.has_trust_domain &&
	    strcmp(live.trust_domain, KZT_DEFAULT_TRUST_DOMAIN)) {
		kzt_apply_free(&f);
		ret = kzt_apply_load(file, live.trust_domain, &f, msg, sizeof(msg));
	}
	if (!ret)
		ret = kzt_apply_resolve(&f, msg, sizeof(msg));
	if (ret) {
		kzt_client_close(&c);
		return load_failed(action, ret, msg, &f);
	}

	ret = kzt_apply_commit(&c, &f, prune, &res, &err, what, sizeof(what));
	kzt_client_close(&c);
	kzt_apply_free(&f);
	if (ret) {
		snprintf(action, sizeof(action), "apply %s: %s", file, what);
		return kztctl_fail(action, ret, &err);
	}
	ret = print_result(&res, prune);
	return ret ? kztctl_fail("print the result", ret, NULL) : KZTCTL_EXIT_OK;
}
