-- Suppliers, purchase orders and goods receiving (store operations, part
-- "supply"; tables in 0029_suppliers.sql; handlers server/store/supplier.c,
-- purchase.c, receiving.c). kassad has checked the shapes (codes, lengths,
-- quantities > 0, one line per SKU); these functions guard the states and
-- write each change in one transaction, exactly once per idempotency key,
-- with its audit row last. p_store_limit: 0 = any store (an administrator),
-- else the only store whose orders the caller may touch (a manager).
-- Refusals (the message is the machine detail):
--   KA404 SUPPLIER_NOT_FOUND UNKNOWN_PRODUCT PO_NOT_FOUND STORE_NOT_FOUND
--   KA403 PO_OTHER_STORE
--   KA412 SUPPLIER_INACTIVE PRODUCT_NOT_SUPPLIED CURRENCY_MISMATCH PO_STATE
--         NOT_ON_ORDER OVER_DELIVERY NOTHING_OUTSTANDING

-- A supplier (p_supplier) or every supplier (NULL; inactive ones only with
-- p_all), one row per product supplied (a supplier without any: one row
-- with NULL product columns), by code then SKU.
CREATE FUNCTION kassa_supplier_rows(p_supplier bigint, p_all boolean)
RETURNS SETOF kassa_supplier_row LANGUAGE sql STABLE AS $$
	SELECT s.supplier_id, s.code, s.name, s.contact_person, s.phone, s.email, s.address,
	       s.active, p.sku, p.name, sp.cost_minor, sp.currency::text, sp.pack_size,
	       sp.min_order, sp.lead_days, sp.preferred
	FROM suppliers s
	LEFT JOIN supplier_products sp ON sp.supplier_id = s.supplier_id
	LEFT JOIN products p ON p.product_id = sp.product_id
	WHERE (p_supplier IS NULL OR s.supplier_id = p_supplier)
	  AND (p_all OR s.active OR p_supplier IS NOT NULL)
	ORDER BY s.code, p.sku
$$;

-- Create or change supplier p_code (every field as given). Exactly once
-- per key (result: the supplier). Audited 'supplier.put'.
CREATE FUNCTION kassa_supplier_put(p_till bigint, p_staff bigint, p_key text, p_hash bytea,
	p_code text, p_name text, p_person text, p_phone text, p_email text, p_address text,
	p_active boolean)
RETURNS SETOF kassa_supplier_row LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
	v_prev	bigint;
	v_new	boolean;
BEGIN
	SELECT s.supplier_id INTO v_id FROM suppliers s WHERE s.code = p_code;
	v_new := v_id IS NULL;
	v_id := coalesce(v_id, nextval('suppliers_supplier_id_seq'));
	v_prev := kassa_idem_claim(p_till, p_key, 'supplier_put', p_hash, v_id);
	IF v_prev IS NULL THEN
		INSERT INTO suppliers AS s (supplier_id, code, name, contact_person, phone, email,
			address, active)
		VALUES (v_id, p_code, p_name, p_person, p_phone, p_email, p_address, p_active)
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
			contact_person = EXCLUDED.contact_person, phone = EXCLUDED.phone,
			email = EXCLUDED.email, address = EXCLUDED.address,
			active = EXCLUDED.active, updated_at = now()
		RETURNING s.supplier_id INTO v_prev;
		-- no contact values in the audit row: they may name a person
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (p_staff, p_till, 'supplier.put', 'supplier:' || v_prev,
			jsonb_build_object('code', p_code, 'created', v_new, 'active', p_active));
	END IF;
	RETURN QUERY SELECT * FROM kassa_supplier_rows(v_prev, true);
END
$$;

-- Supplier p_code supplies product p_sku so (see SupplierProductPut).
-- Exactly once per key. Audited 'supplier.put' (with the SKU).
CREATE FUNCTION kassa_supplier_product_put(p_till bigint, p_staff bigint, p_key text,
	p_hash bytea, p_code text, p_sku text, p_cost bigint, p_currency text, p_pack bigint,
	p_min bigint, p_lead integer, p_preferred boolean)
RETURNS SETOF kassa_supplier_row LANGUAGE plpgsql AS $$
DECLARE
	v_sup	bigint;
	v_prod	products;
	v_prev	bigint;
BEGIN
	SELECT s.supplier_id INTO v_sup FROM suppliers s WHERE s.code = p_code;
	IF v_sup IS NULL THEN
		RAISE EXCEPTION 'SUPPLIER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	v_prev := kassa_idem_claim(p_till, p_key, 'supplier_product_put', p_hash, v_sup);
	IF v_prev IS NULL THEN
		-- serializes two suppliers made preferred for one product at once
		SELECT * INTO v_prod FROM products WHERE sku = p_sku FOR NO KEY UPDATE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'UNKNOWN_PRODUCT' USING ERRCODE = 'KA404';
		END IF;
		IF p_preferred THEN
			UPDATE supplier_products SET preferred = false, updated_at = now()
			WHERE product_id = v_prod.product_id AND supplier_id <> v_sup AND preferred;
		END IF;
		INSERT INTO supplier_products AS sp (supplier_id, product_id, cost_minor, currency,
			pack_size, min_order, lead_days, preferred)
		VALUES (v_sup, v_prod.product_id, p_cost,
			coalesce(nullif(p_currency, ''), v_prod.currency), p_pack, p_min, p_lead,
			p_preferred)
		ON CONFLICT ON CONSTRAINT supplier_products_pkey DO UPDATE SET
			cost_minor = EXCLUDED.cost_minor, currency = EXCLUDED.currency,
			pack_size = EXCLUDED.pack_size, min_order = EXCLUDED.min_order,
			lead_days = EXCLUDED.lead_days, preferred = EXCLUDED.preferred,
			updated_at = now();
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (p_staff, p_till, 'supplier.put', 'supplier:' || v_sup,
			jsonb_build_object('sku', p_sku, 'cost_minor', p_cost, 'pack_size', p_pack,
				'min_order', p_min, 'lead_days', p_lead, 'preferred', p_preferred));
		v_prev := v_sup;
	END IF;
	RETURN QUERY SELECT * FROM kassa_supplier_rows(v_prev, true);
END
$$;

-- The rows of purchase orders: one per line (by SKU) with the order's
-- columns repeated; p_lines false: one row per order with NULL line
-- columns. p_receipt is echoed (GoodsReceive's new receipt).
CREATE FUNCTION kassa_po_rows(p_pos bigint[], p_lines boolean, p_receipt bigint)
RETURNS SETOF kassa_po_row LANGUAGE sql STABLE AS $$
	SELECT o.po_id, s.code, s.name, o.store_id, o.state, o.currency::text,
	       o.created_on::text, coalesce(o.sent_on::text, ''), coalesce(o.expected_on::text, ''),
	       o.lead_days,
	       (SELECT count(*)::integer FROM goods_receipts g WHERE g.po_id = o.po_id),
	       (SELECT sum(l.ordered * l.cost_minor)::bigint FROM purchase_order_lines l
		WHERE l.po_id = o.po_id),
	       p_receipt, p.sku, p.name, l.ordered, l.received, l.cost_minor
	FROM unnest(p_pos) WITH ORDINALITY AS u(id, ord)
	JOIN purchase_orders o ON o.po_id = u.id
	JOIN suppliers s ON s.supplier_id = o.supplier_id
	LEFT JOIN purchase_order_lines l ON p_lines AND l.po_id = o.po_id
	LEFT JOIN products p ON p.product_id = l.product_id
	ORDER BY u.ord, p.sku
$$;

-- A store's business day today.
CREATE FUNCTION kassa_store_day(p_store bigint) RETURNS date LANGUAGE sql STABLE AS $$
	SELECT (now() AT TIME ZONE timezone)::date FROM stores WHERE store_id = p_store
$$;

-- A new draft order of store p_store from supplier p_code: SKUs p_skus[i],
-- p_qtys[i] units (> 0, one line per SKU), at the supplier's costs. Exactly
-- once per key (result: the order). Audited 'po.put'.
CREATE FUNCTION kassa_purchase_order_create(p_till bigint, p_staff bigint, p_key text,
	p_hash bytea, p_store bigint, p_code text, p_skus text[], p_qtys bigint[])
RETURNS SETOF kassa_po_row LANGUAGE plpgsql AS $$
DECLARE
	v_po	bigint := nextval('purchase_orders_po_id_seq');
	v_prev	bigint;
	v_sup	suppliers;
	v_bad	text;
	v_cur	text;
	v_n	integer;
BEGIN
	v_prev := kassa_idem_claim(p_till, p_key, 'purchase_order_put', p_hash, v_po);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_po_rows(ARRAY[v_prev], true, 0);
		RETURN;
	END IF;
	PERFORM 1 FROM stores WHERE store_id = p_store;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'STORE_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	SELECT * INTO v_sup FROM suppliers WHERE code = p_code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'SUPPLIER_NOT_FOUND' USING ERRCODE = 'KA404';
	ELSIF NOT v_sup.active THEN
		RAISE EXCEPTION 'SUPPLIER_INACTIVE' USING ERRCODE = 'KA412';
	END IF;
	SELECT min(u.sku) INTO v_bad FROM unnest(p_skus) AS u(sku)
	WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = u.sku);
	IF v_bad IS NOT NULL THEN
		RAISE EXCEPTION 'UNKNOWN_PRODUCT' USING ERRCODE = 'KA404', DETAIL = v_bad;
	END IF;
	SELECT min(u.sku) INTO v_bad FROM unnest(p_skus) AS u(sku)
	JOIN products p ON p.sku = u.sku
	WHERE NOT EXISTS (SELECT 1 FROM supplier_products sp
		WHERE sp.supplier_id = v_sup.supplier_id AND sp.product_id = p.product_id);
	IF v_bad IS NOT NULL THEN
		RAISE EXCEPTION 'PRODUCT_NOT_SUPPLIED' USING ERRCODE = 'KA412', DETAIL = v_bad;
	END IF;
	SELECT min(sp.currency), count(DISTINCT sp.currency) INTO v_cur, v_n
	FROM unnest(p_skus) AS u(sku) JOIN products p ON p.sku = u.sku
	JOIN supplier_products sp ON sp.supplier_id = v_sup.supplier_id
		AND sp.product_id = p.product_id;
	IF v_n <> 1 THEN
		RAISE EXCEPTION 'CURRENCY_MISMATCH' USING ERRCODE = 'KA412';
	END IF;
	INSERT INTO purchase_orders (po_id, store_id, supplier_id, currency, lead_days,
		created_by, created_on)
	SELECT v_po, p_store, v_sup.supplier_id, v_cur, max(sp.lead_days), p_staff,
	       kassa_store_day(p_store)
	FROM unnest(p_skus) AS u(sku) JOIN products p ON p.sku = u.sku
	JOIN supplier_products sp ON sp.supplier_id = v_sup.supplier_id
		AND sp.product_id = p.product_id;
	INSERT INTO purchase_order_lines (po_id, product_id, ordered, cost_minor)
	SELECT v_po, p.product_id, u.q, sp.cost_minor
	FROM unnest(p_skus, p_qtys) AS u(sku, q) JOIN products p ON p.sku = u.sku
	JOIN supplier_products sp ON sp.supplier_id = v_sup.supplier_id
		AND sp.product_id = p.product_id;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff, p_till, 'po.put', 'po:' || v_po,
		jsonb_build_object('action', 'create', 'store_id', p_store, 'supplier', p_code,
			'lines', cardinality(p_skus),
			'units', (SELECT sum(q) FROM unnest(p_qtys) AS q)));
	RETURN QUERY SELECT * FROM kassa_po_rows(ARRAY[v_po], true, 0);
END
$$;

-- Lock order p_po for a change by a caller limited to p_store_limit (0 =
-- any store): PO_NOT_FOUND, PO_OTHER_STORE.
CREATE FUNCTION kassa_po_lock(p_po bigint, p_store_limit bigint)
RETURNS purchase_orders LANGUAGE plpgsql AS $$
DECLARE
	v_o	purchase_orders;
BEGIN
	SELECT * INTO v_o FROM purchase_orders WHERE po_id = p_po FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'PO_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF p_store_limit <> 0 AND v_o.store_id <> p_store_limit THEN
		RAISE EXCEPTION 'PO_OTHER_STORE' USING ERRCODE = 'KA403';
	END IF;
	RETURN v_o;
END
$$;

-- Send ('send': draft -> sent, expected = today + lead days), cancel
-- ('cancel': draft or sent with nothing received) or close short
-- ('close': sent or partial) order p_po. Exactly once per key. Audited 'po.put'.
CREATE FUNCTION kassa_purchase_order_act(p_till bigint, p_staff bigint, p_key text,
	p_hash bytea, p_store_limit bigint, p_po bigint, p_action text)
RETURNS SETOF kassa_po_row LANGUAGE plpgsql AS $$
DECLARE
	v_prev	bigint;
	v_o	purchase_orders;
	v_to	text;
	v_day	date;
BEGIN
	v_prev := kassa_idem_claim(p_till, p_key, 'purchase_order_put', p_hash, p_po);
	IF v_prev IS NULL THEN
		v_o := kassa_po_lock(p_po, p_store_limit);
		v_day := kassa_store_day(v_o.store_id);
		v_to := CASE
			WHEN p_action = 'send' AND v_o.state = 'draft' THEN 'sent'
			WHEN p_action = 'cancel' AND v_o.state IN ('draft', 'sent') THEN 'cancelled'
			WHEN p_action = 'close' AND v_o.state IN ('sent', 'partial') THEN 'closed'
			END;
		IF v_to IS NULL THEN
			RAISE EXCEPTION 'PO_STATE' USING ERRCODE = 'KA412', DETAIL = v_o.state;
		END IF;
		UPDATE purchase_orders SET state = v_to, updated_at = now(),
			sent_on = CASE WHEN v_to = 'sent' THEN v_day ELSE sent_on END,
			expected_on = CASE WHEN v_to = 'sent' THEN v_day + lead_days
				ELSE expected_on END,
			completed_on = CASE WHEN v_to = 'closed' THEN v_day ELSE completed_on END
		WHERE po_id = p_po;
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (p_staff, p_till, 'po.put', 'po:' || p_po,
			jsonb_build_object('action', p_action, 'from', v_o.state, 'to', v_to));
		v_prev := p_po;
	END IF;
	RETURN QUERY SELECT * FROM kassa_po_rows(ARRAY[v_prev], true, 0);
END
$$;

-- Receive goods against order p_po (sent or partial) at its store: SKUs
-- p_skus[i], p_qtys[i] units (> 0, one line per SKU on the order), or with
-- p_all everything outstanding. A line may be over-delivered by up to a
-- tenth of its order (rounded down; more is OVER_DELIVERY and nothing of
-- the receipt stays); a SKU not on the order is NOT_ON_ORDER. One receipt
-- with its rows, 'receiving' stock moves (kassa_stock_moves), the lines'
-- received units and the order's state (received when every line has its
-- units, else partial). Exactly once per key (result: the receipt).
-- Audited 'po.receive'.
CREATE FUNCTION kassa_goods_receive(p_till bigint, p_staff bigint, p_key text, p_hash bytea,
	p_store_limit bigint, p_po bigint, p_skus text[], p_qtys bigint[], p_all boolean)
RETURNS SETOF kassa_po_row LANGUAGE plpgsql AS $$
DECLARE
	v_rc	bigint := nextval('goods_receipts_receipt_id_seq');
	v_prev	bigint;
	v_o	purchase_orders;
	v_bad	text;
	v_pids	bigint[];
	v_qs	bigint[];
	v_state	text;
BEGIN
	v_prev := kassa_idem_claim(p_till, p_key, 'goods_receive', p_hash, v_rc);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_po_rows(ARRAY[(SELECT g.po_id FROM goods_receipts g
			WHERE g.receipt_id = v_prev)], true, v_prev);
		RETURN;
	END IF;
	v_o := kassa_po_lock(p_po, p_store_limit);
	IF v_o.state NOT IN ('sent', 'partial') THEN
		RAISE EXCEPTION 'PO_STATE' USING ERRCODE = 'KA412', DETAIL = v_o.state;
	END IF;
	IF p_all THEN
		SELECT array_agg(l.product_id ORDER BY l.product_id),
		       array_agg(l.ordered - l.received ORDER BY l.product_id)
		INTO v_pids, v_qs FROM purchase_order_lines l
		WHERE l.po_id = p_po AND l.received < l.ordered;
		IF v_pids IS NULL THEN
			RAISE EXCEPTION 'NOTHING_OUTSTANDING' USING ERRCODE = 'KA412';
		END IF;
	ELSE
		SELECT min(u.sku) INTO v_bad FROM unnest(p_skus) AS u(sku)
		WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = u.sku);
		IF v_bad IS NOT NULL THEN
			RAISE EXCEPTION 'UNKNOWN_PRODUCT' USING ERRCODE = 'KA404', DETAIL = v_bad;
		END IF;
		SELECT array_agg(p.product_id ORDER BY p.product_id),
		       array_agg(u.q ORDER BY p.product_id),
		       min(u.sku) FILTER (WHERE l.po_id IS NULL)
		INTO v_pids, v_qs, v_bad
		FROM unnest(p_skus, p_qtys) AS u(sku, q) JOIN products p ON p.sku = u.sku
		LEFT JOIN purchase_order_lines l ON l.po_id = p_po AND l.product_id = p.product_id;
		IF v_bad IS NOT NULL THEN
			RAISE EXCEPTION 'NOT_ON_ORDER' USING ERRCODE = 'KA412', DETAIL = v_bad;
		END IF;
	END IF;
	UPDATE purchase_order_lines l SET received = l.received + u.q
	FROM unnest(v_pids, v_qs) AS u(pid, q)
	WHERE l.po_id = p_po AND l.product_id = u.pid;
	SELECT min(p.sku) INTO v_bad FROM purchase_order_lines l
	JOIN products p ON p.product_id = l.product_id
	WHERE l.po_id = p_po AND l.received > l.ordered + l.ordered / 10;
	IF v_bad IS NOT NULL THEN
		RAISE EXCEPTION 'OVER_DELIVERY' USING ERRCODE = 'KA412', DETAIL = v_bad;
	END IF;
	INSERT INTO goods_receipts (receipt_id, po_id, store_id, staff_id, received_on)
	VALUES (v_rc, p_po, v_o.store_id, p_staff, kassa_store_day(v_o.store_id));
	INSERT INTO goods_receipt_lines (receipt_id, product_id, quantity)
	SELECT v_rc, u.pid, u.q FROM unnest(v_pids, v_qs) AS u(pid, q);
	PERFORM kassa_stock_moves(v_o.store_id, 'receiving', v_rc, p_staff, v_pids, v_qs);
	v_state := CASE WHEN EXISTS (SELECT 1 FROM purchase_order_lines l
		WHERE l.po_id = p_po AND l.received < l.ordered) THEN 'partial' ELSE 'received' END;
	UPDATE purchase_orders SET state = v_state, updated_at = now(),
		completed_on = CASE WHEN v_state = 'received'
			THEN kassa_store_day(v_o.store_id) END
	WHERE po_id = p_po;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff, p_till, 'po.receive', 'po:' || p_po,
		jsonb_build_object('receipt_id', v_rc, 'lines', cardinality(v_pids),
			'units', (SELECT sum(q) FROM unnest(v_qs) AS q), 'state', v_state));
	RETURN QUERY SELECT * FROM kassa_po_rows(ARRAY[p_po], true, v_rc);
END
$$;

-- Orders newest first (see PurchaseOrderList), one row each (no lines).
CREATE FUNCTION kassa_po_list(p_store bigint, p_state text, p_code text, p_before bigint,
	p_limit integer)
RETURNS SETOF kassa_po_row LANGUAGE sql STABLE AS $$
	SELECT * FROM kassa_po_rows(ARRAY(
		SELECT o.po_id FROM purchase_orders o JOIN suppliers s USING (supplier_id)
		WHERE (p_store = 0 OR o.store_id = p_store)
		  AND (p_state = '' OR o.state = p_state)
		  AND (p_code = '' OR s.code = p_code)
		  AND (p_before = 0 OR o.po_id < p_before)
		ORDER BY o.po_id DESC LIMIT p_limit), false, 0)
$$;

-- The inputs of a suggested order of store p_store from supplier p_code,
-- per product it supplies (by SKU): units sold at the store over the last
-- 28 days (kassa_stock_sold: its 'sale' and 'refund' stock moves and the
-- sales not yet folded), on hand, outstanding on
-- the store's open orders (draft, sent, partial: of any supplier), the
-- safety level, and the supplier's terms. No row: SUPPLIER_NOT_FOUND.
CREATE FUNCTION kassa_purchase_suggest_inputs(p_store bigint, p_code text)
RETURNS TABLE (supplier_code text, supplier_name text, sku text, product_name text,
	cost_minor bigint, currency text, pack_size bigint, min_order bigint, lead_days integer,
	sold bigint, on_hand bigint, on_order bigint, safety bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_sup	suppliers;
BEGIN
	SELECT * INTO v_sup FROM suppliers WHERE code = p_code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'SUPPLIER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	PERFORM 1 FROM stores WHERE store_id = p_store;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'STORE_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	RETURN QUERY
	SELECT v_sup.code, v_sup.name, p.sku, p.name, sp.cost_minor, sp.currency::text,
	       sp.pack_size, sp.min_order, sp.lead_days,
	       greatest(0, coalesce(v.units, 0))::bigint,
	       coalesce(lv.on_hand, 0), 
	       (SELECT coalesce(sum(greatest(l.ordered - l.received, 0)), 0)::bigint
		FROM purchase_order_lines l JOIN purchase_orders o USING (po_id)
		WHERE l.product_id = p.product_id AND o.store_id = p_store
		  AND o.state IN ('draft', 'sent', 'partial')),
	       coalesce(lv.safety_level, 0)
	FROM supplier_products sp JOIN products p ON p.product_id = sp.product_id
	LEFT JOIN kassa_stock_on_hand lv ON lv.store_id = p_store AND lv.product_id = p.product_id
	LEFT JOIN kassa_stock_sold(p_store, 28) v ON v.product_id = p.product_id
	WHERE sp.supplier_id = v_sup.supplier_id AND p.active
	ORDER BY p.sku;
END
$$;

-- Report "suppliers" (server/office/report_supply.c): per supplier, the
-- orders sent in [p_from, p_to] at p_store (NULL = every store), not
-- cancelled: how many, how many fully received, the on-time rate (received
-- in full by the expected day, over the orders; closed short is not on
-- time), the fill rate (units received, capped per line at its order, over
-- units ordered) and the average lead time in days (sent to received in
-- full, of the received orders).
CREATE FUNCTION kassa_report_suppliers(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (supplier text, supplier_name text, orders bigint, received bigint,
	on_time_bp bigint, fill_rate_bp bigint, avg_lead_days text)
LANGUAGE sql STABLE AS $$
	WITH o AS (
		SELECT o.po_id, o.supplier_id, o.state, o.sent_on, o.expected_on, o.completed_on,
		       (SELECT sum(least(l.received, l.ordered)) FROM purchase_order_lines l
			WHERE l.po_id = o.po_id) AS got,
		       (SELECT sum(l.ordered) FROM purchase_order_lines l
			WHERE l.po_id = o.po_id) AS want
		FROM purchase_orders o
		WHERE o.sent_on BETWEEN p_from AND p_to AND o.state <> 'cancelled'
		  AND (p_store IS NULL OR o.store_id = p_store))
	SELECT s.code, s.name, count(*), count(*) FILTER (WHERE o.state = 'received'),
	       round(10000.0 * count(*) FILTER (WHERE o.state = 'received'
			AND o.completed_on <= o.expected_on) / count(*))::bigint,
	       round(10000.0 * sum(o.got) / nullif(sum(o.want), 0))::bigint,
	       to_char(avg(o.completed_on - o.sent_on) FILTER (WHERE o.state = 'received'),
		       'FM99990.0')
	FROM o JOIN suppliers s ON s.supplier_id = o.supplier_id
	GROUP BY s.code, s.name ORDER BY s.code
$$;
