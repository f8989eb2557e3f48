/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_staff.c: staff time's head-office reports (store operations, part
 * "clock") in the report registry (report.h), registered by
 * report_staff_setup():
 *
 *   staff_hours          per ISO week (the store's zone), staff member and
 *                        store: hours worked (clock records), records,
 *                        forgotten clock-outs closed automatically, the
 *                        cash-desk shifts they opened, how many are closed
 *                        and the sum of their over/short (Z report:
 *                        counted - expected);
 *   cashier_performance  per cashier over the range: sales, money, average
 *                        basket (agg_staff_day), members signed up, the
 *                        customers' ratings, refunds, hours worked and
 *                        sales per hour worked;
 *   shift_staff          per cash-desk shift: its till, times, who opened
 *                        it, cash expected, counted and the over/short, and
 *                        who was clocked in at that till during it, with
 *                        their hours inside the shift.
 *
 * All are SQL (kassa_report_staff_hours, kassa_report_cashier_performance,
 * kassa_report_shift_staff,
 * migrations/functions/clock.sql). A manager sees their own store's rows.
 */
#include "office.h"
#include "report.h"

#define I KASSA__V1__COLUMN_KIND__COL_INT
#define T KASSA__V1__COLUMN_KIND__COL_TEXT
#define M KASSA__V1__COLUMN_KIND__COL_MONEY
#define D KASSA__V1__COLUMN_KIND__COL_DECIMAL
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define CALL(fn) "SELECT * FROM " fn "($1::date, $2::date, $3::bigint, $4::text, $5::integer)"

static const ReportCol c_hours[] = {
	{ "week", T }, { "staff_id", I }, { "staff", T }, { "store", T }, { "hours", D },
	{ "records", I }, { "auto_closed", I }, { "shifts", I }, { "shifts_closed", I },
	{ "over_short_minor", M },
};

static const ReportCol c_perf[] = {
	{ "staff_id", I }, { "staff", T }, { "store", T }, { "sales", I }, { "total_minor", M },
	{ "basket_minor", M }, { "signups", I }, { "rating", D }, { "ratings", I },
	{ "refunds", I }, { "refund_minor", M }, { "hours", D }, { "sales_per_hour_minor", M },
};

static const ReportCol c_shifts[] = {
	{ "shift_id", I }, { "store", T }, { "till", T }, { "opened_at", T }, { "closed_at", T },
	{ "staff", T }, { "expected_cash_minor", M }, { "counted_minor", M },
	{ "over_short_minor", M }, { "clocked_in", T }, { "hours", D },
};

static const ReportSpec staff_specs[] = {
	{ .name = "staff_hours", .chart = "", .default_from = -6, .default_to = 0,
	  .sql = CALL("kassa_report_staff_hours"), .cols = c_hours, .n_cols = N(c_hours) },
	{ .name = "cashier_performance", .chart = "bar", .default_from = -29, .default_to = 0,
	  .sql = CALL("kassa_report_cashier_performance"), .cols = c_perf,
	  .n_cols = N(c_perf) },
	{ .name = "shift_staff", .chart = "", .default_from = -6, .default_to = 0,
	  .sql = CALL("kassa_report_shift_staff"), .cols = c_shifts, .n_cols = N(c_shifts) },
};

void report_staff_setup(void)
{
	report_register(staff_specs, N(staff_specs));
}
