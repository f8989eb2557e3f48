/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_sales.c: the sales side of head office's reports as rows of the
 * report registry (report.h): sales by store and day, by store, by hour
 * of day, the top and slowest items, categories, the members' share,
 * visit frequency, the repeat-purchase rate, tiers and staff performance.
 * Each row names its SQL function (migrations/functions/reports.sql,
 * which says what each figure means) and its typed columns; report.c does
 * the rest. Only visits has a hook: it adds the RFM window as a note.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

#define T KASSA__V1__COLUMN_KIND__COL_TEXT
#define I KASSA__V1__COLUMN_KIND__COL_INT
#define M KASSA__V1__COLUMN_KIND__COL_MONEY
#define P KASSA__V1__COLUMN_KIND__COL_PERCENT_BP
#define D KASSA__V1__COLUMN_KIND__COL_DATE
#define H KASSA__V1__COLUMN_KIND__COL_HOUR
#define DEC KASSA__V1__COLUMN_KIND__COL_DECIMAL
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define CALL(fn) "SELECT * FROM " fn "($1::date, $2::date, $3::bigint, $4::text, $5::integer)"

static const ReportCol c_daily[] = {
	{ "store", T }, { "day", D }, { "sales", I }, { "items", I }, { "total_minor", M },
	{ "basket_minor", M }, { "member_share_bp", P }, { "refunds", I },
	{ "refund_minor", M }, { "net_minor", M },
};
static const ReportCol c_by_store[] = {
	{ "store", T }, { "store_name", T }, { "sales", I }, { "items", I },
	{ "total_minor", M }, { "basket_minor", M }, { "member_share_bp", P },
	{ "refunds", I }, { "refund_minor", M }, { "net_minor", M }, { "share_bp", P },
};
static const ReportCol c_hourly[] = {
	{ "hour", H }, { "sales", I }, { "total_minor", M }, { "basket_minor", M },
	{ "member_sales", I }, { "share_bp", P },
};
static const ReportCol c_top[] = {
	{ "rank", I }, { "sku", T }, { "name", T }, { "category", T }, { "quantity", I },
	{ "net_minor", M }, { "share_bp", P },
};
static const ReportCol c_slow[] = {
	{ "rank", I }, { "sku", T }, { "name", T }, { "category", T }, { "quantity", I },
	{ "net_minor", M },
};
static const ReportCol c_categories[] = {
	{ "category", T }, { "quantity", I }, { "net_minor", M }, { "sales", I },
	{ "share_bp", P },
};
static const ReportCol c_member_share[] = {
	{ "day", D }, { "sales", I }, { "member_sales", I }, { "sales_share_bp", P },
	{ "total_minor", M }, { "member_total_minor", M }, { "money_share_bp", P },
};
static const ReportCol c_visits[] = {
	{ "visits_bucket", T }, { "members", I }, { "share_bp", P }, { "visits", I },
	{ "spend_minor", M }, { "basket_minor", M },
};
static const ReportCol c_repeat[] = {
	{ "month", D }, { "members", I }, { "returned_30", I }, { "returned_90", I },
	{ "rate_30_bp", P }, { "rate_90_bp", P },
};
static const ReportCol c_tiers[] = {
	{ "tier", T }, { "members", I }, { "share_bp", P }, { "upgrades", I },
	{ "downgrades", I }, { "manual", I },
};
static const ReportCol c_staff[] = {
	{ "staff_id", I }, { "staff", T }, { "store", T }, { "sales", I }, { "items", I },
	{ "total_minor", M }, { "basket_minor", M }, { "member_sales", I }, { "signups", I },
	{ "refunds", I }, { "refund_minor", M }, { "rating", DEC }, { "ratings", I },
};

static const ReportNoteSpec n_refunds[] = { { "refunds", "on_their_own_day" } };
static const ReportNoteSpec n_repeat[] = { { "cohort", "month_of_first_visit" } };
static const ReportNoteSpec n_tiers[] = { { "members", "today" } };

/* visits: the six columns as they come, and the RFM window (the 7th) as a note. */
static bool visits_compute(const ReportQuery *q, const PGresult *res, ReportOut *o)
{
	const char *cells[N(c_visits)];
	int nt = PQntuples(res);

	(void)q;
	if (PQnfields(res) != (int)N(c_visits) + 1)
		return false;
	for (int i = 0; i < nt; i++) {
		for (size_t j = 0; j < N(c_visits); j++)
			cells[j] = PQgetisnull(res, i, (int)j) ? "" : PQgetvalue(res, i, (int)j);
		report_out_row(o, cells);
	}
	report_out_note(o, "window_days", nt > 0 ? PQgetvalue(res, 0, (int)N(c_visits)) : "0");
	return true;
}

static const ReportCol c_bought_together[] = {
	{ "sku", T }, { "name", T }, { "other_sku", T }, { "other_name", T }, { "baskets", I },
	{ "support_bp", P }, { "confidence_bp", P }, { "lift", DEC },
};

const ReportSpec report_sales_specs[] = {
	{ .name = "sales_daily", .chart = "line", .default_from = -29, .default_to = 0,
	  .sql = CALL("kassa_report_sales_daily"), .cols = c_daily, .n_cols = N(c_daily),
	  .notes = n_refunds, .n_notes = N(n_refunds) },
	{ .name = "sales_by_store", .chart = "bar", .default_from = -29, .default_to = 0,
	  .sql = CALL("kassa_report_sales_by_store"), .cols = c_by_store,
	  .n_cols = N(c_by_store), .notes = n_refunds, .n_notes = N(n_refunds) },
	{ .name = "sales_hourly", .chart = "bar", .default_from = -29, .default_to = 0,
	  .sql = CALL("kassa_report_sales_hourly"), .cols = c_hourly, .n_cols = N(c_hourly) },
	{ .name = "items_top", .chart = "bar", .default_from = -29, .default_to = 0,
	  .default_limit = 20, .takes_category = true, .sql = CALL("kassa_report_items_top"),
	  .cols = c_top, .n_cols = N(c_top) },
	{ .name = "items_slow", .chart = "", .default_from = -29, .default_to = 0,
	  .default_limit = 20, .takes_category = true, .sql = CALL("kassa_report_items_slow"),
	  .cols = c_slow, .n_cols = N(c_slow) },
	{ .name = "categories", .chart = "bar", .default_from = -29, .default_to = 0,
	  .default_limit = 100, .takes_category = true, .sql = CALL("kassa_report_categories"),
	  .cols = c_categories, .n_cols = N(c_categories) },
	{ .name = "member_share", .chart = "line", .default_from = -29, .default_to = 0,
	  .sql = CALL("kassa_report_member_share"), .cols = c_member_share,
	  .n_cols = N(c_member_share) },
	{ .name = "visits", .chart = "bar", .no_range = true,
	  .sql = "SELECT v.*, kassa_report_rfm_window() FROM kassa_report_visits($1::date, "
		 "$2::date, $3::bigint, $4::text, $5::integer) v",
	  .cols = c_visits, .n_cols = N(c_visits), .compute = visits_compute },
	{ .name = "repeat_rate", .chart = "line", .default_from = -364, .default_to = 0,
	  .sql = CALL("kassa_report_repeat_rate"), .cols = c_repeat, .n_cols = N(c_repeat),
	  .notes = n_repeat, .n_notes = N(n_repeat) },
	{ .name = "tiers", .chart = "bar", .default_from = -29, .default_to = 0,
	  .sql = CALL("kassa_report_tiers"), .cols = c_tiers, .n_cols = N(c_tiers),
	  .notes = n_tiers, .n_notes = N(n_tiers) },
	{ .name = "staff", .chart = "", .default_from = -29, .default_to = 0,
	  .sql = CALL("kassa_report_staff"), .cols = c_staff, .n_cols = N(c_staff) },
	/* the recommendations job's pairs, as of its last run (care/reco) */
	{ .name = "bought_together", .chart = "", .no_range = true, .chain_wide = true,
	  .default_limit = 50, .takes_category = true,
	  .sql = CALL("kassa_report_bought_together"), .cols = c_bought_together,
	  .n_cols = N(c_bought_together) },
};
const size_t report_sales_count = N(report_sales_specs);
