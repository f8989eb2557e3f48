/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stock.c: stock per store (store operations, part "stock";
 * docs/store/stock.md): StockList (levels, safety levels and mover classes
 * of a store), StockMoves (the ledger of a product), StockAdjust (a
 * manager's adjustment with a reason, and the safety level) and
 * StockAlertList (low-stock alerts).
 *
 * The ledger itself is SQL (migrations/functions/stock.sql): every sale,
 * refund, receipt, transfer and count moves stock through
 * kassa_stock_moves() inside its own transaction, which also raises the
 * low-stock alerts; this file only checks requests and answers from one
 * statement each. A till (and a manager) sees its own store; head
 * office's analysts and administrators, from an office certificate, name
 * any store. Mover classes come from the last STOCK_MOVER_DAYS days of the
 * ledger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "sqltext.h"
#include "stock.h"

#define STOCK_MOVER_DAYS "28"		/* days of sales a mover class looks at */
#define STOCK_QTY_MAX 1000000		/* units in one adjustment, either way */
#define STOCK_REASON_MAX 200		/* characters */
#define STOCK_SKU_MAX 64		/* bytes */
#define STOCK_LIST_MAX 500

static int st_list, st_moves, st_adjust, st_alerts;

void stock_setup(void)
{
	/* $1 store $2 below $3 class $4 after $5 limit+1 */
	st_list = db_stmt_add("stock_list",
		"SELECT * FROM kassa_stock_list($1, $2, $3, $4, $5, " STOCK_MOVER_DAYS ")",
		DB_LANE_QUICK);
	/* $1 store $2 sku $3 before $4 limit+1 */
	st_moves = db_stmt_add("stock_moves_page",
		"SELECT * FROM kassa_stock_move_page($1, $2, $3, $4)", DB_LANE_QUICK);
	/* $1 till $2 staff $3 key $4 hash $5 store $6 sku $7 qty $8 reason $9 set $10 level */
	st_adjust = db_stmt_add("stock_adjust",
		"SELECT * FROM kassa_stock_adjust($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
		DB_LANE_WORK);
	/* $1 store $2 all $3 limit */
	st_alerts = db_stmt_add("stock_alert_list",
		"SELECT * FROM kassa_stock_alert_list($1, $2, $3)", DB_LANE_QUICK);
}

/* ---- helpers ------------------------------------------------------------ */

static int64_t col_int(const PGresult *res, int r, int col)
{
	return strtoll(PQgetvalue(res, r, col), NULL, 10);
}

static bool col_bool(const PGresult *res, int r, int col)
{
	return PQgetvalue(res, r, col)[0] == 't';
}

/*
 * The store c asks about (0: its till's own) into *store and buf; another
 * store only for analysts and administrators at an office till. False:
 * answered.
 */
static bool stock_scope(Call *c, int64_t wanted, int64_t *store, char buf[24])
{
	bool all = (c->role & (ROLE_ANALYST | ROLE_ADMIN)) != 0 && c->sess != NULL &&
		   strcmp(c->sess->till_kind, "office") == 0;

	if (wanted < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE", "%s",
			  _("name a store by its id, or 0"));
		return false;
	}
	*store = wanted != 0 ? wanted : c->sess->store_id;
	if (*store != c->sess->store_id && !all) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS", "%s",
			  _("you see only your own store's stock"));
		return false;
	}
	snprintf(buf, 24, "%lld", (long long)*store);
	return true;
}

static bool sku_ok(Call *c, const char *sku)
{
	size_t n = strlen(sku);

	if (n == 0 || n > STOCK_SKU_MAX || strspn(sku, " ") == n) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SKU", "%s",
			  _("give the product's SKU"));
		return false;
	}
	return true;
}

/* limit 0 -> dflt, capped at STOCK_LIST_MAX; buf gets limit + 1 (is there more?). */
static int32_t list_limit(int32_t limit, int32_t dflt, char buf[12])
{
	if (limit <= 0)
		limit = dflt;
	if (limit > STOCK_LIST_MAX)
		limit = STOCK_LIST_MAX;
	snprintf(buf, 12, "%d", limit + 1);
	return limit;
}

/* Characters of UTF-8 s (session.c has checked it); *ctl: a control character. */
static size_t text_chars(const char *s, bool *ctl)
{
	size_t n = 0;

	*ctl = false;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*ctl = true;
		if ((*p & 0xc0) != 0x80)
			n++;
	}
	return n;
}

/* ---- StockList ---------------------------------------------------------- */

static void list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__StockList *q = c->req->stock_list;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StockPage page = KASSA__V1__STOCK_PAGE__INIT;
	int32_t limit;
	int n;

	if (!call_db_ok(c, st, res))
		return;
	limit = list_limit(q->limit, 100, (char[12]){ 0 });
	n = PQntuples(res) > limit ? limit : PQntuples(res);
	Kassa__V1__StockItem *iv = xcalloc((size_t)n + 1, sizeof(*iv));
	Kassa__V1__StockItem **ip = xcalloc((size_t)n + 1, sizeof(*ip));

	for (int i = 0; i < n; i++) {
		kassa__v1__stock_item__init(&iv[i]);
		iv[i].product_id = col_int(res, i, 0);
		iv[i].sku = PQgetvalue(res, i, 1);
		iv[i].name = PQgetvalue(res, i, 2);
		iv[i].on_hand = col_int(res, i, 3);
		iv[i].safety_level = col_int(res, i, 4);
		iv[i].below_safety = col_bool(res, i, 5);
		iv[i].sold_28d = col_int(res, i, 6);
		iv[i].mover_class = PQgetvalue(res, i, 7);
		ip[i] = &iv[i];
	}
	page.store_id = q->store_id != 0 ? q->store_id : c->sess->store_id;
	page.items = ip;
	page.n_items = (size_t)n;
	page.next_after_product_id = PQntuples(res) > limit && n > 0 ? iv[n - 1].product_id : 0;
	resp.body_case = KASSA__V1__RESPONSE__BODY_STOCK_PAGE;
	resp.stock_page = &page;
	call_reply(c, &resp);
	free(ip);
	free(iv);
}

void handle_stock_list(Call *c)
{
	const Kassa__V1__StockList *q = c->req->stock_list;
	static const char *const classes[] = { "", "fast", "medium", "slow", "none" };
	char store[24], after[24], limit[12];
	int64_t sid;
	bool class_ok = false;

	if (!stock_scope(c, q->store_id, &sid, store))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		class_ok = class_ok || strcmp(q->mover_class, classes[i]) == 0;
	if (!class_ok) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CLASS", "%s",
			  _("a mover class is fast, medium, slow or none"));
		return;
	}
	if (q->after_product_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR", "%s",
			  _("after must be the next of the previous page"));
		return;
	}
	snprintf(after, sizeof(after), "%lld", (long long)q->after_product_id);
	list_limit(q->limit, 100, limit);

	const char *params[5] = { store, q->below_only ? "t" : "f", q->mover_class, after, limit };
	db_query(st_list, 5, params, list_cb, c);
}

/* ---- StockMoves --------------------------------------------------------- */

static void moves_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__StockMoves *q = c->req->stock_moves;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StockMovePage page = KASSA__V1__STOCK_MOVE_PAGE__INIT;
	int32_t limit;
	int n;

	if (!call_db_ok(c, st, res))
		return;
	limit = list_limit(q->limit, 50, (char[12]){ 0 });
	n = PQntuples(res) > limit ? limit : PQntuples(res);
	Kassa__V1__StockMove *mv = xcalloc((size_t)n + 1, sizeof(*mv));
	Kassa__V1__StockMove **mp = xcalloc((size_t)n + 1, sizeof(*mp));

	for (int i = 0; i < n; i++) {
		kassa__v1__stock_move__init(&mv[i]);
		mv[i].move_id = col_int(res, i, 0);
		mv[i].kind = PQgetvalue(res, i, 2);
		mv[i].quantity = col_int(res, i, 3);
		mv[i].on_hand_after = col_int(res, i, 4);
		mv[i].ref_id = col_int(res, i, 5);
		mv[i].staff_id = col_int(res, i, 6);
		mv[i].at = PQgetvalue(res, i, 7);
		mp[i] = &mv[i];
	}
	page.store_id = q->store_id != 0 ? q->store_id : c->sess->store_id;
	page.product_id = n > 0 ? col_int(res, 0, 1) : 0;
	page.sku = q->sku;
	page.moves = mp;
	page.n_moves = (size_t)n;
	page.next_before_move_id = PQntuples(res) > limit && n > 0 ? mv[n - 1].move_id : 0;
	resp.body_case = KASSA__V1__RESPONSE__BODY_STOCK_MOVE_PAGE;
	resp.stock_move_page = &page;
	call_reply(c, &resp);
	free(mp);
	free(mv);
}

void handle_stock_moves(Call *c)
{
	const Kassa__V1__StockMoves *q = c->req->stock_moves;
	char store[24], before[24], limit[12];
	int64_t sid;

	if (!stock_scope(c, q->store_id, &sid, store) || !sku_ok(c, q->sku))
		return;
	if (q->before_move_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR", "%s",
			  _("after must be the next of the previous page"));
		return;
	}
	snprintf(before, sizeof(before), "%lld", (long long)q->before_move_id);
	list_limit(q->limit, 50, limit);

	const char *params[4] = { store, q->sku, before, limit };
	db_query(st_moves, 4, params, moves_cb, c);
}

/* ---- StockAdjust -------------------------------------------------------- */

static void adjust_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__StockAdjust *q = c->req->stock_adjust;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StockLevel lv = KASSA__V1__STOCK_LEVEL__INIT;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	lv.store_id = q->store_id != 0 ? q->store_id : c->sess->store_id;
	lv.product_id = col_int(res, 0, 0);
	lv.sku = q->sku;
	lv.on_hand = col_int(res, 0, 1);
	lv.safety_level = col_int(res, 0, 2);
	lv.below_safety = lv.safety_level > 0 && lv.on_hand < lv.safety_level;
	lv.move_id = col_int(res, 0, 3);
	resp.body_case = KASSA__V1__RESPONSE__BODY_STOCK_LEVEL;
	resp.stock_level = &lv;
	call_reply(c, &resp);
}

/* The numbers and the reason of q; false: answered. */
static bool adjust_valid(Call *c, const Kassa__V1__StockAdjust *q)
{
	bool ctl;
	size_t reason = text_chars(q->reason, &ctl);

	if (q->quantity == 0 && !q->set_safety) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "NOTHING_TO_DO", "%s",
			  _("give a quantity to adjust by, or a safety level"));
		return false;
	}
	if (q->quantity > STOCK_QTY_MAX || q->quantity < -STOCK_QTY_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_QUANTITY",
			  _("an adjustment is 1 to %d units, added or taken away"), STOCK_QTY_MAX);
		return false;
	}
	if (q->quantity != 0 && (reason < 1 || reason > STOCK_REASON_MAX || ctl ||
				 strspn(q->reason, " ") == strlen(q->reason))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REASON",
			  _("give a reason of 1 to %d characters on one line"), STOCK_REASON_MAX);
		return false;
	}
	if (q->set_safety && (q->safety_level < 0 || q->safety_level > STOCK_QTY_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SAFETY_LEVEL",
			  _("a safety level is 0 (no alert) to %d units"), STOCK_QTY_MAX);
		return false;
	}
	return true;
}

void handle_stock_adjust(Call *c)
{
	const Kassa__V1__StockAdjust *q = c->req->stock_adjust;
	char store[24], till[24], staff[24], qty[24], level[24];
	int64_t sid;
	SqlText hash = SQLTEXT_INIT;

	if (!sku_ok(c, q->sku) || !adjust_valid(c, q) || !stock_scope(c, q->store_id, &sid, store))
		return;
	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(qty, sizeof(qty), "%lld", (long long)q->quantity);
	snprintf(level, sizeof(level), "%lld", (long long)q->safety_level);

	const char *params[10] = {
		till, staff, c->req->idempotency_key, sqltext_str(&hash), store, q->sku, qty,
		q->reason, q->set_safety ? "t" : "f", level,
	};
	db_query(st_adjust, 10, params, adjust_cb, c);
	sqltext_free(&hash);
}

/* ---- StockAlertList ----------------------------------------------------- */

static void alerts_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__StockAlertList *q = c->req->stock_alert_list;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StockAlertPage page = KASSA__V1__STOCK_ALERT_PAGE__INIT;
	int n;

	if (!call_db_ok(c, st, res))
		return;
	n = PQntuples(res);
	Kassa__V1__StockAlert *av = xcalloc((size_t)n + 1, sizeof(*av));
	Kassa__V1__StockAlert **ap = xcalloc((size_t)n + 1, sizeof(*ap));

	for (int i = 0; i < n; i++) {
		kassa__v1__stock_alert__init(&av[i]);
		av[i].alert_id = col_int(res, i, 0);
		av[i].product_id = col_int(res, i, 1);
		av[i].sku = PQgetvalue(res, i, 2);
		av[i].name = PQgetvalue(res, i, 3);
		av[i].safety_level = col_int(res, i, 4);
		av[i].on_hand = col_int(res, i, 5);
		av[i].raised_at = PQgetvalue(res, i, 6);
		av[i].cleared_at = PQgetvalue(res, i, 7);
		ap[i] = &av[i];
	}
	page.store_id = q->store_id != 0 ? q->store_id : c->sess->store_id;
	page.alerts = ap;
	page.n_alerts = (size_t)n;
	resp.body_case = KASSA__V1__RESPONSE__BODY_STOCK_ALERT_PAGE;
	resp.stock_alert_page = &page;
	call_reply(c, &resp);
	free(ap);
	free(av);
}

void handle_stock_alert_list(Call *c)
{
	const Kassa__V1__StockAlertList *q = c->req->stock_alert_list;
	char store[24], limit[12];
	int64_t sid;

	if (!stock_scope(c, q->store_id, &sid, store))
		return;
	snprintf(limit, sizeof(limit), "%d",
		 q->limit <= 0 ? 100 : q->limit > STOCK_LIST_MAX ? STOCK_LIST_MAX : q->limit);

	const char *params[3] = { store, q->all ? "t" : "f", limit };
	db_query(st_alerts, 3, params, alerts_cb, c);
}
