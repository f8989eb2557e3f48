-- Kassa schema, version 12: head office. Saved segments, the members'
-- RFM scores, classes and portraits, the pre-aggregated tables every
-- report reads, and the record of exports. The functions that fill and
-- read them are in migrations/functions/ (analytics.sql, segments.sql,
-- reports.sql, exports.sql); docs/office.md describes the rules.
--
-- The aggregates are maintained by the analytics job, never by the sale:
-- each run recomputes, from the sales themselves, every (store, business
-- day) bucket of the last two days in each store's time zone, plus the
-- buckets a late sale marked in agg_dirty (an offline sale recorded with a
-- time older than that, in the checkout's own transaction). A bucket is
-- replaced whole, so a run is idempotent and a sale still in flight during
-- one is counted by the next. A refund counts on its own day.

-- ---- members erased or merged ------------------------------------------
--
-- An erased member keeps their row (their sales stay in the figures) with
-- the personal fields emptied; a merged one points at the member it was
-- merged into. Neither is found by a search, counted in a segment or
-- exported; reports count a merged member's sales under the member they
-- were merged into.
ALTER TABLE members
	ADD COLUMN erased_at timestamptz,
	ADD COLUMN merged_into bigint REFERENCES members,
	-- who signed the member up, and where (NULL for members older than this)
	ADD COLUMN registered_by bigint REFERENCES staff,
	ADD COLUMN registered_store bigint REFERENCES stores,
	ADD CHECK (merged_into IS NULL OR merged_into <> member_id);
CREATE INDEX members_registered ON members (registered_by) WHERE registered_by IS NOT NULL;
-- The analytics job finds the members merged into a member (their sales are hers).
CREATE INDEX members_merged ON members (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX members_tags ON members USING gin (tags);
CREATE INDEX members_birthday_month ON members ((extract(month FROM birthday)::smallint))
	WHERE birthday IS NOT NULL;
-- The member 360 reads a member's refunds and feedback newest first.
CREATE INDEX refunds_member ON refunds (member_id, created_at) WHERE member_id IS NOT NULL;
CREATE INDEX feedback_member ON feedback (member_id, created_at) WHERE member_id IS NOT NULL;

-- ---- saved segments ------------------------------------------------------
--
-- A named filter (the packed MemberFilter, read by kassad only); saving a
-- name again adds a version, and versions never change.
CREATE TABLE segments (
	name		text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64
				AND name !~ '[[:cntrl:]]'),
	version		integer NOT NULL CHECK (version > 0),
	description	text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
	filter		bytea NOT NULL,
	created_by	bigint NOT NULL REFERENCES staff,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (name, version)
);

-- ---- RFM, classes and portraits -----------------------------------------
--
-- One row per member who has ever bought, written only by the analytics
-- job. Scores are quintiles (1..5, 5 best; 0 = no sale in the window) drawn
-- against rfm_bounds, the cut points of the last full pass.
CREATE TABLE member_stats (
	member_id		bigint PRIMARY KEY REFERENCES members,
	visits			integer NOT NULL DEFAULT 0,	-- sales ever
	spend_minor		bigint NOT NULL DEFAULT 0,	-- net of refunds, ever
	first_visit		timestamptz,
	last_visit		timestamptz,
	second_visit		timestamptz,			-- for the repeat-purchase rate
	window_visits		integer NOT NULL DEFAULT 0,	-- in the RFM window
	window_spend_minor	bigint NOT NULL DEFAULT 0,
	r			smallint NOT NULL DEFAULT 0 CHECK (r BETWEEN 0 AND 5),
	f			smallint NOT NULL DEFAULT 0 CHECK (f BETWEEN 0 AND 5),
	m			smallint NOT NULL DEFAULT 0 CHECK (m BETWEEN 0 AND 5),
	class			text NOT NULL DEFAULT 'none' CHECK (class IN
					('new', 'active', 'high_value', 'at_risk', 'lost', 'none')),
	avg_basket_minor	bigint NOT NULL DEFAULT 0,
	fav_categories		text[] NOT NULL DEFAULT '{}',
	usual_store_id		bigint,
	usual_hour		smallint CHECK (usual_hour BETWEEN 0 AND 23),
	visit_interval_days	integer NOT NULL DEFAULT 0,
	computed_at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_stats_class ON member_stats (class, member_id);
CREATE INDEX member_stats_store ON member_stats (usual_store_id, member_id);
CREATE INDEX member_stats_last_visit ON member_stats (last_visit);

-- The quintile cut points of the last full pass: f_bounds[i] and
-- m_bounds[i] are the lowest value that scores i + 2, r_bounds[i] the most
-- days since the last visit that still score i + 2 (so four per measure;
-- functions/analytics.sql, kassa_rfm_score).
CREATE TABLE rfm_bounds (
	id		boolean PRIMARY KEY DEFAULT true CHECK (id),
	window_days	integer NOT NULL,
	r_bounds	integer[] NOT NULL,	-- days since the last visit (lower is better)
	f_bounds	bigint[] NOT NULL,
	m_bounds	bigint[] NOT NULL,
	computed_at	timestamptz NOT NULL DEFAULT now()
);

-- ---- pre-aggregated tables ------------------------------------------------
--
-- day is the store's business day (stores.timezone); hour its local hour.
-- Sales are kind 'sale' (top-ups are not sales); money is the store's
-- currency. A merged member's sales count as their survivor's.
CREATE TABLE agg_sales_day (
	store_id		bigint NOT NULL,
	day			date NOT NULL,
	sales			integer NOT NULL,
	items			bigint NOT NULL,	-- units sold
	gross_minor		bigint NOT NULL,	-- before discounts
	total_minor		bigint NOT NULL,	-- what the customers paid
	member_sales		integer NOT NULL,
	member_total_minor	bigint NOT NULL,
	refunds			integer NOT NULL,	-- refunds made that day at the store
	refund_minor		bigint NOT NULL,
	PRIMARY KEY (store_id, day)
);
CREATE INDEX agg_sales_day_day ON agg_sales_day (day);

CREATE TABLE agg_sales_hour (
	store_id	bigint NOT NULL,
	day		date NOT NULL,
	hour		smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
	sales		integer NOT NULL,
	total_minor	bigint NOT NULL,
	member_sales	integer NOT NULL,
	PRIMARY KEY (store_id, day, hour)
);

CREATE TABLE agg_category_day (
	store_id	bigint NOT NULL,
	day		date NOT NULL,
	category	text NOT NULL,
	quantity	bigint NOT NULL,
	net_minor	bigint NOT NULL,
	sales		integer NOT NULL,	-- sales with at least one line of it
	PRIMARY KEY (store_id, day, category)
);

CREATE TABLE agg_product_day (
	store_id	bigint NOT NULL,
	day		date NOT NULL,
	product_id	bigint NOT NULL,
	quantity	bigint NOT NULL,
	net_minor	bigint NOT NULL,
	PRIMARY KEY (store_id, day, product_id)
);

-- The same summed over every store: (day, product) holds the sum of the
-- agg_product_day rows of that day (each store's business day) and
-- product, and exists exactly when one of them does (a line's quantity is
-- at least 1, so quantity > 0 here once a recomputation commits; within
-- one a row may pass through 0 before it is deleted, hence no CHECK). The
-- chain-wide best and slowest sellers read it instead of every store's
-- rows (reports.sql); kassa_agg_buckets keeps it equal to that sum as it
-- replaces buckets.
CREATE TABLE agg_product_chain_day (
	day		date NOT NULL,
	product_id	bigint NOT NULL,
	quantity	bigint NOT NULL,
	net_minor	bigint NOT NULL,
	PRIMARY KEY (day, product_id)
);

CREATE TABLE agg_staff_day (
	store_id	bigint NOT NULL,
	day		date NOT NULL,
	staff_id	bigint NOT NULL,
	sales		integer NOT NULL,
	items		bigint NOT NULL,
	total_minor	bigint NOT NULL,
	member_sales	integer NOT NULL,
	refunds		integer NOT NULL,	-- refunds this cashier made
	refund_minor	bigint NOT NULL,
	PRIMARY KEY (store_id, day, staff_id)
);

-- Points by ledger kind and coupons and stored value by day, in the
-- server's business time zone ([server] timezone): chain-wide figures.
CREATE TABLE agg_points_day (
	day		date NOT NULL,
	kind		text NOT NULL,
	entries		integer NOT NULL,
	points		bigint NOT NULL,	-- signed, as in the ledger
	PRIMARY KEY (day, kind)
);

CREATE TABLE agg_wallet_day (
	day		date NOT NULL,
	kind		text NOT NULL,
	entries		integer NOT NULL,
	amount_minor	bigint NOT NULL,	-- signed, as in the ledger
	PRIMARY KEY (day, kind)
);

-- The tiers report's slices of the base tables (reports.sql): the sales
-- that moved their member to another tier (a handful of the sales, so the
-- partial index costs a checkout almost nothing), and the audit rows of
-- one action over a range (tier.downgrade, tier.set).
CREATE INDEX transactions_tier_moves ON transactions (created_at) WHERE tier_after <> tier;
CREATE INDEX audit_log_action_at ON audit_log (action, at);

-- What a bucket's recomputation and the chain-wide days read by time:
-- refunds by store and time (also the incremental RFM's "refunds since"),
-- and the ledgers by time. The ledgers are written in time order, so a
-- BRIN index finds a day's rows for almost nothing on each insert (a
-- checkout pays no B-tree entry for it).
CREATE INDEX refunds_store_time ON refunds (store_id, created_at);
CREATE INDEX points_ledger_time ON points_ledger USING brin (created_at);
CREATE INDEX wallet_ledger_time ON wallet_ledger USING brin (created_at);

-- Buckets a late sale changed, for the next run.
CREATE TABLE agg_dirty (
	store_id	bigint NOT NULL,
	day		date NOT NULL,
	marked_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (store_id, day)
);

-- The analytics job's last runs (one row per kind).
CREATE TABLE analytics_state (
	kind		text PRIMARY KEY CHECK (kind IN ('aggregates', 'rfm_incremental', 'rfm_full')),
	started_at	timestamptz NOT NULL,
	finished_at	timestamptz NOT NULL,
	-- the sales' clock the run saw: the next incremental run starts a
	-- margin before it
	covered_to	timestamptz NOT NULL,
	rows		bigint NOT NULL DEFAULT 0
);

-- Who is running a job now, one row per job ('analytics' so far). A run
-- claims the row while lease_until has passed (kassa_analytics_begin),
-- renews it as it goes and clears it at its end (kassa_analytics_lease),
-- so one run goes at a time whichever request, timer or kassad process
-- starts it; the lease of a kassad that died mid-run simply expires.
CREATE TABLE job_leases (
	job		text PRIMARY KEY CHECK (job IN ('analytics')),
	holder		text NOT NULL DEFAULT '',	-- the run's token (kassad's host, pid, run); '' = none
	run_id		bigint NOT NULL DEFAULT 0,	-- its job_runs row; 0 = the timer's unrecorded run
	lease_until	timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO job_leases (job) VALUES ('analytics');

-- A run of the analytics job that an administrator asked for
-- (AnalyticsRun, its idempotency row names it) or the daily full pass is
-- a job_runs row too: buckets recomputed, members (re)classified.
ALTER TABLE job_runs DROP CONSTRAINT job_runs_kind_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_kind_check
	CHECK (kind IN ('points_expire', 'tier_reevaluate', 'birthday_coupons', 'analytics_run'));
ALTER TABLE job_runs ADD COLUMN buckets bigint NOT NULL DEFAULT 0;

-- The coupons report (reports_loyalty.sql): the discount of the sales that
-- used a coupon, read from a small index of those sales alone (an index-only
-- scan, never ten million sales; a sale without a coupon discount costs it
-- nothing), and the coupons each such sale used, to share its discount.
CREATE INDEX transactions_coupon_off ON transactions (txn_id)
	INCLUDE (coupon_off_minor, coupon_codes) WHERE coupon_off_minor > 0;
CREATE INDEX coupons_used_txn ON coupons (used_txn) WHERE used_txn IS NOT NULL;

-- ---- exports --------------------------------------------------------------
--
-- Who exported what: written by the first page (with its idempotency row),
-- rows and finished_at by the last.
CREATE TABLE exports (
	export_id	bigserial PRIMARY KEY,
	staff_id	bigint NOT NULL REFERENCES staff,
	till_id		bigint NOT NULL REFERENCES tills,
	kind		text NOT NULL CHECK (kind IN ('members', 'sales', 'lines')),
	params		jsonb NOT NULL,		-- the filter, segment and range, as asked
	rows		bigint NOT NULL DEFAULT 0,
	started_at	timestamptz NOT NULL DEFAULT now(),
	finished_at	timestamptz,
	-- the largest key (member_id, txn_id) the report lane saw at the start:
	-- rows added later are not part of this export
	upto		bigint NOT NULL DEFAULT 0,
	-- the last page's next: rows is counted once per page, a retried page
	-- (the same after) does not count again
	cursor		text NOT NULL DEFAULT ''
);
CREATE INDEX exports_staff ON exports (staff_id, started_at);

-- Saving a segment, starting an export and running the analytics job on
-- request are exactly-once mutations like the others.
ALTER TABLE idempotency DROP CONSTRAINT idempotency_kind_check;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_kind_check CHECK (kind IN (
	'checkout', 'member_register', 'refund', 'topup', 'rules', 'coupon_define',
	'coupon_issue', 'tier_set', 'points_expire', 'tier_reevaluate', 'staff_unlock',
	'rates_set', 'feedback', 'shift_open', 'shift_close', 'segment_save', 'export',
	'analytics_run'));
