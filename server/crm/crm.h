/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crm.h: customer care, what kassad does to make a customer come back:
 * the satisfaction rating of a sale (feedback.c) and its lists
 * (feedback_list.c), complaints (complaint.c), follow-ups (followup.c and
 * the job that schedules them, followup_job.c), message templates
 * (template.c), the outbox and its sender (outbox.c, with the webhook and
 * file senders) and the endpoints it delivers to (endpoint.c), campaigns
 * with a holdout (campaign.c, campaign_report.c), recommendations
 * (reco_job.c), the event feed for other systems (feed.c) and JobRun, which
 * runs the jobs now (jobrun.c). Included only by server/routes.c and
 * main.c; crm uses the core and no other domain (it reads the other
 * domains' tables in SQL only).
 */
#ifndef KASSA_CRM_H
#define KASSA_CRM_H

#include "core.h"

/* Register every statement of customer care; before db_setup(). */
void crm_setup(void);
/* Arm customer care's timers (the sender, the jobs); after db_setup(). */
bool crm_start(void);
/* Stop the sender and the timers (in-flight deliveries are abandoned: their rows are leased, not sent). */
void crm_shutdown(void);

/* Feedback: record a sale's rating (1-5, optional comment) once; FeedbackRecorded. */
void handle_feedback(Call *c);
/* FeedbackList: ratings and comments, a ReportTable. */
void handle_feedback_list(Call *c);

/* Complaints: open, move through the state machine, read one, list. */
void handle_complaint_open(Call *c);
void handle_complaint_update(Call *c);
void handle_complaint_get(Call *c);
void handle_complaint_list(Call *c);

/* Follow-ups: the rules (versioned), due lists, outcomes. */
void handle_followup_rules_put(Call *c);
void handle_followup_rules_get(Call *c);
void handle_followup_list(Call *c);
void handle_followup_record(Call *c);

/* Message templates. */
void handle_message_template_put(Call *c);
void handle_message_template_list(Call *c);

/* Endpoints and the outbox's rows. */
void handle_endpoint_put(Call *c);
void handle_endpoint_list(Call *c);
void handle_outbox_list(Call *c);
void handle_outbox_retry(Call *c);

/* Campaigns. */
void handle_campaign_create(Call *c);
void handle_campaign_launch(Call *c);
void handle_campaign_get(Call *c);
void handle_campaign_list(Call *c);
void handle_campaign_report(Call *c);

/* The event feed's resumable export. */
void handle_feed_export(Call *c);

/* JobRun: "followups", "recommendations" or "feed" now; JobDone. */
void handle_job_run(Call *c);

/* ---- inside crm: each file's setup and start, called by crm.c ---- */
void feedback_setup(void);
void complaint_setup(void);
void followup_setup(void);
void template_setup(void);
void endpoint_setup(void);
void outbox_setup(void);
void campaign_setup(void);
void feed_setup(void);
void reco_job_setup(void);
bool outbox_start(void);
void outbox_shutdown(void);
void followup_job_start(void);
void reco_job_start(void);
void feed_job_start(void);
/* Free the jobs' timers (crm_shutdown()). */
void followup_job_stop(void);
void reco_job_stop(void);
void feed_job_stop(void);
/* The jobs run on request: each answers the Call with a JobDone. */
void followup_job_run(Call *c);
void reco_job_run(Call *c);
void feed_job_run(Call *c);

#endif
