/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel socket's reference on its network namespace, for the sockets
 * kzt hands to a process (kmod/sknet.c).
 */
#ifndef _KZT_SKNET_H
#define _KZT_SKNET_H

#include <linux/types.h>

struct file;
struct sock;

void kzt_sk_net_pin(struct sock *sk);
bool kzt_sk_net_unpin_sole(struct file *file);

#endif /* _KZT_SKNET_H */
