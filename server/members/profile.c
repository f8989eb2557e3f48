/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile.c: Member360 (first cut: not yet written).
 */
#include "members.h"

void member_profile_setup(void)
{
}

void handle_member_360(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "not implemented yet");
}
