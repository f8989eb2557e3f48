/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reco_job.c: the recommendations job: bought-together pairs and members' suggestions.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "crm.h"
#include "i18n.h"

void reco_job_run(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void reco_job_start(void)
{
}
