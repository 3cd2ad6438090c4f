// SPDX-License-Identifier: GPL-2.0
/*
 * One message for a file whose mode gives too much away, and the chmod
 * that fixes it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "filemode.h"

/**
 * kzt_file_mode_check() - refuse a mode with any of the forbidden bits
 * @path:      the file, for the message
 * @mode:      its st_mode
 * @forbidden: KZT_MODE_SECRET or KZT_MODE_TRUSTED
 * @why:       on refusal, why and what to do
 * @why_len:   size of @why
 *
 * @retval 0      the mode is fine
 * @retval EACCES it is not; @why says so
 */
int kzt_file_mode_check(const char *path, mode_t mode, mode_t forbidden,
			char *why, size_t why_len)
{
	bool secret = forbidden & 0044;

	if (!(mode & forbidden))
		return 0;
	snprintf(why, why_len, "%s is %s by group or others (mode %04o): chmod %s it",
		 path, secret ? "readable or writable" : "writable",
		 (unsigned int)(mode & 07777), secret ? "600" : "go-w");
	return EACCES;
}
