/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stock_cmds.c: kassa-office's stock commands (store operations, part
 * "stock"; docs/store/stock.md), listed in store_ops.c; each prints one
 * JSON object:
 *   stock list [store=ID] [below=yes] [class=fast|medium|slow|none] [after=ID] [limit=N]
 *   stock moves SKU [store=ID] [before=ID] [limit=N]
 *   stock adjust SKU QTY --reason TEXT [store=ID]   (QTY -5 as qty=-5, or after --)
 *   stock safety SKU LEVEL [store=ID]
 *   stock alerts [store=ID] [all]
 * store=ID 0 or absent: the office till's own store.
 */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kc_json.h"
#include "office.h"

int cmd_stock_list(KassaClient *kc, const Args *a);
int cmd_stock_moves(KassaClient *kc, const Args *a);
int cmd_stock_adjust(KassaClient *kc, const Args *a);
int cmd_stock_safety(KassaClient *kc, const Args *a);
int cmd_stock_alerts(KassaClient *kc, const Args *a);

/* Integer v of a command's argument (NULL: dflt) within [lo, hi]; false if not one. */
static bool int_arg(const char *v, int64_t dflt, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long n;

	if (v == NULL) {
		*out = dflt;
		return true;
	}
	if (*v == '\0')
		return false;
	n = strtoll(v, &end, 10);
	if (*end != '\0' || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

static json_t *item_json(const Kassa__V1__StockItem *i)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:b, s:I, s:s}", "product_id",
			 (json_int_t)i->product_id, "sku", i->sku, "name", i->name, "on_hand",
			 (json_int_t)i->on_hand, "safety_level", (json_int_t)i->safety_level,
			 "below_safety", i->below_safety, "sold_28d", (json_int_t)i->sold_28d,
			 "mover_class", i->mover_class);
}

int cmd_stock_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "stock list", *below = arg_get(a, "below"), *cls = arg_get(a, "class");
	Kassa__V1__Response *resp = NULL;
	int64_t store, after, limit;
	int code = OFFICE_EXIT_OK;
	json_t *o, *items;

	if (!int_arg(arg_get(a, "store"), 0, 0, INT64_MAX, &store) ||
	    !int_arg(arg_get(a, "after"), 0, 0, INT64_MAX, &after) ||
	    !int_arg(arg_get(a, "limit"), 0, 1, 500, &limit) ||
	    (below != NULL && strcmp(below, "yes") != 0 && strcmp(below, "no") != 0))
		return bad_usage(cmd, "stock list [store=ID] [below=yes] [class=fast|medium|slow|none]"
				      " [after=ID] [limit=N]");
	if (!office_result(kc, cmd, kc_stock_list(kc, store, below != NULL &&
						  strcmp(below, "yes") == 0, cls, after,
						  (int32_t)limit, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_STOCK_PAGE, &code))
		return code;
	o = kcj_ok(cmd);
	items = json_array();
	for (size_t i = 0; i < resp->stock_page->n_items; i++)
		json_array_append_new(items, item_json(resp->stock_page->items[i]));
	json_object_set_new(o, "store_id", json_integer(resp->stock_page->store_id));
	json_object_set_new(o, "items", items);
	json_object_set_new(o, "next_after", json_integer(resp->stock_page->next_after_product_id));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

int cmd_stock_moves(KassaClient *kc, const Args *a)
{
	const char *cmd = "stock moves", *sku = arg_word(a, 0);
	Kassa__V1__Response *resp = NULL;
	int64_t store, before, limit;
	int code = OFFICE_EXIT_OK;
	json_t *o, *moves;

	if (sku == NULL || !int_arg(arg_get(a, "store"), 0, 0, INT64_MAX, &store) ||
	    !int_arg(arg_get(a, "before"), 0, 0, INT64_MAX, &before) ||
	    !int_arg(arg_get(a, "limit"), 0, 1, 500, &limit))
		return bad_usage(cmd, "stock moves SKU [store=ID] [before=ID] [limit=N]");
	if (!office_result(kc, cmd, kc_stock_moves(kc, store, sku, before, (int32_t)limit, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_STOCK_MOVE_PAGE, &code))
		return code;
	const Kassa__V1__StockMovePage *p = resp->stock_move_page;

	o = kcj_ok(cmd);
	moves = json_array();
	for (size_t i = 0; i < p->n_moves; i++)
		json_array_append_new(moves, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:s}",
			"move_id", (json_int_t)p->moves[i]->move_id, "kind", p->moves[i]->kind,
			"quantity", (json_int_t)p->moves[i]->quantity,
			"on_hand_after", (json_int_t)p->moves[i]->on_hand_after,
			"ref_id", (json_int_t)p->moves[i]->ref_id,
			"staff_id", (json_int_t)p->moves[i]->staff_id, "at", p->moves[i]->at));
	json_object_set_new(o, "store_id", json_integer(p->store_id));
	json_object_set_new(o, "sku", json_string(p->sku));
	json_object_set_new(o, "product_id", json_integer(p->product_id));
	json_object_set_new(o, "moves", moves);
	json_object_set_new(o, "next_before", json_integer(p->next_before_move_id));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

/* Send a StockAdjust and print the level after it. */
static int stock_change(KassaClient *kc, const char *cmd, int64_t store, const char *sku,
			int64_t qty, const char *reason, bool set_safety, int64_t level)
{
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];
	int code = OFFICE_EXIT_OK;
	json_t *o;

	kc_new_key(key);
	if (!office_result(kc, cmd, kc_stock_adjust(kc, store, sku, qty, reason, set_safety, level,
						    key, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_STOCK_LEVEL, &code))
		return code;
	const Kassa__V1__StockLevel *l = resp->stock_level;

	o = ok_keyed(cmd, key);
	json_object_set_new(o, "level", json_pack("{s:I, s:I, s:s, s:I, s:I, s:b, s:I}",
		"store_id", (json_int_t)l->store_id, "product_id", (json_int_t)l->product_id,
		"sku", l->sku, "on_hand", (json_int_t)l->on_hand,
		"safety_level", (json_int_t)l->safety_level, "below_safety", l->below_safety,
		"move_id", (json_int_t)l->move_id));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

int cmd_stock_adjust(KassaClient *kc, const Args *a)
{
	const char *sku = arg_word(a, 0), *q = arg_word(a, 1), *reason = arg_get(a, "reason");
	int64_t store, qty;

	if (q == NULL)
		q = arg_get(a, "qty");
	if (reason == NULL)
		reason = office_rights.reason;
	if (sku == NULL || q == NULL || reason == NULL ||
	    !int_arg(q, 0, -1000000, 1000000, &qty) || qty == 0 ||
	    !int_arg(arg_get(a, "store"), 0, 0, INT64_MAX, &store))
		return bad_usage("stock adjust", "stock adjust SKU QTY --reason TEXT [store=ID]");
	return stock_change(kc, "stock adjust", store, sku, qty, reason, false, 0);
}

int cmd_stock_safety(KassaClient *kc, const Args *a)
{
	const char *sku = arg_word(a, 0);
	int64_t store, level;

	if (sku == NULL || arg_word(a, 1) == NULL ||
	    !int_arg(arg_word(a, 1), 0, 0, 1000000, &level) ||
	    !int_arg(arg_get(a, "store"), 0, 0, INT64_MAX, &store))
		return bad_usage("stock safety", "stock safety SKU LEVEL [store=ID]");
	return stock_change(kc, "stock safety", store, sku, 0, "", true, level);
}

int cmd_stock_alerts(KassaClient *kc, const Args *a)
{
	const char *cmd = "stock alerts", *w = arg_word(a, 0);
	Kassa__V1__Response *resp = NULL;
	int64_t store, limit;
	int code = OFFICE_EXIT_OK;
	json_t *o, *alerts;

	if ((w != NULL && strcmp(w, "all") != 0) ||
	    !int_arg(arg_get(a, "store"), 0, 0, INT64_MAX, &store) ||
	    !int_arg(arg_get(a, "limit"), 0, 1, 500, &limit))
		return bad_usage(cmd, "stock alerts [store=ID] [all] [limit=N]");
	if (!office_result(kc, cmd, kc_stock_alerts(kc, store, w != NULL, (int32_t)limit, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_STOCK_ALERT_PAGE, &code))
		return code;
	const Kassa__V1__StockAlertPage *p = resp->stock_alert_page;

	o = kcj_ok(cmd);
	alerts = json_array();
	for (size_t i = 0; i < p->n_alerts; i++)
		json_array_append_new(alerts, json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:s, s:b}",
			"alert_id", (json_int_t)p->alerts[i]->alert_id,
			"product_id", (json_int_t)p->alerts[i]->product_id,
			"sku", p->alerts[i]->sku, "name", p->alerts[i]->name,
			"safety_level", (json_int_t)p->alerts[i]->safety_level,
			"on_hand", (json_int_t)p->alerts[i]->on_hand,
			"raised_at", p->alerts[i]->raised_at, "cleared_at", p->alerts[i]->cleared_at,
			"open", p->alerts[i]->cleared_at[0] == '\0'));
	json_object_set_new(o, "store_id", json_integer(p->store_id));
	json_object_set_new(o, "alerts", alerts);
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}
