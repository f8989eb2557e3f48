/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coupon_change.c: CouponDefChange: deactivate a coupon definition, or replace it by a new one.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "loyalty.h"
#include "i18n.h"

void handle_coupon_def_change(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void coupon_change_setup(void)
{
}
