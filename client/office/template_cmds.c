/* SPDX-License-Identifier: Apache-2.0 */
/*
 * template_cmds.c: template put|list.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "office.h"

int cmd_template_put(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}

int cmd_template_list(KassaClient *kc, const Args *a)
{
	(void)kc;
	(void)a;
	fprintf(stderr, "kassa-office: not implemented yet\n");
	return OFFICE_EXIT_FAILED;
}
