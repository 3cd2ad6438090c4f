/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kztctl: the operator's command line for kzt.
 */
#ifndef KZTCTL_H
#define KZTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "apply.h"
#include "kztnl.h"

/* Exit status; documented in --help and Documentation/kztctl.rst. */
enum {
	KZTCTL_EXIT_OK		= 0,
	KZTCTL_EXIT_ERROR	= 1,	/* runtime failure or wrong usage */
	KZTCTL_EXIT_NO_MODULE	= 3,	/* family "kzt" not in this kernel */
	KZTCTL_EXIT_PERM	= 4,	/* EPERM: CAP_NET_ADMIN is needed */
};

struct kztctl_opts {
	bool json;	/* -j: one JSON object per command on stdout */
	bool color;	/* stdout is a terminal and NO_COLOR is unset */
};

extern struct kztctl_opts kztctl_opts;
extern const char *prog;

int status_main(int argc, char *argv[]);
int config_main(int argc, char *argv[]);
int workload_main(int argc, char *argv[]);
int policy_main(int argc, char *argv[]);
int apply_main(int argc, char *argv[]);
int conn_main(int argc, char *argv[]);
int stats_main(int argc, char *argv[]);
int revoke_main(int argc, char *argv[]);
int pool_main(int argc, char *argv[]);
int ca_main(int argc, char *argv[]);
int monitor_main(int argc, char *argv[]);

/* common.c */
int kztctl_open(struct kzt_client *c, const char *what);
int kztctl_fail(const char *what, int ret, const struct kzt_nl_err *err);
int kztctl_print_count(const char *what, const char *key, uint64_t n,
		       const char *text);
int kztctl_usage_error(void (*usage)(FILE *f), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool kztctl_is_help(const char *arg);
void kztctl_print_header(const char *name);
void kztctl_print_field(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* args.c: command-line parsing that never touches the kernel. */
int kztctl_parse_config_set(int argc, char *argv[], struct kzt_config *cfg,
			    char *errbuf, size_t errlen);
int kztctl_parse_workload_add(int argc, char *argv[], struct kzt_workload *w,
			      char *ifname, bool *replace, char *errbuf,
			      size_t errlen);
int kztctl_parse_policy_add(int argc, char *argv[], struct kzt_policy *p,
			    bool *replace, char *errbuf, size_t errlen);
int kztctl_parse_check(int argc, char *argv[], struct kzt_check_query *q,
		       char *errbuf, size_t errlen);

/* output.c: JSON objects and text tables, without the kernel. */
struct kzt_json;
struct kztctl_table;

void kztctl_json_config(struct kzt_json *j, const char *key,
			const struct kzt_config *cfg);
void kztctl_json_workload(struct kzt_json *j, const struct kzt_workload *w);
void kztctl_json_policy(struct kzt_json *j, const struct kzt_policy *p);
void kztctl_json_check(struct kzt_json *j, const struct kzt_check_result *r);
void kztctl_json_apply(struct kzt_json *j, const struct kzt_apply_result *r);
void kztctl_json_conn(struct kzt_json *j, const struct kzt_conn *conn);
void kztctl_json_flow_event(struct kzt_json *j, const struct kzt_flow_event *ev);
const char *kztctl_flow_event_str(const struct kzt_flow_event *ev, char *buf,
				  size_t len);
void kztctl_json_stats(struct kzt_json *j, const struct kzt_stats *st);
const char *kztctl_endpoint_str(const struct in6_addr *addr, uint16_t port,
				char *buf, size_t len);
const char *kztctl_age_str(uint64_t ms, char *buf, size_t len);
const char *kztctl_dry_run_str(const struct kzt_policy *p, char *buf,
			       size_t len);
const char *kztctl_check_str(const struct kzt_check_result *r, char *buf,
			     size_t len);
const char *kztctl_rule_str(const struct kzt_rule *r, char *buf, size_t len);

struct kztctl_table *kztctl_table_new(size_t ncols, const char *const *head);
int kztctl_table_add(struct kztctl_table *t, const char *const *cells);
void kztctl_table_print(const struct kztctl_table *t, FILE *f, bool color);
void kztctl_table_free(struct kztctl_table *t);
int kztctl_table_done(struct kztctl_table *t, int ret);

#endif /* KZTCTL_H */
