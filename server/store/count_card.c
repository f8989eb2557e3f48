/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_card.c: placeholder of part "cards" of store operations.
 */
#include "count_card.h"

void count_card_setup(void)
{
}

void handle_service_item_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "ServiceItemPut is being written");
}

void handle_card_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "CardList is being written");
}

void handle_card_redeem(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "CardRedeem is being written");
}

void handle_card_refund(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "CardRefund is being written");
}
