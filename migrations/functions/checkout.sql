-- Checkout with the loyalty engine: kassad prices the sale with rules.c from
-- the member's tier, points, coupons and wallet as it read them (one plain
-- prepared statement in server/loyalty/checkout.c); kassa_checkout re-checks, under the member's row
-- lock, everything another till could have changed since (the rule version,
-- the tier, the points balance, each coupon's state and limits, the wallet
-- balance, every unit price against products) and writes the sale with its
-- per-line allocation, the points ledger and lots, the coupon uses, the
-- wallet ledger, a tier upgrade and the idempotency record in one
-- transaction. A failed guard raises and writes nothing:
--   KA412 STALE_PRICING        rule set, tier or (near a threshold) tier basis changed:
--                              kassad re-reads and re-prices
--   KA412 PRICE_CHANGED        a unit price or product changed: kassad refreshes and retries
--   KA412 STORE_DAY_CHANGED    the business day kassad priced with is not the store's day of
--                              the sale (stores.timezone changed, or midnight passed):
--                              kassad reads the store's day again and re-prices
--   KA412 INSUFFICIENT_POINTS  the balance no longer covers the redemption and gifts
--   KA412 GIFT_UNAVAILABLE     a gift is out of stock, withdrawn or costs another amount
--   KA412 INSUFFICIENT_STORED_VALUE / CURRENCY_MISMATCH
--   KA412 COUPON_USED / COUPON_EXPIRED / COUPON_NOT_YET_VALID / COUPON_EXHAUSTED
--         / COUPON_INACTIVE / COUPON_MEMBER_LIMIT
--   KA404 COUPON_NOT_FOUND     not one of this member's coupons (nor a claim code)
--   KA412 COUPON_ALREADY_CLAIMED / COUPON_EXHAUSTED ... a claim code that cannot be claimed
--   KA412 RATE_UNKNOWN         a foreign tender's rate is not that version's rate
--   KA412 RATE_STALE           an online sale converted with a version not current
--   KA400 STAFF_UNKNOWN        sold_by is not active staff of this store
--   KA400 BAD_SOLD_AT          the sale's time is ahead of the database's clock
--   23505 transactions_receipt_no  the receipt number is another sale's (RECEIPT_TAKEN)
--   KA404 MEMBER_NOT_FOUND     KA400 BAD_TOTALS / MEMBER_REQUIRED
--   KA409 IDEMPOTENCY_KEY_REUSED
-- It returns one row of what kassad cannot know (the sale's id and time, the
-- balances and tier after it, the member's coupons usable now), and kassad
-- builds the answer from the sale it priced: no JSON on the hot path. A
-- repeated key with the same request hash returns only r_replay_of, the
-- first sale (kassa_idem_claim), whose answer kassad reads from its rows
-- (kassa_checkout_answer, the same values); a concurrent duplicate waits on
-- the key's index entry and then replays, so 16 copies at once still make
-- one sale.
--
-- The till's checkout (issue 8) adds: a claim code among the coupon codes
-- (the claim_code of a definition issued on 'code') is claimed for the
-- member and used by this sale in the same transaction, under the member's
-- row lock, so the definition's per-member and total limits hold however
-- many tills try at once; foreign-currency tenders (currency, the foreign
-- amount, the rate and its version, converted by kassad); an offline
-- sale's original time (p_till), its receipt number, the offline flag
-- and the staff member who sold it. A sale with a time of its own more
-- than five minutes old marks its (store, business day) in agg_dirty for
-- the analytics job (kassa_agg_mark_late, analytics.sql): an online sale
-- pays nothing for it.

-- What kassad reads before pricing a member's sale, as plain rows (a SQL
-- function, so the planner inlines it into kassad's prepared statement).
-- Kind 'm': the member (found?, tier, birthday MM-DD, points, wallet), the
-- rule version in force and what the idempotency key names already (0
-- nothing, 1 this sale: the result id follows, 2 another request); 'c': a
-- coupon the member presented or can use today, with why it cannot be used
-- if so; 'g': a gift-catalogue entry of a product asked for as a gift.
-- The 'm' row also carries both all-time tier bases, cumulative spend (n6)
-- and points earned (n7): kassad decides from them whether the sale may
-- reach the next tier (server/loyalty/rules_tier.c).
-- The member is p_member_id, or when that is 0 the member with phone
-- p_phone (E.164, normalised by kassad); the 'm' row's t3 is its id.
-- Kind 'd': a presented code that is no coupon of the member but a claim
-- code (t1 as presented), with why it cannot be claimed now if so.
-- Columns: kind, five texts, six numbers, one flag, one more number.
CREATE FUNCTION kassa_member_pricing(p_member_id bigint, p_phone text, p_codes text[],
	p_gift_codes text[], p_till_id bigint, p_key text, p_hash bytea)
RETURNS TABLE (kind text, t1 text, t2 text, t3 text, t4 text, t5 text,
	n1 bigint, n2 bigint, n3 bigint, n4 bigint, n5 bigint, n6 bigint, flag boolean,
	n7 bigint)
LANGUAGE sql STABLE AS $$
	WITH who AS (
		SELECT CASE WHEN p_member_id > 0 THEN p_member_id
			    ELSE (SELECT member_id FROM members WHERE phone = p_phone) END AS id)
	SELECT 'm', m.tier, coalesce(to_char(m.birthday, 'MM-DD'), ''),
		coalesce(m.member_id::text, ''), '', '',
		coalesce(m.points_balance, 0), coalesce(w.balance_minor, 0),
		(SELECT max(version) FROM rule_versions)::bigint,
		CASE WHEN i.till_id IS NULL THEN 0
		     WHEN i.kind = 'checkout' AND i.request_hash = p_hash THEN 1 ELSE 2 END::bigint,
		coalesce(i.result_id, 0), coalesce(m.cumulative_spend_minor, 0),
		m.member_id IS NOT NULL, coalesce(m.points_earned_total, 0)
	FROM who
	LEFT JOIN members m ON m.member_id = who.id
	LEFT JOIN wallets w ON w.member_id = who.id
	LEFT JOIN idempotency i ON i.till_id = p_till_id AND i.key = p_key
	UNION ALL
	SELECT 'c', c.code, d.name, coalesce(p.sku, ''),
		coalesce(to_char(d.valid_to, 'YYYY-MM-DD'), ''),
		coalesce(kassa_coupon_problem(c, d), ''),
		CASE d.kind WHEN 'fixed' THEN 1 WHEN 'percent' THEN 2 ELSE 3 END::bigint,
		d.value_minor, d.percent_bp::bigint, d.cap_minor, d.min_spend_minor,
		coalesce(d.item_product_id, 0), d.stackable, 0::bigint
	FROM coupons c JOIN coupon_defs d USING (def_id)
	LEFT JOIN products p ON p.product_id = d.item_product_id
	WHERE c.member_id = (SELECT id FROM who) AND (c.code = ANY(p_codes) OR c.state = 'issued')
	UNION ALL
	SELECT 'd', x.code, d.name, coalesce(p.sku, ''),
		coalesce(to_char(d.valid_to, 'YYYY-MM-DD'), ''),
		coalesce(kassa_claim_problem(d, (SELECT id FROM who)), ''),
		CASE d.kind WHEN 'fixed' THEN 1 WHEN 'percent' THEN 2 ELSE 3 END::bigint,
		d.value_minor, d.percent_bp::bigint, d.cap_minor, d.min_spend_minor,
		coalesce(d.item_product_id, 0), d.stackable, 0::bigint
	FROM unnest(p_codes) AS x(code)
	JOIN coupon_defs d ON d.issue_on = 'code' AND d.claim_code = upper(x.code)
	LEFT JOIN products p ON p.product_id = d.item_product_id
	WHERE NOT EXISTS (SELECT 1 FROM coupons c
			  WHERE c.member_id = (SELECT id FROM who) AND c.code = x.code)
	UNION ALL
	-- no gift asked for: the scan is skipped (a one-time filter), not run
	SELECT 'g', '', '', '', '', '', g.product_id, g.points_cost, 0, 0, 0, 0, false, 0::bigint
	FROM gift_items g JOIN products p USING (product_id)
	WHERE cardinality(p_gift_codes) > 0 AND g.active AND p.active
	  AND (p.sku = ANY(p_gift_codes) OR p.barcode = ANY(p_gift_codes))
$$;

-- The checkout answer: the stored sale plus the member's coupons now. The
-- member is the sale's (p_member_id is what the request named, 0 for one
-- identified by phone, and is not needed).
CREATE FUNCTION kassa_checkout_answer(p_txn_id bigint, p_member_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_member	bigint := coalesce((SELECT member_id FROM transactions
					    WHERE txn_id = p_txn_id), nullif(p_member_id, 0));
BEGIN
	RETURN (
		SELECT json_build_object('txn', kassa_txn_json(p_txn_id),
			'usable_coupons', CASE WHEN v_member > 0
				THEN kassa_member_coupons_json(v_member) ELSE '[]'::json END)::text);
END
$$;

-- Record a sale priced by kassad (see the top of this file). Per line:
-- product, quantity, unit price (re-checked against products), and the
-- allocation kassad computed; per tender (two flat arrays: five
-- numbers and two texts each, as kassad's statements take at most 32
-- parameters): kind, amount (store currency), reference and, for a foreign
-- one, its currency ('' = the store's), the foreign amount, the rate and
-- the rate's version. p_claim_codes: those of p_coupon_codes that are
-- claim codes, claimed here. p_till: the till's fields {sold_at as epoch
-- seconds or '' for now, receipt_no, offline 't'/'f', sold_by or 0, the
-- business day kassad priced with (YYYY-MM-DD, which must be the store's
-- date of the sale in stores.timezone; absent: that date)}.
CREATE FUNCTION kassa_checkout(
	p_store_id bigint, p_till_id bigint, p_staff_id bigint,
	p_key text, p_hash bytea, p_member_id bigint,
	p_product_ids bigint[], p_qtys integer[], p_prices bigint[],
	p_tier_offs bigint[], p_coupon_offs bigint[], p_points_offs bigint[],
	p_points_earned bigint[],
	p_tender_nums bigint[], p_tender_texts text[],
	p_total bigint, p_tendered bigint, p_change bigint, p_points bigint,
	p_rule_version integer, p_tier text, p_points_redeem bigint, p_points_value bigint,
	p_coupon_codes text[], p_expires_on date, p_tier_basis text, p_next_threshold bigint,
	p_gift_points bigint[], p_tier_after text, p_basis_seen bigint,
	p_claim_codes text[], p_till text[])
RETURNS TABLE (r_txn_id bigint, r_created_at text, r_points_balance bigint,
	r_cumulative_spend bigint, r_tier_after text, r_wallet_balance bigint,
	r_usable_codes text[], r_replay_of bigint)
-- Generic plans: left to choose, PL/pgSQL kept planning the lines' INSERT (its
-- price-list LATERAL) afresh for every sale, a fifth of a sale's database time
-- (bench-pgbench at 8 clients: 1,104 and 949 sales/s planned per call,
-- 1,350 and 1,308 generic; docs/store/stock.md, "Checkout cost"). Every
-- statement here is a key lookup or a write of the sale's own rows.
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
	v_txn		bigint := nextval('transactions_txn_id_seq');
	v_prev		bigint;
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
	v_created	timestamptz := coalesce(to_timestamp(nullif(p_till[1], '')::bigint), now());
	v_receipt_no	text := coalesce(p_till[2], '');
	v_offline	boolean := coalesce(p_till[3], 'f')::boolean;
	v_sold_by	bigint := coalesce(nullif(p_till[4], ''), '0')::bigint;
	-- the business day kassad priced with (checkout_till_tail()); else the store's
	v_day		date := nullif(p_till[5], '')::date;
	v_store_day	date;		-- the sale's date in the store's zone
	v_staff		bigint := p_staff_id;
	v_d		coupon_defs;
	v_coupon	bigint;
	v_claim		text;
	v_claimed	jsonb := '[]';	-- coupon.issue audit rows, written last
	-- the tenders, decoded once from the two flat arrays
	v_nt		integer := coalesce(cardinality(p_tender_texts), 0) / 2;
	v_kinds		smallint[];
	v_amounts	bigint[];
	v_refs		text[];
	v_curs		text[];
	v_foreign	bigint[];
	v_rates		bigint[];
	v_rvers		integer[];
	v_paid		bigint := 0;
	v_any_foreign	boolean := false;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'checkout', p_hash, v_txn);
	IF v_prev IS NOT NULL THEN
		-- a retry: kassad answers from the first sale's rows
		RETURN QUERY SELECT NULL::bigint, NULL::text, NULL::bigint, NULL::bigint, NULL::text,
			NULL::bigint, NULL::text[], v_prev;
		RETURN;
	END IF;

	IF p_total < 0 OR p_change < 0 OR p_points < 0 OR p_points_redeem < 0
	   OR p_points_value < 0 OR p_tendered - p_change <> p_total
	   OR cardinality(p_product_ids) = 0 THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;
	IF p_rule_version <> (SELECT max(version) FROM rule_versions) THEN
		RAISE EXCEPTION 'STALE_PRICING' USING ERRCODE = 'KA412';
	END IF;
	SELECT currency, (v_created AT TIME ZONE timezone)::date INTO v_currency, v_store_day
	FROM stores WHERE store_id = p_store_id;
	-- the business day is the store's: kassad read it from stores.timezone, maybe
	-- before a StorePut moved the zone (here or on another kassad) or before midnight
	IF v_day <> v_store_day THEN
		RAISE EXCEPTION 'STORE_DAY_CHANGED' USING ERRCODE = 'KA412';
	END IF;
	v_day := coalesce(v_day, v_store_day, v_created::date);
	-- the tenders: five numbers (kind, amount, foreign amount, rate, rate
	-- version) and two texts (reference, currency) each; the arrays agree
	-- with the totals kassad sent (one pass over each)
	IF coalesce(cardinality(p_tender_nums), 0) <> 5 * v_nt
	   OR coalesce(cardinality(p_tender_texts), 0) <> 2 * v_nt THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;
	v_wallet := 0;
	FOR i IN 1 .. v_nt LOOP
		v_kinds[i] := p_tender_nums[5 * i - 4];
		v_amounts[i] := p_tender_nums[5 * i - 3];
		v_foreign[i] := p_tender_nums[5 * i - 2];
		v_rates[i] := p_tender_nums[5 * i - 1];
		v_rvers[i] := p_tender_nums[5 * i];
		v_refs[i] := p_tender_texts[2 * i - 1];
		v_curs[i] := p_tender_texts[2 * i];
		v_paid := v_paid + v_amounts[i];
		IF v_kinds[i] = 4 THEN
			v_wallet := v_wallet + v_amounts[i];
		END IF;
		v_any_foreign := v_any_foreign OR v_curs[i] <> '';
	END LOOP;
	v_ok := v_paid <> p_tendered;
	SELECT coalesce(sum(g), 0), v_ok OR coalesce(sum(e), 0) <> p_points
	       OR coalesce(sum(o), 0) <> p_points_value OR count(*) <> cardinality(p_product_ids)
	INTO v_gift, v_ok FROM unnest(p_gift_points, p_points_earned, p_points_offs) AS u(g, e, o);
	IF v_ok OR v_gift < 0 OR cardinality(p_gift_points) <> cardinality(p_product_ids) THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;
	v_spent := p_points_redeem + v_gift;
	IF v_any_foreign OR v_sold_by > 0 OR p_till[1] <> '' THEN
		PERFORM kassa_checkout_till(p_store_id, v_curs, v_rates, v_rvers, v_created,
			v_offline, v_sold_by);
	END IF;
	IF v_sold_by > 0 THEN
		v_staff := v_sold_by;
	END IF;

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
		-- the tier after this sale is kassad's (rules_tier_after_sale): the
		-- highest tier the rolling window reaches with this sale, when the
		-- all-time basis it priced with (p_basis_seen) lets the sale reach
		-- p_next_threshold. It stands only on that basis: if another sale or
		-- refund moved it near a threshold, kassad reads and decides again.
		-- An upgrade takes effect now, its discount from the next sale; it
		-- ends a manual tier.
		v_basis := CASE p_tier_basis WHEN 'points_earned' THEN v_m.points_earned_total
			   ELSE v_m.cumulative_spend_minor END;
		IF p_next_threshold > 0 AND v_basis <> p_basis_seen
		   AND greatest(v_basis, p_basis_seen)
		       + (CASE p_tier_basis WHEN 'points_earned' THEN p_points ELSE p_total END)
		       >= p_next_threshold THEN
			RAISE EXCEPTION 'STALE_PRICING' USING ERRCODE = 'KA412';
		END IF;
		v_tier_after := coalesce(nullif(p_tier_after, ''), v_m.tier);
		UPDATE members
		SET points_balance = v_balance, cumulative_spend_minor = v_spend,
		    points_earned_total = v_earned, tier = v_tier_after,
		    tier_since = CASE WHEN v_tier_after <> tier THEN now() ELSE tier_since END,
		    tier_manual = tier_manual AND v_tier_after = tier,
		    updated_at = now()
		WHERE member_id = p_member_id;

		IF cardinality(p_coupon_codes) > 0 THEN
			SELECT count(*) INTO v_n FROM coupons
			WHERE member_id = p_member_id AND code = ANY(p_coupon_codes)
			  AND NOT code = ANY(p_claim_codes);
			IF v_n <> cardinality(p_coupon_codes) - cardinality(p_claim_codes) THEN
				RAISE EXCEPTION 'COUPON_NOT_FOUND' USING ERRCODE = 'KA404';
			END IF;
			-- counted definitions are shared by all members: lock them in
			-- def_id order (as refunds do), so two sales cannot deadlock
			PERFORM 1 FROM coupon_defs WHERE max_uses_total > 0 AND (def_id IN (
				SELECT def_id FROM coupons
				WHERE member_id = p_member_id AND code = ANY(p_coupon_codes))
				OR (issue_on = 'code' AND claim_code IN (
					SELECT upper(x) FROM unnest(p_claim_codes) AS x)))
			ORDER BY def_id FOR NO KEY UPDATE;
			-- a claim code: a new coupon of its definition, used at once
			FOREACH v_claim IN ARRAY p_claim_codes LOOP
				SELECT * INTO v_d FROM coupon_defs
				WHERE issue_on = 'code' AND claim_code = upper(v_claim);
				IF NOT FOUND THEN
					RAISE EXCEPTION 'COUPON_NOT_FOUND' USING ERRCODE = 'KA404';
				END IF;
				v_problem := kassa_claim_problem(v_d, p_member_id);
				IF v_problem IS NOT NULL THEN
					RAISE EXCEPTION '%', v_problem USING ERRCODE = 'KA412';
				END IF;
				v_coupon := kassa_coupon_new(p_member_id, v_d.def_id, NULL);
				UPDATE coupons SET state = 'used', used_txn = v_txn, used_at = now()
				WHERE member_id = p_member_id AND coupon_id = v_coupon;
				IF v_d.max_uses_total > 0 THEN
					UPDATE coupon_defs SET uses_total = uses_total + 1
					WHERE def_id = v_d.def_id AND uses_total < max_uses_total;
					IF NOT FOUND THEN
						RAISE EXCEPTION 'COUPON_EXHAUSTED' USING ERRCODE = 'KA412';
					END IF;
				END IF;
				v_claimed := v_claimed || jsonb_build_object('def_id', v_d.def_id,
					'coupon_id', v_coupon, 'by', 'checkout',
					'claim_code', v_d.claim_code, 'txn_id', v_txn);
			END LOOP;
			FOR v_c IN SELECT c, d FROM coupons c JOIN coupon_defs d USING (def_id)
				WHERE c.member_id = p_member_id AND c.code = ANY(p_coupon_codes)
				  AND NOT c.code = ANY(p_claim_codes)
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
		-- the store's price list in force on the sale's day, else the base
		-- price: catalog_price_choose() (server/catalog/catalog_price.c)
		LEFT JOIN LATERAL (SELECT i.price_minor FROM price_list_items i
			JOIN price_lists l ON l.list_id = i.list_id
			WHERE i.product_id = u.pid AND i.store_id = p_store_id
			  AND l.valid_from <= v_day
			  AND (l.valid_to IS NULL OR l.valid_to >= v_day)
			ORDER BY l.priority DESC, l.list_id DESC LIMIT 1) pl ON true
		WHERE coalesce(pl.price_minor, p.price_minor) = u.price OR (u.gift > 0 AND u.price = 0)
		RETURNING line_total_minor, tier_off_minor, coupon_off_minor, net_minor)
	SELECT count(*), coalesce(sum(line_total_minor), 0), coalesce(sum(tier_off_minor), 0),
	       coalesce(sum(coupon_off_minor), 0),
	       coalesce(sum(net_minor), 0)
	INTO v_n, v_gross, v_tier_off, v_coupon_off, v_sum FROM ins;
	IF v_n <> cardinality(p_product_ids) THEN
		RAISE EXCEPTION 'PRICE_CHANGED' USING ERRCODE = 'KA412';
	END IF;
	IF v_sum <> p_total THEN
		RAISE EXCEPTION 'BAD_TOTALS' USING ERRCODE = 'KA400';
	END IF;

	INSERT INTO transactions (txn_id, store_id, till_id, staff_id, member_id, currency,
		total_minor, tendered_minor, change_minor, points_earned,
		points_balance_after, cumulative_spend_after, rule_version, tier, tier_after,
		gross_minor, tier_off_minor, coupon_off_minor, coupon_codes, points_redeemed,
		points_value_minor, gift_points, wallet_paid_minor, wallet_balance_after,
		created_at, receipt_no, offline)
	VALUES (v_txn, p_store_id, p_till_id, v_staff, nullif(p_member_id, 0), v_currency,
		p_total, p_tendered, p_change, p_points, v_balance, v_spend, p_rule_version,
		nullif(p_tier, ''), v_tier_after, v_gross, v_tier_off, v_coupon_off,
		p_coupon_codes, p_points_redeem, p_points_value, v_gift, v_wallet, v_wallet_after,
		v_created, v_receipt_no, v_offline);
	-- a late sale marks its bucket for the analytics job (analytics.sql)
	IF p_till[1] <> '' AND v_created < now() - interval '5 minutes' THEN
		PERFORM kassa_agg_mark_late(p_store_id, v_created);
	END IF;

	INSERT INTO tenders (txn_id, tender_no, kind, amount_minor, reference, currency,
		foreign_minor, rate_micro, rate_version)
	SELECT v_txn, u.ord, u.kind, u.amount, u.ref, u.currency, u.foreign_minor, u.rate_micro,
		u.rate_version
	FROM unnest(v_kinds, v_amounts, v_refs, v_curs, v_foreign, v_rates, v_rvers)
		WITH ORDINALITY AS u(kind, amount, ref, currency, foreign_minor, rate_micro,
			rate_version, ord);

	-- the goods leave the store's stock (functions/stock.sql; gifts are the gift
	-- catalogue's, above); service items become the member's count cards
	PERFORM kassa_stock_moves(p_store_id, 'sale', v_txn, v_staff,
		p_product_ids, ARRAY(SELECT CASE WHEN u.g > 0 THEN 0 ELSE -u.q END::bigint
			FROM unnest(p_qtys, p_gift_points) WITH ORDINALITY AS u(q, g, ord)
			ORDER BY u.ord));
	PERFORM kassa_card_sale(p_store_id, v_txn, p_member_id, v_created, p_product_ids, p_qtys);

	-- last: an audit row takes the audit chain's lock (functions/audit.sql) until
	-- commit, so a sale takes it after every row lock it needs, never between
	IF jsonb_array_length(v_claimed) > 0 THEN
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		SELECT v_staff, p_till_id, 'coupon.issue', 'member:' || p_member_id, e
		FROM jsonb_array_elements(v_claimed) e;
	END IF;

	-- what kassad cannot know: the ids, the balances after, the coupons usable now
	RETURN QUERY SELECT v_txn,
		to_char(v_created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		coalesce(v_balance, 0), coalesce(v_spend, 0), coalesce(v_tier_after, ''),
		coalesce(v_wallet_after, 0),
		CASE WHEN p_member_id > 0 THEN ARRAY(
			SELECT c.code FROM coupons c JOIN coupon_defs d USING (def_id)
			WHERE c.member_id = p_member_id AND c.state = 'issued'
			  AND kassa_coupon_problem(c, d) IS NULL
			ORDER BY d.valid_to NULLS LAST, c.coupon_id) ELSE '{}'::text[] END,
		NULL::bigint;
END
$$;

-- The till's part of a sale's guards (kassa_checkout): each foreign tender
-- converted with its version's rate for its currency (else RATE_UNKNOWN),
-- an online sale with the current version (else RATE_STALE: the till
-- refreshes its rates; a replayed offline sale may use any stored
-- version); the sale's time not ahead of the clock (kassad allows five
-- minutes: BAD_SOLD_AT); sold_by, when given, active staff of the store.
CREATE FUNCTION kassa_checkout_till(p_store_id bigint, p_curs text[], p_rates bigint[],
	p_rvers integer[], p_created timestamptz, p_offline boolean, p_sold_by bigint)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM unnest(p_curs, p_rates, p_rvers) AS u(currency, rate, version)
		   WHERE u.currency <> '' AND NOT EXISTS (SELECT 1 FROM exchange_rates r
			WHERE r.version = u.version AND r.currency = u.currency
			  AND r.rate_micro = u.rate)) THEN
		RAISE EXCEPTION 'RATE_UNKNOWN' USING ERRCODE = 'KA412';
	END IF;
	IF NOT p_offline AND EXISTS (SELECT 1 FROM unnest(p_curs, p_rvers) AS u(currency, version)
		WHERE u.currency <> ''
		  AND u.version <> (SELECT max(version) FROM exchange_rate_versions)) THEN
		RAISE EXCEPTION 'RATE_STALE' USING ERRCODE = 'KA412';
	END IF;
	IF p_created > now() + interval '5 minutes' THEN
		RAISE EXCEPTION 'BAD_SOLD_AT' USING ERRCODE = 'KA400';
	END IF;
	IF p_sold_by > 0 AND NOT EXISTS (SELECT 1 FROM staff
		WHERE staff_id = p_sold_by AND store_id = p_store_id AND active) THEN
		RAISE EXCEPTION 'STAFF_UNKNOWN' USING ERRCODE = 'KA400';
	END IF;
END
$$;
