-- Member data rights (PIPL / GDPR): the export of everything stored about
-- one member, and the erasure that anonymises them while the money trail
-- stays under their id (the tombstone). Called by server/members/rights.c;
-- docs/office.md "Member data rights" describes both for operators.
--   KA400 BAD_REASON / REASON_NAMES_MEMBER   KA404 MEMBER_NOT_FOUND
--   KA409 IDEMPOTENCY_KEY_REUSED (kassa_idem_claim)

-- One member's data as a JSON document, each list newest first and at
-- most p_limit long, with the number of rows it has in all (key
-- "<list>_total"): the member row with their consents, points ledger,
-- lots and lot moves, coupons, birthday coupons, stored value and its
-- ledger, sales and top-ups with their lines and tenders, refunds with
-- their lines and tenders, feedback, the RFM scores and portrait, and the
-- audit rows about the member or their sales. Segments store filters, not
-- members: membership is not stored and so not exported.
CREATE FUNCTION kassa_member_data_json(p_member_id bigint, p_limit integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	WITH txns AS (
		SELECT t.* FROM transactions t WHERE t.member_id = p_member_id
		ORDER BY t.created_at DESC, t.txn_id DESC LIMIT p_limit),
	refs AS (
		SELECT r.* FROM refunds r WHERE r.member_id = p_member_id
		ORDER BY r.created_at DESC, r.refund_id DESC LIMIT p_limit)
	SELECT jsonb_build_object(
		'format', 'kassa.member_data.v1',
		'member_id', m.member_id,
		'exported_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'limit', p_limit,
		'member', to_jsonb(m),
		'consents', jsonb_build_object('marketing_consent', m.marketing_consent,
			'preferred_channel', m.preferred_channel),
		'points_ledger', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]') FROM (
			SELECT * FROM points_ledger l WHERE l.member_id = p_member_id
			ORDER BY l.entry_id DESC LIMIT p_limit) x),
		'points_ledger_total', (SELECT count(*) FROM points_ledger l
			WHERE l.member_id = p_member_id),
		'points_lots', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]') FROM (
			SELECT * FROM points_lots l WHERE l.member_id = p_member_id
			ORDER BY l.lot_id DESC LIMIT p_limit) x),
		'points_lots_total', (SELECT count(*) FROM points_lots l
			WHERE l.member_id = p_member_id),
		'points_lot_moves', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]') FROM (
			SELECT * FROM points_lot_moves l WHERE l.member_id = p_member_id
			ORDER BY l.entry_id DESC, l.lot_id DESC LIMIT p_limit) x),
		'points_lot_moves_total', (SELECT count(*) FROM points_lot_moves l
			WHERE l.member_id = p_member_id),
		'coupons', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]') FROM (
			SELECT c.*, d.name AS def_name, d.kind AS def_kind FROM coupons c
			JOIN coupon_defs d USING (def_id) WHERE c.member_id = p_member_id
			ORDER BY c.coupon_id DESC LIMIT p_limit) x),
		'coupons_total', (SELECT count(*) FROM coupons c WHERE c.member_id = p_member_id),
		'birthday_coupons', (SELECT coalesce(jsonb_agg(to_jsonb(b)), '[]')
			FROM birthday_coupons b WHERE b.member_id = p_member_id),
		'wallet', (SELECT to_jsonb(w) FROM wallets w WHERE w.member_id = p_member_id),
		'wallet_ledger', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]') FROM (
			SELECT * FROM wallet_ledger l WHERE l.member_id = p_member_id
			ORDER BY l.entry_id DESC LIMIT p_limit) x),
		'wallet_ledger_total', (SELECT count(*) FROM wallet_ledger l
			WHERE l.member_id = p_member_id),
		'transactions', (SELECT coalesce(jsonb_agg(to_jsonb(t) || jsonb_build_object(
				'lines', (SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.line_no), '[]')
					  FROM transaction_lines l WHERE l.txn_id = t.txn_id),
				'tenders', (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.tender_no),
					    '[]') FROM tenders d WHERE d.txn_id = t.txn_id))
			ORDER BY t.created_at DESC, t.txn_id DESC), '[]') FROM txns t),
		'transactions_total', (SELECT count(*) FROM transactions t
			WHERE t.member_id = p_member_id),
		'refunds', (SELECT coalesce(jsonb_agg(to_jsonb(r) || jsonb_build_object(
				'lines', (SELECT coalesce(jsonb_agg(to_jsonb(l)), '[]')
					  FROM refund_lines l WHERE l.refund_id = r.refund_id),
				'tenders', (SELECT coalesce(jsonb_agg(to_jsonb(d)), '[]')
					    FROM refund_tenders d WHERE d.refund_id = r.refund_id))
			ORDER BY r.created_at DESC, r.refund_id DESC), '[]') FROM refs r),
		'refunds_total', (SELECT count(*) FROM refunds r WHERE r.member_id = p_member_id),
		'feedback', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]') FROM (
			SELECT * FROM feedback f WHERE f.member_id = p_member_id
			ORDER BY f.created_at DESC, f.feedback_id DESC LIMIT p_limit) x),
		'feedback_total', (SELECT count(*) FROM feedback f WHERE f.member_id = p_member_id),
		'member_stats', (SELECT to_jsonb(s) FROM member_stats s
			WHERE s.member_id = p_member_id),
		'rfm_portrait', kassa_member_stats_json(p_member_id)::jsonb,
		'audit', (SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]') FROM (
			SELECT a.audit_id, a.at, a.staff_id, a.till_id, a.action, a.subject, a.detail
			FROM audit_log a WHERE a.subject = 'member:' || p_member_id
			   OR a.subject IN (SELECT 'txn:' || t.txn_id FROM txns t)
			ORDER BY a.audit_id DESC LIMIT p_limit) x))
	FROM members m WHERE m.member_id = p_member_id
$$;

-- Export member p_member_id for staff p_staff_id at till p_till_id: the
-- document of kassa_member_data_json() with lists of at most p_limit rows,
-- halved until the text fits in p_max_bytes (down to one row per list),
-- and one audit row 'member.export' in the same transaction saying who
-- exported it and how many rows each list held. Returns the document's
-- text; KA404 MEMBER_NOT_FOUND for an unknown member. An erased member is
-- exported too (what remains of them: the tombstone).
CREATE FUNCTION kassa_member_export_json(p_till_id bigint, p_staff_id bigint,
	p_member_id bigint, p_limit integer, p_max_bytes integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_limit	integer := greatest(p_limit, 1);
	v_doc	jsonb;
	v_text	text;
BEGIN
	LOOP
		v_doc := kassa_member_data_json(p_member_id, v_limit);
		IF v_doc IS NULL THEN
			RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
		END IF;
		v_text := v_doc::text;
		EXIT WHEN octet_length(v_text) <= p_max_bytes OR v_limit = 1;
		v_limit := v_limit / 2;
	END LOOP;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (nullif(p_staff_id, 0), p_till_id, 'member.export', 'member:' || p_member_id,
		jsonb_build_object('limit', v_limit, 'bytes', octet_length(v_text),
			'transactions', v_doc->'transactions_total',
			'truncated', (v_doc->>'transactions_total')::bigint > v_limit
				OR (v_doc->>'points_ledger_total')::bigint > v_limit
				OR (v_doc->>'wallet_ledger_total')::bigint > v_limit));
	RETURN v_text;
END
$$;

-- s with every occurrence of each of p_values (case-insensitive, empty
-- ones skipped) replaced by '[erased]'.
CREATE FUNCTION kassa_scrub_text(s text, p_values text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v	text;
BEGIN
	FOREACH v IN ARRAY p_values LOOP
		IF v <> '' THEN
			s := regexp_replace(s, regexp_replace(v, '([^[:alnum:] ])', '\\\1', 'g'),
					    '[erased]', 'gi');
		END IF;
	END LOOP;
	RETURN s;
END
$$;

-- Does s hold any of p_values (case-insensitive; empty ones never match)?
CREATE FUNCTION kassa_text_names(s text, p_values text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT EXISTS (SELECT 1 FROM unnest(p_values) v
		       WHERE v <> '' AND strpos(lower(s), lower(v)) > 0)
$$;

-- b with every occurrence of the bytes of each of p_values overwritten by
-- as many '0' bytes: the length stays, so a packed filter stays a valid
-- message (segments.filter), while the value is gone.
CREATE FUNCTION kassa_scrub_bytea(b bytea, p_values text[]) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v	text;
	v_b	bytea;
	v_at	integer;
BEGIN
	FOREACH v IN ARRAY p_values LOOP
		CONTINUE WHEN v = '';
		v_b := convert_to(v, 'UTF8');
		LOOP
			v_at := position(v_b IN b);
			EXIT WHEN v_at = 0;
			b := overlay(b PLACING convert_to(repeat('0', length(v_b)), 'UTF8')
				     FROM v_at FOR length(v_b));
		END LOOP;
	END LOOP;
	RETURN b;
END
$$;

-- The forms a member's personal values may be stored in elsewhere: the
-- phone in E.164 (+8613912345678), without '+', and national (for +86,
-- 13912345678), the card number, the e-mail and the name. A name of fewer
-- than 4 ASCII characters ("Li", "Bo") is left out: it is a part of too
-- many words ("client") to be looked for in free text; a name with other
-- characters (张三) is always in.
CREATE FUNCTION kassa_member_personal_values(m members) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT array_remove(ARRAY[m.phone, substr(m.phone, 2),
		CASE WHEN m.phone LIKE '+86%' THEN substr(m.phone, 4) END,
		CASE WHEN m.phone LIKE '+1%' THEN substr(m.phone, 3) END,
		m.card_no, nullif(m.email, ''),
		CASE WHEN char_length(m.name) >= 4 OR m.name ~ '[^\x01-\x7f]' THEN m.name END],
		NULL)
$$;

-- Customer care's rows of member p_member_id emptied of personal data, for
-- kassa_member_erase (after the member row's update, which wrote the
-- member.erased event): their messages not sent yet are cancelled and
-- every outbox row's vars emptied (an event row stays queued: it carries
-- the scrubbed event, so a receiver still sees member_seq without gaps and
-- then member.erased); their events' data keeps only ids, amounts and
-- kinds (kassa_feed_scrub); complaint descriptions become '[erased]', note
-- texts and follow-up notes ''. The care tables are tested with
-- to_regclass (0016, 0017 create them). Returns the rows changed.
CREATE FUNCTION kassa_member_erase_care(p_member_id bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_n	bigint := 0;
	v_k	bigint;
BEGIN
	UPDATE outbox o SET state = 'cancelled', last_error = 'member erased'
	WHERE o.member_id = p_member_id AND o.kind = 'message'
	  AND o.state IN ('pending', 'sending');
	UPDATE outbox o SET vars = '{}' WHERE o.member_id = p_member_id AND o.vars <> '{}';
	GET DIAGNOSTICS v_k = ROW_COUNT;
	v_n := v_n + v_k;
	UPDATE events e SET data = kassa_feed_scrub(e.data)
	WHERE e.member_id = p_member_id AND NOT e.data ? 'erased'
	  AND e.type <> 'member.erased';
	GET DIAGNOSTICS v_k = ROW_COUNT;
	v_n := v_n + v_k;
	IF to_regclass('complaints') IS NOT NULL THEN
		EXECUTE $q$UPDATE complaints SET description = '[erased]'
			 WHERE member_id = $1 AND description <> '[erased]'$q$ USING p_member_id;
		GET DIAGNOSTICS v_k = ROW_COUNT;
		v_n := v_n + v_k;
	END IF;
	IF to_regclass('complaint_notes') IS NOT NULL THEN
		EXECUTE $q$UPDATE complaint_notes SET text = '' WHERE member_id = $1 AND text <> ''$q$
			USING p_member_id;
		GET DIAGNOSTICS v_k = ROW_COUNT;
		v_n := v_n + v_k;
	END IF;
	IF to_regclass('followups') IS NOT NULL THEN
		EXECUTE $q$UPDATE followups SET note = '' WHERE member_id = $1 AND note <> ''$q$
			USING p_member_id;
		GET DIAGNOSTICS v_k = ROW_COUNT;
		v_n := v_n + v_k;
	END IF;
	RETURN v_n;
END
$$;

-- Erase member p_member_id exactly once per idempotency key (kind
-- 'member_erase'), for staff p_staff_id at till p_till_id, with reason
-- p_reason (1-500 characters; it may not hold the member's phone, card,
-- e-mail or name: KA400 REASON_NAMES_MEMBER). Clears every personal field
-- where it is stored, in this one transaction:
--   members        phone and card NULL (free to register again), name
--                  'erased-<id>', birthday, gender, e-mail, address,
--                  channel, consent, tags and notes emptied; erased_at set
--   feedback       the comments of their sales' ratings emptied
--   refunds        the phone/card/e-mail/name inside a refund's reason
--   tenders        ... inside a tender reference of their sales
--   member_stats   the favourite categories (the numbers stay)
--   exports        the phone/card/e-mail inside an export's recorded filter
--   segments       ... inside a saved filter, overwritten in place
--   outbox         their messages not sent yet cancelled; every row's vars emptied
--   events         the personal fields of their feed events' data (the
--                  member.erased event this update writes carries none)
--   complaints, complaint_notes, followups  descriptions, note texts and
--                  follow-up notes (kassa_member_erase_care)
-- Sales, refunds, ledgers, lots, coupons and balances stay under the id.
-- The idempotency table holds no answers (a request hash and the result
-- id): a replayed MemberRegister of the member then reads the tombstone,
-- which MemberGet answers NOT_FOUND. Audit rows are append-only and never
-- held personal values (kassa_* functions write ids and amounts), so they
-- stay; this writes 'member.erase' with the reason and the count. Erasing
-- an erased member (again, or with another key) answers as the first
-- erasure did and writes nothing. Returns (member_id, erased_at RFC 3339
-- UTC, rows_scrubbed); KA404 MEMBER_NOT_FOUND for an unknown member.
CREATE FUNCTION kassa_member_erase(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_member_id bigint, p_reason text)
RETURNS TABLE (member_id bigint, erased_at text, rows_scrubbed bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_m	members;
	v_vals	text[];		-- every personal value, for the member's own rows
	v_ids	text[];		-- ... less the name, for rows of everyone (a short name
				-- would match unrelated text)
	v_n	bigint := 1;
	v_k	bigint;
BEGIN
	PERFORM kassa_idem_claim(p_till_id, p_key, 'member_erase', p_hash, p_member_id);
	SELECT * INTO v_m FROM members m WHERE m.member_id = p_member_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF v_m.erased_at IS NOT NULL THEN
		RETURN QUERY SELECT p_member_id,
			to_char(v_m.erased_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
			coalesce((SELECT (a.detail->>'rows_scrubbed')::bigint FROM audit_log a
				  WHERE a.subject = 'member:' || p_member_id
				    AND a.action = 'member.erase'
				  ORDER BY a.audit_id LIMIT 1), 0);
		RETURN;
	END IF;
	v_vals := kassa_member_personal_values(v_m);
	v_ids := array_remove(v_vals, v_m.name);
	IF char_length(p_reason) NOT BETWEEN 1 AND 500 OR p_reason ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION 'BAD_REASON' USING ERRCODE = 'KA400';
	END IF;
	IF kassa_text_names(p_reason, v_vals) THEN
		RAISE EXCEPTION 'REASON_NAMES_MEMBER' USING ERRCODE = 'KA400';
	END IF;

	UPDATE members m SET phone = NULL, card_no = NULL, name = 'erased-' || p_member_id,
		birthday = NULL, gender = 0, email = '', address = '', preferred_channel = 0,
		marketing_consent = false, tags = '{}', notes = '', erased_at = now(),
		updated_at = now()
	WHERE m.member_id = p_member_id;
	UPDATE feedback f SET comment = '' WHERE f.member_id = p_member_id AND f.comment <> '';
	GET DIAGNOSTICS v_k = ROW_COUNT;
	v_n := v_n + v_k;
	UPDATE refunds r SET reason = kassa_scrub_text(r.reason, v_vals)
	WHERE r.member_id = p_member_id AND kassa_text_names(r.reason, v_vals);
	GET DIAGNOSTICS v_k = ROW_COUNT;
	v_n := v_n + v_k;
	UPDATE tenders d SET reference = kassa_scrub_text(d.reference, v_vals)
	FROM transactions t
	WHERE t.member_id = p_member_id AND d.txn_id = t.txn_id
	  AND kassa_text_names(d.reference, v_vals);
	GET DIAGNOSTICS v_k = ROW_COUNT;
	v_n := v_n + v_k;
	UPDATE member_stats s SET fav_categories = '{}'
	WHERE s.member_id = p_member_id AND s.fav_categories <> '{}';
	GET DIAGNOSTICS v_k = ROW_COUNT;
	v_n := v_n + v_k;
	UPDATE exports e SET params = kassa_scrub_text(e.params::text, v_ids)::jsonb
	WHERE kassa_text_names(e.params::text, v_ids);
	GET DIAGNOSTICS v_k = ROW_COUNT;
	v_n := v_n + v_k;
	UPDATE segments g SET filter = kassa_scrub_bytea(g.filter, v_ids)
	WHERE g.filter <> kassa_scrub_bytea(g.filter, v_ids);
	GET DIAGNOSTICS v_k = ROW_COUNT;
	v_n := v_n + v_k;
	v_n := v_n + kassa_member_erase_care(p_member_id);

	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (nullif(p_staff_id, 0), p_till_id, 'member.erase', 'member:' || p_member_id,
		jsonb_build_object('reason', p_reason, 'rows_scrubbed', v_n));
	RETURN QUERY SELECT p_member_id,
		to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), v_n;
END
$$;

-- An erased member earns nothing more: a sale or top-up naming them, or a
-- coupon issued to them, is refused with KA404 MEMBER_ERASED. But an
-- offline sale made before the erasure (a till's journal replayed later:
-- transactions.offline, created_at the till's time) is kept, under the
-- tombstone: the money was taken, and the trail must hold it. Refunds of
-- their old sales go on (refunds, ledgers), so the money trail can still
-- be corrected. Every writer locks the member row FOR UPDATE before it
-- inserts (kassa_checkout, kassa_topup, kassa_coupon_issue), and the erase
-- updates that row, so the check below sees an erasure that committed
-- first. Trigger functions of the schema, not kassa_* functions: those are
-- dropped and re-created (migrate.c) and a trigger cannot depend on them.
-- A full pg_dump restores fine (triggers are created after the data); a
-- data-only restore needs --disable-triggers, as pg_dump says.
CREATE OR REPLACE FUNCTION member_erased_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_at	timestamptz;
BEGIN
	SELECT m.erased_at INTO v_at FROM members m WHERE m.member_id = NEW.member_id;
	IF v_at IS NOT NULL AND NOT (NEW.offline AND NEW.created_at <= v_at) THEN
		RAISE EXCEPTION 'MEMBER_ERASED' USING ERRCODE = 'KA404';
	END IF;
	RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER transactions_member_erased BEFORE INSERT ON transactions
	FOR EACH ROW WHEN (NEW.member_id IS NOT NULL) EXECUTE FUNCTION member_erased_refuse();
CREATE OR REPLACE FUNCTION coupon_member_erased_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM members m
		   WHERE m.member_id = NEW.member_id AND m.erased_at IS NOT NULL) THEN
		RAISE EXCEPTION 'MEMBER_ERASED' USING ERRCODE = 'KA404';
	END IF;
	RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER coupons_member_erased BEFORE INSERT ON coupons
	FOR EACH ROW EXECUTE FUNCTION coupon_member_erased_refuse();

-- Nor can an update give a tombstone personal data back (MemberUpdate of
-- an erased member): the personal fields of an erased row never change.
CREATE OR REPLACE FUNCTION member_erased_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.erased_at IS NOT NULL AND (NEW.erased_at IS NULL
	   OR (NEW.phone, NEW.card_no, NEW.name, NEW.birthday, NEW.gender, NEW.email,
	       NEW.address, NEW.preferred_channel, NEW.marketing_consent, NEW.tags, NEW.notes)
	      IS DISTINCT FROM (OLD.phone, OLD.card_no, OLD.name, OLD.birthday, OLD.gender,
	       OLD.email, OLD.address, OLD.preferred_channel, OLD.marketing_consent, OLD.tags,
	       OLD.notes)) THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER members_erased_frozen BEFORE UPDATE ON members
	FOR EACH ROW WHEN (OLD.erased_at IS NOT NULL) EXECUTE FUNCTION member_erased_frozen();
