// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text format writer (prom.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "json.h"
#include "prom.h"

/*
 * Backslash and line feed escaped; in a label value (@quote) also the
 * double quote. The format is UTF-8: a byte that does not start a valid
 * sequence becomes U+FFFD.
 */
static void put_escaped(FILE *f, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n;

	/* An invalid byte (n == 0) is replaced and skipped alone. */
	for (size_t i = 0; i < len; i += n ? n : 1) {
		n = kzt_utf8_seq_len(p + i, len - i);
		if (p[i] == '\\')
			fputs("\\\\", f);
		else if (p[i] == '\n')
			fputs("\\n", f);
		else if (p[i] == '"' && quote)
			fputs("\\\"", f);
		else if (n)
			fwrite(p + i, 1, n, f);
		else
			fputs("\xef\xbf\xbd", f);
	}
}

/**
 * kzt_prom_family() - start a metric family
 * @f:    the stream
 * @name: the metric name
 * @type: "counter", "gauge" (the format's types)
 * @help: what it measures, one line
 */
void kzt_prom_family(FILE *f, const char *name, const char *type,
		     const char *help)
{
	fprintf(f, "# HELP %s ", name);
	put_escaped(f, help, false);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/**
 * kzt_prom_sample() - one sample of the current family
 * @f:        the stream
 * @name:     the family's name
 * @labels:   its labels, in this order; NULL if @n_labels is 0
 * @n_labels: how many
 * @value:    the value
 */
void kzt_prom_sample(FILE *f, const char *name,
		     const struct kzt_prom_label *labels, size_t n_labels,
		     uint64_t value)
{
	fputs(name, f);
	for (size_t i = 0; i < n_labels; i++) {
		fprintf(f, "%c%s=\"", i ? ',' : '{', labels[i].name);
		put_escaped(f, labels[i].value, true);
		fputc('"', f);
	}
	fprintf(f, "%s %" PRIu64 "\n", n_labels ? "}" : "", value);
}

/**
 * kzt_prom_single() - a family of one sample without labels
 * @f:    the stream
 * @name: the metric name
 * @type: "counter" or "gauge"
 * @help: what it measures, one line
 * @value: the value
 */
void kzt_prom_single(FILE *f, const char *name, const char *type,
		     const char *help, uint64_t value)
{
	kzt_prom_family(f, name, type, help);
	kzt_prom_sample(f, name, NULL, 0, value);
}
