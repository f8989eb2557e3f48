/* SPDX-License-Identifier: Apache-2.0 */
/*
 * itest: shortcuts the integration tests share on top of the harness and
 * the real client library: connect as a given till certificate, log a
 * staff member in, register a member with a fresh phone, make names unique
 * per run, give members points and stored value straight in PostgreSQL,
 * and read counts and the ledger invariants back to check what was written;
 * and start and stop a kassad of a test's own (a free port, overrides).
 */
#ifndef KASSA_ITEST_H
#define KASSA_ITEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

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
/*
 * One cash sale by kc of one fresh product (made here, SKU prefix) at
 * price_minor, to member_id (0 = none): its txn_id, or 0 + CHECK failure.
 */
int64_t it_cash_sale(Harness *h, KassaClient *kc, const char *prefix, int64_t member_id,
		     int64_t price_minor);
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
 * Wait (at most timeout_s) until kassad's stock fold has made every sale's
 * pending stock movement a ledger row (stock_pending empty: [stock]
 * fold_interval_ms is 200 ms in the test environment). False, as a CHECK
 * failure, if rows are still waiting then.
 */
bool it_stock_folded(Harness *h, int timeout_s);

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

/*
 * A kassad of the test's own, on the fixture's configuration and
 * certificates, listening on 127.0.0.1:port, its stdout and stderr in
 * dir/kassad.log.
 */
typedef struct ItKassad {
	pid_t pid;			/* 0 = not running */
	char port[16];
	char dir[64];			/* temporary directory for the log */
	char log[128];			/* dir/kassad.log */
} ItKassad;

/* A loopback port nobody listens on right now; false if none could be had. */
bool it_free_port(char out[16]);
/* In a child: setenv() each NAME=VALUE of env (NULL-terminated); _exit(127) on a bad one. */
void it_setenv_each(const char *const env[]);
/*
 * Start (do not wait for) h->kassad --config h->config with
 * KASSA_SERVER_LISTEN=127.0.0.1:k->port and then env's NAME=VALUE
 * overrides (NULL-terminated; NULL for none). With tmpl_dir
 * ("/tmp/kassa-NAME-XXXXXX") k->dir is made from it and k->port is a free
 * port; with NULL, k->dir and k->port must be set already. False on failure.
 */
bool it_kassad_spawn(Harness *h, ItKassad *k, const char *tmpl_dir, const char *const env[]);
/*
 * SIGTERM kassad and wait at most timeout_s for it (then SIGKILL); its exit
 * status, -1 if it did not exit normally in time (or was not running).
 */
int it_kassad_stop(ItKassad *k, int timeout_s);
/* Lines of k->log holding text; -1 if there is no log. */
int it_kassad_log_count(const ItKassad *k, const char *text);
/*
 * Connect as till `code` to k (127.0.0.1:k->port) with these timeouts (ms);
 * NULL with the reason in err (no CHECK: a test may poll until kassad is up).
 */
KassaClient *it_kassad_connect(Harness *h, const ItKassad *k, const char *code,
			       int connect_timeout_ms, int io_timeout_ms, char *err, size_t errlen);
/*
 * Copy k->log into $KASSA_TEST_ENV/kassad-logs/ (as kassad-BASENAME-OF-DIR.log)
 * for the suite's log privacy scan (server/test_log_privacy.sh), which does
 * not look in /tmp; nothing without KASSA_TEST_ENV or a log.
 */
void it_kassad_keep_log(const ItKassad *k);

#endif
