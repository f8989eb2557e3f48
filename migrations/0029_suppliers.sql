-- Suppliers, purchase orders and goods receiving (store operations, issue
-- 12, part "supply"). The functions are in functions/suppliers.sql; stock
-- moves only through kassa_stock_moves() (kind 'receiving', ref the receipt).

CREATE TABLE suppliers (
	supplier_id	bigserial PRIMARY KEY,
	code		text NOT NULL UNIQUE,
	name		text NOT NULL,
	contact_person	text NOT NULL DEFAULT '',
	phone		text NOT NULL DEFAULT '',
	email		text NOT NULL DEFAULT '',
	address		text NOT NULL DEFAULT '',
	active		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- What a supplier supplies; a product may have several suppliers, at most
-- one of them preferred.
CREATE TABLE supplier_products (
	supplier_id	bigint NOT NULL REFERENCES suppliers,
	product_id	bigint NOT NULL REFERENCES products,
	cost_minor	bigint NOT NULL CHECK (cost_minor >= 0),
	currency	char(3) NOT NULL,
	pack_size	bigint NOT NULL DEFAULT 1 CHECK (pack_size >= 1),
	min_order	bigint NOT NULL DEFAULT 0 CHECK (min_order >= 0),
	lead_days	integer NOT NULL CHECK (lead_days BETWEEN 0 AND 365),
	preferred	boolean NOT NULL DEFAULT false,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (supplier_id, product_id)
);
CREATE UNIQUE INDEX supplier_products_preferred ON supplier_products (product_id) WHERE preferred;
CREATE INDEX supplier_products_product ON supplier_products (product_id);

-- draft -> sent -> partial -> received; cancelled (nothing received);
-- closed (short: the rest will not come).
CREATE TABLE purchase_orders (
	po_id		bigserial PRIMARY KEY,
	store_id	bigint NOT NULL REFERENCES stores,
	supplier_id	bigint NOT NULL REFERENCES suppliers,
	state		text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'sent', 'partial',
				'received', 'cancelled', 'closed')),
	currency	char(3) NOT NULL,
	lead_days	integer NOT NULL,		-- the longest of its lines' at creation
	created_by	bigint NOT NULL DEFAULT 0,
	created_on	date NOT NULL,			-- the store's business day
	sent_on		date,				-- set by 'send'
	expected_on	date,				-- sent_on + lead_days
	completed_on	date,				-- the day it became received or closed
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_orders_store ON purchase_orders (store_id, po_id);
CREATE INDEX purchase_orders_supplier ON purchase_orders (supplier_id, sent_on);

CREATE TABLE purchase_order_lines (
	po_id		bigint NOT NULL REFERENCES purchase_orders,
	product_id	bigint NOT NULL REFERENCES products,
	ordered		bigint NOT NULL CHECK (ordered > 0),
	received	bigint NOT NULL DEFAULT 0 CHECK (received >= 0),
	cost_minor	bigint NOT NULL CHECK (cost_minor >= 0),
	PRIMARY KEY (po_id, product_id)
);
CREATE INDEX purchase_order_lines_product ON purchase_order_lines (product_id);

-- One delivery against an order: its rows and 'receiving' stock moves
-- (ref_id = receipt_id) are written in the same transaction.
CREATE TABLE goods_receipts (
	receipt_id	bigserial PRIMARY KEY,
	po_id		bigint NOT NULL REFERENCES purchase_orders,
	store_id	bigint NOT NULL,
	staff_id	bigint NOT NULL DEFAULT 0,
	received_on	date NOT NULL,			-- the store's business day
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX goods_receipts_po ON goods_receipts (po_id);

CREATE TABLE goods_receipt_lines (
	receipt_id	bigint NOT NULL REFERENCES goods_receipts,
	product_id	bigint NOT NULL,
	quantity	bigint NOT NULL CHECK (quantity > 0),
	PRIMARY KEY (receipt_id, product_id)
);

-- The row shapes the functions answer (functions/suppliers.sql:
-- kassa_supplier_rows, kassa_po_rows), read by server/store/supplier.c and
-- purchase.c by position.
CREATE TYPE kassa_supplier_row AS (supplier_id bigint, code text, name text,
	contact_person text, phone text, email text, address text, active boolean, sku text,
	product_name text, cost_minor bigint, currency text, pack_size bigint, min_order bigint,
	lead_days integer, preferred boolean);
CREATE TYPE kassa_po_row AS (po_id bigint, supplier_code text, supplier_name text,
	store_id bigint, state text, currency text, created_on text, sent_on text,
	expected_on text, lead_days integer, receipts integer, total_minor bigint,
	receipt_id bigint, sku text, product_name text, ordered bigint, received bigint,
	cost_minor bigint);
