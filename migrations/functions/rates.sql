-- Exchange rates (tables exchange_rate_versions and exchange_rates,
-- 0010_till_checkout.sql): reading a version, and setting a new one
-- (server/loyalty/rates.c). A version is never changed once written, so
-- kassad caches versions in memory; the current one is the highest.

-- The rates of version p_version (0 = the current one): one row per
-- currency, ordered by code, or one row with a NULL currency when the
-- version holds none; no row when there is no such version (nor any).
CREATE FUNCTION kassa_rates_get(p_version integer)
RETURNS TABLE (r_version integer, r_created_at text, r_currency text, r_rate_micro bigint)
LANGUAGE sql STABLE AS $$
	SELECT v.version,
		to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		r.currency::text, r.rate_micro
	FROM exchange_rate_versions v
	LEFT JOIN exchange_rates r ON r.version = v.version
	WHERE v.version = CASE WHEN p_version > 0 THEN p_version
			       ELSE (SELECT max(version) FROM exchange_rate_versions) END
	ORDER BY r.currency
$$;

-- Replace the whole rate table by a new version holding p_currencies at
-- p_rates (checked by kassad: distinct ISO codes, positive rates), noted
-- p_note, by staff p_staff_id, exactly once per idempotency key (the key's
-- result is the version: a retry answers the same version). Audited as
-- 'rates.set'. Returns the version as kassa_rates_get() shows it.
CREATE FUNCTION kassa_rates_set(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_currencies text[], p_rates bigint[], p_note text)
RETURNS TABLE (r_version integer, r_created_at text, r_currency text, r_rate_micro bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_version	integer := nextval('exchange_rate_versions_version_seq');
	v_prev		bigint;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'rates_set', p_hash, v_version);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_rates_get(v_prev::integer);
		RETURN;
	END IF;
	IF cardinality(p_currencies) IS DISTINCT FROM cardinality(p_rates) THEN
		RAISE EXCEPTION 'BAD_RATES' USING ERRCODE = 'KA400';
	END IF;
	INSERT INTO exchange_rate_versions (version, staff_id, note)
	VALUES (v_version, p_staff_id, p_note);
	INSERT INTO exchange_rates (version, currency, rate_micro)
	SELECT v_version, u.c, u.r FROM unnest(p_currencies, p_rates) AS u(c, r);
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'rates.set', 'rates:' || v_version,
		jsonb_build_object('note', p_note, 'rates', (SELECT jsonb_object_agg(u.c, u.r)
			FROM unnest(p_currencies, p_rates) AS u(c, r))));
	RETURN QUERY SELECT * FROM kassa_rates_get(v_version);
END
$$;
