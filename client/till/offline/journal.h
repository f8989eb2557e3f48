/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journal: the till's offline sales, durable before the receipt prints.
 * The file "journal" in the state directory is append-only: each record is
 * a header (magic "KJR1", 4-byte big-endian payload length, 32-byte
 * crypto_generichash of length and payload) and the payload, which is the
 * packed Request the replay sends: a Checkout (idempotency key, sold_at,
 * receipt number, sold_by) or the Feedback given after an offline sale
 * (its own key, the sale named by receipt number), in the order they
 * happened. journal_append() writes and fsyncs one record before it
 * returns.
 *
 * Opening the journal reads it whole and keeps the good records in memory,
 * in order. Whatever cannot be believed is never dropped silently: a torn
 * last record (kill -9 or power loss mid-write) and any record whose
 * checksum is wrong are first copied into the "rejected" file, one JSON
 * object per line with the reason and the raw bytes (base64), fsync'd; only
 * then is the journal rewritten (atomically) without them. Records the
 * server refuses on replay go to the same file with the server's detail
 * and message (journal_reject()). journal_compact() rewrites the journal
 * atomically with only the records not yet done.
 *
 * Bounds: JOURNAL_MAX_RECORD bytes per record, JOURNAL_MAX_RECORDS records.
 */
#ifndef KASSA_TILL_JOURNAL_H
#define KASSA_TILL_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "statefile.h"

#define JOURNAL_FILE "journal"			/* in the state directory */
#define JOURNAL_REJECTED_FILE "rejected"	/* set-aside records, JSON lines */
#define JOURNAL_MAX_RECORD (4u * 1024u * 1024u)	/* bytes of one payload */
#define JOURNAL_MAX_RECORDS 100000		/* records waiting at once */
#define JOURNAL_HEADER 40u			/* magic + length + hash */

/* One record held in memory. */
typedef struct JournalRecord {
	uint8_t *data;			/* owned: the payload */
	size_t len;
} JournalRecord;

typedef struct Journal {
	char dir[STATE_PATH_MAX];	/* the state directory */
	int fd;				/* the journal, open for appending */
	JournalRecord *recs;		/* owned: recs[0..n) in file order */
	size_t n, cap;
	int set_aside;			/* records/tails moved to "rejected" by open */
	int torn;			/* ... of which a torn last record (0 or 1) */
	int rejected;			/* entries in the rejected file (lines) */
} Journal;

/*
 * Open (creating if needed) the journal of state directory dir; recover
 * from a torn tail and set aside damaged records as described above (a
 * warning on stderr says how many). NULL with err filled when the file
 * cannot be read or written.
 */
Journal *journal_open(const char *dir, char *err, size_t errlen);

/* Close and free j (NULL is a no-op). */
void journal_close(Journal *j);

/*
 * Append payload[0..len) as one record and fsync it. False with err filled
 * (the file is cut back to where it was, so no half record stays).
 */
MUSTCHECK bool journal_append(Journal *j, const void *payload, size_t len, char *err,
			      size_t errlen);

/*
 * Set a record aside into the rejected file (fsync'd) with the reason
 * (detail, a machine code, and message, for people; either may be NULL).
 * The payload is kept whole (base64); when it decodes as a Checkout or
 * Feedback request its receipt number and key are written too. Does not change the
 * journal: journal_compact() drops the record afterwards.
 */
MUSTCHECK bool journal_reject(Journal *j, const void *payload, size_t len, const char *detail,
			      const char *message, char *err, size_t errlen);

/*
 * Rewrite the journal atomically keeping only the records i with
 * done[i] false (done has j->n entries), and the same in memory.
 */
MUSTCHECK bool journal_compact(Journal *j, const bool *done, char *err, size_t errlen);

/* Encode one record (header + payload) into out (JOURNAL_HEADER + len bytes). */
void journal_encode(uint8_t *out, const void *payload, size_t len);

#endif
