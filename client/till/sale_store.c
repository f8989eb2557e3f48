/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sale_store: suspended sales as files (see sale.h). Each suspended sale
 * is one JSON document <state_dir>/suspended/<slot>.json, written to a
 * temporary file, fsync'd, renamed into place and the directory fsync'd,
 * so a crash leaves either the whole file or none. A file that does not
 * read back as a sale is left where it is (never deleted) and reported
 * SALE_STORAGE. Tenders are never suspended: money taken belongs to the
 * sale on the counter.
 */
#include "sale.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "money.h"
#include "statefile.h"
#include "util.h"

#define STORE_FORMAT 1
#define STORE_PATH_MAX 4096

static bool dir_ensure(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)	/* new: its entry in the parent must survive too */
		return state_sync_parent(path) && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	if (errno == EEXIST)
		return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	return false;
}

/* <state_dir>/suspended, created if missing; false if it cannot be. */
static bool store_dir(const char *state_dir, char *out, size_t len, bool create)
{
	int n = snprintf(out, len, "%s/suspended", state_dir != NULL ? state_dir : ".");

	if (n < 0 || (size_t)n >= len)
		return false;
	if (!create)
		return true;
	return (state_dir == NULL || dir_ensure(state_dir)) && dir_ensure(out);
}

static bool slot_path(const char *dir, int slot, const char *suffix, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%d.json%s", dir, slot, suffix);

	return n > 0 && (size_t)n < len;
}

static bool fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	bool ok;

	if (fd < 0)
		return false;
	ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

/* Hex of the packed member (NULL member: JSON null). */
static json_t *member_json(const Kassa__V1__Member *m)
{
	size_t len, i;
	uint8_t *buf;
	char *hex;
	json_t *j;

	if (m == NULL)
		return json_null();
	len = kassa__v1__member__get_packed_size(m);
	buf = xmalloc(len + 1);
	hex = xmalloc(2 * len + 1);
	(void)kassa__v1__member__pack(m, buf);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", buf[i]);
	hex[2 * len] = '\0';
	j = json_string(hex);
	free(buf);
	free(hex);
	return j;
}

static Kassa__V1__Member *member_unjson(const char *hex)
{
	size_t len = strlen(hex), i;
	uint8_t *buf;
	Kassa__V1__Member *m;

	if (len % 2 != 0)
		return NULL;
	buf = xmalloc(len / 2 + 1);
	for (i = 0; i < len / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(buf);
			return NULL;
		}
		buf[i] = (uint8_t)v;
	}
	m = kassa__v1__member__unpack(NULL, len / 2, buf);
	free(buf);
	return m;
}

static json_t *sale_json(const Sale *s, int64_t seq)
{
	json_t *o = json_object(), *items = json_array(), *coupons = json_array();
	size_t i;

	for (i = 0; i < s->n_items; i++) {
		const SaleItem *it = &s->items[i];

		json_array_append_new(items, json_pack("{s:s,s:I,s:s,s:s,s:i,s:I,s:b}", "code",
						       it->code, "product_id",
						       (json_int_t)it->product_id, "sku", it->sku,
						       "name", it->name, "quantity", it->quantity,
						       "unit_minor", (json_int_t)it->unit_minor,
						       "gift", it->gift));
	}
	for (i = 0; i < s->n_coupons; i++)
		json_array_append_new(coupons, json_string(s->coupons[i]));
	json_object_set_new(o, "format", json_integer(STORE_FORMAT));
	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "suspended_at", json_integer((json_int_t)time(NULL)));
	json_object_set_new(o, "member_id", json_integer(s->member_id));
	json_object_set_new(o, "member_phone", json_string(s->member_phone));
	json_object_set_new(o, "member", member_json(s->member));
	json_object_set_new(o, "points_redeem", json_integer(s->points_redeem));
	json_object_set_new(o, "coupons", coupons);
	json_object_set_new(o, "items", items);
	return o;
}

/* Write doc to path through path.tmp, fsync'd, renamed, directory fsync'd. */
static bool write_atomic(const char *dir, int slot, json_t *doc)
{
	char path[STORE_PATH_MAX], tmp[STORE_PATH_MAX];
	char *text = json_dumps(doc, JSON_COMPACT);
	size_t len = text != NULL ? strlen(text) : 0;
	bool ok = false;
	FILE *f;

	if (text == NULL || !slot_path(dir, slot, "", path, sizeof(path)) ||
	    !slot_path(dir, slot, ".tmp", tmp, sizeof(tmp))) {
		free(text);
		return false;
	}
	f = fopen(tmp, "w");
	if (f != NULL) {
		ok = fwrite(text, 1, len, f) == len && fputc('\n', f) != EOF && fflush(f) == 0 &&
		     fsync(fileno(f)) == 0;
		ok = fclose(f) == 0 && ok;
		ok = ok && rename(tmp, path) == 0 && fsync_dir(dir);
		if (!ok)
			(void)unlink(tmp);
	}
	free(text);
	return ok;
}

/* Read slot's document; NULL if there is none or it does not parse. *exists says which. */
static json_t *read_slot(const char *dir, int slot, bool *exists)
{
	char path[STORE_PATH_MAX];
	json_error_t jerr;

	*exists = false;
	if (!slot_path(dir, slot, "", path, sizeof(path)) || access(path, F_OK) != 0)
		return NULL;
	*exists = true;
	return json_load_file(path, 0, &jerr);
}

static int64_t doc_int(const json_t *doc, const char *key)
{
	const json_t *v = json_object_get(doc, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* The highest seq among the stored sales, and the slot of the newest (0 = none). */
static int64_t newest(const char *dir, int *slot)
{
	int64_t best = 0;
	int i;

	*slot = 0;
	for (i = 1; i <= SALE_MAX_SUSPENDED; i++) {
		bool exists;
		json_t *doc = read_slot(dir, i, &exists);
		int64_t seq = doc_int(doc, "seq");

		if (doc != NULL && seq > best) {
			best = seq;
			*slot = i;
		}
		json_decref(doc);
	}
	return best;
}

SaleError sale_suspend(Sale *s, const char *state_dir, int *slot)
{
	char dir[STORE_PATH_MAX], path[STORE_PATH_MAX];
	int i, free_slot = 0, last;
	int64_t seq;
	json_t *doc;
	bool ok;

	if (!s->open)
		return SALE_NOT_OPEN;
	if (s->n_items == 0)
		return SALE_EMPTY;
	if (s->n_tenders > 0)
		return SALE_HAS_TENDERS;
	if (!store_dir(state_dir, dir, sizeof(dir), true))
		return SALE_STORAGE;
	for (i = 1; i <= SALE_MAX_SUSPENDED && free_slot == 0; i++)
		if (slot_path(dir, i, "", path, sizeof(path)) && access(path, F_OK) != 0)
			free_slot = i;
	if (free_slot == 0)
		return SALE_SUSPEND_FULL;
	seq = newest(dir, &last) + 1;
	doc = sale_json(s, seq);
	ok = write_atomic(dir, free_slot, doc);
	json_decref(doc);
	if (!ok)
		return SALE_STORAGE;
	sale_reset(s);
	if (slot != NULL)
		*slot = free_slot;
	return SALE_OK;
}

/* Fill the (reset, open) sale s from doc; false if doc is not a sale. */
static bool sale_unjson(Sale *s, const json_t *doc)
{
	const json_t *items = json_object_get(doc, "items"), *coupons = json_object_get(doc, "coupons");
	const json_t *member = json_object_get(doc, "member"), *phone;
	size_t i;

	if (doc_int(doc, "format") != STORE_FORMAT || !json_is_array(items) ||
	    json_array_size(items) == 0 || json_array_size(items) > SALE_MAX_LINES ||
	    !json_is_array(coupons) || json_array_size(coupons) > SALE_MAX_COUPONS)
		return false;
	for (i = 0; i < json_array_size(items); i++) {
		Kassa__V1__Product p = KASSA__V1__PRODUCT__INIT;
		Kassa__V1__Money price = KASSA__V1__MONEY__INIT;
		const char *code = NULL, *sku = NULL, *name = NULL;
		json_int_t pid = 0, qty = 0, unit = 0;
		int gift = 0;

		if (json_unpack((json_t *)json_array_get(items, i), "{s:s,s:I,s:s,s:s,s:I,s:I,s:b}",
				"code", &code, "product_id", &pid, "sku", &sku, "name", &name,
				"quantity", &qty, "unit_minor", &unit, "gift", &gift) != 0)
			return false;
		p.product_id = pid;
		p.sku = (char *)sku;
		p.name = (char *)name;
		price.minor = unit;
		p.price = &price;
		if ((gift ? sale_add_gift(s, &p, code, qty, NULL) : sale_add(s, &p, code, qty, NULL)) !=
		    SALE_OK)
			return false;
	}
	for (i = 0; i < json_array_size(coupons); i++)
		if (!json_is_string(json_array_get(coupons, i)) ||
		    sale_coupon(s, json_string_value(json_array_get(coupons, i))) != SALE_OK)
			return false;
	if (json_is_string(member)) {
		Kassa__V1__Member *m = member_unjson(json_string_value(member));

		if (m == NULL)
			return false;
		(void)sale_set_member(s, m);
		kassa__v1__member__free_unpacked(m, NULL);
	}
	phone = json_object_get(doc, "member_phone");
	if (json_is_string(phone) && json_string_length(phone) > 0 &&
	    sale_set_member_phone(s, json_string_value(phone)) != SALE_OK)
		return false;
	s->member_id = doc_int(doc, "member_id");
	s->points_redeem = doc_int(doc, "points_redeem");
	return s->points_redeem >= 0 && s->member_id >= 0;
}

SaleError sale_resume(Sale *s, const char *state_dir, int slot)
{
	char dir[STORE_PATH_MAX], path[STORE_PATH_MAX];
	bool exists, ok;
	json_t *doc;

	if (s->open && (s->n_items > 0 || s->n_tenders > 0))
		return SALE_ALREADY_OPEN;
	if (slot < 0 || slot > SALE_MAX_SUSPENDED || !store_dir(state_dir, dir, sizeof(dir), false))
		return SALE_NO_SUSPENDED;
	if (slot == 0)
		(void)newest(dir, &slot);
	if (slot == 0)
		return SALE_NO_SUSPENDED;
	doc = read_slot(dir, slot, &exists);
	if (!exists)
		return SALE_NO_SUSPENDED;
	sale_reset(s);
	s->open = true;
	ok = doc != NULL && sale_unjson(s, doc);
	json_decref(doc);
	if (!ok || !slot_path(dir, slot, "", path, sizeof(path)) || unlink(path) != 0) {
		sale_reset(s);
		return SALE_STORAGE;
	}
	(void)fsync_dir(dir);
	return SALE_OK;
}

static int by_seq(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

size_t sale_suspended_list(const char *state_dir, SaleSuspended *out, size_t max)
{
	char dir[STORE_PATH_MAX];
	int64_t order[SALE_MAX_SUSPENDED][2];	/* seq, slot */
	SaleSuspended all[SALE_MAX_SUSPENDED];
	size_t n = 0, i;
	int slot;

	if (!store_dir(state_dir, dir, sizeof(dir), false))
		return 0;
	for (slot = 1; slot <= SALE_MAX_SUSPENDED; slot++) {
		bool exists;
		json_t *doc = read_slot(dir, slot, &exists), *items;
		SaleSuspended *e = &all[n];
		const json_t *phone;
		size_t k;

		if (doc == NULL)
			continue;
		memset(e, 0, sizeof(*e));
		e->slot = slot;
		e->suspended_at = doc_int(doc, "suspended_at");
		e->member_id = doc_int(doc, "member_id");
		phone = json_object_get(doc, "member_phone");
		if (json_is_string(phone))
			snprintf(e->member_phone, sizeof(e->member_phone), "%s",
				 json_string_value(phone));
		items = json_object_get(doc, "items");
		e->n_items = json_array_size(items);
		for (k = 0; k < e->n_items; k++) {
			const json_t *it = json_array_get(items, k);
			int64_t line;

			if (!money_mul(doc_int(it, "unit_minor"), doc_int(it, "quantity"), &line) ||
			    !money_add(e->total_minor, line, &e->total_minor))
				break;	/* resume refuses such a file; show what fits */
		}
		order[n][0] = doc_int(doc, "seq");
		order[n][1] = (int64_t)n;
		n++;
		json_decref(doc);
	}
	qsort(order, n, sizeof(order[0]), by_seq);
	for (i = 0; i < n && i < max; i++)
		out[i] = all[order[i][1]];
	return i;
}
