/* SPDX-License-Identifier: Apache-2.0 */
/*
 * complaint_state.h: the rules of complaints, pure (no I/O, no clock):
 * the statuses and which may follow which, the categories, what a
 * description may be, and the low-rating rule that makes a Feedback open
 * a complaint. complaint.c and feedback.c decide with these; the SQL of
 * functions/complaints.sql only guards and persists.
 *
 * The moves (from -> to):
 *   open        -> in_progress, resolved, rejected
 *   in_progress -> open (back to the queue), resolved, rejected
 *   resolved    -> open (a reopen; needs a note)
 *   rejected    -> open (a reopen; needs a note)
 * A move to resolved or rejected needs a note. Keeping the status (no
 * move) is always allowed, to change the owner or add a note; anything
 * else is BAD_TRANSITION.
 */
#ifndef KASSA_COMPLAINT_STATE_H
#define KASSA_COMPLAINT_STATE_H

#include <stdbool.h>

#define COMPLAINT_TEXT_MAX 1000		/* description and note, characters */

typedef enum ComplaintStatus {
	CS_INVALID = -1,
	CS_OPEN = 0,
	CS_IN_PROGRESS,
	CS_RESOLVED,
	CS_REJECTED,
} ComplaintStatus;

typedef enum ComplaintMove {
	CM_OK = 0,			/* allowed */
	CM_BAD_TRANSITION,		/* never from this status to that one */
	CM_NOTE_REQUIRED,		/* allowed with a note only */
} ComplaintMove;

/* The status named s ("open", ...), CS_INVALID for anything else. */
ComplaintStatus complaint_status_parse(const char *s);
/* The machine word of st ("" for CS_INVALID). */
const char *complaint_status_name(ComplaintStatus st);
/* May a complaint go from `from` to `to` (the same: no move), with or without a note? */
ComplaintMove complaint_move_check(ComplaintStatus from, ComplaintStatus to, bool has_note);
/* True for the categories: product, service, price, queue, other. */
bool complaint_category_is_valid(const char *s);
/*
 * A description or note: UTF-8 text of at most max characters, without
 * control characters but line breaks and tabs; non-empty unless
 * may_be_empty.
 */
bool complaint_text_is_valid(const char *s, unsigned max, bool may_be_empty);
/* The low-rating rule: does a rating open a complaint ([crm] complaint_rating_max, 0 = off)? */
bool complaint_rating_opens(int rating, int rating_max);

#endif
