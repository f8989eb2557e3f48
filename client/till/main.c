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

#include "i18n.h"
#include "kassa_client.h"
#include "kc_cli.h"
#include "kc_json.h"
#include "screen.h"
#include "script.h"
#include "till.h"

#define TILL_SOFTWARE "kassa-till/" KASSA_VERSION

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
		"            3 TLS or Hello refused, or connection lost for good (a server\n"
		"            that cannot be reached only makes the till work offline)\n");
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

/*
 * Open the session for either mode. Certificate files are read here first,
 * so a bad one is a configuration error (exit 2) in both; a server that
 * cannot be reached is not an error (the till starts offline); a TLS or
 * Hello refusal is (exit 3), and so is an unusable state directory (2).
 * Script mode also answers a failure with a "connect" object on stdout.
 */
static int open_session(TillSession *ts, const TillConfig *cfg, KcOptions *opt)
{
	char err[KC_ERR_LEN];
	bool refused;

	opt->ctx = kc_ctx_new(opt->cert, opt->key, opt->ca, err, sizeof(err));
	if (opt->ctx == NULL) {
		fprintf(stderr, "kassa-till: %s\n", err);
		if (cfg->script)
			kcj_emit(kcj_fail("connect", "INVALID_ARGUMENT", "BAD_CERTIFICATE", err));
		return TILL_EXIT_USAGE;
	}
	if (till_open(ts, cfg, opt, err, sizeof(err)))
		return -1;
	refused = strncmp(err, "tls:", 4) == 0 || strncmp(err, "hello refused", 13) == 0;
	fprintf(stderr, "kassa-till: %s\n", err);
	if (cfg->script)
		kcj_emit(kcj_fail("connect", refused ? "UNAVAILABLE" : "FAILED_PRECONDITION",
				  refused ? (err[0] == 't' ? "TLS_REFUSED" : "HELLO_REFUSED")
					  : "STATE_DIR_UNUSABLE",
				  err));
	till_close(ts);
	return refused ? TILL_EXIT_CONN : TILL_EXIT_USAGE;
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
	int rc = kc_cli_parse(&cli, argc, argv, &opt);

	if (rc >= 0)
		return rc;
	if (cfg.state_dir == NULL)
		cfg.state_dir = kc_env_or("KASSA_TILL_STATE", "kassa-till-state");
	if (!i18n_init(cfg.lang)) {
		fprintf(stderr, "kassa-till: %s\n", _("--lang must be zh_CN or en"));
		return TILL_EXIT_USAGE;
	}
	opt.language = i18n_lang_code(i18n_current());
	rc = open_session(&ts, &cfg, &opt);
	if (rc >= 0) {
		SSL_CTX_free(opt.ctx);
		return rc;
	}
	rc = cfg.script ? script_run(&ts, stdin) : screen_run(&ts);
	till_close(&ts);
	SSL_CTX_free(opt.ctx);	/* the connection holds its own reference */
	return rc;
}
