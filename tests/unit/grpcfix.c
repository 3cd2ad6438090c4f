// SPDX-License-Identifier: GPL-2.0
/*
 * The files and the server context the gRPC client tests share.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "certgen.h"
#include "grpcfix.h"

/* The server selects h2, as istiod does, and nothing else. */
static int alpn_h2(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned int inlen, void *arg)
{
	(void)ssl;
	(void)arg;
	if (inlen >= 3 && in[0] == 2 && !memcmp(in + 1, "h2", 2)) {
		*out = in + 1;
		*outlen = 2;
		return SSL_TLSEXT_ERR_OK;
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

struct grpcfix gfix;

/* 0, or -1 with what is made so far for grpcfix_teardown(). */
int grpcfix_setup(void **state)
{
	struct grpcfix *f = &gfix;
	struct certgen server = {
		.cn = "istiod", .san = "DNS:" GRPCFIX_NAME,
		.bc = "critical,CA:FALSE", .ku = "critical,digitalSignature",
		.eku = "serverAuth", .not_before = -3600, .not_after = 86400,
	};
	EVP_PKEY *ca_key = NULL, *key = NULL;
	X509 *ca = NULL, *cert = NULL;
	FILE *tok;
	int ret = -1;

	(void)state;
	memset(f, 0, sizeof(*f));
	f->dir = certgen_tmpdir();
	if (!f->dir)
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/root.pem", f->dir);
	snprintf(f->token, sizeof(f->token), "%s/token", f->dir);
	ca_key = certgen_key();
	key = certgen_key();
	if (!ca_key || !key)
		goto out;
	ca = certgen_cert(&CERTGEN_CA("test root"), ca_key, NULL, NULL);
	cert = ca ? certgen_cert(&server, key, ca, ca_key) : NULL;
	if (!cert || certgen_write_certs(f->root, &ca, 1))
		goto out;
	tok = fopen(f->token, "w");
	if (!tok)
		goto out;
	fputs("tok\n", tok);
	fclose(tok);
	f->server = SSL_CTX_new(TLS_server_method());
	if (!f->server || SSL_CTX_use_certificate(f->server, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(f->server, key) != 1)
		goto out;
	SSL_CTX_set_alpn_select_cb(f->server, alpn_h2, NULL);
	ret = 0;
out:
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return ret;
}

int grpcfix_teardown(void **state)
{
	struct grpcfix *f = &gfix;

	(void)state;
	SSL_CTX_free(f->server);
	if (f->dir)
		certgen_rmdir(f->dir);
	f->dir = NULL;
	f->server = NULL;
	return 0;
}

/*
 * A non-blocking TCP socket bound to 127.0.0.1 on a free port (written to
 * @port), not listening yet; -1 on failure.
 */
int grpcfix_socket(char *port, size_t port_len)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		close(fd);
		return -1;
	}
	snprintf(port, port_len, "%u", ntohs(a.sin_port));
	return fd;
}
