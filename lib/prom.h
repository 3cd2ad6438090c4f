/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus text exposition format (version 0.0.4), written to a
 * stream: "# HELP" and "# TYPE" lines per metric family, then its samples
 * "name{label="value",...} 123". Label values and help texts are escaped
 * as the format requires, so any byte string (a workload name istiod
 * sent) can be a label value. Names are the caller's constants.
 */
#ifndef KZT_PROM_H
#define KZT_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct kzt_prom_label {
	const char *name;	/* [a-zA-Z_][a-zA-Z0-9_]* */
	const char *value;	/* any bytes but NUL */
};

/* The content type of a scrape reply in this format. */
#define KZT_PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

void kzt_prom_family(FILE *f, const char *name, const char *type,
		     const char *help);
void kzt_prom_sample(FILE *f, const char *name,
		     const struct kzt_prom_label *labels, size_t n_labels,
		     uint64_t value);
void kzt_prom_single(FILE *f, const char *name, const char *type,
		     const char *help, uint64_t value);

#endif /* KZT_PROM_H */
