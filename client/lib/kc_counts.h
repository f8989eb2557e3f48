/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_counts: the requests of stock counts (CountOpen, CountScan, CountGet,
 * CountPost) and transfers (TransferSend, TransferReceive, TransferGet,
 * TransferList), store operations part "counts". A KcCountReq holds one
 * request and what it points into; kc_count_req_X() fills it, so that
 * kassa-office (kc_call()) and the till (till_call()) send the very same
 * messages. Strings passed in are borrowed and must outlive the call. A
 * change takes key, its idempotency key: NULL puts a fresh one in r->key.
 * The JSON forms are what both clients print.
 */
#ifndef KASSA_KC_COUNTS_H
#define KASSA_KC_COUNTS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "kc_transport.h"

#define KC_TRANSFER_ITEMS_MAX 32

typedef struct KcCountReq {
	Kassa__V1__Request req;
	union {
		Kassa__V1__CountOpen open;
		Kassa__V1__CountScan scan;
		Kassa__V1__CountGet get;
		Kassa__V1__CountPost post;
		Kassa__V1__TransferSend send;
		Kassa__V1__TransferReceive receive;
		Kassa__V1__TransferGet tget;
		Kassa__V1__TransferList list;
	} body;
	Kassa__V1__TransferItem items[KC_TRANSFER_ITEMS_MAX];
	Kassa__V1__TransferItem *itemp[KC_TRANSFER_ITEMS_MAX];
	size_t n_items;
	char key[KC_KEY_LEN];
} KcCountReq;

/* Start r empty (no items); the kc_count_req_X() below fill it. */
void kc_count_req_init(KcCountReq *r);
/*
 * The scope: all, a category, or n codes (borrowed); none given: the
 * server refuses NO_SCOPE.
 */
void kc_count_req_open(KcCountReq *r, bool all, const char *category, char **codes, size_t n,
		       bool uncounted_zero, int64_t store_id, const char *key);
void kc_count_req_scan(KcCountReq *r, int64_t count_id, const char *code, int64_t qty, bool set,
		       const char *key);
/* count_id 0: the store's most recent open session */
void kc_count_req_get(KcCountReq *r, int64_t count_id);
void kc_count_req_post(KcCountReq *r, int64_t count_id, bool cancel, const char *key);

/*
 * Add an item CODE=QTY for a send or a receive (before the builder); false
 * if qty is not a whole number or there are KC_TRANSFER_ITEMS_MAX already.
 */
bool kc_transfer_item(KcCountReq *r, const char *code, const char *qty);
void kc_transfer_req_send(KcCountReq *r, const char *to, const char *from, const char *note,
			  const char *key);
void kc_transfer_req_receive(KcCountReq *r, int64_t transfer_id, const char *key);
void kc_transfer_req_get(KcCountReq *r, int64_t transfer_id);
void kc_transfer_req_list(KcCountReq *r, int64_t store_id, const char *state, int32_t limit,
			  int64_t before_id);

/*
 * {"count_id":..,"store_id":..,"store":..,"scope":..,"category":..,
 * "uncounted_zero":..,"state":..,"opened_by":..,"opened_at":..,"closed_at":..,
 * "moves":..,"variance_units":..,"lines":[{"product_id","sku","name",
 * "counted","expected","variance","counted_flag"}]}
 */
json_t *kc_count_session_json(const Kassa__V1__CountSession *s);
/*
 * {"transfer_id":..,"from_store_id":..,"from_store":..,"to_store_id":..,
 * "to_store":..,"state":..,"note":..,"sent_by":..,"sent_at":..,
 * "received_by":..,"received_at":..,"lines":[{"product_id","sku","name",
 * "sent","received","discrepancy"}]}
 */
json_t *kc_transfer_json(const Kassa__V1__Transfer *t);

#endif
