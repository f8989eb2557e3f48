/* SPDX-License-Identifier: Apache-2.0 */
/*
 * campaign_report.c: CampaignReport: target vs holdout over the campaign window, uplift and its confidence interval.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "crm.h"
#include "i18n.h"

void handle_campaign_report(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}
