/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_clock: the requests of staff time, clock in and out (store operations,
 * part "clock"). Each wrapper is one kc_call() (kc_transport.h); the
 * builders fill a KcClockReq so that the till's script sends the very same
 * message through its session (till_call() takes &q.r).
 */
#ifndef KASSA_KC_CLOCK_H
#define KASSA_KC_CLOCK_H

#include "kc_req.h"
#include "kc_transport.h"

/* A clock request ready to send (q.r.req) and the body it points at. */
typedef struct KcClockReq {
	KcReq r;			/* r.req is what kc_call() / till_call() take */
	union {
		Kassa__V1__ClockIn in;
		Kassa__V1__ClockOut out;
		Kassa__V1__ClockList list;
	} body;
} KcClockReq;

/*
 * Build ClockIn / ClockOut for staff_id (the one logged in) with key, or a
 * fresh key kept in q->r.key when key is NULL. Nothing to free.
 */
void kc_req_clock_in(KcClockReq *q, int64_t staff_id, const char *key);
void kc_req_clock_out(KcClockReq *q, int64_t staff_id, const char *key);
/*
 * Build ClockList: staff_id and store_id 0 = not given, week "YYYY-Www" or
 * NULL for this week, shift_id non-zero for that shift's staff instead.
 * week is borrowed.
 */
void kc_req_clock_list(KcClockReq *q, int64_t staff_id, int64_t store_id, const char *week,
		       int64_t shift_id);

/* Clock staff_id in at this till. Answered with a ClockRecord. */
KcResult kc_clock_in(KassaClient *kc, int64_t staff_id, const char *key,
		     Kassa__V1__Response **resp);
/* Clock staff_id out. Answered with a ClockRecord. */
KcResult kc_clock_out(KassaClient *kc, int64_t staff_id, const char *key,
		      Kassa__V1__Response **resp);
/* A week's clock records and hours, or a shift's staff. Answered with a ClockPage. */
KcResult kc_clock_list(KassaClient *kc, int64_t staff_id, int64_t store_id, const char *week,
		       int64_t shift_id, Kassa__V1__Response **resp);

#endif
