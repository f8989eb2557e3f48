/* SPDX-License-Identifier: Apache-2.0 */
/*
 * campaign.h: what campaign.c and campaign_report.c share: the columns of
 * a campaign row (kassa_campaign_get, functions/campaigns.sql) and the
 * ReportTables of CampaignList and CampaignReport.
 */
#ifndef KASSA_CAMPAIGN_H
#define KASSA_CAMPAIGN_H

#include <libpq-fe.h>

#include "core.h"

/* The column definition list of the SETOF record functions returning kassa_campaign_get's row. */
#define CAMPAIGN_ROW_COLS                                                                 \
	"r_id bigint, r_name text, r_segment text, r_segment_version integer, "            \
	"r_holdout_bp integer, r_seed text, r_coupon_def_id bigint, r_template text, "     \
	"r_starts_on text, r_ends_on text, r_state text, r_target bigint, r_holdout bigint, " \
	"r_coupons bigint, r_messages bigint, r_excluded bigint, r_created_at text, "      \
	"r_launched_at text, r_created_by bigint"

/* Fill k from row r of a campaign row result (strings borrow from res). */
void campaign_from_row(const PGresult *res, int r, Kassa__V1__Campaign *k);

/* One column of a ReportTable: its key, kind and the result's column it comes from. */
typedef struct CampaignCol {
	const char *key;
	Kassa__V1__ColumnKind kind;
	int res_col;
} CampaignCol;

/* One note: key and the result's column of row 0 it comes from ("" when NULL). */
typedef struct CampaignNote {
	const char *key;
	int res_col;
} CampaignNote;

/*
 * Answer c with a ReportTable named report: the rows of res in cols,
 * notes from row 0 (fixed notes first: method, when not NULL), currency
 * and the range (NULL = none).
 */
void campaign_table_reply(Call *c, const char *report, const CampaignCol *cols, size_t ncols,
			  const PGresult *res, const CampaignNote *notes, size_t nnotes,
			  const char *method, const char *currency, const char *from,
			  const char *to);

/* Register CampaignReport's statement (campaign_setup() calls it). */
void campaign_report_setup(void);

/* CampaignList's answer from a result of campaign rows. */
void campaign_list_answer(Call *c, const PGresult *res);

#endif
