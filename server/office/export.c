/* SPDX-License-Identifier: Apache-2.0 */
/*
 * export.c: ExportPage (first cut: not yet written).
 */
#include "office.h"

void export_setup(void)
{
}

bool export_is_start(const Kassa__V1__Request *req)
{
	return req->export_page != NULL && req->export_page->export_id == 0;
}

void handle_export_page(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "not implemented yet");
}
