/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A development certificate authority for one SPIFFE trust domain, so that
 * a new user needs no outside PKI (Documentation/certificates.rst), and
 * reading certificates back for "kztctl ca show". OpenSSL 3.
 *
 * Files: a CA directory holds ca.crt and ca.key (0600). A certificate
 * directory, as kztd --certs reads it, holds bundle.pem (the trusted CA
 * certificates) and, per identity, <name>.crt (leaf first) and <name>.key
 * (0600). Keys are EC P-256. Nothing is ever half written: files are
 * written to temporary names and moved into place at the end.
 *
 * Every function returns 0 or a positive errno and, on error, a message
 * an operator can act on in @errbuf. No key material is ever put in a
 * message; key buffers are cleansed before they are freed.
 */
#ifndef KZT_CA_H
#define KZT_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>

#include <linux/kzt.h>

#define KZT_CA_DAYS_DEFAULT	3650	/* the CA: ten years */
#define KZT_CA_LEAF_DAYS_DEFAULT 90	/* a leaf: rotate often */
#define KZT_CA_DAYS_MAX		36500
#define KZT_CA_NAME_MAX		200	/* <name> of <name>.crt */
#define KZT_CA_ERR_MAX		(PATH_MAX + 512)
#define KZT_CA_CERT		"ca.crt"
#define KZT_CA_KEY		"ca.key"
#define KZT_CA_BUNDLE		"bundle.pem"
/* Certificates and keys start valid this long ago: clocks drift. */
#define KZT_CA_BACKDATE_S	300

struct kzt_ca_init_opts {
	const char *dir;		/* created (0700) when missing */
	const char *trust_domain;	/* NULL: KZT_DEFAULT_TRUST_DOMAIN */
	unsigned int days;		/* 0: KZT_CA_DAYS_DEFAULT */
	bool force;			/* replace ca.crt and ca.key */
};

struct kzt_ca_issue_opts {
	const char *ca_dir;		/* holds ca.crt and ca.key */
	const char *id;			/* spiffe://TD/... in the CA's TD */
	const char *out_dir;		/* created (0755) when missing */
	const char *name;		/* NULL: <namespace>.<service-account> */
	unsigned int days;		/* 0: KZT_CA_LEAF_DAYS_DEFAULT */
	bool force;			/* replace <name>.crt/.key, bundle.pem */
};

/* What kzt_ca_issue() wrote. */
struct kzt_ca_issued {
	char name[KZT_CA_NAME_MAX + 1];
	bool bundle_written;		/* false: bundle.pem had the CA already */
};

/* One certificate of a PEM file, as "kztctl ca show" prints it. */
struct kzt_cert_info {
	char subject[512];
	char issuer[512];
	char serial[128];		/* hex, "0A1B..." */
	char not_before[32];		/* "2026-01-31T12:00:00Z" */
	char not_after[32];
	bool expired;			/* now is past not_after */
	bool not_yet_valid;
	bool is_ca;
	char key[80];			/* "EC P-256", "RSA 2048" */
	size_t n_uris;			/* URI SANs */
	char spiffe_id[KZT_SPIFFE_ID_MAX + 1];	/* the first spiffe:// URI */
	bool is_svid;			/* an X509-SVID leaf kztd can use */
	const char *not_svid;		/* why not, when !is_svid */
};

struct kzt_cert_infos {
	struct kzt_cert_info *v;
	size_t n;
};

int kzt_ca_init(const struct kzt_ca_init_opts *o, char *errbuf,
		size_t errlen);
int kzt_ca_issue(const struct kzt_ca_issue_opts *o, struct kzt_ca_issued *out,
		 char *errbuf, size_t errlen);
int kzt_cert_file_info(const char *path, struct kzt_cert_infos *list,
		       char *errbuf, size_t errlen);
void kzt_cert_infos_free(struct kzt_cert_infos *list);
const char *kzt_ca_name_check(const char *name);

#endif /* KZT_CA_H */
