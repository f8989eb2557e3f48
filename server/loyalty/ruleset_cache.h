/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset_cache: the rule set in force (the newest rule_versions row), read
 * from the database when first needed and again whenever a sale finds it
 * stale; and the clock the loyalty handlers pass to the pure rules.
 */
#ifndef KASSA_RULESET_CACHE_H
#define KASSA_RULESET_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "ruleset.h"

/* Register the statement; before db_setup(). */
void ruleset_cache_setup(void);

/* The rule set last loaded, or NULL before the first load. */
const RuleSet *ruleset_current(void);

/*
 * Read the newest version, install it, then call cb with the query's
 * status (res is the query's result). A version that fails ruleset_parse()
 * is logged and not installed.
 */
void ruleset_reload(DbCallback cb, void *arg);

/*
 * The start of a handler's ruleset_reload() callback: as call_db_ok(), and
 * then a rule set must be in force, else answer c INTERNAL RULES_INVALID.
 * True only when c is live and ruleset_current() is not NULL.
 */
struct Call;
MUSTCHECK bool ruleset_reload_ok(struct Call *c, DbStatus st, const PGresult *res);

/*
 * Today in kassad's local time zone: the one place the loyalty handlers
 * read the clock. The rules_*.c family takes the date as an argument.
 */
RuleDate loyalty_today(void);

/* Install version from its JSON (also after an administrator saves one). */
MUSTCHECK bool ruleset_install(int32_t version, const char *json);

#endif
