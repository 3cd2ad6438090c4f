/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mode checks of the files kztd trusts: keys and the key log are
 * private (no bit for group or others), certificates, the bundle and their
 * directory are not writable by anyone but their owner.
 */
#ifndef KZT_FILEMODE_H
#define KZT_FILEMODE_H

#include <stddef.h>
#include <sys/types.h>

#define KZT_MODE_SECRET		0077	/* forbidden bits of a secret */
#define KZT_MODE_TRUSTED	0022	/* of a file or directory we trust */

int kzt_file_mode_check(const char *path, mode_t mode, mode_t forbidden,
			char *why, size_t why_len);

#endif /* KZT_FILEMODE_H */
