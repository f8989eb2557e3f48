-- Cash-desk shifts (server/store/shift.c): a till's shift is opened with
-- the float counted into the drawer; its X report (any time, changes
-- nothing) and its Z report (closes it) are aggregations over what this
-- till took since the shift opened:
--   sales        transactions of kind 'sale' at the till: count and total;
--   tenders      the sales' tenders by kind and currency (foreign ones with
--                their foreign amount), store-currency amounts;
--   change       cash change given on sales;
--   refunds      refunds made at the till: count and amount; cash refunds
--                are their cash (kind 1) refund_tenders, and the count
--                cards' remainders refunded at the till (card_refunds);
--   top-ups      stored-value top-ups taken at the till in store-currency
--                cash, less the change they gave;
--   expected     float + store-currency cash tendered on sales - change
--                + cash top-ups - cash refunds: the store currency in the
--                drawer (foreign cash is counted apart, in tenders);
--   over/short   counted - expected (Z only).
-- "Since the shift opened" is by transactions.created_at (and up to the
-- Z report's time for a closed shift). A Z report's figures are stored in
-- shifts.report when it closes and never recomputed: a late offline sale
-- replayed afterwards, whatever its original time, changes no closed shift.

-- The figures of shift p_shift_id over [opened_at, p_until) (p_until NULL:
-- up to now, an open shift's X report), as the JSON object shift.c reads
-- (the keys are ShiftSummary's fields). counted is NULL for an X report.
CREATE FUNCTION kassa_shift_json(p_shift_id bigint, p_until timestamptz, p_counted bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	WITH s AS (
		SELECT * FROM shifts WHERE shift_id = p_shift_id),
	t AS (
		SELECT t.txn_id, t.kind, t.total_minor, t.change_minor
		FROM transactions t, s
		WHERE t.store_id = s.store_id AND t.till_id = s.till_id
		  AND t.created_at >= s.opened_at
		  AND (p_until IS NULL OR t.created_at < p_until)),
	tn AS (
		SELECT t.kind AS txn_kind, n.kind, n.currency, n.amount_minor, n.foreign_minor
		FROM t JOIN tenders n ON n.txn_id = t.txn_id),
	r AS (
		SELECT r.refund_id, r.amount_minor
		FROM refunds r, s
		WHERE r.till_id = s.till_id AND r.created_at >= s.opened_at
		  AND (p_until IS NULL OR r.created_at < p_until)),
	f AS (
		SELECT
		  (SELECT count(*) FROM t WHERE kind = 'sale') AS sales_count,
		  (SELECT coalesce(sum(total_minor), 0) FROM t WHERE kind = 'sale') AS sales_minor,
		  (SELECT coalesce(sum(change_minor), 0) FROM t WHERE kind = 'sale') AS change_minor,
		  (SELECT count(*) FROM r) AS refunds_count,
		  (SELECT coalesce(sum(amount_minor), 0) FROM r) AS refunds_minor,
		  (SELECT coalesce(sum(rt.amount_minor), 0) FROM r JOIN refund_tenders rt
		     ON rt.refund_id = r.refund_id WHERE rt.kind = 1)
		   -- count cards' remainders paid out in cash (functions/count_cards.sql)
		   + (SELECT coalesce(sum(cr.amount_minor), 0) FROM card_refunds cr, s
		     WHERE cr.till_id = s.till_id AND cr.created_at >= s.opened_at
		       AND (p_until IS NULL OR cr.created_at < p_until)) AS cash_refunds_minor,
		  (SELECT coalesce(sum(amount_minor), 0) FROM tn
		     WHERE txn_kind = 'sale' AND kind = 1 AND currency = '') AS cash_in_minor,
		  (SELECT coalesce(sum(amount_minor), 0) FROM tn
		     WHERE txn_kind = 'topup' AND kind = 1 AND currency = '')
		   - (SELECT coalesce(sum(change_minor), 0) FROM t WHERE kind = 'topup')
		     AS topups_cash_minor),
	e AS (
		SELECT f.*, s.float_minor + f.cash_in_minor - f.change_minor + f.topups_cash_minor
			- f.cash_refunds_minor AS expected_cash_minor
		FROM f, s)
	SELECT jsonb_build_object(
		'shift_id', s.shift_id, 'till_id', s.till_id, 'staff_id', s.staff_id,
		'opened_at', to_char(s.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'closed_at', CASE WHEN p_until IS NULL THEN ''
			ELSE to_char(p_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END,
		'float_minor', s.float_minor,
		'sales_count', e.sales_count, 'sales_minor', e.sales_minor,
		'refunds_count', e.refunds_count, 'refunds_minor', e.refunds_minor,
		'tenders', (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', g.kind,
				'currency', g.currency, 'count', g.n, 'amount_minor', g.amount,
				'foreign_minor', g.foreign_amount) ORDER BY g.kind, g.currency), '[]')
			FROM (SELECT kind, currency, count(*) AS n, sum(amount_minor) AS amount,
				     sum(foreign_minor) AS foreign_amount
			      FROM tn WHERE txn_kind = 'sale' GROUP BY kind, currency) g),
		'change_minor', e.change_minor, 'cash_refunds_minor', e.cash_refunds_minor,
		'topups_cash_minor', e.topups_cash_minor,
		'expected_cash_minor', e.expected_cash_minor,
		'counted_minor', coalesce(p_counted, 0),
		'over_short_minor', CASE WHEN p_counted IS NULL THEN 0
			ELSE p_counted - e.expected_cash_minor END,
		'closed', p_until IS NOT NULL)
	FROM s, e
$$;

-- Open a shift at till p_till_id of store p_store_id by staff p_staff_id
-- with p_float in the drawer, exactly once per idempotency key (result_id
-- is the shift_id). Refusal: KA412 SHIFT_OPEN, the till has an open shift
-- (two opens racing: the second is refused by shifts_one_open, 23505, which
-- kassad answers the same). Returns the new shift as it stood when it
-- opened (no figures yet; expected cash is the float), as a replay does.
CREATE FUNCTION kassa_shift_open(p_till_id bigint, p_key text, p_hash bytea,
	p_store_id bigint, p_staff_id bigint, p_float bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_shift	bigint := nextval('shifts_shift_id_seq');
	v_prev	bigint;
	v_at	timestamptz;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'shift_open', p_hash, v_shift);
	IF v_prev IS NOT NULL THEN
		SELECT opened_at INTO v_at FROM shifts WHERE shift_id = v_prev;
		RETURN (kassa_shift_json(v_prev, v_at, NULL)
			|| jsonb_build_object('closed_at', '', 'closed', false))::text;
	END IF;
	IF p_float < 0 THEN
		RAISE EXCEPTION 'BAD_FLOAT' USING ERRCODE = 'KA400';
	END IF;
	IF EXISTS (SELECT 1 FROM shifts WHERE till_id = p_till_id AND closed_at IS NULL) THEN
		RAISE EXCEPTION 'SHIFT_OPEN' USING ERRCODE = 'KA412';
	END IF;
	INSERT INTO shifts (shift_id, store_id, till_id, staff_id, float_minor)
	VALUES (v_shift, p_store_id, p_till_id, p_staff_id, p_float)
	RETURNING opened_at INTO v_at;
	-- as it stands at its opening (no figures yet), the same as a replay
	RETURN (kassa_shift_json(v_shift, v_at, NULL)
		|| jsonb_build_object('closed_at', '', 'closed', false))::text;
END
$$;

-- The X report of till p_till_id's open shift (changes nothing), or KA412
-- NO_SHIFT.
CREATE FUNCTION kassa_shift_x(p_till_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_shift	bigint;
BEGIN
	SELECT shift_id INTO v_shift FROM shifts WHERE till_id = p_till_id AND closed_at IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'NO_SHIFT' USING ERRCODE = 'KA412';
	END IF;
	RETURN kassa_shift_json(v_shift, NULL, NULL)::text;
END
$$;

-- The Z report: close till p_till_id's open shift with p_counted cash
-- counted in the drawer, by staff p_staff_id, exactly once per idempotency
-- key (result_id is the shift_id). The figures up to the moment it closes
-- are written into the row with it, in the one guarded UPDATE (WHERE
-- closed_at IS NULL), and a replay answers them from there. Refusals:
-- KA412 NO_SHIFT (no open shift, also when another Z report closed it
-- first), KA400 BAD_COUNT.
CREATE FUNCTION kassa_shift_close(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_counted bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_shift	bigint;
	v_prev	bigint;
	v_at	timestamptz := now();
	v_rep	jsonb;
BEGIN
	SELECT shift_id INTO v_shift FROM shifts
	WHERE till_id = p_till_id AND closed_at IS NULL FOR UPDATE;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'shift_close', p_hash, coalesce(v_shift, 0));
	IF v_prev IS NOT NULL THEN
		RETURN (SELECT report::text FROM shifts WHERE shift_id = v_prev);
	END IF;
	IF v_shift IS NULL THEN
		RAISE EXCEPTION 'NO_SHIFT' USING ERRCODE = 'KA412';
	END IF;
	IF p_counted < 0 THEN
		RAISE EXCEPTION 'BAD_COUNT' USING ERRCODE = 'KA400';
	END IF;
	v_rep := kassa_shift_json(v_shift, v_at, p_counted);
	UPDATE shifts SET closed_at = v_at, closed_by = p_staff_id, counted_minor = p_counted,
		report = v_rep
	WHERE shift_id = v_shift AND closed_at IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'NO_SHIFT' USING ERRCODE = 'KA412';
	END IF;
	RETURN v_rep::text;
END
$$;
