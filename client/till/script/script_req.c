/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_req: the requests of kassa-till's script mode, each built on the
 * stack with borrowed fields and sent through the session (till_call(),
 * till.h), so that going offline and back is the session's business and
 * no command talks to the connection itself. They mirror the client
 * library's wrappers (kc_members.c, kc_sales.c, ...), which call
 * kc_call() on a KassaClient directly. *resp as for kc_call().
 */
#include <stdlib.h>
#include <string.h>

#include "script_cmds.h"

KcResult sreq_call(Till *t, Kassa__V1__Request *req, Kassa__V1__Response **resp)
{
	return till_call(t->ts, req, resp);
}

int script_reconnects(const Till *t)
{
	return t->ts->kc != NULL ? kc_reconnects(t->ts->kc) : 0;
}

const char *script_last_error(const Till *t)
{
	return t->ts->kc != NULL ? kc_last_error(t->ts->kc) : "the till is offline";
}

KcResult sreq_product(Till *t, const char *code, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__ProductLookup pl = KASSA__V1__PRODUCT_LOOKUP__INIT;

	pl.code = (char *)code;
	req.body_case = KASSA__V1__REQUEST__BODY_PRODUCT_LOOKUP;
	req.product_lookup = &pl;
	return sreq_call(t, &req, resp);
}

KcResult sreq_txn_get(Till *t, int64_t txn_id, const char *receipt_no,
		      Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TransactionGet tg = KASSA__V1__TRANSACTION_GET__INIT;

	tg.txn_id = txn_id;
	if (receipt_no != NULL)
		tg.receipt_no = (char *)receipt_no;
	req.body_case = KASSA__V1__REQUEST__BODY_TRANSACTION_GET;
	req.transaction_get = &tg;
	return sreq_call(t, &req, resp);
}

KcResult sreq_member_get(Till *t, Kassa__V1__MemberGet *get, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_GET;
	req.member_get = get;
	return sreq_call(t, &req, resp);
}

KcResult sreq_member_search(Till *t, Kassa__V1__MemberSearch *s, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_SEARCH;
	req.member_search = s;
	return sreq_call(t, &req, resp);
}

KcResult sreq_member_register(Till *t, Kassa__V1__MemberRegister *reg, const char *key,
			      Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;

	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_REGISTER;
	req.member_register = reg;
	return sreq_call(t, &req, resp);
}

KcResult sreq_member_update(Till *t, int64_t member_id, Kassa__V1__MemberRegister *values,
			    const char *const *fields, size_t nfields, const char *key,
			    Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberUpdate upd = KASSA__V1__MEMBER_UPDATE__INIT;

	upd.member_id = member_id;
	upd.values = values;
	upd.n_fields = nfields;
	upd.fields = (char **)fields;
	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_UPDATE;
	req.member_update = &upd;
	return sreq_call(t, &req, resp);
}

KcResult sreq_coupon_claim(Till *t, int64_t member_id, const char *claim_code, const char *key,
			   Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__CouponIssue ci = KASSA__V1__COUPON_ISSUE__INIT;

	ci.member_id = member_id;
	ci.claim_code = (char *)claim_code;
	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_COUPON_ISSUE;
	req.coupon_issue = &ci;
	return sreq_call(t, &req, resp);
}

KcResult sreq_refund(Till *t, Kassa__V1__Refund *rf, const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;

	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_REFUND;
	req.refund = rf;
	return sreq_call(t, &req, resp);
}

KcResult sreq_top_up(Till *t, int64_t member_id, int64_t amount_minor, Kassa__V1__Tender *tender,
		     const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TopUp tu = KASSA__V1__TOP_UP__INIT;
	Kassa__V1__Tender *tp[1] = { tender };

	tu.member_id = member_id;
	tu.amount_minor = amount_minor;
	tu.n_tenders = 1;
	tu.tenders = tp;
	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_TOP_UP;
	req.top_up = &tu;
	return sreq_call(t, &req, resp);
}

KcResult sreq_checkout(Till *t, const Sale *s, const char *key, bool quote,
		       Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	SaleRequest *r = xmalloc(sizeof(*r));
	KcResult res;

	sale_request_build(s, r);
	r->co.quote = quote;
	if (!quote)
		req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &r->co;
	res = sreq_call(t, &req, resp);
	free(r);
	return res;
}

KcResult sreq_rates_get(Till *t, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__RatesGet rg = KASSA__V1__RATES_GET__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_RATES_GET;
	req.rates_get = &rg;
	return sreq_call(t, &req, resp);
}

KcResult sreq_feedback(Till *t, Kassa__V1__Feedback *fb, const char *key,
		       Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;

	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_FEEDBACK;
	req.feedback = fb;
	return sreq_call(t, &req, resp);
}

KcResult sreq_shift_open(Till *t, int64_t float_minor, const char *key,
			 Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__ShiftOpen so = KASSA__V1__SHIFT_OPEN__INIT;

	so.float_minor = float_minor;
	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_SHIFT_OPEN;
	req.shift_open = &so;
	return sreq_call(t, &req, resp);
}

KcResult sreq_shift_report(Till *t, bool close, int64_t counted_minor, const char *key,
			   Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__ShiftReport sr = KASSA__V1__SHIFT_REPORT__INIT;

	sr.close = close;
	sr.counted_minor = counted_minor;
	if (close)
		req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_SHIFT_REPORT;
	req.shift_report = &sr;
	return sreq_call(t, &req, resp);
}
