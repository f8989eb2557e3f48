-- Stock per store as a ledger (tables stock_levels and stock_moves,
-- 0023_store_ops.sql). kassa_stock_moves() is the one writer of both: the
-- checkout, refunds, goods receiving, transfers, counts and adjustments
-- call it in their own transaction.

-- Move stock of store p_store: per product p_products[i], p_qtys[i] units
-- (signed: negative out, positive in; a product may appear more than once,
-- its quantities add up; products not stocked, and sums of 0, are left
-- out). One ledger row per product with the level after it. Levels are
-- locked in product order, so two movements cannot deadlock. If the store
-- keeps no negative stock (stores.negative_stock false), a movement that
-- takes a product's level below zero raises OUT_OF_STOCK (KA412), and
-- nothing of the movement stays. p_kind is a stock_moves kind, p_ref the id
-- of what moved it (txn, refund, receipt, transfer, count), p_staff who.
CREATE FUNCTION kassa_stock_moves(p_store bigint, p_kind text, p_ref bigint, p_staff bigint,
	p_products bigint[], p_qtys bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_short	bigint;
BEGIN
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
		RETURNING s.product_id, s.on_hand),
	mv AS (
		INSERT INTO stock_moves (store_id, product_id, kind, quantity, on_hand_after,
			ref_id, staff_id)
		SELECT p_store, lv.product_id, p_kind, d.q, lv.on_hand, p_ref, p_staff
		FROM lv JOIN d ON d.pid = lv.product_id
		RETURNING product_id, quantity, on_hand_after)
	SELECT min(mv.product_id) FILTER (WHERE mv.quantity < 0 AND mv.on_hand_after < 0)
	INTO v_short FROM mv;
	IF v_short IS NOT NULL
	   AND NOT (SELECT negative_stock FROM stores WHERE store_id = p_store) THEN
		RAISE EXCEPTION 'OUT_OF_STOCK' USING ERRCODE = 'KA412',
			DETAIL = 'product ' || v_short;
	END IF;
END
$$;
