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

#include "i18n.h"
#include "kc_json.h"
#include "kc_options.h"
#include "money.h"
#include "script_cmds.h"

void script_sale_fail(Till *t, const Cmd *c, SaleError e)
{
	const char *code;

	switch (e) {
	case SALE_NOT_OPEN:
	case SALE_ALREADY_OPEN:
	case SALE_EMPTY:
	case SALE_HAS_TENDERS:
	case SALE_SUSPEND_FULL:
	case SALE_MEMBER_SET:
		code = "FAILED_PRECONDITION";
		break;
	case SALE_NO_SUSPENDED:
		code = "NOT_FOUND";
		break;
	case SALE_STORAGE:
		code = "INTERNAL";
		break;
	default:
		code = "INVALID_ARGUMENT";
		break;
	}
	script_fail(t, c, code, sale_error_name(e), sale_error_message(e));
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
		script_sale_fail(t, c, SALE_NOT_OPEN);
		return false;
	}
	if (need_lines && t->sale.n_items == 0) {
		script_sale_fail(t, c, SALE_EMPTY);
		return false;
	}
	return true;
}

/* ---- look-ups: product, txn ---- */

void cmd_product(Till *t, const Cmd *c)
{
	Kassa__V1__Response *resp = NULL;
	const char *code = arg_word(c, 0);
	KcReq r;
	json_t *o;

	if (arg_count(c) != 1 || code == NULL) {
		script_usage(t, c, "product CODE");
		return;
	}
	kc_req_product_lookup(&r, code);
	if (!script_answered_ok(t, c, script_call(t, &r, &resp), &resp) ||
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
	KcReq r;
	json_t *o;

	if (arg_count(c) != 1 || !kc_parse_i64(arg_word(c, 0), &id)) {
		script_usage(t, c, "txn show ID");
		return;
	}
	kc_req_transaction_get(&r, id, NULL);
	if (!script_answered_ok(t, c, script_call(t, &r, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TRANSACTION))
		return;
	o = kcj_ok(c->name);
	json_object_set_new(o, "transaction", kcj_transaction(resp->transaction));
	kcj_emit(o);
	kc_response_free(resp);
}

/* ---- the sale ---- */

void script_sale_totals(const Sale *s, json_t *o)
{
	int64_t total = 0, tendered = 0;

	if (!sale_total(s, &total) || !sale_tendered(s, &tendered))
		return;	/* cannot happen: sale_add()/sale_pay() refuse overflow */
	kcj_money(o, "total", total);
	kcj_money(o, "tendered", tendered);
	kcj_money(o, "due", sale_due(s));
	kcj_money(o, "change", sale_change(s));
}

json_t *script_item_json(const SaleItem *it, size_t line_no)
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

json_t *script_tender_json(const SaleTender *td, size_t tender_no)
{
	json_t *o = json_object();

	json_object_set_new(o, "tender_no", json_integer((json_int_t)tender_no));
	json_object_set_new(o, "kind", json_string(kcj_tender_name(td->kind)));
	kcj_money(o, "amount", td->amount_minor);
	json_object_set_new(o, "reference", json_string(td->reference));
	json_object_set_new(o, "currency", json_string(td->currency));
	if (td->currency[0] != '\0') {
		json_object_set_new(o, "foreign_minor", json_integer(td->foreign_minor));
		json_object_set_new(o, "rate_version", json_integer(td->rate_version));
		json_object_set_new(o, "rate_micro", json_integer(td->rate_micro));
	}
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
		script_sale_fail(t, c, e);
		return;
	}
	kcj_emit(kcj_ok(c->name));
}

/* sale add / sale gift: look CODE up and add [QTY] of it as a paid or a gift line. */
static void sale_add_line(Till *t, const Cmd *c, bool gift)
{
	const Kassa__V1__Product *p;
	const char *code = arg_word(c, 0), *qty_s = arg_word(c, 1), *detail = NULL;
	int64_t qty = 1;
	size_t line_no;
	SaleError e;
	json_t *o;

	if (code == NULL || arg_count(c) > 2 || (arg_count(c) == 2 && qty_s == NULL)) {
		script_usage(t, c, gift ? "sale gift CODE [QTY]" : "sale add CODE [QTY]");
		return;
	}
	if (qty_s != NULL && (!kc_parse_i64(qty_s, &qty) || qty < 1 || qty > SALE_MAX_QTY)) {
		script_sale_fail(t, c, SALE_BAD_QUANTITY);
		return;
	}
	if (!t->sale.open) {
		script_sale_fail(t, c, SALE_NOT_OPEN);
		return;
	}
	/* online from the server (and into the cache), offline from the cache */
	p = till_product(t->ts, code, &detail);
	if (p == NULL) {
		if (detail == NULL || strcmp(detail, "UNKNOWN_PRODUCT") == 0)
			script_fail(t, c, "NOT_FOUND", "UNKNOWN_PRODUCT",
				    _("unknown barcode or SKU: nothing was added"));
		else
			script_fail(t, c, "UNAVAILABLE", detail,
				    _("the product could not be looked up: nothing was added"));
		return;
	}
	if (gift)
		e = sale_add_gift(&t->sale, p, code, qty, &line_no);
	else
		e = sale_add(&t->sale, p, code, qty, &line_no);
	if (e != SALE_OK) {
		script_sale_fail(t, c, e);
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "line", script_item_json(&t->sale.items[line_no - 1], line_no));
	json_object_set_new(o, "lines", json_integer((json_int_t)t->sale.n_items));
	script_sale_totals(&t->sale, o);
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
		script_sale_fail(t, c, e);
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
		script_sale_fail(t, c, e);
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
	if (!script_answered_ok(t, c, script_quote(t, &resp), &resp) ||
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
		json_array_append_new(lines, script_item_json(&s->items[i], i + 1));
	json_object_set_new(o, "lines", lines);
	tenders = json_array();
	for (i = 0; i < s->n_tenders; i++)
		json_array_append_new(tenders, script_tender_json(&s->tenders[i], i + 1));
	json_object_set_new(o, "tenders", tenders);
	json_object_set_new(o, "member_id", json_integer(s->member_id));
	if (s->member != NULL)
		json_object_set_new(o, "member", kcj_member(s->member, false));
	script_sale_totals(s, o);
	kcj_emit(o);
}

void cmd_sale_cancel(Till *t, const Cmd *c)
{
	if (!sale_ready(t, c, "sale cancel", false))
		return;
	sale_reset(&t->sale);
	kcj_emit(kcj_ok(c->name));
}

