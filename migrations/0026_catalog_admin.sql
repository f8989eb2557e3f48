-- 0026_catalog_admin: categories and per-store price lists (store
-- operations, issue 12, docs/store/catalog.md).
--
-- products.category stays a text naming a category (tills and reports read
-- it as before): category names are unique, and kassa_product_put()
-- accepts only "" or an active category's name. The categories products
-- already name are created here (code = name), so no product is left
-- naming an unknown one.
CREATE TABLE categories (
	category_id	bigserial PRIMARY KEY,
	code		text NOT NULL UNIQUE,
	name		text NOT NULL UNIQUE,
	parent_id	bigint REFERENCES categories,
	active		boolean NOT NULL DEFAULT true,
	updated_at	timestamptz NOT NULL DEFAULT now()
);

INSERT INTO categories (code, name)
SELECT DISTINCT category, category FROM products WHERE category <> '';

-- A store's price list: its items' prices replace the products' base
-- prices on the business days valid_from .. valid_to (inclusive, NULL =
-- open). When several are valid, the highest priority wins, then the
-- newest (the greater list_id): the same rule as kassad's
-- catalog_price_choose() (server/catalog/catalog_price.c).
CREATE TABLE price_lists (
	list_id		bigserial PRIMARY KEY,
	name		text NOT NULL,
	store_id	bigint NOT NULL REFERENCES stores,
	valid_from	date NOT NULL,
	valid_to	date,
	priority	integer NOT NULL DEFAULT 0,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (store_id, name),
	CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

CREATE TABLE price_list_items (
	list_id		bigint NOT NULL REFERENCES price_lists ON DELETE CASCADE,
	product_id	bigint NOT NULL REFERENCES products,
	store_id	bigint NOT NULL,	-- the list's, for the checkout's one index probe
	price_minor	bigint NOT NULL CHECK (price_minor >= 0),
	PRIMARY KEY (list_id, product_id)
);

-- the checkout's price check and CatalogSync: a product's items at a store
CREATE INDEX price_list_items_product ON price_list_items (product_id, store_id);
