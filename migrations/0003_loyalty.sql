-- Kassa schema, version 3: the loyalty engine. A versioned rule set (tiers,
-- earn and burn, multipliers, stored-value bonuses), an audit log, points
-- as lots with an expiry, coupons with guarded use, the stored-value wallet
-- and its ledger, and the per-line allocation of every discount and of the
-- points earned, so that a refund can take back exactly what a line got.
--
-- Invariants the tests check:
--   members.points_balance = sum(points_ledger.points) of the member;
--   sum(points_lots.remaining) of the member = greatest(points_balance, 0);
--   wallets.balance_minor = sum(wallet_ledger.amount_minor) >= 0;
--   coupon_defs.uses_total = count of its coupons in state 'used', for the
--   definitions with a limit (max_uses_total > 0; unlimited ones are not
--   counted, so a popular coupon is not one hot row).

-- The whole rule set as one document; the newest version is in force. kassad
-- prices with the version it has loaded and kassa_checkout() refuses a sale
-- priced with an older one (STALE_PRICING), so a change takes effect at once.
CREATE TABLE rule_versions (
	version		integer PRIMARY KEY CHECK (version > 0),
	created_at	timestamptz NOT NULL DEFAULT now(),
	staff_id	bigint REFERENCES staff,	-- NULL: shipped with a migration
	note		text NOT NULL DEFAULT '',
	config		jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object')
);

-- The defaults of MISSION.md. Thresholds are minor units of cumulative spend
-- (tier_basis "spend") or points earned ("points_earned"); percentages are
-- basis points (1000 = 10%); multipliers are hundredths (100 = 1x).
INSERT INTO rule_versions (version, note, config) VALUES (1, 'defaults', '{
	"tier_basis": "spend",
	"tiers": [
		{"name": "Regular", "threshold": 0, "discount_bp": 0, "multiplier_x100": 100},
		{"name": "Silver", "threshold": 200000, "discount_bp": 1000, "multiplier_x100": 100},
		{"name": "Gold", "threshold": 1000000, "discount_bp": 2000, "multiplier_x100": 100}
	],
	"downgrade_window_months": 12,
	"earn": {"minor_per_point": 1000, "stored_value_earns": false},
	"redeem": {"points_step": 100, "step_value_minor": 1000, "cap_bp": 5000},
	"multipliers": {
		"combine": "max",
		"member_day_x100": 100, "member_weekdays": [], "member_monthdays": [],
		"birthday": "day", "birthday_x100": 100,
		"campaigns": []
	},
	"points_expiry": "end_of_next_year",
	"topup_bonus": [{"min_minor": 100000, "bonus_minor": 10000}],
	"refund_approval_minor": 50000
}');

CREATE TABLE audit_log (
	audit_id	bigserial PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	staff_id	bigint,			-- who did it (staff)
	till_id		bigint,			-- from where (tills)
	action		text NOT NULL,		-- e.g. 'rules.set', 'tier.set', 'coupon.define'
	subject		text NOT NULL DEFAULT '',	-- e.g. 'member:42', 'rules:3'
	detail		jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);

-- Every mutating request is exactly-once through idempotency.
ALTER TABLE idempotency DROP CONSTRAINT idempotency_kind_check;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_kind_check CHECK (kind IN (
	'checkout', 'member_register', 'refund', 'topup', 'rules', 'coupon_define',
	'coupon_issue', 'tier_set', 'points_expire', 'tier_reevaluate'));

-- Tier bookkeeping: when the tier last changed, whether a manager set it,
-- and the points ever earned (a tier basis; never the balance).
ALTER TABLE members
	ADD COLUMN tier_since timestamptz NOT NULL DEFAULT now(),
	ADD COLUMN tier_manual boolean NOT NULL DEFAULT false,
	ADD COLUMN points_earned_total bigint NOT NULL DEFAULT 0 CHECK (points_earned_total >= 0);
UPDATE members m SET points_earned_total = coalesce(
	(SELECT sum(points) FROM points_ledger l WHERE l.member_id = m.member_id AND l.kind = 'earn'), 0)
WHERE points_balance <> 0;

-- Ledger kinds: earn and redeem at a sale, expire by the expiry job,
-- clawback (points a refunded line had earned) and restore (points a
-- refunded line had redeemed, returned as a new lot), adjust by a manager.
ALTER TABLE points_ledger DROP CONSTRAINT points_ledger_kind_check;
ALTER TABLE points_ledger ADD CONSTRAINT points_ledger_kind_check
	CHECK (kind IN ('earn', 'redeem', 'adjust', 'expire', 'clawback', 'restore', 'refund'));

-- Every earn is a lot that expires; a redemption draws from the lots that
-- expire first and names them in points_lot_moves. Earnings that repay a
-- clawback debt (a negative balance) make a lot with less remaining.
CREATE TABLE points_lots (
	member_id	bigint NOT NULL REFERENCES members,
	lot_id		bigserial,
	txn_id		bigint,			-- the sale or refund that made it
	source		text NOT NULL CHECK (source IN ('earn', 'restore', 'adjust', 'migrated')),
	points		bigint NOT NULL CHECK (points > 0),
	remaining	bigint NOT NULL CHECK (remaining >= 0 AND remaining <= points),
	expires_on	date NOT NULL,		-- usable through this day
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (member_id, lot_id)
);
CREATE INDEX points_lots_open ON points_lots (member_id, expires_on, lot_id) WHERE remaining > 0;
CREATE INDEX points_lots_due ON points_lots (expires_on) WHERE remaining > 0;

CREATE TABLE points_lot_moves (
	member_id	bigint NOT NULL,
	entry_id	bigint NOT NULL,	-- the points_ledger row (redeem, expire, clawback)
	lot_id		bigint NOT NULL,
	points		bigint NOT NULL CHECK (points > 0),
	PRIMARY KEY (member_id, entry_id, lot_id)
);

-- Balances earned before lots existed become one lot each.
INSERT INTO points_lots (member_id, source, points, remaining, expires_on)
SELECT member_id, 'migrated', points_balance, points_balance,
	make_date(extract(year FROM now())::integer + 1, 12, 31)
FROM members WHERE points_balance > 0;

-- Coupon definitions never change once used (a new definition replaces
-- one); only `active` and the use counter move.
CREATE TABLE coupon_defs (
	def_id			bigserial PRIMARY KEY,
	name			text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	kind			text NOT NULL CHECK (kind IN ('fixed', 'percent', 'free_item')),
	value_minor		bigint NOT NULL DEFAULT 0 CHECK (value_minor >= 0),
	percent_bp		integer NOT NULL DEFAULT 0 CHECK (percent_bp BETWEEN 0 AND 10000),
	cap_minor		bigint NOT NULL DEFAULT 0 CHECK (cap_minor >= 0),	-- 0: none
	item_product_id		bigint REFERENCES products,
	min_spend_minor		bigint NOT NULL DEFAULT 0 CHECK (min_spend_minor >= 0),
	valid_from		date,
	valid_to		date,
	max_uses_total		integer NOT NULL DEFAULT 0 CHECK (max_uses_total >= 0),	-- 0: no limit
	max_uses_per_member	integer NOT NULL DEFAULT 1 CHECK (max_uses_per_member >= 0),
	uses_total		integer NOT NULL DEFAULT 0,
	stackable		boolean NOT NULL DEFAULT false,
	issue_on		text NOT NULL DEFAULT 'manual'
				CHECK (issue_on IN ('manual', 'registration', 'birthday', 'code')),
	claim_code		text UNIQUE,		-- issue_on 'code': what a member types
	active			boolean NOT NULL DEFAULT true,
	created_at		timestamptz NOT NULL DEFAULT now(),
	CHECK (max_uses_total = 0 OR uses_total <= max_uses_total),
	CHECK (kind <> 'free_item' OR item_product_id IS NOT NULL),
	CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to)
);

-- A coupon a member holds: one use each. state moves issued -> used only
-- inside kassa_checkout(), guarded, and back to issued only when a refund
-- returns the whole sale within the coupon's validity.
CREATE TABLE coupons (
	member_id	bigint NOT NULL REFERENCES members,
	coupon_id	bigserial,
	def_id		bigint NOT NULL REFERENCES coupon_defs,
	code		text NOT NULL UNIQUE CHECK (length(code) BETWEEN 4 AND 64),
	state		text NOT NULL DEFAULT 'issued' CHECK (state IN ('issued', 'used', 'void')),
	used_txn	bigint,
	issued_at	timestamptz NOT NULL DEFAULT now(),
	used_at		timestamptz,
	PRIMARY KEY (member_id, coupon_id),
	CHECK ((state = 'used') = (used_txn IS NOT NULL))
);
CREATE INDEX coupons_member_issued ON coupons (member_id) WHERE state = 'issued';
CREATE INDEX coupons_def_member ON coupons (def_id, member_id);

-- The gift catalogue: products a member takes for points instead of money.
-- A gift line is recorded at price zero with the points it cost; the stock
-- is decremented in the sale's transaction, never below zero.
CREATE TABLE gift_items (
	product_id	bigint PRIMARY KEY REFERENCES products,
	points_cost	bigint NOT NULL CHECK (points_cost > 0),
	stock		integer NOT NULL CHECK (stock >= 0),
	active		boolean NOT NULL DEFAULT true,
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- Stored value (储值): never negative, and its own ledger.
CREATE TABLE wallets (
	member_id	bigint PRIMARY KEY REFERENCES members,
	balance_minor	bigint NOT NULL DEFAULT 0 CHECK (balance_minor >= 0),
	currency	char(3) NOT NULL DEFAULT 'CNY',
	updated_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wallet_ledger (
	member_id	bigint NOT NULL REFERENCES members,
	entry_id	bigserial,
	kind		text NOT NULL CHECK (kind IN ('topup', 'bonus', 'spend', 'refund', 'adjust')),
	amount_minor	bigint NOT NULL,
	txn_id		bigint,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (member_id, entry_id)
);
CREATE INDEX wallet_ledger_txn ON wallet_ledger (txn_id) WHERE txn_id IS NOT NULL;

-- Tender kind 4: the member's stored value.
ALTER TABLE tenders DROP CONSTRAINT tenders_kind_check;
ALTER TABLE tenders ADD CONSTRAINT tenders_kind_check CHECK (kind BETWEEN 1 AND 4);

-- What a sale was priced with and how. total_minor stays what the tenders
-- covered; gross is before any discount. A stored-value top-up is a
-- transaction of kind 'topup' (money taken, no lines).
ALTER TABLE transactions
	ADD COLUMN kind text NOT NULL DEFAULT 'sale' CHECK (kind IN ('sale', 'topup')),
	ADD COLUMN rule_version integer,
	ADD COLUMN tier text,
	ADD COLUMN tier_after text,
	ADD COLUMN gross_minor bigint,
	ADD COLUMN tier_off_minor bigint NOT NULL DEFAULT 0 CHECK (tier_off_minor >= 0),
	ADD COLUMN coupon_off_minor bigint NOT NULL DEFAULT 0 CHECK (coupon_off_minor >= 0),
	ADD COLUMN coupon_codes text[] NOT NULL DEFAULT '{}',
	ADD COLUMN points_redeemed bigint NOT NULL DEFAULT 0 CHECK (points_redeemed >= 0),
	ADD COLUMN points_value_minor bigint NOT NULL DEFAULT 0 CHECK (points_value_minor >= 0),
	ADD COLUMN gift_points bigint NOT NULL DEFAULT 0 CHECK (gift_points >= 0),
	ADD COLUMN wallet_paid_minor bigint NOT NULL DEFAULT 0 CHECK (wallet_paid_minor >= 0),
	ADD COLUMN wallet_balance_after bigint;
UPDATE transactions SET gross_minor = total_minor;
ALTER TABLE transactions ALTER COLUMN gross_minor SET NOT NULL;

-- The per-line allocation: net = line_total - tier_off - coupon_off - points_off.
-- A gift line has unit price 0 and gift_points > 0.
ALTER TABLE transaction_lines
	ADD COLUMN tier_off_minor bigint NOT NULL DEFAULT 0 CHECK (tier_off_minor >= 0),
	ADD COLUMN coupon_off_minor bigint NOT NULL DEFAULT 0 CHECK (coupon_off_minor >= 0),
	ADD COLUMN points_off_minor bigint NOT NULL DEFAULT 0 CHECK (points_off_minor >= 0),
	ADD COLUMN net_minor bigint,
	ADD COLUMN points_earned bigint NOT NULL DEFAULT 0 CHECK (points_earned >= 0),
	ADD COLUMN gift_points bigint NOT NULL DEFAULT 0 CHECK (gift_points >= 0);
UPDATE transaction_lines SET net_minor = line_total_minor;
-- Sales recorded before this version had no discounts: their points are
-- split over their lines by largest remainder, as rules.c does for new ones,
-- so refunding one of their lines takes back what that line earned.
WITH s AS (
	SELECT l.txn_id, l.line_no, l.line_total_minor::numeric AS w,
	       t.points_earned::numeric AS p,
	       sum(l.line_total_minor) OVER (PARTITION BY l.txn_id)::numeric AS wsum
	FROM transaction_lines l JOIN transactions t USING (txn_id)
	WHERE t.points_earned > 0),
f AS (
	SELECT *, floor(p * w / wsum) AS base, mod(p * w, wsum) AS rem FROM s WHERE wsum > 0),
r AS (
	SELECT *, p - sum(base) OVER (PARTITION BY txn_id) AS left_over,
	       row_number() OVER (PARTITION BY txn_id ORDER BY rem DESC, w DESC, line_no) AS rk
	FROM f)
UPDATE transaction_lines l
SET points_earned = (r.base + CASE WHEN r.rk <= r.left_over THEN 1 ELSE 0 END)::bigint
FROM r WHERE l.txn_id = r.txn_id AND l.line_no = r.line_no;
ALTER TABLE transaction_lines ALTER COLUMN net_minor SET NOT NULL;
ALTER TABLE transaction_lines ADD CONSTRAINT transaction_lines_net_check CHECK (
	net_minor >= 0 AND
	net_minor = line_total_minor - tier_off_minor - coupon_off_minor - points_off_minor);
