-- Kassa schema, version 21: member merge and import (docs/care/merge.md).
-- The functions are in migrations/functions/member_merge.sql and
-- member_import.sql.

-- One row per merge: the merged record (a member is merged once), the
-- survivor, when and by whom, and the counts the merge answered with
-- (a replay of its idempotency key answers them again). No personal
-- values: ids and counts only.
CREATE TABLE member_merges (
	merged_member_id	bigint PRIMARY KEY REFERENCES members,
	keep_member_id		bigint NOT NULL REFERENCES members,
	staff_id		bigint,
	merged_at		timestamptz NOT NULL DEFAULT now(),
	transactions		bigint NOT NULL,
	points_entries		bigint NOT NULL,
	wallet_entries		bigint NOT NULL,
	coupons			bigint NOT NULL,
	feedback		bigint NOT NULL,
	points_balance		bigint NOT NULL,	-- the survivor's, after
	stored_value_minor	bigint NOT NULL,	-- the survivor's, after
	CHECK (merged_member_id <> keep_member_id)
);
CREATE INDEX member_merges_keep ON member_merges (keep_member_id);

-- One row per committed import: what it answered besides what kassad
-- derives again from the same CSV (a replay of the key re-validates the
-- same text): the counts and the rows the database refused (line numbers
-- and the column taken, 'phone' or 'card_no').
CREATE TABLE member_imports (
	import_id	bigserial PRIMARY KEY,
	staff_id	bigint,
	imported_at	timestamptz NOT NULL DEFAULT now(),
	rows		integer NOT NULL,
	imported	integer NOT NULL,
	committed	boolean NOT NULL,	-- false: nothing written (all or nothing)
	taken_lines	integer[] NOT NULL DEFAULT '{}',
	taken_columns	text[] NOT NULL DEFAULT '{}'
);
