-- Member merge: one customer's two records become one (server/members/merge.c,
-- docs/care/merge.md). Everything of the merged record moves to the
-- survivor; the merged record stays as a tombstone whose merged_into names
-- the survivor directly (members merged into it earlier are pointed at the
-- survivor too), with its phone and card, so a till's look-up by them
-- answers the survivor (member.c) and the numbers cannot be registered
-- again.

-- The survivor's points after the merged record's moved in: the ledger,
-- lots and lot moves are re-keyed (entry and lot ids are global). When one
-- balance was a debt (below zero, no open lots) and the other has open
-- lots, the lots would hold more than the summed balance: the debt is
-- repaid from the lots, soonest expiry first, under one 'adjust' ledger
-- row of 0 points that names the draws (the balance already holds the
-- sum). Returns the ledger rows moved. The caller holds both rows' locks.
CREATE FUNCTION kassa_merge_points(p_keep bigint, p_merge bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_n	bigint;
	v_bal	bigint;
	v_lots	bigint;
	v_entry	bigint;
BEGIN
	UPDATE points_ledger SET member_id = p_keep WHERE member_id = p_merge;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	UPDATE points_lots SET member_id = p_keep WHERE member_id = p_merge;
	UPDATE points_lot_moves SET member_id = p_keep WHERE member_id = p_merge;
	SELECT points_balance INTO v_bal FROM members WHERE member_id = p_keep;
	SELECT coalesce(sum(remaining), 0) INTO v_lots FROM points_lots
	WHERE member_id = p_keep AND remaining > 0;
	IF v_lots > greatest(v_bal, 0) THEN
		INSERT INTO points_ledger (member_id, kind, points)
		VALUES (p_keep, 'adjust', 0) RETURNING entry_id INTO v_entry;
		PERFORM kassa_lots_draw(p_keep, v_entry, v_lots - greatest(v_bal, 0));
	END IF;
	RETURN v_n;
END
$$;

-- The merged record's wallet into the survivor's (made if missing, in the
-- merged wallet's currency): the balance added, the ledger rows re-keyed,
-- the merged wallet gone. KA412 CURRENCY_MISMATCH if the two wallets hold
-- different currencies. Returns the ledger rows moved.
CREATE FUNCTION kassa_merge_wallet(p_keep bigint, p_merge bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_w	wallets;
	v_cur	text;
	v_n	bigint;
BEGIN
	SELECT * INTO v_w FROM wallets WHERE member_id = p_merge FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	INSERT INTO wallets (member_id, currency) VALUES (p_keep, v_w.currency)
	ON CONFLICT DO NOTHING;
	UPDATE wallets SET balance_minor = balance_minor + v_w.balance_minor, updated_at = now()
	WHERE member_id = p_keep RETURNING currency INTO v_cur;
	IF v_cur <> v_w.currency THEN
		RAISE EXCEPTION 'CURRENCY_MISMATCH' USING ERRCODE = 'KA412';
	END IF;
	UPDATE wallet_ledger SET member_id = p_keep WHERE member_id = p_merge;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	DELETE FROM wallets WHERE member_id = p_merge;
	RETURN v_n;
END
$$;

-- The customer-care rows that exist in this schema (each part's table is
-- looked up, so this works before and after their migrations): complaints
-- move (their notes follow, ON UPDATE CASCADE), follow-ups move (one the
-- survivor has for the same rule and source wins), campaign memberships
-- move (a campaign both records are in keeps the survivor's row); the
-- merged record's recommendations go (the job computes the survivor's
-- again); its pending messages are cancelled (they would greet a
-- tombstone). Its feed events stay: they happened to that record.
CREATE FUNCTION kassa_merge_care(p_keep bigint, p_merge bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_t	text;
BEGIN
	IF to_regclass('followups') IS NOT NULL THEN
		EXECUTE 'DELETE FROM followups a WHERE a.member_id = $2 AND EXISTS (
			SELECT 1 FROM followups b
			WHERE b.member_id = $1 AND b.rule = a.rule AND b.source = a.source)'
		USING p_keep, p_merge;
	END IF;
	FOREACH v_t IN ARRAY ARRAY['complaints', 'complaint_notes', 'followups'] LOOP
		IF to_regclass(v_t) IS NOT NULL THEN
			EXECUTE format('UPDATE %I SET member_id = $1 WHERE member_id = $2', v_t)
			USING p_keep, p_merge;
		END IF;
	END LOOP;
	IF to_regclass('member_recommendations') IS NOT NULL THEN
		EXECUTE 'DELETE FROM member_recommendations WHERE member_id = $1' USING p_merge;
	END IF;
	IF to_regclass('campaign_members') IS NOT NULL THEN
		EXECUTE 'DELETE FROM campaign_members a WHERE a.member_id = $2 AND EXISTS (
			SELECT 1 FROM campaign_members b
			WHERE b.member_id = $1 AND b.campaign_id = a.campaign_id)'
		USING p_keep, p_merge;
		EXECUTE 'UPDATE campaign_members SET member_id = $1 WHERE member_id = $2'
		USING p_keep, p_merge;
	END IF;
	-- count cards (functions/count_cards.sql): their ledger and refunds follow by
	-- ON UPDATE CASCADE
	UPDATE count_cards SET member_id = p_keep WHERE member_id = p_merge;
	UPDATE outbox SET state = 'cancelled', last_error = 'member merged'
	WHERE member_id = p_merge AND kind = 'message' AND state = 'pending';
END
$$;

-- Merge p_merge into p_keep, exactly once per idempotency key (kind
-- member_merge, result id the merged member). Both member rows are locked
-- in member_id order (a checkout, top-up or refund locks its one member's
-- row first, so none deadlocks with the merge nor writes between its
-- moves); kassad has checked p_keep <> p_merge > 0. Moves sales and
-- top-ups, refunds, the points ledger, lots and moves, coupons, the wallet
-- and its ledger, feedback, birthday-coupon records (one per definition
-- and year: the survivor's wins), the care rows (kassa_merge_care); adds
-- points balance, points earned and cumulative spend; recomputes both
-- members' analytics rows (kassa_rfm_update: the survivor's figures now
-- hold the merged sales, the merged row goes) with the [analytics]
-- settings passed in. The survivor keeps its tier: the next checkout
-- re-evaluates it from the summed spend (rules_tier.c). Audited
-- 'member.merge' with ids, counts and the reason (never personal values).
-- Refusals: KA404 MEMBER_NOT_FOUND; KA412 MEMBER_ERASED_MERGE (either
-- erased), MEMBER_ALREADY_MERGED (either merged: a second merge of a pair),
-- CURRENCY_MISMATCH; KA400 BAD_REASON, REASON_NAMES_MEMBER.
CREATE FUNCTION kassa_member_merge(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_keep bigint, p_merge bigint, p_reason text,
	p_window_days integer, p_new_days integer, p_lost_days integer)
RETURNS SETOF member_merges LANGUAGE plpgsql AS $$
DECLARE
	v_prev	bigint;
	v_k	members;
	v_m	members;
	v_r	member_merges;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'member_merge', p_hash, p_merge);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM member_merges WHERE merged_member_id = v_prev;
		RETURN;
	END IF;
	PERFORM 1 FROM members WHERE member_id IN (p_keep, p_merge)
	ORDER BY member_id FOR UPDATE;
	SELECT * INTO v_k FROM members WHERE member_id = p_keep;
	SELECT * INTO v_m FROM members WHERE member_id = p_merge;
	IF v_k.member_id IS NULL OR v_m.member_id IS NULL THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	ELSIF v_k.erased_at IS NOT NULL OR v_m.erased_at IS NOT NULL THEN
		RAISE EXCEPTION 'MEMBER_ERASED_MERGE' USING ERRCODE = 'KA412';
	ELSIF v_k.merged_into IS NOT NULL OR v_m.merged_into IS NOT NULL THEN
		RAISE EXCEPTION 'MEMBER_ALREADY_MERGED' USING ERRCODE = 'KA412';
	ELSIF v_k.currency <> v_m.currency THEN
		RAISE EXCEPTION 'CURRENCY_MISMATCH' USING ERRCODE = 'KA412';
	ELSIF char_length(p_reason) NOT BETWEEN 1 AND 500 OR p_reason ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION 'BAD_REASON' USING ERRCODE = 'KA400';
	ELSIF kassa_text_names(p_reason, kassa_member_personal_values(v_k)
				|| kassa_member_personal_values(v_m)) THEN
		RAISE EXCEPTION 'REASON_NAMES_MEMBER' USING ERRCODE = 'KA400';
	END IF;

	v_r.merged_member_id := p_merge;
	v_r.keep_member_id := p_keep;
	v_r.staff_id := nullif(p_staff_id, 0);
	v_r.merged_at := now();
	UPDATE transactions SET member_id = p_keep WHERE member_id = p_merge;
	GET DIAGNOSTICS v_r.transactions = ROW_COUNT;
	UPDATE refunds SET member_id = p_keep WHERE member_id = p_merge;
	UPDATE members SET points_balance = points_balance + v_m.points_balance,
		points_earned_total = points_earned_total + v_m.points_earned_total,
		cumulative_spend_minor = cumulative_spend_minor + v_m.cumulative_spend_minor,
		updated_at = now()
	WHERE member_id = p_keep;
	UPDATE members SET points_balance = 0, points_earned_total = 0,
		cumulative_spend_minor = 0, merged_into = p_keep, updated_at = now()
	WHERE member_id = p_merge;
	UPDATE members SET merged_into = p_keep, updated_at = now() WHERE merged_into = p_merge;
	v_r.points_entries := kassa_merge_points(p_keep, p_merge);
	v_r.wallet_entries := kassa_merge_wallet(p_keep, p_merge);
	UPDATE coupons SET member_id = p_keep WHERE member_id = p_merge;
	GET DIAGNOSTICS v_r.coupons = ROW_COUNT;
	DELETE FROM birthday_coupons b WHERE b.member_id = p_merge AND EXISTS (
		SELECT 1 FROM birthday_coupons k
		WHERE k.member_id = p_keep AND k.def_id = b.def_id AND k.year = b.year);
	UPDATE birthday_coupons SET member_id = p_keep WHERE member_id = p_merge;
	UPDATE feedback SET member_id = p_keep WHERE member_id = p_merge;
	GET DIAGNOSTICS v_r.feedback = ROW_COUNT;
	PERFORM kassa_merge_care(p_keep, p_merge);
	PERFORM kassa_rfm_update(ARRAY[p_keep, p_merge], now(), p_window_days, p_new_days,
		p_lost_days);
	SELECT m.points_balance, coalesce(w.balance_minor, 0)
	INTO v_r.points_balance, v_r.stored_value_minor
	FROM members m LEFT JOIN wallets w ON w.member_id = m.member_id
	WHERE m.member_id = p_keep;
	INSERT INTO member_merges VALUES (v_r.*);
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (nullif(p_staff_id, 0), p_till_id, 'member.merge', 'member:' || p_merge,
		jsonb_build_object('keep_member_id', p_keep, 'merged_member_id', p_merge,
			'reason', p_reason, 'transactions', v_r.transactions,
			'points_entries', v_r.points_entries, 'wallet_entries', v_r.wallet_entries,
			'coupons', v_r.coupons, 'feedback', v_r.feedback));
	RETURN NEXT v_r;
END
$$;

-- After a merge commits, nothing new is written to the merged record: a
-- sale or top-up naming it (a till that looked it up before), a refund
-- that read the sale's member before the merge moved it, a coupon issued
-- to it or a manager's points adjustment is refused with KA412
-- MEMBER_MERGED (the till looks the customer up again and gets the
-- survivor). Every such writer locks the member row first and the merge
-- updates it, so the check sees a merge that committed while it waited.
-- An offline sale made before the merge (a till's journal replayed later)
-- is kept under the tombstone: the money was taken; analytics count it to
-- the survivor through merged_into. Trigger functions, not kassa_*
-- functions (see member_rights.sql).
CREATE OR REPLACE FUNCTION member_merged_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_into	bigint;
	v_at	timestamptz;
BEGIN
	SELECT m.merged_into, mm.merged_at INTO v_into, v_at
	FROM members m LEFT JOIN member_merges mm ON mm.merged_member_id = m.member_id
	WHERE m.member_id = NEW.member_id;
	IF v_into IS NOT NULL AND NOT (TG_TABLE_NAME = 'transactions' AND NEW.offline
				       AND NEW.created_at <= v_at) THEN
		RAISE EXCEPTION 'MEMBER_MERGED' USING ERRCODE = 'KA412',
			DETAIL = 'merged into member ' || v_into;
	END IF;
	RETURN NEW;
END
$$;
CREATE OR REPLACE FUNCTION member_merged_refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM members m
		   WHERE m.member_id = NEW.member_id AND m.merged_into IS NOT NULL) THEN
		RAISE EXCEPTION 'MEMBER_MERGED' USING ERRCODE = 'KA412';
	END IF;
	RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER transactions_member_merged BEFORE INSERT ON transactions
	FOR EACH ROW WHEN (NEW.member_id IS NOT NULL) EXECUTE FUNCTION member_merged_refuse();
CREATE OR REPLACE TRIGGER refunds_member_merged BEFORE INSERT ON refunds
	FOR EACH ROW WHEN (NEW.member_id IS NOT NULL) EXECUTE FUNCTION member_merged_refuse_row();
CREATE OR REPLACE TRIGGER coupons_member_merged BEFORE INSERT ON coupons
	FOR EACH ROW EXECUTE FUNCTION member_merged_refuse_row();
CREATE OR REPLACE TRIGGER points_ledger_member_merged BEFORE INSERT ON points_ledger
	FOR EACH ROW WHEN (NEW.kind = 'adjust') EXECUTE FUNCTION member_merged_refuse_row();
