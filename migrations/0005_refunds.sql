-- Kassa schema, version 5: refunds. A refund returns some or all lines of
-- one sale and takes back exactly what those lines got, from the per-line
-- allocation a checkout stored. The functions that do it are in
-- migrations/functions/refunds.sql, which describes the rules.

CREATE TABLE refunds (
	refund_id		bigserial PRIMARY KEY,
	txn_id			bigint NOT NULL REFERENCES transactions,
	store_id		bigint NOT NULL REFERENCES stores,	-- where it was refunded
	till_id			bigint NOT NULL REFERENCES tills,
	staff_id		bigint NOT NULL REFERENCES staff,
	member_id		bigint REFERENCES members,		-- the sale's member
	approved_by		bigint REFERENCES staff,	-- NULL: below the approval limit
	reason			text NOT NULL DEFAULT '',
	amount_minor		bigint NOT NULL CHECK (amount_minor >= 0),
	points_clawed_back	bigint NOT NULL DEFAULT 0 CHECK (points_clawed_back >= 0),
	points_restored		bigint NOT NULL DEFAULT 0 CHECK (points_restored >= 0),
	wallet_restored_minor	bigint NOT NULL DEFAULT 0 CHECK (wallet_restored_minor >= 0),
	coupons_restored	text[] NOT NULL DEFAULT '{}',
	-- the member's balances right after this refund, as the till showed them
	points_balance_after	bigint,
	wallet_balance_after	bigint,
	cumulative_spend_after	bigint,
	tier_after		text,
	created_at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_txn ON refunds (txn_id);

-- One row per refunded line; the primary key is what makes a second refund
-- of a line impossible whatever the code above it does.
CREATE TABLE refund_lines (
	txn_id			bigint NOT NULL,
	line_no			integer NOT NULL,
	refund_id		bigint NOT NULL REFERENCES refunds,
	amount_minor		bigint NOT NULL CHECK (amount_minor >= 0),	-- the line's net
	points_clawed_back	bigint NOT NULL DEFAULT 0 CHECK (points_clawed_back >= 0),
	points_restored		bigint NOT NULL DEFAULT 0 CHECK (points_restored >= 0),
	PRIMARY KEY (txn_id, line_no),
	FOREIGN KEY (txn_id, line_no) REFERENCES transaction_lines
);
CREATE INDEX refund_lines_refund ON refund_lines (refund_id);

-- How the money went back: one row per tender of the sale that returned
-- some, named by the sale's tender_no.
CREATE TABLE refund_tenders (
	refund_id	bigint NOT NULL REFERENCES refunds,
	tender_no	integer NOT NULL,
	txn_id		bigint NOT NULL,		-- the sale (tenders: txn_id, tender_no)
	kind		smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
	amount_minor	bigint NOT NULL CHECK (amount_minor > 0),
	reference	text NOT NULL DEFAULT '',	-- the sale tender's reference
	PRIMARY KEY (refund_id, tender_no),
	FOREIGN KEY (txn_id, tender_no) REFERENCES tenders
);
CREATE INDEX refund_tenders_txn ON refund_tenders (txn_id, tender_no);

-- Ledger rows and lots a refund writes carry the sale's txn_id and the
-- refund that wrote them.
ALTER TABLE points_ledger ADD COLUMN refund_id bigint;
ALTER TABLE wallet_ledger ADD COLUMN refund_id bigint;
ALTER TABLE points_lots ADD COLUMN refund_id bigint;
