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
CREATE INDEX members_tags ON members USING gin (tags);
CREATE INDEX members_birthday_month ON members ((extract(month FROM birthday)::smallint))
	WHERE birthday IS NOT NULL;

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

-- The quintile cut points of the last full pass: bounds[i] is the lowest
-- value that scores i + 2 (so four per measure).
CREATE TABLE rfm_bounds (
	id		boolean PRIMARY KEY DEFAULT true CHECK (id),
	window_days	integer NOT NULL,
	r_bounds	integer[] NOT NULL,	-- days since the last visit (lower is better)
	f_bounds	integer[] NOT NULL,
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
CREATE INDEX agg_product_day_day ON agg_product_day (day, product_id);

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
	finished_at	timestamptz
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
