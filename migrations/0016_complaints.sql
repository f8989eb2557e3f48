-- Kassa schema, version 16: complaints, a member's tickets (care/complaints).
--
-- A complaint is about a member and optionally one of their sales; it is
-- the store's (the sale's store, else the store of the till that opened
-- it). Its status moves open -> in_progress -> resolved / rejected (the
-- moves are server/crm/complaint_state.c's; the SQL functions of
-- functions/complaints.sql only guard that the status is still the one
-- kassad decided from). source says who opened it: a store's till, head
-- office, or the low-rating rule of a Feedback ('rating', with its
-- feedback_id). resolved_at is set when it is resolved or rejected and
-- cleared by a reopen.
CREATE TABLE complaints (
	member_id	bigint NOT NULL,		-- members
	complaint_id	bigserial,
	txn_id		bigint,				-- transactions: the sale it is about
	store_id	bigint NOT NULL,		-- stores
	status		text NOT NULL DEFAULT 'open'
			CHECK (status IN ('open', 'in_progress', 'resolved', 'rejected')),
	category	text NOT NULL
			CHECK (category IN ('product', 'service', 'price', 'queue', 'other')),
	description	text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 1000),
	owner_staff_id	bigint,				-- staff; NULL: unassigned
	opened_by	bigint NOT NULL,		-- staff logged in when it was opened
	opened_till	bigint NOT NULL,		-- tills
	source		text NOT NULL CHECK (source IN ('till', 'office', 'rating')),
	feedback_id	bigint UNIQUE,			-- feedback (source 'rating')
	opened_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	resolved_at	timestamptz,
	PRIMARY KEY (member_id, complaint_id),
	UNIQUE (complaint_id),
	CHECK ((source = 'rating') = (feedback_id IS NOT NULL)),
	CHECK ((status IN ('resolved', 'rejected')) = (resolved_at IS NOT NULL))
);
CREATE INDEX complaints_store_open ON complaints (store_id, complaint_id);
CREATE INDEX complaints_member ON complaints (member_id, opened_at);

-- Every step of a complaint, oldest first: the opening (from_status ''),
-- each move, owner change or note. owner_staff_id is the owner after it.
CREATE TABLE complaint_notes (
	member_id	bigint NOT NULL,
	complaint_id	bigint NOT NULL,
	note_no		integer NOT NULL CHECK (note_no >= 1),
	at		timestamptz NOT NULL DEFAULT now(),
	staff_id	bigint NOT NULL,
	text		text NOT NULL DEFAULT '' CHECK (char_length(text) <= 1000),
	from_status	text NOT NULL DEFAULT '',
	to_status	text NOT NULL,
	owner_staff_id	bigint,
	PRIMARY KEY (member_id, complaint_id, note_no),
	FOREIGN KEY (member_id, complaint_id) REFERENCES complaints (member_id, complaint_id)
		ON UPDATE CASCADE
);
