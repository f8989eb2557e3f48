/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rights.c: a member's data rights (PIPL / GDPR), for head office's
 * administrators: MemberDataExport answers everything stored about one
 * member as one JSON document, and MemberErase anonymises a member while
 * their money trail stays under their id (the tombstone).
 *
 * Each request is one statement on the WORK lane (the primary: both
 * write), answered from its callback:
 *
 *   MemberDataExport -> kassa_member_export_json(): the document, its lists
 *	bounded so that it fits in a frame ([server] max_frame less
 *	RIGHTS_FRAME_SLACK for the envelope), and an audit row
 *	'member.export' in the same transaction.
 *   MemberErase -> kassa_member_erase(): exactly once per idempotency key;
 *	clears every personal field in every table that holds one, writes
 *	'member.erase' with the reason (never the erased values) and answers
 *	how many rows it cleared. Erasing again answers the same.
 *
 * What is cleared, and what stays, is written down once, in
 * migrations/functions/member_rights.sql. Nothing here logs a member's
 * personal values: the export's text passes through untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "core.h"
#include "members.h"
#include "sqltext.h"

#define RIGHTS_LIMIT 500		/* rows per list of an export at most */
#define RIGHTS_FRAME_SLACK 4096		/* bytes of a frame kept for the envelope */
#define RIGHTS_REASON_MAX 500		/* characters of an erasure's reason */

static int st_export, st_erase;

void member_rights_setup(void)
{
	/* $1 till, $2 staff, $3 member, $4 rows per list, $5 bytes at most */
	st_export = db_stmt_add("member_export",
		"SELECT kassa_member_export_json($1, $2, $3, $4::integer, $5::integer)",
		DB_LANE_WORK);
	/* $1 till, $2 key, $3 hash, $4 staff, $5 member, $6 reason */
	st_erase = db_stmt_add("member_erase",
		"SELECT * FROM kassa_member_erase($1, $2, $3::bytea, $4, $5, $6)", DB_LANE_WORK);
}

/* ---- MemberDataExport ---- */

/* 2. The document is built and the export audited: answer with it. */
static void export_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__MemberData d = KASSA__V1__MEMBER_DATA__INIT;

	if (!call_db_ok(c, st, res))
		return;
	d.member_id = c->req->member_data_export->member_id;
	d.json = PQgetvalue(res, 0, 0);
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER_DATA;
	resp.member_data = &d;
	call_reply(c, &resp);
}

/* 1. Check the id and build the document in the database. */
void handle_member_data_export(Call *c)
{
	const Kassa__V1__MemberDataExport *q = c->req->member_data_export;
	char till[24], staff[24], id[24], limit[16], bytes[16];
	const char *params[5] = { till, staff, id, limit, bytes };
	int max = cf_max_frame - RIGHTS_FRAME_SLACK;

	if (q->member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER_ID", "%s",
			  _("give a member id"));
		return;
	}
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(id, sizeof(id), "%lld", (long long)q->member_id);
	snprintf(limit, sizeof(limit), "%d", RIGHTS_LIMIT);
	snprintf(bytes, sizeof(bytes), "%d", max > RIGHTS_FRAME_SLACK ? max : RIGHTS_FRAME_SLACK);
	db_query(st_export, 5, params, export_db_cb, c);
}

/* ---- MemberErase ---- */

/* 1..max characters of UTF-8 without control characters. */
static bool reason_is_valid(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
		n += ((unsigned char)*s & 0xC0) != 0x80;
	}
	return n >= 1 && n <= RIGHTS_REASON_MAX;
}

/* 2. Erased (now or before): answer with the tombstone and the count. */
static void erase_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__MemberErased e = KASSA__V1__MEMBER_ERASED__INIT;

	if (!call_db_ok(c, st, res))
		return;
	e.member_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	e.erased_at = PQgetvalue(res, 0, 1);
	e.rows_scrubbed = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER_ERASED;
	resp.member_erased = &e;
	call_reply(c, &resp);
}

/* 1. Check the request and erase in one database function. */
void handle_member_erase(Call *c)
{
	const Kassa__V1__MemberErase *q = c->req->member_erase;
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24], id[24];

	if (q->member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER_ID", "%s",
			  _("give a member id"));
		return;
	}
	if (!reason_is_valid(q->reason)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REASON", "%s",
			  _("give a reason of 1-500 characters without control characters"));
		return;
	}
	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(id, sizeof(id), "%lld", (long long)q->member_id);

	const char *params[6] = {
		till, c->req->idempotency_key, sqltext_str(&hash), staff, id, q->reason,
	};
	db_query(st_erase, 6, params, erase_db_cb, c);
	sqltext_free(&hash);
}
