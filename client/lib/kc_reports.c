/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_reports: the ReportRun request wrappers (see kc_reports.h): one page
 * (one builder of kc_req.h and one kc_call()), and the whole table, which
 * follows the pages' next cursors and joins their rows onto the first.
 */
#include "kc_reports.h"

#include <stdlib.h>
#include <string.h>

#include "kc_req.h"

KcResult kc_report_page(KassaClient *kc, const char *report, const char *from, const char *to,
			int64_t store_id, const char *category, uint32_t limit, const char *after,
			Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_report_run(&r, report, from, to, store_id, category, limit);
	if (after != NULL)
		r.req.report_run->after = (char *)after;
	return kc_call(kc, &r.req, resp);
}

KcResult kc_report_run(KassaClient *kc, const char *report, const char *from, const char *to,
		       int64_t store_id, const char *category, uint32_t limit,
		       Kassa__V1__Response **resp)
{
	return kc_report_page(kc, report, from, to, store_id, category, limit, NULL, resp);
}

/* Move page's rows to the end of t's and its next into t; false when memory runs out. */
static bool join_rows(Kassa__V1__ReportTable *t, Kassa__V1__ReportTable *page)
{
	Kassa__V1__ReportRow **rows;
	char *next;

	if (page->n_rows > 0) {
		rows = realloc(t->rows, (t->n_rows + page->n_rows) * sizeof(*rows));
		if (rows == NULL)
			return false;
		memcpy(rows + t->n_rows, page->rows, page->n_rows * sizeof(*rows));
		t->rows = rows;
		t->n_rows += page->n_rows;
		page->n_rows = 0;	/* t owns them now */
	}
	/* both unpacked by the same allocator: freeing page frees t's old next */
	next = t->next;
	t->next = page->next;
	page->next = next;
	return true;
}

KcResult kc_report_all(KassaClient *kc, const char *report, const char *from, const char *to,
		       int64_t store_id, const char *category, uint32_t limit,
		       Kassa__V1__Response **resp)
{
	KcResult kr = kc_report_run(kc, report, from, to, store_id, category, limit, resp);
	Kassa__V1__Response *page;

	while (kr == KC_OK && *resp != NULL && kc_status(*resp) == KASSA__V1__STATUS_CODE__OK &&
	       (*resp)->report_table != NULL && (*resp)->report_table->next[0] != '\0') {
		Kassa__V1__ReportTable *t = (*resp)->report_table;

		page = NULL;
		kr = kc_report_page(kc, report, from, to, store_id, category, limit, t->next,
				    &page);
		if (kr == KC_OK && page != NULL && kc_status(page) != KASSA__V1__STATUS_CODE__OK) {
			/* a refused page is the answer */
			kc_response_free(*resp);
			*resp = page;
			return kr;
		}
		if (kr != KC_OK || page == NULL || page->report_table == NULL ||
		    (page->report_table->n_rows == 0 && page->report_table->next[0] != '\0') ||
		    !join_rows(t, page->report_table)) {
			kc_response_free(page);
			kc_response_free(*resp);
			*resp = NULL;
			return kr != KC_OK ? kr : KC_ERR_PROTO;
		}
		kc_response_free(page);
	}
	return kr;
}
