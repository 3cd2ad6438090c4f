/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The files of the development CA (ca.c): a set is checked, written to
 * temporary names, and only then moved into place, so that a failure
 * leaves nothing half written. Key buffers are cleansed when freed.
 */
#ifndef KZT_CA_FILES_H
#define KZT_CA_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct kzt_ca_file {
	const char *name;	/* in the directory */
	mode_t mode;		/* 0600 for a key */
	char *data;		/* owned; cleansed by kzt_ca_files_free() */
	size_t len;
};

int kzt_ca_file_set(struct kzt_ca_file *f, const char *data, size_t len);
void kzt_ca_files_free(struct kzt_ca_file *files, size_t n);
int kzt_ca_dir_prepare(const char *dir, mode_t mode,
		       const struct kzt_ca_file *files, size_t n, bool force,
		       char *errbuf, size_t errlen);
int kzt_ca_files_write(const char *dir, const struct kzt_ca_file *files,
		       size_t n, bool force, char *errbuf, size_t errlen);
int kzt_ca_key_load(const char *dir, const char *name, EVP_PKEY **key,
		    char *errbuf, size_t errlen);
int kzt_ca_bundle_needed(const char *dir, X509 *ca, bool force, bool *needed,
			 char *errbuf, size_t errlen);

#endif /* KZT_CA_FILES_H */
