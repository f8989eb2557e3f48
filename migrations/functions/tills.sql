-- Tills and office workstations registered and changed by head office
-- (TillPut, TillList: server/admin/till_admin.c). kassad has checked the
-- code's form and the kind; Hello looks tills up by code (server/core/hello.c)
-- and refuses an inactive one.

-- The tills of store p_store_id (0: every store) as TillInfo has them, by
-- store code and till code.
CREATE FUNCTION kassa_till_rows(p_store_id bigint)
RETURNS TABLE (r_till_id bigint, r_code text, r_store_id bigint, r_store_code text,
	r_kind text, r_active boolean, r_created_at text)
LANGUAGE sql STABLE AS $$
	SELECT t.till_id, t.code, t.store_id, s.code, t.kind, t.active,
		to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM tills t JOIN stores s USING (store_id)
	WHERE p_store_id = 0 OR t.store_id = p_store_id
	ORDER BY s.code, t.code
$$;

-- Register till p_code or change it: p_store_id 0 and p_kind '' keep what an
-- existing till has (a new one needs a store; its kind defaults to 'till');
-- p_active 0 keeps the flag (a new till is active), 1 activates, 2
-- deactivates. Exactly once per idempotency key: the key's result is the
-- till id, negated when that call registered it (so that a retry answers
-- "created" as the first call did). Audited 'till.put' with the values
-- before and after. The workstation making the call cannot deactivate
-- itself. Refusals:
--   KA400 TILL_STORE_REQUIRED (a new till without a store)
--   KA404 TILL_STORE_NOT_FOUND
--   KA412 TILL_SELF (deactivating the caller's own workstation)
-- Returns one row: the till as TillList shows it (kassa_till_row), whether
-- this call registered it, and whether it was deactivated, moved or given
-- another kind (kassad then closes its sessions).
CREATE FUNCTION kassa_till_put(p_till_id bigint, p_staff_id bigint, p_key text, p_hash bytea,
	p_code text, p_store_id bigint, p_kind text, p_active int)
RETURNS TABLE (r_till_id bigint, r_code text, r_store_id bigint, r_store_code text,
	r_kind text, r_active boolean, r_created_at text, r_created boolean, r_cut boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_old	tills;
	v_new	tills;
	v_id	bigint;
	v_prev	bigint;
	v_created boolean := false;
BEGIN
	SELECT * INTO v_old FROM tills WHERE code = p_code FOR UPDATE;
	IF FOUND THEN
		v_id := v_old.till_id;
	ELSE
		v_id := nextval('tills_till_id_seq');
		v_created := true;
	END IF;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'till_put', p_hash,
		CASE WHEN v_created THEN -v_id ELSE v_id END);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT r.*, v_prev < 0, false FROM kassa_till_rows(0) r
		WHERE r.r_till_id = abs(v_prev);
		RETURN;
	END IF;
	IF p_store_id <> 0 AND NOT EXISTS (SELECT 1 FROM stores WHERE store_id = p_store_id) THEN
		RAISE EXCEPTION 'TILL_STORE_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF v_created THEN
		IF p_store_id = 0 THEN
			RAISE EXCEPTION 'TILL_STORE_REQUIRED' USING ERRCODE = 'KA400';
		END IF;
		INSERT INTO tills (till_id, store_id, code, kind, active)
		VALUES (v_id, p_store_id, p_code, coalesce(nullif(p_kind, ''), 'till'), p_active <> 2)
		RETURNING * INTO v_new;
	ELSE
		IF v_id = p_till_id AND p_active = 2 AND v_old.active THEN
			RAISE EXCEPTION 'TILL_SELF' USING ERRCODE = 'KA412';
		END IF;
		UPDATE tills SET store_id = CASE WHEN p_store_id = 0 THEN store_id ELSE p_store_id END,
			kind = coalesce(nullif(p_kind, ''), kind),
			active = CASE p_active WHEN 1 THEN true WHEN 2 THEN false ELSE active END,
			updated_at = now()
		WHERE till_id = v_id
		RETURNING * INTO v_new;
	END IF;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'till.put', 'till:' || v_id,
		jsonb_build_object('code', v_new.code, 'created', v_created,
			'store_id', v_new.store_id, 'kind', v_new.kind, 'active', v_new.active,
			'before', CASE WHEN v_created THEN NULL ELSE jsonb_build_object(
				'store_id', v_old.store_id, 'kind', v_old.kind,
				'active', v_old.active) END));
	RETURN QUERY SELECT r.*, v_created, NOT v_created AND v_old.active AND
		(NOT v_new.active OR v_new.store_id <> v_old.store_id OR v_new.kind <> v_old.kind)
	FROM kassa_till_rows(0) r WHERE r.r_till_id = v_id;
END
$$;

-- The tills of store p_store_id (0: every store), by store and code, for
-- staff member p_staff_id. A manager (p_manager) who belongs to a store sees
-- only that store's tills: 0 means theirs, another store is KA403
-- TILL_OTHER_STORE.
CREATE FUNCTION kassa_till_list(p_staff_id bigint, p_manager boolean, p_store_id bigint)
RETURNS TABLE (r_till_id bigint, r_code text, r_store_id bigint, r_store_code text,
	r_kind text, r_active boolean, r_created_at text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_store	bigint := p_store_id;
	v_own	bigint;
BEGIN
	IF p_manager THEN
		SELECT store_id INTO v_own FROM staff WHERE staff_id = p_staff_id;
		IF v_own IS NOT NULL THEN
			IF v_store <> 0 AND v_store <> v_own THEN
				RAISE EXCEPTION 'TILL_OTHER_STORE' USING ERRCODE = 'KA403';
			END IF;
			v_store := v_own;
		END IF;
	END IF;
	RETURN QUERY SELECT * FROM kassa_till_rows(v_store);
END
$$;
