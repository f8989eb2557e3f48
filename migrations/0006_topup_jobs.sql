-- Kassa schema, version 6: stored-value top-ups and the periodic loyalty
-- jobs (points expiry, tier downgrades, birthday coupons).
--
-- A top-up is a transaction of kind 'topup' (0003) and needs no table of
-- its own. Each run of a job is a job_runs row that its batches add their
-- counts to; a request's idempotency row names its run. The functions are
-- in migrations/functions/ (topup.sql, jobs.sql).

CREATE TABLE job_runs (
	run_id		bigserial PRIMARY KEY,
	kind		text NOT NULL
			CHECK (kind IN ('points_expire', 'tier_reevaluate', 'birthday_coupons')),
	staff_id	bigint,			-- who asked; NULL: kassad's timer
	till_id		bigint,
	started_at	timestamptz NOT NULL DEFAULT now(),
	finished_at	timestamptz,		-- NULL: running, or cut short
	-- points_expire: members whose points expired, lots and points expired
	members		bigint NOT NULL DEFAULT 0,
	lots		bigint NOT NULL DEFAULT 0,
	points		bigint NOT NULL DEFAULT 0,
	-- tier_reevaluate: members looked at, moved down; birthday_coupons:
	-- members looked at, coupons issued
	examined	bigint NOT NULL DEFAULT 0,
	downgraded	bigint NOT NULL DEFAULT 0,
	issued		bigint NOT NULL DEFAULT 0
);
CREATE INDEX job_runs_kind_started ON job_runs (kind, started_at);

-- At most one birthday coupon of a definition per member per year, however
-- often (and on however many kassad instances) the job runs.
CREATE TABLE birthday_coupons (
	member_id	bigint NOT NULL REFERENCES members,
	def_id		bigint NOT NULL REFERENCES coupon_defs,
	year		integer NOT NULL,
	coupon_id	bigint,			-- coupons.coupon_id, same transaction
	issued_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (member_id, def_id, year)
);

-- Today's birthdays without a scan of every member.
CREATE INDEX members_birthday_md ON members
	(extract(month FROM birthday), extract(day FROM birthday), member_id)
	WHERE birthday IS NOT NULL;
