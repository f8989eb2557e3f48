/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tillpriv: the part of a TillSession (till.h) only session.c,
 * checkout.c and replay.c see: the PIN of a cashier who logged in offline
 * (so the session can log them in once the server is back), who is logged
 * in on the current connection, the last automatic sync, the state files'
 * names, the one Checkout whose answer never came, and what opening the
 * journal set aside (shown to the person at the till once it is up).
 */
#ifndef KASSA_TILL_TILLPRIV_H
#define KASSA_TILL_TILLPRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "statefile.h"
#include "till.h"

#define TILL_IDENTITY_FILE "identity"		/* store and till from Welcome */
#define TILL_RECEIPT_FILE "receipt-counter"	/* the last receipt number used */
#define TILL_STAFF_PREFIX "staff-"		/* + staff id: the PIN verifier */
#define TILL_CALL_RETRIES 3			/* reconnect-and-resend per request */
#define TILL_PIN_MAX 64				/* longest PIN kept */
#define TILL_NOTICE_LEN (STATE_PATH_MAX + 256)	/* the journal notice with its path */

typedef struct TillPriv {
	SSL_CTX *ctx;			/* owned when till_open() built it, else NULL */
	char pin[TILL_PIN_MAX];		/* offline login: the PIN for the online Login */
	int64_t kc_staff;		/* staff kc_login()'d on kc, which kc_reconnect()
					 * logs in again (0 = none) */
	bool syncing;			/* till_sync() is running: no nested sync */
	bool have_sync;			/* last_sync not yet read by till_last_sync() */
	TillSyncReport last_sync;	/* the last automatic sync */
	char detail[64];		/* a detail string that outlives its response */
	/* the Checkout sent whose answer never came: resent with the same key */
	char uncertain_key[KC_KEY_LEN];	/* "" = none */
	char uncertain_receipt[TILL_RECEIPT_LEN];
	uint8_t *uncertain_body;	/* owned: the packed Checkout (without key) */
	size_t uncertain_len;
	/* what till_open() set aside from the journal (till_journal_notice()) */
	int journal_damaged;		/* records moved to the rejected file at start */
	char journal_notice[TILL_NOTICE_LEN];	/* for people, _(); "" = none */
} TillPriv;

/* The monotonic clock in milliseconds. */
int64_t till_now_ms(void);

/* Sync when records wait and someone is logged in (once back online). */
void till_auto_sync(TillSession *ts);

#endif
