/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crm.c: customer care's life cycle (every file's statements, the sender
 * and the jobs' timers) and JobRun, which runs one of its jobs now, or
 * loyalty's count-card expiry (jobs.c), the one periodic job without a
 * request of its own.
 */
#include <string.h>

#include "crm.h"
#include "i18n.h"
#include "loyalty.h"

void crm_setup(void)
{
	feedback_setup();
	complaint_setup();
	followup_setup();
	template_setup();
	endpoint_setup();
	outbox_setup();
	campaign_setup();
	feed_setup();
	reco_job_setup();
}

bool crm_start(void)
{
	if (!outbox_start())
		return false;
	followup_job_start();
	reco_job_start();
	feed_job_start();
	return true;
}

void crm_shutdown(void)
{
	outbox_shutdown();
	followup_job_stop();
	reco_job_stop();
	feed_job_stop();
}

static const struct {
	const char *name;
	void (*run)(Call *c);
} crm_jobs[] = {
	{ "followups", followup_job_run },
	{ "recommendations", reco_job_run },
	{ "feed", feed_job_run },
	{ "card_expire", jobs_card_expire_run },	/* loyalty's timer runs it too */
};

void handle_job_run(Call *c)
{
	const char *job = c->req->job_run->job;

	for (size_t i = 0; i < ARRAY_SIZE(crm_jobs); i++)
		if (strcmp(job, crm_jobs[i].name) == 0) {
			crm_jobs[i].run(c);
			return;
		}
	call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_JOB",
		  _("no job \"%s\": the jobs are followups, recommendations, feed and card_expire"),
		  job);
}
