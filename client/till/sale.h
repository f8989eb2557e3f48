/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sale: the till's basket, independent of how the cashier drives it. The
 * script mode (script.c) and the later full-screen UI both build a Sale:
 * begin, add lines priced from product look-ups, attach a member, take
 * tenders, then check out. The server prices the sale again and is the
 * authority; the basket's own prices only show the cashier what is due.
 * A gift line (taken from the gift catalogue for points) is kept at price
 * 0; the server says what it cost in points.
 *
 * Checkout is exactly-once: sale_checkout() makes one idempotency key per
 * attempt to finish, and the client library resends the same request (same
 * key) after a dropped connection, so a retried sale is recorded once.
 */
#ifndef KASSA_TILL_SALE_H
#define KASSA_TILL_SALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kassa_client.h"

#define SALE_MAX_LINES 500		/* as the server's RULES_MAX_LINES */
#define SALE_MAX_TENDERS 16
#define SALE_MAX_QTY 100000		/* as the server's RULES_MAX_QTY */
#define SALE_MAX_COUPONS 8		/* as the server's CHECKOUT_MAX_COUPONS */

typedef struct SaleItem {
	char *code;			/* owned: what the cashier typed/scanned */
	int64_t product_id;
	char *sku;			/* owned */
	char *name;			/* owned */
	int32_t quantity;		/* >= 1 */
	int64_t unit_minor;		/* price from the look-up */
	int64_t line_minor;		/* unit_minor * quantity */
	bool gift;			/* from the gift catalogue: price 0, paid in points */
} SaleItem;

typedef struct SaleTender {
	Kassa__V1__TenderKind kind;	/* cash, card, e-wallet */
	int64_t amount_minor;		/* > 0 */
	char *reference;		/* owned; "" for cash */
} SaleTender;

typedef struct Sale {
	bool open;			/* between begin and finish/cancel */
	SaleItem items[SALE_MAX_LINES];	/* items[0..n_items) are in use */
	size_t n_items;
	SaleTender tenders[SALE_MAX_TENDERS];
	size_t n_tenders;
	int64_t member_id;		/* 0 = anonymous */
	Kassa__V1__Member *member;	/* owned copy of the member shown, or NULL */
	int64_t points_redeem;		/* points the member spends on this sale */
	char *coupons[SALE_MAX_COUPONS];	/* owned: codes the member presents */
	size_t n_coupons;
	char key[KC_KEY_LEN];		/* idempotency key of the last finish attempt */
} Sale;

typedef enum SaleError {
	SALE_OK = 0,			/* done */
	SALE_NOT_OPEN,			/* no sale begun */
	SALE_ALREADY_OPEN,		/* begin while a sale is open */
	SALE_TOO_MANY,			/* line or tender limit reached */
	SALE_BAD_QUANTITY,		/* quantity outside 1..SALE_MAX_QTY */
	SALE_BAD_AMOUNT,		/* amount <= 0 or totals overflow */
	SALE_EMPTY,			/* finish without lines */
} SaleError;

/* Initialise an unused Sale (closed, empty). */
void sale_init(Sale *s);
/* Drop everything and close the sale (cancel, or after a checkout). */
void sale_reset(Sale *s);

/* Open a new sale; SALE_ALREADY_OPEN if one is open. */
SaleError sale_begin(Sale *s);

/*
 * Add qty of product p (borrowed; copied) as a new line; code is what was
 * typed. The line's index is in *line_no (may be NULL), counted from 1.
 */
SaleError sale_add(Sale *s, const Kassa__V1__Product *p, const char *code, int32_t qty,
		   size_t *line_no);

/*
 * Add qty of product p as a gift line (SaleLine.gift): price 0 in the
 * basket, the points it costs are the server's to decide at checkout.
 */
SaleError sale_add_gift(Sale *s, const Kassa__V1__Product *p, const char *code, int32_t qty,
			size_t *line_no);

/* Attach member m (borrowed; copied) to the open sale. */
SaleError sale_set_member(Sale *s, const Kassa__V1__Member *m);

/* Add a tender; ref may be NULL (cash). */
SaleError sale_pay(Sale *s, Kassa__V1__TenderKind kind, int64_t amount_minor, const char *ref);

/* Spend points on the sale (0 = none); the server checks steps, balance and cap. */
SaleError sale_redeem(Sale *s, int64_t points);
/* Present a coupon code. */
SaleError sale_coupon(Sale *s, const char *code);

/* Sum of the lines; false on overflow. */
MUSTCHECK bool sale_total(const Sale *s, int64_t *total);
/* Sum of the tenders; false on overflow. */
MUSTCHECK bool sale_tendered(const Sale *s, int64_t *tendered);

/*
 * Send the sale as a Checkout with a fresh idempotency key (left in
 * s->key). The library's retry setting decides how often a dropped
 * connection is re-established and the same request resent. On an OK
 * answer the sale is reset; otherwise it stays open so the cashier can fix
 * it (add a tender) and finish again. *resp as for kc_call().
 */
KcResult sale_checkout(Sale *s, KassaClient *kc, Kassa__V1__Response **resp);

/*
 * Ask the server to price the open sale (member, coupons, points) without
 * recording it: *resp carries the Transaction it would make (txn_id 0).
 */
KcResult sale_quote(const Sale *s, KassaClient *kc, Kassa__V1__Response **resp);

/* A short machine name for e ("NO_SALE", "SALE_OPEN", ...). */
const char *sale_error_name(SaleError e);

#endif
