/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_complaint.c: complaint open|update|show|list at the till.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "i18n.h"
#include "script_cmds.h"

void cmd_complaint(Till *t, const Cmd *c)
{
	script_fail(t, c, "UNIMPLEMENTED", "NOT_YET", _("not implemented yet"));
}
