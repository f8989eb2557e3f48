-- SPDX-License-Identifier: Apache-2.0
--
-- The head-office dashboard (server/office/dashboard.c, served on the
-- HTTPS admin port to office certificates): every figure of the page from
-- one statement, so one snapshot, on the report lane. It reads the
-- pre-aggregated tables of 0012 (agg_sales_day, agg_sales_hour, kept by
-- the analytics job), member_stats (the job's classes) and members:
--   stores     today's sales of each store, today being the store's own
--              business day (stores.timezone); a store with no sales today
--              is listed while it has an active till of kind 'till'
--   totals     the same summed per currency, with the members' share of
--              the sales (count) and of the money
--   hours      today's sales by local hour of day, per currency
--   liability  points outstanding (positive balances) per member currency,
--              and their money value at the rule set's rate, which
--              loyalty's C passes in: p_step_value minor units for every
--              p_points_step points (pro rata, rounded half away from zero)
--   tiers      members by tier
--   at_risk    the 20 members of class 'at_risk' who spent most, and how
--              many there are in all
-- Members erased or merged into another are left out of the member
-- figures (their sales stay in the sales). Shares are basis points, NULL
-- when the base is 0; money is in minor units of the row's currency.
CREATE FUNCTION kassa_dashboard_json(p_points_step bigint, p_step_value bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	WITH st AS (
		SELECT s.store_id, s.code, s.name, s.currency, s.timezone,
		       (now() AT TIME ZONE s.timezone)::date AS day
		FROM stores s),
	today AS (
		SELECT st.code, st.name, st.currency, st.day,
		       coalesce(a.sales, 0) AS sales, coalesce(a.items, 0) AS items,
		       coalesce(a.total_minor, 0) AS total, coalesce(a.member_sales, 0) AS member_sales,
		       coalesce(a.member_total_minor, 0) AS member_total,
		       coalesce(a.refunds, 0) AS refunds, coalesce(a.refund_minor, 0) AS refund_minor
		FROM st LEFT JOIN agg_sales_day a ON a.store_id = st.store_id AND a.day = st.day
		WHERE a.store_id IS NOT NULL OR EXISTS (SELECT 1 FROM tills t
			WHERE t.store_id = st.store_id AND t.kind = 'till' AND t.active)),
	totals AS (
		SELECT currency, sum(sales) AS sales, sum(items) AS items, sum(total) AS total,
		       sum(member_sales) AS member_sales, sum(member_total) AS member_total,
		       sum(refunds) AS refunds, sum(refund_minor) AS refund_minor
		FROM today GROUP BY currency),
	hours AS (
		SELECT st.currency, h.hour, sum(h.sales) AS sales, sum(h.total_minor) AS total,
		       sum(h.member_sales) AS member_sales
		FROM st JOIN agg_sales_hour h ON h.store_id = st.store_id AND h.day = st.day
		GROUP BY st.currency, h.hour),
	live AS (
		SELECT member_id, name, phone, tier, currency, points_balance
		FROM members WHERE erased_at IS NULL AND merged_into IS NULL),
	liab AS (
		SELECT currency, count(*) AS members, sum(points_balance) AS points
		FROM live WHERE points_balance > 0 GROUP BY currency),
	tiers AS (
		SELECT tier, count(*) AS members FROM live GROUP BY tier),
	risk_all AS (
		SELECT ms.member_id, ms.visits, ms.spend_minor, ms.last_visit, ms.usual_store_id
		FROM member_stats ms JOIN live m USING (member_id) WHERE ms.class = 'at_risk'),
	risk AS (
		SELECT r.member_id, m.name, m.phone, m.tier, m.currency, r.visits, r.spend_minor,
		       to_char(r.last_visit AT TIME ZONE coalesce(s.timezone, 'UTC'), 'YYYY-MM-DD')
			AS last_visit, s.code AS store
		FROM risk_all r JOIN live m USING (member_id)
		LEFT JOIN stores s ON s.store_id = r.usual_store_id
		ORDER BY r.spend_minor DESC, r.member_id LIMIT 20)
	SELECT jsonb_build_object(
		'aggregated_at', (SELECT to_char(finished_at AT TIME ZONE 'UTC',
				'YYYY-MM-DD HH24:MI "UTC"') FROM analytics_state WHERE kind = 'aggregates'),
		'stores', coalesce((SELECT jsonb_agg(jsonb_build_object(
				'code', code, 'name', name, 'currency', currency, 'day', day,
				'sales', sales, 'items', items, 'total', total,
				'member_sales', member_sales, 'member_total', member_total,
				'member_share_bp', round(member_total * 10000.0 / nullif(total, 0)),
				'refunds', refunds, 'refund_minor', refund_minor) ORDER BY code)
			FROM today), '[]'::jsonb),
		'totals', coalesce((SELECT jsonb_agg(jsonb_build_object(
				'currency', currency, 'sales', sales, 'items', items, 'total', total,
				'member_sales', member_sales, 'member_total', member_total,
				'sales_share_bp', round(member_sales * 10000.0 / nullif(sales, 0)),
				'member_share_bp', round(member_total * 10000.0 / nullif(total, 0)),
				'refunds', refunds, 'refund_minor', refund_minor) ORDER BY currency)
			FROM totals), '[]'::jsonb),
		'hours', coalesce((SELECT jsonb_agg(jsonb_build_object(
				'currency', currency, 'hour', hour, 'sales', sales, 'total', total,
				'member_sales', member_sales) ORDER BY currency, hour)
			FROM hours), '[]'::jsonb),
		'liability', coalesce((SELECT jsonb_agg(jsonb_build_object(
				'currency', currency, 'members', members, 'points', points,
				'value', kassa_points_value_minor(points, p_step_value, p_points_step))
				ORDER BY currency)
			FROM liab), '[]'::jsonb),
		'tiers', coalesce((SELECT jsonb_agg(jsonb_build_object('tier', tier, 'members', members)
				ORDER BY tier) FROM tiers), '[]'::jsonb),
		'at_risk_count', (SELECT count(*) FROM risk_all),
		'at_risk', coalesce((SELECT jsonb_agg(jsonb_build_object(
				'member_id', member_id, 'name', name, 'phone', phone, 'tier', tier,
				'currency', currency, 'visits', visits, 'spend', spend_minor,
				'last_visit', last_visit, 'store', store)
				ORDER BY spend_minor DESC, member_id)
			FROM risk), '[]'::jsonb))
$$;
