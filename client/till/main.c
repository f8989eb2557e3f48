/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kassa-till: the cashier's till. For now only the script mode exists
 * (--script: one command per line on stdin, one JSON object per line on
 * stdout, see script.c); the full-screen ncurses UI is a later issue and
 * will drive the same Sale (sale.c) and client library.
 *
 * Connection settings come from the command line or the environment
 * (KASSA_HOST, KASSA_PORT, KASSA_CERT, KASSA_KEY, KASSA_CA); the command
 * line wins.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kassa_client.h"
#include "kc_options.h"
#include "kc_json.h"
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

static const struct option longopts[] = {
	KC_CONN_LONGOPTS,
	{ "script", no_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Fill opt from the environment and argv; -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, KcOptions *o)
{
	KcOptions opt = { 0 };
	bool script = false;
	int ch;

	kc_options_from_env(&opt);
	opt.client_software = TILL_SOFTWARE;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int taken = kc_options_take(&opt, ch, optarg, "kassa-till");

		if (taken < 0)
			return TILL_EXIT_USAGE;
		if (taken > 0)
			continue;
		switch (ch) {
		case 's':
			script = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s\n", TILL_SOFTWARE);
			return 0;
		default:
			usage(stderr);
			return TILL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return TILL_EXIT_USAGE;
	}
	if (!script) {
		fprintf(stderr, "kassa-till: the interactive till screen comes in a later release; "
				"use --script\n");
		return TILL_EXIT_USAGE;
	}
	if (opt.cert == NULL || opt.key == NULL || opt.ca == NULL) {
		fprintf(stderr, "kassa-till: --cert, --key and --ca (or KASSA_CERT, KASSA_KEY, "
				"KASSA_CA) are required\n");
		return TILL_EXIT_USAGE;
	}
	*o = opt;
	return -1;
}

/* Connect and say Hello; NULL after printing why (and *rc = the exit code). */
static KassaClient *till_connect(KcOptions *opt, int *rc)
{
	char err[KC_ERR_LEN];
	KassaClient *kc;

	opt->ctx = kc_ctx_new(opt->cert, opt->key, opt->ca, err, sizeof(err));
	if (opt->ctx == NULL) {
		/* unreadable or mismatched certificate files: configuration */
		fprintf(stderr, "kassa-till: %s\n", err);
		kcj_emit(kcj_fail("connect", "INVALID_ARGUMENT", "BAD_CERTIFICATE", err));
		*rc = TILL_EXIT_USAGE;
		return NULL;
	}
	kc = kc_connect(opt, err, sizeof(err));
	SSL_CTX_free(opt->ctx);	/* kc holds its own reference */
	opt->ctx = NULL;
	if (kc == NULL) {
		fprintf(stderr, "kassa-till: %s\n", err);
		kcj_emit(kcj_fail("connect", "UNAVAILABLE",
				  strncmp(err, "tls:", 4) == 0	      ? "TLS_REFUSED"
				  : strncmp(err, "hello refused", 13) == 0 ? "HELLO_REFUSED"
									  : "CONNECT_FAILED",
				  err));
		*rc = TILL_EXIT_CONN;
	}
	return kc;
}

int main(int argc, char **argv)
{
	KcOptions opt;
	KassaClient *kc;
	int rc = parse_args(argc, argv, &opt);

	if (rc >= 0)
		return rc;
	kc = till_connect(&opt, &rc);
	if (kc == NULL)
		return rc;
	kc_set_retry(kc, TILL_RETRIES);
	rc = script_run(kc, stdin);
	kc_free(kc);
	return rc;
}
