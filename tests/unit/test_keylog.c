// SPDX-License-Identifier: GPL-2.0
/*
 * lib/keylog.c: the key log file is opened like a secret. A symbolic
 * link, a FIFO, a directory or a file others may read or write is
 * refused and left as it was; a new file is 0600 whatever the umask.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "certgen.h"
#include "keylog.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = certgen_tmpdir();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	certgen_rmdir(dir);
	return 0;
}

static const char *in_dir(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void put(const char *name, const char *body, mode_t mode)
{
	FILE *f = fopen(in_dir(name), "w");

	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	assert_int_equal(chmod(in_dir(name), mode), 0);
}

static void expect_body(const char *name, const char *body)
{
	char buf[256] = "";
	FILE *f = fopen(in_dir(name), "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, body);
}

static mode_t mode_of(const char *name)
{
	struct stat st;

	assert_int_equal(lstat(in_dir(name), &st), 0);
	return st.st_mode & 07777;
}

static void test_new_and_existing(void **state)
{
	char why[512];
	mode_t old = umask(0);
	FILE *f = NULL;

	(void)state;
	assert_int_equal(kzt_keylog_open(in_dir("new.keys"), &f, why, sizeof(why)), 0);
	umask(old);
	fputs("one\n", f);
	fclose(f);
	assert_int_equal(mode_of("new.keys"), 0600);
	assert_int_equal(kzt_keylog_open(in_dir("new.keys"), &f, why, sizeof(why)), 0);
	fputs("two\n", f);
	fclose(f);
	expect_body("new.keys", "one\ntwo\n");
}

static void test_loose_mode(void **state)
{
	char why[512];
	FILE *f = NULL;

	(void)state;
	put("loose.keys", "old\n", 0644);
	assert_int_equal(kzt_keylog_open(in_dir("loose.keys"), &f, why, sizeof(why)),
			 EACCES);
	assert_null(f);
	assert_non_null(strstr(why, "chmod 600"));
	assert_int_equal(mode_of("loose.keys"), 0644);
	expect_body("loose.keys", "old\n");
	put("loose.keys", "old\n", 0620);
	assert_int_equal(kzt_keylog_open(in_dir("loose.keys"), &f, why, sizeof(why)),
			 EACCES);
}

/* A link planted at the path: the secrets must not follow it. */
static void test_symlink(void **state)
{
	char why[512], target[512];
	FILE *f = NULL;

	(void)state;
	put("public.txt", "public\n", 0600);
	/* in_dir() has one buffer: the target is copied first. */
	snprintf(target, sizeof(target), "%s", in_dir("public.txt"));
	assert_int_equal(symlink(target, in_dir("link.keys")), 0);
	assert_int_equal(kzt_keylog_open(in_dir("link.keys"), &f, why, sizeof(why)),
			 ELOOP);
	assert_null(f);
	assert_non_null(strstr(why, "symbolic link"));
	expect_body("public.txt", "public\n");
	/* A dangling link creates nothing either. */
	snprintf(target, sizeof(target), "%s", in_dir("absent"));
	assert_int_equal(symlink(target, in_dir("dangling.keys")), 0);
	assert_int_equal(kzt_keylog_open(in_dir("dangling.keys"), &f, why,
					 sizeof(why)), ELOOP);
	assert_int_equal(access(in_dir("absent"), F_OK), -1);
}

/* Not a file: refused at once (a FIFO without reader never blocks). */
static void test_not_a_file(void **state)
{
	char why[512];
	FILE *f = NULL;

	(void)state;
	assert_int_equal(mkfifo(in_dir("fifo.keys"), 0600), 0);
	assert_int_not_equal(kzt_keylog_open(in_dir("fifo.keys"), &f, why,
					     sizeof(why)), 0);
	assert_null(f);
	assert_int_equal(mkdir(in_dir("dir.keys"), 0700), 0);
	assert_int_not_equal(kzt_keylog_open(in_dir("dir.keys"), &f, why,
					     sizeof(why)), 0);
	assert_null(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_existing),
		cmocka_unit_test(test_loose_mode),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_not_a_file),
	};

	return cmocka_run_group_tests_name("keylog", tests, setup, teardown);
}
