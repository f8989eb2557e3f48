/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kassa-office: head-office queries against the central member base, one
 * command per run, answered with one JSON object on one line of stdout
 * (the same shapes as kassa-till --script, but members show the full
 * phone number):
 *
 *   kassa-office [connection] --staff N --pin P member search name=PREFIX|phone=SUFFIX [limit=N]
 *   kassa-office [connection] --staff N --pin P member show ID|phone=...|card=...|qr=...
 *   kassa-office [connection] --staff N --pin P txn show ID
 *
 * The staff member must have an office role (analyst or admin); the
 * certificate must be one issued for an office workstation. The PIN may
 * come from KASSA_PIN instead of the command line (which other users of
 * the machine can see in the process list).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kassa_client.h"
#include "kc_options.h"
#include "kc_json.h"

#define OFFICE_SOFTWARE "kassa-office/" KASSA_VERSION
#define OFFICE_EXIT_OK 0
#define OFFICE_EXIT_FAILED 1
#define OFFICE_EXIT_USAGE 2
#define OFFICE_EXIT_CONN 3
#define OFFICE_MAX_ARGS 16

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kassa-office [--host H] [--port P] --cert FILE --key FILE --ca FILE\n"
		"                    [--timeout MS] --staff ID --pin PIN COMMAND\n"
		"commands:\n"
		"  member search name=PREFIX|phone=SUFFIX [limit=N]\n"
		"  member show ID|phone=PHONE|card=CARD|qr=PAYLOAD\n"
		"  txn show ID\n"
		"environment: KASSA_HOST KASSA_PORT KASSA_CERT KASSA_KEY KASSA_CA\n"
		"             KASSA_STAFF KASSA_PIN\n"
		"exit codes: 0 success, 1 the command failed, 2 usage or configuration,\n"
		"            3 could not connect, TLS refused, or connection lost\n");
}


/* Arguments after the command words, split at the first '='. */
typedef struct Args {
	char *keys[OFFICE_MAX_ARGS];	/* borrowed from argv (modified in place) */
	char *vals[OFFICE_MAX_ARGS];	/* NULL for plain words */
	int n;
} Args;

static const char *arg_get(const Args *a, const char *key)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (a->vals[i] != NULL && strcmp(a->keys[i], key) == 0)
			return a->vals[i];
	return NULL;
}

/*
 * Print the outcome of a request; true if the server answered OK with the
 * body wanted (*respp is then the caller's; otherwise it has been freed).
 * *code gets the exit code.
 */
static bool check(KassaClient *kc, const char *cmd, KcResult r, Kassa__V1__Response **respp,
		  Kassa__V1__Response__BodyCase want, int *code)
{
	/* respp, not *respp: the call that fills it may be the argument before it */
	Kassa__V1__Response *resp = *respp;

	if (r != KC_OK) {
		kcj_emit(kcj_fail_io(cmd, r, kc_last_error(kc)));
		*code = r == KC_ERR_ARG ? OFFICE_EXIT_FAILED : OFFICE_EXIT_CONN;
		return false;
	}
	if (kc_status(resp) != KASSA__V1__STATUS_CODE__OK) {
		kcj_emit(kcj_fail_resp(cmd, resp));
		kc_response_free(resp);
		*code = OFFICE_EXIT_FAILED;
		return false;
	}
	if (resp->body_case != want) {
		kcj_emit(kcj_fail(cmd, "INTERNAL", "UNEXPECTED_RESPONSE",
				  "the server answered with another message"));
		kc_response_free(resp);
		*code = OFFICE_EXIT_FAILED;
		return false;
	}
	return true;
}

static int cmd_member_search(KassaClient *kc, const Args *a)
{
	const char *cmd = "member search";
	const char *name = arg_get(a, "name"), *phone = arg_get(a, "phone");
	const char *lim = arg_get(a, "limit");
	Kassa__V1__Response *resp = NULL;
	int64_t limit = 0;
	int code = OFFICE_EXIT_OK;
	json_t *o, *arr;
	KcResult r;
	size_t i;

	if ((name == NULL) == (phone == NULL) || a->n != (lim != NULL ? 2 : 1) ||
	    (lim != NULL && (!kc_parse_i64(lim, &limit) || limit > UINT32_MAX))) {
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "USAGE",
				  "member search name=PREFIX|phone=SUFFIX [limit=N]"));
		return OFFICE_EXIT_USAGE;
	}
	if (name != NULL)
		r = kc_member_search_name(kc, name, (uint32_t)limit, &resp);
	else
		r = kc_member_search_phone(kc, phone, (uint32_t)limit, &resp);
	if (!check(kc, cmd, r, &resp, KASSA__V1__RESPONSE__BODY_MEMBER_LIST, &code))
		return code;
	o = kcj_ok(cmd);
	arr = json_array();
	for (i = 0; i < resp->member_list->n_members; i++)
		json_array_append_new(arr, kcj_member(resp->member_list->members[i], true));
	json_object_set_new(o, "count", json_integer((json_int_t)resp->member_list->n_members));
	json_object_set_new(o, "members", arr);
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

static int cmd_member_show(KassaClient *kc, const Args *a)
{
	const char *cmd = "member show", *v;
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	int64_t id;
	json_t *o;
	KcResult r;

	if (a->n != 1)
		goto bad;
	if ((v = arg_get(a, "phone")) != NULL)
		r = kc_member_get_by_phone(kc, v, &resp);
	else if ((v = arg_get(a, "card")) != NULL)
		r = kc_member_get_by_card(kc, v, &resp);
	else if ((v = arg_get(a, "qr")) != NULL)
		r = kc_member_get_by_qr(kc, v, &resp);
	else if (((v = arg_get(a, "id")) != NULL || (v = a->vals[0] == NULL ? a->keys[0] : NULL))
		 && kc_parse_i64(v, &id))
		r = kc_member_get_by_id(kc, id, &resp);
	else
		goto bad;
	if (!check(kc, cmd, r, &resp, KASSA__V1__RESPONSE__BODY_MEMBER, &code))
		return code;
	o = kcj_ok(cmd);
	json_object_set_new(o, "member", kcj_member(resp->member, true));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
bad:
	kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "USAGE",
			  "member show ID|phone=PHONE|card=CARD|qr=PAYLOAD"));
	return OFFICE_EXIT_USAGE;
}

static int cmd_txn_show(KassaClient *kc, const Args *a)
{
	const char *cmd = "txn show";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	int64_t id;
	json_t *o;

	if (a->n != 1 || a->vals[0] != NULL || !kc_parse_i64(a->keys[0], &id)) {
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "USAGE", "txn show ID"));
		return OFFICE_EXIT_USAGE;
	}
	if (!check(kc, cmd, kc_transaction_get(kc, id, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_TRANSACTION, &code))
		return code;
	o = kcj_ok(cmd);
	json_object_set_new(o, "transaction", kcj_transaction(resp->transaction));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

typedef int (*OfficeCmd)(KassaClient *kc, const Args *a);

/* Find the command named by words[0..1]; NULL if there is none. */
static OfficeCmd find_cmd(char **words, int n)
{
	if (n < 2)
		return NULL;
	if (strcmp(words[0], "member") == 0 && strcmp(words[1], "search") == 0)
		return cmd_member_search;
	if (strcmp(words[0], "member") == 0 && strcmp(words[1], "show") == 0)
		return cmd_member_show;
	if (strcmp(words[0], "txn") == 0 && strcmp(words[1], "show") == 0)
		return cmd_txn_show;
	return NULL;
}

/* Log in as staff_id; print a failure and return false if that fails. */
static bool office_login(KassaClient *kc, int64_t staff_id, const char *pin, int *code)
{
	Kassa__V1__Response *resp = NULL;

	if (!check(kc, "login", kc_login(kc, staff_id, pin, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_LOGIN_OK, code))
		return false;
	kc_response_free(resp);
	return true;
}

/* Split words (at most OFFICE_MAX_ARGS; modified in place) at their first '='. */
static void split_args(char **words, int n, Args *a)
{
	int i;

	a->n = n;
	for (i = 0; i < n; i++) {
		char *eq = strchr(words[i], '=');

		a->keys[i] = words[i];
		a->vals[i] = NULL;
		if (eq != NULL) {
			*eq = '\0';
			a->vals[i] = eq + 1;
		}
	}
}

/* Connect with opt; NULL after printing why (*code = the exit code). */
static KassaClient *office_connect(KcOptions *opt, int *code)
{
	char err[KC_ERR_LEN];
	KassaClient *kc;

	opt->ctx = kc_ctx_new(opt->cert, opt->key, opt->ca, err, sizeof(err));
	if (opt->ctx == NULL) {
		fprintf(stderr, "kassa-office: %s\n", err);
		*code = OFFICE_EXIT_USAGE;	/* unreadable or mismatched files: configuration */
		return NULL;
	}
	kc = kc_connect(opt, err, sizeof(err));
	SSL_CTX_free(opt->ctx);	/* kc holds its own reference */
	opt->ctx = NULL;
	if (kc == NULL) {
		fprintf(stderr, "kassa-office: %s\n", err);
		kcj_emit(kcj_fail("connect", "UNAVAILABLE",
				  strncmp(err, "tls:", 4) == 0 ? "TLS_REFUSED" : "CONNECT_FAILED",
				  err));
		*code = OFFICE_EXIT_CONN;
	}
	return kc;
}

static const struct option longopts[] = {
	KC_CONN_LONGOPTS,
	{ "staff", required_argument, NULL, 'S' },
	{ "pin", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	KcOptions opt = { 0 };
	const char *staff_s = kc_env_or("KASSA_STAFF", NULL), *pin = kc_env_or("KASSA_PIN", NULL);
	int64_t staff_id = 0;
	KassaClient *kc;
	OfficeCmd fn;
	Args args;
	int ch, code = OFFICE_EXIT_OK;

	kc_options_from_env(&opt);
	opt.client_software = OFFICE_SOFTWARE;
	/* "+" stops at the first command word, so "name=..." is never taken for an option */
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		int taken = kc_options_take(&opt, ch, optarg, "kassa-office");

		if (taken < 0)
			return OFFICE_EXIT_USAGE;
		if (taken > 0)
			continue;
		switch (ch) {
		case 'S':
			staff_s = optarg;
			break;
		case 'P':
			pin = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s\n", OFFICE_SOFTWARE);
			return 0;
		default:
			usage(stderr);
			return OFFICE_EXIT_USAGE;
		}
	}
	fn = find_cmd(argv + optind, argc - optind);
	if (fn == NULL || argc - optind - 2 > OFFICE_MAX_ARGS) {
		usage(stderr);
		return OFFICE_EXIT_USAGE;
	}
	split_args(argv + optind + 2, argc - optind - 2, &args);
	if (opt.cert == NULL || opt.key == NULL || opt.ca == NULL) {
		fprintf(stderr, "kassa-office: --cert, --key and --ca (or KASSA_CERT, KASSA_KEY, "
				"KASSA_CA) are required\n");
		return OFFICE_EXIT_USAGE;
	}
	if (staff_s != NULL && (!kc_parse_i64(staff_s, &staff_id) || pin == NULL)) {
		fprintf(stderr, "kassa-office: --staff needs a number and --pin (or KASSA_PIN)\n");
		return OFFICE_EXIT_USAGE;
	}

	kc = office_connect(&opt, &code);
	if (kc == NULL)
		return code;
	if (staff_id == 0 || office_login(kc, staff_id, pin, &code))
		code = fn(kc, &args);
	kc_free(kc);
	return code;
}
