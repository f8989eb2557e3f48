-- 0030_count_cards: service items and count cards (次卡), store operations part
-- "cards" (issue 12). Functions: functions/count_cards.sql.
--
-- A service item is a product (products.stocked = false) sold as visits:
-- a sale of Q units to a member makes one count card per sale line with
-- Q x visits visits. count_cards.remaining is the cache of its ledger
-- (card_ledger): remaining = sum(card_ledger.visits) of the card, always
-- >= 0; tests check both. card_refunds is the cash a till paid out for a
-- card's unused remainder: the till's shift counts it (functions/shifts.sql).

CREATE TABLE service_items (
	product_id	bigint PRIMARY KEY REFERENCES products,
	visits		integer NOT NULL CHECK (visits BETWEEN 1 AND 1000),	-- per unit sold
	valid_days	integer CHECK (valid_days BETWEEN 1 AND 3660),	-- NULL = no expiry
	active		boolean NOT NULL DEFAULT true,
	updated_at	timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE count_cards_card_id_seq;
CREATE TABLE count_cards (
	member_id	bigint NOT NULL REFERENCES members,
	card_id		bigint NOT NULL DEFAULT nextval('count_cards_card_id_seq'),
	product_id	bigint NOT NULL REFERENCES products,
	txn_id		bigint NOT NULL,	-- the sale (transaction_lines, same transaction)
	line_no		integer NOT NULL,
	store_id	bigint NOT NULL,	-- where it was sold
	visits		integer NOT NULL CHECK (visits > 0),
	remaining	integer NOT NULL CHECK (remaining >= 0 AND remaining <= visits),
	paid_minor	bigint NOT NULL CHECK (paid_minor >= 0),	-- the line's net_minor
	currency	char(3) NOT NULL,
	state		text NOT NULL DEFAULT 'active'
			CHECK (state IN ('active', 'refunded', 'void')),
	expires_at	timestamptz,	-- NULL = never
	created_at	timestamptz NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (member_id, card_id)
);
ALTER SEQUENCE count_cards_card_id_seq OWNED BY count_cards.card_id;
CREATE UNIQUE INDEX count_cards_id ON count_cards (card_id);
CREATE UNIQUE INDEX count_cards_line ON count_cards (txn_id, line_no);

CREATE TABLE card_ledger (
	member_id	bigint NOT NULL,
	entry_id	bigserial,
	card_id		bigint NOT NULL,
	kind		text NOT NULL CHECK (kind IN ('purchase', 'redeem', 'refund', 'void',
						  'expire')),
	visits		integer NOT NULL CHECK (visits <> 0),	-- signed
	remaining_after	integer NOT NULL CHECK (remaining_after >= 0),
	store_id	bigint NOT NULL DEFAULT 0,
	till_id		bigint NOT NULL DEFAULT 0,
	staff_id	bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (member_id, entry_id),
	FOREIGN KEY (member_id, card_id) REFERENCES count_cards (member_id, card_id)
		ON UPDATE CASCADE	-- a member merge moves the cards with their ledger
);
CREATE INDEX card_ledger_card ON card_ledger (card_id, entry_id);

CREATE TABLE card_refunds (
	refund_id	bigserial PRIMARY KEY,
	member_id	bigint NOT NULL,
	card_id		bigint NOT NULL,
	entry_id	bigint NOT NULL,	-- its card_ledger row
	store_id	bigint NOT NULL,
	till_id		bigint NOT NULL,
	staff_id	bigint NOT NULL,
	visits		integer NOT NULL CHECK (visits > 0),
	amount_minor	bigint NOT NULL CHECK (amount_minor >= 0),	-- paid out in cash
	currency	char(3) NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (member_id, card_id) REFERENCES count_cards (member_id, card_id)
		ON UPDATE CASCADE	-- a member merge moves the cards with their ledger
);
CREATE INDEX card_refunds_till ON card_refunds (till_id, created_at);
