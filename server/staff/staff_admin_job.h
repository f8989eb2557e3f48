/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_admin_job.h: what staff_admin.c (StaffPut, StaffList) and
 * staff_admin_pin.c (StaffPinReset, StaffPinChange) share: the form of a
 * PIN, hashing a new one off the loop, the parameters every call of their
 * SQL functions begins with, and the StaffMember answer.
 */
#ifndef KASSA_STAFF_ADMIN_JOB_H
#define KASSA_STAFF_ADMIN_JOB_H

#include <stdbool.h>

#include "core.h"
#include "db.h"
#include "sqltext.h"

/* Register staff_admin_pin.c's statements (staff_admin_setup() calls it). */
void staff_admin_pin_setup(void);

/* True if pin is STAFF_PIN_MIN..STAFF_PIN_MAX digits. */
bool staff_admin_pin_form(const char *pin);

/* Called on the loop with the argon2id hash of the PIN; c is live. */
typedef void (*StaffHashedFn)(Call *c, const char *hash);
/*
 * Hash pin (copied, then wiped in place) with the tree's argon2id
 * parameters on a worker thread, then next(c, hash) on the loop. c must
 * have no state: the job is its state until c is answered (or freed, if
 * the session goes, the queue is full or memory runs out: next is then
 * not called and c has been answered or freed).
 */
void staff_admin_hash_pin(Call *c, char *pin, StaffHashedFn next);

/* The leading parameters: till, caller, caller is admin, till's store, key, hash. */
typedef struct StaffAdminParams {
	char till[24], caller[24], store[24];
	const char *admin;		/* "t" or "f" */
	SqlText hash;			/* of the body with its PINs blanked (the caller's copy) */
} StaffAdminParams;

/* Fill p for c, hashing body (PIN fields already blanked by the caller). */
void staff_admin_params(StaffAdminParams *p, const Call *c, const ProtobufCMessage *body);
void staff_admin_params_free(StaffAdminParams *p);

/*
 * Answer c with the StaffMember of row 0 of res (kassa_staff_row()'s
 * columns, then created), or INTERNAL if there is none.
 */
void staff_admin_reply_member(Call *c, const PGresult *res, bool with_created);
/* Row i of res as a StaffMember (strings borrow res). */
void staff_admin_member_of(Kassa__V1__StaffMember *m, const PGresult *res, int i);

#endif
