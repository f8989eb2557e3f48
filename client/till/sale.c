/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sale: the till's basket (see sale.h): lines, quantities, the member,
 * coupon codes, tenders in store or foreign currency, the totals, and the
 * Checkout built from it. No I/O here; suspending to files is
 * sale_store.c. Every function that refuses changes nothing.
 */
#include "sale.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardnum.h"
#include "i18n.h"
#include "money.h"
#include "phone.h"
#include "util.h"

void sale_init(Sale *s)
{
	memset(s, 0, sizeof(*s));
}

static void item_free(SaleItem *it)
{
	free(it->code);
	free(it->sku);
	free(it->name);
}

void sale_reset(Sale *s)
{
	size_t i;

	for (i = 0; i < s->n_items; i++)
		item_free(&s->items[i]);
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

/* Would the lines' total still fit with line i's amount replaced by line (i = n: added)? */
static bool total_fits(const Sale *s, size_t i, int64_t line)
{
	int64_t sum = line;
	size_t k;

	for (k = 0; k < s->n_items; k++)
		if (k != i && !money_add(sum, s->items[k].line_minor, &sum))
			return false;
	return true;
}

static SaleError add_line(Sale *s, const Kassa__V1__Product *p, const char *code, int64_t qty,
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
	if (unit < 0 || !money_mul(unit, qty, &line) || !total_fits(s, s->n_items, line))
		return SALE_BAD_AMOUNT;
	it = &s->items[s->n_items++];
	it->code = xstrdup(code != NULL ? code : "");
	it->product_id = p->product_id;
	it->sku = xstrdup(p->sku != NULL ? p->sku : "");
	it->name = xstrdup(p->name != NULL ? p->name : "");
	it->quantity = (int32_t)qty;
	it->unit_minor = unit;
	it->line_minor = line;
	it->gift = gift;
	if (line_no != NULL)
		*line_no = s->n_items;
	return SALE_OK;
}

SaleError sale_add(Sale *s, const Kassa__V1__Product *p, const char *code, int64_t qty,
		   size_t *line_no)
{
	return add_line(s, p, code, qty, false, line_no);
}

SaleError sale_add_gift(Sale *s, const Kassa__V1__Product *p, const char *code, int64_t qty,
			size_t *line_no)
{
	return add_line(s, p, code, qty, true, line_no);
}

SaleError sale_void_line(Sale *s, size_t line_no)
{
	if (!s->open)
		return SALE_NOT_OPEN;
	if (line_no < 1 || line_no > s->n_items)
		return SALE_BAD_LINE;
	item_free(&s->items[line_no - 1]);
	memmove(&s->items[line_no - 1], &s->items[line_no],
		(s->n_items - line_no) * sizeof(s->items[0]));
	s->n_items--;
	memset(&s->items[s->n_items], 0, sizeof(s->items[0]));
	return SALE_OK;
}

SaleError sale_set_qty(Sale *s, size_t line_no, int64_t qty)
{
	SaleItem *it;
	int64_t line;

	if (!s->open)
		return SALE_NOT_OPEN;
	if (line_no < 1 || line_no > s->n_items)
		return SALE_BAD_LINE;
	if (qty < 1 || qty > SALE_MAX_QTY)
		return SALE_BAD_QUANTITY;
	it = &s->items[line_no - 1];
	if (!money_mul(it->unit_minor, qty, &line) || !total_fits(s, line_no - 1, line))
		return SALE_BAD_AMOUNT;
	it->quantity = (int32_t)qty;
	it->line_minor = line;
	return SALE_OK;
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
	s->member_phone[0] = '\0';
	return SALE_OK;
}

SaleError sale_set_member_phone(Sale *s, const char *phone)
{
	char e164[PHONE_MAX];

	if (!s->open)
		return SALE_NOT_OPEN;
	if (phone == NULL || !phone_normalize(phone, e164, sizeof(e164)))
		return SALE_BAD_PHONE;
	kassa__v1__member__free_unpacked(s->member, NULL);
	s->member = NULL;
	s->member_id = 0;
	snprintf(s->member_phone, sizeof(s->member_phone), "%s", e164);
	return SALE_OK;
}

SaleError sale_clear_member(Sale *s)
{
	if (!s->open)
		return SALE_NOT_OPEN;
	kassa__v1__member__free_unpacked(s->member, NULL);
	s->member = NULL;
	s->member_id = 0;
	s->member_phone[0] = '\0';
	s->points_redeem = 0;
	return SALE_OK;
}

/* The checks every new tender passes; *t is the slot it goes into. */
static SaleError tender_room(Sale *s, int64_t amount_minor, SaleTender **t)
{
	int64_t sum;

	if (!s->open)
		return SALE_NOT_OPEN;
	if (amount_minor <= 0)
		return SALE_BAD_AMOUNT;
	if (s->n_tenders >= SALE_MAX_TENDERS)
		return SALE_TOO_MANY;
	if (!sale_tendered(s, &sum) || !money_add(sum, amount_minor, &sum))
		return SALE_BAD_AMOUNT;
	*t = &s->tenders[s->n_tenders];
	memset(*t, 0, sizeof(**t));
	return SALE_OK;
}

/*
 * A reference kassad takes: at most SALE_REF_MAX bytes and no card number
 * (never on the screen, in the journal or in the rejected file).
 */
static bool reference_ok(const char *ref)
{
	size_t n = ref != NULL ? strlen(ref) : 0;

	return n <= SALE_REF_MAX && !cardnum_has_card_number(ref != NULL ? ref : "", n, NULL, NULL);
}

SaleError sale_pay(Sale *s, Kassa__V1__TenderKind kind, int64_t amount_minor, const char *ref)
{
	SaleTender *t;
	SaleError e = tender_room(s, amount_minor, &t);

	if (e != SALE_OK)
		return e;
	if (!reference_ok(ref))
		return SALE_BAD_REFERENCE;
	t->kind = kind;
	t->amount_minor = amount_minor;
	t->reference = xstrdup(ref != NULL ? ref : "");
	s->n_tenders++;
	return SALE_OK;
}

static bool currency_valid(const char *c)
{
	return c != NULL && strlen(c) == 3 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' &&
	       c[1] <= 'Z' && c[2] >= 'A' && c[2] <= 'Z';
}

int sale_currency_exponent(const char *currency)
{
	return currency != NULL ? money_currency_exponent(currency) : -1;
}

bool sale_convert(const char *currency, int64_t foreign_minor, int64_t rate_micro,
		  int64_t *store_minor)
{
	int fexp = sale_currency_exponent(currency), k;
	__int128 num, den = 1000000;

	/* floor(foreign_minor * rate_micro * 10^SALE_STORE_EXPONENT / (10^fexp * 1e6)) */
	/* with rate_micro <= 1e15 (kassad's largest rate) the products fit an __int128 */
	if (rate_micro <= 0 || rate_micro > SALE_MAX_RATE_MICRO || foreign_minor < 0 || fexp < 0)
		return false;
	num = (__int128)foreign_minor * rate_micro;
	for (k = 0; k < SALE_STORE_EXPONENT; k++)
		num *= 10;
	for (k = 0; k < fexp; k++)
		den *= 10;
	num /= den;
	if (num > INT64_MAX)
		return false;
	*store_minor = (int64_t)num;
	return true;
}

SaleError sale_pay_foreign(Sale *s, Kassa__V1__TenderKind kind, const char *currency,
			   int64_t foreign_minor, int32_t rate_version, int64_t rate_micro,
			   const char *ref)
{
	SaleTender *t;
	int64_t amount;
	SaleError e;

	if (!s->open)
		return SALE_NOT_OPEN;
	if (!currency_valid(currency) || sale_currency_exponent(currency) < 0 || rate_micro <= 0 ||
	    rate_version <= 0)
		return SALE_BAD_CURRENCY;
	if (foreign_minor <= 0 || !sale_convert(currency, foreign_minor, rate_micro, &amount))
		return SALE_BAD_AMOUNT;
	e = tender_room(s, amount, &t);
	if (e != SALE_OK)
		return e;
	if (!reference_ok(ref))
		return SALE_BAD_REFERENCE;
	t->kind = kind;
	t->amount_minor = amount;
	t->reference = xstrdup(ref != NULL ? ref : "");
	memcpy(t->currency, currency, 4);
	t->foreign_minor = foreign_minor;
	t->rate_version = rate_version;
	t->rate_micro = rate_micro;
	s->n_tenders++;
	return SALE_OK;
}

SaleError sale_void_tender(Sale *s, size_t tender_no)
{
	if (!s->open)
		return SALE_NOT_OPEN;
	if (tender_no < 1 || tender_no > s->n_tenders)
		return SALE_BAD_TENDER;
	free(s->tenders[tender_no - 1].reference);
	memmove(&s->tenders[tender_no - 1], &s->tenders[tender_no],
		(s->n_tenders - tender_no) * sizeof(s->tenders[0]));
	s->n_tenders--;
	memset(&s->tenders[s->n_tenders], 0, sizeof(s->tenders[0]));
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
	size_t i, len = code != NULL ? strlen(code) : 0;

	if (!s->open)
		return SALE_NOT_OPEN;
	if (len == 0 || len > SALE_CODE_MAX)
		return SALE_BAD_CODE;
	for (i = 0; i < s->n_coupons; i++)
		if (strcmp(s->coupons[i], code) == 0)
			return SALE_BAD_CODE;
	if (s->n_coupons >= SALE_MAX_COUPONS)
		return SALE_TOO_MANY;
	s->coupons[s->n_coupons++] = xstrdup(code);
	return SALE_OK;
}

SaleError sale_uncoupon(Sale *s, const char *code)
{
	size_t i;

	if (!s->open)
		return SALE_NOT_OPEN;
	for (i = 0; code != NULL && i < s->n_coupons; i++) {
		if (strcmp(s->coupons[i], code) != 0)
			continue;
		free(s->coupons[i]);
		memmove(&s->coupons[i], &s->coupons[i + 1],
			(s->n_coupons - i - 1) * sizeof(s->coupons[0]));
		s->coupons[--s->n_coupons] = NULL;
		return SALE_OK;
	}
	return SALE_BAD_CODE;
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

int64_t sale_due(const Sale *s)
{
	int64_t total = 0, tendered = 0;

	if (!sale_total(s, &total) || !sale_tendered(s, &tendered))
		return 0;
	return tendered < total ? total - tendered : 0;
}

int64_t sale_change(const Sale *s)
{
	int64_t total = 0, tendered = 0;

	if (!sale_total(s, &total) || !sale_tendered(s, &tendered))
		return 0;
	return tendered > total ? tendered - total : 0;
}

void sale_request_build(const Sale *s, SaleRequest *r)
{
	size_t i;

	kassa__v1__checkout__init(&r->co);
	for (i = 0; i < s->n_items; i++) {
		kassa__v1__sale_line__init(&r->lines[i]);
		r->lines[i].code = s->items[i].code;
		r->lines[i].quantity = s->items[i].quantity;
		r->lines[i].gift = s->items[i].gift;
		r->linep[i] = &r->lines[i];
	}
	for (i = 0; i < s->n_tenders; i++) {
		const SaleTender *t = &s->tenders[i];

		kassa__v1__tender__init(&r->tenders[i]);
		r->tenders[i].kind = t->kind;
		r->tenders[i].amount_minor = t->amount_minor;
		r->tenders[i].reference = t->reference != NULL ? t->reference : (char *)"";
		r->tenders[i].currency = (char *)t->currency;
		r->tenders[i].foreign_minor = t->foreign_minor;
		r->tenders[i].rate_version = t->rate_version;
		r->tenderp[i] = &r->tenders[i];
	}
	r->co.n_lines = s->n_items;
	r->co.lines = s->n_items > 0 ? r->linep : NULL;
	r->co.member_id = s->member_id;
	r->co.n_tenders = s->n_tenders;
	r->co.tenders = s->n_tenders > 0 ? r->tenderp : NULL;
	r->co.points_redeem = s->points_redeem;
	r->co.n_coupon_codes = s->n_coupons;
	r->co.coupon_codes = s->n_coupons > 0 ? (char **)s->coupons : NULL;
}

const char *sale_error_name(SaleError e)
{
	static const char *const names[] = {
		[SALE_OK] = "OK",
		[SALE_NOT_OPEN] = "NO_SALE",
		[SALE_ALREADY_OPEN] = "SALE_OPEN",
		[SALE_TOO_MANY] = "TOO_MANY",
		[SALE_BAD_QUANTITY] = "BAD_QUANTITY",
		[SALE_BAD_AMOUNT] = "BAD_AMOUNT",
		[SALE_EMPTY] = "EMPTY_SALE",
		[SALE_BAD_LINE] = "BAD_LINE",
		[SALE_BAD_TENDER] = "BAD_TENDER",
		[SALE_BAD_CURRENCY] = "BAD_CURRENCY",
		[SALE_BAD_PHONE] = "BAD_PHONE",
		[SALE_BAD_CODE] = "BAD_CODE",
		[SALE_HAS_TENDERS] = "HAS_TENDERS",
		[SALE_SUSPEND_FULL] = "SUSPEND_FULL",
		[SALE_NO_SUSPENDED] = "NO_SUSPENDED",
		[SALE_STORAGE] = "STORAGE_FAILED",
		[SALE_MEMBER_SET] = "MEMBER_SET",
		[SALE_BAD_REFERENCE] = "BAD_REFERENCE",
	};

	if ((size_t)e < ARRAY_SIZE(names) && names[e] != NULL)
		return names[e];
	return "UNKNOWN";
}

const char *sale_error_message(SaleError e)
{
	static const char *const msgs[] = {
		[SALE_OK] = N_("done"),
		[SALE_NOT_OPEN] = N_("no sale is open: begin a sale first"),
		[SALE_ALREADY_OPEN] = N_("a sale is open: finish, suspend or cancel it first"),
		[SALE_TOO_MANY] = N_("too many lines, tenders or coupons on this sale"),
		[SALE_BAD_QUANTITY] = N_("quantity must be a whole number from 1 to 99999"),
		[SALE_BAD_AMOUNT] = N_("amount must be positive and the totals must fit"),
		[SALE_EMPTY] = N_("the sale has no lines"),
		[SALE_BAD_LINE] = N_("there is no line with that number"),
		[SALE_BAD_TENDER] = N_("there is no tender with that number"),
		[SALE_BAD_CURRENCY] = N_("unknown currency or no exchange rate for it"),
		[SALE_BAD_PHONE] = N_("that is not a phone number"),
		[SALE_BAD_CODE] = N_("the coupon code is empty, too long or already presented"),
		[SALE_HAS_TENDERS] = N_("a sale with tenders cannot be suspended: void them first"),
		[SALE_SUSPEND_FULL] = N_("too many suspended sales: resume or cancel one first"),
		[SALE_NO_SUSPENDED] = N_("there is no suspended sale with that number"),
		[SALE_STORAGE] = N_("the till's state directory could not be written or read"),
		[SALE_MEMBER_SET] = N_("a member is attached to this sale already"),
		[SALE_BAD_REFERENCE] = N_("a reference is at most 64 characters and never a card "
					  "number: type the terminal's reference"),
	};

	if ((size_t)e < ARRAY_SIZE(msgs) && msgs[e] != NULL)
		return _(msgs[e]);
	return _("unknown error");
}
