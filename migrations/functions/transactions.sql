-- A sale or a top-up as the till sees it (foreign tenders with their
-- currency, amount and rate; the till's receipt number and offline flag).

-- The transaction as the till sees it. A checkout's first answer and every
-- replay come from this one function over rows that never change.
CREATE FUNCTION kassa_txn_json(p_txn_id bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object(
			'txn_id', t.txn_id, 'store_id', t.store_id, 'till_id', t.till_id,
			'staff_id', t.staff_id, 'member_id', coalesce(t.member_id, 0),
			'currency', t.currency, 'total', t.total_minor,
			'tendered', t.tendered_minor, 'change', t.change_minor,
			'points_earned', t.points_earned,
			'points_balance', coalesce(t.points_balance_after, 0),
			'cumulative_spend', coalesce(t.cumulative_spend_after, 0),
			'created_at', to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
			'gross', t.gross_minor, 'tier', coalesce(t.tier, ''),
			'tier_after', coalesce(t.tier_after, ''), 'tier_off', t.tier_off_minor,
			'coupon_off', t.coupon_off_minor, 'coupon_codes', t.coupon_codes,
			'points_redeemed', t.points_redeemed, 'points_value', t.points_value_minor,
			'gift_points', t.gift_points,
			'wallet_paid', t.wallet_paid_minor,
			'wallet_balance', coalesce(t.wallet_balance_after, 0),
			'rule_version', coalesce(t.rule_version, 0),
			'receipt_no', t.receipt_no, 'offline', t.offline,
			'lines', (SELECT json_agg(json_build_object(
					'line_no', l.line_no, 'product_id', l.product_id, 'sku', l.sku,
					'name', l.name, 'qty', l.quantity, 'unit', l.unit_price_minor,
					'total', l.line_total_minor, 'tier_off', l.tier_off_minor,
					'coupon_off', l.coupon_off_minor, 'points_off', l.points_off_minor,
					'net', l.net_minor, 'points_earned', l.points_earned,
					'gift_points', l.gift_points) ORDER BY l.line_no)
				FROM transaction_lines l WHERE l.txn_id = t.txn_id),
			'tenders', (SELECT json_agg(json_build_object(
					'tender_no', d.tender_no, 'kind', d.kind,
					'amount', d.amount_minor, 'ref', d.reference,
					'currency', d.currency, 'foreign', d.foreign_minor,
					'rate', d.rate_micro, 'rate_version', d.rate_version)
					ORDER BY d.tender_no)
				FROM tenders d WHERE d.txn_id = t.txn_id))
		FROM transactions t WHERE t.txn_id = p_txn_id);
END
$$;

-- A member's sales across stores, newest first, one keyset page: those
-- before (p_at, p_id) in (created_at, txn_id) order (p_at NULL: from the
-- newest), at most p_limit, only p_store's when p_store is not NULL (a
-- cashier's). NULL if there is no such member; otherwise
-- {"txns": [kassa_txn_json(), ...], "more": true if another page follows}.
-- It walks transactions_member (member_id, created_at) backwards.
CREATE FUNCTION kassa_member_history_json(p_member_id bigint, p_at timestamptz,
	p_id bigint, p_limit integer, p_store bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM members WHERE member_id = p_member_id) THEN
		RETURN NULL;
	END IF;
	RETURN (
		SELECT json_build_object(
			'txns', coalesce(json_agg(kassa_txn_json(p.txn_id) ORDER BY p.n)
					 FILTER (WHERE p.n <= p_limit), '[]'::json),
			'more', count(*) > p_limit)
		FROM (SELECT t.txn_id,
			     row_number() OVER (ORDER BY t.created_at DESC, t.txn_id DESC) AS n
			FROM (SELECT txn_id, created_at FROM transactions
				WHERE member_id = p_member_id
				  AND (p_store IS NULL OR store_id = p_store)
				  AND (p_at IS NULL OR (created_at <= p_at
					AND (created_at < p_at OR txn_id < p_id)))
				ORDER BY created_at DESC, txn_id DESC
				LIMIT p_limit + 1) t) p);
END
$$;
