-- Stock: sales no longer take turns on a product's level (docs/store/stock.md,
-- "Hot rows").
--
-- A sale at a store that keeps negative stock (stores.negative_stock) is
-- never refused for stock, so it need not read or lock the level: its
-- movement is appended here, one row per product, in the checkout's
-- transaction, and kassad's fold (kassa_stock_fold(), every [stock]
-- fold_interval_ms) moves committed rows into stock_moves and
-- stock_levels, in a transaction of its own, with the level after each
-- move and the low-stock alerts. Until then the row counts: the stock on
-- hand is stock_levels plus stock_pending (the view kassa_stock_on_hand,
-- functions/stock.sql), and every reader of a level reads the view. Sales at a store that refuses
-- negative stock still move the level in their own transaction.
--
-- No index: only the fold deletes, by ctid, and readers of one store sum
-- what at most a few seconds of sales left; an index would cost every
-- sale line an entry.
CREATE TABLE stock_pending (
	store_id	bigint NOT NULL,
	product_id	bigint NOT NULL,
	quantity	bigint NOT NULL CHECK (quantity <> 0),	-- signed, as stock_moves
	ref_id		bigint NOT NULL,			-- the sale's txn_id
	staff_id	bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now()	-- the move's time when folded
);
