// SPDX-License-Identifier: GPL-2.0
/*
 * The development CA: "kztctl ca init" makes a self-signed EC P-256 root
 * for one trust domain, "kztctl ca issue" an X509-SVID leaf signed by it,
 * written as kztd's certificate directory wants it. See ca.h and
 * Documentation/certificates.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "ca_files.h"
#include "ca_priv.h"
#include "spiffe.h"

#define SERIAL_BYTES	16	/* random, positive: RFC 5280 allows 20 */
#define NAME_ENTRY_MAX	64	/* ub-common-name, ub-organization-name */

/**
 * kzt_ca_name_check() - is @name fit for <name>.crt and <name>.key
 * @name: the name
 *
 * @retval NULL fine: 1..KZT_CA_NAME_MAX of A-Za-z0-9 . - _, no leading '.'
 * @retval what is wrong
 */
const char *kzt_ca_name_check(const char *name)
{
	size_t len = strlen(name);

	if (!len)
		return "empty";
	if (len > KZT_CA_NAME_MAX)
		return "longer than 200 bytes";
	if (name[0] == '.')
		return "starts with '.'";
	for (size_t i = 0; i < len; i++)
		if (!kzt_spiffe_path_char(name[i]))
			return "has a character other than A-Za-z0-9 . - _";
	return NULL;
}

static EVP_PKEY *new_key(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* @text, cut to the 64 bytes X.520 allows: the URI SAN is what counts. */
static int name_add(X509_NAME *name, const char *field, const char *text)
{
	int len = strlen(text);

	if (len > NAME_ENTRY_MAX)
		len = NAME_ENTRY_MAX;
	return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
					  (const unsigned char *)text, len,
					  -1, 0);
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
	int ok = ext && X509_add_ext(x, ext, -1);

	X509_EXTENSION_free(ext);
	return ok;
}

/* One URI SAN holding @uri, built directly: no config-string parsing. */
static int add_uri_san(X509 *x, const char *uri)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
	int ok = 0;

	if (!gens || !gen || !ia5 || !ASN1_STRING_set(ia5, uri, strlen(uri)))
		goto out;
	GENERAL_NAME_set0_value(gen, GEN_URI, ia5);
	ia5 = NULL;
	if (!sk_GENERAL_NAME_push(gens, gen))
		goto out;
	gen = NULL;
	ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
			       X509V3_ADD_DEFAULT) == 1;
out:
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	return ok;
}

static int set_serial(X509 *x)
{
	unsigned char buf[SERIAL_BYTES];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(buf, sizeof(buf)) != 1)
		return 0;
	buf[0] = (buf[0] & 0x7f) | 0x40;	/* positive, full length */
	bn = BN_bin2bn(buf, sizeof(buf), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok;
}

/*
 * The parts every certificate has: version 3, a random serial, validity
 * from KZT_CA_BACKDATE_S ago for @days, @subject, the issuer's name and
 * @key's public half.
 */
static X509 *cert_new(EVP_PKEY *key, X509_NAME *subject,
		      const X509_NAME *issuer, unsigned int days)
{
	X509 *x = X509_new();

	if (!x || !X509_set_version(x, X509_VERSION_3) || !set_serial(x) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -KZT_CA_BACKDATE_S) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, issuer) || !X509_set_pubkey(x, key)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Self-signed root for @td: CA:TRUE (leaves only), keyCertSign+cRLSign. */
static X509 *root_cert(EVP_PKEY *key, const char *td, unsigned int days)
{
	X509_NAME *name = X509_NAME_new();
	char uri[KZT_SPIFFE_SCHEME_LEN + KZT_TRUST_DOMAIN_MAX + 1];
	X509V3_CTX ctx;
	X509 *x = NULL;

	snprintf(uri, sizeof(uri), KZT_SPIFFE_SCHEME "%s", td);
	if (!name || !name_add(name, "O", "kzt development CA") ||
	    !name_add(name, "CN", td))
		goto out;
	x = cert_new(key, name, name, days);
	if (!x)
		goto out;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (!add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
	    !add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    !add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
	    !add_uri_san(x, uri) || !X509_sign(x, key, EVP_sha256())) {
		X509_free(x);
		x = NULL;
	}
out:
	X509_NAME_free(name);
	return x;
}

/* An X509-SVID leaf for @id, signed by @ca_key. */
static X509 *leaf_cert(EVP_PKEY *key, const char *id, const char *name,
		       X509 *ca, EVP_PKEY *ca_key, unsigned int days)
{
	X509_NAME *subject = X509_NAME_new();
	X509V3_CTX ctx;
	X509 *x = NULL;

	if (!subject || !name_add(subject, "O", "kzt") ||
	    !name_add(subject, "CN", name))
		goto out;
	x = cert_new(key, subject, X509_get_subject_name(ca), days);
	if (!x)
		goto out;
	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	if (!add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth") ||
	    !add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
	    !add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") ||
	    !add_uri_san(x, id) || !X509_sign(x, ca_key, EVP_sha256())) {
		X509_free(x);
		x = NULL;
	}
out:
	X509_NAME_free(subject);
	return x;
}

/* PEM of @x into @f's buffer. */
static int pem_cert(X509 *x, struct kzt_ca_file *f)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int ret = ENOMEM;

	if (b && PEM_write_bio_X509(b, x)) {
		n = BIO_get_mem_data(b, &p);
		ret = kzt_ca_file_set(f, p, n);
	}
	BIO_free(b);
	return ret;
}

/*
 * PKCS#8 PEM of @key into @f's buffer, through a secure-heap BIO that is
 * cleansed when freed; kzt_ca_files_free() cleanses @f's copy.
 */
static int pem_key(EVP_PKEY *key, struct kzt_ca_file *f)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *p;
	long n;
	int ret = ENOMEM;

	if (b && PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)) {
		n = BIO_get_mem_data(b, &p);
		ret = kzt_ca_file_set(f, p, n);
	}
	BIO_free(b);
	return ret;
}

static unsigned int days_or(unsigned int days, unsigned int def)
{
	return days ? days : def;
}

/**
 * kzt_ca_init() - make a development CA: DIR/ca.crt and DIR/ca.key
 * @o:      directory, trust domain, lifetime, whether to replace
 * @errbuf: on error, what is wrong
 * @errlen: size of @errbuf
 *
 * @retval 0      written
 * @retval EINVAL a bad trust domain or number of days
 * @retval EEXIST ca.crt or ca.key exists and !o->force; nothing written
 * @retval other  errno of the files, ENOMEM, EIO for an OpenSSL failure
 */
int kzt_ca_init(const struct kzt_ca_init_opts *o, char *errbuf, size_t errlen)
{
	const char *td = o->trust_domain ? o->trust_domain :
			 KZT_DEFAULT_TRUST_DOMAIN;
	unsigned int days = days_or(o->days, KZT_CA_DAYS_DEFAULT);
	struct kzt_ca_file files[2] = {
		{ .name = KZT_CA_CERT, .mode = 0644 },
		{ .name = KZT_CA_KEY, .mode = 0600 },
	};
	const char *msg = kzt_trust_domain_check(td, strlen(td));
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int ret;

	if (msg)
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "invalid trust domain '%s': %s", td, msg);
	if (days > KZT_CA_DAYS_MAX)
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "invalid days %u: more than %d", days,
				  KZT_CA_DAYS_MAX);
	ret = kzt_ca_dir_prepare(o->dir, 0700, files, 2, o->force, errbuf,
				 errlen);
	if (ret)
		return ret;

	ret = EIO;
	key = new_key();
	x = key ? root_cert(key, td, days) : NULL;
	if (!x) {
		kzt_ca_err(errbuf, errlen, ret, "cannot make the CA certificate%s",
			   kzt_ca_ssl_reason());
		goto out;
	}
	ret = pem_cert(x, &files[0]);
	if (!ret)
		ret = pem_key(key, &files[1]);
	if (ret) {
		kzt_ca_err(errbuf, errlen, ret, "cannot encode the CA%s",
			   kzt_ca_ssl_reason());
		goto out;
	}
	ret = kzt_ca_files_write(o->dir, files, 2, o->force, errbuf, errlen);
out:
	kzt_ca_files_free(files, 2);
	X509_free(x);
	EVP_PKEY_free(key);
	return ret;
}

/* The CA of @dir: certificate, key and trust domain, checked together. */
struct ca {
	X509 *cert;
	EVP_PKEY *key;
	char td[KZT_TRUST_DOMAIN_MAX + 1];
};

static void ca_free(struct ca *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
}

static int ca_load(const char *dir, struct ca *ca, char *errbuf, size_t errlen)
{
	char path[PATH_MAX], id[KZT_SPIFFE_ID_MAX + 1];
	STACK_OF(X509) *certs = NULL;
	struct kzt_spiffe_id sid;
	int ret;

	memset(ca, 0, sizeof(*ca));
	snprintf(path, sizeof(path), "%s/" KZT_CA_CERT, dir);
	ret = kzt_certs_load(path, &certs, errbuf, errlen);
	if (ret)
		return ret;
	ca->cert = sk_X509_shift(certs);
	kzt_certs_free(certs);
	ret = EINVAL;
	if (!X509_check_ca(ca->cert))
		return kzt_ca_err(errbuf, errlen, ret,
				  "%s is not a CA certificate", path);
	if (X509_cmp_current_time(X509_get0_notAfter(ca->cert)) < 0)
		return kzt_ca_err(errbuf, errlen, ret,
				  "%s has expired: make a new CA (ca init --force) and rotate",
				  path);
	kzt_cert_uris(ca->cert, id, sizeof(id));
	if (!id[0] || kzt_spiffe_parse(id, strlen(id), &sid) ||
	    sid.path_len)
		return kzt_ca_err(errbuf, errlen, ret,
				  "%s names no trust domain (a URI SAN spiffe://TD): not a kzt CA",
				  path);
	snprintf(ca->td, sizeof(ca->td), "%.*s", (int)sid.trust_domain_len,
		 sid.trust_domain);

	ret = kzt_ca_key_load(dir, KZT_CA_KEY, &ca->key, errbuf, errlen);
	if (ret)
		return ret;
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		ERR_clear_error();
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "%s/" KZT_CA_KEY " is not the key of %s", dir,
				  path);
	}
	return 0;
}

/* "<namespace>.<service-account>", or @o->name; checked either way. */
static int leaf_name(const struct kzt_ca_issue_opts *o,
		     const struct kzt_spiffe_id *sid, char *name, size_t len,
		     char *errbuf, size_t errlen)
{
	const char *msg;

	if (o->name)
		snprintf(name, len, "%s", o->name);
	else if (sid->ns)
		snprintf(name, len, "%.*s.%.*s", (int)sid->ns_len, sid->ns,
			 (int)sid->sa_len, sid->sa);
	else
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "'%s' is not of the form spiffe://TD/ns/NS/sa/SA: give --name NAME",
				  o->id);
	msg = kzt_ca_name_check(name);
	if (msg)
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "invalid name '%s': %s", name, msg);
	return 0;
}

/* @id is a workload's SPIFFE ID in @td. */
static int check_id(const char *id, const char *td, struct kzt_spiffe_id *sid,
		    char *errbuf, size_t errlen)
{
	const char *msg = kzt_spiffe_parse(id, strlen(id), sid);

	if (msg)
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "invalid SPIFFE ID '%s': %s", id, msg);
	if (!sid->path_len)
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "'%s' names the trust domain, not a workload (spiffe://TD/ns/NS/sa/SA)",
				  id);
	if (sid->trust_domain_len != strlen(td) ||
	    memcmp(sid->trust_domain, td, sid->trust_domain_len))
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "'%s' is not in the CA's trust domain '%s'",
				  id, td);
	return 0;
}

/* The leaf must not outlive its CA. */
static int check_days(X509 *ca, unsigned int days, char *errbuf,
		      size_t errlen)
{
	ASN1_TIME *end = X509_time_adj_ex(NULL, days, 0, NULL);
	int cmp = end ? ASN1_TIME_compare(end, X509_get0_notAfter(ca)) : 1;

	ASN1_TIME_free(end);
	if (days > KZT_CA_DAYS_MAX)
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "invalid days %u: more than %d", days,
				  KZT_CA_DAYS_MAX);
	if (cmp > 0)
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "a certificate for %u days would outlive its CA: use fewer --days",
				  days);
	return 0;
}

/**
 * kzt_ca_issue() - issue an X509-SVID into a certificate directory
 * @o:      CA directory, SPIFFE ID, output directory, name, lifetime
 * @out:    what was written, on success
 * @errbuf: on error, what is wrong
 * @errlen: size of @errbuf
 *
 * Writes OUT/<name>.crt (the leaf), OUT/<name>.key (0600) and, unless it
 * already holds the CA's certificate, OUT/bundle.pem.
 *
 * @retval 0      written
 * @retval EINVAL a bad ID, name or days; an ID outside the CA's trust
 *                domain; a CA directory that does not hold a usable CA
 * @retval EEXIST <name>.crt or .key exists, or bundle.pem holds other CAs,
 *                and !o->force; nothing written
 * @retval other  errno of the files, ENOMEM, EIO for an OpenSSL failure
 */
int kzt_ca_issue(const struct kzt_ca_issue_opts *o, struct kzt_ca_issued *out,
		 char *errbuf, size_t errlen)
{
	unsigned int days = days_or(o->days, KZT_CA_LEAF_DAYS_DEFAULT);
	struct kzt_ca_file files[3] = {
		{ .mode = 0644 }, { .mode = 0600 },
		{ .name = KZT_CA_BUNDLE, .mode = 0644 },
	};
	char crt[KZT_CA_NAME_MAX + 8], key_name[KZT_CA_NAME_MAX + 8];
	struct kzt_spiffe_id sid;
	EVP_PKEY *key = NULL;
	struct ca ca;
	X509 *x = NULL;
	bool bundle = false;
	size_t n;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = ca_load(o->ca_dir, &ca, errbuf, errlen);
	if (!ret)
		ret = check_id(o->id, ca.td, &sid, errbuf, errlen);
	if (!ret)
		ret = leaf_name(o, &sid, out->name, sizeof(out->name), errbuf,
				errlen);
	if (!ret)
		ret = check_days(ca.cert, days, errbuf, errlen);
	if (ret)
		goto out;
	snprintf(crt, sizeof(crt), "%s.crt", out->name);
	snprintf(key_name, sizeof(key_name), "%s.key", out->name);
	files[0].name = crt;
	files[1].name = key_name;
	ret = kzt_ca_bundle_needed(o->out_dir, ca.cert, o->force, &bundle,
				   errbuf, errlen);
	n = bundle ? 3 : 2;	/* else bundle.pem already trusts this CA */
	if (!ret)
		ret = kzt_ca_dir_prepare(o->out_dir, 0755, files, n, o->force,
					 errbuf, errlen);
	if (ret)
		goto out;

	ret = EIO;
	key = new_key();
	x = key ? leaf_cert(key, o->id, out->name, ca.cert, ca.key, days) : NULL;
	if (!x) {
		kzt_ca_err(errbuf, errlen, ret, "cannot make the certificate%s",
			   kzt_ca_ssl_reason());
		goto out;
	}
	ret = pem_cert(x, &files[0]);
	if (!ret)
		ret = pem_key(key, &files[1]);
	if (!ret && bundle)
		ret = pem_cert(ca.cert, &files[2]);
	if (ret) {
		kzt_ca_err(errbuf, errlen, ret, "cannot encode the certificate%s",
			   kzt_ca_ssl_reason());
		goto out;
	}
	ret = kzt_ca_files_write(o->out_dir, files, n, o->force, errbuf, errlen);
	out->bundle_written = !ret && bundle;
out:
	kzt_ca_files_free(files, 3);
	X509_free(x);
	EVP_PKEY_free(key);
	ca_free(&ca);
	return ret;
}
