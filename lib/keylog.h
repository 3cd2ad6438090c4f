/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debug key log file (NSS key log format, for tshark): whoever reads
 * it decrypts every tunnel, so it is opened as a secret is.
 */
#ifndef KZT_KEYLOG_H
#define KZT_KEYLOG_H

#include <stddef.h>
#include <stdio.h>

int kzt_keylog_open(const char *path, FILE **out, char *why, size_t why_len);

#endif /* KZT_KEYLOG_H */
