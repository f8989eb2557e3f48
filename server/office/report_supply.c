/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_supply.c: the supplier performance report in the report registry
 * (report.h), registered by report_supply_setup():
 *
 *   suppliers  per supplier, over the orders sent in the range (not
 *              cancelled): orders, orders received in full, the on-time
 *              rate (received in full by sent + lead days), the fill rate
 *              (units received, capped per line, over units ordered) and
 *              the average lead time in days (kassa_report_suppliers,
 *              functions/suppliers.sql).
 *
 * A manager sees their own store's orders (the dispatcher's store filter).
 */
#include "office.h"
#include "report.h"

static const ReportCol c_suppliers[] = {
	{ "supplier", KASSA__V1__COLUMN_KIND__COL_TEXT },
	{ "supplier_name", KASSA__V1__COLUMN_KIND__COL_TEXT },
	{ "orders", KASSA__V1__COLUMN_KIND__COL_INT },
	{ "received", KASSA__V1__COLUMN_KIND__COL_INT },
	{ "on_time_bp", KASSA__V1__COLUMN_KIND__COL_PERCENT_BP },
	{ "fill_rate_bp", KASSA__V1__COLUMN_KIND__COL_PERCENT_BP },
	{ "avg_lead_days", KASSA__V1__COLUMN_KIND__COL_DECIMAL },
};

static const ReportSpec supply_specs[] = {
	{ .name = "suppliers", .chart = "bar", .default_from = -89, .default_to = 0,
	  .sql = "SELECT * FROM kassa_report_suppliers($1::date, $2::date, $3::bigint, "
		 "$4::text, $5::integer)",
	  .cols = c_suppliers, .n_cols = sizeof(c_suppliers) / sizeof(c_suppliers[0]) },
};

void report_supply_setup(void)
{
	report_register(supply_specs, sizeof(supply_specs) / sizeof(supply_specs[0]));
}
