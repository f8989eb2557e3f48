/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supply_db: what the supply handlers (supplier.c, purchase.c,
 * receiving.c) share: the till / staff / request-hash parameters of a
 * mutating call, the caller's store limit, the checked SKU and quantity
 * arrays of a request's lines, and the replies built from the row shapes
 * kassa_supplier_row and kassa_po_row (migrations/0029_suppliers.sql).
 */
#ifndef KASSA_SUPPLY_DB_H
#define KASSA_SUPPLY_DB_H

#include <libpq-fe.h>

#include "core.h"
#include "sqltext.h"

#define SUPPLY_LINES_MAX 500		/* lines of one order or receipt */
#define SUPPLY_LINE_QTY_MAX 1000000	/* units of one line */

typedef struct SupplyParams {
	char till[24];
	char staff[24];
	char limit[24];			/* the caller's store limit (supply_store_limit) */
	SqlText hash;			/* owned: bytea literal of the request body's hash */
} SupplyParams;

/* Fill p for c and its request body; free with supply_params_free(). */
void supply_params_init(SupplyParams *p, const Call *c, const ProtobufCMessage *body);
void supply_params_free(SupplyParams *p);

/* The only store whose orders c's caller may see or touch: a manager's own, else 0 (any). */
int64_t supply_store_limit(const Call *c);

/*
 * Check lines (1 .. SUPPLY_LINES_MAX, a SKU each once, 1 ..
 * SUPPLY_LINE_QTY_MAX units) and append them to skus and qtys as array
 * literals. False after answering c INVALID_ARGUMENT.
 */
MUSTCHECK bool supply_lines(Call *c, Kassa__V1__PurchaseLineQty **lines, size_t n,
			    SqlText *skus, SqlText *qtys);

/* Answer c with the Supplier (roster false: res holds one) or the SupplierRoster of res. */
void supply_reply_suppliers(Call *c, const PGresult *res, bool roster);
/*
 * Answer c with the PurchaseOrder (page false: res holds one; NOT_FOUND
 * PO_NOT_FOUND if none) or the PurchaseOrderPage (limit: the page's size,
 * for next_before_id) of res's kassa_po_row rows.
 */
void supply_reply_orders(Call *c, const PGresult *res, bool page, int limit);

#endif
