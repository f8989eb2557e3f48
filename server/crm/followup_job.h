/* SPDX-License-Identifier: Apache-2.0 */
/*
 * followup_job.h: inside crm, the follow-up job's statements (followup_job.c),
 * registered by followup_setup() (followup.c).
 */
#ifndef KASSA_FOLLOWUP_JOB_H
#define KASSA_FOLLOWUP_JOB_H

void followup_job_setup(void);

#endif
