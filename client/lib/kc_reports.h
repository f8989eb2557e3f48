/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_reports: head office's ReportRun request wrapper. A report is
 * answered with a ReportTable (typed columns, rows in machine form, notes,
 * freshness); report "" is answered with the list of the reports the
 * caller may run. One kc_call() (kc_transport.h); *resp as for kc_call();
 * strings are borrowed for the call. The server checks the range (from
 * <= to, at most three years), the store (a manager gets only theirs) and
 * which filters a report takes.
 */
#ifndef KASSA_KC_REPORTS_H
#define KASSA_KC_REPORTS_H

#include <stdint.h>

#include "kc_transport.h"

/*
 * NULL or "" from/to/category and 0 store_id/limit: the report's defaults,
 * every store. The answer is the table's first page: its next is the
 * following page's cursor ("" = the last page).
 */
KcResult kc_report_run(KassaClient *kc, const char *report, const char *from, const char *to,
		       int64_t store_id, const char *category, uint32_t limit,
		       Kassa__V1__Response **resp);

/* The page after cursor after (NULL or "" = the first page; a bad one: BAD_CURSOR). */
KcResult kc_report_page(KassaClient *kc, const char *report, const char *from, const char *to,
			int64_t store_id, const char *category, uint32_t limit, const char *after,
			Kassa__V1__Response **resp);

/*
 * The whole table: kc_report_run, then every following page, their rows
 * joined onto the first page's in order (its next ends ""). A refused page
 * is the answer (*resp); KC_ERR_PROTO (*resp NULL) if a page brings no row
 * yet a next, or memory runs out.
 */
KcResult kc_report_all(KassaClient *kc, const char *report, const char *from, const char *to,
		       int64_t store_id, const char *category, uint32_t limit,
		       Kassa__V1__Response **resp);

#endif
