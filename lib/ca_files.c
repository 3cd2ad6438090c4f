// SPDX-License-Identifier: GPL-2.0
/*
 * Files of the development CA; see ca_files.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "ca.h"
#include "ca_files.h"
#include "ca_priv.h"

/* A PEM private key is a few hundred bytes; refuse to read a huge file. */
#define KEY_FILE_MAX	(64 * 1024)

int kzt_ca_file_set(struct kzt_ca_file *f, const char *data, size_t len)
{
	f->data = malloc(len ? len : 1);
	if (!f->data)
		return ENOMEM;
	memcpy(f->data, data, len);
	f->len = len;
	return 0;
}

void kzt_ca_files_free(struct kzt_ca_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (files[i].data)
			OPENSSL_cleanse(files[i].data, files[i].len);
		free(files[i].data);
		files[i].data = NULL;
		files[i].len = 0;
	}
}

/**
 * kzt_ca_dir_prepare() - make @dir if needed; check no file of @files is
 *                        in the way
 * @dir:    the directory
 * @mode:   its mode when it is created
 * @files:  what will be written there
 * @n:      how many
 * @force:  existing regular files may be replaced
 * @errbuf: on error, what is wrong
 * @errlen: size of @errbuf
 *
 * @retval 0      ready; nothing is written yet
 * @retval EEXIST a file exists (and !@force), or is not a regular file
 * @retval other  errno of mkdir() or stat()
 */
int kzt_ca_dir_prepare(const char *dir, mode_t mode,
		       const struct kzt_ca_file *files, size_t n, bool force,
		       char *errbuf, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;

	if (mkdir(dir, mode) && errno != EEXIST)
		return kzt_ca_err(errbuf, errlen, errno, "cannot create %s: %s",
				  dir, strerror(errno));
	if (stat(dir, &st))
		return kzt_ca_err(errbuf, errlen, errno, "%s: %s", dir,
				  strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return kzt_ca_err(errbuf, errlen, ENOTDIR, "%s: %s", dir,
				  strerror(ENOTDIR));
	for (size_t i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, files[i].name) >=
		    (int)sizeof(path))
			return kzt_ca_err(errbuf, errlen, ENAMETOOLONG,
					  "%s/%s: %s", dir, files[i].name,
					  strerror(ENAMETOOLONG));
		if (lstat(path, &st)) {
			if (errno == ENOENT)
				continue;
			return kzt_ca_err(errbuf, errlen, errno, "%s: %s", path,
					  strerror(errno));
		}
		if (!S_ISREG(st.st_mode))
			return kzt_ca_err(errbuf, errlen, EEXIST,
					  "%s exists and is not a regular file",
					  path);
		if (!force)
			return kzt_ca_err(errbuf, errlen, EEXIST,
					  "%s exists: use --force to replace it",
					  path);
	}
	return 0;
}

/* Write @f to a new temporary file in @dir; its name into @tmp. */
static int write_tmp(const char *dir, const struct kzt_ca_file *f,
		     char *tmp, size_t len)
{
	size_t done = 0;
	int fd, ret = 0;

	snprintf(tmp, len, "%s/.%s.XXXXXX", dir, f->name);
	fd = mkstemp(tmp);	/* mode 0600 from the start */
	if (fd < 0) {
		tmp[0] = '\0';
		return errno;
	}
	if (fchmod(fd, f->mode))
		ret = errno;
	while (!ret && done < f->len) {
		ssize_t w = write(fd, f->data + done, f->len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			ret = errno;
		else
			done += w;
	}
	if (!ret && fsync(fd))
		ret = errno;
	if (close(fd) && !ret)
		ret = errno;
	return ret;
}

/* Move @tmp to @path: replacing a file with @force, else never. */
static int install(const char *tmp, const char *path, bool force)
{
	if (force)
		return rename(tmp, path) ? errno : 0;
	if (link(tmp, path))
		return errno;
	unlink(tmp);
	return 0;
}

/**
 * kzt_ca_files_write() - write every file of @files into @dir, or none
 * @dir:    a directory kzt_ca_dir_prepare() checked
 * @files:  the files, data set
 * @n:      how many
 * @force:  replace existing files
 * @errbuf: on error, what is wrong
 * @errlen: size of @errbuf
 *
 * All are written and synced under temporary names first, then moved into
 * place. Without @force a file that appeared meanwhile is not replaced
 * (EEXIST) and the files this call put in place are removed again.
 *
 * @retval 0     all written
 * @retval other errno
 */
int kzt_ca_files_write(const char *dir, const struct kzt_ca_file *files,
		       size_t n, bool force, char *errbuf, size_t errlen)
{
	char tmp[4][PATH_MAX], path[PATH_MAX];
	size_t written = 0, placed = 0;
	int ret = 0, fd;

	if (n > 4)
		return kzt_ca_err(errbuf, errlen, EINVAL, "too many files");
	for (; written < n; written++) {
		ret = write_tmp(dir, &files[written], tmp[written], PATH_MAX);
		if (ret) {
			kzt_ca_err(errbuf, errlen, ret, "cannot write %s/%s: %s",
				   dir, files[written].name, strerror(ret));
			goto out;
		}
	}
	for (; placed < n; placed++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[placed].name);
		ret = install(tmp[placed], path, force);
		if (ret) {
			kzt_ca_err(errbuf, errlen, ret, "cannot write %s: %s%s",
				   path, strerror(ret),
				   ret == EEXIST ? " (created meanwhile)" : "");
			goto out;
		}
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);	/* the new names are durable too */
		close(fd);
	}
	return 0;
out:
	for (size_t i = 0; i < written; i++)
		unlink(tmp[i]);	/* ENOENT for those moved into place */
	while (!force && placed--) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[placed].name);
		unlink(path);
	}
	return ret;
}

/* The file into a buffer the caller cleanses; at most KEY_FILE_MAX. */
static int read_small(const char *path, char **bufp, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t r = 0;
	char *buf;

	if (fd < 0)
		return errno;
	buf = malloc(KEY_FILE_MAX);
	if (!buf) {
		close(fd);
		return ENOMEM;
	}
	while (len < KEY_FILE_MAX) {
		r = read(fd, buf + len, KEY_FILE_MAX - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
	}
	close(fd);
	if (r < 0 || len == KEY_FILE_MAX) {
		OPENSSL_cleanse(buf, len);
		free(buf);
		return r < 0 ? EIO : EFBIG;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/**
 * kzt_ca_key_load() - read the PEM private key DIR/NAME
 * @dir:    the directory
 * @name:   the file
 * @key:    set on success; free with EVP_PKEY_free()
 * @errbuf: on error, what is wrong (never the key)
 * @errlen: size of @errbuf
 *
 * The file is read into a buffer that is cleansed afterwards, not through
 * stdio, whose buffers are freed as they are.
 *
 * @retval 0      @key is set
 * @retval EINVAL not a PEM private key
 * @retval other  errno of reading
 */
int kzt_ca_key_load(const char *dir, const char *name, EVP_PKEY **key,
		    char *errbuf, size_t errlen)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0;
	BIO *bio;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = read_small(path, &buf, &len);
	if (ret)
		return kzt_ca_err(errbuf, errlen, ret, "%s: %s", path,
				  strerror(ret));
	bio = BIO_new_mem_buf(buf, len);
	*key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (!*key)
		return kzt_ca_err(errbuf, errlen, EINVAL,
				  "%s: not a PEM private key%s", path,
				  kzt_ca_ssl_reason());
	return 0;
}

/**
 * kzt_ca_bundle_needed() - whether DIR/bundle.pem must be (re)written
 * @dir:    the certificate directory
 * @ca:     the CA certificate it must hold
 * @force:  a bundle without @ca may be replaced
 * @needed: set: false when the bundle already holds @ca
 * @errbuf: on error, what is wrong
 * @errlen: size of @errbuf
 *
 * @retval 0      @needed is set
 * @retval EEXIST the bundle trusts other CAs only, and !@force
 * @retval other  the bundle cannot be read
 */
int kzt_ca_bundle_needed(const char *dir, X509 *ca, bool force, bool *needed,
			 char *errbuf, size_t errlen)
{
	STACK_OF(X509) *certs = NULL;
	char path[PATH_MAX];
	int ret;

	*needed = true;
	snprintf(path, sizeof(path), "%s/" KZT_CA_BUNDLE, dir);
	ret = kzt_certs_load(path, &certs, errbuf, errlen);
	if (ret == ENOENT)
		return 0;
	if (ret)
		return force ? 0 : ret;
	for (int i = 0; i < sk_X509_num(certs); i++)
		if (!X509_cmp(sk_X509_value(certs, i), ca))
			*needed = false;
	kzt_certs_free(certs);
	if (*needed && !force)
		return kzt_ca_err(errbuf, errlen, EEXIST,
				  "%s trusts other CAs only: add this CA's certificate to it (cat CA_DIR/ca.crt >> %s), or replace it with --force",
				  path, path);
	return 0;
}
