/* SPDX-License-Identifier: Apache-2.0 */
/*
 * campaign_report.c: CampaignReport: target vs holdout over the campaign
 * window, uplift and its confidence interval; and the ReportTables of
 * campaigns (CampaignList's too).
 *
 * The arithmetic is kassa_campaign_report()'s (functions/campaigns.sql):
 * one row per group with members, buyers, visits, sales, basket, sales per
 * member and the campaign's coupons issued / used, and on each row the
 * uplift in sales per member (target minus holdout) with its 95% Welch
 * interval and the relative uplift. This file only lays it out: rows
 * "target" and "holdout", the uplift as notes (uplift_minor, ci_low_minor,
 * ci_high_minor, relative_uplift_bp, method); the words are the client's.
 * Read on the report lane.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "crm.h"
#include "db.h"
#include "i18n.h"

#define CAMPAIGN_NOTES_MAX 8
#define CAMPAIGN_METHOD "welch_95: diff +- 1.96 sqrt(var_t/n_t + var_h/n_h); " \
	"sales per member, members without a sale count 0"

static int st_report;

void campaign_report_setup(void)
{
	st_report = db_stmt_add("campaign_report", "SELECT * FROM kassa_campaign_report($1)",
		DB_LANE_REPORT);
}

void campaign_table_reply(Call *c, const char *report, const CampaignCol *cols, size_t ncols,
			  const PGresult *res, const CampaignNote *notes, size_t nnotes,
			  const char *method, const char *currency, const char *from,
			  const char *to)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ReportTable t = KASSA__V1__REPORT_TABLE__INIT;
	size_t nrows = (size_t)PQntuples(res), nn = 0;
	Kassa__V1__ReportColumn *cv = xcalloc(ncols + 1, sizeof(*cv));
	Kassa__V1__ReportColumn **cp = xcalloc(ncols + 1, sizeof(*cp));
	Kassa__V1__ReportRow *rv = xcalloc(nrows + 1, sizeof(*rv));
	Kassa__V1__ReportRow **rp = xcalloc(nrows + 1, sizeof(*rp));
	char **cells = xcalloc(nrows * ncols + 1, sizeof(*cells));
	Kassa__V1__ReportNote nv[CAMPAIGN_NOTES_MAX + 1], *np[CAMPAIGN_NOTES_MAX + 1];
	char as_of[DB_AS_OF_LEN];

	for (size_t i = 0; i < ncols; i++) {
		kassa__v1__report_column__init(&cv[i]);
		cv[i].key = (char *)cols[i].key;
		cv[i].kind = cols[i].kind;
		cp[i] = &cv[i];
	}
	for (size_t r = 0; r < nrows; r++) {
		kassa__v1__report_row__init(&rv[r]);
		rv[r].n_cells = ncols;
		rv[r].cells = &cells[r * ncols];
		for (size_t i = 0; i < ncols; i++)
			cells[r * ncols + i] = PQgetvalue(res, (int)r, cols[i].res_col);
		rp[r] = &rv[r];
	}
	if (method != NULL) {
		kassa__v1__report_note__init(&nv[nn]);
		nv[nn].key = "method";
		nv[nn].value = (char *)method;
		np[nn] = &nv[nn];
		nn++;
	}
	for (size_t i = 0; i < nnotes && nn < CAMPAIGN_NOTES_MAX && nrows > 0; i++, nn++) {
		kassa__v1__report_note__init(&nv[nn]);
		nv[nn].key = (char *)notes[i].key;
		nv[nn].value = PQgetvalue(res, 0, notes[i].res_col);
		np[nn] = &nv[nn];
	}
	db_report_freshness(as_of, &t.lag_seconds);
	t.report = (char *)report;
	t.n_columns = ncols;
	t.columns = cp;
	t.n_rows = nrows;
	t.rows = rp;
	t.n_notes = nn;
	t.notes = np;
	t.currency = (char *)(currency != NULL ? currency : "");
	t.from = (char *)(from != NULL ? from : "");
	t.to = (char *)(to != NULL ? to : "");
	t.data_as_of = as_of;
	resp.body_case = KASSA__V1__RESPONSE__BODY_REPORT_TABLE;
	resp.report_table = &t;
	call_reply(c, &resp);
	free(cells);
	free(rp);
	free(rv);
	free(cp);
	free(cv);
}

void campaign_list_answer(Call *c, const PGresult *res)
{
	static const CampaignCol cols[] = {
		{ "campaign_id", KASSA__V1__COLUMN_KIND__COL_INT, 0 },
		{ "name", KASSA__V1__COLUMN_KIND__COL_TEXT, 1 },
		{ "segment", KASSA__V1__COLUMN_KIND__COL_TEXT, 2 },
		{ "segment_version", KASSA__V1__COLUMN_KIND__COL_INT, 3 },
		{ "holdout_bp", KASSA__V1__COLUMN_KIND__COL_PERCENT_BP, 4 },
		{ "coupon_def_id", KASSA__V1__COLUMN_KIND__COL_INT, 6 },
		{ "template", KASSA__V1__COLUMN_KIND__COL_TEXT, 7 },
		{ "starts_on", KASSA__V1__COLUMN_KIND__COL_DATE, 8 },
		{ "ends_on", KASSA__V1__COLUMN_KIND__COL_DATE, 9 },
		{ "state", KASSA__V1__COLUMN_KIND__COL_TEXT, 10 },
		{ "target_members", KASSA__V1__COLUMN_KIND__COL_INT, 11 },
		{ "holdout_members", KASSA__V1__COLUMN_KIND__COL_INT, 12 },
		{ "coupons_issued", KASSA__V1__COLUMN_KIND__COL_INT, 13 },
		{ "messages_queued", KASSA__V1__COLUMN_KIND__COL_INT, 14 },
		{ "excluded_no_consent", KASSA__V1__COLUMN_KIND__COL_INT, 15 },
	};

	campaign_table_reply(c, "campaigns", cols, ARRAY_SIZE(cols), res, NULL, 0, NULL, NULL,
			     NULL, NULL);
}

/* ---- CampaignReport ---- */

static void campaign_report_cb(void *arg, DbStatus st, const PGresult *res)
{
	static const CampaignCol cols[] = {
		{ "group", KASSA__V1__COLUMN_KIND__COL_TEXT, 0 },
		{ "members", KASSA__V1__COLUMN_KIND__COL_INT, 1 },
		{ "buyers", KASSA__V1__COLUMN_KIND__COL_INT, 2 },
		{ "visits", KASSA__V1__COLUMN_KIND__COL_INT, 3 },
		{ "sales", KASSA__V1__COLUMN_KIND__COL_MONEY, 4 },
		{ "basket", KASSA__V1__COLUMN_KIND__COL_MONEY, 5 },
		{ "sales_per_member", KASSA__V1__COLUMN_KIND__COL_MONEY, 6 },
		{ "coupons_issued", KASSA__V1__COLUMN_KIND__COL_INT, 7 },
		{ "coupons_used", KASSA__V1__COLUMN_KIND__COL_INT, 8 },
		{ "redemption_bp", KASSA__V1__COLUMN_KIND__COL_PERCENT_BP, 9 },
	};
	static const CampaignNote notes[] = {
		{ "uplift_minor", 10 }, { "ci_low_minor", 11 }, { "ci_high_minor", 12 },
		{ "relative_uplift_bp", 13 },
	};
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "CAMPAIGN_NOT_FOUND", "%s",
			  _("no such campaign"));
		return;
	}
	campaign_table_reply(c, "campaign_report", cols, ARRAY_SIZE(cols), res, notes,
			     ARRAY_SIZE(notes), CAMPAIGN_METHOD, PQgetvalue(res, 0, 14),
			     PQgetvalue(res, 0, 15), PQgetvalue(res, 0, 16));
}

void handle_campaign_report(Call *c)
{
	char id[24];
	const char *p = id;

	if (c->req->campaign_report->campaign_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CAMPAIGN", "%s",
			  _("name the campaign by its id"));
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)c->req->campaign_report->campaign_id);
	db_query(st_report, 1, &p, campaign_report_cb, c);
}
