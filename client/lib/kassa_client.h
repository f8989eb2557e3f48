/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kassa_client: the one client library of Kassa. kassa-till, kassa-office,
 * kassa-bench and the integration tests all talk to kassad through it, and
 * include this header, which brings the whole library:
 *
 *   kc_transport.h  one blocking mutual-TLS connection: connect, Hello,
 *                   framing, pipelined send/receive, reconnect with TLS
 *                   session resumption, retry, staff login, statuses
 *   kc_members.h    register, look up, search and update members
 *   kc_sales.h      product look-up, the checkout (a sale or a quote of
 *                   it, from one KcSale), recorded transactions
 *   kc_refunds.h    refunds of earlier sales, stored-value top-ups
 *   kc_loyalty.h    rule set, coupons, points expiry, tiers
 *   kc_staff.h      staff administration (unlocking a locked-out PIN)
 *   kc_store.h      catalogue sync, feedback on a sale, cash-desk shifts
 *   kc_rates.h      exchange rates: the current table, a new version
 *   kc_analytics.h  running the analytics job now (AnalyticsRun)
 *   kc_reports.h    head office's reports (ReportRun -> ReportTable)
 *   kc_office_members.h  head office's member 360, search, segments
 *   kc_exports.h    head office's exports, page by page (ExportPage)
 *   kc_rights.h     a member's data rights: export of all their data, erasure
 *   kc_req.h        the one builder of each request, for kc_call() and
 *                   for callers that send another way (the till's session)
 *
 * Every typed wrapper is one kc_req.h builder and one kc_call(): it
 * blocks until the answer, and the Response it hands out is the caller's
 * (kc_response_free()). See kc_transport.h for connections, ownership,
 * reconnection and retry.
 * The command-line programs also share kc_options.h (the connection
 * options), kc_cli.h (the command line of kassa-till and kassa-office)
 * and kc_json.h (the JSON they print); those are included on their own.
 */
#ifndef KASSA_CLIENT_H
#define KASSA_CLIENT_H

#include "kc_transport.h"
#include "kc_members.h"
#include "kc_sales.h"
#include "kc_refunds.h"
#include "kc_loyalty.h"
#include "kc_staff.h"
#include "kc_store.h"
#include "kc_rates.h"
#include "kc_analytics.h"
#include "kc_audit.h"
#include "kc_console.h"
#include "kc_reports.h"
#include "kc_office_members.h"
#include "kc_exports.h"
#include "kc_rights.h"
#include "kc_req.h"
/* store operations */
#include "kc_org.h"
#include "kc_tills.h"
#include "kc_catalog_admin.h"
#include "kc_stock.h"
#include "kc_counts.h"
#include "kc_supply.h"
#include "kc_cards.h"
#include "kc_clock.h"

#endif
