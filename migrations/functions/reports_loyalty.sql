-- Head office's loyalty reports and the forecast's history
-- (server/office/report_loyalty.c names them; report.c validates the
-- request and runs them on the report lane). They read the chain-wide
-- daily aggregates of 0012 (agg_points_day, agg_wallet_day, both by the
-- server's business day) and agg_category_day (by each store's business
-- day), plus three small reads of the base tables: the members' points
-- balances and the wallets' balances (the liabilities now) and the
-- coupons issued in the range with their definitions. Each takes the five
-- parameters of every report (reports.sql) -- p_from, p_to (business days,
-- inclusive), p_store (NULL = every store), p_category (NULL = every),
-- p_limit -- and the points report two more that loyalty's C reads from
-- the rule set in force (SQL never reads the rule-set JSON). Money in
-- minor units, percentages in basis points (NULL when the base is 0); the
-- helpers kassa_report_div() and kassa_report_bp() are reports.sql's.
-- docs/office.md ("Reports", "Forecast") describes each column.

-- Points by calendar month of the range: issued at sales (earn), given
-- back by refunds of sales that had redeemed (restore), redeemed (points
-- off a sale and gift items taken for points), expired, adjusted by a
-- manager (signed), clawed back by refunds (what the refunded lines had
-- earned), and the month's net change of the members' balances. A month
-- the range only touches counts only its days in the range; month is its
-- first day. Every row also carries the liability now: the sum of the
-- positive balances, the members holding them, and that sum in money at
-- the rule set's value of a point, p_step_value minor units per
-- p_points_step points (redeem.step_value_minor / redeem.points_step),
-- rounded half away from zero. A balance below zero (a clawback debt)
-- owes the chain nothing and is left out.
-- The money value of p_points at the rule set's value of a point
-- (p_step_value minor units per p_points_step points), rounded half away
-- from zero: the one rule for the points liability, which the points
-- report and the dashboard (dashboard.sql) both show.
CREATE FUNCTION kassa_points_value_minor(p_points numeric, p_step_value bigint,
	p_points_step bigint)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT kassa_report_div(p_points * p_step_value, p_points_step)
$$;

CREATE FUNCTION kassa_report_points(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer, p_step_value bigint, p_points_step bigint)
RETURNS TABLE (month date, issued bigint, restored bigint, redeemed bigint, expired bigint,
	adjusted bigint, clawed_back bigint, net bigint, liability_points bigint,
	liability_members bigint, liability_minor bigint)
LANGUAGE sql STABLE AS $$
	WITH m AS (
		SELECT g::date AS month
		FROM generate_series(date_trunc('month', p_from), date_trunc('month', p_to),
				     interval '1 month') AS g),
	a AS (
		SELECT date_trunc('month', d.day)::date AS month,
		       sum(d.points) FILTER (WHERE d.kind = 'earn') AS issued,
		       sum(d.points) FILTER (WHERE d.kind = 'restore') AS restored,
		       -sum(d.points) FILTER (WHERE d.kind = 'redeem') AS redeemed,
		       -sum(d.points) FILTER (WHERE d.kind = 'expire') AS expired,
		       sum(d.points) FILTER (WHERE d.kind = 'adjust') AS adjusted,
		       -sum(d.points) FILTER (WHERE d.kind IN ('clawback', 'refund')) AS clawed_back,
		       sum(d.points) AS net
		FROM agg_points_day d
		WHERE d.day BETWEEN p_from AND p_to
		GROUP BY 1),
	l AS (
		SELECT coalesce(sum(points_balance), 0) AS points, count(*) AS members
		FROM members WHERE points_balance > 0)
	SELECT m.month, coalesce(a.issued, 0)::bigint, coalesce(a.restored, 0)::bigint,
	       coalesce(a.redeemed, 0)::bigint, coalesce(a.expired, 0)::bigint,
	       coalesce(a.adjusted, 0)::bigint, coalesce(a.clawed_back, 0)::bigint,
	       coalesce(a.net, 0)::bigint, l.points::bigint, l.members,
	       kassa_points_value_minor(l.points, p_step_value, p_points_step)
	FROM m LEFT JOIN a USING (month) CROSS JOIN l
	ORDER BY m.month
$$;

-- Coupons by definition, for the coupons issued in the range (by the
-- server's business day of issued_at): how many were issued, used (by
-- now), expired unused (still unused after their definition's valid_to),
-- voided, still open, the redemption rate (used / issued) and the money
-- the used ones took off their sales. A sale's coupon_off_minor is its
-- coupon's; a sale that used several shares it equally among them, the
-- remainder a minor unit each to the lowest coupon ids, so the shares add
-- up to the sale's figure. A coupon a refund gave back is open again, not
-- used. The sales are read through transactions_coupon_off (0012), the
-- small index of the sales that took a coupon discount, never the sales.
CREATE FUNCTION kassa_report_coupons(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (coupon_def bigint, coupon text, kind text, issued bigint, used bigint,
	expired bigint, voided bigint, open bigint, redemption_bp bigint,
	discount_minor bigint)
LANGUAGE sql STABLE AS $$
	WITH s AS (
		SELECT c.def_id, c.state, count(*) AS n
		FROM coupons c
		WHERE c.issued_at >= p_from::timestamptz AND c.issued_at < (p_to + 1)::timestamptz
		GROUP BY 1, 2),
	used AS (
		SELECT c.def_id, c.coupon_id, t.txn_id, t.coupon_off_minor AS off,
		       cardinality(t.coupon_codes) AS codes
		FROM coupons c JOIN transactions t
			ON t.txn_id = c.used_txn AND t.coupon_off_minor > 0
		WHERE c.state = 'used' AND c.issued_at >= p_from::timestamptz
		  AND c.issued_at < (p_to + 1)::timestamptz),
	multi AS (
		-- the few sales with several coupons: this one's rank among them
		SELECT u.def_id, u.off, count(*) AS k,
		       count(*) FILTER (WHERE o.coupon_id <= u.coupon_id) AS rn
		FROM used u JOIN coupons o ON o.used_txn = u.txn_id AND o.state = 'used'
		WHERE u.codes > 1
		GROUP BY u.def_id, u.coupon_id, u.off),
	discount AS (
		SELECT x.def_id, sum(x.minor) AS minor FROM (
			SELECT def_id, off AS minor FROM used WHERE codes <= 1
			UNION ALL
			SELECT def_id, off / k + CASE WHEN rn <= off % k THEN 1 ELSE 0 END FROM multi
		) x
		GROUP BY x.def_id),
	g AS (
		SELECT s.def_id, sum(s.n) AS issued,
		       sum(s.n) FILTER (WHERE s.state = 'used') AS used,
		       sum(s.n) FILTER (WHERE s.state = 'issued' AND d.valid_to < current_date)
				AS expired,
		       sum(s.n) FILTER (WHERE s.state = 'void') AS voided,
		       sum(s.n) FILTER (WHERE s.state = 'issued'
					  AND (d.valid_to IS NULL OR d.valid_to >= current_date)) AS open
		FROM s JOIN coupon_defs d ON d.def_id = s.def_id
		GROUP BY s.def_id)
	SELECT g.def_id, d.name, d.kind, g.issued::bigint, coalesce(g.used, 0)::bigint,
	       coalesce(g.expired, 0)::bigint, coalesce(g.voided, 0)::bigint,
	       coalesce(g.open, 0)::bigint, kassa_report_bp(coalesce(g.used, 0), g.issued),
	       coalesce(x.minor, 0)::bigint
	FROM g JOIN coupon_defs d ON d.def_id = g.def_id
	LEFT JOIN discount x ON x.def_id = g.def_id
	ORDER BY g.issued DESC, g.def_id
$$;

-- Stored value by calendar month of the range (as the points report):
-- topped up, the top-up bonus given, spent at sales, refunded back to
-- wallets, adjusted (signed), the month's net change; every row also
-- carries the liability now, the sum of the wallets' balances (money the
-- chain owes its members), and the wallets holding any.
CREATE FUNCTION kassa_report_stored_value(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (month date, topped_up_minor bigint, bonus_minor bigint, spent_minor bigint,
	refunded_minor bigint, adjusted_minor bigint, net_minor bigint, liability_minor bigint,
	liability_wallets bigint)
LANGUAGE sql STABLE AS $$
	WITH m AS (
		SELECT g::date AS month
		FROM generate_series(date_trunc('month', p_from), date_trunc('month', p_to),
				     interval '1 month') AS g),
	a AS (
		SELECT date_trunc('month', d.day)::date AS month,
		       sum(d.amount_minor) FILTER (WHERE d.kind = 'topup') AS topped_up,
		       sum(d.amount_minor) FILTER (WHERE d.kind = 'bonus') AS bonus,
		       -sum(d.amount_minor) FILTER (WHERE d.kind = 'spend') AS spent,
		       sum(d.amount_minor) FILTER (WHERE d.kind = 'refund') AS refunded,
		       sum(d.amount_minor) FILTER (WHERE d.kind = 'adjust') AS adjusted,
		       sum(d.amount_minor) AS net
		FROM agg_wallet_day d
		WHERE d.day BETWEEN p_from AND p_to
		GROUP BY 1),
	l AS (
		SELECT coalesce(sum(balance_minor), 0) AS minor,
		       count(*) FILTER (WHERE balance_minor > 0) AS wallets
		FROM wallets)
	SELECT m.month, coalesce(a.topped_up, 0)::bigint, coalesce(a.bonus, 0)::bigint,
	       coalesce(a.spent, 0)::bigint, coalesce(a.refunded, 0)::bigint,
	       coalesce(a.adjusted, 0)::bigint, coalesce(a.net, 0)::bigint,
	       l.minor::bigint, l.wallets
	FROM m LEFT JOIN a USING (month) CROSS JOIN l
	ORDER BY m.month
$$;

-- The forecast's history (forecast.c does the arithmetic): the weekly net
-- sales (agg_category_day.net_minor) of each store's categories, over the
-- ISO weeks (Monday to Sunday, the stores' business days) that lie whole
-- in the range, the last one the last whole week ending on or before
-- p_to, at most the last 64 of them (what the method and its back-test
-- read). A row per (store, category, week) with any sale: week counts
-- from 0 at first_week, weeks is how many the window holds, and week1 ..
-- week4 are the Mondays of the four weeks forecast (the first is the
-- Monday after the window). Rows are in store, category, week order.
CREATE FUNCTION kassa_report_forecast(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (store text, category text, week integer, total_minor bigint, weeks integer,
	first_week date, week1 date, week2 date, week3 date, week4 date)
LANGUAGE sql STABLE AS $$
	WITH w AS (
		SELECT e.next_monday,
		       greatest(date_trunc('week', p_from + 6)::date, e.next_monday - 7 * 64)
				AS first_monday
		FROM (SELECT date_trunc('week', p_to + 1)::date AS next_monday) e),
	t AS (
		SELECT a.store_id, a.category, ((a.day - w.first_monday) / 7)::integer AS week,
		       sum(a.net_minor) AS total
		FROM agg_category_day a, w
		WHERE a.day >= w.first_monday AND a.day < w.next_monday
		  AND (p_store IS NULL OR a.store_id = p_store)
		  AND (p_category IS NULL OR a.category = p_category)
		GROUP BY a.store_id, a.category, 3)
	SELECT s.code, t.category, t.week, t.total::bigint,
	       ((w.next_monday - w.first_monday) / 7)::integer, w.first_monday,
	       w.next_monday, w.next_monday + 7, w.next_monday + 14, w.next_monday + 21
	FROM t JOIN stores s ON s.store_id = t.store_id CROSS JOIN w
	WHERE w.next_monday > w.first_monday
	ORDER BY s.code, t.category, t.week
$$;
