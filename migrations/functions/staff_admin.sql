-- Staff administered through the protocol (StaffPut, StaffList,
-- StaffPinReset, StaffPinChange; server/staff/staff_admin*.c). kassad has
-- checked the form (role, name, PIN digits) and hashed PINs (argon2id, as
-- every PIN of the tree); these guard who may do what and persist, each
-- exactly once per idempotency key with its audit row last. PINs and
-- their hashes are never in the audit detail.
--
-- Who: an administrator (p_admin) acts on anyone. A manager acts only on
-- cashiers and managers of the till's store (p_store), never gives a role
-- above manager nor moves anyone to another store, and never changes their
-- own role, store or state. The last active administrator is never
-- disabled or demoted (LAST_ADMIN).

-- Staff members of store p_store_id (0 = all; NULL store = head office),
-- by id; a manager (NOT p_admin) sees only the till's store p_store. The
-- changes below answer with their member's row of kassa_staff_list(true, 0, 0).
CREATE FUNCTION kassa_staff_list(p_admin boolean, p_store bigint, p_store_id bigint)
RETURNS TABLE (r_staff_id bigint, r_name text, r_role text, r_store_id bigint,
	r_store_code text, r_active boolean, r_locked boolean)
LANGUAGE sql STABLE AS $$
	SELECT s.staff_id, s.name, s.role, coalesce(s.store_id, 0), coalesce(st.code, ''),
	       s.active, coalesce(s.locked_until > now(), false)
	FROM staff s LEFT JOIN stores st ON st.store_id = s.store_id
	WHERE (p_admin OR s.store_id = p_store)
	  AND (p_store_id = 0 OR s.store_id = p_store_id)
	ORDER BY s.staff_id
$$;

-- A manager's reach: refuse (KA403 NOT_YOUR_STAFF) unless p_admin or the
-- member (role p_role, store p_member_store) is a cashier or manager of p_store.
CREATE FUNCTION kassa_staff_reach(p_admin boolean, p_store bigint, p_role text,
	p_member_store bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF NOT p_admin AND (p_role NOT IN ('cashier', 'manager') OR p_member_store IS NULL
			    OR p_member_store <> p_store) THEN
		RAISE EXCEPTION 'NOT_YOUR_STAFF' USING ERRCODE = 'KA403';
	END IF;
END
$$;

-- Create (p_create; p_staff_id 0 = the next free id from 10001) or update
-- staff member p_staff_id. '' (p_name, p_role) and NULL (p_active) keep
-- what is stored; p_set_store: p_store_id applies (0 = head office), else
-- a new member is of the till's store. p_pin_hash: the initial PIN's hash
-- (create only). Refusals:
--   KA400 NAME_REQUIRED, ROLE_REQUIRED, PIN_REQUIRED
--   KA403 NOT_YOUR_STAFF, ROLE_TOO_HIGH, SELF_CHANGE
--   KA404 STAFF_NOT_FOUND, STORE_NOT_FOUND
--   KA412 STAFF_EXISTS, LAST_ADMIN
CREATE FUNCTION kassa_staff_put(p_till_id bigint, p_caller bigint, p_admin boolean,
	p_store bigint, p_key text, p_hash bytea, p_staff_id bigint, p_create boolean,
	p_name text, p_role text, p_set_store boolean, p_store_id bigint, p_pin_hash text,
	p_active boolean)
RETURNS TABLE (r_staff_id bigint, r_name text, r_role text, r_store_id bigint,
	r_store_code text, r_active boolean, r_locked boolean, r_created boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_audit	bigint := nextval('audit_log_audit_id_seq');
	v_prev	bigint;
	v_old	staff;
	v_new	staff;
	v_id	bigint := p_staff_id;
	v_store	bigint := CASE WHEN p_set_store THEN nullif(p_store_id, 0) ELSE p_store END;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'staff_put', p_hash, v_audit);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT r.*, coalesce((a.detail->>'created')::boolean, false)
		FROM audit_log a, kassa_staff_list(true, 0, 0) r
		WHERE a.audit_id = v_prev AND a.action = 'staff.put'
		  AND r.r_staff_id = split_part(a.subject, ':', 2)::bigint;
		RETURN;
	END IF;
	IF p_role NOT IN ('', 'cashier', 'manager') AND NOT p_admin THEN
		RAISE EXCEPTION 'ROLE_TOO_HIGH' USING ERRCODE = 'KA403';
	END IF;
	IF v_store IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stores WHERE store_id = v_store) THEN
		RAISE EXCEPTION 'STORE_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF p_create THEN
		IF p_name = '' THEN
			RAISE EXCEPTION 'NAME_REQUIRED' USING ERRCODE = 'KA400';
		ELSIF p_role = '' THEN
			RAISE EXCEPTION 'ROLE_REQUIRED' USING ERRCODE = 'KA400';
		ELSIF p_pin_hash IS NULL THEN
			RAISE EXCEPTION 'PIN_REQUIRED' USING ERRCODE = 'KA400';
		END IF;
		PERFORM kassa_staff_reach(p_admin, p_store, p_role, v_store);
		IF v_id = 0 THEN	-- one assigner at a time
			PERFORM pg_advisory_xact_lock(hashtext('kassa_staff_put'));
			SELECT greatest(coalesce(max(staff_id), 0) + 1, 10001) INTO v_id FROM staff;
		END IF;
		INSERT INTO staff (staff_id, store_id, name, role, pin_hash, active)
		VALUES (v_id, v_store, p_name, p_role, p_pin_hash, coalesce(p_active, true))
		ON CONFLICT (staff_id) DO NOTHING
		RETURNING * INTO v_new;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'STAFF_EXISTS' USING ERRCODE = 'KA412';
		END IF;
	ELSE
		IF p_role NOT IN ('', 'admin') OR NOT coalesce(p_active, true) THEN
			-- it may demote an admin: every active admin's row, locked first and
			-- in one order, so that two such changes wait for each other
			-- (not deadlock) and the second sees the first's outcome
			PERFORM 1 FROM staff WHERE role = 'admin' AND active ORDER BY staff_id
			FOR UPDATE;
		END IF;
		SELECT * INTO v_old FROM staff WHERE staff_id = v_id FOR UPDATE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'STAFF_NOT_FOUND' USING ERRCODE = 'KA404';
		END IF;
		PERFORM kassa_staff_reach(p_admin, p_store, v_old.role, v_old.store_id);
		IF NOT p_set_store THEN
			v_store := v_old.store_id;
		END IF;
		PERFORM kassa_staff_reach(p_admin, p_store, coalesce(nullif(p_role, ''), v_old.role),
			v_store);
		IF NOT p_admin AND v_id = p_caller AND (p_role NOT IN ('', v_old.role) OR
		   v_store IS DISTINCT FROM v_old.store_id OR p_active IS NOT NULL) THEN
			RAISE EXCEPTION 'SELF_CHANGE' USING ERRCODE = 'KA403';
		END IF;
		IF v_old.role = 'admin' AND v_old.active AND
		   (p_role NOT IN ('', 'admin') OR NOT coalesce(p_active, true)) THEN
			IF NOT EXISTS (SELECT 1 FROM staff WHERE role = 'admin' AND active
				       AND staff_id <> v_id) THEN
				RAISE EXCEPTION 'LAST_ADMIN' USING ERRCODE = 'KA412';
			END IF;
		END IF;
		UPDATE staff SET name = coalesce(nullif(p_name, ''), name),
			role = coalesce(nullif(p_role, ''), role), store_id = v_store,
			active = coalesce(p_active, active)
		WHERE staff_id = v_id
		RETURNING * INTO v_new;
	END IF;
	INSERT INTO audit_log (audit_id, staff_id, till_id, action, subject, detail)
	VALUES (v_audit, p_caller, p_till_id, 'staff.put', 'staff:' || v_id,
		jsonb_build_object('created', p_create, 'role', v_new.role,
			'store_id', v_new.store_id, 'active', v_new.active,
			'name_changed', NOT p_create AND v_new.name <> v_old.name)
		|| CASE WHEN p_create THEN '{}'::jsonb ELSE jsonb_build_object('was',
			jsonb_build_object('role', v_old.role, 'store_id', v_old.store_id,
				'active', v_old.active)) END);
	RETURN QUERY SELECT r.*, p_create FROM kassa_staff_list(true, 0, 0) r
	WHERE r.r_staff_id = v_id;
END
$$;

-- A new PIN (its hash p_pin_hash) for p_staff_id, set by a manager of
-- their store or an administrator (StaffPinReset), or by the member
-- themselves after their old PIN was checked (p_self, StaffPinChange:
-- p_caller = p_staff_id). Lifts a lockout. Audited 'staff.pin_reset' or
-- 'staff.pin_change' (never the PIN). Refusals: KA404 STAFF_NOT_FOUND,
-- KA403 NOT_YOUR_STAFF.
CREATE FUNCTION kassa_staff_pin_set(p_till_id bigint, p_caller bigint, p_admin boolean,
	p_store bigint, p_key text, p_hash bytea, p_staff_id bigint, p_pin_hash text,
	p_self boolean)
RETURNS TABLE (r_staff_id bigint, r_name text, r_role text, r_store_id bigint,
	r_store_code text, r_active boolean, r_locked boolean, r_was_locked boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_audit	bigint := nextval('audit_log_audit_id_seq');
	v_kind	text := CASE WHEN p_self THEN 'staff_pin_change' ELSE 'staff_pin_reset' END;
	v_prev	bigint;
	v_old	staff;
	v_was	boolean;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, v_kind, p_hash, v_audit);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT r.*, coalesce((a.detail->>'was_locked')::boolean, false)
		FROM audit_log a, kassa_staff_list(true, 0, 0) r
		WHERE a.audit_id = v_prev AND a.action = replace(v_kind, '_pin', '.pin')
		  AND r.r_staff_id = split_part(a.subject, ':', 2)::bigint;
		RETURN;
	END IF;
	SELECT * INTO v_old FROM staff WHERE staff_id = p_staff_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'STAFF_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF p_self THEN
		IF p_caller <> p_staff_id THEN
			RAISE EXCEPTION 'NOT_YOUR_STAFF' USING ERRCODE = 'KA403';
		END IF;
	ELSE
		PERFORM kassa_staff_reach(p_admin, p_store, v_old.role, v_old.store_id);
	END IF;
	v_was := coalesce(v_old.locked_until > now(), false);
	UPDATE staff SET pin_hash = p_pin_hash, failed_pins = 0, locked_until = NULL
	WHERE staff_id = p_staff_id;
	INSERT INTO audit_log (audit_id, staff_id, till_id, action, subject, detail)
	VALUES (v_audit, p_caller, p_till_id, replace(v_kind, '_pin', '.pin'),
		'staff:' || p_staff_id,
		jsonb_build_object('was_locked', v_was, 'failures', v_old.failed_pins));
	RETURN QUERY SELECT r.*, v_was FROM kassa_staff_list(true, 0, 0) r
	WHERE r.r_staff_id = p_staff_id;
END
$$;
