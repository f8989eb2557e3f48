/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checkout: finishing a sale (till_finish(), till.h), online or offline.
 *
 * 1. The basket becomes one Checkout (sale_request_build()) with a
 *    receipt number and an idempotency key.
 * 2. Online, it is sent; the client library resends it with the same key
 *    after a dropped connection. An answer, yes or no, is final.
 * 3. No answer (server unreachable, or the session offline from the
 *    start): the sale is finished offline when it may be (cash and card
 *    only: no points, coupons, gifts or stored value): priced at the
 *    basket's list prices for the receipt, and appended to the journal
 *    with sold_at = now, offline = true and sold_by = the cashier, fsync'd
 *    before till_finish() returns, with the same key: a Checkout that was
 *    sent but never answered may be on the server already, and the replay
 *    is idempotent.
 * 4. A sale that was sent, got no answer and may not be finished offline
 *    stays open, and its key and receipt number are kept: finishing the
 *    same basket again resends the same request (the server either has it
 *    and answers it again, or records it now), so it is never sold twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "journal.h"
#include "money.h"
#include "phone.h"
#include "receipt.h"
#include "sale.h"
#include "till.h"
#include "tillpriv.h"

/* A failure of the till's own: detail and a message for the cashier. */
static bool finish_fail(const char **detail, char *msg, size_t msglen, const char *d,
			const char *m)
{
	*detail = d;
	snprintf(msg, msglen, "%s", m);
	return false;
}

/* The packed Checkout co (no key), owned. */
static uint8_t *pack_checkout(const Kassa__V1__Checkout *co, size_t *len)
{
	uint8_t *buf;

	*len = kassa__v1__checkout__get_packed_size(co);
	buf = xmalloc(*len ? *len : 1);
	(void)kassa__v1__checkout__pack(co, buf);
	return buf;
}

static void uncertain_clear(TillPriv *p)
{
	p->uncertain_key[0] = '\0';
	p->uncertain_receipt[0] = '\0';
	free(p->uncertain_body);
	p->uncertain_body = NULL;
	p->uncertain_len = 0;
}

/*
 * The receipt number and key of this attempt: those of the unanswered
 * Checkout when co is the same sale, else fresh ones. co->receipt_no is
 * set (pointing into out).
 */
static bool pick_identity(TillSession *ts, Kassa__V1__Checkout *co, TillFinish *out)
{
	TillPriv *p = ts->priv;

	if (p->uncertain_key[0] != '\0') {
		size_t len;
		uint8_t *body;
		bool same;

		co->receipt_no = p->uncertain_receipt;
		body = pack_checkout(co, &len);
		same = len == p->uncertain_len && memcmp(body, p->uncertain_body, len) == 0;
		free(body);
		if (same) {
			memcpy(out->key, p->uncertain_key, sizeof(out->key));
			memcpy(out->receipt_no, p->uncertain_receipt, sizeof(out->receipt_no));
			co->receipt_no = out->receipt_no;
			return true;
		}
		/* another basket: the cashier changed it, so it is another request */
		uncertain_clear(p);
	}
	if (!till_next_receipt(ts, out->receipt_no))
		return false;
	kc_new_key(out->key);
	co->receipt_no = out->receipt_no;
	return true;
}

/* Could this sale be finished offline? NULL if so, else why not. */
static const char *offline_refusal(const Sale *s)
{
	size_t i;

	if (s->points_redeem != 0 || s->n_coupons != 0)
		return "points or coupons";
	for (i = 0; i < s->n_items; i++)
		if (s->items[i].gift)
			return "gift line";
	for (i = 0; i < s->n_tenders; i++)
		if (s->tenders[i].kind != KASSA__V1__TENDER_KIND__TENDER_CASH &&
		    s->tenders[i].kind != KASSA__V1__TENDER_KIND__TENDER_CARD)
			return "tender";
	return NULL;
}

/*
 * The till's own Transaction for an offline receipt: list prices from the
 * basket, the tenders, the change. Built on the stack, then copied through
 * its wire form so the result owns everything (free_unpacked frees it).
 */
static Kassa__V1__Transaction *offline_txn(const TillSession *ts, const Sale *s,
					   const Kassa__V1__Checkout *co, int64_t total,
					   int64_t tendered)
{
	Kassa__V1__Transaction t = KASSA__V1__TRANSACTION__INIT, *copy;
	Kassa__V1__TransactionLine *lv = xcalloc(s->n_items + 1, sizeof(*lv));
	Kassa__V1__TransactionLine **lp = xcalloc(s->n_items + 1, sizeof(*lp));
	Kassa__V1__TenderRecord *tv = xcalloc(s->n_tenders + 1, sizeof(*tv));
	Kassa__V1__TenderRecord **tp = xcalloc(s->n_tenders + 1, sizeof(*tp));
	uint8_t *buf;
	size_t i, len;

	for (i = 0; i < s->n_items; i++) {
		kassa__v1__transaction_line__init(&lv[i]);
		lv[i].line_no = (int32_t)(i + 1);
		lv[i].product_id = s->items[i].product_id;
		lv[i].sku = s->items[i].sku;
		lv[i].name = s->items[i].name;
		lv[i].quantity = s->items[i].quantity;
		lv[i].unit_price_minor = s->items[i].unit_minor;
		lv[i].line_total_minor = s->items[i].line_minor;
		lv[i].net_minor = s->items[i].line_minor;
		lp[i] = &lv[i];
	}
	for (i = 0; i < s->n_tenders; i++) {
		const SaleTender *st = &s->tenders[i];

		kassa__v1__tender_record__init(&tv[i]);
		tv[i].tender_no = (int32_t)(i + 1);
		tv[i].kind = st->kind;
		tv[i].amount_minor = st->amount_minor;
		tv[i].reference = st->reference != NULL ? st->reference : (char *)"";
		tv[i].currency = (char *)st->currency;
		tv[i].foreign_minor = st->foreign_minor;
		tv[i].rate_micro = st->rate_micro;
		tv[i].rate_version = st->rate_version;
		tp[i] = &tv[i];
	}
	t.store_id = ts->store_id;
	t.till_id = ts->till_id;
	t.staff_id = ts->staff_id;
	t.member_id = s->member_id;
	t.currency = (char *)ts->currency;
	t.total_minor = total;
	t.gross_minor = total;
	t.tendered_minor = tendered;
	t.change_minor = tendered - total;
	t.n_lines = s->n_items;
	t.lines = lp;
	t.n_tenders = s->n_tenders;
	t.tenders = tp;
	t.created_at = co->sold_at;
	t.receipt_no = co->receipt_no;
	t.offline = true;
	len = kassa__v1__transaction__get_packed_size(&t);
	buf = xmalloc(len ? len : 1);
	(void)kassa__v1__transaction__pack(&t, buf);
	copy = kassa__v1__transaction__unpack(NULL, len, buf);
	free(buf);
	free(lv);
	free(lp);
	free(tv);
	free(tp);
	return copy;
}

/* Check the tenders cover the basket and change comes from cash only. */
static bool offline_amounts(const Sale *s, int64_t *total, int64_t *tendered, const char **detail,
			    char *msg, size_t msglen)
{
	int64_t cash = 0;
	size_t i;

	if (!sale_total(s, total) || !sale_tendered(s, tendered))
		return finish_fail(detail, msg, msglen, "BAD_AMOUNT", _("the amounts overflow"));
	if (*tendered < *total)
		return finish_fail(detail, msg, msglen, "INSUFFICIENT_TENDER",
				   _("the tenders do not cover the total"));
	for (i = 0; i < s->n_tenders; i++)
		if (s->tenders[i].kind == KASSA__V1__TENDER_KIND__TENDER_CASH &&
		    !money_add(cash, s->tenders[i].amount_minor, &cash))
			return finish_fail(detail, msg, msglen, "BAD_AMOUNT",
					   _("the amounts overflow"));
	if (*tendered - *total > cash)
		return finish_fail(detail, msg, msglen, "CHANGE_NOT_CASH",
				   _("change can only be given from cash"));
	return true;
}

/* Keep who the sale was for, as the receipt shows it, before the sale is reset. */
static void keep_member(const Sale *s, TillFinish *out)
{
	const Kassa__V1__Member *m = s->member;

	if (m != NULL) {
		snprintf(out->member_name, sizeof(out->member_name), "%s", m->name);
		snprintf(out->member_phone_masked, sizeof(out->member_phone_masked), "%s",
			 m->phone_masked);
		snprintf(out->member_tier, sizeof(out->member_tier), "%s", m->tier);
	} else if (s->member_phone[0] != '\0') {
		snprintf(out->member_name, sizeof(out->member_name), "%s", _("(by phone)"));
		phone_mask(s->member_phone, out->member_phone_masked,
			   sizeof(out->member_phone_masked));
	}
}

/* Step 3: journal the sale and finish it offline. */
static bool finish_offline(TillSession *ts, Sale *s, Kassa__V1__Checkout *co, TillFinish *out,
			   bool sent, const char **detail, char *msg, size_t msglen)
{
	char sold_at[32], err[KC_ERR_LEN];
	KcReq rq;
	int64_t total, tendered;
	uint8_t *buf;
	size_t len;
	bool ok;

	if (offline_refusal(s) != NULL) {
		if (sent && ts->priv->uncertain_key[0] == '\0') {
			/* step 4: keep what was sent, to send it again unchanged */
			memcpy(ts->priv->uncertain_key, out->key, sizeof(out->key));
			memcpy(ts->priv->uncertain_receipt, out->receipt_no,
			       sizeof(out->receipt_no));
			ts->priv->uncertain_body = pack_checkout(co, &ts->priv->uncertain_len);
		}
		return finish_fail(detail, msg, msglen, "OFFLINE_NOT_ALLOWED",
				   _("offline only cash and card can be taken: no points, "
				     "coupons, gifts or stored value"));
	}
	if (!offline_amounts(s, &total, &tendered, detail, msg, msglen))
		return false;
	state_now_rfc3339(sold_at);
	co->sold_at = sold_at;
	co->offline = true;
	co->sold_by = ts->staff_id;
	if (s->member_id == 0 && s->member_phone[0] != '\0')
		co->member_phone = s->member_phone;
	kc_req_checkout_body(&rq, co, out->key);
	len = kassa__v1__request__get_packed_size(&rq.req);
	buf = xmalloc(len ? len : 1);
	(void)kassa__v1__request__pack(&rq.req, buf);
	ok = journal_append(ts->journal, buf, len, err, sizeof(err));
	free(buf);
	if (!ok)
		return finish_fail(detail, msg, msglen, "JOURNAL_FAILED", err);
	uncertain_clear(ts->priv);
	out->offline = true;
	out->txn = offline_txn(ts, s, co, total, tendered);
	sale_reset(s);
	return true;
}

/* Step 2: the server's answer to a Checkout that reached it. */
static bool finish_answered(TillSession *ts, Sale *s, Kassa__V1__Response *resp, TillFinish *out,
			    const char **detail, char *msg, size_t msglen)
{
	uncertain_clear(ts->priv);
	if (kc_status(resp) == KASSA__V1__STATUS_CODE__OK &&
	    resp->body_case == KASSA__V1__RESPONSE__BODY_TRANSACTION) {
		out->resp = resp;
		out->txn = resp->transaction;
		sale_reset(s);
		return true;
	}
	snprintf(ts->priv->detail, sizeof(ts->priv->detail), "%s",
		 kc_detail(resp)[0] ? kc_detail(resp) : kc_status_name(kc_status(resp)));
	*detail = ts->priv->detail;
	snprintf(msg, msglen, "%s", kc_message(resp));
	kc_response_free(resp);
	return false;
}

bool till_finish(TillSession *ts, Sale *s, TillFinish *out, const char **detail, char *msg,
		 size_t msglen)
{
	Kassa__V1__Response *resp = NULL;
	SaleRequest *sr;
	KcReq rq;
	bool sent = false, ok;
	KcResult r;

	memset(out, 0, sizeof(*out));
	*detail = NULL;
	if (msglen > 0)
		msg[0] = '\0';
	if (!s->open)
		return finish_fail(detail, msg, msglen, "NO_SALE", _("no sale is open"));
	if (s->n_items == 0)
		return finish_fail(detail, msg, msglen, "EMPTY_SALE", _("the sale has no lines"));
	if (ts->staff_id == 0)
		return finish_fail(detail, msg, msglen, "NOT_LOGGED_IN", _("log in first"));
	keep_member(s, out);
	sr = xmalloc(sizeof(*sr));
	sale_request_build(s, sr);
	if (s->member_id == 0 && s->member_phone[0] != '\0')
		sr->co.member_phone = s->member_phone;
	if (!pick_identity(ts, &sr->co, out)) {
		free(sr);
		return finish_fail(detail, msg, msglen, "RECEIPT_NUMBER_FAILED",
				   _("no receipt number could be assigned (see the log)"));
	}
	if (till_online(ts)) {
		kc_req_checkout_body(&rq, &sr->co, out->key);
		r = till_call(ts, &rq.req, &resp);
		if (r == KC_OK) {
			ok = finish_answered(ts, s, resp, out, detail, msg, msglen);
			free(sr);
			return ok;
		}
		if (r == KC_ERR_ARG) {
			free(sr);
			return finish_fail(detail, msg, msglen, "BAD_REQUEST",
					   kc_last_error(ts->kc));
		}
		sent = true;	/* it may have reached the server: keep its key */
	}
	ok = finish_offline(ts, s, &sr->co, out, sent, detail, msg, msglen);
	free(sr);
	return ok;
}

void till_receipt_info(const TillSession *ts, const TillFinish *f, bool reprint, ReceiptInfo *r)
{
	memset(r, 0, sizeof(*r));
	r->store_name = ts->store_name;
	r->store_code = ts->store_code;
	r->till_code = ts->till_code;
	r->cashier_name = ts->staff_name;
	r->cashier_id = ts->staff_id;
	r->receipt_no = f->receipt_no;
	if (f->member_name[0] != '\0') {
		r->member_name = f->member_name;
		r->member_phone_masked = f->member_phone_masked;
		r->member_tier = f->member_tier[0] != '\0' ? f->member_tier : NULL;
	}
	r->currency = ts->currency;
	r->offline = f->offline;
	r->reprint = reprint;
	r->txn = f->txn;
}

bool till_receipt_save(const TillSession *ts, const TillFinish *f, bool reprint, char *err,
		       size_t errlen)
{
	const TillConfig *cfg = ts->cfg;
	ReceiptEncoding enc = cfg->printer_encoding != NULL &&
			      strcmp(cfg->printer_encoding, "utf8") == 0 ? RECEIPT_UTF8
									 : RECEIPT_GB18030;
	ReceiptInfo r;

	till_receipt_info(ts, f, reprint, &r);
	err[0] = '\0';
	return receipt_save(&r, cfg->receipt_dir, cfg->printer, enc, err, errlen);
}

KcResult till_quote(TillSession *ts, const Sale *s, Kassa__V1__Response **resp)
{
	SaleRequest *sr = xmalloc(sizeof(*sr));
	KcReq rq;
	KcResult r;

	sale_request_build(s, sr);
	sr->co.quote = true;
	kc_req_checkout_body(&rq, &sr->co, NULL);
	r = till_call(ts, &rq.req, resp);
	free(sr);
	return r;
}

void till_finish_free(TillFinish *f)
{
	if (f->resp != NULL)
		kc_response_free(f->resp);
	else
		kassa__v1__transaction__free_unpacked(f->txn, NULL);
	f->resp = NULL;
	f->txn = NULL;
}
