// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kztd.conf (lib/conf.c) through the same FILE
 * entry point kztd uses. Beyond "no crash, no leak, no UB" it checks the
 * parser's promises: an error names the file and the line, a file it
 * accepts holds only values in the documented ranges, and parsing is
 * deterministic (a second parse of the same bytes gives the same result).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int parse(const uint8_t *data, size_t size, struct kzt_conf *conf,
		 char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)data, size, "r");
	int ret;

	if (!f)
		abort();
	memset(conf, 0, sizeof(*conf));
	ret = kzt_conf_parse(f, "fuzz.conf", conf, err, errlen);
	fclose(f);
	return ret;
}

static void check_accepted(const struct kzt_conf *c)
{
	const struct kzt_config *k = &c->kernel;

	if ((k->has_tunnel_port && !k->tunnel_port) ||
	    (k->has_handshake_timeout_ms &&
	     (k->handshake_timeout_ms < 100 ||
	      k->handshake_timeout_ms > 600000)) ||
	    (k->has_idle_timeout_s && k->idle_timeout_s > 604800) ||
	    (k->has_keepalive_idle_s && k->keepalive_idle_s > 32767) ||
	    (k->has_keepalive_interval_s &&
	     (!k->keepalive_interval_s || k->keepalive_interval_s > 32767)) ||
	    (k->has_keepalive_probes &&
	     (!k->keepalive_probes || k->keepalive_probes > 127)))
		abort();
	if ((c->has_certs && !c->certs[0]) ||
	    (c->has_keylog && !c->keylog[0]) ||
	    (c->has_ciphersuites && !c->ciphersuites[0]))
		abort();
	if (memchr(c->certs, '\0', sizeof(c->certs)) == NULL ||
	    memchr(c->keylog, '\0', sizeof(c->keylog)) == NULL ||
	    memchr(c->ciphersuites, '\0', sizeof(c->ciphersuites)) == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kzt_conf a, b;
	char ea[KZT_CONF_ERR_MAX], eb[KZT_CONF_ERR_MAX];
	int ra, rb;

	ra = parse(data, size, &a, ea, sizeof(ea));
	rb = parse(data, size, &b, eb, sizeof(eb));
	if (ra != rb || memcmp(&a, &b, sizeof(a)))
		abort();
	if (ra) {
		if (strncmp(ea, "fuzz.conf", 9) || strcmp(ea, eb))
			abort();
		return 0;
	}
	check_accepted(&a);
	return 0;
}
