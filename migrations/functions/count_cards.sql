-- Service items and count cards (次卡), store operations part "cards"
-- (server/store/count_card.c, docs/store/cards.md; tables in
-- 0030_count_cards.sql).
--
-- A sale line of a service item to a member becomes one count card of
-- quantity x visits visits (kassa_card_sale, in the sale's transaction);
-- each visit redeems one (kassa_card_redeem: one guarded UPDATE ... WHERE
-- remaining >= visits, so concurrent redemptions never take a card below
-- zero); the unused remainder is refunded in cash (kassa_card_refund, with
-- the amount kassad computed in C from the remaining it read: the guard
-- refuses CARD_STALE if it changed meanwhile); refunding the sale line
-- voids its cards while they are unused (kassa_card_refund_lines); a card
-- past its expiry loses its remainder through an 'expire' ledger row and
-- is closed 'expired' (kassa_card_expire_due, kassad's periodic jobs).
-- count_cards.remaining is the cache of card_ledger (sum of visits).
-- Refusals (SQLSTATE, detail):
--   KA404 CARD_NOT_FOUND (also another member's card), UNKNOWN_PRODUCT
--   KA400 MEMBER_REQUIRED (a service item sold without a member)
--   KA400 CARD_TOO_MANY_VISITS (a line of more than 100000 visits)
--   KA412 CARD_EXPIRED, CARD_USED_UP, CARD_CLOSED (refunded or voided),
--         CARD_PARTLY_USED (its sale line refunded after a visit),
--         SERVICE_INACTIVE (a service no longer sold), CURRENCY_MISMATCH
--   KA409 CARD_STALE (the card changed between kassad's read and the refund)

-- The JSON of service item p_product (ServiceItem's fields).
CREATE FUNCTION kassa_service_item_json(p_product bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('product_id', p.product_id, 'sku', p.sku, 'name', p.name,
		'visits', s.visits, 'valid_days', coalesce(s.valid_days, 0), 'active', s.active,
		'price_minor', p.price_minor, 'currency', p.currency)
	FROM service_items s JOIN products p USING (product_id)
	WHERE s.product_id = p_product
$$;

-- Make product p_product (or, when p_product <= 0, the one with SKU p_sku)
-- a service item of p_visits visits per unit, valid p_days days (0 = no
-- expiry), active or not; it leaves the stock ledger (products.stocked =
-- false). Exactly once per key (result: the product). Audited
-- 'service_item.put'.
CREATE FUNCTION kassa_service_item_put(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_sku text, p_product bigint, p_visits integer, p_days integer,
	p_active boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_pid	bigint;
	v_prev	bigint;
BEGIN
	SELECT product_id INTO v_pid FROM products
	WHERE (p_product > 0 AND product_id = p_product) OR (p_product <= 0 AND sku = p_sku);
	IF NOT FOUND THEN
		RAISE EXCEPTION 'UNKNOWN_PRODUCT' USING ERRCODE = 'KA404';
	END IF;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'service_item_put', p_hash, v_pid);
	IF v_prev IS NOT NULL THEN
		RETURN kassa_service_item_json(v_prev)::text;
	END IF;
	INSERT INTO service_items (product_id, visits, valid_days, active)
	VALUES (v_pid, p_visits, nullif(p_days, 0), p_active)
	ON CONFLICT (product_id) DO UPDATE SET visits = EXCLUDED.visits,
		valid_days = EXCLUDED.valid_days, active = EXCLUDED.active, updated_at = now();
	UPDATE products SET stocked = false WHERE product_id = v_pid AND stocked;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'service_item.put', 'product:' || v_pid,
		jsonb_build_object('visits', p_visits, 'valid_days', p_days, 'active', p_active));
	RETURN kassa_service_item_json(v_pid)::text;
END
$$;

-- A sale's lines of service items become the member's count cards: one
-- card per line, of quantity x visits visits, with the line's net amount
-- (after discounts) as what was paid, expiring valid_days after the sale
-- (called by kassa_checkout in the sale's transaction, after its lines are
-- written; the member is the transaction's, however the till named it).
-- Gift lines are not cards. Raising rolls the whole checkout back.
CREATE FUNCTION kassa_card_sale(p_store bigint, p_txn bigint, p_member bigint,
	p_at timestamptz, p_products bigint[], p_qtys integer[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_lines		integer;
	v_inactive	boolean;
	v_max		bigint;
	v_t		transactions;
BEGIN
	SELECT count(*), bool_or(NOT s.active), max(l.quantity::bigint * s.visits)
	INTO v_lines, v_inactive, v_max
	FROM transaction_lines l JOIN service_items s USING (product_id)
	WHERE l.txn_id = p_txn AND l.gift_points = 0;
	IF v_lines = 0 THEN
		RETURN;
	END IF;
	IF v_inactive THEN
		RAISE EXCEPTION 'SERVICE_INACTIVE' USING ERRCODE = 'KA412';
	END IF;
	IF v_max > 100000 THEN
		RAISE EXCEPTION 'CARD_TOO_MANY_VISITS' USING ERRCODE = 'KA400';
	END IF;
	SELECT * INTO v_t FROM transactions WHERE txn_id = p_txn;
	v_t.member_id := coalesce(v_t.member_id, nullif(p_member, 0));
	IF v_t.member_id IS NULL THEN
		RAISE EXCEPTION 'MEMBER_REQUIRED' USING ERRCODE = 'KA400';
	END IF;
	WITH c AS (
		INSERT INTO count_cards (member_id, product_id, txn_id, line_no, store_id, visits,
			remaining, paid_minor, currency, expires_at, created_at)
		SELECT v_t.member_id, l.product_id, p_txn, l.line_no, p_store,
			l.quantity * s.visits, l.quantity * s.visits, l.net_minor, v_t.currency,
			p_at + make_interval(days => s.valid_days), p_at
		FROM transaction_lines l JOIN service_items s USING (product_id)
		WHERE l.txn_id = p_txn AND l.gift_points = 0
		RETURNING member_id, card_id, visits)
	INSERT INTO card_ledger (member_id, card_id, kind, visits, remaining_after, store_id,
		till_id, staff_id, created_at)
	SELECT c.member_id, c.card_id, 'purchase', c.visits, c.visits, p_store, v_t.till_id,
		v_t.staff_id, p_at
	FROM c;
END
$$;

-- Lines p_line_nos of sale p_txn are being refunded: their count cards are
-- voided while unused (a 'void' ledger row of -visits), else the refund is
-- refused CARD_PARTLY_USED (the remainder is refunded with CardRefund).
-- The guard is the UPDATE's WHERE, so a visit redeemed concurrently either
-- lands first (refused) or waits and then finds the card void.
CREATE FUNCTION kassa_card_refund_lines(p_txn bigint, p_line_nos integer[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_cards		integer;
	v_voided	integer;
	v_r		record;
BEGIN
	SELECT count(*) INTO v_cards FROM count_cards
	WHERE txn_id = p_txn AND line_no = ANY(p_line_nos);
	IF v_cards = 0 THEN
		RETURN;
	END IF;
	-- who refunds: the refund being written (kassa_refund, same transaction)
	SELECT store_id, till_id, staff_id INTO v_r FROM refunds
	WHERE txn_id = p_txn ORDER BY refund_id DESC LIMIT 1;
	WITH v AS (
		UPDATE count_cards SET state = 'void', remaining = 0, updated_at = now()
		WHERE txn_id = p_txn AND line_no = ANY(p_line_nos) AND state = 'active'
		  AND remaining = visits
		RETURNING member_id, card_id, visits)
	INSERT INTO card_ledger (member_id, card_id, kind, visits, remaining_after, store_id,
		till_id, staff_id)
	SELECT v.member_id, v.card_id, 'void', -v.visits, 0, coalesce(v_r.store_id, 0),
		coalesce(v_r.till_id, 0), coalesce(v_r.staff_id, 0)
	FROM v;
	GET DIAGNOSTICS v_voided = ROW_COUNT;
	IF v_voided < v_cards THEN
		RAISE EXCEPTION 'CARD_PARTLY_USED' USING ERRCODE = 'KA412';
	END IF;
END
$$;

-- The card's state for people and the till: active, used_up, expired,
-- refunded or void, from its row (remaining r: the card's, or a ledger
-- entry's remaining_after for an answer as of that entry). A card past its
-- expiry reads 'expired' before the expiry job has run (its row still
-- 'active', visits left) and after (its row 'expired', remaining 0); one
-- used up before its expiry stays 'used_up'.
CREATE FUNCTION kassa_card_state(p_state text, p_remaining integer, p_expires timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN p_state <> 'active' THEN p_state
		WHEN p_remaining = 0 THEN 'used_up'
		WHEN p_expires IS NOT NULL AND p_expires <= now() THEN 'expired'
		ELSE 'active' END
$$;

CREATE FUNCTION kassa_card_ts(p_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
$$;

-- The JSON of card p_card (CountCard's fields). With p_entry: as of that
-- ledger entry (its remaining_after; entry_id set; no ledger), the answer
-- of a redemption and of its retries; without (NULL): as now, with its
-- ledger, oldest first.
CREATE FUNCTION kassa_card_json(p_card bigint, p_entry bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('card_id', c.card_id, 'member_id', c.member_id,
		'product_id', c.product_id, 'sku', p.sku, 'name', p.name, 'visits', c.visits,
		'remaining', coalesce(e.remaining_after, c.remaining),
		'state', kassa_card_state(CASE WHEN e.entry_id IS NULL THEN c.state ELSE 'active' END,
			coalesce(e.remaining_after, c.remaining), c.expires_at),
		'expires_at', kassa_card_ts(c.expires_at), 'paid_minor', c.paid_minor,
		'currency', c.currency, 'txn_id', c.txn_id, 'line_no', c.line_no,
		'store_id', c.store_id, 'created_at', kassa_card_ts(c.created_at),
		'entry_id', coalesce(e.entry_id, 0),
		'ledger', CASE WHEN p_entry IS NOT NULL THEN '[]'::jsonb ELSE
			(SELECT coalesce(jsonb_agg(jsonb_build_object('entry_id', l.entry_id,
				'kind', l.kind, 'visits', l.visits,
				'remaining_after', l.remaining_after, 'store_id', l.store_id,
				'till_id', l.till_id, 'staff_id', l.staff_id,
				'at', kassa_card_ts(l.created_at)) ORDER BY l.entry_id), '[]')
			 FROM card_ledger l
			 WHERE l.member_id = c.member_id AND l.card_id = c.card_id) END)
	FROM count_cards c JOIN products p USING (product_id)
	LEFT JOIN card_ledger e ON e.member_id = c.member_id AND e.entry_id = p_entry
	WHERE c.card_id = p_card
$$;

-- Member p_member's cards, newest first (at most 200), as CountCardList's
-- JSON: all of them, or (p_all false) only those with visits left.
CREATE FUNCTION kassa_card_list(p_member bigint, p_all boolean) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM members WHERE member_id = p_member) THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	RETURN jsonb_build_object('member_id', p_member, 'cards',
		(SELECT coalesce(jsonb_agg(kassa_card_json(c.card_id, NULL) ORDER BY c.card_id DESC),
			'[]')
		 FROM (SELECT card_id FROM count_cards
		       WHERE member_id = p_member
			 AND (p_all OR kassa_card_state(state, remaining, expires_at) = 'active')
		       ORDER BY card_id DESC LIMIT 200) c))::text;
END
$$;

-- Redeem p_visits visits of card p_card at till p_till_id (store p_store,
-- staff p_staff): one guarded UPDATE (remaining >= p_visits, active, not
-- expired, the member's when p_member > 0), then the 'redeem' ledger row
-- with the till and staff. Exactly once per key (result: the ledger
-- entry); the answer is kassa_card_json as of that entry. Not audited: a
-- visit is a sale-like event, recorded on the ledger.
CREATE FUNCTION kassa_card_redeem(p_till_id bigint, p_store bigint, p_staff_id bigint,
	p_key text, p_hash bytea, p_card bigint, p_member bigint, p_visits integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_entry	bigint := nextval('card_ledger_entry_id_seq');
	v_prev	bigint;
	v_c	count_cards;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'card_redeem', p_hash, v_entry);
	IF v_prev IS NOT NULL THEN
		RETURN kassa_card_json(p_card, v_prev)::text;
	END IF;
	UPDATE count_cards SET remaining = remaining - p_visits, updated_at = now()
	WHERE card_id = p_card AND state = 'active' AND remaining >= p_visits
	  AND (expires_at IS NULL OR expires_at > now())
	  AND (p_member <= 0 OR member_id = p_member)
	RETURNING * INTO v_c;
	IF NOT FOUND THEN
		SELECT * INTO v_c FROM count_cards WHERE card_id = p_card;
		IF NOT FOUND OR (p_member > 0 AND v_c.member_id <> p_member) THEN
			RAISE EXCEPTION 'CARD_NOT_FOUND' USING ERRCODE = 'KA404';
		ELSIF v_c.state = 'expired' THEN	-- closed by the expiry job
			RAISE EXCEPTION 'CARD_EXPIRED' USING ERRCODE = 'KA412';
		ELSIF v_c.state <> 'active' THEN
			RAISE EXCEPTION 'CARD_CLOSED' USING ERRCODE = 'KA412';
		ELSIF v_c.expires_at IS NOT NULL AND v_c.expires_at <= now() THEN
			RAISE EXCEPTION 'CARD_EXPIRED' USING ERRCODE = 'KA412';
		END IF;
		RAISE EXCEPTION 'CARD_USED_UP' USING ERRCODE = 'KA412';
	END IF;
	INSERT INTO card_ledger (member_id, entry_id, card_id, kind, visits, remaining_after,
		store_id, till_id, staff_id)
	VALUES (v_c.member_id, v_entry, p_card, 'redeem', -p_visits, v_c.remaining, p_store,
		p_till_id, p_staff_id);
	RETURN kassa_card_json(p_card, v_entry)::text;
END
$$;

-- What kassad reads before a refund: the card's numbers (one row, or none).
CREATE FUNCTION kassa_card_get(p_card bigint)
RETURNS TABLE (r_member bigint, r_visits integer, r_remaining integer, r_paid bigint)
LANGUAGE sql STABLE AS $$
	SELECT member_id, visits, remaining, paid_minor FROM count_cards WHERE card_id = p_card
$$;

-- The JSON of card refund p_refund (CardRefunded's fields).
CREATE FUNCTION kassa_card_refund_json(p_refund bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('refund_id', r.refund_id, 'visits', r.visits,
		'amount_minor', r.amount_minor, 'currency', r.currency,
		'card', kassa_card_json(r.card_id, NULL))
	FROM card_refunds r WHERE r.refund_id = p_refund
$$;

-- Refund card p_card's unused remainder at till p_till_id of store
-- p_store: p_remaining visits (what kassad read) for p_amount paid out in
-- cash (kassad's count_card_refund_amount()). The guard: the card still
-- active, not expired, in the store's currency, with exactly p_remaining
-- (> 0) left, else CARD_STALE (read again). A 'refund' ledger row, the
-- card_refunds row the till's shift counts as cash paid out, and the
-- audit row 'card.refund'. Exactly once per key (result: the refund).
CREATE FUNCTION kassa_card_refund(p_till_id bigint, p_store bigint, p_staff_id bigint,
	p_key text, p_hash bytea, p_card bigint, p_remaining integer, p_amount bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_refund	bigint := nextval('card_refunds_refund_id_seq');
	v_prev		bigint;
	v_cur		char(3);
	v_c		count_cards;
	v_entry		bigint;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'card_refund', p_hash, v_refund);
	IF v_prev IS NOT NULL THEN
		RETURN kassa_card_refund_json(v_prev)::text;
	END IF;
	SELECT currency INTO v_cur FROM stores WHERE store_id = p_store;
	UPDATE count_cards SET remaining = 0, state = 'refunded', updated_at = now()
	WHERE card_id = p_card AND state = 'active' AND remaining = p_remaining
	  AND remaining > 0 AND currency = v_cur AND (expires_at IS NULL OR expires_at > now())
	RETURNING * INTO v_c;
	IF NOT FOUND THEN
		SELECT * INTO v_c FROM count_cards WHERE card_id = p_card;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'CARD_NOT_FOUND' USING ERRCODE = 'KA404';
		ELSIF v_c.state = 'expired' THEN	-- closed by the expiry job
			RAISE EXCEPTION 'CARD_EXPIRED' USING ERRCODE = 'KA412';
		ELSIF v_c.state <> 'active' THEN
			RAISE EXCEPTION 'CARD_CLOSED' USING ERRCODE = 'KA412';
		ELSIF v_c.remaining = 0 THEN
			RAISE EXCEPTION 'CARD_USED_UP' USING ERRCODE = 'KA412';
		ELSIF v_c.expires_at IS NOT NULL AND v_c.expires_at <= now() THEN
			RAISE EXCEPTION 'CARD_EXPIRED' USING ERRCODE = 'KA412';
		ELSIF v_c.currency <> v_cur THEN
			RAISE EXCEPTION 'CURRENCY_MISMATCH' USING ERRCODE = 'KA412';
		END IF;
		RAISE EXCEPTION 'CARD_STALE' USING ERRCODE = 'KA409';
	END IF;
	INSERT INTO card_ledger (member_id, card_id, kind, visits, remaining_after, store_id,
		till_id, staff_id)
	VALUES (v_c.member_id, p_card, 'refund', -p_remaining, 0, p_store, p_till_id, p_staff_id)
	RETURNING entry_id INTO v_entry;
	INSERT INTO card_refunds (refund_id, member_id, card_id, entry_id, store_id, till_id,
		staff_id, visits, amount_minor, currency)
	VALUES (v_refund, v_c.member_id, p_card, v_entry, p_store, p_till_id, p_staff_id,
		p_remaining, p_amount, v_c.currency);
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'card.refund', 'card:' || p_card,
		jsonb_build_object('refund_id', v_refund, 'visits', p_remaining,
			'amount_minor', p_amount, 'currency', v_c.currency));
	RETURN kassa_card_refund_json(v_refund)::text;
END
$$;

-- The expiry job's batch (kassad's periodic loyalty jobs, server/loyalty/
-- jobs.c, job 'card_expire'; a run is a job_runs row, functions/jobs.sql):
-- up to p_limit active cards with card_id above p_after, past their
-- expiry with visits left, each get ONE 'expire' ledger row of -remaining
-- (remaining_after 0; store, till and staff 0: kassad's job, not a
-- person's) and are closed 'expired' with remaining 0. The cards are
-- locked SKIP LOCKED (a redemption holding one is never waited for; the
-- next run takes it), and the UPDATE is guarded by the facts it stands on
-- (active, visits left, past expiry): a card another run, a redemption or
-- a refund changed first fails the guard, so however many kassads run the
-- job at once each card is expired exactly once and remaining = the sum
-- of its ledger throughout. Returns how many cards it took (out_picked),
-- the card id to go on after (out_last), whether to go on (out_more), and
-- the cards expired and their visits, also added to run p_run_id (NULL:
-- none).
CREATE FUNCTION kassa_card_expire_due(p_limit integer, p_after bigint DEFAULT 0,
	p_run_id bigint DEFAULT NULL,
	OUT out_picked integer, OUT out_last bigint, OUT out_more boolean,
	OUT out_cards integer, OUT out_visits bigint)
LANGUAGE plpgsql AS $$
BEGIN
	WITH due AS (
		SELECT member_id, card_id, remaining FROM count_cards
		WHERE card_id > p_after AND remaining > 0 AND state = 'active'
		  AND expires_at <= now()
		ORDER BY card_id LIMIT p_limit
		FOR UPDATE SKIP LOCKED),
	closed AS (
		UPDATE count_cards c SET remaining = 0, state = 'expired', updated_at = now()
		FROM due d
		WHERE c.member_id = d.member_id AND c.card_id = d.card_id
		  AND c.remaining > 0 AND c.state = 'active' AND c.expires_at <= now()
		RETURNING c.member_id, c.card_id, d.remaining),	-- d's: read under the lock
	entries AS (
		INSERT INTO card_ledger (member_id, card_id, kind, visits, remaining_after)
		SELECT member_id, card_id, 'expire', -remaining, 0 FROM closed
		RETURNING visits)
	SELECT (SELECT count(*) FROM due), (SELECT coalesce(max(card_id), p_after) FROM due),
		(SELECT count(*) FROM entries), (SELECT coalesce(-sum(visits), 0) FROM entries)
	INTO out_picked, out_last, out_cards, out_visits;
	out_more := out_picked >= p_limit;
	UPDATE job_runs SET examined = examined + out_picked, cards = cards + out_cards,
		visits = visits + out_visits
	WHERE run_id = p_run_id;
END
$$;
