/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c: AuditVerify, an administrator's check of the audit log's hash
 * chain (migrations/0013_audit_chain.sql). The chain is walked in seq
 * order, AUDIT_BATCH rows per statement (kassa_audit_verify_batch in
 * migrations/functions/audit.sql recomputes each row's hash and compares
 * seq, prev_hash and hash), each batch's callback sending the next with
 * the last seq and hash it reached, so no statement runs long and the loop
 * never waits. The walk reads the report lane (the replica when
 * [database] report_dsn is set); the chain only grows, so rows appended
 * meanwhile are walked too. It stops at the first bad row, at the end, or
 * at its deadline (AUDIT_DEADLINE_S: DEADLINE_EXCEEDED, saying how far it
 * got).
 *
 * The steps of one request:
 *
 *   1 handle_audit_verify: the walk's state, the first batch (seq 0, the
 *     genesis hash)
 *   2 verify_batch_cb: add the batch's rows; a bad row or the end goes to
 *     step 3, a full batch sends the next
 *   3 verify_record: the verification is itself audited ('audit.verify',
 *     on the primary: WORK lane) with what it found
 *   4 verify_record_cb: reply AuditVerified (ok, rows, first_bad_id, the
 *     machine word problem, a message for people, the head hash)
 *
 * A verification found bad is answered OK at the wire level with ok false:
 * the request worked, the log did not pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db.h"
#include "log.h"

#define AUDIT_BATCH "5000"		/* rows one statement checks */
#define AUDIT_DEADLINE_S 600		/* a whole walk, then DEADLINE_EXCEEDED */
#define AUDIT_HASH_HEX 65		/* sha256 in hex, with the NUL */
#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* One walk: the Call's state from step 1 to 4. */
typedef struct AuditWalk {
	int64_t after;			/* the last good seq */
	char prev[AUDIT_HASH_HEX];	/* ... and its hash, hex (the genesis before seq 1) */
	int64_t rows;			/* rows checked so far */
	int64_t bad_id;			/* audit_id of the first bad row, 0 = none */
	char problem[16];		/* "edited", "inserted", "deleted" or "" */
	int64_t deadline_us;		/* now_usec() past which the walk gives up */
} AuditWalk;

static int st_batch, st_record;

void audit_setup(void)
{
	/* $1 the last good seq, $2 its hash (hex), $3 rows per batch */
	st_batch = db_stmt_add("audit_verify_batch",
		"SELECT r_rows, r_last_seq, encode(r_last_hash, 'hex'), r_more, r_bad_id, r_problem"
		" FROM kassa_audit_verify_batch($1::bigint, decode($2, 'hex'), $3::integer)",
		DB_LANE_REPORT);
	/* $1 staff, $2 till, $3 ok, $4 rows, $5 first bad id, $6 problem, $7 head hash */
	st_record = db_stmt_add("audit_verify_record",
		"INSERT INTO audit_log (staff_id, till_id, action, subject, detail)"
		" VALUES ($1::bigint, $2::bigint, 'audit.verify', 'audit_log',"
		"  jsonb_build_object('ok', $3::boolean, 'rows', $4::bigint,"
		"   'first_bad_id', nullif($5::bigint, 0), 'problem', nullif($6, ''),"
		"   'head_hash', $7::text))",
		DB_LANE_WORK);
}

static void verify_batch_cb(void *arg, DbStatus st, const PGresult *res);

/* Send the batch after w->after. */
static void verify_send(Call *c, AuditWalk *w)
{
	char after[24];
	const char *params[3] = { after, w->prev, AUDIT_BATCH };

	snprintf(after, sizeof(after), "%lld", (long long)w->after);
	db_query(st_batch, 3, params, verify_batch_cb, c);
}

/* Step 1. */
void handle_audit_verify(Call *c)
{
	AuditWalk *w = xcalloc(1, sizeof(*w));

	snprintf(w->prev, sizeof(w->prev), "%s", AUDIT_GENESIS);
	w->deadline_us = now_usec() + (int64_t)AUDIT_DEADLINE_S * 1000000;
	c->state = w;
	c->state_free = free;
	verify_send(c, w);
}

static void verify_record(Call *c, AuditWalk *w);

/* Step 2. */
static void verify_batch_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	AuditWalk *w;
	bool more;

	if (!call_db_ok(c, st, res))
		return;
	w = c->state;
	if (PQntuples(res) != 1) {
		log_call(c, LOG_LVL_ERROR, "audit verify: the batch returned %d rows, not 1",
			 PQntuples(res));
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL",
			  "the audit log could not be verified");
		return;
	}
	w->rows += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	w->after = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	snprintf(w->prev, sizeof(w->prev), "%s", PQgetvalue(res, 0, 2));
	more = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	w->bad_id = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	snprintf(w->problem, sizeof(w->problem), "%s", PQgetvalue(res, 0, 5));
	if (w->bad_id != 0 || !more) {
		verify_record(c, w);
		return;
	}
	if (now_usec() > w->deadline_us) {
		log_call(c, LOG_LVL_WARN,
			 "audit verify gave up after %d s at seq %lld (%lld rows good so far)",
			 AUDIT_DEADLINE_S, (long long)w->after, (long long)w->rows);
		call_fail(c, KASSA__V1__STATUS_CODE__DEADLINE_EXCEEDED, "AUDIT_VERIFY_TIMEOUT",
			  "the audit log is too long to verify within %d seconds: %lld rows up to"
			  " seq %lld were good", AUDIT_DEADLINE_S, (long long)w->rows,
			  (long long)w->after);
		return;
	}
	verify_send(c, w);
}

static void verify_record_cb(void *arg, DbStatus st, const PGresult *res);

/* Step 3. */
static void verify_record(Call *c, AuditWalk *w)
{
	char staff[24], till[24], rows[24], bad[24];
	const char *params[7] = { staff, till, w->bad_id == 0 ? "true" : "false", rows, bad,
				  w->problem, w->prev };

	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(rows, sizeof(rows), "%lld", (long long)w->rows);
	snprintf(bad, sizeof(bad), "%lld", (long long)w->bad_id);
	db_query(st_record, 7, params, verify_record_cb, c);
}

/* The message for people of a bad row's problem. */
static void verify_message(const Call *c, const AuditWalk *w, char *buf, size_t len)
{
	const Session *s = c->sess;

	if (w->bad_id == 0)
		snprintf(buf, len, session_text(s, N_("the audit log's %lld rows are intact")),
			 (long long)w->rows);
	else if (strcmp(w->problem, "edited") == 0)
		snprintf(buf, len, session_text(s, N_("audit row %lld was changed after it was"
			 " written (its hash does not match its fields)")), (long long)w->bad_id);
	else if (strcmp(w->problem, "deleted") == 0)
		snprintf(buf, len, session_text(s, N_("rows were deleted from the audit log just"
			 " before row %lld (a gap after chain position %lld)")),
			 (long long)w->bad_id, (long long)w->after);
	else
		snprintf(buf, len, session_text(s, N_("audit row %lld was inserted out of the"
			 " chain (it does not follow the row before it)")), (long long)w->bad_id);
}

/* Step 4. */
static void verify_record_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	AuditWalk *w;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__AuditVerified v = KASSA__V1__AUDIT_VERIFIED__INIT;
	char msg[256];

	if (!call_db_ok(c, st, res))
		return;
	w = c->state;
	verify_message(c, w, msg, sizeof(msg));
	if (w->bad_id != 0)
		log_call(c, LOG_LVL_WARN,
			 "audit verify by staff %lld: the audit log is NOT intact: row %lld %s"
			 " (%lld rows good before it)", (long long)c->staff_id,
			 (long long)w->bad_id, w->problem, (long long)w->rows);
	else
		log_call(c, LOG_LVL_INFO, "audit verify by staff %lld: %lld rows intact",
			 (long long)c->staff_id, (long long)w->rows);
	v.ok = w->bad_id == 0;
	v.rows = w->rows;
	v.first_bad_id = w->bad_id;
	v.problem = w->problem;
	v.message = msg;
	v.head_hash = w->prev;
	resp.body_case = KASSA__V1__RESPONSE__BODY_AUDIT_VERIFIED;
	resp.audit_verified = &v;
	call_reply(c, &resp);
}
