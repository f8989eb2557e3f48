/* SPDX-License-Identifier: Apache-2.0 */
/* kc_options.c: see kc_options.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "kc_options.h"

#define KC_TIMEOUT_MAX_MS 3600000

bool kc_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

const char *kc_env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

void kc_options_from_env(KcOptions *o)
{
	o->host = kc_env_or("KASSA_HOST", o->host);
	o->port = kc_env_or("KASSA_PORT", o->port);
	o->cert = kc_env_or("KASSA_CERT", o->cert);
	o->key = kc_env_or("KASSA_KEY", o->key);
	o->ca = kc_env_or("KASSA_CA", o->ca);
}

int kc_options_take(KcOptions *o, int ch, const char *arg, const char *prog)
{
	char *end;
	long v;

	switch (ch) {
	case 'H':
		o->host = arg;
		return 1;
	case 'p':
		o->port = arg;
		return 1;
	case 'c':
		o->cert = arg;
		return 1;
	case 'k':
		o->key = arg;
		return 1;
	case 'a':
		o->ca = arg;
		return 1;
	case 'n':
		o->server_name = arg;
		return 1;
	case 't':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end != '\0' || v <= 0 || v > KC_TIMEOUT_MAX_MS) {
			fprintf(stderr, "%s: bad --timeout %s (milliseconds, 1-%d)\n", prog, arg,
				KC_TIMEOUT_MAX_MS);
			return -1;
		}
		o->connect_timeout_ms = o->io_timeout_ms = (int)v;
		return 1;
	default:
		return 0;
	}
}
