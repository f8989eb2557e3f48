-- Configuration through the protocol: a new rule-set version, coupon
-- definitions, coupons issued by hand or claimed with a code, and a tier set
-- by a manager (the coupons a new member gets at registration:
-- kassa_member_register, members.sql). Each is one function kassad calls as
-- one prepared statement, exactly once per idempotency key (a replay
-- answers from the rows the first call wrote), and each writes its
-- audit_log row in the same transaction.
--
-- Errors (the message is the machine detail the till sees):
--   KA400 UNKNOWN_TIER         the tier is not in the rule set in force
--   KA404 MEMBER_NOT_FOUND / COUPON_DEF_NOT_FOUND / CLAIM_CODE_NOT_FOUND / UNKNOWN_PRODUCT
--   KA409 IDEMPOTENCY_KEY_REUSED
--   KA412 COUPON_INACTIVE / COUPON_NOT_YET_VALID / COUPON_EXPIRED / COUPON_EXHAUSTED
--         / COUPON_ALREADY_CLAIMED
-- A claim code another definition has is the unique violation of
-- coupon_defs_claim_code_key (kassad answers ALREADY_EXISTS CLAIM_CODE_TAKEN).

-- One rule-set version as RuleSetInfo carries it (NULL: the newest).
CREATE FUNCTION kassa_rules_info(p_version integer)
RETURNS TABLE (o_version integer, o_config text, o_created_at text, o_staff_id bigint,
	       o_note text)
LANGUAGE sql STABLE AS $$
	SELECT r.version, r.config::text,
		to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		coalesce(r.staff_id, 0), r.note
	FROM rule_versions r
	WHERE r.version = coalesce(p_version, (SELECT max(version) FROM rule_versions))
$$;

-- Save a new rule-set version (kassad has checked the document with
-- ruleset_parse()). The table lock serializes savers: each reads the newest
-- version only once it holds the lock, so concurrent saves get consecutive
-- versions, never the same one. SHARE ROW EXCLUSIVE does not block readers:
-- checkouts go on reading the version in force meanwhile.
CREATE FUNCTION kassa_rules_put(p_till_id bigint, p_staff_id bigint, p_key text, p_hash bytea,
	p_config text, p_note text)
RETURNS TABLE (o_version integer, o_config text, o_created_at text, o_staff_id bigint,
	       o_note text)
LANGUAGE plpgsql AS $$
DECLARE
	v_prev		bigint;
	v_last		integer;
BEGIN
	LOCK TABLE rule_versions IN SHARE ROW EXCLUSIVE MODE;
	SELECT coalesce(max(version), 0) INTO v_last FROM rule_versions;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'rules', p_hash, v_last + 1);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_rules_info(v_prev::integer);
		RETURN;
	END IF;
	INSERT INTO rule_versions (version, staff_id, note, config)
	VALUES (v_last + 1, p_staff_id, p_note, p_config::jsonb);
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'rules.set', 'rules:' || (v_last + 1),
		jsonb_build_object('note', p_note, 'previous', v_last));
	RETURN QUERY SELECT * FROM kassa_rules_info(v_last + 1);
END
$$;

-- Define a coupon (kassad has checked every field). Returns the def_id.
CREATE FUNCTION kassa_coupon_define(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_name text, p_kind text, p_value bigint, p_percent_bp integer,
	p_cap bigint, p_item_sku text, p_min_spend bigint, p_from date, p_to date,
	p_max_total integer, p_max_member integer, p_stackable boolean, p_issue_on text,
	p_claim_code text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('coupon_defs_def_id_seq');
	v_prev	bigint;
	v_version	integer;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'coupon_define', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN v_prev;
	END IF;
	-- the insert and the new rule version marking it (coupon_change.sql)
	v_version := kassa_coupon_def_insert(v_id, p_staff_id, p_name, p_kind, p_value,
		p_percent_bp, p_cap, p_item_sku, p_min_spend, p_from, p_to, p_max_total,
		p_max_member, p_stackable, p_issue_on, p_claim_code);
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'coupon.define', 'coupon_def:' || v_id,
		jsonb_build_object('name', p_name, 'kind', p_kind, 'issue_on', p_issue_on,
				   'claim_code', p_claim_code, 'rule_version', v_version));
	RETURN v_id;
END
$$;

-- Issue a coupon to a member: of definition p_def_id (> 0; kassad lets only
-- managers and admins), or of the definition whose claim code the member
-- brought (p_claim_code, upper case; any store staff). A claim must be for
-- an active 'code' definition valid today, not used up, and the member may
-- hold at most max_uses_per_member coupons of it (0: no limit). The
-- member's row lock serializes one member's claims. Returns the coupon as
-- kassa_coupon_json() shows it.
CREATE FUNCTION kassa_coupon_issue(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_member_id bigint, p_def_id bigint, p_claim_code text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('coupons_coupon_id_seq');
	v_prev	bigint;
	v_d	coupon_defs;
	v_held	integer;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'coupon_issue', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN kassa_coupon_issued_json(p_member_id, v_prev);
	END IF;
	PERFORM 1 FROM members WHERE member_id = p_member_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF p_def_id > 0 THEN
		SELECT * INTO v_d FROM coupon_defs WHERE def_id = p_def_id;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'COUPON_DEF_NOT_FOUND' USING ERRCODE = 'KA404';
		END IF;
	ELSE
		SELECT * INTO v_d FROM coupon_defs
		WHERE claim_code = p_claim_code AND issue_on = 'code';
		IF NOT FOUND THEN
			RAISE EXCEPTION 'CLAIM_CODE_NOT_FOUND' USING ERRCODE = 'KA404';
		END IF;
		IF v_d.valid_from IS NOT NULL AND current_date < v_d.valid_from THEN
			RAISE EXCEPTION 'COUPON_NOT_YET_VALID' USING ERRCODE = 'KA412';
		END IF;
		IF v_d.max_uses_total > 0 AND v_d.uses_total >= v_d.max_uses_total THEN
			RAISE EXCEPTION 'COUPON_EXHAUSTED' USING ERRCODE = 'KA412';
		END IF;
	END IF;
	-- a manager may hand out a coupon before its first day, but not a dead one
	IF NOT v_d.active THEN
		RAISE EXCEPTION 'COUPON_INACTIVE' USING ERRCODE = 'KA412';
	END IF;
	IF v_d.valid_to IS NOT NULL AND current_date > v_d.valid_to THEN
		RAISE EXCEPTION 'COUPON_EXPIRED' USING ERRCODE = 'KA412';
	END IF;
	IF p_def_id <= 0 AND v_d.max_uses_per_member > 0 THEN
		SELECT count(*) INTO v_held FROM coupons
		WHERE def_id = v_d.def_id AND member_id = p_member_id AND state <> 'void';
		IF v_held >= v_d.max_uses_per_member THEN
			RAISE EXCEPTION 'COUPON_ALREADY_CLAIMED' USING ERRCODE = 'KA412';
		END IF;
	END IF;
	PERFORM kassa_coupon_new(p_member_id, v_d.def_id, v_id);
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'coupon.issue', 'member:' || p_member_id,
		jsonb_build_object('def_id', v_d.def_id, 'coupon_id', v_id,
			'code', (SELECT code FROM coupons
				 WHERE member_id = p_member_id AND coupon_id = v_id),
			'by', CASE WHEN p_def_id > 0 THEN 'def_id' ELSE 'claim_code' END));
	RETURN kassa_coupon_issued_json(p_member_id, v_id);
END
$$;

-- Set a member's tier by hand, marked manual (the re-evaluation job
-- leaves it alone), audited with the reason. kassad has checked p_tier
-- against its parsed copy of rule set p_version (loyalty_config_tier.c);
-- that version must still be the one in force (else STALE_RULES, and
-- kassad reloads it and asks again). Returns the member as
-- kassa_member_json() shows it.
CREATE FUNCTION kassa_tier_set(p_till_id bigint, p_staff_id bigint, p_key text, p_hash bytea,
	p_member_id bigint, p_tier text, p_reason text, p_version integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_prev	bigint;
	v_from	text;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'tier_set', p_hash, p_member_id);
	IF v_prev IS NOT NULL THEN
		RETURN kassa_member_json(v_prev);
	END IF;
	SELECT tier INTO v_from FROM members WHERE member_id = p_member_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF p_version IS DISTINCT FROM (SELECT max(version) FROM rule_versions) THEN
		RAISE EXCEPTION 'STALE_RULES' USING ERRCODE = 'KA409';
	END IF;
	UPDATE members SET tier = p_tier, tier_manual = true, tier_since = now(), updated_at = now()
	WHERE member_id = p_member_id;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'tier.set', 'member:' || p_member_id,
		jsonb_build_object('from', v_from, 'to', p_tier, 'reason', p_reason));
	RETURN kassa_member_json(p_member_id);
END
$$;
