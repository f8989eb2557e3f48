/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_forecast: forecast.c on hand-computed weekly series: no history,
 * the mean of short histories (rounding half away from zero, a negative
 * mean), the seasonal method on 60 and 64 weeks (the trend ratio, an exact
 * half), a zero or negative base falling back to the mean, refunds making
 * weeks negative, overflow refused rather than saturated, and the
 * back-test's WAPE and MAPE alone and pooled over two series. The 60-week
 * series is the one test_reports_loyalty.c puts into agg_category_day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "forecast.h"

/*
 * The 60-week series, worked by hand:
 *   weeks 0..7  1000 each            prior  = 8000
 *   weeks 8..11 2000 3000 4000 1501  (the same weeks last year as the forecast's)
 *   weeks 12..51 500 each
 *   weeks 52..59 1000 1100 1200 1300 1400 1500 1600 1200   recent = 10300
 * forecast = w[8..11] * 10300 / 8000 = 2575, 3862.5 -> 3863, 5150, 1932.54 -> 1933.
 * Back-test on weeks 0..55 (56 < 60 weeks: the mean): mean of w[48..55] =
 * (4 * 500 + 1000 + 1100 + 1200 + 1300) / 8 = 825 against 1400 1500 1600 1200:
 * errors 575 675 775 375 = 2400 over 5700: WAPE 4210.5 -> 4211 bp; APEs 4107,
 * 4500, 4843.75 -> 4844, 3125: sum 16576, MAPE 4144 bp.
 */
static void series60(int64_t w[60])
{
	static const int64_t recent[8] = { 1000, 1100, 1200, 1300, 1400, 1500, 1600, 1200 };

	for (int i = 0; i < 8; i++)
		w[i] = 1000;
	w[8] = 2000;
	w[9] = 3000;
	w[10] = 4000;
	w[11] = 1501;
	for (int i = 12; i < 52; i++)
		w[i] = 500;
	for (int i = 0; i < 8; i++)
		w[52 + i] = recent[i];
}

/*
 * The 64-week series: the 60 above, then 2600 3800 5150 2000.
 *   forecast: recent = w[56..63] = 1400+1500+1600+1200+2600+3800+5150+2000 = 19250,
 *   prior = w[4..11] = 4000 + 2000+3000+4000+1501 = 14501, base w[12..15] = 500:
 *   500 * 19250 / 14501 = 663.75 -> 664 each.
 *   back-test on weeks 0..59: the 60-week forecast 2575 3863 5150 1933 against
 *   2600 3800 5150 2000: errors 25 63 0 67 = 155 over 13550: WAPE 114.4 -> 114;
 *   APEs 96.2 -> 96, 165.8 -> 166, 0, 335: sum 597, MAPE 149.25 -> 149.
 */
static void series64(int64_t w[64])
{
	series60(w);
	w[60] = 2600;
	w[61] = 3800;
	w[62] = 5150;
	w[63] = 2000;
}

static void expect4(const int64_t got[FORECAST_HORIZON], int64_t a, int64_t b, int64_t c,
		    int64_t d)
{
	assert_int_equal(got[0], a);
	assert_int_equal(got[1], b);
	assert_int_equal(got[2], c);
	assert_int_equal(got[3], d);
}

static void test_no_history(void **state)
{
	int64_t out[FORECAST_HORIZON] = { 7, 7, 7, 7 }, w[1] = { 5 };
	ForecastMethod m = FORECAST_SEASONAL;

	(void)state;
	assert_true(forecast_weeks(NULL, 0, out, &m));
	assert_int_equal(m, FORECAST_NONE);
	expect4(out, 0, 0, 0, 0);
	assert_false(forecast_weeks(NULL, 3, out, &m));
	assert_false(forecast_weeks(w, -1, out, &m));
	assert_string_equal(forecast_method_name(FORECAST_NONE), "none");
	assert_string_equal(forecast_method_name(FORECAST_MEAN), "mean");
	assert_string_equal(forecast_method_name(FORECAST_SEASONAL), "seasonal");
}

static void test_mean(void **state)
{
	int64_t out[FORECAST_HORIZON], w[10], w60[60];
	ForecastMethod m;

	(void)state;
	for (int i = 0; i < 10; i++)
		w[i] = (i + 1) * 100;
	/* the last 8 of 100..1000: (300 + ... + 1000) / 8 = 5200 / 8 = 650 */
	assert_true(forecast_weeks(w, 10, out, &m));
	assert_int_equal(m, FORECAST_MEAN);
	expect4(out, 650, 650, 650, 650);
	/* fewer than 8 weeks: the mean of what there is */
	assert_true(forecast_weeks(w, 3, out, &m));
	expect4(out, 200, 200, 200, 200);
	/* 1.5 rounds away from zero; 4/3 down; 5/3 up */
	assert_true(forecast_weeks((const int64_t[]){ 1, 2 }, 2, out, NULL));
	assert_int_equal(out[0], 2);
	assert_true(forecast_weeks((const int64_t[]){ 1, 1, 2 }, 3, out, NULL));
	assert_int_equal(out[0], 1);
	assert_true(forecast_weeks((const int64_t[]){ 1, 2, 2 }, 3, out, NULL));
	assert_int_equal(out[0], 2);
	/* refunds beyond sales: a mean of -200 forecasts nothing, not a negative sale */
	assert_true(forecast_weeks((const int64_t[]){ -500, 100 }, 2, out, &m));
	assert_int_equal(m, FORECAST_MEAN);
	expect4(out, 0, 0, 0, 0);
	/* 59 weeks is short of a year and the trend's window: still the mean */
	series60(w60);
	assert_int_equal(forecast_method(w60, 59), FORECAST_MEAN);
}

static void test_seasonal(void **state)
{
	int64_t out[FORECAST_HORIZON], w[64];
	ForecastMethod m;

	(void)state;
	series64(w);
	assert_true(forecast_weeks(w, 60, out, &m));
	assert_int_equal(m, FORECAST_SEASONAL);
	expect4(out, 2575, 3863, 5150, 1933);
	assert_true(forecast_weeks(w, 64, out, &m));
	assert_int_equal(m, FORECAST_SEASONAL);
	expect4(out, 664, 664, 664, 664);
}

static void test_zero_and_negative_base(void **state)
{
	int64_t out[FORECAST_HORIZON], w[60];
	ForecastMethod m;

	(void)state;
	/* a year ago the 8 weeks sold nothing: no base to scale, the mean of the last 8 */
	series60(w);
	for (int i = 0; i < 8; i++)
		w[i] = 0;
	assert_true(forecast_weeks(w, 60, out, &m));
	assert_int_equal(m, FORECAST_MEAN);
	expect4(out, 1288, 1288, 1288, 1288);	/* 10300 / 8 = 1287.5 -> 1288 */
	/* refunds made them negative: the same */
	for (int i = 0; i < 8; i++)
		w[i] = -100;
	assert_true(forecast_weeks(w, 60, out, &m));
	assert_int_equal(m, FORECAST_MEAN);
	expect4(out, 1288, 1288, 1288, 1288);
	/* a base of 1 (7 weeks of -1, one of 8): the ratio 10300 is applied as is */
	for (int i = 0; i < 7; i++)
		w[i] = -1;
	w[7] = 8;
	assert_true(forecast_weeks(w, 60, out, &m));
	assert_int_equal(m, FORECAST_SEASONAL);
	expect4(out, 2000 * 10300, 3000 * 10300, 4000 * 10300, 1501 * 10300);
}

static void test_negative_weeks(void **state)
{
	int64_t out[FORECAST_HORIZON], w[60];
	ForecastMethod m;

	(void)state;
	/* last year's week 9 was a week of refunds: its forecast is 0, not negative */
	series60(w);
	w[9] = -400;
	assert_true(forecast_weeks(w, 60, out, &m));
	assert_int_equal(m, FORECAST_SEASONAL);
	expect4(out, 2575, 0, 5150, 1933);
	/* refunds outweigh sales over the last 8 weeks: a negative trend, all 0 */
	series60(w);
	w[59] = -20000;		/* recent = 10300 - 1200 - 20000 = -10900 */
	assert_true(forecast_weeks(w, 60, out, &m));
	assert_int_equal(m, FORECAST_SEASONAL);
	expect4(out, 0, 0, 0, 0);
}

static void test_overflow(void **state)
{
	int64_t out[FORECAST_HORIZON], w[60];
	ForecastMethod m = FORECAST_SEASONAL;

	(void)state;
	/* base 1 and a seasonal week of INT64_MAX scaled by 10300: beyond int64 */
	series60(w);
	for (int i = 0; i < 7; i++)
		w[i] = -1;
	w[7] = 8;
	w[8] = INT64_MAX;
	assert_false(forecast_weeks(w, 60, out, &m));
	assert_int_equal(m, FORECAST_NONE);
	expect4(out, 0, 0, 0, 0);
	/* and beyond 128 bits: INT64_MAX times recent ~ 8 * INT64_MAX */
	for (int i = 52; i < 60; i++)
		w[i] = INT64_MAX;
	assert_false(forecast_weeks(w, 60, out, NULL));
	/* the mean of eight INT64_MAX weeks is INT64_MAX itself: it fits */
	assert_true(forecast_weeks(w + 52, 8, out, &m));
	assert_int_equal(m, FORECAST_MEAN);
	assert_int_equal(out[0], INT64_MAX);
	/* eight INT64_MIN weeks: a negative mean, 0 */
	for (int i = 0; i < 8; i++)
		w[i] = INT64_MIN;
	assert_true(forecast_weeks(w, 8, out, NULL));
	assert_int_equal(out[0], 0);
}

static void test_backtest(void **state)
{
	int64_t w60[60], w64[64], bp = -1;
	ForecastBacktest b;

	(void)state;
	series60(w60);
	series64(w64);
	forecast_backtest_init(&b);
	assert_false(forecast_wape_bp(&b, &bp));
	assert_false(forecast_mape_bp(&b, &bp));

	assert_true(forecast_backtest_add(&b, w60, 60));
	assert_int_equal(b.series, 1);
	assert_int_equal(b.weeks, 4);
	assert_int_equal(b.abs_error, 2400);
	assert_int_equal(b.abs_actual, 5700);
	assert_true(forecast_wape_bp(&b, &bp));
	assert_int_equal(bp, 4211);
	assert_true(forecast_mape_bp(&b, &bp));
	assert_int_equal(bp, 4144);

	forecast_backtest_init(&b);
	assert_true(forecast_backtest_add(&b, w64, 64));
	assert_true(forecast_wape_bp(&b, &bp));
	assert_int_equal(bp, 114);
	assert_true(forecast_mape_bp(&b, &bp));
	assert_int_equal(bp, 149);

	/* pooled: (2400 + 155) / (5700 + 13550) = 1327.3 -> 1327;
	 * (16576 + 597) / 8 = 2146.6 -> 2147 */
	assert_true(forecast_backtest_add(&b, w60, 60));
	assert_int_equal(b.series, 2);
	assert_true(forecast_wape_bp(&b, &bp));
	assert_int_equal(bp, 1327);
	assert_true(forecast_mape_bp(&b, &bp));
	assert_int_equal(bp, 2147);
}

static void test_backtest_edges(void **state)
{
	int64_t bp = -1, big[8];
	ForecastBacktest b;

	(void)state;
	forecast_backtest_init(&b);
	/* four weeks or fewer: nothing to test on */
	assert_true(forecast_backtest_add(&b, (const int64_t[]){ 1, 2, 3, 4 }, 4));
	assert_true(forecast_backtest_add(&b, NULL, 0));
	assert_int_equal(b.series, 0);
	assert_false(forecast_backtest_add(&b, NULL, 5));
	/* the four tested weeks sold nothing: errors of 100 each, no WAPE or MAPE */
	assert_true(forecast_backtest_add(&b, (const int64_t[]){ 100, 100, 0, 0, 0, 0 }, 6));
	assert_int_equal(b.abs_error, 400);
	assert_false(forecast_wape_bp(&b, &bp));
	assert_false(forecast_mape_bp(&b, &bp));
	/* a refund week among them: |actual| counts; zero weeks stay out of the MAPE.
	 * history {100}: forecast 100 against 0, -100, 50, 0: errors 100 200 50 100 */
	assert_true(forecast_backtest_add(&b, (const int64_t[]){ 100, 0, -100, 50, 0 }, 5));
	assert_int_equal(b.abs_error, 400 + 450);
	assert_int_equal(b.abs_actual, 150);
	assert_int_equal(b.ape_weeks, 2);
	assert_true(forecast_wape_bp(&b, &bp));
	assert_int_equal(bp, 56667);		/* 850 / 150 = 5.6667 */
	assert_true(forecast_mape_bp(&b, &bp));
	assert_int_equal(bp, 15000);		/* (20000 + 10000) / 2 */
	/* sums beyond int64 are refused and leave the pool as it was */
	for (int i = 0; i < 8; i++)
		big[i] = INT64_MAX;
	assert_false(forecast_backtest_add(&b, big, 8));
	assert_int_equal(b.abs_actual, 150);
	assert_int_equal(b.series, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_history),
		cmocka_unit_test(test_mean),
		cmocka_unit_test(test_seasonal),
		cmocka_unit_test(test_zero_and_negative_base),
		cmocka_unit_test(test_negative_weeks),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_backtest),
		cmocka_unit_test(test_backtest_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
