-- Exports: head office's streamed, audited copies of the member base and
-- the sales (server/office/export.c). An export is read one keyset page at
-- a time; the client writes each page out before asking for the next.
--
-- Which rows: the first page records upto, the largest key (member_id or
-- txn_id) in the range the report lane sees at that moment
-- (kassa_export_horizon). Every
-- row that lane saw then is exported exactly once, however many pages and
-- whatever is inserted meanwhile (keyset paging: a page starts strictly
-- after the last key of the one before, and a committed row stays
-- visible); rows added later are not part of the export. Sales and lines
-- are kind 'sale' (top-ups are not sales), their business day is the
-- store's (stores.timezone). Members are kassa_member_export_rows()
-- (member_find.sql): erased and merged members never match.
--
-- Who exported what: kassa_export_start() writes the exports row and an
-- audit_log row (action 'export.start', subject 'export:ID', the kind and
-- the parameters as asked) in the idempotency claim's transaction, on the
-- primary; kassa_export_progress() counts each page once and marks the
-- last (finished_at).

-- The keys an export of kind p_kind can meet, on the report lane now:
-- members 0 .. max(member_id); sales and lines the smallest and largest
-- txn_id of the transactions whose business day at their store is in
-- [p_from, p_to] (NULL = open) at store p_store_id (0 = every store), read
-- per store over transactions_store_time (a day at a store is a range of
-- created_at). The first page starts at the low one, and the high one is
-- the export's upto: paging walks the range's ids, not the whole table.
-- (0, 0) when nothing is in the range.
CREATE FUNCTION kassa_export_horizon(p_kind text, p_from date, p_to date, p_store_id bigint)
RETURNS TABLE (r_lo bigint, r_hi bigint) LANGUAGE sql STABLE AS $$
	SELECT 0::bigint, (SELECT coalesce(max(member_id), 0) FROM members)
	WHERE p_kind = 'members'
	UNION ALL
	SELECT coalesce(min(b.lo), 0), coalesce(max(b.hi), 0)
	FROM stores s CROSS JOIN LATERAL (
		SELECT min(t.txn_id) AS lo, max(t.txn_id) AS hi FROM transactions t
		WHERE t.store_id = s.store_id
		  AND (p_from IS NULL OR t.created_at >= (p_from::timestamp AT TIME ZONE s.timezone))
		  AND (p_to IS NULL OR t.created_at < ((p_to + 1)::timestamp AT TIME ZONE s.timezone))
	) b
	WHERE p_kind <> 'members' AND (p_store_id = 0 OR s.store_id = p_store_id)
	HAVING p_kind <> 'members'	-- an aggregate has a row even when nothing matched
$$;

-- Start export p_kind (members, sales, lines) for staff p_staff_id at
-- till p_till_id, exactly once per idempotency key (result_id is the
-- export_id): the exports row (params as asked, upto p_upto) and its
-- audit_log row. A replay answers the first start's row; a replay by
-- another staff member is KA403 EXPORT_NOT_YOURS. Returns (export_id, upto).
CREATE FUNCTION kassa_export_start(p_till_id bigint, p_key text, p_hash bytea,
	p_staff_id bigint, p_kind text, p_params jsonb, p_upto bigint)
RETURNS TABLE (r_export_id bigint, r_upto bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := nextval(pg_get_serial_sequence('exports', 'export_id'));
	v_prev	bigint;
	v_staff	bigint;
BEGIN
	v_prev := kassa_idem_claim(p_till_id, p_key, 'export', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		SELECT e.staff_id INTO v_staff FROM exports e WHERE e.export_id = v_prev;
		IF v_staff IS DISTINCT FROM p_staff_id THEN
			RAISE EXCEPTION 'EXPORT_NOT_YOURS' USING ERRCODE = 'KA403';
		END IF;
		RETURN QUERY SELECT e.export_id, e.upto FROM exports e WHERE e.export_id = v_prev;
		RETURN;
	END IF;
	INSERT INTO exports (export_id, staff_id, till_id, kind, params, upto)
	VALUES (v_id, p_staff_id, p_till_id, p_kind, p_params, p_upto);
	-- The audit log is append-only, so its row never holds a member's phone,
	-- card or name (an erasure could not take them out again): a filter's
	-- personal fields are named under "personal", not copied. The exports row
	-- keeps them for the later pages; kassa_member_erase clears it.
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'export.start', 'export:' || v_id,
		jsonb_build_object('kind', p_kind, 'params', CASE WHEN p_params ? 'filter'
			THEN jsonb_set(p_params, '{filter}',
				((p_params->'filter') - ARRAY['phone', 'card_no', 'name_prefix'])
				|| jsonb_build_object('personal', (SELECT coalesce(jsonb_agg(k ORDER BY k),
					'[]') FROM jsonb_object_keys(p_params->'filter') AS k
					WHERE k IN ('phone', 'card_no', 'name_prefix'))))
			ELSE p_params END));
	RETURN QUERY SELECT v_id, p_upto;
END
$$;

-- A later page of export p_export_id, asked by staff p_staff_id with the
-- parameters p_params (as the first page built them, segment_version
-- aside: 0 there means "the version the export started with"). Refusals:
--   KA404 EXPORT_NOT_FOUND   no such export
--   KA403 EXPORT_NOT_YOURS   another staff member's export
--   KA400 EXPORT_MISMATCH    another kind, filter, segment or range
-- Returns (upto, the segment version to read, rows so far).
CREATE FUNCTION kassa_export_check(p_export_id bigint, p_staff_id bigint, p_kind text,
	p_params jsonb)
RETURNS TABLE (r_upto bigint, r_segment_version integer, r_rows bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_e	record;
	v_ver	integer := coalesce((p_params->>'segment_version')::integer, 0);
BEGIN
	SELECT * INTO v_e FROM exports e WHERE e.export_id = p_export_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'EXPORT_NOT_FOUND' USING ERRCODE = 'KA404';
	END IF;
	IF v_e.staff_id <> p_staff_id THEN
		RAISE EXCEPTION 'EXPORT_NOT_YOURS' USING ERRCODE = 'KA403';
	END IF;
	IF v_e.kind <> p_kind
	   OR (v_e.params - 'segment_version') <> (p_params - 'segment_version')
	   OR (v_ver <> 0 AND v_ver <> coalesce((v_e.params->>'segment_version')::integer, 0)) THEN
		RAISE EXCEPTION 'EXPORT_MISMATCH' USING ERRCODE = 'KA400';
	END IF;
	RETURN QUERY SELECT v_e.upto, coalesce((v_e.params->>'segment_version')::integer, 0),
		v_e.rows;
END
$$;

-- A page of p_n rows of export p_export_id was read from p_after up to
-- p_next ("" = it was the last): counted once (a page read again from the
-- same p_after, a client's retry, adds nothing), the last one sets
-- finished_at. Returns the rows so far.
CREATE FUNCTION kassa_export_progress(p_export_id bigint, p_after text, p_next text,
	p_n bigint)
RETURNS bigint LANGUAGE sql AS $$
	UPDATE exports SET
		rows = CASE WHEN cursor = p_after AND finished_at IS NULL THEN rows + p_n
			ELSE rows END,
		cursor = CASE WHEN cursor = p_after AND finished_at IS NULL THEN p_next
			ELSE cursor END,
		finished_at = CASE WHEN cursor = p_after AND p_next = '' AND finished_at IS NULL
			THEN now() ELSE finished_at END
	WHERE export_id = p_export_id
	RETURNING rows
$$;

-- A page of the sales export: sales (kind 'sale') with p_after < txn_id
-- <= p_upto, of store p_store_id (0 = every store), whose business day at
-- their store is in [p_from, p_to] (NULL = open), by txn_id, at most
-- p_limit. created_at is RFC 3339 UTC; member_id "" for an anonymous sale;
-- items the units sold; tenders "cash:1000;card:550" in tender order
-- (cash, card, ewallet).
CREATE FUNCTION kassa_export_sales(p_from date, p_to date, p_store_id bigint, p_after bigint,
	p_upto bigint, p_limit integer)
RETURNS TABLE (txn_id bigint, receipt_no text, store text, till text, staff_id bigint,
	member_id text, created_at text, currency text, total_minor bigint, items bigint,
	tenders text)
LANGUAGE sql STABLE AS $$
	SELECT t.txn_id, t.receipt_no, s.code, tl.code, t.staff_id,
		coalesce(t.member_id::text, ''),
		to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		t.currency::text, t.total_minor,
		(SELECT coalesce(sum(l.quantity), 0)::bigint FROM transaction_lines l
		 WHERE l.txn_id = t.txn_id),
		coalesce((SELECT string_agg(CASE d.kind WHEN 1 THEN 'cash' WHEN 2 THEN 'card'
				ELSE 'ewallet' END || ':' || d.amount_minor, ';' ORDER BY d.tender_no)
			  FROM tenders d WHERE d.txn_id = t.txn_id), '')
	FROM transactions t
	JOIN stores s ON s.store_id = t.store_id
	JOIN tills tl ON tl.till_id = t.till_id
	WHERE t.txn_id > p_after AND t.txn_id <= p_upto AND t.kind = 'sale'
	  AND (p_store_id = 0 OR t.store_id = p_store_id)
	  AND (p_from IS NULL OR t.created_at >= (p_from::timestamp AT TIME ZONE s.timezone))
	  AND (p_to IS NULL OR t.created_at < ((p_to + 1)::timestamp AT TIME ZONE s.timezone))
	ORDER BY t.txn_id
	LIMIT p_limit
$$;

-- A page of the lines export: the lines of the sales kassa_export_sales
-- would give, after line (p_after_txn, p_after_line), by (txn_id,
-- line_no), at most p_limit. category is the product's; net_minor the
-- line's amount after every discount.
CREATE FUNCTION kassa_export_lines(p_from date, p_to date, p_store_id bigint,
	p_after_txn bigint, p_after_line integer, p_upto bigint, p_limit integer)
RETURNS TABLE (txn_id bigint, line_no integer, sku text, name text, category text,
	quantity integer, unit_price_minor bigint, net_minor bigint)
LANGUAGE sql STABLE AS $$
	SELECT l.txn_id, l.line_no, l.sku, l.name, coalesce(p.category, ''), l.quantity,
		l.unit_price_minor, l.net_minor
	FROM transactions t
	JOIN stores s ON s.store_id = t.store_id
	JOIN transaction_lines l ON l.txn_id = t.txn_id
	LEFT JOIN products p ON p.product_id = l.product_id
	WHERE t.txn_id >= p_after_txn AND (l.txn_id, l.line_no) > (p_after_txn, p_after_line)
	  AND t.txn_id <= p_upto AND t.kind = 'sale'
	  AND (p_store_id = 0 OR t.store_id = p_store_id)
	  AND (p_from IS NULL OR t.created_at >= (p_from::timestamp AT TIME ZONE s.timezone))
	  AND (p_to IS NULL OR t.created_at < ((p_to + 1)::timestamp AT TIME ZONE s.timezone))
	ORDER BY l.txn_id, l.line_no
	LIMIT p_limit
$$;
