-- Member import: the rows of a CSV file that kassad read and checked
-- (server/members/import.c, import_csv.c; docs/care/merge.md), inserted in
-- one transaction.

-- Import the rows given as parallel arrays (p_lines: each row's line in the
-- file, for the answer), exactly once per idempotency key (kind
-- member_import, result id the member_imports row). First the rows whose
-- phone or card number is a member's already (merged and erased records
-- keep theirs) are found: r_taken_lines / r_taken_columns. Then:
--   p_dry_run            nothing written, no key claimed;
--   p_all_or_nothing     and kassad found problems (p_problems) or a row is
--                        taken: nothing written but the key's answer;
--   otherwise            every row not taken is inserted (an empty card
--                        number gets the next server card number; no
--                        registration coupon: an import brings existing
--                        customers), audited 'member.import' with counts.
-- A replay answers the first call's counts and taken rows.
-- Returns one row (replay?, imported, committed, taken lines, columns).
CREATE FUNCTION kassa_member_import(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_store_id bigint, p_dry_run boolean, p_all_or_nothing boolean,
	p_problems integer, p_rows integer, p_lines integer[], p_phones text[],
	p_names text[], p_cards text[], p_birthdays text[], p_genders smallint[],
	p_emails text[], p_addresses text[], p_channels smallint[], p_consents boolean[],
	p_tags text[], p_notes text[], p_languages text[])
RETURNS TABLE (r_replay boolean, r_imported integer, r_committed boolean,
	r_taken_lines integer[], r_taken_columns text[])
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('member_imports_import_id_seq');
	v_prev	bigint;
	v_lines	integer[];
	v_cols	text[];
	v_n	integer := 0;
	v_write	boolean;
BEGIN
	IF NOT p_dry_run THEN
		v_prev := kassa_idem_claim(p_till_id, p_key, 'member_import', p_hash, v_id);
		IF v_prev IS NOT NULL THEN
			RETURN QUERY SELECT true, i.imported, i.committed, i.taken_lines,
				i.taken_columns
			FROM member_imports i WHERE i.import_id = v_prev;
			RETURN;
		END IF;
	END IF;
	SELECT coalesce(array_agg(t.line ORDER BY t.line, t.col), '{}'),
	       coalesce(array_agg(t.col ORDER BY t.line, t.col), '{}')
	INTO v_lines, v_cols
	FROM (SELECT u.line, 'phone' AS col FROM unnest(p_lines, p_phones) AS u(line, phone)
	      WHERE EXISTS (SELECT 1 FROM members m WHERE m.phone = u.phone)
	      UNION ALL
	      SELECT u.line, 'card_no' FROM unnest(p_lines, p_cards) AS u(line, card)
	      WHERE u.card <> '' AND EXISTS (SELECT 1 FROM members m WHERE m.card_no = u.card)) t;
	v_write := NOT p_dry_run
		   AND NOT (p_all_or_nothing AND (p_problems > 0 OR cardinality(v_lines) > 0));
	IF v_write THEN
		INSERT INTO members (phone, card_no, name, birthday, gender, email, address,
			preferred_channel, marketing_consent, tags, notes, language,
			registered_by, registered_store)
		SELECT u.phone,
			CASE WHEN u.card = '' THEN 'K' || nextval('member_card_seq') ELSE u.card END,
			u.name, nullif(u.bday, '')::date, u.gender, u.email, u.address, u.channel,
			u.consent,
			CASE WHEN u.tags = '' THEN '{}'::text[]
			     ELSE ARRAY(SELECT btrim(x) FROM unnest(string_to_array(u.tags, ';')) x)
			END,
			u.notes, coalesce(nullif(u.lang, ''), 'zh_CN'),
			nullif(p_staff_id, 0), nullif(p_store_id, 0)
		FROM unnest(p_lines, p_phones, p_names, p_cards, p_birthdays, p_genders, p_emails,
			    p_addresses, p_channels, p_consents, p_tags, p_notes, p_languages)
			AS u(line, phone, name, card, bday, gender, email, address, channel,
			     consent, tags, notes, lang)
		WHERE u.line <> ALL(v_lines)
		ORDER BY u.line;
		GET DIAGNOSTICS v_n = ROW_COUNT;
		INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
		VALUES (nullif(p_staff_id, 0), p_till_id, 'member.import', 'import:' || v_id,
			jsonb_build_object('rows', p_rows, 'imported', v_n,
				'rejected', p_rows - v_n));
	END IF;
	IF NOT p_dry_run THEN
		INSERT INTO member_imports (import_id, staff_id, rows, imported, committed,
			taken_lines, taken_columns)
		VALUES (v_id, nullif(p_staff_id, 0), p_rows, v_n, v_write, v_lines, v_cols);
	END IF;
	RETURN QUERY SELECT false, v_n, v_write, v_lines, v_cols;
END
$$;
