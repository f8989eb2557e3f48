/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_sale: kassa-till's sale commands (sale begin, add, gift, member,
 * pay, redeem, coupon, quote, show, finish, cancel) on the Till's Sale
 * (sale.c), and the look-ups a sale needs: product, and txn show for a
 * recorded transaction. Mistakes the basket catches before anything is
 * sent are answered FAILED_PRECONDITION (no sale, empty sale) or
 * INVALID_ARGUMENT. See script_cmds.h for what the command files share.
 */
#include <string.h>

#include <jansson.h>

#include "kc_json.h"
#include "kc_options.h"
#include "money.h"
#include "script_cmds.h"

static void sale_fail(Till *t, const Cmd *c, SaleError e)
{
	const char *code = e == SALE_NOT_OPEN || e == SALE_ALREADY_OPEN || e == SALE_EMPTY
				   ? "FAILED_PRECONDITION" : "INVALID_ARGUMENT";
	static const char *const msgs[] = {
		[SALE_OK] = "",
		[SALE_NOT_OPEN] = "no sale is open: use sale begin",
		[SALE_ALREADY_OPEN] = "a sale is open: finish or cancel it first",
		[SALE_TOO_MANY] = "too many lines or tenders on this sale",
		[SALE_BAD_QUANTITY] = "quantity must be a whole number from 1 to 100000",
		[SALE_BAD_AMOUNT] = "amount must be positive and the totals must fit",
		[SALE_EMPTY] = "the sale has no lines",
	};

	script_fail(t, c, code, sale_error_name(e), msgs[e]);
}

/*
 * The start of a sale command that takes no arguments (usage_msg is its
 * usage): true if a sale is open and, when need_lines, has lines; else
 * print why and return false.
 */
static bool sale_ready(Till *t, const Cmd *c, const char *usage_msg, bool need_lines)
{
	if (arg_count(c) != 0) {
		script_usage(t, c, usage_msg);
		return false;
	}
	if (!t->sale.open) {
		sale_fail(t, c, SALE_NOT_OPEN);
		return false;
	}
	if (need_lines && t->sale.n_items == 0) {
		sale_fail(t, c, SALE_EMPTY);
		return false;
	}
	return true;
}

/* ---- look-ups: product, txn ---- */

void cmd_product(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	const char *code = arg_word(c, 0);
	json_t *o;

	if (arg_count(c) != 1 || code == NULL) {
		script_usage(t, c, "product CODE");
		return;
	}
	if (!script_answered_ok(t, c, kc_product_lookup(t->kc, code, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_PRODUCT))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "product", kcj_product(resp->product));
	kcj_emit(o);
	kc_response_free(resp);
}

void cmd_txn_show(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	int64_t id;
	json_t *o;

	if (arg_count(c) != 1 || !kc_parse_i64(arg_word(c, 0), &id)) {
		script_usage(t, c, "txn show ID");
		return;
	}
	if (!script_answered_ok(t, c, kc_transaction_get(t->kc, id, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TRANSACTION))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "transaction", kcj_transaction(resp->transaction));
	kcj_emit(o);
	kc_response_free(resp);
}

/* ---- the sale ---- */

/* Add the basket's totals to o: total, tendered, due (still to pay), change. */
static void sale_totals_json(const Sale *s, json_t *o)
{
	int64_t total = 0, tendered = 0;

	if (!sale_total(s, &total) || !sale_tendered(s, &tendered))
		return;	/* cannot happen: sale_add()/sale_pay() refuse overflow */
	kcj_money(o, "total", total);
	kcj_money(o, "tendered", tendered);
	kcj_money(o, "due", tendered < total ? total - tendered : 0);
	kcj_money(o, "change", tendered > total ? tendered - total : 0);
}

static json_t *sale_item_json(const SaleItem *it, size_t line_no)
{
	json_t *o = json_object();

	json_object_set_new(o, "line_no", json_integer((json_int_t)line_no));
	json_object_set_new(o, "code", json_string(it->code));
	json_object_set_new(o, "product_id", json_integer(it->product_id));
	json_object_set_new(o, "sku", json_string(it->sku));
	json_object_set_new(o, "name", json_string(it->name));
	json_object_set_new(o, "quantity", json_integer(it->quantity));
	kcj_money(o, "unit_price", it->unit_minor);
	kcj_money(o, "line_total", it->line_minor);
	json_object_set_new(o, "gift", json_boolean(it->gift));
	return o;
}

void cmd_sale_begin(Till *t, const Cmd *c)
{
	SaleError e;

	if (arg_count(c) != 0) {
		script_usage(t, c, "sale begin");
		return;
	}
	e = sale_begin(&t->sale);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	kcj_emit(kcj_ok(c->name));
}

/* sale add / sale gift: look CODE up and add [QTY] of it as a paid or a gift line. */
static void sale_add_line(Till *t, const Cmd *c, bool gift)
{
	Kassa__V1__Response *resp = NULL;
	const char *code = arg_word(c, 0), *qty_s = arg_word(c, 1);
	int64_t qty = 1;
	size_t line_no;
	SaleError e;
	json_t *o;

	if (code == NULL || arg_count(c) > 2 || (arg_count(c) == 2 && qty_s == NULL)) {
		script_usage(t, c, gift ? "sale gift CODE [QTY]" : "sale add CODE [QTY]");
		return;
	}
	if (qty_s != NULL && (!kc_parse_i64(qty_s, &qty) || qty < 1 || qty > SALE_MAX_QTY)) {
		sale_fail(t, c, SALE_BAD_QUANTITY);
		return;
	}
	if (!t->sale.open) {
		sale_fail(t, c, SALE_NOT_OPEN);
		return;
	}
	if (!script_answered_ok(t, c, kc_product_lookup(t->kc, code, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_PRODUCT))
		return;
	if (gift)
		e = sale_add_gift(&t->sale, resp->product, code, (int32_t)qty, &line_no);
	else
		e = sale_add(&t->sale, resp->product, code, (int32_t)qty, &line_no);
	kc_response_free(resp);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "line", sale_item_json(&t->sale.items[line_no - 1], line_no));
	json_object_set_new(o, "lines", json_integer((json_int_t)t->sale.n_items));
	sale_totals_json(&t->sale, o);
	kcj_emit(o);
}

void cmd_sale_add(Till *t, const Cmd *c)
{
	sale_add_line(t, c, false);
}

/* A line from the gift catalogue: price 0 here, the server charges its points. */
void cmd_sale_gift(Till *t, const Cmd *c)
{
	sale_add_line(t, c, true);
}

void cmd_sale_member(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp;
	json_t *o;
	SaleError e;

	if (!t->sale.open) {
		sale_fail(t, c, SALE_NOT_OPEN);
		return;
	}
	if (!script_member_lookup(t, c, true, &resp))
		return;
	e = sale_set_member(&t->sale, resp->member);
	if (e != SALE_OK) {
		kc_response_free(resp);
		sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "member", kcj_member(resp->member, false));
	kcj_emit(o);
	kc_response_free(resp);
}

void cmd_sale_pay(Till *t, const Cmd *c)
{
	const char *kind_s = arg_word(c, 0), *amount_s = arg_word(c, 1), *ref = arg_get(c, "ref");
	Kassa__V1__TenderKind kind;
	const SaleTender *td;
	int64_t amount;
	SaleError e;
	json_t *o, *to;

	if (kind_s == NULL || amount_s == NULL || arg_count(c) != (ref != NULL ? 3 : 2)) {
		script_usage(t, c,
			     "sale pay cash|stored AMOUNT | sale pay card|ewallet AMOUNT ref=REF");
		return;
	}
	if (strcmp(kind_s, "cash") == 0) {
		kind = KASSA__V1__TENDER_KIND__TENDER_CASH;
	} else if (strcmp(kind_s, "card") == 0) {
		kind = KASSA__V1__TENDER_KIND__TENDER_CARD;
	} else if (strcmp(kind_s, "ewallet") == 0) {
		kind = KASSA__V1__TENDER_KIND__TENDER_EWALLET;
	} else if (strcmp(kind_s, "stored") == 0) {
		kind = KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE;
	} else {
		script_usage(t, c, "tender must be cash, card, ewallet or stored");
		return;
	}
	if ((kind == KASSA__V1__TENDER_KIND__TENDER_CARD ||
	     kind == KASSA__V1__TENDER_KIND__TENDER_EWALLET) && (ref == NULL || *ref == '\0')) {
		script_fail(t, c, "INVALID_ARGUMENT", "REFERENCE_REQUIRED",
			    "card and e-wallet tenders need ref=REFERENCE");
		return;
	}
	if ((kind == KASSA__V1__TENDER_KIND__TENDER_CASH ||
	     kind == KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE) && ref != NULL) {
		script_usage(t, c, "cash and stored value take no reference");
		return;
	}
	if (!money_parse(amount_s, &amount) || amount <= 0) {
		script_fail(t, c, "INVALID_ARGUMENT", "BAD_AMOUNT",
			    "amount must be positive, like 12.34");
		return;
	}
	e = sale_pay(&t->sale, kind, amount, ref);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	td = &t->sale.tenders[t->sale.n_tenders - 1];
	o = kcj_ok(c->name);
	to = json_object();
	json_object_set_new(to, "kind", json_string(kcj_tender_name(td->kind)));
	kcj_money(to, "amount", td->amount_minor);
	json_object_set_new(to, "reference", json_string(td->reference));
	json_object_set_new(o, "tender", to);
	sale_totals_json(&t->sale, o);
	kcj_emit(o);
}

void cmd_sale_redeem(Till *t, const Cmd *c)
{
	const char *pts = arg_word(c, 0);
	int64_t points;
	SaleError e;
	json_t *o;

	if (pts == NULL || arg_count(c) != 1) {
		script_usage(t, c, "sale redeem POINTS");
		return;
	}
	if (!kc_parse_i64(pts, &points) || points < 0) {
		script_fail(t, c, "INVALID_ARGUMENT", "BAD_POINTS",
			    "points must be a whole number >= 0");
		return;
	}
	e = sale_redeem(&t->sale, points);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "points_redeem", json_integer(points));
	kcj_emit(o);
}

void cmd_sale_coupon(Till *t, const Cmd *c)
{
	const char *code = arg_word(c, 0);
	SaleError e;
	json_t *o;

	if (code == NULL || arg_count(c) != 1) {
		script_usage(t, c, "sale coupon CODE");
		return;
	}
	e = sale_coupon(&t->sale, code);
	if (e != SALE_OK) {
		sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "coupons", json_integer((json_int_t)t->sale.n_coupons));
	kcj_emit(o);
}

/* What the server would charge: tier, coupons and points applied, nothing recorded. */
void cmd_sale_quote(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	json_t *o;

	if (!sale_ready(t, c, "sale quote", true))
		return;
	if (!script_answered_ok(t, c, sale_quote(&t->sale, t->kc, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TRANSACTION))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "quote", kcj_transaction(resp->transaction));
	kcj_emit(o);
	kc_response_free(resp);
}

void cmd_sale_show(Till *t, const Cmd *c)
{
	const Sale *s = &t->sale;
	json_t *o, *lines, *tenders;
	size_t i;

	if (!sale_ready(t, c, "sale show", false))
		return;
	o = kcj_ok(c->name);
	lines = json_array();
	for (i = 0; i < s->n_items; i++)
		json_array_append_new(lines, sale_item_json(&s->items[i], i + 1));
	json_object_set_new(o, "lines", lines);
	tenders = json_array();
	for (i = 0; i < s->n_tenders; i++) {
		json_t *to = json_object();

		json_object_set_new(to, "kind", json_string(kcj_tender_name(s->tenders[i].kind)));
		kcj_money(to, "amount", s->tenders[i].amount_minor);
		json_object_set_new(to, "reference", json_string(s->tenders[i].reference));
		json_array_append_new(tenders, to);
	}
	json_object_set_new(o, "tenders", tenders);
	json_object_set_new(o, "member_id", json_integer(s->member_id));
	if (s->member != NULL)
		json_object_set_new(o, "member", kcj_member(s->member, false));
	sale_totals_json(s, o);
	kcj_emit(o);
}

void cmd_sale_finish(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	int before = kc_reconnects(t->kc);
	KcResult r;
	json_t *o;

	if (!sale_ready(t, c, "sale finish", true))
		return;
	r = sale_checkout(&t->sale, t->kc, &resp);
	if (!script_answered_ok(t, c, r, &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TRANSACTION))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "idempotency_key", json_string(t->sale.key));
	json_object_set_new(o, "reconnects", json_integer(kc_reconnects(t->kc) - before));
	json_object_set_new(o, "transaction", kcj_transaction(resp->transaction));
	kcj_emit(o);
	kc_response_free(resp);
}

void cmd_sale_cancel(Till *t, const Cmd *c)
{
	if (!sale_ready(t, c, "sale cancel", false))
		return;
	sale_reset(&t->sale);
	kcj_emit(kcj_ok(c->name));
}

