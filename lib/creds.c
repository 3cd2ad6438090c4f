// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a certificate directory into a struct kzt_creds.
 *
 * One bad pair never hides the good ones: each <name>.crt/<name>.key pair
 * is checked on its own (PEM, key matches leaf, X.509-SVID rules, chain to
 * the bundle, validity, unique SPIFFE ID) and a refused pair is logged with
 * the reason and left out. Only a missing or bad bundle fails the load as a
 * whole. Nothing here ever logs key material: messages name files.
 *
 * A reload (kzt_creds_reload()) does the same, and then, for each pair
 * refused now whose <name> gave an identity in the set it replaces, keeps
 * that last good pair, as long as it still verifies against the new
 * bundle (so until it expires): a botched renewal must not take an
 * identity off the node while its old SVID is still good.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "creds.h"
#include "filemode.h"
#include "log.h"
#include "svid.h"
#include "tlsconn.h"

static void ident_free(struct kzt_ident *id)
{
	free(id->name);
	free(id->id);
	X509_free(id->leaf);
	sk_X509_pop_free(id->chain, X509_free);
	EVP_PKEY_free(id->key);
	memset(id, 0, sizeof(*id));
}

/*
 * Whoever can write @path can put an identity or a CA there: a file or
 * directory writable by group or others is refused, like a key readable
 * by them. Symbolic links are followed (a Kubernetes secret volume is
 * made of them); the checks are on what they point to.
 */
static int check_not_writable(const char *path, bool is_dir, char *why,
			      size_t why_len)
{
	struct stat st;

	if (stat(path, &st)) {
		int ret = errno;

		snprintf(why, why_len, "cannot open %s: %s", path, strerror(ret));
		return ret;
	}
	if (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(why, why_len, "%s is not a %s", path,
			 is_dir ? "directory" : "regular file");
		return is_dir ? ENOTDIR : EINVAL;
	}
	return kzt_file_mode_check(path, st.st_mode, KZT_MODE_TRUSTED, why,
				   why_len);
}

/* The leaf and the intermediates of <name>.crt. */
static int read_certs(const char *path, struct kzt_ident *id, char *why,
		      size_t why_len)
{
	BIO *bio = BIO_new_file(path, "r");
	X509 *x;
	int ret = 0;

	if (!bio) {
		snprintf(why, why_len, "cannot open %s: %s", path,
			 strerror(errno ? errno : EIO));
		return EINVAL;
	}
	if (check_not_writable(path, false, why, why_len)) {
		BIO_free(bio);
		return EACCES;
	}
	id->chain = sk_X509_new_null();
	if (!id->chain) {
		BIO_free(bio);
		snprintf(why, why_len, "out of memory");
		return ENOMEM;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (!id->leaf) {
			id->leaf = x;
		} else if (!sk_X509_push(id->chain, x)) {
			X509_free(x);
			snprintf(why, why_len, "out of memory");
			ret = ENOMEM;
			break;
		}
	}
	if (!ret && ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
		snprintf(why, why_len, "%s: certificate %d is not valid PEM",
			 path, sk_X509_num(id->chain) + !!id->leaf + 1);
		ret = EINVAL;
	} else if (!ret && !id->leaf) {
		snprintf(why, why_len, "%s: no PEM certificate in the file", path);
		ret = EINVAL;
	}
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

/* Never prompt for a passphrase on kztd's terminal: refuse instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* <name>.key: owner-only, unencrypted PEM; the file's bytes are wiped. */
static int read_key(const char *path, struct kzt_ident *id, char *why,
		    size_t why_len)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	BIO *bio;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, why_len, "cannot open %s: %s", path, strerror(errno));
		return EINVAL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, why_len, "%s is not a regular file", path);
		ret = EINVAL;
		goto out_close;
	}
	ret = kzt_file_mode_check(path, st.st_mode, KZT_MODE_SECRET, why,
				  why_len);
	if (ret)
		goto out_close;
	if (st.st_size > KZT_CREDS_KEY_SIZE_MAX) {
		snprintf(why, why_len, "%s is larger than %d bytes: not a key",
			 path, KZT_CREDS_KEY_SIZE_MAX);
		ret = EINVAL;
		goto out_close;
	}
	buf = OPENSSL_secure_malloc(KZT_CREDS_KEY_SIZE_MAX);
	if (!buf) {
		snprintf(why, why_len, "out of memory");
		ret = ENOMEM;
		goto out_close;
	}
	while (len < KZT_CREDS_KEY_SIZE_MAX &&
	       (n = read(fd, buf + len, KZT_CREDS_KEY_SIZE_MAX - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, why_len, "cannot read %s: %s", path,
				 strerror(errno));
			ret = EINVAL;
			goto out_free;
		}
		len += n;
	}
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio)
		id->key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (!id->key) {
		snprintf(why, why_len,
			 "%s is not an unencrypted PEM private key", path);
		ret = EINVAL;
	}
	ERR_clear_error();
out_free:
	OPENSSL_secure_clear_free(buf, KZT_CREDS_KEY_SIZE_MAX);
out_close:
	close(fd);
	return ret;
}

/* One pair; @c->bundle and @c->trust_domain are set. */
static int load_pair(struct kzt_creds *c, const char *name,
		     struct kzt_ident *id, char *why, size_t why_len)
{
	char idbuf[KZT_SPIFFE_ID_MAX + 1];
	char *crt = NULL, *key = NULL;
	int ret;

	memset(id, 0, sizeof(*id));
	if (asprintf(&crt, "%s/%s.crt", c->dir, name) < 0 ||
	    asprintf(&key, "%s/%s.key", c->dir, name) < 0) {
		free(crt);
		snprintf(why, why_len, "out of memory");
		return ENOMEM;
	}
	ret = read_certs(crt, id, why, why_len);
	if (!ret)
		ret = read_key(key, id, why, why_len);
	if (!ret && X509_check_private_key(id->leaf, id->key) != 1) {
		snprintf(why, why_len, "%s does not belong to the certificate in %s",
			 key, crt);
		ret = EINVAL;
	}
	ERR_clear_error();
	if (!ret)
		ret = kzt_svid_verify(c->bundle, id->leaf, id->chain,
				      c->trust_domain, idbuf, sizeof(idbuf),
				      why, why_len);
	if (!ret)
		ret = kzt_svid_local_check(id->leaf, idbuf, why, why_len);
	if (!ret) {
		id->name = strdup(name);
		id->id = strdup(idbuf);
		if (!id->name || !id->id) {
			snprintf(why, why_len, "out of memory");
			ret = ENOMEM;
		}
	}
	if (ret)
		ident_free(id);
	free(crt);
	free(key);
	return ret;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_ids(const void *a, const void *b)
{
	return strcmp(((const struct kzt_ident *)a)->id,
		      ((const struct kzt_ident *)b)->id);
}

/* The <name> of every DIR/<name>.crt, sorted. */
static int list_names(const char *dir, char ***names, size_t *n)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char **v = NULL;
	size_t cnt = 0;

	if (!d)
		return errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **nv;

		if (len <= 4 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 4, ".crt"))
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv || !(nv[cnt] = strndup(de->d_name, len - 4))) {
			v = nv ? nv : v;
			while (cnt)
				free(v[--cnt]);
			free(v);
			closedir(d);
			return ENOMEM;
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return 0;
}

/* The notAfter of @x as a time_t; 0 if it cannot be read. */
static time_t not_after(X509 *x)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		return 0;
	return timegm(&tm);
}

/*
 * <name>.crt was refused: keep @prev's identity of that name in @c if it
 * still verifies against @c's bundle and trust domain, and no pair loaded
 * now already has its ID. @c->ids has room: a refused name takes no slot.
 */
static int keep_last(struct kzt_creds *c, const struct kzt_creds *prev,
		     const char *name)
{
	char idbuf[KZT_SPIFFE_ID_MAX + 1], why[KZT_SVID_WHY_MAX], until[32];
	const struct kzt_ident *old = NULL;
	struct kzt_ident *id = &c->ids[c->n_ids];
	struct tm tm;
	time_t end;

	for (size_t i = 0; i < prev->n_ids && !old; i++)
		if (!strcmp(prev->ids[i].name, name))
			old = &prev->ids[i];
	if (!old)
		return 0;
	for (size_t i = 0; i < c->n_ids; i++)
		if (!strcmp(c->ids[i].id, old->id))
			return 0;	/* another file has it now */
	if (kzt_svid_verify(c->bundle, old->leaf, old->chain, c->trust_domain,
			    idbuf, sizeof(idbuf), why, sizeof(why)) ||
	    kzt_svid_local_check(old->leaf, idbuf, why, sizeof(why))) {
		log_err("certificates: %s: its last good pair cannot be kept either: %s",
			old->id, why);
		return 0;
	}
	memset(id, 0, sizeof(*id));
	id->name = strdup(name);
	id->id = strdup(old->id);
	id->chain = X509_chain_up_ref(old->chain);
	if (id->name && id->id && id->chain && X509_up_ref(old->leaf)) {
		id->leaf = old->leaf;
		if (EVP_PKEY_up_ref(old->key))
			id->key = old->key;
	}
	if (!id->key) {
		ident_free(id);
		return ENOMEM;
	}
	end = not_after(id->leaf);
	if (!c->kept_until || end < c->kept_until)
		c->kept_until = end;
	c->n_kept++;
	c->n_ids++;
	if (!gmtime_r(&end, &tm) ||
	    !strftime(until, sizeof(until), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(until, sizeof(until), "its expiry");
	log_warn("certificates: keeping the last good pair of %s (%s.crt) until %s: the new pair is refused (see above)",
		 id->id, name, until);
	return 0;
}

/*
 * Load every pair; refusals are logged. A duplicate ID keeps the first.
 * With @prev, the refused ones keep their last good pair (keep_last()).
 */
static int load_pairs(struct kzt_creds *c, const struct kzt_creds *prev)
{
	char why[KZT_SVID_WHY_MAX];
	char **names = NULL;
	bool *refused = NULL;
	size_t n = 0;
	int ret;

	ret = list_names(c->dir, &names, &n);
	if (ret) {
		log_err("certificates: cannot list %s: %s", c->dir, strerror(ret));
		return ret;
	}
	c->ids = calloc(n ? n : 1, sizeof(*c->ids));
	refused = calloc(n ? n : 1, sizeof(*refused));
	if (!c->ids || !refused)
		ret = ENOMEM;
	for (size_t i = 0; !ret && i < n; i++) {
		struct kzt_ident *id = &c->ids[c->n_ids];
		const struct kzt_ident *dup;

		ret = load_pair(c, names[i], id, why, sizeof(why));
		if (ret == ENOMEM)
			break;
		if (ret) {
			log_err("certificates: refusing %s/%s.crt: %s", c->dir,
				names[i], why);
			c->n_refused++;
			refused[i] = true;
			ret = 0;
			continue;
		}
		dup = NULL;
		for (size_t j = 0; j < c->n_ids; j++)
			if (!strcmp(c->ids[j].id, id->id))
				dup = &c->ids[j];
		if (dup) {
			log_err("certificates: refusing %s/%s.crt: %s is already the identity of %s.crt",
				c->dir, names[i], id->id, dup->name);
			ident_free(id);
			c->n_refused++;
			continue;
		}
		log_info("certificates: %s from %s.crt", id->id, id->name);
		c->n_ids++;
	}
	/* ORDER: after every new pair, which wins over a kept one. */
	for (size_t i = 0; !ret && prev && i < n; i++)
		if (refused[i])
			ret = keep_last(c, prev, names[i]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(refused);
	if (ret == ENOMEM)
		log_err("certificates: out of memory loading %s", c->dir);
	if (!ret && c->n_ids)
		qsort(c->ids, c->n_ids, sizeof(*c->ids), cmp_ids);
	return ret;
}

static int creds_load(const char *dir, const char *trust_domain,
		      const struct kzt_tls_opts *opts,
		      const struct kzt_creds *prev, struct kzt_creds **out);

/**
 * kzt_creds_load() - load a certificate directory
 * @dir:          the directory
 * @trust_domain: every SVID must be of it; NULL: any
 * @opts:         how the SSL_CTXs are set up
 * @out:          a new set with one reference, on success
 *
 * Logs each pair it loads or refuses, and why.
 *
 * @retval 0      *@out is set (it may hold no identity at all)
 * @retval EACCES the directory or the bundle is writable by group or
 *                others (logged)
 * @retval EINVAL the bundle or @opts is unusable (logged)
 * @retval ENOMEM out of memory
 * @retval other  errno of reading the directory or the bundle (logged)
 */
int kzt_creds_load(const char *dir, const char *trust_domain,
		   const struct kzt_tls_opts *opts, struct kzt_creds **out)
{
	return creds_load(dir, trust_domain, opts, NULL, out);
}

/**
 * kzt_creds_reload() - load the directory of @prev again, to replace it
 * @prev:         the set in use; only read
 * @trust_domain: every SVID must be of it; NULL: any
 * @opts:         how the SSL_CTXs are set up
 * @out:          a new set with one reference, on success
 *
 * As kzt_creds_load(), and a pair refused now whose <name> gave an
 * identity in @prev keeps that identity's last good pair while it still
 * verifies against the new bundle (logged as a warning; counted in
 * n_kept; the earliest notAfter of those kept in kept_until, when the
 * caller should reload again to let an expired one go).
 *
 * @retval as kzt_creds_load()
 */
int kzt_creds_reload(const struct kzt_creds *prev, const char *trust_domain,
		     const struct kzt_tls_opts *opts, struct kzt_creds **out)
{
	return creds_load(prev->dir, trust_domain, opts, prev, out);
}

static int creds_load(const char *dir, const char *trust_domain,
		      const struct kzt_tls_opts *opts,
		      const struct kzt_creds *prev, struct kzt_creds **out)
{
	char why[KZT_SVID_WHY_MAX];
	struct kzt_creds *c;
	char *bundle = NULL;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	c->refs = 1;
	c->keylog = opts->keylog;
	c->dir = strdup(dir);
	c->trust_domain = trust_domain ? strdup(trust_domain) : NULL;
	if (!c->dir || (trust_domain && !c->trust_domain) ||
	    asprintf(&bundle, "%s/%s", dir, KZT_CREDS_BUNDLE) < 0) {
		bundle = NULL;
		ret = ENOMEM;
		goto out_put;
	}
	ret = check_not_writable(dir, true, why, sizeof(why));
	if (ret) {
		log_err("certificates: directory refused: %s", why);
		goto out_put;
	}
	ret = check_not_writable(bundle, false, why, sizeof(why));
	if (!ret)
		ret = kzt_svid_bundle_load(bundle, &c->bundle, why, sizeof(why));
	if (ret) {
		log_err("certificates: trust bundle refused: %s", why);
		goto out_put;
	}
	ret = load_pairs(c, prev);
	if (ret)
		goto out_put;
	ret = kzt_tls_ctx_setup(c, opts, why, sizeof(why));
	if (ret) {
		log_err("certificates: %s", why);
		goto out_put;
	}
	free(bundle);
	*out = c;
	return 0;

out_put:
	free(bundle);
	kzt_creds_put(c);
	return ret;
}

/* A copy of @src sharing its certificates and key (references taken). */
static int ident_share(struct kzt_ident *dst, const struct kzt_ident *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->name = strdup(src->name);
	dst->chain = src->chain ? X509_chain_up_ref(src->chain) :
		     sk_X509_new_null();
	if (!dst->name || !dst->chain || !X509_up_ref(src->leaf)) {
		ident_free(dst);
		return ENOMEM;
	}
	dst->leaf = src->leaf;
	if (!EVP_PKEY_up_ref(src->key)) {
		ident_free(dst);
		return ENOMEM;
	}
	dst->key = src->key;
	return 0;
}

/**
 * kzt_creds_build() - a set from identities held in memory
 * @bundle:       PEM file of the trust bundle (istiod's root certificate)
 * @trust_domain: every SVID must be of it; NULL: any
 * @opts:         how the SSL_CTXs are set up
 * @ids:          the identities (name, leaf, chain, key; id is ignored);
 *                the set takes its own references
 * @n:            how many
 * @out:          a new set with one reference, on success
 *
 * For the certificates istiod's CA issues, which live in memory only.
 * Each identity is checked as a directory's pair is (key matches leaf,
 * X.509-SVID rules, chain to the bundle, validity, unique ID); one that
 * fails is logged and left out.
 *
 * @retval 0      *@out is set
 * @retval EINVAL the bundle or @opts is unusable (logged)
 * @retval ENOMEM out of memory
 * @retval other  errno of reading the bundle (logged)
 */
int kzt_creds_build(const char *bundle, const char *trust_domain,
		    const struct kzt_tls_opts *opts,
		    const struct kzt_ident *ids, size_t n,
		    struct kzt_creds **out)
{
	char why[KZT_SVID_WHY_MAX], idbuf[KZT_SPIFFE_ID_MAX + 1];
	struct kzt_creds *c = calloc(1, sizeof(*c));
	int ret = ENOMEM;

	if (!c)
		return ENOMEM;
	c->refs = 1;
	c->keylog = opts->keylog;
	c->dir = strdup(bundle);
	c->trust_domain = trust_domain ? strdup(trust_domain) : NULL;
	c->ids = calloc(n ? n : 1, sizeof(*c->ids));
	if (!c->dir || (trust_domain && !c->trust_domain) || !c->ids)
		goto out_put;
	ret = kzt_svid_bundle_load(bundle, &c->bundle, why, sizeof(why));
	if (ret) {
		log_err("certificates: trust bundle refused: %s", why);
		goto out_put;
	}
	for (size_t i = 0; i < n; i++) {
		struct kzt_ident *id = &c->ids[c->n_ids];

		if (ident_share(id, &ids[i])) {
			ret = ENOMEM;
			goto out_put;
		}
		ret = X509_check_private_key(id->leaf, id->key) == 1 ? 0 : EINVAL;
		if (ret)
			snprintf(why, sizeof(why), "the key does not belong to the certificate");
		ERR_clear_error();
		if (!ret)
			ret = kzt_svid_verify(c->bundle, id->leaf, id->chain,
					      c->trust_domain, idbuf,
					      sizeof(idbuf), why, sizeof(why));
		if (!ret)
			ret = kzt_svid_local_check(id->leaf, idbuf, why, sizeof(why));
		for (size_t j = 0; !ret && j < c->n_ids; j++)
			if (!strcmp(c->ids[j].id, idbuf))
				ret = EEXIST;
		if (!ret && !(id->id = strdup(idbuf)))
			ret = ENOMEM;
		if (ret == ENOMEM)
			goto out_put;
		if (ret) {
			log_err("certificates: refusing %s: %s", id->name,
				ret == EEXIST ? "its identity is already in the set" : why);
			ident_free(id);
			c->n_refused++;
			continue;
		}
		c->n_ids++;
	}
	if (c->n_ids)
		qsort(c->ids, c->n_ids, sizeof(*c->ids), cmp_ids);
	ret = kzt_tls_ctx_setup(c, opts, why, sizeof(why));
	if (ret) {
		log_err("certificates: %s", why);
		goto out_put;
	}
	*out = c;
	return 0;
out_put:
	kzt_creds_put(c);
	return ret;
}

/**
 * kzt_creds_get() - take a reference
 * @c: a set with a reference held by the caller
 *
 * @retval @c
 */
struct kzt_creds *kzt_creds_get(struct kzt_creds *c)
{
	c->refs++;
	return c;
}

/**
 * kzt_creds_put() - drop a reference; the last one frees the set
 * @c: may be NULL
 */
void kzt_creds_put(struct kzt_creds *c)
{
	if (!c || --c->refs)
		return;
	SSL_CTX_free(c->client);
	SSL_CTX_free(c->server);
	for (size_t i = 0; i < c->n_ids; i++)
		ident_free(&c->ids[i]);
	free(c->ids);
	X509_STORE_free(c->bundle);
	free(c->trust_domain);
	free(c->dir);
	free(c);
}

/**
 * kzt_creds_find() - the credentials of a local identity
 * @c:  a set
 * @id: a SPIFFE ID
 *
 * @retval the identity, valid while the caller holds its reference on @c
 * @retval NULL none in this set
 */
const struct kzt_ident *kzt_creds_find(const struct kzt_creds *c,
				       const char *id)
{
	struct kzt_ident key = { .id = (char *)id };

	if (!c->n_ids)
		return NULL;
	return bsearch(&key, c->ids, c->n_ids, sizeof(*c->ids), cmp_ids);
}
