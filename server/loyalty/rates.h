/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rates: exchange-rate versions as kassad holds them. A version never
 * changes once written (migrations/functions/rates.sql), so the last few
 * versions a checkout converted with stay in memory (RATES_CACHE of them)
 * and are read from the database only the first time. The current version
 * is always the database's: the online-sale check (RATE_STALE) is made by
 * kassa_checkout(), under its transaction.
 */
#ifndef KASSA_RATES_H
#define KASSA_RATES_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"

#define RATES_MAX 64		/* currencies in one version */
#define RATES_CACHE 8		/* versions kept in memory */

typedef struct RateEntry {
	char currency[4];		/* ISO 4217 */
	int64_t rate_micro;		/* store units per unit of currency, x 1e6 */
} RateEntry;

typedef struct RateVersion {
	int32_t version;		/* 0: an empty cache slot */
	char created_at[40];
	int n;
	RateEntry rates[RATES_MAX];
} RateVersion;

void rates_setup(void);

/* The cached version, or NULL if kassad has not read it. Borrowed until the next rates_load. */
const RateVersion *rates_cached(int32_t version);

/* The rate of currency in v, or 0 when v has none. */
int64_t rates_find(const RateVersion *v, const char *currency);

/*
 * Read version into the cache, then call done(c) (also when there is no
 * such version: rates_cached() then still gives NULL). On a database
 * error c is answered and done is not called; nor when c's session is
 * gone (c is freed).
 */
void rates_load(Call *c, int32_t version, void (*done)(Call *c));

void handle_rates_get(Call *c);
void handle_rates_set(Call *c);

#endif
