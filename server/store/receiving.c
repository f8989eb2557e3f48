/* SPDX-License-Identifier: Apache-2.0 */
/*
 * receiving.c: GoodsReceive (store operations, part "supply"): goods
 * arriving at a store against a sent purchase order, as SKU = units lines
 * or "everything outstanding". kassad checks the lines' shape
 * (supply_lines()); one call of kassa_goods_receive()
 * (migrations/functions/suppliers.sql) checks them against the order
 * (on it, at most a tenth over its quantity, the order sent or partly
 * received, at the manager's own store), then writes the receipt, the
 * 'receiving' stock moves (kassa_stock_moves), the lines' received units,
 * the order's state (partial or received) and the 'po.receive' audit row
 * in one transaction, exactly once per idempotency key. The answer is the
 * order as it now is, with the new receipt's id.
 */
#include <stdio.h>

#include "db.h"
#include "i18n.h"
#include "receiving.h"
#include "supply_db.h"

static int st_receive;

void receiving_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 store limit $6 po $7 skus $8 qtys $9 all */
	st_receive = db_stmt_add("goods_receive",
		"SELECT * FROM kassa_goods_receive($1, $2, $3, $4, $5, $6, $7::text[],"
		" $8::bigint[], $9)", DB_LANE_WORK);
}

static void received_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	supply_reply_orders(c, res, false, 0);
}

void handle_goods_receive(Call *c)
{
	const Kassa__V1__GoodsReceive *q = c->req->goods_receive;
	SqlText skus = SQLTEXT_INIT, qtys = SQLTEXT_INIT;
	char po[24];
	SupplyParams p;

	if (q->po_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ORDER", "%s",
			  _("give the order's id"));
		return;
	}
	if (q->all_outstanding) {
		if (q->n_lines != 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINES", "%s",
				  _("give either the lines received or everything outstanding"));
			return;
		}
		sqltext_add(&skus, "{}");
		sqltext_add(&qtys, "{}");
	} else if (!supply_lines(c, q->lines, q->n_lines, &skus, &qtys)) {
		goto out;
	}
	snprintf(po, sizeof(po), "%lld", (long long)q->po_id);
	supply_params_init(&p, c, &q->base);
	const char *params[9] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), p.limit, po,
		sqltext_str(&skus), sqltext_str(&qtys), q->all_outstanding ? "true" : "false",
	};
	db_query(st_receive, 9, params, received_cb, c);
	supply_params_free(&p);
out:
	sqltext_free(&skus);
	sqltext_free(&qtys);
}
