/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place the kzt release version is written. dkms/dkms.conf and the
 * userspace tools take it from here (see the top-level Makefile).
 */
#ifndef _KZT_VERSION_H
#define _KZT_VERSION_H

#define KZT_VERSION "0.1.0"

#endif /* _KZT_VERSION_H */
