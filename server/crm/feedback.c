/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feedback.c: Feedback, the customer's satisfaction rating of a sale that
 * the till asks for after payment: a rating 1-5 and an optional comment
 * (at most FEEDBACK_COMMENT_MAX characters of UTF-8 text), against the sale
 * named by its transaction id or its receipt number.
 *
 * kassad checks the values; one prepared call of kassa_feedback()
 * (migrations/functions/feedback.sql) finds the sale at the till's store,
 * claims the idempotency key and writes the row, exactly once: a retry
 * with the same key answers the same feedback_id, a second rating of the
 * same sale under another key is ALREADY_EXISTS / FEEDBACK_EXISTS, and a
 * sale of another store is not found (a till learns nothing about other
 * stores' sales).
 *
 * The low-rating rule (complaint_rating_opens, [crm] complaint_rating_max)
 * is decided here: a rating at most that opens a complaint about the
 * sale's member in the same transaction (none if the sale has no member);
 * FeedbackRecorded.complaint_id names it, and a retry answers it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint_state.h"
#include "crm.h"
#include "crm_table.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "sqltext.h"

#define FEEDBACK_RATING_MIN 1
#define FEEDBACK_RATING_MAX 5
#define FEEDBACK_COMMENT_MAX 500	/* characters (code points) */
#define FEEDBACK_RECEIPT_MAX 40		/* transactions.receipt_no's check */

static int st_feedback;

void feedback_setup(void)
{
	/*
	 * $1 till, $2 key, $3 the request's hash, $4 the till's store, $5 the
	 * staff logged in, $6 txn_id (0: by receipt), $7 receipt_no, $8 rating,
	 * $9 comment, $10 whether the low-rating rule opens a complaint.
	 */
	st_feedback = db_stmt_add("feedback",
		"SELECT * FROM kassa_feedback($1, $2, $3::bytea, $4, $5, $6, $7, $8, $9, "
		"$10::boolean)",
		DB_LANE_WORK);
	feedback_list_setup();
}

static void feedback_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__FeedbackRecorded ok = KASSA__V1__FEEDBACK_RECORDED__INIT;

	if (!call_is_orphan(c) && st == DB_SQL_ERROR && strcmp(db_sqlstate(res), "23505") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__ALREADY_EXISTS, "FEEDBACK_EXISTS",
			  "%s", _("this sale has been rated already"));
		return;
	}
	if (!call_is_orphan(c) && st == DB_SQL_ERROR &&
	    strcmp(db_errmsg(res), "TRANSACTION_NOT_FOUND") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "TRANSACTION_NOT_FOUND",
			  "%s", _("no such sale at this store"));
		return;
	}
	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		/* a replay whose row is gone: feedback is never deleted */
		log_call(c, LOG_LVL_ERROR, "feedback: no row for a replayed key");
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	ok.feedback_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	ok.txn_id = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	ok.complaint_id = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	resp.body_case = KASSA__V1__RESPONSE__BODY_FEEDBACK_RECORDED;
	resp.feedback_recorded = &ok;
	call_reply(c, &resp);
}

void handle_feedback(Call *c)
{
	const Kassa__V1__Feedback *f = c->req->feedback;
	const Session *s = c->sess;
	SqlText hash = SQLTEXT_INIT;
	char till[24], store[24], staff[24], txn[24], rating[8];
	size_t rlen = strlen(f->receipt_no);

	if (f->rating < FEEDBACK_RATING_MIN || f->rating > FEEDBACK_RATING_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RATING",
			  _("a rating is %d to %d"), FEEDBACK_RATING_MIN, FEEDBACK_RATING_MAX);
		return;
	}
	if (f->txn_id < 0 || (f->txn_id == 0 && (rlen == 0 || rlen > FEEDBACK_RECEIPT_MAX))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SALE",
			  "%s", _("name the sale by its transaction id or receipt number"));
		return;
	}
	if (!complaint_text_is_valid(f->comment, FEEDBACK_COMMENT_MAX, true)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COMMENT",
			  _("a comment is at most %d characters of text"), FEEDBACK_COMMENT_MAX);
		return;
	}
	sqltext_hash(&hash, &f->base);
	snprintf(till, sizeof(till), "%lld", (long long)s->till_id);
	snprintf(store, sizeof(store), "%lld", (long long)s->store_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(txn, sizeof(txn), "%lld", (long long)f->txn_id);
	snprintf(rating, sizeof(rating), "%d", (int)f->rating);

	const char *params[10] = {
		till, c->req->idempotency_key, sqltext_str(&hash), store, staff, txn,
		f->receipt_no, rating, f->comment,
		complaint_rating_opens((int)f->rating, cf_crm_complaint_rating_max) ? "t" : "f",
	};
	db_query(st_feedback, 10, params, feedback_db_cb, c);
	sqltext_free(&hash);
}
