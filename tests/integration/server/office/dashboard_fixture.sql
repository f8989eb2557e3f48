-- SPDX-License-Identifier: Apache-2.0
--
-- The fixed data of test_dashboard.sh, in a database of its own (every
-- figure of the page is then known). The expected numbers, by hand:
--
-- Today's sales (each store's own business day; the rows of yesterday and
-- of tomorrow must not count):
--   S001 上海南京路店       40 sales, 95 items, 1,234.56 CNY, members 25 sales / 800.00
--                          (share 80000/123456 = 64.80%), 2 refunds 50.00
--   S002 Beijing <Wangfujing> & Co   10 sales, 12 items, 200.00 CNY, members 3 / 50.00
--                          (25%), no refunds
--   S003 New York (USD, America/New_York)  5 sales, 7 items, 45.00 USD, members 1 / 15.00
--                          (1500/4500 = 33.33%), 1 refund 5.00
--   S004 Closed (no active till, no sales today): not listed; HQ likewise
--   CNY total: 50 sales, 107 items, 1,434.56; members 28 sales (28/50 = 56%),
--              850.00 (85000/143456 = 59.25%); 2 refunds 50.00
--   by hour (CNY): 09h 300.00; 12h 934.56 + 200.00 = 1,134.56
-- Points (rule set version 2: 200 points redeem for 15.00, i.e. 7.5 minor
-- units a point): CNY members with points m1 1234 + m2 501 = 1,735 points
-- = 13012.5 -> 130.13 CNY; USD m7 300 points = 22.50 USD. Negative
-- balances, the erased m5 (10000 points) and the merged m6 (777) are out.
-- Tiers (live members): Regular 23 (m3, m4 and 21 generated), Silver 2
-- (m2, m7), Gold 1 (m1); the erased and the merged are out.
-- At risk: m1 (5,000.00), m2 (800.00) and 21 generated members r01..r21
-- spending 1.00 .. 21.00: 23 in all (the erased m5 is out); the list is
-- the top 20: m1, m2, r21 .. r04 (r03, r02, r01 are left out).

INSERT INTO stores (code, name, currency, timezone) VALUES
	('S001', '上海南京路店', 'CNY', 'Asia/Shanghai'),
	('S002', 'Beijing <Wangfujing> & Co', 'CNY', 'Asia/Shanghai'),
	('S003', 'New York', 'USD', 'America/New_York'),
	('S004', 'Closed', 'CNY', 'Asia/Shanghai'),
	('HQ', 'Head office', 'CNY', 'Asia/Shanghai');

-- the certificates' CNs (scripts/test-env.sh makes them)
INSERT INTO tills (store_id, code, kind, active)
SELECT s.store_id, t.code, t.kind, t.active
FROM (VALUES ('S001', 'S001-T1', 'till', true), ('S001', 'S001-T2', 'till', true),
	     ('S002', 'S002-T1', 'till', true), ('S003', 'S003-T9', 'till', true),
	     ('S004', 'S004-T9', 'till', false), ('HQ', 'HQ-OFFICE-1', 'office', true),
	     ('HQ', 'BENCH-1', 'office', false)) AS t(store, code, kind, active)
JOIN stores s ON s.code = t.store;

CREATE TEMP TABLE d AS
SELECT store_id, (now() AT TIME ZONE timezone)::date AS today FROM stores;

INSERT INTO agg_sales_day (store_id, day, sales, items, gross_minor, total_minor, member_sales,
	member_total_minor, refunds, refund_minor)
SELECT s.store_id, d.today + v.off, v.sales, v.items, v.total + 1000, v.total, v.msales,
	v.mtotal, v.refunds, v.refund
FROM (VALUES ('S001', 0, 40, 95, 123456, 25, 80000, 2, 5000),
	     ('S001', -1, 999, 999, 9999900, 999, 9999900, 9, 9900),
	     ('S001', 1, 888, 888, 8888800, 888, 8888800, 8, 8800),
	     ('S002', 0, 10, 12, 20000, 3, 5000, 0, 0),
	     ('S003', 0, 5, 7, 4500, 1, 1500, 1, 500),
	     ('S003', -1, 777, 777, 7777700, 777, 7777700, 7, 7700))
	AS v(store, off, sales, items, total, msales, mtotal, refunds, refund)
JOIN stores s ON s.code = v.store JOIN d ON d.store_id = s.store_id;

INSERT INTO agg_sales_hour (store_id, day, hour, sales, total_minor, member_sales)
SELECT s.store_id, d.today + v.off, v.hour, v.sales, v.total, v.msales
FROM (VALUES ('S001', 0, 9, 10, 30000, 5), ('S001', 0, 12, 30, 93456, 20),
	     ('S002', 0, 12, 10, 20000, 3), ('S003', 0, 15, 5, 4500, 1),
	     ('S001', -1, 12, 999, 9999900, 999))
	AS v(store, off, hour, sales, total, msales)
JOIN stores s ON s.code = v.store JOIN d ON d.store_id = s.store_id;

INSERT INTO analytics_state (kind, started_at, finished_at, covered_to)
VALUES ('aggregates', '2026-03-04 05:06:00+00', '2026-03-04 05:07:00+00',
	'2026-03-04 05:06:00+00');

-- 200 points redeem for 15.00 (version 1 is the migration's default)
INSERT INTO rule_versions (version, note, config)
SELECT 2, 'dashboard test', jsonb_set(config::jsonb, '{redeem}',
	'{"points_step": 200, "step_value_minor": 1500, "cap_bp": 5000}')
FROM rule_versions WHERE version = 1;

INSERT INTO members (member_id, phone, card_no, name, tier, currency, points_balance) VALUES
	(1, '+8613800000001', 'C0001', '张伟', 'Gold', 'CNY', 1234),
	(2, '+8613912345678', 'C0002', 'Alice <b>', 'Silver', 'CNY', 501),
	(3, '+8613800000003', 'C0003', 'Bob', 'Regular', 'CNY', 0),
	(4, '+8613800000004', 'C0004', 'Carol', 'Regular', 'CNY', -20),
	(5, '+8613800000005', 'C0005', 'Erased', 'Gold', 'CNY', 10000),
	(6, '+8613800000006', 'C0006', 'Merged', 'Silver', 'CNY', 777),
	(7, '+12125550107', 'C0007', 'Dave', 'Silver', 'USD', 300);
UPDATE members SET erased_at = now() WHERE member_id = 5;
UPDATE members SET merged_into = 1 WHERE member_id = 6;
INSERT INTO members (member_id, phone, card_no, name, tier)
SELECT 100 + i, '+86137000001' || lpad(i::text, 2, '0'), 'R' || i, 'r' || lpad(i::text, 2, '0'),
	'Regular'
FROM generate_series(1, 21) i;
SELECT setval(pg_get_serial_sequence('members', 'member_id'), 200);

INSERT INTO member_stats (member_id, visits, spend_minor, last_visit, class, usual_store_id)
SELECT v.id, v.visits, v.spend, v.last::timestamptz, v.class, s.store_id
FROM (VALUES (1, 12, 500000, '2026-09-01 10:00+08', 'at_risk', 'S001'),
	     (2, 3, 80000, '2026-08-15 23:30+08', 'at_risk', 'S002'),
	     (3, 5, 9000000, '2026-11-30 12:00+08', 'active', 'S001'),
	     (5, 9, 9999999, '2026-07-01 12:00+08', 'at_risk', 'S001'))
	AS v(id, visits, spend, last, class, store)
JOIN stores s ON s.code = v.store;
INSERT INTO member_stats (member_id, visits, spend_minor, last_visit, class)
SELECT 100 + i, 1, 100 * i, '2026-06-01 12:00+00', 'at_risk' FROM generate_series(1, 21) i;
