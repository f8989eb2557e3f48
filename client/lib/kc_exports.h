/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_exports: head office's ExportPage request wrapper. An export is read
 * page by page: the first page (export_id 0, an idempotency key) starts it
 * and is answered with its export_id; each later page carries that id and
 * the previous page's next, and the same kind, filter, segment and range
 * (the server refuses another). next "" says the export is complete. One
 * kc_call() (kc_transport.h) per page; *resp as for kc_call(); page is
 * borrowed for the call.
 */
#ifndef KASSA_KC_EXPORTS_H
#define KASSA_KC_EXPORTS_H

#include "kc_transport.h"

/* Ask for one page; key is the first page's (NULL = a fresh one), ignored after. */
KcResult kc_export_page(KassaClient *kc, const Kassa__V1__ExportPage *page, const char *key,
			Kassa__V1__Response **resp);

#endif
