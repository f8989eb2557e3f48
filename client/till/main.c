/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kassa-till: the cashier's till. Without --script it runs the full-screen
 * keyboard UI (screen/); with --script it reads one command per line on
 * stdin and answers each with one JSON object per line on stdout
 * (script/). Both drive the same Sale (sale.c) through one TillSession
 * (till.h: connection, offline journal, catalogue cache).
 *
 * Connection settings come from the command line or the environment
 * (KASSA_HOST, KASSA_PORT, KASSA_CERT, KASSA_KEY, KASSA_CA); the command
 * line wins. The command line is read by kc_cli (shared with
 * kassa-office); this file only says what is kassa-till's own.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kassa_client.h"
#include "kc_cli.h"
#include "screen.h"
#include "script.h"
#include "till.h"

#define TILL_SOFTWARE "kassa-till/" KASSA_VERSION
#define TILL_RETRIES 3		/* reconnect-and-resend attempts per request */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kassa-till [--host H] [--port P] --cert FILE --key FILE --ca FILE\n"
		"                  [--timeout MS] [--server-name NAME] [--script]\n"
		"                  [--lang zh_CN|en] [--state-dir DIR] [--receipt-dir DIR]\n"
		"                  [--printer PATH] [--printer-encoding gb18030|utf8]\n"
		"\n"
		"  (no --script)     the cashier's screen, on this terminal\n"
		"  --script          read commands from stdin, one per line; answer each with\n"
		"                    one JSON object per line on stdout (see README.md)\n"
		"  --lang L          language of screens, receipts and messages (default: locale)\n"
		"  --state-dir DIR   offline journal, catalogue cache and counters\n"
		"                    (default $KASSA_TILL_STATE, else ./kassa-till-state)\n"
		"  --receipt-dir DIR write every receipt there as text and ESC/POS files\n"
		"  --printer PATH    send receipts as ESC/POS bytes to this device or file\n"
		"  --printer-encoding gb18030 (default, Chinese-capable printers) or utf8\n"
		"  --host, --port    kassad address (default 127.0.0.1:7443)\n"
		"  --cert, --key     this till's certificate and key (PEM)\n"
		"  --ca              the Kassa CA certificate (PEM)\n"
		"  --timeout MS      wait at most MS to connect or for an answer\n"
		"                    (default 10000 to connect, 30000 for an answer)\n"
		"  --server-name N   name expected in the server certificate (default: host)\n"
		"environment: KASSA_HOST KASSA_PORT KASSA_CERT KASSA_KEY KASSA_CA KASSA_TILL_STATE\n"
		"exit codes: 0 all commands succeeded, 1 some failed, 2 usage or configuration,\n"
		"            3 could not connect, TLS refused, or connection lost for good\n");
}

static const KcCliOption till_options[] = {
	{ "script", false, 's' },
	{ "lang", true, 'L' },
	{ "state-dir", true, 'S' },
	{ "receipt-dir", true, 'R' },
	{ "printer", true, 'P' },
	{ "printer-encoding", true, 'E' },
	{ NULL, false, 0 },
};

static bool till_take(void *ctx, int val, const char *arg)
{
	TillConfig *a = ctx;

	switch (val) {
	case 's':
		a->script = true;
		return true;
	case 'L':
		a->lang = arg;
		return true;
	case 'S':
		a->state_dir = arg;
		return true;
	case 'R':
		a->receipt_dir = arg;
		return true;
	case 'P':
		a->printer = arg;
		return true;
	case 'E':
		if (strcmp(arg, "gb18030") != 0 && strcmp(arg, "utf8") != 0) {
			fprintf(stderr, "kassa-till: --printer-encoding must be gb18030 or utf8\n");
			return false;
		}
		a->printer_encoding = arg;
		return true;
	default:
		return false;
	}
}

int main(int argc, char **argv)
{
	TillConfig cfg = { .printer_encoding = "gb18030" };
	const KcCli cli = {
		.prog = "kassa-till",
		.software = TILL_SOFTWARE,
		.usage = usage,
		.options = till_options,
		.take = till_take,
		.ctx = &cfg,
	};
	KcOptions opt;
	TillSession ts;
	char err[KC_ERR_LEN];
	int rc = kc_cli_parse(&cli, argc, argv, &opt);

	if (rc >= 0)
		return rc;
	if (cfg.state_dir == NULL)
		cfg.state_dir = kc_env_or("KASSA_TILL_STATE", "kassa-till-state");
	opt.language = cfg.lang;
	if (cfg.script) {
		memset(&ts, 0, sizeof(ts));
		ts.cfg = &cfg;
		ts.opt = &opt;
		ts.kc = kc_cli_connect(&cli, &opt, &rc);
		if (ts.kc == NULL)
			return rc;
		kc_set_retry(ts.kc, TILL_RETRIES);
		rc = script_run(ts.kc, stdin);
		till_close(&ts);
		return rc;
	}
	if (!till_open(&ts, &cfg, &opt, err, sizeof(err))) {
		fprintf(stderr, "kassa-till: %s\n", err);
		return TILL_EXIT_USAGE;
	}
	rc = screen_run(&ts);
	till_close(&ts);
	return rc;
}
