-- Coupons (tables coupon_defs and coupons, 0003_loyalty.sql): why one
-- cannot be used today, how kassad and the till see them, and new codes.

-- Why a member's coupon cannot be used today, or NULL when it can. The
-- per-member limit counts the member's other used coupons of the definition.
-- A deactivated definition issues no more coupons, but those issued stay
-- usable until their validity ends (coupon_change.sql).
CREATE FUNCTION kassa_coupon_problem(c coupons, d coupon_defs) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT CASE
			WHEN c.state = 'used' THEN 'COUPON_USED'
			WHEN c.state = 'void' THEN 'COUPON_INACTIVE'
			WHEN d.valid_from IS NOT NULL AND current_date < d.valid_from THEN 'COUPON_NOT_YET_VALID'
			WHEN d.valid_to IS NOT NULL AND current_date > d.valid_to THEN 'COUPON_EXPIRED'
			WHEN d.max_uses_total > 0 AND d.uses_total >= d.max_uses_total THEN 'COUPON_EXHAUSTED'
			WHEN d.max_uses_per_member > 0 AND (SELECT count(*) FROM coupons u
				WHERE u.def_id = d.def_id AND u.member_id = c.member_id AND u.state = 'used')
				>= d.max_uses_per_member THEN 'COUPON_MEMBER_LIMIT'
		END);
END
$$;

-- Why member p_member_id cannot claim a coupon of definition d (issued on
-- a claim code) now, or NULL when they can: inactive, outside its dates,
-- every use taken, or the member holding (issued or used) as many of its
-- coupons as max_uses_per_member allows. kassa_checkout() asks under the
-- member's row lock, so two sales claiming at once see each other.
CREATE FUNCTION kassa_claim_problem(d coupon_defs, p_member_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT CASE
			WHEN NOT d.active THEN 'COUPON_INACTIVE'
			WHEN d.valid_from IS NOT NULL AND current_date < d.valid_from THEN 'COUPON_NOT_YET_VALID'
			WHEN d.valid_to IS NOT NULL AND current_date > d.valid_to THEN 'COUPON_EXPIRED'
			WHEN d.max_uses_total > 0 AND d.uses_total >= d.max_uses_total THEN 'COUPON_EXHAUSTED'
			WHEN d.max_uses_per_member > 0 AND (SELECT count(*) FROM coupons u
				WHERE u.def_id = d.def_id AND u.member_id = p_member_id AND u.state <> 'void')
				>= d.max_uses_per_member THEN 'COUPON_ALREADY_CLAIMED'
		END);
END
$$;

-- One coupon as kassad and the till see it.
CREATE FUNCTION kassa_coupon_json(c coupons, d coupon_defs) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object('code', c.code, 'name', d.name,
			'kind', CASE d.kind WHEN 'fixed' THEN 1 WHEN 'percent' THEN 2 ELSE 3 END,
			'value', d.value_minor, 'percent_bp', d.percent_bp, 'cap', d.cap_minor,
			'min_spend', d.min_spend_minor, 'item_product_id', coalesce(d.item_product_id, 0),
			'item_sku', coalesce((SELECT sku FROM products p WHERE p.product_id = d.item_product_id), ''),
			'valid_to', coalesce(to_char(d.valid_to, 'YYYY-MM-DD'), ''),
			'stackable', d.stackable,
			'problem', coalesce(kassa_coupon_problem(c, d), '')));
END
$$;

-- The coupons a member can use today, soonest to expire first.
CREATE FUNCTION kassa_member_coupons_json(p_member_id bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT coalesce(json_agg(kassa_coupon_json(c, d) ORDER BY d.valid_to NULLS LAST, c.coupon_id), '[]')
		FROM coupons c JOIN coupon_defs d USING (def_id)
		WHERE c.member_id = p_member_id AND c.state = 'issued'
		  AND kassa_coupon_problem(c, d) IS NULL);
END
$$;

-- One coupon as the till shows it (kassa_coupon_json), as text.
CREATE FUNCTION kassa_coupon_issued_json(p_member_id bigint, p_coupon_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT kassa_coupon_json(c, d)::text
		FROM coupons c JOIN coupon_defs d USING (def_id)
		WHERE c.member_id = p_member_id AND c.coupon_id = p_coupon_id);
END
$$;

-- A fresh coupon code: 'C' and 11 characters of an alphabet of 32 (no 0, O,
-- 1 or I, which people misread), 55 random bits from gen_random_uuid()
-- (PostgreSQL's strong random source). Bytes 6 and 8 of a version 4 UUID
-- carry its version and variant bits, so they are skipped.
CREATE FUNCTION kassa_coupon_code() RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT 'C' || string_agg(substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
				       get_byte(b, i) % 32 + 1, 1), '' ORDER BY k)
	FROM (SELECT uuid_send(gen_random_uuid()) AS b) u,
	     unnest(ARRAY[0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12]) WITH ORDINALITY AS x(i, k)
$$;

-- Give member p_member_id one coupon of definition p_def_id (coupon id
-- p_coupon_id, or the next one when NULL); returns the coupon id. A code
-- that is taken already (2^55 codes: rare) is drawn again.
CREATE FUNCTION kassa_coupon_new(p_member_id bigint, p_def_id bigint, p_coupon_id bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := coalesce(p_coupon_id, nextval('coupons_coupon_id_seq'));
	v_tries	integer := 0;
BEGIN
	LOOP
		BEGIN
			INSERT INTO coupons (member_id, coupon_id, def_id, code)
			VALUES (p_member_id, v_id, p_def_id, kassa_coupon_code());
			RETURN v_id;
		EXCEPTION WHEN unique_violation THEN
			v_tries := v_tries + 1;
			IF v_tries >= 8 THEN
				RAISE;
			END IF;
		END;
	END LOOP;
END
$$;
