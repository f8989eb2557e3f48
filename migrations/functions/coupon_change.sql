-- Changing a coupon definition (CouponDefChange,
-- server/loyalty/coupon_change.c): deactivate it, or edit it, which is a
-- new definition replacing the old (coupon_defs.replaced_by,
-- 0017_followups.sql). Deactivating stops new issues: no claim, no issue
-- by hand, no registration or birthday coupon of it; coupons already
-- issued stay usable until their own validity ends (kassa_coupon_problem
-- does not look at the definition's active flag), because a member who was
-- given a coupon expects it to work.

-- A configuration change marks a new rule version (the same rules), so a
-- sale's rule_version names the configuration it was priced with and
-- kassad's cached rule set is seen to be stale (ruleset_cache.c). Returns
-- the new version.
CREATE FUNCTION kassa_rules_bump(p_staff_id bigint, p_note text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_version	integer;
BEGIN
	LOCK TABLE rule_versions IN SHARE ROW EXCLUSIVE MODE;
	INSERT INTO rule_versions (version, staff_id, note, config)
	SELECT version + 1, p_staff_id, p_note, config
	FROM rule_versions ORDER BY version DESC LIMIT 1
	RETURNING version INTO v_version;
	RETURN v_version;
END
$$;

-- Insert definition p_id (kassad has checked every field; a free item's
-- SKU must name an active product, else KA404 UNKNOWN_PRODUCT) and mark a
-- new rule version. The one insert of CouponDefine and CouponDefChange.
-- Returns the rule version.
CREATE FUNCTION kassa_coupon_def_insert(p_id bigint, p_staff_id bigint, p_name text,
	p_kind text, p_value bigint, p_percent_bp integer, p_cap bigint, p_item_sku text,
	p_min_spend bigint, p_from date, p_to date, p_max_total integer, p_max_member integer,
	p_stackable boolean, p_issue_on text, p_claim_code text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_item	bigint;
BEGIN
	IF p_kind = 'free_item' THEN
		SELECT product_id INTO v_item FROM products WHERE sku = p_item_sku AND active;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'UNKNOWN_PRODUCT' USING ERRCODE = 'KA404';
		END IF;
	END IF;
	INSERT INTO coupon_defs (def_id, name, kind, value_minor, percent_bp, cap_minor,
		item_product_id, min_spend_minor, valid_from, valid_to, max_uses_total,
		max_uses_per_member, stackable, issue_on, claim_code)
	VALUES (p_id, p_name, p_kind, p_value, p_percent_bp, p_cap, v_item, p_min_spend,
		p_from, p_to, p_max_total, p_max_member, p_stackable, p_issue_on,
		nullif(p_claim_code, ''));
	RETURN kassa_rules_bump(p_staff_id, 'coupon definition ' || p_id);
END
$$;

-- Deactivate definition p_def_id (p_edit false; the other parameters are
-- ignored), or replace it by a new definition of the given fields (p_edit
-- true), which takes over its claim code if it keeps the same one; the old
-- is deactivated and names the new in replaced_by. One transaction,
-- exactly once per key (result_id: the new definition, or the old one when
-- only deactivated), audited 'coupon.deactivate' / 'coupon.edit'.
-- Deactivating an inactive definition again changes nothing. Refusals:
--   KA404 COUPON_DEF_NOT_FOUND, UNKNOWN_PRODUCT
--   KA412 COUPON_DEF_INACTIVE (an edit of an inactive or replaced one)
--   23505 on coupon_defs_claim_code_key: another definition has the code
-- Returns one row (old def_id, new def_id or 0).
CREATE FUNCTION kassa_coupon_def_change(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_def_id bigint, p_edit boolean, p_name text, p_kind text, p_value bigint,
	p_percent_bp integer, p_cap bigint, p_item_sku text, p_min_spend bigint, p_from date,
	p_to date, p_max_total integer, p_max_member integer, p_stackable boolean,
	p_issue_on text, p_claim_code text)
RETURNS TABLE (r_def_id bigint, r_new_def_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_new	bigint := CASE WHEN p_edit THEN nextval('coupon_defs_def_id_seq') ELSE p_def_id END;
	v_prev	bigint;
	v_d	coupon_defs;
	v_version	integer;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'coupon_def_change', p_hash, v_new);
	IF v_prev IS NOT NULL THEN
		IF p_edit THEN
			RETURN QUERY SELECT d.def_id, v_prev FROM coupon_defs d
			WHERE d.replaced_by = v_prev;
		ELSE
			RETURN QUERY SELECT v_prev, 0::bigint;
		END IF;
		RETURN;
	END IF;
	SELECT * INTO v_d FROM coupon_defs WHERE def_id = p_def_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'COUPON_DEF_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF NOT p_edit THEN
		IF v_d.active THEN
			UPDATE coupon_defs SET active = false WHERE def_id = p_def_id;
			v_version := kassa_rules_bump(p_staff_id,
				'coupon definition ' || p_def_id || ' deactivated');
			INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
			VALUES (p_staff_id, p_till_id, 'coupon.deactivate', 'coupon_def:' || p_def_id,
				jsonb_build_object('name', v_d.name, 'rule_version', v_version));
		END IF;
		RETURN QUERY SELECT p_def_id, 0::bigint;
		RETURN;
	END IF;
	IF NOT v_d.active THEN
		RAISE EXCEPTION 'COUPON_DEF_INACTIVE' USING ERRCODE = 'KA412';
	END IF;
	UPDATE coupon_defs SET active = false,
		claim_code = CASE WHEN claim_code = nullif(p_claim_code, '') THEN NULL
				  ELSE claim_code END
	WHERE def_id = p_def_id;
	v_version := kassa_coupon_def_insert(v_new, p_staff_id, p_name, p_kind, p_value,
		p_percent_bp, p_cap, p_item_sku, p_min_spend, p_from, p_to, p_max_total,
		p_max_member, p_stackable, p_issue_on, p_claim_code);
	UPDATE coupon_defs SET replaced_by = v_new WHERE def_id = p_def_id;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'coupon.edit', 'coupon_def:' || p_def_id,
		jsonb_build_object('replaced_by', v_new, 'name', p_name, 'kind', p_kind,
			'issue_on', p_issue_on, 'claim_code', p_claim_code,
			'rule_version', v_version));
	RETURN QUERY SELECT p_def_id, v_new;
END
$$;
