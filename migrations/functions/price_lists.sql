-- Price lists per store (server/catalog/price_list.c, docs/store/catalog.md).
-- Which price a sale uses is kassad's rule (catalog_price_choose(),
-- server/catalog/catalog_price.c); kassa_checkout()'s price check accepts
-- exactly that price (functions/checkout.sql) and CatalogSync answers it.

-- Create or replace store p_store_id's list p_name with its dates, its
-- priority and all its items (SKU, price). The products whose price may
-- change (items before and after) are touched, so their seq moves on and
-- tills refetch them. Refusals:
--   KA404 UNKNOWN_STORE
--   KA404 UNKNOWN_PRODUCT    a SKU names no product
--   KA400 DUPLICATE_SKU      a SKU comes twice
-- Returns the list's id and the SKUs of the products touched (for kassad
-- to forget its cached copies).
CREATE FUNCTION kassa_price_list_put(p_till_id bigint, p_staff_id bigint, p_key text,
	p_hash bytea, p_name text, p_store_id bigint, p_from date, p_to date,
	p_priority integer, p_skus text[], p_prices bigint[])
RETURNS TABLE (r_list_id bigint, r_skus text[]) LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint;
	v_prev	bigint;
	v_old	bigint[];
	v_n	integer;
BEGIN
	SELECT list_id INTO v_id FROM price_lists
	WHERE store_id = p_store_id AND name = p_name FOR UPDATE;
	IF NOT FOUND THEN
		v_id := nextval('price_lists_list_id_seq');
	END IF;
	v_prev := kassa_idem_claim(p_till_id, p_key, 'price_list_put', p_hash, v_id);
	IF v_prev IS NOT NULL THEN
		RETURN QUERY SELECT v_prev, p_skus;
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM stores WHERE store_id = p_store_id) THEN
		RAISE EXCEPTION 'UNKNOWN_STORE' USING ERRCODE = 'KA404';
	END IF;
	IF (SELECT count(DISTINCT s) FROM unnest(p_skus) s) <> cardinality(p_skus) THEN
		RAISE EXCEPTION 'DUPLICATE_SKU' USING ERRCODE = 'KA400';
	END IF;
	SELECT count(*) INTO v_n FROM unnest(p_skus) s JOIN products p ON p.sku = s;
	IF v_n <> cardinality(p_skus) THEN
		RAISE EXCEPTION 'UNKNOWN_PRODUCT' USING ERRCODE = 'KA404';
	END IF;
	SELECT array_agg(product_id) INTO v_old FROM price_list_items WHERE list_id = v_id;
	INSERT INTO price_lists (list_id, name, store_id, valid_from, valid_to, priority)
	VALUES (v_id, p_name, p_store_id, p_from, p_to, p_priority)
	ON CONFLICT (list_id) DO UPDATE SET valid_from = EXCLUDED.valid_from,
		valid_to = EXCLUDED.valid_to, priority = EXCLUDED.priority, updated_at = now();
	DELETE FROM price_list_items WHERE list_id = v_id;
	INSERT INTO price_list_items (list_id, product_id, store_id, price_minor)
	SELECT v_id, p.product_id, p_store_id, u.price
	FROM unnest(p_skus, p_prices) AS u(sku, price) JOIN products p ON p.sku = u.sku;
	-- the products' seq moves on: tills refetch their price
	UPDATE products SET updated_at = now()
	WHERE product_id = ANY (v_old) OR product_id IN
		(SELECT product_id FROM price_list_items WHERE list_id = v_id);
	INSERT INTO audit_log (staff_id, till_id, action, subject, detail)
	VALUES (p_staff_id, p_till_id, 'price_list.put', 'price_list:' || v_id,
		jsonb_build_object('name', p_name, 'store_id', p_store_id, 'valid_from', p_from,
			'valid_to', p_to, 'priority', p_priority, 'items', cardinality(p_skus)));
	RETURN QUERY SELECT v_id, p_skus || coalesce((SELECT array_agg(sku) FROM products
		WHERE product_id = ANY (v_old)), '{}');
END
$$;
