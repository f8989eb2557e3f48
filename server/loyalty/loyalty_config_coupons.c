/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loyalty_config_coupons.c: CouponDefine and CouponIssue.
 *
 * An administrator defines a coupon: a fixed amount, a percentage (with an
 * optional cap) or one free item, its validity, its limits and how members
 * get it (issue_on): by hand, at registration (kassa_member_register()
 * issues it), on their birthday (the jobs), or by a claim code they bring.
 * Fields the kind does not use are stored as 0 / none whatever was sent.
 *
 * A coupon is issued to a member either by definition id (managers and
 * administrators) or by claim code (any store staff: the member shows the
 * code at the till). Claim codes are compared in upper case, so a member
 * may type them either way. kassa_coupon_issue() checks the definition and
 * the member's limit under the member's row lock and draws a random code.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "loyalty_config.h"
#include "coupon_json.h"
#include "db.h"
#include "log.h"

#define COUPON_NAME_MAX 100		/* characters */
#define COUPON_SKU_MAX 64
#define COUPON_CLAIM_MIN 4

static int st_define, st_issue;

void loyalty_config_coupons_setup(void)
{
	st_define = db_stmt_add("coupon_define",
		"SELECT kassa_coupon_define($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
		" nullif($12, '')::date, nullif($13, '')::date, $14, $15, $16, $17, $18)",
		DB_LANE_WORK);
	st_issue = db_stmt_add("coupon_issue",
		"SELECT kassa_coupon_issue($1, $2, $3, $4, $5, $6, $7)", DB_LANE_WORK);
}

/* 4-64 letters, digits, '-' or '_'; copied in upper case into out. */
static bool claim_normalize(const char *s, char out[COUPON_CLAIM_MAX + 1])
{
	size_t n = strlen(s);

	if (n < COUPON_CLAIM_MIN || n > COUPON_CLAIM_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
		out[i] = (char)toupper((unsigned char)s[i]);
	}
	out[n] = '\0';
	return true;
}

static const char *const issue_ons[] = { "manual", "registration", "birthday", "code" };

/* The value checks of a definition by its kind; NULL or the detail (*why set). */
static const char *define_check_kind(const Kassa__V1__CouponDefine *d, const char **why)
{
	switch (d->kind) {
	case KASSA__V1__COUPON_KIND__COUPON_FIXED:
		if (d->value_minor <= 0)
			return *why = "a fixed coupon needs a positive value_minor", "BAD_VALUE";
		return NULL;
	case KASSA__V1__COUPON_KIND__COUPON_PERCENT:
		if (d->percent_bp < 1 || d->percent_bp > 10000)
			return *why = "a percent coupon needs percent_bp 1-10000", "BAD_PERCENT";
		if (d->cap_minor < 0)
			return *why = "cap_minor must be 0 (no cap) or positive", "BAD_CAP";
		return NULL;
	case KASSA__V1__COUPON_KIND__COUPON_FREE_ITEM:
		if (d->item_sku[0] == '\0' || strlen(d->item_sku) > COUPON_SKU_MAX)
			return *why = "a free-item coupon needs the item's SKU", "BAD_ITEM_SKU";
		return NULL;
	default:
		return *why = "kind must be fixed, percent or free item", "BAD_COUPON_KIND";
	}
}

/* Everything about a definition that can be checked here; NULL or the detail. */
static const char *define_check(const Kassa__V1__CouponDefine *d, const char *claim,
				const char **why)
{
	size_t name = loyalty_config_text_chars(d->name);
	const char *bad;
	bool known = false;

	if (name < 1 || name > COUPON_NAME_MAX || loyalty_config_has_control(d->name))
		return *why = "name must be 1-100 characters on one line", "BAD_NAME";
	if ((bad = define_check_kind(d, why)) != NULL)
		return bad;
	if (d->min_spend_minor < 0)
		return *why = "min_spend_minor must not be negative", "BAD_MIN_SPEND";
	if (!loyalty_config_date_is_valid(d->valid_from) || !loyalty_config_date_is_valid(d->valid_to))
		return *why = "valid_from and valid_to are dates YYYY-MM-DD or empty", "BAD_DATE";
	if (d->valid_from[0] && d->valid_to[0] && strcmp(d->valid_from, d->valid_to) > 0)
		return *why = "valid_from is after valid_to", "BAD_DATE";
	if (d->max_uses_total < 0 || d->max_uses_per_member < 0)
		return *why = "use limits are 0 (no limit) or positive", "BAD_MAX_USES";
	for (size_t i = 0; i < ARRAY_SIZE(issue_ons); i++)
		known = known || strcmp(d->issue_on, issue_ons[i]) == 0;
	if (!known)
		return *why = "issue_on is manual, registration, birthday or code", "BAD_ISSUE_ON";
	if (strcmp(d->issue_on, "code") == 0 && claim[0] == '\0')
		return *why = "a claim code is 4-64 letters, digits, '-' or '_'", "BAD_CLAIM_CODE";
	if (strcmp(d->issue_on, "code") != 0 && d->claim_code[0] != '\0')
		return *why = "only a coupon issued on \"code\" has a claim code", "BAD_CLAIM_CODE";
	return NULL;
}

bool coupon_claim_taken(Call *c, DbStatus st, const PGresult *res)
{
	if (call_is_orphan(c) || st != DB_SQL_ERROR || strcmp(db_sqlstate(res), "23505") != 0 ||
	    strcmp(db_constraint(res), "coupon_defs_claim_code_key") != 0)
		return false;
	call_fail(c, KASSA__V1__STATUS_CODE__ALREADY_EXISTS, "CLAIM_CODE_TAKEN",
		  "another coupon has this claim code");
	return true;
}

bool coupon_define_params(Call *c, const Kassa__V1__CouponDefine *d, CouponDefParams *o)
{
	const char *detail, *why = "";
	bool fixed = d->kind == KASSA__V1__COUPON_KIND__COUPON_FIXED;
	bool percent = d->kind == KASSA__V1__COUPON_KIND__COUPON_PERCENT;

	memset(o, 0, sizeof(*o));
	if (d->claim_code[0] && !claim_normalize(d->claim_code, o->claim)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CLAIM_CODE",
			  "a claim code is %d-%d letters, digits, '-' or '_'", COUPON_CLAIM_MIN,
			  COUPON_CLAIM_MAX);
		return false;
	}
	if ((detail = define_check(d, o->claim, &why)) != NULL) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, detail, "%s", why);
		return false;
	}
	/* only the fields of its kind are stored */
	snprintf(o->value, sizeof(o->value), "%lld", fixed ? (long long)d->value_minor : 0LL);
	snprintf(o->percent, sizeof(o->percent), "%d", percent ? (int)d->percent_bp : 0);
	snprintf(o->cap, sizeof(o->cap), "%lld", percent ? (long long)d->cap_minor : 0LL);
	snprintf(o->min_spend, sizeof(o->min_spend), "%lld", (long long)d->min_spend_minor);
	snprintf(o->max_total, sizeof(o->max_total), "%d", (int)d->max_uses_total);
	snprintf(o->max_member, sizeof(o->max_member), "%d", (int)d->max_uses_per_member);
	o->p[0] = d->name;
	o->p[1] = fixed ? "fixed" : percent ? "percent" : "free_item";
	o->p[2] = o->value;
	o->p[3] = o->percent;
	o->p[4] = o->cap;
	o->p[5] = d->kind == KASSA__V1__COUPON_KIND__COUPON_FREE_ITEM ? d->item_sku : "";
	o->p[6] = o->min_spend;
	o->p[7] = d->valid_from;
	o->p[8] = d->valid_to;
	o->p[9] = o->max_total;
	o->p[10] = o->max_member;
	o->p[11] = d->stackable ? "true" : "false";
	o->p[12] = d->issue_on;
	o->p[13] = o->claim;
	return true;
}

static void coupon_defined_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__CouponDefined def = KASSA__V1__COUPON_DEFINED__INIT;

	if (coupon_claim_taken(c, st, res) || !call_db_ok(c, st, res))
		return;
	def.def_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	resp.body_case = KASSA__V1__RESPONSE__BODY_COUPON_DEFINED;
	resp.coupon_defined = &def;
	call_reply(c, &resp);
}

void handle_coupon_define(Call *c)
{
	const Kassa__V1__CouponDefine *d = c->req->coupon_define;
	CouponDefParams dp;
	LoyaltyConfigParams ap;
	const char *params[4 + COUPON_DEF_NPARAMS];

	if (!coupon_define_params(c, d, &dp))
		return;
	loyalty_config_params_init(&ap, c, &d->base);
	params[0] = ap.till;
	params[1] = ap.staff;
	params[2] = c->req->idempotency_key;
	params[3] = sqltext_str(&ap.hash);
	memcpy(params + 4, dp.p, sizeof(dp.p));
	db_query(st_define, 4 + COUPON_DEF_NPARAMS, params, coupon_defined_cb, c);
	loyalty_config_params_free(&ap);
}

/* Answer with the coupon kassa_coupon_issue() returned (kassa_coupon_json). */
static void coupon_issued_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	json_t *arr, *one;
	Kassa__V1__Coupon **v;
	size_t n;

	if (!call_db_ok(c, st, res))
		return;
	one = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	if (!json_is_object(one)) {
		json_decref(one);
		log_call(c, LOG_LVL_ERROR, "coupon issue: the database answered no coupon");
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_COUPON_JSON", "internal error");
		return;
	}
	arr = json_array();
	json_array_append_new(arr, one);
	v = coupon_pb_from_json(arr, &n);
	resp.body_case = KASSA__V1__RESPONSE__BODY_COUPON;
	resp.coupon = v[0];
	call_reply(c, &resp);
	coupon_pb_free(v);
	json_decref(arr);
}

void handle_coupon_issue(Call *c)
{
	const Kassa__V1__CouponIssue *q = c->req->coupon_issue;
	char member[24], def[24], claim[COUPON_CLAIM_MAX + 1] = "";
	LoyaltyConfigParams ap;

	if (q->member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER",
			  "give the member's id");
		return;
	}
	if ((q->def_id > 0) == (q->claim_code[0] != '\0') || q->def_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COUPON_ISSUE",
			  "give either a coupon definition id or a claim code");
		return;
	}
	if (q->def_id > 0 && (c->role & (ROLE_MANAGER | ROLE_ADMIN)) == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED",
			  "only a manager or an administrator may issue a coupon by definition");
		return;
	}
	if (q->def_id == 0 && !claim_normalize(q->claim_code, claim)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CLAIM_CODE",
			  "a claim code is %d-%d letters, digits, '-' or '_'", COUPON_CLAIM_MIN,
			  COUPON_CLAIM_MAX);
		return;
	}
	snprintf(member, sizeof(member), "%lld", (long long)q->member_id);
	snprintf(def, sizeof(def), "%lld", (long long)q->def_id);
	loyalty_config_params_init(&ap, c, &q->base);

	const char *params[7] = {
		ap.till, ap.staff, c->req->idempotency_key, sqltext_str(&ap.hash),
		member, def, claim,
	};
	db_query(st_issue, 7, params, coupon_issued_cb, c);
	loyalty_config_params_free(&ap);
}
