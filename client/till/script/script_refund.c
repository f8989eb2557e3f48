/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_refund: kassa-till's counter business with money besides the
 * sale: refund (lines of an earlier sale of this store, with a manager's
 * approval above the rule set's limit) and topup (money on a member's
 * stored-value wallet). Each is sent with a fresh idempotency key and
 * reports it. See script_cmds.h for what the command files share.
 */
#include <string.h>

#include <jansson.h>

#include "kc_json.h"
#include "kc_options.h"
#include "money.h"
#include "script_cmds.h"

#define SCRIPT_MAX_LINE_NO 500		/* as the server's RULES_MAX_LINES */

/*
 * refund TXN_ID [line=N ...] [approver=ID pin=PIN] [reason=TEXT]: no
 * line= refunds every line not refunded yet; a refund above the rule set's
 * limit needs a manager's id and PIN (APPROVAL_REQUIRED otherwise).
 */
void cmd_refund(Till *t, const Cmd *c)
{
	static const char use[] =
		"refund TXN_ID [line=N ...] [approver=ID pin=PIN] [reason=TEXT]";
	Kassa__V1__Response *resp = NULL;
	const char *approver_s = NULL, *pin = NULL, *reason = NULL;
	int32_t lines[SCRIPT_MAX_WORDS];
	int64_t txn_id, approver = 0, v;
	size_t nlines = 0;
	char key[KC_KEY_LEN];
	int i, before = kc_reconnects(t->kc);
	json_t *o;

	if (!kc_parse_i64(arg_word(c, 0), &txn_id) || txn_id <= 0) {
		script_usage(t, c, use);
		return;
	}
	for (i = c->first + 1; i < c->n; i++) {
		const char *k = c->keys[i], *val = c->vals[i];

		if (val == NULL) {
			script_usage(t, c, use);
			return;
		}
		if (strcmp(k, "line") == 0) {
			if (!kc_parse_i64(val, &v) || v < 1 || v > SCRIPT_MAX_LINE_NO) {
				script_fail(t, c, "INVALID_ARGUMENT", "BAD_LINE",
					    "line numbers are whole numbers from 1 to 500");
				return;
			}
			lines[nlines++] = (int32_t)v;
		} else if (strcmp(k, "approver") == 0 && approver_s == NULL) {
			approver_s = val;
		} else if (strcmp(k, "pin") == 0 && pin == NULL) {
			pin = val;
		} else if (strcmp(k, "reason") == 0 && reason == NULL) {
			reason = val;
		} else {
			script_usage(t, c, use);
			return;
		}
	}
	if ((approver_s == NULL) != (pin == NULL) ||
	    (approver_s != NULL && (!kc_parse_i64(approver_s, &approver) || approver <= 0))) {
		script_fail(t, c, "INVALID_ARGUMENT", "BAD_APPROVER",
			    "an approval is approver=STAFF_ID together with pin=PIN");
		return;
	}
	kc_new_key(key);
	if (!script_answered_ok(t, c, kc_refund(t->kc, txn_id, lines, nlines, approver, pin,
						 reason, key, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_REFUND_RECORD))
		return;
	o = script_ok_keyed(t, c, key, before);
	json_object_set_new(o, "refund", kcj_refund(resp->refund_record));
	kcj_emit(o);
	kc_response_free(resp);
}

/* topup MEMBER_ID AMOUNT [card=REF|ewallet=REF]: paid in cash unless a reference says how. */
void cmd_topup(Till *t, const Cmd *c)
{
	static const char use[] = "topup MEMBER_ID AMOUNT [card=REF|ewallet=REF]";
	Kassa__V1__Response *resp = NULL;
	const char *card = arg_get(c, "card"), *ewallet = arg_get(c, "ewallet");
	KcTender tender = { KASSA__V1__TENDER_KIND__TENDER_CASH, 0, NULL };
	int64_t member_id, amount;
	char key[KC_KEY_LEN];
	int before = kc_reconnects(t->kc);
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
	kc_new_key(key);
	if (!script_answered_ok(t, c, kc_top_up(t->kc, member_id, amount, &tender, 1, key, &resp),
				&resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_TOP_UP_RECORD))
		return;
	o = script_ok_keyed(t, c, key, before);
	json_object_set_new(o, "tender", json_string(kcj_tender_name(tender.kind)));
	json_object_set_new(o, "topup", kcj_topup(resp->top_up_record));
	kcj_emit(o);
	kc_response_free(resp);
}

