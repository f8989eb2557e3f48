-- Stock per store as a ledger (tables stock_levels and stock_moves,
-- 0023_store_ops.sql; stock_alerts, 0027_stock.sql; docs/store/stock.md).
-- kassa_stock_moves() is the one writer of the ledger: the checkout,
-- refunds, goods receiving, transfers, counts and adjustments call it in
-- their own transaction; kassa_stock_fold() writes what it left pending
-- (a sale at a store that allows negative stock, 0033). kassa_stock_adjust() (StockAdjust,
-- server/store/stock.c) is a manager's adjustment and safety level; the
-- lists below are read-only.

-- The stock on hand now: the level and what sales have moved since the
-- last fold (stock_pending, 0033). Every reader of a level reads this. A
-- qualification on store_id and product_id is pushed into both branches
-- (stock_levels' primary key serves it).
CREATE VIEW kassa_stock_on_hand AS
	SELECT u.store_id, u.product_id, sum(u.on_hand)::bigint AS on_hand,
		max(u.safety_level) AS safety_level
	FROM (SELECT store_id, product_id, on_hand, safety_level FROM stock_levels
	      UNION ALL
	      SELECT store_id, product_id, quantity, 0 FROM stock_pending) u
	GROUP BY u.store_id, u.product_id;

-- Move stock of store p_store: per product p_products[i], p_qtys[i] units
-- (signed: negative out, positive in; a product may appear more than once,
-- its quantities add up; products not stocked, and sums of 0, are left
-- out). One ledger row per product with the level after it. Levels are
-- locked in product order, so two movements cannot deadlock. If the store
-- keeps no negative stock (stores.negative_stock false), a movement that
-- takes a product's level below zero raises OUT_OF_STOCK (KA412), and
-- nothing of the movement stays - except for a sale made offline and
-- replayed now (transactions.offline of txn p_ref, kind 'sale'): it has
-- happened, and the ledger records it. p_kind is a stock_moves kind, p_ref
-- the id of what moved it (txn, refund, receipt, transfer, count), p_staff
-- who.
--
-- Low-stock alerts: a product whose level goes from >= its safety level
-- (> 0) to below it gets one stock_alerts row and one member-less feed
-- event 'stock.low' (member_id 0; the feed job fans it out to endpoints
-- subscribed to 'stock.*'); a level that rises back to >= its safety level
-- clears the open alert. The level's row lock orders the movements of a
-- product, so each crossing is seen by exactly one of them.
--
-- One statement: the alert CTEs write nothing on an ordinary movement.
--
-- A sale at a store that keeps negative stock is never refused, so it
-- neither reads nor locks the levels (sales of one product would take turns
-- on its row until each commit): its movement goes to stock_pending, and
-- kassa_stock_fold() below makes it ledger rows, levels and alerts a moment
-- later. The stock on hand is the view kassa_stock_on_hand (0033).
CREATE FUNCTION kassa_stock_moves(p_store bigint, p_kind text, p_ref bigint, p_staff bigint,
	p_products bigint[], p_qtys bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_short	bigint;
	v_neg	boolean := (SELECT negative_stock FROM stores WHERE store_id = p_store);
BEGIN
	IF p_kind = 'sale' AND v_neg THEN
		INSERT INTO stock_pending (store_id, product_id, quantity, ref_id, staff_id)
		SELECT p_store, u.pid, sum(u.q)::bigint, p_ref, p_staff
		FROM unnest(p_products, p_qtys) AS u(pid, q)
		JOIN products p ON p.product_id = u.pid AND p.stocked
		GROUP BY u.pid HAVING sum(u.q) <> 0;
		RETURN;
	END IF;
	WITH d AS (
		SELECT u.pid, sum(u.q)::bigint AS q
		FROM unnest(p_products, p_qtys) AS u(pid, q)
		JOIN products p ON p.product_id = u.pid AND p.stocked
		GROUP BY u.pid HAVING sum(u.q) <> 0),
	lv AS (
		INSERT INTO stock_levels AS s (store_id, product_id, on_hand)
		SELECT p_store, d.pid, d.q FROM d ORDER BY d.pid
		ON CONFLICT (store_id, product_id)
		DO UPDATE SET on_hand = s.on_hand + EXCLUDED.on_hand, updated_at = now()
		RETURNING s.product_id, s.on_hand, s.safety_level),
	mv AS (
		INSERT INTO stock_moves (store_id, product_id, kind, quantity, on_hand_after,
			ref_id, staff_id)
		SELECT p_store, lv.product_id, p_kind, d.q, lv.on_hand, p_ref, p_staff
		FROM lv JOIN d ON d.pid = lv.product_id
		RETURNING product_id, quantity, on_hand_after),
	al AS (
		INSERT INTO stock_alerts (store_id, product_id, safety_level, on_hand)
		SELECT p_store, lv.product_id, lv.safety_level, lv.on_hand
		FROM lv JOIN d ON d.pid = lv.product_id
		WHERE lv.safety_level > 0 AND lv.on_hand < lv.safety_level
		  AND lv.on_hand - d.q >= lv.safety_level
		ON CONFLICT DO NOTHING
		RETURNING alert_id, product_id, safety_level, on_hand),
	ev AS (
		INSERT INTO events (member_id, type, data)
		SELECT 0, 'stock.low', kassa_stock_alert_data(p_store, al.alert_id, al.product_id,
			al.safety_level, al.on_hand)
		FROM al),
	cl AS (
		UPDATE stock_alerts a SET cleared_at = now()
		FROM lv JOIN d ON d.pid = lv.product_id
		WHERE a.store_id = p_store AND a.product_id = lv.product_id
		  AND a.cleared_at IS NULL AND lv.on_hand >= lv.safety_level
		  AND lv.on_hand - d.q < lv.safety_level)
	-- a store that refuses negative stock has pending sales only from before
	-- it began to refuse, not yet folded: they count
	SELECT min(mv.product_id) FILTER (WHERE mv.quantity < 0 AND mv.on_hand_after
		+ CASE WHEN v_neg THEN 0 ELSE (SELECT coalesce(sum(sp.quantity), 0)
			FROM stock_pending sp WHERE sp.store_id = p_store
			  AND sp.product_id = mv.product_id) END < 0)
	INTO v_short FROM mv;
	IF v_short IS NOT NULL AND NOT v_neg
	   AND NOT (p_kind = 'sale' AND EXISTS (SELECT 1 FROM transactions t
						WHERE t.txn_id = p_ref AND t.offline)) THEN
		RAISE EXCEPTION 'OUT_OF_STOCK' USING ERRCODE = 'KA412',
			DETAIL = 'product ' || v_short;
	END IF;
END
$$;

-- Fold the sales waiting in stock_pending (at most p_limit rows, committed
-- ones) into the ledger: one 'sale' move per row with its sale's time and
-- the level after it (the running sum from the level before), the levels
-- (locked in store and product order, as every mover locks them), and the
-- alerts of the levels that crossed their safety level, as
-- kassa_stock_moves() raises and clears them. Deleting the rows and
-- writing what they become is one transaction, so kassa_stock_on_hand never
-- counts a sale twice or not at all. One fold at a time across kassad
-- processes (an advisory lock; a second returns 0 at once). Returns the
-- rows folded (p_limit: there may be more).
CREATE FUNCTION kassa_stock_fold(p_limit integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_n	integer;
BEGIN
	IF NOT pg_try_advisory_xact_lock(hashtext('kassa_stock_fold')) THEN
		RETURN 0;
	END IF;
	WITH p AS (
		DELETE FROM stock_pending WHERE ctid = ANY (ARRAY(
			SELECT ctid FROM stock_pending LIMIT p_limit))
		RETURNING *),
	d AS (
		SELECT store_id, product_id, sum(quantity)::bigint AS q
		FROM p GROUP BY store_id, product_id),
	lv AS (
		INSERT INTO stock_levels AS s (store_id, product_id, on_hand)
		SELECT d.store_id, d.product_id, d.q FROM d ORDER BY d.store_id, d.product_id
		ON CONFLICT (store_id, product_id)
		DO UPDATE SET on_hand = s.on_hand + EXCLUDED.on_hand, updated_at = now()
		RETURNING s.store_id, s.product_id, s.on_hand, s.safety_level),
	x AS (
		SELECT p.*, lv.on_hand - d.q + sum(p.quantity) OVER (
			PARTITION BY p.store_id, p.product_id ORDER BY p.created_at, p.ref_id
			ROWS UNBOUNDED PRECEDING) AS after
		FROM p JOIN d USING (store_id, product_id) JOIN lv USING (store_id, product_id)),
	mv AS (
		INSERT INTO stock_moves (store_id, product_id, kind, quantity, on_hand_after,
			ref_id, staff_id, created_at)
		SELECT x.store_id, x.product_id, 'sale', x.quantity, x.after, x.ref_id,
			x.staff_id, x.created_at
		FROM x ORDER BY x.store_id, x.product_id, x.created_at, x.ref_id),
	al AS (
		INSERT INTO stock_alerts (store_id, product_id, safety_level, on_hand)
		SELECT lv.store_id, lv.product_id, lv.safety_level, lv.on_hand
		FROM lv JOIN d USING (store_id, product_id)
		WHERE lv.safety_level > 0 AND lv.on_hand < lv.safety_level
		  AND lv.on_hand - d.q >= lv.safety_level
		ON CONFLICT DO NOTHING
		RETURNING alert_id, store_id, product_id, safety_level, on_hand),
	ev AS (
		INSERT INTO events (member_id, type, data)
		SELECT 0, 'stock.low', kassa_stock_alert_data(al.store_id, al.alert_id,
			al.product_id, al.safety_level, al.on_hand)
		FROM al),
	cl AS (
		UPDATE stock_alerts a SET cleared_at = now()
		FROM lv JOIN d USING (store_id, product_id)
		WHERE a.store_id = lv.store_id AND a.product_id = lv.product_id
		  AND a.cleared_at IS NULL AND lv.on_hand >= lv.safety_level
		  AND lv.on_hand - d.q < lv.safety_level)
	SELECT count(*) INTO v_n FROM p;
	RETURN v_n;
END
$$;

-- The data of a 'stock.low' event (member-less: member_id 0).
CREATE FUNCTION kassa_stock_alert_data(p_store bigint, p_alert bigint, p_product bigint,
	p_safety bigint, p_on_hand bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('member_id', 0, 'alert_id', p_alert, 'store_id', p_store,
		'store_code', (SELECT s.code FROM stores s WHERE s.store_id = p_store),
		'product_id', p_product,
		'sku', (SELECT p.sku FROM products p WHERE p.product_id = p_product),
		'safety_level', p_safety, 'on_hand', p_on_hand)
$$;

-- The feed job queues an event's outbox rows with the event's member_id
-- (kassa_feed_number); a member-less event (stock.low, member_id 0) has
-- none, and outbox.member_id references members: NULL it. Not a kassa_*
-- function (a trigger depends on it, see feed.sql's header).
CREATE OR REPLACE FUNCTION stock_outbox_memberless() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.member_id := NULL;
	RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER outbox_memberless BEFORE INSERT ON outbox
	FOR EACH ROW WHEN (NEW.member_id = 0) EXECUTE FUNCTION stock_outbox_memberless();

-- The mover class of a product that sold p_units (net of refunds) in
-- p_days days: 'fast' at least one a day, 'medium' at least one a week,
-- 'slow' fewer, 'none' nothing sold.
CREATE FUNCTION kassa_stock_mover_class(p_units bigint, p_days integer)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_units <= 0 THEN 'none'
		WHEN p_units >= p_days THEN 'fast'
		WHEN p_units * 7 >= p_days THEN 'medium'
		ELSE 'slow' END
$$;

-- Units sold net of refunds per product of store p_store in the last
-- p_days days, from the ledger and the sales not yet folded into it.
CREATE FUNCTION kassa_stock_sold(p_store bigint, p_days integer)
RETURNS TABLE (product_id bigint, units bigint)
LANGUAGE sql STABLE AS $$
	SELECT m.product_id, -sum(m.quantity)::bigint
	FROM (SELECT product_id, quantity FROM stock_moves
	      WHERE store_id = p_store AND kind IN ('sale', 'refund')
		AND created_at >= now() - p_days * interval '1 day'
	      UNION ALL
	      SELECT product_id, quantity FROM stock_pending WHERE store_id = p_store) m
	GROUP BY m.product_id
$$;

-- StockList: the levels of store p_store after product p_after, in
-- product order, at most p_limit; only those below their safety level
-- when p_below; only mover class p_class unless ''.
CREATE FUNCTION kassa_stock_list(p_store bigint, p_below boolean, p_class text,
	p_after bigint, p_limit integer, p_days integer)
RETURNS TABLE (product_id bigint, sku text, name text, on_hand bigint, safety_level bigint,
	below boolean, sold bigint, mover_class text)
LANGUAGE sql STABLE AS $$
	SELECT x.* FROM (
		SELECT s.product_id, p.sku, p.name, s.on_hand, s.safety_level,
			s.safety_level > 0 AND s.on_hand < s.safety_level AS below,
			coalesce(v.units, 0) AS sold,
			kassa_stock_mover_class(coalesce(v.units, 0), p_days) AS mover_class
		FROM kassa_stock_on_hand s JOIN products p USING (product_id)
		LEFT JOIN kassa_stock_sold(p_store, p_days) v USING (product_id)
		WHERE s.store_id = p_store AND s.product_id > p_after) x
	WHERE (NOT p_below OR x.below) AND (p_class = '' OR x.mover_class = p_class)
	ORDER BY x.product_id LIMIT p_limit
$$;

-- StockMoves: the ledger of product p_sku at store p_store, newest first,
-- moves before p_before (0: from the newest), at most p_limit. No row for
-- an unknown product: the caller checks kassa_stock_product().
CREATE FUNCTION kassa_stock_move_page(p_store bigint, p_sku text, p_before bigint,
	p_limit integer)
RETURNS TABLE (move_id bigint, product_id bigint, kind text, quantity bigint,
	on_hand_after bigint, ref_id bigint, staff_id bigint, at text)
LANGUAGE sql STABLE AS $$
	SELECT m.move_id, m.product_id, m.kind, m.quantity, m.on_hand_after, m.ref_id,
		m.staff_id,
		to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM stock_moves m JOIN products p ON p.product_id = m.product_id AND p.sku = p_sku
	WHERE m.store_id = p_store AND (p_before <= 0 OR m.move_id < p_before)
	ORDER BY m.move_id DESC LIMIT p_limit
$$;

-- StockAlertList: store p_store's alerts, newest first, only the open
-- ones unless p_all, at most p_limit.
CREATE FUNCTION kassa_stock_alert_list(p_store bigint, p_all boolean, p_limit integer)
RETURNS TABLE (alert_id bigint, product_id bigint, sku text, name text, safety_level bigint,
	on_hand bigint, raised_at text, cleared_at text)
LANGUAGE sql STABLE AS $$
	SELECT a.alert_id, a.product_id, p.sku, p.name, a.safety_level, a.on_hand,
		to_char(a.raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		coalesce(to_char(a.cleared_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
	FROM stock_alerts a JOIN products p USING (product_id)
	WHERE a.store_id = p_store AND (p_all OR a.cleared_at IS NULL)
	ORDER BY a.alert_id DESC LIMIT p_limit
$$;

-- StockAdjust: at store p_store, product p_sku: move p_qty units (kind
-- 'adjust', 0 = none) with reason p_reason, then, when p_set_safety, set
-- the safety level to p_safety (a level now below it raises its alert, one
-- at or above it clears the open one). Exactly once per idempotency key
-- (result_id: stock_adjust_seq, the 'adjust' move's ref_id; a retry answers
-- the level after its move). Audited
-- 'stock.adjust' (with the reason) and 'stock.safety'. Refusals:
--   KA404 STORE_NOT_FOUND, UNKNOWN_PRODUCT   KA412 NOT_STOCKED, OUT_OF_STOCK
--   KA400 STOCK_BAD_REASON (a quantity needs a reason of 1-200 characters)
-- Returns the level after it (and the move).
CREATE FUNCTION kassa_stock_adjust(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_store bigint, p_sku text, p_qty bigint, p_reason text,
	p_set_safety boolean, p_safety bigint)
RETURNS TABLE (r_product_id bigint, r_on_hand bigint, r_safety_level bigint, r_move_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_pid	bigint;
	v_stk	boolean;
	v_prev	bigint;
	v_ref	bigint := nextval('stock_adjust_seq');
	v_move	bigint := 0;
	v_old	bigint;
	v_on	bigint;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM stores WHERE store_id = p_store) THEN
		RAISE EXCEPTION 'STORE_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	SELECT product_id, stocked INTO v_pid, v_stk FROM products WHERE sku = p_sku;
	IF v_pid IS NULL THEN
		RAISE EXCEPTION 'UNKNOWN_PRODUCT' USING ERRCODE = 'KA404';
	ELSIF NOT v_stk THEN
		RAISE EXCEPTION 'NOT_STOCKED' USING ERRCODE = 'KA412';
	ELSIF p_qty <> 0 AND char_length(p_reason) NOT BETWEEN 1 AND 200 THEN
		RAISE EXCEPTION 'STOCK_BAD_REASON' USING ERRCODE = 'KA400';
	END IF;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'stock_adjust', p_hash, v_ref);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT v_pid, coalesce(m.on_hand_after, s.on_hand), s.safety_level,
			coalesce(m.move_id, 0)
		FROM kassa_stock_on_hand s LEFT JOIN stock_moves m ON m.kind = 'adjust'
			AND m.ref_id = v_prev AND m.store_id = s.store_id AND m.product_id = s.product_id
		WHERE s.store_id = p_store AND s.product_id = v_pid;
		RETURN;
	END IF;
	IF p_qty <> 0 THEN
		PERFORM kassa_stock_moves(p_store, 'adjust', v_ref, p_staff_id, ARRAY[v_pid],
			ARRAY[p_qty]);
		SELECT m.move_id INTO v_move FROM stock_moves m
		WHERE m.kind = 'adjust' AND m.ref_id = v_ref;
	END IF;
	IF p_set_safety THEN
		-- a product never moved here has no level yet: a move of 0 is none,
		-- so the row is created here (its on_hand 0 = the sum of no moves)
		INSERT INTO stock_levels (store_id, product_id) VALUES (p_store, v_pid)
		ON CONFLICT (store_id, product_id) DO NOTHING;
		SELECT safety_level INTO v_old FROM stock_levels
		WHERE store_id = p_store AND product_id = v_pid FOR UPDATE;
		SELECT on_hand INTO v_on FROM kassa_stock_on_hand
		WHERE store_id = p_store AND product_id = v_pid;
		UPDATE stock_levels SET safety_level = p_safety, updated_at = now()
		WHERE store_id = p_store AND product_id = v_pid;
		IF p_safety > 0 AND v_on < p_safety THEN
			WITH al AS (
				INSERT INTO stock_alerts (store_id, product_id, safety_level, on_hand)
				VALUES (p_store, v_pid, p_safety, v_on)
				ON CONFLICT DO NOTHING RETURNING alert_id)
			INSERT INTO events (member_id, type, data)
			SELECT 0, 'stock.low', kassa_stock_alert_data(p_store, al.alert_id, v_pid,
				p_safety, v_on) FROM al;
		ELSE
			UPDATE stock_alerts SET cleared_at = now()
			WHERE store_id = p_store AND product_id = v_pid AND cleared_at IS NULL;
		END IF;
	END IF;
	IF p_qty <> 0 THEN
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (p_staff_id, p_till_id, 'stock.adjust', 'store:' || p_store,
			jsonb_build_object('product_id', v_pid, 'sku', p_sku, 'quantity', p_qty,
				'reason', p_reason, 'move_id', v_move));
	END IF;
	IF p_set_safety THEN
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (p_staff_id, p_till_id, 'stock.safety', 'store:' || p_store,
			jsonb_build_object('product_id', v_pid, 'sku', p_sku, 'from', v_old,
				'to', p_safety));
	END IF;
	RETURN QUERY SELECT v_pid, s.on_hand, s.safety_level, v_move
	FROM kassa_stock_on_hand s WHERE s.store_id = p_store AND s.product_id = v_pid;
END
$$;

-- The "movers" report (server/office/report_stock.c, the report
-- registry): per store and product sold in [p_from, p_to] (each store's
-- business days, agg_product_day of 0012_office.sql), the units sold, the
-- units a day over the range, the mover class for that many days
-- (kassa_stock_mover_class) and the stock on hand now; fastest first, at
-- most p_limit rows (0: every one). p_store NULL: every store; p_category
-- NULL: every category.
CREATE FUNCTION kassa_report_movers(p_from date, p_to date, p_store bigint, p_category text,
	p_limit integer)
RETURNS TABLE (store text, sku text, name text, category text, units bigint, per_day text,
	on_hand bigint, mover_class text)
LANGUAGE sql STABLE AS $$
	SELECT s.code, p.sku, p.name, p.category, a.units,
		to_char(a.units::numeric / (p_to - p_from + 1), 'FM999999990.00'),
		coalesce(l.on_hand, 0), kassa_stock_mover_class(a.units, p_to - p_from + 1)
	FROM (SELECT d.store_id, d.product_id, sum(d.quantity)::bigint AS units
	      FROM agg_product_day d
	      WHERE d.day BETWEEN p_from AND p_to AND (p_store IS NULL OR d.store_id = p_store)
	      GROUP BY d.store_id, d.product_id) a
	JOIN stores s ON s.store_id = a.store_id
	JOIN products p ON p.product_id = a.product_id AND p.stocked
	LEFT JOIN kassa_stock_on_hand l ON l.store_id = a.store_id AND l.product_id = a.product_id
	WHERE p_category IS NULL OR p.category = p_category
	ORDER BY a.units DESC, s.code, p.sku
	LIMIT nullif(p_limit, 0)
$$;
