/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_cli: the command line of kassa-till and kassa-office, parsed one way
 * for both. A program describes itself in a KcCli (name, software
 * version, usage text, its own options and a check of the whole line);
 * kc_cli_parse() reads the connection options (kc_options.h: --host
 * --port --cert --key --ca --timeout --server-name, and KASSA_* from the
 * environment, the command line winning), --help and --version, hands the
 * program's own options to its take() and the remaining words to its
 * check(), and requires the certificate files. kc_cli_connect() then
 * makes the connection and, when that fails, says why the same way for
 * both: a line on stderr and a {"ok":false,"cmd":"connect",...} object on
 * stdout. kassa-bench keeps its own loop over the shared connection
 * options (kc_options_take()), because its options are many and numeric.
 */
#ifndef KASSA_KC_CLI_H
#define KASSA_KC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "kassa_client.h"
#include "kc_options.h"

/* Exit codes of kassa-till and kassa-office. */
#define KC_EXIT_OK 0		/* every command succeeded */
#define KC_EXIT_FAILED 1	/* a command failed (the server refused, or a bad value) */
#define KC_EXIT_USAGE 2		/* usage or configuration error */
#define KC_EXIT_CONN 3		/* could not connect, TLS refused, or connection lost for good */

#define KC_CLI_MAX_OPTIONS 24	/* options of a program's own */

/* One option of a program's own, beside the connection options. */
typedef struct KcCliOption {
	const char *name;	/* long name without "--"; NULL ends the table */
	bool has_arg;		/* takes a value */
	int val;		/* handed to take(); not a KC_CONN_LONGOPTS value, 'h' or 'V' */
} KcCliOption;

/* How a program's command line looks. Everything is borrowed. */
typedef struct KcCli {
	const char *prog;		/* "kassa-till": the start of every message */
	const char *software;		/* Hello.client_software, printed by --version */
	void (*usage)(FILE *f);		/* print the usage text */
	const KcCliOption *options;	/* the program's own, at most KC_CLI_MAX_OPTIONS */
	bool operands;			/* words may follow the options (parsing stops there) */
	bool permute;			/* ... or options may come among and after them too
					 * (kassa-office report NAME --svg FILE) */
	/* Take option val with its value arg (NULL if it has none); false = usage error. */
	bool (*take)(void *ctx, int val, const char *arg);
	/*
	 * Check the line once the options are read: words[0..n) are the
	 * operands (n = 0 unless operands). -1 to go on, or an exit code after
	 * saying why on stderr. NULL = nothing to check.
	 */
	int (*check)(void *ctx, char **words, int n);
	void *ctx;			/* handed to take() and check() */
} KcCli;

/*
 * Parse argv as cli describes into *opt (which is filled from the
 * environment first; opt->client_software = cli->software). Returns -1 to
 * go on, or an exit code: KC_EXIT_OK after --help or --version, KC_EXIT_USAGE
 * after a message on stderr (an unknown option, a bad value, words where
 * none belong, check() refusing, a missing --cert, --key or --ca).
 */
int kc_cli_parse(const KcCli *cli, int argc, char **argv, KcOptions *opt);

/*
 * Connect with opt (its certificate files read into a context of the
 * connection's own) and say Hello. NULL after printing why on stderr and
 * as a "connect" failure object on stdout (detail BAD_CERTIFICATE, with
 * *rc = KC_EXIT_USAGE; or CONNECT_FAILED, TLS_REFUSED or HELLO_REFUSED,
 * with *rc = KC_EXIT_CONN).
 */
KassaClient *kc_cli_connect(const KcCli *cli, KcOptions *opt, int *rc);

#endif
