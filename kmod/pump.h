/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pump: moves the bytes of an established flow between the pod socket
 * and the kTLS tunnel socket, both directions, without blocking, with a
 * fixed buffer per direction. Also the kTLS record helpers the kzt/1
 * header and status steps use.
 */
#ifndef _KZT_PUMP_H
#define _KZT_PUMP_H

#include <linux/types.h>

struct socket;

/*
 * Bytes buffered per direction. 16 KiB is one TLS record of maximal
 * size (2^14 bytes of plaintext): a read from the pod fills exactly one
 * full record, and a read from kTLS takes a whole decrypted record, so
 * neither side is split into small records or partial reads at bulk rates.
 * Documentation/datapath.rst has the measurements behind the choice.
 */
#define KZT_PUMP_BUF_SIZE	(16 * 1024)
/* Bytes a direction moves per run of the work before it yields. */
#define KZT_PUMP_BUDGET		(16 * KZT_PUMP_BUF_SIZE)

/* TLS record content types and the close_notify alert (RFC 8446). */
#define KZT_TLS_ALERT			21
#define KZT_TLS_APPLICATION_DATA	23
#define KZT_TLS_ALERT_WARNING		1
#define KZT_TLS_ALERT_CLOSE_NOTIFY	0
/*
 * kzt/2's end of one direction of a flow: a record of this inner content
 * type (TLS 1.3 encrypts it; the outer type is application data) with one
 * byte, KZT_END_FLOW. Documentation/protocol.rst, "kzt/2".
 */
#define KZT_TLS_KZT_END			0x6b
#define KZT_END_FLOW			0

struct kzt_pump_dir {
	u8 *buf;
	unsigned int head;	/* first byte not yet sent */
	unsigned int len;	/* bytes from @head not yet sent */
	bool eof;		/* the source ended cleanly (FIN, close_notify) */
	bool done;		/* ... and that end was passed on */
};

struct kzt_pump {
	struct kzt_pump_dir out;	/* pod -> tunnel */
	struct kzt_pump_dir in;		/* tunnel -> pod */
};

int kzt_pump_init(struct kzt_pump *pump);
void kzt_pump_free(struct kzt_pump *pump);

int kzt_tls_recv(struct socket *sock, void *buf, size_t len, u8 *type);
int kzt_sock_send(struct socket *sock, const void *buf, size_t len);
int kzt_tls_send_close_notify(struct socket *sock);
int kzt_tls_send_end(struct socket *sock);
bool kzt_pump_keys_fresh(u16 cipher, u64 records);
bool kzt_tls_tx_pending(struct socket *sock);

#endif /* _KZT_PUMP_H */
