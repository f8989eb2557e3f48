/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff.h: staff members as kassad sees them: Login with a staff id and a
 * PIN (argon2id, checked on a worker thread), which binds the staff member
 * and their role to the connection; the one PIN check behind it, which
 * other domains use for a manager's approval (loyalty's refunds) and which
 * locks a staff member out after too many wrong PINs in a row; and
 * StaffUnlock, a manager's or administrator's lifting of that lock.
 */
#ifndef KASSA_STAFF_H
#define KASSA_STAFF_H

#include <stdbool.h>

#include "core.h"

#define STAFF_PIN_MIN 4		/* digits */
#define STAFF_PIN_MAX 12

/*
 * Register the statements of the PIN check and of StaffUnlock and make the
 * dummy PIN hash; before db_setup().
 */
MUSTCHECK bool staff_setup(void);
void handle_login(Call *c);

/* ---- the PIN check (pin.c) ---- */

/* What a PIN is checked for: who may pass, and what the audit calls it. */
typedef enum PinPurpose {
	PIN_FOR_LOGIN = 0,	/* any active staff member of this store (or head office) */
	PIN_FOR_APPROVAL,	/* ... who is a manager or an administrator */
} PinPurpose;

typedef enum PinVerdict {
	PIN_ACCEPTED = 0,	/* the right PIN, not locked, and allowed for the purpose */
	PIN_REFUSED,		/* unknown staff id, wrong PIN, inactive, not allowed here */
	PIN_LOCKED,		/* allowed here but locked out (maybe by this very attempt) */
} PinVerdict;

typedef struct PinResult {
	PinVerdict verdict;
	int64_t staff_id;		/* the id that was checked */
	Role role;			/* when accepted */
	const char *name;		/* when accepted; borrowed for the callback */
	const char *locked_until;	/* PIN_LOCKED: "HH:MM" in the business zone, or "" */
} PinResult;

/* Answer of pin_check(); c is live, and the callback answers or hands it on. */
typedef void (*PinDoneFn)(Call *c, const PinResult *r);

/*
 * Check pin (STAFF_PIN_MIN..MAX digits; the caller has checked the form)
 * for staff_id on behalf of c, then call done(c, result) on the loop.
 * pin is copied and then wiped in place (it is the unpacked Request's);
 * the copy is wiped once hashed. Every attempt takes the same path, so
 * its time tells nothing: read the staff row, verify on a worker thread
 * (against a dummy hash if there is no usable row), then one guarded
 * UPDATE that resets the count of wrong PINs (right PIN) or adds to it
 * (wrong PIN; at [staff] lockout_failures it locks for lockout_seconds and
 * audits 'staff.lockout'). While locked even the right PIN is refused.
 * c must have no state yet: the check keeps its own there while it runs
 * and takes it back before done(c, ...), which may give c its own. If the
 * database fails or the worker queue is full, c is answered here; if c's
 * session goes away, c is freed here: in those cases done is not called.
 */
void pin_check(Call *c, int64_t staff_id, char *pin, PinPurpose purpose, PinDoneFn done);

/* ---- StaffUnlock (unlock.c) ---- */

/* Register the statement (staff_setup() calls it). */
void unlock_setup(void);
/* A manager of the staff member's store, or an administrator, lifts a lockout. */
void handle_staff_unlock(Call *c);

#endif
