/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loyalty.h: what the loyalty engine offers the rest of kassad: the
 * handlers for sales (checkout and quote), transactions, refunds, stored-
 * value top-ups, the loyalty jobs and loyalty configuration, with their
 * set-up. The pure pricing arithmetic is in rules.h, the rule set in
 * ruleset.h and ruleset_cache.h.
 */
#ifndef KASSA_LOYALTY_H
#define KASSA_LOYALTY_H

#include "core.h"

/* Register each part's prepared statements; before db_setup(). */
void checkout_setup(void);
void txn_setup(void);
void refund_setup(void);
void topup_setup(void);
void jobs_setup(void);
void loyalty_config_setup(void);
/*
 * Arm the periodic loyalty jobs (points expiry, tier re-evaluation, birthday
 * coupons, count-card expiry).
 */
void jobs_start(void);
void jobs_stop(void);

/*
 * Run the count-card expiry now for c, a JobRun "card_expire" (crm.c's
 * table of jobs; admin): answered with JobDone (examined: the cards it
 * took, changed: the cards expired), exactly once per idempotency key.
 */
void jobs_card_expire_run(Call *c);

/*
 * Answer c with the Transaction described by json (the text that
 * kassa_txn_json() builds in the database). INTERNAL if it does not parse.
 */
void txn_reply_json(Call *c, const char *json);

struct json_t;
/*
 * Fill *t from root, one sale's object of kassa_txn_json() (usable coupons
 * from doc's "usable_coupons", if any). Strings are borrowed from the JSON,
 * which must outlive *t; free what is allocated with txn_pb_clear(). No
 * role check: the caller decides who may see the sale.
 */
void txn_pb_from_json(struct json_t *root, struct json_t *doc, Kassa__V1__Transaction *t);
void txn_pb_clear(Kassa__V1__Transaction *t);

#define TXN_RECEIPT_NO_MAX 40	/* a till's receipt number: 1-40 of [A-Za-z0-9-] */

/* Whether s is a well-formed receipt number (txn.c). */
bool txn_receipt_no_ok(const char *s);

void handle_checkout(Call *c);		/* checkout.c */
void handle_transaction_get(Call *c);	/* txn.c */
void handle_refund(Call *c);		/* refund.c */
void handle_top_up(Call *c);		/* topup.c */
void handle_points_expire(Call *c);	/* jobs.c */
void handle_tier_reevaluate(Call *c);
void handle_rule_set_get(Call *c);	/* loyalty_config_rules.c */
void handle_rule_set_put(Call *c);
void handle_coupon_define(Call *c);	/* loyalty_config_coupons.c */
void coupon_change_setup(void);
void handle_coupon_def_change(Call *c);	/* coupon_change.c */
void points_adjust_setup(void);
void handle_points_adjust(Call *c);	/* points_adjust.c */
void handle_coupon_issue(Call *c);
void handle_tier_set(Call *c);		/* loyalty_config_tier.c */

#endif
