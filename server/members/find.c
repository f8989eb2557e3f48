/* SPDX-License-Identifier: Apache-2.0 */
/*
 * find.c: MemberFind, head office's search of the whole member base by
 * MemberFilter (or by a saved segment's filter), keyset-paged by member id
 * ascending, or only counted.
 *
 * The request meets, in order: the paging checks (limit, the cursor);
 * with a segment name, segment_resolve() (segment.c) for its stored
 * filter; member_filter_params() (filter.c) for the SQL parameters; then
 * one statement on the report lane: kassa_member_count() or
 * kassa_member_find_ids() (migrations/functions/member_find.sql) joined
 * to the members' columns and their RFM scores and portrait, built as
 * member.c builds a member. A page reads limit + 1 ids to know whether
 * another follows; its cursor "next" ("m1:" and the last member id, opaque
 * to clients) resumes after that member, so members registered meanwhile
 * (higher ids) come on a later page and none comes twice. A cursor not of
 * that shape is INVALID_ARGUMENT BAD_CURSOR. (A member whose id was taken
 * before a page was read but who commits after it is not on a later page:
 * a page is as of its own reading.) A store manager searches only the
 * members whose usual store is theirs (STORE_NOT_YOURS for another), with
 * phones masked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "log.h"
#include "core.h"
#include "member_answer.h"
#include "members.h"

#define FIND_DEFAULT 50
#define FIND_MAX 1000
#define FIND_CURSOR_PREFIX "m1:"
#define FIND_ID_MAX 18		/* digits of a member id */
#define FIND_STATS_COL MEMBER_NCOLUMNS
#define FIND_PARAMS (MEMBER_FILTER_NPARAMS + 2)

static int st_count, st_find;

void member_find_setup(void)
{
	st_count = db_stmt_add("member_count",
		"SELECT kassa_member_count($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
		" $14)", DB_LANE_REPORT);
	/* $1..$14 the filter (members.h), $15 after this id, $16 how many */
	st_find = db_stmt_add("member_find",
		"SELECT " MEMBER_COLUMNS ", " MEMBER_STATS_COLUMN
		" FROM (SELECT m.* FROM kassa_member_find_ids($1, $2, $3, $4, $5, $6, $7, $8, $9,"
		" $10, $11, $12, $13, $14, $15::bigint, $16::integer) f"
		" JOIN members m ON m.member_id = f.member_id) members ORDER BY member_id",
		DB_LANE_REPORT);
}

/* What a search carries between its steps (c->state). */
typedef struct FindState {
	uint32_t segment_version;	/* the segment's version used; 0 = a filter */
	unsigned limit;			/* members per page */
	char after[FIND_ID_MAX + 1];	/* the cursor's member id; "0" = from the start */
} FindState;

/* Read cursor s ("m1:" and a member id) into id; false if it is not one. */
static bool cursor_parse(const char *s, char id[FIND_ID_MAX + 1])
{
	size_t plen = strlen(FIND_CURSOR_PREFIX), n;

	if (strncmp(s, FIND_CURSOR_PREFIX, plen) != 0)
		return false;
	s += plen;
	n = strlen(s);
	if (n == 0 || n > FIND_ID_MAX || strspn(s, "0123456789") != n || s[0] == '0')
		return false;
	memcpy(id, s, n + 1);
	return true;
}

static void find_count_cb(void *arg, DbStatus st, const PGresult *res);
static void find_page_cb(void *arg, DbStatus st, const PGresult *res);

/*
 * Head office (analyst, admin) searches the whole base; a store manager
 * only the members whose usual store is theirs, with phones masked, as a
 * till shows them (a bulk list is not a member at the counter).
 */
static bool head_office(const Call *c)
{
	return (c->role & (ROLE_ANALYST | ROLE_ADMIN)) != 0;
}

/* 3. The filter is known (given, or a segment's): check it and run the statement. */
static void find_with_filter(Call *c, const Kassa__V1__MemberFilter *f, uint32_t version,
			     void *arg)
{
	FindState *fs = c->state;
	Kassa__V1__MemberFilter mine;
	MemberFilterParams fp;
	char lim[16];
	const char *params[FIND_PARAMS];
	static const Kassa__V1__MemberFilter no_filter = KASSA__V1__MEMBER_FILTER__INIT;

	(void)arg;
	fs->segment_version = version;
	if (f == NULL)
		f = &no_filter;		/* MemberFind without a filter: the empty one */
	if (!head_office(c)) {
		/* a store manager searches their own store's members only */
		if (f->store_id != 0 && (c->sess == NULL || f->store_id != c->sess->store_id)) {
			call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS",
				  "a manager searches only their own store's members");
			return;
		}
		mine = *f;
		mine.store_id = c->sess != NULL ? c->sess->store_id : -1;
		f = &mine;
	}
	if (!member_filter_params(c, f, &fp))
		return;
	memcpy(params, fp.v, sizeof(fp.v));
	if (c->req->member_find->count_only) {
		db_query(st_count, MEMBER_FILTER_NPARAMS, params, find_count_cb, c);
		return;
	}
	snprintf(lim, sizeof(lim), "%u", fs->limit + 1);
	params[MEMBER_FILTER_NPARAMS] = fs->after;
	params[MEMBER_FILTER_NPARAMS + 1] = lim;
	db_query(st_find, FIND_PARAMS, params, find_page_cb, c);
}

/* 1. Check the paging; 2. resolve the segment, if one is named. */
void handle_member_find(Call *c)
{
	const Kassa__V1__MemberFind *q = c->req->member_find;
	FindState *fs = xcalloc(1, sizeof(*fs));

	c->state = fs;
	c->state_free = free;
	fs->limit = q->limit ? q->limit : FIND_DEFAULT;
	if (fs->limit > FIND_MAX)
		fs->limit = FIND_MAX;
	snprintf(fs->after, sizeof(fs->after), "0");
	if (q->after[0] != '\0' && !cursor_parse(q->after, fs->after)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR", "%s",
			  _("after is not a cursor this search gave (its \"next\")"));
		return;
	}
	if (q->segment[0] != '\0') {
		segment_resolve(c, q->segment, q->segment_version, find_with_filter, NULL);
		return;
	}
	find_with_filter(c, q->filter, 0, NULL);
}

/* ---- 4. the answers ---- */

static void find_reply(Call *c, Kassa__V1__MemberFound *found)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;

	found->segment_version = ((FindState *)c->state)->segment_version;
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER_FOUND;
	resp.member_found = found;
	call_reply(c, &resp);
}

static void find_count_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__MemberFound found = KASSA__V1__MEMBER_FOUND__INIT;

	if (!call_db_ok(c, st, res))
		return;
	found.count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	find_reply(c, &found);
}

/* What a page's members borrow from. */
typedef struct FindPage {
	Kassa__V1__Member *ms;
	Kassa__V1__Member **mp;
	Kassa__V1__Money *spend;
	char (*masked)[PHONE_MAX];
	char (*qr)[MEMBER_QR_LEN];
	json_t **tags_json;
	char ***tags;
	MemberStats *stats;
} FindPage;

static void page_free(FindPage *pg, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(pg->tags[i]);
		json_decref(pg->tags_json[i]);
		member_stats_clear(&pg->stats[i]);
	}
	free(pg->ms);
	free(pg->mp);
	free(pg->spend);
	free(pg->masked);
	free(pg->qr);
	free(pg->tags_json);
	free(pg->tags);
	free(pg->stats);
}

static void find_page_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__MemberFound found = KASSA__V1__MEMBER_FOUND__INIT;
	FindPage pg;
	size_t n, limit;
	char next[sizeof(FIND_CURSOR_PREFIX) + FIND_ID_MAX + 1] = "";

	if (!call_db_ok(c, st, res))
		return;
	limit = ((FindState *)c->state)->limit;
	n = (size_t)PQntuples(res);
	if (n > limit) {
		n = limit;
		snprintf(next, sizeof(next), FIND_CURSOR_PREFIX "%s", PQgetvalue(res, (int)n - 1, 0));
	}
	pg.ms = xcalloc(n + 1, sizeof(*pg.ms));
	pg.mp = xcalloc(n + 1, sizeof(*pg.mp));
	pg.spend = xcalloc(n + 1, sizeof(*pg.spend));
	pg.masked = xcalloc(n + 1, sizeof(*pg.masked));
	pg.qr = xcalloc(n + 1, sizeof(*pg.qr));
	pg.tags_json = xcalloc(n + 1, sizeof(*pg.tags_json));
	pg.tags = xcalloc(n + 1, sizeof(*pg.tags));
	pg.stats = xcalloc(n + 1, sizeof(*pg.stats));
	for (size_t i = 0; i < n; i++) {
		member_from_row(c, res, (int)i, &pg.ms[i], &pg.spend[i], pg.masked[i],
				&pg.tags_json[i], &pg.tags[i], pg.qr[i], sizeof(pg.qr[i]));
		member_stats_fill(&pg.ms[i], PQgetvalue(res, (int)i, FIND_STATS_COL), &pg.stats[i]);
		if (!head_office(c))
			pg.ms[i].phone = (char *)"";
		pg.mp[i] = &pg.ms[i];
	}
	found.n_members = n;
	found.members = pg.mp;
	found.next = next;
	find_reply(c, &found);
	page_free(&pg, n);
}
