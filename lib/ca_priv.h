/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ca.c and cert.c share and nobody else needs.
 */
#ifndef KZT_CA_PRIV_H
#define KZT_CA_PRIV_H

#include <stddef.h>

#include <openssl/x509.h>

int kzt_ca_err(char *errbuf, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *kzt_ca_ssl_reason(void);
int kzt_certs_load(const char *path, STACK_OF(X509) **certs, char *errbuf,
		   size_t errlen);
void kzt_certs_free(STACK_OF(X509) *certs);
size_t kzt_cert_uris(X509 *x, char *first, size_t len);

#endif /* KZT_CA_PRIV_H */
