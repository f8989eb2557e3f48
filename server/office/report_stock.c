/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_stock.c: the stock report of store operations (part "stock";
 * docs/store/stock.md) in the report registry (report.h), registered by
 * report_stock_setup():
 *
 *   movers  per store and product sold in the range (default the last 28
 *           days): units sold, units a day, the mover class for the range
 *           (fast: at least one a day, medium: at least one a week, slow:
 *           fewer) and the stock on hand now; fastest first
 *           (kassa_report_movers, functions/stock.sql, over agg_product_day).
 *
 * A manager sees their own store's rows (the dispatcher's store filter).
 */
#include "office.h"
#include "report.h"
#include "report_stock.h"

static const ReportCol c_movers[] = {
	{ "store", KASSA__V1__COLUMN_KIND__COL_TEXT },
	{ "sku", KASSA__V1__COLUMN_KIND__COL_TEXT },
	{ "name", KASSA__V1__COLUMN_KIND__COL_TEXT },
	{ "category", KASSA__V1__COLUMN_KIND__COL_TEXT },
	{ "units", KASSA__V1__COLUMN_KIND__COL_INT },
	{ "per_day", KASSA__V1__COLUMN_KIND__COL_DECIMAL },
	{ "on_hand", KASSA__V1__COLUMN_KIND__COL_INT },
	{ "mover_class", KASSA__V1__COLUMN_KIND__COL_TEXT },
};

static const ReportSpec stock_specs[] = {
	{ .name = "movers", .chart = "bar", .default_from = -27, .default_to = 0,
	  .default_limit = 100, .takes_category = true,
	  .sql = "SELECT * FROM kassa_report_movers($1::date, $2::date, $3::bigint, "
		 "$4::text, $5::integer)",
	  .cols = c_movers, .n_cols = sizeof(c_movers) / sizeof(c_movers[0]) },
};

void report_stock_setup(void)
{
	report_register(stock_specs, sizeof(stock_specs) / sizeof(stock_specs[0]));
}
