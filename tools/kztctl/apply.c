// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl apply -f FILE [--prune]: make this node's workloads, policies and
 * configuration what an apply file says (Documentation/apply.rst).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

int apply_main(int argc, char *argv[])
{
	char what[1024], msg[KZT_APPLY_ERR_MAX], action[1200];
	struct kzt_apply_result res;
	struct kzt_apply_file f;
	struct kzt_config live;
	struct kzt_nl_err err;
	struct kzt_client c;
	const char *file;
	char *text;
	size_t len;
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
	/* Read once (stdin too), checked before the kernel is asked anything. */
	ret = kzt_apply_read(file, &text, &len, msg, sizeof(msg));
	if (ret) {
		fprintf(stderr, "%s: Unable to %s: %s\n", prog, action, msg);
		return KZTCTL_EXIT_ERROR;
	}
	ret = kzt_apply_parse(text, len, file, NULL, &f, msg, sizeof(msg));
	if (ret)
		goto out_load_failed;
	ret = kztctl_open(&c, action);
	if (ret)
		goto out_free;
	ret = kzt_config_get(&c, &live, &err);
	if (ret) {
		kzt_client_close(&c);
		ret = kztctl_fail(action, ret, &err);
		goto out_free;
	}
	/* namespace + serviceAccount take the node's live trust domain. */
	if (f.used_live_trust_domain && live.has_trust_domain &&
	    strcmp(live.trust_domain, KZT_DEFAULT_TRUST_DOMAIN)) {
		kzt_apply_free(&f);
		ret = kzt_apply_parse(text, len, file, live.trust_domain, &f,
				      msg, sizeof(msg));
	}
	if (!ret)
		ret = kzt_apply_resolve(&f, msg, sizeof(msg));
	if (ret) {
		kzt_client_close(&c);
		goto out_load_failed;
	}

	ret = kzt_apply_commit(&c, &f, prune, &res, &err, what, sizeof(what));
	kzt_client_close(&c);
	if (ret) {
		snprintf(action, sizeof(action), "apply %s: %s", file, what);
		ret = kztctl_fail(action, ret, &err);
		goto out_free;
	}
	ret = print_result(&res, prune);
	ret = ret ? kztctl_fail("print the result", ret, NULL) : KZTCTL_EXIT_OK;
	goto out_free;

out_load_failed:
	if (ret == ENOMEM) {
		ret = kztctl_fail(action, ret, NULL);
	} else {
		/* "FILE:LINE:COL: PATH: what is wrong" */
		fprintf(stderr, "%s: %s\n%s: nothing was changed\n", prog, msg,
			prog);
		ret = KZTCTL_EXIT_ERROR;
	}
out_free:
	kzt_apply_free(&f);
	free(text);
	return ret;
}
