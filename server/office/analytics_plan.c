/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analytics_plan.c: day numbers, batches of buckets and days, and batch
 * sizes for the analytics job (see analytics_plan.h). Pure arithmetic.
 */
#include "analytics_plan.h"

#include <stdio.h>

#include "date.h"

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil: years counted from March, so the leap
 * day is the last of its year).
 */
static int32_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

bool analytics_day_parse(const char *s, int32_t *day)
{
	int y, m, d;

	if (!date_parse(s, &y, &m, &d))
		return false;
	*day = days_from_civil(y, m, d);
	return true;
}

void analytics_day_format(int32_t day, char out[ANALYTICS_DAY_LEN])
{
	int z = day + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp < 10 ? mp + 3 : mp - 9;
	int y = yoe + era * 400 + (m <= 2);

	/* years are 1900-9999 (analytics_day_parse), so four digits each part fits */
	snprintf(out, ANALYTICS_DAY_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}

/* Move c to the next range wanted (chain or not) that has a day left; false at the end. */
static bool cursor_settle(const AnalyticsRange *r, size_t n, AnalyticsCursor *c, bool chain)
{
	for (; c->range < n; c->range++, c->started = false) {
		const AnalyticsRange *x = &r[c->range];

		if ((x->store_id == 0) != chain || x->from > x->to)
			continue;
		if (!c->started) {
			c->day = x->from;
			c->started = true;
		}
		if (c->day <= x->to)
			return true;
	}
	return false;
}

size_t analytics_plan_buckets(const AnalyticsRange *r, size_t n, AnalyticsCursor *c, size_t max,
			      int64_t *stores, int32_t *days)
{
	size_t k = 0;

	while (k < max && cursor_settle(r, n, c, false)) {
		stores[k] = r[c->range].store_id;
		days[k++] = c->day++;
	}
	return k;
}

bool analytics_plan_chain(const AnalyticsRange *r, size_t n, AnalyticsCursor *c, int32_t max_days,
			  int32_t *from, int32_t *to)
{
	int32_t left;

	if (max_days < 1 || !cursor_settle(r, n, c, true))
		return false;
	left = r[c->range].to - c->day + 1;
	*from = c->day;
	*to = c->day + (left < max_days ? left : max_days) - 1;
	c->day = *to + 1;
	return true;
}

int analytics_batch_next(int n, int64_t elapsed_ms, int64_t target_ms, int lo, int hi)
{
	if (elapsed_ms * 4 < target_ms && n <= hi / 2)
		n *= 2;
	else if (elapsed_ms * 4 < target_ms)
		n = hi;
	else if (elapsed_ms > target_ms)
		n /= 2;
	return n < lo ? lo : n > hi ? hi : n;
}

/*
 * Renewed at r (sent; it runs by r + 2T + g at the latest), the next
 * renewal is sent by r + T/2 + 2T + g (the statement sent just before it
 * was due, at its worst) and runs by r + 4.5T + 2g: within 5(T + g).
 */
int analytics_lease_seconds(int query_timeout_ms, int grace_ms)
{
	int64_t ms = (int64_t)ANALYTICS_LEASE_DEADLINES * (query_timeout_ms + grace_ms);

	return (int)((ms + 999) / 1000);
}

bool analytics_lease_due(int64_t renewed_us, int64_t now_us, int query_timeout_ms)
{
	return now_us - renewed_us >= (int64_t)query_timeout_ms * 500;
}
