/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loyalty_config_rules.c: RuleSetGet and RuleSetPut. Any logged-in staff member may
 * read the rule set in force; an administrator saves a new version of the
 * whole document. kassad checks the document with ruleset_parse() before
 * the database sees it, so a bad one is refused with the parser's message
 * and never becomes a version. kassa_rules_put() stores it as the next
 * version (concurrent saves are serialized there and get consecutive
 * versions) with its audit row, and kassad installs it at once: the next
 * sale is priced with it. Other kassad processes meet it at their next sale
 * (STALE_PRICING, see ruleset_cache.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyalty_config.h"
#include "db.h"
#include "log.h"
#include "ruleset.h"
#include "ruleset_cache.h"

#define ADMIN_RULES_MAX (64 * 1024)	/* bytes of JSON */
#define ADMIN_NOTE_MAX 200		/* characters */

static int st_info, st_put;

void loyalty_config_rules_setup(void)
{
	st_info = db_stmt_add("rules_info", "SELECT * FROM kassa_rules_info(NULL)", DB_LANE_QUICK);
	st_put = db_stmt_add("rules_put", "SELECT * FROM kassa_rules_put($1, $2, $3, $4, $5, $6)",
			     DB_LANE_WORK);
}

/* Answer c with the RuleSetInfo in row 0 of res (kassa_rules_info's columns). */
static void rules_reply(Call *c, const PGresult *res)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__RuleSetInfo info = KASSA__V1__RULE_SET_INFO__INIT;

	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "RULES_NOT_FOUND",
			  "no rule set has been saved");
		return;
	}
	info.version = (int32_t)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	info.config_json = PQgetvalue(res, 0, 1);
	info.created_at = PQgetvalue(res, 0, 2);
	info.staff_id = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	info.note = PQgetvalue(res, 0, 4);
	resp.body_case = KASSA__V1__RESPONSE__BODY_RULE_SET_INFO;
	resp.rule_set_info = &info;
	call_reply(c, &resp);
}

static void rules_info_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	rules_reply(c, res);
}

void handle_rule_set_get(Call *c)
{
	db_query(st_info, 0, NULL, rules_info_cb, c);
}

/* The version is saved: put it in force here before answering. */
static void rules_put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	int32_t version;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) == 1) {
		version = (int32_t)strtol(PQgetvalue(res, 0, 0), NULL, 10);
		/*
		 * ruleset_install() ignores a version older than the one in
		 * force (a replay of an old save) and logs one that does not
		 * parse; the document passed ruleset_parse() before it was
		 * saved, so that would be a bug in the jsonb round trip.
		 */
		if (!ruleset_install(version, PQgetvalue(res, 0, 1)))
			log_call(c, LOG_LVL_ERROR,
				 "rule set version %d was saved but could not be put in force",
				 (int)version);
	}
	rules_reply(c, res);
}

/* Everything about a new version that can be checked here; false once c is answered. */
static bool rules_check(Call *c, const Kassa__V1__RuleSetPut *p)
{
	size_t len = strlen(p->config_json);
	RuleSet *rs;
	char err[256];
	bool ok;

	if (len > ADMIN_RULES_MAX || !utf8_is_valid(p->config_json, len)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RULES",
			  "a rule set is valid UTF-8 JSON of at most %d bytes", ADMIN_RULES_MAX);
		return false;
	}
	if (loyalty_config_text_chars(p->note) > ADMIN_NOTE_MAX || loyalty_config_has_control(p->note)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NOTE",
			  "a note is at most %d characters on one line", ADMIN_NOTE_MAX);
		return false;
	}
	rs = xmalloc(sizeof(*rs));
	ok = ruleset_parse(p->config_json, 0, rs, err, sizeof(err));
	free(rs);
	if (!ok)
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RULES", "%s", err);
	return ok;
}

void handle_rule_set_put(Call *c)
{
	const Kassa__V1__RuleSetPut *p = c->req->rule_set_put;
	LoyaltyConfigParams ap;

	if (!rules_check(c, p))
		return;
	loyalty_config_params_init(&ap, c, &p->base);

	const char *params[6] = {
		ap.till, ap.staff, c->req->idempotency_key, sqltext_str(&ap.hash),
		p->config_json, p->note,
	};
	db_query(st_put, 6, params, rules_put_cb, c);
	loyalty_config_params_free(&ap);
}
