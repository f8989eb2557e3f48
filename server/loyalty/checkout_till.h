/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checkout_till: what a till's checkout adds to a sale (issue 8), kept
 * out of checkout.c's pricing flow: the checks of Checkout.member_phone,
 * receipt_no, sold_at and sold_by, the business day a sale counts on (the
 * store's, store_day.h), and the conversion of foreign-currency tenders with the cached rate
 * versions (rates.h, arithmetic in rules_tender.c).
 */
#ifndef KASSA_CHECKOUT_TILL_H
#define KASSA_CHECKOUT_TILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "core.h"
#include "sqltext.h"
#include "phone.h"
#include "ruleset.h"
#include "store_day.h"

/* The till's fields of a Checkout, checked (CheckoutState.till). */
typedef struct CheckoutTill {
	char phone[PHONE_MAX];		/* member_phone normalised (E.164), "" = none */
	int64_t sold_epoch;		/* sold_at in epoch seconds; 0: now */
	bool too_old;			/* sold_at beyond [checkout] late_sale_max_days */
	int64_t store_id;		/* the session's: whose business day the sale counts on */
	bool day_read;			/* the store's day was read this attempt (store_day.h) */
	int day_retries;		/* STORE_DAY_CHANGED answers retried (at most the below) */
} CheckoutTill;

#define CHECKOUT_TILL_DAY_RETRIES 2	/* sales again after STORE_DAY_CHANGED, then refused */

/*
 * Step 1 for the till's fields: both member_id and member_phone, a phone
 * that is not one, a malformed receipt_no, sold_at malformed or more than
 * five minutes ahead, a negative sold_by: false after answering c
 * INVALID_ARGUMENT. A sold_at older than the limit is not refused here:
 * t->too_old says so, and checkout.c refuses SALE_TOO_OLD once it knows
 * the key does not name a recorded sale.
 */
MUSTCHECK bool checkout_till_check(Call *c, CheckoutTill *t);

/*
 * The business day the sale counts on: sold_at's, or today, in the zone of
 * the store (stores.timezone, store_day.h), once checkout_till_day_fetch()
 * has read it; kassad's own zone only for a store PostgreSQL does not know.
 */
RuleDate checkout_till_day(const CheckoutTill *t);

/* The business day of store_id at epoch (store_day_of()), as the rules take it. */
RuleDate checkout_till_store_day(int64_t store_id, int64_t epoch);

/*
 * Step 3 first: unless the store's day of the sale (sold_at, or now) is in
 * memory, read it and return true: done(c) runs once it is read (on a
 * database error c is answered instead). False: nothing to read.
 */
MUSTCHECK bool checkout_till_day_fetch(Call *c, CheckoutTill *t, void (*done)(Call *c));

/*
 * kassa_checkout()'s answer why (a KA412 message, or ""): for
 * STORE_DAY_CHANGED (the store's zone moved, or midnight passed, since its
 * day was read), at most CHECKOUT_TILL_DAY_RETRIES times, forget the
 * store's days, call done(c) (which prices the sale again, reading the day
 * first) and return true; after that, answer c FAILED_PRECONDITION
 * STORE_DAY_CHANGED and return true. False: not that answer.
 */
MUSTCHECK bool checkout_till_day_again(Call *c, CheckoutTill *t, const char *why,
				       void (*done)(Call *c));

/*
 * The unit price of it in c's sale: the price list of c's store in force
 * on the sale's business day (checkout_till_day() of its sold_at), else
 * the base price (catalog_item_price()).
 */
int64_t checkout_till_price(const Call *c, const CatalogItem *it);

/*
 * Append the last fields of kassa_checkout()'s till text[] to t: sold_by,
 * then the sale's business day (checkout_till_day(), YYYY-MM-DD), the day
 * the price check chooses the store's price list for, so that it is
 * exactly the day checkout_till_price() priced with.
 */
void checkout_till_tail(SqlText *t, const Kassa__V1__Checkout *co, const CheckoutTill *till);

typedef enum CheckoutFx {
	CHECKOUT_FX_OK = 0,		/* every tender in store units in amount[] */
	CHECKOUT_FX_UNCACHED,		/* *version is not in memory: rates_load() it */
	CHECKOUT_FX_UNKNOWN,		/* tender *bad: no such version, or no rate for it */
	CHECKOUT_FX_MISMATCH,		/* tender *bad: amount_minor is not 0 nor the conversion */
	CHECKOUT_FX_OVERFLOW,		/* tender *bad: too large, or under one store minor unit */
} CheckoutFx;

/*
 * The store-currency amount of each tender of co into amount[] (a foreign
 * one converted, rounded down, with its rate_version's rate, given in
 * rate[]; 0 for the others). tried[n_tried] are versions already read
 * from the database this request: one still not cached is UNKNOWN, not
 * UNCACHED.
 */
CheckoutFx checkout_till_convert(const Kassa__V1__Checkout *co, const char *store_currency,
				 const int32_t *tried, int n_tried, int64_t *amount,
				 int64_t *rate, size_t *bad, int32_t *version);

/* Why a sale is refused, for checkout.c's refusal (which first checks the key). */
typedef struct CheckoutRefusal {
	Kassa__V1__StatusCode code;
	const char *detail;		/* static */
	char msg[160];
} CheckoutRefusal;

/*
 * checkout_till_convert() for step 3d, where every version has been read:
 * true with amount[] and rate[] filled, or false with why in *r
 * (FAILED_PRECONDITION RATE_UNKNOWN or RATE_MISMATCH, OUT_OF_RANGE
 * AMOUNT_OVERFLOW).
 */
MUSTCHECK bool checkout_till_tenders(const Kassa__V1__Checkout *co, const char *store_currency,
				     const int32_t *tried, int n_tried, int64_t *amount,
				     int64_t *rate, CheckoutRefusal *r);

#endif
