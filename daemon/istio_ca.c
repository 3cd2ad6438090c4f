// SPDX-License-Identifier: GPL-2.0
/*
 * Certificates from istiod's CA for the identities of this node's pods,
 * when kztd takes its workloads from istiod and has no certificate
 * directory. For each identity of a local kzt/1 workload: a fresh key and
 * a CSR (lib/csr.h), sent with CreateCertificate on the connection to
 * istiod, with the metadata ztunnel sends to be issued a certificate for
 * a pod's identity (ImpersonatedIdentity); the chain that comes back goes
 * into a new credential set (kzt_creds_build()) that the next handshakes
 * use. Keys never leave memory.
 *
 * Renewed at half its lifetime plus up to 5% jitter; a failed request is
 * retried after 1 s, doubling to 60 s, and the certificate in use is kept
 * until it expires, then dropped (logged). The root certificate file is
 * checked every 10 s and the set rebuilt when it changed.
 *
 * Documentation/istio.rst, "Certificates from istiod".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/pem.h>

#include "citadel.pb-c.h"
#include "csr.h"
#include "kztd.h"

#define CA_RETRY_MIN_MS		1000
#define CA_RETRY_MAX_MS		60000
#define CA_ROOT_CHECK_MS	10000
#define CA_CHAIN_MAX		8	/* leaf, intermediates, root */

struct kztd_cert {
	struct kztd *d;
	char *id;
	struct kzt_ident ident;		/* leaf NULL until issued */
	EVP_PKEY *pending_key;		/* of the request in flight */
	struct kzt_grpc_call *call;	/* in flight, or NULL */
	uint64_t next_ms;		/* next request */
	uint64_t expires_ms;		/* of ident.leaf (monotonic) */
	unsigned int retry_ms;
	bool wanted;			/* a local workload has this identity */
};

static uint64_t wall_to_mono_ms(time_t t)
{
	time_t now = time(NULL);

	return t <= now ? kztd_now_ms() :
	       kztd_now_ms() + (uint64_t)(t - now) * 1000;
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	return ASN1_TIME_to_tm(t, &tm) ? timegm(&tm) : 0;
}

/* Drop an issued certificate's leaf, chain and key (not its name). */
static void ident_release(struct kzt_ident *id)
{
	X509_free(id->leaf);
	sk_X509_pop_free(id->chain, X509_free);
	EVP_PKEY_free(id->key);
	id->leaf = NULL;
	id->chain = NULL;
	id->key = NULL;
}

static void cert_free(struct kztd_cert *c)
{
	if (c->call)
		kzt_grpc_call_cancel(c->call);
	EVP_PKEY_free(c->pending_key);
	ident_release(&c->ident);
	free(c->ident.name);
	free(c->id);
	free(c);
}

/* A new credential set from every issued certificate; 0 or errno. */
static int creds_rebuild(struct kztd *d)
{
	struct kztd_ca *ca = &d->ca;
	struct kzt_tls_opts opts = {
		.ciphersuites = d->ciphersuites[0] ? d->ciphersuites : NULL,
		.keylog = d->keylog,
		.proto_max = d->conf.has_protocol_max ? d->conf.protocol_max : 0,
	};
	struct kzt_ident *ids = calloc(ca->certs.n + 1, sizeof(*ids));
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;
	struct kzt_creds *c;
	size_t n = 0;
	int ret;

	if (!ids)
		return ENOMEM;
	for (e = kzt_hmap_first(&ca->certs, &it); e; e = kzt_hmap_next(&ca->certs, &it, e)) {
		const struct kztd_cert *cert = e->val;

		if (cert->ident.leaf)
			ids[n++] = cert->ident;
	}
	ret = kzt_creds_build(ca->root_cert, d->trust_domain[0] ? d->trust_domain : NULL,
			      &opts, ids, n, &c);
	free(ids);
	if (ret)
		return ret;
	kzt_creds_put(d->creds);
	d->creds = c;
	kztd_peers_recheck(d);
	return 0;
}

static void retry_later(struct kztd_cert *c)
{
	c->next_ms = kztd_now_ms() + c->retry_ms;
	c->retry_ms = c->retry_ms * 2 > CA_RETRY_MAX_MS ? CA_RETRY_MAX_MS :
		      c->retry_ms * 2;
}

/* The chain istiod sent: PEM strings, leaf first. */
static int chain_take(struct kztd_cert *c,
		      const Istio__V1__Auth__IstioCertificateResponse *r,
		      struct kzt_ident *old, uint64_t *old_expires_ms,
		      char *why, size_t why_len)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *leaf = NULL;
	time_t nb, na;

	if (!chain)
		return ENOMEM;
	if (!r->n_cert_chain || r->n_cert_chain > CA_CHAIN_MAX) {
		snprintf(why, why_len, "%zu certificates in the chain (1..%d)",
			 r->n_cert_chain, CA_CHAIN_MAX);
		goto bad;
	}
	for (size_t i = 0; i < r->n_cert_chain; i++) {
		BIO *bio = BIO_new_mem_buf(r->cert_chain[i], -1);
		X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

		BIO_free(bio);
		if (!x) {
			snprintf(why, why_len, "certificate %zu of the chain is not PEM", i);
			goto bad;
		}
		if (!leaf)
			leaf = x;
		else
			sk_X509_push(chain, x);
	}
	if (X509_check_private_key(leaf, c->pending_key) != 1) {
		snprintf(why, why_len, "the certificate is not for the key of the request");
		goto bad;
	}
	nb = asn1_time(X509_get0_notBefore(leaf));
	na = asn1_time(X509_get0_notAfter(leaf));
	if (na <= nb) {
		snprintf(why, why_len, "the certificate has no validity period");
		goto bad;
	}
	/* The current one stays in *old until the set takes the new one. */
	old->leaf = c->ident.leaf;
	old->chain = c->ident.chain;
	old->key = c->ident.key;
	*old_expires_ms = c->expires_ms;
	c->ident.leaf = leaf;
	c->ident.chain = chain;
	c->ident.key = c->pending_key;
	c->pending_key = NULL;
	c->expires_ms = wall_to_mono_ms(na);
	/* Half its lifetime, plus up to 5% of it. */
	c->next_ms = wall_to_mono_ms(nb + (na - nb) / 2 +
				     (time_t)(random() % ((na - nb) / 20 + 1)));
	return 0;
bad:
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	return EBADMSG;
}

static int on_cert(struct kzt_grpc_call *call, const uint8_t *msg, size_t len,
		   void *arg, char *why, size_t why_len)
{
	struct kztd_cert *c = arg;
	Istio__V1__Auth__IstioCertificateResponse *r;
	struct kzt_ident old = { 0 };
	uint64_t old_expires_ms = 0;
	int ret;

	(void)call;
	r = istio__v1__auth__istio_certificate_response__unpack(NULL, len, msg);
	if (!r) {
		snprintf(why, why_len, "the response does not decode");
		return EBADMSG;
	}
	ret = chain_take(c, r, &old, &old_expires_ms, why, why_len);
	istio__v1__auth__istio_certificate_response__free_unpacked(r, NULL);
	if (ret)
		return ret;
	ret = creds_rebuild(c->d);
	if (!ret && kzt_creds_find(c->d->creds, c->id)) {
		ident_release(&old);
		c->retry_ms = CA_RETRY_MIN_MS;
		c->d->ca.issued++;
		log_info("certificate for %s issued by istiod, valid for %llu s",
			 c->id, (unsigned long long)((c->expires_ms - kztd_now_ms()) / 1000));
		return 0;
	}
	/*
	 * The set refused it (logged: "certificates: refusing ...") or could
	 * not be built: keep the current certificate, and ask again later
	 * (on_cert_close() on this error).
	 */
	ident_release(&c->ident);
	c->ident.leaf = old.leaf;
	c->ident.chain = old.chain;
	c->ident.key = old.key;
	c->expires_ms = old_expires_ms;
	if (!ret)
		ret = creds_rebuild(c->d);
	if (ret)
		log_err("certificate for %s: the credential set could not be rebuilt: %s",
			c->id, strerror(ret));
	snprintf(why, why_len, "the certificate istiod issued is refused (see the line above)");
	return EBADMSG;
}

static void on_cert_close(struct kzt_grpc_call *call,
			  const struct kzt_grpc_status *st, void *arg)
{
	struct kztd_cert *c = arg;

	(void)call;
	c->call = NULL;
	EVP_PKEY_free(c->pending_key);
	c->pending_key = NULL;
	if (!st->err)
		return;
	c->d->ca.failed++;
	log_warn("certificate for %s: CreateCertificate failed: %s%s", c->id,
		 st->message, c->ident.leaf ? " (the current one is kept until it expires)" : "");
	retry_later(c);
}

static const struct kzt_grpc_call_ops cert_ops = {
	.on_message = on_cert,
	.on_close = on_cert_close,
};

/* Start a CreateCertificate for @c on istiod's connection. */
static void request(struct kztd *d, struct kztd_cert *c)
{
	Istio__V1__Auth__IstioCertificateRequest req =
		ISTIO__V1__AUTH__ISTIO_CERTIFICATE_REQUEST__INIT;
	Google__Protobuf__Struct md = GOOGLE__PROTOBUF__STRUCT__INIT;
	Google__Protobuf__Struct__FieldsEntry fe =
		GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT, *fp = &fe;
	Google__Protobuf__Value v = GOOGLE__PROTOBUF__VALUE__INIT;
	char *pem = NULL, why[KZT_CSR_WHY_MAX];
	int ret;

	ret = kzt_csr_make(c->id, &c->pending_key, &pem, why, sizeof(why));
	if (ret) {
		log_err("certificate for %s: %s", c->id, why);
		retry_later(c);
		return;
	}
	v.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
	v.string_value = c->id;
	fe.key = "ImpersonatedIdentity";
	fe.value = &v;
	md.n_fields = 1;
	md.fields = &fp;
	req.csr = pem;
	req.validity_duration = d->ca.validity_s;
	req.metadata = &md;
	ret = kzt_grpc_call_start(d->xds.g, KZT_GRPC_PATH_CREATE_CERT, &cert_ops,
				  c, &c->call);
	if (!ret) {
		ret = kzt_grpc_call_send(c->call, &req.base);
		if (!ret)
			ret = kzt_grpc_call_send_end(c->call);
		if (ret) {
			kzt_grpc_call_cancel(c->call);
			c->call = NULL;
		}
	}
	free(pem);
	if (ret) {
		log_warn("certificate for %s: Unable to send the request: %s",
			 c->id, strerror(ret));
		EVP_PKEY_free(c->pending_key);
		c->pending_key = NULL;
		retry_later(c);
	}
}

/**
 * kztd_ca_want() - the identities of this node's pods, after a change
 * @d:     the daemon
 * @ids:   every SPIFFE ID a local kzt/1 workload has now
 * @n:     how many
 *
 * A new identity gets its certificate requested at once; one no pod has
 * any more is dropped (its flows are the kernel's: they go on).
 */
void kztd_ca_want(struct kztd *d, char *const *ids, size_t n)
{
	struct kztd_ca *ca = &d->ca;
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e, *next;
	bool dropped = false;

	if (!ca->on)
		return;
	for (e = kzt_hmap_first(&ca->certs, &it); e; e = kzt_hmap_next(&ca->certs, &it, e))
		((struct kztd_cert *)e->val)->wanted = false;
	for (size_t i = 0; i < n; i++) {
		struct kztd_cert *c = kzt_hmap_sget(&ca->certs, ids[i]);

		if (!c) {
			c = calloc(1, sizeof(*c));
			if (!c || !(c->id = strdup(ids[i])) ||
			    !(c->ident.name = strdup(ids[i])) ||
			    kzt_hmap_sput(&ca->certs, ids[i], c)) {
				if (c)
					cert_free(c);
				log_err("certificate for %s: out of memory", ids[i]);
				continue;
			}
			c->d = d;
			c->retry_ms = CA_RETRY_MIN_MS;
			c->next_ms = kztd_now_ms();
		}
		c->wanted = true;
	}
	for (e = kzt_hmap_first(&ca->certs, &it); e; e = next) {
		struct kztd_cert *c = e->val;

		next = kzt_hmap_next(&ca->certs, &it, e);
		if (c->wanted)
			continue;
		log_info("certificate for %s dropped: no pod of this node has that identity", c->id);
		dropped |= c->ident.leaf != NULL;
		kzt_hmap_sdel(&ca->certs, c->id);
		cert_free(c);
	}
	if (dropped)
		creds_rebuild(d);
}

/* The root file's identity: a ConfigMap update replaces it (new inode). */
static bool root_changed(struct kztd_ca *ca)
{
	struct stat st;

	if (stat(ca->root_cert, &st))
		return false;	/* gone for now: keep what is loaded */
	if (st.st_ino == ca->root_ino && st.st_mtime == ca->root_mtime &&
	    st.st_size == ca->root_size)
		return false;
	ca->root_ino = st.st_ino;
	ca->root_mtime = st.st_mtime;
	ca->root_size = st.st_size;
	return true;
}

/**
 * kztd_ca_start() - take certificates from istiod (no certificate directory)
 * @d:    the daemon; d->xds configured
 * @conf: the root certificate file (xds_root_cert) and the validity
 *
 * Loads an empty credential set on istiod's root, so that handshakes can
 * start; identities come as pods appear.
 *
 * @retval 0     on (or not needed)
 * @retval other the root certificate is unusable (logged)
 */
int kztd_ca_start(struct kztd *d, const struct kzt_conf *conf)
{
	struct kztd_ca *ca = &d->ca;

	if (!conf->has_xds || conf->has_certs || d->opt_certs)
		return 0;
	ca->on = true;
	ca->validity_s = KZTD_CA_VALIDITY_S;
	snprintf(ca->root_cert, sizeof(ca->root_cert), "%s",
		 conf->has_xds_root_cert ? conf->xds_root_cert :
		 KZT_CONF_XDS_ROOT_CERT_DEFAULT);
	root_changed(ca);
	ca->root_check_ms = kztd_now_ms() + CA_ROOT_CHECK_MS;
	return creds_rebuild(d);
}

/* The loop's wait, shortened to the next request, expiry or root check. */
int kztd_ca_timeout_ms(const struct kztd *d, int timeout)
{
	const struct kztd_ca *ca = &d->ca;
	uint64_t now = kztd_now_ms(), next;
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;

	if (!ca->on)
		return timeout;
	next = ca->root_check_ms;
	for (e = kzt_hmap_first(&ca->certs, &it); e; e = kzt_hmap_next(&ca->certs, &it, e)) {
		const struct kztd_cert *c = e->val;

		if (!c->call && d->xds.g && c->next_ms < next)
			next = c->next_ms;
		if (c->ident.leaf && c->expires_ms < next)
			next = c->expires_ms;
	}
	next = next > now ? next - now : 0;
	if (timeout < 0 || next < (uint64_t)timeout)
		timeout = (int)next;
	return timeout;
}

/* After each batch of events: requests due, certificates expired, the root. */
void kztd_ca_expire(struct kztd *d)
{
	struct kztd_ca *ca = &d->ca;
	uint64_t now = kztd_now_ms();
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;
	bool rebuild = false;

	if (!ca->on)
		return;
	for (e = kzt_hmap_first(&ca->certs, &it); e; e = kzt_hmap_next(&ca->certs, &it, e)) {
		struct kztd_cert *c = e->val;

		if (c->ident.leaf && c->expires_ms <= now) {
			ca->expired++;
			log_err("certificate for %s expired and could not be renewed: handshakes for it fail until istiod issues one",
				c->id);
			X509_free(c->ident.leaf);
			c->ident.leaf = NULL;
			rebuild = true;
		}
		if (!c->call && d->xds.g && c->next_ms <= now)
			request(d, c);
	}
	if (now >= ca->root_check_ms) {
		ca->root_check_ms = now + CA_ROOT_CHECK_MS;
		if (root_changed(ca)) {
			log_info("istiod's root certificate %s changed: reloading", ca->root_cert);
			rebuild = true;
		}
	}
	if (rebuild && creds_rebuild(d))
		log_err("the credential set could not be rebuilt: keeping the current one");
}

static void cert_free_val(void *val)
{
	cert_free(val);
}

/* Cancel the requests and forget every key (before the connection goes). */
void kztd_ca_stop(struct kztd *d)
{
	kzt_hmap_free(&d->ca.certs, cert_free_val);
	d->ca.on = false;
}

/*
 * istiod's connection is about to be freed (kzt_grpc_free() calls no
 * callback): forget the requests on it; they are sent again on the next.
 */
void kztd_ca_conn_lost(struct kztd *d)
{
	struct kzt_hmap_iter it;
	struct kzt_hmap_entry *e;

	for (e = kzt_hmap_first(&d->ca.certs, &it); e; e = kzt_hmap_next(&d->ca.certs, &it, e)) {
		struct kztd_cert *c = e->val;

		if (!c->call)
			continue;
		c->call = NULL;
		EVP_PKEY_free(c->pending_key);
		c->pending_key = NULL;
		retry_later(c);
	}
}
