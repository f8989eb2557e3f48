/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_org.c: the requests of stores, staff and PINs (see kc_org.h).
 */
#include "kc_org.h"

#include <stdio.h>
#include <string.h>

#include "kassa_client.h"

/* An empty Request of case bc; a key (given or fresh) if it changes state. */
static void org_start(KcOrgReq *r, Kassa__V1__Request__BodyCase bc, bool change, const char *key)
{
	Kassa__V1__Request init = KASSA__V1__REQUEST__INIT;

	memset(r, 0, sizeof(*r));
	r->req = init;
	r->req.body_case = bc;
	if (!change)
		return;
	if (key != NULL)
		snprintf(r->key, sizeof(r->key), "%s", key);
	else
		kc_new_key(r->key);
	r->req.idempotency_key = r->key;
}

void kc_org_req_store_put(KcOrgReq *r, const Kassa__V1__StorePut *put, const char *key)
{
	org_start(r, KASSA__V1__REQUEST__BODY_STORE_PUT, true, key);
	r->body.store_put = *put;
	r->req.store_put = &r->body.store_put;
}

void kc_org_req_store_list(KcOrgReq *r)
{
	org_start(r, KASSA__V1__REQUEST__BODY_STORE_LIST, false, NULL);
	kassa__v1__store_list__init(&r->body.store_list);
	r->req.store_list = &r->body.store_list;
}

void kc_org_req_staff_put(KcOrgReq *r, const Kassa__V1__StaffPut *put, const char *key)
{
	org_start(r, KASSA__V1__REQUEST__BODY_STAFF_PUT, true, key);
	r->body.staff_put = *put;
	r->req.staff_put = &r->body.staff_put;
}

void kc_org_req_staff_list(KcOrgReq *r, int64_t store_id)
{
	org_start(r, KASSA__V1__REQUEST__BODY_STAFF_LIST, false, NULL);
	kassa__v1__staff_list__init(&r->body.staff_list);
	r->body.staff_list.store_id = store_id;
	r->req.staff_list = &r->body.staff_list;
}

void kc_org_req_pin_reset(KcOrgReq *r, int64_t staff_id, const char *new_pin, const char *key)
{
	org_start(r, KASSA__V1__REQUEST__BODY_STAFF_PIN_RESET, true, key);
	kassa__v1__staff_pin_reset__init(&r->body.staff_pin_reset);
	r->body.staff_pin_reset.staff_id = staff_id;
	r->body.staff_pin_reset.new_pin = (char *)new_pin;
	r->req.staff_pin_reset = &r->body.staff_pin_reset;
}

void kc_org_req_pin_change(KcOrgReq *r, const char *old_pin, const char *new_pin,
			   const char *key)
{
	org_start(r, KASSA__V1__REQUEST__BODY_STAFF_PIN_CHANGE, true, key);
	kassa__v1__staff_pin_change__init(&r->body.staff_pin_change);
	r->body.staff_pin_change.old_pin = (char *)old_pin;
	r->body.staff_pin_change.new_pin = (char *)new_pin;
	r->req.staff_pin_change = &r->body.staff_pin_change;
}

KcResult kc_store_put(KassaClient *kc, const Kassa__V1__StorePut *put, const char *key,
		      Kassa__V1__Response **resp)
{
	KcOrgReq r;

	kc_org_req_store_put(&r, put, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_store_list(KassaClient *kc, Kassa__V1__Response **resp)
{
	KcOrgReq r;

	kc_org_req_store_list(&r);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_staff_put(KassaClient *kc, const Kassa__V1__StaffPut *put, const char *key,
		      Kassa__V1__Response **resp)
{
	KcOrgReq r;

	kc_org_req_staff_put(&r, put, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_staff_list(KassaClient *kc, int64_t store_id, Kassa__V1__Response **resp)
{
	KcOrgReq r;

	kc_org_req_staff_list(&r, store_id);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_staff_pin_reset(KassaClient *kc, int64_t staff_id, const char *new_pin,
			    const char *key, Kassa__V1__Response **resp)
{
	KcOrgReq r;

	kc_org_req_pin_reset(&r, staff_id, new_pin, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_staff_pin_change(KassaClient *kc, const char *old_pin, const char *new_pin,
			     const char *key, Kassa__V1__Response **resp)
{
	KcOrgReq r;

	kc_org_req_pin_change(&r, old_pin, new_pin, key);
	return kc_call(kc, &r.req, resp);
}
