/* SPDX-License-Identifier: Apache-2.0 */
/*
 * complaint_cmds.c: complaint open|update|show|list and feedback list.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "office.h"

int cmd_complaint_open(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_complaint_update(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_complaint_show(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_complaint_list(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_feedback_list(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}
