/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the tests of lib/grpc_*.c: a root certificate file, a token file
 * ("tok\n"), an OpenSSL server context with istiod's name and ALPN h2, and
 * a TCP socket bound to a free loopback port.
 */
#ifndef KZT_TEST_GRPCFIX_H
#define KZT_TEST_GRPCFIX_H

#include <stddef.h>

#include <openssl/ssl.h>

#define GRPCFIX_NAME	"istiod.istio-system.svc"

struct grpcfix {
	char *dir;
	char root[512];		/* the root that signed the server's certificate */
	char token[512];
	SSL_CTX *server;
};

/* The test program's, made by grpcfix_setup(), the cmocka group set-up. */
extern struct grpcfix gfix;

int grpcfix_setup(void **state);
int grpcfix_teardown(void **state);
int grpcfix_socket(char *port, size_t port_len);

#endif /* KZT_TEST_GRPCFIX_H */
