/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_followup.c: followup list|record and points adjust at the till.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "i18n.h"
#include "script_cmds.h"

void cmd_followup(Till *t, const Cmd *c)
{
	script_fail(t, c, "UNIMPLEMENTED", "NOT_YET", _("not implemented yet"));
}

void cmd_points_adjust(Till *t, const Cmd *c)
{
	script_fail(t, c, "UNIMPLEMENTED", "NOT_YET", _("not implemented yet"));
}
