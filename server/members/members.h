/* SPDX-License-Identifier: Apache-2.0 */
/*
 * members.h: the member base as tills and head office see it: register,
 * get (by id, phone, card number or QR payload), search, update and the
 * purchase history (history.c). A
 * member's loyalty summary comes from loyalty/ (members uses loyalty;
 * loyalty never calls members).
 */
#ifndef KASSA_MEMBERS_H
#define KASSA_MEMBERS_H

#include "core.h"

/* Register the statements; before db_setup(). */
void member_setup(void);
void handle_member_register(Call *c);
void handle_member_get(Call *c);
void handle_member_search(Call *c);
void handle_member_update(Call *c);
/* A member's purchases across stores, paged newest first (history.c). */
void member_history_setup(void);
void handle_member_history(Call *c);
/* Head office's member 360: ledgers, refunds, feedback (profile.c). */
void member_profile_setup(void);
void handle_member_360(Call *c);
/* Search the whole base by filter, keyset-paged (find.c). */
void member_find_setup(void);
void handle_member_find(Call *c);
/* Saved, versioned segments (segment.c). */
void segment_setup(void);
void handle_segment_save(Call *c);
void handle_segment_get(Call *c);
void handle_segment_list(Call *c);
/*
 * A member's data rights (rights.c): MemberDataExport answers one JSON
 * document of everything stored about them (audited 'member.export');
 * MemberErase anonymises them, the money trail kept under their id
 * (audited 'member.erase'). Both for administrators.
 */
void member_rights_setup(void);
void handle_member_data_export(Call *c);
void handle_member_erase(Call *c);
/* MemberMerge: merge_member_id's history, ledgers, coupons, wallet and feedback move to keep_member_id (merge.c). */
void member_merge_setup(void);
void handle_member_merge(Call *c);
/* MemberImport: members from CSV (import.c). */
void member_import_setup(void);
void handle_member_import(Call *c);

/*
 * ---- the member filter, for MemberFind, segments and exports (filter.c) ----
 *
 * EXPORT INTERFACE (stable): a MemberFilter becomes MEMBER_FILTER_NPARAMS
 * text parameters (NULL = that field does not narrow) of the SQL functions
 * in migrations/functions/member_find.sql, always in this order:
 *
 *   $1  phone		a whole number, normalised (E.164, "+8613812345678")
 *   $2  phone_suffix	4-15 digits the phone ends with
 *   $3  card_no	exact card number
 *   $4  name_prefix	raw text (the SQL escapes LIKE's metacharacters)
 *   $5  tag		one of members.tags
 *   $6  tier		members.tier, exact
 *   $7  class		member_stats.class ("none" also matches no stats row)
 *   $8  birthday_month	"1".."12"
 *   $9  store_id	member_stats.usual_store_id
 *   $10 visit_from	"YYYY-MM-DD": member_stats.last_visit on or after that
 *			business day (the session's TimeZone, i.e. [server] timezone)
 *   $11 visit_to	"YYYY-MM-DD", inclusive
 *   $12 spend_min	members.cumulative_spend_minor >= it
 *   $13 spend_max	members.cumulative_spend_minor <= it
 *   $14 consent	"true" / "false": members.marketing_consent
 *
 * Erased (erased_at set) and merged (merged_into set) members never match.
 * The SQL functions (each takes the 14 parameters as text, then):
 *
 *   kassa_member_count($1..$14) RETURNS bigint
 *   kassa_member_find_ids($1..$14, p_after bigint, p_limit integer)
 *	RETURNS TABLE (member_id bigint): the matches with member_id > p_after
 *	(0 = from the start), ascending, at most p_limit
 *   kassa_member_export_rows($1..$14, p_after bigint, p_limit integer)
 *	RETURNS TABLE (member_id bigint, card_no text, name text, phone text,
 *	tier text, class text, points_balance bigint,
 *	cumulative_spend_minor bigint, last_visit text, marketing_consent
 *	boolean, tags text, created_at text): the same rows as find_ids with
 *	the export's columns; class is "none" without a member_stats row,
 *	last_visit RFC 3339 UTC ("" = never), tags a JSON array of strings,
 *	created_at RFC 3339 UTC.
 *
 * Call them as "SELECT * FROM kassa_member_export_rows($1, ..., $14,
 * $15::bigint, $16::integer)" registered with DB_LANE_REPORT.
 */
#define MEMBER_FILTER_NPARAMS 14
#define MEMBER_FILTER_BUF 512	/* bytes of the normalised values */

typedef struct MemberFilterParams {
	const char *v[MEMBER_FILTER_NPARAMS];	/* borrowed from buf or from the filter;
						   NULL = no condition */
	char buf[MEMBER_FILTER_BUF];		/* the normalised values */
} MemberFilterParams;

/*
 * Check f (NULL = the empty filter) and fill p with its parameters (p
 * borrows from f: keep f alive while p is used). False when a value is
 * bad: *detail gets the code (e.g. "BAD_BIRTHDAY_MONTH") and *msg the
 * English message (a msgid, for call_fail(c, .., "%s", _(msg)) or
 * session_text()).
 */
MUSTCHECK bool member_filter_check(const Kassa__V1__MemberFilter *f, MemberFilterParams *p,
				   const char **detail, const char **msg);
/*
 * member_filter_check() for a handler: on a bad value answer c with
 * INVALID_ARGUMENT (the code and the message in c's language) and return
 * false (c is then answered: do not touch it).
 */
MUSTCHECK bool member_filter_params(Call *c, const Kassa__V1__MemberFilter *f,
				    MemberFilterParams *p);

/*
 * ---- segments (segment.c) ----
 *
 * EXPORT INTERFACE (stable): look up saved segment name at version (0 =
 * its latest) on DB_LANE_REPORT, then call done(c, f, v, arg) with the
 * stored filter (f borrowed: valid only during done) and the version v
 * found. When the segment or that version does not exist, answer c with
 * NOT_FOUND SEGMENT_NOT_FOUND (a database failure as call_fail_db does; an
 * orphaned c is freed) and do not call done. done is called from a
 * database callback, never before segment_resolve returns; a name that
 * cannot be a segment's is answered NOT_FOUND before it returns. done
 * takes over c (it must answer or hand it on).
 */
typedef void (*SegmentResolved)(Call *c, const Kassa__V1__MemberFilter *f, uint32_t version,
				void *arg);
void segment_resolve(Call *c, const char *name, uint32_t version, SegmentResolved done,
		     void *arg);

#endif
