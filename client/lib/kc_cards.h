/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_cards: the requests of service items and count cards (次卡), store
 * operations part "cards": one builder per request (a KcCardReq, sent by
 * kc_call() or by the till's till_call()), one wrapper each that builds and
 * sends it (*resp as for kc_call(); key is the idempotency key, NULL = a
 * fresh one), the parser of the command words kassa-office and the till's
 * script mode share, and the JSON both print. Strings passed in are
 * borrowed for the call.
 */
#ifndef KASSA_KC_CARDS_H
#define KASSA_KC_CARDS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "kc_transport.h"

/* One request of this family and what it points into. */
typedef struct KcCardReq {
	Kassa__V1__Request req;
	union {
		Kassa__V1__ServiceItemPut service_put;
		Kassa__V1__CardList list;
		Kassa__V1__CardRedeem redeem;
		Kassa__V1__CardRefund refund;
	} body;
	char key[KC_KEY_LEN];
} KcCardReq;

/* Product sku as a service item of visits per unit, valid days (0 = always). */
void kc_req_service_item_put(KcCardReq *r, const char *sku, int32_t visits, int32_t days,
			     bool active, const char *key);
/* Member member_id's cards: all, or only those with visits left. */
void kc_req_card_list(KcCardReq *r, int64_t member_id, bool all);
/* Redeem visits (0 = 1) of card_id; member_id 0 = any, else it must be theirs. */
void kc_req_card_redeem(KcCardReq *r, int64_t card_id, int64_t member_id, int32_t visits,
			const char *key);
/* Refund card_id's unused remainder in cash at this till. */
void kc_req_card_refund(KcCardReq *r, int64_t card_id, const char *key);

KcResult kc_service_item_put(KassaClient *kc, const char *sku, int32_t visits, int32_t days,
			     bool active, const char *key, Kassa__V1__Response **resp);
KcResult kc_card_list(KassaClient *kc, int64_t member_id, bool all, Kassa__V1__Response **resp);
KcResult kc_card_redeem(KassaClient *kc, int64_t card_id, int64_t member_id, int32_t visits,
			const char *key, Kassa__V1__Response **resp);
KcResult kc_card_refund(KassaClient *kc, int64_t card_id, const char *key,
			Kassa__V1__Response **resp);

/* What a command line asks for (kc_card_parse()). */
typedef enum KcCardVerb {
	KC_CARD_SERVICE_PUT,	/* service put SKU visits=N [days=D] [active=yes|no] */
	KC_CARD_LIST,		/* card list MEMBER [all] (the till: [member=ID]) */
	KC_CARD_REDEEM,		/* card redeem CARD_ID [visits=N] [member=ID] */
	KC_CARD_REFUND,		/* card refund CARD_ID */
} KcCardVerb;

/*
 * Build r for verb v from the n words after the command words (keys[i],
 * vals[i]: key=value, or a plain word with vals[i] NULL); default_member is
 * the member of KC_CARD_LIST when the words name none (0 = required), and
 * of KC_CARD_REDEEM's check. NULL on success, else the usage text (the
 * command syntax, untranslated) to print.
 */
const char *kc_card_parse(KcCardReq *r, KcCardVerb v, char *const *keys, char *const *vals,
			  int n, int64_t default_member);

json_t *kc_service_item_json(const Kassa__V1__ServiceItem *s);
/* A card with its ledger (when the answer carried one). */
json_t *kc_count_card_json(const Kassa__V1__CountCard *c);
/* {"member_id":..,"cards":[..]} */
json_t *kc_count_card_list_json(const Kassa__V1__CountCardList *l);
json_t *kc_card_refunded_json(const Kassa__V1__CardRefunded *r);

#endif
