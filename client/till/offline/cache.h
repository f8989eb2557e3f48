/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache: the till's copy of the product catalogue and the exchange rates,
 * so that scanning and pricing work while the server is unreachable. Kept
 * in the state directory as two sealed files (statefile.h: written
 * atomically, checksummed): "catalog" (a packed CatalogPage: every cached
 * product and the last catalogue change number seen) and "rates" (a
 * packed RateTable). A damaged or unreadable file means an empty cache and
 * a warning, never a crash: the next sync fills it again.
 *
 * Brought up to date by version (cache_sync(), over a TillSession):
 * CatalogSync pages after the last seq cached until none is left (an
 * inactive product leaves the cache), then RatesGet when the page says the
 * rate version moved. Products looked up online are put in as well
 * (cache_put()); they do not move the seq.
 */
#ifndef KASSA_TILL_CACHE_H
#define KASSA_TILL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kassa.pb-c.h"
#include "statefile.h"

#define CACHE_CATALOG_FILE "catalog"	/* in the state directory */
#define CACHE_RATES_FILE "rates"
#define CACHE_MAX_PRODUCTS 200000	/* products kept at most */
#define CACHE_SYNC_PAGE 500		/* CatalogSync.limit */
#define CACHE_SYNC_MAX_PAGES 1000	/* pages per sync at most (a bound, not a limit) */

typedef struct TillCache {
	char dir[STATE_PATH_MAX];	/* the state directory */
	Kassa__V1__Product **products;	/* owned: products[0..n), each unpacked alone */
	size_t n, cap;
	int64_t last_seq;		/* catalogue changes up to this one are in */
	Kassa__V1__RateTable *rates;	/* owned; NULL = none cached */
	bool dirty;			/* changed since the last cache_save() */
} TillCache;

/*
 * Read the cache of state directory dir. Never fails: a missing file is an
 * empty cache, a damaged one an empty cache and a warning on stderr.
 */
TillCache *cache_open(const char *dir);
void cache_close(TillCache *c);

/* The active product whose SKU or barcode is code (borrowed), or NULL. */
const Kassa__V1__Product *cache_find(const TillCache *c, const char *code);

/*
 * Put a copy of p in the cache, replacing the one with its product_id
 * (a product looked up online; its active flag is not looked at). Returns
 * the cached copy (borrowed), NULL when the cache is full.
 */
const Kassa__V1__Product *cache_put(TillCache *c, const Kassa__V1__Product *p);

/* Keep a copy of rates as the cached rate table. */
void cache_set_rates(TillCache *c, const Kassa__V1__RateTable *rates);

/*
 * Apply one CatalogPage: every product (an inactive one, withdrawn, leaves
 * the cache), then last_seq. Returns the count applied.
 */
int cache_apply_page(TillCache *c, const Kassa__V1__CatalogPage *page);

/* Write the cache if it changed (atomically). False with err filled. */
MUSTCHECK bool cache_save(TillCache *c, char *err, size_t errlen);

struct TillSession;

/*
 * Bring c up to date over ts (CatalogSync pages, then RatesGet when the
 * version moved) and save it. *products counts entries updated. False when
 * the server could not be reached or refused (err says why; what arrived
 * is kept).
 */
MUSTCHECK bool cache_sync(TillCache *c, struct TillSession *ts, int *products, char *err,
			  size_t errlen);

#endif
