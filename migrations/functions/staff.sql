-- Staff administration: lifting a PIN lockout (server/staff/unlock.c).
--
-- A manager unlocks staff of the till's store, an administrator anyone
-- (p_any). Exactly once per idempotency key (kassa_idem_claim): the key's
-- result is the audit row, from which a retry is answered the same. The
-- staff row is locked (FOR UPDATE), so that a lockout being written at the
-- same moment by a wrong PIN (server/staff/pin.c) is seen, then reset with
-- one UPDATE. Returns one row (replay?, staff_id, was_locked), or none when
-- there is no such staff member here (a retry answers that the same way).
CREATE FUNCTION kassa_staff_unlock(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_any boolean, p_store_id bigint, p_caller bigint)
RETURNS TABLE (r_replay boolean, r_staff_id bigint, r_was_locked boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_audit	bigint := nextval('audit_log_audit_id_seq');
	v_prev	bigint;
	v_old	record;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'staff_unlock', p_hash, v_audit);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT true, split_part(a.subject, ':', 2)::bigint,
			coalesce((a.detail->>'was_locked')::boolean, false)
		FROM audit_log a WHERE a.audit_id = v_prev AND a.action = 'staff.unlock';
		RETURN;
	END IF;
	SELECT s.staff_id, coalesce(s.locked_until > now(), false) AS was_locked,
	       s.failed_pins, s.locked_until
	INTO v_old FROM staff s
	WHERE s.staff_id = p_staff_id AND (p_any OR s.store_id = p_store_id) FOR UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	UPDATE staff SET failed_pins = 0, locked_until = NULL WHERE staff_id = p_staff_id;
	INSERT INTO audit_log (audit_id, staff_id, till_id, action, subject, detail)
	VALUES (v_audit, p_caller, p_till_id, 'staff.unlock', 'staff:' || p_staff_id,
		jsonb_build_object('was_locked', v_old.was_locked, 'failures', v_old.failed_pins,
			'locked_until', v_old.locked_until));
	RETURN QUERY SELECT false, p_staff_id, v_old.was_locked;
END
$$;
