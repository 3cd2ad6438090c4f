// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the debug key log file. Every TLS secret goes there, so the
 * file is treated like a private key: the final path component must not
 * be a symbolic link (a link planted there could point the secrets to a
 * file others read), it must be a regular file of ours (not a FIFO or a
 * device, whose reader would get them), and group and others may neither
 * read nor write it. A new file is created 0600 whatever the umask.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filemode.h"
#include "keylog.h"

/**
 * kzt_keylog_open() - open the key log file for appending
 * @path:    the file
 * @out:     the stream, on success; NULL on failure
 * @why:     on failure, a message naming @path and what to do
 * @why_len: size of @why
 *
 * @retval 0      *@out is open, appending
 * @retval ELOOP  @path is a symbolic link
 * @retval EACCES an existing file readable or writable by group or
 *                others, or owned by another user
 * @retval EINVAL not a regular file
 * @retval other  errno of open() or fdopen()
 */
int kzt_keylog_open(const char *path, FILE **out, char *why, size_t why_len)
{
	struct stat st;
	int fd, ret;

	*out = NULL;
	/* O_NONBLOCK: a FIFO planted there must not block kztd's start. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
		  O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = errno;
		if (ret == ELOOP)
			snprintf(why, why_len,
				 "%s is a symbolic link: the key log must be a file of its own",
				 path);
		else
			snprintf(why, why_len, "%s: %s", path, strerror(ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = errno;
		snprintf(why, why_len, "%s: %s", path, strerror(ret));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, why_len, "%s is not a regular file", path);
		ret = EINVAL;
		goto out_close;
	}
	if (st.st_uid != geteuid()) {
		snprintf(why, why_len, "%s is owned by uid %u, not by kztd's uid %u",
			 path, (unsigned int)st.st_uid, (unsigned int)geteuid());
		ret = EACCES;
		goto out_close;
	}
	/* Created just now despite a umask, or left loose by someone. */
	ret = kzt_file_mode_check(path, st.st_mode, KZT_MODE_SECRET, why,
				  why_len);
	if (ret)
		goto out_close;
	if (!fcntl(fd, F_SETFL, O_APPEND))
		*out = fdopen(fd, "a");
	if (!*out) {
		ret = errno;
		snprintf(why, why_len, "%s: %s", path, strerror(ret));
		goto out_close;
	}
	return 0;

out_close:
	close(fd);
	return ret;
}
