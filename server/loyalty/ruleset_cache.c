/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset_cache.c: the rule set in force, as kassad last read it. Checkout
 * prices with it and sends its version along; kassa_checkout() refuses a
 * sale priced with a version that is no longer the newest (STALE_PRICING),
 * and the handler then reloads it here and prices again. So a change an
 * administrator makes applies to the next sale, with no cache to expire.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "ruleset.h"
#include "ruleset_cache.h"
#include "core.h"

static int st_newest;
static RuleSet current;
static bool loaded;

typedef struct Reload {
	DbCallback cb;
	void *arg;
} Reload;

void ruleset_cache_setup(void)
{
	st_newest = db_stmt_add("ruleset_newest",
		"SELECT version, config::text FROM rule_versions ORDER BY version DESC LIMIT 1",
		DB_LANE_QUICK);
}

const RuleSet *ruleset_current(void)
{
	return loaded ? &current : NULL;
}

bool ruleset_install(int32_t version, const char *json)
{
	RuleSet rs;
	char err[256];

	if (loaded && version < current.version)
		return true;	/* an older answer overtaken by a newer one */
	if (!ruleset_parse(json, version, &rs, err, sizeof(err))) {
		log_error("rule set version %d is invalid and was not loaded: %s",
			  (int)version, err);
		return false;
	}
	if (!loaded || version != current.version)
		log_info("rule set version %d in force", (int)version);
	current = rs;
	loaded = true;
	return true;
}

static void reload_cb(void *arg, DbStatus st, const PGresult *res)
{
	Reload r = *(Reload *)arg;

	free(arg);
	if (st == DB_OK && PQntuples(res) == 1 &&
	    !ruleset_install((int32_t)strtol(PQgetvalue(res, 0, 0), NULL, 10),
			     PQgetvalue(res, 0, 1)))
		log_warn("still pricing with rule set version %d",
			 loaded ? (int)current.version : 0);
	r.cb(r.arg, st, res);
}

bool ruleset_reload_ok(Call *c, DbStatus st, const PGresult *res)
{
	if (!call_db_ok(c, st, res))
		return false;
	if (!loaded) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "RULES_INVALID",
			  "the rule set in force could not be loaded");
		return false;
	}
	return true;
}

void ruleset_reload(DbCallback cb, void *arg)
{
	Reload *r = xmalloc(sizeof(*r));

	r->cb = cb;
	r->arg = arg;
	db_query(st_newest, 0, NULL, reload_cb, r);
}

RuleDate loyalty_today(void)
{
	time_t now = time(NULL);
	struct tm tm;
	RuleDate d;

	localtime_r(&now, &tm);
	d.year = tm.tm_year + 1900;
	d.month = tm.tm_mon + 1;
	d.day = tm.tm_mday;
	d.weekday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
	return d;
}
