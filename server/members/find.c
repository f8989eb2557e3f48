/* SPDX-License-Identifier: Apache-2.0 */
/*
 * find.c: MemberFind (first cut: not yet written).
 */
#include "members.h"

void member_find_setup(void)
{
}

void handle_member_find(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "not implemented yet");
}
