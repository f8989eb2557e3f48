/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache: the catalogue and exchange-rate cache of the till (see cache.h).
 * Every product is held as its own unpacked copy (packed and unpacked
 * again, so it owns all its strings); look-ups are a linear scan, which at
 * CACHE_MAX_PRODUCTS is well under a millisecond per scan.
 */
#include "cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "till.h"

static const char catalog_magic[4] = { 'K', 'C', 'C', '1' };
static const char rates_magic[4] = { 'K', 'C', 'R', '1' };

/* A deep copy of p through its wire form. */
static Kassa__V1__Product *product_copy(const Kassa__V1__Product *p)
{
	size_t len = kassa__v1__product__get_packed_size(p);
	uint8_t *buf = xmalloc(len ? len : 1);
	Kassa__V1__Product *copy;

	(void)kassa__v1__product__pack(p, buf);
	copy = kassa__v1__product__unpack(NULL, len, buf);
	free(buf);
	return copy;
}

static ssize_t find_id(const TillCache *c, int64_t product_id)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->products[i]->product_id == product_id)
			return (ssize_t)i;
	return -1;
}

static void remove_at(TillCache *c, size_t i)
{
	kassa__v1__product__free_unpacked(c->products[i], NULL);
	c->products[i] = c->products[--c->n];
	c->dirty = true;
}

const Kassa__V1__Product *cache_put(TillCache *c, const Kassa__V1__Product *p)
{
	Kassa__V1__Product *copy;
	ssize_t i = find_id(c, p->product_id);

	if (i < 0 && c->n >= CACHE_MAX_PRODUCTS)
		return NULL;
	copy = product_copy(p);
	if (copy == NULL)
		return NULL;
	if (i >= 0) {
		kassa__v1__product__free_unpacked(c->products[i], NULL);
		c->products[i] = copy;
	} else {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 256;
			c->products = xrealloc(c->products, c->cap * sizeof(*c->products));
		}
		c->products[c->n++] = copy;
	}
	c->dirty = true;
	return copy;
}

const Kassa__V1__Product *cache_find(const TillCache *c, const char *code)
{
	size_t i;

	if (code == NULL || *code == '\0')
		return NULL;
	for (i = 0; i < c->n; i++) {
		const Kassa__V1__Product *p = c->products[i];

		if ((p->sku != NULL && strcmp(p->sku, code) == 0) ||
		    (p->barcode != NULL && strcmp(p->barcode, code) == 0))
			return p;
	}
	return NULL;
}

void cache_set_rates(TillCache *c, const Kassa__V1__RateTable *rates)
{
	size_t len = kassa__v1__rate_table__get_packed_size(rates);
	uint8_t *buf = xmalloc(len ? len : 1);
	Kassa__V1__RateTable *copy;

	(void)kassa__v1__rate_table__pack(rates, buf);
	copy = kassa__v1__rate_table__unpack(NULL, len, buf);
	free(buf);
	if (copy == NULL)
		return;
	kassa__v1__rate_table__free_unpacked(c->rates, NULL);
	c->rates = copy;
	c->dirty = true;
}

int cache_apply_page(TillCache *c, const Kassa__V1__CatalogPage *page)
{
	int applied = 0;
	size_t i;

	for (i = 0; i < page->n_products; i++) {
		const Kassa__V1__Product *p = page->products[i];
		ssize_t at = find_id(c, p->product_id);

		if (!p->active) {
			if (at >= 0)
				remove_at(c, (size_t)at);
			applied++;
		} else if (cache_put(c, p) != NULL) {
			applied++;
		}
	}
	if (page->last_seq > c->last_seq) {
		c->last_seq = page->last_seq;
		c->dirty = true;
	}
	return applied;
}

/* Read the catalogue file into c (a damaged one leaves c empty). */
static void load_catalog(TillCache *c)
{
	Kassa__V1__CatalogPage *page;
	uint8_t *buf;
	size_t len;
	char err[STATE_PATH_MAX + 64];
	StateRead r = state_read_sealed(c->dir, CACHE_CATALOG_FILE, catalog_magic, &buf, &len, err,
					sizeof(err));

	if (r == STATE_READ_MISSING)
		return;
	page = r == STATE_READ_OK ? kassa__v1__catalog_page__unpack(NULL, len, buf) : NULL;
	free(buf);
	if (page == NULL) {
		fprintf(stderr, _("kassa-till: warning: the catalogue cache could not be read, "
				  "starting with an empty one (%s)\n"),
			r == STATE_READ_OK ? _("undecodable") : err);
		return;
	}
	(void)cache_apply_page(c, page);
	c->last_seq = page->last_seq;
	kassa__v1__catalog_page__free_unpacked(page, NULL);
	c->dirty = false;
}

static void load_rates(TillCache *c)
{
	uint8_t *buf;
	size_t len;
	char err[STATE_PATH_MAX + 64];
	StateRead r = state_read_sealed(c->dir, CACHE_RATES_FILE, rates_magic, &buf, &len, err,
					sizeof(err));

	if (r == STATE_READ_MISSING)
		return;
	c->rates = r == STATE_READ_OK ? kassa__v1__rate_table__unpack(NULL, len, buf) : NULL;
	free(buf);
	if (c->rates == NULL)
		fprintf(stderr, _("kassa-till: warning: the exchange-rate cache could not be read, "
				  "starting without rates (%s)\n"),
			r == STATE_READ_OK ? _("undecodable") : err);
}

TillCache *cache_open(const char *dir)
{
	TillCache *c = xcalloc(1, sizeof(*c));

	if (!safe_strcpy(c->dir, sizeof(c->dir), dir))
		return c;	/* session.c refuses such a directory before */
	load_catalog(c);
	load_rates(c);
	return c;
}

void cache_close(TillCache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		kassa__v1__product__free_unpacked(c->products[i], NULL);
	free(c->products);
	kassa__v1__rate_table__free_unpacked(c->rates, NULL);
	free(c);
}

bool cache_save(TillCache *c, char *err, size_t errlen)
{
	Kassa__V1__CatalogPage page = KASSA__V1__CATALOG_PAGE__INIT;
	uint8_t *buf;
	size_t len;
	bool ok;

	if (!c->dirty)
		return true;
	page.products = c->products;
	page.n_products = c->n;
	page.last_seq = c->last_seq;
	page.rate_version = c->rates != NULL ? c->rates->version : 0;
	len = kassa__v1__catalog_page__get_packed_size(&page);
	buf = xmalloc(len ? len : 1);
	(void)kassa__v1__catalog_page__pack(&page, buf);
	ok = state_write_sealed(c->dir, CACHE_CATALOG_FILE, catalog_magic, buf, len, err, errlen);
	free(buf);
	if (ok && c->rates != NULL) {
		len = kassa__v1__rate_table__get_packed_size(c->rates);
		buf = xmalloc(len ? len : 1);
		(void)kassa__v1__rate_table__pack(c->rates, buf);
		ok = state_write_sealed(c->dir, CACHE_RATES_FILE, rates_magic, buf, len, err,
					errlen);
		free(buf);
	}
	if (ok)
		c->dirty = false;
	return ok;
}

/* One request over ts; true with *resp OK and carrying body want. */
static bool sync_call(TillSession *ts, Kassa__V1__Request *req, Kassa__V1__Response **resp,
		      Kassa__V1__Response__BodyCase want, char *err, size_t errlen)
{
	KcResult r = till_call(ts, req, resp);

	if (r != KC_OK) {
		snprintf(err, errlen, "%s", kc_result_name(r));
		return false;
	}
	if (kc_status(*resp) != KASSA__V1__STATUS_CODE__OK || (*resp)->body_case != want) {
		snprintf(err, errlen, "%s %s: %s", kc_status_name(kc_status(*resp)),
			 kc_detail(*resp), kc_message(*resp));
		kc_response_free(*resp);
		*resp = NULL;
		return false;
	}
	return true;
}

/* RatesGet into the cache. */
static bool sync_rates(TillCache *c, TillSession *ts, char *err, size_t errlen)
{
	Kassa__V1__Response *resp = NULL;
	KcReq rq;

	kc_req_rates_get(&rq);
	if (!sync_call(ts, &rq.req, &resp, KASSA__V1__RESPONSE__BODY_RATE_TABLE, err, errlen))
		return false;
	cache_set_rates(c, resp->rate_table);
	kc_response_free(resp);
	return true;
}

bool cache_sync(TillCache *c, TillSession *ts, int *products, char *err, size_t errlen)
{
	int32_t rate_version = -1;
	bool more = true, ok = true;
	int pages;

	*products = 0;
	for (pages = 0; more && pages < CACHE_SYNC_MAX_PAGES; pages++) {
		Kassa__V1__Response *resp = NULL;
		KcReq rq;

		kc_req_catalog_sync(&rq, c->last_seq, CACHE_SYNC_PAGE);
		if (!sync_call(ts, &rq.req, &resp, KASSA__V1__RESPONSE__BODY_CATALOG_PAGE, err,
			       errlen)) {
			ok = false;
			break;
		}
		*products += cache_apply_page(c, resp->catalog_page);
		/* a page that does not move the seq would loop for ever */
		more = resp->catalog_page->more && resp->catalog_page->n_products > 0;
		rate_version = resp->catalog_page->rate_version;
		kc_response_free(resp);
	}
	if (ok && rate_version > 0 && (c->rates == NULL || c->rates->version != rate_version))
		ok = sync_rates(c, ts, err, errlen);
	if (!cache_save(c, err, errlen))
		ok = false;
	return ok;
}
