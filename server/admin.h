/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin: configuring the loyalty engine through the protocol. admin.c holds
 * what the three parts share (the request hash, text checks, the statement
 * parameters every call sends); admin_rules.c saves and reads rule-set
 * versions, admin_coupons.c defines and issues coupons, admin_tier.c sets a
 * member's tier by hand. Each change is one SQL function of
 * migrations/0007_loyalty_admin.sql: exactly once per idempotency key, and
 * audited in the same transaction.
 */
#ifndef KASSA_ADMIN_H
#define KASSA_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#include "server.h"
#include "sqltext.h"

/* The parameters every audited change sends first: $1 till, $2 staff, $3 key, $4 hash. */
typedef struct AdminParams {
	char till[24];
	char staff[24];
	SqlText hash;			/* owned: bytea literal of the request body's hash */
} AdminParams;

/* Register each part's statements; from admin_setup(). */
void admin_rules_setup(void);
void admin_coupons_setup(void);
void admin_tier_setup(void);

/*
 * Fill p for c: its till, its staff member and the hash of body (the
 * request's own message; the same key with another body is refused).
 * Free with admin_params_free().
 */
void admin_params_init(AdminParams *p, const Call *c, const ProtobufCMessage *body);
void admin_params_free(AdminParams *p);

/*
 * Characters (code points) in s, which must be valid UTF-8 (session.c has
 * checked every string of the request on arrival).
 */
size_t admin_text_chars(const char *s);

/* Does s hold a control character (below U+0020, or DEL)? */
bool admin_has_control(const char *s);

/* Is s "" or a calendar date "YYYY-MM-DD" (years 1900-9999)? */
bool admin_date_is_valid(const char *s);

#endif
