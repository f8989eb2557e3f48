-- Refunds (tables refunds, refund_lines, refund_tenders: 0005_refunds.sql).
-- A refund returns some or all lines of one sale. It takes back exactly
-- what those lines got, from the per-line allocation kassa_checkout()
-- stored (functions/checkout.sql):
--
--   money    the lines' net_minor, back through the sale's own tenders in a
--            fixed order: stored value first (to the wallet, never more than
--            the sale took from it less what earlier refunds returned), then
--            card and e-wallet tenders, then cash (never more than the cash
--            the till kept: cash tendered less change), each group in
--            tender_no order, each tender at most what it paid less what
--            earlier refunds sent back through it;
--   points   earned on the lines are clawed back ('clawback', drawn from the
--            member's open lots, soonest expiry first); what the lots do not
--            hold becomes a negative balance, a debt the next earnings repay;
--            points the lines redeemed come back as a new lot ('restore');
--   coupons  the sale used are restored only by the refund that completes
--            the refund of the whole sale, and only while still valid;
--   spend    cumulative spend and points earned in all go down, and the tier
--            follows them down unless a manager set it by hand.
--
-- kassad computes all of that (server/loyalty/rules_refund.c, and the tier
-- after it with rules_tier.c) from one read, kassa_refund_read(), and sends
-- the numbers to kassa_refund(), which writes them in one transaction,
-- exactly once per idempotency key, under guards. A line is refunded at
-- most once: refund_lines' primary key is the sale's line. The refusals
-- about the sale itself (TRANSACTION_NOT_FOUND, NOT_A_SALE, OTHER_STORE,
-- BAD_LINE, LINE_ALREADY_REFUNDED, APPROVAL_REQUIRED) are kassad's, from
-- the read. kassa_refund() raises (the message is the till's detail):
--   KA412 STALE_RULES              kassad's rule set is not the newest: it reloads and retries
--   KA412 STALE_REFUND             the sale's refunds or the member's tier or totals changed
--                                  since the read: kassad reads and computes again
--   KA412 LINE_ALREADY_REFUNDED    (only if the guards were bypassed)
--   KA404 TRANSACTION_NOT_FOUND    KA400 BAD_TOTALS
--   KA409 IDEMPOTENCY_KEY_REUSED

-- The refund as the till sees it, as JSON text. The first answer and every
-- replay come from these rows, which never change, so they are identical.
CREATE FUNCTION kassa_refund_json(p_refund_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object(
			'refund_id', r.refund_id, 'txn_id', r.txn_id, 'store_id', r.store_id,
			'member_id', coalesce(r.member_id, 0),
			'line_nos', coalesce((SELECT json_agg(l.line_no ORDER BY l.line_no)
				FROM refund_lines l WHERE l.refund_id = r.refund_id), '[]'),
			'amount', r.amount_minor,
			'tenders', coalesce((SELECT json_agg(json_build_object(
					'tender_no', d.tender_no, 'kind', d.kind,
					'amount', d.amount_minor, 'ref', d.reference) ORDER BY d.tender_no)
				FROM refund_tenders d WHERE d.refund_id = r.refund_id), '[]'),
			'points_clawed_back', r.points_clawed_back,
			'points_restored', r.points_restored,
			'wallet_restored', r.wallet_restored_minor,
			'coupons_restored', r.coupons_restored,
			'points_balance', coalesce(r.points_balance_after, 0),
			'wallet_balance', coalesce(r.wallet_balance_after, 0),
			'cumulative_spend', coalesce(r.cumulative_spend_after, 0),
			'tier_after', coalesce(r.tier_after, ''),
			'approved_by', coalesce(r.approved_by, 0),
			'created_at', to_char(r.created_at AT TIME ZONE 'UTC',
					      'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
		FROM refunds r WHERE r.refund_id = p_refund_id);
END
$$;

-- The member's side of a refund, under the member's row lock: claw back
-- p_clawback points, restore p_restore as a lot expiring p_expires_on,
-- credit p_wallet to the wallet, lower spend and points earned, and set
-- the tier kassad decided (p_tier_after: rules_tier_after_refund(), the
-- tier as read when it was set by hand). Writes the after-balances into
-- the refunds row.
CREATE FUNCTION kassa_refund_member(p_refund_id bigint, p_txn_id bigint, p_member_id bigint,
	p_amount bigint, p_clawback bigint, p_restore bigint, p_wallet bigint,
	p_expires_on date, p_tier_after text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_m		record;
	v_balance	bigint;
	v_entry		bigint;
	v_lots		bigint;
	v_spend		bigint;
	v_earned	bigint;
	v_tier		text := p_tier_after;
	v_wallet_after	bigint;
BEGIN
	SELECT points_balance, cumulative_spend_minor, points_earned_total
	INTO v_m FROM members WHERE member_id = p_member_id;
	v_balance := v_m.points_balance;
	IF p_clawback > 0 THEN
		-- lots past their day are gone already; the clawback takes live points
		v_balance := v_balance - kassa_expire_member(p_member_id);
		INSERT INTO points_ledger (member_id, kind, points, txn_id, refund_id)
		VALUES (p_member_id, 'clawback', -p_clawback, p_txn_id, p_refund_id)
		RETURNING entry_id INTO v_entry;
		SELECT coalesce(sum(remaining), 0) INTO v_lots FROM points_lots
		WHERE member_id = p_member_id AND remaining > 0;
		IF least(p_clawback, v_lots) > 0 THEN
			PERFORM kassa_lots_draw(p_member_id, v_entry, least(p_clawback, v_lots));
		END IF;
		v_balance := v_balance - p_clawback;	-- below zero: a debt
	END IF;
	IF p_restore > 0 THEN
		INSERT INTO points_ledger (member_id, kind, points, txn_id, refund_id)
		VALUES (p_member_id, 'restore', p_restore, p_txn_id, p_refund_id);
		-- like an earn, a restore first repays a clawback debt
		INSERT INTO points_lots (member_id, txn_id, refund_id, source, points, remaining,
			expires_on)
		VALUES (p_member_id, p_txn_id, p_refund_id, 'restore', p_restore,
			CASE WHEN v_balance >= 0 THEN p_restore
			     ELSE greatest(0, v_balance + p_restore) END, p_expires_on);
		v_balance := v_balance + p_restore;
	END IF;

	IF p_wallet > 0 THEN
		UPDATE wallets SET balance_minor = balance_minor + p_wallet, updated_at = now()
		WHERE member_id = p_member_id RETURNING balance_minor INTO v_wallet_after;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'WALLET_MISSING member %', p_member_id
				USING ERRCODE = 'XX000';
		END IF;
		INSERT INTO wallet_ledger (member_id, kind, amount_minor, txn_id, refund_id)
		VALUES (p_member_id, 'refund', p_wallet, p_txn_id, p_refund_id);
	ELSE
		SELECT balance_minor INTO v_wallet_after FROM wallets WHERE member_id = p_member_id;
	END IF;

	v_spend := greatest(0, v_m.cumulative_spend_minor - p_amount);
	v_earned := greatest(0, v_m.points_earned_total - p_clawback);
	UPDATE members
	SET points_balance = v_balance, cumulative_spend_minor = v_spend,
	    points_earned_total = v_earned, tier = v_tier,
	    tier_since = CASE WHEN v_tier <> tier THEN now() ELSE tier_since END,
	    updated_at = now()
	WHERE member_id = p_member_id;
	UPDATE refunds
	SET points_balance_after = v_balance, wallet_balance_after = coalesce(v_wallet_after, 0),
	    cumulative_spend_after = v_spend, tier_after = v_tier
	WHERE refund_id = p_refund_id;
END
$$;

-- The coupons sale p_txn_id used, back to 'issued' where their definition
-- is valid today (the caller has checked that the whole sale is refunded
-- and holds the member's row lock). Returns their codes.
CREATE FUNCTION kassa_refund_coupons(p_txn_id bigint, p_member_id bigint) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
	v_codes	text[];
BEGIN
	-- counted definitions are locked in def_id order, as kassa_checkout does
	PERFORM 1 FROM coupon_defs WHERE max_uses_total > 0 AND def_id IN (SELECT def_id
		FROM coupons WHERE member_id = p_member_id AND used_txn = p_txn_id)
	ORDER BY def_id FOR NO KEY UPDATE;
	WITH back AS (
		UPDATE coupons c SET state = 'issued', used_txn = NULL, used_at = NULL
		FROM coupon_defs d
		WHERE d.def_id = c.def_id AND c.member_id = p_member_id
		  AND c.used_txn = p_txn_id AND c.state = 'used'
		  AND (d.valid_from IS NULL OR current_date >= d.valid_from)
		  AND (d.valid_to IS NULL OR current_date <= d.valid_to)
		RETURNING c.code, c.def_id),
	uses AS (
		UPDATE coupon_defs d SET uses_total = greatest(0, d.uses_total - b.n)
		FROM (SELECT def_id, count(*)::integer AS n FROM back GROUP BY def_id) b
		WHERE d.def_id = b.def_id AND d.max_uses_total > 0
		RETURNING d.def_id)
	SELECT coalesce(array_agg(code ORDER BY code), '{}') INTO v_codes FROM back;
	RETURN v_codes;
END
$$;


-- What kassad reads before it computes a refund of sale p_txn_id, as plain
-- rows (a SQL function, so the planner inlines it into kassad's prepared
-- statement; server/loyalty/refund.c). Kind 's', always exactly one row:
-- what the idempotency key p_key of till p_till_id names already (n1: 0
-- nothing, 1 this refund, whose id is n2, 2 another request), the rule
-- version in force (n3); the sale: found (f1), its kind (t1), store (n4),
-- change (n5), points redeemed and their value (n6, n7), member (n8, 0:
-- none), lines refunded so far (n9), made inside the tier window of
-- p_months months (f2); its member: tier (t2), set by hand (f3),
-- cumulative spend and points earned in all (n10, n11), the window's basis
-- (n12: kassa_tier_basis, 0 for a tier set by hand), the row's version
-- (t3: xmin, which any update of the member changes); and whether staff
-- p_staff_id is a head-office manager or admin (f4). Kind 'l', a line: n1
-- line_no, n2 net, n3 points earned, n4 points off, n5 gift points, f1
-- refunded before. Kind 'd', a tender: n1 tender_no, n2 kind, n3 amount,
-- n4 what refunds sent back through it before.
CREATE FUNCTION kassa_refund_read(p_txn_id bigint, p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_by_points boolean, p_months integer)
RETURNS TABLE (kind text, t1 text, t2 text, t3 text,
	n1 bigint, n2 bigint, n3 bigint, n4 bigint, n5 bigint, n6 bigint,
	n7 bigint, n8 bigint, n9 bigint, n10 bigint, n11 bigint, n12 bigint,
	f1 boolean, f2 boolean, f3 boolean, f4 boolean)
LANGUAGE sql STABLE AS $$
	SELECT 's', coalesce(t.kind, ''), coalesce(m.tier, ''), coalesce(m.xmin::text, ''),
		CASE WHEN i.till_id IS NULL THEN 0
		     WHEN i.kind = 'refund' AND i.request_hash = p_hash THEN 1 ELSE 2 END::bigint,
		coalesce(i.result_id, 0), (SELECT max(version) FROM rule_versions)::bigint,
		coalesce(t.store_id, 0), coalesce(t.change_minor, 0),
		coalesce(t.points_redeemed, 0), coalesce(t.points_value_minor, 0),
		coalesce(t.member_id, 0),
		(SELECT count(*) FROM refund_lines r WHERE r.txn_id = p_txn_id),
		coalesce(m.cumulative_spend_minor, 0), coalesce(m.points_earned_total, 0),
		CASE WHEN m.member_id IS NOT NULL AND NOT m.tier_manual
		     THEN kassa_tier_basis(m.member_id, p_by_points, p_months) ELSE 0 END,
		t.txn_id IS NOT NULL,
		coalesce(t.created_at >= now() - make_interval(months => p_months), false),
		coalesce(m.tier_manual, false),
		EXISTS (SELECT 1 FROM staff s WHERE s.staff_id = p_staff_id
			AND s.role IN ('manager', 'admin') AND s.store_id IS NULL)
	FROM (SELECT 1) one
	LEFT JOIN transactions t ON t.txn_id = p_txn_id
	LEFT JOIN members m ON m.member_id = t.member_id
	LEFT JOIN idempotency i ON i.till_id = p_till_id AND i.key = p_key
	UNION ALL
	SELECT 'l', '', '', '', l.line_no::bigint, coalesce(l.net_minor, 0), l.points_earned,
		l.points_off_minor, l.gift_points, 0, 0, 0, 0, 0, 0, 0,
		EXISTS (SELECT 1 FROM refund_lines r
			WHERE r.txn_id = l.txn_id AND r.line_no = l.line_no), false, false, false
	FROM transaction_lines l WHERE l.txn_id = p_txn_id
	UNION ALL
	SELECT 'd', '', '', '', d.tender_no::bigint, d.kind::bigint, d.amount_minor,
		coalesce((SELECT sum(x.amount_minor) FROM refund_tenders x
			  WHERE x.txn_id = d.txn_id AND x.tender_no = d.tender_no), 0)::bigint,
		0, 0, 0, 0, 0, 0, 0, 0, false, false, false, false
	FROM tenders d WHERE d.txn_id = p_txn_id
$$;

-- Record refund of sale p_txn_id as kassad computed it from
-- kassa_refund_read() (see the top of this file), at till p_till_id of
-- store p_store_id by staff p_staff_id, rule set p_rule_version (it must
-- be the newest). Per line taken (line_no ascending): money, points clawed
-- back, points restored; per tender sent back through: tender_no, amount;
-- the totals, the part of p_wallet that goes to the stored-value wallet,
-- p_gift_back (gift points given back: their stock returns), p_completes
-- (no line is left: the sale's coupons come back), p_approved_by (the
-- verified approver of a refund above the limit, 0: none needed),
-- p_expires_on (a restored lot's expiry), p_tier_after. Guards, under the
-- member's and the sale's row locks (else STALE_REFUND): the sale has still
-- p_refunded_seen refunded lines; its member has the tier and manual flag
-- read, and, as kassad's tier decision needs (p_guard): 0 nothing more (a
-- tier set by hand or unknown to the rule set: it stays), 1 all-time
-- spend and points earned at least p_spend_floor and p_earned_floor (the
-- tier stays: kassad's floor is the total read less the room the window's
-- basis had above the tier's threshold; only refunds lower these totals,
-- and they lower the window's basis no more than the totals, so it still
-- reaches the threshold), 2 the row unchanged since read (p_row_seen, its
-- xmin: the tier goes down, to a tier chosen on the basis read). Each line
-- is refunded once (primary key).
-- Returns kassa_refund_json().
CREATE FUNCTION kassa_refund(
	p_store_id bigint, p_till_id bigint, p_staff_id bigint,
	p_key text, p_hash bytea, p_txn_id bigint, p_rule_version integer,
	p_line_nos integer[], p_amounts bigint[], p_clawbacks bigint[], p_restores bigint[],
	p_tender_nos integer[], p_tender_amounts bigint[],
	p_amount bigint, p_clawback bigint, p_restore bigint, p_wallet bigint,
	p_gift_back bigint, p_completes boolean, p_approved_by bigint,
	p_reason text, p_expires_on date,
	p_refunded_seen bigint, p_tier_seen text, p_manual_seen boolean,
	p_spend_floor bigint, p_earned_floor bigint, p_guard integer, p_row_seen text,
	p_tier_after text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_refund	bigint := nextval('refunds_refund_id_seq');
	v_prev		bigint;
	v_member	bigint;
	v_m		record;
	v_bad		boolean;
	v_coupons	text[] := '{}';
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'refund', p_hash, v_refund);
	IF v_prev IS NOT NULL THEN
		RETURN kassa_refund_json(v_prev);
	END IF;
	IF p_rule_version <> (SELECT max(version) FROM rule_versions) THEN
		RAISE EXCEPTION 'STALE_RULES' USING ERRCODE = 'KA412';
	END IF;
	SELECT count(*) = 0 OR count(*) <> cardinality(p_line_nos)
	       OR count(*) <> cardinality(p_amounts) OR count(*) <> cardinality(p_clawbacks)
	       OR count(*) <> cardinality(p_restores)
	       OR coalesce(sum(a), 0) <> p_amount OR coalesce(sum(c), 0) <> p_clawback
	       OR coalesce(sum(r), 0) <> p_restore OR coalesce(min(least(a, c, r)), 0) < 0
	       OR cardinality(p_tender_nos) <> cardinality(p_tender_amounts)
	INTO v_bad FROM unnest(p_amounts, p_clawbacks, p_restores) AS u(a, c, r);
	IF v_bad OR p_wallet < 0 OR p_gift_back < 0 THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;

	-- lock order as in kassa_checkout: the member first, then the sale, so
	-- refunds of one sale (and a member's sales and refunds) serialize
	SELECT member_id INTO v_member FROM transactions WHERE txn_id = p_txn_id AND kind = 'sale';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'TRANSACTION_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF v_member IS NOT NULL THEN
		SELECT tier, tier_manual, cumulative_spend_minor, points_earned_total,
			xmin::text AS row_seen INTO v_m
		FROM members WHERE member_id = v_member FOR UPDATE;
		IF v_m.tier <> p_tier_seen OR v_m.tier_manual <> p_manual_seen
		   OR (p_guard = 1 AND (v_m.cumulative_spend_minor < p_spend_floor
					OR v_m.points_earned_total < p_earned_floor))
		   OR (p_guard = 2 AND v_m.row_seen <> p_row_seen) THEN
			RAISE EXCEPTION 'STALE_REFUND' USING ERRCODE = 'KA412';
		END IF;
	END IF;
	PERFORM 1 FROM transactions WHERE txn_id = p_txn_id FOR UPDATE;
	IF (SELECT count(*) FROM refund_lines WHERE txn_id = p_txn_id) <> p_refunded_seen THEN
		RAISE EXCEPTION 'STALE_REFUND' USING ERRCODE = 'KA412';
	END IF;

	INSERT INTO refunds (refund_id, txn_id, store_id, till_id, staff_id, member_id,
		approved_by, reason, amount_minor, points_clawed_back, points_restored)
	VALUES (v_refund, p_txn_id, p_store_id, p_till_id, p_staff_id, v_member,
		nullif(p_approved_by, 0), p_reason, p_amount,
		CASE WHEN v_member IS NULL THEN 0 ELSE p_clawback END,
		CASE WHEN v_member IS NULL THEN 0 ELSE p_restore END);
	BEGIN
		INSERT INTO refund_lines (txn_id, line_no, refund_id, amount_minor,
			points_clawed_back, points_restored)
		SELECT p_txn_id, u.n, v_refund, u.a, u.c, u.r
		FROM unnest(p_line_nos, p_amounts, p_clawbacks, p_restores) AS u(n, a, c, r);
	EXCEPTION WHEN unique_violation THEN
		-- only if the guard above were bypassed; the key still says no
		RAISE EXCEPTION 'LINE_ALREADY_REFUNDED' USING ERRCODE = 'KA412';
	END;
	-- the goods come back to this store's stock (functions/stock.sql; gifts are the
	-- gift catalogue's, below); the lines' count cards (functions/count_cards.sql)
	PERFORM kassa_stock_moves(p_store_id, 'refund', v_refund, p_staff_id,
		ARRAY(SELECT l.product_id FROM transaction_lines l
			WHERE l.txn_id = p_txn_id AND l.line_no = ANY(p_line_nos) ORDER BY l.line_no),
		ARRAY(SELECT CASE WHEN l.gift_points > 0 THEN 0 ELSE l.quantity END::bigint
			FROM transaction_lines l
			WHERE l.txn_id = p_txn_id AND l.line_no = ANY(p_line_nos) ORDER BY l.line_no));
	PERFORM kassa_card_refund_lines(p_txn_id, p_line_nos);
	WITH back AS (
		INSERT INTO refund_tenders (refund_id, tender_no, txn_id, kind, amount_minor,
			reference)
		SELECT v_refund, d.tender_no, p_txn_id, d.kind, u.a, d.reference
		FROM unnest(p_tender_nos, p_tender_amounts) AS u(n, a)
		JOIN tenders d ON d.txn_id = p_txn_id AND d.tender_no = u.n
		RETURNING kind, amount_minor)
	SELECT count(*) <> cardinality(p_tender_nos) OR coalesce(sum(amount_minor), 0) <> p_amount
	       OR coalesce(sum(amount_minor) FILTER (WHERE kind = 4), 0) <> p_wallet
	INTO v_bad FROM back;
	IF v_bad THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;

	IF p_gift_back > 0 THEN
		-- gifts given back go back on the shelf (rows locked in product order)
		PERFORM 1 FROM gift_items WHERE product_id IN (SELECT product_id
			FROM transaction_lines WHERE txn_id = p_txn_id AND line_no = ANY(p_line_nos)
			  AND gift_points > 0)
		ORDER BY product_id FOR NO KEY UPDATE;
		UPDATE gift_items g SET stock = g.stock + b.qty, updated_at = now()
		FROM (SELECT product_id, sum(quantity) AS qty FROM transaction_lines
		      WHERE txn_id = p_txn_id AND line_no = ANY(p_line_nos) AND gift_points > 0
		      GROUP BY product_id) b
		WHERE g.product_id = b.product_id;
	END IF;
	IF v_member IS NOT NULL THEN
		-- coupons come back with the refund that completes the whole sale
		IF p_completes THEN
			v_coupons := kassa_refund_coupons(p_txn_id, v_member);
		END IF;
		UPDATE refunds SET wallet_restored_minor = p_wallet, coupons_restored = v_coupons
		WHERE refund_id = v_refund;
		PERFORM kassa_refund_member(v_refund, p_txn_id, v_member, p_amount, p_clawback,
					    p_restore, p_wallet, p_expires_on, p_tier_after);
	ELSIF p_wallet > 0 THEN
		RAISE EXCEPTION 'WALLET_WITHOUT_MEMBER txn %', p_txn_id USING ERRCODE = 'XX000';
	END IF;

	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'refund', 'txn:' || p_txn_id, jsonb_build_object(
		'refund_id', v_refund, 'lines', to_jsonb(p_line_nos), 'amount', p_amount,
		'approved_by', nullif(p_approved_by, 0), 'reason', p_reason));
	RETURN kassa_refund_json(v_refund);
END
$$;
