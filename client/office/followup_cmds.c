/* SPDX-License-Identifier: Apache-2.0 */
/*
 * followup_cmds.c: followup rules|set-rules|list|record, points adjust, coupon deactivate|edit.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "office.h"

int cmd_followup_rules(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_followup_set_rules(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_followup_list(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_followup_record(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_points_adjust(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_coupon_deactivate(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_coupon_edit(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}
