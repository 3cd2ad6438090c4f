/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A certificate signing request for istiod's CA, as ztunnel makes one: a
 * fresh ECDSA P-256 key, a CSR signed with it (SHA-256) whose only name is
 * one URI SAN, the workload's SPIFFE ID (empty subject), PEM. The key
 * never leaves memory.
 */
#ifndef KZT_CSR_H
#define KZT_CSR_H

#include <stddef.h>

#include <openssl/evp.h>

#define KZT_CSR_WHY_MAX	256

int kzt_csr_make(const char *spiffe_id, EVP_PKEY **key, char **pem,
		 char *why, size_t why_len);

#endif /* KZT_CSR_H */
