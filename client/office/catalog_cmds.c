/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_cmds.c: kassa-office's catalogue commands (store operations,
 * part "catalog"; docs/store/catalog.md), listed in store_ops.c; each
 * prints one JSON object:
 *   product put SKU name=.. price=12.34 [barcode=..] [category=..] [currency=..]
 *               [active=yes|no] [stocked=yes|no]
 *   product list [category=..] [name=PREFIX] [after=SEQ] [limit=N]
 *   category put CODE name=.. [parent=CODE] [active=yes|no]
 *   category list
 *   pricelist put NAME store=ID from=YYYY-MM-DD [to=YYYY-MM-DD] [priority=N]
 *                 SKU=PRICE... | file=CSV (lines SKU,PRICE)
 *   pricelist list [store=ID]
 *   gift put SKU points=N stock=N [active=yes|no]
 *   gift list [all]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kc_json.h"
#include "money.h"
#include "office.h"

int cmd_product_put(KassaClient *kc, const Args *a);
int cmd_product_list(KassaClient *kc, const Args *a);
int cmd_category_put(KassaClient *kc, const Args *a);
int cmd_category_list(KassaClient *kc, const Args *a);
int cmd_pricelist_put(KassaClient *kc, const Args *a);
int cmd_pricelist_list(KassaClient *kc, const Args *a);
int cmd_gift_put(KassaClient *kc, const Args *a);
int cmd_gift_list(KassaClient *kc, const Args *a);

#define PRICELIST_FILE_MAX 5000		/* items, as the server takes */

/* Integer v (NULL: dflt) within [lo, hi]; false if not one. */
static bool int_arg(const char *v, int64_t dflt, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long n;

	if (v == NULL) {
		*out = dflt;
		return true;
	}
	if (*v == '\0')
		return false;
	n = strtoll(v, &end, 10);
	if (*end != '\0' || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

/* yes/no v (NULL: dflt); false if neither. */
static bool yes_arg(const char *v, bool dflt, bool *out)
{
	if (v == NULL)
		*out = dflt;
	else if (strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0)
		*out = false;
	else
		return false;
	return true;
}

static json_t *product_json(const Kassa__V1__Product *p)
{
	json_t *o = kcj_product(p);

	json_object_set_new(o, "seq", json_integer(p->seq));
	json_object_set_new(o, "active", json_boolean(p->active));
	json_object_set_new(o, "stocked", json_boolean(p->stocked));
	return o;
}

int cmd_product_put(KassaClient *kc, const Args *a)
{
	const char *cmd = "product put", *price = arg_get(a, "price");
	Kassa__V1__ProductPut q = KASSA__V1__PRODUCT_PUT__INIT;
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	bool active, stocked;
	char key[KC_KEY_LEN];
	json_t *o;

	q.sku = (char *)arg_word(a, 0);
	q.name = (char *)arg_get(a, "name");
	if (q.sku == NULL || q.name == NULL || price == NULL ||
	    !money_parse(price, &q.price_minor) || q.price_minor < 0 ||
	    !yes_arg(arg_get(a, "active"), true, &active) ||
	    !yes_arg(arg_get(a, "stocked"), true, &stocked))
		return bad_usage(cmd, "product put SKU name=NAME price=12.34 [barcode=CODE]"
				      " [category=NAME] [currency=CNY] [active=yes|no] [stocked=yes|no]");
	q.barcode = (char *)(arg_get(a, "barcode") ? arg_get(a, "barcode") : "");
	q.category = (char *)(arg_get(a, "category") ? arg_get(a, "category") : "");
	q.currency = (char *)(arg_get(a, "currency") ? arg_get(a, "currency") : "");
	q.withdrawn = !active;
	q.not_stocked = !stocked;
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_product_put(kc, &q, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_PRODUCT, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "product", product_json(resp->product));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

int cmd_product_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "product list";
	Kassa__V1__Response *resp = NULL;
	int64_t after, limit;
	int code = OFFICE_EXIT_OK;
	json_t *o, *items;

	if (!int_arg(arg_get(a, "after"), 0, 0, INT64_MAX, &after) ||
	    !int_arg(arg_get(a, "limit"), 0, 1, 1000, &limit))
		return bad_usage(cmd, "product list [category=NAME] [name=PREFIX] [after=SEQ]"
				      " [limit=N]");
	if (!office_result(kc, cmd, kc_product_list(kc, arg_get(a, "category"), arg_get(a, "name"),
						    after, (uint32_t)limit, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_CATALOG_PAGE, &code))
		return code;
	o = kcj_ok(cmd);
	items = json_array();
	for (size_t i = 0; i < resp->catalog_page->n_products; i++)
		json_array_append_new(items, product_json(resp->catalog_page->products[i]));
	json_object_set_new(o, "products", items);
	json_object_set_new(o, "last_seq", json_integer(resp->catalog_page->last_seq));
	json_object_set_new(o, "more", json_boolean(resp->catalog_page->more));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

static json_t *category_json(const Kassa__V1__Category *c)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:b}", "category_id", (json_int_t)c->category_id,
			 "code", c->code, "name", c->name, "parent", c->parent, "active", c->active);
}

int cmd_category_put(KassaClient *kc, const Args *a)
{
	const char *cmd = "category put";
	Kassa__V1__CategoryPut q = KASSA__V1__CATEGORY_PUT__INIT;
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	bool active;
	char key[KC_KEY_LEN];
	json_t *o;

	q.code = (char *)arg_word(a, 0);
	q.name = (char *)arg_get(a, "name");
	if (q.code == NULL || q.name == NULL || !yes_arg(arg_get(a, "active"), true, &active))
		return bad_usage(cmd, "category put CODE name=NAME [parent=CODE] [active=yes|no]");
	q.parent = (char *)(arg_get(a, "parent") ? arg_get(a, "parent") : "");
	q.withdrawn = !active;
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_category_put(kc, &q, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_CATEGORY, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "category", category_json(resp->category));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

int cmd_category_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "category list";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	json_t *o, *items;

	(void)a;
	if (!office_result(kc, cmd, kc_category_list(kc, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_CATEGORY_ROSTER, &code))
		return code;
	o = kcj_ok(cmd);
	items = json_array();
	for (size_t i = 0; i < resp->category_roster->n_categories; i++)
		json_array_append_new(items, category_json(resp->category_roster->categories[i]));
	json_object_set_new(o, "categories", items);
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

/* Is key one of pricelist put's own options (not a SKU)? */
static bool is_pricelist_opt(const char *key)
{
	static const char *const opts[] = { "store", "from", "to", "priority", "file", NULL };

	for (int i = 0; opts[i]; i++)
		if (strcmp(key, opts[i]) == 0)
			return true;
	return false;
}

/* Append item (sku, price) to q; false when the price is not an amount. */
static bool pricelist_add(Kassa__V1__PriceListPut *q, Kassa__V1__CatalogPriceItem *items,
			  char *sku, const char *price)
{
	Kassa__V1__CatalogPriceItem *it = &items[q->n_items];

	kassa__v1__catalog_price_item__init(it);
	it->sku = sku;
	if (!money_parse(price, &it->price_minor) || it->price_minor < 0)
		return false;
	q->items[q->n_items++] = it;
	return true;
}

/*
 * Read file's lines "SKU,PRICE" (a header line "sku,price" and blank lines
 * are skipped) into q; *buf owns the text. False with *line the bad line.
 */
static bool pricelist_read(const char *file, Kassa__V1__PriceListPut *q,
			   Kassa__V1__CatalogPriceItem *items, char **buf, int *line)
{
	FILE *f = fopen(file, "r");
	size_t cap = 0, len = 0;
	char chunk[4096];

	*line = 0;
	*buf = NULL;
	if (f == NULL)
		return false;
	while (fgets(chunk, sizeof(chunk), f) != NULL) {
		size_t n = strlen(chunk);

		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			*buf = realloc(*buf, cap);
		}
		memcpy(*buf + len, chunk, n + 1);
		len += n;
	}
	fclose(f);
	for (char *s = *buf, *next; s != NULL && *s; s = next) {
		char *comma;

		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		(*line)++;
		s[strcspn(s, "\r")] = '\0';
		if (*s == '\0' || (*line == 1 && strncmp(s, "sku,", 4) == 0))
			continue;
		comma = strchr(s, ',');
		if (comma == NULL || q->n_items >= PRICELIST_FILE_MAX)
			return false;
		*comma = '\0';
		if (!pricelist_add(q, items, s, comma + 1))
			return false;
	}
	return true;
}

/* The items of pricelist put: SKU=PRICE arguments or file=CSV; false after printing why. */
static bool pricelist_items(const char *cmd, const Args *a, Kassa__V1__PriceListPut *q,
			    Kassa__V1__CatalogPriceItem *items, char **buf)
{
	const char *file = arg_get(a, "file");
	int line;

	if (file != NULL) {
		if (!pricelist_read(file, q, items, buf, &line)) {
			char msg[512];

			if (line > 0)
				snprintf(msg, sizeof(msg), _("line %d of %s: give SKU,PRICE"), line, file);
			else
				snprintf(msg, sizeof(msg), _("could not read %s"), file);
			kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_FILE", msg));
			return false;
		}
		return true;
	}
	for (int i = 0; i < a->n; i++) {
		if (a->vals[i] == NULL || is_pricelist_opt(a->keys[i]))
			continue;
		if (!pricelist_add(q, items, a->keys[i], a->vals[i])) {
			bad_usage(cmd, "pricelist put NAME store=ID from=YYYY-MM-DD [to=YYYY-MM-DD]"
				       " [priority=N] SKU=PRICE... | file=CSV");
			return false;
		}
	}
	return true;
}

int cmd_pricelist_put(KassaClient *kc, const Args *a)
{
	const char *cmd = "pricelist put", *to = arg_get(a, "to");
	Kassa__V1__PriceListPut q = KASSA__V1__PRICE_LIST_PUT__INIT;
	Kassa__V1__Response *resp = NULL;
	int64_t prio;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN], *buf = NULL;
	json_t *o;

	q.name = (char *)arg_word(a, 0);
	q.valid_from = (char *)arg_get(a, "from");
	if (q.name == NULL || q.valid_from == NULL ||
	    !int_arg(arg_get(a, "store"), 0, 1, INT64_MAX, &q.store_id) || q.store_id == 0 ||
	    !int_arg(arg_get(a, "priority"), 0, -1000000, 1000000, &prio))
		return bad_usage(cmd, "pricelist put NAME store=ID from=YYYY-MM-DD [to=YYYY-MM-DD]"
				      " [priority=N] SKU=PRICE... | file=CSV");
	q.valid_to = (char *)(to ? to : "");
	q.priority = (int32_t)prio;

	Kassa__V1__CatalogPriceItem *items = calloc(PRICELIST_FILE_MAX, sizeof(*items));
	Kassa__V1__CatalogPriceItem **ip = calloc(PRICELIST_FILE_MAX, sizeof(*ip));

	q.items = ip;
	if (items == NULL || ip == NULL || !pricelist_items(cmd, a, &q, items, &buf)) {
		code = items == NULL || ip == NULL ? OFFICE_EXIT_FAILED : OFFICE_EXIT_USAGE;
		goto out;
	}
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_price_list_put(kc, &q, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_PRICE_LIST, &code))
		goto out;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "list_id", json_integer(resp->price_list->list_id));
	json_object_set_new(o, "store_id", json_integer(resp->price_list->store_id));
	json_object_set_new(o, "items", json_integer((json_int_t)resp->price_list->n_items));
	kcj_emit(o);
	kc_response_free(resp);
out:
	free(items);
	free(ip);
	free(buf);
	return code;
}

static json_t *pricelist_json(const Kassa__V1__PriceList *l)
{
	json_t *items = json_array();
	json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s, s:i}", "list_id", (json_int_t)l->list_id,
			      "name", l->name, "store_id", (json_int_t)l->store_id,
			      "valid_from", l->valid_from, "valid_to", l->valid_to,
			      "priority", (int)l->priority);

	for (size_t i = 0; i < l->n_items; i++) {
		json_t *it = json_pack("{s:s, s:I}", "sku", l->items[i]->sku, "product_id",
				       (json_int_t)l->items[i]->product_id);

		kcj_money(it, "price", l->items[i]->price_minor);
		json_array_append_new(items, it);
	}
	json_object_set_new(o, "items", items);
	return o;
}

int cmd_pricelist_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "pricelist list";
	Kassa__V1__Response *resp = NULL;
	int64_t store;
	int code = OFFICE_EXIT_OK;
	json_t *o, *lists;

	if (!int_arg(arg_get(a, "store"), 0, 0, INT64_MAX, &store))
		return bad_usage(cmd, "pricelist list [store=ID]");
	if (!office_result(kc, cmd, kc_price_list_query(kc, store, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_PRICE_LIST_ROSTER, &code))
		return code;
	o = kcj_ok(cmd);
	lists = json_array();
	for (size_t i = 0; i < resp->price_list_roster->n_lists; i++)
		json_array_append_new(lists, pricelist_json(resp->price_list_roster->lists[i]));
	json_object_set_new(o, "lists", lists);
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

static json_t *gift_json(const Kassa__V1__GiftItem *g)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:i, s:b}", "product_id", (json_int_t)g->product_id,
			 "sku", g->sku, "name", g->name, "points_cost", (json_int_t)g->points_cost,
			 "stock", (int)g->stock, "active", g->active);
}

int cmd_gift_put(KassaClient *kc, const Args *a)
{
	const char *cmd = "gift put";
	Kassa__V1__GiftItemPut q = KASSA__V1__GIFT_ITEM_PUT__INIT;
	Kassa__V1__Response *resp = NULL;
	int64_t stock;
	int code = OFFICE_EXIT_OK;
	bool active;
	char key[KC_KEY_LEN];
	json_t *o;

	q.sku = (char *)arg_word(a, 0);
	if (q.sku == NULL || arg_get(a, "points") == NULL || arg_get(a, "stock") == NULL ||
	    !int_arg(arg_get(a, "points"), 0, 1, INT64_MAX, &q.points_cost) ||
	    !int_arg(arg_get(a, "stock"), 0, 0, INT32_MAX, &stock) ||
	    !yes_arg(arg_get(a, "active"), true, &active))
		return bad_usage(cmd, "gift put SKU points=N stock=N [active=yes|no]");
	q.stock = (int32_t)stock;
	q.withdrawn = !active;
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_gift_item_put(kc, &q, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_GIFT_ITEM, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "gift", gift_json(resp->gift_item));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

int cmd_gift_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "gift list", *w = arg_word(a, 0);
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	json_t *o, *items;

	if (w != NULL && strcmp(w, "all") != 0)
		return bad_usage(cmd, "gift list [all]");
	if (!office_result(kc, cmd, kc_gift_item_list(kc, w != NULL, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_GIFT_CATALOG, &code))
		return code;
	o = kcj_ok(cmd);
	items = json_array();
	for (size_t i = 0; i < resp->gift_catalog->n_items; i++)
		json_array_append_new(items, gift_json(resp->gift_catalog->items[i]));
	json_object_set_new(o, "items", items);
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}
