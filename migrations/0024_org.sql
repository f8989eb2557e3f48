-- 0024_org: stores and staff administered through the protocol (StorePut,
-- StaffPut, StaffPinReset, StaffPinChange; functions/store_admin.sql and
-- staff_admin.sql). The tables are 0001's; this adds what the requests
-- rely on: a currency is three upper-case letters, a store code is short
-- and plain, and staff are listed by store.
ALTER TABLE stores ADD CONSTRAINT stores_currency_iso CHECK (currency ~ '^[A-Z]{3}$');
CREATE INDEX staff_store ON staff (store_id, staff_id);
