-- Follow-ups (回访, server/crm/followup.c, followup_job.c): the rules that
-- schedule call-backs, versioned as a whole; the follow-ups the job made
-- from them; the job's lease. And the link from a coupon definition to the
-- one that replaced it (CouponDefChange, server/loyalty/coupon_change.c).
-- The functions are in migrations/functions/followups.sql,
-- points_adjust.sql and coupon_change.sql.

-- Every FollowupRulesPut is a new version of the whole set; the newest is
-- in force. kassad has checked every rule (followup.c).
CREATE TABLE followup_rule_versions (
	version		integer PRIMARY KEY CHECK (version > 0),
	created_at	timestamptz NOT NULL DEFAULT now(),
	staff_id	bigint REFERENCES staff
);

CREATE TABLE followup_rules (
	version		integer NOT NULL REFERENCES followup_rule_versions,
	rule_no		integer NOT NULL,		-- its place in the set, from 1
	name		text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
	kind		text NOT NULL CHECK (kind IN ('after_sale', 'lapsed', 'after_complaint')),
	days		integer NOT NULL CHECK (days BETWEEN 1 AND 365),
	min_total_minor	bigint NOT NULL DEFAULT 0 CHECK (min_total_minor >= 0),
	member_class	text NOT NULL DEFAULT '',
	active		boolean NOT NULL DEFAULT true,
	due_days	integer NOT NULL DEFAULT 3 CHECK (due_days BETWEEN 1 AND 365),
	PRIMARY KEY (version, rule_no),
	UNIQUE (version, name)
);

-- One call-back to make. source names what it is about, once per rule:
-- 'sale:<txn_id>', 'complaint:<complaint_id>' or 'lapse:<last visit day>'
-- (a member who comes back and lapses again is a new episode); the unique
-- key makes the job idempotent however often and wherever it runs.
CREATE TABLE followups (
	member_id	bigint NOT NULL REFERENCES members,
	followup_id	bigserial,
	store_id	bigint NOT NULL REFERENCES stores,
	staff_id	bigint NOT NULL DEFAULT 0,	-- whose call it is; 0 = the store's
	rule		text NOT NULL,			-- followup_rules.name
	kind		text NOT NULL CHECK (kind IN ('after_sale', 'lapsed', 'after_complaint')),
	source		text NOT NULL,
	due_on		date NOT NULL,
	due_days	integer NOT NULL DEFAULT 3 CHECK (due_days > 0),	-- overdue after due_on + this
	state		text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
	outcome		text NOT NULL DEFAULT ''
			CHECK (outcome IN ('', 'reached', 'no_answer', 'declined')),
	note		text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
	txn_id		bigint,
	complaint_id	bigint,
	created_at	timestamptz NOT NULL DEFAULT now(),
	done_at		timestamptz,
	done_by		bigint,
	attempts	integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	run_id		bigint,				-- the job run that made it
	PRIMARY KEY (member_id, followup_id),
	UNIQUE (member_id, rule, source),
	CHECK ((state = 'done') = (done_at IS NOT NULL))
);
CREATE UNIQUE INDEX followups_id ON followups (followup_id);
CREATE INDEX followups_store_due ON followups (store_id, due_on) WHERE state = 'open';
CREATE INDEX followups_staff_due ON followups (staff_id, due_on) WHERE state = 'open';

-- Who runs the follow-up job now (one row): a run claims it while
-- lease_until has passed, renews it each batch and clears it at its end,
-- so two kassad processes never both run it; a dead kassad's lease expires.
CREATE TABLE followup_job_lease (
	id		boolean PRIMARY KEY DEFAULT true CHECK (id),
	holder		text NOT NULL DEFAULT '',
	lease_until	timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO followup_job_lease DEFAULT VALUES;

-- Follow-up runs count what they looked at (examined) and made (issued).

-- An edited coupon definition names the one that replaced it.
ALTER TABLE coupon_defs ADD COLUMN replaced_by bigint REFERENCES coupon_defs;
