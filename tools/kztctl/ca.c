// SPDX-License-Identifier: GPL-2.0
/*
 * kztctl ca init | issue | show: a development trust domain, so that a new
 * user needs no outside PKI (Documentation/certificates.rst). No kernel
 * is involved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "json.h"
#include "kztctl.h"
#include "parse.h"

static void ca_usage(FILE *f)
{
	fprintf(f, "Usage: %s ca init --dir DIR [--trust-domain TD] [--days N] [--force]\n"
		   "       %s [-j] ca issue --ca DIR SPIFFE_ID --out CERTDIR [--days N]\n"
		   "                        [--name NAME] [--force]\n"
		   "       %s [-j] ca show FILE\n\n"
		   "init   make a self-signed EC P-256 CA for trust domain TD (default\n"
		   "       cluster.local): DIR/ca.crt and DIR/ca.key (0600); %d days\n"
		   "issue  issue an X509-SVID for SPIFFE_ID (in the CA's trust domain)\n"
		   "       into the certificate directory kztd --certs reads: CERTDIR/NAME.crt,\n"
		   "       CERTDIR/NAME.key (0600) and CERTDIR/bundle.pem (the CA); NAME\n"
		   "       defaults to NAMESPACE.SERVICE-ACCOUNT; %d days\n"
		   "show   print each certificate of FILE: SPIFFE ID, whether it is an SVID,\n"
		   "       issuer, validity\n"
		   "Existing files are never replaced without --force.\n",
		prog, prog, prog, KZT_CA_DAYS_DEFAULT, KZT_CA_LEAF_DAYS_DEFAULT);
}

/* The options of init and issue; NULL/0 when not given. */
struct ca_args {
	const char *dir, *trust_domain, *ca, *out, *name, *id;
	unsigned int days;
	bool force;
};

/* "--opt VALUE" or "--opt=VALUE" at argv[*i]: the value, else NULL. */
static const char *opt_value(int argc, char *argv[], int *i, const char *opt,
			     bool *matched)
{
	size_t len = strlen(opt);

	*matched = false;
	if (strncmp(argv[*i], opt, len) ||
	    (argv[*i][len] && argv[*i][len] != '='))
		return NULL;
	*matched = true;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	return *i + 1 < argc ? argv[++*i] : NULL;
}

/* The words after "ca init" or "ca issue"; @allowed names the options. */
static int parse_args(int argc, char *argv[], const char *allowed,
		      struct ca_args *a)
{
	static const char *const opts[] = {
		"--dir", "--trust-domain", "--days", "--ca", "--out", "--name",
	};
	const char **slots[] = {
		&a->dir, &a->trust_domain, NULL, &a->ca, &a->out, &a->name,
	};
	const char *v, *cmd = argv[0];
	uint64_t days;
	bool matched;
	size_t k;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force")) {
			a->force = true;
			continue;
		}
		for (k = 0, v = NULL, matched = false; k < 6 && !matched; k++)
			v = opt_value(argc, argv, &i, opts[k], &matched);
		k--;
		if (!matched && argv[i][0] != '-' && !strcmp(cmd, "issue") &&
		    !a->id) {
			a->id = argv[i];
			continue;
		}
		if (!matched || !strstr(allowed, opts[k]))
			return kztctl_usage_error(ca_usage, "ca %s: unknown argument '%s'",
						  cmd, argv[i]);
		if (!v)
			return kztctl_usage_error(ca_usage, "ca %s: %s needs a value",
						  cmd, opts[k]);
		if (!slots[k]) {
			if (kzt_parse_uint(v, KZT_CA_DAYS_MAX, &days) || !days)
				return kztctl_usage_error(NULL,
							  "ca %s: invalid --days '%s' (expected 1..%d)",
							  cmd, v, KZT_CA_DAYS_MAX);
			a->days = days;
		} else {
			*slots[k] = v;
		}
	}
	return KZTCTL_EXIT_OK;
}

static int ca_init(int argc, char *argv[])
{
	struct kzt_ca_init_opts o;
	char msg[KZT_CA_ERR_MAX];
	struct ca_args a;
	int ret;

	ret = parse_args(argc, argv, "--dir --trust-domain --days", &a);
	if (ret)
		return ret;
	if (!a.dir)
		return kztctl_usage_error(ca_usage, "ca init: --dir DIR is needed");
	o = (struct kzt_ca_init_opts) {
		.dir = a.dir, .trust_domain = a.trust_domain, .days = a.days,
		.force = a.force,
	};
	ret = kzt_ca_init(&o, msg, sizeof(msg));
	if (ret) {
		fprintf(stderr, "%s: Unable to make the CA: %s\n", prog, msg);
		return KZTCTL_EXIT_ERROR;
	}
	printf("CA for trust domain %s: %s/" KZT_CA_CERT ", %s/" KZT_CA_KEY "\n",
	       a.trust_domain ? a.trust_domain : KZT_DEFAULT_TRUST_DOMAIN,
	       a.dir, a.dir);
	return fflush(stdout) ? kztctl_fail("print", errno, NULL) : KZTCTL_EXIT_OK;
}

static int print_issued(const struct ca_args *a, const struct kzt_ca_issued *r)
{
	char crt[PATH_MAX], key[PATH_MAX], bundle[PATH_MAX];
	struct kzt_json j;

	snprintf(crt, sizeof(crt), "%s/%s.crt", a->out, r->name);
	snprintf(key, sizeof(key), "%s/%s.key", a->out, r->name);
	snprintf(bundle, sizeof(bundle), "%s/" KZT_CA_BUNDLE, a->out);
	if (kztctl_opts.json) {
		kzt_json_init(&j, stdout);
		kzt_json_object_begin(&j, NULL);
		kzt_json_string(&j, "id", a->id);
		kzt_json_string(&j, "certificate", crt);
		kzt_json_string(&j, "key", key);
		kzt_json_string(&j, "bundle", bundle);
		kzt_json_bool(&j, "bundle_written", r->bundle_written);
		kzt_json_object_end(&j);
		return kzt_json_finish(&j);
	}
	printf("%s: %s, %s; %s %s\n", a->id, crt, key, bundle,
	       r->bundle_written ? "written" : "already trusts the CA");
	return fflush(stdout) ? errno : 0;
}

static int ca_issue(int argc, char *argv[])
{
	struct kzt_ca_issue_opts o;
	struct kzt_ca_issued res;
	char msg[KZT_CA_ERR_MAX];
	struct ca_args a;
	int ret;

	ret = parse_args(argc, argv, "--ca --out --days --name", &a);
	if (ret)
		return ret;
	if (!a.ca || !a.out || !a.id)
		return kztctl_usage_error(ca_usage,
					  "ca issue: --ca DIR, SPIFFE_ID and --out CERTDIR are needed");
	o = (struct kzt_ca_issue_opts) {
		.ca_dir = a.ca, .id = a.id, .out_dir = a.out, .name = a.name,
		.days = a.days, .force = a.force,
	};
	ret = kzt_ca_issue(&o, &res, msg, sizeof(msg));
	if (ret) {
		fprintf(stderr, "%s: Unable to issue a certificate: %s\n", prog, msg);
		return KZTCTL_EXIT_ERROR;
	}
	ret = print_issued(&a, &res);
	return ret ? kztctl_fail("print", ret, NULL) : KZTCTL_EXIT_OK;
}

static void show_text(const struct kzt_cert_infos *list)
{
	for (size_t i = 0; i < list->n; i++) {
		const struct kzt_cert_info *ci = &list->v[i];
		char head[48];

		snprintf(head, sizeof(head), "certificate %zu", i);
		kztctl_print_header(head);
		kztctl_print_field("spiffe id", "%s",
				   ci->spiffe_id[0] ? ci->spiffe_id : "(none)");
		if (ci->is_svid)
			kztctl_print_field("svid", "yes");
		else
			kztctl_print_field("svid", "no (%s)", ci->not_svid);
		kztctl_print_field("ca", "%s", ci->is_ca ? "yes" : "no");
		kztctl_print_field("subject", "%s", ci->subject);
		kztctl_print_field("issuer", "%s", ci->issuer);
		kztctl_print_field("serial", "%s", ci->serial);
		kztctl_print_field("not before", "%s%s", ci->not_before,
				   ci->not_yet_valid ? " (not yet valid)" : "");
		kztctl_print_field("not after", "%s%s", ci->not_after,
				   ci->expired ? " (EXPIRED)" : "");
		kztctl_print_field("key", "%s", ci->key);
	}
}

static int show_json(const struct kzt_cert_infos *list)
{
	struct kzt_json j;

	kzt_json_init(&j, stdout);
	kzt_json_object_begin(&j, NULL);
	kzt_json_array_begin(&j, "certificates");
	for (size_t i = 0; i < list->n; i++) {
		const struct kzt_cert_info *ci = &list->v[i];

		kzt_json_object_begin(&j, NULL);
		kzt_json_string(&j, "spiffe_id",
				ci->spiffe_id[0] ? ci->spiffe_id : NULL);
		kzt_json_uint(&j, "uri_sans", ci->n_uris);
		kzt_json_bool(&j, "svid", ci->is_svid);
		kzt_json_string(&j, "not_svid", ci->not_svid);
		kzt_json_bool(&j, "ca", ci->is_ca);
		kzt_json_string(&j, "subject", ci->subject);
		kzt_json_string(&j, "issuer", ci->issuer);
		kzt_json_string(&j, "serial", ci->serial);
		kzt_json_string(&j, "not_before", ci->not_before);
		kzt_json_string(&j, "not_after", ci->not_after);
		kzt_json_bool(&j, "expired", ci->expired);
		kzt_json_bool(&j, "not_yet_valid", ci->not_yet_valid);
		kzt_json_string(&j, "key", ci->key);
		kzt_json_object_end(&j);
	}
	kzt_json_array_end(&j);
	kzt_json_object_end(&j);
	return kzt_json_finish(&j);
}

static int ca_show(int argc, char *argv[])
{
	struct kzt_cert_infos list;
	char msg[KZT_CA_ERR_MAX];
	int ret;

	if (argc != 2)
		return kztctl_usage_error(ca_usage, "ca show: one FILE is needed");
	ret = kzt_cert_file_info(argv[1], &list, msg, sizeof(msg));
	if (ret) {
		fprintf(stderr, "%s: Unable to read the certificates: %s\n", prog,
			msg);
		return KZTCTL_EXIT_ERROR;
	}
	if (kztctl_opts.json) {
		ret = show_json(&list);
	} else {
		show_text(&list);
		ret = fflush(stdout) ? errno : 0;
	}
	kzt_cert_infos_free(&list);
	return ret ? kztctl_fail("print the certificates", ret, NULL) :
		     KZTCTL_EXIT_OK;
}

int ca_main(int argc, char *argv[])
{
	if (argc < 2)
		return kztctl_usage_error(ca_usage, "ca: init, issue or show is needed");
	for (int i = 1; i < argc; i++) {
		if (kztctl_is_help(argv[i])) {
			ca_usage(stdout);
			return KZTCTL_EXIT_OK;
		}
	}
	if (!strcmp(argv[1], "init"))
		return ca_init(argc - 1, argv + 1);
	if (!strcmp(argv[1], "issue"))
		return ca_issue(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return ca_show(argc - 1, argv + 1);
	return kztctl_usage_error(ca_usage, "unknown ca command '%s'", argv[1]);
}
