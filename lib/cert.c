// SPDX-License-Identifier: GPL-2.0
/*
 * Reading certificates: load every certificate of a PEM file, and say
 * what each one is (identity, validity, whether it is an X509-SVID per
 * the SPIFFE X509-SVID standard). Used by "kztctl ca show" and by
 * kzt_ca_issue() to learn the CA's trust domain.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "ca_priv.h"
#include "spiffe.h"

/* A PEM file of certificates is small; anything bigger is not one. */
#define CERT_FILE_MAX	(1024 * 1024)

/**
 * kzt_certs_load() - every certificate of a PEM file
 * @path:   the file
 * @certs:  set to a new stack; free with kzt_certs_free()
 * @errbuf: on error, "<path>: what is wrong"
 * @errlen: size of @errbuf
 *
 * @retval 0      at least one certificate
 * @retval ENOENT no such file
 * @retval EINVAL not PEM certificates, or none
 * @retval other  errno of reading
 */
int kzt_certs_load(const char *path, STACK_OF(X509) **certs, char *errbuf,
		   size_t errlen)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *bio = NULL;
	X509 *x;
	int ret = 0;

	if (!sk)
		return kzt_ca_err(errbuf, errlen, ENOMEM, "%s", path);
	bio = BIO_new_file(path, "r");
	if (!bio) {
		ret = errno ? errno : EIO;
		ERR_clear_error();
		kzt_ca_err(errbuf, errlen, ret, "%s: %s", path, strerror(ret));
		goto out;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			ret = kzt_ca_err(errbuf, errlen, ENOMEM, "%s", path);
			goto out;
		}
	}
	/* The end of the file reads as "no start line": not an error. */
	if (ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE &&
	    sk_X509_num(sk) > 0)
		ERR_clear_error();
	if (ERR_peek_error() || !sk_X509_num(sk)) {
		ret = kzt_ca_err(errbuf, errlen, EINVAL,
				 "%s: no PEM certificate could be read%s", path,
				 kzt_ca_ssl_reason());
		goto out;
	}
	*certs = sk;
	sk = NULL;
out:
	BIO_free(bio);
	kzt_certs_free(sk);
	return ret;
}

/* RFC 2253 text of @name into @buf. */
static void name_str(const X509_NAME *name, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	buf[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(b, &p);
		snprintf(buf, len, "%.*s", (int)n, p);
	}
	BIO_free(b);
}

static void time_str(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "?");
}

static void serial_str(const X509 *x, char *buf, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	snprintf(buf, len, "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

static void key_str(X509 *x, char *buf, size_t len)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	char group[64];
	const char *nist;

	if (!pk) {
		snprintf(buf, len, "?");
		return;
	}
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	    EVP_PKEY_get_group_name(pk, group, sizeof(group), NULL)) {
		nist = EC_curve_nid2nist(OBJ_sn2nid(group));
		snprintf(buf, len, "EC %s", nist ? nist : group);
	} else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA) {
		snprintf(buf, len, "RSA %d", EVP_PKEY_get_bits(pk));
	} else {
		snprintf(buf, len, "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(pk)));
	}
}

/**
 * kzt_cert_uris() - the URI SANs of @x
 * @x:     the certificate
 * @first: set to the first URI starting with spiffe:// ("" if none)
 * @len:   size of @first
 *
 * @retval the number of URI SANs (spiffe:// or not)
 */
size_t kzt_cert_uris(X509 *x, char *first, size_t len)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					       NULL);
	size_t n = 0;

	first[0] = '\0';
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *gen = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *s;
		int slen;

		if (gen->type != GEN_URI)
			continue;
		n++;
		s = ASN1_STRING_get0_data(gen->d.uniformResourceIdentifier);
		slen = ASN1_STRING_length(gen->d.uniformResourceIdentifier);
		if (!first[0] && slen >= (int)KZT_SPIFFE_SCHEME_LEN &&
		    (size_t)slen < len && !memchr(s, '\0', slen) &&
		    !memcmp(s, KZT_SPIFFE_SCHEME, KZT_SPIFFE_SCHEME_LEN))
			snprintf(first, len, "%.*s", slen, (const char *)s);
	}
	GENERAL_NAMES_free(gens);
	return n;
}

/*
 * Why @x is not an X509-SVID leaf, or NULL when it is one: exactly one URI
 * SAN holding a workload's SPIFFE ID, not a CA, digitalSignature and
 * neither keyCertSign nor cRLSign (SPIFFE X509-SVID standard, 4.1-4.3).
 */
static const char *svid_problem(X509 *x, const struct kzt_cert_info *ci)
{
	struct kzt_spiffe_id id;
	uint32_t ku;

	if (ci->n_uris == 0)
		return "no URI SAN";
	if (ci->n_uris > 1)
		return "more than one URI SAN";
	if (!ci->spiffe_id[0])
		return "its URI SAN is not a spiffe:// ID";
	if (kzt_spiffe_parse(ci->spiffe_id, strlen(ci->spiffe_id), &id))
		return "its URI SAN is not a valid SPIFFE ID";
	if (!id.path_len)
		return "its SPIFFE ID names a trust domain, not a workload";
	if (ci->is_ca)
		return "it is a CA certificate";
	ku = X509_get_key_usage(x);
	if (!(X509_get_extension_flags(x) & EXFLAG_KUSAGE))
		return "no key usage extension";
	if (!(ku & KU_DIGITAL_SIGNATURE))
		return "key usage lacks digitalSignature";
	if (ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN))
		return "key usage has keyCertSign or cRLSign";
	return NULL;
}

static void cert_info(X509 *x, struct kzt_cert_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	name_str(X509_get_subject_name(x), ci->subject, sizeof(ci->subject));
	name_str(X509_get_issuer_name(x), ci->issuer, sizeof(ci->issuer));
	serial_str(x, ci->serial, sizeof(ci->serial));
	time_str(X509_get0_notBefore(x), ci->not_before, sizeof(ci->not_before));
	time_str(X509_get0_notAfter(x), ci->not_after, sizeof(ci->not_after));
	ci->expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
	ci->not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(x)) > 0;
	ci->is_ca = X509_check_ca(x) != 0;
	key_str(x, ci->key, sizeof(ci->key));
	ci->n_uris = kzt_cert_uris(x, ci->spiffe_id, sizeof(ci->spiffe_id));
	ci->not_svid = svid_problem(x, ci);
	ci->is_svid = !ci->not_svid;
}

/**
 * kzt_cert_file_info() - describe every certificate of a PEM file
 * @path:   the file (a leaf with its chain, a bundle, ca.crt)
 * @list:   filled, in file order; free with kzt_cert_infos_free()
 * @errbuf: on error, what is wrong
 * @errlen: size of @errbuf
 *
 * @retval 0      @list has one entry per certificate
 * @retval other  see kzt_certs_load()
 */
int kzt_cert_file_info(const char *path, struct kzt_cert_infos *list,
		       char *errbuf, size_t errlen)
{
	STACK_OF(X509) *certs = NULL;
	int ret;

	memset(list, 0, sizeof(*list));
	ret = kzt_certs_load(path, &certs, errbuf, errlen);
	if (ret)
		return ret;
	list->v = calloc(sk_X509_num(certs), sizeof(*list->v));
	if (!list->v) {
		kzt_certs_free(certs);
		return kzt_ca_err(errbuf, errlen, ENOMEM, "%s", path);
	}
	for (int i = 0; i < sk_X509_num(certs); i++)
		cert_info(sk_X509_value(certs, i), &list->v[list->n++]);
	kzt_certs_free(certs);
	return 0;
}

void kzt_cert_infos_free(struct kzt_cert_infos *list)
{
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

void kzt_certs_free(STACK_OF(X509) *certs)
{
	sk_X509_pop_free(certs, X509_free);
}

/**
 * kzt_ca_err() - write "what" into @errbuf and return @ret
 * @errbuf: the caller's message buffer
 * @errlen: its size
 * @ret:    the errno to return
 * @fmt:    the message
 *
 * @retval @ret
 */
int kzt_ca_err(char *errbuf, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/*
 * ": <OpenSSL's reason>" for the oldest queued error, or "" when there is
 * none; the queue is emptied. The text never holds key material.
 */
const char *kzt_ca_ssl_reason(void)
{
	static __thread char buf[160];
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	if (!e)
		return "";
	snprintf(buf, sizeof(buf), ": %s", r ? r : "OpenSSL error");
	return buf;
}
