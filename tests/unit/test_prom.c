// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text format writer (lib/prom.c): exact output, escaping
 * of any byte string a control plane may send as a label value, and
 * promtool's own check of the result when promtool is installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "prom.h"

/* Run @fn with a memory stream; return what it wrote (caller frees). */
static char *written(void (*fn)(FILE *f))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void plain(FILE *f)
{
	kzt_prom_family(f, "kzt_hs_ok_total", "counter", "handshake: succeeded");
	kzt_prom_sample(f, "kzt_hs_ok_total", NULL, 0, 18446744073709551615ULL);
}

static void test_plain(void **state)
{
	char *s = written(plain);

	(void)state;
	assert_string_equal(s,
		"# HELP kzt_hs_ok_total handshake: succeeded\n"
		"# TYPE kzt_hs_ok_total counter\n"
		"kzt_hs_ok_total 18446744073709551615\n");
	free(s);
}

static void single(FILE *f)
{
	kzt_prom_single(f, "kzt_xds_connected", "gauge", "1 while \\ connected", 1);
}

/* A family of one sample: what kzt_prom_family() + _sample() write. */
static void test_single(void **state)
{
	char *s = written(single);

	(void)state;
	assert_string_equal(s,
		"# HELP kzt_xds_connected 1 while \\\\ connected\n"
		"# TYPE kzt_xds_connected gauge\n"
		"kzt_xds_connected 1\n");
	free(s);
}

static const struct kzt_prom_label hostile[] = {
	{ "source_workload", "a\"b\\c\nd" },
	{ "destination_workload", "\xff\xc0\xafok\xe2\x82\xac" },	/* bad, overlong, € */
	{ "reporter", "" },
};

static void labels(FILE *f)
{
	kzt_prom_family(f, "istio_tcp_sent_bytes_total", "counter",
			"back\\slash\nnewline \"quoted\"");
	kzt_prom_sample(f, "istio_tcp_sent_bytes_total", hostile, 3, 42);
}

static void test_escaping(void **state)
{
	char *s = written(labels);

	(void)state;
	assert_string_equal(s,
		"# HELP istio_tcp_sent_bytes_total back\\\\slash\\nnewline \"quoted\"\n"
		"# TYPE istio_tcp_sent_bytes_total counter\n"
		"istio_tcp_sent_bytes_total{source_workload=\"a\\\"b\\\\c\\nd\","
		"destination_workload=\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdok\xe2\x82\xac\","
		"reporter=\"\"} 42\n");
	free(s);
}

/* promtool, the reference parser, accepts both outputs. */
static void test_promtool(void **state)
{
	char path[] = "/tmp/kzt-prom-XXXXXX";
	char cmd[128];
	int fd;
	FILE *f;

	(void)state;
	if (system("command -v promtool > /dev/null 2>&1")) {
		skip();
		return;
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	plain(f);
	labels(f);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_promtool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
