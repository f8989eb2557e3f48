/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supplier.c: the suppliers (store operations, part "supply"):
 * SupplierPut creates or changes a supplier and its contacts,
 * SupplierProductPut records what it supplies (cost, pack size, minimum
 * order, lead time, preferred), SupplierList answers the roster with the
 * products. kassad checks the shapes; one call of kassa_supplier_put() /
 * kassa_supplier_product_put() (migrations/functions/suppliers.sql) writes
 * the change and its 'supplier.put' audit row, exactly once per
 * idempotency key, and answers the supplier as it now is.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "supplier.h"
#include "supply_db.h"

#define SUPPLIER_CODE_MAX 32
#define SUPPLIER_TEXT_MAX 200		/* bytes of a name or contact field */
#define SUPPLIER_LEAD_MAX 365
#define SUPPLIER_COST_MAX 100000000000LL	/* minor units per unit */

static int st_put, st_product, st_list;

void supplier_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 code $6 name $7 person $8 phone $9 email
	 * $10 address $11 active */
	st_put = db_stmt_add("supplier_put",
		"SELECT * FROM kassa_supplier_put($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		DB_LANE_WORK);
	/* ... $5 code $6 sku $7 cost $8 currency $9 pack $10 min $11 lead $12 preferred */
	st_product = db_stmt_add("supplier_product_put",
		"SELECT * FROM kassa_supplier_product_put($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
		" $11, $12)", DB_LANE_WORK);
	st_list = db_stmt_add("supplier_list", "SELECT * FROM kassa_supplier_rows(NULL, $1)",
			      DB_LANE_QUICK);
}

/* A supplier code: 1-32 of letters, digits, "-", "_", "." (it is typed at the office). */
bool supplier_code_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SUPPLIER_CODE_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static bool text_ok(const char *s, bool required)
{
	return (!required || s[0] != '\0') && strlen(s) <= SUPPLIER_TEXT_MAX && !has_control(s);
}

static void supplier_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	supply_reply_suppliers(c, res, false);
}

void handle_supplier_put(Call *c)
{
	const Kassa__V1__SupplierPut *q = c->req->supplier_put;
	SupplyParams p;

	if (!supplier_code_is_valid(q->code)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SUPPLIER_CODE",
			  _("a supplier code is 1 to %d letters, digits, - _ or ."),
			  SUPPLIER_CODE_MAX);
		return;
	}
	if (!text_ok(q->name, true) || !text_ok(q->contact_person, false) ||
	    !text_ok(q->phone, false) || !text_ok(q->email, false) ||
	    !text_ok(q->address, false) || (q->email[0] && !strchr(q->email, '@'))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SUPPLIER",
			  _("give a name, and contacts of at most %d bytes on one line"
			    " (an e-mail address has an @)"), SUPPLIER_TEXT_MAX);
		return;
	}
	supply_params_init(&p, c, &q->base);
	const char *params[11] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), q->code, q->name,
		q->contact_person, q->phone, q->email, q->address, q->inactive ? "false" : "true",
	};
	db_query(st_put, 11, params, supplier_cb, c);
	supply_params_free(&p);
}

void handle_supplier_product_put(Call *c)
{
	const Kassa__V1__SupplierProductPut *q = c->req->supplier_product_put;
	char cost[24], pack[24], min[24], lead[16];
	SupplyParams p;

	if (!supplier_code_is_valid(q->supplier_code) || q->sku[0] == '\0') {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SUPPLIER_PRODUCT", "%s",
			  _("give the supplier's code and the product's SKU"));
		return;
	}
	if (q->cost_minor < 0 || q->cost_minor > SUPPLIER_COST_MAX || q->pack_size < 0 ||
	    q->pack_size > SUPPLY_LINE_QTY_MAX || q->min_order < 0 ||
	    q->min_order > SUPPLY_LINE_QTY_MAX || q->lead_days < 0 ||
	    q->lead_days > SUPPLIER_LEAD_MAX ||
	    (q->currency[0] && (strlen(q->currency) != 3 || has_control(q->currency)))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TERMS",
			  _("cost, pack size and minimum order are not negative, the lead time"
			    " is 0 to %d days, a currency has 3 letters"), SUPPLIER_LEAD_MAX);
		return;
	}
	snprintf(cost, sizeof(cost), "%lld", (long long)q->cost_minor);
	snprintf(pack, sizeof(pack), "%lld", (long long)(q->pack_size > 0 ? q->pack_size : 1));
	snprintf(min, sizeof(min), "%lld", (long long)q->min_order);
	snprintf(lead, sizeof(lead), "%d", (int)q->lead_days);
	supply_params_init(&p, c, &q->base);
	const char *params[12] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), q->supplier_code,
		q->sku, cost, q->currency, pack, min, lead, q->preferred ? "true" : "false",
	};
	db_query(st_product, 12, params, supplier_cb, c);
	supply_params_free(&p);
}

static void roster_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	supply_reply_suppliers(c, res, true);
}

void handle_supplier_list(Call *c)
{
	const char *params[1] = { c->req->supplier_list->include_inactive ? "true" : "false" };

	db_query(st_list, 1, params, roster_cb, c);
}
