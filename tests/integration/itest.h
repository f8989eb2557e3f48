/* SPDX-License-Identifier: Apache-2.0 */
/*
 * itest: shortcuts the integration tests share on top of the harness and
 * the real client library: connect as a given till certificate, log a
 * staff member in, register a member with a fresh phone, make names unique
 * per run, give members points and stored value straight in PostgreSQL,
 * and read counts and the ledger invariants back to check what was written.
 */
#ifndef KASSA_ITEST_H
#define KASSA_ITEST_H

#include <stdbool.h>
#include <stdint.h>

#include "harness.h"
#include "kassa_client.h"

/* Connect with the certificate of till `code` (e.g. "S001-T1"); NULL + CHECK failure. */
KassaClient *it_connect(Harness *h, const char *code);
/* it_connect() then log staff_id in with pin; NULL on any failure. */
KassaClient *it_login(Harness *h, const char *code, int64_t staff_id, const char *pin);
/* The usual cashier at store S001. */
KassaClient *it_cashier(Harness *h);

/* A phone number no other test uses ("+86137" + 8 digits from pid, time, counter). */
void it_fresh_phone(char out[32]);
/* Register a member with a fresh phone; returns its id (0 on failure). */
int64_t it_register(Harness *h, KassaClient *kc, const char *name, char phone_out[32]);

/* SELECT returning one bigint; INT64_MIN on failure. */
int64_t it_sql_int(Harness *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run formatted SQL (any statements, no result wanted); false + CHECK failure if it fails. */
bool it_sqlf(Harness *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A name no other run uses: prefix, "-", pid, time and a counter ("CPN-4711-1718000000-3"). */
void it_fresh_name(const char *prefix, char out[64]);
/* it_register(), then put the member in tier (unless "Regular"); 0 + CHECK failure. */
int64_t it_register_tier(Harness *h, KassaClient *kc, const char *name, const char *tier);

/*
 * Set-up straight into the database, as a manager's adjustment or a
 * top-up would write it, keeping the ledger invariants below; false + CHECK
 * failure if the member does not exist or the SQL fails. Safe from several
 * threads and against a running kassad: each is one statement that holds
 * the row it changes (the member's, or the wallet's) while it writes.
 *
 * it_give_points: an 'adjust' ledger row of points (> 0), the balance, and a
 * lot expiring expires_days from today (negative: already past due). Like
 * any earning, the points first repay a debt: the lot holds only what is
 * left above zero.
 * it_give_wallet: a 'topup' wallet ledger row and the wallet (made if need be).
 */
bool it_give_points(Harness *h, int64_t member_id, int64_t points, int expires_days);
bool it_give_wallet(Harness *h, int64_t member_id, int64_t amount_minor);

/*
 * Check the ledger invariants of migrations/0003_loyalty.sql for one member,
 * as CHECK failures of the running test: points balance = sum of its points
 * ledger; sum of its lots' remaining = greatest(balance, 0); its wallet, if
 * any, = sum of its wallet ledger and >= 0. True if all hold.
 */
bool it_check_ledgers(Harness *h, int64_t member_id);

/*
 * What sales, refunds and top-ups write, base-wide: row counts and balance
 * sums. Take one before and one after a refused request to prove that it
 * wrote nothing (it_same_counts).
 */
typedef struct ItCounts {
	int64_t txns, lines, tenders, ledger, idem, wallet_ledger;	/* rows */
	int64_t points, spend, wallets;		/* sums over members and wallets */
} ItCounts;

ItCounts it_counts(Harness *h);
bool it_same_counts(ItCounts a, ItCounts b);

/* Compare two responses' packed bytes (ignoring request ids). */
bool it_same_response(const Kassa__V1__Response *a, const Kassa__V1__Response *b);

#endif
