/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supply_suggest.c: a suggested purchase order line's quantity (see
 * supply_suggest.h). Pure: no I/O, no clock.
 */
#include "supply_suggest.h"

static int64_t clamp_qty(int64_t v)
{
	if (v < 0)
		return 0;
	return v > SUPPLY_QTY_MAX ? SUPPLY_QTY_MAX : v;
}

SupplyLineOut supply_suggest_line(const SupplyLineIn *in)
{
	SupplyLineOut out = { 0, 0 };
	int64_t sold = clamp_qty(in->sold);
	int64_t days = (int64_t)(in->lead_days > 0 ? in->lead_days : 0) +
		       (in->review_days > 0 ? in->review_days : 0);
	int64_t on_hand = in->on_hand, need;
	int64_t pack = in->pack_size > 1 ? clamp_qty(in->pack_size) : 1;

	/* both below 1e8 and days below 1e3: no overflow */
	out.forecast = clamp_qty((sold * days + SUPPLY_HISTORY_DAYS - 1) / SUPPLY_HISTORY_DAYS);
	if (on_hand < -SUPPLY_QTY_MAX)
		on_hand = -SUPPLY_QTY_MAX;
	if (on_hand > SUPPLY_QTY_MAX)
		on_hand = SUPPLY_QTY_MAX;
	need = out.forecast + clamp_qty(in->safety) - on_hand - clamp_qty(in->on_order);
	if (need <= 0)
		return out;
	if (need < in->min_order)
		need = clamp_qty(in->min_order);
	need = (need + pack - 1) / pack * pack;
	out.suggested = need > SUPPLY_QTY_MAX ? SUPPLY_QTY_MAX / pack * pack : need;
	return out;
}
