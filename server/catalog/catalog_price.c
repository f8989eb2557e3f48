/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_price.c: the price-list rule (see catalog_price.h) and the
 * parser of the candidates as the catalogue statement reads them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_price.h"

int32_t catalog_price_day(int y, int m, int d)
{
	return (int32_t)(y * 10000 + m * 100 + d);
}

/* Does a beat b (both valid)? Higher priority, then newer list. */
static bool beats(const CatalogPriceCand *a, const CatalogPriceCand *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	return a->list_id > b->list_id;
}

int64_t catalog_price_choose(const CatalogPriceCand *cands, size_t n, int64_t store_id,
			     int32_t day, int64_t base, int64_t *list_id)
{
	const CatalogPriceCand *best = NULL;

	for (size_t i = 0; i < n; i++) {
		const CatalogPriceCand *c = &cands[i];

		if (c->store_id != store_id || c->from > day || (c->to != 0 && c->to < day))
			continue;
		if (best == NULL || beats(c, best))
			best = c;
	}
	if (list_id)
		*list_id = best ? best->list_id : 0;
	return best ? best->price_minor : base;
}

/* One decimal integer field of s ending at sep; false if none. */
static bool field(const char **s, char sep, int64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoll(*s, &end, 10);
	if (end == *s || errno != 0 || *end != sep)
		return false;
	*s = sep ? end + 1 : end;
	return true;
}

bool catalog_price_parse(const char *text, CatalogPriceCand **out, size_t *n)
{
	size_t cap = 1;
	const char *s = text;

	*out = NULL;
	*n = 0;
	if (text == NULL || text[0] == '\0')
		return true;
	for (const char *p = text; *p; p++)
		cap += *p == ';';
	CatalogPriceCand *a = calloc(cap, sizeof(*a));

	if (a == NULL)
		return false;
	for (size_t i = 0; i < cap; i++) {
		int64_t f[6];
		bool ok = true;

		for (int k = 0; k < 6 && ok; k++)
			ok = field(&s, k < 5 ? ',' : (i + 1 < cap ? ';' : '\0'), &f[k]);
		if (!ok || f[1] > INT32_MAX || f[2] > INT32_MAX || f[3] > INT32_MAX ||
		    f[3] < INT32_MIN) {
			free(a);
			return false;
		}
		a[i] = (CatalogPriceCand){ f[0], (int32_t)f[1], (int32_t)f[2], (int32_t)f[3],
					   f[4], f[5] };
	}
	*out = a;
	*n = cap;
	return true;
}
