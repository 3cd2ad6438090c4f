// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of kztctl arguments into requests. Kept apart from the code that
 * talks to the kernel, so that the unit tests can feed it bad input.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kztctl.h"
#include "parse.h"

static bool field_is(const char *arg, const char *name)
{
	/* "tunnel-port" is the documented spelling; "tunnel_port" is what
	 * the JSON output and kztd.conf say, so take it too. */
	for (; *arg && *name; arg++, name++) {
		if (*arg == *name || (*arg == '_' && *name == '-'))
			continue;
		return false;
	}
	return !*arg && !*name;
}

/**
 * kztctl_parse_config_set() - parse "[tunnel-port N] [capture on|off]"
 * @argc:   number of words after "config set"
 * @argv:   the words
 * @cfg:    the fields to set; filled only on success
 * @errbuf: on error, a message that names the field at fault
 * @errlen: size of @errbuf
 *
 * @retval 0      @cfg holds at least one field
 * @retval EINVAL nothing given, an unknown field, a field twice, a missing
 *                or a bad value
 */
int kztctl_parse_config_set(int argc, char *argv[], struct kzt_config *cfg,
			    char *errbuf, size_t errlen)
{
	struct kzt_config c = { 0 };
	int err;

	if (argc == 0) {
		snprintf(errbuf, errlen,
			 "nothing to set: give tunnel-port N and/or capture on|off");
		return EINVAL;
	}
	for (int i = 0; i < argc; i += 2) {
		const char *field = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (field_is(field, "tunnel-port")) {
			if (c.has_tunnel_port)
				goto twice;
			if (!value)
				goto no_value;
			err = kzt_parse_port(value, &c.tunnel_port);
			if (err) {
				snprintf(errbuf, errlen,
					 "invalid tunnel-port '%s': %s (expected 1..65535)",
					 value, err == ERANGE ? "out of range" :
					 "not a number");
				return EINVAL;
			}
			c.has_tunnel_port = true;
		} else if (field_is(field, "capture")) {
			if (c.has_capture)
				goto twice;
			if (!value)
				goto no_value;
			if (kzt_parse_bool(value, &c.capture)) {
				snprintf(errbuf, errlen,
					 "invalid capture '%s' (expected on or off)",
					 value);
				return EINVAL;
			}
			c.has_capture = true;
		} else {
			snprintf(errbuf, errlen,
				 "unknown field '%s' (expected tunnel-port or capture)",
				 field);
			return EINVAL;
		}
		continue;
twice:
		snprintf(errbuf, errlen, "%s given twice", field);
		return EINVAL;
no_value:
		snprintf(errbuf, errlen, "%s needs a value", field);
		return EINVAL;
	}
	*cfg = c;
	return 0;
}
