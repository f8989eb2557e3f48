-- Transfers between stores (TransferSend, TransferReceive, TransferGet,
-- TransferList; server/store/transfer.c; tables in
-- 0028_counts_transfers.sql; rules in docs/store/counts.md). The caller's
-- scope is kassa_counts_scope() (functions/counts.sql): a store's staff
-- send from and receive at their own store; head office staff any.
-- Refusals:
--   KA400 FROM_STORE_REQUIRED, SAME_STORE, TRANSFER_BAD_QUANTITY, NOT_ON_TRANSFER
--   KA403 OTHER_STORE_TRANSFER (sending from, or receiving at, another store)
--   KA404 STORE_NOT_FOUND, UNKNOWN_PRODUCT, TRANSFER_NOT_FOUND
--   KA412 ALREADY_RECEIVED, NO_STOCK_KEPT, OUT_OF_STOCK (kassa_stock_moves)

-- A store by code or by id (as text), or KA404 STORE_NOT_FOUND.
CREATE FUNCTION kassa_transfer_store(p_store text)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id	bigint;
BEGIN
	SELECT store_id INTO v_id FROM stores
	WHERE code = p_store OR store_id::text = p_store ORDER BY (code = p_store) DESC LIMIT 1;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'STORE_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	RETURN v_id;
END
$$;

-- Items (codes, quantities) as products and summed quantities; every
-- code known and stocked, every quantity > 0 (p_min 1) or >= 0 (p_min 0).
CREATE FUNCTION kassa_transfer_items(p_codes text[], p_qtys bigint[], p_min bigint)
RETURNS TABLE (r_product_id bigint, r_qty bigint) LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_p	products;
	v_i	integer;
BEGIN
	FOR v_i IN 1..coalesce(cardinality(p_codes), 0) LOOP
		IF p_qtys[v_i] IS NULL OR p_qtys[v_i] < p_min THEN
			RAISE EXCEPTION 'TRANSFER_BAD_QUANTITY' USING ERRCODE = 'KA400';
		END IF;
		v_p := kassa_counts_product(p_codes[v_i]);
		IF NOT v_p.stocked THEN
			RAISE EXCEPTION 'NO_STOCK_KEPT' USING ERRCODE = 'KA412';
		END IF;
	END LOOP;
	RETURN QUERY SELECT (kassa_counts_product(u.c)).product_id AS pid, sum(u.q)::bigint
	FROM unnest(p_codes, p_qtys) AS u(c, q) GROUP BY 1 ORDER BY 1;
END
$$;

-- Send the items from p_from ('' = the caller's store) to p_to: stock
-- leaves the sender ('transfer_out'), the transfer is in transit.
CREATE FUNCTION kassa_transfer_send(p_till bigint, p_staff bigint, p_key text, p_hash bytea,
	p_scope bigint, p_from text, p_to text, p_codes text[], p_qtys bigint[], p_note text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('transfers_transfer_id_seq');
	v_prev	bigint;
	v_from	bigint;
	v_to	bigint;
	v_pids	bigint[];
	v_qtys	bigint[];
BEGIN
	v_prev := kassa_idem_claim(p_till, p_key, 'transfer_send', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN v_prev;
	END IF;
	IF p_from = '' AND p_scope = 0 THEN
		RAISE EXCEPTION 'FROM_STORE_REQUIRED' USING ERRCODE = 'KA400';
	END IF;
	v_from := CASE WHEN p_from = '' THEN p_scope ELSE kassa_transfer_store(p_from) END;
	IF p_scope <> 0 AND v_from <> p_scope THEN
		RAISE EXCEPTION 'OTHER_STORE_TRANSFER' USING ERRCODE = 'KA403';
	END IF;
	v_to := kassa_transfer_store(p_to);
	IF v_to = v_from THEN
		RAISE EXCEPTION 'SAME_STORE' USING ERRCODE = 'KA400';
	END IF;
	SELECT array_agg(r_product_id), array_agg(r_qty) INTO v_pids, v_qtys
	FROM kassa_transfer_items(p_codes, p_qtys, 1);
	IF v_pids IS NULL THEN
		RAISE EXCEPTION 'TRANSFER_BAD_QUANTITY' USING ERRCODE = 'KA400';
	END IF;
	INSERT INTO transfers (transfer_id, from_store, to_store, note, sent_by)
	VALUES (v_id, v_from, v_to, p_note, p_staff);
	INSERT INTO transfer_lines (transfer_id, product_id, sent)
	SELECT v_id, u.p, u.q FROM unnest(v_pids, v_qtys) AS u(p, q);
	PERFORM kassa_stock_moves(v_from, 'transfer_out', v_id, p_staff, v_pids,
		(SELECT array_agg(-q) FROM unnest(v_qtys) AS q));
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff, p_till, 'transfer.send', 'transfer:' || v_id,
		jsonb_build_object('from_store', v_from, 'to_store', v_to,
			'lines', cardinality(v_pids),
			'units', (SELECT sum(q) FROM unnest(v_qtys) AS q)));
	RETURN v_id;
END
$$;

-- Receive transfer p_id at its receiving store: the items received (none
-- given: everything as sent; a line not given was not received), stock
-- arrives ('transfer_in') as received, received - sent is the line's
-- discrepancy.
CREATE FUNCTION kassa_transfer_receive(p_till bigint, p_staff bigint, p_key text, p_hash bytea,
	p_scope bigint, p_id bigint, p_codes text[], p_qtys bigint[])
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_t	transfers;
	v_prev	bigint;
	v_pids	bigint[];
	v_qtys	bigint[];
BEGIN
	v_prev := kassa_idem_claim(p_till, p_key, 'transfer_receive', p_hash, p_id);
	IF v_prev IS NOT NULL THEN
		RETURN v_prev;
	END IF;
	SELECT * INTO v_t FROM transfers WHERE transfer_id = p_id FOR UPDATE;
	IF NOT FOUND OR (p_scope <> 0 AND p_scope NOT IN (v_t.from_store, v_t.to_store)) THEN
		RAISE EXCEPTION 'TRANSFER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF p_scope <> 0 AND p_scope <> v_t.to_store THEN
		RAISE EXCEPTION 'OTHER_STORE_TRANSFER' USING ERRCODE = 'KA403';
	END IF;
	IF v_t.state <> 'sent' THEN
		RAISE EXCEPTION 'ALREADY_RECEIVED' USING ERRCODE = 'KA412';
	END IF;
	IF coalesce(cardinality(p_codes), 0) = 0 THEN
		UPDATE transfer_lines SET received = sent WHERE transfer_id = p_id;
	ELSE
		UPDATE transfer_lines SET received = 0 WHERE transfer_id = p_id;
		SELECT array_agg(r_product_id), array_agg(r_qty) INTO v_pids, v_qtys
		FROM kassa_transfer_items(p_codes, p_qtys, 0);
		UPDATE transfer_lines l SET received = u.q
		FROM unnest(v_pids, v_qtys) AS u(p, q)
		WHERE l.transfer_id = p_id AND l.product_id = u.p;
		IF EXISTS (SELECT 1 FROM unnest(v_pids) AS u(p) WHERE NOT EXISTS (
			SELECT 1 FROM transfer_lines l WHERE l.transfer_id = p_id AND l.product_id = u.p))
		THEN
			RAISE EXCEPTION 'NOT_ON_TRANSFER' USING ERRCODE = 'KA400';
		END IF;
	END IF;
	SELECT array_agg(product_id ORDER BY product_id), array_agg(received ORDER BY product_id)
	INTO v_pids, v_qtys FROM transfer_lines WHERE transfer_id = p_id AND received > 0;
	IF v_pids IS NOT NULL THEN
		PERFORM kassa_stock_moves(v_t.to_store, 'transfer_in', p_id, p_staff, v_pids, v_qtys);
	END IF;
	UPDATE transfers SET state = 'received', received_by = p_staff, received_at = now()
	WHERE transfer_id = p_id;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff, p_till, 'transfer.receive', 'transfer:' || p_id,
		(SELECT jsonb_build_object('from_store', v_t.from_store, 'to_store', v_t.to_store,
			'received', sum(received), 'discrepancy', sum(received - sent))
		FROM transfer_lines WHERE transfer_id = p_id));
	RETURN p_id;
END
$$;

-- Transfers as rows (the transfer's columns on every row, one row per
-- line), newest first: transfer p_id (0: the page of p_store's, 0 = every
-- store's, in state p_state, '' = any, older than p_before, p_limit of
-- them), as the caller's scope sees them (a store's: to or from it).
CREATE FUNCTION kassa_transfer_rows(p_scope bigint, p_id bigint, p_store bigint, p_state text,
	p_limit integer, p_before bigint)
RETURNS TABLE (r_transfer_id bigint, r_from bigint, r_from_code text, r_to bigint,
	r_to_code text, r_state text, r_note text, r_sent_by bigint, r_sent_at text,
	r_received_by bigint, r_received_at text, r_product_id bigint, r_sku text, r_name text,
	r_sent bigint, r_received bigint)
LANGUAGE sql STABLE AS $$
	WITH t AS (
		SELECT * FROM transfers
		WHERE (p_scope = 0 OR p_scope IN (from_store, to_store))
		  AND (CASE WHEN p_id > 0 THEN transfer_id = p_id
			ELSE (p_store = 0 OR p_store IN (from_store, to_store))
			  AND (p_state = '' OR state = p_state)
			  AND (p_before = 0 OR transfer_id < p_before) END)
		ORDER BY transfer_id DESC LIMIT greatest(p_limit, 1))
	SELECT t.transfer_id, t.from_store, f.code, t.to_store, o.code, t.state, t.note,
		t.sent_by, to_json(t.sent_at) #>> '{}', t.received_by,
		coalesce(to_json(t.received_at) #>> '{}', ''),
		l.product_id, p.sku, p.name, l.sent, coalesce(l.received, 0)
	FROM t JOIN stores f ON f.store_id = t.from_store JOIN stores o ON o.store_id = t.to_store
	JOIN transfer_lines l ON l.transfer_id = t.transfer_id
	JOIN products p ON p.product_id = l.product_id
	ORDER BY t.transfer_id DESC, p.sku
$$;
