/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kztctl: the operator's command line for kzt.
 */
#ifndef KZTCTL_H
#define KZTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

/* common.c */
int kztctl_open(struct kzt_client *c, const char *what);
int kztctl_fail(const char *what, int ret, const struct kzt_nl_err *err);
int kztctl_usage_error(void (*usage)(FILE *f), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool kztctl_is_help(const char *arg);
void kztctl_print_header(const char *name);
void kztctl_print_field(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* args.c: command-line parsing that never touches the kernel. */
int kztctl_parse_config_set(int argc, char *argv[], struct kzt_config *cfg,
			    char *errbuf, size_t errlen);

#endif /* KZTCTL_H */
