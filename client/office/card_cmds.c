/* SPDX-License-Identifier: Apache-2.0 */
/*
 * card_cmds.c: kassa-office's commands of service items and count cards
 * (次卡), store operations part "cards"; listed in store_ops.c:
 *
 *   service put SKU visits=N [days=D] [active=yes|no]   (admin)
 *   card list MEMBER [all]
 *   card redeem CARD_ID [visits=N] [member=ID]
 *   card refund CARD_ID                                  (manager, admin)
 *
 * The words are kc_card_parse()'s (kc_cards.h, the same as the till's).
 * Each prints one JSON object: {"ok":true,"cmd":..,("idempotency_key":..,)
 * "service"|"cards"|"card"|"refund":{..}}, or the failure.
 */
#include <string.h>

#include "card_cmds.h"
#include "kc_cards.h"
#include "kc_json.h"

/* Parse a for v, send, and print the body want under name. */
static int card_run(KassaClient *kc, const Args *a, const char *cmd, KcCardVerb v,
		    Kassa__V1__Response__BodyCase want, const char *name)
{
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	const char *use;
	KcCardReq r;
	json_t *o, *body;

	if ((use = kc_card_parse(&r, v, a->keys, a->vals, a->n, 0)) != NULL)
		return bad_usage(cmd, use);
	if (!office_result(kc, cmd, kc_call(kc, &r.req, &resp), &resp, want, &code))
		return code;
	if (v == KC_CARD_LIST) {
		o = kcj_ok(cmd);
		body = kc_count_card_list_json(resp->count_card_list);
	} else {
		o = ok_keyed(cmd, r.req.idempotency_key);
		body = v == KC_CARD_SERVICE_PUT ? kc_service_item_json(resp->service_item) :
		       v == KC_CARD_REDEEM ? kc_count_card_json(resp->count_card) :
		       kc_card_refunded_json(resp->card_refunded);
	}
	json_object_set_new(o, name, body);
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

int cmd_service_put(KassaClient *kc, const Args *a)
{
	return card_run(kc, a, "service put", KC_CARD_SERVICE_PUT,
			KASSA__V1__RESPONSE__BODY_SERVICE_ITEM, "service");
}

int cmd_card_list(KassaClient *kc, const Args *a)
{
	return card_run(kc, a, "card list", KC_CARD_LIST,
			KASSA__V1__RESPONSE__BODY_COUNT_CARD_LIST, "cards");
}

int cmd_card_redeem(KassaClient *kc, const Args *a)
{
	return card_run(kc, a, "card redeem", KC_CARD_REDEEM,
			KASSA__V1__RESPONSE__BODY_COUNT_CARD, "card");
}

int cmd_card_refund(KassaClient *kc, const Args *a)
{
	return card_run(kc, a, "card refund", KC_CARD_REFUND,
			KASSA__V1__RESPONSE__BODY_CARD_REFUNDED, "refund");
}
