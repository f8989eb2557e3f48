-- Kassa schema, version 11: what the till keeps and reports besides the
-- sale itself (issue 8): the catalogue's change numbers for the till's
-- cache (CatalogSync, server/catalog/sync.c), the customer's rating of a
-- sale (Feedback, server/crm/feedback.c) and cash-desk shifts with their
-- X and Z reports (ShiftOpen/ShiftReport, server/store/shift.c). The
-- functions are in migrations/functions/ (catalog.sql, feedback.sql,
-- shifts.sql).

-- ---- catalogue change numbers ---------------------------------------------
--
-- Every insert and update of a product stamps it with the next value of
-- products_seq_seq; a till asks for the products whose seq is above the
-- last one it holds (CatalogSync). The trigger that stamps updates, and
-- hands the numbers out in commit order, is in functions/catalog.sql; the
-- default stamps an insert even before that file is applied.
CREATE SEQUENCE products_seq_seq;
ALTER TABLE products ADD COLUMN seq bigint;
UPDATE products p SET seq = o.n
FROM (SELECT product_id, row_number() OVER (ORDER BY product_id) AS n FROM products) o
WHERE p.product_id = o.product_id;
SELECT setval('products_seq_seq', greatest(coalesce((SELECT max(seq) FROM products), 0), 1),
	(SELECT count(*) > 0 FROM products));
ALTER TABLE products ALTER COLUMN seq SET DEFAULT nextval('products_seq_seq'),
	ALTER COLUMN seq SET NOT NULL;
ALTER SEQUENCE products_seq_seq OWNED BY products.seq;
CREATE UNIQUE INDEX products_seq ON products (seq);

-- ---- feedback ------------------------------------------------------------
--
-- One rating per sale (txn_id unique), with the store, till, cashier and
-- member of the sale copied so head office reads them without joins.
CREATE TABLE feedback (
	feedback_id	bigserial PRIMARY KEY,
	txn_id		bigint NOT NULL UNIQUE REFERENCES transactions,
	rating		smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
	comment		text NOT NULL DEFAULT '' CHECK (char_length(comment) <= 500),
	store_id	bigint NOT NULL,	-- the sale's (stores)
	till_id		bigint NOT NULL,	-- the sale's (tills)
	staff_id	bigint NOT NULL,	-- the sale's cashier (staff)
	member_id	bigint,			-- the sale's member, if any
	recorded_by	bigint NOT NULL,	-- the staff logged in when it was given
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_store_time ON feedback (store_id, created_at);

-- ---- shifts --------------------------------------------------------------
--
-- A till's cash-desk shift: opened with the float counted into the drawer,
-- closed by its Z report, whose figures are written into the row once and
-- never change (a late offline sale arriving afterwards does not alter a
-- closed shift). At most one open shift per till.
CREATE TABLE shifts (
	shift_id	bigserial PRIMARY KEY,
	store_id	bigint NOT NULL,	-- the till's (stores)
	till_id		bigint NOT NULL,	-- tills
	staff_id	bigint NOT NULL,	-- who opened it (staff)
	float_minor	bigint NOT NULL CHECK (float_minor >= 0),
	opened_at	timestamptz NOT NULL DEFAULT now(),
	closed_at	timestamptz,		-- NULL: open
	closed_by	bigint,			-- who took the Z report (staff)
	counted_minor	bigint CHECK (counted_minor >= 0),
	report		jsonb,			-- the Z report's figures (kassa_shift_json)
	CHECK ((closed_at IS NULL) = (report IS NULL)),
	CHECK ((closed_at IS NULL) = (counted_minor IS NULL))
);
CREATE UNIQUE INDEX shifts_one_open ON shifts (till_id) WHERE closed_at IS NULL;
CREATE INDEX shifts_till_opened ON shifts (till_id, opened_at);
-- The shift's figures read this till's refunds by time; its transactions
-- through transactions_store_time (the store's, then the till's), so a
-- sale pays for no index more than before.
CREATE INDEX refunds_till_time ON refunds (till_id, created_at);

-- Feedback, opening a shift and its Z report are exactly-once; result_id
-- is the feedback_id or the shift_id.
ALTER TABLE idempotency DROP CONSTRAINT idempotency_kind_check;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_kind_check CHECK (kind IN (
	'checkout', 'member_register', 'refund', 'topup', 'rules', 'coupon_define',
	'coupon_issue', 'tier_set', 'points_expire', 'tier_reevaluate', 'staff_unlock',
	'rates_set', 'feedback', 'shift_open', 'shift_close'));
