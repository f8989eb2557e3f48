/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sale: the till's basket, independent of how the cashier drives it. The
 * script mode (script/) and the full-screen UI (screen/) both build a
 * Sale: begin, add lines priced from product look-ups, change a line's
 * quantity or void it, attach a member (online: the Member; offline: a
 * phone number), present coupon or claim codes, take tenders (store
 * currency, or foreign cash/card converted at a versioned exchange rate)
 * and void one, then finish through till_finish() (till.h), which sends
 * the Checkout that sale_request_build() makes. The server prices the
 * sale again and is the authority; the basket's own prices only show the
 * cashier what is due and the change.
 *
 * A gift line (taken from the gift catalogue for points) is kept at price
 * 0; the server says what it cost in points.
 *
 * Suspending: sale_suspend() writes the open sale to a file in the state
 * directory (<state_dir>/suspended/<slot>.json, written to a temporary
 * file, fsync'd and renamed) and closes it; sale_resume() reads one back
 * and removes its file. At most SALE_MAX_SUSPENDED are kept, so they
 * survive a restart of the till.
 *
 * Every SaleError has a machine name (sale_error_name(), for JSON and
 * logs) and a message for a person (sale_error_message(), translated).
 * A function that returns an error changes nothing.
 */
#ifndef KASSA_TILL_SALE_H
#define KASSA_TILL_SALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kassa_client.h"

#define SALE_MAX_LINES 500		/* as the server's RULES_MAX_LINES */
#define SALE_MAX_TENDERS 16
/*
 * Largest quantity the till accepts on one line, as the server's
 * RULES_MAX_QTY: 100000 and more is a barcode scanned into the quantity
 * field, not a quantity.
 */
#define SALE_MAX_QTY 99999
#define SALE_MAX_COUPONS 8		/* as the server's CHECKOUT_MAX_COUPONS */
#define SALE_MAX_SUSPENDED 8		/* suspended sales kept in the state dir */
#define SALE_CODE_MAX 64		/* longest coupon/claim code accepted */
#define SALE_REF_MAX 64		/* a tender reference, in bytes: as the server's TENDER_REF_MAX */

typedef struct SaleItem {
	char *code;			/* owned: what the cashier typed/scanned */
	int64_t product_id;
	char *sku;			/* owned */
	char *name;			/* owned */
	int32_t quantity;		/* 1..SALE_MAX_QTY */
	int64_t unit_minor;		/* price from the look-up */
	int64_t line_minor;		/* unit_minor * quantity */
	bool gift;			/* from the gift catalogue: price 0, paid in points */
} SaleItem;

typedef struct SaleTender {
	Kassa__V1__TenderKind kind;	/* cash, card, e-wallet, stored value */
	int64_t amount_minor;		/* > 0, store currency (foreign: converted) */
	char *reference;		/* owned; "" for cash */
	char currency[4];		/* ISO 4217 of a foreign tender; "" = store currency */
	int64_t foreign_minor;		/* foreign: the amount in currency's minor units */
	int32_t rate_version;		/* foreign: the exchange-rate version used */
	int64_t rate_micro;		/* foreign: store units per unit x 1e6 */
} SaleTender;

typedef struct Sale {
	bool open;			/* between begin and finish/cancel */
	SaleItem items[SALE_MAX_LINES];	/* items[0..n_items) are in use */
	size_t n_items;
	SaleTender tenders[SALE_MAX_TENDERS];
	size_t n_tenders;
	int64_t member_id;		/* 0 = anonymous (or identified by phone) */
	Kassa__V1__Member *member;	/* owned copy of the member shown, or NULL */
	char member_phone[20];		/* offline: the member's phone, E.164; "" = none */
	int64_t points_redeem;		/* points the member spends on this sale */
	char *coupons[SALE_MAX_COUPONS];	/* owned: coupon or claim codes presented */
	size_t n_coupons;
	char key[KC_KEY_LEN];		/* idempotency key of the last finish attempt */
} Sale;

typedef enum SaleError {
	SALE_OK = 0,			/* done */
	SALE_NOT_OPEN,			/* no sale begun */
	SALE_ALREADY_OPEN,		/* begin while a sale is open */
	SALE_TOO_MANY,			/* line, tender or coupon limit reached */
	SALE_BAD_QUANTITY,		/* quantity outside 1..SALE_MAX_QTY */
	SALE_BAD_AMOUNT,		/* amount <= 0 or totals overflow */
	SALE_EMPTY,			/* finish or suspend without lines */
	SALE_BAD_LINE,			/* no line with that number */
	SALE_BAD_TENDER,		/* no tender with that number */
	SALE_BAD_CURRENCY,		/* not a 3-letter code, the store's own, or no rate */
	SALE_BAD_PHONE,			/* not a phone number */
	SALE_BAD_CODE,			/* empty, too long or repeated coupon code */
	SALE_HAS_TENDERS,		/* suspend with tenders taken: void them first */
	SALE_SUSPEND_FULL,		/* SALE_MAX_SUSPENDED sales are suspended already */
	SALE_NO_SUSPENDED,		/* no suspended sale (with that number) */
	SALE_STORAGE,			/* the state directory could not be written/read */
	SALE_MEMBER_SET,		/* a member is attached already (by id or by phone) */
	SALE_BAD_REFERENCE,		/* a reference too long, or holding a card number */
} SaleError;

/* Initialise an unused Sale (closed, empty). */
void sale_init(Sale *s);
/* Drop everything and close the sale (cancel, or after a checkout). */
void sale_reset(Sale *s);

/* Open a new sale; SALE_ALREADY_OPEN if one is open. */
SaleError sale_begin(Sale *s);

/*
 * Add qty of product p (borrowed; copied) as a new line; code is what was
 * typed. The line's number is in *line_no (may be NULL), counted from 1.
 * qty is int64_t so that a mistyped 100000 or 0 is refused, not truncated.
 */
SaleError sale_add(Sale *s, const Kassa__V1__Product *p, const char *code, int64_t qty,
		   size_t *line_no);

/*
 * Add qty of product p as a gift line (SaleLine.gift): price 0 in the
 * basket, the points it costs are the server's to decide at checkout.
 */
SaleError sale_add_gift(Sale *s, const Kassa__V1__Product *p, const char *code, int64_t qty,
			size_t *line_no);

/* Remove line line_no (from 1); the lines after it move up one number. */
SaleError sale_void_line(Sale *s, size_t line_no);

/* Set line line_no's quantity to qty (1..SALE_MAX_QTY). */
SaleError sale_set_qty(Sale *s, size_t line_no, int64_t qty);

/* Attach member m (borrowed; copied) to the open sale (replaces a phone). */
SaleError sale_set_member(Sale *s, const Kassa__V1__Member *m);

/*
 * Identify the member by phone (any usual notation; stored normalised),
 * for a sale made offline: the server finds the member when the sale is
 * replayed. SALE_BAD_PHONE if it is not a phone number.
 */
SaleError sale_set_member_phone(Sale *s, const char *phone);

/* Detach the member (by id or phone) and the points to redeem. */
SaleError sale_clear_member(Sale *s);

/*
 * Add a store-currency tender; ref may be NULL (cash). SALE_BAD_REFERENCE
 * for a ref over SALE_REF_MAX bytes or holding a card number (cardnum.h):
 * kassad refuses both, and offline the sale would be journaled with it.
 */
SaleError sale_pay(Sale *s, Kassa__V1__TenderKind kind, int64_t amount_minor, const char *ref);

/*
 * Add a foreign-currency cash or card tender: foreign_minor in currency's
 * minor units, converted to the store currency with rate_micro (store
 * units per unit x 1e6, version rate_version) and rounded down to the fen,
 * as the server converts. ref as for sale_pay(). SALE_BAD_CURRENCY for a
 * code that is not 3 upper-case letters, of unknown exponent, or a rate <= 0.
 */
SaleError sale_pay_foreign(Sale *s, Kassa__V1__TenderKind kind, const char *currency,
			   int64_t foreign_minor, int32_t rate_version, int64_t rate_micro,
			   const char *ref);

/* Remove tender tender_no (from 1); those after it move up one number. */
SaleError sale_void_tender(Sale *s, size_t tender_no);

/*
 * foreign_minor of currency in store minor units at rate_micro, rounded
 * down (as kassad converts); false on overflow, a rate <= 0 or above
 * SALE_MAX_RATE_MICRO, or a currency
 * whose minor-unit exponent is unknown. Exponents are ISO 4217's
 * (money_currency_exponent(): 0 for JPY, KRW, ..., 3 for KWD, ...); the
 * store currency's is SALE_STORE_EXPONENT.
 */
#define SALE_STORE_EXPONENT 2		/* CNY: fen */
#define SALE_MAX_RATE_MICRO 1000000000000000LL	/* a rate of 10^9, kassad's largest */
MUSTCHECK bool sale_convert(const char *currency, int64_t foreign_minor, int64_t rate_micro,
			    int64_t *store_minor);
/* The ISO 4217 minor-unit exponent of currency; -1 if unknown. */
int sale_currency_exponent(const char *currency);

/* Spend points on the sale (0 = none); the server checks steps, balance and cap. */
SaleError sale_redeem(Sale *s, int64_t points);

/*
 * Present a coupon code, or a claim code (the server claims it for the
 * member and applies it in the same checkout). Codes are kept as typed;
 * the same code twice is SALE_BAD_CODE.
 */
SaleError sale_coupon(Sale *s, const char *code);
/* Take back a presented code; SALE_BAD_CODE if it was not presented. */
SaleError sale_uncoupon(Sale *s, const char *code);

/* Sum of the lines; false on overflow (sale_add() refuses it, so never). */
MUSTCHECK bool sale_total(const Sale *s, int64_t *total);
/* Sum of the tenders; false on overflow (sale_pay() refuses it, so never). */
MUSTCHECK bool sale_tendered(const Sale *s, int64_t *tendered);
/* What is still to pay at the basket's prices (0 when covered). */
int64_t sale_due(const Sale *s);
/* The change to give: tendered beyond the total (0 when not covered). */
int64_t sale_change(const Sale *s);

/*
 * The Checkout for the sale, built in r, pointing into r and into s (valid
 * while neither changes): lines, member_id, tenders (with currency,
 * foreign_minor, rate_version), points_redeem and coupon_codes. sold_at,
 * receipt_no, member_phone, offline and sold_by are left empty for the
 * caller (till_finish()); the idempotency key is not part of it.
 */
typedef struct SaleRequest {
	Kassa__V1__Checkout co;
	Kassa__V1__SaleLine lines[SALE_MAX_LINES];
	Kassa__V1__SaleLine *linep[SALE_MAX_LINES];
	Kassa__V1__Tender tenders[SALE_MAX_TENDERS];
	Kassa__V1__Tender *tenderp[SALE_MAX_TENDERS];
} SaleRequest;
void sale_request_build(const Sale *s, SaleRequest *r);

/* ---- suspended sales (files in the state directory) ---- */

/* What sale_suspended_list() shows of one suspended sale. */
typedef struct SaleSuspended {
	int slot;			/* 1..SALE_MAX_SUSPENDED: what sale_resume() takes */
	int64_t suspended_at;		/* Unix seconds */
	size_t n_items;
	int64_t total_minor;
	int64_t member_id;
	char member_phone[20];
} SaleSuspended;

/*
 * Write the open sale to a free slot of state_dir (created if missing)
 * and close it; *slot (may be NULL) says which. SALE_EMPTY without lines,
 * SALE_HAS_TENDERS with tenders, SALE_SUSPEND_FULL, SALE_STORAGE.
 */
SaleError sale_suspend(Sale *s, const char *state_dir, int *slot);

/*
 * Reopen suspended sale slot (0 = the one suspended last) into s, which
 * must be closed or open and empty; its file is removed.
 */
SaleError sale_resume(Sale *s, const char *state_dir, int slot);

/* The suspended sales, oldest first, at most max of them; their count. */
size_t sale_suspended_list(const char *state_dir, SaleSuspended *out, size_t max);

/* A short machine name for e ("NO_SALE", "SALE_OPEN", ...). */
const char *sale_error_name(SaleError e);
/* What e means for the cashier, in the session's language (_()). */
const char *sale_error_message(SaleError e);

#endif
