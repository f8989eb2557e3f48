/* SPDX-License-Identifier: Apache-2.0 */
/* kc_cli: the shared command line of kassa-till and kassa-office (see kc_cli.h). */
#include "kc_cli.h"

#include <getopt.h>
#include <string.h>

#include "kc_json.h"

#define KC_CLI_HELP 'h'
#define KC_CLI_VERSION 'V'

static const struct option conn_longopts[] = { KC_CONN_LONGOPTS };

/* The getopt_long table: connection options, the program's own, help and version. */
static void build_longopts(const KcCli *cli, struct option *lo, size_t cap)
{
	size_t n = 0, i;

	for (i = 0; i < ARRAY_SIZE(conn_longopts); i++)
		lo[n++] = conn_longopts[i];
	for (i = 0; cli->options != NULL && cli->options[i].name != NULL; i++) {
		if (n + 3 >= cap)
			break;	/* more than KC_CLI_MAX_OPTIONS: a programming error, cut */
		lo[n].name = cli->options[i].name;
		lo[n].has_arg = cli->options[i].has_arg ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n].val = cli->options[i].val;
		n++;
	}
	lo[n++] = (struct option){ "help", no_argument, NULL, KC_CLI_HELP };
	lo[n++] = (struct option){ "version", no_argument, NULL, KC_CLI_VERSION };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* Is val one of the program's own options? */
static bool is_own(const KcCli *cli, int val)
{
	size_t i;

	for (i = 0; cli->options != NULL && cli->options[i].name != NULL; i++)
		if (cli->options[i].val == val)
			return true;
	return false;
}

int kc_cli_parse(const KcCli *cli, int argc, char **argv, KcOptions *opt)
{
	struct option lo[ARRAY_SIZE(conn_longopts) + KC_CLI_MAX_OPTIONS + 3];
	int ch, rc;

	memset(opt, 0, sizeof(*opt));
	kc_options_from_env(opt);
	opt->client_software = cli->software;
	build_longopts(cli, lo, ARRAY_SIZE(lo));
	/*
	 * "+" stops at the first operand; a permuting parser takes options
	 * anywhere ("--" ends them), and operands like "name=..." never start
	 * with "-" either way
	 */
	while ((ch = getopt_long(argc, argv, cli->operands && !cli->permute ? "+" : "", lo,
				 NULL)) != -1) {
		int taken = kc_options_take(opt, ch, optarg, cli->prog);

		if (taken < 0)
			return KC_EXIT_USAGE;
		if (taken > 0)
			continue;
		if (ch == KC_CLI_HELP) {
			cli->usage(stdout);
			return KC_EXIT_OK;
		}
		if (ch == KC_CLI_VERSION) {
			printf("%s\n", cli->software);
			return KC_EXIT_OK;
		}
		if (!is_own(cli, ch) || !cli->take(cli->ctx, ch, optarg)) {
			cli->usage(stderr);
			return KC_EXIT_USAGE;
		}
	}
	if (!cli->operands && optind != argc) {
		cli->usage(stderr);
		return KC_EXIT_USAGE;
	}
	if (cli->check != NULL) {
		rc = cli->check(cli->ctx, argv + optind, argc - optind);
		if (rc >= 0)
			return rc;
	}
	if (opt->cert == NULL || opt->key == NULL || opt->ca == NULL) {
		fprintf(stderr, "%s: --cert, --key and --ca (or KASSA_CERT, KASSA_KEY, "
				"KASSA_CA) are required\n", cli->prog);
		return KC_EXIT_USAGE;
	}
	return -1;
}

/* The detail of a failed kc_connect(), from its error text. */
static const char *connect_detail(const char *err)
{
	if (strncmp(err, "tls:", 4) == 0)
		return "TLS_REFUSED";
	if (strncmp(err, "hello refused", 13) == 0)
		return "HELLO_REFUSED";
	return "CONNECT_FAILED";
}

KassaClient *kc_cli_connect(const KcCli *cli, KcOptions *opt, int *rc)
{
	char err[KC_ERR_LEN];
	KassaClient *kc;

	opt->ctx = kc_ctx_new(opt->cert, opt->key, opt->ca, err, sizeof(err));
	if (opt->ctx == NULL) {
		/* unreadable or mismatched certificate files: configuration */
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		kcj_emit(kcj_fail("connect", "INVALID_ARGUMENT", "BAD_CERTIFICATE", err));
		*rc = KC_EXIT_USAGE;
		return NULL;
	}
	kc = kc_connect(opt, err, sizeof(err));
	SSL_CTX_free(opt->ctx);	/* kc holds its own reference */
	opt->ctx = NULL;
	if (kc == NULL) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		kcj_emit(kcj_fail("connect", "UNAVAILABLE", connect_detail(err), err));
		*rc = KC_EXIT_CONN;
	}
	return kc;
}
