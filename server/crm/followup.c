/* SPDX-License-Identifier: Apache-2.0 */
/*
 * followup.c: follow-ups (回访): the rules, due lists, outcomes.
 *
 * The rules (FollowupRulesPut, administrators; FollowupRulesGet, head
 * office) are one set, versioned as a whole: every Put is a new version,
 * checked here (followup_rules_check(): 1 to FOLLOWUP_RULES_MAX rules,
 * unique names, the kinds after_sale / lapsed / after_complaint, days
 * 1-365, min_total_minor >= 0, a member class for lapsed only, due_days
 * 0 (= 3) to 365) and saved by kassa_followup_rules_put(), audited. An empty
 * set is refused (NO_RULES): to stop every rule, save them inactive.
 *
 * The job that makes follow-ups from the rules is followup_job.c.
 * FollowupList answers a store's (or, at head office, every store's)
 * follow-ups as a ReportTable, per staff member and state; FollowupRecord
 * records a call's outcome with a note, or hands the follow-up to another
 * staff member of its store. reached and declined close it; no_answer
 * keeps it open and counts the attempt, and the FOLLOWUP_MAX_ATTEMPTS-th
 * closes it with outcome no_answer. A store's till finds only its store's
 * follow-ups. Exactly once per idempotency key, audited
 * (functions/followups.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"
#include "crm_table.h"
#include "db.h"
#include "followup_job.h"
#include "i18n.h"
#include "sqltext.h"
#include "util.h"

#define FOLLOWUP_RULES_MAX 50
#define FOLLOWUP_NAME_MAX 64		/* bytes; letters, digits, '-', '_', '.' */
#define FOLLOWUP_DAYS_MAX 365
#define FOLLOWUP_DUE_DAYS_DEFAULT 3
#define FOLLOWUP_NOTE_MAX 500		/* characters */
#define FOLLOWUP_MAX_ATTEMPTS 3		/* no_answer this often closes it */

static int st_rules_put, st_rules_get, st_list, st_record;

void followup_setup(void)
{
	st_rules_put = db_stmt_add("followup_rules_put",
		"SELECT kassa_followup_rules_put($1, $2, $3, $4::bytea, $5::text[], $6::text[],"
		" $7::integer[], $8::bigint[], $9::text[], $10::boolean[], $11::integer[])",
		DB_LANE_WORK);
	st_rules_get = db_stmt_add("followup_rules_get",
		"SELECT * FROM kassa_followup_rules_get()", DB_LANE_WORK);
	st_list = db_stmt_add("followup_list",
		"SELECT * FROM kassa_followup_list($1::bigint, $2::bigint, $3, $4::integer,"
		" $5::bigint)", DB_LANE_WORK);
	st_record = db_stmt_add("followup_record",
		"SELECT * FROM kassa_followup_record($1, $2, $3, $4::bytea, $5::bigint, $6, $7,"
		" $8, $9, $10)", DB_LANE_WORK);
	followup_job_setup();
}

/* The refusals of functions/followups.sql, with their text for people. */
static bool followup_refused(Call *c, DbStatus st, const PGresult *res)
{
	static const struct {
		const char *detail;
		Kassa__V1__StatusCode code;
		const char *text;
	} refusals[] = {
		{ "FOLLOWUP_NOT_FOUND", KASSA__V1__STATUS_CODE__NOT_FOUND,
		  N_("no such follow-up at this store") },
		{ "FOLLOWUP_DONE", KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
		  N_("this follow-up is done already") },
		{ "BAD_ASSIGNEE", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  N_("hand a follow-up to an active staff member of its store") },
	};

	if (call_is_orphan(c) || st != DB_SQL_ERROR)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++)
		if (strcmp(db_errmsg(res), refusals[i].detail) == 0) {
			call_fail(c, refusals[i].code, refusals[i].detail, "%s",
				  _(refusals[i].text));
			return true;
		}
	return false;
}

/* ---- the rules ---- */

static const char *const rule_kinds[] = { "after_sale", "lapsed", "after_complaint" };
static const char *const member_classes[] = { "", "new", "active", "high_value", "at_risk",
					      "lost" };

static bool in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, v[i]) == 0)
			return true;
	return false;
}

static bool name_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > FOLLOWUP_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

/* One rule's problem: its machine detail (*why the text), or NULL. */
static const char *rule_check(const Kassa__V1__FollowupRule *r, const char **why)
{
	if (!name_is_valid(r->name))
		return *why = N_("a rule's name is 1-64 letters, digits, '-', '_' or '.'"),
		       "BAD_RULE_NAME";
	if (!in_list(r->kind, rule_kinds, ARRAY_SIZE(rule_kinds)))
		return *why = N_("a rule's kind is after_sale, lapsed or after_complaint"),
		       "BAD_RULE_KIND";
	if (r->days < 1 || r->days > FOLLOWUP_DAYS_MAX)
		return *why = N_("a rule's days are 1 to 365"), "BAD_DAYS";
	if (r->due_days < 0 || r->due_days > FOLLOWUP_DAYS_MAX)
		return *why = N_("a rule's due_days are 0 (3 days) to 365"), "BAD_DUE_DAYS";
	if (r->min_total_minor < 0 || (r->min_total_minor > 0 && strcmp(r->kind, "after_sale") != 0))
		return *why = N_("min_total_minor is 0 or more, and only for after_sale"),
		       "BAD_MIN_TOTAL";
	if (!in_list(r->member_class, member_classes, ARRAY_SIZE(member_classes)) ||
	    (r->member_class[0] && strcmp(r->kind, "lapsed") != 0))
		return *why = N_("member_class is new, active, high_value, at_risk, lost or "
				 "empty, and only for lapsed"), "BAD_MEMBER_CLASS";
	return NULL;
}

/* The whole set's problem (detail, *why, *bad the rule's index), or NULL. */
static const char *rules_check(const Kassa__V1__FollowupRulesPut *p, const char **why,
			       size_t *bad)
{
	const char *detail;

	if (p->n_rules == 0)
		return *why = N_("a rule set needs at least one rule (save them inactive to "
				 "stop them)"), "NO_RULES";
	if (p->n_rules > FOLLOWUP_RULES_MAX)
		return *why = N_("a rule set has at most 50 rules"), "TOO_MANY_RULES";
	for (size_t i = 0; i < p->n_rules; i++) {
		*bad = i;
		if ((detail = rule_check(p->rules[i], why)) != NULL)
			return detail;
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->rules[i]->name, p->rules[j]->name) == 0)
				return *why = N_("two rules have the same name"), "DUPLICATE_RULE";
	}
	return NULL;
}

static void rules_put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__FollowupRules ok = KASSA__V1__FOLLOWUP_RULES__INIT;
	const Kassa__V1__FollowupRulesPut *p = c->req->followup_rules_put;

	if (!call_db_ok(c, st, res))
		return;
	ok.version = (uint32_t)strtoul(PQgetvalue(res, 0, 0), NULL, 10);
	ok.rules = p->rules;
	ok.n_rules = p->n_rules;
	resp.body_case = KASSA__V1__RESPONSE__BODY_FOLLOWUP_RULES;
	resp.followup_rules = &ok;
	call_reply(c, &resp);
}

/* The arrays of the set, one per column. */
typedef struct RuleArrays {
	SqlText names, kinds, days, totals, classes, active, due;
} RuleArrays;

static void rule_arrays(RuleArrays *a, const Kassa__V1__FollowupRulesPut *p)
{
	SqlText *all[] = { &a->names, &a->kinds, &a->days, &a->totals, &a->classes, &a->active,
			   &a->due };

	memset(a, 0, sizeof(*a));
	for (size_t j = 0; j < ARRAY_SIZE(all); j++)
		sqltext_open(all[j]);
	for (size_t i = 0; i < p->n_rules; i++) {
		const Kassa__V1__FollowupRule *r = p->rules[i];

		sqltext_elem_str(&a->names, r->name);
		sqltext_elem_str(&a->kinds, r->kind);
		sqltext_elem_int(&a->days, r->days);
		sqltext_elem_int(&a->totals, r->min_total_minor);
		sqltext_elem_str(&a->classes, r->member_class);
		sqltext_elem_str(&a->active, r->active ? "t" : "f");
		sqltext_elem_int(&a->due, r->due_days > 0 ? r->due_days : FOLLOWUP_DUE_DAYS_DEFAULT);
	}
	for (size_t j = 0; j < ARRAY_SIZE(all); j++)
		sqltext_close(all[j]);
}

static void rule_arrays_free(RuleArrays *a)
{
	SqlText *all[] = { &a->names, &a->kinds, &a->days, &a->totals, &a->classes, &a->active,
			   &a->due };

	for (size_t j = 0; j < ARRAY_SIZE(all); j++)
		sqltext_free(all[j]);
}

void handle_followup_rules_put(Call *c)
{
	const Kassa__V1__FollowupRulesPut *p = c->req->followup_rules_put;
	const char *detail, *why = "";
	size_t bad = 0;
	SqlText hash = SQLTEXT_INIT;
	RuleArrays a;
	char till[24], staff[24];

	if ((detail = rules_check(p, &why, &bad)) != NULL) {
		if (p->n_rules > 0 && p->n_rules <= FOLLOWUP_RULES_MAX)
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, detail,
				  _("rule %zu: %s"), bad + 1, _(why));
		else
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, detail, "%s", _(why));
		return;
	}
	sqltext_hash(&hash, &p->base);
	rule_arrays(&a, p);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);

	const char *params[11] = {
		till, staff, c->req->idempotency_key, sqltext_str(&hash),
		sqltext_str(&a.names), sqltext_str(&a.kinds), sqltext_str(&a.days),
		sqltext_str(&a.totals), sqltext_str(&a.classes), sqltext_str(&a.active),
		sqltext_str(&a.due),
	};
	db_query(st_rules_put, 11, params, rules_put_cb, c);
	rule_arrays_free(&a);
	sqltext_free(&hash);
}

static void rules_get_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__FollowupRules ok = KASSA__V1__FOLLOWUP_RULES__INIT;
	int n;
	Kassa__V1__FollowupRule *v, **p;

	if (!call_db_ok(c, st, res))
		return;
	n = PQntuples(res);
	v = xcalloc((size_t)n + 1, sizeof(*v));
	p = xcalloc((size_t)n + 1, sizeof(*p));
	for (int i = 0; i < n; i++) {
		kassa__v1__followup_rule__init(&v[i]);
		v[i].name = PQgetvalue(res, i, 2);
		v[i].kind = PQgetvalue(res, i, 3);
		v[i].days = (int32_t)strtol(PQgetvalue(res, i, 4), NULL, 10);
		v[i].min_total_minor = strtoll(PQgetvalue(res, i, 5), NULL, 10);
		v[i].member_class = PQgetvalue(res, i, 6);
		v[i].active = strcmp(PQgetvalue(res, i, 7), "t") == 0;
		v[i].due_days = (int32_t)strtol(PQgetvalue(res, i, 8), NULL, 10);
		p[i] = &v[i];
	}
	if (n > 0) {
		ok.version = (uint32_t)strtoul(PQgetvalue(res, 0, 0), NULL, 10);
		ok.created_at = PQgetvalue(res, 0, 1);
	}
	ok.rules = p;
	ok.n_rules = (size_t)n;
	resp.body_case = KASSA__V1__RESPONSE__BODY_FOLLOWUP_RULES;
	resp.followup_rules = &ok;
	call_reply(c, &resp);
	free(p);
	free(v);
}

void handle_followup_rules_get(Call *c)
{
	db_query(st_rules_get, 0, NULL, rules_get_cb, c);
}

/* ---- the lists ---- */

static void list_cb(void *arg, DbStatus st, const PGresult *res)
{
	static const CrmCol cols[] = {
		{ "followup_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "due_on", KASSA__V1__COLUMN_KIND__COL_DATE },
		{ "status", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "kind", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "rule", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "store", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "staff_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "member_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "name", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "phone", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "txn_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "complaint_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "attempts", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "outcome", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "note", KASSA__V1__COLUMN_KIND__COL_TEXT },
	};
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	crm_table_reply(c, "followups", cols, ARRAY_SIZE(cols), res,
			crm_list_limit(c->req->followup_list->limit, (char[12]){ 0 }));
}

void handle_followup_list(Call *c)
{
	static const char *const states[] = { "due", "overdue", "open", "done", "all" };
	const Kassa__V1__FollowupList *q = c->req->followup_list;
	const char *state = q->state[0] ? q->state : "due", *store_p, *staff_p = NULL;
	char store[24], staff[24], limit[12], after[24];
	uint32_t n;

	if (!in_list(state, states, ARRAY_SIZE(states))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STATE", "%s",
			  _("state is due, overdue, open, done or all"));
		return;
	}
	if (q->staff_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STAFF", "%s",
			  _("name a staff member by their id, or 0"));
		return;
	}
	if (!crm_store_scope(c, q->store_id, store, &store_p) || !crm_list_after(c, q->after, after))
		return;
	if (q->staff_id > 0) {
		snprintf(staff, sizeof(staff), "%lld", (long long)q->staff_id);
		staff_p = staff;
	}
	n = crm_list_limit(q->limit, limit);
	snprintf(limit, sizeof(limit), "%u", n + 1);	/* one more: is there a next page? */

	const char *params[5] = { store_p, staff_p, state, limit, after };
	db_query(st_list, 5, params, list_cb, c);
}

/* ---- outcomes ---- */

static void record_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Followup f = KASSA__V1__FOLLOWUP__INIT;

	if (followup_refused(c, st, res) || !call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	f.followup_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	f.member_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	f.store_id = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	f.staff_id = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	f.rule = PQgetvalue(res, 0, 4);
	f.kind = PQgetvalue(res, 0, 5);
	f.due_on = PQgetvalue(res, 0, 6);
	f.state = PQgetvalue(res, 0, 7);
	f.outcome = PQgetvalue(res, 0, 8);
	f.note = PQgetvalue(res, 0, 9);
	f.txn_id = strtoll(PQgetvalue(res, 0, 10), NULL, 10);
	f.complaint_id = strtoll(PQgetvalue(res, 0, 11), NULL, 10);
	f.done_at = PQgetvalue(res, 0, 12);
	f.done_by = strtoll(PQgetvalue(res, 0, 13), NULL, 10);
	f.attempts = (int32_t)strtol(PQgetvalue(res, 0, 14), NULL, 10);
	f.overdue = strcmp(PQgetvalue(res, 0, 15), "t") == 0;
	resp.body_case = KASSA__V1__RESPONSE__BODY_FOLLOWUP;
	resp.followup = &f;
	call_reply(c, &resp);
}

/* Code points of s (valid UTF-8), and whether it has control characters but line breaks. */
static bool note_is_valid(const char *s)
{
	size_t n = 0;

	for (const char *p = s; *p; p++) {
		n += ((unsigned char)*p & 0xC0) != 0x80;
		if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F)
			return false;
	}
	return n <= FOLLOWUP_NOTE_MAX;
}

void handle_followup_record(Call *c)
{
	static const char *const outcomes[] = { "", "reached", "no_answer", "declined" };
	const Kassa__V1__FollowupRecord *q = c->req->followup_record;
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24], store[24], id[24], assign[24], max[8];

	if (q->followup_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_FOLLOWUP", "%s",
			  _("name the follow-up by its id"));
		return;
	}
	if (!in_list(q->outcome, outcomes, ARRAY_SIZE(outcomes)) || q->assign_staff_id < 0 ||
	    (q->outcome[0] == '\0' && q->assign_staff_id == 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_OUTCOME", "%s",
			  _("give an outcome (reached, no_answer, declined) or a staff member to "
			    "hand it to"));
		return;
	}
	if (!note_is_valid(q->note)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NOTE",
			  _("a note is at most %d characters of text"), FOLLOWUP_NOTE_MAX);
		return;
	}
	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(store, sizeof(store), "%lld", (long long)c->sess->store_id);
	snprintf(id, sizeof(id), "%lld", (long long)q->followup_id);
	snprintf(assign, sizeof(assign), "%lld", (long long)q->assign_staff_id);
	snprintf(max, sizeof(max), "%d", FOLLOWUP_MAX_ATTEMPTS);

	const char *params[10] = {
		till, staff, c->req->idempotency_key, sqltext_str(&hash),
		crm_sees_all(c) ? NULL : store, id, q->outcome, q->note, assign, max,
	};
	db_query(st_record, 10, params, record_cb, c);
	sqltext_free(&hash);
}
