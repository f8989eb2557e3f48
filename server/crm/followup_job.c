/* SPDX-License-Identifier: Apache-2.0 */
/*
 * followup_job.c: the job that schedules follow-ups by the rules.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "crm.h"
#include "i18n.h"

void followup_job_run(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void followup_job_start(void)
{
}
