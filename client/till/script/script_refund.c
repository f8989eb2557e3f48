/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_refund: kassa-till's counter business with money besides the
 * sale: refund (lines of an earlier sale of this store, with a manager's
 * approval above the rule set's limit) and topup (money on a member's
 * stored-value wallet). Each is sent with a fresh idempotency key and
 * reports it. See script_cmds.h for what the command files share.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "i18n.h"
#include "kc_json.h"
#include "kc_options.h"
#include "money.h"
#include "script_cmds.h"

#define SCRIPT_MAX_LINE_NO 500		/* as the server's RULES_MAX_LINES */

/* What a refund command said. */
typedef struct RefundArgs {
	int64_t txn_id;			/* 0: by receipt */
	const char *receipt;		/* receipt=NO, or NULL */
	int32_t lines[SCRIPT_MAX_LINE_NO];
	size_t nlines;
	const char *approver_s, *pin, *reason;
} RefundArgs;

/* Add the line numbers of "2" or "1,2,5" to a; false if one is not 1..500. */
static bool add_lines(RefundArgs *a, const char *val)
{
	char buf[16];
	const char *p = val;

	for (;;) {
		size_t n = strcspn(p, ",");
		int64_t v;

		if (n == 0 || n >= sizeof(buf) || a->nlines >= SCRIPT_MAX_LINE_NO)
			return false;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (!kc_parse_i64(buf, &v) || v < 1 || v > SCRIPT_MAX_LINE_NO)
			return false;
		a->lines[a->nlines++] = (int32_t)v;
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

/* Read c's arguments into a; false after printing why. */
static bool refund_args(Till *t, const Cmd *c, const char *use, RefundArgs *a)
{
	int i = c->first;

	memset(a, 0, sizeof(*a));
	if (arg_word(c, 0) != NULL) {
		if (!kc_parse_i64(arg_word(c, 0), &a->txn_id) || a->txn_id <= 0) {
			script_usage(t, c, use);
			return false;
		}
		i++;
	}
	for (; i < c->n; i++) {
		const char *k = c->keys[i], *val = c->vals[i];

		if (val == NULL) {
			script_usage(t, c, use);
			return false;
		}
		if (strcmp(k, "line") == 0 || strcmp(k, "lines") == 0) {
			if (!add_lines(a, val)) {
				script_fail(t, c, "INVALID_ARGUMENT", "BAD_LINE",
					    _("line numbers are whole numbers from 1 to 500"));
				return false;
			}
		} else if (strcmp(k, "receipt") == 0 && a->receipt == NULL && *val != '\0') {
			a->receipt = val;
		} else if (strcmp(k, "approver") == 0 && a->approver_s == NULL) {
			a->approver_s = val;
		} else if (strcmp(k, "pin") == 0 && a->pin == NULL) {
			a->pin = val;
		} else if (strcmp(k, "reason") == 0 && a->reason == NULL) {
			a->reason = val;
		} else {
			script_usage(t, c, use);
			return false;
		}
	}
	if ((a->txn_id == 0) == (a->receipt == NULL)) {
		script_usage(t, c, use);
		return false;
	}
	return true;
}

/* The txn_id of the sale with receipt number no; 0 after printing why. */
static int64_t txn_by_receipt(Till *t, const Cmd *c, const char *no)
{
	Kassa__V1__Response *resp = NULL;
	int64_t id;
	KcReq r;

	kc_req_transaction_get(&r, 0, no);
	if (!script_answered_ok(t, c, script_call(t, &r, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TRANSACTION))
		return 0;
	id = resp->transaction->txn_id;
	kc_response_free(resp);
	return id;
}

/*
 * refund TXN_ID|receipt=NO [line=N ...|lines=N,M] [approver=ID pin=PIN]
 * [reason=TEXT]: no line refunds every line not refunded yet; a refund
 * above the rule set's limit needs a manager's id and PIN
 * (APPROVAL_REQUIRED otherwise). By receipt number, the sale is found
 * first (TransactionGet.receipt_no).
 */
void cmd_refund(Till *t, const Cmd *c)
{
	static const char use[] = "refund TXN_ID|receipt=NO [line=N ...|lines=N,M,...] "
				  "[approver=ID pin=PIN] [reason=TEXT]";
	Kassa__V1__Response *resp = NULL;
	RefundArgs *a = xmalloc(sizeof(*a));
	int64_t approver = 0;
	KcReq r;
	int before = script_reconnects(t);
	json_t *o;

	if (!refund_args(t, c, use, a))
		goto out;
	if ((a->approver_s == NULL) != (a->pin == NULL) ||
	    (a->approver_s != NULL && (!kc_parse_i64(a->approver_s, &approver) || approver <= 0))) {
		script_fail(t, c, "INVALID_ARGUMENT", "BAD_APPROVER",
			    _("an approval is approver=STAFF_ID together with pin=PIN"));
		goto out;
	}
	if (a->receipt != NULL && (a->txn_id = txn_by_receipt(t, c, a->receipt)) == 0)
		goto out;
	kc_req_refund(&r, a->txn_id, a->lines, a->nlines, approver, a->pin, a->reason, NULL);
	if (!script_answered_ok(t, c, script_call(t, &r, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_REFUND_RECORD))
		goto out;
	o = script_ok_keyed(t, c, r.req.idempotency_key, before);
	if (a->receipt != NULL)
		json_object_set_new(o, "receipt_no", json_string(a->receipt));
	json_object_set_new(o, "refund", kcj_refund(resp->refund_record));
	kcj_emit(o);
	kc_response_free(resp);
out:
	free(a);
}

/* topup MEMBER_ID AMOUNT [card=REF|ewallet=REF]: paid in cash unless a reference says how. */
void cmd_topup(Till *t, const Cmd *c)
{
	static const char use[] = "topup MEMBER_ID AMOUNT [card=REF|ewallet=REF]";
	Kassa__V1__Response *resp = NULL;
	const char *card = arg_get(c, "card"), *ewallet = arg_get(c, "ewallet");
	KcTender tender = { KASSA__V1__TENDER_KIND__TENDER_CASH, 0, NULL };
	int64_t member_id, amount;
	KcReq r;
	int before = script_reconnects(t);
	json_t *o;

	if (arg_word(c, 1) == NULL || (card != NULL && ewallet != NULL) ||
	    arg_count(c) != (card != NULL || ewallet != NULL ? 3 : 2) ||
	    !kc_parse_i64(arg_word(c, 0), &member_id) || member_id <= 0) {
		script_usage(t, c, use);
		return;
	}
	if (!money_parse(arg_word(c, 1), &amount) || amount <= 0) {
		script_fail(t, c, "INVALID_ARGUMENT", "BAD_AMOUNT",
			    "amount must be positive, like 1000.00");
		return;
	}
	if (card != NULL) {
		tender.kind = KASSA__V1__TENDER_KIND__TENDER_CARD;
		tender.reference = card;
	} else if (ewallet != NULL) {
		tender.kind = KASSA__V1__TENDER_KIND__TENDER_EWALLET;
		tender.reference = ewallet;
	}
	if (tender.reference != NULL && *tender.reference == '\0') {
		script_fail(t, c, "INVALID_ARGUMENT", "REFERENCE_REQUIRED",
			    "card and e-wallet payments need a reference");
		return;
	}
	tender.amount_minor = amount;
	kc_req_top_up(&r, member_id, amount, &tender, 1, NULL);
	if (!script_answered_ok(t, c, script_call(t, &r, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TOP_UP_RECORD))
		return;
	o = script_ok_keyed(t, c, r.req.idempotency_key, before);
	json_object_set_new(o, "tender", json_string(kcj_tender_name(tender.kind)));
	json_object_set_new(o, "topup", kcj_topup(resp->top_up_record));
	kcj_emit(o);
	kc_response_free(resp);
}

