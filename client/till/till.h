/* SPDX-License-Identifier: Apache-2.0 */
/*
 * till: what every part of kassa-till shares. A TillConfig is what the
 * command line said; a TillSession is one running till: its connection to
 * kassad (absent while the server is unreachable), who is logged in, the
 * identity of store and till, the local catalogue and exchange-rate cache
 * and the offline journal in the state directory. The screen (screen/)
 * and the script mode (script/) both drive a Sale (sale.h) through a
 * TillSession; session.c owns going offline and back, offline/ the
 * journal, the cache and the replay, receipt/ the receipts.
 *
 * Offline: any request that cannot reach the server leaves the session
 * offline (till_online() false) without waiting more than the connect
 * timeout; the session then tries to reconnect at most every
 * TILL_RECONNECT_MS, and never on the caller's keystroke path for longer
 * than the connect timeout.
 */
#ifndef KASSA_TILL_TILL_H
#define KASSA_TILL_TILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kassa_client.h"
#include "kc_options.h"

#define TILL_RECONNECT_MS 5000		/* least time between reconnect attempts offline */
#define TILL_RECEIPT_LEN 48		/* a receipt number with its NUL */

/* What the command line and environment said. Everything is borrowed. */
typedef struct TillConfig {
	bool script;			/* --script: commands on stdin, JSON on stdout */
	const char *lang;		/* --lang zh_CN|en; NULL = from the locale */
	const char *state_dir;		/* --state-dir: journal, caches, counters */
	const char *receipt_dir;	/* --receipt-dir: receipts as files; NULL = none */
	const char *printer;		/* --printer: ESC/POS to this file or device; NULL = none */
	const char *printer_encoding;	/* --printer-encoding gb18030 (default) | utf8 */
} TillConfig;

struct Journal;
struct TillCache;

/* One running till. */
typedef struct TillSession {
	const TillConfig *cfg;
	KcOptions *opt;			/* borrowed: how to connect */
	KassaClient *kc;		/* NULL until the first connection succeeds */
	bool online;			/* the last attempt reached the server */
	int64_t next_try_ms;		/* offline: monotonic time of the next reconnect try */

	/* store and till, from Welcome; kept in the state dir for offline starts */
	int64_t store_id, till_id;
	char store_code[64], store_name[128], till_code[64], currency[4];

	/* the staff member logged in (staff_id 0 = nobody) */
	int64_t staff_id;
	char staff_name[128];
	char role[16];

	struct Journal *journal;	/* offline sales waiting to be replayed */
	struct TillCache *cache;	/* products and exchange rates by version */
	struct TillPriv *priv;		/* owned: session.c's own state (PIN kept for an
					 * offline login, the last automatic sync, ...) */
} TillSession;

/*
 * Open the session: create or read the state directory (refused when it
 * cannot be written), load the cache and the journal (a corrupt record is
 * set aside, never dropped), and try once to connect. Being unable to
 * reach the server is not an error: the session starts offline. False
 * with err filled only when the till cannot work at all (bad certificate
 * files, unusable state directory).
 */
MUSTCHECK bool till_open(TillSession *ts, const TillConfig *cfg, KcOptions *opt, char *err,
			 size_t errlen);
void till_close(TillSession *ts);

/*
 * What till_open() set aside from the journal (damaged or torn records,
 * moved with the reason and their raw bytes into the rejected file): the
 * count in *damaged (0 = nothing), and a message for the person at the
 * till in the chosen language naming that file, or NULL when nothing was
 * set aside. The screen shows it once it is up; script mode's status
 * reports it.
 */
const char *till_journal_notice(const TillSession *ts, int *damaged);

/*
 * True when connected; offline, first tries to reconnect when
 * TILL_RECONNECT_MS has passed since the last try (bounded by the connect
 * timeout).
 */
bool till_online(TillSession *ts);

/*
 * kc_call() over the session: offline answers KC_ERR_IO at once (after
 * till_online()'s attempt); a lost connection turns the session offline.
 */
KcResult till_call(TillSession *ts, Kassa__V1__Request *req, Kassa__V1__Response **resp);

/*
 * Log staff_id in with pin. Online: a Login request; on success the PIN's
 * verifier (argon2id, libsodium) is kept in the state dir so the same
 * person can log in on this till while it is offline. Offline: checked
 * against that verifier. *detail is a machine code on failure
 * (BAD_CREDENTIALS, STAFF_LOCKED, OFFLINE_UNKNOWN_STAFF, ...).
 */
MUSTCHECK bool till_login(TillSession *ts, int64_t staff_id, const char *pin,
			  const char **detail);
void till_logout(TillSession *ts);

/*
 * A product by SKU or barcode: online from the server (and into the
 * cache), offline from the cache. NULL = not found (or, online, the server
 * failed; *detail says which). The result is owned by the cache/session
 * and valid until the next call.
 */
const Kassa__V1__Product *till_product(TillSession *ts, const char *code, const char **detail);

/* The next receipt number "<till code>-<n>", durable before it is used. */
MUSTCHECK bool till_next_receipt(TillSession *ts, char out[TILL_RECEIPT_LEN]);

struct Sale;

/* How a finished sale ended. */
typedef struct TillFinish {
	bool offline;			/* journaled (fsync'd), not yet on the server */
	Kassa__V1__Transaction *txn;	/* online: the server's; offline: the till's own
					 * pricing at list price (txn_id 0) */
	Kassa__V1__Response *resp;	/* owned: the response txn points into (online) */
	char receipt_no[TILL_RECEIPT_LEN];
	char key[KC_KEY_LEN];		/* the sale's idempotency key */
	/* the sale's member as the receipt shows it ("" = anonymous) */
	char member_name[128];
	char member_phone_masked[32];
	char member_tier[64];
} TillFinish;

/*
 * Finish the open sale s: online, a Checkout (receipt number and key
 * assigned here, resent with the same key after a dropped connection);
 * when the server cannot be reached, or the session is offline, the sale
 * is written to the journal (fsync before this returns) and finishes
 * offline, if it can: cash and card tenders only, no points, coupons or
 * stored value (else OFFLINE_NOT_ALLOWED). On success s is reset and
 * *out filled (free with till_finish_free()). On failure s stays open and
 * *detail / msg say why: the server's Status detail and message, or the
 * till's own (NOT_ENOUGH_TENDERED, OFFLINE_NOT_ALLOWED, JOURNAL_FAILED).
 */
MUSTCHECK bool till_finish(TillSession *ts, struct Sale *s, TillFinish *out,
			   const char **detail, char *msg, size_t msglen);
void till_finish_free(TillFinish *f);

/*
 * Ask the server to price the open sale s (member, coupons, claim codes,
 * points) without recording it: *resp carries the Transaction it would
 * make (txn_id 0). As till_call(): offline answers KC_ERR_IO at once.
 */
KcResult till_quote(TillSession *ts, const struct Sale *s, Kassa__V1__Response **resp);

struct ReceiptInfo;

/*
 * The receipt of finished sale f at this till (store, till, cashier,
 * member, offline; reprint marks a copy): r borrows from ts and f.
 */
void till_receipt_info(const TillSession *ts, const TillFinish *f, bool reprint,
		       struct ReceiptInfo *r);

/*
 * Keep f's receipt as the configuration says (receipt_save(): files in
 * --receipt-dir, ESC/POS to --printer in --printer-encoding). False with
 * err filled when a file or the printer did not take it.
 */
MUSTCHECK bool till_receipt_save(const TillSession *ts, const TillFinish *f, bool reprint,
				 char *err, size_t errlen);

/* What a synchronisation did. */
typedef struct TillSyncReport {
	/*
	 * journaled sales the server has now: recorded by this replay, or
	 * earlier under the same key (its answer is the same either way)
	 */
	int replayed;
	int rejected;			/* set aside with the server's reason */
	int pending;			/* still waiting (the server went away again) */
	int products;			/* catalogue entries updated */
	int32_t rate_version;		/* exchange-rate version now cached */
	int feedback;			/* journaled ratings the server accepted now */
} TillSyncReport;

/*
 * Replay the journal in order (each sale with its own idempotency key and
 * time), then bring the catalogue and rates up to date. False when the
 * server is unreachable (rep says how far it got).
 */
bool till_sync(TillSession *ts, TillSyncReport *rep);

/*
 * The report of the synchronisation the session made by itself when it
 * came back online (till_online() noticing a reconnect, or a login while
 * journal records wait). True once per such sync, with *rep filled; false
 * when none happened since the last call.
 */
bool till_last_sync(TillSession *ts, TillSyncReport *rep);

/* How feedback ended (till_feedback()). */
typedef struct TillFeedbackResult {
	bool offline;			/* journaled (fsync'd): sent after its sale at the
					 * next sync */
	int64_t feedback_id;		/* online: the server's (0 offline) */
	int64_t txn_id;			/* online: the sale it was recorded against */
	char key[KC_KEY_LEN];		/* the Feedback's own idempotency key */
	const char *code;		/* on failure: the status code's name (the
					 * server's, or INVALID_ARGUMENT, ...) */
} TillFeedbackResult;

/*
 * Record the customer's rating (1-5) and comment (NULL = none) of the sale
 * txn_id, or, when that is 0 (an offline sale has no txn_id yet), of the
 * sale with receipt_no. Online with nothing waiting in the journal: a
 * Feedback request. Offline, or while journaled records wait (the sale
 * may be one of them), or when the request got no answer: a Feedback
 * request with its own key is appended to the journal (fsync'd) and sent
 * after the sale by the replay (till_sync()). False with *detail and msg
 * (BAD_RATING, BAD_SALE, NOT_LOGGED_IN, JOURNAL_FAILED, or the server's
 * refusal); *out is filled on success.
 */
MUSTCHECK bool till_feedback(TillSession *ts, const char *receipt_no, int64_t txn_id,
			     int32_t rating, const char *comment, TillFeedbackResult *out,
			     const char **detail, char *msg, size_t msglen);

/* Records waiting in the journal, and entries in the rejected file. */
size_t till_pending(const TillSession *ts);
size_t till_rejected(const TillSession *ts);

#endif
