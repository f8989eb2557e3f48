/* SPDX-License-Identifier: Apache-2.0 */
/*
 * points_adjust.c: PointsAdjust: a manager's correction of a member's points, with a reason.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "loyalty.h"
#include "i18n.h"

void handle_points_adjust(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void points_adjust_setup(void)
{
}
