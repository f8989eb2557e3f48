-- Stored-value top-ups. A top-up is money taken at a till, so it is a
-- transaction like a sale: transactions.kind (0003_loyalty.sql) tells them
-- apart, its tenders sit in tenders, and the wallet ledger's 'topup' and
-- 'bonus' rows name it by txn_id. A top-up has no lines, earns no points and
-- adds nothing to cumulative spend.

-- The answer to a top-up, from rows that never change: the first answer
-- and every replay are the same.
CREATE FUNCTION kassa_topup_answer(p_txn_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object('topup_id', t.txn_id, 'member_id', t.member_id,
			'amount', t.total_minor,
			'bonus', coalesce((SELECT sum(l.amount_minor) FROM wallet_ledger l
				WHERE l.member_id = t.member_id AND l.txn_id = t.txn_id
				  AND l.kind = 'bonus'), 0),
			'balance', t.wallet_balance_after,
			'created_at', to_char(t.created_at AT TIME ZONE 'UTC',
					      'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
		FROM transactions t WHERE t.txn_id = p_txn_id AND t.kind = 'topup');
END
$$;

-- Put p_amount (and the bonus kassad computed from rule version
-- p_rule_version) on a member's wallet, paid by the tenders, exactly once
-- per idempotency key, under the member's row lock. Refusals:
--   KA404 MEMBER_NOT_FOUND
--   KA412 STALE_PRICING      the rule set changed: kassad reloads and retries
--   KA412 CURRENCY_MISMATCH  the wallet holds another currency than the store takes
--   KA400 BAD_TOTALS         amounts that do not add up (kassad checked them first)
CREATE FUNCTION kassa_topup(
	p_store_id bigint, p_till_id bigint, p_staff_id bigint,
	p_key text, p_hash bytea, p_member_id bigint,
	p_amount bigint, p_bonus bigint, p_rule_version integer,
	p_tender_kinds smallint[], p_tender_amounts bigint[], p_tender_refs text[],
	p_tendered bigint, p_change bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_txn		bigint := nextval('transactions_txn_id_seq');
	v_prev		bigint;
	v_m		record;
	v_currency	char(3);
	v_wallet_cur	char(3);
	v_balance	bigint;
	v_sum		bigint;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'topup', p_hash, v_txn);
	IF v_prev IS NOT NULL THEN
		RETURN kassa_topup_answer(v_prev);
	END IF;

	SELECT coalesce(sum(a), 0) INTO v_sum FROM unnest(p_tender_amounts) a;
	IF p_amount <= 0 OR p_bonus < 0 OR p_change < 0 OR p_tendered - p_change <> p_amount
	   OR v_sum <> p_tendered OR cardinality(p_tender_kinds) = 0
	   OR EXISTS (SELECT 1 FROM unnest(p_tender_kinds) k WHERE k NOT IN (1, 2, 3)) THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;
	IF p_rule_version <> (SELECT max(version) FROM rule_versions) THEN
		RAISE EXCEPTION 'STALE_PRICING' USING ERRCODE = 'KA412';
	END IF;
	SELECT currency INTO v_currency FROM stores WHERE store_id = p_store_id;

	SELECT points_balance, cumulative_spend_minor, currency INTO v_m
	FROM members WHERE member_id = p_member_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	INSERT INTO wallets (member_id, currency) VALUES (p_member_id, v_m.currency)
	ON CONFLICT DO NOTHING;
	UPDATE wallets SET balance_minor = balance_minor + p_amount + p_bonus, updated_at = now()
	WHERE member_id = p_member_id
	RETURNING balance_minor, currency INTO v_balance, v_wallet_cur;
	IF v_wallet_cur <> v_currency THEN
		RAISE EXCEPTION 'CURRENCY_MISMATCH' USING ERRCODE = 'KA412';
	END IF;

	INSERT INTO transactions (txn_id, kind, store_id, till_id, staff_id, member_id, currency,
		total_minor, tendered_minor, change_minor, points_earned, points_balance_after,
		cumulative_spend_after, rule_version, gross_minor, wallet_balance_after)
	VALUES (v_txn, 'topup', p_store_id, p_till_id, p_staff_id, p_member_id, v_currency,
		p_amount, p_tendered, p_change, 0, v_m.points_balance,
		v_m.cumulative_spend_minor, p_rule_version, p_amount, v_balance);
	INSERT INTO tenders (txn_id, tender_no, kind, amount_minor, reference)
	SELECT v_txn, u.ord, u.kind, u.amount, u.ref
	FROM unnest(p_tender_kinds, p_tender_amounts, p_tender_refs) WITH ORDINALITY
		AS u(kind, amount, ref, ord);
	INSERT INTO wallet_ledger (member_id, kind, amount_minor, txn_id)
	VALUES (p_member_id, 'topup', p_amount, v_txn);
	IF p_bonus > 0 THEN
		INSERT INTO wallet_ledger (member_id, kind, amount_minor, txn_id)
		VALUES (p_member_id, 'bonus', p_bonus, v_txn);
	END IF;
	RETURN kassa_topup_answer(v_txn);
END
$$;
