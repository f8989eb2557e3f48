/* SPDX-License-Identifier: Apache-2.0 */
/*
 * forecast: the seasonal sales forecast of the "forecast" report, pure C
 * with no I/O and no clock. The report's SQL (reports_loyalty.sql) sums a
 * store's category into weekly totals (ISO weeks, Monday first, business
 * days); this module turns one such series into the next FORECAST_HORIZON
 * weeks and back-tests itself. docs/office.md "Forecast" says the same to
 * an analyst.
 *
 * The method, seasonal naive with trend. weeks[0..n-1] are the series'
 * weekly totals in minor units (signed: a week of refunds can be below
 * zero), oldest first, the last one the last complete week. For forecast
 * week h (0 = the week after the last one):
 *
 *   seasonal, when n >= FORECAST_MIN_SEASONAL (60: a year of 52 weeks and
 *   the 8 weeks the trend compares):
 *     recent = sum of the last 8 weeks          weeks[n-8 .. n-1]
 *     prior  = sum of the same 8 weeks a year before  weeks[n-60 .. n-53]
 *     forecast(h) = weeks[n+h-52] * recent / prior
 *   mean, when the history is shorter, or prior <= 0 (no base to scale):
 *     forecast(h) = the mean of the last min(8, n) weeks
 *   none, when n == 0: every forecast is 0.
 *
 * Arithmetic is integer (128-bit intermediates) and each forecast is
 * rounded once, half away from zero; a forecast below zero (refunds
 * beyond sales, or a negative trend) is 0, since a week cannot be
 * expected to sell less than nothing. A result that does not fit in int64
 * is an overflow: the function fails rather than saturating money.
 *
 * The back-test pretends it is FORECAST_HORIZON weeks ago: it forecasts
 * weeks[n-4 .. n-1] from weeks[0 .. n-5] with the same method and adds
 * the errors into a ForecastBacktest, which pools any number of series:
 *   WAPE = sum |actual - forecast| / sum |actual|   (in basis points)
 *   MAPE = mean over weeks with actual != 0 of |actual - forecast| / |actual|
 * (sum |actual| is the sum of the actuals when no week is negative). Each
 * week's percentage error is rounded to basis points before the mean.
 */
#ifndef KASSA_FORECAST_H
#define KASSA_FORECAST_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define FORECAST_HORIZON 4		/* weeks forecast */
#define FORECAST_SEASON 52		/* weeks in a year, for "the same week last year" */
#define FORECAST_WINDOW 8		/* weeks the trend and the mean look back */
#define FORECAST_MIN_SEASONAL (FORECAST_SEASON + FORECAST_WINDOW)	/* 60 */
/* The most weeks a forecast and its back-test read: the report asks no more. */
#define FORECAST_MAX_WEEKS (FORECAST_MIN_SEASONAL + FORECAST_HORIZON)	/* 64 */

typedef enum ForecastMethod {
	FORECAST_NONE = 0,		/* no history: forecasts are 0 */
	FORECAST_MEAN,			/* the mean of the last (up to) 8 weeks */
	FORECAST_SEASONAL,		/* the same week last year times the trend */
} ForecastMethod;

/* Errors of back-tests, pooled over series. Zero it with forecast_backtest_init(). */
typedef struct ForecastBacktest {
	int64_t abs_error;		/* sum |actual - forecast| */
	int64_t abs_actual;		/* sum |actual| */
	int64_t ape_bp;			/* sum of each week's |actual - forecast| / |actual|, bp */
	int32_t weeks;			/* weeks compared */
	int32_t ape_weeks;		/* ... of which actual != 0 (the MAPE's weeks) */
	int32_t series;			/* series back-tested (those with n > FORECAST_HORIZON) */
} ForecastBacktest;

/*
 * Forecast the FORECAST_HORIZON weeks after weeks[0..n-1] into out[] and
 * say which method in *method (may be NULL). False, with out[] zeroed, if
 * n < 0, weeks is NULL while n > 0, or the arithmetic overflows int64.
 */
MUSTCHECK bool forecast_weeks(const int64_t *weeks, int n, int64_t out[FORECAST_HORIZON],
			      ForecastMethod *method);

/* The method forecast_weeks() chooses for weeks[0..n-1]. */
ForecastMethod forecast_method(const int64_t *weeks, int n);

/* The machine name of a method: "none", "mean", "seasonal". */
const char *forecast_method_name(ForecastMethod m);

void forecast_backtest_init(ForecastBacktest *b);

/*
 * Back-test one series: forecast its last FORECAST_HORIZON weeks from the
 * weeks before them and add the errors to b. A series of n <=
 * FORECAST_HORIZON weeks has nothing to test on and adds nothing. False
 * (b unchanged) on bad input or overflow, as forecast_weeks().
 */
MUSTCHECK bool forecast_backtest_add(ForecastBacktest *b, const int64_t *weeks, int n);

/* WAPE in basis points, half away from zero; false if sum |actual| is 0. */
bool forecast_wape_bp(const ForecastBacktest *b, int64_t *bp);

/* MAPE in basis points, half away from zero; false if no week had actual != 0. */
bool forecast_mape_bp(const ForecastBacktest *b, int64_t *bp);

#endif
