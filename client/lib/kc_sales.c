/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_sales: the sale request wrappers (see kc_sales.h). kc_checkout()
 * turns a KcSale into one Checkout request: the lines and tenders are
 * built in arrays owned by the call and freed after kc_call() returns
 * (a retry inside kc_call() resends the same request).
 */
#include "kc_sales.h"

#include <stdlib.h>

#include "kc_build.h"

KcResult kc_product_lookup(KassaClient *kc, const char *code, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__ProductLookup pl = KASSA__V1__PRODUCT_LOOKUP__INIT;

	pl.code = (char *)code;
	req.body_case = KASSA__V1__REQUEST__BODY_PRODUCT_LOOKUP;
	req.product_lookup = &pl;
	return kc_call(kc, &req, resp);
}

/* Protocol SaleLines for the n lines: (*lv)[i] holds them, (*lp)[i] points at them. */
static void lines_build(const KcLine *lines, size_t n, Kassa__V1__SaleLine **lv,
			Kassa__V1__SaleLine ***lp)
{
	size_t i;

	*lv = NULL;
	*lp = NULL;
	if (n == 0)
		return;
	*lv = xcalloc(n, sizeof(**lv));
	*lp = xcalloc(n, sizeof(**lp));
	for (i = 0; i < n; i++) {
		kassa__v1__sale_line__init(&(*lv)[i]);
		(*lv)[i].code = (char *)lines[i].code;
		(*lv)[i].quantity = lines[i].quantity;
		(*lv)[i].gift = lines[i].gift;
		(*lp)[i] = &(*lv)[i];
	}
}

KcResult kc_checkout(KassaClient *kc, const KcSale *sale, const char *key, bool quote,
		     Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	Kassa__V1__SaleLine *lv, **lp;
	Kassa__V1__Tender *tv, **tp;
	KcResult r;

	*resp = NULL;
	if (quote) {
		key = "";
	} else if (key == NULL || *key == '\0') {
		/* the server would refuse it too, but a retry without a key could sell twice */
		kc_seterr(kc, "checkout needs an idempotency key");
		return KC_ERR_ARG;
	}
	lines_build(sale->lines, sale->nlines, &lv, &lp);
	kc_tenders_build(sale->tenders, sale->ntenders, &tv, &tp);
	co.n_lines = sale->nlines;
	co.lines = lp;
	co.member_id = sale->member_id;
	co.n_tenders = sale->ntenders;
	co.tenders = tp;
	co.points_redeem = sale->points_redeem;
	co.n_coupon_codes = sale->ncoupons;
	co.coupon_codes = (char **)sale->coupon_codes;
	co.quote = quote;
	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	r = kc_call(kc, &req, resp);
	free(lv);
	free(lp);
	free(tv);
	free(tp);
	return r;
}

KcResult kc_transaction_get(KassaClient *kc, int64_t txn_id, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TransactionGet tg = KASSA__V1__TRANSACTION_GET__INIT;

	tg.txn_id = txn_id;
	req.body_case = KASSA__V1__REQUEST__BODY_TRANSACTION_GET;
	req.transaction_get = &tg;
	return kc_call(kc, &req, resp);
}
