-- Kassa schema, version 13: the audit log becomes append-only and
-- hash-chained, kassad's database role loses the right to change it, and
-- idempotency keys get an index by age for the job that deletes the old
-- ones (server/core/idem_retention.c).
--
-- The chain. Every audit_log row gets seq (1, 2, 3, ... in the order rows
-- were appended, with no gap), prev_hash (the hash of the row seq - 1; 32
-- zero bytes for the first) and hash = sha256(prev_hash || the row's
-- canonical text, audit_row_text()). The functions that write audit
-- rows keep their plain INSERTs: a BEFORE INSERT trigger fills the three
-- columns. It serialises appends with a transaction-scoped advisory lock
-- (held to commit, so the next append sees this one) and reads the last
-- row with a fresh snapshot (a plpgsql statement takes one in READ
-- COMMITTED, after the lock is granted). audit_id still comes from its
-- sequence, so it is not the chain order (kassa_staff_unlock takes its id
-- before it writes the row): seq is.
--
-- Append-only. Triggers refuse UPDATE, DELETE and TRUNCATE for everyone,
-- the owner and superusers included. A superuser can still bypass
-- triggers (session_replication_role = replica) or drop them; that is what
-- the chain is for: `kassa-office audit verify` (AuditVerify,
-- kassa_audit_verify_batch in functions/audit.sql) recomputes every hash
-- and names the first row edited, inserted or deleted. Dropping rows at
-- the end of the chain leaves no trace in the chain itself: compare the
-- head hash and row count verify prints with a copy kept elsewhere.
--
-- The canonical text, the trigger functions and the triggers are in
-- functions/audit.sql, replaced in place like the catalogue's trigger
-- (functions/catalog.sql): named without the kassa_ prefix, since `kassad
-- migrate` drops and re-creates the kassa_* functions and a trigger may
-- not depend on them. The rows written before this migration are chained
-- there too (in audit_id order), when the trigger is first created: this
-- file may not call those functions, which do not exist yet when it runs.
-- Until then seq, prev_hash and hash are NULL, which is why they are not
-- NOT NULL; a row without them later is a row inserted past the trigger,
-- and the verification reports it.

ALTER TABLE audit_log
	ADD COLUMN seq		bigint,		-- chain position, 1.. without gaps
	ADD COLUMN prev_hash	bytea,		-- hash of row seq - 1 (zeros for seq 1)
	ADD COLUMN hash		bytea,		-- sha256(prev_hash || audit_row_text(row))
	ADD CONSTRAINT audit_log_seq_key UNIQUE (seq);
-- rows outside the chain, for the verification to find at once (none, normally)
CREATE INDEX audit_log_unchained ON audit_log (audit_id) WHERE seq IS NULL;

-- kassad's role. kassa_server (NOLOGIN) holds what kassad needs: every
-- table read and written, but audit_log only read and appended to; the
-- login role kassad connects as is made a member of it and does not own
-- the schema (docs/operations.md). Default privileges carry this to the
-- tables, sequences and functions later migrations create. A migrating
-- role that may not create roles, where kassa_server does not exist yet,
-- gets a notice and these grants are skipped (docs/operations.md shows
-- them, for an administrator to run).
DO $$
DECLARE
	v_schema	text := current_schema();
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kassa_server') THEN
		IF EXISTS (SELECT FROM pg_roles WHERE rolname = current_user
			   AND (rolsuper OR rolcreaterole)) THEN
			CREATE ROLE kassa_server NOLOGIN;
		ELSE
			RAISE NOTICE 'role kassa_server does not exist and % may not create it:'
				' kassad''s privileges were not granted', current_user;
			RETURN;
		END IF;
	END IF;
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO kassa_server', v_schema);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I'
		' TO kassa_server', v_schema);
	EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO kassa_server',
		v_schema);
	EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO kassa_server', v_schema);
	EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I'
		' GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO kassa_server', v_schema);
	EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I'
		' GRANT USAGE, SELECT ON SEQUENCES TO kassa_server', v_schema);
	EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I'
		' GRANT EXECUTE ON FUNCTIONS TO kassa_server', v_schema);
	REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM kassa_server;
END
$$;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- Idempotency keys by age: the retention job deletes those older than
-- [checkout] idempotency_keep_days a batch at a time. A B-tree, not a
-- BRIN: the deleted pages are reused by new keys, so the table does not
-- stay in time order.
CREATE INDEX idempotency_created_at ON idempotency (created_at);
