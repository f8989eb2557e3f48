-- The catalogue's change numbers (products.seq, 0011_till_store.sql), which
-- CatalogSync pages by (server/catalog/sync.c).
--
-- Every insert and update of a product takes the next number. Product
-- writers are serialised on one transaction-level advisory lock taken
-- before the number is drawn, so the numbers are handed out in commit
-- order: whatever a reader sees is a prefix of the numbering, and a till
-- that holds seq N never misses a change below N committed later (without
-- the lock, a slow writer holding 10 could commit after a reader had been
-- answered up to 11). Catalogue writes are rare (head office) and no sale
-- writes products, so the lock costs the checkout nothing.
--
-- Unlike kassad's kassa_* functions this one is not dropped when
-- `kassad migrate` re-creates the functions (server/core/migrate.c): a
-- function its trigger depends on cannot be dropped, so it is named
-- without the prefix and replaced in place, trigger and all.
CREATE OR REPLACE FUNCTION products_seq_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('kassa.products_seq'));
	NEW.seq := nextval('products_seq_seq');
	NEW.updated_at := now();
	RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER products_seq_stamp BEFORE INSERT OR UPDATE ON products
	FOR EACH ROW EXECUTE FUNCTION products_seq_stamp();
