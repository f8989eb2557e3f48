-- Stores administered through the protocol (StorePut, StoreList;
-- server/store/store_admin.c). kassad has checked the form of the code,
-- name and currency; the zone is checked here against the zones
-- PostgreSQL knows (pg_timezone_names), because stores.timezone is what
-- every store's business day is computed with (AT TIME ZONE s.timezone).

-- Create or update the store with code p_code (p_create: only create).
-- '' (p_name, p_currency, p_timezone) and NULL (p_negative) keep what is
-- stored; a new store takes CNY, Asia/Shanghai, negative stock allowed.
-- A currency cannot change once the store has sales (its amounts are in
-- it). Exactly once per key (result_id: the 'store.put' audit row, from
-- which a retry answers). Refusals:
--   KA400 NAME_REQUIRED, UNKNOWN_TIMEZONE
--   KA412 STORE_EXISTS, CURRENCY_IN_USE
CREATE FUNCTION kassa_store_put(p_till_id bigint, p_staff_id bigint, p_key text, p_hash bytea,
	p_code text, p_name text, p_currency text, p_timezone text, p_negative boolean,
	p_create boolean)
RETURNS TABLE (r_store_id bigint, r_code text, r_name text, r_currency text,
	r_timezone text, r_negative_stock boolean, r_created boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_audit	bigint := nextval('audit_log_audit_id_seq');
	v_prev	bigint;
	v_old	stores;
	v_new	stores;
	v_created boolean := false;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'store_put', p_hash, v_audit);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT s.store_id, s.code, s.name, s.currency::text, s.timezone,
			s.negative_stock, coalesce((a.detail->>'created')::boolean, false)
		FROM audit_log a JOIN stores s ON 'store:' || s.store_id = a.subject
		WHERE a.audit_id = v_prev AND a.action = 'store.put';
		RETURN;
	END IF;
	IF p_timezone <> '' AND NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_timezone)
	THEN
		RAISE EXCEPTION 'UNKNOWN_TIMEZONE' USING ERRCODE = 'KA400';
	END IF;
	SELECT * INTO v_old FROM stores WHERE code = p_code FOR UPDATE;
	IF NOT FOUND THEN
		IF p_name = '' THEN
			RAISE EXCEPTION 'NAME_REQUIRED' USING ERRCODE = 'KA400';
		END IF;
		INSERT INTO stores (code, name, currency, timezone, negative_stock)
		VALUES (p_code, p_name, coalesce(nullif(p_currency, ''), 'CNY'),
			coalesce(nullif(p_timezone, ''), 'Asia/Shanghai'), coalesce(p_negative, true))
		ON CONFLICT (code) DO NOTHING
		RETURNING * INTO v_new;
		IF NOT FOUND THEN	-- made meanwhile by another request
			RAISE EXCEPTION 'STORE_EXISTS' USING ERRCODE = 'KA412';
		END IF;
		v_created := true;
	ELSE
		IF p_create THEN
			RAISE EXCEPTION 'STORE_EXISTS' USING ERRCODE = 'KA412';
		END IF;
		IF p_currency <> '' AND p_currency <> v_old.currency AND EXISTS (
			SELECT 1 FROM transactions WHERE store_id = v_old.store_id) THEN
			RAISE EXCEPTION 'CURRENCY_IN_USE' USING ERRCODE = 'KA412';
		END IF;
		UPDATE stores SET name = coalesce(nullif(p_name, ''), name),
			currency = coalesce(nullif(p_currency, ''), currency),
			timezone = coalesce(nullif(p_timezone, ''), timezone),
			negative_stock = coalesce(p_negative, negative_stock)
		WHERE store_id = v_old.store_id
		RETURNING * INTO v_new;
	END IF;
	INSERT INTO audit_log (audit_id, staff_id, till_id, action, subject, detail)
	VALUES (v_audit, p_staff_id, p_till_id, 'store.put', 'store:' || v_new.store_id,
		jsonb_build_object('created', v_created, 'code', v_new.code,
			'name', v_new.name, 'currency', v_new.currency, 'timezone', v_new.timezone,
			'negative_stock', v_new.negative_stock)
		|| CASE WHEN v_created THEN '{}'::jsonb ELSE jsonb_build_object('was',
			jsonb_build_object('name', v_old.name, 'currency', v_old.currency,
				'timezone', v_old.timezone, 'negative_stock', v_old.negative_stock))
		   END);
	RETURN QUERY SELECT v_new.store_id, v_new.code, v_new.name, v_new.currency::text,
		v_new.timezone, v_new.negative_stock, v_created;
END
$$;
