/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_req: the request builders (see kc_req.h). Each starts the KcReq as
 * an empty Request of one body kind with nothing allocated: REQ_BODY()
 * for a body held in r->body, req_start() for one the caller passed in;
 * then fills the body with borrowed pointers, and sets the idempotency key
 * with req_key() when the request changes state. Nothing here sends.
 */
#include "kc_req.h"

#include <stdlib.h>

#include "kc_build.h"
#include "util.h"

/* r as an empty Request of kind body, with no key and nothing allocated. */
static void req_start(KcReq *r, Kassa__V1__Request__BodyCase body)
{
	size_t i;

	kassa__v1__request__init(&r->req);
	r->req.body_case = body;
	r->key[0] = '\0';
	for (i = 0; i < KC_REQ_HEAP; i++)
		r->heap[i] = NULL;
}

/*
 * Start r as a Request with body CASE held in r->body.field, a fresh
 * message of that field's type (kassa__v1__<field>__init()); the value is
 * &r->body.field, for the builder to fill.
 */
#define REQ_BODY(r, field, CASE)                                   \
	(req_start((r), KASSA__V1__REQUEST__BODY_##CASE),           \
	 kassa__v1__##field##__init(&(r)->body.field),              \
	 (r)->req.field = &(r)->body.field)

/* key, or a fresh key kept in r->key when key is NULL. */
static void req_key(KcReq *r, const char *key)
{
	r->req.idempotency_key = (char *)kc_key_or_fresh(key, r->key);
}

/* s, or "" for NULL (the wire has no NULL strings). */
static char *str_or_empty(const char *s)
{
	return (char *)(s != NULL ? s : "");
}

void kc_req_done(KcReq *r)
{
	size_t i;

	for (i = 0; i < KC_REQ_HEAP; i++) {
		free(r->heap[i]);
		r->heap[i] = NULL;
	}
}

/* ---- sales ---- */

void kc_req_product_lookup(KcReq *r, const char *code)
{
	REQ_BODY(r, product_lookup, PRODUCT_LOOKUP)->code = (char *)code;
}

void kc_req_transaction_get(KcReq *r, int64_t txn_id, const char *receipt_no)
{
	Kassa__V1__TransactionGet *tg = REQ_BODY(r, transaction_get, TRANSACTION_GET);

	tg->txn_id = txn_id;
	if (receipt_no != NULL)
		tg->receipt_no = (char *)receipt_no;
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

void kc_req_checkout(KcReq *r, const KcSale *sale, const char *key, bool quote)
{
	Kassa__V1__Checkout *co = &r->body.checkout;
	Kassa__V1__SaleLine *lv, **lp;
	Kassa__V1__Tender *tv, **tp;

	kassa__v1__checkout__init(co);
	lines_build(sale->lines, sale->nlines, &lv, &lp);
	kc_tenders_build(sale->tenders, sale->ntenders, &tv, &tp);
	co->n_lines = sale->nlines;
	co->lines = lp;
	co->member_id = sale->member_id;
	co->n_tenders = sale->ntenders;
	co->tenders = tp;
	co->points_redeem = sale->points_redeem;
	co->n_coupon_codes = sale->ncoupons;
	co->coupon_codes = (char **)sale->coupon_codes;
	co->quote = quote;
	kc_req_checkout_body(r, co, key);
	r->heap[0] = lv;
	r->heap[1] = lp;
	r->heap[2] = tv;
	r->heap[3] = tp;
}

void kc_req_checkout_body(KcReq *r, Kassa__V1__Checkout *co, const char *key)
{
	req_start(r, KASSA__V1__REQUEST__BODY_CHECKOUT);
	r->req.checkout = co;
	/* a quote changes nothing, so it goes without a key */
	if (!co->quote)
		req_key(r, key);
}

/* ---- members ---- */

void kc_req_member_register(KcReq *r, const Kassa__V1__MemberRegister *reg, const char *key)
{
	req_start(r, KASSA__V1__REQUEST__BODY_MEMBER_REGISTER);
	r->req.member_register = (Kassa__V1__MemberRegister *)reg;
	req_key(r, key);
}

/* r as a MemberGet by one key (by); the caller sets that key's field. */
static Kassa__V1__MemberGet *member_get(KcReq *r, Kassa__V1__MemberGet__ByCase by)
{
	Kassa__V1__MemberGet *get = REQ_BODY(r, member_get, MEMBER_GET);

	get->by_case = by;
	return get;
}

void kc_req_member_get_by_id(KcReq *r, int64_t member_id)
{
	member_get(r, KASSA__V1__MEMBER_GET__BY_MEMBER_ID)->member_id = member_id;
}

void kc_req_member_get_by_phone(KcReq *r, const char *phone)
{
	member_get(r, KASSA__V1__MEMBER_GET__BY_PHONE)->phone = (char *)phone;
}

void kc_req_member_get_by_card(KcReq *r, const char *card_no)
{
	member_get(r, KASSA__V1__MEMBER_GET__BY_CARD_NO)->card_no = (char *)card_no;
}

void kc_req_member_get_by_qr(KcReq *r, const char *qr_payload)
{
	member_get(r, KASSA__V1__MEMBER_GET__BY_QR_PAYLOAD)->qr_payload = (char *)qr_payload;
}

void kc_req_member_history(KcReq *r, int64_t member_id, uint32_t limit, const char *before)
{
	Kassa__V1__MemberHistory *mh = REQ_BODY(r, member_history, MEMBER_HISTORY);

	mh->member_id = member_id;
	mh->limit = limit;
	if (before != NULL)
		mh->before = (char *)before;
}

/* r as a MemberSearch by one key (by) with limit; the caller sets that key's field. */
static Kassa__V1__MemberSearch *member_search(KcReq *r, Kassa__V1__MemberSearch__ByCase by,
					      uint32_t limit)
{
	Kassa__V1__MemberSearch *ms = REQ_BODY(r, member_search, MEMBER_SEARCH);

	ms->by_case = by;
	ms->limit = limit;
	return ms;
}

void kc_req_member_search_name(KcReq *r, const char *prefix, uint32_t limit)
{
	member_search(r, KASSA__V1__MEMBER_SEARCH__BY_NAME_PREFIX, limit)->name_prefix =
		(char *)prefix;
}

void kc_req_member_search_phone(KcReq *r, const char *suffix, uint32_t limit)
{
	member_search(r, KASSA__V1__MEMBER_SEARCH__BY_PHONE_SUFFIX, limit)->phone_suffix =
		(char *)suffix;
}

void kc_req_member_update(KcReq *r, int64_t member_id, const Kassa__V1__MemberRegister *values,
			  const char *const *fields, size_t nfields, const char *key)
{
	Kassa__V1__MemberUpdate *upd = REQ_BODY(r, member_update, MEMBER_UPDATE);

	upd->member_id = member_id;
	upd->values = (Kassa__V1__MemberRegister *)values;
	upd->n_fields = nfields;
	upd->fields = (char **)fields;
	req_key(r, key);
}

/* ---- refunds and top-ups ---- */

void kc_req_refund(KcReq *r, int64_t txn_id, const int32_t *line_nos, size_t n,
		   int64_t approver_staff_id, const char *approver_pin, const char *reason,
		   const char *key)
{
	Kassa__V1__Refund *rf = REQ_BODY(r, refund, REFUND);

	rf->txn_id = txn_id;
	rf->n_line_nos = n;
	rf->line_nos = (int32_t *)line_nos;
	rf->approver_staff_id = approver_staff_id;
	rf->approver_pin = str_or_empty(approver_pin);
	rf->reason = str_or_empty(reason);
	req_key(r, key);
}

void kc_req_top_up(KcReq *r, int64_t member_id, int64_t amount_minor, const KcTender *tenders,
		   size_t n, const char *key)
{
	Kassa__V1__TopUp *tu = REQ_BODY(r, top_up, TOP_UP);
	Kassa__V1__Tender *tv, **tp;

	kc_tenders_build(tenders, n, &tv, &tp);
	r->heap[0] = tv;
	r->heap[1] = tp;
	tu->member_id = member_id;
	tu->amount_minor = amount_minor;
	tu->n_tenders = n;
	tu->tenders = tp;
	req_key(r, key);
}

/* ---- loyalty ---- */

void kc_req_rule_set_get(KcReq *r)
{
	(void)REQ_BODY(r, rule_set_get, RULE_SET_GET);
}

void kc_req_rule_set_put(KcReq *r, const char *json, const char *note, const char *key)
{
	Kassa__V1__RuleSetPut *put = REQ_BODY(r, rule_set_put, RULE_SET_PUT);

	put->config_json = str_or_empty(json);
	put->note = str_or_empty(note);
	req_key(r, key);
}

void kc_req_coupon_define(KcReq *r, const Kassa__V1__CouponDefine *def, const char *key)
{
	req_start(r, KASSA__V1__REQUEST__BODY_COUPON_DEFINE);
	r->req.coupon_define = (Kassa__V1__CouponDefine *)def;
	req_key(r, key);
}

void kc_req_coupon_issue(KcReq *r, int64_t member_id, int64_t def_id, const char *claim_code,
			 const char *key)
{
	Kassa__V1__CouponIssue *ci = REQ_BODY(r, coupon_issue, COUPON_ISSUE);

	ci->member_id = member_id;
	ci->def_id = def_id;
	ci->claim_code = str_or_empty(claim_code);
	req_key(r, key);
}

void kc_req_points_expire(KcReq *r, const char *key)
{
	(void)REQ_BODY(r, points_expire, POINTS_EXPIRE);
	req_key(r, key);
}

void kc_req_tier_set(KcReq *r, int64_t member_id, const char *tier, const char *reason,
		     const char *key)
{
	Kassa__V1__TierSet *ts = REQ_BODY(r, tier_set, TIER_SET);

	ts->member_id = member_id;
	ts->tier = str_or_empty(tier);
	ts->reason = str_or_empty(reason);
	req_key(r, key);
}

void kc_req_tier_reevaluate(KcReq *r, const char *key)
{
	(void)REQ_BODY(r, tier_reevaluate, TIER_REEVALUATE);
	req_key(r, key);
}

/* ---- the analytics job ---- */

void kc_req_analytics_run(KcReq *r, bool full, bool rebuild, const char *key)
{
	Kassa__V1__AnalyticsRun *ar = REQ_BODY(r, analytics_run, ANALYTICS_RUN);

	ar->full = full;
	ar->rebuild = rebuild;
	req_key(r, key);
}

/* ---- staff ---- */

void kc_req_staff_unlock(KcReq *r, int64_t staff_id, const char *key)
{
	REQ_BODY(r, staff_unlock, STAFF_UNLOCK)->staff_id = staff_id;
	req_key(r, key);
}

/* ---- the store ---- */

void kc_req_catalog_sync(KcReq *r, int64_t after_seq, uint32_t limit)
{
	Kassa__V1__CatalogSync *cs = REQ_BODY(r, catalog_sync, CATALOG_SYNC);

	cs->after_seq = after_seq;
	cs->limit = limit;
}

void kc_req_feedback(KcReq *r, int64_t txn_id, const char *receipt_no, int32_t rating,
		     const char *comment, const char *key)
{
	Kassa__V1__Feedback *fb = REQ_BODY(r, feedback, FEEDBACK);

	fb->txn_id = txn_id;
	fb->receipt_no = str_or_empty(receipt_no);
	fb->rating = rating;
	fb->comment = str_or_empty(comment);
	req_key(r, key);
}

void kc_req_shift_open(KcReq *r, int64_t float_minor, const char *key)
{
	REQ_BODY(r, shift_open, SHIFT_OPEN)->float_minor = float_minor;
	req_key(r, key);
}

void kc_req_shift_report(KcReq *r, bool close, int64_t counted_minor, const char *key)
{
	Kassa__V1__ShiftReport *sr = REQ_BODY(r, shift_report, SHIFT_REPORT);

	sr->close = close;
	sr->counted_minor = counted_minor;
	/* an X report changes nothing and carries no key */
	if (close)
		req_key(r, key);
}

/* ---- exchange rates ---- */

void kc_req_rates_get(KcReq *r)
{
	(void)REQ_BODY(r, rates_get, RATES_GET);
}

void kc_req_rates_set(KcReq *r, const KcRate *rates, size_t n, const char *note,
		      const char *key)
{
	Kassa__V1__RatesSet *set = REQ_BODY(r, rates_set, RATES_SET);
	Kassa__V1__ExchangeRate *rv = NULL, **rp = NULL;
	size_t i;

	if (n > 0) {
		rv = xcalloc(n, sizeof(*rv));
		rp = xcalloc(n, sizeof(*rp));
	}
	for (i = 0; i < n; i++) {
		kassa__v1__exchange_rate__init(&rv[i]);
		rv[i].currency = str_or_empty(rates[i].currency);
		rv[i].rate_micro = rates[i].rate_micro;
		rp[i] = &rv[i];
	}
	r->heap[0] = rv;
	r->heap[1] = rp;
	set->n_rates = n;
	set->rates = rp;
	set->note = str_or_empty(note);
	req_key(r, key);
}

void kc_req_report_run(KcReq *r, const char *report, const char *from, const char *to,
		       int64_t store_id, const char *category, uint32_t limit)
{
	Kassa__V1__ReportRun *rr = REQ_BODY(r, report_run, REPORT_RUN);

	rr->report = (char *)(report ? report : "");
	if (from != NULL)
		rr->from = (char *)from;
	if (to != NULL)
		rr->to = (char *)to;
	rr->store_id = store_id;
	if (category != NULL)
		rr->category = (char *)category;
	rr->limit = limit;
}

void kc_req_export_page(KcReq *r, const Kassa__V1__ExportPage *page, const char *key)
{
	req_start(r, KASSA__V1__REQUEST__BODY_EXPORT_PAGE);
	r->req.export_page = (Kassa__V1__ExportPage *)page;
	if (page->export_id == 0)
		req_key(r, key);
}

/* ---- head office's members ---- */

void kc_req_member_360(KcReq *r, int64_t member_id, uint32_t limit)
{
	Kassa__V1__Member360 *q = &r->body.member_360;

	/* not REQ_BODY: the message's functions are member360, its field member_360 */
	req_start(r, KASSA__V1__REQUEST__BODY_MEMBER_360);
	kassa__v1__member360__init(q);
	r->req.member_360 = q;
	q->member_id = member_id;
	q->limit = limit;
}

void kc_req_member_find(KcReq *r, Kassa__V1__MemberFilter *filter, const char *segment,
			uint32_t version, uint32_t limit, const char *after, bool count_only)
{
	Kassa__V1__MemberFind *q = REQ_BODY(r, member_find, MEMBER_FIND);

	q->filter = filter;
	q->segment = str_or_empty(segment);
	q->segment_version = version;
	q->limit = limit;
	q->after = str_or_empty(after);
	q->count_only = count_only;
}

void kc_req_segment_save(KcReq *r, const char *name, const char *description,
			 Kassa__V1__MemberFilter *filter, const char *key)
{
	Kassa__V1__SegmentSave *q = REQ_BODY(r, segment_save, SEGMENT_SAVE);

	q->name = str_or_empty(name);
	q->description = str_or_empty(description);
	q->filter = filter;
	req_key(r, key);
}

void kc_req_segment_get(KcReq *r, const char *name, uint32_t version)
{
	Kassa__V1__SegmentGet *q = REQ_BODY(r, segment_get, SEGMENT_GET);

	q->name = str_or_empty(name);
	q->version = version;
}

void kc_req_segment_list(KcReq *r)
{
	(void)REQ_BODY(r, segment_list, SEGMENT_LIST);
}

/* ---- the audit log's verification ---- */

void kc_req_audit_verify(KcReq *r)
{
	(void)REQ_BODY(r, audit_verify, AUDIT_VERIFY);
}

/* ---- a member's data rights ---- */

void kc_req_member_data_export(KcReq *r, int64_t member_id)
{
	REQ_BODY(r, member_data_export, MEMBER_DATA_EXPORT)->member_id = member_id;
}

void kc_req_member_erase(KcReq *r, int64_t member_id, const char *reason, const char *key)
{
	Kassa__V1__MemberErase *q = REQ_BODY(r, member_erase, MEMBER_ERASE);

	q->member_id = member_id;
	q->reason = str_or_empty(reason);
	req_key(r, key);
}

/* ---- the operator console ---- */

void kc_req_console_show(KcReq *r, const char *what)
{
	REQ_BODY(r, console_show, CONSOLE_SHOW)->what = str_or_empty(what);
}

void kc_req_console_reload(KcReq *r)
{
	(void)REQ_BODY(r, console_reload, CONSOLE_RELOAD);
}
