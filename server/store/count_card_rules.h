/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_card_rules: the arithmetic of count cards (次卡), pure C (no I/O,
 * no clock): what the refund of a card's unused remainder pays back, and
 * the limits of the numbers a request may carry. count_card.c calls it
 * with what it read from the database; migrations/functions/count_cards.sql
 * only guards and persists the result.
 */
#ifndef KASSA_COUNT_CARD_RULES_H
#define KASSA_COUNT_CARD_RULES_H

#include <stdbool.h>
#include <stdint.h>

#define CARD_VISITS_MAX 1000		/* visits per unit of a service item */
#define CARD_DAYS_MAX 3660		/* days a card is valid, ten years */
#define CARD_REDEEM_MAX 100		/* visits one redemption may take */

/*
 * The refund of a card bought for paid_minor (the sale line's net amount,
 * after discounts) with visits visits of which remaining are unused:
 * paid_minor x remaining / visits, rounded down to the minor unit (the
 * store keeps the fraction), exact for any int64 paid_minor. *amount is 0
 * for remaining 0. False (and *amount 0) for impossible numbers: paid < 0,
 * visits < 1, remaining < 0 or > visits.
 */
bool count_card_refund_amount(int64_t paid_minor, int32_t visits, int32_t remaining,
			      int64_t *amount);

/* True if a service item may be defined with visits per unit and valid_days (0 = none). */
bool count_card_service_ok(int32_t visits, int32_t valid_days);

#endif
