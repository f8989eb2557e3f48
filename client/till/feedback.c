/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feedback: the customer's rating of a sale (till_feedback(), till.h),
 * whether the sale went to the server or into the offline journal. The
 * screen and script mode both come here, so a rating given after an
 * offline sale is kept like the sale itself:
 *
 *   online, journal empty   a Feedback request (its own idempotency key);
 *                           the server's answer is final
 *   offline, or records     a Feedback request with its own key, the sale
 *   waiting, or no answer   named by receipt number (an offline sale has
 *                           no txn_id yet), appended to the journal after
 *                           the sale (fsync'd); the replay sends it after
 *                           the sale, in order, and a refusal is set aside
 *                           like any other record (offline/replay.c)
 *
 * A request sent whose answer never came is journaled with the same key:
 * if it did reach the server, the replay is answered again, not recorded
 * twice. The values are checked here as the server checks them, so that a
 * rating journaled offline is not refused later for a typing slip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "journal.h"
#include "kc_req.h"
#include "till.h"
#include "tillpriv.h"

#define FEEDBACK_COMMENT_BYTES 2000	/* the server's 500 characters of UTF-8 at most */

/* A failure of the till's own: status code, detail and a message for the cashier. */
static bool feedback_fail(TillFeedbackResult *out, const char **detail, char *msg,
			  size_t msglen, const char *code, const char *d, const char *m)
{
	out->code = code;
	*detail = d;
	snprintf(msg, msglen, "%s", m);
	return false;
}

/* UTF-8 text of a bounded length without control characters but line breaks and tabs. */
static bool comment_is_text(const char *s)
{
	size_t len = strlen(s), i;

	if (len > FEEDBACK_COMMENT_BYTES || !utf8_is_valid(s, len))
		return false;
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') || s[i] == 0x7F)
			return false;
	return true;
}

/* Check the values before anything is sent or journaled. */
static bool feedback_check(const TillSession *ts, const char *receipt_no, int64_t txn_id,
			   int32_t rating, const char *comment, TillFeedbackResult *out,
			   const char **detail, char *msg, size_t msglen)
{
	if (ts->staff_id == 0)
		return feedback_fail(out, detail, msg, msglen, "UNAUTHENTICATED", "NOT_LOGGED_IN",
				     _("log in first"));
	if (rating < 1 || rating > 5)
		return feedback_fail(out, detail, msg, msglen, "INVALID_ARGUMENT", "BAD_RATING",
				     _("the rating is a whole number from 1 to 5"));
	if (txn_id < 0 || (txn_id == 0 && (receipt_no == NULL || receipt_no[0] == '\0' ||
					   strlen(receipt_no) >= TILL_RECEIPT_LEN)))
		return feedback_fail(out, detail, msg, msglen, "INVALID_ARGUMENT", "BAD_SALE",
				     _("name the sale by its transaction id or receipt number"));
	if (!comment_is_text(comment))
		return feedback_fail(out, detail, msg, msglen, "INVALID_ARGUMENT", "BAD_COMMENT",
				     _("the comment is too long or not text"));
	return true;
}

/* Journal the Feedback of r (fsync'd): it is replayed after its sale. */
static bool feedback_journal(TillSession *ts, KcReq *r, TillFeedbackResult *out,
			     const char **detail, char *msg, size_t msglen)
{
	char err[KC_ERR_LEN];
	uint8_t *buf;
	size_t len;
	bool ok;

	r->req.request_id = 0;
	len = kassa__v1__request__get_packed_size(&r->req);
	buf = xmalloc(len ? len : 1);
	(void)kassa__v1__request__pack(&r->req, buf);
	ok = journal_append(ts->journal, buf, len, err, sizeof(err));
	free(buf);
	if (!ok)
		return feedback_fail(out, detail, msg, msglen, "INTERNAL", "JOURNAL_FAILED", err);
	out->offline = true;
	return true;
}

/* The server's answer to a Feedback that reached it. */
static bool feedback_answered(TillSession *ts, Kassa__V1__Response *resp,
			      TillFeedbackResult *out, const char **detail, char *msg,
			      size_t msglen)
{
	bool ok = kc_status(resp) == KASSA__V1__STATUS_CODE__OK &&
		  resp->body_case == KASSA__V1__RESPONSE__BODY_FEEDBACK_RECORDED;

	if (ok) {
		out->feedback_id = resp->feedback_recorded->feedback_id;
		out->txn_id = resp->feedback_recorded->txn_id;
	} else {
		out->code = kc_status_name(kc_status(resp));
		snprintf(ts->priv->detail, sizeof(ts->priv->detail), "%s",
			 kc_detail(resp)[0] ? kc_detail(resp) : kc_status_name(kc_status(resp)));
		*detail = ts->priv->detail;
		snprintf(msg, msglen, "%s", kc_message(resp));
	}
	kc_response_free(resp);
	return ok;
}

bool till_feedback(TillSession *ts, const char *receipt_no, int64_t txn_id, int32_t rating,
		   const char *comment, TillFeedbackResult *out, const char **detail, char *msg,
		   size_t msglen)
{
	Kassa__V1__Response *resp = NULL;
	KcReq r;
	KcResult res;
	bool ok;

	memset(out, 0, sizeof(*out));
	*detail = NULL;
	if (msglen > 0)
		msg[0] = '\0';
	if (comment == NULL)
		comment = "";
	if (!feedback_check(ts, receipt_no, txn_id, rating, comment, out, detail, msg, msglen))
		return false;
	kc_new_key(out->key);
	kc_req_feedback(&r, txn_id, txn_id > 0 ? NULL : receipt_no, rating, comment, out->key);
	/* till_online() may reconnect and replay the journal first: then ask pending */
	if (till_online(ts) && till_pending(ts) == 0) {
		res = till_call(ts, &r.req, &resp);
		if (res == KC_OK) {
			ok = feedback_answered(ts, resp, out, detail, msg, msglen);
			kc_req_done(&r);
			return ok;
		}
		kc_response_free(resp);
		if (res == KC_ERR_ARG) {
			kc_req_done(&r);
			return feedback_fail(out, detail, msg, msglen, "INVALID_ARGUMENT",
					     "BAD_REQUEST", kc_last_error(ts->kc));
		}
		/* no answer: it may have arrived; journaled with the same key */
	}
	ok = feedback_journal(ts, &r, out, detail, msg, msglen);
	kc_req_done(&r);
	return ok;
}
