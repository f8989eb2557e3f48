-- The analytics job (server/office/analytics*.c): the pre-aggregated
-- tables every report reads and the members' RFM scores, classes and
-- portraits (tables in 0012_office.sql; docs/office.md, "Classes" and
-- "Aggregates and the analytics job"). Everything here is recomputed from
-- the sales themselves, so a run is idempotent and running it twice
-- changes nothing. kassad chains short statements from its callbacks,
-- each one transaction well inside [database] query_timeout_ms.
--
-- Names other code may call (kept stable):
--
--   kassa_agg_mark_late(store, at)        a late sale's mark (kassa_checkout)
--   kassa_agg_pick(now, since, rebuild, zone, limit)
--                                         the buckets of a run, as day ranges
--   kassa_agg_buckets(stores[], days[])   recompute whole (store, day) buckets
--   kassa_agg_chain_days(from, to, zone)  recompute agg_points_day / agg_wallet_day
--   kassa_rfm_stats(owners[], now, window)
--                                         a set of members' figures and portrait
--   kassa_rfm_score(value, bounds) / kassa_rfm_rscore(days, bounds)
--                                         a value's quintile against rfm_bounds
--   kassa_rfm_recency(last_visit, now)    whole days since the last visit
--   kassa_rfm_class(...)                  THE class rules (docs/office.md, "Classes")
--   kassa_rfm_update(ids[], now, window, new_days, lost_days)
--                                         recompute, score and write members
--   kassa_rfm_full_batch(...)             one id span of a from-scratch pass
--   kassa_rfm_bounds_draw(now, window)    the quintile cut points of a full pass
--   kassa_rfm_score_batch(...)            rescore one id span against them
--   kassa_rfm_incremental(...)            one batch of the members touched since
--   kassa_analytics_begin(...) / kassa_analytics_state_set(...) /
--   kassa_analytics_finish(...)           a run's bookkeeping
--   kassa_analytics_lease(holder, secs)   renew (or release) a run's lease
--
-- Buckets. A bucket is (store, business day): the day is the store's
-- (stores.timezone), from its local midnight to the next. Its rows in
-- agg_sales_day, agg_sales_hour (the store's local hour), agg_category_day
-- (products.category as it is now), agg_product_day and agg_staff_day are
-- computed from its sales (transactions kind 'sale' whose created_at falls
-- in the day: an offline sale counts on the day it was made) with their
-- lines, and its refunds (refunds made that day at that store, by that
-- cashier: a refund counts on its own day). A member sale is one with a
-- member, merged or not. agg_points_day and agg_wallet_day are chain-wide,
-- by the day in the server's zone ([loyalty] timezone, passed in) of each
-- ledger row. A bucket is replaced whole, under one advisory lock, so two
-- kassad never interleave their writes. agg_product_chain_day is
-- agg_product_day summed over the stores by (day, product): a bucket's
-- recomputation moves its day's chain rows by exactly what its own product
-- rows changed (no other writer touches agg_product_day, so the two agree
-- after every bucket, and a bucket recomputed again moves nothing).
--
-- Members. member_stats holds every member who has bought (a merged
-- member's sales are their survivor's: merged_into names the survivor
-- directly). Scores are quintiles over the members with a sale in the
-- last [analytics] rfm_window_days, drawn by the full pass into
-- rfm_bounds; an incremental pass scores against the stored bounds.

-- The functions kassad calls run with jit = off: their plans are costed
-- for far more rows than a batch holds (the batch's keys are parameters),
-- and compiling such a plan took seconds where running it takes
-- milliseconds.

-- The advisory lock every write of the job takes (transaction scope): two
-- runs (the timer's and a request's, or two kassad's) take turns batch by
-- batch, so that neither writes a bucket from an older snapshot over the
-- other's, nor do they deadlock on member_stats rows. A checkout never
-- takes it.
CREATE FUNCTION kassa_analytics_lock() RETURNS void
LANGUAGE sql AS $$
	SELECT pg_advisory_xact_lock(4242012)
$$;

-- ---- the late sale's mark ---------------------------------------------------

-- A sale recorded with a time of its own (an offline sale replayed) more
-- than five minutes old marks its bucket for the next run, in the sale's
-- transaction: the run recomputes it even when its day is older than the
-- two it always does, and recomputes the sale's member (the incremental
-- pass finds members by time, and this sale's time is old). kassa_checkout
-- calls this only for a sale with a sold_at, so an online sale pays
-- nothing. A run deleting the mark holds its row until it commits, so a
-- late sale marking meanwhile marks again after it.
CREATE FUNCTION kassa_agg_mark_late(p_store_id bigint, p_at timestamptz) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO agg_dirty (store_id, day)
	SELECT s.store_id, (p_at AT TIME ZONE s.timezone)::date
	FROM stores s WHERE s.store_id = p_store_id
	-- DO UPDATE, not DO NOTHING: it locks a mark already there until this
	-- sale commits, so a run deleting that mark meanwhile waits for the
	-- sale and its recount sees it (DO NOTHING takes no lock: the run
	-- would recount without this sale and delete the only mark left)
	ON CONFLICT (store_id, day) DO UPDATE SET marked_at = agg_dirty.marked_at
$$;

-- ---- picking the buckets ---------------------------------------------------

-- The buckets of a run, as rows (store_id, from_day, to_day, dirty):
--   every store: from the earlier of its yesterday and the day of p_since
--     (the previous run's clock less kassad's margin; NULL: none) to its
--     today, at p_now; for p_rebuild from the day of its first sale or
--     refund instead (stores that never sold: no row);
--   agg_dirty marks outside that range, one row each (dirty true, oldest
--     marks first, at most p_limit);
--   store_id NULL: the chain-wide days (points, stored value) in the
--     server's zone p_zone ('' = the session's), the same way.
-- Marks are not deleted here: kassa_agg_buckets deletes a bucket's mark
-- in the transaction that recomputes it.
CREATE FUNCTION kassa_agg_pick(p_now timestamptz, p_since timestamptz, p_rebuild boolean,
	p_zone text, p_limit integer)
RETURNS TABLE (store_id bigint, from_day date, to_day date, dirty boolean)
LANGUAGE sql STABLE AS $$
	WITH z AS (SELECT coalesce(nullif(p_zone, ''), current_setting('TimeZone')) AS tz),
	r AS (
		SELECT s.store_id, (p_now AT TIME ZONE s.timezone)::date AS today,
		       CASE WHEN p_rebuild THEN (least(
				(SELECT min(t.created_at) FROM transactions t
				 WHERE t.store_id = s.store_id),
				(SELECT min(f.created_at) FROM refunds f
				 WHERE f.store_id = s.store_id)) AT TIME ZONE s.timezone)::date
			    ELSE least((p_now AT TIME ZONE s.timezone)::date - 1,
				       (p_since AT TIME ZONE s.timezone)::date) END AS first
		FROM stores s),
	c AS (
		SELECT (p_now AT TIME ZONE z.tz)::date AS today,
		       CASE WHEN p_rebuild THEN (least(
				(SELECT min(r.first) FROM r)::timestamp AT TIME ZONE z.tz,
				(SELECT min(l.created_at) FROM points_ledger l),
				(SELECT min(w.created_at) FROM wallet_ledger w)) AT TIME ZONE z.tz)::date
			    ELSE least((p_now AT TIME ZONE z.tz)::date - 1,
				       (p_since AT TIME ZONE z.tz)::date) END AS first
		FROM z)
	SELECT r.store_id, r.first, r.today, false FROM r WHERE r.first IS NOT NULL
	UNION ALL
	SELECT NULL, c.first, c.today, false FROM c WHERE c.first IS NOT NULL
	UNION ALL
	(SELECT d.store_id, d.day, d.day, true
	 FROM agg_dirty d JOIN r ON r.store_id = d.store_id
	 WHERE r.first IS NULL OR d.day < r.first OR d.day > r.today
	 ORDER BY d.marked_at, d.store_id, d.day LIMIT p_limit)
$$;

-- ---- recomputing buckets ---------------------------------------------------

-- Recompute the buckets (p_store_ids[i], p_days[i]) whole, in one
-- transaction: take the lock, delete their agg_dirty marks (returned, for
-- the incremental RFM: out_dirty_stores and out_dirty_days), then replace
-- their rows in the five per-store tables with what their sales and
-- refunds give now (a row that does not change is not written), and move
-- the chain-wide agg_product_chain_day rows of their days by the change of
-- their agg_product_day rows, so that each stays the sum over the stores
-- (the cost is the product rows that changed, never every store's). Returns
-- the buckets recomputed and the sales they hold. (Buckets, not day
-- ranges: an array's length is what the planner sizes the plan by.)
CREATE FUNCTION kassa_agg_buckets(p_store_ids bigint[], p_days date[],
	OUT out_buckets integer, OUT out_sales bigint, OUT out_dirty_stores bigint[],
	OUT out_dirty_days date[])
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_gone_days	date[];		-- chain-wide rows no store has any more
	v_gone_products	bigint[];
BEGIN
	PERFORM kassa_analytics_lock();
	-- the marks first: a sale committed before this is in the figures
	-- below (their statement's snapshot is later); one committing after
	-- waits for this transaction on the mark's key, then marks again
	WITH d AS (
		DELETE FROM agg_dirty a USING unnest(p_store_ids, p_days) AS b(store_id, day)
		WHERE a.store_id = b.store_id AND a.day = b.day
		RETURNING a.store_id, a.day)
	SELECT coalesce(array_agg(d.store_id), '{}'), coalesce(array_agg(d.day), '{}')
	INTO out_dirty_stores, out_dirty_days FROM d;

	WITH b AS (
		SELECT DISTINCT u.store_id, u.day, s.timezone AS tz,
		       u.day::timestamp AT TIME ZONE s.timezone AS t0,
		       (u.day + 1)::timestamp AT TIME ZONE s.timezone AS t1
		FROM unnest(p_store_ids, p_days) AS u(store_id, day)
		JOIN stores s ON s.store_id = u.store_id),
	-- (LATERAL ... OFFSET 0: each bucket's sales, each sale's lines by their
	-- index, whatever the plan guesses of how many buckets there are)
	s AS MATERIALIZED (
		SELECT b.store_id, b.day, t.txn_id, t.staff_id, t.member_id IS NOT NULL AS is_member,
		       t.total_minor, t.gross_minor,
		       extract(hour FROM t.created_at AT TIME ZONE b.tz)::smallint AS hour
		FROM b CROSS JOIN LATERAL (SELECT x.txn_id, x.staff_id, x.member_id, x.total_minor,
			x.gross_minor, x.created_at
			FROM transactions x WHERE x.store_id = b.store_id AND x.created_at >= b.t0
			  AND x.created_at < b.t1 AND x.kind = 'sale' OFFSET 0) t),
	l AS MATERIALIZED (
		SELECT s.store_id, s.day, s.txn_id, s.staff_id, tl.product_id, tl.quantity,
		       tl.net_minor, tl.category
		FROM s CROSS JOIN LATERAL (SELECT x.product_id, x.quantity, x.net_minor, p.category
			FROM transaction_lines x JOIN products p ON p.product_id = x.product_id
			WHERE x.txn_id = s.txn_id OFFSET 0) tl),
	rf AS MATERIALIZED (
		SELECT b.store_id, b.day, f.staff_id, f.amount_minor
		FROM b CROSS JOIN LATERAL (SELECT x.staff_id, x.amount_minor FROM refunds x
			WHERE x.store_id = b.store_id AND x.created_at >= b.t0 AND x.created_at < b.t1
			OFFSET 0) f),
	li AS (SELECT l.txn_id, sum(l.quantity) AS items FROM l GROUP BY l.txn_id),
	-- the new rows of each table
	n_day AS (
		SELECT k.store_id, k.day, coalesce(x.sales, 0)::integer AS sales,
		       coalesce(x.items, 0)::bigint AS items, coalesce(x.gross, 0)::bigint AS gross,
		       coalesce(x.total, 0)::bigint AS total, coalesce(x.msales, 0)::integer AS msales,
		       coalesce(x.mtotal, 0)::bigint AS mtotal, coalesce(y.n, 0)::integer AS refunds,
		       coalesce(y.amount, 0)::bigint AS refund_minor
		FROM (SELECT s.store_id, s.day FROM s UNION SELECT rf.store_id, rf.day FROM rf) k
		LEFT JOIN (SELECT s.store_id, s.day, count(*) AS sales, sum(li.items) AS items,
				  sum(s.gross_minor) AS gross, sum(s.total_minor) AS total,
				  count(*) FILTER (WHERE s.is_member) AS msales,
				  sum(s.total_minor) FILTER (WHERE s.is_member) AS mtotal
			   FROM s LEFT JOIN li ON li.txn_id = s.txn_id GROUP BY s.store_id, s.day) x
			ON x.store_id = k.store_id AND x.day = k.day
		LEFT JOIN (SELECT rf.store_id, rf.day, count(*) AS n, sum(rf.amount_minor) AS amount
			   FROM rf GROUP BY rf.store_id, rf.day) y
			ON y.store_id = k.store_id AND y.day = k.day),
	n_hour AS (
		SELECT s.store_id, s.day, s.hour, count(*)::integer AS sales,
		       sum(s.total_minor)::bigint AS total,
		       (count(*) FILTER (WHERE s.is_member))::integer AS msales
		FROM s GROUP BY s.store_id, s.day, s.hour),
	n_cat AS (
		SELECT l.store_id, l.day, l.category, sum(l.quantity)::bigint AS quantity,
		       sum(l.net_minor)::bigint AS net, count(DISTINCT l.txn_id)::integer AS sales
		FROM l GROUP BY l.store_id, l.day, l.category),
	n_prod AS (
		SELECT l.store_id, l.day, l.product_id, sum(l.quantity)::bigint AS quantity,
		       sum(l.net_minor)::bigint AS net
		FROM l GROUP BY l.store_id, l.day, l.product_id),
	n_staff AS (
		SELECT k.store_id, k.day, k.staff_id, coalesce(x.sales, 0)::integer AS sales,
		       coalesce(x.items, 0)::bigint AS items, coalesce(x.total, 0)::bigint AS total,
		       coalesce(x.msales, 0)::integer AS msales, coalesce(y.n, 0)::integer AS refunds,
		       coalesce(y.amount, 0)::bigint AS refund_minor
		FROM (SELECT s.store_id, s.day, s.staff_id FROM s
		      UNION SELECT rf.store_id, rf.day, rf.staff_id FROM rf) k
		LEFT JOIN (SELECT s.store_id, s.day, s.staff_id, count(*) AS sales,
				  sum(li.items) AS items, sum(s.total_minor) AS total,
				  count(*) FILTER (WHERE s.is_member) AS msales
			   FROM s LEFT JOIN li ON li.txn_id = s.txn_id
			   GROUP BY s.store_id, s.day, s.staff_id) x
			ON x.store_id = k.store_id AND x.day = k.day AND x.staff_id = k.staff_id
		LEFT JOIN (SELECT rf.store_id, rf.day, rf.staff_id, count(*) AS n,
				  sum(rf.amount_minor) AS amount
			   FROM rf GROUP BY rf.store_id, rf.day, rf.staff_id) y
			ON y.store_id = k.store_id AND y.day = k.day AND y.staff_id = k.staff_id),
	-- write them: an upsert of the new rows (unchanged ones untouched) and
	-- a delete of the buckets' rows that are no longer there (other keys)
	u_day AS (
		INSERT INTO agg_sales_day AS a (store_id, day, sales, items, gross_minor, total_minor,
			member_sales, member_total_minor, refunds, refund_minor)
		SELECT * FROM n_day
		ON CONFLICT (store_id, day) DO UPDATE SET sales = excluded.sales,
			items = excluded.items, gross_minor = excluded.gross_minor,
			total_minor = excluded.total_minor, member_sales = excluded.member_sales,
			member_total_minor = excluded.member_total_minor, refunds = excluded.refunds,
			refund_minor = excluded.refund_minor
		WHERE (a.sales, a.items, a.gross_minor, a.total_minor, a.member_sales,
		       a.member_total_minor, a.refunds, a.refund_minor) IS DISTINCT FROM
		      (excluded.sales, excluded.items, excluded.gross_minor, excluded.total_minor,
		       excluded.member_sales, excluded.member_total_minor, excluded.refunds,
		       excluded.refund_minor)
		RETURNING 1),
	d_day AS (
		DELETE FROM agg_sales_day a USING b
		WHERE a.store_id = b.store_id AND a.day = b.day
		  AND NOT EXISTS (SELECT 1 FROM n_day n WHERE n.store_id = a.store_id
				  AND n.day = a.day)
		RETURNING 1),
	u_hour AS (
		INSERT INTO agg_sales_hour AS a (store_id, day, hour, sales, total_minor,
			member_sales)
		SELECT * FROM n_hour
		ON CONFLICT (store_id, day, hour) DO UPDATE SET sales = excluded.sales,
			total_minor = excluded.total_minor, member_sales = excluded.member_sales
		WHERE (a.sales, a.total_minor, a.member_sales) IS DISTINCT FROM
		      (excluded.sales, excluded.total_minor, excluded.member_sales)
		RETURNING 1),
	d_hour AS (
		DELETE FROM agg_sales_hour a USING b
		WHERE a.store_id = b.store_id AND a.day = b.day
		  AND NOT EXISTS (SELECT 1 FROM n_hour n WHERE n.store_id = a.store_id
				  AND n.day = a.day AND n.hour = a.hour)
		RETURNING 1),
	u_cat AS (
		INSERT INTO agg_category_day AS a (store_id, day, category, quantity, net_minor,
			sales)
		SELECT * FROM n_cat
		ON CONFLICT (store_id, day, category) DO UPDATE SET quantity = excluded.quantity,
			net_minor = excluded.net_minor, sales = excluded.sales
		WHERE (a.quantity, a.net_minor, a.sales) IS DISTINCT FROM
		      (excluded.quantity, excluded.net_minor, excluded.sales)
		RETURNING 1),
	d_cat AS (
		DELETE FROM agg_category_day a USING b
		WHERE a.store_id = b.store_id AND a.day = b.day
		  AND NOT EXISTS (SELECT 1 FROM n_cat n WHERE n.store_id = a.store_id
				  AND n.day = a.day AND n.category = a.category)
		RETURNING 1),
	u_prod AS (
		INSERT INTO agg_product_day AS a (store_id, day, product_id, quantity, net_minor)
		SELECT * FROM n_prod
		ON CONFLICT (store_id, day, product_id) DO UPDATE SET quantity = excluded.quantity,
			net_minor = excluded.net_minor
		WHERE (a.quantity, a.net_minor) IS DISTINCT FROM
		      (excluded.quantity, excluded.net_minor)
		RETURNING a.store_id, a.day, a.product_id, a.quantity, a.net_minor),
	d_prod AS (
		DELETE FROM agg_product_day a USING b
		WHERE a.store_id = b.store_id AND a.day = b.day
		  AND NOT EXISTS (SELECT 1 FROM n_prod n WHERE n.store_id = a.store_id
				  AND n.day = a.day AND n.product_id = a.product_id)
		RETURNING a.day, a.product_id, a.quantity, a.net_minor),
	-- the chain-wide rows (agg_product_chain_day, the sum over the stores)
	-- move by what the product rows written changed: the rows u_prod wrote
	-- (new values) less what they held (agg_product_day read here is this
	-- statement's snapshot, before its own writes; a row inserted held
	-- nothing), less the rows d_prod deleted. Only rows that changed cost
	-- anything, so a run over buckets that did not move does no chain work,
	-- and a (day, product) whose sums do not move is not written. The
	-- change is added to the row (the lock makes this the only writer); a
	-- row it brings to 0 units (no store has the product that day any
	-- more) is deleted by the statement after this one.
	dlt_chain AS (
		SELECT x.day, x.product_id, sum(x.quantity)::bigint AS dq, sum(x.net)::bigint AS dn
		FROM (SELECT u.day, u.product_id, u.quantity, u.net_minor AS net FROM u_prod u
		      UNION ALL
		      SELECT o.day, o.product_id, -o.quantity, -o.net_minor
		      FROM u_prod u CROSS JOIN LATERAL (SELECT p.day, p.product_id, p.quantity,
			p.net_minor FROM agg_product_day p WHERE p.store_id = u.store_id
			  AND p.day = u.day AND p.product_id = u.product_id OFFSET 0) o
		      UNION ALL
		      SELECT d.day, d.product_id, -d.quantity, -d.net_minor FROM d_prod d) x
		GROUP BY x.day, x.product_id
		HAVING sum(x.quantity) <> 0 OR sum(x.net) <> 0),
	u_chain AS (
		INSERT INTO agg_product_chain_day AS a (day, product_id, quantity, net_minor)
		SELECT * FROM dlt_chain
		ON CONFLICT (day, product_id) DO UPDATE SET quantity = a.quantity + excluded.quantity,
			net_minor = a.net_minor + excluded.net_minor
		RETURNING a.day, a.product_id, a.quantity),
	u_staff AS (
		INSERT INTO agg_staff_day AS a (store_id, day, staff_id, sales, items, total_minor,
			member_sales, refunds, refund_minor)
		SELECT * FROM n_staff
		ON CONFLICT (store_id, day, staff_id) DO UPDATE SET sales = excluded.sales,
			items = excluded.items, total_minor = excluded.total_minor,
			member_sales = excluded.member_sales, refunds = excluded.refunds,
			refund_minor = excluded.refund_minor
		WHERE (a.sales, a.items, a.total_minor, a.member_sales, a.refunds,
		       a.refund_minor) IS DISTINCT FROM
		      (excluded.sales, excluded.items, excluded.total_minor, excluded.member_sales,
		       excluded.refunds, excluded.refund_minor)
		RETURNING 1),
	d_staff AS (
		DELETE FROM agg_staff_day a USING b
		WHERE a.store_id = b.store_id AND a.day = b.day
		  AND NOT EXISTS (SELECT 1 FROM n_staff n WHERE n.store_id = a.store_id
				  AND n.day = a.day AND n.staff_id = a.staff_id)
		RETURNING 1)
	-- (a data-modifying WITH runs to completion whether it is read or not)
	SELECT (SELECT count(*) FROM b)::integer, (SELECT count(*) FROM s),
	       (SELECT array_agg(u.day) FROM u_chain u WHERE u.quantity <= 0),
	       (SELECT array_agg(u.product_id) FROM u_chain u WHERE u.quantity <= 0)
	INTO out_buckets, out_sales, v_gone_days, v_gone_products;
	-- (a separate statement: the one above cannot see the rows it wrote)
	IF v_gone_days IS NOT NULL THEN
		DELETE FROM agg_product_chain_day a
		USING unnest(v_gone_days, v_gone_products) AS g(day, product_id)
		WHERE a.day = g.day AND a.product_id = g.product_id AND a.quantity <= 0;
	END IF;
END
$$;

-- Recompute the chain-wide days p_from .. p_to (the server's zone p_zone,
-- '' = the session's) of agg_points_day and agg_wallet_day from the
-- ledgers, whole. Returns the days done.
CREATE FUNCTION kassa_agg_chain_days(p_from date, p_to date, p_zone text) RETURNS integer
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_tz	text := coalesce(nullif(p_zone, ''), current_setting('TimeZone'));
	v_t0	timestamptz := p_from::timestamp AT TIME ZONE v_tz;
	v_t1	timestamptz := (p_to + 1)::timestamp AT TIME ZONE v_tz;
BEGIN
	PERFORM kassa_analytics_lock();
	WITH n AS (
		SELECT (l.created_at AT TIME ZONE v_tz)::date AS day, l.kind,
		       count(*)::integer AS entries, sum(l.points)::bigint AS points
		FROM points_ledger l WHERE l.created_at >= v_t0 AND l.created_at < v_t1
		GROUP BY 1, 2),
	u AS (
		INSERT INTO agg_points_day AS a (day, kind, entries, points) SELECT * FROM n
		ON CONFLICT (day, kind) DO UPDATE SET entries = excluded.entries,
			points = excluded.points
		WHERE (a.entries, a.points) IS DISTINCT FROM (excluded.entries, excluded.points)
		RETURNING 1)
	DELETE FROM agg_points_day a
	WHERE a.day BETWEEN p_from AND p_to
	  AND NOT EXISTS (SELECT 1 FROM n WHERE n.day = a.day AND n.kind = a.kind);
	WITH n AS (
		SELECT (w.created_at AT TIME ZONE v_tz)::date AS day, w.kind,
		       count(*)::integer AS entries, sum(w.amount_minor)::bigint AS amount
		FROM wallet_ledger w WHERE w.created_at >= v_t0 AND w.created_at < v_t1
		GROUP BY 1, 2),
	u AS (
		INSERT INTO agg_wallet_day AS a (day, kind, entries, amount_minor) SELECT * FROM n
		ON CONFLICT (day, kind) DO UPDATE SET entries = excluded.entries,
			amount_minor = excluded.amount_minor
		WHERE (a.entries, a.amount_minor) IS DISTINCT FROM
		      (excluded.entries, excluded.amount_minor)
		RETURNING 1)
	DELETE FROM agg_wallet_day a
	WHERE a.day BETWEEN p_from AND p_to
	  AND NOT EXISTS (SELECT 1 FROM n WHERE n.day = a.day AND n.kind = a.kind);
	RETURN greatest(p_to - p_from + 1, 0);
END
$$;

-- ---- RFM: a member's figures ---------------------------------------------

-- The figures and portrait of the survivors p_owners (members not merged)
-- as of p_now, over their own sales and those of the members merged into
-- them: visits (sales ever; a refunded sale stays a visit), spend (their
-- totals less their refunds), first, second and last visit, the window's
-- visits and spend (sales after p_now - p_window_days, less the refunds of
-- those sales), and the portrait: average basket (spend / visits,
-- rounded), the three categories bought in the largest quantity (refunded
-- lines left out; ties by name), the usual store (most visits) and hour
-- (store-local hour of most visits; ties to the smaller), and the mean
-- days between visits ((last - first) / (visits - 1), rounded; 0 for one
-- visit). An owner without a sale gets no row.
CREATE FUNCTION kassa_rfm_stats(p_owners bigint[], p_now timestamptz, p_window_days integer)
RETURNS TABLE (member_id bigint, visits integer, spend_minor bigint, first_visit timestamptz,
	last_visit timestamptz, second_visit timestamptz, window_visits integer,
	window_spend_minor bigint, avg_basket_minor bigint, fav_categories text[],
	usual_store_id bigint, usual_hour smallint, visit_interval_days integer)
LANGUAGE sql STABLE AS $$
	WITH src AS (
		SELECT m.member_id AS owner, m.member_id AS src FROM members m
		WHERE m.member_id = ANY(p_owners) AND m.merged_into IS NULL
		UNION ALL
		SELECT m.merged_into, m.member_id FROM members m
		WHERE m.merged_into = ANY(p_owners)),
	s AS MATERIALIZED (
		SELECT src.owner, t.txn_id, t.created_at, t.store_id, t.total_minor,
		       t.created_at > p_now - make_interval(days => p_window_days) AS in_window,
		       extract(hour FROM t.created_at AT TIME ZONE st.timezone)::smallint AS hour
		FROM src CROSS JOIN LATERAL (SELECT x.txn_id, x.created_at, x.store_id, x.total_minor
			FROM transactions x WHERE x.member_id = src.src AND x.kind = 'sale' OFFSET 0) t
		JOIN stores st ON st.store_id = t.store_id),
	-- refunds by the member (refunds_member), matched to the sales above
	rf AS (
		SELECT s.owner, sum(f.amount_minor) AS amount,
		       sum(f.amount_minor) FILTER (WHERE s.in_window) AS in_window
		FROM src JOIN refunds f ON f.member_id = src.src
		JOIN s ON s.txn_id = f.txn_id
		GROUP BY s.owner),
	a AS (
		SELECT s.owner, count(*) AS visits, sum(s.total_minor) AS total,
		       min(s.created_at) AS first, max(s.created_at) AS last,
		       (array_agg(s.created_at ORDER BY s.created_at, s.txn_id))[2] AS second,
		       count(*) FILTER (WHERE s.in_window) AS wvisits,
		       coalesce(sum(s.total_minor) FILTER (WHERE s.in_window), 0) AS wtotal,
		       mode() WITHIN GROUP (ORDER BY s.store_id) AS store,
		       mode() WITHIN GROUP (ORDER BY s.hour) AS hour
		FROM s GROUP BY s.owner),
	c AS (
		SELECT q.owner, (array_agg(q.category ORDER BY q.qty DESC, q.category))[1:3] AS fav
		FROM (SELECT s.owner, tl.category, sum(tl.quantity) AS qty
		      FROM s CROSS JOIN LATERAL (SELECT p.category, x.quantity
			FROM transaction_lines x JOIN products p ON p.product_id = x.product_id
			WHERE x.txn_id = s.txn_id AND p.category <> ''
			  AND NOT EXISTS (SELECT 1 FROM refund_lines r
					  WHERE r.txn_id = x.txn_id AND r.line_no = x.line_no)
			OFFSET 0) tl
		      GROUP BY s.owner, tl.category) q
		GROUP BY q.owner)
	SELECT a.owner, a.visits::integer, (a.total - coalesce(rf.amount, 0))::bigint,
	       a.first, a.last, a.second, a.wvisits::integer,
	       (a.wtotal - coalesce(rf.in_window, 0))::bigint,
	       round((a.total - coalesce(rf.amount, 0))::numeric / a.visits)::bigint,
	       coalesce(c.fav, '{}'), a.store, a.hour,
	       CASE WHEN a.visits > 1
		    THEN round(extract(epoch FROM a.last - a.first) / 86400 / (a.visits - 1))
		    ELSE 0 END::integer
	FROM a LEFT JOIN rf ON rf.owner = a.owner LEFT JOIN c ON c.owner = a.owner
$$;

-- ---- RFM: scores and classes ---------------------------------------------

-- Whole days from p_last to p_now (0 for a visit after p_now).
CREATE FUNCTION kassa_rfm_recency(p_last timestamptz, p_now timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT greatest(floor(extract(epoch FROM p_now - p_last) / 86400), 0)::integer
$$;

-- The frequency or monetary score of p_value (> 0 visits in the window):
-- 1 plus the number of the four cut points it reaches (p_bounds[i] is the
-- lowest value that scores i + 2; a missing one is not reached). One
-- expression, so that the planner inlines it into a scan of a million rows.
CREATE FUNCTION kassa_rfm_score(p_value bigint, p_bounds bigint[]) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
	SELECT (1 + coalesce((p_value >= p_bounds[1])::integer, 0)
		  + coalesce((p_value >= p_bounds[2])::integer, 0)
		  + coalesce((p_value >= p_bounds[3])::integer, 0)
		  + coalesce((p_value >= p_bounds[4])::integer, 0))::smallint
$$;

-- The recency score of p_days since the last visit: 1 plus the number of
-- the four cut points it is within (p_bounds[i] is the most days that
-- score i + 2).
CREATE FUNCTION kassa_rfm_rscore(p_days integer, p_bounds integer[]) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
	SELECT (1 + coalesce((p_days <= p_bounds[1])::integer, 0)
		  + coalesce((p_days <= p_bounds[2])::integer, 0)
		  + coalesce((p_days <= p_bounds[3])::integer, 0)
		  + coalesce((p_days <= p_bounds[4])::integer, 0))::smallint
$$;

-- THE class rules (docs/office.md, "Classes"), in order of precedence:
--   none        never bought (no visit)
--   new         first visit less than p_new_days days before p_now
--   lost        no visit for p_lost_days days or more
--   at_risk     r <= 2 and (f >= 3 or m >= 3)
--   high_value  f >= 4 and m >= 4
--   active      any other member with a visit in the window
--   lost        also a member left over: bought, but not in the window
--               (only when lost_days > rfm_window_days)
-- r, f and m are 0 without a visit in the window.
CREATE FUNCTION kassa_rfm_class(p_first timestamptz, p_last timestamptz,
	p_window_visits integer, p_r smallint, p_f smallint, p_m smallint, p_now timestamptz,
	p_new_days integer, p_lost_days integer)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN p_last IS NULL THEN 'none'
		WHEN p_now - p_first < make_interval(days => p_new_days) THEN 'new'
		WHEN p_now - p_last >= make_interval(days => p_lost_days) THEN 'lost'
		WHEN p_window_visits > 0 AND p_r <= 2 AND (p_f >= 3 OR p_m >= 3) THEN 'at_risk'
		WHEN p_window_visits > 0 AND p_f >= 4 AND p_m >= 4 THEN 'high_value'
		WHEN p_window_visits > 0 THEN 'active'
		ELSE 'lost' END
$$;

-- ---- RFM: writing members --------------------------------------------------

-- Recompute the members p_ids as of p_now: their figures (kassa_rfm_stats),
-- scores against the stored rfm_bounds (all 0 before the first full pass)
-- and class, upserted into member_stats; a member of p_ids with no sale of
-- their own (or merged into another) loses their row. Returns the rows
-- written or kept (members who have bought).
CREATE FUNCTION kassa_rfm_update(p_ids bigint[], p_now timestamptz, p_window_days integer,
	p_new_days integer, p_lost_days integer)
RETURNS integer LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_n	integer;
BEGIN
	PERFORM kassa_analytics_lock();
	WITH b AS (SELECT * FROM rfm_bounds),
	n AS MATERIALIZED (
		SELECT x.*, sc.r, sc.f, sc.m
		FROM kassa_rfm_stats(p_ids, p_now, p_window_days) x
		LEFT JOIN b ON true
		CROSS JOIN LATERAL (SELECT kassa_rfm_recency(x.last_visit, p_now) AS days OFFSET 0) d
		CROSS JOIN LATERAL (SELECT
			CASE WHEN x.window_visits > 0 AND b.id IS NOT NULL
			     THEN kassa_rfm_rscore(d.days, b.r_bounds) ELSE 0 END::smallint AS r,
			CASE WHEN x.window_visits > 0 AND b.id IS NOT NULL
			     THEN kassa_rfm_score(x.window_visits, b.f_bounds) ELSE 0 END::smallint AS f,
			CASE WHEN x.window_visits > 0 AND b.id IS NOT NULL
			     THEN kassa_rfm_score(x.window_spend_minor, b.m_bounds)
			     ELSE 0 END::smallint AS m OFFSET 0) sc),
	u AS (
		INSERT INTO member_stats AS ms (member_id, visits, spend_minor, first_visit,
			last_visit, second_visit, window_visits, window_spend_minor, r, f, m, class,
			avg_basket_minor, fav_categories, usual_store_id, usual_hour,
			visit_interval_days, computed_at)
		SELECT n.member_id, n.visits, n.spend_minor, n.first_visit, n.last_visit,
		       n.second_visit, n.window_visits, n.window_spend_minor, n.r, n.f, n.m,
		       kassa_rfm_class(n.first_visit, n.last_visit, n.window_visits, n.r, n.f, n.m,
				       p_now, p_new_days, p_lost_days),
		       n.avg_basket_minor, n.fav_categories, n.usual_store_id, n.usual_hour,
		       n.visit_interval_days, now()
		FROM n
		ON CONFLICT (member_id) DO UPDATE SET visits = excluded.visits,
			spend_minor = excluded.spend_minor, first_visit = excluded.first_visit,
			last_visit = excluded.last_visit, second_visit = excluded.second_visit,
			window_visits = excluded.window_visits,
			window_spend_minor = excluded.window_spend_minor, r = excluded.r,
			f = excluded.f, m = excluded.m, class = excluded.class,
			avg_basket_minor = excluded.avg_basket_minor,
			fav_categories = excluded.fav_categories,
			usual_store_id = excluded.usual_store_id, usual_hour = excluded.usual_hour,
			visit_interval_days = excluded.visit_interval_days,
			computed_at = excluded.computed_at
		WHERE (ms.visits, ms.spend_minor, ms.first_visit, ms.last_visit, ms.second_visit,
		       ms.window_visits, ms.window_spend_minor, ms.r, ms.f, ms.m, ms.class,
		       ms.avg_basket_minor, ms.fav_categories, ms.usual_store_id, ms.usual_hour,
		       ms.visit_interval_days) IS DISTINCT FROM
		      (excluded.visits, excluded.spend_minor, excluded.first_visit,
		       excluded.last_visit, excluded.second_visit, excluded.window_visits,
		       excluded.window_spend_minor, excluded.r, excluded.f, excluded.m,
		       excluded.class, excluded.avg_basket_minor, excluded.fav_categories,
		       excluded.usual_store_id, excluded.usual_hour, excluded.visit_interval_days)
		RETURNING 1),
	d AS (
		DELETE FROM member_stats ms
		WHERE ms.member_id = ANY(p_ids)
		  AND NOT EXISTS (SELECT 1 FROM n WHERE n.member_id = ms.member_id)
		RETURNING 1)
	SELECT count(*) INTO v_n FROM n;
	RETURN v_n;
END
$$;

-- ---- RFM: the full pass -------------------------------------------------------
--
-- Three steps, each a run of short statements from kassad. First the
-- figures: a member's figures change only with their sales, refunds and
-- merges, which the incremental pass follows, and with the window moving
-- on, so the full pass recomputes the members touched since and those
-- whose sales left the window since the last full pass
-- (kassa_rfm_incremental with its full-pass sets); the first pass, a
-- rebuild and a new window recompute every member instead
-- (kassa_rfm_full_batch over the members in id order). Then new cut
-- points from every member's figures (kassa_rfm_bounds_draw), and every
-- member scored against those and classified as of the pass's clock
-- (kassa_rfm_score_batch, writing only the rows whose scores or class
-- move: recency and the classes' day counts move every day).

-- The next p_limit members with ids above p_after, recomputed
-- (kassa_rfm_update). out_members: those who have bought; out_last: the
-- last id taken (the next batch starts above it); out_more: whether to go
-- on.
CREATE FUNCTION kassa_rfm_full_batch(p_now timestamptz, p_after bigint, p_limit integer,
	p_window_days integer, p_new_days integer, p_lost_days integer,
	OUT out_members integer, OUT out_last bigint, OUT out_more boolean)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_ids	bigint[];
BEGIN
	PERFORM kassa_analytics_lock();
	v_ids := ARRAY(SELECT m.member_id FROM members m WHERE m.member_id > p_after
		       ORDER BY m.member_id LIMIT p_limit);
	out_more := cardinality(v_ids) >= p_limit;
	out_last := coalesce(v_ids[cardinality(v_ids)], p_after);
	-- the rows of members since deleted from the span go too
	DELETE FROM member_stats ms WHERE ms.member_id > p_after
	  AND (ms.member_id <= out_last OR NOT out_more) AND NOT ms.member_id = ANY(v_ids);
	out_members := kassa_rfm_update(v_ids, p_now, p_window_days, p_new_days, p_lost_days);
END
$$;

-- Draw the quintile cut points from member_stats (the members with a
-- visit in the window as of p_now: kassa_rfm_full_batch wrote them) and
-- store them in rfm_bounds. Frequency and monetary: bounds[i] = the value
-- at the (i x 20)th percentile plus one, so a value scores i + 2 when it
-- is above that percentile; recency: bounds[i] = the days at the (i x
-- 20)th percentile from the longest, less one. Ties therefore fall to the
-- lower score. Returns the members the bounds were drawn from.
CREATE FUNCTION kassa_rfm_bounds_draw(p_now timestamptz, p_window_days integer)
RETURNS bigint LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_n	bigint;
	v_r	integer[];
	v_f	bigint[];
	v_m	bigint[];
	v_q	float8[] := ARRAY[0.2, 0.4, 0.6, 0.8];	-- fractions, not money
BEGIN
	PERFORM kassa_analytics_lock();
	SELECT count(*),
	       percentile_disc(v_q) WITHIN GROUP (ORDER BY kassa_rfm_recency(s.last_visit, p_now) DESC),
	       percentile_disc(v_q) WITHIN GROUP (ORDER BY s.window_visits::bigint),
	       percentile_disc(v_q) WITHIN GROUP (ORDER BY s.window_spend_minor)
	INTO v_n, v_r, v_f, v_m
	FROM member_stats s WHERE s.window_visits > 0;
	INSERT INTO rfm_bounds AS b (id, window_days, r_bounds, f_bounds, m_bounds, computed_at)
	VALUES (true, p_window_days,
		coalesce(ARRAY(SELECT x - 1 FROM unnest(v_r) WITH ORDINALITY u(x, i) ORDER BY i), '{}'),
		coalesce(ARRAY(SELECT x + 1 FROM unnest(v_f) WITH ORDINALITY u(x, i) ORDER BY i), '{}'),
		coalesce(ARRAY(SELECT x + 1 FROM unnest(v_m) WITH ORDINALITY u(x, i) ORDER BY i), '{}'),
		now())
	ON CONFLICT (id) DO UPDATE SET window_days = excluded.window_days,
		r_bounds = excluded.r_bounds, f_bounds = excluded.f_bounds,
		m_bounds = excluded.m_bounds, computed_at = excluded.computed_at;
	RETURN v_n;
END
$$;

-- Score the next p_limit member_stats rows above p_after against
-- rfm_bounds as of p_now and classify them (a row is written only when its
-- scores or class move). out_members: rows looked at.
CREATE FUNCTION kassa_rfm_score_batch(p_now timestamptz, p_after bigint, p_limit integer,
	p_new_days integer, p_lost_days integer,
	OUT out_members integer, OUT out_last bigint, OUT out_more boolean)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_lo	bigint;
BEGIN
	PERFORM kassa_analytics_lock();
	SELECT count(*), max(x.member_id) INTO out_members, out_last
	FROM (SELECT ms.member_id FROM member_stats ms WHERE ms.member_id > p_after
	      ORDER BY ms.member_id LIMIT p_limit) x;
	out_more := out_members >= p_limit;
	out_last := coalesce(out_last, p_after);
	v_lo := p_after;
	WITH n AS (
		SELECT ms.member_id, sc.r, sc.f, sc.m,
		       kassa_rfm_class(ms.first_visit, ms.last_visit, ms.window_visits, sc.r, sc.f,
				       sc.m, p_now, p_new_days, p_lost_days) AS class
		FROM member_stats ms CROSS JOIN rfm_bounds b
		-- (each value once per row, as plain columns, so the score and class
		-- functions inline: OFFSET 0 keeps the subqueries apart)
		CROSS JOIN LATERAL (SELECT kassa_rfm_recency(ms.last_visit, p_now) AS days,
			ms.window_visits::bigint AS visits OFFSET 0) d
		CROSS JOIN LATERAL (SELECT
			CASE WHEN ms.window_visits > 0 THEN kassa_rfm_rscore(d.days, b.r_bounds)
			     ELSE 0 END::smallint AS r,
			CASE WHEN ms.window_visits > 0 THEN kassa_rfm_score(d.visits, b.f_bounds)
			     ELSE 0 END::smallint AS f,
			CASE WHEN ms.window_visits > 0
			     THEN kassa_rfm_score(ms.window_spend_minor, b.m_bounds)
			     ELSE 0 END::smallint AS m OFFSET 0) sc
		WHERE ms.member_id > v_lo AND ms.member_id <= out_last)
	UPDATE member_stats ms SET r = n.r, f = n.f, m = n.m, class = n.class
	FROM n WHERE ms.member_id = n.member_id
	  AND (ms.r, ms.f, ms.m, ms.class) IS DISTINCT FROM (n.r, n.f, n.m, n.class);
END
$$;

-- ---- RFM: the members touched -------------------------------------------------

-- One batch of the members whose figures may have moved, recomputed and
-- scored against the stored bounds (kassa_rfm_update): the survivors
-- (merged members count as theirs) of
--   the sales and refunds made since p_since (transactions_store_time and
--     refunds_store_time, every store);
--   the offline sales in the buckets (p_stores[i], p_days[i]) whose
--     late-sale marks this run took (their times are old);
-- and, for the full pass (NULL: left out),
--   the sales that left the window since the last full pass (created in
--     [p_left_from, p_left_to));
--   the offline sales made since p_offline_since (a run that stopped
--     between its aggregates and its members lost their marks' members);
--   the members merged into another who still have a row (which goes).
-- The next p_limit of them above p_after are done. out_members: those
-- recomputed who have bought.
CREATE FUNCTION kassa_rfm_incremental(p_now timestamptz, p_since timestamptz,
	p_stores bigint[], p_days date[], p_left_from timestamptz, p_left_to timestamptz,
	p_offline_since timestamptz, p_after bigint, p_limit integer,
	p_window_days integer, p_new_days integer, p_lost_days integer,
	OUT out_members integer, OUT out_last bigint, OUT out_more boolean)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_all	bigint[] := ARRAY(SELECT s.store_id FROM stores s);
	v_ids	bigint[];
BEGIN
	v_ids := ARRAY(
		SELECT DISTINCT y.id
		FROM (SELECT t.member_id FROM transactions t
		      WHERE t.store_id = ANY(v_all) AND t.created_at >= p_since
			AND t.member_id IS NOT NULL AND t.kind = 'sale'
		      UNION
		      SELECT f.member_id FROM refunds f
		      WHERE f.store_id = ANY(v_all) AND f.created_at >= p_since
			AND f.member_id IS NOT NULL
		      UNION
		      SELECT t.member_id FROM unnest(p_stores, p_days) AS d(store_id, day)
		      JOIN stores st ON st.store_id = d.store_id
		      JOIN transactions t ON t.store_id = d.store_id
			AND t.created_at >= d.day::timestamp AT TIME ZONE st.timezone
			AND t.created_at < (d.day + 1)::timestamp AT TIME ZONE st.timezone
		      WHERE t.offline AND t.member_id IS NOT NULL AND t.kind = 'sale'
		      UNION
		      SELECT t.member_id FROM transactions t
		      WHERE p_left_from IS NOT NULL AND t.store_id = ANY(v_all)
			AND t.created_at >= p_left_from AND t.created_at < p_left_to
			AND t.member_id IS NOT NULL AND t.kind = 'sale'
		      UNION
		      SELECT t.member_id FROM transactions t
		      WHERE p_offline_since IS NOT NULL AND t.store_id = ANY(v_all)
			AND t.created_at >= p_offline_since AND t.offline
			AND t.member_id IS NOT NULL AND t.kind = 'sale'
		      UNION
		      SELECT ms.member_id FROM members m JOIN member_stats ms USING (member_id)
		      WHERE p_offline_since IS NOT NULL AND m.merged_into IS NOT NULL) x
		JOIN members m ON m.member_id = x.member_id
		-- a merged member's survivor is recomputed, and the member's own row goes
		CROSS JOIN LATERAL (VALUES (coalesce(m.merged_into, m.member_id)),
					   (m.member_id)) AS y(id)
		WHERE y.id > p_after
		ORDER BY 1 LIMIT p_limit);
	out_more := cardinality(v_ids) >= p_limit;
	out_last := coalesce(v_ids[cardinality(v_ids)], p_after);
	out_members := kassa_rfm_update(v_ids, p_now, p_window_days, p_new_days, p_lost_days);
END
$$;

-- ---- a run's bookkeeping ------------------------------------------------------

-- Start a run. With an idempotency key (AnalyticsRun) the key names a
-- job_runs row (kind 'analytics_run'): a key seen before answers that run
-- (out_finished with its counts) or, cut short, has the caller do it
-- again; p_record_full without a key records the timer's run the same
-- way when it is a full pass (out_full_due or out_scratch); otherwise
-- out_run_id is 0. Also returns, as RFC 3339
-- texts (NULL: never ran), the run's clock (out_now) and where its parts
-- start, each a margin of p_margin_s seconds early: the aggregates
-- (out_agg_since) and the members touched (out_rfm_since) from the
-- previous runs' clocks; for a full pass the sales that left the window
-- of p_window_days since the last one (out_left_from .. out_left_to) and
-- the offline sales of the last p_late_days + 1 days (out_offline_since).
-- out_scratch: the members must be computed from scratch (no full pass
-- yet, no bounds, or bounds of another window); out_full_due: the daily
-- full pass is due (from p_full_hour o'clock in the server's zone p_zone,
-- once a day). A run that is to go claims the lease (job_leases
-- 'analytics') for p_holder, p_lease_s seconds, unless another run holds
-- it unexpired: then it raises ANALYTICS_RUNNING (KA412) and nothing of
-- this call stays (neither the key's idempotency row nor a job_runs row),
-- also for a retry of the key whose own run is still going.
CREATE FUNCTION kassa_analytics_begin(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_record_full boolean, p_margin_s integer, p_zone text, p_full_hour integer,
	p_window_days integer, p_late_days integer, p_holder text, p_lease_s integer,
	OUT out_run_id bigint, OUT out_finished boolean, OUT out_buckets bigint,
	OUT out_members bigint, OUT out_elapsed_ms bigint, OUT out_finished_at text,
	OUT out_now text, OUT out_agg_since text, OUT out_rfm_since text,
	OUT out_left_from text, OUT out_left_to text, OUT out_offline_since text,
	OUT out_scratch boolean, OUT out_full_due boolean)
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
	v_tz	text := coalesce(nullif(p_zone, ''), current_setting('TimeZone'));
	v_prev	bigint;
	v_full	analytics_state;
	v_local	timestamp := now() AT TIME ZONE v_tz;
	v_m	interval := make_interval(secs => p_margin_s);
	v_w	interval := make_interval(days => p_window_days);
	v_fmt	text := 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';
BEGIN
	out_now := to_char(now() AT TIME ZONE 'UTC', v_fmt);
	SELECT to_char((covered_to - v_m) AT TIME ZONE 'UTC', v_fmt) INTO out_agg_since
	FROM analytics_state WHERE kind = 'aggregates';
	SELECT to_char((covered_to - v_m) AT TIME ZONE 'UTC', v_fmt) INTO out_rfm_since
	FROM analytics_state WHERE kind = 'rfm_incremental';
	SELECT * INTO v_full FROM analytics_state WHERE kind = 'rfm_full';
	out_left_from := to_char((v_full.covered_to - v_w - v_m) AT TIME ZONE 'UTC', v_fmt);
	out_left_to := to_char((now() - v_w) AT TIME ZONE 'UTC', v_fmt);
	out_offline_since := to_char((now() - make_interval(days => p_late_days + 1))
				     AT TIME ZONE 'UTC', v_fmt);
	out_scratch := v_full.kind IS NULL OR out_rfm_since IS NULL
		OR NOT EXISTS (SELECT 1 FROM rfm_bounds b WHERE b.window_days = p_window_days);
	out_full_due := extract(hour FROM v_local) >= p_full_hour
		AND (v_full.kind IS NULL OR (v_full.started_at AT TIME ZONE v_tz)::date < v_local::date);

	out_run_id := 0;
	out_finished := false;
	IF p_key IS NOT NULL OR (p_record_full AND (out_full_due OR out_scratch)) THEN
		out_run_id := nextval('job_runs_run_id_seq');
	END IF;
	IF p_key IS NOT NULL THEN
		v_prev := kassa_idem_claim(p_till_id, p_key, 'analytics_run', p_hash, out_run_id);
		out_run_id := coalesce(v_prev, out_run_id);
	END IF;
	IF out_run_id > 0 THEN
		INSERT INTO job_runs (run_id, kind, staff_id, till_id)
		VALUES (out_run_id, 'analytics_run', p_staff_id, p_till_id)
		ON CONFLICT (run_id) DO NOTHING;
		SELECT j.finished_at IS NOT NULL, j.buckets, j.members,
		       (extract(epoch FROM j.finished_at - j.started_at) * 1000)::bigint,
		       to_char(j.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
		INTO out_finished, out_buckets, out_members, out_elapsed_ms, out_finished_at
		FROM job_runs j WHERE j.run_id = out_run_id;
	END IF;
	IF NOT out_finished THEN
		UPDATE job_leases SET holder = p_holder, run_id = out_run_id,
			lease_until = now() + make_interval(secs => p_lease_s)
		WHERE job = 'analytics' AND lease_until < now();
		IF NOT FOUND THEN
			RAISE EXCEPTION 'ANALYTICS_RUNNING' USING ERRCODE = 'KA412';
		END IF;
	END IF;
END
$$;

-- The lease of the run p_holder: renewed to p_lease_s seconds from now,
-- or released (p_lease_s 0). False when p_holder does not hold it (it
-- expired and another run claimed it, or it was released).
CREATE FUNCTION kassa_analytics_lease(p_holder text, p_lease_s integer) RETURNS boolean
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE job_leases SET
			lease_until = CASE WHEN p_lease_s > 0
				THEN now() + make_interval(secs => p_lease_s) ELSE '-infinity' END,
			holder = CASE WHEN p_lease_s > 0 THEN holder ELSE '' END,
			run_id = CASE WHEN p_lease_s > 0 THEN run_id ELSE 0 END
		WHERE job = 'analytics' AND holder = p_holder AND p_holder <> ''
		RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM u)
$$;

-- A part of a run is done: analytics_state's row of p_kind says when it
-- started and ended, the clock it covered and the rows it did.
CREATE FUNCTION kassa_analytics_state_set(p_kind text, p_started timestamptz,
	p_covered_to timestamptz, p_rows bigint)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO analytics_state AS a (kind, started_at, finished_at, covered_to, rows)
	VALUES (p_kind, p_started, now(), p_covered_to, p_rows)
	ON CONFLICT (kind) DO UPDATE SET started_at = excluded.started_at,
		finished_at = excluded.finished_at, covered_to = excluded.covered_to,
		rows = excluded.rows
$$;

-- The run p_run_id (0: not recorded) is over: its counts and end, as
-- kassa_analytics_begin answers them for a retry.
CREATE FUNCTION kassa_analytics_finish(p_run_id bigint, p_buckets bigint, p_members bigint,
	OUT out_buckets bigint, OUT out_members bigint, OUT out_elapsed_ms bigint,
	OUT out_finished_at text)
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
	UPDATE job_runs SET buckets = p_buckets, members = p_members, finished_at = now()
	WHERE run_id = p_run_id AND finished_at IS NULL;
	out_buckets := p_buckets;
	out_members := p_members;
	out_finished_at := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
	IF p_run_id = 0 THEN
		RETURN;		-- not recorded: kassad times the run itself
	END IF;
	SELECT j.buckets, j.members,
	       (extract(epoch FROM j.finished_at - j.started_at) * 1000)::bigint,
	       to_char(j.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	INTO out_buckets, out_members, out_elapsed_ms, out_finished_at
	FROM job_runs j WHERE j.run_id = p_run_id;
END
$$;
