-- Store operations, part "stock" (docs/store/stock.md): low-stock alerts.
--
-- A stock_levels row with safety_level > 0 raises one alert when a
-- movement takes its on_hand from >= safety_level to below it; the alert
-- stays open (cleared_at NULL) until a movement (or a new safety level)
-- takes on_hand back to >= safety_level, so a product has at most one open
-- alert per store (the partial unique index) and a new one only after it
-- has risen and crossed again. Written only by kassa_stock_moves() and
-- kassa_stock_adjust() (functions/stock.sql), in the movement's
-- transaction, with a member-less 'stock.low' event of the feed (0022).
CREATE TABLE stock_alerts (
	alert_id	bigserial PRIMARY KEY,
	store_id	bigint NOT NULL REFERENCES stores,
	product_id	bigint NOT NULL REFERENCES products,
	safety_level	bigint NOT NULL CHECK (safety_level > 0),	-- when raised
	on_hand		bigint NOT NULL,			-- the level that crossed
	raised_at	timestamptz NOT NULL DEFAULT now(),
	cleared_at	timestamptz,				-- NULL: open
	CHECK (on_hand < safety_level)
);
CREATE UNIQUE INDEX stock_alerts_open ON stock_alerts (store_id, product_id)
	WHERE cleared_at IS NULL;
CREATE INDEX stock_alerts_store ON stock_alerts (store_id, alert_id);

-- The id of a StockAdjust (stock_moves.ref_id of its 'adjust' move, and its
-- idempotency result).
CREATE SEQUENCE stock_adjust_seq;
