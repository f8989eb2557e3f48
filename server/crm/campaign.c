/* SPDX-License-Identifier: Apache-2.0 */
/*
 * campaign.c: campaigns: create, launch (seeded holdout, coupons and messages to the target only), get, list.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "crm.h"
#include "i18n.h"

void handle_campaign_create(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void handle_campaign_launch(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void handle_campaign_get(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void handle_campaign_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void campaign_setup(void)
{
}
