/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_org: the requests of stores, staff and PINs (store operations, part
 * "org"; proto/org.proto). Each builder fills a KcOrgReq (the Request,
 * its body and its idempotency key) from borrowed strings, for kc_call()
 * (kassa-office, tests) or till_call() (the till); each kc_org_* wrapper
 * is one kc_call(), *resp as for kc_call(). key: the idempotency key of a
 * change, NULL for a fresh one (r->key; a caller that retries passes the
 * same key again). The PINs are borrowed: the caller wipes them.
 */
#ifndef KASSA_KC_ORG_H
#define KASSA_KC_ORG_H

#include <stdint.h>

#include "kc_transport.h"

typedef struct KcOrgReq {
	Kassa__V1__Request req;
	union {
		Kassa__V1__StorePut store_put;
		Kassa__V1__StoreList store_list;
		Kassa__V1__StaffPut staff_put;
		Kassa__V1__StaffList staff_list;
		Kassa__V1__StaffPinReset staff_pin_reset;
		Kassa__V1__StaffPinChange staff_pin_change;
	} body;
	char key[KC_KEY_LEN];
} KcOrgReq;

/* StorePut *put (copied into r; its strings borrowed). */
void kc_org_req_store_put(KcOrgReq *r, const Kassa__V1__StorePut *put, const char *key);
void kc_org_req_store_list(KcOrgReq *r);
/* StaffPut *put (copied into r; its strings borrowed). */
void kc_org_req_staff_put(KcOrgReq *r, const Kassa__V1__StaffPut *put, const char *key);
/* The staff of store_id (0 = every store the caller may see). */
void kc_org_req_staff_list(KcOrgReq *r, int64_t store_id);
void kc_org_req_pin_reset(KcOrgReq *r, int64_t staff_id, const char *new_pin, const char *key);
void kc_org_req_pin_change(KcOrgReq *r, const char *old_pin, const char *new_pin,
			   const char *key);

/* Answered with StoreInfo / StoreRoster / StaffMember / StaffRoster. */
KcResult kc_store_put(KassaClient *kc, const Kassa__V1__StorePut *put, const char *key,
		      Kassa__V1__Response **resp);
KcResult kc_store_list(KassaClient *kc, Kassa__V1__Response **resp);
KcResult kc_staff_put(KassaClient *kc, const Kassa__V1__StaffPut *put, const char *key,
		      Kassa__V1__Response **resp);
KcResult kc_staff_list(KassaClient *kc, int64_t store_id, Kassa__V1__Response **resp);
KcResult kc_staff_pin_reset(KassaClient *kc, int64_t staff_id, const char *new_pin,
			    const char *key, Kassa__V1__Response **resp);
KcResult kc_staff_pin_change(KassaClient *kc, const char *old_pin, const char *new_pin,
			     const char *key, Kassa__V1__Response **resp);

#endif
