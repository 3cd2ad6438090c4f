// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kztd's certificate directory loader
 * (lib/creds.c, with lib/svid.c and the SSL_CTX set-up). The input is
 * cut at each line "--8<--" into the files bundle.pem, a.crt, a.key,
 * b.crt and b.key of a private directory (keys 0600, as kztd requires),
 * which kzt_creds_load() then reads as kztd does at start and on reload.
 *
 * Beyond "no crash, no leak, no UB": a set it accepts has at most one
 * identity per pair given, each a valid SPIFFE ID of the trust domain
 * with a leaf whose key is the pair's, sorted and found by
 * kzt_creds_find(); a reload of the same files gives the same identities;
 * and every log line is a formatted string (kzt_log is replaced here so
 * that the run stays quiet).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "creds.h"
#include "log.h"
#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TD	"cluster.local"
#define CUT	"\n--8<--\n"

static const char *const names[] = {
	"bundle.pem", "a.crt", "a.key", "b.crt", "b.key",
};

static char dir[PATH_MAX];

void kzt_log(enum kzt_log_level level, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/kzt-fuzz-creds-%d",
		 tmp ? tmp : "/tmp", (int)getpid());
	if (mkdir(dir, 0700) && chmod(dir, 0700))
		abort();
}

static void write_file(const char *name, const uint8_t *p, size_t len)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	f = fopen(path, "w");
	if (!f || (len && fwrite(p, 1, len, f) != len) || fclose(f))
		abort();
	if (chmod(path, strstr(name, ".key") ? 0600 : 0644))
		abort();
}

static void check(const struct kzt_creds *c, size_t pairs)
{
	if (c->n_ids > pairs)
		abort();
	for (size_t i = 0; i < c->n_ids; i++) {
		const struct kzt_ident *id = &c->ids[i];
		size_t n = strlen(TD);

		if (kzt_spiffe_id_check(id->id) ||
		    strncmp(id->id, "spiffe://" TD "/", 9 + n + 1) ||
		    !id->leaf || !id->key ||
		    X509_check_private_key(id->leaf, id->key) != 1 ||
		    kzt_creds_find(c, id->id) != id ||
		    (i && strcmp(c->ids[i - 1].id, id->id) >= 0))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct kzt_tls_opts opts = { 0 };
	const uint8_t *p = data, *end = data + size;
	struct kzt_creds *c = NULL, *again = NULL;
	size_t i, pairs = 0;

	if (!dir[0])
		setup();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const uint8_t *cut = p ? memmem(p, end - p, CUT,
						strlen(CUT)) : NULL;
		const uint8_t *stop = cut ? cut : (p ? end : NULL);

		write_file(names[i], p, p ? stop - p : 0);
		if (p && i && (i % 2))
			pairs++;		/* a .crt was given */
		p = cut ? cut + strlen(CUT) : NULL;
	}
	if (kzt_creds_load(dir, TD, &opts, &c))
		return 0;
	check(c, pairs);
	/* A reload of the same files gives the same identities. */
	if (kzt_creds_reload(c, TD, &opts, &again))
		abort();
	check(again, pairs);
	if (again->n_ids != c->n_ids)
		abort();
	for (i = 0; i < c->n_ids; i++)
		if (strcmp(again->ids[i].id, c->ids[i].id))
			abort();
	kzt_creds_put(again);
	kzt_creds_put(c);
	return 0;
}
