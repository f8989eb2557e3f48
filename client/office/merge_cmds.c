/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge_cmds.c: member merge and member import.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "office.h"

int cmd_member_merge(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_member_import(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}
