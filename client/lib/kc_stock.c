/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_stock.c: stock per store (see kc_stock.h): a Request built here and
 * one kc_call() each.
 */
#include "kc_stock.h"

#include "kc_build.h"

KcResult kc_stock_list(KassaClient *kc, int64_t store_id, bool below_only,
		       const char *mover_class, int64_t after_id, int32_t limit,
		       Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__StockList q = KASSA__V1__STOCK_LIST__INIT;

	q.store_id = store_id;
	q.below_only = below_only;
	q.mover_class = (char *)(mover_class != NULL ? mover_class : "");
	q.after_product_id = after_id;
	q.limit = limit;
	req.body_case = KASSA__V1__REQUEST__BODY_STOCK_LIST;
	req.stock_list = &q;
	return kc_call(kc, &req, resp);
}

KcResult kc_stock_moves(KassaClient *kc, int64_t store_id, const char *sku, int64_t before_id,
			int32_t limit, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__StockMoves q = KASSA__V1__STOCK_MOVES__INIT;

	q.store_id = store_id;
	q.sku = (char *)(sku != NULL ? sku : "");
	q.before_move_id = before_id;
	q.limit = limit;
	req.body_case = KASSA__V1__REQUEST__BODY_STOCK_MOVES;
	req.stock_moves = &q;
	return kc_call(kc, &req, resp);
}

KcResult kc_stock_adjust(KassaClient *kc, int64_t store_id, const char *sku, int64_t quantity,
			 const char *reason, bool set_safety, int64_t safety_level,
			 const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__StockAdjust q = KASSA__V1__STOCK_ADJUST__INIT;
	char fresh[KC_KEY_LEN];

	q.store_id = store_id;
	q.sku = (char *)(sku != NULL ? sku : "");
	q.quantity = quantity;
	q.reason = (char *)(reason != NULL ? reason : "");
	q.set_safety = set_safety;
	q.safety_level = safety_level;
	req.body_case = KASSA__V1__REQUEST__BODY_STOCK_ADJUST;
	req.stock_adjust = &q;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	return kc_call(kc, &req, resp);
}

KcResult kc_stock_alerts(KassaClient *kc, int64_t store_id, bool all, int32_t limit,
			 Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__StockAlertList q = KASSA__V1__STOCK_ALERT_LIST__INIT;

	q.store_id = store_id;
	q.all = all;
	q.limit = limit;
	req.body_case = KASSA__V1__REQUEST__BODY_STOCK_ALERT_LIST;
	req.stock_alert_list = &q;
	return kc_call(kc, &req, resp);
}
