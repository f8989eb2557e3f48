/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crm_table.h: what customer care's lists share (feedback_list.c): the
 * store a caller may see, and a keyset-paged ReportTable answered from a
 * statement's rows.
 */
#ifndef KASSA_CRM_TABLE_H
#define KASSA_CRM_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core.h"

#define CRM_LIST_LIMIT_DEFAULT 50
#define CRM_LIST_LIMIT_MAX 500

/* Register FeedbackList's statement (called by feedback_setup()). */
void feedback_list_setup(void);

typedef struct CrmCol {
	const char *key;
	Kassa__V1__ColumnKind kind;
} CrmCol;

/*
 * True if c sees every store: an analyst or admin at an office till.
 * Anyone else sees their own store (their staff record's, else the
 * till's), which SQL works out: kassa_care_scope() (functions/complaints.sql).
 */
bool crm_sees_all(const Call *c);

/* The four parameters of kassa_care_scope($all, $staff, $till_store, $wanted), as text. */
typedef struct CrmScope {
	char all[2], staff[24], till_store[24], wanted[24];
} CrmScope;

#define CRM_SCOPE_SQL(n1, n2, n3, n4) \
	"kassa_care_scope($" #n1 "::boolean, $" #n2 "::bigint, $" #n3 "::bigint, $" #n4 "::bigint)"

/*
 * Fill s for c and the store asked for (0: the caller's own, or every
 * store from head office). False (c answered INVALID_ARGUMENT BAD_STORE)
 * for a negative id.
 */
bool crm_scope(Call *c, int64_t store_id, CrmScope *s);
/* Answer STORE_NOT_YOURS from kassa_care_scope; true if c was answered. */
bool crm_scope_refusal(Call *c, int st, const PGresult *res);
/*
 * The store filter of a list for c as one statement parameter, by the
 * till: *param is NULL (every store) or buf (the store's id). A store_id
 * other than the till's is refused PERMISSION_DENIED STORE_NOT_YOURS to a
 * caller who does not see every store. False if c was answered.
 * (followup.c's; complaints and feedback use crm_scope.)
 */
bool crm_store_scope(Call *c, int64_t store_id, char buf[24], const char **param);
/* The limit used (0: default, cut at the maximum) as text in buf. */
uint32_t crm_list_limit(uint32_t limit, char buf[12]);
/*
 * Parse a page cursor ("" = the first page, else an id > 0) into buf as the
 * statement's parameter ("0" for the first page). False (c answered
 * INVALID_ARGUMENT BAD_CURSOR) if it is neither.
 */
bool crm_list_after(Call *c, const char *after, char buf[24]);
/*
 * Answer c with a ReportTable named report from res, whose columns are
 * cols in order and whose first column is the cursor: at most limit rows,
 * next = the last row's first cell when res has more (the statement
 * fetches limit + 1).
 */
void crm_table_reply(Call *c, const char *report, const CrmCol *cols, size_t n_cols,
		     const PGresult *res, uint32_t limit);

#endif
