-- Head office's member 360 (server/members/profile.c) and the RFM scores
-- and portrait every member answer carries (MemberGet, MemberFind,
-- Member360): read-only, through the report lane. member_stats is written
-- by the analytics job only; a member without a row has no scores yet.
-- Days are business days in the session's TimeZone (kassad sets it to
-- [server] timezone).

-- A member's RFM scores and portrait as one JSON text:
-- {"rfm": {r, f, m, class, recency_days, visits, spend_minor, computed_at},
--  "portrait": {avg_basket_minor, favourite_categories, usual_store_id,
--   usual_store, usual_hour, visit_interval_days, visits, first_visit,
--   last_visit}}. Without a member_stats row: class "none", zeros,
-- recency_days and usual_hour -1, empty texts. Times are RFC 3339 UTC.
CREATE FUNCTION kassa_member_stats_json(p_member_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_s	member_stats;
	v_store	text;
BEGIN
	SELECT * INTO v_s FROM member_stats s WHERE s.member_id = p_member_id;
	IF NOT FOUND THEN
		RETURN json_build_object(
			'rfm', json_build_object('r', 0, 'f', 0, 'm', 0, 'class', 'none',
				'recency_days', -1, 'visits', 0, 'spend_minor', 0, 'computed_at', ''),
			'portrait', json_build_object('avg_basket_minor', 0,
				'favourite_categories', '[]'::json, 'usual_store_id', 0,
				'usual_store', '', 'usual_hour', -1, 'visit_interval_days', 0,
				'visits', 0, 'first_visit', '', 'last_visit', ''))::text;
	END IF;
	SELECT st.name INTO v_store FROM stores st WHERE st.store_id = v_s.usual_store_id;
	RETURN json_build_object(
		'rfm', json_build_object('r', v_s.r, 'f', v_s.f, 'm', v_s.m, 'class', v_s.class,
			'recency_days', coalesce(current_date - v_s.last_visit::date, -1),
			'visits', v_s.window_visits, 'spend_minor', v_s.window_spend_minor,
			'computed_at', to_char(v_s.computed_at AT TIME ZONE 'UTC',
					       'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
		'portrait', json_build_object('avg_basket_minor', v_s.avg_basket_minor,
			'favourite_categories', to_json(v_s.fav_categories[1:3]),
			'usual_store_id', coalesce(v_s.usual_store_id, 0),
			'usual_store', coalesce(v_store, ''),
			'usual_hour', coalesce(v_s.usual_hour, -1),
			'visit_interval_days', v_s.visit_interval_days, 'visits', v_s.visits,
			'first_visit', coalesce(to_char(v_s.first_visit AT TIME ZONE 'UTC',
					       'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
			'last_visit', coalesce(to_char(v_s.last_visit AT TIME ZONE 'UTC',
					       'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')))::text;
END
$$;

-- The member 360's lists and totals for member p_member_id as one JSON
-- text, or NULL when there is no such member. Each list is the newest
-- p_limit entries, newest first:
--   refunds       the refunds of the member's sales (RefundSummary)
--   points        points_ledger, balance_after = the running sum over the
--                 whole ledger in entry order (so the newest entry's is
--                 the ledger's sum)
--   stored_value  wallet_ledger, the same way
--   coupons       every coupon the member holds, with its status: used,
--                 void (voided, or its definition is inactive, not yet
--                 valid or used up), expired, or usable (the till would
--                 take it today)
--   feedback      the ratings of the member's sales
--   complaints    the member's complaints (ComplaintSummary)
--   followups     the member's follow-ups (FollowupSummary)
--   cards         the member's count cards (CountCard: card_id, sku, name,
--                 visits, remaining, state as kassa_card_state() gives it,
--                 expires_at RFC 3339 UTC or "" for never; no ledger),
--                 newest card first
-- and purchases (sales ever), refunds_total, points_sum, wallet_sum,
-- erased, merged_into (0 = not merged).
CREATE FUNCTION kassa_member_360_json(p_member_id bigint, p_limit integer) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_m	members;
BEGIN
	SELECT * INTO v_m FROM members WHERE member_id = p_member_id;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	RETURN json_build_object(
		'refunds', (SELECT coalesce(json_agg(json_build_object('refund_id', r.refund_id,
				'txn_id', r.txn_id, 'receipt_no', t.receipt_no,
				'created_at', to_char(r.created_at AT TIME ZONE 'UTC',
						      'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
				'amount_minor', r.amount_minor, 'points_clawed', r.points_clawed_back,
				'store_name', coalesce(st.name, ''))
				ORDER BY r.created_at DESC, r.refund_id DESC), '[]')
			FROM (SELECT * FROM refunds WHERE member_id = p_member_id
				ORDER BY created_at DESC, refund_id DESC LIMIT p_limit) r
			JOIN transactions t ON t.txn_id = r.txn_id
			LEFT JOIN stores st ON st.store_id = r.store_id),
		'points', (SELECT coalesce(json_agg(json_build_object('entry_id', l.entry_id,
				'kind', l.kind, 'amount', l.points, 'txn_id', coalesce(l.txn_id, 0),
				'refund_id', coalesce(l.refund_id, 0),
				'created_at', to_char(l.created_at AT TIME ZONE 'UTC',
						      'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
				'balance_after', l.balance_after) ORDER BY l.entry_id DESC), '[]')
			FROM (SELECT p.*, sum(p.points) OVER (ORDER BY p.entry_id) AS balance_after
				FROM points_ledger p WHERE p.member_id = p_member_id
				ORDER BY p.entry_id DESC LIMIT p_limit) l),
		'stored_value', (SELECT coalesce(json_agg(json_build_object('entry_id', l.entry_id,
				'kind', l.kind, 'amount', l.amount_minor,
				'txn_id', coalesce(l.txn_id, 0), 'refund_id', coalesce(l.refund_id, 0),
				'created_at', to_char(l.created_at AT TIME ZONE 'UTC',
						      'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
				'balance_after', l.balance_after) ORDER BY l.entry_id DESC), '[]')
			FROM (SELECT w.*, sum(w.amount_minor) OVER (ORDER BY w.entry_id)
					AS balance_after
				FROM wallet_ledger w WHERE w.member_id = p_member_id
				ORDER BY w.entry_id DESC LIMIT p_limit) l),
		'coupons', (SELECT coalesce(json_agg(json_build_object('code', c.code,
				'name', c.name, 'status', c.status,
				'issued_at', to_char(c.issued_at AT TIME ZONE 'UTC',
						     'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
				'valid_to', coalesce(to_char(c.valid_to, 'YYYY-MM-DD'), ''),
				'used_at', coalesce(to_char(c.used_at AT TIME ZONE 'UTC',
						     'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
				'txn_id', coalesce(c.used_txn, 0))
				ORDER BY c.issued_at DESC, c.coupon_id DESC), '[]')
			FROM (SELECT cp.code, cp.coupon_id, cp.issued_at, cp.used_at, cp.used_txn,
					d.name, d.valid_to,
					CASE coalesce(kassa_coupon_problem(cp, d), '')
						WHEN '' THEN 'usable'
						WHEN 'COUPON_USED' THEN 'used'
						WHEN 'COUPON_EXPIRED' THEN 'expired'
						ELSE 'void' END AS status
				FROM coupons cp JOIN coupon_defs d USING (def_id)
				WHERE cp.member_id = p_member_id
				ORDER BY cp.issued_at DESC, cp.coupon_id DESC LIMIT p_limit) c),
		'feedback', (SELECT coalesce(json_agg(json_build_object('txn_id', f.txn_id,
				'rating', f.rating, 'comment', f.comment,
				'created_at', to_char(f.created_at AT TIME ZONE 'UTC',
						      'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
				'store_name', coalesce(st.name, ''))
				ORDER BY f.created_at DESC, f.feedback_id DESC), '[]')
			FROM (SELECT * FROM feedback WHERE member_id = p_member_id
				ORDER BY created_at DESC, feedback_id DESC LIMIT p_limit) f
			LEFT JOIN stores st ON st.store_id = f.store_id),
		'purchases', (SELECT count(*) FROM transactions t
			WHERE t.member_id = p_member_id AND t.kind = 'sale'),
		'refunds_total', (SELECT count(*) FROM refunds r WHERE r.member_id = p_member_id),
		'points_sum', (SELECT coalesce(sum(p.points), 0) FROM points_ledger p
			WHERE p.member_id = p_member_id),
		'wallet_sum', (SELECT coalesce(sum(w.amount_minor), 0) FROM wallet_ledger w
			WHERE w.member_id = p_member_id),
		'complaints', kassa_member_complaints_json(p_member_id, p_limit)::json,
		'followups', kassa_member_followups_json(p_member_id, p_limit)::json,
		'cards', (SELECT coalesce(json_agg(json_build_object('card_id', c.card_id,
				'sku', p.sku, 'name', p.name, 'visits', c.visits,
				'remaining', c.remaining,
				'state', kassa_card_state(c.state, c.remaining, c.expires_at),
				'expires_at', kassa_card_ts(c.expires_at))
				ORDER BY c.card_id DESC), '[]')
			FROM (SELECT * FROM count_cards WHERE member_id = p_member_id
				ORDER BY card_id DESC LIMIT p_limit) c
			JOIN products p USING (product_id)),
		'erased', v_m.erased_at IS NOT NULL,
		'merged_into', coalesce(v_m.merged_into, 0))::text;
END
$$;

-- The member 360's complaints: the newest p_limit of member p_member_id's
-- (table complaints, care/complaints), newest first, as a JSON array of
-- {complaint_id, status, category, opened_at, resolved_at} (times RFC 3339
-- UTC, "" when not resolved); '[]' while that table does not exist yet.
CREATE FUNCTION kassa_member_complaints_json(p_member_id bigint, p_limit integer)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF to_regclass('complaints') IS NULL THEN
		RETURN '[]';
	END IF;
	RETURN (SELECT coalesce(json_agg(json_build_object('complaint_id', k.complaint_id,
			'status', k.status, 'category', coalesce(k.category, ''),
			'opened_at', coalesce(to_char(k.opened_at AT TIME ZONE 'UTC',
						      'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
			'resolved_at', coalesce(to_char(k.resolved_at AT TIME ZONE 'UTC',
						      'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''))
			ORDER BY k.opened_at DESC, k.complaint_id DESC), '[]')::text
		FROM (SELECT * FROM complaints WHERE member_id = p_member_id
			ORDER BY opened_at DESC, complaint_id DESC LIMIT p_limit) k);
END
$$;

-- The member 360's follow-ups (table followups, care/followups), newest
-- first, as a JSON array of {followup_id, kind, due_on, state, outcome};
-- '[]' while that table does not exist yet.
CREATE FUNCTION kassa_member_followups_json(p_member_id bigint, p_limit integer)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF to_regclass('followups') IS NULL THEN
		RETURN '[]';
	END IF;
	RETURN (SELECT coalesce(json_agg(json_build_object('followup_id', f.followup_id,
			'kind', coalesce(f.kind, ''),
			'due_on', coalesce(to_char(f.due_on, 'YYYY-MM-DD'), ''),
			'state', f.state, 'outcome', coalesce(f.outcome, ''))
			ORDER BY f.created_at DESC, f.followup_id DESC), '[]')::text
		FROM (SELECT * FROM followups WHERE member_id = p_member_id
			ORDER BY created_at DESC, followup_id DESC LIMIT p_limit) f);
END
$$;
