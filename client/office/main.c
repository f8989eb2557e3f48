/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kassa-office: head-office work against the central member base and the
 * loyalty engine, one command per run, answered with one JSON object on
 * one line of stdout (the same shapes as kassa-till --script, but members
 * show the full phone number):
 *
 *   kassa-office [connection] --staff N --pin P member search name=PREFIX|phone=SUFFIX [limit=N]
 *   kassa-office [connection] --staff N --pin P member show ID|phone=...|card=...|qr=...
 *   kassa-office [connection] --staff N --pin P member history ID [limit=N] [before=CURSOR]
 *   kassa-office [connection] --staff N --pin P member 360 ID [limit=N]
 *   kassa-office [connection] --staff N --pin P member find [FILTER WORDS] [segment=NAME] ...
 *   kassa-office [connection] --staff N --pin P segment save|show|list ...
 *   kassa-office [connection] --staff N --pin P txn show ID
 *   kassa-office [connection] --staff N --pin P rules show
 *   kassa-office [connection] --staff N --pin P rules set FILE|- [note=TEXT]
 *   kassa-office [connection] --staff N --pin P coupon define name=... kind=... [...]
 *   kassa-office [connection] --staff N --pin P coupon issue MEMBER_ID DEF_ID
 *   kassa-office [connection] --staff N --pin P points expire
 *   kassa-office [connection] --staff N --pin P tier set MEMBER_ID TIER reason=TEXT
 *   kassa-office [connection] --staff N --pin P tier reevaluate
 *   kassa-office [connection] --staff N --pin P staff unlock STAFF_ID
 *   kassa-office [connection] --staff N --pin P rates show
 *   kassa-office [connection] --staff N --pin P rates set USD=7.2345 [HKD=0.9123 ...] [note=TEXT]
 *   kassa-office [connection] --staff N --pin P report [NAME] [from=..] [to=..] [store=ID] ...
 *   kassa-office [connection] --staff N --pin P export members|sales|lines [...]
 *   kassa-office [connection] --staff N --pin P analytics run [full] [rebuild]
 *   kassa-office [connection] --staff N --pin P audit verify
 *   kassa-office [connection] --staff N --pin P show pools|sessions|queues|jobs|version
 *   kassa-office [connection] --staff N --pin P reload
 *
 * Reading needs an office role (analyst or admin; managers may log in at
 * head office too); the server decides who may change what: the rule set,
 * coupon definitions, points expiry and tier re-evaluation are the
 * administrator's, issuing a coupon, setting a tier and setting exchange
 * rates also a manager's. A refusal is printed with the server's code and
 * detail (exit code 1). Each change is sent with a fresh idempotency key,
 * reported as "idempotency_key". The certificate must be one issued for an office
 * workstation. The PIN may come from KASSA_PIN instead of the command line
 * (which other users of the machine can see in the process list).
 *
 * Languages: what a person reads (the usage text, messages on stderr, the
 * "message" of a failure, and through Hello.language the server's
 * Status.message) is in Simplified Chinese or English, chosen like
 * kassa-till's: the locale, or --lang zh_CN|en (common/i18n.h). The rest of
 * the JSON (keys, "cmd", "code", "detail", values) and the command syntax
 * never change with the language.
 *
 * The command line is read by kc_cli, the parser kassa-till uses too, and
 * a failed connection is reported the same way as kassa-till reports it;
 * this file says what is kassa-office's own (--staff, --pin, --lang, the
 * command words) and holds the commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kassa_client.h"
#include "store_ops.h"
#include "kc_cli.h"
#include "kc_json.h"
#include "money.h"
#include "office.h"
#include "util.h"

#define OFFICE_SOFTWARE "kassa-office/" KASSA_VERSION
#define OFFICE_MAX_FILE (1024 * 1024)	/* largest rule-set document read */

static const char *lang_opt;		/* borrowed (argv): --lang; NULL = the locale's */
static bool lang_bad;			/* --lang named a language we have no catalogue for */
static bool lang_done;			/* office_lang() has run */
static bool format_bad;			/* --format named no format we write */

/*
 * Settle the language of the messages once, at the first text a person
 * reads (the usage text, or office_check once every option is read):
 * --lang, else the locale. After a bad --lang the locale's, to say so in.
 */
static void office_lang(void)
{
	if (lang_done)
		return;
	lang_done = true;
	if (!i18n_init(lang_bad ? NULL : lang_opt))
		lang_bad = true;
}

static void usage(FILE *f)
{
	office_lang();
	/* the command syntax is the same in every language: only the prose is translated */
	fprintf(f, "%s\n", _("usage:"));
	fprintf(f,
		"  kassa-office [--host H] [--port P] --cert FILE --key FILE --ca FILE\n"
		"               [--timeout MS] [--server-name NAME] [--lang zh_CN|en]\n"
		"               --staff ID --pin PIN COMMAND\n");
	fprintf(f, "%s\n", _("commands:"));
	fprintf(f,
		"  member search name=PREFIX|phone=SUFFIX [limit=N]\n"
		"  member show ID|phone=PHONE|card=CARD|qr=PAYLOAD\n"
		"  member history ID [limit=N] [before=CURSOR]\n"
		"  member 360 ID [limit=N]\n"
		"  member find [FILTER WORDS | segment=NAME [version=N]] [limit=N] [after=CURSOR]\n"
		"              [count]\n"
		"  member export-data ID [--output FILE]\n"
		"  member erase ID --reason TEXT [--yes]   (%s)\n"
		"  segment save NAME [description=TEXT] FILTER WORDS\n"
		"  segment show NAME [version=N]\n"
		"  segment list\n"
		"  txn show ID\n"
		"  rules show\n"
		"  rules set FILE|- [note=TEXT]        (%s)\n"
		"  coupon define name=NAME kind=fixed|percent|free_item [value=12.34]\n"
		"                [percent=10.5] [cap=AMOUNT] [item=SKU] [min=AMOUNT]\n"
		"                [from=YYYY-MM-DD] [to=YYYY-MM-DD] [max_total=N] [max_member=N]\n"
		"                [stackable=yes|no] [issue_on=manual|registration|birthday|code]\n"
		"                [claim=CODE]\n"
		"  coupon issue MEMBER_ID DEF_ID\n"
		"  points expire\n"
		"  tier set MEMBER_ID TIER reason=TEXT\n"
		"  tier reevaluate\n"
		"  staff unlock STAFF_ID\n"
		"  rates show\n"
		"  rates set CUR=RATE [CUR=RATE ...] [note=TEXT]   (%s)\n",
		_("cannot be undone; the sales stay"), _("- reads the JSON document from stdin"),
		_("store currency per unit"));
	fprintf(f, "  report [NAME] [from=YYYY-MM-DD] [to=YYYY-MM-DD] [store=ID] [category=CAT]\n"
		"         [limit=N] [y=COLUMN]   (%s)\n", _("no NAME: list the reports"));
	fprintf(f, "  export members [FILTER WORDS | segment=NAME [version=N]] [limit=N]\n"
		"  export sales|lines [from=YYYY-MM-DD] [to=YYYY-MM-DD] [store=ID] [limit=N]\n"
		"         (%s)\n", _("CSV or JSON lines, page by page; a summary on stderr"));
	fprintf(f, "  analytics run [full] [rebuild]   (%s)\n",
		_("run the analytics job now; full: reclassify every member"));
	fprintf(f, "  audit verify   (%s)\n",
		_("check the audit log's hash chain; exit 1 names the first bad row"));
	fprintf(f, "  show pools|sessions|queues|jobs|version   (%s)\n  reload   (%s)\n",
		_("the operator console: kassad's state now"),
		_("reload kassad's configuration and certificates, as SIGHUP does"));
	fprintf(f, "%s\n", _("customer care:"));
	fprintf(f,
		"  complaint open member=ID [txn=ID|receipt=NO] category=C text=TEXT [owner=STAFF]\n"
		"  complaint update ID [status=S] [owner=STAFF] [note=TEXT]\n"
		"  complaint show ID\n"
		"  complaint list [store=ID] [status=S|all] [owner=ID] [member=ID]\n"
		"  feedback list [member=ID] [store=ID] [staff=ID] [from=D] [to=D] [max_rating=N]\n"
		"  followup rules | followup set-rules FILE.json\n"
		"  followup list [store=ID] [staff=ID] [state=due|overdue|open|done|all]\n"
		"  followup record ID [outcome=reached|no_answer|declined] [note=TEXT] [assign=STAFF]\n"
		"  points adjust MEMBER POINTS --reason TEXT\n"
		"  coupon deactivate DEF | coupon edit DEF FIELD=VALUE...\n"
		"  template put NAME lang=zh_CN|en [subject=TEXT] body=TEXT|file=PATH\n"
		"  template list\n"
		"  endpoint put NAME kind=webhook url=https://...|kind=file file=NAME\n"
		"               [channels=sms,email,wechat] [events=PATTERN,...] [new-secret]\n"
		"  endpoint list\n"
		"  outbox list [state=S] [endpoint=NAME] [member=ID] | outbox list id=N\n"
		"  outbox retry ID\n"
		"  campaign create name=TEXT segment=NAME holdout=P%% [coupon=DEF] [template=NAME]\n"
		"                  from=YYYY-MM-DD to=YYYY-MM-DD\n"
		"  campaign launch|show|report ID | campaign list\n"
		"  member merge KEEP MERGE --reason TEXT [--yes]\n"
		"  member import FILE [--all-or-nothing] [--dry-run] [--rejected OUT.csv]\n"
		"  feed export [after=N] [types=PATTERN,...] [--follow]\n"
		"  job run followups|recommendations|feed|card_expire\n");
	store_ops_usage(f);
	fprintf(f, "%s\n  phone=NUMBER|LAST_DIGITS card=CARD name=PREFIX tag=TAG tier=TIER\n"
		"  class=new|active|high_value|at_risk|lost|none birthday_month=1-12 store=ID\n"
		"  visit_from=YYYY-MM-DD visit_to=YYYY-MM-DD spend_min=12.34 spend_max=12.34\n"
		"  consent=yes|no\n", _("FILTER WORDS (member find, segment save, export members):"));
	fprintf(f, "%s\n  --lang L  %s\n", _("options:"),
		_("language of the messages: zh_CN or en (default: the locale)"));
	fprintf(f, "  --format table|csv|json  %s\n  --svg FILE  %s\n  --html FILE  %s\n"
		"  --output FILE  %s\n  --bom  %s\n",
		_("how reports and exports are written"), _("also draw the report as an SVG chart"),
		_("also write the report as an HTML page"), _("write the data to FILE, not stdout"),
		_("CSV: start with a byte-order mark, for spreadsheets"));
	fprintf(f, "  --reason TEXT  %s\n  --yes  %s\n",
		_("member erase: why (never the member's phone, card, e-mail or name)"),
		_("member erase: do not ask for the member id again"));
	fprintf(f, "%s\n  KASSA_HOST KASSA_PORT KASSA_CERT KASSA_KEY KASSA_CA KASSA_STAFF KASSA_PIN\n",
		_("environment:"));
	fprintf(f, "%s\n  0 %s\n  1 %s\n  2 %s\n  3 %s\n", _("exit codes:"), _("success"),
		_("the command failed"), _("usage or configuration"),
		_("could not connect, TLS refused, or connection lost"));
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
	if (!office_result(kc, cmd, r, &resp, KASSA__V1__RESPONSE__BODY_MEMBER_LIST, &code))
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
	if (!office_result(kc, cmd, r, &resp, KASSA__V1__RESPONSE__BODY_MEMBER, &code))
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
	if (!office_result(kc, cmd, kc_transaction_get(kc, id, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_TRANSACTION, &code))
		return code;
	o = kcj_ok(cmd);
	json_object_set_new(o, "transaction", kcj_transaction(resp->transaction));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}


/*
 * One page of a member's purchases, newest first: {"transactions": [...],
 * "next": CURSOR} ("" when there are no more; pass it as before=).
 */
static int cmd_member_history(KassaClient *kc, const Args *a)
{
	const char *cmd = "member history";
	const char *lim = arg_get(a, "limit"), *before = arg_get(a, "before");
	Kassa__V1__Response *resp = NULL;
	int64_t id, limit = 0;
	int code = OFFICE_EXIT_OK;
	json_t *o, *arr;
	size_t i;

	if (a->n != 1 + (lim != NULL) + (before != NULL) || a->vals[0] != NULL ||
	    !kc_parse_i64(a->keys[0], &id) || id <= 0 ||
	    (lim != NULL && (!kc_parse_i64(lim, &limit) || limit < 0 || limit > UINT32_MAX)))
		return bad_usage(cmd, "member history ID [limit=N] [before=CURSOR]");
	if (!office_result(kc, cmd, kc_member_history(kc, id, (uint32_t)limit, before, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_MEMBER_HISTORY_PAGE, &code))
		return code;
	o = kcj_ok(cmd);
	arr = json_array();
	for (i = 0; i < resp->member_history_page->n_transactions; i++)
		json_array_append_new(arr,
				      kcj_transaction(resp->member_history_page->transactions[i]));
	json_object_set_new(o, "member_id", json_integer(id));
	json_object_set_new(o, "count",
			    json_integer((json_int_t)resp->member_history_page->n_transactions));
	json_object_set_new(o, "transactions", arr);
	json_object_set_new(o, "next", json_string(resp->member_history_page->next));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}


/* ---- rules ---- */

static int cmd_rules_show(KassaClient *kc, const Args *a)
{
	const char *cmd = "rules show";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if (a->n != 0)
		return bad_usage(cmd, "rules show");
	if (!office_result(kc, cmd, kc_rule_set_get(kc, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_RULE_SET_INFO, &code))
		return code;
	o = kcj_ok(cmd);
	json_object_set_new(o, "rules", kcj_rule_set(resp->rule_set_info));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/*
 * The whole of path ("-" = stdin) as a NUL-terminated string, NULL with
 * *why set if it cannot be read, is larger than OFFICE_MAX_FILE or holds a
 * NUL byte. The caller frees it.
 */
static char *read_document(const char *path, const char **why)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t len = 0, cap = 4096, got;
	char *buf;

	if (f == NULL) {
		*why = strerror(errno);
		return NULL;
	}
	buf = xmalloc(cap);
	for (;;) {
		if (len + 1 == cap) {
			if (cap >= OFFICE_MAX_FILE) {
				*why = _("the document is larger than 1 MiB");
				goto fail;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		*why = _("read error");
		goto fail;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		*why = _("the document holds a NUL byte");
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	return buf;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

static int cmd_rules_set(KassaClient *kc, const Args *a)
{
	const char *cmd = "rules set", *path = arg_word(a, 0), *note = arg_get(a, "note");
	const char *why = NULL;
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN], msg[KC_ERR_LEN], *doc;
	json_t *o;

	if (path == NULL || a->n != (note != NULL ? 2 : 1))
		return bad_usage(cmd, "rules set FILE|- [note=TEXT]");
	doc = read_document(path, &why);
	if (doc == NULL) {
		snprintf(msg, sizeof(msg), "%s: %s", path, why);
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_FILE", msg));
		return OFFICE_EXIT_USAGE;
	}
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_rule_set_put(kc, doc, note, key, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_RULE_SET_INFO, &code)) {
		free(doc);
		return code;
	}
	free(doc);
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "rules", kcj_rule_set(resp->rule_set_info));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* ---- coupons ---- */

/* A whole number 0..INT32_MAX. */
static bool parse_i32(const char *s, int32_t *out)
{
	int64_t v;

	if (!kc_parse_i64(s, &v) || v > INT32_MAX)
		return false;
	*out = (int32_t)v;
	return true;
}

/*
 * Set one CouponDefine field from key=val; false with *why set for an
 * unknown key or a value that cannot be read. The server checks the rest
 * (positive values, dates, kinds against fields) and names the field.
 */
static bool define_field(Kassa__V1__CouponDefine *d, const char *key, char *val, const char **why)
{
	int64_t v;

	*why = NULL;
	if (strcmp(key, "name") == 0) {
		d->name = val;
	} else if (strcmp(key, "kind") == 0) {
		if (strcmp(val, "fixed") == 0)
			d->kind = KASSA__V1__COUPON_KIND__COUPON_FIXED;
		else if (strcmp(val, "percent") == 0)
			d->kind = KASSA__V1__COUPON_KIND__COUPON_PERCENT;
		else if (strcmp(val, "free_item") == 0)
			d->kind = KASSA__V1__COUPON_KIND__COUPON_FREE_ITEM;
		else
			*why = _("kind must be fixed, percent or free_item");
	} else if (strcmp(key, "value") == 0) {
		if (!money_parse(val, &d->value_minor))
			*why = _("value is an amount like 12.34");
	} else if (strcmp(key, "percent") == 0) {
		/* two decimals of a percent are basis points: 10.5 -> 1050 */
		if (!money_parse(val, &v) || v < 0 || v > INT32_MAX)
			*why = _("percent is a number like 10 or 10.5 (at most two decimals)");
		else
			d->percent_bp = (int32_t)v;
	} else if (strcmp(key, "cap") == 0) {
		if (!money_parse(val, &d->cap_minor))
			*why = _("cap is an amount like 50.00");
	} else if (strcmp(key, "min") == 0) {
		if (!money_parse(val, &d->min_spend_minor))
			*why = _("min is an amount like 100.00");
	} else if (strcmp(key, "item") == 0) {
		d->item_sku = val;
	} else if (strcmp(key, "from") == 0) {
		d->valid_from = val;
	} else if (strcmp(key, "to") == 0) {
		d->valid_to = val;
	} else if (strcmp(key, "max_total") == 0) {
		if (!parse_i32(val, &d->max_uses_total))
			*why = _("max_total is a whole number (0 = no limit)");
	} else if (strcmp(key, "max_member") == 0) {
		if (!parse_i32(val, &d->max_uses_per_member))
			*why = _("max_member is a whole number (0 = no limit)");
	} else if (strcmp(key, "stackable") == 0) {
		if (strcmp(val, "yes") == 0)
			d->stackable = true;
		else if (strcmp(val, "no") == 0)
			d->stackable = false;
		else
			*why = _("stackable is yes or no");
	} else if (strcmp(key, "issue_on") == 0) {
		d->issue_on = val;
	} else if (strcmp(key, "claim") == 0) {
		d->claim_code = val;
	} else {
		*why = _("unknown field");
	}
	return *why == NULL;
}

int coupon_define_args(const char *cmd, const char *use, const Args *a, int from,
		       Kassa__V1__CouponDefine *d)
{
	const char *why;
	char msg[160];

	for (int i = from; i < a->n; i++) {
		if (a->vals[i] == NULL)
			return bad_usage(cmd, use);
		for (int j = from; j < i; j++)
			if (strcmp(a->keys[i], a->keys[j]) == 0)
				return bad_usage(cmd, _("each field at most once"));
		if (!define_field(d, a->keys[i], a->vals[i], &why)) {
			snprintf(msg, sizeof(msg), "%s: %s", a->keys[i], why);
			kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_FIELD", msg));
			return OFFICE_EXIT_USAGE;
		}
	}
	if (arg_get(a, "name") == NULL || arg_get(a, "kind") == NULL)
		return bad_usage(cmd, use);
	if (arg_get(a, "issue_on") == NULL)
		d->issue_on = arg_get(a, "claim") != NULL ? "code" : "manual";
	return OFFICE_EXIT_OK;
}

static int cmd_coupon_define(KassaClient *kc, const Args *a)
{
	static const char use[] =
		"coupon define name=NAME kind=fixed|percent|free_item [value=12.34] "
		"[percent=10.5] [cap=AMOUNT] [item=SKU] [min=AMOUNT] [from=YYYY-MM-DD] "
		"[to=YYYY-MM-DD] [max_total=N] [max_member=N] [stackable=yes|no] "
		"[issue_on=manual|registration|birthday|code] [claim=CODE]";
	const char *cmd = "coupon define";
	Kassa__V1__CouponDefine d = KASSA__V1__COUPON_DEFINE__INIT;
	Kassa__V1__Response *resp = NULL;
	int code;
	char key[KC_KEY_LEN];
	json_t *o;

	if ((code = coupon_define_args(cmd, use, a, 0, &d)) != OFFICE_EXIT_OK)
		return code;
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_coupon_define(kc, &d, key, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_COUPON_DEFINED, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "def_id", json_integer(resp->coupon_defined->def_id));
	json_object_set_new(o, "issue_on", json_string(d.issue_on));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

static int cmd_coupon_issue(KassaClient *kc, const Args *a)
{
	const char *cmd = "coupon issue";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	int64_t member_id, def_id;
	char key[KC_KEY_LEN];
	json_t *o;

	if (a->n != 2 || !arg_id(a, 0, &member_id) || !arg_id(a, 1, &def_id))
		return bad_usage(cmd, "coupon issue MEMBER_ID DEF_ID");
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_coupon_issue(kc, member_id, def_id, NULL, key, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_COUPON, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "member_id", json_integer(member_id));
	json_object_set_new(o, "coupon", kcj_coupon(resp->coupon));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* ---- jobs and tiers ---- */

static int cmd_points_expire(KassaClient *kc, const Args *a)
{
	const char *cmd = "points expire";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN];
	json_t *o;

	if (a->n != 0)
		return bad_usage(cmd, "points expire");
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_points_expire(kc, key, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_POINTS_EXPIRED, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "members", json_integer(resp->points_expired->members));
	json_object_set_new(o, "lots", json_integer(resp->points_expired->lots));
	json_object_set_new(o, "points", json_integer(resp->points_expired->points));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

static int cmd_tier_set(KassaClient *kc, const Args *a)
{
	const char *cmd = "tier set", *tier = arg_word(a, 1), *reason = arg_get(a, "reason");
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	int64_t member_id;
	char key[KC_KEY_LEN];
	json_t *o;

	if (a->n != 3 || !arg_id(a, 0, &member_id) || tier == NULL || reason == NULL)
		return bad_usage(cmd, "tier set MEMBER_ID TIER reason=TEXT");
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_tier_set(kc, member_id, tier, reason, key, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_MEMBER, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "member", kcj_member(resp->member, true));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

static int cmd_tier_reevaluate(KassaClient *kc, const Args *a)
{
	const char *cmd = "tier reevaluate";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN];
	json_t *o;

	if (a->n != 0)
		return bad_usage(cmd, "tier reevaluate");
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_tier_reevaluate(kc, key, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_TIER_REEVALUATED, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "examined", json_integer(resp->tier_reevaluated->examined));
	json_object_set_new(o, "downgraded", json_integer(resp->tier_reevaluated->downgraded));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

static int cmd_staff_unlock(KassaClient *kc, const Args *a)
{
	const char *cmd = "staff unlock";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	int64_t staff_id;
	char key[KC_KEY_LEN];
	json_t *o;

	if (a->n != 1 || !arg_id(a, 0, &staff_id))
		return bad_usage(cmd, "staff unlock STAFF_ID");
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_staff_unlock(kc, staff_id, key, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_STAFF_UNLOCKED, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "staff_id", json_integer(resp->staff_unlocked->staff_id));
	json_object_set_new(o, "was_locked", json_boolean(resp->staff_unlocked->was_locked));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* ---- exchange rates ---- */

/* Add t's version, store currency, rates ("7.2345" and 7234500) and time to o. */
static void rate_table_json(json_t *o, const Kassa__V1__RateTable *t)
{
	json_t *arr = json_array();
	char rate[MONEY_RATE_FMT_LEN];

	json_object_set_new(o, "version", json_integer(t->version));
	json_object_set_new(o, "store_currency", json_string(t->store_currency));
	for (size_t i = 0; i < t->n_rates; i++) {
		json_t *r = json_object();

		json_object_set_new(r, "currency", json_string(t->rates[i]->currency));
		json_object_set_new(r, "rate", json_string(money_format_rate(t->rates[i]->rate_micro,
									     rate, sizeof(rate))));
		json_object_set_new(r, "rate_micro", json_integer(t->rates[i]->rate_micro));
		json_array_append_new(arr, r);
	}
	json_object_set_new(o, "rates", arr);
	json_object_set_new(o, "created_at", json_string(t->created_at));
}

static int cmd_rates_show(KassaClient *kc, const Args *a)
{
	const char *cmd = "rates show";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if (a->n != 0)
		return bad_usage(cmd, "rates show");
	if (!office_result(kc, cmd, kc_rates_get(kc, &resp), &resp, KASSA__V1__RESPONSE__BODY_RATE_TABLE,
		   &code))
		return code;
	o = kcj_ok(cmd);
	rate_table_json(o, resp->rate_table);
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/*
 * The CUR=RATE arguments of rates set into rates[] (*n of them); false
 * with detail and msg set for a code kassad does not know, a rate that is
 * not a positive number of at most six decimals, or a currency (or the
 * note) twice.
 */
static bool rates_from_args(const Args *a, KcRate *rates, size_t *n, const char **detail,
			    char *msg, size_t len)
{
	bool noted = false;

	*n = 0;
	for (int i = 0; i < a->n; i++) {
		const char *cur = a->keys[i], *val = a->vals[i];

		if (strcmp(cur, "note") == 0) {
			if (!noted) {
				noted = true;
				continue;
			}
			*detail = "BAD_NOTE";
			snprintf(msg, len, "%s", _("note is given twice"));
			return false;
		}
		if (money_currency_exponent(cur) < 0) {
			*detail = "BAD_CURRENCY";
			snprintf(msg, len, _("\"%.16s\" is not a currency code kassa knows "
					     "(ISO 4217, upper case, like USD)"), cur);
			return false;
		}
		if (!money_parse_rate(val, &rates[*n].rate_micro)) {
			*detail = "BAD_RATE";
			snprintf(msg, len, _("%s=%.24s: a rate is a number above 0 with at most "
					     "6 decimals and at most 1000000000, like %s=7.2345"),
				 cur, val, cur);
			return false;
		}
		for (size_t j = 0; j < *n; j++) {
			if (strcmp(rates[j].currency, cur) == 0) {
				*detail = "BAD_RATES";
				snprintf(msg, len, _("%s is given twice"), cur);
				return false;
			}
		}
		rates[(*n)++].currency = cur;
	}
	return true;
}

static int cmd_rates_set(KassaClient *kc, const Args *a)
{
	const char *cmd = "rates set", *note = arg_get(a, "note"), *detail = NULL;
	Kassa__V1__Response *resp = NULL;
	KcRate rates[OFFICE_MAX_ARGS];
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN], msg[KC_ERR_LEN];
	size_t n;
	json_t *o;

	for (int i = 0; i < a->n; i++)
		if (a->vals[i] == NULL)
			return bad_usage(cmd, "rates set CUR=RATE [CUR=RATE ...] [note=TEXT]");
	if (a->n == (note != NULL ? 1 : 0))
		return bad_usage(cmd, "rates set CUR=RATE [CUR=RATE ...] [note=TEXT]");
	/* every rate is checked before anything is sent: a typo changes nothing */
	if (!rates_from_args(a, rates, &n, &detail, msg, sizeof(msg))) {
		kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", detail, msg));
		return OFFICE_EXIT_FAILED;
	}
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_rates_set(kc, rates, n, note, key, &resp), &resp,
		   KASSA__V1__RESPONSE__BODY_RATE_TABLE, &code))
		return code;
	o = ok_keyed(cmd, key);
	rate_table_json(o, resp->rate_table);
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* ---- dispatch ---- */

static const struct {
	const char *verb, *sub;
	OfficeCmd fn;
} office_cmds[] = {
	{ "member", "search", cmd_member_search },
	{ "member", "show", cmd_member_show },
	{ "member", "history", cmd_member_history },
	{ "member", "360", cmd_member_360 },
	{ "member", "find", cmd_member_find },
	{ "member", "export-data", cmd_member_export_data },
	{ "member", "erase", cmd_member_erase },
	{ "segment", "save", cmd_segment_save },
	{ "segment", "show", cmd_segment_show },
	{ "segment", "list", cmd_segment_list },
	{ "txn", "show", cmd_txn_show },
	{ "rules", "show", cmd_rules_show },
	{ "rules", "set", cmd_rules_set },
	{ "coupon", "define", cmd_coupon_define },
	{ "coupon", "issue", cmd_coupon_issue },
	{ "points", "expire", cmd_points_expire },
	{ "tier", "set", cmd_tier_set },
	{ "tier", "reevaluate", cmd_tier_reevaluate },
	{ "staff", "unlock", cmd_staff_unlock },
	{ "rates", "show", cmd_rates_show },
	{ "rates", "set", cmd_rates_set },
	/* sub NULL: one word, every word after it is an argument (report [NAME] ...) */
	{ "report", NULL, cmd_report },
	{ "show", NULL, cmd_show },
	{ "reload", NULL, cmd_reload },
	{ "export", "members", cmd_export_members },
	{ "export", "sales", cmd_export_sales },
	{ "export", "lines", cmd_export_lines },
	{ "analytics", "run", cmd_analytics_run },
	{ "audit", "verify", cmd_audit_verify },
	{ "complaint", "open", cmd_complaint_open },
	{ "complaint", "update", cmd_complaint_update },
	{ "complaint", "show", cmd_complaint_show },
	{ "complaint", "list", cmd_complaint_list },
	{ "feedback", "list", cmd_feedback_list },
	{ "followup", "rules", cmd_followup_rules },
	{ "followup", "set-rules", cmd_followup_set_rules },
	{ "followup", "list", cmd_followup_list },
	{ "followup", "record", cmd_followup_record },
	{ "points", "adjust", cmd_points_adjust },
	{ "coupon", "deactivate", cmd_coupon_deactivate },
	{ "coupon", "edit", cmd_coupon_edit },
	{ "endpoint", "put", cmd_endpoint_put },
	{ "endpoint", "list", cmd_endpoint_list },
	{ "outbox", "list", cmd_outbox_list },
	{ "outbox", "retry", cmd_outbox_retry },
	{ "template", "put", cmd_template_put },
	{ "template", "list", cmd_template_list },
	{ "campaign", "create", cmd_campaign_create },
	{ "campaign", "launch", cmd_campaign_launch },
	{ "campaign", "show", cmd_campaign_show },
	{ "campaign", "list", cmd_campaign_list },
	{ "campaign", "report", cmd_campaign_report },
	{ "member", "merge", cmd_member_merge },
	{ "member", "import", cmd_member_import },
	{ "feed", "export", cmd_feed_export },
	{ "job", "run", cmd_job_run },
};

/* Find the command named by words[0..1] (*used: how many); NULL if there is none. */
static OfficeCmd find_cmd(char **words, int n, int *used)
{
	size_t i;

	for (i = 0; n >= 1 && i < ARRAY_SIZE(office_cmds); i++)
		if (office_cmds[i].sub == NULL && strcmp(words[0], office_cmds[i].verb) == 0) {
			*used = 1;
			return office_cmds[i].fn;
		}
	for (i = 0; n >= 1 && store_ops_cmds[i].verb != NULL; i++)
		if (store_ops_cmds[i].sub == NULL && strcmp(words[0], store_ops_cmds[i].verb) == 0) {
			*used = 1;
			return store_ops_cmds[i].fn;
		}
	if (n < 2)
		return NULL;
	*used = 2;
	for (i = 0; i < ARRAY_SIZE(office_cmds); i++)
		if (office_cmds[i].sub != NULL && strcmp(words[0], office_cmds[i].verb) == 0 &&
		    strcmp(words[1], office_cmds[i].sub) == 0)
			return office_cmds[i].fn;
	for (i = 0; store_ops_cmds[i].verb != NULL; i++)
		if (store_ops_cmds[i].sub != NULL && strcmp(words[0], store_ops_cmds[i].verb) == 0 &&
		    strcmp(words[1], store_ops_cmds[i].sub) == 0)
			return store_ops_cmds[i].fn;
	return NULL;
}

/* Log in as staff_id; print a failure and return false if that fails. */
static bool office_login(KassaClient *kc, int64_t staff_id, const char *pin, int *code)
{
	Kassa__V1__Response *resp = NULL;

	if (!office_result(kc, "login", kc_login(kc, staff_id, pin, &resp), &resp,
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

/* What the command line said beyond the connection options. */
typedef struct OfficeArgs {
	const char *staff;		/* --staff or KASSA_STAFF; NULL = no login */
	const char *pin;		/* --pin or KASSA_PIN */
	OfficeCmd fn;			/* the command named by the first two words */
	Args args;			/* the words after them */
} OfficeArgs;

static const KcCliOption office_options[] = {
	{ "staff", true, 'S' },
	{ "pin", true, 'P' },
	{ "lang", true, 'L' },
	{ "format", true, 'F' },
	{ "svg", true, 'G' },
	{ "html", true, 'W' },	/* not 'H': that is --host's (KC_CONN_LONGOPTS) */
	{ "output", true, 'O' },
	{ "bom", false, 'B' },
	{ "reason", true, 'R' },
	{ "yes", false, 'Y' },
	{ "follow", false, 'f' },
	{ "all-or-nothing", false, 0x301 },	/* member import (merge_cmds.c) */
	{ "dry-run", false, 0x302 },
	{ "rejected", true, 0x303 },
	{ NULL, false, 0 },
};

static bool office_take(void *ctx, int val, const char *arg)
{
	OfficeArgs *a = ctx;

	if (val == 'S')
		a->staff = arg;
	else if (val == 'P')
		a->pin = arg;
	else if (val == 'F') {
		if (strcmp(arg, "table") == 0)
			office_out.format = OFFICE_FMT_TABLE;
		else if (strcmp(arg, "csv") == 0)
			office_out.format = OFFICE_FMT_CSV;
		else if (strcmp(arg, "json") == 0)
			office_out.format = OFFICE_FMT_JSON;
		else
			format_bad = true;
	} else if (val == 'G')
		office_out.svg = arg;
	else if (val == 'W')
		office_out.html = arg;
	else if (val == 'O')
		office_out.output = arg;
	else if (val == 'B')
		office_out.bom = true;
	else if (val == 'R')
		office_rights.reason = arg;
	else if (val == 'Y')
		office_rights.yes = true;
	else if (val == 'f')
		office_feed_follow = true;
	else if (val >= 0x301 && val <= 0x303)
		office_import_option(val - 0x300, arg);
	else if (val == 'L') {
		/* the last --lang wins; a bad one is refused by office_check() */
		lang_bad = i18n_lang_parse(arg) == I18N_UNKNOWN;
		lang_opt = lang_bad ? NULL : arg;
	}
	return true;
}

/* The command words: a known command and at most OFFICE_MAX_ARGS arguments. */
static int office_check(void *ctx, char **words, int n)
{
	OfficeArgs *a = ctx;
	int used = 2;

	office_lang();
	if (lang_bad) {
		fprintf(stderr, "kassa-office: %s\n", _("--lang must be zh_CN or en"));
		return OFFICE_EXIT_USAGE;
	}
	if (format_bad) {
		fprintf(stderr, "kassa-office: %s\n", _("--format must be table, csv or json"));
		return OFFICE_EXIT_USAGE;
	}
	a->fn = find_cmd(words, n, &used);
	if (a->fn == NULL || n - used > OFFICE_MAX_ARGS) {
		usage(stderr);
		return OFFICE_EXIT_USAGE;
	}
	split_args(words + used, n - used, &a->args);
	return -1;
}

int main(int argc, char **argv)
{
	OfficeArgs a = { .staff = kc_env_or("KASSA_STAFF", NULL),
			 .pin = kc_env_or("KASSA_PIN", NULL) };
	const KcCli cli = {
		.prog = "kassa-office",
		.software = OFFICE_SOFTWARE,
		.usage = usage,
		.options = office_options,
		.operands = true,
		.permute = true,
		.take = office_take,
		.check = office_check,
		.ctx = &a,
	};
	KcOptions opt;
	int64_t staff_id = 0;
	KassaClient *kc;
	int code = kc_cli_parse(&cli, argc, argv, &opt);

	if (code >= 0)
		return code;
	/* office_check() has settled the language: tell kassad, for Status.message */
	opt.language = i18n_lang_code(i18n_current());
	if (a.staff != NULL && (!kc_parse_i64(a.staff, &staff_id) || a.pin == NULL)) {
		fprintf(stderr, "kassa-office: %s\n",
			_("--staff needs a number and --pin (or KASSA_PIN)"));
		return OFFICE_EXIT_USAGE;
	}
	kc = kc_cli_connect(&cli, &opt, &code);
	if (kc == NULL)
		return code;
	if (staff_id == 0 || office_login(kc, staff_id, a.pin, &code))
		code = a.fn(kc, &a.args);
	kc_free(kc);
	return code;
}
