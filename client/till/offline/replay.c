/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay: bringing the server up to date once it is back (till_sync(),
 * till.h). The journal's records are sent in order, each exactly as it
 * was journaled: a sale with its own idempotency key, sold_at, receipt
 * number and cashier (sold_by), a rating given after an offline sale
 * (Feedback, its own key, the sale by receipt number) after that sale, so
 * a record the server already has (sent before the connection dropped,
 * or replayed before a crash) is answered again and recorded once. Each
 * answer decides the record:
 *
 *   OK                          done (counted as replayed)
 *   no answer, UNAVAILABLE,     stop here: this record and the rest stay
 *   UNAUTHENTICATED,            in the journal for the next sync
 *   RESOURCE_EXHAUSTED
 *   any other refusal           set aside into the rejected file with the
 *                               server's detail and message (fsync'd), done
 *
 * Then the journal is compacted (atomically) to the records not done, and
 * the catalogue and rates are synchronised (cache.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "i18n.h"
#include "journal.h"
#include "till.h"
#include "tillpriv.h"

/* What one record's answer means for it. */
typedef enum ReplayOutcome {
	REPLAY_DONE,			/* the server has the sale */
	REPLAY_REJECTED,		/* refused for good: set aside */
	REPLAY_STOP,			/* try again later: keep it and the rest */
} ReplayOutcome;

/* Is this refusal one that passes when tried again later? */
static bool is_retryable(Kassa__V1__StatusCode code)
{
	return code == KASSA__V1__STATUS_CODE__UNAVAILABLE ||
	       code == KASSA__V1__STATUS_CODE__UNAUTHENTICATED ||
	       code == KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED ||
	       code == KASSA__V1__STATUS_CODE__DEADLINE_EXCEEDED;
}

/*
 * Send record rec and say what became of it; a rejection is written aside.
 * *feedback says whether it was a rating (else a sale).
 */
static ReplayOutcome replay_one(TillSession *ts, const JournalRecord *rec, bool *feedback)
{
	Kassa__V1__Request *req = kassa__v1__request__unpack(NULL, rec->len, rec->data);
	Kassa__V1__Response *resp = NULL;
	char err[KC_ERR_LEN], detail[96];
	ReplayOutcome out;
	KcResult r;

	*feedback = req != NULL && req->body_case == KASSA__V1__REQUEST__BODY_FEEDBACK;
	if (req == NULL || (req->body_case != KASSA__V1__REQUEST__BODY_CHECKOUT && !*feedback)) {
		kassa__v1__request__free_unpacked(req, NULL);
		return journal_reject(ts->journal, rec->data, rec->len, "JOURNAL_UNDECODABLE",
				      _("the journal record is neither a sale nor a rating"), err,
				      sizeof(err))
			       ? REPLAY_REJECTED
			       : REPLAY_STOP;
	}
	req->request_id = 0;	/* a new id on this connection */
	r = till_call(ts, req, &resp);
	kassa__v1__request__free_unpacked(req, NULL);
	if (r != KC_OK && r != KC_ERR_ARG)
		return REPLAY_STOP;
	if (r == KC_OK && kc_status(resp) == KASSA__V1__STATUS_CODE__OK) {
		kc_response_free(resp);
		return REPLAY_DONE;
	}
	if (r == KC_OK && is_retryable(kc_status(resp))) {
		kc_response_free(resp);
		return REPLAY_STOP;
	}
	if (r == KC_OK)
		snprintf(detail, sizeof(detail), "%s", kc_detail(resp)[0] ? kc_detail(resp)
							       : kc_status_name(kc_status(resp)));
	else
		snprintf(detail, sizeof(detail), "BAD_REQUEST");
	out = journal_reject(ts->journal, rec->data, rec->len, detail,
			     r == KC_OK ? kc_message(resp) : kc_last_error(ts->kc), err,
			     sizeof(err))
		      ? REPLAY_REJECTED
		      : REPLAY_STOP;
	if (out == REPLAY_STOP)
		fprintf(stderr, "kassa-till: %s\n", err);
	kc_response_free(resp);
	return out;
}

/* Replay the journal; true when every record was decided. */
static bool replay_journal(TillSession *ts, TillSyncReport *rep)
{
	Journal *j = ts->journal;
	bool *done = xcalloc(j->n ? j->n : 1, sizeof(*done)), all = true;
	char err[KC_ERR_LEN];
	size_t i, n_done = 0;

	for (i = 0; i < j->n; i++) {
		bool feedback = false;
		ReplayOutcome o = replay_one(ts, &j->recs[i], &feedback);

		if (o == REPLAY_STOP) {
			all = false;
			break;
		}
		done[i] = true;
		n_done++;
		if (o == REPLAY_DONE && feedback)
			rep->feedback++;
		else if (o == REPLAY_DONE)
			rep->replayed++;
		else
			rep->rejected++;
	}
	if (n_done > 0 && !journal_compact(j, done, err, sizeof(err))) {
		/* the records stay; replaying them again is idempotent */
		fprintf(stderr, _("kassa-till: could not compact the journal: %s\n"), err);
		all = false;
	}
	rep->pending = (int)j->n;
	free(done);
	return all;
}

bool till_sync(TillSession *ts, TillSyncReport *rep)
{
	char err[KC_ERR_LEN];
	bool ok;

	memset(rep, 0, sizeof(*rep));
	rep->pending = (int)ts->journal->n;
	if (ts->priv->syncing)
		return false;
	/*
	 * Asked for (a command, a login): try the server now rather than
	 * after TILL_RECONNECT_MS, and replay here, not in the automatic
	 * sync a reconnect would start, so rep tells what was replayed.
	 */
	if (!ts->online)
		ts->next_try_ms = 0;
	ts->priv->syncing = true;
	if (!till_online(ts)) {
		ts->priv->syncing = false;
		return false;
	}
	ok = ts->journal->n == 0 || replay_journal(ts, rep);
	if (ok && !cache_sync(ts->cache, ts, &rep->products, err, sizeof(err))) {
		fprintf(stderr, _("kassa-till: warning: the catalogue could not be synchronised: %s\n"),
			err);
		ok = ts->online;	/* a refusal (older server) is not an outage */
	}
	rep->rate_version = ts->cache->rates != NULL ? ts->cache->rates->version : 0;
	ts->priv->syncing = false;
	return ok;
}

void till_auto_sync(TillSession *ts)
{
	TillSyncReport rep;

	if (ts->priv->syncing || ts->staff_id == 0 || ts->journal->n == 0)
		return;
	(void)till_sync(ts, &rep);
	ts->priv->last_sync = rep;
	ts->priv->have_sync = true;
}
