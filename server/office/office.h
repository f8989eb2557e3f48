/* SPDX-License-Identifier: Apache-2.0 */
/*
 * office.h: head office's reads of the member base and the sales: the
 * analytics job that keeps the pre-aggregated tables and the members' RFM
 * classes and portraits (analytics.c), the reports (report*.c, the
 * forecast's arithmetic in forecast.c), the streamed exports (export.c)
 * and the read-only dashboard (dashboard.c, served by http/). Every read
 * here goes through DB_LANE_REPORT, so [database] report_dsn sends it to a
 * streaming replica. office uses members (filters and segments) and
 * loyalty (the rule set's point value); neither calls office.
 */
#ifndef KASSA_OFFICE_H
#define KASSA_OFFICE_H

#include "core.h"

/* Register the statements and start the job's timer; before db_setup(). */
void analytics_setup(void);
void handle_analytics_run(Call *c);

void report_setup(void);
/* The loyalty reports and the forecast (report_loyalty.c); before db_setup(). */
void report_loyalty_setup(void);
/* Customer care's reports: complaints (report_care.c); before db_setup(). */
void report_care_setup(void);
/* Register the supplier performance reports (report_supply.c). */
void report_supply_setup(void);
/* Register the staff hours and cashier performance reports (report_staff.c). */
void report_staff_setup(void);
void handle_report_run(Call *c);

void export_setup(void);
void handle_export_page(Call *c);
/* Only an export's first page writes (its audit row): it needs a key. */
bool export_is_start(const Kassa__V1__Request *req);

/*
 * The head-office dashboard (dashboard.c): register its statement and its
 * page "/" with the HTTPS admin port (server/http/https.h); before
 * https_setup() and db_setup().
 */
void dashboard_setup(void);

#endif
