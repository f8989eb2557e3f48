/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset.c: parse and check a rule-set document. Every field is checked
 * here, once, so the pricing code can trust a RuleSet: a bad document is
 * refused when an administrator saves it, not at a till. It only parses:
 * what a RuleSet means for a sale, a refund or a tier is rules_*.c's.
 */
#include "ruleset.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "rules.h"

typedef struct Parse {
	char *err;
	size_t errlen;
	bool failed;
} Parse;

__attribute__((format(printf, 2, 3)))
static bool fail(Parse *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->failed) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	p->failed = true;
	return false;
}

/* An integer field in [lo, hi]; `def` when absent if `optional`. */
static bool get_int(Parse *p, json_t *o, const char *where, const char *key, bool optional,
		    int64_t def, int64_t lo, int64_t hi, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL && optional) {
		*out = def;
		return true;
	}
	if (!json_is_integer(v))
		return fail(p, "%s.%s must be an integer", where, key);
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return fail(p, "%s.%s must be %lld-%lld, not %lld", where, key, (long long)lo,
			    (long long)hi, (long long)*out);
	return true;
}

static bool get_i32(Parse *p, json_t *o, const char *where, const char *key, bool optional,
		    int32_t def, int32_t lo, int32_t hi, int32_t *out)
{
	int64_t v = 0;

	if (!get_int(p, o, where, key, optional, def, lo, hi, &v))
		return false;
	*out = (int32_t)v;
	return true;
}

static bool get_bool(Parse *p, json_t *o, const char *where, const char *key, bool def,
		     bool *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		*out = def;
		return true;
	}
	if (!json_is_boolean(v))
		return fail(p, "%s.%s must be true or false", where, key);
	*out = json_is_true(v);
	return true;
}

static json_t *get_obj(Parse *p, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_object(v)) {
		fail(p, "%s must be an object", key);
		return NULL;
	}
	return v;
}

/* "YYYY-MM-DD" to yyyymmdd, checking that the day exists. */
static bool parse_day(const char *s, int32_t *out)
{
	int y, m, d;
	char extra;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
		return false;
	if (y < 2000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	*out = y * 10000 + m * 100 + d;
	return true;
}

static bool parse_tiers(Parse *p, json_t *root, RuleSet *rs)
{
	json_t *tiers = json_object_get(root, "tiers");
	const char *basis = json_string_value(json_object_get(root, "tier_basis"));
	size_t i;
	json_t *t;

	if (basis == NULL || (strcmp(basis, "spend") != 0 && strcmp(basis, "points_earned") != 0))
		return fail(p, "tier_basis must be \"spend\" or \"points_earned\"");
	rs->basis_points = strcmp(basis, "points_earned") == 0;
	if (!json_is_array(tiers) || json_array_size(tiers) == 0 ||
	    json_array_size(tiers) > RULESET_MAX_TIERS)
		return fail(p, "tiers must be a list of 1-%d tiers", RULESET_MAX_TIERS);
	json_array_foreach(tiers, i, t) {
		RuleTier *r = &rs->tiers[i];
		char where[64];
		const char *name = json_string_value(json_object_get(t, "name"));

		snprintf(where, sizeof(where), "tiers[%zu]", i);
		if (!json_is_object(t))
			return fail(p, "%s must be an object", where);
		if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof(r->name))
			return fail(p, "%s.name must be 1-%zu bytes", where, sizeof(r->name) - 1);
		snprintf(r->name, sizeof(r->name), "%s", name);
		if (!get_int(p, t, where, "threshold", false, 0, 0, INT64_MAX / 2, &r->threshold) ||
		    !get_i32(p, t, where, "discount_bp", false, 0, 0, RULES_BP_ONE, &r->discount_bp) ||
		    !get_i32(p, t, where, "multiplier_x100", true, 100, 0, RULESET_MAX_X100,
			     &r->multiplier_x100))
			return false;
		if (i == 0 && r->threshold != 0)
			return fail(p, "tiers[0].threshold must be 0: every member has a tier");
		if (i > 0 && r->threshold <= rs->tiers[i - 1].threshold)
			return fail(p, "%s.threshold must be above the tier before it", where);
		for (size_t j = 0; j < i; j++)
			if (strcmp(rs->tiers[j].name, r->name) == 0)
				return fail(p, "%s.name \"%s\" is used twice", where, r->name);
	}
	rs->n_tiers = (int)json_array_size(tiers);
	return true;
}

static bool parse_multipliers(Parse *p, json_t *root, RuleSet *rs)
{
	json_t *m = get_obj(p, root, "multipliers");
	const char *combine, *bday;
	json_t *list, *v;
	size_t i;

	if (m == NULL)
		return false;
	combine = json_string_value(json_object_get(m, "combine"));
	if (combine == NULL || strcmp(combine, "max") == 0)
		rs->combine = RULE_COMBINE_MAX;
	else if (strcmp(combine, "multiply") == 0)
		rs->combine = RULE_COMBINE_MULTIPLY;
	else if (strcmp(combine, "add") == 0)
		rs->combine = RULE_COMBINE_ADD;
	else
		return fail(p, "multipliers.combine must be \"max\", \"multiply\" or \"add\"");
	if (!get_i32(p, m, "multipliers", "member_day_x100", true, 100, 0, RULESET_MAX_X100,
		     &rs->member_day_x100) ||
	    !get_i32(p, m, "multipliers", "birthday_x100", true, 100, 0, RULESET_MAX_X100,
		     &rs->birthday_x100))
		return false;
	list = json_object_get(m, "member_weekdays");
	json_array_foreach(list, i, v) {
		json_int_t d = json_integer_value(v);

		if (!json_is_integer(v) || d < 1 || d > 7)
			return fail(p, "multipliers.member_weekdays holds ISO weekdays 1-7");
		rs->member_weekdays |= (uint8_t)(1u << d);
	}
	list = json_object_get(m, "member_monthdays");
	json_array_foreach(list, i, v) {
		json_int_t d = json_integer_value(v);

		if (!json_is_integer(v) || d < 1 || d > 31)
			return fail(p, "multipliers.member_monthdays holds days 1-31");
		rs->member_monthdays |= 1u << d;
	}
	bday = json_string_value(json_object_get(m, "birthday"));
	if (bday == NULL || strcmp(bday, "off") == 0)
		rs->birthday = RULE_BIRTHDAY_OFF;
	else if (strcmp(bday, "day") == 0)
		rs->birthday = RULE_BIRTHDAY_DAY;
	else if (strcmp(bday, "month") == 0)
		rs->birthday = RULE_BIRTHDAY_MONTH;
	else
		return fail(p, "multipliers.birthday must be \"off\", \"day\" or \"month\"");
	list = json_object_get(m, "campaigns");
	if (list != NULL && (!json_is_array(list) || json_array_size(list) > RULESET_MAX_CAMPAIGNS))
		return fail(p, "multipliers.campaigns must be a list of at most %d",
			    RULESET_MAX_CAMPAIGNS);
	json_array_foreach(list, i, v) {
		RuleCampaign *c = &rs->campaigns[i];
		char where[64];

		snprintf(where, sizeof(where), "multipliers.campaigns[%zu]", i);
		if (!parse_day(json_string_value(json_object_get(v, "from")), &c->from) ||
		    !parse_day(json_string_value(json_object_get(v, "to")), &c->to) ||
		    c->from > c->to)
			return fail(p, "%s needs from and to, \"YYYY-MM-DD\", from <= to", where);
		if (!get_i32(p, v, where, "x100", false, 0, 0, RULESET_MAX_X100, &c->x100))
			return false;
	}
	rs->n_campaigns = (int)json_array_size(list);
	return true;
}

static bool parse_money_rules(Parse *p, json_t *root, RuleSet *rs)
{
	json_t *earn = get_obj(p, root, "earn"), *redeem, *list, *v, *exp;
	size_t i;

	if (earn == NULL ||
	    !get_int(p, earn, "earn", "minor_per_point", false, 0, 1, INT32_MAX,
		     &rs->minor_per_point) ||
	    !get_bool(p, earn, "earn", "stored_value_earns", false, &rs->stored_value_earns))
		return false;
	redeem = get_obj(p, root, "redeem");
	if (redeem == NULL ||
	    !get_int(p, redeem, "redeem", "points_step", false, 0, 1, INT32_MAX,
		     &rs->points_step) ||
	    !get_int(p, redeem, "redeem", "step_value_minor", false, 0, 1, INT32_MAX,
		     &rs->step_value) ||
	    !get_i32(p, redeem, "redeem", "cap_bp", false, 0, 0, RULES_BP_ONE, &rs->points_cap_bp))
		return false;
	exp = json_object_get(root, "points_expiry");
	if (exp == NULL || (json_is_string(exp) &&
			    strcmp(json_string_value(exp), "end_of_next_year") == 0))
		rs->expiry_months = 0;
	else if (!json_is_object(exp) ||
		 !get_i32(p, exp, "points_expiry", "months", false, 0, 1, 120, &rs->expiry_months))
		return fail(p, "points_expiry must be \"end_of_next_year\" or {\"months\": 1-120}");
	list = json_object_get(root, "topup_bonus");
	if (list != NULL && (!json_is_array(list) || json_array_size(list) > RULESET_MAX_TOPUP))
		return fail(p, "topup_bonus must be a list of at most %d", RULESET_MAX_TOPUP);
	json_array_foreach(list, i, v) {
		RuleTopup *t = &rs->topup[i];
		char where[64];

		snprintf(where, sizeof(where), "topup_bonus[%zu]", i);
		if (!get_int(p, v, where, "min_minor", false, 0, 1, INT64_MAX / 4, &t->min_minor) ||
		    !get_int(p, v, where, "bonus_minor", false, 0, 0, INT64_MAX / 4,
			     &t->bonus_minor))
			return false;
		if (i > 0 && t->min_minor <= rs->topup[i - 1].min_minor)
			return fail(p, "%s.min_minor must be above the one before it", where);
	}
	rs->n_topup = (int)json_array_size(list);
	return get_int(p, root, "rules", "refund_approval_minor", true, 50000, 0, INT64_MAX / 4,
		       &rs->refund_approval_minor) &&
	       get_i32(p, root, "rules", "downgrade_window_months", true, 12, 1, 120,
		       &rs->downgrade_window_months);
}

bool ruleset_parse(const char *json, int32_t version, RuleSet *out, char *err, size_t errlen)
{
	Parse p = { err, errlen, false };
	json_error_t jerr;
	json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	bool ok;

	memset(out, 0, sizeof(*out));
	out->version = version;
	if (!json_is_object(root)) {
		fail(&p, "the rule set is not a JSON object: %s", root ? "" : jerr.text);
		json_decref(root);
		return false;
	}
	ok = parse_tiers(&p, root, out) && parse_multipliers(&p, root, out) &&
	     parse_money_rules(&p, root, out);
	json_decref(root);
	return ok;
}

int ruleset_tier_index(const RuleSet *rs, const char *name)
{
	for (int i = 0; i < rs->n_tiers; i++)
		if (strcmp(rs->tiers[i].name, name) == 0)
			return i;
	return -1;
}
