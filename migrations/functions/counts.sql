-- Stock count sessions (CountOpen, CountScan, CountGet, CountPost;
-- server/store/count.c; tables in 0028_counts_transfers.sql; rules in
-- docs/store/counts.md). kassad has checked the request's shape; these
-- functions guard the state, write exactly once per idempotency key and
-- audit. Refusals:
--   KA400 STORE_REQUIRED, KA403 OTHER_STORE (staff of another store)
--   KA404 COUNT_NOT_FOUND, UNKNOWN_PRODUCT
--   KA409 COUNT_ALREADY_OPEN (that store and scope has an open session)
--   KA412 COUNT_CLOSED (posted or cancelled), NOT_IN_COUNT, NO_STOCK_KEPT,
--         OUT_OF_STOCK (kassa_stock_moves, a store without negative stock)

-- The store a caller acts for: a till's own store; at the office, the
-- staff member's store, or 0 (head office staff: any store).
CREATE FUNCTION kassa_counts_scope(p_store bigint, p_office boolean, p_staff bigint)
RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN NOT p_office THEN p_store
		ELSE coalesce((SELECT store_id FROM staff WHERE staff_id = p_staff), 0) END
$$;

-- The product a code (SKU or barcode) names, or KA404 UNKNOWN_PRODUCT.
CREATE FUNCTION kassa_counts_product(p_code text)
RETURNS products LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_p	products;
BEGIN
	SELECT * INTO v_p FROM products WHERE sku = p_code OR barcode = p_code
	ORDER BY (sku = p_code) DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'UNKNOWN_PRODUCT' USING ERRCODE = 'KA404';
	END IF;
	RETURN v_p;
END
$$;

-- The session p_count (0: the most recent open one of store p_scope) if
-- the caller's scope (kassa_counts_scope) sees it, else KA404.
CREATE FUNCTION kassa_count_find(p_scope bigint, p_count bigint)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id	bigint;
BEGIN
	IF p_count > 0 THEN
		SELECT count_id INTO v_id FROM count_sessions
		WHERE count_id = p_count AND (p_scope = 0 OR store_id = p_scope);
	ELSE
		SELECT count_id INTO v_id FROM count_sessions
		WHERE store_id = p_scope AND state = 'open' ORDER BY count_id DESC LIMIT 1;
	END IF;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'COUNT_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	RETURN v_id;
END
$$;

-- The session a change aims at: on a retry (the key already done) the
-- one it did, so that "the open session" (p_count 0) still names it after
-- posting; else kassa_count_find.
CREATE FUNCTION kassa_count_target(p_till bigint, p_key text, p_kind text, p_scope bigint,
	p_count bigint)
RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT result_id FROM idempotency
		WHERE till_id = p_till AND key = p_key AND kind = p_kind),
		kassa_count_find(p_scope, p_count))
$$;

-- Open a session for store p_store (0: the caller's), scope: p_codes (a
-- list), else p_category, else every stocked product. Returns its id.
CREATE FUNCTION kassa_count_open(p_till bigint, p_staff bigint, p_key text, p_hash bytea,
	p_scope bigint, p_store bigint, p_category text, p_codes text[], p_zero boolean)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('count_sessions_count_id_seq');
	v_prev	bigint;
	v_store	bigint := CASE WHEN p_store > 0 THEN p_store ELSE p_scope END;
	v_pids	bigint[];
	v_kind	text := 'all';
	v_skey	text := 'all';
BEGIN
	v_prev := kassa_idem_claim(p_till, p_key, 'count_open', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN v_prev;
	END IF;
	IF v_store = 0 THEN
		RAISE EXCEPTION 'STORE_REQUIRED' USING ERRCODE = 'KA400';
	END IF;
	IF p_scope <> 0 AND v_store <> p_scope THEN
		RAISE EXCEPTION 'OTHER_STORE_COUNT' USING ERRCODE = 'KA403';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM stores WHERE store_id = v_store) THEN
		RAISE EXCEPTION 'STORE_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF cardinality(p_codes) > 0 THEN
		SELECT array_agg(DISTINCT x.pid ORDER BY x.pid) INTO v_pids
		FROM (SELECT (kassa_counts_product(c)).product_id AS pid FROM unnest(p_codes) AS c) x;
		v_kind := 'products';
		v_skey := 'products:' || array_to_string(v_pids, ',');
	ELSIF p_category <> '' THEN
		v_kind := 'category';
		v_skey := 'category:' || p_category;
	END IF;
	BEGIN
		INSERT INTO count_sessions (count_id, store_id, scope, scope_key, category,
			uncounted_zero, opened_by)
		VALUES (v_id, v_store, v_kind, v_skey, CASE WHEN v_kind = 'category'
			THEN p_category ELSE '' END, p_zero, p_staff);
	EXCEPTION WHEN unique_violation THEN
		RAISE EXCEPTION 'COUNT_ALREADY_OPEN' USING ERRCODE = 'KA409';
	END;
	INSERT INTO count_scope_products (count_id, product_id)
	SELECT v_id, unnest(v_pids) WHERE v_pids IS NOT NULL;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff, p_till, 'stock.count_open', 'count:' || v_id,
		jsonb_build_object('store_id', v_store, 'scope', v_kind, 'category', p_category,
			'products', coalesce(cardinality(v_pids), 0), 'uncounted_zero', p_zero));
	RETURN v_id;
END
$$;

-- Is product p in session s's scope?
CREATE FUNCTION kassa_count_in_scope(p_s count_sessions, p_p products)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT CASE p_s.scope WHEN 'all' THEN true
		WHEN 'category' THEN p_p.category = p_s.category
		ELSE EXISTS (SELECT 1 FROM count_scope_products
			WHERE count_id = p_s.count_id AND product_id = p_p.product_id) END
$$;

-- Count p_qty more of the product p_code names (p_set: the counted
-- quantity becomes p_qty). The first count of a product records the
-- store's on_hand then as expected (kassa_stock_on_hand: with the sales not yet
-- folded; a sale not yet committed is one after the count).
CREATE FUNCTION kassa_count_scan(p_till bigint, p_staff bigint, p_key text, p_hash bytea,
	p_scope bigint, p_count bigint, p_code text, p_qty bigint, p_set boolean)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_s	count_sessions;
	v_p	products;
	v_prev	bigint;
	v_on	bigint;
	v_after	bigint;
BEGIN
	SELECT * INTO v_s FROM count_sessions
	WHERE count_id = kassa_count_target(p_till, p_key, 'count_scan', p_scope, p_count)
	FOR UPDATE;
	v_prev := kassa_idem_claim(p_till, p_key, 'count_scan', p_hash, v_s.count_id);
	IF v_prev IS NOT NULL THEN
		RETURN v_prev;
	END IF;
	IF v_s.state <> 'open' THEN
		RAISE EXCEPTION 'COUNT_CLOSED' USING ERRCODE = 'KA412';
	END IF;
	v_p := kassa_counts_product(p_code);
	IF NOT v_p.stocked THEN
		RAISE EXCEPTION 'NO_STOCK_KEPT' USING ERRCODE = 'KA412';
	END IF;
	IF NOT kassa_count_in_scope(v_s, v_p) THEN
		RAISE EXCEPTION 'NOT_IN_COUNT' USING ERRCODE = 'KA412';
	END IF;
	-- at a store that refuses negative stock a sale locks the level: wait for
	-- one in flight, then read it with what it moved
	PERFORM 1 FROM stock_levels
	WHERE store_id = v_s.store_id AND product_id = v_p.product_id FOR SHARE;
	SELECT on_hand INTO v_on FROM kassa_stock_on_hand
	WHERE store_id = v_s.store_id AND product_id = v_p.product_id;
	INSERT INTO count_lines AS l (count_id, product_id, counted, expected)
	VALUES (v_s.count_id, v_p.product_id, p_qty, coalesce(v_on, 0))
	ON CONFLICT (count_id, product_id) DO UPDATE
	SET counted = CASE WHEN p_set THEN p_qty ELSE l.counted + p_qty END, updated_at = now()
	RETURNING counted INTO v_after;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff, p_till, 'stock.count_scan', 'count:' || v_s.count_id,
		jsonb_build_object('product_id', v_p.product_id, 'quantity', p_qty,
			'set', p_set, 'counted', v_after));
	RETURN v_s.count_id;
END
$$;

-- Post (p_cancel: cancel) session p_count: products of the scope nobody
-- counted become lines of 0 if the session says so (expected: on_hand
-- now), then one 'count' move per product whose counted differs from
-- expected, all in this transaction.
CREATE FUNCTION kassa_count_post(p_till bigint, p_staff bigint, p_key text, p_hash bytea,
	p_scope bigint, p_count bigint, p_cancel boolean)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_s	count_sessions;
	v_prev	bigint;
	v_pids	bigint[];
	v_qtys	bigint[];
	v_units	bigint;
BEGIN
	SELECT * INTO v_s FROM count_sessions
	WHERE count_id = kassa_count_target(p_till, p_key, 'count_post', p_scope, p_count)
	FOR UPDATE;
	v_prev := kassa_idem_claim(p_till, p_key, 'count_post', p_hash, v_s.count_id);
	IF v_prev IS NOT NULL THEN
		RETURN v_prev;
	END IF;
	IF v_s.state <> 'open' THEN
		RAISE EXCEPTION 'COUNT_CLOSED' USING ERRCODE = 'KA412';
	END IF;
	IF p_cancel THEN
		UPDATE count_sessions SET state = 'cancelled', closed_by = p_staff,
			closed_at = now() WHERE count_id = v_s.count_id;
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (p_staff, p_till, 'stock.count_cancel', 'count:' || v_s.count_id,
			jsonb_build_object('store_id', v_s.store_id));
		RETURN v_s.count_id;
	END IF;
	IF v_s.uncounted_zero THEN
		INSERT INTO count_lines (count_id, product_id, counted, expected)
		SELECT v_s.count_id, l.product_id, 0, l.on_hand
		FROM kassa_stock_on_hand l JOIN products p USING (product_id)
		WHERE l.store_id = v_s.store_id AND l.on_hand <> 0 AND p.stocked
		  AND kassa_count_in_scope(v_s, p)
		  AND NOT EXISTS (SELECT 1 FROM count_lines c
			WHERE c.count_id = v_s.count_id AND c.product_id = l.product_id);
	END IF;
	SELECT array_agg(product_id ORDER BY product_id),
		array_agg(counted - expected ORDER BY product_id), sum(counted - expected)
	INTO v_pids, v_qtys, v_units
	FROM count_lines WHERE count_id = v_s.count_id AND counted <> expected;
	IF v_pids IS NOT NULL THEN
		PERFORM kassa_stock_moves(v_s.store_id, 'count', v_s.count_id, p_staff,
			v_pids, v_qtys);
	END IF;
	UPDATE count_sessions SET state = 'posted', closed_by = p_staff, closed_at = now(),
		moves = coalesce(cardinality(v_pids), 0)
	WHERE count_id = v_s.count_id;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff, p_till, 'stock.count', 'count:' || v_s.count_id,
		jsonb_build_object('store_id', v_s.store_id,
			'moves', coalesce(cardinality(v_pids), 0), 'units', coalesce(v_units, 0)));
	RETURN v_s.count_id;
END
$$;

-- Session p_count as rows: the session's columns on every row, then one
-- line per product (a session without lines: one row of NULL line
-- columns). Open sessions of a scope also list its products not counted
-- yet (the category's or the list's stocked products with stock), with
-- expected = on_hand now.
CREATE FUNCTION kassa_count_rows(p_scope bigint, p_count bigint)
RETURNS TABLE (r_count_id bigint, r_store_id bigint, r_store_code text, r_scope text,
	r_category text, r_zero boolean, r_state text, r_opened_by bigint, r_opened_at text,
	r_closed_at text, r_moves integer, r_product_id bigint, r_sku text, r_name text,
	r_counted bigint, r_expected bigint, r_flag boolean)
LANGUAGE sql STABLE AS $$
	WITH s AS (SELECT * FROM count_sessions WHERE count_id = kassa_count_find(p_scope, p_count)),
	ln AS (
		SELECT l.product_id, l.counted, l.expected, true AS flag
		FROM count_lines l, s WHERE l.count_id = s.count_id
		UNION ALL
		SELECT p.product_id, 0, v.on_hand, false
		FROM s JOIN kassa_stock_on_hand v ON v.store_id = s.store_id
		JOIN products p ON p.product_id = v.product_id
		WHERE s.state = 'open' AND s.scope <> 'all' AND p.stocked
		  AND kassa_count_in_scope(s::count_sessions, p)
		  AND NOT EXISTS (SELECT 1 FROM count_lines c
			WHERE c.count_id = s.count_id AND c.product_id = p.product_id))
	SELECT s.count_id, s.store_id, st.code, s.scope, s.category, s.uncounted_zero, s.state,
		s.opened_by, to_json(s.opened_at) #>> '{}',
		coalesce(to_json(s.closed_at) #>> '{}', ''), s.moves,
		ln.product_id, p.sku, p.name, ln.counted, ln.expected, ln.flag
	FROM s JOIN stores st USING (store_id)
	LEFT JOIN ln ON true LEFT JOIN products p ON p.product_id = ln.product_id
	ORDER BY p.sku NULLS FIRST
$$;
