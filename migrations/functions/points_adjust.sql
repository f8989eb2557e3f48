-- A manager's correction of a member's points (PointsAdjust,
-- server/loyalty/points_adjust.c): a ledger row of kind 'adjust' with the
-- reason in the audit log. kassad has checked the numbers and computed the
-- expiry day of added points with the rule set (rules_lot_expiry(), as for
-- earned points).

-- Adjust member p_member_id's points by p_points (not 0): added points are
-- a new lot (source 'adjust') expiring p_expires_on; taken points come
-- from the lots that expire first, like a redemption (kassa_lots_draw),
-- and never take the balance below zero. Lots past their day expire first
-- (kassa_expire_member), as at a sale. The member's row lock serializes
-- it with their sales. Exactly once per idempotency key (result_id: the
-- ledger entry). Audited 'points.adjust' with the reason. Refusals:
--   KA404 MEMBER_NOT_FOUND (also an erased or merged member)
--   KA412 INSUFFICIENT_POINTS
-- Returns one row: the entry, the points, the balance after.
CREATE FUNCTION kassa_points_adjust(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_member_id bigint, p_points bigint, p_reason text, p_expires_on date)
RETURNS TABLE (r_entry_id bigint, r_points bigint, r_balance bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_entry	bigint := nextval('points_ledger_entry_id_seq');
	v_prev	bigint;
	v_m	members;
	v_lots	bigint;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'points_adjust', p_hash, v_entry);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT l.entry_id, l.points, m.points_balance
		FROM points_ledger l JOIN members m USING (member_id)
		WHERE l.member_id = p_member_id AND l.entry_id = v_prev;
		RETURN;
	END IF;
	SELECT * INTO v_m FROM members WHERE member_id = p_member_id FOR UPDATE;
	IF NOT FOUND OR v_m.erased_at IS NOT NULL OR v_m.merged_into IS NOT NULL THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	-- lots past their day go first, as at a sale, so none is drawn from
	IF kassa_expire_member(p_member_id) > 0 THEN
		SELECT * INTO v_m FROM members WHERE member_id = p_member_id;
	END IF;
	IF p_points < 0 THEN
		SELECT coalesce(sum(remaining), 0) INTO v_lots FROM points_lots
		WHERE member_id = p_member_id AND remaining > 0 AND expires_on >= current_date;
		IF v_m.points_balance + p_points < 0 OR v_lots < -p_points THEN
			RAISE EXCEPTION 'INSUFFICIENT_POINTS' USING ERRCODE = 'KA412';
		END IF;
	END IF;
	INSERT INTO points_ledger (member_id, entry_id, kind, points)
	VALUES (p_member_id, v_entry, 'adjust', p_points);
	IF p_points > 0 THEN
		INSERT INTO points_lots (member_id, source, points, remaining, expires_on)
		-- points that repay a debt (a negative balance after a clawback) are
		-- not in a lot: the lots hold greatest(balance, 0)
		VALUES (p_member_id, 'adjust', p_points,
			greatest(v_m.points_balance + p_points, 0) - greatest(v_m.points_balance, 0),
			p_expires_on);
	ELSE
		PERFORM kassa_lots_draw(p_member_id, v_entry, -p_points);
	END IF;
	UPDATE members SET points_balance = points_balance + p_points, updated_at = now()
	WHERE member_id = p_member_id;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'points.adjust', 'member:' || p_member_id,
		jsonb_build_object('points', p_points, 'reason', p_reason, 'entry_id', v_entry,
			'balance_after', v_m.points_balance + p_points));
	RETURN QUERY SELECT v_entry, p_points, v_m.points_balance + p_points;
END
$$;
