-- Head office's sales reports (server/office/report_sales.c names them;
-- report.c validates the request and runs them on the report lane). Each
-- reads the pre-aggregated tables of 0012 (agg_sales_day, agg_sales_hour,
-- agg_category_day, agg_product_day and agg_product_chain_day,
-- agg_staff_day), member_stats and a
-- few index-backed slices of the base tables, never a year of
-- transactions. Every one takes the same five parameters:
--   p_from, p_to	the business days, inclusive (kassad checked them)
--   p_store		a store_id, or NULL for every store
--   p_category		a product category, or NULL for every one
--   p_limit		the top-N of the reports that have one
-- and returns its columns in machine form: money in minor units,
-- percentages in basis points (NULL when the base is 0), dates as dates.
--
-- The business day of an aggregate is the store's (stores.timezone); the
-- slices of base tables read here count a row on the business day of
-- its store too (members: their registration store; member_stats: the
-- member's usual store), or of the server's zone (the session's TimeZone)
-- when there is no store. A merged member is counted once, under the
-- member they were merged into; an erased member's sales stay in every
-- figure, but the member no longer counts among the members of today.

-- Round a / b to the nearest integer (half away from zero); NULL if b is 0.
CREATE FUNCTION kassa_report_div(a numeric, b numeric)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT round(a / nullif(b, 0))::bigint
$$;

-- a as a share of b in basis points (1234 = 12.34%); NULL if b is 0.
CREATE FUNCTION kassa_report_bp(a numeric, b numeric)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT round(a * 10000 / nullif(b, 0))::bigint
$$;

-- Sales by store and business day: sales, units, what the customers paid,
-- the average basket, the members' share of the money, the refunds made
-- that day at the store (counted on their own day) and the net.
CREATE FUNCTION kassa_report_sales_daily(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (store text, day date, sales bigint, items bigint, total_minor bigint,
	basket_minor bigint, member_share_bp bigint, refunds bigint, refund_minor bigint,
	net_minor bigint)
LANGUAGE sql STABLE AS $$
	SELECT s.code, a.day, a.sales, a.items, a.total_minor,
	       kassa_report_div(a.total_minor, a.sales),
	       kassa_report_bp(a.member_total_minor, a.total_minor),
	       a.refunds, a.refund_minor, a.total_minor - a.refund_minor
	FROM agg_sales_day a JOIN stores s ON s.store_id = a.store_id
	WHERE a.day BETWEEN p_from AND p_to AND (p_store IS NULL OR a.store_id = p_store)
	ORDER BY a.day, s.code
$$;

-- The range's totals per store, with each store's share of the money.
CREATE FUNCTION kassa_report_sales_by_store(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (store text, store_name text, sales bigint, items bigint, total_minor bigint,
	basket_minor bigint, member_share_bp bigint, refunds bigint, refund_minor bigint,
	net_minor bigint, share_bp bigint)
LANGUAGE sql STABLE AS $$
	WITH t AS (
		SELECT a.store_id, sum(a.sales) AS sales, sum(a.items) AS items,
		       sum(a.total_minor) AS total, sum(a.member_total_minor) AS member_total,
		       sum(a.refunds) AS refunds, sum(a.refund_minor) AS refund_minor
		FROM agg_sales_day a
		WHERE a.day BETWEEN p_from AND p_to AND (p_store IS NULL OR a.store_id = p_store)
		GROUP BY a.store_id)
	SELECT s.code, s.name, t.sales::bigint, t.items::bigint, t.total::bigint,
	       kassa_report_div(t.total, t.sales), kassa_report_bp(t.member_total, t.total),
	       t.refunds::bigint, t.refund_minor::bigint, (t.total - t.refund_minor)::bigint,
	       kassa_report_bp(t.total, sum(t.total) OVER ())
	FROM t JOIN stores s ON s.store_id = t.store_id
	ORDER BY t.total DESC, s.code
$$;

-- Peak hours: the range's sales by the stores' local hour of day (hours
-- with no sale are left out), with each hour's share of the money.
CREATE FUNCTION kassa_report_sales_hourly(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (hour integer, sales bigint, total_minor bigint, basket_minor bigint,
	member_sales bigint, share_bp bigint)
LANGUAGE sql STABLE AS $$
	WITH t AS (
		SELECT a.hour, sum(a.sales) AS sales, sum(a.total_minor) AS total,
		       sum(a.member_sales) AS member_sales
		FROM agg_sales_hour a
		WHERE a.day BETWEEN p_from AND p_to AND (p_store IS NULL OR a.store_id = p_store)
		GROUP BY a.hour)
	SELECT t.hour::integer, t.sales::bigint, t.total::bigint,
	       kassa_report_div(t.total, t.sales), t.member_sales::bigint,
	       kassa_report_bp(t.total, sum(t.total) OVER ())
	FROM t ORDER BY t.hour
$$;

-- Units and net money per product over the range (the product's current
-- category decides the category filter): every store's from the chain-wide
-- agg_product_chain_day (a row per day and product, however many stores
-- sold it), one store's from agg_product_day. Only one branch runs (the
-- other's filter on p_store is false before any row is read).
CREATE FUNCTION kassa_report_product_sums(p_from date, p_to date, p_store bigint)
RETURNS TABLE (product_id bigint, quantity bigint, net_minor bigint)
LANGUAGE sql STABLE AS $$
	SELECT c.product_id, sum(c.quantity)::bigint, sum(c.net_minor)::bigint
	FROM agg_product_chain_day c
	WHERE p_store IS NULL AND c.day BETWEEN p_from AND p_to
	GROUP BY c.product_id
	UNION ALL
	SELECT a.product_id, sum(a.quantity)::bigint, sum(a.net_minor)::bigint
	FROM agg_product_day a
	WHERE p_store IS NOT NULL AND a.store_id = p_store AND a.day BETWEEN p_from AND p_to
	GROUP BY a.product_id
$$;

-- The best sellers: products by units sold, then net money, top p_limit;
-- share_bp is the product's share of the net money of every product
-- (of the category, with a filter) in the range.
CREATE FUNCTION kassa_report_items_top(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (rank bigint, sku text, name text, category text, quantity bigint,
	net_minor bigint, share_bp bigint)
LANGUAGE sql STABLE AS $$
	SELECT row_number() OVER (ORDER BY p.quantity DESC, p.net_minor DESC, p.product_id),
	       pr.sku, pr.name, pr.category, p.quantity, p.net_minor,
	       kassa_report_bp(p.net_minor, sum(p.net_minor) OVER ())
	FROM kassa_report_product_sums(p_from, p_to, p_store) p
	JOIN products pr ON pr.product_id = p.product_id
	WHERE p_category IS NULL OR pr.category = p_category
	ORDER BY 1 LIMIT p_limit
$$;

-- The slowest sellers: the products sold in the range and every active
-- product that sold nothing, by units sold, then net money, lowest first.
CREATE FUNCTION kassa_report_items_slow(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (rank bigint, sku text, name text, category text, quantity bigint,
	net_minor bigint)
LANGUAGE sql STABLE AS $$
	SELECT row_number() OVER (ORDER BY coalesce(p.quantity, 0), coalesce(p.net_minor, 0),
				  pr.product_id),
	       pr.sku, pr.name, pr.category, coalesce(p.quantity, 0), coalesce(p.net_minor, 0)
	FROM products pr
	LEFT JOIN kassa_report_product_sums(p_from, p_to, p_store) p
		ON p.product_id = pr.product_id
	WHERE (pr.active OR p.product_id IS NOT NULL)
	  AND (p_category IS NULL OR pr.category = p_category)
	ORDER BY 1 LIMIT p_limit
$$;

-- Categories by net money over the range: units, net money, the sales
-- with at least one line of the category, and its share of the money.
CREATE FUNCTION kassa_report_categories(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (category text, quantity bigint, net_minor bigint, sales bigint, share_bp bigint)
LANGUAGE sql STABLE AS $$
	WITH t AS (
		SELECT a.category, sum(a.quantity) AS quantity, sum(a.net_minor) AS net,
		       sum(a.sales) AS sales
		FROM agg_category_day a
		WHERE a.day BETWEEN p_from AND p_to AND (p_store IS NULL OR a.store_id = p_store)
		  AND (p_category IS NULL OR a.category = p_category)
		GROUP BY a.category)
	SELECT t.category, t.quantity::bigint, t.net::bigint, t.sales::bigint,
	       kassa_report_bp(t.net, sum(t.net) OVER ())
	FROM t ORDER BY t.net DESC, t.category LIMIT p_limit
$$;

-- The members' share of the sales (count) and of the money, by day.
CREATE FUNCTION kassa_report_member_share(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (day date, sales bigint, member_sales bigint, sales_share_bp bigint,
	total_minor bigint, member_total_minor bigint, money_share_bp bigint)
LANGUAGE sql STABLE AS $$
	WITH t AS (
		SELECT a.day, sum(a.sales) AS sales, sum(a.member_sales) AS member_sales,
		       sum(a.total_minor) AS total, sum(a.member_total_minor) AS member_total
		FROM agg_sales_day a
		WHERE a.day BETWEEN p_from AND p_to AND (p_store IS NULL OR a.store_id = p_store)
		GROUP BY a.day)
	SELECT t.day, t.sales::bigint, t.member_sales::bigint,
	       kassa_report_bp(t.member_sales, t.sales), t.total::bigint, t.member_total::bigint,
	       kassa_report_bp(t.member_total, t.total)
	FROM t ORDER BY t.day
$$;

-- Visit frequency over the RFM window (member_stats.window_visits, the
-- last rfm_bounds.window_days days as of the analytics job's last run):
-- the members who bought in it by their number of visits (1, 2, 3-5,
-- 6-10, 11+; every bucket, empty ones too), their share of those members,
-- their visits, spend and average basket, and a last row "all". A store
-- filter keeps the members whose usual store it is. The range does not
-- apply (kassad refuses one).
CREATE FUNCTION kassa_report_visits(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (visits_bucket text, members bigint, share_bp bigint, visits bigint,
	spend_minor bigint, basket_minor bigint)
LANGUAGE sql STABLE AS $$
	WITH b(ord, label, lo, hi) AS (VALUES (1, '1', 1, 1), (2, '2', 2, 2), (3, '3-5', 3, 5),
		(4, '6-10', 6, 10), (5, '11+', 11, 2147483647)),
	ms AS (
		SELECT s.window_visits AS v, s.window_spend_minor AS spend
		FROM member_stats s JOIN members m ON m.member_id = s.member_id
		WHERE s.window_visits > 0 AND m.merged_into IS NULL
		  AND (p_store IS NULL OR s.usual_store_id = p_store)),
	t AS (
		SELECT b.ord, b.label, count(ms.v) AS members, coalesce(sum(ms.v), 0) AS visits,
		       coalesce(sum(ms.spend), 0) AS spend
		FROM b LEFT JOIN ms ON ms.v BETWEEN b.lo AND b.hi
		GROUP BY b.ord, b.label
		UNION ALL
		SELECT 6, 'all', count(*), coalesce(sum(ms.v), 0), coalesce(sum(ms.spend), 0)
		FROM ms)
	SELECT t.label, t.members::bigint,
	       kassa_report_bp(t.members, (SELECT count(*) FROM ms)),
	       t.visits::bigint, t.spend::bigint, kassa_report_div(t.spend, t.visits)
	FROM t ORDER BY t.ord
$$;

-- The RFM window the visits report covers, in days (0 before a full pass).
CREATE FUNCTION kassa_report_rfm_window()
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT window_days FROM rfm_bounds), 0)
$$;

-- Repeat purchases: the members whose first visit fell in the range, by
-- the month of it (its first day), and how many of them came back for a
-- second visit within 30 and within 90 days of the first. The business
-- day is the member's usual store's (the server's zone without one), and
-- a store filter keeps the members whose usual store it is. A cohort
-- younger than 30 (90) days has not had all its time to come back.
CREATE FUNCTION kassa_report_repeat_rate(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (month date, members bigint, returned_30 bigint, returned_90 bigint,
	rate_30_bp bigint, rate_90_bp bigint)
LANGUAGE sql STABLE AS $$
	WITH c AS (
		SELECT date_trunc('month', (s.first_visit AT TIME ZONE
			coalesce(st.timezone, current_setting('TimeZone')))::date)::date AS month,
		       s.second_visit <= s.first_visit + interval '30 days' AS r30,
		       s.second_visit <= s.first_visit + interval '90 days' AS r90
		FROM member_stats s
		JOIN members m ON m.member_id = s.member_id
		LEFT JOIN stores st ON st.store_id = s.usual_store_id
		WHERE m.merged_into IS NULL AND s.first_visit IS NOT NULL
		  AND s.first_visit >= (p_from - 1)::timestamptz
		  AND s.first_visit < (p_to + 2)::timestamptz
		  AND (s.first_visit AT TIME ZONE coalesce(st.timezone,
			current_setting('TimeZone')))::date BETWEEN p_from AND p_to
		  AND (p_store IS NULL OR s.usual_store_id = p_store))
	SELECT c.month, count(*)::bigint, count(*) FILTER (WHERE c.r30)::bigint,
	       count(*) FILTER (WHERE c.r90)::bigint,
	       kassa_report_bp(count(*) FILTER (WHERE c.r30), count(*)),
	       kassa_report_bp(count(*) FILTER (WHERE c.r90), count(*))
	FROM c GROUP BY c.month ORDER BY c.month
$$;

-- Tier changes in the range, by the tier moved into: at a sale
-- (transactions.tier -> tier_after, the store's business day), by the
-- re-evaluation job (audit_log 'tier.downgrade') and by hand (audit_log
-- 'tier.set'), both on the server's business day. A store filter keeps
-- the sales of the store and the members whose usual store it is.
CREATE FUNCTION kassa_report_tier_moves(p_from date, p_to date, p_store bigint)
RETURNS TABLE (tier text, upgrades bigint, downgrades bigint, manual bigint)
LANGUAGE sql STABLE AS $$
	WITH up AS (
		SELECT t.tier_after AS tier, count(*) AS n
		FROM transactions t JOIN stores s ON s.store_id = t.store_id
		WHERE t.tier_after <> t.tier AND t.kind = 'sale'
		  AND t.created_at >= (p_from - 1)::timestamptz
		  AND t.created_at < (p_to + 2)::timestamptz
		  AND (t.created_at AT TIME ZONE s.timezone)::date BETWEEN p_from AND p_to
		  AND (p_store IS NULL OR t.store_id = p_store)
		GROUP BY t.tier_after),
	au AS (
		SELECT a.detail ->> 'to' AS tier, a.action, count(*) AS n
		FROM audit_log a
		WHERE a.action IN ('tier.downgrade', 'tier.set')
		  AND a.at >= p_from::timestamptz AND a.at < (p_to + 1)::timestamptz
		  AND (p_store IS NULL OR EXISTS (SELECT 1 FROM member_stats ms
			WHERE a.subject = 'member:' || ms.member_id AND ms.usual_store_id = p_store))
		GROUP BY 1, 2)
	SELECT x.tier,
	       coalesce(sum(x.up), 0)::bigint, coalesce(sum(x.down), 0)::bigint,
	       coalesce(sum(x.man), 0)::bigint
	FROM (SELECT up.tier, up.n AS up, 0 AS down, 0 AS man FROM up
	      UNION ALL
	      SELECT au.tier, 0, CASE WHEN au.action = 'tier.downgrade' THEN au.n ELSE 0 END,
		     CASE WHEN au.action = 'tier.set' THEN au.n ELSE 0 END FROM au) x
	GROUP BY x.tier
$$;

-- Tiers: the members of today by tier (not erased, not merged; with a
-- store filter, those whose usual store, or registration store for a
-- member who never bought, it is), their share, and the tier changes
-- of the range into each tier (kassa_report_tier_moves).
CREATE FUNCTION kassa_report_tiers(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (tier text, members bigint, share_bp bigint, upgrades bigint,
	downgrades bigint, manual bigint)
LANGUAGE sql STABLE AS $$
	WITH now_t AS (
		SELECT m.tier, count(*) AS n
		FROM members m LEFT JOIN member_stats s ON s.member_id = m.member_id
		WHERE m.erased_at IS NULL AND m.merged_into IS NULL
		  AND (p_store IS NULL OR coalesce(s.usual_store_id, m.registered_store) = p_store)
		GROUP BY m.tier),
	mv AS (SELECT * FROM kassa_report_tier_moves(p_from, p_to, p_store))
	SELECT coalesce(n.tier, mv.tier), coalesce(n.n, 0)::bigint,
	       coalesce(kassa_report_bp(coalesce(n.n, 0), sum(n.n) OVER ()), 0),
	       coalesce(mv.upgrades, 0), coalesce(mv.downgrades, 0), coalesce(mv.manual, 0)
	FROM now_t n FULL JOIN mv ON mv.tier = n.tier
	ORDER BY coalesce(n.n, 0) DESC, 1
$$;

-- Staff performance per cashier over the range: their sales, units, money
-- and average basket, the sales with a member, the members they signed
-- up (members.registered_by; a merged duplicate does not count), the
-- refunds they made, and the customers' ratings of their sales (average
-- to two decimals, and how many). A store filter keeps what happened at
-- that store.
CREATE FUNCTION kassa_report_staff(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (staff_id bigint, staff text, store text, sales bigint, items bigint,
	total_minor bigint, basket_minor bigint, member_sales bigint, signups bigint,
	refunds bigint, refund_minor bigint, rating text, ratings bigint)
LANGUAGE sql STABLE AS $$
	WITH a AS (
		SELECT a.staff_id, sum(a.sales) AS sales, sum(a.items) AS items,
		       sum(a.total_minor) AS total, sum(a.member_sales) AS member_sales,
		       sum(a.refunds) AS refunds, sum(a.refund_minor) AS refund_minor
		FROM agg_staff_day a
		WHERE a.day BETWEEN p_from AND p_to AND (p_store IS NULL OR a.store_id = p_store)
		GROUP BY a.staff_id),
	su AS (
		SELECT m.registered_by AS staff_id, count(*) AS n
		FROM members m LEFT JOIN stores s ON s.store_id = m.registered_store
		WHERE m.registered_by IS NOT NULL AND m.merged_into IS NULL
		  AND m.created_at >= (p_from - 1)::timestamptz
		  AND m.created_at < (p_to + 2)::timestamptz
		  AND (m.created_at AT TIME ZONE coalesce(s.timezone,
			current_setting('TimeZone')))::date BETWEEN p_from AND p_to
		  AND (p_store IS NULL OR m.registered_store = p_store)
		GROUP BY m.registered_by),
	fb AS (
		SELECT f.staff_id, round(avg(f.rating), 2)::text AS rating, count(*) AS n
		FROM feedback f JOIN stores s ON s.store_id = f.store_id
		WHERE f.created_at >= (p_from - 1)::timestamptz
		  AND f.created_at < (p_to + 2)::timestamptz
		  AND (f.created_at AT TIME ZONE s.timezone)::date BETWEEN p_from AND p_to
		  AND (p_store IS NULL OR f.store_id = p_store)
		GROUP BY f.staff_id),
	ids AS (SELECT a.staff_id FROM a UNION SELECT su.staff_id FROM su
		UNION SELECT fb.staff_id FROM fb)
	SELECT ids.staff_id, coalesce(st.name, ''), coalesce(ss.code, ''),
	       coalesce(a.sales, 0)::bigint, coalesce(a.items, 0)::bigint,
	       coalesce(a.total, 0)::bigint, kassa_report_div(a.total, a.sales),
	       coalesce(a.member_sales, 0)::bigint, coalesce(su.n, 0)::bigint,
	       coalesce(a.refunds, 0)::bigint, coalesce(a.refund_minor, 0)::bigint,
	       fb.rating, coalesce(fb.n, 0)::bigint
	FROM ids
	LEFT JOIN a ON a.staff_id = ids.staff_id
	LEFT JOIN su ON su.staff_id = ids.staff_id
	LEFT JOIN fb ON fb.staff_id = ids.staff_id
	LEFT JOIN staff st ON st.staff_id = ids.staff_id
	LEFT JOIN stores ss ON ss.store_id = st.store_id
	ORDER BY coalesce(a.total, 0) DESC, ids.staff_id
$$;
