-- Checkout with the loyalty engine: kassad prices the sale with rules.c from
-- the member's tier, points, coupons and wallet as it read them; this
-- function re-checks, under the member's row lock, everything another till
-- could have changed since (the rule version, the tier, the points balance,
-- each coupon's state and limits, the wallet balance) and writes the sale
-- with its per-line allocation, the points ledger and lots, the coupon uses,
-- the wallet ledger and a tier upgrade in one transaction. A failed guard
-- raises and writes nothing:
--   KA412 STALE_PRICING        rule set or tier changed: kassad re-reads and re-prices
--   KA412 INSUFFICIENT_POINTS  the balance no longer covers the redemption and gifts
--   KA412 GIFT_UNAVAILABLE     a gift is out of stock, withdrawn or costs another amount
--   KA412 INSUFFICIENT_STORED_VALUE
--   KA412 COUPON_USED / COUPON_EXPIRED / COUPON_NOT_YET_VALID / COUPON_EXHAUSTED
--         / COUPON_INACTIVE / COUPON_MEMBER_LIMIT
--   KA404 COUPON_NOT_FOUND     not one of this member's coupons

-- Why a member's coupon cannot be used today, or NULL when it can. The
-- per-member limit counts the member's other used coupons of the definition.
CREATE FUNCTION kassa_coupon_problem(c coupons, d coupon_defs) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT CASE
			WHEN c.state = 'used' THEN 'COUPON_USED'
			WHEN c.state = 'void' OR NOT d.active THEN 'COUPON_INACTIVE'
			WHEN d.valid_from IS NOT NULL AND current_date < d.valid_from THEN 'COUPON_NOT_YET_VALID'
			WHEN d.valid_to IS NOT NULL AND current_date > d.valid_to THEN 'COUPON_EXPIRED'
			WHEN d.max_uses_total > 0 AND d.uses_total >= d.max_uses_total THEN 'COUPON_EXHAUSTED'
			WHEN d.max_uses_per_member > 0 AND (SELECT count(*) FROM coupons u
				WHERE u.def_id = d.def_id AND u.member_id = c.member_id AND u.state = 'used')
				>= d.max_uses_per_member THEN 'COUPON_MEMBER_LIMIT'
		END);
END
$$;

-- One coupon as kassad and the till see it.
CREATE FUNCTION kassa_coupon_json(c coupons, d coupon_defs) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object('code', c.code, 'name', d.name,
			'kind', CASE d.kind WHEN 'fixed' THEN 1 WHEN 'percent' THEN 2 ELSE 3 END,
			'value', d.value_minor, 'percent_bp', d.percent_bp, 'cap', d.cap_minor,
			'min_spend', d.min_spend_minor, 'item_product_id', coalesce(d.item_product_id, 0),
			'item_sku', coalesce((SELECT sku FROM products p WHERE p.product_id = d.item_product_id), ''),
			'valid_to', coalesce(to_char(d.valid_to, 'YYYY-MM-DD'), ''),
			'stackable', d.stackable,
			'problem', coalesce(kassa_coupon_problem(c, d), '')));
END
$$;

-- The coupons a member can use today, soonest to expire first.
CREATE FUNCTION kassa_member_coupons_json(p_member_id bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(json_agg(kassa_coupon_json(c, d) ORDER BY d.valid_to NULLS LAST, c.coupon_id), '[]')
		FROM coupons c JOIN coupon_defs d USING (def_id)
		WHERE c.member_id = p_member_id AND c.state = 'issued'
		  AND kassa_coupon_problem(c, d) IS NULL);
END
$$;

-- Expire a member's lots that are past their day: an 'expire' ledger row
-- per lot, named in points_lot_moves. The caller holds the member's row lock
-- (kassa_checkout) or takes it here (the expiry job). Returns points expired.
CREATE FUNCTION kassa_expire_member(p_member_id bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_lot	record;
	v_entry	bigint;
	v_sum	bigint := 0;
BEGIN
	PERFORM 1 FROM members WHERE member_id = p_member_id FOR UPDATE;
	FOR v_lot IN SELECT lot_id, remaining FROM points_lots
		WHERE member_id = p_member_id AND remaining > 0 AND expires_on < current_date
		ORDER BY expires_on, lot_id FOR UPDATE
	LOOP
		INSERT INTO points_ledger (member_id, kind, points)
		VALUES (p_member_id, 'expire', -v_lot.remaining) RETURNING entry_id INTO v_entry;
		INSERT INTO points_lot_moves (member_id, entry_id, lot_id, points)
		VALUES (p_member_id, v_entry, v_lot.lot_id, v_lot.remaining);
		UPDATE points_lots SET remaining = 0
		WHERE member_id = p_member_id AND lot_id = v_lot.lot_id;
		v_sum := v_sum + v_lot.remaining;
	END LOOP;
	IF v_sum > 0 THEN
		UPDATE members SET points_balance = points_balance - v_sum, updated_at = now()
		WHERE member_id = p_member_id;
	END IF;
	RETURN v_sum;
END
$$;

-- Draw p_points from a member's open lots, soonest expiry first, naming
-- them under ledger row p_entry. The caller holds the member's row lock and
-- has checked that the lots hold enough.
CREATE FUNCTION kassa_lots_draw(p_member_id bigint, p_entry bigint, p_points bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_lot	record;
	v_left	bigint := p_points;
	v_take	bigint;
BEGIN
	FOR v_lot IN SELECT lot_id, remaining FROM points_lots
		WHERE member_id = p_member_id AND remaining > 0
		ORDER BY expires_on, lot_id FOR UPDATE
	LOOP
		EXIT WHEN v_left = 0;
		v_take := least(v_left, v_lot.remaining);
		UPDATE points_lots SET remaining = remaining - v_take
		WHERE member_id = p_member_id AND lot_id = v_lot.lot_id;
		INSERT INTO points_lot_moves (member_id, entry_id, lot_id, points)
		VALUES (p_member_id, p_entry, v_lot.lot_id, v_take);
		v_left := v_left - v_take;
	END LOOP;
	IF v_left > 0 THEN
		RAISE EXCEPTION 'LOTS_SHORT member %: % points not in lots', p_member_id, v_left
			USING ERRCODE = 'XX000';
	END IF;
END
$$;

-- A member's tier basis over the rule set's rolling window (the last
-- p_months months): the totals of the sales made in it, or the points they
-- earned. Tiers are reached and kept on this, never on the balance. 0005
-- takes refunds off.
CREATE FUNCTION kassa_tier_basis(p_member_id bigint, p_by_points boolean, p_months integer)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT CASE WHEN p_by_points THEN
			(SELECT coalesce(sum(l.points), 0)
			 FROM points_ledger l JOIN transactions t ON t.txn_id = l.txn_id
			 WHERE l.member_id = p_member_id AND l.kind = 'earn'
			   AND t.created_at >= now() - make_interval(months => p_months))
		ELSE
			(SELECT coalesce(sum(total_minor), 0) FROM transactions
			 WHERE member_id = p_member_id AND kind = 'sale'
			   AND created_at >= now() - make_interval(months => p_months))
		END);
END
$$;

-- The transaction as the till sees it. A checkout's first answer and every
-- replay come from this one function over rows that never change.
DROP FUNCTION kassa_txn_json(bigint);
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
					'amount', d.amount_minor, 'ref', d.reference) ORDER BY d.tender_no)
				FROM tenders d WHERE d.txn_id = t.txn_id))
		FROM transactions t WHERE t.txn_id = p_txn_id);
END
$$;

-- The checkout answer: the stored sale plus the member's coupons now.
CREATE FUNCTION kassa_checkout_answer(p_txn_id bigint, p_member_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object('txn', kassa_txn_json(p_txn_id),
			'usable_coupons', CASE WHEN p_member_id > 0
				THEN kassa_member_coupons_json(p_member_id) ELSE '[]'::json END)::text);
END
$$;

DROP FUNCTION kassa_checkout(bigint, bigint, bigint, text, bytea, bigint, bigint[], integer[],
	bigint[], smallint[], bigint[], text[], bigint, bigint, bigint, bigint);

-- Record a sale priced by kassad (see the top of this file). Per line:
-- product, quantity, unit price (re-checked against products), and the
-- allocation kassad computed; per tender: kind, amount, reference.
CREATE FUNCTION kassa_checkout(
	p_store_id bigint, p_till_id bigint, p_staff_id bigint,
	p_key text, p_hash bytea, p_member_id bigint,
	p_product_ids bigint[], p_qtys integer[], p_prices bigint[],
	p_tier_offs bigint[], p_coupon_offs bigint[], p_points_offs bigint[],
	p_points_earned bigint[],
	p_tender_kinds smallint[], p_tender_amounts bigint[], p_tender_refs text[],
	p_total bigint, p_tendered bigint, p_change bigint, p_points bigint,
	p_rule_version integer, p_tier text, p_points_redeem bigint, p_points_value bigint,
	p_coupon_codes text[], p_expires_on date, p_tier_basis text, p_next_threshold bigint,
	p_gift_points bigint[])
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_txn		bigint := nextval('transactions_txn_id_seq');
	v_prev		record;
	v_m		record;
	v_c		record;
	v_currency	char(3);
	v_balance	bigint;
	v_spend		bigint;
	v_earned	bigint;
	v_tier_after	text;
	v_wallet	bigint;
	v_wallet_after	bigint;
	v_entry		bigint;
	v_n		integer;
	v_gross		bigint;
	v_tier_off	bigint;
	v_coupon_off	bigint;
	v_sum		bigint;
	v_problem	text;
	v_basis		bigint;
	v_gift		bigint;
	v_spent		bigint;		-- points leaving the balance: redemption + gifts
	v_ok		boolean;
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
		RETURN kassa_checkout_answer(v_prev.result_id, p_member_id);
	END IF;

	IF p_total < 0 OR p_change < 0 OR p_points < 0 OR p_points_redeem < 0
	   OR p_points_value < 0 OR p_tendered - p_change <> p_total
	   OR cardinality(p_product_ids) = 0 THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;
	IF p_rule_version <> (SELECT max(version) FROM rule_versions) THEN
		RAISE EXCEPTION 'STALE_PRICING' USING ERRCODE = 'KA412';
	END IF;
	SELECT currency INTO v_currency FROM stores WHERE store_id = p_store_id;
	SELECT coalesce(sum(a), 0) INTO v_wallet
	FROM unnest(p_tender_kinds, p_tender_amounts) AS u(k, a) WHERE k = 4;
	SELECT coalesce(sum(g), 0) INTO v_gift FROM unnest(p_gift_points) g;
	IF v_gift < 0 OR cardinality(p_gift_points) <> cardinality(p_product_ids) THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;
	v_spent := p_points_redeem + v_gift;

	IF p_member_id > 0 THEN
		SELECT tier, points_balance, cumulative_spend_minor, points_earned_total INTO v_m
		FROM members WHERE member_id = p_member_id FOR UPDATE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
		END IF;
		IF v_m.tier <> p_tier THEN
			RAISE EXCEPTION 'STALE_PRICING' USING ERRCODE = 'KA412';
		END IF;
		v_balance := v_m.points_balance;
		IF v_spent > 0 THEN
			v_balance := v_balance - kassa_expire_member(p_member_id);
			IF v_balance < v_spent THEN
				RAISE EXCEPTION 'INSUFFICIENT_POINTS' USING ERRCODE = 'KA412';
			END IF;
			INSERT INTO points_ledger (member_id, kind, points, txn_id)
			VALUES (p_member_id, 'redeem', -v_spent, v_txn)
			RETURNING entry_id INTO v_entry;
			PERFORM kassa_lots_draw(p_member_id, v_entry, v_spent);
			v_balance := v_balance - v_spent;
		END IF;
		IF v_gift > 0 THEN
			-- each gift product: in stock, still a gift, at the points priced
			-- with; rows locked in product order first, so sales cannot deadlock
			PERFORM 1 FROM gift_items WHERE product_id IN (SELECT u.pid
				FROM unnest(p_product_ids, p_gift_points) AS u(pid, g) WHERE u.g > 0)
			ORDER BY product_id FOR NO KEY UPDATE;
			WITH want AS (
				SELECT u.pid, sum(u.qty) AS qty, sum(u.g) AS pts
				FROM unnest(p_product_ids, p_qtys, p_gift_points) AS u(pid, qty, g)
				WHERE u.g > 0 GROUP BY u.pid),
			took AS (
				UPDATE gift_items gi SET stock = gi.stock - w.qty, updated_at = now()
				FROM want w
				WHERE gi.product_id = w.pid AND gi.active AND gi.stock >= w.qty
				  AND gi.points_cost * w.qty = w.pts
				RETURNING 1)
			SELECT (SELECT count(*) FROM took) = (SELECT count(*) FROM want) INTO v_ok;
			IF NOT v_ok THEN
				RAISE EXCEPTION 'GIFT_UNAVAILABLE' USING ERRCODE = 'KA412';
			END IF;
		END IF;
		IF p_points > 0 THEN
			INSERT INTO points_ledger (member_id, kind, points, txn_id)
			VALUES (p_member_id, 'earn', p_points, v_txn);
			-- earnings first repay a clawback debt; the rest is a usable lot
			INSERT INTO points_lots (member_id, txn_id, source, points, remaining, expires_on)
			VALUES (p_member_id, v_txn, 'earn', p_points,
				CASE WHEN v_balance >= 0 THEN p_points
				     ELSE greatest(0, v_balance + p_points) END, p_expires_on);
			v_balance := v_balance + p_points;
		END IF;
		v_spend := v_m.cumulative_spend_minor + p_total;
		v_earned := v_m.points_earned_total + p_points;
		v_tier_after := v_m.tier;
		v_basis := CASE p_tier_basis WHEN 'points_earned' THEN v_earned ELSE v_spend END;
		IF p_next_threshold > 0 AND v_basis >= p_next_threshold THEN
			-- all-time, the next tier is reached: does the rolling window
			-- reach it too? This sale's row is not written yet, so it is
			-- added by hand. The highest tier the window reaches, if above
			-- the current one, is an upgrade that takes effect now, its
			-- discount from the next sale; it ends a manual tier.
			SELECT kassa_tier_basis(p_member_id, p_tier_basis = 'points_earned',
				coalesce((config->>'downgrade_window_months')::integer, 12))
			       + CASE p_tier_basis WHEN 'points_earned' THEN p_points ELSE p_total END
			INTO v_basis FROM rule_versions WHERE version = p_rule_version;
			SELECT t.e->>'name' INTO v_tier_after
			FROM rule_versions r,
			     jsonb_array_elements(r.config->'tiers') WITH ORDINALITY AS t(e, ord)
			WHERE r.version = p_rule_version AND (t.e->>'threshold')::bigint <= v_basis
			  AND t.ord > (SELECT o.ord FROM jsonb_array_elements(r.config->'tiers')
					WITH ORDINALITY AS o(e, ord) WHERE o.e->>'name' = v_m.tier)
			ORDER BY t.ord DESC LIMIT 1;
			v_tier_after := coalesce(v_tier_after, v_m.tier);
		END IF;
		UPDATE members
		SET points_balance = v_balance, cumulative_spend_minor = v_spend,
		    points_earned_total = v_earned, tier = v_tier_after,
		    tier_since = CASE WHEN v_tier_after <> tier THEN now() ELSE tier_since END,
		    tier_manual = tier_manual AND v_tier_after = tier,
		    updated_at = now()
		WHERE member_id = p_member_id;

		IF cardinality(p_coupon_codes) > 0 THEN
			SELECT count(*) INTO v_n FROM coupons
			WHERE member_id = p_member_id AND code = ANY(p_coupon_codes);
			IF v_n <> cardinality(p_coupon_codes) THEN
				RAISE EXCEPTION 'COUPON_NOT_FOUND' USING ERRCODE = 'KA404';
			END IF;
			-- counted definitions are shared by all members: lock them in
			-- def_id order (as refunds do), so two sales cannot deadlock
			PERFORM 1 FROM coupon_defs WHERE max_uses_total > 0 AND def_id IN (
				SELECT def_id FROM coupons
				WHERE member_id = p_member_id AND code = ANY(p_coupon_codes))
			ORDER BY def_id FOR NO KEY UPDATE;
			FOR v_c IN SELECT c, d FROM coupons c JOIN coupon_defs d USING (def_id)
				WHERE c.member_id = p_member_id AND c.code = ANY(p_coupon_codes)
				ORDER BY c.coupon_id FOR UPDATE OF c
			LOOP
				v_problem := kassa_coupon_problem(v_c.c, v_c.d);
				IF v_problem IS NOT NULL THEN
					RAISE EXCEPTION '%', v_problem USING ERRCODE = 'KA412';
				END IF;
				UPDATE coupons SET state = 'used', used_txn = v_txn, used_at = now()
				WHERE member_id = p_member_id AND coupon_id = (v_c.c).coupon_id;
				IF (v_c.d).max_uses_total > 0 THEN
					UPDATE coupon_defs SET uses_total = uses_total + 1
					WHERE def_id = (v_c.d).def_id AND uses_total < max_uses_total;
					IF NOT FOUND THEN
						RAISE EXCEPTION 'COUPON_EXHAUSTED' USING ERRCODE = 'KA412';
					END IF;
				END IF;
			END LOOP;
		END IF;

		IF v_wallet > 0 THEN
			UPDATE wallets SET balance_minor = balance_minor - v_wallet, updated_at = now()
			WHERE member_id = p_member_id AND balance_minor >= v_wallet
			  AND currency = v_currency
			RETURNING balance_minor INTO v_wallet_after;
			IF NOT FOUND THEN
				IF EXISTS (SELECT 1 FROM wallets WHERE member_id = p_member_id
					   AND currency <> v_currency) THEN
					RAISE EXCEPTION 'CURRENCY_MISMATCH' USING ERRCODE = 'KA412';
				END IF;
				RAISE EXCEPTION 'INSUFFICIENT_STORED_VALUE' USING ERRCODE = 'KA412';
			END IF;
			INSERT INTO wallet_ledger (member_id, kind, amount_minor, txn_id)
			VALUES (p_member_id, 'spend', -v_wallet, v_txn);
		ELSE
			SELECT balance_minor INTO v_wallet_after FROM wallets WHERE member_id = p_member_id;
		END IF;
	ELSIF p_points <> 0 OR v_spent <> 0 OR cardinality(p_coupon_codes) > 0
	      OR v_wallet > 0 THEN
		RAISE EXCEPTION 'MEMBER_REQUIRED' USING ERRCODE = 'KA400';
	END IF;

	WITH ins AS (
		INSERT INTO transaction_lines (txn_id, line_no, product_id, sku, name, quantity,
			unit_price_minor, line_total_minor, tier_off_minor, coupon_off_minor,
			points_off_minor, net_minor, points_earned, gift_points)
		SELECT v_txn, u.ord, p.product_id, p.sku, p.name, u.qty, u.price, u.price * u.qty,
			u.t_off, u.c_off, u.p_off, u.price * u.qty - u.t_off - u.c_off - u.p_off, u.pts,
			u.gift
		FROM unnest(p_product_ids, p_qtys, p_prices, p_tier_offs, p_coupon_offs,
			    p_points_offs, p_points_earned, p_gift_points)
			WITH ORDINALITY AS u(pid, qty, price, t_off, c_off, p_off, pts, gift, ord)
		JOIN products p ON p.product_id = u.pid AND p.active
			AND (p.price_minor = u.price OR (u.gift > 0 AND u.price = 0))
		RETURNING line_total_minor, tier_off_minor, coupon_off_minor, net_minor)
	SELECT count(*), coalesce(sum(line_total_minor), 0), coalesce(sum(tier_off_minor), 0),
	       coalesce(sum(coupon_off_minor), 0),
	       coalesce(sum(net_minor), 0)
	INTO v_n, v_gross, v_tier_off, v_coupon_off, v_sum FROM ins;
	IF v_n <> cardinality(p_product_ids) THEN
		RAISE EXCEPTION 'PRICE_CHANGED' USING ERRCODE = 'KA412';
	END IF;
	IF v_sum <> p_total OR (SELECT coalesce(sum(x), 0) FROM unnest(p_points_earned) x) <> p_points
	   OR (SELECT coalesce(sum(x), 0) FROM unnest(p_points_offs) x) <> p_points_value THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;

	INSERT INTO transactions (txn_id, store_id, till_id, staff_id, member_id, currency,
		total_minor, tendered_minor, change_minor, points_earned,
		points_balance_after, cumulative_spend_after, rule_version, tier, tier_after,
		gross_minor, tier_off_minor, coupon_off_minor, coupon_codes, points_redeemed,
		points_value_minor, gift_points, wallet_paid_minor, wallet_balance_after)
	VALUES (v_txn, p_store_id, p_till_id, p_staff_id, nullif(p_member_id, 0), v_currency,
		p_total, p_tendered, p_change, p_points, v_balance, v_spend, p_rule_version,
		nullif(p_tier, ''), v_tier_after, v_gross, v_tier_off, v_coupon_off,
		p_coupon_codes, p_points_redeem, p_points_value, v_gift, v_wallet, v_wallet_after);

	INSERT INTO tenders (txn_id, tender_no, kind, amount_minor, reference)
	SELECT v_txn, u.ord, u.kind, u.amount, u.ref
	FROM unnest(p_tender_kinds, p_tender_amounts, p_tender_refs) WITH ORDINALITY
		AS u(kind, amount, ref, ord);
	SELECT coalesce(sum(a), 0) INTO v_sum FROM unnest(p_tender_amounts) a;
	IF v_sum <> p_tendered THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;

	RETURN kassa_checkout_answer(v_txn, p_member_id);
END
$$;

-- What kassad reads before pricing a member's sale (one quick statement):
-- the rule version in force, the member's tier and balances, the coupons
-- the till presented (with why each cannot be used, if so) and the gift
-- catalogue entries of the products asked for as gifts. A retry of a sale
-- already recorded gets the first answer instead ({"txn": ...}), and a key
-- used for another request {"reused": true}: the balances it spent must not
-- be checked again.
CREATE FUNCTION kassa_member_pricing(p_member_id bigint, p_codes text[], p_gift_codes text[],
	p_till_id bigint, p_key text, p_hash bytea)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT CASE
		WHEN i.till_id IS NOT NULL AND (i.kind <> 'checkout' OR i.request_hash <> p_hash)
			THEN '{"reused": true}'
		WHEN i.till_id IS NOT NULL
			THEN kassa_checkout_answer(i.result_id, p_member_id)
		ELSE json_build_object(
			'rule_version', (SELECT max(version) FROM rule_versions),
			'found', m.member_id IS NOT NULL,
			'tier', m.tier, 'points_balance', m.points_balance,
			'birthday', coalesce(to_char(m.birthday, 'MM-DD'), ''),
			'wallet', coalesce((SELECT balance_minor FROM wallets w
					    WHERE w.member_id = p_member_id), 0),
			'coupons', coalesce((SELECT json_agg(kassa_coupon_json(c, d))
				FROM coupons c JOIN coupon_defs d USING (def_id)
				WHERE c.member_id = p_member_id AND c.code = ANY(p_codes)), '[]'),
			'gifts', coalesce((SELECT json_agg(json_build_object('product_id', g.product_id,
					'points_cost', g.points_cost, 'stock', g.stock))
				FROM gift_items g JOIN products p USING (product_id)
				WHERE g.active AND p.active
				  AND (p.sku = ANY(p_gift_codes) OR p.barcode = ANY(p_gift_codes))), '[]'))::text
		END
		FROM (SELECT 1) one
		LEFT JOIN members m ON m.member_id = p_member_id
		LEFT JOIN idempotency i ON i.till_id = p_till_id AND i.key = p_key);
END
$$;

-- What a till shows next to a member it looked up: the tier's discount and
-- the redemption steps of the rule set in force, the stored value and the
-- coupons usable today.
CREATE FUNCTION kassa_member_loyalty_json(p_member_id bigint, p_tier text, p_balance bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object(
			'tier_discount_bp', coalesce((SELECT (t->>'discount_bp')::integer
				FROM jsonb_array_elements(r.config->'tiers') t
				WHERE t->>'name' = p_tier LIMIT 1), 0),
			'points_redeemable', CASE WHEN p_balance <= 0 THEN 0 ELSE
				p_balance / (r.config->'redeem'->>'points_step')::bigint
				* (r.config->'redeem'->>'points_step')::bigint END,
			'wallet', coalesce((SELECT balance_minor FROM wallets w
					    WHERE w.member_id = p_member_id), 0),
			'coupons', kassa_member_coupons_json(p_member_id))::text
		FROM rule_versions r ORDER BY r.version DESC LIMIT 1);
END
$$;
