/* SPDX-License-Identifier: Apache-2.0 */
/*
 * campaign.c: campaigns: create, launch (seeded holdout, coupons and
 * messages to the target only), get, list (migrations/functions/campaigns.sql).
 *
 * CampaignCreate checks the request in C and draws the seed when it is 0
 * (libsodium); kassa_campaign_create() checks the segment, the coupon
 * definition and the template, pins the segment's version and stores the
 * draft, exactly once per idempotency key.
 *
 * CampaignLaunch walks the segment's members and adds each to a group:
 *
 *   1 kassa_campaign_launch_start (QUICK): state, segment, seed, share,
 *     and the last member_id added (a launch that stopped goes on there);
 *     a launched campaign is answered as it is (launching is idempotent);
 *   2 segment_resolve() (server/members/segment.c, its public interface):
 *     the saved filter of the pinned version, turned into the 14
 *     parameters by member_filter_check() (members.h): the filter is the
 *     members library's, not copied here; kassa_crm links kassa_members;
 *   3 kassa_member_find_ids (REPORT) after the last id, LAUNCH_BATCH ids;
 *   4 holdout_is_held_out() for each (pure, holdout.c), then one
 *     kassa_campaign_launch_batch (WORK) per page: it adds the members
 *     (ON CONFLICT DO NOTHING), gives the target the coupon and the message
 *     and, on the last (short) page, marks the campaign launched, claims
 *     the key and audits; back to 3 until then.
 *
 * Each batch is its own transaction: a launch cut short (kassad stopped,
 * the client gone) leaves whole batches, and the next launch carries on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "campaign.h"
#include "crm.h"
#include "date.h"
#include "db.h"
#include "holdout.h"
#include "i18n.h"
#include "log.h"
#include "members.h"
#include "sqltext.h"

#define CAMPAIGN_NAME_MAX 100		/* characters */
#define CAMPAIGN_SEGMENT_MAX 64		/* segments.name */
#define CAMPAIGN_TEMPLATE_MAX 64	/* message_templates.name */
#define CAMPAIGN_HOLDOUT_MAX 5000	/* basis points */
#define CAMPAIGN_DAYS_MAX 366		/* the window, days */
#define CAMPAIGN_LIST_MAX 200
#define LAUNCH_BATCH 500		/* members per batch */

static int st_create, st_get, st_list, st_start, st_page, st_batch;

void campaign_setup(void)
{
	/* $1 till $2 key $3 hash $4 staff $5 name $6 segment $7 version $8 holdout_bp
	   $9 seed $10 coupon def (NULL none) $11 template (NULL none) $12 from $13 to */
	st_create = db_stmt_add("campaign_create",
		"SELECT * FROM kassa_campaign_create($1, $2, $3::bytea, $4, $5, $6, $7, $8, "
		"$9::numeric, $10, $11, $12::date, $13::date) AS (" CAMPAIGN_ROW_COLS ")",
		DB_LANE_WORK);
	st_get = db_stmt_add("campaign_get", "SELECT * FROM kassa_campaign_get($1)",
		DB_LANE_QUICK);
	st_list = db_stmt_add("campaign_list",
		"SELECT * FROM kassa_campaign_list($1) AS (" CAMPAIGN_ROW_COLS ")", DB_LANE_REPORT);
	st_start = db_stmt_add("campaign_launch_start",
		"SELECT * FROM kassa_campaign_launch_start($1)", DB_LANE_QUICK);
	st_page = db_stmt_add("campaign_launch_page",
		"SELECT * FROM kassa_member_find_ids($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
		"$12, $13, $14, $15::bigint, $16::integer)", DB_LANE_REPORT);
	/* $1 till $2 key $3 hash $4 staff $5 campaign $6 ids $7 held $8 last */
	st_batch = db_stmt_add("campaign_launch_batch",
		"SELECT * FROM kassa_campaign_launch_batch($1, $2, $3::bytea, $4, $5, "
		"$6::bigint[], $7::boolean[], $8::boolean) AS (" CAMPAIGN_ROW_COLS ")",
		DB_LANE_WORK);
	campaign_report_setup();
}

/* ---- checks ---- */

/* 1..max code points of UTF-8 without control characters. */
static bool text_ok(const char *s, size_t max)
{
	size_t len = strlen(s), n = 0;

	if (len == 0 || !utf8_is_valid(s, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return false;
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	}
	return n <= max;
}

/* A template's name: [a-z0-9_-]{1,64}. */
static bool template_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > CAMPAIGN_TEMPLATE_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

/* Days since 1970-01-01 of a "YYYY-MM-DD", or false (Howard Hinnant's days_from_civil). */
static bool day_number(const char *s, long *out)
{
	int y, m, d;

	if (!date_parse(s, &y, &m, &d))
		return false;
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	*out = era * 146097 + doe - 719468;
	return true;
}

/* The request's problem in C, answered; false if there is none. */
static bool create_refused(Call *c, const Kassa__V1__CampaignCreate *q)
{
	long from, to;

	if (!text_ok(q->name, CAMPAIGN_NAME_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NAME", "%s",
			  _("a campaign name is 1-100 characters without control characters"));
		return true;
	}
	if (!text_ok(q->segment, CAMPAIGN_SEGMENT_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SEGMENT_NAME", "%s",
			  _("a segment name is 1-64 characters without control characters"));
		return true;
	}
	if (q->holdout_bp > CAMPAIGN_HOLDOUT_MAX || q->segment_version > INT32_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_HOLDOUT", "%s",
			  /* xgettext:no-c-format */
			  _("hold out 0% to 50% of the segment"));
		return true;
	}
	if (!day_number(q->starts_on, &from) || !day_number(q->ends_on, &to) || to < from ||
	    to - from >= CAMPAIGN_DAYS_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_DATES", "%s",
			  _("give the campaign's first and last day (YYYY-MM-DD), at most 366 days"));
		return true;
	}
	if (q->template_[0] != '\0' && !template_name_ok(q->template_)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TEMPLATE", "%s",
			  _("a template name is 1-64 of a-z, 0-9, _ and -"));
		return true;
	}
	if (q->coupon_def_id < 0 || (q->coupon_def_id == 0 && q->template_[0] == '\0')) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "NOTHING_TO_SEND", "%s",
			  _("a campaign gives a coupon, sends a message, or both"));
		return true;
	}
	return false;
}

/* Our refusals from campaigns.sql in the session's language; true if c was answered. */
static bool sql_refused(Call *c, DbStatus st, const PGresult *res)
{
	static const struct {
		const char *detail, *msg;
		Kassa__V1__StatusCode code;
	} refusals[] = {
		{ "SEGMENT_NOT_FOUND", N_("no such segment or version"),
		  KASSA__V1__STATUS_CODE__NOT_FOUND },
		{ "COUPON_DEF_NOT_FOUND", N_("no such coupon definition"),
		  KASSA__V1__STATUS_CODE__NOT_FOUND },
		{ "COUPON_DEF_INACTIVE", N_("this coupon definition is inactive or has expired"),
		  KASSA__V1__STATUS_CODE__FAILED_PRECONDITION },
		{ "TEMPLATE_NOT_FOUND", N_("no message template of that name"),
		  KASSA__V1__STATUS_CODE__NOT_FOUND },
		{ "CAMPAIGN_NOT_FOUND", N_("no such campaign"), KASSA__V1__STATUS_CODE__NOT_FOUND },
	};

	if (call_is_orphan(c) || st != DB_SQL_ERROR)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++)
		if (strcmp(db_errmsg(res), refusals[i].detail) == 0) {
			call_fail(c, refusals[i].code, refusals[i].detail, "%s", _(refusals[i].msg));
			return true;
		}
	return false;
}

/* ---- answers ---- */

void campaign_from_row(const PGresult *res, int r, Kassa__V1__Campaign *k)
{
	kassa__v1__campaign__init(k);
	k->campaign_id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
	k->name = PQgetvalue(res, r, 1);
	k->segment = PQgetvalue(res, r, 2);
	k->segment_version = (uint32_t)strtoul(PQgetvalue(res, r, 3), NULL, 10);
	k->holdout_bp = (uint32_t)strtoul(PQgetvalue(res, r, 4), NULL, 10);
	k->seed = strtoull(PQgetvalue(res, r, 5), NULL, 10);
	k->coupon_def_id = strtoll(PQgetvalue(res, r, 6), NULL, 10);
	k->template_ = PQgetvalue(res, r, 7);
	k->starts_on = PQgetvalue(res, r, 8);
	k->ends_on = PQgetvalue(res, r, 9);
	k->state = PQgetvalue(res, r, 10);
	k->target_members = strtoll(PQgetvalue(res, r, 11), NULL, 10);
	k->holdout_members = strtoll(PQgetvalue(res, r, 12), NULL, 10);
	k->coupons_issued = strtoll(PQgetvalue(res, r, 13), NULL, 10);
	k->messages_queued = strtoll(PQgetvalue(res, r, 14), NULL, 10);
	k->excluded_no_consent = strtoll(PQgetvalue(res, r, 15), NULL, 10);
	k->created_at = PQgetvalue(res, r, 16);
	k->launched_at = PQgetvalue(res, r, 17);
}

/* Answer c with the one campaign in res, or NOT_FOUND. */
static void campaign_answer_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Campaign k;

	if (sql_refused(c, st, res) || !call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "CAMPAIGN_NOT_FOUND", "%s",
			  _("no such campaign"));
		return;
	}
	campaign_from_row(res, 0, &k);
	resp.body_case = KASSA__V1__RESPONSE__BODY_CAMPAIGN;
	resp.campaign = &k;
	call_reply(c, &resp);
}

/* ---- CampaignCreate ---- */

void handle_campaign_create(Call *c)
{
	const Kassa__V1__CampaignCreate *q = c->req->campaign_create;
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24], ver[16], bp[16], seed[24], def[24];
	uint64_t s = q->seed;

	if (create_refused(c, q))
		return;
	while (s == 0)
		randombytes_buf(&s, sizeof(s));
	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(ver, sizeof(ver), "%u", q->segment_version);
	snprintf(bp, sizeof(bp), "%u", q->holdout_bp);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)s);
	snprintf(def, sizeof(def), "%lld", (long long)q->coupon_def_id);

	const char *params[13] = {
		till, c->req->idempotency_key, sqltext_str(&hash), staff, q->name, q->segment,
		ver, bp, seed, q->coupon_def_id > 0 ? def : NULL,
		q->template_[0] != '\0' ? q->template_ : NULL, q->starts_on, q->ends_on,
	};
	db_query(st_create, 13, params, campaign_answer_cb, c);
	sqltext_free(&hash);
}

/* ---- CampaignGet, CampaignList ---- */

void handle_campaign_get(Call *c)
{
	char id[24];
	const char *p = id;

	if (c->req->campaign_get->campaign_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CAMPAIGN", "%s",
			  _("name the campaign by its id"));
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)c->req->campaign_get->campaign_id);
	db_query(st_get, 1, &p, campaign_answer_cb, c);
}

static void campaign_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	campaign_list_answer(c, res);
}

void handle_campaign_list(Call *c)
{
	char lim[16];
	const char *p = lim;

	snprintf(lim, sizeof(lim), "%d", CAMPAIGN_LIST_MAX);
	db_query(st_list, 1, &p, campaign_list_cb, c);
}

/* ---- CampaignLaunch ---- */

/* A launch in progress. */
typedef struct Launch {
	Call *c;
	char id[24], till[24], staff[24];
	SqlText hash;
	uint64_t seed;
	uint32_t holdout_bp;
	int64_t after;			/* the last member_id handed to a batch */
	Kassa__V1__MemberFilter *filter;	/* our copy of the segment's */
	MemberFilterParams fp;		/* borrows from filter */
} Launch;

static void launch_free(Launch *l)
{
	if (l->filter != NULL)
		kassa__v1__member_filter__free_unpacked(l->filter, NULL);
	sqltext_free(&l->hash);
	free(l);
}

static void launch_page(Launch *l);

/* The campaign is not there: answer NOT_FOUND, end the launch. */
static void launch_not_found(Launch *l)
{
	call_fail(l->c, KASSA__V1__STATUS_CODE__NOT_FOUND, "CAMPAIGN_NOT_FOUND", "%s",
		  _("no such campaign"));
	launch_free(l);
}

/* 4. A batch done: the last one answers the campaign, any other reads the next page. */
static void launch_batch_cb(void *arg, DbStatus st, const PGresult *res)
{
	Launch *l = arg;
	Call *c = l->c;

	if (sql_refused(c, st, res) || !call_db_ok(c, st, res)) {
		launch_free(l);
		return;
	}
	if (PQntuples(res) != 1) {
		launch_not_found(l);
		return;
	}
	if (strcmp(PQgetvalue(res, 0, 10), "launched") == 0) {
		campaign_answer_cb(c, st, res);
		launch_free(l);
		return;
	}
	launch_page(l);
}

/* 3b. A page of the segment's members: decide each one's group, hand them to one batch. */
static void launch_page_cb(void *arg, DbStatus st, const PGresult *res)
{
	Launch *l = arg;
	SqlText ids = SQLTEXT_INIT, held = SQLTEXT_INIT;
	int n;

	if (!call_db_ok(l->c, st, res)) {
		launch_free(l);
		return;
	}
	n = PQntuples(res);
	sqltext_open(&ids);
	sqltext_open(&held);
	for (int i = 0; i < n; i++) {
		int64_t m = strtoll(PQgetvalue(res, i, 0), NULL, 10);

		sqltext_elem_int(&ids, m);
		sqltext_elem_int(&held, holdout_is_held_out(l->seed, m, l->holdout_bp));
		l->after = m;
	}
	sqltext_close(&ids);
	sqltext_close(&held);

	const char *params[8] = {
		l->till, l->c->req->idempotency_key, sqltext_str(&l->hash), l->staff, l->id,
		sqltext_str(&ids), sqltext_str(&held), n < LAUNCH_BATCH ? "true" : "false",
	};
	db_query(st_batch, 8, params, launch_batch_cb, l);
	sqltext_free(&ids);
	sqltext_free(&held);
}

/* 3a. The next page after l->after. */
static void launch_page(Launch *l)
{
	char after[24], lim[16];
	const char *params[MEMBER_FILTER_NPARAMS + 2];

	for (int i = 0; i < MEMBER_FILTER_NPARAMS; i++)
		params[i] = l->fp.v[i];
	snprintf(after, sizeof(after), "%lld", (long long)l->after);
	snprintf(lim, sizeof(lim), "%d", LAUNCH_BATCH);
	params[MEMBER_FILTER_NPARAMS] = after;
	params[MEMBER_FILTER_NPARAMS + 1] = lim;
	db_query(st_page, MEMBER_FILTER_NPARAMS + 2, params, launch_page_cb, l);
}

/* 2. The segment's filter: keep a copy (f is borrowed), turn it into parameters. */
static void launch_resolved(Call *c, const Kassa__V1__MemberFilter *f, uint32_t version,
			    void *arg)
{
	Launch *l = arg;
	size_t n = kassa__v1__member_filter__get_packed_size(f);
	uint8_t *buf = xmalloc(n + 1);
	const char *detail, *msg;

	(void)version;
	kassa__v1__member_filter__pack(f, buf);
	l->filter = kassa__v1__member_filter__unpack(NULL, n, buf);
	free(buf);
	if (l->filter == NULL || !member_filter_check(l->filter, &l->fp, &detail, &msg)) {
		log_call(c, LOG_LVL_ERROR, "campaign %s: the segment's filter does not check", l->id);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_SEGMENT", "%s",
			  _("internal error"));
		launch_free(l);
		return;
	}
	launch_page(l);
}

/* 1. Where the launch stands: launched already, or resolve the segment and go on. */
static void launch_start_cb(void *arg, DbStatus st, const PGresult *res)
{
	Launch *l = arg;
	Call *c = l->c;

	if (!call_db_ok(c, st, res)) {
		launch_free(l);
		return;
	}
	if (PQntuples(res) != 1) {
		launch_not_found(l);
		return;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "launched") == 0) {
		const char *p = l->id;

		db_query(st_get, 1, &p, campaign_answer_cb, c);
		launch_free(l);
		return;
	}
	l->seed = strtoull(PQgetvalue(res, 0, 3), NULL, 10);
	l->holdout_bp = (uint32_t)strtoul(PQgetvalue(res, 0, 4), NULL, 10);
	l->after = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
	/*
	 * segment_resolve copies the name into its parameters before we
	 * return. The version is pinned by a foreign key, so it is found; if
	 * the read fails, segment_resolve answers c and never calls back, and
	 * l (a few hundred bytes) is not freed: the one leak of that rare path.
	 */
	segment_resolve(c, PQgetvalue(res, 0, 1),
			(uint32_t)strtoul(PQgetvalue(res, 0, 2), NULL, 10), launch_resolved, l);
}

void handle_campaign_launch(Call *c)
{
	const Kassa__V1__CampaignLaunch *q = c->req->campaign_launch;
	Launch *l;
	const char *p;

	if (q->campaign_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CAMPAIGN", "%s",
			  _("name the campaign by its id"));
		return;
	}
	l = xcalloc(1, sizeof(*l));
	l->c = c;
	l->hash = (SqlText)SQLTEXT_INIT;
	sqltext_hash(&l->hash, &q->base);
	snprintf(l->id, sizeof(l->id), "%lld", (long long)q->campaign_id);
	snprintf(l->till, sizeof(l->till), "%lld", (long long)c->sess->till_id);
	snprintf(l->staff, sizeof(l->staff), "%lld", (long long)c->staff_id);
	p = l->id;
	db_query(st_start, 1, &p, launch_start_cb, l);
}
