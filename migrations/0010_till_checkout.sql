-- Kassa schema, version 10: what the till's checkout needs from the server
-- (issue 8): versioned exchange rates for foreign-currency tenders, the
-- rate each foreign tender was converted with, and the till's receipt
-- number and offline flag on a sale.
--
-- An exchange-rate version is immutable: setting rates adds a version
-- holding the whole table (kassa_rates_set, functions/rates.sql), so
-- kassad may cache a version in memory and a tender's rate_version always
-- names the rates it was converted with. The current version is the
-- highest. rate_micro is store-currency units per one unit of currency,
-- times 1,000,000 (USD->CNY 7.2345 is 7234500).

CREATE TABLE exchange_rate_versions (
	version		serial PRIMARY KEY,
	created_at	timestamptz NOT NULL DEFAULT now(),
	staff_id	bigint,			-- who set it (staff, same transaction)
	note		text NOT NULL DEFAULT ''
);

CREATE TABLE exchange_rates (
	version		integer NOT NULL REFERENCES exchange_rate_versions,
	currency	char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	rate_micro	bigint NOT NULL CHECK (rate_micro > 0),
	PRIMARY KEY (version, currency)
);

-- A foreign-currency tender (cash or card): currency '' is the store
-- currency (amount_minor only); otherwise foreign_minor in currency was
-- converted to amount_minor with rate_micro of version rate_version.
ALTER TABLE tenders
	ADD COLUMN currency text NOT NULL DEFAULT '' CHECK (currency = '' OR currency ~ '^[A-Z]{3}$'),
	ADD COLUMN foreign_minor bigint NOT NULL DEFAULT 0 CHECK (foreign_minor >= 0),
	ADD COLUMN rate_micro bigint NOT NULL DEFAULT 0 CHECK (rate_micro >= 0),
	ADD COLUMN rate_version integer NOT NULL DEFAULT 0 CHECK (rate_version >= 0),
	ADD CONSTRAINT tenders_foreign_check CHECK (
		(currency = '' AND foreign_minor = 0 AND rate_micro = 0 AND rate_version = 0)
		OR (currency <> '' AND foreign_minor > 0 AND rate_micro > 0 AND rate_version > 0));

-- The till's receipt number ('' = none: the transaction id is the
-- receipt number) and whether the sale was made offline and replayed.
ALTER TABLE transactions
	ADD COLUMN receipt_no text NOT NULL DEFAULT ''
		CHECK (receipt_no = '' OR receipt_no ~ '^[A-Za-z0-9-]{1,40}$'),
	ADD COLUMN offline boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX transactions_receipt_no ON transactions (receipt_no) WHERE receipt_no <> '';

-- Setting rates is exactly-once; result_id is the new version.
ALTER TABLE idempotency DROP CONSTRAINT idempotency_kind_check;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_kind_check CHECK (kind IN (
	'checkout', 'member_register', 'refund', 'topup', 'rules', 'coupon_define',
	'coupon_issue', 'tier_set', 'points_expire', 'tier_reevaluate', 'staff_unlock',
	'rates_set'));
