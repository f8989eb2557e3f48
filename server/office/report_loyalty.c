/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_loyalty.c: the loyalty side of head office's reports and the
 * forecast, as rows of the report registry (report.h), registered by
 * report_loyalty_setup(): points (per month, and the liability now in
 * money), coupons (per definition), stored_value (per month, and the
 * liability now) and forecast (per store and category, the next four
 * weeks). Their SQL is migrations/functions/reports_loyalty.sql; report.c
 * validates the request, runs the statement and answers.
 *
 * Three hooks, each doing only what SQL must not or cannot:
 *  - points_prepare reads the rule set in force (ruleset_reload: another
 *    kassad may have saved a newer one) and passes the value of a point
 *    (redeem.step_value_minor per redeem.points_step points) and the
 *    version as the statement's $6..$8, since SQL never reads the rule
 *    set's JSON;
 *  - points_compute and stored_value_compute turn the liability columns
 *    every row repeats into notes;
 *  - forecast_compute hands each (store, category) weekly series to the
 *    pure forecast.c and writes its forecasts and the pooled back-test.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast.h"
#include "log.h"
#include "office.h"
#include "report.h"
#include "ruleset_cache.h"

#define T KASSA__V1__COLUMN_KIND__COL_TEXT
#define I KASSA__V1__COLUMN_KIND__COL_INT
#define M KASSA__V1__COLUMN_KIND__COL_MONEY
#define P KASSA__V1__COLUMN_KIND__COL_PERCENT_BP
#define D KASSA__V1__COLUMN_KIND__COL_DATE
#define PT KASSA__V1__COLUMN_KIND__COL_POINTS
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define CALL(fn) "SELECT * FROM " fn "($1::date, $2::date, $3::bigint, $4::text, $5::integer)"
#define LOYALTY_ROLES (ROLE_ANALYST | ROLE_ADMIN)	/* chain-wide money: not a store's manager */

static const ReportCol c_points[] = {
	{ "month", D }, { "issued", PT }, { "restored", PT }, { "redeemed", PT },
	{ "expired", PT }, { "adjusted", PT }, { "clawed_back", PT }, { "net", PT },
};
static const ReportCol c_coupons[] = {
	{ "coupon_def", I }, { "coupon", T }, { "kind", T }, { "issued", I }, { "used", I },
	{ "expired", I }, { "voided", I }, { "open", I }, { "redemption_bp", P },
	{ "discount_minor", M },
};
static const ReportCol c_stored_value[] = {
	{ "month", D }, { "topped_up_minor", M }, { "bonus_minor", M }, { "spent_minor", M },
	{ "refunded_minor", M }, { "adjusted_minor", M }, { "net_minor", M },
};
static const ReportCol c_forecast[] = {
	{ "store", T }, { "category", T }, { "week", D }, { "forecast_minor", M },
};

static const ReportNoteSpec n_coupons[] = { { "cohort", "issued_in_range" } };

/* ---- points: the rule set's value of a point, then the liability as notes ---- */

/* What the rule set's reload carries back to the report (owned by the reload). */
typedef struct PointsReload {
	Call *c;			/* borrowed: freed only through its callbacks */
	ReportQuery *q;			/* borrowed: c's query, alive as long as c */
} PointsReload;

static void points_rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	PointsReload *r = arg;
	Call *c = r->c;
	ReportQuery *q = r->q;
	const RuleSet *rs;

	free(r);
	if (!ruleset_reload_ok(c, st, res))
		return;
	rs = ruleset_current();
	snprintf(q->extra[0], sizeof(q->extra[0]), "%" PRId64, rs->step_value);
	snprintf(q->extra[1], sizeof(q->extra[1]), "%" PRId64, rs->points_step);
	snprintf(q->extra[2], sizeof(q->extra[2]), "%" PRId32, rs->version);
	report_query_run(c);
}

/* The version in force, not the one this kassad last saw: another may have saved one. */
static void points_prepare(Call *c, ReportQuery *q)
{
	PointsReload *r = xmalloc(sizeof(*r));

	r->c = c;
	r->q = q;
	ruleset_reload(points_rules_cb, r);
}

/* The spec's columns as rows, then the columns after them of row 0 as notes. */
static bool rows_then_notes(const PGresult *res, size_t n_cols, const char *const *keys,
			    size_t n_keys, ReportOut *o)
{
	const char *cells[REPORT_MAX_COLS];
	int nt = PQntuples(res);

	if (PQnfields(res) != (int)(n_cols + n_keys) || n_cols > REPORT_MAX_COLS)
		return false;
	for (int i = 0; i < nt; i++) {
		for (size_t j = 0; j < n_cols; j++)
			cells[j] = PQgetisnull(res, i, (int)j) ? "" : PQgetvalue(res, i, (int)j);
		report_out_row(o, cells);
	}
	for (size_t k = 0; k < n_keys; k++)
		report_out_note(o, keys[k], nt > 0 ? PQgetvalue(res, 0, (int)(n_cols + k)) : "");
	return true;
}

static bool points_compute(const ReportQuery *q, const PGresult *res, ReportOut *o)
{
	static const char *const keys[] = {
		"liability_points", "liability_members", "liability_minor", "rule_version",
	};

	if (!rows_then_notes(res, N(c_points), keys, N(keys), o))
		return false;
	report_out_note(o, "step_value_minor", q->extra[0]);
	report_out_note(o, "points_step", q->extra[1]);
	return true;
}

static bool stored_value_compute(const ReportQuery *q, const PGresult *res, ReportOut *o)
{
	static const char *const keys[] = { "liability_minor", "liability_wallets" };

	(void)q;
	return rows_then_notes(res, N(c_stored_value), keys, N(keys), o);
}

/* ---- forecast: each weekly series through forecast.c ---- */

enum {
	FC_STORE, FC_CATEGORY, FC_WEEK, FC_TOTAL, FC_WEEKS, FC_FIRST_WEEK, FC_WEEK1,
	FC_NCOLS = FC_WEEK1 + FORECAST_HORIZON
};

/* The whole running tally of a forecast run, for its notes. */
typedef struct ForecastTally {
	ForecastBacktest bt;
	int series, seasonal, mean;	/* series forecast, by method */
	int longest;			/* weeks of history of the longest series */
} ForecastTally;

static bool cell_i64(const PGresult *res, int row, int col, int64_t *v)
{
	const char *s = PQgetvalue(res, row, col);
	char *end;
	long long x;

	errno = 0;
	x = strtoll(s, &end, 10);
	if (PQgetisnull(res, row, col) || errno != 0 || end == s || *end != '\0')
		return false;
	*v = (int64_t)x;
	return true;
}

/* Forecast the series weeks[0..n) of rows [row0..) and write its four rows. */
static bool forecast_one(const PGresult *res, int row0, const int64_t *weeks, int n,
			 ForecastTally *t, ReportOut *o)
{
	int64_t f[FORECAST_HORIZON];
	ForecastMethod m;
	char money[24];
	const char *cells[N(c_forecast)];

	if (!forecast_weeks(weeks, n, f, &m) || !forecast_backtest_add(&t->bt, weeks, n)) {
		log_error("report forecast: the series of store %s, category \"%s\" overflows",
			  PQgetvalue(res, row0, FC_STORE), PQgetvalue(res, row0, FC_CATEGORY));
		return false;
	}
	t->series++;
	t->seasonal += m == FORECAST_SEASONAL;
	t->mean += m == FORECAST_MEAN;
	if (n > t->longest)
		t->longest = n;
	cells[0] = PQgetvalue(res, row0, FC_STORE);
	cells[1] = PQgetvalue(res, row0, FC_CATEGORY);
	cells[3] = money;
	for (int h = 0; h < FORECAST_HORIZON; h++) {
		cells[2] = PQgetvalue(res, row0, FC_WEEK1 + h);
		snprintf(money, sizeof(money), "%" PRId64, f[h]);
		report_out_row(o, cells);
	}
	return true;
}

/* Same store and category as the row before? */
static bool same_series(const PGresult *res, int a, int b)
{
	return strcmp(PQgetvalue(res, a, FC_STORE), PQgetvalue(res, b, FC_STORE)) == 0 &&
	       strcmp(PQgetvalue(res, a, FC_CATEGORY), PQgetvalue(res, b, FC_CATEGORY)) == 0;
}

/* A note of a number; "" when there is none. */
static void note_i64(ReportOut *o, const char *key, bool have, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	report_out_note(o, key, have ? s : "");
}

static void forecast_notes(const ForecastTally *t, ReportOut *o)
{
	int64_t wape = 0, mape = 0;
	bool have_wape = forecast_wape_bp(&t->bt, &wape);
	bool have_mape = forecast_mape_bp(&t->bt, &mape);

	report_out_note(o, "method", "seasonal_naive_trend");
	note_i64(o, "season_weeks", true, FORECAST_SEASON);
	note_i64(o, "trend_weeks", true, FORECAST_WINDOW);
	note_i64(o, "horizon_weeks", true, FORECAST_HORIZON);
	note_i64(o, "weeks_of_history", true, t->longest);
	note_i64(o, "series", true, t->series);
	note_i64(o, "series_seasonal", true, t->seasonal);
	note_i64(o, "series_mean", true, t->mean);
	note_i64(o, "backtest_series", true, t->bt.series);
	note_i64(o, "backtest_wape_bp", have_wape, wape);
	note_i64(o, "backtest_mape_bp", have_mape, mape);
}

static bool forecast_compute(const ReportQuery *q, const PGresult *res, ReportOut *o)
{
	int64_t weeks[FORECAST_MAX_WEEKS], v, total, window = 0, first = 0;
	ForecastTally t;
	int nt = PQntuples(res), row0 = 0;

	(void)q;
	if (PQnfields(res) != FC_NCOLS)
		return false;
	memset(&t, 0, sizeof(t));
	forecast_backtest_init(&t.bt);
	/* rows come in store, category, week order: one run of rows per series */
	for (int i = 0; i < nt; i++) {
		if (!cell_i64(res, i, FC_WEEK, &v) || !cell_i64(res, i, FC_TOTAL, &total) ||
		    !cell_i64(res, i, FC_WEEKS, &window) || window > FORECAST_MAX_WEEKS ||
		    v < 0 || v >= window) {
			log_error("report forecast: row %d is not a week of the window", i);
			return false;
		}
		if (i == 0 || !same_series(res, i, row0)) {
			if (i > 0 && !forecast_one(res, row0, weeks + first, (int)(window - first),
						   &t, o))
				return false;
			memset(weeks, 0, sizeof(weeks));
			row0 = i;
			first = v;		/* a series' history starts at its first sale */
		}
		weeks[v] = total;
	}
	if (nt > 0 && !forecast_one(res, row0, weeks + first, (int)(window - first), &t, o))
		return false;
	forecast_notes(&t, o);
	return true;
}

static const ReportSpec loyalty_specs[] = {
	{ .name = "points", .chart = "bar", .default_from = -364, .default_to = 0,
	  .roles = LOYALTY_ROLES, .chain_wide = true,
	  .sql = "SELECT p.*, $8::integer FROM kassa_report_points($1::date, $2::date, "
		 "$3::bigint, $4::text, $5::integer, $6::bigint, $7::bigint) p",
	  .n_extra = 3, .cols = c_points, .n_cols = N(c_points),
	  .prepare = points_prepare, .compute = points_compute },
	{ .name = "coupons", .chart = "bar", .default_from = -364, .default_to = 0,
	  .roles = LOYALTY_ROLES, .chain_wide = true, .sql = CALL("kassa_report_coupons"),
	  .cols = c_coupons, .n_cols = N(c_coupons), .notes = n_coupons,
	  .n_notes = N(n_coupons) },
	{ .name = "stored_value", .chart = "bar", .default_from = -364, .default_to = 0,
	  .roles = LOYALTY_ROLES, .chain_wide = true, .sql = CALL("kassa_report_stored_value"),
	  .cols = c_stored_value, .n_cols = N(c_stored_value),
	  .compute = stored_value_compute },
	/* the default range reaches back far enough for 64 whole weeks before yesterday */
	{ .name = "forecast", .chart = "line", .default_from = -461, .default_to = -1,
	  .takes_category = true, .sql = CALL("kassa_report_forecast"), .cols = c_forecast,
	  .n_cols = N(c_forecast), .compute = forecast_compute },
};

void report_loyalty_setup(void)
{
	report_register(loyalty_specs, N(loyalty_specs));
}
