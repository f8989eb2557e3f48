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
-- A line is refunded at most once: refund_lines' primary key is the sale's
-- line. Everything is one call of kassa_refund(), one transaction, exactly
-- once per idempotency key. Errors (the message is the till's detail):
--   KA404 TRANSACTION_NOT_FOUND
--   KA400 BAD_LINE                 a line number the sale does not have
--   KA412 LINE_ALREADY_REFUNDED    (also: no line of the sale is left)
--   KA412 NOT_A_SALE               a stored-value top-up is not refunded here
--   KA412 STALE_RULES              kassad's rule set is not the newest: it reloads and retries
--   KA403 OTHER_STORE              a store's staff refund only that store's sales
--   KA403 APPROVAL_REQUIRED        above the rule set's refund_approval_minor
--   KA409 IDEMPOTENCY_KEY_REUSED
-- KA403 is mapped to PERMISSION_DENIED by server/loyalty/refund.c.

-- The points of a sale's redemption that belong to p_off minor units of its
-- points_value: floor(redeemed * off / value). A refund restores
-- share(lines refunded so far, this refund's included) - share(those
-- before it), so the refunds of a sale never restore more than it redeemed
-- and the refund that completes it restores exactly the rest.
CREATE FUNCTION kassa_points_share(p_redeemed bigint, p_value bigint, p_off bigint)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_value <= 0 OR p_off <= 0 THEN 0
		    ELSE div(p_redeemed::numeric * least(p_off, p_value), p_value)::bigint END
$$;

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

-- Which lines a refund takes: p_lines as given (each must be a line of the
-- sale not refunded yet), or every line not refunded yet when it is empty.
-- The caller holds the sale's row lock.
CREATE FUNCTION kassa_refund_lines(p_txn_id bigint, p_lines integer[]) RETURNS integer[]
LANGUAGE plpgsql AS $$
DECLARE
	v_lines	integer[];
BEGIN
	IF cardinality(p_lines) = 0 THEN
		v_lines := ARRAY(SELECT l.line_no FROM transaction_lines l
			WHERE l.txn_id = p_txn_id AND NOT EXISTS (SELECT 1 FROM refund_lines r
				WHERE r.txn_id = l.txn_id AND r.line_no = l.line_no)
			ORDER BY l.line_no);
		IF cardinality(v_lines) = 0 THEN
			RAISE EXCEPTION 'LINE_ALREADY_REFUNDED' USING ERRCODE = 'KA412';
		END IF;
		RETURN v_lines;
	END IF;
	v_lines := ARRAY(SELECT DISTINCT u FROM unnest(p_lines) u ORDER BY u);
	IF cardinality(v_lines) <> cardinality(p_lines)
	   OR (SELECT count(*) FROM transaction_lines
	       WHERE txn_id = p_txn_id AND line_no = ANY(v_lines)) <> cardinality(v_lines) THEN
		RAISE EXCEPTION 'BAD_LINE' USING ERRCODE = 'KA400';
	END IF;
	IF EXISTS (SELECT 1 FROM refund_lines
		   WHERE txn_id = p_txn_id AND line_no = ANY(v_lines)) THEN
		RAISE EXCEPTION 'LINE_ALREADY_REFUNDED' USING ERRCODE = 'KA412';
	END IF;
	RETURN v_lines;
END
$$;

-- Send p_amount back through the sale's tenders (the order is at the top of
-- this file) as refund_tenders rows of p_refund_id. Returns what went back
-- to the stored-value wallet; the caller credits it.
CREATE FUNCTION kassa_refund_tenders(p_refund_id bigint, p_txn_id bigint, p_change bigint,
	p_amount bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_d		record;
	v_left		bigint := p_amount;
	v_take		bigint;
	v_wallet	bigint := 0;
	v_cash		bigint;		-- cash the till kept and has not given back yet
BEGIN
	SELECT coalesce(sum(amount_minor), 0) - p_change
		- coalesce((SELECT sum(amount_minor) FROM refund_tenders
			    WHERE txn_id = p_txn_id AND kind = 1), 0)
	INTO v_cash FROM tenders WHERE txn_id = p_txn_id AND kind = 1;
	FOR v_d IN SELECT d.tender_no, d.kind, d.reference,
			d.amount_minor - coalesce((SELECT sum(x.amount_minor) FROM refund_tenders x
				WHERE x.txn_id = d.txn_id AND x.tender_no = d.tender_no), 0) AS open
		FROM tenders d WHERE d.txn_id = p_txn_id
		ORDER BY CASE d.kind WHEN 4 THEN 0 WHEN 1 THEN 2 ELSE 1 END, d.tender_no
	LOOP
		EXIT WHEN v_left = 0;
		v_take := least(v_left, v_d.open);
		IF v_d.kind = 1 THEN
			v_take := least(v_take, v_cash);
			v_cash := v_cash - greatest(v_take, 0);
		END IF;
		CONTINUE WHEN v_take <= 0;
		INSERT INTO refund_tenders (refund_id, tender_no, txn_id, kind, amount_minor,
			reference)
		VALUES (p_refund_id, v_d.tender_no, p_txn_id, v_d.kind, v_take, v_d.reference);
		IF v_d.kind = 4 THEN
			v_wallet := v_wallet + v_take;
		END IF;
		v_left := v_left - v_take;
	END LOOP;
	IF v_left <> 0 THEN
		-- the lines' nets add up to what the tenders kept: cannot happen
		RAISE EXCEPTION 'REFUND_OVER_TENDERS txn %: % left', p_txn_id, v_left
			USING ERRCODE = 'XX000';
	END IF;
	RETURN v_wallet;
END
$$;

-- The member's side of a refund, under the member's row lock: claw back
-- p_clawback points, restore p_restore as a lot expiring p_expires_on,
-- credit p_wallet to the wallet, lower spend and points earned and maybe
-- the tier. Writes the after-balances into the refunds row.
CREATE FUNCTION kassa_refund_member(p_refund_id bigint, p_txn_id bigint, p_member_id bigint,
	p_amount bigint, p_clawback bigint, p_restore bigint, p_wallet bigint,
	p_expires_on date, p_rule_version integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_m		record;
	v_balance	bigint;
	v_entry		bigint;
	v_lots		bigint;
	v_spend		bigint;
	v_earned	bigint;
	v_tier		text;
	v_cfg		jsonb;
	v_wallet_after	bigint;
BEGIN
	SELECT tier, tier_manual, points_balance, cumulative_spend_minor, points_earned_total
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
	v_tier := v_m.tier;
	IF NOT v_m.tier_manual THEN
		-- the rolling window the tier stands on, this refund taken off
		SELECT config INTO v_cfg FROM rule_versions WHERE version = p_rule_version;
		v_tier := kassa_tier_after_refund(v_cfg, v_m.tier,
			kassa_tier_basis(p_member_id, v_cfg->>'tier_basis' = 'points_earned',
				coalesce((v_cfg->>'downgrade_window_months')::integer, 12)));
	END IF;
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

-- Refund lines p_line_nos (empty: every line not refunded yet) of sale
-- p_txn_id at till p_till_id of store p_store_id by staff p_staff_id.
-- p_approved_by is a manager or admin whose PIN kassad has verified (0:
-- none); a refund worth more than p_limit needs one. p_rule_version is the
-- rule set kassad read p_limit from (it must be the newest), p_expires_on
-- the expiry of a restored lot. Returns kassa_refund_json().
CREATE FUNCTION kassa_refund(
	p_store_id bigint, p_till_id bigint, p_staff_id bigint,
	p_key text, p_hash bytea, p_txn_id bigint, p_line_nos integer[],
	p_approved_by bigint, p_limit bigint, p_rule_version integer,
	p_reason text, p_expires_on date)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_refund	bigint := nextval('refunds_refund_id_seq');
	v_prev		bigint;
	v_member	bigint;
	v_kind		text;
	v_t		record;
	v_lines		integer[];
	v_amount	bigint;
	v_clawback	bigint;
	v_off_before	bigint;
	v_off_now	bigint;
	v_restore	bigint;
	v_gift_back	bigint;
	v_wallet	bigint;
	v_coupons	text[] := '{}';
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'refund', p_hash, v_refund);
	IF v_prev IS NOT NULL THEN
		RETURN kassa_refund_json(v_prev);
	END IF;
	IF p_rule_version <> (SELECT max(version) FROM rule_versions) THEN
		RAISE EXCEPTION 'STALE_RULES' USING ERRCODE = 'KA412';
	END IF;

	-- lock order as in kassa_checkout: the member first, then the sale, so
	-- refunds of one sale (and a member's sales and refunds) serialize
	SELECT member_id, kind INTO v_member, v_kind FROM transactions WHERE txn_id = p_txn_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'TRANSACTION_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF v_kind <> 'sale' THEN
		RAISE EXCEPTION 'NOT_A_SALE' USING ERRCODE = 'KA412';
	END IF;
	IF v_member IS NOT NULL THEN
		PERFORM 1 FROM members WHERE member_id = v_member FOR UPDATE;
	END IF;
	SELECT txn_id, store_id, change_minor, points_redeemed, points_value_minor INTO v_t
	FROM transactions WHERE txn_id = p_txn_id FOR UPDATE;
	IF v_t.store_id <> p_store_id AND NOT EXISTS (SELECT 1 FROM staff
		WHERE staff_id = p_staff_id AND role IN ('manager', 'admin')
		  AND store_id IS NULL) THEN
		RAISE EXCEPTION 'OTHER_STORE' USING ERRCODE = 'KA403';
	END IF;

	v_lines := kassa_refund_lines(p_txn_id, p_line_nos);
	SELECT sum(net_minor), sum(points_earned), sum(points_off_minor), sum(gift_points)
	INTO v_amount, v_clawback, v_off_now, v_gift_back
	FROM transaction_lines WHERE txn_id = p_txn_id AND line_no = ANY(v_lines);
	IF v_amount > p_limit AND p_approved_by <= 0 THEN
		RAISE EXCEPTION 'APPROVAL_REQUIRED' USING ERRCODE = 'KA403';
	END IF;
	SELECT coalesce(sum(l.points_off_minor), 0) INTO v_off_before
	FROM refund_lines r JOIN transaction_lines l USING (txn_id, line_no)
	WHERE r.txn_id = p_txn_id;
	v_restore := kassa_points_share(v_t.points_redeemed, v_t.points_value_minor,
					v_off_before + v_off_now)
		   - kassa_points_share(v_t.points_redeemed, v_t.points_value_minor, v_off_before)
		   + v_gift_back;	-- a gift given back returns the points it cost

	INSERT INTO refunds (refund_id, txn_id, store_id, till_id, staff_id, member_id,
		approved_by, reason, amount_minor, points_clawed_back, points_restored)
	VALUES (v_refund, p_txn_id, p_store_id, p_till_id, p_staff_id, v_member,
		CASE WHEN v_amount > p_limit THEN p_approved_by END, p_reason, v_amount,
		CASE WHEN v_member IS NULL THEN 0 ELSE v_clawback END,
		CASE WHEN v_member IS NULL THEN 0 ELSE v_restore END);
	BEGIN
		INSERT INTO refund_lines (txn_id, line_no, refund_id, amount_minor,
			points_clawed_back, points_restored)
		SELECT p_txn_id, l.line_no, v_refund, l.net_minor, l.points_earned,
			kassa_points_share(v_t.points_redeemed, v_t.points_value_minor,
					   v_off_before + l.cum)
			- kassa_points_share(v_t.points_redeemed, v_t.points_value_minor,
					     v_off_before + l.cum - l.points_off_minor)
			+ l.gift_points
		FROM (SELECT line_no, net_minor, points_earned, points_off_minor, gift_points,
			     (sum(points_off_minor) OVER (ORDER BY line_no))::bigint AS cum
		      FROM transaction_lines WHERE txn_id = p_txn_id AND line_no = ANY(v_lines)) l;
	EXCEPTION WHEN unique_violation THEN
		-- only if the lock above were bypassed; the key still says no
		RAISE EXCEPTION 'LINE_ALREADY_REFUNDED' USING ERRCODE = 'KA412';
	END;

	v_wallet := kassa_refund_tenders(v_refund, p_txn_id, v_t.change_minor, v_amount);
	IF v_gift_back > 0 THEN
		-- gifts given back go back on the shelf (rows locked in product order)
		PERFORM 1 FROM gift_items WHERE product_id IN (SELECT product_id
			FROM transaction_lines WHERE txn_id = p_txn_id AND line_no = ANY(v_lines)
			  AND gift_points > 0)
		ORDER BY product_id FOR NO KEY UPDATE;
		UPDATE gift_items g SET stock = g.stock + b.qty, updated_at = now()
		FROM (SELECT product_id, sum(quantity) AS qty FROM transaction_lines
		      WHERE txn_id = p_txn_id AND line_no = ANY(v_lines) AND gift_points > 0
		      GROUP BY product_id) b
		WHERE g.product_id = b.product_id;
	END IF;
	IF v_member IS NOT NULL THEN
		-- coupons come back with the refund that completes the whole sale
		IF NOT EXISTS (SELECT 1 FROM transaction_lines l WHERE l.txn_id = p_txn_id
			AND NOT EXISTS (SELECT 1 FROM refund_lines r
				WHERE r.txn_id = l.txn_id AND r.line_no = l.line_no)) THEN
			v_coupons := kassa_refund_coupons(p_txn_id, v_member);
		END IF;
		UPDATE refunds SET wallet_restored_minor = v_wallet, coupons_restored = v_coupons
		WHERE refund_id = v_refund;
		PERFORM kassa_refund_member(v_refund, p_txn_id, v_member, v_amount, v_clawback,
					    v_restore, v_wallet, p_expires_on, p_rule_version);
	ELSIF v_wallet > 0 THEN
		RAISE EXCEPTION 'WALLET_WITHOUT_MEMBER txn %', p_txn_id USING ERRCODE = 'XX000';
	END IF;

	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'refund', 'txn:' || p_txn_id, jsonb_build_object(
		'refund_id', v_refund, 'lines', to_jsonb(v_lines), 'amount', v_amount,
		'approved_by', CASE WHEN v_amount > p_limit THEN p_approved_by END,
		'reason', p_reason));
	RETURN kassa_refund_json(v_refund);
END
$$;
