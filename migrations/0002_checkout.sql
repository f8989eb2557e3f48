-- Server-side functions kassad calls as single prepared statements, so that
-- a checkout or a registration is one round trip and one transaction.
--
-- Errors are raised with SQLSTATEs of class KA; the message is the machine
-- detail the till sees (kassad maps the state to a status code):
--   KA400 INVALID_ARGUMENT   KA404 NOT_FOUND   KA409 ABORTED (key reused)
--   KA412 FAILED_PRECONDITION (e.g. PRICE_CHANGED: kassad refreshes and retries)

-- The transaction as the till sees it, as JSON text. A checkout's first
-- answer and every replay of it are built by this one function from rows
-- that never change, so they are identical.
CREATE FUNCTION kassa_txn_json(p_txn_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'txn_id', t.txn_id, 'store_id', t.store_id, 'till_id', t.till_id,
		'staff_id', t.staff_id, 'member_id', coalesce(t.member_id, 0),
		'currency', t.currency, 'total', t.total_minor,
		'tendered', t.tendered_minor, 'change', t.change_minor,
		'points_earned', t.points_earned,
		'points_balance', coalesce(t.points_balance_after, 0),
		'cumulative_spend', coalesce(t.cumulative_spend_after, 0),
		'created_at', to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		'lines', (SELECT json_agg(json_build_object(
				'line_no', l.line_no, 'product_id', l.product_id, 'sku', l.sku,
				'name', l.name, 'qty', l.quantity, 'unit', l.unit_price_minor,
				'total', l.line_total_minor) ORDER BY l.line_no)
			FROM transaction_lines l WHERE l.txn_id = t.txn_id),
		'tenders', (SELECT json_agg(json_build_object(
				'tender_no', d.tender_no, 'kind', d.kind,
				'amount', d.amount_minor, 'ref', d.reference) ORDER BY d.tender_no)
			FROM tenders d WHERE d.txn_id = t.txn_id))::text
	FROM transactions t WHERE t.txn_id = p_txn_id
$$;

-- Record a sale priced by kassad. kassad computed the totals and points
-- with its rules module from the catalogue; this function re-checks every
-- unit price against products (a stale price raises PRICE_CHANGED), the
-- line sum and the tender sum, then writes the sale, its lines and tenders,
-- the member's ledger row and balances, and the idempotency record, all in
-- the caller's one transaction. A repeated key with the same request hash
-- returns the first sale; with another hash it raises IDEMPOTENCY_KEY_REUSED.
-- A concurrent duplicate waits on the idempotency key's index entry and
-- then replays, so 16 copies at once still make one sale.
CREATE FUNCTION kassa_checkout(
	p_store_id bigint, p_till_id bigint, p_staff_id bigint,
	p_key text, p_hash bytea, p_member_id bigint,
	p_product_ids bigint[], p_qtys integer[], p_prices bigint[],
	p_tender_kinds smallint[], p_tender_amounts bigint[], p_tender_refs text[],
	p_total bigint, p_tendered bigint, p_change bigint, p_points bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_txn		bigint := nextval('transactions_txn_id_seq');
	v_prev		record;
	v_currency	char(3);
	v_balance	bigint;
	v_spend		bigint;
	v_n		integer;
	v_sum		bigint;
BEGIN
	INSERT INTO idempotency (till_id, key, kind, request_hash, result_id)
	VALUES (p_till_id, p_key, 'checkout', p_hash, v_txn)
	ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		SELECT kind, request_hash, result_id INTO v_prev
		FROM idempotency WHERE till_id = p_till_id AND key = p_key;
		IF v_prev.kind <> 'checkout' OR v_prev.request_hash <> p_hash THEN
			RAISE EXCEPTION 'IDEMPOTENCY_KEY_REUSED' USING ERRCODE = 'KA409';
		END IF;
		RETURN kassa_txn_json(v_prev.result_id);
	END IF;

	IF p_total < 0 OR p_change < 0 OR p_points < 0 OR p_tendered - p_change <> p_total
	   OR cardinality(p_product_ids) = 0 THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;
	SELECT currency INTO v_currency FROM stores WHERE store_id = p_store_id;

	IF p_member_id > 0 THEN
		UPDATE members
		SET points_balance = points_balance + p_points,
		    cumulative_spend_minor = cumulative_spend_minor + p_total,
		    updated_at = now()
		WHERE member_id = p_member_id
		RETURNING points_balance, cumulative_spend_minor INTO v_balance, v_spend;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
		END IF;
	ELSIF p_points <> 0 THEN
		RAISE EXCEPTION 'POINTS_WITHOUT_MEMBER' USING ERRCODE = 'KA400';
	END IF;

	INSERT INTO transactions (txn_id, store_id, till_id, staff_id, member_id, currency,
		total_minor, tendered_minor, change_minor, points_earned,
		points_balance_after, cumulative_spend_after)
	VALUES (v_txn, p_store_id, p_till_id, p_staff_id, nullif(p_member_id, 0), v_currency,
		p_total, p_tendered, p_change, p_points, v_balance, v_spend);

	WITH ins AS (
		INSERT INTO transaction_lines (txn_id, line_no, product_id, sku, name, quantity,
			unit_price_minor, line_total_minor)
		SELECT v_txn, u.ord, p.product_id, p.sku, p.name, u.qty, u.price, u.price * u.qty
		FROM unnest(p_product_ids, p_qtys, p_prices) WITH ORDINALITY AS u(pid, qty, price, ord)
		JOIN products p ON p.product_id = u.pid AND p.price_minor = u.price AND p.active
		RETURNING line_total_minor)
	SELECT count(*), coalesce(sum(line_total_minor), 0) INTO v_n, v_sum FROM ins;
	IF v_n <> cardinality(p_product_ids) THEN
		RAISE EXCEPTION 'PRICE_CHANGED' USING ERRCODE = 'KA412';
	END IF;
	IF v_sum <> p_total THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;

	INSERT INTO tenders (txn_id, tender_no, kind, amount_minor, reference)
	SELECT v_txn, u.ord, u.kind, u.amount, u.ref
	FROM unnest(p_tender_kinds, p_tender_amounts, p_tender_refs) WITH ORDINALITY
		AS u(kind, amount, ref, ord);
	SELECT coalesce(sum(a), 0) INTO v_sum FROM unnest(p_tender_amounts) a;
	IF v_sum <> p_tendered THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;

	IF p_points > 0 THEN
		INSERT INTO points_ledger (member_id, kind, points, txn_id)
		VALUES (p_member_id, 'earn', p_points, v_txn);
	END IF;

	RETURN kassa_txn_json(v_txn);
END
$$;

-- Register a member exactly once per idempotency key. Phone and card
-- uniqueness come from the unique indexes (kassad maps 23505 to
-- ALREADY_EXISTS); an empty card number gets the next server card number.
CREATE FUNCTION kassa_member_register(
	p_till_id bigint, p_key text, p_hash bytea,
	p_name text, p_phone text, p_card_no text, p_birthday date, p_gender smallint,
	p_email text, p_address text, p_channel smallint, p_consent boolean,
	p_tags text[], p_notes text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('members_member_id_seq');
	v_prev	record;
BEGIN
	INSERT INTO idempotency (till_id, key, kind, request_hash, result_id)
	VALUES (p_till_id, p_key, 'member_register', p_hash, v_id)
	ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		SELECT kind, request_hash, result_id INTO v_prev
		FROM idempotency WHERE till_id = p_till_id AND key = p_key;
		IF v_prev.kind <> 'member_register' OR v_prev.request_hash <> p_hash THEN
			RAISE EXCEPTION 'IDEMPOTENCY_KEY_REUSED' USING ERRCODE = 'KA409';
		END IF;
		RETURN v_prev.result_id;
	END IF;
	INSERT INTO members (member_id, phone, card_no, name, birthday, gender, email, address,
		preferred_channel, marketing_consent, tags, notes)
	VALUES (v_id, p_phone,
		CASE WHEN p_card_no = '' THEN 'K' || nextval('member_card_seq') ELSE p_card_no END,
		p_name, p_birthday, p_gender, p_email, p_address, p_channel, p_consent,
		p_tags, p_notes);
	RETURN v_id;
END
$$;
