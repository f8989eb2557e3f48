/* SPDX-License-Identifier: Apache-2.0 */
/*
 * segment.c: saved segments (first cut: not yet written).
 */
#include "members.h"

void segment_setup(void)
{
}

void handle_segment_save(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "not implemented yet");
}

void handle_segment_get(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "not implemented yet");
}

void handle_segment_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "not implemented yet");
}
