/* SPDX-License-Identifier: Apache-2.0 */
/*
 * forecast.c: the seasonal naive forecast with trend and its back-test
 * (forecast.h states the method). Pure integer arithmetic: sums and
 * products in 128 bits, each result rounded once, half away from zero,
 * and checked to fit in int64 before it is handed back.
 */
#include "forecast.h"

#include <stddef.h>
#include <string.h>

typedef __int128 Wide;

#define WIDE_INT64_MAX ((Wide)INT64_MAX)
#define WIDE_INT64_MIN ((Wide)INT64_MIN)

/* num / den rounded half away from zero; den > 0. */
static Wide div_round(Wide num, Wide den)
{
	Wide q = num / den, r = num % den;	/* C truncates toward zero */

	if (r < 0)
		r = -r;
	if (2 * r >= den)
		q += num < 0 ? -1 : 1;
	return q;
}

static Wide sum_range(const int64_t *w, int from, int to)
{
	Wide s = 0;

	for (int i = from; i < to; i++)
		s += w[i];			/* at most 64 weeks: cannot overflow 128 bits */
	return s;
}

static bool fits(Wide v)
{
	return v >= WIDE_INT64_MIN && v <= WIDE_INT64_MAX;
}

static Wide wabs(Wide v)
{
	return v < 0 ? -v : v;
}

/* The trend's two sums; false when the history is too short for them. */
static bool trend_sums(const int64_t *w, int n, Wide *recent, Wide *prior)
{
	if (n < FORECAST_MIN_SEASONAL)
		return false;
	*recent = sum_range(w, n - FORECAST_WINDOW, n);
	*prior = sum_range(w, n - FORECAST_MIN_SEASONAL, n - FORECAST_SEASON);
	return true;
}

ForecastMethod forecast_method(const int64_t *weeks, int n)
{
	Wide recent, prior;

	if (weeks == NULL || n <= 0)
		return FORECAST_NONE;
	if (trend_sums(weeks, n, &recent, &prior) && prior > 0)
		return FORECAST_SEASONAL;
	return FORECAST_MEAN;
}

const char *forecast_method_name(ForecastMethod m)
{
	switch (m) {
	case FORECAST_SEASONAL:
		return "seasonal";
	case FORECAST_MEAN:
		return "mean";
	case FORECAST_NONE:
		break;
	}
	return "none";
}

/* weeks[x] * recent / prior, rounded; false if the product leaves 128 bits. */
static bool scale(int64_t base, Wide recent, Wide prior, Wide *out)
{
	Wide prod;

	/* |base| < 2^63 and |recent| < 2^66 (8 weeks): the product may need 129 bits */
	if (__builtin_mul_overflow((Wide)base, recent, &prod))
		return false;
	*out = div_round(prod, prior);
	return true;
}

bool forecast_weeks(const int64_t *weeks, int n, int64_t out[FORECAST_HORIZON],
		    ForecastMethod *method)
{
	ForecastMethod m;
	Wide recent = 0, prior = 0, f[FORECAST_HORIZON];
	int k;

	memset(out, 0, sizeof(int64_t) * FORECAST_HORIZON);
	if (method != NULL)
		*method = FORECAST_NONE;
	if (n < 0 || (weeks == NULL && n > 0))
		return false;
	m = forecast_method(weeks, n);
	switch (m) {
	case FORECAST_NONE:
		return true;
	case FORECAST_SEASONAL:
		(void)trend_sums(weeks, n, &recent, &prior);
		for (int h = 0; h < FORECAST_HORIZON; h++)
			if (!scale(weeks[n + h - FORECAST_SEASON], recent, prior, &f[h]))
				return false;
		break;
	case FORECAST_MEAN:
		k = n < FORECAST_WINDOW ? n : FORECAST_WINDOW;
		f[0] = div_round(sum_range(weeks, n - k, n), k);
		for (int h = 1; h < FORECAST_HORIZON; h++)
			f[h] = f[0];
		break;
	}
	for (int h = 0; h < FORECAST_HORIZON; h++)
		if (!fits(f[h]))
			return false;
	for (int h = 0; h < FORECAST_HORIZON; h++)
		out[h] = f[h] < 0 ? 0 : (int64_t)f[h];	/* no week sells less than nothing */
	if (method != NULL)
		*method = m;
	return true;
}

void forecast_backtest_init(ForecastBacktest *b)
{
	memset(b, 0, sizeof(*b));
}

bool forecast_backtest_add(ForecastBacktest *b, const int64_t *weeks, int n)
{
	int64_t f[FORECAST_HORIZON];
	Wide err = b->abs_error, act = b->abs_actual, ape = b->ape_bp;
	int32_t ape_weeks = b->ape_weeks;

	if (n < 0 || (weeks == NULL && n > 0))
		return false;
	if (n <= FORECAST_HORIZON)
		return true;			/* nothing left to forecast from */
	if (!forecast_weeks(weeks, n - FORECAST_HORIZON, f, NULL))
		return false;
	for (int h = 0; h < FORECAST_HORIZON; h++) {
		Wide a = weeks[n - FORECAST_HORIZON + h], e = wabs(a - f[h]);

		err += e;
		act += wabs(a);
		if (a != 0) {
			ape += div_round(e * 10000, wabs(a));	/* < 2^79: fits */
			ape_weeks++;
		}
	}
	if (!fits(err) || !fits(act) || !fits(ape) || b->weeks > INT32_MAX - FORECAST_HORIZON)
		return false;
	b->abs_error = (int64_t)err;
	b->abs_actual = (int64_t)act;
	b->ape_bp = (int64_t)ape;
	b->ape_weeks = ape_weeks;
	b->weeks += FORECAST_HORIZON;
	b->series++;
	return true;
}

bool forecast_wape_bp(const ForecastBacktest *b, int64_t *bp)
{
	Wide v;

	if (b->abs_actual <= 0)
		return false;
	v = div_round((Wide)b->abs_error * 10000, b->abs_actual);
	if (!fits(v))
		return false;
	*bp = (int64_t)v;
	return true;
}

bool forecast_mape_bp(const ForecastBacktest *b, int64_t *bp)
{
	if (b->ape_weeks <= 0)
		return false;
	*bp = (int64_t)div_round(b->ape_bp, b->ape_weeks);	/* a mean of int64 values fits */
	return true;
}
