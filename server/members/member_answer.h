/* SPDX-License-Identifier: Apache-2.0 */
/*
 * member_answer.h: inside members/ only. How a Member message is built
 * from the columns member.c reads, so that MemberGet, MemberFind and
 * Member360 give a member the same way: the row's columns
 * (MEMBER_COLUMNS), the loyalty summary of a single-member answer, the
 * till's member panel, and the RFM scores and portrait
 * (kassa_member_stats_json(), filled by portrait.c).
 */
#ifndef KASSA_MEMBER_ANSWER_H
#define KASSA_MEMBER_ANSWER_H

#include <jansson.h>
#include <libpq-fe.h>

#include "core.h"
#include "phone.h"

/* A member's columns over a relation called members (18 columns, 0..17). */
#define MEMBER_COLUMNS \
	"member_id, name, phone, card_no, coalesce(to_char(birthday, 'YYYY-MM-DD'), ''), gender," \
	" email, address, preferred_channel, marketing_consent, array_to_json(tags)::text, notes," \
	" points_balance, cumulative_spend_minor, currency, tier," \
	" to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), language"
#define MEMBER_NCOLUMNS 18
/* The RFM scores and portrait, one JSON text (migrations/functions/member360.sql). */
#define MEMBER_STATS_COLUMN "kassa_member_stats_json(member_id)"

/* One member's answer also carries what the till shows about its loyalty. */
#define MEMBER_ONE_COLUMNS MEMBER_COLUMNS \
	", kassa_member_loyalty_json(member_id)"
#define MEMBER_LOYALTY_COL 18
/*
 * The member panel of a MemberGet: $2 the tier basis is points, $3 the
 * rule set's window in months. The tier basis over the window; the last
 * purchases as a JSON array; the name of the product bought most (units)
 * in the last 90 days, refunded lines left out; the RFM scores and
 * portrait.
 */
#define MEMBER_PANEL_COLUMNS \
	", kassa_tier_basis(member_id, $2::boolean, $3::integer)" \
	", (SELECT coalesce(json_agg(json_build_object('txn_id', r.txn_id," \
	"  'receipt_no', r.receipt_no," \
	"  'created_at', to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
	"  'total', r.total_minor," \
	"  'items', (SELECT coalesce(sum(l.quantity), 0) FROM transaction_lines l" \
	"   WHERE l.txn_id = r.txn_id)," \
	"  'store', (SELECT s.name FROM stores s WHERE s.store_id = r.store_id))" \
	"  ORDER BY r.created_at DESC, r.txn_id DESC), '[]')" \
	"  FROM (SELECT t.txn_id, t.receipt_no, t.created_at, t.total_minor, t.store_id" \
	"   FROM transactions t WHERE t.member_id = members.member_id AND t.kind = 'sale'" \
	"   ORDER BY t.created_at DESC, t.txn_id DESC LIMIT 5) r)::text" \
	", (SELECT p.name FROM (SELECT l.product_id, sum(l.quantity) AS units," \
	"   max(t.created_at) AS recent_at FROM transactions t" \
	"   JOIN transaction_lines l ON l.txn_id = t.txn_id" \
	"   WHERE t.member_id = members.member_id AND t.kind = 'sale'" \
	"    AND t.created_at >= now() - interval '90 days'" \
	"    AND NOT EXISTS (SELECT 1 FROM refund_lines rl" \
	"     WHERE rl.txn_id = l.txn_id AND rl.line_no = l.line_no)" \
	"   GROUP BY l.product_id ORDER BY units DESC, recent_at DESC, l.product_id LIMIT 1) u" \
	"  JOIN products p ON p.product_id = u.product_id)" \
	", " MEMBER_STATS_COLUMN ", " MEMBER_RECO_COLUMN
#define MEMBER_BASIS_COL 19
#define MEMBER_RECENT_COL 20
#define MEMBER_USUAL_COL 21
#define MEMBER_STATS_COL 22
/* ... and the stored suggestions (functions/recommendations.sql), one JSON text. */
#define MEMBER_RECO_COLUMN "kassa_member_reco_json(member_id)"
#define MEMBER_RECO_COL (MEMBER_STATS_COL + 1)

#define MEMBER_QR_LEN 64
#define MEMBER_RECENT 5
#define MEMBER_SUGGESTIONS 3
#define MEMBER_SUGGESTION_MAX 160	/* bytes of one hint */

/* What a panel's strings borrow from, owned by the answer being built. */
typedef struct MemberPanel {
	json_t *recent;					/* owned: the purchases' JSON */
	Kassa__V1__PurchaseSummary ps[MEMBER_RECENT];
	Kassa__V1__PurchaseSummary *pp[MEMBER_RECENT];
	char text[MEMBER_SUGGESTIONS][MEMBER_SUGGESTION_MAX];
	char *tp[MEMBER_SUGGESTIONS];
} MemberPanel;

/* A member's Rfm and Portrait, and what their strings borrow from. */
typedef struct MemberStats {
	Kassa__V1__Rfm rfm;
	Kassa__V1__Portrait portrait;
	json_t *doc;		/* owned: kassa_member_stats_json()'s document */
	char **cats;		/* owned array; its strings borrow from doc */
} MemberStats;

/* A member's recommendations, and what their strings borrow from. */
typedef struct MemberReco {
	json_t *doc;				/* owned: kassa_member_reco_json()'s array */
	Kassa__V1__Recommendation *recs;	/* owned array */
	Kassa__V1__Recommendation **rp;		/* owned array */
} MemberReco;

/* Everything a single Member answer is built in; clear with member_answer_clear(). */
typedef struct MemberAnswer {
	Kassa__V1__Member m;		/* the answer; strings borrow from the result and below */
	Kassa__V1__Money spend;
	char masked[PHONE_MAX];
	char qr[MEMBER_QR_LEN];
	json_t *tags_json;		/* owned */
	char **tags;			/* owned array */
	json_t *loyalty;		/* owned: kassa_member_loyalty_json() */
	Kassa__V1__Coupon **coupons;	/* owned (coupon_pb_free) */
	MemberPanel panel;
	MemberStats stats;
	MemberReco reco;
} MemberAnswer;

/*
 * Read the member again by id after the rule set was reloaded: re-send
 * the caller's statement for member_id (decimal text).
 */
typedef void (*MemberAgain)(Call *c, const char *member_id);

/*
 * Fill m from the MEMBER_COLUMNS of row r of res; strings borrow from res,
 * tags from *tags_json (owned by the caller, as the *tags array).
 */
void member_from_row(const Call *c, const PGresult *res, int r, Kassa__V1__Member *m,
		     Kassa__V1__Money *spend, char *masked, json_t **tags_json, char ***tags,
		     char *qr, size_t qrlen);

/*
 * Build the single member of row 0 of res into a: MEMBER_COLUMNS, then
 * kassa_member_loyalty_json() (column 18), then optionally
 * MEMBER_PANEL_COLUMNS (19..22, the last MEMBER_STATS_COLUMN). When the rule set
 * in force is newer than kassad's, reload it and call again(c, id)
 * instead; when it cannot be loaded, answer c. False in both cases (c
 * handed off or answered; a is then clear). res must hold one row.
 */
MUSTCHECK bool member_answer_build(Call *c, const PGresult *res, MemberAnswer *a,
				   MemberAgain again);
void member_answer_clear(MemberAnswer *a);
/* The panel columns' parameters: $2 the tier basis is points ("t"/"f"), $3 its window's months. */
void member_panel_params(const char **by_points, char months[16]);

/* ---- portrait.c ---- */

/*
 * Parse json (kassa_member_stats_json()'s text; NULL = none: m keeps no
 * rfm or portrait) into s and point m->rfm and m->portrait at it. Clear s
 * with member_stats_clear() after the answer is packed.
 */
void member_stats_fill(Kassa__V1__Member *m, const char *json, MemberStats *s);
void member_stats_clear(MemberStats *s);

/* ---- profile.c ---- */

/*
 * Parse json (kassa_member_reco_json()'s text) into r and point
 * m->recommendations at it; clear r with member_reco_clear() after packing.
 */
void member_reco_fill(Kassa__V1__Member *m, const char *json, MemberReco *r);
void member_reco_clear(MemberReco *r);

#endif
