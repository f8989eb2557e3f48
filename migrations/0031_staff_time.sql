-- 0031_staff_time: staff time (考勤), store operations part "clock" (issue 12).
-- Functions: functions/clock.sql (clock in / out, the listing, the
-- staff_hours and cashier_performance reports).
--
-- A clock record is one staff member's stay at work: in_at when they
-- clocked in (the server's time) at a till of store_id, out_at when they
-- clocked out (NULL while open). At most one record per staff member is
-- open (clock_one_open), so two records of one person never overlap: a
-- clock-in is refused while one is open, and every record starts after the
-- previous one ended (out_at <= now() <= the next in_at). A record left
-- open over 16 hours is closed at in_at + 16 h with auto_closed set by the
-- person's next clock-in or clock-out; until then listings count it so.
-- shift_id is the till's cash-desk shift open at the clock-in (NULL: none).
CREATE TABLE clock_records (
	clock_id	bigserial PRIMARY KEY,
	staff_id	bigint NOT NULL REFERENCES staff,
	store_id	bigint NOT NULL REFERENCES stores,
	till_id		bigint NOT NULL REFERENCES tills,	-- where they clocked in
	out_till_id	bigint REFERENCES tills,		-- ... and out (NULL: auto)
	shift_id	bigint REFERENCES shifts,
	in_at		timestamptz NOT NULL DEFAULT now(),
	out_at		timestamptz,
	auto_closed	boolean NOT NULL DEFAULT false,
	CHECK (out_at IS NULL OR out_at >= in_at),
	CHECK (NOT auto_closed OR out_at IS NOT NULL)
);

CREATE UNIQUE INDEX clock_one_open ON clock_records (staff_id) WHERE out_at IS NULL;
CREATE INDEX clock_staff_in ON clock_records (staff_id, in_at);
CREATE INDEX clock_store_in ON clock_records (store_id, in_at);
CREATE INDEX clock_till_in ON clock_records (till_id, in_at);
