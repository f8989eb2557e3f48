/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed_cmds.c: feed export and job run.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "office.h"

int cmd_feed_export(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_job_run(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}
