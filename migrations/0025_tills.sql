-- 0025_tills: tills registered through the protocol (TillPut, issue 12).
--
-- A till's code is the CN of its client certificate (kassa-ca issues it):
-- 1-64 characters of [A-Za-z0-9._-], as kassad and kassa-ca check. NOT
-- VALID: rows made by hand before this migration are not re-checked, every
-- new or changed row is.
ALTER TABLE tills ADD CONSTRAINT tills_code_format
	CHECK (code ~ '^[A-Za-z0-9._-]{1,64}$') NOT VALID;
-- when TillPut last changed the row (NULL: never)
ALTER TABLE tills ADD COLUMN updated_at timestamptz;
