-- The audit log's hash chain (migrations/0013_audit_chain.sql: seq,
-- prev_hash, hash) and its verification (server/admin/audit.c,
-- AuditVerify).
--
-- The chain's functions and triggers are named without the kassa_ prefix
-- and replaced in place (CREATE OR REPLACE), like the catalogue's trigger
-- (catalog.sql): `kassad migrate` drops and re-creates the kassa_*
-- functions, and a trigger may not depend on one of those.
--
-- audit_row_text() is the one definition of what a row's hash covers. Every
-- stored hash depends on it: changing it makes every row look edited, so
-- it never changes without a migration that re-chains the log.

-- The canonical text of a row: a JSON array of every field but the hashes,
-- the time in UTC with microseconds and detail as jsonb prints it (keys
-- sorted, one spacing), so that neither the session's TimeZone nor its
-- DateStyle changes it.
CREATE OR REPLACE FUNCTION audit_row_text(a audit_log) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_array(a.seq, a.audit_id,
		to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		a.staff_id, a.till_id, a.action, a.subject, a.detail)::text
$$;

-- The hash of row a chained after a row whose hash is prev.
CREATE OR REPLACE FUNCTION audit_row_hash(a audit_log, prev bytea) RETURNS bytea
LANGUAGE sql STABLE AS $$
	SELECT sha256(prev || convert_to(audit_row_text(a), 'UTF8'))
$$;

-- BEFORE INSERT: append the row to the chain. Appends are serialised by a
-- transaction-scoped advisory lock (held to commit, so the next append
-- sees this one); the last row is read after the lock is granted, by a
-- statement of its own, so with a snapshot that has it (READ COMMITTED, as
-- kassad's transactions are). Whatever the INSERT gave seq, prev_hash and
-- hash is overwritten, so the functions that write audit rows keep their
-- plain INSERTs.
CREATE OR REPLACE FUNCTION audit_log_append() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	v_last	record;
BEGIN
	PERFORM pg_advisory_xact_lock(4242013);
	SELECT seq, hash INTO v_last FROM audit_log WHERE seq IS NOT NULL
	ORDER BY seq DESC LIMIT 1;
	NEW.seq := coalesce(v_last.seq, 0) + 1;
	NEW.prev_hash := coalesce(v_last.hash, decode(repeat('00', 32), 'hex'));
	NEW.hash := audit_row_hash(NEW, NEW.prev_hash);
	RETURN NEW;
END
$$;

-- UPDATE, DELETE (per row) and TRUNCATE (per statement): refused, for the
-- owner and superusers too.
CREATE OR REPLACE FUNCTION audit_log_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
		USING ERRCODE = '42501',
		HINT = 'audit rows are never changed or removed; see docs/operations.md';
END
$$;

-- The first time (no append trigger yet): chain the rows written before
-- the chain existed, in audit_id order, with writers kept out meanwhile.
DO $$
DECLARE
	v_row	audit_log;
	v_seq	bigint := 0;
	v_prev	bytea := decode(repeat('00', 32), 'hex');
BEGIN
	IF EXISTS (SELECT FROM pg_trigger WHERE tgname = 'audit_log_append'
		   AND tgrelid = 'audit_log'::regclass) THEN
		RETURN;
	END IF;
	LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE;
	FOR v_row IN SELECT * FROM audit_log ORDER BY audit_id LOOP
		v_seq := v_seq + 1;
		v_row.seq := v_seq;
		v_row.prev_hash := v_prev;
		v_row.hash := audit_row_hash(v_row, v_prev);
		UPDATE audit_log SET seq = v_row.seq, prev_hash = v_row.prev_hash,
			hash = v_row.hash
		WHERE audit_id = v_row.audit_id;
		v_prev := v_row.hash;
	END LOOP;
END
$$;

CREATE OR REPLACE TRIGGER audit_log_append BEFORE INSERT ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append();
CREATE OR REPLACE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();

-- ---- the verification ----
--
-- kassad walks the chain in seq order a batch per statement, carrying the
-- last seq and hash from one batch to the next, so no statement runs long
-- and the walk may read a replica (the chain only grows: rows appended
-- meanwhile are walked too).

-- Check up to p_limit rows after seq p_after, whose predecessor's hash is
-- p_prev (32 zero bytes before the first row). One row back: rows checked,
-- the last good seq and hash (to carry on from), more (a full batch: call
-- again) and, at the first bad row, its audit_id and what is wrong with it:
--   'deleted'   its seq is not the one after the last (a gap: rows removed
--               before it)
--   'inserted'  its seq repeats the last one, or its prev_hash is not the
--               hash of the row before it (a row put in by hand, or a chain
--               rebuilt from here on); or, after the last row, a row with no
--               seq at all (put in with the trigger bypassed)
--   'edited'    its hash is not the hash of its own fields (changed after
--               it was written)
-- The walk stops at the first bad row (r_more false).
CREATE FUNCTION kassa_audit_verify_batch(p_after bigint, p_prev bytea, p_limit integer)
RETURNS TABLE (r_rows bigint, r_last_seq bigint, r_last_hash bytea, r_more boolean,
	r_bad_id bigint, r_problem text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	record;
	v_seq	bigint := p_after;
	v_prev	bytea := p_prev;
	v_n	bigint := 0;
	v_bad	bigint;
BEGIN
	FOR v IN SELECT a.audit_id, a.seq, a.prev_hash, a.hash,
			audit_row_hash(a, a.prev_hash) AS computed
		 FROM audit_log a WHERE a.seq > p_after ORDER BY a.seq LIMIT p_limit
	LOOP
		r_problem := CASE
			WHEN v.seq = v_seq THEN 'inserted'
			WHEN v.seq <> v_seq + 1 THEN 'deleted'
			WHEN v.prev_hash IS DISTINCT FROM v_prev THEN 'inserted'
			WHEN v.hash IS DISTINCT FROM v.computed THEN 'edited'
		END;
		IF r_problem IS NOT NULL THEN
			RETURN QUERY SELECT v_n, v_seq, v_prev, false, v.audit_id, r_problem;
			RETURN;
		END IF;
		v_n := v_n + 1;
		v_seq := v.seq;
		v_prev := v.hash;
	END LOOP;
	IF v_n < p_limit THEN	-- the end: and no row outside the chain?
		SELECT min(a.audit_id) INTO v_bad FROM audit_log a WHERE a.seq IS NULL;
		IF v_bad IS NOT NULL THEN
			RETURN QUERY SELECT v_n, v_seq, v_prev, false, v_bad, 'inserted'::text;
			RETURN;
		END IF;
	END IF;
	RETURN QUERY SELECT v_n, v_seq, v_prev, v_n = p_limit, 0::bigint, ''::text;
END
$$;
