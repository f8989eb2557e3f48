-- Messages to members (care/messages, docs/care/messages.md): the
-- versioned templates (server/crm/template.c) and the one function that
-- queues a message to a member in the outbox, in the transaction that
-- decides to send it (the birthday coupon job's, a campaign's launch).
-- The sender (server/crm/outbox.c) renders the text at delivery.

-- Queue one message to member p_member from template p_template for
-- p_purpose ('service' or 'marketing'), with p_vars (placeholder values
-- the member row does not have, e.g. {"coupon": "B...", "coupon_value":
-- "¥20.00", "valid_to": "2026-12-31"}) and p_campaign (campaigns, or NULL),
-- in the caller's transaction. The choice, all of it here because the
-- birthday job and the campaigns run in SQL:
--   - the member must exist and be neither erased nor merged into another;
--   - 'marketing' needs marketing_consent (the sender checks it again at
--     delivery; a MemberUpdate withdrawing it cancels the pending rows);
--   - the channel is the member's preferred_channel, and only that one
--     (0, none given: nothing is sent); e-mail also needs an address;
--   - the endpoint is the first active one, by name, taking that channel;
--   - the language is the member's, or zh_CN when the template has no
--     version in it; the version the newest one.
-- Returns the outbox_id, or NULL when nothing is queued.
CREATE FUNCTION kassa_outbox_message(p_member bigint, p_template text, p_purpose text,
	p_vars jsonb, p_campaign bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_m		record;
	v_endpoint	text;
	v_t		record;
	v_id		bigint;
BEGIN
	IF p_purpose IS NULL OR p_purpose NOT IN ('service', 'marketing') THEN
		RAISE EXCEPTION 'BAD_PURPOSE' USING ERRCODE = 'KA400';
	END IF;
	SELECT m.preferred_channel, m.marketing_consent, m.language, m.email, m.erased_at,
		m.merged_into
	INTO v_m FROM members m WHERE m.member_id = p_member;
	IF NOT FOUND OR v_m.erased_at IS NOT NULL OR v_m.merged_into IS NOT NULL THEN
		RETURN NULL;
	END IF;
	IF p_purpose = 'marketing' AND NOT v_m.marketing_consent THEN
		RETURN NULL;
	END IF;
	IF v_m.preferred_channel NOT BETWEEN 1 AND 3
	   OR (v_m.preferred_channel = 2 AND v_m.email = '') THEN
		RETURN NULL;
	END IF;
	SELECT e.name INTO v_endpoint FROM endpoints e
	WHERE e.active AND v_m.preferred_channel = ANY (e.channels)
	ORDER BY e.name LIMIT 1;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	SELECT t.language, t.version INTO v_t FROM message_templates t
	WHERE t.name = p_template AND t.language IN (v_m.language, 'zh_CN')
	ORDER BY t.language = v_m.language DESC, t.version DESC LIMIT 1;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	INSERT INTO outbox (endpoint, kind, member_id, channel, purpose, template, language,
		template_version, vars, campaign_id)
	VALUES (v_endpoint, 'message', p_member, v_m.preferred_channel, p_purpose, p_template,
		v_t.language, v_t.version, coalesce(p_vars, '{}'), p_campaign)
	RETURNING outbox_id INTO v_id;
	RETURN v_id;
END
$$;

-- Cancel member p_member's marketing messages that are not out yet
-- (pending, or claimed by the sender and not accepted): the member
-- withdrew consent. In the caller's transaction (kassa_member_update).
-- Returns how many were cancelled.
CREATE FUNCTION kassa_outbox_cancel_marketing(p_member bigint, p_reason text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_n	integer;
BEGIN
	UPDATE outbox SET state = 'cancelled', last_error = p_reason, lease_until = NULL
	WHERE member_id = p_member AND kind = 'message' AND purpose = 'marketing'
	  AND state IN ('pending', 'sending');
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- What a birthday coupon is worth, as the greeting says it: a fixed amount
-- in the member's currency ("¥20.00", "USD 20.00"), a percentage ("15%",
-- "12.5%"), or the free item's name.
CREATE FUNCTION kassa_coupon_value_text(p_def_id bigint, p_currency text)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE d.kind
		WHEN 'fixed' THEN
			CASE WHEN p_currency = 'CNY' THEN '¥' ELSE p_currency || ' ' END ||
			to_char(d.value_minor / 100.0, 'FM999999999990.00')
		WHEN 'percent' THEN
			rtrim(rtrim(to_char(d.percent_bp / 100.0, 'FM9990.00'), '0'), '.') || '%'
		ELSE coalesce((SELECT p.name FROM products p
			       WHERE p.product_id = d.item_product_id), '')
	END
	FROM coupon_defs d WHERE d.def_id = p_def_id
$$;

-- Store a new version of template (p_name, p_language), exactly once per
-- idempotency key (kassa_idem_claim; result_id is the template_id), with
-- its audit row. kassad has checked the name, language, lengths and that
-- subject and body render with the known placeholders. Versions of one
-- name and language are numbered 1, 2, ... under a transaction lock.
-- Returns the stored version (replay?, name, language, version, subject, body).
CREATE FUNCTION kassa_template_put(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_name text, p_language text, p_subject text, p_body text)
RETURNS TABLE (r_replay boolean, r_name text, r_language text, r_version integer,
	r_subject text, r_body text)
LANGUAGE plpgsql AS $$
DECLARE
	v_id		bigint := nextval('message_templates_template_id_seq');
	v_prev		bigint;
	v_version	integer;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'template_put', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT true, t.name, t.language, t.version, t.subject, t.body
		FROM message_templates t WHERE t.template_id = v_prev;
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('message_template:' || p_name || '/' || p_language));
	SELECT coalesce(max(t.version), 0) + 1 INTO v_version FROM message_templates t
	WHERE t.name = p_name AND t.language = p_language;
	INSERT INTO message_templates (template_id, name, language, version, subject, body,
		created_by)
	VALUES (v_id, p_name, p_language, v_version, p_subject, p_body, nullif(p_staff_id, 0));
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (nullif(p_staff_id, 0), p_till_id, 'template.put',
		'template:' || p_name || '/' || p_language,
		jsonb_build_object('version', v_version, 'subject', p_subject,
			'body_chars', char_length(p_body)));
	RETURN QUERY SELECT false, p_name, p_language, v_version, p_subject, p_body;
END
$$;

-- The newest version of every template, by name and language, with the
-- first 60 characters of its body (an ellipsis when there is more).
CREATE FUNCTION kassa_template_list()
RETURNS TABLE (r_name text, r_language text, r_version integer, r_subject text,
	r_preview text, r_created_at text)
LANGUAGE sql STABLE AS $$
	SELECT DISTINCT ON (t.name, t.language) t.name, t.language, t.version, t.subject,
		CASE WHEN char_length(t.body) > 60 THEN left(t.body, 60) || '…' ELSE t.body END,
		to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
	FROM message_templates t
	ORDER BY t.name, t.language, t.version DESC
$$;
