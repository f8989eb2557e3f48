/* SPDX-License-Identifier: Apache-2.0 */
/*
 * import.c: MemberImport: members from CSV, validated, all or nothing or the valid rows.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "members.h"
#include "i18n.h"

void handle_member_import(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void member_import_setup(void)
{
}
