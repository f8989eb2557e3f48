/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supply_db.c: the parameters, checks and replies the supply handlers
 * share (see supply_db.h). Replies are built from the result inside the
 * database callback, borrowing its strings, and packed before it returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "supply_db.h"

void supply_params_init(SupplyParams *p, const Call *c, const ProtobufCMessage *body)
{
	p->hash = (SqlText)SQLTEXT_INIT;
	sqltext_hash(&p->hash, body);
	snprintf(p->till, sizeof(p->till), "%lld", (long long)c->sess->till_id);
	snprintf(p->staff, sizeof(p->staff), "%lld", (long long)c->staff_id);
	snprintf(p->limit, sizeof(p->limit), "%lld", (long long)supply_store_limit(c));
}

void supply_params_free(SupplyParams *p)
{
	sqltext_free(&p->hash);
}

int64_t supply_store_limit(const Call *c)
{
	return c->role == ROLE_MANAGER ? c->sess->store_id : 0;
}

bool supply_lines(Call *c, Kassa__V1__PurchaseLineQty **lines, size_t n, SqlText *skus,
		  SqlText *qtys)
{
	if (n == 0 || n > SUPPLY_LINES_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINES",
			  _("give 1 to %d lines of SKU and quantity"), SUPPLY_LINES_MAX);
		return false;
	}
	sqltext_open(skus);
	sqltext_open(qtys);
	for (size_t i = 0; i < n; i++) {
		const Kassa__V1__PurchaseLineQty *l = lines[i];

		if (l->sku[0] == '\0' || strlen(l->sku) > 64) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SKU", "%s",
				  _("every line needs a SKU"));
			return false;
		}
		if (l->quantity <= 0 || l->quantity > SUPPLY_LINE_QTY_MAX) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_QUANTITY",
				  _("a quantity is 1 to %d units"), SUPPLY_LINE_QTY_MAX);
			return false;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(lines[j]->sku, l->sku) == 0) {
				call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
					  "DUPLICATE_SKU", _("SKU %s is given twice"), l->sku);
				return false;
			}
		sqltext_elem_str(skus, l->sku);
		sqltext_elem_int(qtys, l->quantity);
	}
	sqltext_close(skus);
	sqltext_close(qtys);
	return true;
}

static char *val(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col);	/* "" for NULL; borrowed from res */
}

static int64_t num(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* kassa_supplier_row columns */
enum { SR_ID, SR_CODE, SR_NAME, SR_PERSON, SR_PHONE, SR_EMAIL, SR_ADDRESS, SR_ACTIVE, SR_SKU,
       SR_PNAME, SR_COST, SR_CUR, SR_PACK, SR_MIN, SR_LEAD, SR_PREF, SR_NCOLS };

static void supplier_fill(Kassa__V1__Supplier *s, const PGresult *res, int row)
{
	kassa__v1__supplier__init(s);
	s->supplier_id = num(res, row, SR_ID);
	s->code = val(res, row, SR_CODE);
	s->name = val(res, row, SR_NAME);
	s->contact_person = val(res, row, SR_PERSON);
	s->phone = val(res, row, SR_PHONE);
	s->email = val(res, row, SR_EMAIL);
	s->address = val(res, row, SR_ADDRESS);
	s->active = val(res, row, SR_ACTIVE)[0] == 't';
}

static void supplier_product_fill(Kassa__V1__SupplierProduct *p, const PGresult *res, int row)
{
	kassa__v1__supplier_product__init(p);
	p->sku = val(res, row, SR_SKU);
	p->name = val(res, row, SR_PNAME);
	p->cost_minor = num(res, row, SR_COST);
	p->currency = val(res, row, SR_CUR);
	p->pack_size = num(res, row, SR_PACK);
	p->min_order = num(res, row, SR_MIN);
	p->lead_days = (int32_t)num(res, row, SR_LEAD);
	p->preferred = val(res, row, SR_PREF)[0] == 't';
}

void supply_reply_suppliers(Call *c, const PGresult *res, bool roster)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__SupplierRoster ros = KASSA__V1__SUPPLIER_ROSTER__INIT;
	int n = PQntuples(res), ns = 0;
	Kassa__V1__Supplier *sup = xcalloc((size_t)n + 1, sizeof(*sup));
	Kassa__V1__Supplier **ptr = xcalloc((size_t)n + 1, sizeof(*ptr));
	Kassa__V1__SupplierProduct *prod = xcalloc((size_t)n + 1, sizeof(*prod));
	Kassa__V1__SupplierProduct **pp = xcalloc((size_t)n + 1, sizeof(*pp));

	if (PQnfields(res) != SR_NCOLS || (!roster && n == 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "SUPPLIER_NOT_FOUND", "%s",
			  _("no such supplier"));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (ns == 0 || sup[ns - 1].supplier_id != num(res, i, SR_ID)) {
			supplier_fill(&sup[ns], res, i);
			sup[ns].products = &pp[i];	/* its products follow in pp */
			ptr[ns] = &sup[ns];
			ns++;
		}
		if (PQgetisnull(res, i, SR_SKU))
			continue;
		supplier_product_fill(&prod[i], res, i);
		sup[ns - 1].products[sup[ns - 1].n_products++] = &prod[i];
	}
	if (roster) {
		ros.suppliers = ptr;
		ros.n_suppliers = (size_t)ns;
		resp.body_case = KASSA__V1__RESPONSE__BODY_SUPPLIER_ROSTER;
		resp.supplier_roster = &ros;
	} else {
		resp.body_case = KASSA__V1__RESPONSE__BODY_SUPPLIER;
		resp.supplier = &sup[0];
	}
	call_reply(c, &resp);
out:
	free(sup);
	free(ptr);
	free(prod);
	free(pp);
}

/* kassa_po_row columns */
enum { PR_ID, PR_SCODE, PR_SNAME, PR_STORE, PR_STATE, PR_CUR, PR_CREATED, PR_SENT,
       PR_EXPECTED, PR_LEAD, PR_RECEIPTS, PR_TOTAL, PR_RECEIPT, PR_SKU, PR_PNAME, PR_ORDERED,
       PR_RECEIVED, PR_COST, PR_NCOLS };

static void order_fill(Kassa__V1__PurchaseOrder *o, const PGresult *res, int row)
{
	kassa__v1__purchase_order__init(o);
	o->po_id = num(res, row, PR_ID);
	o->supplier_code = val(res, row, PR_SCODE);
	o->supplier_name = val(res, row, PR_SNAME);
	o->store_id = num(res, row, PR_STORE);
	o->state = val(res, row, PR_STATE);
	o->currency = val(res, row, PR_CUR);
	o->created_on = val(res, row, PR_CREATED);
	o->sent_on = val(res, row, PR_SENT);
	o->expected_on = val(res, row, PR_EXPECTED);
	o->lead_days = (int32_t)num(res, row, PR_LEAD);
	o->receipts = (int32_t)num(res, row, PR_RECEIPTS);
	o->total_minor = num(res, row, PR_TOTAL);
	o->receipt_id = num(res, row, PR_RECEIPT);
}

static void line_fill(Kassa__V1__PurchaseOrderLine *l, const PGresult *res, int row)
{
	kassa__v1__purchase_order_line__init(l);
	l->sku = val(res, row, PR_SKU);
	l->name = val(res, row, PR_PNAME);
	l->ordered = num(res, row, PR_ORDERED);
	l->received = num(res, row, PR_RECEIVED);
	l->cost_minor = num(res, row, PR_COST);
}

void supply_reply_orders(Call *c, const PGresult *res, bool page, int limit)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__PurchaseOrderPage pg = KASSA__V1__PURCHASE_ORDER_PAGE__INIT;
	int n = PQntuples(res), no = 0;
	Kassa__V1__PurchaseOrder *ord = xcalloc((size_t)n + 1, sizeof(*ord));
	Kassa__V1__PurchaseOrder **ptr = xcalloc((size_t)n + 1, sizeof(*ptr));
	Kassa__V1__PurchaseOrderLine *lin = xcalloc((size_t)n + 1, sizeof(*lin));
	Kassa__V1__PurchaseOrderLine **lp = xcalloc((size_t)n + 1, sizeof(*lp));

	if (PQnfields(res) != PR_NCOLS || (!page && n == 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "PO_NOT_FOUND", "%s",
			  _("no such purchase order"));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (no == 0 || ord[no - 1].po_id != num(res, i, PR_ID)) {
			order_fill(&ord[no], res, i);
			ord[no].lines = &lp[i];		/* its lines follow in lp */
			ptr[no] = &ord[no];
			no++;
		}
		if (PQgetisnull(res, i, PR_SKU))
			continue;
		line_fill(&lin[i], res, i);
		ord[no - 1].lines[ord[no - 1].n_lines++] = &lin[i];
	}
	if (page) {
		pg.orders = ptr;
		pg.n_orders = (size_t)no;
		pg.next_before_id = no == limit && no > 0 ? ord[no - 1].po_id : 0;
		resp.body_case = KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER_PAGE;
		resp.purchase_order_page = &pg;
	} else {
		resp.body_case = KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER;
		resp.purchase_order = &ord[0];
	}
	call_reply(c, &resp);
out:
	free(ord);
	free(ptr);
	free(lin);
	free(lp);
}
