-- Complaints: a member's tickets (tables complaints and complaint_notes,
-- 0016_complaints.sql; server/crm/complaint.c). kassad decides every rule
-- (which status may follow which, that a resolution needs a note, that a
-- low rating opens a ticket: server/crm/complaint_state.c); these
-- functions find, guard and persist. Each mutation is one guarded write
-- with its idempotency record and its audit row in one transaction.
-- Refusals (SQLSTATE, message):
--   KA404 COMPLAINT_NOT_FOUND     no such complaint in the caller's scope
--   KA404 TRANSACTION_NOT_FOUND   no such sale (at this store, for a store's till)
--   KA404 MEMBER_NOT_FOUND        no such member, or erased or merged into another
--   KA400 SALE_OF_ANOTHER_MEMBER  the sale is not the member's
--   KA400 OWNER_NOT_FOUND         the owner is no active staff of the store or head office
--   KA403 STORE_NOT_YOURS         a list of another store than the caller's own
--   KA409 STALE_STATUS            the status moved since kassad read it (kassad reads again)

-- The store whose tickets and ratings a caller sees (NULL: every store).
-- p_all: an analyst or admin at head office (kassad decides), who sees
-- p_wanted's (0: every store). Anyone else sees their own store: the
-- staff member's store, or the till's for staff of no store (head office
-- staff at a store's till); p_wanted is 0 or that store, else KA403
-- STORE_NOT_YOURS.
CREATE FUNCTION kassa_care_scope(p_all boolean, p_staff bigint, p_till_store bigint,
	p_wanted bigint)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_store	bigint;
BEGIN
	IF p_all THEN
		RETURN NULLIF(p_wanted, 0);
	END IF;
	SELECT s.store_id INTO v_store FROM staff s WHERE s.staff_id = p_staff;
	v_store := COALESCE(v_store, p_till_store);
	IF p_wanted <> 0 AND p_wanted <> v_store THEN
		RAISE EXCEPTION 'STORE_NOT_YOURS' USING ERRCODE = 'KA403';
	END IF;
	RETURN v_store;
END
$$;

-- The RFC 3339 text of a time in UTC, '' for NULL.
CREATE FUNCTION kassa_rfc3339(p_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT COALESCE(to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
$$;

-- The sale p_txn_id, or (p_txn_id 0) the sale whose receipt number is
-- p_receipt_no (a receipt number of digits only also names a sale
-- recorded without one by its transaction id). NULL if none.
CREATE FUNCTION kassa_sale_by_ref(p_txn_id bigint, p_receipt_no text)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id	bigint;
BEGIN
	IF p_txn_id > 0 THEN
		SELECT t.txn_id INTO v_id FROM transactions t
		WHERE t.txn_id = p_txn_id AND t.kind = 'sale';
		RETURN v_id;
	END IF;
	SELECT t.txn_id INTO v_id FROM transactions t
	WHERE t.receipt_no = p_receipt_no AND p_receipt_no <> '' AND t.kind = 'sale';
	IF v_id IS NULL AND p_receipt_no ~ '^[0-9]{1,18}$' THEN
		SELECT t.txn_id INTO v_id FROM transactions t
		WHERE t.txn_id = p_receipt_no::bigint AND t.receipt_no = '' AND t.kind = 'sale';
	END IF;
	RETURN v_id;
END
$$;

-- Raise OWNER_NOT_FOUND unless p_owner (NULL: none) is an active staff
-- member of store p_store_id or of head office (no store).
CREATE FUNCTION kassa_complaint_owner_check(p_owner bigint, p_store_id bigint)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_owner IS NOT NULL AND NOT EXISTS (SELECT FROM staff s WHERE s.staff_id = p_owner
			AND s.active AND (s.store_id IS NULL OR s.store_id = p_store_id)) THEN
		RAISE EXCEPTION 'OWNER_NOT_FOUND' USING ERRCODE = 'KA400';
	END IF;
END
$$;

-- Insert a complaint with its first note (from '' to 'open') and its audit
-- row; the caller has checked the member, the sale and the owner.
-- kassa_complaint_open and kassa_feedback (the low-rating rule) call it.
CREATE FUNCTION kassa_complaint_insert(p_id bigint, p_member bigint, p_txn bigint,
	p_store bigint, p_category text, p_description text, p_owner bigint, p_staff bigint,
	p_till bigint, p_source text, p_feedback bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO complaints (member_id, complaint_id, txn_id, store_id, category,
		description, owner_staff_id, opened_by, opened_till, source, feedback_id)
	VALUES (p_member, p_id, p_txn, p_store, p_category, p_description, p_owner, p_staff,
		p_till, p_source, p_feedback);
	INSERT INTO complaint_notes (member_id, complaint_id, note_no, staff_id, text,
		from_status, to_status, owner_staff_id)
	VALUES (p_member, p_id, 1, p_staff, '', '', 'open', p_owner);
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff, p_till, 'complaint.open', 'member:' || p_member,
		jsonb_build_object('complaint_id', p_id, 'category', p_category,
			'source', p_source, 'txn_id', p_txn, 'store_id', p_store,
			'feedback_id', p_feedback));
END
$$;

-- A complaint with its notes, oldest first: one row per note, the
-- complaint's columns repeated (no rows: no such complaint in scope
-- p_scope, NULL = every store).
CREATE FUNCTION kassa_complaint_rows(p_scope bigint, p_id bigint)
RETURNS TABLE (r_complaint_id bigint, r_member_id bigint, r_txn_id bigint,
	r_store_id bigint, r_status text, r_category text, r_description text, r_owner bigint,
	r_opened_by bigint, r_source text, r_feedback_id bigint, r_opened_at text,
	r_updated_at text, r_resolved_at text, r_resolution_seconds bigint, r_n_at text,
	r_n_staff bigint, r_n_text text, r_n_from text, r_n_to text, r_n_owner bigint)
LANGUAGE sql STABLE AS $$
	SELECT c.complaint_id, c.member_id, COALESCE(c.txn_id, 0), c.store_id, c.status,
	       c.category, c.description, COALESCE(c.owner_staff_id, 0), c.opened_by, c.source,
	       COALESCE(c.feedback_id, 0), kassa_rfc3339(c.opened_at), kassa_rfc3339(c.updated_at),
	       kassa_rfc3339(c.resolved_at),
	       COALESCE(floor(extract(epoch FROM c.resolved_at - c.opened_at))::bigint, 0),
	       kassa_rfc3339(n.at), n.staff_id, n.text, n.from_status, n.to_status,
	       COALESCE(n.owner_staff_id, 0)
	FROM complaints c
	JOIN complaint_notes n ON n.member_id = c.member_id AND n.complaint_id = c.complaint_id
	WHERE c.complaint_id = p_id AND (p_scope IS NULL OR c.store_id = p_scope)
	ORDER BY n.note_no
$$;

-- Open a complaint about member p_member (and the sale p_txn_id or
-- p_receipt_no, optional: 0 and ''), exactly once per idempotency key
-- (kind complaint_open). p_office: opened from head office (any store's
-- sale; without a sale the office's store p_till_store), else a store's
-- till (only a sale of p_till_store). kassad has checked the category,
-- the description and the owner's id. Returns kassa_complaint_rows.
CREATE FUNCTION kassa_complaint_open(p_till_id bigint, p_key text, p_hash bytea,
	p_till_store bigint, p_office boolean, p_staff_id bigint, p_member bigint,
	p_txn_id bigint, p_receipt_no text, p_category text, p_description text,
	p_owner bigint)
RETURNS TABLE (r_complaint_id bigint, r_member_id bigint, r_txn_id bigint,
	r_store_id bigint, r_status text, r_category text, r_description text, r_owner bigint,
	r_opened_by bigint, r_source text, r_feedback_id bigint, r_opened_at text,
	r_updated_at text, r_resolved_at text, r_resolution_seconds bigint, r_n_at text,
	r_n_staff bigint, r_n_text text, r_n_from text, r_n_to text, r_n_owner bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval('complaints_complaint_id_seq');
	v_prev	bigint;
	v_txn	bigint;
	v_sale	record;
	v_store	bigint := p_till_store;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'complaint_open', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_complaint_rows(NULL, v_prev);
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT FROM members m WHERE m.member_id = p_member
			AND m.erased_at IS NULL AND m.merged_into IS NULL) THEN
		RAISE EXCEPTION 'MEMBER_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF p_txn_id > 0 OR p_receipt_no <> '' THEN
		v_txn := kassa_sale_by_ref(p_txn_id, p_receipt_no);
		SELECT t.store_id, t.member_id INTO v_sale FROM transactions t
		WHERE t.txn_id = v_txn;
		IF v_txn IS NULL OR (NOT p_office AND v_sale.store_id <> p_till_store) THEN
			RAISE EXCEPTION 'TRANSACTION_NOT_FOUND' USING ERRCODE = 'KA404';
		END IF;
		IF v_sale.member_id IS DISTINCT FROM p_member THEN
			RAISE EXCEPTION 'SALE_OF_ANOTHER_MEMBER' USING ERRCODE = 'KA400';
		END IF;
		v_store := v_sale.store_id;
	END IF;
	PERFORM kassa_complaint_owner_check(NULLIF(p_owner, 0), v_store);
	PERFORM kassa_complaint_insert(v_id, p_member, v_txn, v_store, p_category,
		p_description, NULLIF(p_owner, 0), p_staff_id, p_till_id,
		CASE WHEN p_office THEN 'office' ELSE 'till' END, NULL);
	RETURN QUERY SELECT * FROM kassa_complaint_rows(NULL, v_id);
END
$$;

-- What kassad decides an update from: the complaint's status, store and
-- owner in scope p_scope (NULL = every store; no row: not found), and
-- whether this key has already done the update (a replay: kassad skips
-- its checks and kassa_complaint_update answers from the record).
CREATE FUNCTION kassa_complaint_peek(p_till_id bigint, p_key text, p_hash bytea,
	p_scope bigint, p_id bigint)
RETURNS TABLE (r_replay boolean, r_found boolean, r_status text)
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT FROM idempotency i WHERE i.till_id = p_till_id AND i.key = p_key
			AND i.kind = 'complaint_update' AND i.request_hash = p_hash),
	       c.complaint_id IS NOT NULL, COALESCE(c.status, '')
	FROM (SELECT 1) one
	LEFT JOIN complaints c ON c.complaint_id = p_id
		AND (p_scope IS NULL OR c.store_id = p_scope)
$$;

-- Move complaint p_id of scope p_scope on, exactly once per idempotency
-- key (kind complaint_update): from status p_expected (the one kassad
-- decided from; another is STALE_STATUS) to p_status (the same: no move),
-- the owner to p_owner (0: unchanged), with note p_note. kassad has
-- checked that the move is legal and that a resolution has its note.
-- Records a note row and an audit row. Returns kassa_complaint_rows.
CREATE FUNCTION kassa_complaint_update(p_till_id bigint, p_key text, p_hash bytea,
	p_scope bigint, p_staff_id bigint, p_id bigint, p_expected text, p_status text,
	p_owner bigint, p_note text)
RETURNS TABLE (r_complaint_id bigint, r_member_id bigint, r_txn_id bigint,
	r_store_id bigint, r_status text, r_category text, r_description text, r_owner bigint,
	r_opened_by bigint, r_source text, r_feedback_id bigint, r_opened_at text,
	r_updated_at text, r_resolved_at text, r_resolution_seconds bigint, r_n_at text,
	r_n_staff bigint, r_n_text text, r_n_from text, r_n_to text, r_n_owner bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_prev	bigint;
	v_c	record;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'complaint_update', p_hash, p_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_complaint_rows(NULL, v_prev);
		RETURN;
	END IF;
	UPDATE complaints c SET status = p_status,
		owner_staff_id = COALESCE(NULLIF(p_owner, 0), c.owner_staff_id),
		updated_at = now(),
		resolved_at = CASE WHEN p_status NOT IN ('resolved', 'rejected') THEN NULL
				   WHEN p_status = p_expected THEN c.resolved_at ELSE now() END
	WHERE c.complaint_id = p_id AND c.status = p_expected
	  AND (p_scope IS NULL OR c.store_id = p_scope)
	RETURNING c.member_id, c.store_id, c.owner_staff_id INTO v_c;
	IF NOT FOUND THEN
		IF EXISTS (SELECT FROM complaints c WHERE c.complaint_id = p_id
				AND (p_scope IS NULL OR c.store_id = p_scope)) THEN
			RAISE EXCEPTION 'STALE_STATUS' USING ERRCODE = 'KA409';
		END IF;
		RAISE EXCEPTION 'COMPLAINT_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF p_owner <> 0 THEN
		PERFORM kassa_complaint_owner_check(p_owner, v_c.store_id);
	END IF;
	INSERT INTO complaint_notes (member_id, complaint_id, note_no, staff_id, text,
		from_status, to_status, owner_staff_id)
	SELECT v_c.member_id, p_id, max(n.note_no) + 1, p_staff_id, p_note, p_expected,
	       p_status, v_c.owner_staff_id
	FROM complaint_notes n WHERE n.member_id = v_c.member_id AND n.complaint_id = p_id;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'complaint.update', 'member:' || v_c.member_id,
		jsonb_build_object('complaint_id', p_id, 'from', p_expected, 'to', p_status,
			'owner', v_c.owner_staff_id));
	RETURN QUERY SELECT * FROM kassa_complaint_rows(NULL, p_id);
END
$$;

-- Complaints of store p_scope (NULL = every store), newest first, after
-- complaint p_after (0 = from the newest): status p_status ('' = open and
-- in_progress, 'all', or one status), owner p_owner and member p_member
-- (0 = any). At most p_limit + 1 rows: kassad pages on the extra one.
CREATE FUNCTION kassa_complaint_list(p_scope bigint, p_status text, p_owner bigint,
	p_member bigint, p_limit integer, p_after bigint)
RETURNS TABLE (complaint_id bigint, opened_at text, store text, member_id bigint,
	txn_id bigint, status text, category text, owner_staff_id bigint, source text,
	hours_to_resolve text, description text)
LANGUAGE sql STABLE AS $$
	SELECT c.complaint_id, kassa_rfc3339(c.opened_at), s.code, c.member_id, c.txn_id,
	       c.status, c.category, c.owner_staff_id, c.source,
	       CASE WHEN c.status = 'resolved' THEN
		    to_char(extract(epoch FROM c.resolved_at - c.opened_at) / 3600.0, 'FM999990.00')
	       END,
	       left(c.description, 60)
	FROM complaints c JOIN stores s ON s.store_id = c.store_id
	WHERE (p_scope IS NULL OR c.store_id = p_scope)
	  AND (p_after = 0 OR c.complaint_id < p_after)
	  AND CASE p_status WHEN '' THEN c.status IN ('open', 'in_progress')
			    WHEN 'all' THEN true ELSE c.status = p_status END
	  AND (p_owner = 0 OR c.owner_staff_id = p_owner)
	  AND (p_member = 0 OR c.member_id = p_member)
	ORDER BY c.complaint_id DESC
	LIMIT p_limit + 1
$$;

-- The report "complaints": per store, the complaints opened from p_from
-- to p_to (business days in the store's zone), how many are resolved,
-- rejected and still open, and the hours from opening to resolution of
-- the resolved ones (median and average). The report takes no category
-- and no limit (server/office/report_care.c refuses them).
CREATE FUNCTION kassa_report_complaints(p_from date, p_to date, p_store bigint,
	p_category text, p_limit integer)
RETURNS TABLE (store text, opened bigint, resolved bigint, rejected bigint, still_open bigint,
	median_hours text, avg_hours text)
LANGUAGE sql STABLE AS $$
	SELECT s.code, count(*), count(*) FILTER (WHERE c.status = 'resolved'),
	       count(*) FILTER (WHERE c.status = 'rejected'),
	       count(*) FILTER (WHERE c.status IN ('open', 'in_progress')),
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY
			extract(epoch FROM c.resolved_at - c.opened_at) / 3600.0)
			FILTER (WHERE c.status = 'resolved'), 'FM999990.00'),
	       to_char(avg(extract(epoch FROM c.resolved_at - c.opened_at) / 3600.0)
			FILTER (WHERE c.status = 'resolved'), 'FM999990.00')
	FROM complaints c JOIN stores s ON s.store_id = c.store_id
	WHERE (c.opened_at AT TIME ZONE s.timezone)::date BETWEEN p_from AND p_to
	  AND (p_store IS NULL OR c.store_id = p_store)
	GROUP BY s.code ORDER BY s.code
$$;
