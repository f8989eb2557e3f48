-- Store operations (issue 12), the part every other part builds on: stock
-- per store as a ledger, and the idempotency kinds of the store operations'
-- requests (each named after its request).
--
-- stock_moves is the ledger: one row per product per movement (a sale, a
-- refund, goods received, a transfer out or in, a count's variance, a
-- manual adjustment), signed. stock_levels.on_hand is its cache and equals
-- the sum of the product's moves at the store; tests check that. Only
-- kassa_stock_moves() (functions/stock.sql) writes either.

-- May this store's stock go below zero? true: a sale is never refused for
-- stock the system does not know about (the shelf is the truth until it
-- is counted); false: a sale, transfer or adjustment that would take a
-- product below zero is refused OUT_OF_STOCK.
ALTER TABLE stores ADD COLUMN negative_stock boolean NOT NULL DEFAULT true;

-- false for what has no stock (services, count cards): never in the ledger
ALTER TABLE products ADD COLUMN stocked boolean NOT NULL DEFAULT true;

CREATE TABLE stock_levels (
	store_id	bigint NOT NULL REFERENCES stores,
	product_id	bigint NOT NULL REFERENCES products,
	on_hand		bigint NOT NULL DEFAULT 0,	-- sum of stock_moves.quantity
	safety_level	bigint NOT NULL DEFAULT 0 CHECK (safety_level >= 0),	-- 0 = no alert
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (store_id, product_id)
);

CREATE TABLE stock_moves (
	move_id		bigserial PRIMARY KEY,
	store_id	bigint NOT NULL,	-- stock_levels, same transaction
	product_id	bigint NOT NULL,
	kind		text NOT NULL CHECK (kind IN ('sale', 'refund', 'receiving', 'transfer_out',
					'transfer_in', 'count', 'adjust')),
	quantity	bigint NOT NULL CHECK (quantity <> 0),	-- signed: + in, - out
	on_hand_after	bigint NOT NULL,
	ref_id		bigint NOT NULL DEFAULT 0,	-- txn, refund, receipt, transfer, count: by kind
	staff_id	bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_moves_product ON stock_moves (store_id, product_id, move_id);
CREATE INDEX stock_moves_ref ON stock_moves (kind, ref_id);

ALTER TABLE idempotency DROP CONSTRAINT idempotency_kind_check;
ALTER TABLE idempotency ADD CONSTRAINT idempotency_kind_check CHECK (kind IN (
	'checkout', 'member_register', 'refund', 'topup', 'rules', 'coupon_define',
	'coupon_issue', 'tier_set', 'points_expire', 'tier_reevaluate', 'staff_unlock',
	'rates_set', 'feedback', 'shift_open', 'shift_close', 'segment_save', 'export',
	'analytics_run', 'member_erase',
	'complaint_open', 'complaint_update', 'followup_rules', 'followup_record',
	'template_put', 'endpoint_put', 'outbox_retry', 'campaign_create', 'campaign_launch',
	'member_merge', 'member_import', 'points_adjust', 'coupon_def_change', 'job_run',
	'store_put', 'staff_put', 'staff_pin_reset', 'staff_pin_change', 'till_put',
	'product_put', 'category_put', 'price_list_put', 'gift_item_put', 'stock_adjust',
	'count_open', 'count_scan', 'count_post', 'transfer_send', 'transfer_receive',
	'supplier_put', 'supplier_product_put', 'purchase_order_put', 'goods_receive',
	'service_item_put', 'card_redeem', 'card_refund', 'clock_in', 'clock_out'));
