/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stats: latency and error bookkeeping for kassa-bench (see stats.h).
 */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void stats_init(Stats *s)
{
	memset(s, 0, sizeof(*s));
}

void stats_free(Stats *s)
{
	free(s->lat_us);
	stats_init(s);
}

void stats_add_latency(Stats *s, int64_t us)
{
	if (s->n_lat == s->cap_lat) {
		s->cap_lat = s->cap_lat ? s->cap_lat * 2 : 4096;
		s->lat_us = xrealloc(s->lat_us, s->cap_lat * sizeof(*s->lat_us));
	}
	s->lat_us[s->n_lat++] = us;
}

static void add_error_n(Stats *s, const char *name, uint64_t n)
{
	size_t i;

	for (i = 0; i < s->n_errors; i++) {
		if (strcmp(s->errors[i].name, name) == 0) {
			s->errors[i].count += n;
			return;
		}
	}
	if (s->n_errors == STATS_MAX_KINDS) {
		/* the last slot collects whatever does not fit */
		i = STATS_MAX_KINDS - 1;
		snprintf(s->errors[i].name, sizeof(s->errors[i].name), "OTHER");
		s->errors[i].count += n;
		return;
	}
	snprintf(s->errors[s->n_errors].name, STATS_NAME_LEN, "%s", name);
	s->errors[s->n_errors++].count = n;
}

void stats_add_error(Stats *s, const char *name)
{
	add_error_n(s, name, 1);
}

void stats_merge(Stats *into, const Stats *from)
{
	size_t i;

	for (i = 0; i < from->n_lat; i++)
		stats_add_latency(into, from->lat_us[i]);
	into->ok += from->ok;
	into->failed += from->failed;
	for (i = 0; i < from->n_errors; i++)
		add_error_n(into, from->errors[i].name, from->errors[i].count);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void stats_finish(Stats *s)
{
	if (s->n_lat > 1)
		qsort(s->lat_us, s->n_lat, sizeof(*s->lat_us), cmp_i64);
}

int64_t stats_percentile(const Stats *s, double p)
{
	double rank;
	size_t idx;

	if (s->n_lat == 0)
		return 0;
	/* nearest rank: the smallest value with at least p% of the values at or below it */
	rank = ceil(p / 100.0 * (double)s->n_lat);
	idx = rank < 1.0 ? 0 : (size_t)rank - 1;
	if (idx >= s->n_lat)
		idx = s->n_lat - 1;
	return s->lat_us[idx];
}

double stats_mean(const Stats *s)
{
	double sum = 0;
	size_t i;

	if (s->n_lat == 0)
		return 0;
	for (i = 0; i < s->n_lat; i++)
		sum += (double)s->lat_us[i];
	return sum / (double)s->n_lat;
}
