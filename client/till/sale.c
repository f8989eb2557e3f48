/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sale: the till's basket (see sale.h). No I/O except sale_checkout(),
 * which hands the basket to the client library.
 */
#include "sale.h"

#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "util.h"

void sale_init(Sale *s)
{
	memset(s, 0, sizeof(*s));
}

void sale_reset(Sale *s)
{
	size_t i;

	for (i = 0; i < s->n_items; i++) {
		free(s->items[i].code);
		free(s->items[i].sku);
		free(s->items[i].name);
	}
	for (i = 0; i < s->n_tenders; i++)
		free(s->tenders[i].reference);
	for (i = 0; i < s->n_coupons; i++)
		free(s->coupons[i]);
	kassa__v1__member__free_unpacked(s->member, NULL);
	sale_init(s);
}

SaleError sale_begin(Sale *s)
{
	if (s->open)
		return SALE_ALREADY_OPEN;
	sale_reset(s);
	s->open = true;
	return SALE_OK;
}

static SaleError add_line(Sale *s, const Kassa__V1__Product *p, const char *code, int32_t qty,
			  bool gift, size_t *line_no)
{
	SaleItem *it;
	int64_t unit = p->price != NULL && !gift ? p->price->minor : 0, line;

	if (!s->open)
		return SALE_NOT_OPEN;
	if (qty < 1 || qty > SALE_MAX_QTY)
		return SALE_BAD_QUANTITY;
	if (s->n_items >= SALE_MAX_LINES)
		return SALE_TOO_MANY;
	if (!money_mul(unit, qty, &line))
		return SALE_BAD_AMOUNT;
	it = &s->items[s->n_items++];
	it->code = xstrdup(code);
	it->product_id = p->product_id;
	it->sku = xstrdup(p->sku != NULL ? p->sku : "");
	it->name = xstrdup(p->name != NULL ? p->name : "");
	it->quantity = qty;
	it->unit_minor = unit;
	it->line_minor = line;
	it->gift = gift;
	if (line_no != NULL)
		*line_no = s->n_items;
	return SALE_OK;
}

SaleError sale_add(Sale *s, const Kassa__V1__Product *p, const char *code, int32_t qty,
		   size_t *line_no)
{
	return add_line(s, p, code, qty, false, line_no);
}

SaleError sale_add_gift(Sale *s, const Kassa__V1__Product *p, const char *code, int32_t qty,
			size_t *line_no)
{
	return add_line(s, p, code, qty, true, line_no);
}

/* Deep copy of a member through its wire form. */
static Kassa__V1__Member *member_copy(const Kassa__V1__Member *m)
{
	size_t len = kassa__v1__member__get_packed_size(m);
	uint8_t *buf = xmalloc(len ? len : 1);
	Kassa__V1__Member *copy;

	(void)kassa__v1__member__pack(m, buf);
	copy = kassa__v1__member__unpack(NULL, len, buf);
	free(buf);
	return copy;
}

SaleError sale_set_member(Sale *s, const Kassa__V1__Member *m)
{
	if (!s->open)
		return SALE_NOT_OPEN;
	kassa__v1__member__free_unpacked(s->member, NULL);
	s->member = member_copy(m);
	s->member_id = m->member_id;
	return SALE_OK;
}

SaleError sale_pay(Sale *s, Kassa__V1__TenderKind kind, int64_t amount_minor, const char *ref)
{
	SaleTender *t;
	int64_t sum;

	if (!s->open)
		return SALE_NOT_OPEN;
	if (amount_minor <= 0)
		return SALE_BAD_AMOUNT;
	if (s->n_tenders >= SALE_MAX_TENDERS)
		return SALE_TOO_MANY;
	if (!sale_tendered(s, &sum) || !money_add(sum, amount_minor, &sum))
		return SALE_BAD_AMOUNT;
	t = &s->tenders[s->n_tenders++];
	t->kind = kind;
	t->amount_minor = amount_minor;
	t->reference = xstrdup(ref != NULL ? ref : "");
	return SALE_OK;
}

SaleError sale_redeem(Sale *s, int64_t points)
{
	if (!s->open)
		return SALE_NOT_OPEN;
	if (points < 0)
		return SALE_BAD_AMOUNT;
	s->points_redeem = points;
	return SALE_OK;
}

SaleError sale_coupon(Sale *s, const char *code)
{
	if (!s->open)
		return SALE_NOT_OPEN;
	if (s->n_coupons >= SALE_MAX_COUPONS)
		return SALE_TOO_MANY;
	s->coupons[s->n_coupons++] = xstrdup(code);
	return SALE_OK;
}

bool sale_total(const Sale *s, int64_t *total)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < s->n_items; i++)
		if (!money_add(sum, s->items[i].line_minor, &sum))
			return false;
	*total = sum;
	return true;
}

bool sale_tendered(const Sale *s, int64_t *tendered)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < s->n_tenders; i++)
		if (!money_add(sum, s->tenders[i].amount_minor, &sum))
			return false;
	*tendered = sum;
	return true;
}

/* The KcSale of s, pointing into lines and tenders. */
static KcSale sale_request(const Sale *s, KcLine *lines, KcTender *tenders)
{
	KcSale k = { lines, s->n_items, s->member_id, tenders, s->n_tenders, s->points_redeem,
		     (const char *const *)s->coupons, s->n_coupons };
	size_t i;

	for (i = 0; i < s->n_items; i++) {
		lines[i].code = s->items[i].code;
		lines[i].quantity = s->items[i].quantity;
		lines[i].gift = s->items[i].gift;
	}
	for (i = 0; i < s->n_tenders; i++) {
		tenders[i].kind = s->tenders[i].kind;
		tenders[i].amount_minor = s->tenders[i].amount_minor;
		tenders[i].reference = s->tenders[i].reference;
	}
	return k;
}

KcResult sale_quote(const Sale *s, KassaClient *kc, Kassa__V1__Response **resp)
{
	KcLine lines[SALE_MAX_LINES];
	KcTender tenders[SALE_MAX_TENDERS];
	KcSale k = sale_request(s, lines, tenders);

	return kc_checkout(kc, &k, NULL, true, resp);
}

KcResult sale_checkout(Sale *s, KassaClient *kc, Kassa__V1__Response **resp)
{
	KcLine lines[SALE_MAX_LINES];
	KcTender tenders[SALE_MAX_TENDERS];
	KcSale k = sale_request(s, lines, tenders);
	KcResult r;

	*resp = NULL;
	/*
	 * One key per attempt to finish: a rejected sale (say, short of cash)
	 * is changed before the next attempt, and the server refuses a key
	 * reused with another body. Resends after a lost connection happen
	 * inside kc_checkout() and keep this key.
	 */
	kc_new_key(s->key);
	r = kc_checkout(kc, &k, s->key, false, resp);
	if (r == KC_OK && kc_status(*resp) == KASSA__V1__STATUS_CODE__OK) {
		char key[KC_KEY_LEN];

		memcpy(key, s->key, sizeof(key));
		sale_reset(s);
		memcpy(s->key, key, sizeof(key));	/* still shown after the sale */
	}
	return r;
}

const char *sale_error_name(SaleError e)
{
	switch (e) {
	case SALE_OK:
		return "OK";
	case SALE_NOT_OPEN:
		return "NO_SALE";
	case SALE_ALREADY_OPEN:
		return "SALE_OPEN";
	case SALE_TOO_MANY:
		return "TOO_MANY";
	case SALE_BAD_QUANTITY:
		return "BAD_QUANTITY";
	case SALE_BAD_AMOUNT:
		return "BAD_AMOUNT";
	case SALE_EMPTY:
		return "EMPTY_SALE";
	}
	return "UNKNOWN";
}
