-- Members: registration, and a member as a till sees it.

-- Register a member exactly once per idempotency key. Phone and card
-- uniqueness come from the unique indexes (kassad maps 23505 to
-- ALREADY_EXISTS); an empty card number gets the next server card number.
-- The new member then gets one coupon of every active 'registration'
-- definition valid today and not used up (the first-order coupon). A replay
-- returns before the INSERT, so it never issues twice. The member
-- remembers who signed them up and where (p_staff_id, p_store_id: the
-- session's staff and store; the staff report's sign-ups), NULL when not
-- given. p_language is the language of the member's messages ('zh_CN' or
-- 'en'; kassad has checked it); consent_changed_at starts now.
CREATE FUNCTION kassa_member_register(
	p_till_id bigint, p_key text, p_hash bytea,
	p_name text, p_phone text, p_card_no text, p_birthday date, p_gender smallint,
	p_email text, p_address text, p_channel smallint, p_consent boolean,
	p_tags text[], p_notes text, p_staff_id bigint DEFAULT NULL,
	p_store_id bigint DEFAULT NULL, p_language text DEFAULT 'zh_CN')
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('members_member_id_seq');
	v_prev	bigint;
	v_def	record;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'member_register', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN v_prev;
	END IF;
	INSERT INTO members (member_id, phone, card_no, name, birthday, gender, email, address,
		preferred_channel, marketing_consent, tags, notes, registered_by, registered_store,
		language, consent_changed_at)
	VALUES (v_id, p_phone,
		CASE WHEN p_card_no = '' THEN 'K' || nextval('member_card_seq') ELSE p_card_no END,
		p_name, p_birthday, p_gender, p_email, p_address, p_channel, p_consent,
		p_tags, p_notes, nullif(p_staff_id, 0), nullif(p_store_id, 0),
		coalesce(nullif(p_language, ''), 'zh_CN'), now());
	FOR v_def IN SELECT def_id FROM coupon_defs
		WHERE active AND issue_on = 'registration'
		  AND (valid_from IS NULL OR valid_from <= current_date)
		  AND (valid_to IS NULL OR valid_to >= current_date)
		  AND (max_uses_total = 0 OR uses_total < max_uses_total)
		ORDER BY def_id
	LOOP
		PERFORM kassa_coupon_new(v_id, v_def.def_id, NULL);
	END LOOP;
	RETURN v_id;
END
$$;

-- MemberUpdate: replace the fields named in p_fields (MemberRegister's
-- field names; kassad has checked the names and the values) of member
-- p_member_id, and return the row (none: no such member). When the update
-- withdraws marketing consent (true to false), the member's marketing
-- messages not yet delivered are cancelled in the same transaction
-- (state 'cancelled', last_error 'consent withdrawn'): an opt-out is
-- honoured at once. consent_changed_at records when consent last changed.
CREATE FUNCTION kassa_member_update(p_member_id bigint, p_fields text[], p_name text,
	p_phone text, p_card_no text, p_birthday date, p_gender smallint, p_email text,
	p_address text, p_channel smallint, p_consent boolean, p_tags text[], p_notes text,
	p_language text)
RETURNS SETOF members LANGUAGE plpgsql AS $$
DECLARE
	v_old	boolean;
	v_row	members;
BEGIN
	SELECT m.marketing_consent INTO v_old FROM members m WHERE m.member_id = p_member_id
	FOR UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	UPDATE members SET
		name = CASE WHEN 'name' = ANY (p_fields) THEN p_name ELSE name END,
		phone = CASE WHEN 'phone' = ANY (p_fields) THEN p_phone ELSE phone END,
		card_no = CASE WHEN 'card_no' = ANY (p_fields) THEN p_card_no ELSE card_no END,
		birthday = CASE WHEN 'birthday' = ANY (p_fields) THEN p_birthday ELSE birthday END,
		gender = CASE WHEN 'gender' = ANY (p_fields) THEN p_gender ELSE gender END,
		email = CASE WHEN 'email' = ANY (p_fields) THEN p_email ELSE email END,
		address = CASE WHEN 'address' = ANY (p_fields) THEN p_address ELSE address END,
		preferred_channel = CASE WHEN 'preferred_channel' = ANY (p_fields) THEN p_channel
			ELSE preferred_channel END,
		marketing_consent = CASE WHEN 'marketing_consent' = ANY (p_fields) THEN p_consent
			ELSE marketing_consent END,
		consent_changed_at = CASE WHEN 'marketing_consent' = ANY (p_fields)
			AND p_consent IS DISTINCT FROM v_old THEN now() ELSE consent_changed_at END,
		tags = CASE WHEN 'tags' = ANY (p_fields) THEN p_tags ELSE tags END,
		notes = CASE WHEN 'notes' = ANY (p_fields) THEN p_notes ELSE notes END,
		language = CASE WHEN 'language' = ANY (p_fields) THEN p_language ELSE language END,
		updated_at = now()
	WHERE member_id = p_member_id
	RETURNING * INTO v_row;
	IF v_old AND NOT v_row.marketing_consent THEN
		PERFORM kassa_outbox_cancel_marketing(p_member_id, 'consent withdrawn');
	END IF;
	RETURN NEXT v_row;
END
$$;

-- What a till shows next to a member it looked up, besides the member's
-- own columns: the stored value, the coupons usable today and the version
-- of the rule set in force. kassad takes the tier's discount and the
-- points redeemable from its parsed copy of that version (member.c,
-- loyalty_config_tier.c): SQL never reads the rule-set document.
CREATE FUNCTION kassa_member_loyalty_json(p_member_id bigint)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'rule_version', (SELECT max(version) FROM rule_versions),
		'wallet', coalesce((SELECT balance_minor FROM wallets w
				    WHERE w.member_id = p_member_id), 0),
		'coupons', kassa_member_coupons_json(p_member_id))::text
$$;

-- A member as a single-member answer carries it (member.c's columns and
-- kassa_member_loyalty_json()), as one JSON text.
CREATE FUNCTION kassa_member_json(p_member_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (
		SELECT json_build_object('member_id', m.member_id, 'name', m.name, 'phone', m.phone,
			'card_no', m.card_no, 'birthday', coalesce(to_char(m.birthday, 'YYYY-MM-DD'), ''),
			'gender', m.gender, 'email', m.email, 'address', m.address,
			'preferred_channel', m.preferred_channel,
			'marketing_consent', m.marketing_consent, 'tags', m.tags, 'notes', m.notes,
			'points_balance', m.points_balance, 'cumulative_spend', m.cumulative_spend_minor,
			'currency', m.currency, 'tier', m.tier,
			'created_at', to_char(m.created_at AT TIME ZONE 'UTC',
					      'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
			'loyalty', kassa_member_loyalty_json(m.member_id)::json)::text
		FROM members m WHERE m.member_id = p_member_id);
END
$$;
