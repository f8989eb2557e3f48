-- Points lots (points_lots and points_lot_moves, 0003_loyalty.sql): every
-- earn is a lot that expires; a redemption, an expiry or a clawback draws
-- from the lots that expire first and names them.

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
