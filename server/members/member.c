/* SPDX-License-Identifier: Apache-2.0 */
/*
 * member.c: the member base as a till and head office see it: register
 * (exactly once per idempotency key), get by id / phone / card / QR
 * payload, search by name prefix or phone suffix, and update.
 *
 * Phones are normalised (phone.c) before they reach the database, so the
 * unique index means one member per phone. Cashiers see the phone masked
 * (138****5678); managers, analysts and admins see it whole.
 *
 * A single-member answer also carries the member's loyalty: the stored
 * value and coupons from kassa_member_loyalty_json(), the tier's discount
 * and the points redeemable from kassad's parsed rule set (SQL never reads
 * the rule-set document). The row names the version in force; when
 * kassad's copy is missing or older, it is reloaded and the member read
 * again by id (member_reread()).
 *
 * MemberGet (not lists, not updates) also fills the till's member panel:
 * the birthday flag (today in kassad's zone; 29 February counts on 28
 * February in other years), the last MEMBER_RECENT purchases newest first,
 * and up to MEMBER_SUGGESTIONS hints for the cashier made here from what
 * the same statement read: the birthday, what is left to reach the next
 * tier (the rule set's thresholds against the member's rolling-window
 * basis, kassa_tier_basis()) and the product bought most in the last 90
 * days, net of refunded lines; and the member's RFM scores and portrait,
 * which the analytics job keeps in member_stats (kassa_member_stats_json(),
 * portrait.c).
 *
 * How a single member's answer is built (member_answer_build(), with the
 * reread above) is shared with head office's Member360 (profile.c), and
 * the list rows with MemberFind (find.c): member_answer.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "coupon_json.h"
#include "date.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "phone.h"
#include "core.h"
#include "member_answer.h"
#include "members.h"
#include "money.h"
#include "rules.h"
#include "rules_tier.h"
#include "ruleset_cache.h"
#include "sqltext.h"

#define MEMBER_NAME_MAX 100	/* bytes of UTF-8 */
#define MEMBER_EMAIL_MAX 254
#define MEMBER_ADDRESS_MAX 500
#define MEMBER_NOTES_MAX 2000
#define MEMBER_TAGS_MAX 20
#define MEMBER_TAG_MAX 32
#define MEMBER_CARD_MIN 4
#define MEMBER_CARD_MAX 32
#define MEMBER_SEARCH_DEFAULT 20
#define MEMBER_SEARCH_MAX 200
#define MEMBER_QR_PREFIX "KASSA1:"
#define MEMBER_RULES_ATTEMPTS 2	/* reloads of the rule set for one answer */


static int st_register, st_by_id, st_by_name, st_by_suffix, st_update;
static int st_get_by_id, st_get_by_phone, st_get_by_card;

void member_setup(void)
{
	st_register = db_stmt_add("member_register",
		"SELECT kassa_member_register($1, $2, $3, $4, $5, $6, nullif($7, '')::date, $8,"
		" $9, $10, $11, $12, $13, $14, $15, $16, $17)", DB_LANE_WORK);
	st_by_id = db_stmt_add("member_by_id",
		"SELECT " MEMBER_ONE_COLUMNS " FROM members WHERE member_id = $1"
		" AND erased_at IS NULL", DB_LANE_QUICK);	/* an erased member is not found */
	/* a merged record answers its survivor (merge.c): the customer a cashier means */
	st_get_by_id = db_stmt_add("member_get_by_id",
		"SELECT " MEMBER_ONE_COLUMNS MEMBER_PANEL_COLUMNS " FROM members WHERE member_id ="
		" (SELECT coalesce(merged_into, member_id) FROM members WHERE member_id = $1)"
		" AND erased_at IS NULL", DB_LANE_QUICK);
	st_get_by_phone = db_stmt_add("member_get_by_phone",
		"SELECT " MEMBER_ONE_COLUMNS MEMBER_PANEL_COLUMNS " FROM members WHERE member_id ="
		" (SELECT coalesce(merged_into, member_id) FROM members WHERE phone = $1)",
		DB_LANE_QUICK);
	st_get_by_card = db_stmt_add("member_get_by_card",
		"SELECT " MEMBER_ONE_COLUMNS MEMBER_PANEL_COLUMNS " FROM members WHERE member_id ="
		" (SELECT coalesce(merged_into, member_id) FROM members WHERE card_no = $1)",
		DB_LANE_QUICK);
	st_by_name = db_stmt_add("member_by_name",
		"SELECT " MEMBER_COLUMNS " FROM members WHERE name LIKE $1 ESCAPE '\\'"
		" AND erased_at IS NULL ORDER BY name, member_id LIMIT $2", DB_LANE_WORK);
	st_by_suffix = db_stmt_add("member_by_phone_suffix",
		"SELECT " MEMBER_COLUMNS " FROM members WHERE reverse(phone) LIKE $1"
		" ORDER BY member_id LIMIT $2", DB_LANE_WORK);
	/*
	 * $2 names the fields to replace; the others keep their values. A
	 * consent withdrawn cancels the member's pending marketing messages
	 * in the same transaction (functions/members.sql).
	 */
	st_update = db_stmt_add("member_update",
		"SELECT " MEMBER_ONE_COLUMNS " FROM kassa_member_update($1, $2::text[], $3, $4, $5,"
		" nullif($6, '')::date, $7::smallint, $8, $9, $10::smallint, $11::boolean,"
		" $12::text[], $13, $14) AS members", DB_LANE_WORK);
}

/* ---- validation ---- */

/* "" or a real calendar date YYYY-MM-DD from 1900 up to today. */
static bool birthday_is_valid(const char *s)
{
	int y, m, d;
	time_t now = time(NULL);
	struct tm tm;

	if (s[0] == '\0')
		return true;
	if (!date_parse(s, &y, &m, &d))
		return false;
	gmtime_r(&now, &tm);
	return y * 10000 + m * 100 + d <= (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
					  tm.tm_mday + 1;	/* +1: time zones */
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
			return true;
	return false;
}

static bool card_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return true;
	if (n < MEMBER_CARD_MIN || n > MEMBER_CARD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* A member's messages' language: "zh_CN" or "en"; "" (zh_CN) only at registration. */
static bool language_is_valid(const char *s, bool registering)
{
	return strcmp(s, "zh_CN") == 0 || strcmp(s, "en") == 0 || (registering && s[0] == '\0');
}

/* Is field `name` to be checked: always for register, listed for update. */
static bool wants(const char *name, char **fields, size_t n, bool all)
{
	if (all)
		return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i], name) == 0)
			return true;
	return false;
}

/*
 * Check the values of a register (all fields) or an update (the listed
 * ones); put the normalised phone into phone_out. Answers c and returns
 * false on the first bad value.
 */
static bool member_check(Call *c, const Kassa__V1__MemberRegister *v, char **fields,
			 size_t nfields, bool all, char *phone_out)
{
	const char *bad = NULL, *detail = NULL;
	size_t name_len = strlen(v->name);

	phone_out[0] = '\0';
	if (wants("name", fields, nfields, all) &&
	    (name_len == 0 || name_len > MEMBER_NAME_MAX || has_control(v->name) ||
	     v->name[0] == ' ' || v->name[name_len - 1] == ' '))
		bad = "name must be 1-100 bytes of text without leading or trailing spaces",
		detail = "BAD_NAME";
	else if (wants("phone", fields, nfields, all) &&
		 !phone_normalize(v->phone, phone_out, PHONE_MAX))
		bad = "phone is not a valid mobile number", detail = "BAD_PHONE";
	else if (wants("card_no", fields, nfields, all) &&
		 (!card_is_valid(v->card_no) || (!all && v->card_no[0] == '\0')))
		bad = "card number must be 4-32 letters, digits or dashes", detail = "BAD_CARD";
	else if (wants("birthday", fields, nfields, all) && !birthday_is_valid(v->birthday))
		bad = "birthday must be a past date YYYY-MM-DD", detail = "BAD_BIRTHDAY";
	else if (wants("email", fields, nfields, all) &&
		 (strlen(v->email) > MEMBER_EMAIL_MAX || has_control(v->email) ||
		  (v->email[0] && strchr(v->email, '@') == NULL)))
		bad = "email is not an address", detail = "BAD_EMAIL";
	else if (wants("address", fields, nfields, all) &&
		 (strlen(v->address) > MEMBER_ADDRESS_MAX || has_control(v->address)))
		bad = "address is too long", detail = "BAD_ADDRESS";
	else if (wants("notes", fields, nfields, all) && strlen(v->notes) > MEMBER_NOTES_MAX)
		bad = "notes are too long", detail = "BAD_NOTES";
	else if (wants("gender", fields, nfields, all) && (v->gender < 0 || v->gender > 3))
		bad = "unknown gender value", detail = "BAD_GENDER";
	else if (wants("preferred_channel", fields, nfields, all) &&
		 (v->preferred_channel < 0 || v->preferred_channel > 3))
		bad = "unknown channel value", detail = "BAD_CHANNEL";
	else if (wants("language", fields, nfields, all) && !language_is_valid(v->language, all))
		bad = "language must be zh_CN or en", detail = "BAD_LANGUAGE";
	else if (wants("tags", fields, nfields, all)) {
		if (v->n_tags > MEMBER_TAGS_MAX)
			bad = "at most 20 tags", detail = "BAD_TAGS";
		for (size_t i = 0; bad == NULL && i < v->n_tags; i++) {
			size_t n = strlen(v->tags[i]);

			if (n == 0 || n > MEMBER_TAG_MAX || has_control(v->tags[i]))
				bad = "a tag is 1-32 bytes of text", detail = "BAD_TAGS";
		}
	}
	if (bad) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, detail, "%s", bad);
		return false;
	}
	return true;
}

/* ---- answers ---- */

void member_from_row(const Call *c, const PGresult *res, int r, Kassa__V1__Member *m,
		     Kassa__V1__Money *spend, char *masked, json_t **tags_json, char ***tags,
		     char *qr, size_t qrlen)
{
	bool full = (c->role & (ROLE_MANAGER | ROLE_ANALYST | ROLE_ADMIN)) != 0;
	json_t *tj;

	kassa__v1__member__init(m);
	kassa__v1__money__init(spend);
	m->member_id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
	m->name = PQgetvalue(res, r, 1);
	phone_mask(PQgetvalue(res, r, 2), masked, PHONE_MAX);
	m->phone_masked = masked;
	m->phone = full ? PQgetvalue(res, r, 2) : (char *)"";
	m->card_no = PQgetvalue(res, r, 3);
	m->birthday = PQgetvalue(res, r, 4);
	m->gender = (Kassa__V1__Gender)atoi(PQgetvalue(res, r, 5));
	m->email = PQgetvalue(res, r, 6);
	m->address = PQgetvalue(res, r, 7);
	m->preferred_channel = (Kassa__V1__Channel)atoi(PQgetvalue(res, r, 8));
	m->marketing_consent = PQgetvalue(res, r, 9)[0] == 't';
	tj = json_loads(PQgetvalue(res, r, 10), 0, NULL);
	*tags_json = tj;
	*tags = NULL;
	if (json_is_array(tj) && json_array_size(tj) > 0) {
		m->n_tags = json_array_size(tj);
		*tags = xcalloc(m->n_tags, sizeof(char *));
		for (size_t i = 0; i < m->n_tags; i++) {
			const char *t = json_string_value(json_array_get(tj, i));

			(*tags)[i] = (char *)(t ? t : "");
		}
		m->tags = *tags;
	}
	m->notes = PQgetvalue(res, r, 11);
	m->points_balance = strtoll(PQgetvalue(res, r, 12), NULL, 10);
	spend->minor = strtoll(PQgetvalue(res, r, 13), NULL, 10);
	spend->currency = PQgetvalue(res, r, 14);
	m->cumulative_spend = spend;
	m->tier = PQgetvalue(res, r, 15);
	m->created_at = PQgetvalue(res, r, 16);
	m->language = PQgetvalue(res, r, 17);
	snprintf(qr, qrlen, MEMBER_QR_PREFIX "%s", m->card_no);
	m->qr_payload = qr;
}

static void member_one_cb(void *arg, DbStatus st, const PGresult *res);

void member_panel_params(const char **by_points, char months[16])
{
	const RuleSet *rs = ruleset_current();

	*by_points = rs != NULL && rs->basis_points ? "t" : "f";
	snprintf(months, 16, "%d", rs != NULL ? (int)rs->downgrade_window_months : 12);
}

/* Read a member for MemberGet, with its panel: stmt is one of st_get_*. */
static void member_get_query(Call *c, int stmt, const char *key)
{
	char months[16];
	const char *params[3] = { key, NULL, months };

	member_panel_params(&params[1], months);
	db_query(stmt, 3, params, member_one_cb, c);
}

/* MemberAgain of MemberGet: the member with its panel, by id. */
static void member_get_again(Call *c, const char *id)
{
	member_get_query(c, st_get_by_id, id);
}

/* MemberAgain of the other single-member answers: the member by id. */
static void member_by_id_again(Call *c, const char *id)
{
	db_query(st_by_id, 1, &id, member_one_cb, c);
}

/* What a reread waits with (c->state). */
typedef struct MemberReread {
	int64_t member_id;	/* the member read */
	MemberAgain again;	/* how to read it again */
} MemberReread;

/* The rule set is reloaded: read the member (c->state) again. */
static void member_rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const MemberReread *r;
	char id[24];

	if (!ruleset_reload_ok(c, st, res))
		return;
	r = c->state;
	snprintf(id, sizeof(id), "%lld", (long long)r->member_id);
	r->again(c, id);
}

/*
 * True when kassad's rule set is missing or older than version, the one
 * in force when the member was read: then reload it and read the member
 * again with again (at most MEMBER_RULES_ATTEMPTS times; after that,
 * answer with the rule set kassad has, as a checkout would price with it).
 */
static bool member_reread(Call *c, int64_t member_id, int64_t version, MemberAgain again)
{
	const RuleSet *rs = ruleset_current();
	MemberReread *r;

	if ((rs != NULL && rs->version >= version) || c->attempts >= MEMBER_RULES_ATTEMPTS)
		return false;
	if (c->state == NULL) {
		c->state = xmalloc(sizeof(MemberReread));
		c->state_free = free;
	}
	r = c->state;
	r->member_id = member_id;
	r->again = again;
	c->attempts++;
	ruleset_reload(member_rules_cb, c);
	return true;
}

/*
 * Fill m's loyalty from kassa_member_loyalty_json()'s object lj and the
 * rule set rs: what the balance allows, no sale in view, is whole steps,
 * as rules_points_redeemable() defines it (a sale's own cap is
 * Transaction.points_redeemable of a quote, and may be smaller); a tier
 * the rule set does not know has no discount. Coupons are owned by the
 * caller (coupon_pb_free); their strings borrow from lj.
 */
static void member_loyalty_fill(Kassa__V1__Member *m, const RuleSet *rs, json_t *lj)
{
	int tier = ruleset_tier_index(rs, m->tier);

	m->tier_discount_bp = tier >= 0 ? rs->tiers[tier].discount_bp : 0;
	m->points_redeemable = rules_points_redeemable(m->points_balance, rs->points_step);
	m->stored_value_minor = json_integer_value(json_object_get(lj, "wallet"));
	m->coupons = coupon_pb_from_json(json_object_get(lj, "coupons"), &m->n_coupons);
}

/* ---- the member panel (MemberGet) ---- */

/*
 * Is today the birthday "YYYY-MM-DD" ("" unknown)? Month and day equal;
 * 29 February counts on 28 February when today's year has no 29th.
 */
static bool birthday_is_today(const char *birthday, const RuleDate *today)
{
	int y, m, d;
	bool leap = (today->year % 4 == 0 && today->year % 100 != 0) || today->year % 400 == 0;

	if (birthday[0] == '\0' || !date_parse(birthday, &y, &m, &d))
		return false;
	if (m == 2 && d == 29 && !leap)
		d = 28;
	return m == today->month && d == today->day;
}

/* An amount as the cashier reads it: "¥12.34" in CNY, else "USD 12.34". */
static void money_text(int64_t minor, const char *currency, char *buf, size_t len)
{
	char num[MONEY_FMT_LEN];

	money_format(minor, num, sizeof(num));
	if (strcmp(currency, "CNY") == 0)
		snprintf(buf, len, "\u00a5%s", num);
	else
		snprintf(buf, len, "%s %s", currency, num);
}

/* The next tier's hint into buf ("" when there is none to reach). */
static void suggest_tier(const Kassa__V1__Member *m, const RuleSet *rs, int64_t basis,
			 char *buf, size_t len)
{
	int tier = ruleset_tier_index(rs, m->tier);
	int64_t next = tier >= 0 ? rules_tier_next_threshold(rs, tier) : 0;
	char amount[MONEY_FMT_LEN + 8];

	buf[0] = '\0';
	if (next <= 0 || basis >= next)
		return;
	if (rs->basis_points) {
		snprintf(buf, len, _("%lld more points to reach %s"), (long long)(next - basis),
			 rs->tiers[tier + 1].name);
		return;
	}
	money_text(next - basis, m->cumulative_spend->currency, amount, sizeof(amount));
	snprintf(buf, len, _("%s more to reach %s"), amount, rs->tiers[tier + 1].name);
}

/* Fill m's panel from the MEMBER_PANEL_COLUMNS of res; strings borrow from res and pn. */
static void member_panel_fill(Kassa__V1__Member *m, const PGresult *res, const RuleSet *rs,
			      MemberPanel *pn)
{
	RuleDate today = loyalty_today();
	json_t *rec;
	size_t n = 0;

	m->birthday_today = birthday_is_today(m->birthday, &today);
	pn->recent = rec = json_loads(PQgetvalue(res, 0, MEMBER_RECENT_COL), 0, NULL);
	for (size_t i = 0; i < json_array_size(rec) && i < MEMBER_RECENT; i++) {
		const json_t *o = json_array_get(rec, i);
		const char *rn = json_string_value(json_object_get(o, "receipt_no"));
		const char *at = json_string_value(json_object_get(o, "created_at"));
		const char *store = json_string_value(json_object_get(o, "store"));

		kassa__v1__purchase_summary__init(&pn->ps[i]);
		pn->ps[i].txn_id = json_integer_value(json_object_get(o, "txn_id"));
		pn->ps[i].receipt_no = (char *)(rn ? rn : "");
		pn->ps[i].created_at = (char *)(at ? at : "");
		pn->ps[i].total_minor = json_integer_value(json_object_get(o, "total"));
		pn->ps[i].items = (int32_t)json_integer_value(json_object_get(o, "items"));
		pn->ps[i].store_name = (char *)(store ? store : "");
		pn->pp[i] = &pn->ps[i];
		m->n_recent = i + 1;
	}
	m->recent = pn->pp;

	/* the hints, most pressing first */
	if (m->birthday_today)
		snprintf(pn->text[n++], MEMBER_SUGGESTION_MAX, "%s", _("Birthday today"));
	suggest_tier(m, rs, strtoll(PQgetvalue(res, 0, MEMBER_BASIS_COL), NULL, 10), pn->text[n],
		     MEMBER_SUGGESTION_MAX);
	if (pn->text[n][0] != '\0')
		n++;
	if (!PQgetisnull(res, 0, MEMBER_USUAL_COL))
		snprintf(pn->text[n++], MEMBER_SUGGESTION_MAX, _("Usually buys: %s"),
			 PQgetvalue(res, 0, MEMBER_USUAL_COL));
	for (size_t i = 0; i < n; i++)
		pn->tp[i] = pn->text[i];
	m->n_suggestions = n;
	m->suggestions = pn->tp;
}

bool member_answer_build(Call *c, const PGresult *res, MemberAnswer *a, MemberAgain again)
{
	memset(a, 0, sizeof(*a));
	if (PQnfields(res) > MEMBER_LOYALTY_COL) {
		a->loyalty = json_loads(PQgetvalue(res, 0, MEMBER_LOYALTY_COL), 0, NULL);
		if (member_reread(c, strtoll(PQgetvalue(res, 0, 0), NULL, 10),
				  json_integer_value(json_object_get(a->loyalty, "rule_version")),
				  again)) {
			member_answer_clear(a);
			return false;
		}
		if (ruleset_current() == NULL) {
			member_answer_clear(a);
			call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "RULES_INVALID",
				  "the rule set in force could not be loaded");
			return false;
		}
	}
	member_from_row(c, res, 0, &a->m, &a->spend, a->masked, &a->tags_json, &a->tags, a->qr,
			sizeof(a->qr));
	if (a->loyalty != NULL) {
		member_loyalty_fill(&a->m, ruleset_current(), a->loyalty);
		a->coupons = a->m.coupons;
		if (PQnfields(res) > MEMBER_USUAL_COL)
			member_panel_fill(&a->m, res, ruleset_current(), &a->panel);
	}
	if (PQnfields(res) > MEMBER_STATS_COL)
		member_stats_fill(&a->m, PQgetisnull(res, 0, MEMBER_STATS_COL) ? NULL :
				  PQgetvalue(res, 0, MEMBER_STATS_COL), &a->stats);
	if (PQnfields(res) > MEMBER_RECO_COL)
		member_reco_fill(&a->m, PQgetvalue(res, 0, MEMBER_RECO_COL), &a->reco);
	return true;
}

void member_answer_clear(MemberAnswer *a)
{
	free(a->tags);
	json_decref(a->tags_json);
	coupon_pb_free(a->coupons);
	json_decref(a->loyalty);
	json_decref(a->panel.recent);
	member_stats_clear(&a->stats);
	member_reco_clear(&a->reco);
	memset(a, 0, sizeof(*a));
}

/* Answer with the single member in res, or NOT_FOUND. */
static void member_one_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	MemberAnswer a;

	if (call_is_orphan(c)) {
		call_free(c);
		return;
	}
	if (st != DB_OK) {
		if (st == DB_SQL_ERROR && strcmp(db_sqlstate(res), "23505") == 0) {
			bool card = strcmp(db_constraint(res), "members_card_no_key") == 0;

			call_fail(c, KASSA__V1__STATUS_CODE__ALREADY_EXISTS,
				  card ? "CARD_TAKEN" : "PHONE_TAKEN",
				  card ? "another member has this card number" :
				  "another member has this phone number");
			return;
		}
		call_fail_db(c, st, res);
		return;
	}
	if (PQntuples(res) == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND",
			  "no such member");
		return;
	}
	if (!member_answer_build(c, res, &a,
				 c->req->body_case == KASSA__V1__REQUEST__BODY_MEMBER_GET ?
				 member_get_again : member_by_id_again))
		return;
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER;
	resp.member = &a.m;
	call_reply(c, &resp);
	member_answer_clear(&a);
}

static void member_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__MemberList list = KASSA__V1__MEMBER_LIST__INIT;
	int n;

	if (!call_db_ok(c, st, res))
		return;
	n = PQntuples(res);
	Kassa__V1__Member *ms = xcalloc((size_t)n + 1, sizeof(*ms));
	Kassa__V1__Member **mp = xcalloc((size_t)n + 1, sizeof(*mp));
	Kassa__V1__Money *sp = xcalloc((size_t)n + 1, sizeof(*sp));
	char (*masked)[PHONE_MAX] = xcalloc((size_t)n + 1, sizeof(*masked));
	char (*qr)[MEMBER_QR_LEN] = xcalloc((size_t)n + 1, sizeof(*qr));
	json_t **tj = xcalloc((size_t)n + 1, sizeof(*tj));
	char ***tags = xcalloc((size_t)n + 1, sizeof(*tags));

	for (int i = 0; i < n; i++) {
		member_from_row(c, res, i, &ms[i], &sp[i], masked[i], &tj[i], &tags[i],
				qr[i], sizeof(qr[i]));
		mp[i] = &ms[i];
	}
	list.n_members = (size_t)n;
	list.members = mp;
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER_LIST;
	resp.member_list = &list;
	call_reply(c, &resp);
	for (int i = 0; i < n; i++) {
		free(tags[i]);
		json_decref(tj[i]);
	}
	free(ms);
	free(mp);
	free(sp);
	free(masked);
	free(qr);
	free(tj);
	free(tags);
}

/* ---- register ---- */

static void member_registered_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const char *id;

	if (call_is_orphan(c) || st != DB_OK) {
		member_one_cb(arg, st, res);	/* frees orphans, maps errors */
		return;
	}
	id = PQgetvalue(res, 0, 0);
	db_query(st_by_id, 1, &id, member_one_cb, c);
}

static void tags_literal(const Kassa__V1__MemberRegister *v, SqlText *t)
{
	sqltext_open(t);
	for (size_t i = 0; i < v->n_tags; i++)
		sqltext_elem_str(t, v->tags[i]);
	sqltext_close(t);
}

void handle_member_register(Call *c)
{
	const Kassa__V1__MemberRegister *v = c->req->member_register;
	char phone[PHONE_MAX], till[24], gender[8], channel[8], staff[24], store[24];
	SqlText hash = SQLTEXT_INIT, tags = SQLTEXT_INIT;

	if (!member_check(c, v, NULL, 0, true, phone))
		return;
	sqltext_hash(&hash, &v->base);
	tags_literal(v, &tags);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(gender, sizeof(gender), "%d", (int)v->gender);
	snprintf(channel, sizeof(channel), "%d", (int)v->preferred_channel);
	/* who signs the member up, and where: the staff report's sign-ups */
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(store, sizeof(store), "%lld", (long long)c->sess->store_id);

	const char *params[17] = {
		till, c->req->idempotency_key, sqltext_str(&hash), v->name, phone, v->card_no,
		v->birthday, gender, v->email, v->address, channel,
		v->marketing_consent ? "true" : "false", sqltext_str(&tags), v->notes, staff, store,
		v->language[0] ? v->language : "zh_CN",
	};
	db_query(st_register, 17, params, member_registered_cb, c);
	sqltext_free(&hash);
	sqltext_free(&tags);
}

/* ---- get, search, update ---- */

void handle_member_get(Call *c)
{
	const Kassa__V1__MemberGet *g = c->req->member_get;
	char buf[64];
	const char *p = buf;
	int stmt;

	switch (g->by_case) {
	case KASSA__V1__MEMBER_GET__BY_MEMBER_ID:
		if (g->member_id <= 0)
			goto bad;
		snprintf(buf, sizeof(buf), "%lld", (long long)g->member_id);
		stmt = st_get_by_id;
		break;
	case KASSA__V1__MEMBER_GET__BY_PHONE:
		if (!phone_normalize(g->phone, buf, PHONE_MAX)) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PHONE",
				  "phone is not a valid mobile number");
			return;
		}
		stmt = st_get_by_phone;
		break;
	case KASSA__V1__MEMBER_GET__BY_CARD_NO:
		if (!card_is_valid(g->card_no) || g->card_no[0] == '\0')
			goto bad;
		p = g->card_no;
		stmt = st_get_by_card;
		break;
	case KASSA__V1__MEMBER_GET__BY_QR_PAYLOAD:
		if (strncmp(g->qr_payload, MEMBER_QR_PREFIX, strlen(MEMBER_QR_PREFIX)) != 0 ||
		    !card_is_valid(g->qr_payload + strlen(MEMBER_QR_PREFIX)))
			goto bad;
		p = g->qr_payload + strlen(MEMBER_QR_PREFIX);
		stmt = st_get_by_card;
		break;
	default:
		goto bad;
	}
	member_get_query(c, stmt, p);
	return;
bad:
	call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER_KEY",
		  "give a member id, phone, card number or member QR code");
}

void handle_member_search(Call *c)
{
	const Kassa__V1__MemberSearch *q = c->req->member_search;
	unsigned limit = q->limit ? q->limit : MEMBER_SEARCH_DEFAULT;
	char lim[16];
	SqlText pat = SQLTEXT_INIT;
	int stmt;

	if (limit > MEMBER_SEARCH_MAX)
		limit = MEMBER_SEARCH_MAX;
	snprintf(lim, sizeof(lim), "%u", limit);
	if (q->by_case == KASSA__V1__MEMBER_SEARCH__BY_NAME_PREFIX && q->name_prefix[0]) {
		/* escape LIKE's own metacharacters so they match themselves */
		for (const char *s = q->name_prefix; *s; s++) {
			char one[3] = { '\\', *s, '\0' };

			sqltext_add(&pat, (*s == '%' || *s == '_' || *s == '\\') ? one : one + 1);
		}
		sqltext_add(&pat, "%");
		stmt = st_by_name;
	} else if (q->by_case == KASSA__V1__MEMBER_SEARCH__BY_PHONE_SUFFIX) {
		size_t n = strlen(q->phone_suffix);

		if (n < 4 || n > 15 || strspn(q->phone_suffix, "0123456789") != n) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PHONE_SUFFIX",
				  "a phone suffix is 4-15 digits");
			return;
		}
		for (size_t i = n; i > 0; i--) {
			char one[2] = { q->phone_suffix[i - 1], '\0' };

			sqltext_add(&pat, one);
		}
		sqltext_add(&pat, "%");
		stmt = st_by_suffix;
	} else {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SEARCH",
			  "search by a non-empty name prefix or a phone suffix");
		return;
	}
	const char *params[2] = { sqltext_str(&pat), lim };

	db_query(stmt, 2, params, member_list_cb, c);
	sqltext_free(&pat);
}

void handle_member_update(Call *c)
{
	const Kassa__V1__MemberUpdate *u = c->req->member_update;
	static const Kassa__V1__MemberRegister empty = KASSA__V1__MEMBER_REGISTER__INIT;
	static const char *const known[] = { "name", "phone", "card_no", "birthday", "gender",
		"email", "address", "preferred_channel", "marketing_consent", "tags", "notes",
		"language" };
	const Kassa__V1__MemberRegister *v = u->values ? u->values : &empty;
	char phone[PHONE_MAX], id[24], gender[8], channel[8];
	SqlText fields = SQLTEXT_INIT, tags = SQLTEXT_INIT;

	if (u->member_id <= 0 || u->n_fields == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_UPDATE",
			  "give a member id and at least one field to change");
		return;
	}
	for (size_t i = 0; i < u->n_fields; i++) {
		bool ok = false;

		for (size_t k = 0; k < ARRAY_SIZE(known); k++)
			ok = ok || strcmp(u->fields[i], known[k]) == 0;
		if (!ok) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_FIELD",
				  "no member field called \"%s\"", u->fields[i]);
			return;
		}
	}
	if (!member_check(c, v, u->fields, u->n_fields, false, phone))
		return;
	sqltext_open(&fields);
	for (size_t i = 0; i < u->n_fields; i++)
		sqltext_elem_str(&fields, u->fields[i]);
	sqltext_close(&fields);
	tags_literal(v, &tags);
	snprintf(id, sizeof(id), "%lld", (long long)u->member_id);
	snprintf(gender, sizeof(gender), "%d", (int)v->gender);
	snprintf(channel, sizeof(channel), "%d", (int)v->preferred_channel);

	const char *params[14] = {
		id, sqltext_str(&fields), v->name, phone[0] ? phone : "+0", v->card_no,
		v->birthday, gender, v->email, v->address, channel,
		v->marketing_consent ? "true" : "false", sqltext_str(&tags), v->notes,
		v->language,
	};
	db_query(st_update, 14, params, member_one_cb, c);
	sqltext_free(&fields);
	sqltext_free(&tags);
}
