/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.h: the registry of head office's reports and the one ReportRun
 * dispatcher (report.c) that runs them. A report is a row: its name, how
 * a client draws it, its default range, one prepared statement (over the
 * pre-aggregated tables, DB_LANE_REPORT) and the typed columns of its
 * ReportTable. The sales reports are report.c's own table; another file
 * adds a family of reports without touching report.c: it defines a
 * `static const ReportSpec x[]` and calls report_register(x, n) from its
 * own *_setup() (called from routes.c next to report_setup(), before
 * db_setup()). report_loyalty.c adds the loyalty reports this way.
 *
 * What the dispatcher does for every report, so that a spec need not:
 *  - validates the range: from/to "YYYY-MM-DD" (INVALID_ARGUMENT BAD_DATE),
 *    from <= to (BAD_RANGE), at most REPORT_MAX_DAYS days (RANGE_TOO_LONG);
 *    an empty from/to is the spec's default (today + default_from/_to
 *    days, today being the business day in kassad's zone);
 *  - the roles' store filter: a manager gets only their own store (a
 *    store_id of another store is PERMISSION_DENIED STORE_NOT_YOURS);
 *    analysts and admins any store, or every store with store_id 0; a
 *    chain-wide report (chain_wide) refuses a store_id (INVALID_ARGUMENT
 *    STORE_NOT_APPLICABLE) and has no store filter at all, so leave
 *    ROLE_MANAGER out of its roles unless the chain's figures are theirs;
 *  - roles: a spec with roles != 0 is only for those roles (PERMISSION_DENIED
 *    REPORT_NOT_ALLOWED), and is listed only to them;
 *  - the limit: 0 is default_limit, more than REPORT_MAX_LIMIT is cut; a
 *    report without a top-N (default_limit 0) refuses one (LIMIT_NOT_APPLICABLE),
 *    and one that does not filter by category (takes_category) a category;
 *  - runs the statement with the parameters below, then builds the table:
 *    by default each result row is a ReportRow, its columns in the spec's
 *    order (a NULL is ""), after checking the result has n_cols columns;
 *    a spec with compute builds the rows (and notes) itself in C;
 *  - fills currency (the office till's store's), chart, from, to, the
 *    static notes, data_as_of and lag_seconds (db_report_freshness()).
 *
 * The statement's parameters, all as text: $1 from (date), $2 to (date),
 * $3 store_id (bigint, NULL = every store), $4 category (text, NULL =
 * every), $5 limit (integer), then $6 .. $(5 + n_extra) the spec's extras
 * (filled by its prepare hook). The statement must mention each of them
 * (cast them: "SELECT * FROM kassa_report_x($1::date, $2::date,
 * $3::bigint, $4::text, $5::integer)") so that PostgreSQL can prepare it.
 * Cells come back in machine form (ReportColumn's kinds): integers in
 * decimal, money in minor units, percentages in basis points, dates
 * "YYYY-MM-DD".
 */
#ifndef KASSA_REPORT_H
#define KASSA_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core.h"

#define REPORT_MAX_DAYS 1096		/* three years, one of them leap */
#define REPORT_MAX_LIMIT 1000
#define REPORT_EXTRA_MAX 4		/* extra statement parameters */
#define REPORT_EXTRA_LEN 64
#define REPORT_MAX_COLS 24
#define REPORT_MAX_REPORTS 64		/* every family together */

typedef struct ReportCol {
	const char *key;		/* machine name: "store", "total_minor" */
	Kassa__V1__ColumnKind kind;
} ReportCol;

typedef struct ReportNoteSpec {
	const char *key;		/* machine, language-neutral */
	const char *value;
} ReportNoteSpec;

typedef struct ReportSpec ReportSpec;

/* One run of a report: the validated request, as the hooks see it. */
typedef struct ReportQuery {
	const ReportSpec *spec;
	char from[11], to[11];		/* the range used, "YYYY-MM-DD" */
	int64_t store_id;		/* 0 = every store (after the role's filter) */
	const char *category;		/* "" = every category (borrowed from the request) */
	uint32_t limit;			/* the limit used (default applied) */
	const char *currency;		/* of the money cells (borrowed) */
	/* the extra parameters $6.., filled by the spec's prepare hook */
	char extra[REPORT_EXTRA_MAX][REPORT_EXTRA_LEN];
} ReportQuery;

/* The table being built (rows and notes), for a compute hook. */
typedef struct ReportOut ReportOut;

/* Append a row of n_cols cells (copied; NULL = ""). */
void report_out_row(ReportOut *o, const char *const *cells);
/* Append a note (both copied). */
void report_out_note(ReportOut *o, const char *key, const char *value);

struct ReportSpec {
	const char *name;		/* "sales_daily" */
	const char *chart;		/* "line", "bar" or "" (a table only) */
	int default_from, default_to;	/* the default range: today + these days */
	uint32_t default_limit;		/* 0 if the report has no top-N */
	int roles;			/* Role bits allowed; 0 = every head-office role */
	bool chain_wide;		/* no store dimension: a store_id is refused */
	bool takes_category;		/* else a category is refused (CATEGORY_NOT_APPLICABLE) */
	bool no_range;			/* as of now: a from/to is refused (RANGE_NOT_APPLICABLE),
					   the statement gets today for both, the reply none */
	const char *sql;		/* the statement (see above) */
	int n_extra;			/* extra parameters it takes ($6..) */
	const ReportCol *cols;
	size_t n_cols;
	const ReportNoteSpec *notes;	/* static notes, or NULL */
	size_t n_notes;
	/*
	 * Optional: before the statement runs, fill q->extra[0 .. n_extra)
	 * (e.g. a rule-set number), then call report_query_run(c); or answer
	 * c (call_fail) instead. May go asynchronous first (a reload).
	 */
	void (*prepare)(Call *c, ReportQuery *q);
	/*
	 * Optional: build the rows (report_out_row) and notes from the
	 * statement's result, whose columns are then the spec's business
	 * (the forecast's history). False = an internal error (logged by the
	 * hook): the caller gets INTERNAL REPORT_FAILED.
	 */
	bool (*compute)(const ReportQuery *q, const PGresult *res, ReportOut *o);
};

/*
 * Add n reports (borrowed: static storage) and register their statements
 * (db_stmt_add on DB_LANE_REPORT, named "report_<name>"); before
 * db_setup(). A name already registered, too many reports, too many
 * columns or extras is a programming error: logged and aborted.
 */
void report_register(const ReportSpec *specs, size_t n);

/* The prepare hook's continuation: run the statement for c's report. */
void report_query_run(Call *c);

/* The sales reports (report_sales.c), which report_setup() registers. */
extern const ReportSpec report_sales_specs[];
extern const size_t report_sales_count;

#endif
