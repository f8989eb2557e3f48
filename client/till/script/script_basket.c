/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_basket: kassa-till's commands that change the basket itself
 * (sale.h) besides adding lines: the member (by look-up, or offline by
 * phone), tenders in store or foreign currency and voiding one, voiding a
 * line, changing a quantity, and suspending / resuming sales (files in the
 * state directory). A refused command changes nothing and says why (its
 * machine name and a translated message). See script_cmds.h for what the
 * command files share.
 */
#include <string.h>

#include <jansson.h>

#include "i18n.h"
#include "kc_json.h"
#include "kc_options.h"
#include "money.h"
#include "phone.h"
#include "script_cmds.h"

/* The open sale, or a failure printed (false). */
static bool need_open(Till *t, const Cmd *c)
{
	if (t->sale.open)
		return true;
	script_sale_fail(t, c, SALE_NOT_OPEN);
	return false;
}

/* A line or tender number 1..max from word w; else print e and return false. */
static bool number_arg(Till *t, const Cmd *c, const char *w, size_t max, SaleError e,
		       size_t *out)
{
	int64_t v;

	if (w == NULL || !kc_parse_i64(w, &v) || v < 1 || (uint64_t)v > max) {
		script_sale_fail(t, c, e);
		return false;
	}
	*out = (size_t)v;
	return true;
}

/* Answer a change to the basket: "lines" and the totals, plus extra (may be NULL). */
static void emit_basket(Till *t, const Cmd *c, const char *extra_key, json_t *extra)
{
	json_t *o = kcj_ok(c->name);

	if (extra_key != NULL)
		json_object_set_new(o, extra_key, extra);
	json_object_set_new(o, "lines", json_integer((json_int_t)t->sale.n_items));
	json_object_set_new(o, "tenders", json_integer((json_int_t)t->sale.n_tenders));
	script_sale_totals(&t->sale, o);
	kcj_emit(o);
}

/* ---- the member ---- */

/*
 * sale member phone=...|card=...|id=...|qr=...|ID: looked up on the
 * server. Offline (or with offline): the member identified by phone only,
 * kept on the sale for the server to find when the sale is replayed.
 */
void cmd_sale_member(Till *t, const Cmd *c)
{
	const char *phone = arg_get(c, "phone");
	char e164[PHONE_MAX];
	Kassa__V1__Response *resp;
	SaleError e;
	json_t *o;

	if (!need_open(t, c))
		return;
	if (phone != NULL && !phone_normalize(phone, e164, sizeof(e164))) {
		script_sale_fail(t, c, SALE_BAD_PHONE);
		return;
	}
	if (phone != NULL && arg_count(c) == 1 && !till_online(t->ts)) {
		char masked[PHONE_MAX];

		e = sale_set_member_phone(&t->sale, phone);
		if (e != SALE_OK) {
			script_sale_fail(t, c, e);
			return;
		}
		phone_mask(t->sale.member_phone, masked, sizeof(masked));
		o = kcj_ok(c->name);
		json_object_set_new(o, "offline", json_true());
		json_object_set_new(o, "member_phone_masked", json_string(masked));
		kcj_emit(o);
		return;
	}
	if (!script_member_lookup(t, c, true, &resp))
		return;
	e = sale_set_member(&t->sale, resp->member);
	if (e != SALE_OK) {
		kc_response_free(resp);
		script_sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "offline", json_false());
	json_object_set_new(o, "member", kcj_member(resp->member, false));
	kcj_emit(o);
	kc_response_free(resp);
}

/* ---- tenders ---- */

/*
 * A decimal amount with at most exp fraction digits ("50", "50.5",
 * "50.25" for exp 2; "5000" for exp 0) in minor units; false otherwise.
 */
static bool parse_units(const char *s, int exp, int64_t *out)
{
	int64_t v = 0;
	int frac = -1;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	for (; *s != '\0'; s++) {
		if (*s == '.' && frac < 0 && exp > 0) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || frac == exp)
			return false;
		if (!money_mul(v, 10, &v) || !money_add(v, *s - '0', &v))
			return false;
		if (frac >= 0)
			frac++;
	}
	for (frac = frac < 0 ? 0 : frac; frac < exp; frac++)
		if (!money_mul(v, 10, &v))
			return false;
	*out = v;
	return true;
}

/*
 * The rate of currency: from the session's cache (till.h: ts->cache),
 * else asked of the server (RatesGet) and put into the cache. False if
 * there is none.
 */
bool script_rate(Till *t, const char *currency, int32_t *version, int64_t *rate_micro)
{
	const Kassa__V1__RateTable *rt = t->ts->cache != NULL ? t->ts->cache->rates : NULL;
	Kassa__V1__Response *resp = NULL;
	bool found = false;
	KcReq rq;
	size_t i;

	for (i = 0; rt != NULL && i < rt->n_rates; i++) {
		if (strcmp(rt->rates[i]->currency, currency) == 0) {
			*version = rt->version;
			*rate_micro = rt->rates[i]->rate_micro;
			return true;
		}
	}
	kc_req_rates_get(&rq);
	if (!till_online(t->ts) || script_call(t, &rq, &resp) != KC_OK ||
	    kc_status(resp) != KASSA__V1__STATUS_CODE__OK ||
	    resp->body_case != KASSA__V1__RESPONSE__BODY_RATE_TABLE) {
		kc_response_free(resp);
		return false;
	}
	rt = resp->rate_table;
	if (t->ts->cache != NULL)
		cache_set_rates(t->ts->cache, rt);
	for (i = 0; i < rt->n_rates && !found; i++) {
		if (strcmp(rt->rates[i]->currency, currency) == 0) {
			*version = rt->version;
			*rate_micro = rt->rates[i]->rate_micro;
			found = true;
		}
	}
	kc_response_free(resp);
	return found;
}

static bool tender_kind(const char *w, Kassa__V1__TenderKind *kind)
{
	static const struct {
		const char *name;
		Kassa__V1__TenderKind kind;
	} kinds[] = {
		{ "cash", KASSA__V1__TENDER_KIND__TENDER_CASH },
		{ "card", KASSA__V1__TENDER_KIND__TENDER_CARD },
		{ "ewallet", KASSA__V1__TENDER_KIND__TENDER_EWALLET },
		{ "stored", KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE },
	};
	size_t i;

	for (i = 0; w != NULL && i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(w, kinds[i].name) == 0) {
			*kind = kinds[i].kind;
			return true;
		}
	}
	return false;
}

/* sale pay foreign: AMOUNT in currency cur, converted at the cached rate. */
static void pay_foreign(Till *t, const Cmd *c, Kassa__V1__TenderKind kind, const char *amount_s,
			const char *cur, const char *ref)
{
	int exp = money_currency_exponent(cur);
	int64_t foreign, rate = 0;
	int32_t version = 0;
	SaleError e;

	if (kind != KASSA__V1__TENDER_KIND__TENDER_CASH &&
	    kind != KASSA__V1__TENDER_KIND__TENDER_CARD) {
		script_fail(t, c, "INVALID_ARGUMENT", "FOREIGN_NOT_ALLOWED",
			    _("only cash and card can be taken in a foreign currency"));
		return;
	}
	if (exp < 0 || strcmp(cur, t->ts->currency) == 0) {
		script_sale_fail(t, c, SALE_BAD_CURRENCY);
		return;
	}
	if (!parse_units(amount_s, exp, &foreign) || foreign <= 0) {
		script_sale_fail(t, c, SALE_BAD_AMOUNT);
		return;
	}
	if (!script_rate(t, cur, &version, &rate)) {
		script_fail(t, c, "FAILED_PRECONDITION", "RATE_UNKNOWN",
			    _("there is no exchange rate for this currency"));
		return;
	}
	e = sale_pay_foreign(&t->sale, kind, cur, foreign, version, rate, ref);
	if (e != SALE_OK) {
		script_sale_fail(t, c, e);
		return;
	}
	emit_basket(t, c, "tender",
		    script_tender_json(&t->sale.tenders[t->sale.n_tenders - 1],
				       t->sale.n_tenders));
}

/*
 * sale pay cash|stored AMOUNT | card|ewallet AMOUNT ref=REF, with
 * currency=XXX for foreign cash or card (AMOUNT in that currency).
 */
void cmd_sale_pay(Till *t, const Cmd *c)
{
	const char *amount_s = arg_word(c, 1), *ref = arg_get(c, "ref");
	const char *cur = arg_get(c, "currency");
	Kassa__V1__TenderKind kind;
	int64_t amount;
	SaleError e;

	if (amount_s == NULL || arg_count(c) != 2 + (ref != NULL) + (cur != NULL)) {
		script_usage(t, c, "sale pay cash|stored AMOUNT | sale pay card|ewallet AMOUNT "
				   "ref=REF, [currency=XXX] for foreign cash or card");
		return;
	}
	if (!tender_kind(arg_word(c, 0), &kind)) {
		script_usage(t, c, "tender must be cash, card, ewallet or stored");
		return;
	}
	if (!need_open(t, c))
		return;
	if ((kind == KASSA__V1__TENDER_KIND__TENDER_CARD ||
	     kind == KASSA__V1__TENDER_KIND__TENDER_EWALLET) && (ref == NULL || *ref == '\0')) {
		script_fail(t, c, "INVALID_ARGUMENT", "REFERENCE_REQUIRED",
			    _("card and e-wallet tenders need ref=REFERENCE"));
		return;
	}
	if ((kind == KASSA__V1__TENDER_KIND__TENDER_CASH ||
	     kind == KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE) && ref != NULL) {
		script_usage(t, c, "cash and stored value take no reference");
		return;
	}
	if (cur != NULL) {
		pay_foreign(t, c, kind, amount_s, cur, ref);
		return;
	}
	if (!money_parse(amount_s, &amount) || amount <= 0) {
		script_fail(t, c, "INVALID_ARGUMENT", "BAD_AMOUNT",
			    _("amount must be positive, like 12.34"));
		return;
	}
	e = sale_pay(&t->sale, kind, amount, ref);
	if (e != SALE_OK) {
		script_sale_fail(t, c, e);
		return;
	}
	emit_basket(t, c, "tender",
		    script_tender_json(&t->sale.tenders[t->sale.n_tenders - 1],
				       t->sale.n_tenders));
}

/*
 * sale untender N / sale void N: take tender or line N away (numbered as
 * sale show numbers them; the ones after it move up) with remove(), and
 * answer with the basket and "key": N.
 */
static void void_numbered(Till *t, const Cmd *c, const char *use, size_t max, SaleError bad,
			  SaleError (*remove)(Sale *, size_t), const char *key)
{
	size_t no;
	SaleError e;

	if (arg_count(c) != 1) {
		script_usage(t, c, use);
		return;
	}
	if (!need_open(t, c) || !number_arg(t, c, arg_word(c, 0), max, bad, &no))
		return;
	e = remove(&t->sale, no);
	if (e != SALE_OK) {
		script_sale_fail(t, c, e);
		return;
	}
	emit_basket(t, c, key, json_integer((json_int_t)no));
}

/* sale untender N: void tender N. */
void cmd_sale_untender(Till *t, const Cmd *c)
{
	void_numbered(t, c, "sale untender TENDER_NO", SALE_MAX_TENDERS, SALE_BAD_TENDER,
		      sale_void_tender, "voided_tender");
}

/* ---- lines ---- */

/* sale void N: remove line N. */
void cmd_sale_void(Till *t, const Cmd *c)
{
	void_numbered(t, c, "sale void LINE_NO", SALE_MAX_LINES, SALE_BAD_LINE, sale_void_line,
		      "voided_line");
}

/* sale qty N QTY: line N's quantity becomes QTY (1..SALE_MAX_QTY). */
void cmd_sale_qty(Till *t, const Cmd *c)
{
	const char *qty_s = arg_word(c, 1);
	int64_t qty;
	size_t no;
	SaleError e;

	if (arg_count(c) != 2 || qty_s == NULL) {
		script_usage(t, c, "sale qty LINE_NO QUANTITY");
		return;
	}
	if (!need_open(t, c) ||
	    !number_arg(t, c, arg_word(c, 0), SALE_MAX_LINES, SALE_BAD_LINE, &no))
		return;
	if (!kc_parse_i64(qty_s, &qty)) {
		script_sale_fail(t, c, SALE_BAD_QUANTITY);
		return;
	}
	e = sale_set_qty(&t->sale, no, qty);
	if (e != SALE_OK) {
		script_sale_fail(t, c, e);
		return;
	}
	emit_basket(t, c, "line", script_item_json(&t->sale.items[no - 1], no));
}

/* ---- suspended sales ---- */

void cmd_sale_suspend(Till *t, const Cmd *c)
{
	int slot = 0;
	SaleError e;
	json_t *o;

	if (arg_count(c) != 0) {
		script_usage(t, c, "sale suspend");
		return;
	}
	e = sale_suspend(&t->sale, t->ts->cfg->state_dir, &slot);
	if (e != SALE_OK) {
		script_sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "slot", json_integer(slot));
	kcj_emit(o);
}

/* sale resume [N]: the suspended sale in slot N, or the one suspended last. */
void cmd_sale_resume(Till *t, const Cmd *c)
{
	int64_t slot = 0;
	SaleError e;

	if (arg_count(c) > 1 ||
	    (arg_count(c) == 1 && (!kc_parse_i64(arg_word(c, 0), &slot) || slot < 1))) {
		script_usage(t, c, "sale resume [SLOT]");
		return;
	}
	if (slot > SALE_MAX_SUSPENDED) {
		script_sale_fail(t, c, SALE_NO_SUSPENDED);
		return;
	}
	e = sale_resume(&t->sale, t->ts->cfg->state_dir, (int)slot);
	if (e != SALE_OK) {
		script_sale_fail(t, c, e);
		return;
	}
	emit_basket(t, c, NULL, NULL);
}

void cmd_sale_suspended(Till *t, const Cmd *c)
{
	SaleSuspended list[SALE_MAX_SUSPENDED];
	size_t n, i;
	json_t *o, *arr;

	if (arg_count(c) != 0) {
		script_usage(t, c, "sale suspended");
		return;
	}
	n = sale_suspended_list(t->ts->cfg->state_dir, list, SALE_MAX_SUSPENDED);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "slot", json_integer(list[i].slot));
		json_object_set_new(e, "suspended_at", json_integer(list[i].suspended_at));
		json_object_set_new(e, "lines", json_integer((json_int_t)list[i].n_items));
		kcj_money(e, "total", list[i].total_minor);
		json_object_set_new(e, "member_id", json_integer(list[i].member_id));
		json_array_append_new(arr, e);
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "count", json_integer((json_int_t)n));
	json_object_set_new(o, "suspended", arr);
	kcj_emit(o);
}
