/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog.c: a chained hash table from code (SKU or barcode) to a
 * reference-counted CatalogItem. Each item is reachable under its SKU and,
 * if it has one, its barcode (unless that code is another cached
 * product's SKU: a SKU wins over a barcode, as in the database's
 * look-ups); it is freed when its entries are gone.
 * The table doubles when it gets fuller than two entries per bucket.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "store_day.h"
#include "util.h"

typedef struct Entry {
	char *code;		/* owned key */
	CatalogItem *item;	/* shared; refs counted in Holder */
	struct Entry *next;
} Entry;

typedef struct Holder {
	CatalogItem item;	/* must be first: Entry.item points here */
	int refs;
} Holder;

static Entry **buckets;
static size_t nbuckets;
static size_t nentries;
static int nitems;

static uint64_t hash_code(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void item_unref(CatalogItem *it)
{
	Holder *h = (Holder *)it;

	if (--h->refs > 0)
		return;
	free(it->sku);
	free(it->barcode);
	free(it->name);
	free(it->category);
	free(it->cands);
	free(h);
	nitems--;
}

static void grow(void)
{
	size_t nb = nbuckets ? nbuckets * 2 : 1024;
	Entry **nbk = xcalloc(nb, sizeof(*nbk));

	for (size_t i = 0; i < nbuckets; i++) {
		Entry *e = buckets[i];

		while (e) {
			Entry *next = e->next;
			size_t b = hash_code(e->code) & (nb - 1);

			e->next = nbk[b];
			nbk[b] = e;
			e = next;
		}
	}
	free(buckets);
	buckets = nbk;
	nbuckets = nb;
}

static Entry **slot(const char *code)
{
	Entry **pp;

	if (nbuckets == 0)
		grow();
	pp = &buckets[hash_code(code) & (nbuckets - 1)];
	while (*pp && strcmp((*pp)->code, code) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* Drop code's entry if it names it (any item when it is NULL). */
static void remove_code(const char *code, const CatalogItem *it)
{
	Entry **pp = slot(code);
	Entry *e = *pp;

	if (e == NULL || (it != NULL && e->item != it))
		return;
	*pp = e->next;
	item_unref(e->item);
	free(e->code);
	free(e);
	nentries--;
}

const CatalogItem *catalog_get(const char *code)
{
	Entry *e;

	if (nbuckets == 0)
		return NULL;
	e = *slot(code);
	return e ? e->item : NULL;
}

void catalog_forget(const char *code)
{
	const CatalogItem *it = catalog_get(code);

	if (it == NULL)
		return;
	/* copy the keys: removing the last entry frees the item */
	char *sku = xstrdup(it->sku), *bar = xstrdup(it->barcode);

	remove_code(sku, it);
	if (bar[0])
		remove_code(bar, it);	/* unless the code is another item's SKU */
	free(sku);
	free(bar);
}

static void add_code(const char *code, CatalogItem *it)
{
	Entry *e;

	if (nentries + 1 > nbuckets * 2)
		grow();
	e = xcalloc(1, sizeof(*e));
	e->code = xstrdup(code);
	e->item = it;
	((Holder *)it)->refs++;
	Entry **pp = &buckets[hash_code(code) & (nbuckets - 1)];
	e->next = *pp;
	*pp = e;
	nentries++;
}

/*
 * Is code the SKU of another cached product? A SKU wins over a barcode, as
 * in the database's look-ups (product.c), whichever row came first.
 */
static bool is_other_sku(const char *code, int64_t product_id)
{
	const CatalogItem *other = catalog_get(code);

	return other != NULL && other->product_id != product_id && strcmp(other->sku, code) == 0;
}

void catalog_put_row(const PGresult *res, int row)
{
	Holder *h = xcalloc(1, sizeof(*h));
	CatalogItem *it = &h->item;

	it->product_id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
	it->sku = xstrdup(PQgetvalue(res, row, 1));
	it->barcode = xstrdup(PQgetvalue(res, row, 2));
	it->name = xstrdup(PQgetvalue(res, row, 3));
	it->category = xstrdup(PQgetvalue(res, row, 4));
	it->price_minor = strtoll(PQgetvalue(res, row, 5), NULL, 10);
	if (!safe_strcpy(it->currency, sizeof(it->currency), PQgetvalue(res, row, 6)))
		it->currency[0] = '\0';
	/* a result of fewer columns (tests) or a bad text: no price list */
	if (PQnfields(res) < CATALOG_NCOLUMNS ||
	    !catalog_price_parse(PQgetvalue(res, row, 7), &it->cands, &it->n_cands))
		it->n_cands = 0;
	nitems++;
	catalog_forget(it->sku);
	if (it->barcode[0] && !is_other_sku(it->barcode, it->product_id))
		catalog_forget(it->barcode);
	h->refs = 1;			/* ours while we add */
	add_code(it->sku, it);
	if (it->barcode[0] && catalog_get(it->barcode) == NULL)
		add_code(it->barcode, it);
	item_unref(it);
}

int64_t catalog_item_price(const CatalogItem *it, int64_t store_id, int32_t day)
{
	return catalog_price_choose(it->cands, it->n_cands, store_id, day, it->price_minor, NULL);
}

int64_t catalog_item_price_today(const CatalogItem *it, int64_t store_id)
{
	/* the store's business day (stores.timezone), read before by the handler */
	StoreDate d = store_day_of(store_id, (int64_t)time(NULL));

	return catalog_item_price(it, store_id, catalog_price_day(d.year, d.month, d.day));
}

int catalog_size(void)
{
	return nitems;
}

void catalog_clear(void)
{
	for (size_t i = 0; i < nbuckets; i++) {
		while (buckets[i]) {
			Entry *e = buckets[i];

			buckets[i] = e->next;
			item_unref(e->item);
			free(e->code);
			free(e);
		}
	}
	free(buckets);
	buckets = NULL;
	nbuckets = nentries = 0;
}
