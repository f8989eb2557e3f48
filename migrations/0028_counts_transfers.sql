-- Store operations (issue 12), part "counts": stock count sessions and
-- transfers between stores. Stock itself moves only through
-- kassa_stock_moves() (functions/stock.sql): a posted count's variances as
-- kind 'count', a transfer as 'transfer_out' at the sender and
-- 'transfer_in' at the receiver. Functions: functions/counts.sql,
-- functions/transfers.sql; the rules: docs/store/counts.md.

-- A count session of one store over a scope: every stocked product
-- ('all'), one category, or a list of products (count_scope_products).
-- scope_key names the scope so that only one session per store and scope
-- is open at a time.
CREATE TABLE count_sessions (
	count_id	bigserial PRIMARY KEY,
	store_id	bigint NOT NULL REFERENCES stores,
	scope		text NOT NULL CHECK (scope IN ('all', 'category', 'products')),
	scope_key	text NOT NULL,
	category	text NOT NULL DEFAULT '',
	uncounted_zero	boolean NOT NULL DEFAULT false,	-- uncounted products count as 0
	state		text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'posted', 'cancelled')),
	opened_by	bigint NOT NULL DEFAULT 0,
	opened_at	timestamptz NOT NULL DEFAULT now(),
	closed_by	bigint NOT NULL DEFAULT 0,
	closed_at	timestamptz,
	moves		integer NOT NULL DEFAULT 0	-- 'count' ledger moves of the posting
);
CREATE UNIQUE INDEX count_sessions_open ON count_sessions (store_id, scope_key)
	WHERE state = 'open';

CREATE TABLE count_scope_products (
	count_id	bigint NOT NULL REFERENCES count_sessions,
	product_id	bigint NOT NULL REFERENCES products,
	PRIMARY KEY (count_id, product_id)
);

-- What was counted: expected is the store's on_hand when the product was
-- first counted (the shelf was counted then; sales after it are in the
-- ledger, so posting counted - expected leaves on_hand = counted minus what
-- left the shelf since).
CREATE TABLE count_lines (
	count_id	bigint NOT NULL REFERENCES count_sessions,
	product_id	bigint NOT NULL REFERENCES products,
	counted		bigint NOT NULL CHECK (counted >= 0),
	expected	bigint NOT NULL,
	first_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (count_id, product_id)
);

-- A transfer: sent (in transit) until the receiving store receives it.
CREATE TABLE transfers (
	transfer_id	bigserial PRIMARY KEY,
	from_store	bigint NOT NULL REFERENCES stores,
	to_store	bigint NOT NULL REFERENCES stores CHECK (to_store <> from_store),
	state		text NOT NULL DEFAULT 'sent' CHECK (state IN ('sent', 'received')),
	note		text NOT NULL DEFAULT '',
	sent_by		bigint NOT NULL DEFAULT 0,
	sent_at		timestamptz NOT NULL DEFAULT now(),
	received_by	bigint NOT NULL DEFAULT 0,
	received_at	timestamptz
);
CREATE INDEX transfers_from ON transfers (from_store, transfer_id);
CREATE INDEX transfers_to ON transfers (to_store, transfer_id);

-- received - sent is the line's discrepancy (recorded once received)
CREATE TABLE transfer_lines (
	transfer_id	bigint NOT NULL REFERENCES transfers,
	product_id	bigint NOT NULL REFERENCES products,
	sent		bigint NOT NULL CHECK (sent > 0),
	received	bigint CHECK (received >= 0),	-- NULL until received
	PRIMARY KEY (transfer_id, product_id)
);
