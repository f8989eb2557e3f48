/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_options: the connection options every client program takes, the same
 * way: --host --port --cert --key --ca --timeout --server-name, each also
 * from the environment (KASSA_HOST, KASSA_PORT, KASSA_CERT, KASSA_KEY,
 * KASSA_CA), the command line winning. A program puts KC_CONN_LONGOPTS at
 * the head of its getopt_long table and hands every option it reads to
 * kc_options_take() before its own switch: kc_cli.c does so for
 * kassa-till and kassa-office, kassa-bench in its own loop.
 */
#ifndef KASSA_KC_OPTIONS_H
#define KASSA_KC_OPTIONS_H

#include <getopt.h>

#include "kassa_client.h"

/* getopt_long entries for the connection options (their vals are below 'z'). */
#define KC_CONN_LONGOPTS \
	{ "host", required_argument, NULL, 'H' }, \
	{ "port", required_argument, NULL, 'p' }, \
	{ "cert", required_argument, NULL, 'c' }, \
	{ "key", required_argument, NULL, 'k' }, \
	{ "ca", required_argument, NULL, 'a' }, \
	{ "timeout", required_argument, NULL, 't' }, \
	{ "server-name", required_argument, NULL, 'n' }

/* Strict decimal int64 for ids on a command line: digits only, no sign or spaces. */
bool kc_parse_i64(const char *s, int64_t *out);

/* getenv(name) if set and not empty, else dflt. */
const char *kc_env_or(const char *name, const char *dflt);

/* Fill o's address and certificate paths from KASSA_* variables (others untouched). */
void kc_options_from_env(KcOptions *o);

/*
 * If ch is a KC_CONN_LONGOPTS option, apply arg to o and return 1; return
 * 0 for any other option; return -1 (after a message naming prog on
 * stderr) for a bad --timeout value.
 */
int kc_options_take(KcOptions *o, int ch, const char *arg, const char *prog);

#endif
