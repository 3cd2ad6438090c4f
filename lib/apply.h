/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Apply files (Documentation/apply.rst): a YAML description of a node's
 * configuration, workloads and authorization policies, close to ztunnel's
 * local config and Istio's AuthorizationPolicy.
 *
 * Loading is pure: it parses and validates everything and reports the
 * first problem as "FILE:LINE:COL: PATH: what is wrong", so that nothing
 * is sent for a file with a mistake in it. kzt_apply_commit() then
 * replaces the live tables through one transaction.
 */
#ifndef KZT_APPLY_H
#define KZT_APPLY_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "kztnl.h"
#include "objects.h"

#define KZT_APPLY_ERR_MAX	1024

/* Where in the file a value is: for messages. */
struct kzt_apply_pos {
	size_t line, col;		/* 1-based */
	char *path;			/* "workloads[2].workloadIps[0]" */
};

/* Where a workload entry came from, and its interface to resolve. */
struct kzt_apply_origin {
	struct kzt_apply_pos addr;	/* the address */
	char ifname[IF_NAMESIZE];	/* "" for a remote workload */
	struct kzt_apply_pos iface;	/* the interface value */
};

struct kzt_apply_file {
	char *name;			/* the file, as given */
	struct kzt_config node;		/* has_ flags: the keys given */
	struct kzt_workloads workloads;	/* one entry per address */
	struct kzt_apply_origin *origins;	/* parallel to workloads.v */
	struct kzt_policies policies;	/* kernel names ("ns/name") */
	struct kzt_apply_pos *policy_pos;	/* parallel to policies.v */
	bool used_live_trust_domain;	/* an identity was built with it */
};

struct kzt_apply_result {
	size_t workloads;		/* in the committed tables */
	size_t policies;
	size_t removed_workloads;	/* live ones the file did not name */
	size_t removed_policies;	/* (with prune) */
};

int kzt_apply_parse(const char *buf, size_t len, const char *name,
		    const char *live_trust_domain, struct kzt_apply_file *f,
		    char *errbuf, size_t errlen);
int kzt_apply_read(const char *path, char **bufp, size_t *lenp, char *errbuf,
		   size_t errlen);
int kzt_apply_load(const char *path, const char *live_trust_domain,
		   struct kzt_apply_file *f, char *errbuf, size_t errlen);
int kzt_apply_resolve(struct kzt_apply_file *f, char *errbuf, size_t errlen);
void kzt_apply_free(struct kzt_apply_file *f);

int kzt_apply_commit(struct kzt_client *c, const struct kzt_apply_file *f,
		     bool prune, struct kzt_apply_result *res,
		     struct kzt_nl_err *err, char *what, size_t whatlen);

#endif /* KZT_APPLY_H */
