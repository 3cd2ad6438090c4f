// SPDX-License-Identifier: GPL-2.0
/*
 * What every kztctl command shares: opening the family, turning an error
 * into a message and an exit status, and text output.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "kztctl.h"

#define COLOR_HEADER	"\x1b[32m\x1b[1m"
#define COLOR_KEY	"\x1b[0m\x1b[1m"
#define COLOR_RESET	"\x1b[0m"

/**
 * kztctl_fail() - report a failed request; pick the exit status
 * @what: what was being done, e.g. "set config" ("Unable to set config")
 * @ret:  the errno
 * @err:  the kernel's answer (extack), may be NULL
 *
 * @retval KZTCTL_EXIT_PERM  for EPERM (the message says CAP_NET_ADMIN)
 * @retval KZTCTL_EXIT_ERROR for anything else
 */
int kztctl_fail(const char *what, int ret, const struct kzt_nl_err *err)
{
	struct kzt_nl_err plain;
	char msg[512];

	if (!err || err->error != ret) {
		kzt_nl_err_set(&plain, ret);
		err = &plain;
	}
	kzt_err_str(err, msg, sizeof(msg));
	if (ret == EPERM) {
		fprintf(stderr, "%s: Unable to %s: %s (CAP_NET_ADMIN is needed)\n",
			prog, what, msg);
		return KZTCTL_EXIT_PERM;
	}
	if (ret == EOPNOTSUPP)
		fprintf(stderr, "%s: Unable to %s: %s (the kzt module may be older than %s)\n",
			prog, what, msg, prog);
	else
		fprintf(stderr, "%s: Unable to %s: %s\n", prog, what, msg);
	return KZTCTL_EXIT_ERROR;
}

/**
 * kztctl_open() - connect to the kzt family, or say why not
 * @c:    the client to open
 * @what: what the caller is about to do, for the error message
 *
 * @retval KZTCTL_EXIT_OK        @c is open
 * @retval KZTCTL_EXIT_NO_MODULE the kzt module is not loaded
 * @retval other                 exit status from kztctl_fail()
 */
int kztctl_open(struct kzt_client *c, const char *what)
{
	struct kzt_nl_err err;
	int ret;

	ret = kzt_client_open(c, &err);
	if (ret == ENOENT) {
		fprintf(stderr, "%s: Unable to %s: %s\n", prog, what,
			KZT_MSG_NOT_LOADED);
		return KZTCTL_EXIT_NO_MODULE;
	}
	if (ret)
		return kztctl_fail(what, ret, &err);
	return KZTCTL_EXIT_OK;
}

/**
 * kztctl_usage_error() - say what is wrong with the command line
 * @usage: prints the usage of the command; may be NULL
 * @fmt:   the problem
 *
 * @retval KZTCTL_EXIT_ERROR always
 */
int kztctl_usage_error(void (*usage)(FILE *f), const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (usage)
		usage(stderr);
	return KZTCTL_EXIT_ERROR;
}

bool kztctl_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "help");
}

/**
 * kztctl_table_done() - the end of every table a command prints
 * @t: the table, freed here
 * @ret: 0, or the error that stopped filling @t (then nothing is printed)
 *
 * Return: @ret, or the errno of a failed flush of stdout.
 */
int kztctl_table_done(struct kztctl_table *t, int ret)
{
	if (!ret)
		kztctl_table_print(t, stdout, kztctl_opts.color);
	kztctl_table_free(t);
	if (!ret && fflush(stdout))
		ret = errno;
	return ret;
}

/* "name:" on a line of its own; green and bold on a terminal. */
void kztctl_print_header(const char *name)
{
	if (kztctl_opts.color)
		printf(COLOR_HEADER "%s" COLOR_RESET ":\n", name);
	else
		printf("%s:\n", name);
}

/* "  key: value" under a header; the key in bold on a terminal. */
void kztctl_print_field(const char *key, const char *fmt, ...)
{
	va_list ap;

	if (kztctl_opts.color)
		printf("  " COLOR_KEY "%s" COLOR_RESET ": ", key);
	else
		printf("  %s: ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/**
 * kztctl_print_count() - a command's one figure: "N TEXT", or {"KEY":N}
 * @what: the command's action, for an output error
 * @key:  the JSON key
 * @n:    the figure
 * @text: what follows it in text, singular or plural as @n wants
 *
 * @retval exit status
 */
int kztctl_print_count(const char *what, const char *key, uint64_t n,
		       const char *text)
{
	struct kzt_json j;
	int ret;

	if (!kztctl_opts.json) {
		printf("%" PRIu64 " %s\n", n, text);
		return KZTCTL_EXIT_OK;
	}
	kzt_json_init(&j, stdout);
	kzt_json_object_begin(&j, NULL);
	kzt_json_uint(&j, key, n);
	kzt_json_object_end(&j);
	ret = kzt_json_finish(&j);
	return ret ? kztctl_fail(what, ret, NULL) : KZTCTL_EXIT_OK;
}
