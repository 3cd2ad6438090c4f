/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A gRPC client for one connection to istiod, driven by an epoll loop: TCP
 * (non-blocking), TLS (OpenSSL, >= 1.2, ALPN "h2" required, the server
 * verified against a root file and a name), HTTP/2 (nghttp2) and gRPC's
 * length-prefixed messages (no compression). Nothing blocks the caller's
 * loop: an address literal is connected to at once, and a name is resolved
 * by a detached thread running getaddrinfo() (the only thread; it touches
 * nothing of the client's, which may be freed meanwhile), whose answer
 * comes back through kzt_grpc_fd(). Documentation/istio.rst describes what
 * goes on the wire.
 *
 * The caller owns the loop:
 *
 *	kzt_grpc_new(&conf, &g, why, sizeof(why));
 *	kzt_grpc_connect(g);
 *	kzt_grpc_call_start(g, KZT_GRPC_PATH_DELTA_ADS, &ops, arg, &call);
 *	kzt_grpc_call_send(call, &request.base);
 *	epoll_ctl(ADD, kzt_grpc_fd(g), kzt_grpc_events(g));
 *	on each wakeup: kzt_grpc_on_ready(g, events), then epoll_ctl(MOD,
 *	kzt_grpc_events(g)) -- also after any call started or message sent.
 *	If kzt_grpc_fd(g) changed in kzt_grpc_on_ready() (the name resolved:
 *	the old descriptor, a socket pair's end, is closed and out of the
 *	epoll set; the new one, the TCP socket, always has another number),
 *	epoll_ctl(ADD) the new one instead.
 *	at least every kzt_grpc_tick_ms(g): kzt_grpc_tick(g) (the deadlines,
 *	the name's resolution included).
 *
 * Messages arrive whole through ops->on_message; a call ends exactly once
 * through ops->on_close (status OK, a grpc-status from istiod, a refused
 * message or the connection's end), after which the call handle is gone.
 * A connection that fails ends every call and stays failed: free it and
 * make another (the caller decides the back-off). The callbacks may send,
 * start and cancel calls, but must not free the client: they run inside
 * kzt_grpc_on_ready().
 *
 * OpenSSL writes with write(): the program must ignore SIGPIPE.
 */
#ifndef KZT_GRPC_H
#define KZT_GRPC_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#define KZT_GRPC_PATH_DELTA_ADS \
	"/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources"
#define KZT_GRPC_PATH_CREATE_CERT \
	"/istio.v1.auth.IstioCertificateService/CreateCertificate"

#define KZT_XDS_TYPE_ADDRESS	"type.googleapis.com/istio.workload.Address"
#define KZT_XDS_TYPE_AUTHZ	"type.googleapis.com/istio.security.Authorization"

/*
 * Largest message received or sent, by default: istiod pushes every
 * workload of the mesh in one response at the start, so a generous bound;
 * a larger one ends the call with EMSGSIZE. The hard ceiling is
 * KZT_GRPC_MSG_CEILING.
 */
#define KZT_GRPC_MSG_MAX_DEFAULT	(16u << 20)
#define KZT_GRPC_MSG_CEILING		(64u << 20)
/* The token file's largest size (a projected service account JWT is ~1 KiB). */
#define KZT_GRPC_TOKEN_MAX		(64u << 10)
#define KZT_GRPC_WHY_MAX		512
/* Resolve + connect + TLS handshake, and a PING's answer, by default. */
#define KZT_GRPC_TIMEOUT_DEFAULT_MS	10000

struct kzt_grpc_conf {
	const char *host;	/* connect to, e.g. istiod.istio-system.svc */
	const char *port;	/* e.g. "15012" */
	/* The name the certificate must carry and the SNI; NULL: host. */
	const char *server_name;
	/* :authority; NULL: host:port. */
	const char *authority;
	const char *root_cert;	/* PEM file of the roots to trust */
	/* Re-read at each call: "authorization: Bearer <contents>"; NULL: none. */
	const char *token_file;
	const char *cluster_id;	/* "clusterid" header; NULL: none */
	uint32_t msg_max;	/* 0: KZT_GRPC_MSG_MAX_DEFAULT */
	/* The connection (name resolved, TCP, TLS) is established or fails
	 * within this; a PING must be answered within it.
	 * 0: KZT_GRPC_TIMEOUT_DEFAULT_MS. */
	uint32_t timeout_ms;
	/* A PING after this long without a frame from istiod; 0: never. */
	uint32_t keepalive_ms;
};

/* How a call ended. */
struct kzt_grpc_status {
	int err;		/* 0 (grpc-status 0) or a positive errno */
	int grpc_status;	/* istiod's grpc-status, -1 if it sent none */
	const char *message;	/* for the operator; "" on success */
};

struct kzt_grpc;
struct kzt_grpc_call;

struct kzt_grpc_call_ops {
	/*
	 * One whole message (the 5-byte prefix removed). Return 0, or a
	 * positive errno to end the call (RST_STREAM CANCEL) with @why, which
	 * on_close then reports.
	 */
	int (*on_message)(struct kzt_grpc_call *call, const uint8_t *msg,
			  size_t len, void *arg, char *why, size_t why_len);
	/* The call ended; @call is freed when this returns. */
	void (*on_close)(struct kzt_grpc_call *call,
			 const struct kzt_grpc_status *status, void *arg);
};

int kzt_grpc_new(const struct kzt_grpc_conf *conf, struct kzt_grpc **out,
		 char *why, size_t why_len);
int kzt_grpc_connect(struct kzt_grpc *g);
int kzt_grpc_fd(const struct kzt_grpc *g);
uint32_t kzt_grpc_events(const struct kzt_grpc *g);
int kzt_grpc_on_ready(struct kzt_grpc *g, uint32_t events);
const char *kzt_grpc_why(const struct kzt_grpc *g);
int kzt_grpc_established(const struct kzt_grpc *g);
int kzt_grpc_tick(struct kzt_grpc *g);
int kzt_grpc_tick_ms(const struct kzt_grpc *g);
void kzt_grpc_free(struct kzt_grpc *g);

int kzt_grpc_call_start(struct kzt_grpc *g, const char *path,
			const struct kzt_grpc_call_ops *ops, void *arg,
			struct kzt_grpc_call **out);
int kzt_grpc_call_send(struct kzt_grpc_call *call, const ProtobufCMessage *msg);
int kzt_grpc_call_send_end(struct kzt_grpc_call *call);
void kzt_grpc_call_cancel(struct kzt_grpc_call *call);

const char *kzt_grpc_status_name(int grpc_status);

#endif /* KZT_GRPC_H */
