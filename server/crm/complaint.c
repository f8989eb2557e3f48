/* SPDX-License-Identifier: Apache-2.0 */
/*
 * complaint.c: complaints, tickets about a member (and optionally a sale): open, update (the state machine), get, list.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "crm.h"
#include "i18n.h"

void handle_complaint_open(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void handle_complaint_update(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void handle_complaint_get(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void handle_complaint_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void complaint_setup(void)
{
}
