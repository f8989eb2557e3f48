-- SPDX-License-Identifier: Apache-2.0
--
-- gen-office-data.sql: the head-office data set, run by scripts/gen-office-data.sh
-- (which passes the psql variables members, sales, seed, stores, products, days,
-- refund_pct and pin_hash, and describes the data). Everything is set-based SQL in one
-- psql session and one transaction: staging tables in the schema "gen" (unlogged,
-- dropped at the end), then one INSERT ... SELECT per Kassa table, then the indexes and
-- constraints the load dropped, put back from their own definitions.
--
-- Randomness: random() after setseed() for members and the skeleton of each sale (one
-- serial plan, so a seed gives the same data), and a hash of (transaction id, stream)
-- with the seed for everything a later statement must compute again identically (the
-- lines of a sale, its tender, whether it is refunded or rated):
--   u(x) = (hashint8extended(x, seed) & 2^53-1) / 2^53, x = txn_id * 16 + stream.
--
-- The rules of rule set version 1 (migrations/0003_loyalty.sql) are applied as kassad
-- applies them: tiers Regular / Silver (10% off from 2,000.00 over 12 months) / Gold
-- (20% off from 10,000.00), one point per 10.00 paid (not on stored value), 100 points
-- = 10.00 off up to half the sale, lots expiring at the end of the next year, 100.00
-- bonus on a top-up of 1,000.00 or more, approval above 500.00 for a refund. The
-- invariants of the schema hold: members.points_balance = sum(points_ledger),
-- sum(open lots) = greatest(balance, 0), cumulative_spend = sales - refunds,
-- wallets.balance = sum(wallet_ledger) >= 0, a sale's total = sum(line nets) =
-- gross - tier, coupon and points discounts, its tenders = tendered - change + change.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
SET work_mem = '1GB';
SET maintenance_work_mem = '1GB';
SET max_parallel_maintenance_workers = 2;
-- one serial plan: random() after setseed() then gives the same data for a seed
SET max_parallel_workers_per_gather = 0;
SET synchronous_commit = off;
SET jit = off;
SET TIME ZONE 'UTC';

SELECT extract(epoch FROM clock_timestamp()) AS t_start, extract(epoch FROM clock_timestamp()) AS t0 \gset

BEGIN;
DROP SCHEMA IF EXISTS gen CASCADE;
CREATE SCHEMA gen;

-- ---- parameters ----------------------------------------------------------------
--
-- The sales run over the last :days business days (Asia/Shanghai) up to now; ids
-- continue after whatever the database holds already (scripts/seed.sh's rows).
CREATE UNLOGGED TABLE gen.param AS
SELECT :members::bigint AS members, :sales::bigint AS sales, :seed::bigint AS seed,
	:stores::integer AS stores, :products::integer AS products, :days::integer AS days,
	:refund_pct::float8 / 100 AS refund_rate,
	now() AS t_now,
	(now() AT TIME ZONE 'Asia/Shanghai')::date AS today,
	(now() AT TIME ZONE 'Asia/Shanghai')::date - :days + 1 AS first_day,
	(SELECT coalesce(max(member_id), 0) FROM members) AS mbase,
	(SELECT coalesce(max(txn_id), 0) FROM transactions) AS tbase,
	(SELECT coalesce(max(store_id), 0) FROM stores) AS sbase,
	(SELECT coalesce(max(till_id), 0) FROM tills) AS tillbase,
	(SELECT coalesce(max(product_id), 0) FROM products) AS pbase,
	(SELECT coalesce(max(def_id), 0) FROM coupon_defs) AS dbase,
	(SELECT coalesce(max(coupon_id), 0) FROM coupons) AS cbase,
	(SELECT coalesce(max(refund_id), 0) FROM refunds) AS rbase,
	(SELECT coalesce(max(feedback_id), 0) FROM feedback) AS fbase,
	(SELECT coalesce(max(entry_id), 0) FROM points_ledger) AS ebase,
	(SELECT coalesce(max(entry_id), 0) FROM wallet_ledger) AS wbase,
	(SELECT max(version) FROM rule_versions) AS rule_version;
SELECT 1 AS seeded FROM (SELECT setseed(((:seed % 1000003) / 1000003.0) * 2 - 1)) s \gset
SELECT first_day, today, tbase, mbase, pbase, sbase, tillbase FROM gen.param \gset

-- ---- calendar ----------------------------------------------------------------
--
-- One weight per business day: the weekday (weekends busier), the year's peaks
-- (the three weeks before Chinese New Year, Golden Week, Double 11, the end of the
-- year, Labour Day, 618) and its summer dip, 12% growth a year, and today only for
-- the part of the opening hours that has gone by.
CREATE UNLOGGED TABLE gen.cny (y integer PRIMARY KEY, d date NOT NULL);
INSERT INTO gen.cny VALUES (2020, '2020-01-25'), (2021, '2021-02-12'), (2022, '2022-02-01'),
	(2023, '2023-01-22'), (2024, '2024-02-10'), (2025, '2025-01-29'), (2026, '2026-02-17'),
	(2027, '2027-02-06'), (2028, '2028-01-26'), (2029, '2029-02-13'), (2030, '2030-02-03'),
	(2031, '2031-01-23'), (2032, '2032-02-11'), (2033, '2033-01-31'), (2034, '2034-02-19'),
	(2035, '2035-02-08');

CREATE UNLOGGED TABLE gen.day AS
SELECT x.di, x.day, x.w,
	coalesce(sum(x.w) OVER (ORDER BY x.di ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
		/ sum(x.w) OVER () AS lo,
	sum(x.w) OVER (ORDER BY x.di) / sum(x.w) OVER () AS hi
FROM (
	SELECT i + 1 AS di, p.first_day + i AS day,
		(ARRAY[0.88, 0.86, 0.90, 0.95, 1.08, 1.32, 1.26])[extract(isodow FROM p.first_day + i)::int]
		* CASE
			WHEN p.first_day + i - c.d BETWEEN -21 AND -8 THEN 1.35
			WHEN p.first_day + i - c.d BETWEEN -7 AND -1 THEN 1.9
			WHEN p.first_day + i - c.d BETWEEN 0 AND 2 THEN 0.6
			WHEN p.first_day + i - c.d BETWEEN 3 AND 6 THEN 0.85
			WHEN to_char(p.first_day + i, 'MM-DD') BETWEEN '10-01' AND '10-07' THEN 1.35
			WHEN to_char(p.first_day + i, 'MM-DD') BETWEEN '11-09' AND '11-11' THEN 1.7
			WHEN to_char(p.first_day + i, 'MM-DD') BETWEEN '11-01' AND '11-08' THEN 1.1
			WHEN to_char(p.first_day + i, 'MM-DD') BETWEEN '12-24' AND '12-31' THEN 1.55
			WHEN to_char(p.first_day + i, 'MM-DD') BETWEEN '12-12' AND '12-23' THEN 1.3
			WHEN to_char(p.first_day + i, 'MM-DD') BETWEEN '05-01' AND '05-05' THEN 1.25
			WHEN to_char(p.first_day + i, 'MM-DD') BETWEEN '06-16' AND '06-18' THEN 1.2
			WHEN to_char(p.first_day + i, 'MM-DD') BETWEEN '07-01' AND '08-31' THEN 0.78
			WHEN to_char(p.first_day + i, 'MM-DD') BETWEEN '06-21' AND '06-30' THEN 0.9
			ELSE 1.0 END
		* (1 + 0.12 * i / 365.0)
		* CASE WHEN p.first_day + i < p.today THEN 1.0
			ELSE greatest(0, least(1, (extract(epoch FROM
				(p.t_now AT TIME ZONE 'Asia/Shanghai')::time) / 3600 - 8) / 14)) END AS w
	FROM gen.param p CROSS JOIN generate_series(0, p.days - 1) AS i
	LEFT JOIN gen.cny c ON c.y = extract(year FROM p.first_day + i)) x;

-- The hour profile: 56 quarter hours from 08:00 to 22:00, a lunch and an evening peak.
CREATE UNLOGGED TABLE gen.slot AS
SELECT x.sl, x.w, sum(x.w) OVER (ORDER BY x.sl) / sum(x.w) OVER () AS hi
FROM (
	SELECT sl, CASE
		WHEN h < 9 THEN 0.55 WHEN h < 10 THEN 0.75 WHEN h < 11 THEN 0.95
		WHEN h < 11.5 THEN 1.3 WHEN h < 13.5 THEN 1.9 WHEN h < 14 THEN 1.2
		WHEN h < 17 THEN 0.9 WHEN h < 17.5 THEN 1.3 WHEN h < 19.5 THEN 2.2
		WHEN h < 20.5 THEN 1.5 WHEN h < 21 THEN 1.0 ELSE 0.55 END AS w
	FROM generate_series(1, 56) AS sl, LATERAL (SELECT 8 + (sl - 1) / 4.0 AS h) hh) x;

-- The cumulative weights as array constants in psql variables: width_bucket(u, cu) + 1
-- draws a day, a quarter hour, a store or a product (a constant in the statement's text,
-- never a detoasted column per row).
SELECT (SELECT array_agg(hi ORDER BY di) FILTER (WHERE di < p.days) FROM gen.day)::text AS cu_day,
	(SELECT array_agg(lo ORDER BY di) FROM gen.day)::text AS lo_day,
	(SELECT array_agg(hi ORDER BY di) FROM gen.day)::text AS hi_day,
	(SELECT array_agg(hi ORDER BY sl) FILTER (WHERE sl < 56) FROM gen.slot)::text AS cu_slot
FROM gen.param p \gset
-- lines per sale 1-8 (0.26, 0.26, 0.18, 0.12, 0.08, 0.05, 0.03, 0.02: 2.9 on average, 3.1
-- with the families' extra lines) and the quantity of a line 1-4 (0.78, 0.15, 0.04, 0.03)
\set cu_lines '{0.26,0.52,0.70,0.82,0.90,0.95,0.98}'
\set cu_qty '{0.78,0.93,0.97}'

SELECT 'gen: ' || rpad('calendar', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- stores, tills, staff -------------------------------------------------------
--
-- :stores stores G001.. with Zipf sizes (store i weighs 1 / i^0.6: the largest 5% of the sales, the
-- smallest 0.2%), most in
-- Asia/Shanghai, a few in Urumqi, Hong Kong, Singapore and Tokyo; five tills each
-- (G001-T1..T5, till 1 the busiest); a manager (staff 100000 + 100 i) and 3 to 12
-- cashiers (100000 + 100 i + k) each, PIN hash :pin_hash.
CREATE UNLOGGED TABLE gen.store AS
SELECT i AS si, p.sbase + i AS store_id, 'G' || lpad(i::text, 3, '0') AS code,
	CASE WHEN i % 40 = 13 THEN 'Asia/Urumqi' WHEN i % 40 = 23 THEN 'Asia/Hong_Kong'
	     WHEN i % 40 = 33 THEN 'Asia/Singapore' WHEN i % 67 = 5 THEN 'Asia/Tokyo'
	     ELSE 'Asia/Shanghai' END AS tz,
	1.0 / power(i, 0.6) AS w,
	p.tillbase + (i - 1) * 5 AS till0,
	100000 + 100 * i AS staff0,
	(3 + least(9, floor(12 * power(1.0 / i, 0.45))))::integer AS ncash
FROM gen.param p, generate_series(1, p.stores) AS i;
SELECT array_agg(c ORDER BY si) FILTER (WHERE si < (SELECT stores FROM gen.param))::text AS cu_store
FROM (SELECT si, sum(w) OVER (ORDER BY si) / sum(w) OVER () AS c FROM gen.store) x \gset

INSERT INTO stores (store_id, code, name, currency, timezone, created_at)
SELECT s.store_id, s.code,
	CASE s.tz WHEN 'Asia/Urumqi' THEN '乌鲁木齐' WHEN 'Asia/Hong_Kong' THEN '香港'
		WHEN 'Asia/Singapore' THEN '新加坡' WHEN 'Asia/Tokyo' THEN '东京'
		ELSE (ARRAY['上海', '北京', '广州', '深圳', '杭州', '南京', '苏州', '成都', '重庆',
			'武汉', '西安', '天津', '长沙', '郑州', '青岛', '厦门', '宁波', '合肥', '昆明',
			'大连'])[1 + (s.si - 1) % 20] END
	|| (ARRAY['中心', '东城', '西城', '南站', '北门', '新区', '万达', '万象城', '大学城',
		'滨江', '开发区', '老城'])[1 + ((s.si - 1) / 20) % 12]
	|| '店' || CASE WHEN s.si > 240 THEN ' ' || s.si ELSE '' END,
	'CNY', s.tz, p.t_now - interval '6 years'
FROM gen.store s, gen.param p;

INSERT INTO tills (till_id, store_id, code, kind, created_at)
SELECT s.till0 + k, s.store_id, s.code || '-T' || k, 'till', p.t_now - interval '6 years'
FROM gen.store s, gen.param p, generate_series(1, 5) AS k;

-- Chinese names for staff and members: surname and given name drawn by index.
CREATE UNLOGGED TABLE gen.names AS
SELECT ARRAY['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱',
	'胡', '郭', '何', '林', '高', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓',
	'曹', '彭', '曾', '萧', '田', '董', '潘', '袁', '蔡', '蒋', '余'] AS sur,
	ARRAY['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟',
	'涛', '明', '超', '秀', '霞', '平', '刚', '桂', '英', '华', '玉', '萍', '红', '鹏', '辉',
	'晨', '宇', '浩', '欣', '怡', '梓', '涵', '子', '轩', '雨', '婷'] AS giv,
	ARRAY['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou'] AS py_sur,
	ARRAY['Fang', 'Wei', 'Na', 'Min', 'Jing', 'Lei', 'Jun', 'Yan', 'Tao', 'Hao', 'Xin', 'Yu']
		AS py_giv;

INSERT INTO staff (staff_id, store_id, name, role, pin_hash, created_at)
SELECT s.staff0 + k, s.store_id,
	n.sur[1 + (s.si * 7 + k * 13) % 40] || n.giv[1 + (s.si * 11 + k * 3) % 40]
		|| CASE WHEN k % 3 = 0 THEN n.giv[1 + (s.si + k * 17) % 40] ELSE '' END,
	CASE WHEN k = 0 THEN 'manager' ELSE 'cashier' END, :'pin_hash', p.t_now - interval '6 years'
FROM gen.store s, gen.names n, gen.param p, generate_series(0, 12) AS k
WHERE k <= s.ncash;

SELECT 'gen: ' || rpad('stores, tills, staff', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- catalogue -------------------------------------------------------------------
--
-- :products products GEN-000001.. over 40 categories (product i in category
-- 1 + (i - 1) % 40, rank 1 + (i - 1) / 40 in it). A line picks a product by its
-- weight: the category's share times a Zipf weight 1 / rank^0.9 inside the category;
-- prices in fen around the category's typical price (log-normal, rounded to 0.10).
CREATE UNLOGGED TABLE gen.cat (ci integer PRIMARY KEY, key text, cn text, price integer,
	pop float8, nouns text[]);
INSERT INTO gen.cat VALUES
	(1, 'fruit', '水果', 1290, 7.0, '{苹果,香蕉,橙子,葡萄,草莓,西瓜,猕猴桃,芒果}'),
	(2, 'vegetables', '蔬菜', 590, 8.0, '{西红柿,黄瓜,土豆,白菜,西兰花,胡萝卜,菠菜,青椒}'),
	(3, 'meat', '肉类', 3290, 4.0, '{猪里脊,五花肉,牛腩,鸡胸肉,鸡翅,羊肉卷,排骨}'),
	(4, 'seafood', '水产', 4590, 2.0, '{基围虾,带鱼,三文鱼,鲈鱼,扇贝,鱿鱼}'),
	(5, 'eggs', '蛋类', 1590, 3.0, '{鲜鸡蛋,土鸡蛋,鸭蛋,鹌鹑蛋}'),
	(6, 'dairy', '乳制品', 1290, 6.5, '{纯牛奶,酸奶,鲜牛奶,奶酪,黄油,乳酸菌饮料}'),
	(7, 'bakery', '烘焙', 990, 3.5, '{吐司面包,牛角包,蛋糕,馒头,全麦面包}'),
	(8, 'frozen', '冷冻食品', 1890, 2.5, '{速冻水饺,汤圆,冷冻披萨,鱼丸,虾饺}'),
	(9, 'ice_cream', '冰淇淋', 890, 1.5, '{雪糕,冰淇淋,冰棍,甜筒}'),
	(10, 'deli', '熟食', 2290, 2.5, '{卤鸭脖,烤鸡,酱牛肉,叉烧,凉菜}'),
	(11, 'ready_meals', '便当', 1890, 2.0, '{盒饭,饭团,三明治,便当,凉面}'),
	(12, 'rice_flour', '米面粮油', 4990, 2.0, '{东北大米,泰国香米,面粉,小米,燕麦片}'),
	(13, 'oil', '食用油', 6990, 1.2, '{花生油,大豆油,菜籽油,橄榄油,芝麻油}'),
	(14, 'condiments', '调味品', 890, 3.0, '{生抽,老抽,香醋,蚝油,食盐,白砂糖,鸡精,辣椒酱}'),
	(15, 'noodles', '方便面', 590, 3.0, '{方便面,挂面,螺蛳粉,米粉,拉面}'),
	(16, 'canned', '罐头', 1290, 0.8, '{午餐肉,黄桃罐头,金枪鱼罐头,八宝粥}'),
	(17, 'snacks', '休闲零食', 890, 5.0, '{薯片,辣条,海苔,牛肉干,锅巴,虾条}'),
	(18, 'candy', '糖果巧克力', 1290, 1.8, '{巧克力,水果糖,奶糖,口香糖,棒棒糖}'),
	(19, 'nuts', '坚果炒货', 2590, 1.5, '{瓜子,花生,开心果,腰果,核桃,坚果礼盒}'),
	(20, 'biscuits', '饼干糕点', 1090, 2.5, '{苏打饼干,曲奇,威化,蛋卷,月饼}'),
	(21, 'beverages', '饮料', 450, 7.5, '{可乐,雪碧,冰红茶,绿茶饮料,运动饮料,椰汁}'),
	(22, 'water', '饮用水', 250, 5.0, '{矿泉水,纯净水,苏打水,天然水}'),
	(23, 'juice', '果汁', 990, 2.0, '{橙汁,苹果汁,芒果汁,葡萄汁}'),
	(24, 'tea', '茶叶', 6800, 0.6, '{龙井茶,铁观音,普洱茶,红茶,茉莉花茶}'),
	(25, 'coffee', '咖啡', 2990, 1.5, '{速溶咖啡,咖啡豆,挂耳咖啡,即饮咖啡}'),
	(26, 'beer', '啤酒', 690, 3.0, '{啤酒,精酿啤酒,黑啤,果啤}'),
	(27, 'liquor', '白酒', 15800, 0.6, '{白酒,二锅头,黄酒,米酒}'),
	(28, 'wine', '葡萄酒', 12800, 0.5, '{红葡萄酒,白葡萄酒,起泡酒}'),
	(29, 'baby', '母婴', 9900, 1.0, '{婴儿奶粉,纸尿裤,婴儿湿巾,米粉}'),
	(30, 'personal_care', '个人护理', 3990, 1.5, '{洗发水,沐浴露,护发素,洗面奶,香皂}'),
	(31, 'oral_care', '口腔护理', 1590, 1.2, '{牙膏,牙刷,漱口水,牙线}'),
	(32, 'cosmetics', '美妆', 8900, 0.6, '{面霜,口红,面膜,防晒霜}'),
	(33, 'paper', '纸品', 2490, 2.5, '{抽纸,卷纸,湿巾,厨房纸}'),
	(34, 'cleaning', '清洁用品', 1890, 1.5, '{洗洁精,消毒液,垃圾袋,洁厕灵,抹布}'),
	(35, 'laundry', '洗衣用品', 3990, 1.2, '{洗衣液,洗衣粉,柔顺剂,洗衣凝珠}'),
	(36, 'kitchenware', '厨具', 5990, 0.4, '{炒锅,保鲜盒,菜刀,砧板,碗碟}'),
	(37, 'homeware', '家居', 4990, 0.5, '{衣架,收纳箱,拖鞋,毛巾,床单}'),
	(38, 'small_appliances', '小家电', 19900, 0.2, '{电饭煲,电热水壶,吹风机,榨汁机}'),
	(39, 'stationery', '文具', 690, 0.6, '{笔记本,中性笔,胶带,文件夹}'),
	(40, 'pet', '宠物用品', 4590, 0.6, '{猫粮,狗粮,猫砂,宠物零食}');

CREATE UNLOGGED TABLE gen.prod AS
SELECT x.pi, p.pbase + x.pi AS product_id, x.ci, x.rk,
	greatest(50, round(c.price * exp(0.45 * sqrt(-2 * ln(1 - random()))
		* cos(2 * pi() * random())) / 10) * 10)::bigint AS price,
	c.pop / power(x.rk, 0.9) AS w
FROM (SELECT pi, 1 + (pi - 1) % 40 AS ci, 1 + (pi - 1) / 40 AS rk
	FROM gen.param p, generate_series(1, p.products) AS pi) x
JOIN gen.cat c USING (ci), gen.param p;
ALTER TABLE gen.prod ADD PRIMARY KEY (pi);

INSERT INTO products (product_id, sku, barcode, name, category, price_minor, currency, active,
	updated_at)
SELECT g.product_id, 'GEN-' || lpad(g.pi::text, 6, '0'),
	b.d || ((10 - (SELECT sum(substr(b.d, k, 1)::int * CASE WHEN k % 2 = 1 THEN 1 ELSE 3 END)
		FROM generate_series(1, 12) AS k) % 10) % 10)::text,
	(ARRAY['金禾', '福满', '康乐', '田园', '家乐', '顺心', '优选', '百味', '天府', '海韵',
		'长城', '春风', '东方', '山泉', '嘉华', '盛世', '小熊', '绿源', '鲜丰', '悦享'])
		[1 + (g.rk * 7 + g.ci) % 20]
	|| c.nouns[1 + (g.rk - 1) % cardinality(c.nouns)]
	|| (ARRAY['', ' 家庭装', ' 小包装', ' 量贩装', ' 礼盒装', ' 经典款'])
		[1 + ((g.rk - 1) / cardinality(c.nouns)) % 6]
	|| CASE WHEN g.rk > 6 * cardinality(c.nouns) THEN ' ' || g.rk ELSE '' END,
	c.key, g.price, 'CNY', true, p.t_now - interval '1 year'
FROM gen.prod g JOIN gen.cat c USING (ci), gen.param p,
	LATERAL (SELECT '693' || lpad(g.pi::text, 9, '0') AS d) b;

SELECT (SELECT array_agg(c ORDER BY pi) FILTER (WHERE pi < (SELECT products FROM gen.param))
	FROM (SELECT pi, sum(w) OVER (ORDER BY pi) / sum(w) OVER () AS c FROM gen.prod) x)::text AS cu_prod,
	(SELECT array_agg(price ORDER BY pi) FROM gen.prod)::text AS pr_prod \gset

SELECT 'gen: ' || rpad('catalogue', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- members (their rows are written at the end, with their balances) -----------
--
-- Segments: loyal 3% (about 150 visits in two years), regular 17% (about 30),
-- occasional 40% (6), rare 20% (1.5), churned 15% (12 a year, stopped about a year
-- ago), never bought 5%. 30% joined before the data starts; the others join over
-- the two years as the days weigh (growth, seasons). Visits fall on the days of the
-- member's active span with the calendar's weights, 80% at the home store and half
-- of them around the member's usual quarter hour; the visit rates are scaled so
-- that members make 60% of the sales. 0.4-35% of members (most loyal ones) keep
-- stored value: top-ups of 500, 1,000 or 2,000.
CREATE UNLOGGED TABLE gen.mem AS
SELECT x.i, p.mbase + x.i AS member_id, x.seg, x.jdi, x.home, x.slot, x.wt,
	CASE WHEN x.wt >= 100000 THEN x.wt + 10000 ELSE x.wt END AS wc,
	x.sdi, x.edi, x.ev, 0 AS n,
	-- families: loyal members buy 0-2 more lines a visit, a third of the regular ones 1
	CASE x.seg WHEN 1 THEN floor(random() * 3)::int WHEN 2 THEN (random() < 0.3)::int ELSE 0 END AS xl,
	-- joined: before the data (up to three years earlier) or on day jdi, in opening hours
	CASE WHEN x.jdi = 0
	THEN ((:'first_day'::date - 1 - (random() * 1095)::int) + interval '10 hours') AT TIME ZONE st.tz
	ELSE ((:'first_day'::date + x.jdi - 1) + interval '8 hours' + random() * interval '13 hours')
		AT TIME ZONE st.tz END AS jat,
	-- born 18 to 70 years ago (82% told us), marketing consent (62%)
	CASE WHEN random() < 0.82
	THEN p.today - (6575 + power(random(), 1.3) * 19000)::int END AS bd,
	random() < 0.62 AS mc
FROM (
	SELECT y.*,
		CASE WHEN y.seg = 6 OR y.sdi > y.edi THEN 0
		ELSE y.rate * ((:'hi_day'::float8[])[y.edi] - (:'lo_day'::float8[])[y.sdi]) END AS ev
	FROM (
		SELECT z.*, greatest(1, z.jdi + 1) AS sdi,
			CASE WHEN z.seg = 5 THEN least(p.days, (p.days * (0.42 + 0.16 * random()))::int)
			ELSE p.days END AS edi
		FROM (
			SELECT i, s.seg,
				CASE WHEN random() < 0.3 THEN 0
				ELSE width_bucket(random() * CASE WHEN s.seg = 5
					THEN (:'hi_day'::float8[])[(p.days * 0.4)::int] ELSE 1 END,
					:'cu_day'::float8[]) + 1 END AS jdi,
				width_bucket(random(), :'cu_store'::float8[]) + 1 AS home,
				width_bucket(random(), :'cu_slot'::float8[]) + 1 AS slot,
				CASE s.seg WHEN 1 THEN 150 * (0.5 + random())
					WHEN 2 THEN 30 * -ln(1 - random()) WHEN 3 THEN 6 * -ln(1 - random())
					WHEN 4 THEN 1.5 * -ln(1 - random()) WHEN 5 THEN 12 * (0.3 + random())
					ELSE 0 END AS rate,
				CASE WHEN random() < CASE s.seg WHEN 1 THEN 0.35 WHEN 2 THEN 0.06 ELSE 0.004 END
				THEN (ARRAY[50000, 100000, 100000, 200000])[1 + floor(random() * 4)::int]
				ELSE 0 END AS wt
			FROM gen.param p, generate_series(1, p.members) AS i,
				LATERAL (SELECT random() AS u, i AS _ OFFSET 0) r,
				LATERAL (SELECT CASE WHEN r.u < 0.03 THEN 1 WHEN r.u < 0.20 THEN 2
					WHEN r.u < 0.60 THEN 3 WHEN r.u < 0.80 THEN 4
					WHEN r.u < 0.95 THEN 5 ELSE 6 END AS seg) s
			OFFSET 0) z, gen.param p
		OFFSET 0) y
	OFFSET 0) x
JOIN gen.store st ON st.si = x.home, gen.param p;

-- visits per member: the rates scaled to 60% of the sales, rounded at random
UPDATE gen.mem m SET n = floor(m.ev * k.f + random())::integer
FROM (SELECT 0.6 * p.sales / greatest(sum(ev), 1e-9) AS f FROM gen.mem, gen.param p
	GROUP BY p.sales) k
WHERE m.ev > 0;
ALTER TABLE gen.mem ADD PRIMARY KEY (member_id);

SELECT 'gen: ' || rpad('members (plan)', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- sales: when, where, who ----------------------------------------------------
CREATE UNLOGGED TABLE gen.skel (member_id bigint, si integer, at timestamptz, xl integer);

-- members' visits
INSERT INTO gen.skel
SELECT v.member_id, v.si,
	CASE WHEN v.ts > p.t_now - interval '1 minute' THEN v.ts - interval '1 day' ELSE v.ts END, v.xl
FROM (
	SELECT w.member_id, w.si, w.xl,
		((:'first_day'::date + w.di - 1) + interval '8 hours' + (w.sl - 1) * interval '15 minutes'
		 + w.uf * interval '15 minutes') AT TIME ZONE s.tz AS ts
	FROM (
		SELECT m.member_id, m.xl,
			CASE WHEN random() < 0.8 THEN m.home
			ELSE width_bucket(random(), :'cu_store'::float8[]) + 1 END AS si,
			width_bucket((:'lo_day'::float8[])[m.sdi] + random()
				* ((:'hi_day'::float8[])[m.edi] - (:'lo_day'::float8[])[m.sdi]),
				:'cu_day'::float8[]) + 1 AS di,
			CASE WHEN random() < 0.5 THEN greatest(1, least(56, m.slot + floor(random() * 5)::int - 2))
			ELSE width_bucket(random(), :'cu_slot'::float8[]) + 1 END AS sl,
			random() AS uf
		FROM gen.mem m, generate_series(1, m.n)
		WHERE m.n > 0
		OFFSET 0) w
	JOIN gen.store s ON s.si = w.si
	OFFSET 0) v, gen.param p;

-- the anonymous rest
INSERT INTO gen.skel
SELECT NULL, v.si,
	CASE WHEN v.ts > p.t_now - interval '1 minute' THEN v.ts - interval '1 day' ELSE v.ts END, 0
FROM (
	SELECT w.si,
		((:'first_day'::date + w.di - 1) + interval '8 hours' + (w.sl - 1) * interval '15 minutes'
		 + w.uf * interval '15 minutes') AT TIME ZONE s.tz AS ts
	FROM (
		SELECT width_bucket(random(), :'cu_store'::float8[]) + 1 AS si,
			width_bucket(random(), :'cu_day'::float8[]) + 1 AS di,
			width_bucket(random(), :'cu_slot'::float8[]) + 1 AS sl,
			random() AS uf
		FROM gen.param p,
			generate_series(1, greatest(0, p.sales - (SELECT count(*) FROM gen.skel)))
		OFFSET 0) w
	JOIN gen.store s ON s.si = w.si
	OFFSET 0) v, gen.param p;

SELECT 'gen: ' || rpad('sales (when, where, who)', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- sales: ids in time order, till, cashier, basket ------------------------------
--
-- txn_id = tbase + 2 * (rank in time): the odd id before a sale is free for the
-- top-up made just before it. A sale has 1-8 lines (3.1 on average), each a product
-- (by weight) and a quantity (1-4), both from the hash of (txn_id, line): the lines
-- are written much later from the same hashes. Kept per sale: the gross, the largest
-- line (a, lt_a: coupon and points discounts go on it), and the sums the tier
-- discounts and the points of the other lines need for each tier (t1/t2: tier off at
-- 10%/20%; f0/f1/f2: sum of floor(line net / 10.00) at 0/10/20% off). The eight
-- possible lines are spelled out as columns l1..l8 (0 past the sale's count): plain
-- expressions cost a fifth of an aggregate over generate_series per sale.
CREATE UNLOGGED TABLE gen.sale AS
SELECT x.txn_id, x.member_id, x.si, x.store_id, x.till_id, x.staff_id, x.at, x.nl, x.tkind,
	x.cround, x.l1 + x.l2 + x.l3 + x.l4 + x.l5 + x.l6 + x.l7 + x.l8 AS gross,
	8 - greatest(x.l1 * 16 + 7, x.l2 * 16 + 6, x.l3 * 16 + 5, x.l4 * 16 + 4, x.l5 * 16 + 3, x.l6 * 16 + 2, x.l7 * 16 + 1, x.l8 * 16 + 0) % 16 AS a,
	greatest(x.l1, x.l2, x.l3, x.l4, x.l5, x.l6, x.l7, x.l8) AS lt_a,
	x.l1 / 10 + x.l2 / 10 + x.l3 / 10 + x.l4 / 10 + x.l5 / 10 + x.l6 / 10 + x.l7 / 10 + x.l8 / 10 AS t1,
	x.l1 / 5 + x.l2 / 5 + x.l3 / 5 + x.l4 / 5 + x.l5 / 5 + x.l6 / 5 + x.l7 / 5 + x.l8 / 5 AS t2,
	x.l1 / 1000 + x.l2 / 1000 + x.l3 / 1000 + x.l4 / 1000 + x.l5 / 1000 + x.l6 / 1000 + x.l7 / 1000 + x.l8 / 1000 AS f0,
	(x.l1 - x.l1 / 10) / 1000 + (x.l2 - x.l2 / 10) / 1000 + (x.l3 - x.l3 / 10) / 1000 + (x.l4 - x.l4 / 10) / 1000 + (x.l5 - x.l5 / 10) / 1000 + (x.l6 - x.l6 / 10) / 1000 + (x.l7 - x.l7 / 10) / 1000 + (x.l8 - x.l8 / 10) / 1000 AS f1,
	(x.l1 - x.l1 / 5) / 1000 + (x.l2 - x.l2 / 5) / 1000 + (x.l3 - x.l3 / 5) / 1000 + (x.l4 - x.l4 / 5) / 1000 + (x.l5 - x.l5 / 5) / 1000 + (x.l6 - x.l6 / 5) / 1000 + (x.l7 - x.l7 / 5) / 1000 + (x.l8 - x.l8 / 5) / 1000 AS f2
FROM (
	SELECT o.txn_id, o.member_id, o.si, st.store_id, st.till0 + o.tk AS till_id,
		st.staff0 + 1 + ((o.tk - 1) * 2
			+ CASE WHEN extract(hour FROM o.at AT TIME ZONE st.tz) >= 15 THEN 1 ELSE 0 END
			+ ((o.at AT TIME ZONE st.tz)::date - :'first_day'::date) / 7 * 3) % st.ncash AS staff_id,
		o.at, o.nl,
		-- how it is paid when not from stored value: cash 20% (rounded up to 10, 50
		-- or 100 yuan, the change given back), bank card 20%, e-wallet 60%
		1 + width_bucket((hashint8extended(o.txn_id * 16 + 2, :seed + 1) & 9007199254740991)::float8
			/ 9007199254740992, ARRAY[0.2, 0.4]::float8[]) AS tkind,
		(ARRAY[1000, 5000, 10000])[1 + width_bucket((hashint8extended(o.txn_id * 16 + 3, :seed + 1)
			& 9007199254740991)::float8 / 9007199254740992, ARRAY[0.4, 0.8]::float8[])] AS cround,
		CASE WHEN o.nl >= 1 THEN (:'pr_prod'::bigint[])[width_bucket(
			(hashint8extended(o.txn_id * 16 + 1, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_prod'::float8[]) + 1]
			* (1 + width_bucket((hashint8extended(o.txn_id * 16 + 9, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_qty'::float8[]))
			ELSE 0 END AS l1,
		CASE WHEN o.nl >= 2 THEN (:'pr_prod'::bigint[])[width_bucket(
			(hashint8extended(o.txn_id * 16 + 2, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_prod'::float8[]) + 1]
			* (1 + width_bucket((hashint8extended(o.txn_id * 16 + 10, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_qty'::float8[]))
			ELSE 0 END AS l2,
		CASE WHEN o.nl >= 3 THEN (:'pr_prod'::bigint[])[width_bucket(
			(hashint8extended(o.txn_id * 16 + 3, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_prod'::float8[]) + 1]
			* (1 + width_bucket((hashint8extended(o.txn_id * 16 + 11, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_qty'::float8[]))
			ELSE 0 END AS l3,
		CASE WHEN o.nl >= 4 THEN (:'pr_prod'::bigint[])[width_bucket(
			(hashint8extended(o.txn_id * 16 + 4, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_prod'::float8[]) + 1]
			* (1 + width_bucket((hashint8extended(o.txn_id * 16 + 12, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_qty'::float8[]))
			ELSE 0 END AS l4,
		CASE WHEN o.nl >= 5 THEN (:'pr_prod'::bigint[])[width_bucket(
			(hashint8extended(o.txn_id * 16 + 5, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_prod'::float8[]) + 1]
			* (1 + width_bucket((hashint8extended(o.txn_id * 16 + 13, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_qty'::float8[]))
			ELSE 0 END AS l5,
		CASE WHEN o.nl >= 6 THEN (:'pr_prod'::bigint[])[width_bucket(
			(hashint8extended(o.txn_id * 16 + 6, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_prod'::float8[]) + 1]
			* (1 + width_bucket((hashint8extended(o.txn_id * 16 + 14, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_qty'::float8[]))
			ELSE 0 END AS l6,
		CASE WHEN o.nl >= 7 THEN (:'pr_prod'::bigint[])[width_bucket(
			(hashint8extended(o.txn_id * 16 + 7, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_prod'::float8[]) + 1]
			* (1 + width_bucket((hashint8extended(o.txn_id * 16 + 15, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_qty'::float8[]))
			ELSE 0 END AS l7,
		CASE WHEN o.nl >= 8 THEN (:'pr_prod'::bigint[])[width_bucket(
			(hashint8extended(o.txn_id * 16 + 8, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_prod'::float8[]) + 1]
			* (1 + width_bucket((hashint8extended(o.txn_id * 16 + 16, :seed) & 9007199254740991)::float8
			/ 9007199254740992, :'cu_qty'::float8[]))
			ELSE 0 END AS l8
	FROM (
		SELECT x.*,
			1 + width_bucket((hashint8extended(x.txn_id * 16 + 1, :seed + 1) & 9007199254740991)::float8
			/ 9007199254740992, ARRAY[0.30, 0.55, 0.75, 0.90]::float8[]) AS tk,
			least(8, 1 + x.xl + width_bucket((hashint8extended(x.txn_id * 16, :seed + 1)
				& 9007199254740991)::float8 / 9007199254740992, :'cu_lines'::float8[])) AS nl
		FROM (SELECT :tbase + 2 * row_number() OVER (ORDER BY k.at, k.member_id, k.si) AS txn_id, k.*
			FROM gen.skel k) x) o
	JOIN gen.store st ON st.si = o.si
	OFFSET 0) x;
DROP TABLE gen.skel;

SELECT 'gen: ' || rpad('sales (ids, tills, baskets)', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- members' sales: tier, stored value, points redeemed ------------------------------
--
-- The tier a sale is priced with is the one the member's last 12 months of sales
-- (their gross) reached before it; tier_after includes the sale. 40% of the sales of a
-- member with stored value are paid from it in full (when it covers the sale: a top-up
-- is made just before when the balance would not), earning no points. Some other sales
-- redeem 100-500 points (at most half the sale, on its largest line); a redemption is
-- cut below to what the balance of its moment covers (the points timeline).
CREATE UNLOGGED TABLE gen.ms AS
SELECT z.*, z.gross - z.toff - 10 * z.r AS total,
	CASE WHEN z.wpaid > 0 THEN 0 ELSE (z.gross - z.toff - 10 * z.r) / 1000 END AS e,
	NULL::bigint AS coupon_id, 0::bigint AS coff, NULL::text AS code
FROM (
	SELECT y.*,
		CASE WHEN y.iw THEN y.gross - y.toff ELSE 0 END AS wpaid,
		CASE WHEN NOT y.iw AND (hashint8extended(y.txn_id * 16 + 4, :seed + 1)
			& 9007199254740991)::float8 / 9007199254740992
			< CASE y.seg WHEN 1 THEN 0.06 WHEN 2 THEN 0.04 ELSE 0.015 END
		THEN 100 * greatest(0, least(1 + floor((hashint8extended(y.txn_id * 16 + 5, :seed + 1)
			& 9007199254740991)::float8 / 9007199254740992 * 5)::int,
			(y.lt_a - y.lt_a * y.bp / 10000) / 1000,
			((y.gross - y.toff + 1) / 2) / 1000))
		ELSE 0 END AS r
	FROM (
		SELECT x.*,
			CASE x.bp WHEN 1000 THEN x.t1 WHEN 2000 THEN x.t2 ELSE 0 END AS toff,
			x.wc > 0 AND (hashint8extended(x.txn_id * 16 + 3, :seed + 1)
				& 9007199254740991)::float8 / 9007199254740992 < 0.4
				AND x.gross - CASE x.bp WHEN 1000 THEN x.t1 WHEN 2000 THEN x.t2 ELSE 0 END
				<= x.wc AS iw
		FROM (
			SELECT w.*, m.seg, m.wc, m.wt,
				CASE WHEN w.ri - w.gross >= 1000000 THEN 2000
				     WHEN w.ri - w.gross >= 200000 THEN 1000 ELSE 0 END AS bp,
				CASE WHEN w.ri - w.gross >= 1000000 THEN 'Gold'
				     WHEN w.ri - w.gross >= 200000 THEN 'Silver' ELSE 'Regular' END AS tier,
				CASE WHEN w.ri >= 1000000 THEN 'Gold'
				     WHEN w.ri >= 200000 THEN 'Silver' ELSE 'Regular' END AS tier_after,
				extract(year FROM w.at AT TIME ZONE 'Asia/Shanghai')::integer AS ly
			FROM (
				SELECT s.txn_id, s.member_id, s.store_id, s.till_id, s.staff_id, s.at, s.nl,
					s.gross, s.a, s.lt_a, s.t1, s.t2, s.f0, s.f1, s.f2,
					(sum(s.gross) OVER (PARTITION BY s.member_id ORDER BY s.at
						RANGE BETWEEN interval '365 days' PRECEDING AND CURRENT ROW))::bigint AS ri
				FROM gen.sale s WHERE s.member_id IS NOT NULL) w
			JOIN gen.mem m USING (member_id)) x) y) z;
CREATE INDEX ON gen.ms (member_id, at);
CREATE UNIQUE INDEX ON gen.ms (txn_id);

SELECT 'gen: ' || rpad('members'' sales (tiers, wallets)', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- coupons ----------------------------------------------------------------------
--
-- Definitions: a welcome coupon (10.00 off 50.00, issued on registration), a birthday
-- coupon (10% off, at most 30.00) and each year's campaigns (Chinese New Year, summer,
-- Golden Week, Double 11: fixed amounts off a minimum; the year end: 5% off, counted
-- against a total limit). Issued: the welcome coupon to everyone who joined in the
-- data's span, the birthday coupon each birthday (members with consent), a campaign's
-- to 3-60% of the members active then (the loyal ones most). 30-50% are used on the
-- member's first sale within 30 days (the campaign: its validity) that reaches the
-- minimum and has room for it on its largest line; the others stay issued.
CREATE UNLOGGED TABLE gen.cdef AS
SELECT p.dbase + row_number() OVER (ORDER BY d.valid_from NULLS FIRST, d.name) AS def_id, d.*
FROM (
	SELECT '新会员礼券 满50减10' AS name, 'fixed' AS kind, 1000 AS value_minor, 0 AS percent_bp,
		0 AS cap_minor, 5000 AS min_spend_minor, NULL::date AS valid_from, NULL::date AS valid_to,
		0 AS max_uses_total, 'registration' AS issue_on, 0.45 AS p_use
	UNION ALL
	SELECT '生日礼券 9折', 'percent', 0, 1000, 3000, 0, NULL, NULL, 0, 'birthday', 0.35
	UNION ALL
	SELECT c.name || ' ' || g.y, c.kind, c.value_minor, c.percent_bp, c.cap_minor, c.min_spend_minor,
		c.f, c.t, c.max_uses_total, 'manual', c.p_use
	FROM gen.param p,
		generate_series(extract(year FROM p.first_day)::int, extract(year FROM p.today)::int) AS g(y)
	LEFT JOIN gen.cny n ON n.y = g.y,
	LATERAL (VALUES
		('春节 满150减30', 'fixed', 3000, 0, 0, 15000, n.d - 21, n.d + 6, 0, 0.30),
		('夏日 满60减8', 'fixed', 800, 0, 0, 6000, make_date(g.y, 7, 1), make_date(g.y, 8, 31), 0, 0.30),
		('国庆 满100减15', 'fixed', 1500, 0, 0, 10000, make_date(g.y, 10, 1), make_date(g.y, 10, 7), 0,
			0.30),
		('双十一 满200减40', 'fixed', 4000, 0, 0, 20000, make_date(g.y, 11, 1), make_date(g.y, 11, 11),
			0, 0.30),
		('年终 95折', 'percent', 0, 500, 5000, 0, make_date(g.y, 12, 12), make_date(g.y, 12, 31), 1000000,
			0.30))
		AS c(name, kind, value_minor, percent_bp, cap_minor, min_spend_minor, f, t, max_uses_total,
			p_use)
	WHERE c.t >= p.first_day + 7 AND c.f <= p.today - 3) d, gen.param p;

INSERT INTO coupon_defs (def_id, name, kind, value_minor, percent_bp, cap_minor, min_spend_minor,
	valid_from, valid_to, max_uses_total, max_uses_per_member, stackable, issue_on, active,
	created_at)
SELECT d.def_id, d.name, d.kind, d.value_minor, d.percent_bp, d.cap_minor, d.min_spend_minor,
	d.valid_from, d.valid_to, d.max_uses_total, 1, false, d.issue_on,
	d.valid_to IS NULL OR d.valid_to >= p.today,
	coalesce((d.valid_from - 14) AT TIME ZONE 'Asia/Shanghai', p.t_now - interval '6 years')
FROM gen.cdef d, gen.param p;

CREATE UNLOGGED TABLE gen.coupon AS
SELECT y.*, upper(substr(md5(y.coupon_id::text || 'gen'), 1, 4)) || '-' || y.coupon_id AS code
FROM (
SELECT p.cbase + row_number() OVER (ORDER BY x.issued_at, x.member_id, x.def_id) AS coupon_id, x.*
FROM (
	-- welcome
	SELECT m.member_id, d.def_id, m.jat AS issued_at, m.jat + interval '30 days' AS until,
		random() < d.p_use AS try, NULL::integer AS year
	FROM gen.mem m, gen.cdef d
	WHERE d.issue_on = 'registration' AND m.jdi > 0
	UNION ALL
	-- birthdays in the span, after joining and before leaving
	SELECT m.member_id, d.def_id, b.at, b.at + interval '30 days', random() < d.p_use, b.y
	FROM gen.mem m CROSS JOIN gen.cdef d CROSS JOIN gen.param p
	CROSS JOIN LATERAL generate_series(extract(year FROM p.first_day)::int,
		extract(year FROM p.today)::int) AS g(yr)
	CROSS JOIN LATERAL (SELECT g.yr AS y,
		((m.bd + make_interval(years => g.yr - extract(year FROM m.bd)::int))::date
		+ interval '5 minutes') AT TIME ZONE 'Asia/Shanghai' AS at) b
	WHERE d.issue_on = 'birthday' AND m.bd IS NOT NULL AND m.mc
	  AND b.at > greatest(m.jat, (p.first_day AT TIME ZONE 'Asia/Shanghai'))
	  AND b.at < p.t_now - interval '1 hour'
	  AND b.at < ((p.first_day + m.edi) AT TIME ZONE 'Asia/Shanghai')
	UNION ALL
	-- campaigns: to members who had joined and not yet left
	SELECT m.member_id, d.def_id, ((d.valid_from - 2) + interval '10 hours') AT TIME ZONE 'Asia/Shanghai',
		((d.valid_to + 1) AT TIME ZONE 'Asia/Shanghai') - interval '1 second',
		random() < CASE m.seg WHEN 1 THEN 0.5 ELSE d.p_use END, NULL
	FROM gen.mem m CROSS JOIN gen.cdef d CROSS JOIN gen.param p
	WHERE d.issue_on = 'manual' AND m.jat < ((d.valid_from - 3) AT TIME ZONE 'Asia/Shanghai')
	  AND p.first_day + m.edi > d.valid_from
	  AND random() < CASE m.seg WHEN 1 THEN 0.6 WHEN 2 THEN 0.35 WHEN 3 THEN 0.12 WHEN 4 THEN 0.05
		WHEN 5 THEN 0.12 ELSE 0.03 END) x, gen.param p) y;

-- the sale each coupon is tried on, then one coupon per sale
CREATE UNLOGGED TABLE gen.cuse AS
SELECT DISTINCT ON (u.txn_id) u.txn_id, u.coupon_id, u.off
FROM (
	SELECT c.coupon_id, s.txn_id, s.off
	FROM gen.coupon c JOIN gen.cdef d USING (def_id)
	CROSS JOIN LATERAL (
		SELECT ms.txn_id, o.off FROM gen.ms ms,
			LATERAL (SELECT CASE d.kind WHEN 'fixed' THEN d.value_minor::bigint
				ELSE least(CASE WHEN d.cap_minor > 0 THEN d.cap_minor ELSE ms.gross END,
					(ms.gross - ms.toff) * d.percent_bp / 10000) END AS off) o
		WHERE ms.member_id = c.member_id AND ms.at > c.issued_at AND ms.at <= c.until
		  AND ms.wpaid = 0 AND ms.r = 0 AND ms.gross - ms.toff >= d.min_spend_minor
		  AND o.off > 0 AND o.off <= ms.lt_a - ms.lt_a * ms.bp / 10000
		  AND ms.gross - ms.toff - o.off > 0
		ORDER BY ms.at LIMIT 1) s
	WHERE c.try) u
ORDER BY u.txn_id, u.coupon_id;

UPDATE gen.ms m SET coupon_id = u.coupon_id, coff = u.off, total = m.total - u.off,
	e = (m.total - u.off) / 1000, code = c.code
FROM gen.cuse u JOIN gen.coupon c USING (coupon_id) WHERE u.txn_id = m.txn_id;

SELECT 'gen: ' || rpad('coupons', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- refunds ----------------------------------------------------------------------
--
-- :refund_pct% of the sales (none with a coupon, points redeemed or stored value:
-- those would give coupons, points and stored value back), minutes to days later at
-- the same store: the whole sale (65%, or a one-line sale) or one line, money back
-- through the sale's tender, the points those lines earned clawed back. A manager
-- approves those above 500.00.
CREATE UNLOGGED TABLE gen.refund AS
SELECT p.rbase + row_number() OVER (ORDER BY x.r_at, x.txn_id) AS refund_id, x.*
FROM (
	SELECT s.txn_id, s.member_id, s.si, s.store_id, s.at, s.nl, s.a, s.lt_a, s.tkind, m.tier_after,
		coalesce(m.bp, 0) AS bp, s.gross - coalesce(m.toff, 0) AS total,
		CASE coalesce(m.bp, 0) WHEN 1000 THEN s.f1 WHEN 2000 THEN s.f2 ELSE s.f0 END AS fb,
		least(p.t_now - interval '1 minute', s.at + interval '1 minute' * (5 + floor(-ln(1 -
			(hashint8extended(s.txn_id * 16 + 6, :seed + 1) & 9007199254740991)::float8
			/ 9007199254740992) * 2880))) AS r_at,
		s.nl = 1 OR (hashint8extended(s.txn_id * 16 + 7, :seed + 1) & 9007199254740991)::float8
			/ 9007199254740992 < 0.65 AS whole,
		1 + floor((hashint8extended(s.txn_id * 16 + 8, :seed + 1) & 9007199254740991)::float8
			/ 9007199254740992 * s.nl)::int AS line
	FROM gen.sale s LEFT JOIN gen.ms m USING (txn_id), gen.param p
	WHERE (hashint8extended(s.txn_id * 16 + 9, :seed + 1) & 9007199254740991)::float8
		/ 9007199254740992 < p.refund_rate
	  AND s.at < p.t_now - interval '10 minutes'
	  AND (m.txn_id IS NULL OR (m.r = 0 AND m.wpaid = 0 AND m.coupon_id IS NULL))) x, gen.param p;

-- the refunded lines, from the same hashes as the sale's lines: net = line total less
-- the tier's share; points = floor(net / 10.00), the largest line the rest of the sale's
CREATE UNLOGGED TABLE gen.rline AS
SELECT r.refund_id, r.txn_id, l.k AS line_no, l.net,
	CASE WHEN r.member_id IS NULL OR r.total < 1000 THEN 0
	     WHEN l.k = r.a THEN r.total / 1000 - (r.fb - (r.lt_a - r.lt_a * r.bp / 10000) / 1000)
	     ELSE l.net / 1000 END AS pts
FROM gen.refund r
CROSS JOIN LATERAL (
	SELECT k, y.lt - y.lt * r.bp / 10000 AS net
	FROM (SELECT k, (:'pr_prod'::bigint[])[width_bucket((hashint8extended(r.txn_id * 16 + k, :seed)
			& 9007199254740991)::float8 / 9007199254740992, :'cu_prod'::float8[]) + 1]
		* (1 + width_bucket((hashint8extended(r.txn_id * 16 + 8 + k, :seed)
			& 9007199254740991)::float8 / 9007199254740992, :'cu_qty'::float8[])) AS lt
		FROM generate_series(1, r.nl) AS k OFFSET 0) y
	WHERE r.whole OR y.k = r.line) l;
ALTER TABLE gen.refund ADD COLUMN amount bigint, ADD COLUMN c bigint;
UPDATE gen.refund r SET amount = l.amount, c = l.c
FROM (SELECT refund_id, sum(net)::bigint AS amount, sum(pts)::bigint AS c FROM gen.rline
	GROUP BY refund_id) l
WHERE l.refund_id = r.refund_id;

-- ---- stored value: the top-ups ----------------------------------------------------
--
-- A member's top-ups are all of one amount (500, 1,000 or 2,000 yuan; 100 yuan bonus
-- from 1,000): one just before each stored-value sale that the balance would not
-- cover, so the balance never goes below zero. Its id is the odd one before the sale's.
CREATE UNLOGGED TABLE gen.topup AS
SELECT y.member_id, y.txn_id - 1 AS txn_id, y.store_id, y.till_id, y.staff_id,
	y.at - interval '1 minute' * (2 + (hashint8extended(y.txn_id * 16 + 10, :seed + 1)
		& 9007199254740991)::float8 / 9007199254740992 * 5) AS at,
	y.wt AS amount, y.wc - y.wt AS bonus, y.wc,
	1 + width_bucket((hashint8extended(y.txn_id * 16 + 11, :seed + 1) & 9007199254740991)::float8
		/ 9007199254740992, ARRAY[0.2, 0.5]::float8[]) AS tkind
FROM (SELECT m.*, (sum(m.wpaid) OVER (PARTITION BY m.member_id ORDER BY m.at, m.txn_id))::bigint AS sk
	FROM gen.ms m WHERE m.wpaid > 0) y
WHERE (y.sk + y.wc - 1) / y.wc > (y.sk - y.wpaid + y.wc - 1) / y.wc;

SELECT 'gen: ' || rpad('refunds, top-ups', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- points: redemptions the balance covers, expiry ---------------------------------
--
-- Every earn is a lot that expires at the end of the next year; redemptions,
-- clawbacks and expiry draw from the lots soonest to expire, i.e. the oldest: so the
-- points drawn by time t are a prefix D(t) of the member's lots in time order, and
-- the balance is L(t) - D(t) (L: points earned so far; a clawback beyond the lots
-- makes D > L, the debt that the next earnings repay first). The expiry job of
-- January 1 of year y + 2 takes what is left of the lots of year y and before:
-- x = max(0, L_y - D), after which D = max(D, L_y). Two passes: the first with every
-- redemption planned, cutting each down to what the balance of its moment covers
-- (whole 100s; less redeemed only raises every later balance, so the cuts stay
-- covered), the second for the figures written.
CREATE UNLOGGED TABLE gen.expire (member_id bigint, y integer, at timestamptz, x bigint);
CREATE UNLOGGED TABLE gen.pstate (member_id bigint PRIMARY KEY, d bigint NOT NULL);
DO $$
DECLARE
	p	record;
	y	integer;
	t	timestamptz;
	tprev	timestamptz;
BEGIN
	SELECT * INTO p FROM gen.param;
	CREATE TEMP TABLE rmem ON COMMIT DROP AS SELECT DISTINCT member_id FROM gen.ms WHERE r > 0;
	FOR pass IN 1 .. 2 LOOP
		TRUNCATE gen.expire, gen.pstate;
		INSERT INTO gen.pstate SELECT member_id, 0 FROM gen.mem WHERE n > 0;
		tprev := '-infinity';
		FOR y IN extract(year FROM p.first_day)::int .. extract(year FROM p.today)::int - 2 LOOP
			t := make_timestamptz(y + 2, 1, 1, 0, 30, 0, 'Asia/Shanghai');
			EXIT WHEN t >= p.t_now;
			CREATE TEMP TABLE q ON COMMIT DROP AS
			SELECT member_id, coalesce(sum(e) FILTER (WHERE ly <= y), 0) AS lc,
				coalesce(sum(d) FILTER (WHERE at >= tprev AND at < t), 0) AS dr
			FROM (SELECT member_id, ly, e, r AS d, at FROM gen.ms
				UNION ALL
				SELECT member_id, NULL, 0, c, r_at FROM gen.refund
				WHERE member_id IS NOT NULL AND c > 0) z
			GROUP BY member_id;
			INSERT INTO gen.expire (member_id, y, at, x)
			SELECT q.member_id, y, t, q.lc - (s.d + q.dr)
			FROM q JOIN gen.pstate s USING (member_id) WHERE q.lc > s.d + q.dr;
			UPDATE gen.pstate s SET d = greatest(s.d + q.dr, q.lc) FROM q
			WHERE q.member_id = s.member_id;
			DROP TABLE q;
			tprev := t;
		END LOOP;
		EXIT WHEN pass = 2;
		-- the balance before each planned redemption: cut to what it covers
		UPDATE gen.ms m SET r = bad.r, total = m.gross - m.toff - 10 * bad.r,
			e = (m.gross - m.toff - 10 * bad.r) / 1000
		FROM (
			SELECT w.txn_id, greatest(0, w.bb)::bigint / 100 * 100 AS r FROM (
				SELECT z.txn_id, z.r, sum(z.dp) OVER (PARTITION BY z.member_id
					ORDER BY z.at, z.ord, z.id ROWS UNBOUNDED PRECEDING) - z.dp AS bb
				FROM (SELECT member_id, at, 1 AS ord, txn_id AS id, txn_id, r, e - r AS dp
					FROM gen.ms WHERE member_id IN (SELECT member_id FROM rmem)
					UNION ALL
					SELECT member_id, r_at, 2, refund_id, NULL, 0, -c FROM gen.refund
					WHERE member_id IN (SELECT member_id FROM rmem)
					UNION ALL
					SELECT member_id, at, 0, 0, NULL, 0, -x FROM gen.expire
					WHERE member_id IN (SELECT member_id FROM rmem)) z) w
			WHERE w.r > 0 AND w.bb < w.r) bad
		WHERE m.txn_id = bad.txn_id;
	END LOOP;
END
$$;

SELECT 'gen: ' || rpad('points (redemptions, expiry)', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- the members' timeline --------------------------------------------------------
--
-- Every event of a member in time order (sales, refunds, expiry, top-ups) with the
-- running balances after it: points (bal), spend (spend), stored value (wal, once a
-- top-up made the wallet), points earned so far (lcum: the end of each lot in the
-- prefix order) and over the whole timeline (ltot, btot). rn numbers the events in
-- (member, time) order: a ledger row's entry_id is ebase + 2 rn (+ 1 for a sale's earn
-- after its redeem), so a member's ledger reads in time order.
CREATE UNLOGGED TABLE gen.ev AS
SELECT z.*,
	(sum(z.dp) OVER w)::bigint AS bal, (sum(z.ds) OVER w)::bigint AS spend,
	(sum(z.dw) OVER w)::bigint AS wal, count(*) FILTER (WHERE z.kind = 't') OVER w AS ntop,
	(sum(z.e) OVER w)::bigint AS lcum, (sum(z.e) OVER m)::bigint AS ltot,
	(sum(z.dp) OVER m)::bigint AS btot,
	row_number() OVER (ORDER BY z.member_id, z.at, z.ord, z.id) AS rn
FROM (
	SELECT member_id, at, 1 AS ord, txn_id AS id, 's'::text AS kind, txn_id, NULL::bigint AS refund_id,
		r, e, 0::bigint AS c, 0::bigint AS x, e - r AS dp, total AS ds, -wpaid AS dw, NULL::timestamptz AS sat,
		bp, toff, coff, code, wpaid, total, tier, tier_after, ly
	FROM gen.ms
	UNION ALL
	SELECT member_id, r_at, 2, refund_id, 'r', txn_id, refund_id, 0, 0, c, 0, -c, -amount, 0, at,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, tier_after, NULL
	FROM gen.refund WHERE member_id IS NOT NULL
	UNION ALL
	SELECT member_id, at, 0, 0, 'x', NULL, NULL, 0, 0, 0, x, -x, 0, 0, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM gen.expire
	UNION ALL
	SELECT member_id, at, 0, txn_id, 't', txn_id, NULL, 0, 0, 0, 0, 0, 0, wc, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
	FROM gen.topup) z
WINDOW w AS (PARTITION BY z.member_id ORDER BY z.at, z.ord, z.id ROWS UNBOUNDED PRECEDING),
	m AS (PARTITION BY z.member_id);

-- each member's figures now; the tier from the last 12 months' sales net of their
-- refunds (kassa_tier_basis), since when: its first sale in that tier in the window
CREATE UNLOGGED TABLE gen.mfin AS
SELECT x.*,
	CASE WHEN x.basis >= 1000000 THEN 'Gold' WHEN x.basis >= 200000 THEN 'Silver'
	     ELSE 'Regular' END AS tier
FROM (
	SELECT e.member_id, max(e.btot) AS bal, sum(e.ds)::bigint AS spend,
		(sum(e.e) - sum(e.c))::bigint AS earned, max(e.at) AS last_at,
		(coalesce(sum(e.ds) FILTER (WHERE e.kind = 's' AND e.at >= p.t_now - interval '12 months'), 0)
		 + coalesce(sum(e.ds) FILTER (WHERE e.kind = 'r' AND e.sat >= p.t_now - interval '12 months'), 0))
			::bigint AS basis,
		min(e.at) FILTER (WHERE e.kind = 's' AND e.at >= p.t_now - interval '12 months'
			AND e.tier_after = 'Gold') AS gold_at,
		min(e.at) FILTER (WHERE e.kind = 's' AND e.at >= p.t_now - interval '12 months'
			AND e.tier_after = 'Silver') AS silver_at
	FROM gen.ev e, gen.param p
	GROUP BY e.member_id) x;
ALTER TABLE gen.mfin ADD PRIMARY KEY (member_id);

-- every sale as written: the member's figures joined in, the tender settled
CREATE UNLOGGED TABLE gen.fin AS
SELECT s.txn_id, s.member_id, s.si, s.store_id, s.till_id, s.staff_id, s.at, s.nl, s.gross, s.a, s.lt_a,
	CASE coalesce(e.bp, 0) WHEN 1000 THEN s.f1 WHEN 2000 THEN s.f2 ELSE s.f0 END AS fb,
	coalesce(e.bp, 0) AS bp, coalesce(e.toff, 0) AS toff, coalesce(e.coff, 0) AS coff, e.code,
	coalesce(e.r, 0) AS r, coalesce(e.e, 0) AS pts, coalesce(e.wpaid, 0) AS wpaid,
	coalesce(e.total, s.gross) AS total, e.tier, e.tier_after, e.bal, e.spend,
	CASE WHEN e.ntop > 0 THEN e.wal END AS wal,
	CASE WHEN coalesce(e.wpaid, 0) > 0 THEN 4 ELSE s.tkind END AS tkind,
	CASE WHEN coalesce(e.wpaid, 0) = 0 AND s.tkind = 1
	THEN (coalesce(e.total, s.gross) + s.cround - 1) / s.cround * s.cround
	ELSE coalesce(e.total, s.gross) END AS tendered
FROM gen.sale s LEFT JOIN gen.ev e ON e.txn_id = s.txn_id AND e.kind = 's';
DROP TABLE gen.sale;

SELECT 'gen: ' || rpad('members'' timeline', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- the load: indexes, constraints and triggers out of the way ----------------------
--
-- The tables loaded below lose their indexes, their primary, unique and exclusion
-- constraints and every foreign key from or to them, and their user triggers are
-- disabled; each is put back after the load from its own definition
-- (pg_get_indexdef, pg_get_constraintdef), with its name: the schema ends as
-- `kassad migrate` made it. One sorted index build beats millions of index inserts,
-- and a foreign key's one validating join beats a trigger query per row.
CREATE UNLOGGED TABLE gen.loadrel AS
SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname IN ('members', 'transactions',
	'transaction_lines', 'tenders', 'points_ledger', 'points_lots', 'points_lot_moves', 'coupons',
	'birthday_coupons', 'wallets', 'wallet_ledger', 'refunds', 'refund_lines', 'refund_tenders',
	'feedback');
CREATE UNLOGGED TABLE gen.saved_con AS
SELECT c.conrelid::regclass::text AS tbl, c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
FROM pg_constraint c
WHERE c.contype IN ('p', 'u', 'x', 'f')
  AND (c.conrelid IN (SELECT oid FROM gen.loadrel) OR c.confrelid IN (SELECT oid FROM gen.loadrel));
CREATE UNLOGGED TABLE gen.saved_idx AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i
WHERE i.indrelid IN (SELECT oid FROM gen.loadrel)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
	AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'));
CREATE UNLOGGED TABLE gen.saved_trg AS
SELECT t.tgrelid::regclass::text AS tbl, t.tgname, t.tgenabled
FROM pg_trigger t
WHERE t.tgrelid IN (SELECT oid FROM gen.loadrel) AND NOT t.tgisinternal AND t.tgenabled <> 'D';
DO $$
DECLARE
	r	record;
BEGIN
	FOR r IN SELECT * FROM gen.saved_con ORDER BY contype = 'f' DESC, tbl, conname LOOP
		EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
	END LOOP;
	FOR r IN SELECT * FROM gen.saved_idx LOOP
		EXECUTE format('DROP INDEX %s', r.name);
	END LOOP;
	FOR r IN SELECT * FROM gen.saved_trg LOOP
		EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', r.tbl, r.tgname);
	END LOOP;
END
$$;

-- ---- members ------------------------------------------------------------------------
INSERT INTO members (member_id, phone, card_no, name, birthday, gender, email, address,
	preferred_channel, marketing_consent, tags, notes, points_balance, cumulative_spend_minor,
	currency, tier, created_at, updated_at, tier_since, tier_manual, points_earned_total,
	registered_by, registered_store)
SELECT m.member_id,
	'+86' || (ARRAY['135', '136', '138', '150', '151', '152', '158', '159', '186', '187', '188',
		'177'])[1 + m.i % 12] || lpad((m.i / 12)::text, 8, '0'),
	'K' || (7000000000 + m.i),
	CASE WHEN random() < 0.05
	THEN n.py_giv[1 + floor(random() * 12)::int] || ' ' || n.py_sur[1 + floor(random() * 10)::int]
	ELSE n.sur[1 + least(39, floor(power(random(), 1.6) * 40)::int)] || n.giv[1 + floor(random() * 40)::int]
		|| CASE WHEN random() < 0.6 THEN n.giv[1 + floor(random() * 40)::int] ELSE '' END END,
	m.bd,
	CASE WHEN random() < 0.05 THEN 0 WHEN random() < 0.56 THEN 1 ELSE 2 END,
	CASE WHEN random() < 0.3 THEN 'm' || m.member_id || '@example.'
		|| (ARRAY['com', 'cn', 'net'])[1 + m.i % 3] ELSE '' END,
	CASE WHEN random() < 0.35 THEN split_part(st.name, '店', 1) || (ARRAY['人民路', '解放路', '中山路',
		'建设路', '和平路', '长江路', '新华街', '文化路'])[1 + floor(random() * 8)::int]
		|| (1 + (random() * 899)::int) || '号' ELSE '' END,
	floor(random() * 4)::int,
	m.mc,
	array_remove(ARRAY[
		CASE WHEN m.seg = 1 AND random() < 0.5 THEN 'vip' END,
		CASE WHEN random() < 0.08 THEN 'coffee' END,
		CASE WHEN random() < 0.12 THEN 'family' END,
		CASE WHEN random() < 0.10 THEN 'weekend' END,
		CASE WHEN random() < 0.06 THEN 'office' END,
		CASE WHEN random() < 0.05 THEN 'pet' END,
		CASE WHEN m.bd < p.today - 21915 AND random() < 0.5 THEN 'senior' END,
		CASE WHEN m.bd > p.today - 8400 AND random() < 0.5 THEN 'student' END]::text[], NULL),
	'',
	coalesce(f.bal, 0), coalesce(f.spend, 0), 'CNY', coalesce(f.tier, 'Regular'),
	m.jat, greatest(m.jat, f.last_at),
	CASE coalesce(f.tier, 'Regular') WHEN 'Gold' THEN coalesce(f.gold_at, p.t_now - interval '1 day')
		WHEN 'Silver' THEN coalesce(f.silver_at, p.t_now - interval '1 day') ELSE m.jat END,
	false, coalesce(f.earned, 0),
	CASE WHEN m.jdi > 0 THEN st.staff0 + 1 + m.i % st.ncash END,
	CASE WHEN m.jdi > 0 THEN st.store_id END
FROM gen.mem m JOIN gen.store s0 ON s0.si = m.home
JOIN stores st0 ON st0.store_id = s0.store_id
CROSS JOIN LATERAL (SELECT s0.staff0, s0.ncash, s0.store_id, st0.name) st
LEFT JOIN gen.mfin f USING (member_id), gen.names n, gen.param p;

SELECT 'gen: ' || rpad('load: members', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- sales, lines, tenders ---------------------------------------------------------
INSERT INTO transactions (txn_id, store_id, till_id, staff_id, member_id, currency, total_minor,
	tendered_minor, change_minor, points_earned, points_balance_after, cumulative_spend_after,
	created_at, kind, rule_version, tier, tier_after, gross_minor, tier_off_minor, coupon_off_minor,
	coupon_codes, points_redeemed, points_value_minor, gift_points, wallet_paid_minor,
	wallet_balance_after, receipt_no, offline)
SELECT f.txn_id, f.store_id, f.till_id, f.staff_id, f.member_id, 'CNY', f.total, f.tendered,
	f.tendered - f.total, f.pts, f.bal, f.spend, f.at, 'sale', p.rule_version, f.tier, f.tier_after,
	f.gross, f.toff, f.coff, CASE WHEN f.code IS NULL THEN '{}'::text[] ELSE ARRAY[f.code] END,
	f.r, 10 * f.r, 0, f.wpaid, f.wal, '', false
FROM gen.fin f, gen.param p
UNION ALL
SELECT t.txn_id, t.store_id, t.till_id, t.staff_id, t.member_id, 'CNY', t.amount, t.amount, 0, 0,
	e.bal, e.spend, t.at, 'topup', p.rule_version, NULL, NULL, t.amount, 0, 0, '{}', 0, 0, 0, 0,
	e.wal, '', false
FROM gen.topup t JOIN gen.ev e ON e.kind = 't' AND e.txn_id = t.txn_id, gen.param p;

SELECT 'gen: ' || rpad('load: transactions', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- the lines again from their hashes; the discounts as the sale kept them: the tier's
-- on every line, coupon and points on the largest, points earned floor(net / 10.00)
-- a line and the rest of the sale's on the largest
INSERT INTO transaction_lines (txn_id, line_no, product_id, sku, name, quantity, unit_price_minor,
	line_total_minor, tier_off_minor, coupon_off_minor, points_off_minor, net_minor, points_earned,
	gift_points)
SELECT l.txn_id, l.k, g.product_id, g.sku, g.name, l.q, g.price_minor, l.lt, l.toff, l.coff, l.poff,
	l.lt - l.toff - l.coff - l.poff,
	CASE WHEN l.pts = 0 THEN 0
	     WHEN l.k = l.a THEN l.pts - (l.fb - (l.lt_a - l.lt_a * l.bp / 10000) / 1000)
	     ELSE (l.lt - l.toff) / 1000 END,
	0
FROM (
	SELECT f.txn_id, y.k, f.a, f.lt_a, f.fb, f.bp, f.pts, y.pid, y.q, y.lt,
		y.lt * f.bp / 10000 AS toff,
		CASE WHEN y.k = f.a THEN f.coff ELSE 0 END AS coff,
		CASE WHEN y.k = f.a THEN 10 * f.r ELSE 0 END AS poff
	FROM gen.fin f
	CROSS JOIN LATERAL (
		SELECT z.k, z.pid, z.q, (:'pr_prod'::bigint[])[z.pid] * z.q AS lt
		FROM (SELECT k,
			width_bucket((hashint8extended(f.txn_id * 16 + k, :seed) & 9007199254740991)::float8
				/ 9007199254740992, :'cu_prod'::float8[]) + 1 AS pid,
			1 + width_bucket((hashint8extended(f.txn_id * 16 + 8 + k, :seed)
				& 9007199254740991)::float8 / 9007199254740992, :'cu_qty'::float8[]) AS q
			FROM generate_series(1, f.nl) AS k OFFSET 0) z) y) l
JOIN products g ON g.product_id = :pbase + l.pid;

SELECT 'gen: ' || rpad('load: lines', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

INSERT INTO tenders (txn_id, tender_no, kind, amount_minor, reference)
SELECT x.txn_id, 1, x.tkind, x.amount,
	CASE x.tkind WHEN 2 THEN 'POS' || lpad((x.txn_id * 7919 % 1000000000)::text, 9, '0')
		WHEN 3 THEN CASE WHEN x.txn_id % 3 = 0 THEN 'ALI' ELSE 'WX' END
			|| lpad((x.txn_id * 104729 % 10000000000)::text, 10, '0')
		ELSE '' END
FROM (SELECT txn_id, tkind, tendered AS amount FROM gen.fin
	UNION ALL SELECT txn_id, tkind, amount FROM gen.topup) x;

SELECT 'gen: ' || rpad('load: tenders', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- points: ledger, lots, lot moves ---------------------------------------------------
INSERT INTO points_ledger (member_id, entry_id, kind, points, txn_id, refund_id, created_at)
SELECT e.member_id, p.ebase + 2 * e.rn, 'redeem', -e.r, e.txn_id, NULL::bigint, e.at
FROM gen.ev e, gen.param p WHERE e.kind = 's' AND e.r > 0
UNION ALL
SELECT e.member_id, p.ebase + 2 * e.rn + 1, 'earn', e.e, e.txn_id, NULL, e.at
FROM gen.ev e, gen.param p WHERE e.kind = 's' AND e.e > 0
UNION ALL
SELECT e.member_id, p.ebase + 2 * e.rn, 'clawback', -e.c, e.txn_id, e.refund_id, e.at
FROM gen.ev e, gen.param p WHERE e.kind = 'r' AND e.c > 0
UNION ALL
SELECT e.member_id, p.ebase + 2 * e.rn, 'expire', -e.x, NULL, NULL, e.at
FROM gen.ev e, gen.param p WHERE e.kind = 'x';

-- a lot per earn (lot_id = the sale's id), what the prefix of draws leaves of it
INSERT INTO points_lots (member_id, lot_id, txn_id, source, points, remaining, expires_on,
	created_at)
SELECT e.member_id, e.txn_id, e.txn_id, 'earn', e.e,
	greatest(0, least(e.e, e.lcum - (e.ltot - e.btot))), make_date(e.ly + 1, 12, 31), e.at
FROM gen.ev e WHERE e.kind = 's' AND e.e > 0;

-- a draw (redeem, clawback, expire) takes the points (d0, d1] of the prefix, from the
-- lots that existed then (ending at most at lprev)
CREATE UNLOGGED TABLE gen.draw AS
SELECT e.member_id, p.ebase + 2 * e.rn AS entry_id, e.kind, e.at,
	(e.lcum - e.e) - (e.bal - e.dp) AS d0, (e.lcum - e.e) - (e.bal - e.dp) + e.r + e.c + e.x AS d1,
	e.lcum - e.e AS lprev
FROM gen.ev e, gen.param p
WHERE (e.kind = 's' AND e.r > 0) OR (e.kind = 'r' AND e.c > 0) OR e.kind = 'x';
INSERT INTO points_lot_moves (member_id, entry_id, lot_id, points)
SELECT d.member_id, d.entry_id, l.lot_id, least(d.d1, l.lcum) - greatest(d.d0, l.lcum - l.points)
FROM gen.draw d
JOIN (SELECT e.member_id, e.txn_id AS lot_id, e.e AS points, e.lcum FROM gen.ev e
	WHERE e.kind = 's' AND e.e > 0
	  AND e.member_id IN (SELECT member_id FROM gen.draw)) l ON l.member_id = d.member_id
WHERE l.lcum <= d.lprev AND l.lcum > d.d0 AND l.lcum - l.points < d.d1;

-- the expiry job's runs: members, lots and points expired
INSERT INTO job_runs (kind, started_at, finished_at, members, lots, points)
SELECT 'points_expire', x.at, x.at + interval '3 minutes', x.members, coalesce(mv.n, 0), x.points
FROM (SELECT at, count(*) AS members, sum(x) AS points FROM gen.expire GROUP BY at) x
LEFT JOIN (SELECT d.at, count(*) AS n FROM points_lot_moves v
	JOIN gen.draw d ON d.member_id = v.member_id AND d.entry_id = v.entry_id
	WHERE d.kind = 'x' GROUP BY d.at) mv ON mv.at = x.at;

SELECT 'gen: ' || rpad('load: points', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- coupons, stored value, refunds, feedback -------------------------------------------
INSERT INTO coupons (member_id, coupon_id, def_id, code, state, used_txn, issued_at, used_at)
SELECT c.member_id, c.coupon_id, c.def_id, c.code,
	CASE WHEN m.txn_id IS NULL THEN 'issued' ELSE 'used' END, m.txn_id, c.issued_at, m.at
FROM gen.coupon c
LEFT JOIN (SELECT coupon_id, txn_id, at FROM gen.ms WHERE coupon_id IS NOT NULL) m USING (coupon_id);
UPDATE coupon_defs d SET uses_total = u.n
FROM (SELECT c.def_id, count(*) AS n FROM gen.coupon c JOIN gen.ms m USING (coupon_id)
	GROUP BY c.def_id) u
WHERE d.def_id = u.def_id AND d.max_uses_total > 0;
INSERT INTO birthday_coupons (member_id, def_id, year, coupon_id, issued_at)
SELECT member_id, def_id, year, coupon_id, issued_at FROM gen.coupon WHERE year IS NOT NULL;

INSERT INTO wallets (member_id, balance_minor, currency, updated_at)
SELECT e.member_id, sum(e.dw)::bigint, 'CNY', max(e.at)
FROM gen.ev e WHERE e.kind = 't' OR (e.kind = 's' AND e.wpaid > 0)
GROUP BY e.member_id;
INSERT INTO wallet_ledger (member_id, entry_id, kind, amount_minor, txn_id, created_at)
SELECT e.member_id, p.wbase + 2 * e.rn, 'topup', t.amount, t.txn_id, t.at
FROM gen.topup t JOIN gen.ev e ON e.kind = 't' AND e.txn_id = t.txn_id, gen.param p
UNION ALL
SELECT e.member_id, p.wbase + 2 * e.rn + 1, 'bonus', t.bonus, t.txn_id, t.at
FROM gen.topup t JOIN gen.ev e ON e.kind = 't' AND e.txn_id = t.txn_id, gen.param p
WHERE t.bonus > 0
UNION ALL
SELECT e.member_id, p.wbase + 2 * e.rn, 'spend', -e.wpaid, e.txn_id, e.at
FROM gen.ev e, gen.param p WHERE e.kind = 's' AND e.wpaid > 0;

INSERT INTO refunds (refund_id, txn_id, store_id, till_id, staff_id, member_id, approved_by, reason,
	amount_minor, points_clawed_back, points_restored, wallet_restored_minor, coupons_restored,
	points_balance_after, wallet_balance_after, cumulative_spend_after, tier_after, created_at)
SELECT r.refund_id, r.txn_id, r.store_id, st.till0 + 1, st.staff0 + 1 + r.refund_id % st.ncash,
	r.member_id, CASE WHEN r.amount > 50000 THEN st.staff0 END,
	(ARRAY['', '质量问题', '顾客改变主意', '商品损坏', '价格标错', '重复购买'])[1 + r.refund_id % 6],
	r.amount, r.c, 0, 0, '{}', e.bal,
	CASE WHEN r.member_id IS NOT NULL THEN CASE WHEN e.ntop > 0 THEN e.wal ELSE 0 END END,
	e.spend, r.tier_after, r.r_at
FROM gen.refund r JOIN gen.store st ON st.si = r.si
LEFT JOIN gen.ev e ON e.kind = 'r' AND e.refund_id = r.refund_id;
INSERT INTO refund_lines (txn_id, line_no, refund_id, amount_minor, points_clawed_back,
	points_restored)
SELECT txn_id, line_no, refund_id, net, pts, 0 FROM gen.rline;
INSERT INTO refund_tenders (refund_id, tender_no, txn_id, kind, amount_minor, reference)
SELECT r.refund_id, 1, r.txn_id, t.kind, r.amount, t.reference
FROM gen.refund r JOIN tenders t ON t.txn_id = r.txn_id AND t.tender_no = 1;

-- 5% of the sales rated: mostly 5 and 4; a few cashiers (staff id divisible by 9)
-- a notch lower a third of the time
INSERT INTO feedback (feedback_id, txn_id, rating, comment, store_id, till_id, staff_id, member_id,
	recorded_by, created_at)
SELECT p.fbase + row_number() OVER (ORDER BY x.txn_id), x.txn_id, x.rating,
	CASE WHEN x.rating <= 2 AND x.uc < 0.6
		THEN (ARRAY['排队太久', '商品不新鲜', '收银员态度一般', '价格标签不对', '找零出错'])[1 + (x.uc * 8)::int % 5]
	     WHEN x.rating = 5 AND x.uc < 0.15
		THEN (ARRAY['服务很好', '结账很快', '收银员很热情', 'Great service'])[1 + (x.uc * 40)::int % 4]
	     ELSE '' END,
	x.store_id, x.till_id, x.staff_id, x.member_id, x.staff_id,
	least(p.t_now - interval '1 second', x.at + interval '1 minute' * (1 + 4 * x.uc))
FROM (
	SELECT f.txn_id, f.store_id, f.till_id, f.staff_id, f.member_id, f.at,
		greatest(1, 1 + width_bucket((hashint8extended(f.txn_id * 16 + 13, :seed + 1)
			& 9007199254740991)::float8 / 9007199254740992, ARRAY[0.06, 0.11, 0.22, 0.48]::float8[])
			- CASE WHEN f.staff_id % 9 = 0 AND (hashint8extended(f.txn_id * 16 + 14, :seed + 1)
				& 9007199254740991)::float8 / 9007199254740992 < 0.33 THEN 1 ELSE 0 END) AS rating,
		(hashint8extended(f.txn_id * 16 + 15, :seed + 1) & 9007199254740991)::float8
			/ 9007199254740992 AS uc
	FROM gen.fin f, gen.param p
	WHERE (hashint8extended(f.txn_id * 16 + 12, :seed + 1) & 9007199254740991)::float8
		/ 9007199254740992 < 0.05
	  AND f.at < p.t_now - interval '5 minutes') x, gen.param p;

SELECT 'gen: ' || rpad('load: coupons, wallets, refunds', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

-- ---- indexes, constraints and triggers back; sequences past the ids used ---------------
--
-- (parallel from here on: nothing random is drawn any more; index builds and the foreign
-- keys' validating joins use both cores)
SET max_parallel_workers_per_gather = 2;
DO $$
DECLARE
	r	record;
BEGIN
	FOR r IN SELECT * FROM gen.saved_con WHERE contype <> 'f' ORDER BY tbl, conname LOOP
		EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.tbl, r.conname, r.def);
	END LOOP;
	FOR r IN SELECT * FROM gen.saved_idx ORDER BY name LOOP
		EXECUTE r.def;
	END LOOP;
	FOR r IN SELECT * FROM gen.saved_con WHERE contype = 'f' ORDER BY tbl, conname LOOP
		EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.tbl, r.conname, r.def);
	END LOOP;
	FOR r IN SELECT * FROM gen.saved_trg LOOP
		EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %I', r.tbl,
			CASE r.tgenabled WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END, r.tgname);
	END LOOP;
	FOR r IN SELECT * FROM (VALUES ('members', 'member_id'), ('transactions', 'txn_id'),
		('points_ledger', 'entry_id'), ('points_lots', 'lot_id'), ('coupons', 'coupon_id'),
		('coupon_defs', 'def_id'), ('wallet_ledger', 'entry_id'), ('refunds', 'refund_id'),
		('feedback', 'feedback_id'), ('products', 'product_id'), ('stores', 'store_id'),
		('tills', 'till_id')) AS v(tbl, col) LOOP
		EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), max(%I)) FROM %I',
			r.tbl, r.col, r.col, r.tbl);
	END LOOP;
END
$$;

SELECT 'gen: ' || rpad('indexes and constraints', 36) || lpad(to_char(extract(epoch FROM clock_timestamp()) - :t0, 'FM999990.0'), 8) || ' s' AS msg,
	extract(epoch FROM clock_timestamp()) AS t0 \gset
\echo :msg

DROP SCHEMA gen CASCADE;
COMMIT;
