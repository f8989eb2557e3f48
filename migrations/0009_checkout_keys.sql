-- SPDX-License-Identifier: Apache-2.0
--
-- The checkout's hot path without foreign keys to the shared rows. Every
-- sale of a store locked its stores, tills and staff rows FOR KEY SHARE to
-- check these keys; with several tills of a store selling at once, the row
-- lock became a MultiXact that every sale had to create or join (and
-- PostgreSQL to truncate later). Stores, tills and staff are never deleted
-- (they are deactivated), kassad writes their ids from the till's
-- certificate and the staff login it checked, so the keys guarded nothing
-- that can happen. The member key stays: the sale holds the member's row
-- lock already.
ALTER TABLE transactions DROP CONSTRAINT transactions_store_id_fkey;
ALTER TABLE transactions DROP CONSTRAINT transactions_till_id_fkey;
ALTER TABLE transactions DROP CONSTRAINT transactions_staff_id_fkey;
