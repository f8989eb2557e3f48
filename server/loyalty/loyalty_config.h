/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loyalty_config: configuring the loyalty engine through the protocol. loyalty_config.c holds
 * what the three parts share (the request hash, text checks, the statement
 * parameters every call sends); loyalty_config_rules.c saves and reads rule-set
 * versions, loyalty_config_coupons.c defines and issues coupons, loyalty_config_tier.c sets a
 * member's tier by hand. Each change is one SQL function of
 * migrations/functions/loyalty_config.sql: exactly once per idempotency key, and
 * audited in the same transaction.
 */
#ifndef KASSA_LOYALTY_CONFIG_H
#define KASSA_LOYALTY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#include "core.h"
#include "db.h"
#include "loyalty.h"
#include "sqltext.h"

/* The parameters every audited change sends first: $1 till, $2 staff, $3 key, $4 hash. */
typedef struct LoyaltyConfigParams {
	char till[24];
	char staff[24];
	SqlText hash;			/* owned: bytea literal of the request body's hash */
} LoyaltyConfigParams;

/* Register each part's statements; from loyalty_config_setup(). */
void loyalty_config_rules_setup(void);
void loyalty_config_coupons_setup(void);
void loyalty_config_tier_setup(void);

/*
 * Fill p for c: its till, its staff member and the hash of body (the
 * request's own message; the same key with another body is refused).
 * Free with loyalty_config_params_free().
 */
void loyalty_config_params_init(LoyaltyConfigParams *p, const Call *c, const ProtobufCMessage *body);
void loyalty_config_params_free(LoyaltyConfigParams *p);

/*
 * Characters (code points) in s, which must be valid UTF-8 (session.c has
 * checked every string of the request on arrival).
 */
size_t loyalty_config_text_chars(const char *s);

/* Does s hold a control character (below U+0020, or DEL)? */
bool loyalty_config_has_control(const char *s);

/* Is s "" or a calendar date "YYYY-MM-DD" (years 1900-9999)? */
bool loyalty_config_date_is_valid(const char *s);

#define COUPON_CLAIM_MAX 64
#define COUPON_DEF_NPARAMS 14

/*
 * A CouponDefine checked (the claim code normalised) and turned into the
 * parameters kassa_coupon_def_insert() takes after its id and staff: name,
 * kind, value, percent_bp, cap, item SKU, min_spend, valid_from, valid_to,
 * max_total, max_member, stackable, issue_on, claim code (the strings
 * borrow d and o). False after answering c INVALID_ARGUMENT. For
 * CouponDefine and CouponDefChange's replacement (coupon_change.c).
 */
typedef struct CouponDefParams {
	char claim[COUPON_CLAIM_MAX + 1], value[24], percent[16], cap[24], min_spend[24];
	char max_total[16], max_member[16];
	const char *p[COUPON_DEF_NPARAMS];
} CouponDefParams;
MUSTCHECK bool coupon_define_params(Call *c, const Kassa__V1__CouponDefine *d,
				    CouponDefParams *o);
/* A definition's claim code another one has: answered ALREADY_EXISTS CLAIM_CODE_TAKEN, true. */
bool coupon_claim_taken(Call *c, DbStatus st, const PGresult *res);

#endif
