// SPDX-License-Identifier: GPL-2.0
/*
 * grpc-probe: drives lib/grpc_*.c against the test control plane (cp.py) from
 * an epoll loop, as kztd will, and prints what happens, one event a line:
 *
 *   grpc-probe [connection options] ads [--types T,T] [--nack T:MSG]
 *              [--responses N] [--streams N] [--initial FILE] [--save FILE]
 *   grpc-probe [connection options] cert [--validity S] [--san URI]
 *              [--repeat N [--rotate-token NEW]]
 *
 * ads: one delta ADS stream, subscribing (wildcard) to the type URLs with
 * the versions it knows (--initial; a "type name version" line each), ACKs
 * every response by nonce, NACKs the first of type T with error_detail
 * MSG; after N responses it half-closes. A stream that ends with an error
 * is opened again, on a new connection if needed, up to --streams times,
 * with initial_resource_versions from what it has. --save writes what it
 * has at the end.
 * --quiet prints no line per resource, only the counts.
 * cert: one CreateCertificate with a fresh P-256 key's CSR; --repeat N
 * makes N, one after the other on the connection, and --rotate-token
 * writes NEW to the token file before each next one.
 *
 * Exit status 0 when the last call ended with grpc-status 0, 1 otherwise,
 * 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <search.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ads.h"
#include "grpc.h"
#include "xds.pb-c.h"
#include "workload.pb-c.h"
#include "authorization.pb-c.h"
#include "citadel.pb-c.h"

#define MAX_TYPES	4

struct version {
	char *type, *name, *ver;
};

static struct {
	struct kzt_grpc_conf conf;
	struct kzt_grpc *g;
	int epfd;
	int registered_fd;
	uint32_t registered_ev;
	bool cert_mode;
	/* ads */
	char *types[MAX_TYPES];
	int ntypes;
	char *nack_type, *nack_msg;
	bool nacked;
	int responses_left;
	int streams_left;
	bool need_stream;
	bool half_close;		/* after the ACK lib/ads.c sends */
	struct kzt_ads *ads;
	void *vers;			/* tsearch() tree of struct version */
	size_t nvers;
	const char *save;
	bool quiet;
	/* cert */
	int repeat;
	const char *rotate;
	long validity;
	const char *san;
	EVP_PKEY *key;
	/* the end */
	bool done;
	int last_err;
	double deadline;
} P = { .registered_fd = -1, .responses_left = -1, .validity = 3600,
	.san = "spiffe://cluster.local/ns/kzt-system/sa/probe" };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int vers_cmp(const void *a, const void *b)
{
	const struct version *x = a, *y = b;
	int d = strcmp(x->type, y->type);

	return d ? d : strcmp(x->name, y->name);
}

static struct version *vers_find(const char *type, const char *name)
{
	struct version key = { .type = (char *)type, .name = (char *)name };
	struct version **v = tfind(&key, &P.vers, vers_cmp);

	return v ? *v : NULL;
}

static void vers_set(const char *type, const char *name, const char *ver)
{
	struct version *v = vers_find(type, name);

	if (!v) {
		v = calloc(1, sizeof(*v));
		v->type = strdup(type);
		v->name = strdup(name);
		if (!tsearch(v, &P.vers, vers_cmp)) {
			fprintf(stderr, "grpc-probe: out of memory\n");
			exit(2);
		}
		P.nvers++;
	} else {
		free(v->ver);
	}
	v->ver = strdup(ver);
}

static void vers_del(const char *type, const char *name)
{
	struct version *v = vers_find(type, name);

	if (!v)
		return;
	tdelete(v, &P.vers, vers_cmp);
	P.nvers--;
	free(v->type);
	free(v->name);
	free(v->ver);
	free(v);
}

/* twalk() has no argument: what the walk collects, for one type or all. */
static struct {
	const char *type;
	FILE *save;
	struct kzt_ads_versions *vs;
	int err;
} W;

static void vers_walk(const void *node, VISIT which, int depth)
{
	const struct version *v = *(struct version *const *)node;

	(void)depth;
	if (which != postorder && which != leaf)
		return;
	if (W.save) {
		fprintf(W.save, "%s %s %s\n", v->type, v->name, v->ver);
		return;
	}
	if (strcmp(v->type, W.type) || W.err)
		return;
	W.err = kzt_ads_versions_add(W.vs, v->name, v->ver);
}

static void print_workload(const Istio__Workload__Workload *w)
{
	char ip[INET6_ADDRSTRLEN];
	size_t i;

	printf("workload uid=%s name=%s namespace=%s sa=%s td=%s node=%s canonical=%s/%s "
	       "tunnel=%d status=%d cluster=%s policies=%zu services=%zu unknown_fields=%u addrs=",
	       w->uid, w->name, w->namespace_, w->service_account, w->trust_domain,
	       w->node, w->canonical_name, w->canonical_revision,
	       w->tunnel_protocol, w->status, w->cluster_id,
	       w->n_authorization_policies, w->n_services,
	       w->base.n_unknown_fields);
	for (i = 0; i < w->n_addresses; i++) {
		int af = w->addresses[i].len == 4 ? AF_INET :
			 w->addresses[i].len == 16 ? AF_INET6 : 0;

		if (!af || !inet_ntop(af, w->addresses[i].data, ip, sizeof(ip)))
			snprintf(ip, sizeof(ip), "bad(%zu)", w->addresses[i].len);
		printf("%s%s", i ? "," : "", ip);
	}
	printf("\n");
}

/* Decode one resource as kztd will; @why says what is wrong. */
static int decode_resource(const char *type, const Envoy__Service__Discovery__V3__Resource *r,
			   char *why, size_t why_len)
{
	const Google__Protobuf__Any *any = r->resource;

	if (!any || strcmp(any->type_url, type)) {
		snprintf(why, why_len, "resource %s is a %s, not a %s", r->name,
			 any ? any->type_url : "nothing", type);
		return EBADMSG;
	}
	if (!strcmp(type, KZT_XDS_TYPE_ADDRESS)) {
		Istio__Workload__Address *a =
			istio__workload__address__unpack(NULL, any->value.len, any->value.data);

		if (!a)
			goto bad;
		if (P.quiet)
			;
		else if (a->type_case == ISTIO__WORKLOAD__ADDRESS__TYPE_WORKLOAD)
			print_workload(a->workload);
		else if (a->type_case == ISTIO__WORKLOAD__ADDRESS__TYPE_SERVICE)
			printf("service name=%s namespace=%s hostname=%s\n",
			       a->service->name, a->service->namespace_,
			       a->service->hostname);
		istio__workload__address__free_unpacked(a, NULL);
	} else if (!strcmp(type, KZT_XDS_TYPE_AUTHZ)) {
		Istio__Security__Authorization *z =
			istio__security__authorization__unpack(NULL, any->value.len,
							       any->value.data);

		if (!z)
			goto bad;
		printf("authorization name=%s namespace=%s action=%d scope=%d rules=%zu\n",
		       z->name, z->namespace_, z->action, z->scope, z->n_rules);
		istio__security__authorization__free_unpacked(z, NULL);
	}
	return 0;
bad:
	snprintf(why, why_len, "resource %s does not decode as %s", r->name, type);
	return EBADMSG;
}

/*
 * lib/ads.c hands each response here and answers it: ACK, or NACK with
 * @why when this returns EINVAL (--nack TYPE MSG, once).
 */
static int ads_response(const kzt_ads_response *r, void *arg, char *why, size_t why_len)
{
	char names[1024] = "";
	size_t i, decoded;
	bool nack = false;
	int ret;

	(void)arg;
	for (i = 0; i < r->n_removed_resources; i++) {
		size_t o = strlen(names);

		snprintf(names + o, sizeof(names) - o, "%s%s", i ? "," : "",
			 r->removed_resources[i]);
	}
	printf("response type=%s nonce=%s resources=%zu removed=%s\n", r->type_url,
	       r->nonce, r->n_resources, names[0] ? names : "-");
	for (i = 0, decoded = 0; i < r->n_resources; i++) {
		char rwhy[256];

		if (!P.quiet)
			printf("resource type=%s name=%s version=%s\n", r->type_url,
			       r->resources[i]->name, r->resources[i]->version);
		ret = decode_resource(r->type_url, r->resources[i], rwhy, sizeof(rwhy));
		if (ret)
			printf("resource-error %s\n", rwhy);
		else
			decoded++;
	}
	printf("decoded %zu of %zu\n", decoded, r->n_resources);
	if (P.nack_type && !P.nacked && !strcmp(P.nack_type, r->type_url)) {
		snprintf(why, why_len, "%s", P.nack_msg);
		P.nacked = true;
		nack = true;
	} else {
		/* Only an ACKed response changes what we have. */
		for (i = 0; i < r->n_resources; i++)
			vers_set(r->type_url, r->resources[i]->name, r->resources[i]->version);
		for (i = 0; i < r->n_removed_resources; i++)
			vers_del(r->type_url, r->removed_resources[i]);
	}
	printf("send %s type=%s nonce=%s\n", nack ? "nack" : "ack", r->type_url, r->nonce);
	if (P.responses_left > 0 && --P.responses_left == 0)
		P.half_close = true;
	fflush(stdout);
	return nack ? EINVAL : 0;
}

/* The versions held of type @t, for initial_resource_versions. */
static int ads_versions(int t, struct kzt_ads_versions *vs)
{
	W.type = P.types[t];
	W.vs = vs;
	W.err = 0;
	twalk(P.vers, vers_walk);
	printf("subscribe type=%s initial=%zu\n", P.types[t], vs->n);
	return W.err;
}

/* lib/ads.c's versions() has the stream's argument only: one per type. */
#define VERSIONS_OF(t) \
	static int versions_##t(void *arg, struct kzt_ads_versions *vs) \
	{ (void)arg; return ads_versions(t, vs); }
VERSIONS_OF(0)
VERSIONS_OF(1)
VERSIONS_OF(2)
VERSIONS_OF(3)
static int (*const versions_of[MAX_TYPES])(void *, struct kzt_ads_versions *) = {
	versions_0, versions_1, versions_2, versions_3,
};

static void print_close(const char *what, const struct kzt_grpc_status *st)
{
	printf("close %s err=%d (%s) grpc_status=%d message=%s\n", what, st->err,
	       st->err ? strerror(st->err) : "ok", st->grpc_status, st->message);
	fflush(stdout);
}

static void ads_close(const struct kzt_grpc_status *st, void *arg)
{
	(void)arg;
	print_close("ads", st);
	P.ads = NULL;
	P.last_err = st->err;
	if (st->err && P.streams_left > 0)
		P.need_stream = true;
	else
		P.done = true;
}

static int ads_start(void)
{
	/* As ztunnel's node(): ID and metadata from the pod's environment. */
	static const char *const keys[] = { "NAME", "NAMESPACE", "INSTANCE_IPS", "NODE_NAME" };
	static const char *const values[] = { "probe", "kzt-system", "127.0.0.1", "node-1" };
	const struct kzt_ads_node node = {
		.id = "kztd~127.0.0.1~probe.kzt-system~kzt-system.svc.cluster.local",
		.md_keys = keys, .md_values = values, .n_md = 4,
	};
	static struct kzt_ads_type types[MAX_TYPES];
	int t, ret;

	P.streams_left--;
	for (t = 0; t < P.ntypes; t++)
		types[t] = (struct kzt_ads_type){
			.type_url = P.types[t],
			.on_response = ads_response,
			.versions = versions_of[t],
		};
	ret = kzt_ads_open(P.g, &node, types, (size_t)P.ntypes, NULL, ads_close, &P.ads);
	if (ret)
		printf("call-error err=%d (%s) why=%s\n", ret, strerror(ret), kzt_grpc_why(P.g));
	fflush(stdout);
	return ret;
}

static int cert_message(struct kzt_grpc_call *call, const uint8_t *msg, size_t len,
			void *arg, char *why, size_t why_len)
{
	Istio__V1__Auth__IstioCertificateResponse *r;
	size_t i;

	(void)call;
	(void)arg;
	r = istio__v1__auth__istio_certificate_response__unpack(NULL, len, msg);
	if (!r) {
		snprintf(why, why_len, "an IstioCertificateResponse of %zu bytes does not decode", len);
		return EBADMSG;
	}
	printf("chain certs=%zu\n", r->n_cert_chain);
	for (i = 0; i < r->n_cert_chain; i++) {
		BIO *b = BIO_new_mem_buf(r->cert_chain[i], -1);
		X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		char subj[256] = "?", iss[256] = "?";

		if (x) {
			X509_NAME_oneline(X509_get_subject_name(x), subj, sizeof(subj));
			X509_NAME_oneline(X509_get_issuer_name(x), iss, sizeof(iss));
		}
		printf("cert %zu subject=%s issuer=%s", i, subj, iss);
		if (x && i == 0) {
			ASN1_TIME *na = X509_get_notAfter(x), *nb = X509_get_notBefore(x);
			int days, secs;

			ASN1_TIME_diff(&days, &secs, nb, na);
			printf(" key_matches=%s lifetime_s=%ld",
			       X509_check_private_key(x, P.key) == 1 ? "yes" : "no",
			       (long)days * 86400 + secs);
			/* The X.509-SVID profile istiod's CA issues. */
			printf(" aki=%d ski=%d ku=0x%x eku=0x%x ca=%d",
			       X509_get0_authority_key_id(x) != NULL,
			       X509_get0_subject_key_id(x) != NULL,
			       X509_get_key_usage(x), X509_get_extended_key_usage(x),
			       X509_check_ca(x));
		}
		printf("\n");
		X509_free(x);
		BIO_free(b);
	}
	istio__v1__auth__istio_certificate_response__free_unpacked(r, NULL);
	fflush(stdout);
	return 0;
}

/* A new token in the file, as the kubelet rotates it: a rename over it. */
static int rotate_token(void)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", P.conf.token_file);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", P.rotate) < 0 || fclose(f) ||
	    rename(tmp, P.conf.token_file)) {
		perror(tmp);
		return 1;
	}
	printf("token rotated\n");
	return 0;
}

static void cert_close(struct kzt_grpc_call *call, const struct kzt_grpc_status *st,
		       void *arg)
{
	(void)call;
	(void)arg;
	print_close("cert", st);
	P.last_err = st->err;
	if (!st->err && --P.repeat > 0) {
		if (P.rotate && rotate_token())
			P.done = true;
		else
			P.need_stream = true;
		return;
	}
	P.done = true;
}

static const struct kzt_grpc_call_ops cert_ops = {
	.on_message = cert_message,
	.on_close = cert_close,
};

static char *make_csr(void)
{
	X509_REQ *req = X509_REQ_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *ext;
	char san[512];
	BIO *b = BIO_new(BIO_s_mem());
	char *pem, *data;
	long n;

	EVP_PKEY_free(P.key);
	P.key = EVP_EC_gen("P-256");
	snprintf(san, sizeof(san), "URI:%s", P.san);
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);
	if (!req || !exts || !b || !P.key || !ext)
		return NULL;
	sk_X509_EXTENSION_push(exts, ext);
	X509_REQ_set_pubkey(req, P.key);
	X509_REQ_add_extensions(req, exts);
	if (!X509_REQ_sign(req, P.key, EVP_sha256()) || !PEM_write_bio_X509_REQ(b, req))
		return NULL;
	n = BIO_get_mem_data(b, &data);
	pem = strndup(data, (size_t)n);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	BIO_free(b);
	return pem;
}

static int cert_start(void)
{
	Istio__V1__Auth__IstioCertificateRequest req =
		ISTIO__V1__AUTH__ISTIO_CERTIFICATE_REQUEST__INIT;
	struct kzt_grpc_call *call;
	char *csr = make_csr();
	int ret;

	if (!csr) {
		fprintf(stderr, "grpc-probe: cannot make a CSR\n");
		return ENOMEM;
	}
	ret = kzt_grpc_call_start(P.g, KZT_GRPC_PATH_CREATE_CERT, &cert_ops, NULL, &call);
	if (ret) {
		printf("call-error err=%d (%s) why=%s\n", ret, strerror(ret), kzt_grpc_why(P.g));
		free(csr);
		return ret;
	}
	req.csr = csr;
	req.validity_duration = P.validity;
	ret = kzt_grpc_call_send(call, &req.base);
	if (!ret)
		ret = kzt_grpc_call_send_end(call);
	free(csr);
	return ret;
}

static int connect_new(void)
{
	char why[KZT_GRPC_WHY_MAX];
	int ret;

	ret = kzt_grpc_new(&P.conf, &P.g, why, sizeof(why));
	if (ret) {
		printf("new-error err=%d (%s) why=%s\n", ret, strerror(ret), why);
		return ret;
	}
	ret = kzt_grpc_connect(P.g);
	if (ret) {
		printf("conn-error err=%d (%s) why=%s\n", ret, strerror(ret), kzt_grpc_why(P.g));
		return ret;
	}
	P.registered_fd = -1;
	return 0;
}

static int update_epoll(void)
{
	struct epoll_event ev = { .events = kzt_grpc_events(P.g) };
	int fd = kzt_grpc_fd(P.g);

	if (fd == P.registered_fd && ev.events == P.registered_ev)
		return 0;
	if (epoll_ctl(P.epfd, fd == P.registered_fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
		      fd, &ev))
		return errno;
	P.registered_fd = fd;
	P.registered_ev = ev.events;
	return 0;
}

static void drop_conn(void)
{
	kzt_ads_close(P.ads);	/* kzt_grpc_free() calls no callback */
	P.ads = NULL;
	kzt_grpc_free(P.g);	/* closes the fd: epoll forgets it */
	P.g = NULL;
	P.registered_fd = -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: grpc-probe --host H --port P --root FILE [--server-name N] [--token FILE]\n"
		"       [--cluster-id ID] [--msg-max N] [--timeout S] [--keepalive MS]\n"
		"       [--conn-timeout MS] ads|cert [options]\n");
	exit(2);
}

static void parse_types(char *s)
{
	char *save, *t;

	for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (P.ntypes == MAX_TYPES)
			usage();
		P.types[P.ntypes++] = t;
	}
}

static void load_initial(const char *path)
{
	char type[256], name[512], ver[128];
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fscanf(f, "%255s %511s %127s", type, name, ver) == 3)
		vers_set(type, name, ver);
	fclose(f);
}

static void save_versions(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	W.save = f;
	twalk(P.vers, vers_walk);
	W.save = NULL;
	fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", 1, NULL, 'H' }, { "port", 1, NULL, 'p' },
		{ "root", 1, NULL, 'r' }, { "server-name", 1, NULL, 'n' },
		{ "token", 1, NULL, 't' }, { "cluster-id", 1, NULL, 'c' },
		{ "msg-max", 1, NULL, 'm' }, { "timeout", 1, NULL, 'T' },
		{ "types", 1, NULL, 'y' }, { "nack", 1, NULL, 'N' },
		{ "responses", 1, NULL, 'R' }, { "streams", 1, NULL, 'S' },
		{ "initial", 1, NULL, 'i' }, { "save", 1, NULL, 's' },
		{ "validity", 1, NULL, 'v' }, { "san", 1, NULL, 'a' },
		{ "quiet", 0, NULL, 'q' }, { "repeat", 1, NULL, 'e' },
		{ "rotate-token", 1, NULL, 'o' },
		{ "keepalive", 1, NULL, 'k' }, { "conn-timeout", 1, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	char default_types[] = KZT_XDS_TYPE_ADDRESS "," KZT_XDS_TYPE_AUTHZ;
	double timeout = 10;
	int c, ret;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	P.streams_left = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'H': P.conf.host = optarg; break;
		case 'p': P.conf.port = optarg; break;
		case 'r': P.conf.root_cert = optarg; break;
		case 'n': P.conf.server_name = optarg; break;
		case 't': P.conf.token_file = optarg; break;
		case 'c': P.conf.cluster_id = optarg; break;
		case 'm': P.conf.msg_max = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'T': timeout = atof(optarg); break;
		case 'k': P.conf.keepalive_ms = (uint32_t)atoi(optarg); break;
		case 'C': P.conf.timeout_ms = (uint32_t)atoi(optarg); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	if (!strcmp(argv[optind], "cert"))
		P.cert_mode = true;
	else if (strcmp(argv[optind], "ads"))
		usage();
	optind++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'y': parse_types(optarg); break;
		case 'N':
			P.nack_type = optarg;
			P.nack_msg = strchr(optarg, ':');
			if (!P.nack_msg || P.nack_msg == optarg)
				usage();
			/* The type URL has no ':' of its own. */
			*P.nack_msg++ = '\0';
			break;
		case 'R': P.responses_left = atoi(optarg); break;
		case 'S': P.streams_left = atoi(optarg); break;
		case 'i': load_initial(optarg); break;
		case 's': P.save = optarg; break;
		case 'v': P.validity = atol(optarg); break;
		case 'a': P.san = optarg; break;
		case 'q': P.quiet = true; break;
		case 'e': P.repeat = atoi(optarg); break;
		case 'o': P.rotate = optarg; break;
		case 'T': timeout = atof(optarg); break;
		default: usage();
		}
	}
	if (!P.ntypes)
		parse_types(default_types);
	P.epfd = epoll_create1(EPOLL_CLOEXEC);
	P.deadline = now() + timeout;
	P.last_err = ETIMEDOUT;
	P.need_stream = true;

	while (!P.done) {
		struct epoll_event ev;
		int n;

		if (now() > P.deadline) {
			printf("timeout after %.1f s\n", timeout);
			P.last_err = ETIMEDOUT;
			break;
		}
		if (!P.g) {
			if (connect_new()) {
				drop_conn();
				if (P.streams_left-- <= 0)
					break;
				usleep(200000);
				continue;
			}
		}
		if (P.half_close && P.ads) {
			/* After the last response's ACK, which lib/ads.c queued. */
			P.half_close = false;
			printf("half-close\n");
			kzt_ads_end(P.ads);
		}
		if (P.need_stream) {
			P.need_stream = false;
			ret = P.cert_mode ? cert_start() : ads_start();
			if (ret) {
				P.last_err = ret;
				break;
			}
		}
		ret = update_epoll();
		if (ret) {
			printf("epoll: %s\n", strerror(ret));
			break;
		}
		n = epoll_wait(P.epfd, &ev, 1, 100);
		if (n < 0 && errno != EINTR)
			break;
		ret = n > 0 ? kzt_grpc_on_ready(P.g, ev.events) : 0;
		if (!ret)
			ret = kzt_grpc_tick(P.g);
		if (ret) {
			printf("conn-error err=%d (%s) why=%s\n", ret, strerror(ret),
			       kzt_grpc_why(P.g));
			drop_conn();
			if (P.need_stream)
				usleep(200000);	/* back off before the next connection */
		}
	}
	if (P.save)
		save_versions(P.save);
	kzt_grpc_free(P.g);
	EVP_PKEY_free(P.key);
	printf("exit err=%d\n", P.last_err);
	return P.last_err ? 1 : 0;
}
