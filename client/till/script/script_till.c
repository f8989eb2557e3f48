/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_till: kassa-till's commands about the till itself rather than
 * the basket: the cashier (login, logout, lock, unlock), the shift (open
 * with a float, X and Z reports), finishing the sale through the session
 * (till_finish(): online, or journaled offline), the customer's feedback,
 * receipts (the last sale's, or one fetched from the server and marked
 * as a copy) and the exchange rates. "status" and "sync" are
 * script_offline.c's. See script_cmds.h for what the command files share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "i18n.h"
#include "kc_json.h"
#include "kc_options.h"
#include "money.h"
#include "phone.h"
#include "receipt.h"
#include "script_cmds.h"

/* ---- the cashier ---- */

/* The failure of till_login(): its detail, a translated message. */
static void login_fail(Till *t, const Cmd *c, const char *detail)
{
	const char *msg = _("wrong staff id or PIN");

	if (detail != NULL && strcmp(detail, "STAFF_LOCKED") == 0)
		msg = _("this staff member is locked out after too many wrong PINs: ask a manager");
	else if (detail != NULL && strcmp(detail, "OFFLINE_UNKNOWN_STAFF") == 0)
		msg = _("offline, only staff who logged in on this till before can log in");
	script_fail(t, c, "UNAUTHENTICATED", detail != NULL ? detail : "BAD_CREDENTIALS", msg);
}

static json_t *staff_json(Till *t, const Cmd *c)
{
	json_t *o = kcj_ok(c->name);

	json_object_set_new(o, "staff_id", json_integer(t->ts->staff_id));
	json_object_set_new(o, "name", json_string(t->ts->staff_name));
	json_object_set_new(o, "role", json_string(t->ts->role));
	json_object_set_new(o, "offline", json_boolean(!t->ts->online));
	return o;
}

void cmd_login(Till *t, const Cmd *c)
{
	const char *id_s = arg_word(c, 0), *pin = arg_word(c, 1), *detail = NULL;
	int64_t staff_id;

	if (arg_count(c) != 2 || !kc_parse_i64(id_s, &staff_id) || pin == NULL) {
		script_usage(t, c, "login STAFF_ID PIN");
		return;
	}
	if (!till_login(t->ts, staff_id, pin, &detail)) {
		login_fail(t, c, detail);
		return;
	}
	t->locked = false;
	t->logged_out = false;
	kcj_emit(staff_json(t, c));
}

void cmd_logout(Till *t, const Cmd *c)
{
	if (arg_count(c) != 0) {
		script_usage(t, c, "logout");
		return;
	}
	till_logout(t->ts);
	t->locked = false;
	t->logged_out = true;
	kcj_emit(kcj_ok(c->name));
}

void cmd_lock(Till *t, const Cmd *c)
{
	json_t *o;

	if (arg_count(c) != 0) {
		script_usage(t, c, "lock");
		return;
	}
	if (t->ts->staff_id == 0) {
		script_fail(t, c, "FAILED_PRECONDITION", "NOT_LOGGED_IN", _("log in first"));
		return;
	}
	t->locked = true;
	o = kcj_ok(c->name);
	json_object_set_new(o, "staff_id", json_integer(t->ts->staff_id));
	kcj_emit(o);
}

/* unlock PIN: the PIN of the cashier who locked the till (checked as a login). */
void cmd_unlock(Till *t, const Cmd *c)
{
	const char *pin = arg_word(c, 0), *detail = NULL;

	if (arg_count(c) != 1 || pin == NULL) {
		script_usage(t, c, "unlock PIN");
		return;
	}
	if (!t->locked) {
		script_fail(t, c, "FAILED_PRECONDITION", "NOT_LOCKED", _("the till is not locked"));
		return;
	}
	if (!till_login(t->ts, t->ts->staff_id, pin, &detail)) {
		login_fail(t, c, detail);
		return;
	}
	t->locked = false;
	kcj_emit(staff_json(t, c));
}

/* ---- the shift ---- */

static json_t *shift_json(const Kassa__V1__ShiftSummary *s)
{
	json_t *o = json_object(), *tenders = json_array();
	size_t i;

	json_object_set_new(o, "shift_id", json_integer(s->shift_id));
	json_object_set_new(o, "till_id", json_integer(s->till_id));
	json_object_set_new(o, "staff_id", json_integer(s->staff_id));
	json_object_set_new(o, "opened_at", json_string(s->opened_at));
	json_object_set_new(o, "closed_at", json_string(s->closed_at));
	json_object_set_new(o, "closed", json_boolean(s->closed));
	kcj_money(o, "float", s->float_minor);
	json_object_set_new(o, "sales_count", json_integer(s->sales_count));
	kcj_money(o, "sales", s->sales_minor);
	json_object_set_new(o, "refunds_count", json_integer(s->refunds_count));
	kcj_money(o, "refunds", s->refunds_minor);
	kcj_money(o, "change", s->change_minor);
	kcj_money(o, "cash_refunds", s->cash_refunds_minor);
	kcj_money(o, "topups_cash", s->topups_cash_minor);
	kcj_money(o, "expected_cash", s->expected_cash_minor);
	kcj_money(o, "counted", s->counted_minor);
	kcj_money(o, "over_short", s->over_short_minor);
	for (i = 0; i < s->n_tenders; i++) {
		const Kassa__V1__TenderTotal *tt = s->tenders[i];
		json_t *e = json_object();

		json_object_set_new(e, "kind", json_string(kcj_tender_name(tt->kind)));
		json_object_set_new(e, "currency", json_string(tt->currency));
		json_object_set_new(e, "count", json_integer(tt->count));
		kcj_money(e, "amount", tt->amount_minor);
		json_object_set_new(e, "foreign_minor", json_integer(tt->foreign_minor));
		json_array_append_new(tenders, e);
	}
	json_object_set_new(o, "tenders", tenders);
	return o;
}

/* The money of key=AMOUNT in c (must be the only argument); false after printing why. */
static bool money_arg(Till *t, const Cmd *c, const char *key, const char *use, int64_t *out)
{
	const char *v = arg_get(c, key);

	if (arg_count(c) != 1 || v == NULL) {
		script_usage(t, c, use);
		return false;
	}
	if (!money_parse(v, out) || *out < 0) {
		script_fail(t, c, "INVALID_ARGUMENT", "BAD_AMOUNT",
			    _("amount must be zero or positive, like 100.00"));
		return false;
	}
	return true;
}

/* shift open float=AMOUNT | shift x | shift z counted=AMOUNT */
void cmd_shift(Till *t, const Cmd *c)
{
	static const char use[] = "shift open float=AMOUNT | shift x | shift z counted=AMOUNT";
	const char *what = c->n > 1 && c->vals[1] == NULL ? c->keys[1] : "";
	Kassa__V1__Response *resp = NULL;
	Cmd sub = *c;
	char name[32];
	int before = script_reconnects(t);
	int64_t amount = 0;
	KcReq rq;
	json_t *o;

	snprintf(name, sizeof(name), "shift %s", what);
	sub.name = name;
	sub.first = 2;
	if (strcmp(what, "open") == 0) {
		if (!money_arg(t, &sub, "float", use, &amount))
			return;
		kc_req_shift_open(&rq, amount, NULL);
	} else if (strcmp(what, "x") == 0 && arg_count(&sub) == 0) {
		kc_req_shift_report(&rq, false, 0, NULL);
	} else if (strcmp(what, "z") == 0) {
		if (!money_arg(t, &sub, "counted", use, &amount))
			return;
		kc_req_shift_report(&rq, true, amount, NULL);
	} else {
		sub.name = "shift";
		script_usage(t, &sub, use);
		return;
	}
	if (!script_answered_ok(t, &sub, script_call(t, &rq, &resp), &resp) ||
	    !script_has_body(t, &sub, resp, KASSA__V1__RESPONSE__BODY_SHIFT_SUMMARY))
		return;
	o = strcmp(what, "x") == 0 ? kcj_ok(sub.name)
				   : script_ok_keyed(t, &sub, rq.req.idempotency_key, before);
	json_object_set_new(o, "shift", shift_json(resp->shift_summary));
	kcj_emit(o);
	kc_response_free(resp);
}

/* ---- receipts ---- */

/*
 * Answer with f's receipt as text, kept by till_receipt_save() (files in
 * --receipt-dir, <receipt no>[-copy].txt and .escpos, and ESC/POS bytes to
 * --printer), the same as the screen writes; "printed" says whether every
 * file and the printer took it.
 */
static void emit_receipt(const Cmd *c, Till *t, const TillFinish *f, bool copy)
{
	ReceiptInfo r;
	char err[KC_ERR_LEN];
	bool printed = till_receipt_save(t->ts, f, copy, err, sizeof(err));
	json_t *o = kcj_ok(c->name);
	char *text;

	till_receipt_info(t->ts, f, copy, &r);
	text = receipt_text(&r, RECEIPT_COLUMNS);
	json_object_set_new(o, "receipt_no", json_string(f->receipt_no));
	json_object_set_new(o, "copy", json_boolean(copy));
	json_object_set_new(o, "printed", json_boolean(printed));
	if (!printed)
		json_object_set_new(o, "print_error", json_string(err));
	json_object_set_new(o, "text", json_string(text));
	kcj_emit(o);
	free(text);
}

/* receipt reprint NO, or receipt NO of an earlier sale: fetched, marked as a copy. */
static void receipt_fetch(Till *t, const Cmd *c, const char *no)
{
	Kassa__V1__Response *resp = NULL;
	TillFinish f;
	KcReq rq;

	kc_req_transaction_get(&rq, 0, no);
	if (!script_answered_ok(t, c, script_call(t, &rq, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TRANSACTION))
		return;
	memset(&f, 0, sizeof(f));
	f.txn = resp->transaction;
	f.offline = resp->transaction->offline;
	snprintf(f.receipt_no, sizeof(f.receipt_no), "%s", no);
	emit_receipt(c, t, &f, true);
	kc_response_free(resp);
}

/* receipt [NO]: the last sale's receipt (or an earlier one's, as a copy). */
void cmd_receipt(Till *t, const Cmd *c)
{
	const char *no = arg_word(c, 0);

	if (arg_count(c) > 1 || (arg_count(c) == 1 && no == NULL)) {
		script_usage(t, c, "receipt [RECEIPT_NO] | receipt reprint RECEIPT_NO");
		return;
	}
	if (no != NULL && strcmp(no, t->last.receipt_no) != 0) {
		receipt_fetch(t, c, no);
		return;
	}
	if (t->last.txn == NULL) {
		script_fail(t, c, "FAILED_PRECONDITION", "NO_RECEIPT",
			    _("no sale was finished yet: give a receipt number"));
		return;
	}
	emit_receipt(c, t, &t->last.fin, false);
}

void cmd_receipt_reprint(Till *t, const Cmd *c)
{
	const char *no = arg_word(c, 0);

	if (arg_count(c) != 1 || no == NULL) {
		script_usage(t, c, "receipt reprint RECEIPT_NO");
		return;
	}
	receipt_fetch(t, c, no);
}

/* ---- finishing the sale ---- */

static const char *finish_code(const char *detail)
{
	static const char *const internal[] = { "JOURNAL_FAILED", "RECEIPT_NUMBER_FAILED" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(internal); i++)
		if (strcmp(detail, internal[i]) == 0)
			return "INTERNAL";
	if (strcmp(detail, "BAD_REQUEST") == 0)
		return "INVALID_ARGUMENT";
	return "FAILED_PRECONDITION";
}

/*
 * sale finish: through till_finish(): online a Checkout, else journaled
 * offline. The answer says receipt_no, offline and the change.
 */
void cmd_sale_finish(Till *t, const Cmd *c)
{
	const char *detail = NULL;
	int before = script_reconnects(t);
	int64_t change = sale_change(&t->sale);
	TillFinish fin;
	char msg[256];
	json_t *o;

	if (arg_count(c) != 0) {
		script_usage(t, c, "sale finish");
		return;
	}
	if (!t->sale.open || t->sale.n_items == 0) {
		script_sale_fail(t, c, t->sale.open ? SALE_EMPTY : SALE_NOT_OPEN);
		return;
	}
	if (!till_finish(t->ts, &t->sale, &fin, &detail, msg, sizeof(msg))) {
		if (detail == NULL)
			detail = "FINISH_FAILED";
		script_fail(t, c, finish_code(detail), detail, msg);
		return;
	}
	if (fin.txn != NULL && !fin.offline)
		change = fin.txn->change_minor;
	till_finish_free(&t->last.fin);
	t->last.fin = fin;
	t->last.txn = fin.txn;
	t->last.offline = fin.offline;
	t->last.txn_id = fin.txn != NULL ? fin.txn->txn_id : 0;
	snprintf(t->last.receipt_no, sizeof(t->last.receipt_no), "%s", fin.receipt_no);
	memcpy(t->sale.key, fin.key, sizeof(t->sale.key));
	o = script_ok_keyed(t, c, fin.key, before);
	json_object_set_new(o, "receipt_no", json_string(fin.receipt_no));
	json_object_set_new(o, "offline", json_boolean(fin.offline));
	kcj_money(o, "change", change);
	if (fin.txn != NULL)
		json_object_set_new(o, "transaction", kcj_transaction(fin.txn));
	kcj_emit(o);
}

/* ---- after the sale: feedback ---- */

/* feedback rating=1..5 [comment=TEXT] [txn=ID|receipt=NO]; default the last sale. */
void cmd_feedback(Till *t, const Cmd *c)
{
	static const char use[] = "feedback rating=1..5 [comment=TEXT] [txn=ID|receipt=NO]";
	const char *rating_s = arg_get(c, "rating"), *comment = arg_get(c, "comment");
	const char *txn_s = arg_get(c, "txn"), *receipt = arg_get(c, "receipt");
	const char *detail = NULL;
	int64_t rating, txn_id = 0;
	int before = script_reconnects(t);
	TillFeedbackResult fb;
	char msg[KC_ERR_LEN];
	json_t *o;

	if (rating_s == NULL || (txn_s != NULL && receipt != NULL) ||
	    arg_count(c) != 1 + (comment != NULL) + (txn_s != NULL) + (receipt != NULL) ||
	    (txn_s != NULL && (!kc_parse_i64(txn_s, &txn_id) || txn_id <= 0))) {
		script_usage(t, c, use);
		return;
	}
	if (!kc_parse_i64(rating_s, &rating) || rating < 1 || rating > 5) {
		script_fail(t, c, "INVALID_ARGUMENT", "BAD_RATING",
			    _("the rating is a whole number from 1 to 5"));
		return;
	}
	if (txn_s == NULL && receipt == NULL) {
		txn_id = t->last.txn_id;
		receipt = t->last.receipt_no[0] != '\0' && txn_id == 0 ? t->last.receipt_no : NULL;
		if (txn_id == 0 && receipt == NULL) {
			script_fail(t, c, "FAILED_PRECONDITION", "NO_SALE",
				    _("no sale was finished yet: give txn= or receipt="));
			return;
		}
	}
	/* online, or journaled after an offline sale (till_feedback()) */
	if (!till_feedback(t->ts, receipt, txn_id, (int32_t)rating, comment, &fb, &detail, msg,
			   sizeof(msg))) {
		script_fail(t, c, fb.code, detail, msg);
		return;
	}
	o = script_ok_keyed(t, c, fb.key, before);
	json_object_set_new(o, "feedback_id", json_integer(fb.feedback_id));
	json_object_set_new(o, "txn_id", json_integer(fb.txn_id));
	json_object_set_new(o, "rating", json_integer(rating));
	json_object_set_new(o, "offline", json_boolean(fb.offline));
	kcj_emit(o);
}

/* ---- rates ---- */

static json_t *rates_json(const Kassa__V1__RateTable *rt)
{
	json_t *o = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(o, "version", json_integer(rt->version));
	json_object_set_new(o, "store_currency", json_string(rt->store_currency));
	json_object_set_new(o, "created_at", json_string(rt->created_at));
	for (i = 0; i < rt->n_rates; i++) {
		char txt[48];
		int64_t m = rt->rates[i]->rate_micro;

		snprintf(txt, sizeof(txt), "%lld.%06lld", (long long)(m / 1000000),
			 (long long)(m % 1000000));
		json_array_append_new(arr, json_pack("{s:s,s:I,s:s}", "currency",
						     rt->rates[i]->currency, "rate_micro",
						     (json_int_t)m, "rate", txt));
	}
	json_object_set_new(o, "rates", arr);
	return o;
}

/* rates: the server's current table when online (into the cache), else the cached one. */
void cmd_rates(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	const Kassa__V1__RateTable *cached = t->ts->cache != NULL ? t->ts->cache->rates : NULL;
	KcReq rq;
	json_t *o;

	if (arg_count(c) != 0) {
		script_usage(t, c, "rates");
		return;
	}
	kc_req_rates_get(&rq);
	if (till_online(t->ts) && script_call(t, &rq, &resp) == KC_OK &&
	    kc_status(resp) == KASSA__V1__STATUS_CODE__OK &&
	    resp->body_case == KASSA__V1__RESPONSE__BODY_RATE_TABLE) {
		if (t->ts->cache != NULL)
			cache_set_rates(t->ts->cache, resp->rate_table);
		o = kcj_ok(c->name);
		json_object_set_new(o, "source", json_string("server"));
		json_object_set_new(o, "table", rates_json(resp->rate_table));
		kcj_emit(o);
		kc_response_free(resp);
		return;
	}
	kc_response_free(resp);
	if (cached == NULL) {
		script_fail(t, c, "UNAVAILABLE", "NO_RATES",
			    _("no exchange rates: the server is unreachable and none are cached"));
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "source", json_string("cache"));
	json_object_set_new(o, "table", rates_json(cached));
	kcj_emit(o);
}
