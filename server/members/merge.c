/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge.c: MemberMerge: one customer's two records become one.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "members.h"
#include "i18n.h"

void handle_member_merge(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "%s", _("not implemented yet"));
}

void member_merge_setup(void)
{
}
