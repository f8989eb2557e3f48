/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kassa-till: the cashier's till. For now only the script mode exists
 * (--script: one command per line on stdin, one JSON object per line on
 * stdout, see script.c); the full-screen ncurses UI is a later issue and
 * will drive the same Sale (sale.c) and client library.
 *
 * Connection settings come from the command line or the environment
 * (KASSA_HOST, KASSA_PORT, KASSA_CERT, KASSA_KEY, KASSA_CA); the command
 * line wins. The command line is read by kc_cli (shared with
 * kassa-office); this file only says what is kassa-till's own: --script.
 */
#include <stdbool.h>
#include <stdio.h>

#include "kassa_client.h"
#include "kc_cli.h"
#include "script.h"

#define TILL_SOFTWARE "kassa-till/" KASSA_VERSION
#define TILL_RETRIES 3		/* reconnect-and-resend attempts per request */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kassa-till [--host H] [--port P] --cert FILE --key FILE --ca FILE\n"
		"                  [--timeout MS] [--server-name NAME] --script\n"
		"\n"
		"  --script          read commands from stdin, one per line; answer each with\n"
		"                    one JSON object per line on stdout (see README.md)\n"
		"  --host, --port    kassad address (default 127.0.0.1:7443)\n"
		"  --cert, --key     this till's certificate and key (PEM)\n"
		"  --ca              the Kassa CA certificate (PEM)\n"
		"  --timeout MS      wait at most MS to connect or for an answer\n"
		"                    (default 10000 to connect, 30000 for an answer)\n"
		"  --server-name N   name expected in the server certificate (default: host)\n"
		"environment: KASSA_HOST KASSA_PORT KASSA_CERT KASSA_KEY KASSA_CA\n"
		"exit codes: 0 all commands succeeded, 1 some failed, 2 usage or configuration,\n"
		"            3 could not connect, TLS refused, or connection lost for good\n");
}

/* What the command line said beyond the connection options. */
typedef struct TillArgs {
	bool script;			/* --script */
} TillArgs;

static const KcCliOption till_options[] = {
	{ "script", false, 's' },
	{ NULL, false, 0 },
};

static bool till_take(void *ctx, int val, const char *arg)
{
	TillArgs *a = ctx;

	(void)arg;
	if (val == 's')
		a->script = true;
	return true;
}

static int till_check(void *ctx, char **words, int n)
{
	const TillArgs *a = ctx;

	(void)words;
	(void)n;
	if (!a->script) {
		fprintf(stderr, "kassa-till: the interactive till screen comes in a later release; "
				"use --script\n");
		return TILL_EXIT_USAGE;
	}
	return -1;
}

int main(int argc, char **argv)
{
	TillArgs args = { false };
	const KcCli cli = {
		.prog = "kassa-till",
		.software = TILL_SOFTWARE,
		.usage = usage,
		.options = till_options,
		.take = till_take,
		.check = till_check,
		.ctx = &args,
	};
	KcOptions opt;
	KassaClient *kc;
	int rc = kc_cli_parse(&cli, argc, argv, &opt);

	if (rc >= 0)
		return rc;
	kc = kc_cli_connect(&cli, &opt, &rc);
	if (kc == NULL)
		return rc;
	kc_set_retry(kc, TILL_RETRIES);
	rc = script_run(kc, stdin);
	kc_free(kc);
	return rc;
}
