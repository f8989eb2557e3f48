/* SPDX-License-Identifier: Apache-2.0 */
/*
 * complaint.c: complaints, tickets about a member (and optionally one of
 * their sales): ComplaintOpen, ComplaintUpdate (the state machine of
 * complaint_state.c), ComplaintGet (with the notes, oldest first) and
 * ComplaintList (a keyset-paged ReportTable).
 *
 * A complaint is its store's: a store's till opens them about its own
 * store's sales (or none), head office about any sale. Staff see and work
 * their own store's tickets only, from a till or the office (their staff
 * record's store, else the till's: kassa_care_scope; another store's
 * ticket is not found); an analyst or admin at head office sees every
 * store's.
 *
 * An update is decided here and guarded in SQL: kassa_complaint_peek reads
 * the status (and whether the key has done the update already: a replay
 * answers from the record without deciding again), complaint_move_check
 * decides, and kassa_complaint_update writes only if the status is still
 * the one read (else STALE_STATUS: read and decide again, a few times),
 * with its note, its idempotency record and its audit row.
 * SQL: migrations/functions/complaints.sql.
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
#include "util.h"

#define COMPLAINT_RECEIPT_MAX 40
#define COMPLAINT_STALE_TRIES 3
#define COMPLAINT_COLS 21		/* kassa_complaint_rows */

static int st_open, st_peek, st_update, st_get, st_list;

void complaint_setup(void)
{
	/* $1 till, $2 key, $3 hash, $4 the till's store, $5 office?, $6 staff, $7 member,
	 * $8 txn_id, $9 receipt_no, $10 category, $11 description, $12 owner */
	st_open = db_stmt_add("complaint_open",
		"SELECT * FROM kassa_complaint_open($1, $2, $3::bytea, $4, $5::boolean, $6, $7, "
		"$8, $9, $10, $11, $12)", DB_LANE_WORK);
	/* $1 till, $2 key, $3 hash, $4-$7 the scope (CrmScope), $8 complaint */
	st_peek = db_stmt_add("complaint_peek",
		"SELECT * FROM kassa_complaint_peek($1, $2, $3::bytea, " CRM_SCOPE_SQL(4, 5, 6, 7)
		", $8)", DB_LANE_WORK);
	/* ... $8 staff, $9 complaint, $10 expected status, $11 status, $12 owner, $13 note */
	st_update = db_stmt_add("complaint_update",
		"SELECT * FROM kassa_complaint_update($1, $2, $3::bytea, " CRM_SCOPE_SQL(4, 5, 6, 7)
		", $8, $9, $10, $11, $12, $13)", DB_LANE_WORK);
	st_get = db_stmt_add("complaint_get",
		"SELECT * FROM kassa_complaint_rows(" CRM_SCOPE_SQL(1, 2, 3, 4) ", $5)",
		DB_LANE_QUICK);
	st_list = db_stmt_add("complaint_list",
		"SELECT * FROM kassa_complaint_list(" CRM_SCOPE_SQL(1, 2, 3, 4) ", $5, $6, $7, $8, "
		"$9)", DB_LANE_REPORT);
}

/* ---- answers ---- */

/* The refusals of functions/complaints.sql with their text; true if c was answered. */
static bool complaint_sql_refusal(Call *c, DbStatus st, const PGresult *res)
{
	const char *msg;

	if (call_is_orphan(c) || st != DB_SQL_ERROR)
		return false;
	if (crm_scope_refusal(c, st, res))
		return true;
	msg = db_errmsg(res);
	if (strcmp(msg, "COMPLAINT_NOT_FOUND") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, msg, "%s",
			  _("no such complaint at this store"));
	else if (strcmp(msg, "TRANSACTION_NOT_FOUND") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, msg, "%s",
			  _("no such sale at this store"));
	else if (strcmp(msg, "SALE_OF_ANOTHER_MEMBER") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, msg, "%s",
			  _("that sale is not this member's"));
	else if (strcmp(msg, "OWNER_NOT_FOUND") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, msg, "%s",
			  _("the owner must be active staff of the complaint's store or of head office"));
	else
		return false;
	return true;
}

static void not_found(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "COMPLAINT_NOT_FOUND", "%s",
		  _("no such complaint at this store"));
}

static int64_t cell_i64(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Answer c with the Complaint of res (kassa_complaint_rows: a row per note). */
static void reply_complaint(Call *c, const PGresult *res)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Complaint k = KASSA__V1__COMPLAINT__INIT;
	int n = PQntuples(res);
	Kassa__V1__ComplaintNote *nv, **np;

	if (n == 0 || PQnfields(res) != COMPLAINT_COLS) {
		not_found(c);
		return;
	}
	nv = xcalloc((size_t)n, sizeof(*nv));
	np = xcalloc((size_t)n, sizeof(*np));
	k.complaint_id = cell_i64(res, 0, 0);
	k.member_id = cell_i64(res, 0, 1);
	k.txn_id = cell_i64(res, 0, 2);
	k.store_id = cell_i64(res, 0, 3);
	k.status = PQgetvalue(res, 0, 4);
	k.category = PQgetvalue(res, 0, 5);
	k.description = PQgetvalue(res, 0, 6);
	k.owner_staff_id = cell_i64(res, 0, 7);
	k.opened_by = cell_i64(res, 0, 8);
	k.source = PQgetvalue(res, 0, 9);
	k.feedback_id = cell_i64(res, 0, 10);
	k.opened_at = PQgetvalue(res, 0, 11);
	k.updated_at = PQgetvalue(res, 0, 12);
	k.resolved_at = PQgetvalue(res, 0, 13);
	k.resolution_seconds = cell_i64(res, 0, 14);
	for (int i = 0; i < n; i++) {
		kassa__v1__complaint_note__init(&nv[i]);
		nv[i].at = PQgetvalue(res, i, 15);
		nv[i].staff_id = cell_i64(res, i, 16);
		nv[i].text = PQgetvalue(res, i, 17);
		nv[i].from_status = PQgetvalue(res, i, 18);
		nv[i].to_status = PQgetvalue(res, i, 19);
		nv[i].owner_staff_id = cell_i64(res, i, 20);
		np[i] = &nv[i];
	}
	k.notes = np;
	k.n_notes = (size_t)n;
	resp.body_case = KASSA__V1__RESPONSE__BODY_COMPLAINT;
	resp.complaint = &k;
	call_reply(c, &resp);
	free(np);
	free(nv);
}

static void complaint_rows_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (complaint_sql_refusal(c, st, res) || !call_db_ok(c, st, res))
		return;
	reply_complaint(c, res);
}

/* ---- open ---- */

static bool text_ok(Call *c, const char *s, bool may_be_empty, const char *what)
{
	if (complaint_text_is_valid(s, COMPLAINT_TEXT_MAX, may_be_empty))
		return true;
	call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, what,
		  may_be_empty ? _("a note is at most %d characters of text")
			       : _("describe the complaint in 1 to %d characters of text"),
		  COMPLAINT_TEXT_MAX);
	return false;
}

void handle_complaint_open(Call *c)
{
	const Kassa__V1__ComplaintOpen *q = c->req->complaint_open;
	const Session *s = c->sess;
	SqlText hash = SQLTEXT_INIT;
	char till[24], store[24], staff[24], member[24], txn[24], owner[24];

	if (q->member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "MEMBER_REQUIRED", "%s",
			  _("a complaint is about a member: give the member's id"));
		return;
	}
	if (q->txn_id < 0 || strlen(q->receipt_no) > COMPLAINT_RECEIPT_MAX ||
	    (q->txn_id > 0 && q->receipt_no[0] != '\0')) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SALE", "%s",
			  _("name the sale by its transaction id or its receipt number, not both"));
		return;
	}
	if (!complaint_category_is_valid(q->category)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CATEGORY", "%s",
			  _("the category is product, service, price, queue or other"));
		return;
	}
	if (!text_ok(c, q->description, false, "BAD_DESCRIPTION"))
		return;
	if (q->owner_staff_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "OWNER_NOT_FOUND", "%s",
			  _("the owner must be active staff of the complaint's store or of head office"));
		return;
	}
	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)s->till_id);
	snprintf(store, sizeof(store), "%lld", (long long)s->store_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(member, sizeof(member), "%lld", (long long)q->member_id);
	snprintf(txn, sizeof(txn), "%lld", (long long)q->txn_id);
	snprintf(owner, sizeof(owner), "%lld", (long long)q->owner_staff_id);

	const char *params[12] = {
		till, c->req->idempotency_key, sqltext_str(&hash), store,
		strcmp(s->till_kind, "office") == 0 ? "t" : "f", staff, member, txn, q->receipt_no,
		q->category, q->description, owner,
	};
	db_query(st_open, 12, params, complaint_rows_cb, c);
	sqltext_free(&hash);
}

/* ---- update ---- */

static void update_peek(Call *c);

static void update_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_is_orphan(c) && st == DB_SQL_ERROR &&
	    strcmp(db_errmsg(res), "STALE_STATUS") == 0) {
		if (++c->attempts < COMPLAINT_STALE_TRIES) {
			update_peek(c);		/* moved meanwhile: decide again */
			return;
		}
		call_fail(c, KASSA__V1__STATUS_CODE__ABORTED, "STALE_STATUS", "%s",
			  _("the complaint is being changed by someone else; try again"));
		return;
	}
	complaint_rows_cb(arg, st, res);
}

static void peek_cb(void *arg, DbStatus st, const PGresult *res);

/*
 * Send c's update: peek (read the status to decide from), or the guarded
 * write from status `from` (what was read) to `to`.
 */
static void update_send(Call *c, bool peek, const char *from, const char *to)
{
	const Kassa__V1__ComplaintUpdate *q = c->req->complaint_update;
	SqlText hash = SQLTEXT_INIT;
	char till[24], id[24], owner[24];
	CrmScope sc;

	if (!crm_scope(c, 0, &sc))
		return;
	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(id, sizeof(id), "%lld", (long long)q->complaint_id);
	snprintf(owner, sizeof(owner), "%lld", (long long)q->owner_staff_id);

	/* peek: $1-$7 and the id; the write: the staff, the id, the move */
	const char *params[13] = {
		till, c->req->idempotency_key, sqltext_str(&hash), sc.all, sc.staff, sc.till_store,
		sc.wanted, peek ? id : sc.staff, id, from, to, owner, q->note,
	};
	db_query(peek ? st_peek : st_update, peek ? 8 : 13, params, peek ? peek_cb : update_cb, c);
	sqltext_free(&hash);
}

static void peek_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__ComplaintUpdate *q;
	ComplaintStatus from, to;

	if (!call_db_ok(c, st, res))
		return;
	q = c->req->complaint_update;
	if (PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't') {
		update_send(c, false, "", "");		/* a replay: answered from its record */
		return;
	}
	if (PQntuples(res) != 1 || PQgetvalue(res, 0, 1)[0] != 't') {
		not_found(c);
		return;
	}
	from = complaint_status_parse(PQgetvalue(res, 0, 2));
	to = q->status[0] != '\0' ? complaint_status_parse(q->status) : from;
	switch (complaint_move_check(from, to, q->note[0] != '\0')) {
	case CM_OK:
		update_send(c, false, complaint_status_name(from),
			    complaint_status_name(to));
		return;
	case CM_NOTE_REQUIRED:
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "NOTE_REQUIRED", "%s",
			  _("resolving, rejecting or reopening a complaint needs a note"));
		return;
	case CM_BAD_TRANSITION:
		break;
	}
	call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "BAD_TRANSITION",
		  _("a complaint cannot go from %s to %s"), complaint_status_name(from),
		  complaint_status_name(to));
}

static void update_peek(Call *c)
{
	update_send(c, true, "", "");
}

void handle_complaint_update(Call *c)
{
	const Kassa__V1__ComplaintUpdate *q = c->req->complaint_update;

	if (q->complaint_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COMPLAINT", "%s",
			  _("name the complaint by its id"));
		return;
	}
	if (q->status[0] != '\0' && complaint_status_parse(q->status) == CS_INVALID) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STATUS", "%s",
			  _("the status is open, in_progress, resolved or rejected"));
		return;
	}
	if (q->owner_staff_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "OWNER_NOT_FOUND", "%s",
			  _("the owner must be active staff of the complaint's store or of head office"));
		return;
	}
	if (!text_ok(c, q->note, true, "BAD_NOTE"))
		return;
	if (q->status[0] == '\0' && q->owner_staff_id == 0 && q->note[0] == '\0') {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "NOTHING_TO_CHANGE", "%s",
			  _("give a status, an owner or a note"));
		return;
	}
	update_peek(c);
}

/* ---- get, list ---- */

void handle_complaint_get(Call *c)
{
	char id[24];
	CrmScope sc;

	if (c->req->complaint_get->complaint_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COMPLAINT", "%s",
			  _("name the complaint by its id"));
		return;
	}
	if (!crm_scope(c, 0, &sc))
		return;
	snprintf(id, sizeof(id), "%lld", (long long)c->req->complaint_get->complaint_id);

	const char *params[5] = { sc.all, sc.staff, sc.till_store, sc.wanted, id };
	db_query(st_get, 5, params, complaint_rows_cb, c);
}

static void list_cb(void *arg, DbStatus st, const PGresult *res)
{
	static const CrmCol cols[] = {
		{ "complaint_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "opened_at", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "store", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "member_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "txn_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "status", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "category", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "owner_staff_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "source", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "hours_to_resolve", KASSA__V1__COLUMN_KIND__COL_DECIMAL },
		{ "description", KASSA__V1__COLUMN_KIND__COL_TEXT },
	};
	Call *c = arg;

	if (crm_scope_refusal(c, st, res) || !call_db_ok(c, st, res))
		return;
	crm_table_reply(c, "complaints", cols, ARRAY_SIZE(cols), res,
			crm_list_limit(c->req->complaint_list->limit, (char[12]){ 0 }));
}

void handle_complaint_list(Call *c)
{
	const Kassa__V1__ComplaintList *q = c->req->complaint_list;
	char owner[24], member[24], limit[12], after[24];
	CrmScope sc;

	if (q->status[0] != '\0' && strcmp(q->status, "all") != 0 &&
	    complaint_status_parse(q->status) == CS_INVALID) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STATUS", "%s",
			  _("the status is open, in_progress, resolved, rejected or all"));
		return;
	}
	if (q->owner_staff_id < 0 || q->member_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_FILTER", "%s",
			  _("owner and member are ids, or 0 for any"));
		return;
	}
	if (!crm_scope(c, q->store_id, &sc) || !crm_list_after(c, q->after, after))
		return;
	snprintf(owner, sizeof(owner), "%lld", (long long)q->owner_staff_id);
	snprintf(member, sizeof(member), "%lld", (long long)q->member_id);
	crm_list_limit(q->limit, limit);

	const char *params[9] = {
		sc.all, sc.staff, sc.till_store, sc.wanted, q->status, owner, member, limit, after,
	};
	db_query(st_list, 9, params, list_cb, c);
}
