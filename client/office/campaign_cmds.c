/* SPDX-License-Identifier: Apache-2.0 */
/*
 * campaign_cmds.c: campaign create|launch|show|list|report.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "office.h"

int cmd_campaign_create(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_campaign_launch(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_campaign_show(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_campaign_list(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_campaign_report(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}
