// SPDX-License-Identifier: GPL-2.0
/*
 * Engine test fixture: certificates on disk, the server name lookup, and
 * a handshake driven to its end on both sides.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "certgen.h"
#include "tlsfix.h"

int tlsfix_write_pair(struct tlsfix *f, const char *dir, const char *name,
		      const char *uri, X509 *ca, EVP_PKEY *ca_key)
{
	char path[512], san[256];
	struct certgen g = CERTGEN_SVID("");
	EVP_PKEY *key = certgen_key();
	X509 *leaf;
	int ret;

	(void)f;
	snprintf(san, sizeof(san), "URI:%s", uri);
	g.san = san;
	leaf = certgen_cert(&g, key, ca, ca_key);
	if (!leaf)
		return -1;
	snprintf(path, sizeof(path), "%s/%s.crt", dir, name);
	ret = certgen_write_certs(path, &leaf, 1);
	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	if (!ret)
		ret = certgen_write_key(path, key, 0600);
	X509_free(leaf);
	EVP_PKEY_free(key);
	return ret;
}

int tlsfix_make(struct tlsfix *f)
{
	char path[512];

	f->dir = certgen_tmpdir();
	f->ca_key = certgen_key();
	f->ca = certgen_cert(&CERTGEN_CA("kzt test CA"), f->ca_key, NULL, NULL);
	if (!f->dir || !f->ca)
		return -1;
	snprintf(path, sizeof(path), "%s/bundle.pem", f->dir);
	if (certgen_write_certs(path, &f->ca, 1) ||
	    tlsfix_write_pair(f, f->dir, "a.client", FIX_CLIENT_ID, f->ca, f->ca_key) ||
	    tlsfix_write_pair(f, f->dir, "b.server", FIX_SERVER_ID, f->ca, f->ca_key))
		return -1;
	return 0;
}

void tlsfix_free(struct tlsfix *f)
{
	certgen_rmdir(f->dir);
	X509_free(f->ca);
	EVP_PKEY_free(f->ca_key);
}

/* FIX_SERVER_ADDR is the local workload FIX_SERVER_ID; nothing else is. */
int tlsfix_sni(void *arg, const char *name, char *id, size_t id_len,
	       char *why, size_t why_len)
{
	const char *map_to = arg ? arg : FIX_SERVER_ID;

	if (strcmp(name, FIX_SERVER_ADDR)) {
		snprintf(why, why_len, "not a local workload");
		return EPROTO;
	}
	snprintf(id, id_len, "%s", map_to);
	return 0;
}

/* Step both until neither waits; a side that waits forever stays EAGAIN. */
void tlsfix_run(struct kzt_tls_conn *cl, struct kzt_tls_conn *sv,
		int *cret, int *sret)
{
	bool ww;

	*cret = *sret = EAGAIN;
	for (int i = 0; i < 100 && (*cret == EAGAIN || *sret == EAGAIN); i++) {
		if (*cret == EAGAIN)
			*cret = kzt_tls_conn_step(cl, &ww);
		if (*sret == EAGAIN)
			*sret = kzt_tls_conn_step(sv, &ww);
	}
}
