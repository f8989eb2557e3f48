/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_req: the one builder of every Request the clients send (but Hello
 * and Login, which the connection itself sends). A KcReq holds the
 * Request, storage for its body and a fresh idempotency key; kc_req_X()
 * fills it for what kc_X() (kc_members.h, kc_sales.h, ...) sends, so the
 * wrappers (kc_call() on a KassaClient) and the till (till_call() on its
 * session, which may be offline) send the very same messages:
 *
 *	KcReq r;
 *
 *	kc_req_shift_open(&r, float_minor, NULL);
 *	res = kc_call(kc, &r.req, &resp);	(or till_call(ts, &r.req, &resp))
 *	kc_req_done(&r);
 *
 * Strings, arrays and messages passed in are borrowed: they, and r, must
 * outlive the call (a retry resends r.req as it is). A request that
 * changes state takes key, its idempotency key: NULL puts a fresh one in
 * r->key (r.req.idempotency_key points at it, for a caller that reports
 * it); a caller that retries by hand passes the same key again. Requests
 * that change nothing carry no key. kc_req_done() frees the arrays a
 * builder allocated (kc_req_checkout(), kc_req_top_up(), kc_req_rates_set());
 * it is a no-op after the others and never frees r itself.
 */
#ifndef KASSA_KC_REQ_H
#define KASSA_KC_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kc_rates.h"
#include "kc_sales.h"

#define KC_REQ_HEAP 4			/* arrays one builder may allocate */

/* One Request ready to send, and what it points into. */
typedef struct KcReq {
	Kassa__V1__Request req;		/* what kc_call() / till_call() take */
	union {				/* the body req points at, when built here */
		Kassa__V1__ProductLookup product_lookup;
		Kassa__V1__TransactionGet transaction_get;
		Kassa__V1__Checkout checkout;
		Kassa__V1__MemberGet member_get;
		Kassa__V1__MemberSearch member_search;
		Kassa__V1__MemberUpdate member_update;
		Kassa__V1__MemberHistory member_history;
		Kassa__V1__Refund refund;
		Kassa__V1__TopUp top_up;
		Kassa__V1__RuleSetGet rule_set_get;
		Kassa__V1__RuleSetPut rule_set_put;
		Kassa__V1__CouponIssue coupon_issue;
		Kassa__V1__PointsExpire points_expire;
		Kassa__V1__TierSet tier_set;
		Kassa__V1__TierReevaluate tier_reevaluate;
		Kassa__V1__StaffUnlock staff_unlock;
		Kassa__V1__CatalogSync catalog_sync;
		Kassa__V1__Feedback feedback;
		Kassa__V1__ShiftOpen shift_open;
		Kassa__V1__ShiftReport shift_report;
		Kassa__V1__RatesGet rates_get;
		Kassa__V1__RatesSet rates_set;
		Kassa__V1__AnalyticsRun analytics_run;
		Kassa__V1__ReportRun report_run;
		Kassa__V1__Member360 member_360;
		Kassa__V1__MemberFind member_find;
		Kassa__V1__SegmentSave segment_save;
		Kassa__V1__SegmentGet segment_get;
		Kassa__V1__SegmentList segment_list;
		Kassa__V1__AuditVerify audit_verify;
		Kassa__V1__MemberDataExport member_data_export;
		Kassa__V1__MemberErase member_erase;
		Kassa__V1__ConsoleShow console_show;
		Kassa__V1__ConsoleReload console_reload;
	} body;
	char key[KC_KEY_LEN];		/* the fresh idempotency key, when the caller gave none */
	void *heap[KC_REQ_HEAP];	/* owned: arrays the builder allocated (kc_req_done()) */
} KcReq;

/* Free the arrays r's builder allocated (not r); safe on any built KcReq, once. */
void kc_req_done(KcReq *r);

/* ---- sales (kc_sales.h) ---- */

void kc_req_product_lookup(KcReq *r, const char *code);
/* By txn_id, or by receipt_no (NULL = none) when txn_id is 0. */
void kc_req_transaction_get(KcReq *r, int64_t txn_id, const char *receipt_no);

/*
 * The sale as a Checkout (quote: priced, not recorded, sent without a
 * key); the lines and tenders are allocated (kc_req_done()).
 */
void kc_req_checkout(KcReq *r, const KcSale *sale, const char *key, bool quote);

/*
 * A Checkout the caller built (the till's basket, sale_request_build()):
 * co is borrowed, and co->quote says whether key is used.
 */
void kc_req_checkout_body(KcReq *r, Kassa__V1__Checkout *co, const char *key);

/* ---- members (kc_members.h) ---- */

void kc_req_member_register(KcReq *r, const Kassa__V1__MemberRegister *reg, const char *key);
void kc_req_member_get_by_id(KcReq *r, int64_t member_id);
void kc_req_member_get_by_phone(KcReq *r, const char *phone);
void kc_req_member_get_by_card(KcReq *r, const char *card_no);
void kc_req_member_get_by_qr(KcReq *r, const char *qr_payload);
void kc_req_member_search_name(KcReq *r, const char *prefix, uint32_t limit);
void kc_req_member_search_phone(KcReq *r, const char *suffix, uint32_t limit);
/* limit 0 = server default; before: the previous page's next (NULL or "" = newest). */
void kc_req_member_history(KcReq *r, int64_t member_id, uint32_t limit, const char *before);
void kc_req_member_update(KcReq *r, int64_t member_id, const Kassa__V1__MemberRegister *values,
			  const char *const *fields, size_t nfields, const char *key);

/* ---- head office's members: 360, search, segments (kc_office_members.h) ---- */

/* limit 0 = the server's default entries per list. */
void kc_req_member_360(KcReq *r, int64_t member_id, uint32_t limit);
/*
 * filter (borrowed; NULL = every member), or segment (NULL or "" = use
 * the filter) at version (0 = latest); after = the previous page's next
 * (NULL or "" = from the start).
 */
void kc_req_member_find(KcReq *r, Kassa__V1__MemberFilter *filter, const char *segment,
			uint32_t version, uint32_t limit, const char *after, bool count_only);
void kc_req_segment_save(KcReq *r, const char *name, const char *description,
			 Kassa__V1__MemberFilter *filter, const char *key);
/* version 0 = the latest. */
void kc_req_segment_get(KcReq *r, const char *name, uint32_t version);
void kc_req_segment_list(KcReq *r);

/* ---- a member's data rights (kc_rights.h) ---- */

void kc_req_member_data_export(KcReq *r, int64_t member_id);
void kc_req_member_erase(KcReq *r, int64_t member_id, const char *reason, const char *key);

/* ---- the operator console (kc_console.h) ---- */

/* SHOW what: "pools", "sessions", "queues", "jobs", "version". */
void kc_req_console_show(KcReq *r, const char *what);
void kc_req_console_reload(KcReq *r);

/* ---- the audit log's verification (kc_audit.h) ---- */

void kc_req_audit_verify(KcReq *r);

/* ---- refunds and top-ups (kc_refunds.h) ---- */

void kc_req_refund(KcReq *r, int64_t txn_id, const int32_t *line_nos, size_t n,
		   int64_t approver_staff_id, const char *approver_pin, const char *reason,
		   const char *key);
/* The tenders are allocated (kc_req_done()). */
void kc_req_top_up(KcReq *r, int64_t member_id, int64_t amount_minor, const KcTender *tenders,
		   size_t n, const char *key);

/* ---- loyalty (kc_loyalty.h) ---- */

void kc_req_rule_set_get(KcReq *r);
void kc_req_rule_set_put(KcReq *r, const char *json, const char *note, const char *key);
void kc_req_coupon_define(KcReq *r, const Kassa__V1__CouponDefine *def, const char *key);
/* By definition def_id, or by claim_code (def_id 0). */
void kc_req_coupon_issue(KcReq *r, int64_t member_id, int64_t def_id, const char *claim_code,
			 const char *key);
void kc_req_points_expire(KcReq *r, const char *key);
void kc_req_tier_set(KcReq *r, int64_t member_id, const char *tier, const char *reason,
		     const char *key);
void kc_req_tier_reevaluate(KcReq *r, const char *key);

/* ---- staff (kc_staff.h) ---- */

void kc_req_staff_unlock(KcReq *r, int64_t staff_id, const char *key);

/* ---- the store: catalogue, feedback, shifts (kc_store.h) ---- */

void kc_req_catalog_sync(KcReq *r, int64_t after_seq, uint32_t limit);
void kc_req_feedback(KcReq *r, int64_t txn_id, const char *receipt_no, int32_t rating,
		     const char *comment, const char *key);
void kc_req_shift_open(KcReq *r, int64_t float_minor, const char *key);
/* X report (close false: no key sent) or Z report (close true, counted_minor counted). */
void kc_req_shift_report(KcReq *r, bool close, int64_t counted_minor, const char *key);

/* ---- the analytics job (kc_analytics.h) ---- */

void kc_req_analytics_run(KcReq *r, bool full, bool rebuild, const char *key);

/* ---- exchange rates (kc_rates.h) ---- */

void kc_req_rates_get(KcReq *r);
/* The ExchangeRates are allocated (kc_req_done()). */
void kc_req_rates_set(KcReq *r, const KcRate *rates, size_t n, const char *note,
		      const char *key);

/* ---- head office's reports (kc_reports.h) ---- */

/* report "" lists them; NULL or "" from/to/category = the report's default. */
void kc_req_report_run(KcReq *r, const char *report, const char *from, const char *to,
		       int64_t store_id, const char *category, uint32_t limit);

/* ---- head office's exports (kc_exports.h) ---- */

/*
 * One page of an export: page (borrowed) as the caller filled it. The
 * first page (export_id 0) takes key (NULL = a fresh one in r->key); a
 * later page carries none (it changes nothing).
 */
void kc_req_export_page(KcReq *r, const Kassa__V1__ExportPage *page, const char *key);

#endif
