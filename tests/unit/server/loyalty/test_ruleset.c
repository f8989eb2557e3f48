/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ruleset: the rule set shipped in migrations/0003_loyalty.sql parses
 * and holds MISSION.md's defaults; documents with a missing, mistyped or
 * out-of-range field are refused with a message naming the field; the
 * multipliers combine as configured; a lot's expiry day; top-up bonus tiers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ruleset.h"
#include "rules_earn.h"
#include "rules_tier.h"

/* The JSON of the first rule_versions row the migration inserts. */
static char *shipped_rules(void)
{
	FILE *f = fopen(KASSA_MIGRATIONS_DIR "/0003_loyalty.sql", "r");
	static char buf[1 << 16];
	size_t n;
	char *start, *end;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	start = strstr(buf, "'defaults', '{");
	assert_non_null(start);
	start += strlen("'defaults', '");
	end = strstr(start, "}');");
	assert_non_null(end);
	end[1] = '\0';
	return start;
}

static void test_shipped_defaults(void **state)
{
	RuleSet rs;
	char err[256] = "";

	(void)state;
	assert_true(ruleset_parse(shipped_rules(), 1, &rs, err, sizeof(err)));
	assert_int_equal(rs.version, 1);
	assert_false(rs.basis_points);
	assert_int_equal(rs.n_tiers, 3);
	assert_string_equal(rs.tiers[0].name, "Regular");
	assert_string_equal(rs.tiers[1].name, "Silver");
	assert_string_equal(rs.tiers[2].name, "Gold");
	assert_true(rs.tiers[1].threshold == 200000);	/* ¥2,000 */
	assert_true(rs.tiers[2].threshold == 1000000);	/* ¥10,000 */
	assert_int_equal(rs.tiers[0].discount_bp, 0);
	assert_int_equal(rs.tiers[1].discount_bp, 1000);
	assert_int_equal(rs.tiers[2].discount_bp, 2000);
	for (int i = 0; i < 3; i++)
		assert_int_equal(rs.tiers[i].multiplier_x100, 100);
	assert_true(rs.minor_per_point == 1000);
	assert_false(rs.stored_value_earns);
	assert_true(rs.points_step == 100 && rs.step_value == 1000);
	assert_int_equal(rs.points_cap_bp, 5000);
	assert_int_equal(rs.combine, RULE_COMBINE_MAX);
	assert_int_equal(rs.expiry_months, 0);
	assert_int_equal(rs.downgrade_window_months, 12);
	assert_int_equal(rs.n_topup, 1);
	assert_true(rules_topup_bonus(&rs, 100000) == 10000);	/* top up ¥1,000 get ¥100 */
	assert_true(rules_topup_bonus(&rs, 99999) == 0);
	assert_int_equal(ruleset_tier_index(&rs, "Silver"), 1);
	assert_int_equal(ruleset_tier_index(&rs, "Platinum"), -1);
	assert_int_equal(rules_tier_for(&rs, 0), 0);
	assert_int_equal(rules_tier_for(&rs, 199999), 0);
	assert_int_equal(rules_tier_for(&rs, 200000), 1);
	assert_int_equal(rules_tier_for(&rs, 1000000), 2);
	assert_int_equal(rules_tier_for(&rs, INT64_MAX), 2);
}

#define BASE_TIERS "\"tier_basis\": \"spend\", \"tiers\": [" \
	"{\"name\": \"Regular\", \"threshold\": 0, \"discount_bp\": 0}," \
	"{\"name\": \"Silver\", \"threshold\": 200000, \"discount_bp\": 1000}]"
#define BASE_EARN "\"earn\": {\"minor_per_point\": 1000}," \
	"\"redeem\": {\"points_step\": 100, \"step_value_minor\": 1000, \"cap_bp\": 5000}"

/* Each document is refused, and the message names the field at fault. */
static void test_refusals(void **state)
{
	static const struct {
		const char *json, *names;
	} bad[] = {
		{ "[]", "JSON object" },
		{ "{\"tiers\": []}", "tier_basis" },
		{ "{\"tier_basis\": \"spend\", \"tiers\": []," BASE_EARN ", \"multipliers\": {}}",
		  "tiers" },
		{ "{\"tier_basis\": \"spend\", \"tiers\": [{\"name\": \"A\", \"threshold\": 5,"
		  " \"discount_bp\": 0}]," BASE_EARN ", \"multipliers\": {}}", "tiers[0].threshold" },
		{ "{\"tier_basis\": \"spend\", \"tiers\": [{\"name\": \"A\", \"threshold\": 0,"
		  " \"discount_bp\": 0}, {\"name\": \"B\", \"threshold\": 0, \"discount_bp\": 0}],"
		  BASE_EARN ", \"multipliers\": {}}", "tiers[1].threshold" },
		{ "{\"tier_basis\": \"spend\", \"tiers\": [{\"name\": \"A\", \"threshold\": 0,"
		  " \"discount_bp\": 0}, {\"name\": \"A\", \"threshold\": 9, \"discount_bp\": 0}],"
		  BASE_EARN ", \"multipliers\": {}}", "used twice" },
		{ "{\"tier_basis\": \"spend\", \"tiers\": [{\"name\": \"A\", \"threshold\": 0,"
		  " \"discount_bp\": 10001}]," BASE_EARN ", \"multipliers\": {}}",
		  "tiers[0].discount_bp" },
		{ "{" BASE_TIERS "," BASE_EARN "}", "multipliers" },
		{ "{" BASE_TIERS "," BASE_EARN ", \"multipliers\": {\"combine\": \"sum\"}}",
		  "multipliers.combine" },
		{ "{" BASE_TIERS "," BASE_EARN ", \"multipliers\": {\"member_weekdays\": [0]}}",
		  "member_weekdays" },
		{ "{" BASE_TIERS "," BASE_EARN ", \"multipliers\": {\"campaigns\": "
		  "[{\"from\": \"2026-02-30\", \"to\": \"2026-03-01\", \"x100\": 200}]}}",
		  "campaigns[0]" },
		{ "{" BASE_TIERS ", \"earn\": {\"minor_per_point\": 0}, \"multipliers\": {}}",
		  "earn.minor_per_point" },
		{ "{" BASE_TIERS ", \"earn\": {\"minor_per_point\": 1000}, \"redeem\": "
		  "{\"points_step\": 100, \"step_value_minor\": 1000, \"cap_bp\": 20000},"
		  " \"multipliers\": {}}", "redeem.cap_bp" },
		{ "{" BASE_TIERS "," BASE_EARN ", \"multipliers\": {}, \"topup_bonus\": "
		  "[{\"min_minor\": 500, \"bonus_minor\": 1}, {\"min_minor\": 500, \"bonus_minor\": 2}]}",
		  "topup_bonus[1].min_minor" },
		{ "{" BASE_TIERS "," BASE_EARN ", \"multipliers\": {}, \"points_expiry\": \"never\"}",
		  "points_expiry" },
	};
	RuleSet rs;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (ruleset_parse(bad[i].json, 2, &rs, err, sizeof(err)))
			fail_msg("document %zu was accepted: %s", i, bad[i].json);
		if (strstr(err, bad[i].names) == NULL)
			fail_msg("document %zu: \"%s\" does not name %s", i, err, bad[i].names);
	}
}

static RuleSet with_multipliers(const char *multipliers)
{
	char json[2048];
	RuleSet rs;
	char err[256];

	snprintf(json, sizeof(json),
		 "{\"tier_basis\": \"spend\", \"tiers\": ["
		 "{\"name\": \"Regular\", \"threshold\": 0, \"discount_bp\": 0},"
		 "{\"name\": \"Gold\", \"threshold\": 9, \"discount_bp\": 0, \"multiplier_x100\": 150}],"
		 BASE_EARN ", \"multipliers\": %s}", multipliers);
	if (!ruleset_parse(json, 3, &rs, err, sizeof(err)))
		fail_msg("%s", err);
	return rs;
}

static void test_multipliers(void **state)
{
	/* Wednesday 2026-11-25 */
	RuleDate wed = { 2026, 11, 25, 3 }, thu = { 2026, 11, 26, 4 };
	RuleSet rs;

	(void)state;
	rs = with_multipliers("{\"member_day_x100\": 200, \"member_weekdays\": [3],"
			      " \"birthday\": \"day\", \"birthday_x100\": 300}");
	assert_int_equal(rules_multiplier(&rs, 0, &thu, 0, 0), 100);
	assert_int_equal(rules_multiplier(&rs, 1, &thu, 0, 0), 150);	/* Gold */
	assert_int_equal(rules_multiplier(&rs, 0, &wed, 0, 0), 200);	/* member day */
	assert_int_equal(rules_multiplier(&rs, 1, &wed, 0, 0), 200);	/* max of 150, 200 */
	assert_int_equal(rules_multiplier(&rs, 1, &wed, 11, 25), 300);	/* birthday wins */
	assert_int_equal(rules_multiplier(&rs, 1, &wed, 11, 24), 200);	/* not the day */

	rs = with_multipliers("{\"combine\": \"multiply\", \"member_day_x100\": 200,"
			      " \"member_monthdays\": [25], \"birthday\": \"month\","
			      " \"birthday_x100\": 300}");
	assert_int_equal(rules_multiplier(&rs, 1, &wed, 11, 2), 900);	/* 1.5 x 2 x 3 */
	assert_int_equal(rules_multiplier(&rs, 0, &thu, 11, 2), 300);	/* month: any day */
	assert_int_equal(rules_multiplier(&rs, 0, &thu, 10, 26), 100);

	rs = with_multipliers("{\"combine\": \"add\", \"campaigns\": [{\"from\": \"2026-11-20\","
			      " \"to\": \"2026-11-25\", \"x100\": 200}]}");
	assert_int_equal(rules_multiplier(&rs, 1, &wed, 0, 0), 250);	/* 1 + 0.5 + 1 */
	assert_int_equal(rules_multiplier(&rs, 1, &thu, 0, 0), 150);	/* campaign over */
}

static void test_expiry(void **state)
{
	RuleDate d = { 2026, 11, 29, 7 }, e;
	RuleSet rs;
	char err[256];

	(void)state;
	assert_true(ruleset_parse(shipped_rules(), 1, &rs, err, sizeof(err)));
	e = rules_lot_expiry(&rs, &d);	/* end of the calendar year after */
	assert_int_equal(e.year, 2027);
	assert_int_equal(e.month, 12);
	assert_int_equal(e.day, 31);
	rs.expiry_months = 3;		/* end of the month three months on */
	e = rules_lot_expiry(&rs, &d);
	assert_int_equal(e.year, 2027);
	assert_int_equal(e.month, 2);
	assert_int_equal(e.day, 28);
	d.year = 2027;
	e = rules_lot_expiry(&rs, &d);
	assert_int_equal(e.year, 2028);
	assert_int_equal(e.day, 29);	/* a leap year */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_defaults),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_multipliers),
		cmocka_unit_test(test_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
