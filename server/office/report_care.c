/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_care.c: customer care's head-office reports in the report
 * registry (report.h), registered by report_care_setup():
 *
 *   complaints  per store: the complaints opened in the range, how many are
 *               resolved, rejected and still open, and the median and
 *               average hours from opening to resolution of the resolved
 *               ones (kassa_report_complaints, functions/complaints.sql).
 *
 * A manager sees their own store's row (the dispatcher's store filter).
 */
#include "office.h"
#include "report.h"

static const ReportCol c_complaints[] = {
	{ "store", KASSA__V1__COLUMN_KIND__COL_TEXT },
	{ "opened", KASSA__V1__COLUMN_KIND__COL_INT },
	{ "resolved", KASSA__V1__COLUMN_KIND__COL_INT },
	{ "rejected", KASSA__V1__COLUMN_KIND__COL_INT },
	{ "still_open", KASSA__V1__COLUMN_KIND__COL_INT },
	{ "median_hours", KASSA__V1__COLUMN_KIND__COL_DECIMAL },
	{ "avg_hours", KASSA__V1__COLUMN_KIND__COL_DECIMAL },
};

static const ReportSpec care_specs[] = {
	{ .name = "complaints", .chart = "bar", .default_from = -29, .default_to = 0,
	  .sql = "SELECT * FROM kassa_report_complaints($1::date, $2::date, $3::bigint, "
		 "$4::text, $5::integer)",
	  .cols = c_complaints, .n_cols = sizeof(c_complaints) / sizeof(c_complaints[0]) },
};

void report_care_setup(void)
{
	report_register(care_specs, sizeof(care_specs) / sizeof(care_specs[0]));
}
