/* SPDX-License-Identifier: Apache-2.0 */
/*
 * segment.c: saved segments. A segment is a named, versioned MemberFilter
 * that MemberFind, campaigns and exports use by name: SegmentSave stores
 * the filter (checked by member_filter_check() first, so a saved segment
 * always runs) as the next version of the name, exactly once per
 * idempotency key; SegmentGet reads one version (0 = the latest);
 * SegmentList the latest version of every name. segment_resolve() is how
 * MemberFind and exports turn a name and version into the stored filter.
 *
 * The filter travels to the database packed (protobuf bytes as a bytea
 * parameter in hex) and comes back the same way; SQL never reads it
 * (migrations/functions/segments.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "log.h"
#include "core.h"
#include "members.h"
#include "sqltext.h"

#define SEGMENT_NAME_MAX 64		/* characters (code points) */
#define SEGMENT_DESCRIPTION_MAX 500	/* characters */
#define SEGMENT_LIST_MAX 1000		/* names SegmentList answers at most */

static int st_save, st_get, st_list;

void segment_setup(void)
{
	/* $1 till, $2 key, $3 hash, $4 name, $5 description, $6 filter, $7 staff */
	st_save = db_stmt_add("segment_save",
		"SELECT * FROM kassa_segment_save($1, $2, $3::bytea, $4, $5, $6::bytea, $7)",
		DB_LANE_WORK);
	/*
	 * Segments are definitions, few and small: read on the primary, so a
	 * segment just saved is found at once even while a replica lags (the
	 * members it selects are then read on the report lane).
	 */
	st_get = db_stmt_add("segment_get", "SELECT * FROM kassa_segment_get($1, $2)",
		DB_LANE_QUICK);
	st_list = db_stmt_add("segment_list", "SELECT * FROM kassa_segment_list($1)",
		DB_LANE_QUICK);
}

/* Code points in valid UTF-8 s. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* 1..max characters (0..max when may_be_empty) of UTF-8 without control characters. */
static bool text_is_valid(const char *s, size_t max, bool may_be_empty)
{
	size_t len = strlen(s), n;

	if (!utf8_is_valid(s, len))
		return false;
	n = utf8_chars(s);
	if ((n == 0 && !may_be_empty) || n > max)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return false;
	return true;
}

/* The packed filter of column col of row r (bytea text form); NULL if it does not unpack. */
static Kassa__V1__MemberFilter *filter_from_row(const PGresult *res, int r, int col)
{
	size_t n = 0;
	unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, r, col), &n);
	Kassa__V1__MemberFilter *f = NULL;

	if (bytes != NULL)
		f = kassa__v1__member_filter__unpack(NULL, n, bytes);
	PQfreemem(bytes);
	if (f == NULL)
		log_error("could not unpack a saved segment's filter (%zu bytes)", n);
	return f;
}

/*
 * Fill s from row r of a kassa_segment_get/list result (strings borrow
 * from res); the filter is unpacked into *f (owned by the caller, free
 * with kassa__v1__member_filter__free_unpacked). False if it does not unpack.
 */
static bool segment_from_row(const PGresult *res, int r, Kassa__V1__Segment *s,
			     Kassa__V1__MemberFilter **f)
{
	kassa__v1__segment__init(s);
	*f = filter_from_row(res, r, 3);
	if (*f == NULL)
		return false;
	s->name = PQgetvalue(res, r, 0);
	s->version = (uint32_t)strtoul(PQgetvalue(res, r, 1), NULL, 10);
	s->description = PQgetvalue(res, r, 2);
	s->filter = *f;
	s->created_by = strtoll(PQgetvalue(res, r, 4), NULL, 10);
	s->created_at = PQgetvalue(res, r, 5);
	return true;
}

/* ---- SegmentSave ---- */

/* 2. Answer with the version stored (or replayed), as SegmentGet would. */
static void segment_get_cb(void *arg, DbStatus st, const PGresult *res);

/* 1. Check the name, description and filter; store the packed filter. */
void handle_segment_save(Call *c)
{
	static const Kassa__V1__MemberFilter empty = KASSA__V1__MEMBER_FILTER__INIT;
	const Kassa__V1__SegmentSave *q = c->req->segment_save;
	const Kassa__V1__MemberFilter *f = q->filter ? q->filter : &empty;
	MemberFilterParams fp;
	SqlText hash = SQLTEXT_INIT, packed = SQLTEXT_INIT;
	char till[24], staff[24];
	uint8_t *buf;
	size_t n;

	if (!text_is_valid(q->name, SEGMENT_NAME_MAX, false)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SEGMENT_NAME", "%s",
			  _("a segment name is 1-64 characters without control characters"));
		return;
	}
	if (!text_is_valid(q->description, SEGMENT_DESCRIPTION_MAX, true)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_DESCRIPTION", "%s",
			  _("a description is at most 500 characters without control characters"));
		return;
	}
	if (!member_filter_params(c, f, &fp))
		return;
	n = kassa__v1__member_filter__get_packed_size(f);
	buf = xmalloc(n + 1);
	kassa__v1__member_filter__pack(f, buf);
	sqltext_bytea(&packed, buf, n);
	free(buf);
	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);

	const char *params[7] = {
		till, c->req->idempotency_key, sqltext_str(&hash), q->name, q->description,
		sqltext_str(&packed), staff,
	};
	db_query(st_save, 7, params, segment_get_cb, c);
	sqltext_free(&hash);
	sqltext_free(&packed);
}

/* ---- SegmentGet ---- */

/* Answer with the one segment in res, or NOT_FOUND. */
static void segment_get_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Segment s;
	Kassa__V1__MemberFilter *f = NULL;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "SEGMENT_NOT_FOUND", "%s",
			  _("no such segment or version"));
		return;
	}
	if (!segment_from_row(res, 0, &s, &f)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_SEGMENT", "%s",
			  _("internal error"));
		return;
	}
	resp.body_case = KASSA__V1__RESPONSE__BODY_SEGMENT;
	resp.segment = &s;
	call_reply(c, &resp);
	kassa__v1__member_filter__free_unpacked(f, NULL);
}

void handle_segment_get(Call *c)
{
	const Kassa__V1__SegmentGet *q = c->req->segment_get;
	char version[16];
	const char *params[2] = { q->name, version };

	if (!text_is_valid(q->name, SEGMENT_NAME_MAX, false)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SEGMENT_NAME", "%s",
			  _("a segment name is 1-64 characters without control characters"));
		return;
	}
	if (q->version > INT32_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "SEGMENT_NOT_FOUND", "%s",
			  _("no such segment or version"));
		return;
	}
	snprintf(version, sizeof(version), "%u", q->version);
	db_query(st_get, 2, params, segment_get_cb, c);
}

/* ---- SegmentList ---- */

static void segment_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__SegmentCatalog cat = KASSA__V1__SEGMENT_CATALOG__INIT;
	size_t n, k = 0;

	if (!call_db_ok(c, st, res))
		return;
	n = (size_t)PQntuples(res);
	Kassa__V1__Segment *s = xcalloc(n + 1, sizeof(*s));
	Kassa__V1__Segment **sp = xcalloc(n + 1, sizeof(*sp));
	Kassa__V1__MemberFilter **f = xcalloc(n + 1, sizeof(*f));

	for (size_t i = 0; i < n; i++)
		if (segment_from_row(res, (int)i, &s[k], &f[k])) {
			sp[k] = &s[k];
			k++;
		}
	cat.n_segments = k;
	cat.segments = sp;
	resp.body_case = KASSA__V1__RESPONSE__BODY_SEGMENT_CATALOG;
	resp.segment_catalog = &cat;
	call_reply(c, &resp);
	for (size_t i = 0; i < k; i++)
		kassa__v1__member_filter__free_unpacked(f[i], NULL);
	free(f);
	free(sp);
	free(s);
}

void handle_segment_list(Call *c)
{
	char lim[16];
	const char *p = lim;

	snprintf(lim, sizeof(lim), "%d", SEGMENT_LIST_MAX);
	db_query(st_list, 1, &p, segment_list_cb, c);
}

/* ---- segment_resolve (MemberFind, exports) ---- */

/* What a resolution waits with. */
typedef struct SegmentWait {
	Call *c;		/* borrowed: the request being served */
	SegmentResolved done;	/* called with the filter */
	void *arg;		/* done's */
} SegmentWait;

static void segment_resolve_cb(void *arg, DbStatus st, const PGresult *res)
{
	SegmentWait w = *(SegmentWait *)arg;
	Kassa__V1__MemberFilter *f;

	free(arg);
	if (!call_db_ok(w.c, st, res))
		return;
	if (PQntuples(res) == 0) {
		call_fail(w.c, KASSA__V1__STATUS_CODE__NOT_FOUND, "SEGMENT_NOT_FOUND", "%s",
			  _("no such segment or version"));
		return;
	}
	f = filter_from_row(res, 0, 3);
	if (f == NULL) {
		call_fail(w.c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_SEGMENT", "%s",
			  _("internal error"));
		return;
	}
	w.done(w.c, f, (uint32_t)strtoul(PQgetvalue(res, 0, 1), NULL, 10), w.arg);
	kassa__v1__member_filter__free_unpacked(f, NULL);
}

void segment_resolve(Call *c, const char *name, uint32_t version, SegmentResolved done,
		     void *arg)
{
	SegmentWait *w;
	char v[16];
	const char *params[2] = { name, v };

	if (!text_is_valid(name, SEGMENT_NAME_MAX, false) || version > INT32_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "SEGMENT_NOT_FOUND", "%s",
			  _("no such segment or version"));
		return;
	}
	w = xmalloc(sizeof(*w));
	w->c = c;
	w->done = done;
	w->arg = arg;
	snprintf(v, sizeof(v), "%u", version);
	db_query(st_get, 2, params, segment_resolve_cb, w);
}
