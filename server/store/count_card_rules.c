/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_card_rules.c: the pure arithmetic of count cards (see
 * count_card_rules.h): the refund of an unused remainder and the limits of
 * a service item's definition. Unit-tested with golden cases in
 * tests/unit/server/store/test_count_card_rules.c.
 */
#include "count_card_rules.h"

bool count_card_refund_amount(int64_t paid_minor, int32_t visits, int32_t remaining,
			      int64_t *amount)
{
	int64_t whole, part;

	*amount = 0;
	if (paid_minor < 0 || visits < 1 || remaining < 0 || remaining > visits)
		return false;
	/*
	 * paid x remaining could overflow int64: split paid = whole x visits +
	 * part, so paid x remaining / visits = whole x remaining + part x
	 * remaining / visits, where whole x remaining <= paid and part x
	 * remaining < visits^2, and the floor of the sum is exact because the
	 * first term is whole.
	 */
	whole = paid_minor / visits;
	part = paid_minor % visits;
	*amount = whole * remaining + part * remaining / visits;
	return true;
}

bool count_card_service_ok(int32_t visits, int32_t valid_days)
{
	return visits >= 1 && visits <= CARD_VISITS_MAX && valid_days >= 0 &&
	       valid_days <= CARD_DAYS_MAX;
}
