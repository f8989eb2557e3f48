/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed.c: the event feed: the job that numbers new events and fans them out to endpoints, and FeedExport.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "crm.h"
#include "i18n.h"

void handle_feed_export(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void feed_job_run(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void feed_setup(void)
{
}

void feed_job_start(void)
{
}
