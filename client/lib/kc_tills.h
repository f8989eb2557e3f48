/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_tills: the requests of tills (store operations, part "tills"): head
 * office registers a till, office workstation or bench client by the CN of
 * its certificate (kassa-ca issue), moves it to another store, deactivates
 * or reactivates it (TillPut, an administrator), and lists them (TillList).
 * Each wrapper is one kc_call() (kc_transport.h); *resp as for kc_call();
 * strings are borrowed for the call. key is the idempotency key, NULL = a
 * fresh one. The server checks everything again.
 */
#ifndef KASSA_KC_TILLS_H
#define KASSA_KC_TILLS_H

#include <stdint.h>

#include "kc_transport.h"

/* What TillPut sets: 0 / NULL / KEEP fields keep what an existing till has. */
typedef struct KcTillPut {
	const char *code;		/* the certificate's CN */
	int64_t store_id;		/* 0: keep (a new till needs one) */
	const char *kind;		/* "till" | "office" | "bench"; NULL or "": keep */
	Kassa__V1__TillActive active;
} KcTillPut;

/* Register or change a till; answered with its TillInfo. */
KcResult kc_till_put(KassaClient *kc, const KcTillPut *t, const char *key,
		     Kassa__V1__Response **resp);
/* The tills of store_id (0: every store a caller may see); answered with a TillRoster. */
KcResult kc_till_list(KassaClient *kc, int64_t store_id, Kassa__V1__Response **resp);

#endif
