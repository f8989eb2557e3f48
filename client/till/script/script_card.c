/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_card.c: count cards (次卡) at the till, in script mode (store
 * operations part "cards"):
 *
 *   card list [MEMBER|member=ID] [all]     the sale's member by default
 *   card redeem CARD_ID [visits=N]         one visit (N); when the sale has
 *                                          a member, the card must be theirs
 *   card refund CARD_ID                    (manager) the unused remainder, paid
 *                                          out in cash from this till's drawer
 *
 * A service item is sold like any item (sale add SKU, to a member); the
 * sale makes the card. The words are kc_card_parse()'s (kc_cards.h, the
 * same as kassa-office's). list answers {"ok":true,"cmd":..,"cards":
 * {"member_id":..,"cards":[..]}}; redeem {"ok":true,"cmd":..,
 * "idempotency_key":..,"reconnects":..,"card":{..,"remaining":..}}; refund
 * {"ok":true,..,"refund":{"refund_id","visits","amount_minor","currency","card"}}.
 * Online only: offline they fail as every online-only command does.
 */
#include <string.h>

#include "kc_cards.h"
#include "kc_json.h"
#include "script_cmds.h"

/* Parse the words after "card list|redeem|refund" for v, send, and print what came back. */
static void card_run(Till *t, const Cmd *c, KcCardVerb v)
{
	static const Kassa__V1__Response__BodyCase want[] = {
		[KC_CARD_LIST] = KASSA__V1__RESPONSE__BODY_COUNT_CARD_LIST,
		[KC_CARD_REDEEM] = KASSA__V1__RESPONSE__BODY_COUNT_CARD,
		[KC_CARD_REFUND] = KASSA__V1__RESPONSE__BODY_CARD_REFUNDED,
	};
	Kassa__V1__Response *resp = NULL;
	int before = script_reconnects(t);
	const char *use;
	KcCardReq r;
	json_t *o;

	use = kc_card_parse(&r, v, c->keys + c->first,
			    c->vals + c->first, arg_count(c), t->sale.member_id);
	if (use != NULL) {
		script_usage(t, c, use);
		return;
	}
	if (!script_answered_ok(t, c, till_call(t->ts, &r.req, &resp), &resp))
		return;
	if (!script_has_body(t, c, resp, want[v]))
		return;
	if (v == KC_CARD_LIST) {
		o = json_pack("{s:b,s:s}", "ok", 1, "cmd", c->name);
		json_object_set_new(o, "cards", kc_count_card_list_json(resp->count_card_list));
	} else if (v == KC_CARD_REDEEM) {
		o = script_ok_keyed(t, c, r.req.idempotency_key, before);
		json_object_set_new(o, "card", kc_count_card_json(resp->count_card));
	} else {
		o = script_ok_keyed(t, c, r.req.idempotency_key, before);
		json_object_set_new(o, "refund", kc_card_refunded_json(resp->card_refunded));
	}
	kcj_emit(o);
	kc_response_free(resp);
}

void cmd_card_list(Till *t, const Cmd *c)
{
	card_run(t, c, KC_CARD_LIST);
}

void cmd_card_redeem(Till *t, const Cmd *c)
{
	card_run(t, c, KC_CARD_REDEEM);
}

void cmd_card_refund(Till *t, const Cmd *c)
{
	card_run(t, c, KC_CARD_REFUND);
}
