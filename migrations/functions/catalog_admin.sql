-- Catalogue administration (server/catalog/catalog_admin.c, gift_admin.c;
-- docs/store/catalog.md): products, categories, the gift catalogue. kassad
-- has checked the values (lengths, the barcode's check digit); these guard
-- what only the database knows and write with the idempotency record and
-- the audit row. Every product write takes the next products.seq (the
-- trigger of functions/catalog.sql), so tills refetch it by CatalogSync.

-- Create or replace the product p_sku. Refusals:
--   KA400 UNKNOWN_CATEGORY   p_category is neither "" nor an active category's name
--   KA412 BARCODE_TAKEN      another product has the barcode
-- Returns the product as stored (a retry: the product the first call wrote).
CREATE FUNCTION kassa_product_put(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_sku text, p_barcode text, p_name text, p_category text,
	p_price bigint, p_currency text, p_active boolean, p_stocked boolean)
RETURNS TABLE (r_product_id bigint, r_sku text, r_barcode text, r_name text,
	r_category text, r_price bigint, r_currency text, r_seq bigint, r_active boolean,
	r_stocked boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
	v_prev	bigint;
	v_new	boolean := false;
BEGIN
	SELECT product_id INTO v_id FROM products WHERE sku = p_sku FOR UPDATE;
	IF NOT FOUND THEN
		v_id := nextval('products_product_id_seq');
		v_new := true;
	END IF;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'product_put', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_product_row(v_prev);
		RETURN;
	END IF;
	IF p_category <> '' AND NOT EXISTS (SELECT 1 FROM categories
			WHERE name = p_category AND active) THEN
		RAISE EXCEPTION 'UNKNOWN_CATEGORY' USING ERRCODE = 'KA400';
	END IF;
	IF p_barcode <> '' AND EXISTS (SELECT 1 FROM products
			WHERE barcode = p_barcode AND product_id <> v_id) THEN
		RAISE EXCEPTION 'BARCODE_TAKEN' USING ERRCODE = 'KA412';
	END IF;
	IF v_new THEN
		INSERT INTO products (product_id, sku, barcode, name, category, price_minor,
			currency, active, stocked)
		VALUES (v_id, p_sku, nullif(p_barcode, ''), p_name, p_category, p_price,
			p_currency, p_active, p_stocked);
	ELSE
		UPDATE products SET barcode = nullif(p_barcode, ''), name = p_name,
			category = p_category, price_minor = p_price, currency = p_currency,
			active = p_active, stocked = p_stocked
		WHERE product_id = v_id;
	END IF;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'product.put', 'product:' || v_id,
		jsonb_build_object('sku', p_sku, 'created', v_new, 'price_minor', p_price,
			'currency', p_currency, 'active', p_active, 'stocked', p_stocked,
			'category', p_category));
	RETURN QUERY SELECT * FROM kassa_product_row(v_id);
END
$$;

-- Product p_id as ProductPut answers it.
CREATE FUNCTION kassa_product_row(p_id bigint)
RETURNS TABLE (r_product_id bigint, r_sku text, r_barcode text, r_name text,
	r_category text, r_price bigint, r_currency text, r_seq bigint, r_active boolean,
	r_stocked boolean)
LANGUAGE sql STABLE AS $$
	SELECT product_id, sku, coalesce(barcode, ''), name, category, price_minor,
		currency::text, seq, active, stocked
	FROM products WHERE product_id = p_id
$$;

-- Create or replace the category p_code. Refusals:
--   KA400 UNKNOWN_CATEGORY   the parent code names no category
--   KA400 BAD_PARENT         the parent is the category itself or below it
--   KA412 CATEGORY_NAME_TAKEN another category has the name
-- A renamed category renames its products' category (their seq moves on).
-- Returns the category as stored (kassa_category_rows()).
CREATE FUNCTION kassa_category_put(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_code text, p_name text, p_parent text, p_active boolean)
RETURNS TABLE (r_category_id bigint, r_code text, r_name text, r_parent text,
	r_active boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_id		bigint;
	v_prev		bigint;
	v_parent	bigint;
	v_old		text;
BEGIN
	SELECT category_id, name INTO v_id, v_old FROM categories WHERE code = p_code FOR UPDATE;
	IF NOT FOUND THEN
		v_id := nextval('categories_category_id_seq');
	END IF;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'category_put', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_category_rows(v_prev);
		RETURN;
	END IF;
	IF p_parent <> '' THEN
		SELECT category_id INTO v_parent FROM categories WHERE code = p_parent;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'UNKNOWN_CATEGORY' USING ERRCODE = 'KA400';
		END IF;
		-- no cycle: the parent's ancestors must not include this one
		IF EXISTS (WITH RECURSIVE up(id) AS (SELECT v_parent
				UNION SELECT c.parent_id FROM categories c JOIN up ON c.category_id = up.id
				WHERE c.parent_id IS NOT NULL)
			SELECT 1 FROM up WHERE id = v_id) THEN
			RAISE EXCEPTION 'BAD_PARENT' USING ERRCODE = 'KA400';
		END IF;
	END IF;
	IF EXISTS (SELECT 1 FROM categories WHERE name = p_name AND category_id <> v_id) THEN
		RAISE EXCEPTION 'CATEGORY_NAME_TAKEN' USING ERRCODE = 'KA412';
	END IF;
	INSERT INTO categories (category_id, code, name, parent_id, active)
	VALUES (v_id, p_code, p_name, v_parent, p_active)
	ON CONFLICT (category_id) DO UPDATE SET name = EXCLUDED.name,
		parent_id = EXCLUDED.parent_id, active = EXCLUDED.active, updated_at = now();
	IF v_old IS NOT NULL AND v_old <> p_name THEN
		UPDATE products SET category = p_name WHERE category = v_old;
	END IF;
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'category.put', 'category:' || v_id,
		jsonb_build_object('code', p_code, 'name', p_name, 'parent', p_parent,
			'active', p_active));
	RETURN QUERY SELECT * FROM kassa_category_rows(v_id);
END
$$;

-- Category p_id (every category when 0) with its parent's code, by code.
CREATE FUNCTION kassa_category_rows(p_id bigint)
RETURNS TABLE (r_category_id bigint, r_code text, r_name text, r_parent text,
	r_active boolean)
LANGUAGE sql STABLE AS $$
	SELECT c.category_id, c.code, c.name, coalesce(up.code, ''), c.active
	FROM categories c LEFT JOIN categories up ON up.category_id = c.parent_id
	WHERE p_id = 0 OR c.category_id = p_id ORDER BY c.code
$$;

-- Put product p_sku in the gift catalogue (points cost > 0, stock >= 0,
-- checked by kassad and the table). The next sale sees it. Refusals:
--   KA404 UNKNOWN_PRODUCT
-- Returns the gift item as stored (kassa_gift_rows()).
CREATE FUNCTION kassa_gift_item_put(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_sku text, p_points bigint, p_stock integer, p_active boolean)
RETURNS TABLE (r_product_id bigint, r_sku text, r_name text, r_points bigint,
	r_stock integer, r_active boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
	v_prev	bigint;
BEGIN
	SELECT product_id INTO v_id FROM products WHERE sku = p_sku;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'gift_item_put', p_hash, coalesce(v_id, 0));
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT * FROM kassa_gift_rows(v_prev, true);
		RETURN;
	END IF;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'UNKNOWN_PRODUCT' USING ERRCODE = 'KA404';
	END IF;
	INSERT INTO gift_items (product_id, points_cost, stock, active)
	VALUES (v_id, p_points, p_stock, p_active)
	ON CONFLICT (product_id) DO UPDATE SET points_cost = EXCLUDED.points_cost,
		stock = EXCLUDED.stock, active = EXCLUDED.active, updated_at = now();
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'gift.put', 'product:' || v_id,
		jsonb_build_object('sku', p_sku, 'points_cost', p_points, 'stock', p_stock,
			'active', p_active));
	RETURN QUERY SELECT * FROM kassa_gift_rows(v_id, true);
END
$$;

-- Gift item p_id (every one when 0; withdrawn ones too if p_all), by SKU.
CREATE FUNCTION kassa_gift_rows(p_id bigint, p_all boolean)
RETURNS TABLE (r_product_id bigint, r_sku text, r_name text, r_points bigint,
	r_stock integer, r_active boolean)
LANGUAGE sql STABLE AS $$
	SELECT g.product_id, p.sku, p.name, g.points_cost, g.stock, g.active AND p.active
	FROM gift_items g JOIN products p USING (product_id)
	WHERE (p_id = 0 OR g.product_id = p_id) AND (p_all OR (g.active AND p.active))
	ORDER BY p.sku
$$;
