/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checkout_till.c: the till's part of a checkout (checkout_till.h). The
 * checks need no database; the conversion reads only rate versions
 * kassad has cached (rates.c) and says which to read when one is missing;
 * the sale's business day is its store's, read into store_day.c's cache
 * before pricing. Nothing here answers a request except the step-1
 * refusals (and a database error reading the store's day).
 */
#include "checkout_till.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "loyalty.h"
#include "money.h"
#include "rates.h"
#include "rules_tender.h"

/* sold_at: well-formed, not ahead of now by more than five minutes, and how old. */
static bool check_sold_at(Call *c, const char *sold_at, CheckoutTill *t)
{
	int64_t now = (int64_t)time(NULL);

	if (sold_at[0] == '\0')
		return true;
	if (!rules_sold_at_parse(sold_at, &t->sold_epoch) || t->sold_epoch <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SOLD_AT",
			  "sold_at must be an RFC 3339 time such as 2026-11-30T14:05:00+08:00");
		return false;
	}
	switch (rules_sold_at_check(t->sold_epoch, now, cf_late_sale_max_days)) {
	case RULES_SOLD_AT_FUTURE:
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SOLD_AT",
			  "sold_at %s is more than %d minutes ahead of the server's clock: check "
			  "the till's clock", sold_at, RULES_SOLD_AT_FUTURE_MAX / 60);
		return false;
	case RULES_SOLD_AT_TOO_OLD:
		t->too_old = true;
		break;
	case RULES_SOLD_AT_OK:
		break;
	}
	return true;
}

bool checkout_till_check(Call *c, CheckoutTill *t)
{
	const Kassa__V1__Checkout *co = c->req->checkout;

	memset(t, 0, sizeof(*t));
	t->store_id = c->sess->store_id;
	if (co->member_phone[0] != '\0') {
		if (co->member_id != 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER",
				  "give the member's id or phone, not both");
			return false;
		}
		if (!phone_normalize(co->member_phone, t->phone, sizeof(t->phone))) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PHONE",
				  "member_phone is not a phone number");
			return false;
		}
	}
	if (co->receipt_no[0] != '\0' && !txn_receipt_no_ok(co->receipt_no)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RECEIPT_NO",
			  "a receipt number is 1-%d characters of A-Z, a-z, 0-9 and -",
			  TXN_RECEIPT_NO_MAX);
		return false;
	}
	if (co->sold_by < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "STAFF_UNKNOWN",
			  "sold_by is a staff id, or 0 for the logged-in cashier");
		return false;
	}
	return check_sold_at(c, co->sold_at, t);
}

RuleDate checkout_till_store_day(int64_t store_id, int64_t epoch)
{
	StoreDate sd = store_day_of(store_id, epoch);

	return (RuleDate){ sd.year, sd.month, sd.day, sd.weekday };
}

/* The instant whose business day the sale counts on. */
static int64_t sale_epoch(const CheckoutTill *t)
{
	return t->sold_epoch > 0 ? t->sold_epoch : (int64_t)time(NULL);
}

RuleDate checkout_till_day(const CheckoutTill *t)
{
	return checkout_till_store_day(t->store_id, sale_epoch(t));
}

/* A checkout_till_day_fetch() in flight. */
typedef struct DayFetch {
	Call *c;			/* borrowed */
	void (*done)(Call *c);
} DayFetch;

static void day_fetch_cb(void *arg, DbStatus st, const PGresult *res)
{
	DayFetch *f = arg;
	Call *c = f->c;
	void (*done)(Call *c) = f->done;

	free(f);
	if (call_db_ok(c, st, res))
		done(c);
}

bool checkout_till_day_fetch(Call *c, CheckoutTill *t, void (*done)(Call *c))
{
	int64_t when = sale_epoch(t);
	StoreDate d;
	DayFetch *f;

	/* read once per attempt: an unknown store stays unknown (kassad's day) */
	if (t->day_read || store_day_get(t->store_id, when, &d))
		return false;
	t->day_read = true;
	f = xcalloc(1, sizeof(*f));
	f->c = c;
	f->done = done;
	store_day_load(t->store_id, when, day_fetch_cb, f);
	return true;
}

bool checkout_till_day_again(Call *c, CheckoutTill *t, const char *why, void (*done)(Call *c))
{
	if (strcmp(why, "STORE_DAY_CHANGED") != 0)
		return false;
	if (t->day_retries >= CHECKOUT_TILL_DAY_RETRIES) {
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "STORE_DAY_CHANGED",
			  "the store's business day changed while the sale was priced; try again");
		return true;
	}
	t->day_retries++;
	t->day_read = false;
	log_call(c, LOG_LVL_INFO, "checkout: store %lld's business day is not the one priced"
		 " with; reading it again", (long long)t->store_id);
	store_day_forget(t->store_id);
	done(c);
	return true;
}

int64_t checkout_till_price(const Call *c, const CatalogItem *it)
{
	CheckoutTill t = { .sold_epoch = 0, .store_id = c->sess->store_id };
	const char *sold_at = c->req->checkout->sold_at;
	RuleDate d;

	/* step 1 has checked sold_at; "" is now */
	if (sold_at[0] != '\0' && !rules_sold_at_parse(sold_at, &t.sold_epoch))
		t.sold_epoch = 0;
	d = checkout_till_day(&t);
	return catalog_item_price(it, c->sess->store_id, catalog_price_day(d.year, d.month, d.day));
}

void checkout_till_tail(SqlText *t, const Kassa__V1__Checkout *co, const CheckoutTill *till)
{
	RuleDate d = checkout_till_day(till);
	char day[16];

	snprintf(day, sizeof(day), "%04d-%02d-%02d", d.year, d.month, d.day);
	sqltext_elem_int(t, co->sold_by);
	sqltext_elem_str(t, day);
}

static bool was_tried(const int32_t *tried, int n, int32_t v)
{
	for (int i = 0; i < n; i++)
		if (tried[i] == v)
			return true;
	return false;
}

CheckoutFx checkout_till_convert(const Kassa__V1__Checkout *co, const char *store_currency,
				 const int32_t *tried, int n_tried, int64_t *amount,
				 int64_t *rate, size_t *bad, int32_t *version)
{
	int store_exp = money_currency_exponent(store_currency);

	for (size_t i = 0; i < co->n_tenders; i++) {
		const Kassa__V1__Tender *t = co->tenders[i];
		const RateVersion *v;

		amount[i] = t->amount_minor;
		rate[i] = 0;
		if (t->currency[0] == '\0')
			continue;
		*bad = i;
		v = rates_cached(t->rate_version);
		if (v == NULL && !was_tried(tried, n_tried, t->rate_version)) {
			*version = t->rate_version;
			return CHECKOUT_FX_UNCACHED;
		}
		rate[i] = rates_find(v, t->currency);
		if (rate[i] == 0)
			return CHECKOUT_FX_UNKNOWN;
		amount[i] = 0;
		if (!rules_tender_convert(t->foreign_minor, money_currency_exponent(t->currency),
					  rate[i], store_exp < 0 ? 2 : store_exp, &amount[i]) ||
		    amount[i] == 0)
			return CHECKOUT_FX_OVERFLOW;	/* or worth less than one minor unit */
		if (t->amount_minor != 0 && t->amount_minor != amount[i])
			return CHECKOUT_FX_MISMATCH;
	}
	return CHECKOUT_FX_OK;
}

bool checkout_till_tenders(const Kassa__V1__Checkout *co, const char *store_currency,
			   const int32_t *tried, int n_tried, int64_t *amount, int64_t *rate,
			   CheckoutRefusal *r)
{
	size_t bad = 0;
	int32_t version = 0;
	char want[MONEY_FMT_LEN];
	const Kassa__V1__Tender *t;

	switch (checkout_till_convert(co, store_currency, tried, n_tried, amount, rate, &bad,
				      &version)) {
	case CHECKOUT_FX_OK:
		return true;
	case CHECKOUT_FX_UNCACHED:	/* checkout.c read every version before */
	case CHECKOUT_FX_UNKNOWN:
		t = co->tenders[bad];
		r->code = KASSA__V1__STATUS_CODE__FAILED_PRECONDITION;
		r->detail = "RATE_UNKNOWN";
		snprintf(r->msg, sizeof(r->msg), "tender %zu: exchange-rate version %d has no rate "
			 "for %s; fetch the current rates", bad + 1, (int)t->rate_version,
			 t->currency);
		return false;
	case CHECKOUT_FX_MISMATCH:
		t = co->tenders[bad];
		r->code = KASSA__V1__STATUS_CODE__FAILED_PRECONDITION;
		r->detail = "RATE_MISMATCH";
		snprintf(r->msg, sizeof(r->msg), "tender %zu: %s at rate version %d is %s, not "
			 "the amount given", bad + 1, t->currency, (int)t->rate_version,
			 money_format(amount[bad], want, sizeof(want)));
		return false;
	case CHECKOUT_FX_OVERFLOW:
		break;
	}
	r->code = KASSA__V1__STATUS_CODE__OUT_OF_RANGE;
	r->detail = "AMOUNT_OVERFLOW";
	snprintf(r->msg, sizeof(r->msg), "tender %zu: the %s amount is too large, or worth less "
		 "than one %s minor unit", bad + 1, co->tenders[bad]->currency, store_currency);
	return false;
}
