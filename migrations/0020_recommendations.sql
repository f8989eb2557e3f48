-- Recommendations (care/reco): the "bought together" pairs and each
-- member's suggestions, written only by the recommendations job
-- (server/crm/reco_job.c, migrations/functions/recommendations.sql) and
-- read by MemberGet, Member360 and the bought_together report. A till's
-- look-up never computes them: it reads these rows.

-- One row per ordered pair (a, b) of products bought together in at least
-- [crm] reco_min_pair_count baskets (a basket: one sale's distinct
-- products) of the last run's window; both directions are stored, so
-- confidence and lift are those of a -> b. support = baskets / total,
-- confidence = baskets / baskets_a, lift = confidence / (baskets_b / total).
CREATE TABLE reco_pairs (
	product_id	bigint NOT NULL,		-- a
	other_id	bigint NOT NULL,		-- b
	baskets		bigint NOT NULL CHECK (baskets > 0),	-- with both
	baskets_a	bigint NOT NULL CHECK (baskets_a >= baskets),
	baskets_b	bigint NOT NULL CHECK (baskets_b >= baskets),
	total_baskets	bigint NOT NULL CHECK (total_baskets >= baskets_a),
	support		double precision NOT NULL,
	confidence	double precision NOT NULL,
	lift		double precision NOT NULL,
	run_id		bigint NOT NULL,		-- job_runs
	PRIMARY KEY (product_id, other_id),
	CHECK (product_id <> other_id)
);
CREATE INDEX reco_pairs_lift ON reco_pairs (lift DESC, baskets DESC);

-- A member's suggestions, best first (rank 1..[crm] reco_per_member).
-- reason: 'bought_with' (a high-lift partner of a product they bought,
-- because_id that product), 'category' (a top seller of a favourite
-- category), 'similar_members' (bought most by members of their RFM class).
CREATE TABLE member_recommendations (
	member_id	bigint NOT NULL,
	rank		smallint NOT NULL CHECK (rank >= 1),
	product_id	bigint NOT NULL,
	reason		text NOT NULL CHECK (reason IN ('bought_with', 'category', 'similar_members')),
	score_milli	integer NOT NULL,
	because_id	bigint,				-- bought_with only
	run_id		bigint NOT NULL,
	computed_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (member_id, rank),
	UNIQUE (member_id, product_id)
);
CREATE INDEX member_recommendations_run ON member_recommendations (run_id);

-- The job's one row: the lease that keeps a run to one kassad at a time
-- (holder = the run's token, '' = none; a kassad that dies leaves it to
-- expire), the run in progress and the facts its batches share: the
-- window's start and the baskets counted.
CREATE TABLE reco_state (
	id		boolean PRIMARY KEY DEFAULT true CHECK (id),
	holder		text NOT NULL DEFAULT '',
	lease_until	timestamptz NOT NULL DEFAULT '-infinity',
	run_id		bigint NOT NULL DEFAULT 0,
	window_from	timestamptz,
	baskets		bigint NOT NULL DEFAULT 0,
	last_run_id	bigint NOT NULL DEFAULT 0,	-- the last finished run
	last_finished	timestamptz
);
INSERT INTO reco_state DEFAULT VALUES;

-- What the members' batches of a run draw on, rewritten by its first
-- statement: each product's baskets in the window (the category
-- suggestions' top sellers) and, per RFM class (member_stats.class, 'none'
-- for a member without a row), how many of the class's buyers in the
-- window bought each product (the similar_members suggestions).
CREATE TABLE reco_products (
	product_id	bigint PRIMARY KEY,
	category	text NOT NULL,
	baskets		bigint NOT NULL
);
CREATE INDEX reco_products_category ON reco_products (category, baskets DESC);

CREATE TABLE reco_class_products (
	class		text NOT NULL,
	product_id	bigint NOT NULL,
	buyers		bigint NOT NULL,	-- members of the class who bought it
	members		bigint NOT NULL,	-- members of the class who bought anything
	PRIMARY KEY (class, product_id)
);
