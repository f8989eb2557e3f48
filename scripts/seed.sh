#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# seed.sh: demo and test data for a migrated Kassa database, through psql.
#
#   scripts/seed.sh CONNINFO KASSAD [--members N] [--products N]
#
# CONNINFO  libpq connection string, e.g. "host=127.0.0.1 port=55432 dbname=kassa user=kassa"
# KASSAD    the kassad binary (its `hash-pin` command hashes the staff PINs)
#
# What it writes (tests rely on these; change them together):
#   stores    S001 Shanghai Xujiahui, S002 Beijing Chaoyang, HQ Head office, BENCH Bench (CNY)
#   tills     S001-T1 S001-T2 S001-REVOKED (S001), S002-T1 (S002), HQ-OFFICE-1 (HQ, office),
#             BENCH-1 .. BENCH-64 (BENCH, bench); S001-REVOKED exists and is active, but
#             the test environment revokes its certificate in the CRL
#   staff     1001 cashier PIN 1234 (S001), 1002 cashier PIN 2345 (S002), 1901 cashier PIN
#             1234 (BENCH, for kassa-bench),
#             2001 manager PIN 9999, 3001 analyst PIN 3333, 9001 admin PIN 0000 (no store)
#   products  N SKUs (default 500) in five categories with Chinese and English names, valid
#             EAN-13 barcodes and prices from 1.00 to 300.00 CNY, including the fixed
#             SKU-APPLE (barcode 6901234567892, 12.50), SKU-RICE (75.00), SKU-MILK (12.50),
#             SKU-WATER (2.00), SKU-TEA (10.00), and SKU-OLD (inactive: refused at the till)
#   members   N members (default 300): member i has phone +86139<i, 8 digits>, card
#             K<i, 10 digits>; every 4th starts with a few points, written as an 'adjust'
#             row in points_ledger so the balance equals the ledger sum
#
# Every insert is ON CONFLICT DO NOTHING: running it again changes nothing. Set-based SQL,
# one transaction: --members 1000000 takes well under a minute.
set -euo pipefail

die() {
	echo "seed: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 CONNINFO KASSAD [--members N] [--products N]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
CONNINFO=$1
KASSAD=$2
shift 2
MEMBERS=300
PRODUCTS=500
while [ $# -gt 0 ]; do
	case "$1" in
	--members) [ $# -ge 2 ] || usage; MEMBERS=$2; shift 2 ;;
	--products) [ $# -ge 2 ] || usage; PRODUCTS=$2; shift 2 ;;
	--members=*) MEMBERS=${1#*=}; shift ;;
	--products=*) PRODUCTS=${1#*=}; shift ;;
	*) usage ;;
	esac
done
case "$MEMBERS$PRODUCTS" in
*[!0-9]* | '') die "--members and --products take a number" ;;
esac
[ "$PRODUCTS" -le 999999999 ] || die "--products is at most 999999999"

command -v psql >/dev/null || die "psql is not installed (apt-get install postgresql-client-15)"
[ -x "$KASSAD" ] || die "kassad binary not found or not executable: $KASSAD"

PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$CONNINFO")

"${PSQL[@]}" -Atc "SELECT to_regclass('members') IS NOT NULL AND to_regclass('tills') IS NOT NULL" |
	grep -qx t || die "the database has no Kassa schema: run 'kassad migrate --config FILE' first"

# PIN hashes are argon2id and deliberately slow: only make the ones that are missing.
declare -A PIN=([1001]=1234 [1002]=2345 [1901]=1234 [2001]=9999 [3001]=3333 [9001]=0000)
have=$("${PSQL[@]}" -Atc "SELECT staff_id FROM staff WHERE staff_id IN (1001,1002,1901,2001,3001,9001)")
declare -A HASH
for id in "${!PIN[@]}"; do
	if grep -qx "$id" <<<"$have"; then
		HASH[$id]=-
	else
		HASH[$id]=$("$KASSAD" hash-pin "${PIN[$id]}") || die "$KASSAD hash-pin failed"
		[ -n "${HASH[$id]}" ] || die "$KASSAD hash-pin printed nothing"
	fi
done

start=$(date +%s)
"${PSQL[@]}" -1 \
	-v members="$MEMBERS" -v products="$PRODUCTS" \
	-v h1001="${HASH[1001]}" -v h1002="${HASH[1002]}" -v h1901="${HASH[1901]}" \
	-v h2001="${HASH[2001]}" \
	-v h3001="${HASH[3001]}" -v h9001="${HASH[9001]}" <<'SQL'
SET LOCAL client_min_messages = warning;
SET LOCAL work_mem = '64MB';

-- EAN-13: the 12 given digits and the check digit (weights 1,3,1,3... from the left).
CREATE FUNCTION pg_temp.ean13(d text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT d || ((10 - (sum(substr(d, k, 1)::int * CASE WHEN k % 2 = 1 THEN 1 ELSE 3 END)
		% 10)) % 10)::text
	FROM generate_series(1, 12) AS k
$$;

INSERT INTO stores (code, name, currency, timezone) VALUES
	('S001', 'Shanghai Xujiahui', 'CNY', 'Asia/Shanghai'),
	('S002', 'Beijing Chaoyang', 'CNY', 'Asia/Shanghai'),
	('HQ', 'Head office', 'CNY', 'Asia/Shanghai'),
	('BENCH', 'Bench', 'CNY', 'Asia/Shanghai')
ON CONFLICT DO NOTHING;

INSERT INTO tills (store_id, code, kind)
SELECT s.store_id, t.code, t.kind
FROM (VALUES
	('S001', 'S001-T1', 'till'),
	('S001', 'S001-T2', 'till'),
	('S001', 'S001-REVOKED', 'till'),
	('S002', 'S002-T1', 'till'),
	('HQ', 'HQ-OFFICE-1', 'office')) AS t(store, code, kind)
JOIN stores s ON s.code = t.store
UNION ALL
SELECT s.store_id, 'BENCH-' || n, 'bench'
FROM stores s, generate_series(1, 64) AS n
WHERE s.code = 'BENCH'
ON CONFLICT DO NOTHING;

INSERT INTO staff (staff_id, store_id, name, role, pin_hash)
SELECT t.id, s.store_id, t.name, t.role, t.hash
FROM (VALUES
	(1001, 'S001', '李娜 Li Na', 'cashier', :'h1001'),
	(1002, 'S002', '王强 Wang Qiang', 'cashier', :'h1002'),
	(1901, 'BENCH', 'Bench Cashier', 'cashier', :'h1901'),
	(2001, NULL, '陈静 Chen Jing', 'manager', :'h2001'),
	(3001, NULL, '刘洋 Liu Yang', 'analyst', :'h3001'),
	(9001, NULL, '赵敏 Zhao Min', 'admin', :'h9001')) AS t(id, store, name, role, hash)
LEFT JOIN stores s ON s.code = t.store
WHERE t.hash <> '-'
ON CONFLICT DO NOTHING;

-- The products tests name.
INSERT INTO products (sku, barcode, name, category, price_minor, currency, active) VALUES
	('SKU-APPLE', '6901234567892', '红富士苹果 Apple', 'fresh', 1250, 'CNY', true),
	('SKU-RICE', pg_temp.ean13('690123456790'), '东北大米 5kg', 'groceries', 7500, 'CNY', true),
	('SKU-MILK', pg_temp.ean13('690123456791'), 'Milk 1L', 'drinks', 1250, 'CNY', true),
	('SKU-WATER', pg_temp.ean13('690123456792'), '矿泉水 Mineral Water 550ml', 'drinks', 200,
		'CNY', true),
	('SKU-TEA', pg_temp.ean13('690123456793'), '绿茶 Green Tea 500ml', 'drinks', 1000, 'CNY',
		true),
	('SKU-OLD', pg_temp.ean13('690123456794'), '停售商品 Discontinued Item', 'groceries', 990,
		'CNY', false)
ON CONFLICT DO NOTHING;

-- The rest of the catalogue: item x brand x pack size, so names rarely repeat.
WITH item(k, category, cn, en, price) AS (
	SELECT row_number() OVER () - 1, * FROM (VALUES
	('fresh', '香蕉', 'Bananas 1kg', 990),
	('fresh', '西红柿', 'Tomatoes 500g', 590),
	('fresh', '土豆', 'Potatoes 1kg', 490),
	('fresh', '黄瓜', 'Cucumbers 500g', 450),
	('fresh', '猪里脊', 'Pork Tenderloin 500g', 2990),
	('fresh', '鸡胸肉', 'Chicken Breast 500g', 1990),
	('fresh', '草莓', 'Strawberries 500g', 3990),
	('fresh', '鸡蛋', 'Eggs 10pcs', 1590),
	('groceries', '大米', 'Rice 5kg', 4990),
	('groceries', '面粉', 'Wheat Flour 2.5kg', 1890),
	('groceries', '花生油', 'Peanut Oil 1.8L', 3990),
	('groceries', '大豆油', 'Soybean Oil 5L', 6590),
	('groceries', '生抽酱油', 'Light Soy Sauce 500ml', 890),
	('groceries', '老抽酱油', 'Dark Soy Sauce 500ml', 990),
	('groceries', '香醋', 'Black Vinegar 500ml', 790),
	('groceries', '挂面', 'Dried Noodles 1kg', 890),
	('groceries', '方便面', 'Instant Noodles 5-pack', 1290),
	('groceries', '食盐', 'Table Salt 400g', 300),
	('groceries', '白砂糖', 'White Sugar 500g', 650),
	('groceries', '鸡精', 'Chicken Bouillon 200g', 990),
	('groceries', '蚝油', 'Oyster Sauce 510g', 1190),
	('groceries', '火锅底料', 'Hot Pot Base 200g', 1590),
	('groceries', '小米', 'Millet 1kg', 1290),
	('groceries', '速冻水饺', 'Frozen Dumplings 1kg', 2590),
	('groceries', '午餐肉罐头', 'Luncheon Meat 340g', 1690),
	('drinks', '矿泉水', 'Mineral Water 550ml', 200),
	('drinks', '纯净水', 'Purified Water 4L', 800),
	('drinks', '可乐', 'Cola 330ml', 350),
	('drinks', '柠檬汽水', 'Lemon Soda 330ml', 350),
	('drinks', '橙汁', 'Orange Juice 1L', 1290),
	('drinks', '绿茶饮料', 'Green Tea Drink 500ml', 350),
	('drinks', '冰红茶', 'Iced Black Tea 500ml', 350),
	('drinks', '纯牛奶', 'Whole Milk 250ml x12', 5990),
	('drinks', '酸奶', 'Yogurt 200g', 590),
	('drinks', '豆浆', 'Soy Milk 1L', 890),
	('drinks', '啤酒', 'Lager Beer 500ml', 590),
	('drinks', '白酒', 'Baijiu 500ml', 12800),
	('drinks', '红酒', 'Red Wine 750ml', 15800),
	('drinks', '速溶咖啡', 'Instant Coffee 15 sachets', 3290),
	('drinks', '铁观音', 'Tieguanyin Tea 250g', 8800),
	('drinks', '龙井茶', 'Longjing Green Tea 100g', 16800),
	('drinks', '运动饮料', 'Sports Drink 600ml', 550),
	('drinks', '椰汁', 'Coconut Milk Drink 1L', 1590),
	('snacks', '薯片', 'Potato Chips 70g', 750),
	('snacks', '瓜子', 'Sunflower Seeds 260g', 990),
	('snacks', '花生', 'Roasted Peanuts 350g', 1290),
	('snacks', '牛肉干', 'Beef Jerky 100g', 2990),
	('snacks', '饼干', 'Biscuits 400g', 1290),
	('snacks', '巧克力', 'Chocolate Bar 100g', 1590),
	('snacks', '辣条', 'Spicy Gluten Strips 100g', 350),
	('snacks', '果冻', 'Fruit Jelly 6-pack', 990),
	('snacks', '坚果礼盒', 'Mixed Nuts Gift Box 750g', 12800),
	('snacks', '糖果', 'Hard Candy 200g', 890),
	('snacks', '海苔', 'Seaweed Snack 40g', 890),
	('snacks', '月饼礼盒', 'Mooncake Gift Box', 19800),
	('snacks', '蛋卷', 'Egg Rolls 200g', 1290),
	('snacks', '话梅', 'Preserved Plums 100g', 790),
	('household', '抽纸', 'Facial Tissue x6', 2490),
	('household', '卷纸', 'Toilet Paper x10', 3290),
	('household', '洗衣液', 'Laundry Liquid 3kg', 4990),
	('household', '洗洁精', 'Dish Soap 1.5kg', 1290),
	('household', '洗发水', 'Shampoo 750ml', 5990),
	('household', '沐浴露', 'Body Wash 1L', 4590),
	('household', '牙膏', 'Toothpaste 180g', 1590),
	('household', '牙刷', 'Toothbrush x2', 1290),
	('household', '垃圾袋', 'Bin Bags 100pcs', 1290),
	('household', '保鲜膜', 'Cling Film 30m', 1590),
	('household', '电池', 'AA Batteries x4', 2290),
	('household', '拖把', 'Flat Mop', 6990),
	('household', '湿巾', 'Wet Wipes 80pcs', 990),
	('household', '消毒液', 'Disinfectant 1L', 2190),
	('household', '电饭煲', 'Rice Cooker 3L', 24900)) AS v
), brand(k, cn, en, f) AS (
	SELECT row_number() OVER () - 1, * FROM (VALUES
	('金禾', 'Jinhe', 1.00), ('福满', 'Fuman', 0.90), ('康乐', 'Kangle', 1.10),
	('田园', 'Tianyuan', 1.05), ('家乐', 'Jiale', 0.85), ('顺心', 'Shunxin', 0.95),
	('优选', 'Select', 1.30), ('百味', 'Baiwei', 0.90), ('天府', 'Tianfu', 1.15),
	('海韵', 'Haiyun', 1.00), ('长城', 'Changcheng', 1.25), ('春风', 'Chunfeng', 0.80),
	('东方', 'Dongfang', 1.10), ('山泉', 'Shanquan', 0.95), ('嘉华', 'Jiahua', 1.40),
	('盛世', 'Shengshi', 1.50), ('小熊', 'Xiaoxiong', 1.00), ('绿源', 'Lvyuan', 1.20)) AS v
), pack(k, cn, en, f) AS (
	SELECT row_number() OVER () - 1, * FROM (VALUES
	('', '', 1.0), ('家庭装', ' Family Pack', 1.8), ('小包装', ' Small Pack', 0.6),
	('量贩装', ' Value Pack', 2.6)) AS v
), n AS (
	SELECT (SELECT count(*) FROM item) AS items, (SELECT count(*) FROM brand) AS brands,
		(SELECT count(*) FROM pack) AS packs
)
INSERT INTO products (sku, barcode, name, category, price_minor, currency, active)
SELECT 'SKU-' || lpad(i::text, 6, '0'),
	pg_temp.ean13('692' || lpad(i::text, 9, '0')),
	b.cn || it.cn || p.cn || ' ' || b.en || ' ' || it.en || p.en ||
		CASE WHEN i / (n.items * n.brands * n.packs) > 0
		THEN ' #' || (i / (n.items * n.brands * n.packs) + 1) ELSE '' END,
	it.category,
	greatest(100, least(30000, round(it.price * b.f * p.f / 10) * 10)),
	'CNY', true
FROM n, generate_series(1, greatest(:products - 6, 0)) AS i
JOIN item it ON it.k = i % (SELECT count(*) FROM item)
JOIN brand b ON b.k = (i / (SELECT count(*) FROM item)) % (SELECT count(*) FROM brand)
JOIN pack p ON p.k = (i / ((SELECT count(*) FROM item) * (SELECT count(*) FROM brand)))
	% (SELECT count(*) FROM pack)
ON CONFLICT DO NOTHING;

-- Members: member i has phone +86139<i> and card K<i>; a few points for every 4th, written
-- to the ledger and as one lot in the same statement, so balance = ledger sum = open lots
-- holds from the start.
WITH ins AS (
	INSERT INTO members (phone, card_no, name, birthday, gender, email, address,
		preferred_channel, marketing_consent, tags, notes, points_balance, currency,
		created_at, updated_at)
	SELECT '+86139' || lpad(i::text, 8, '0'),
		'K' || lpad(i::text, 10, '0'),
		CASE WHEN i % 9 = 0
		THEN (ARRAY['Wang','Li','Zhang','Liu','Chen','Yang','Huang','Zhao','Wu','Zhou',
			'Xu','Sun','Ma','Zhu','Hu','Guo','He','Lin','Gao','Luo'])[1 + (i % 20)::int] || ' ' ||
			(ARRAY['Fang','Na','Min','Jing','Li','Yan','Juan','Xia','Xinyi','Zixuan',
			'Wei','Qiang','Lei','Jun','Yang','Yong','Jie','Tao','Hao','Yuxuan'])
			[1 + ((i / 20) % 20)::int]
		ELSE (ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周',
			'徐','孙','马','朱','胡','郭','何','林','高','罗'])[1 + (i % 20)::int] ||
			(ARRAY['芳','娜','敏','静','丽','艳','娟','霞','欣怡','梓萱',
			'伟','强','磊','军','洋','勇','杰','涛','浩然','宇轩'])[1 + ((i / 20) % 20)::int]
		END,
		CASE WHEN i % 4 <> 0 THEN date '1950-01-01' + ((i * 7919) % 20000)::int END,
		CASE WHEN i % 6 = 0 THEN 0 WHEN (i / 20) % 20 < 10 THEN 1 ELSE 2 END,
		CASE WHEN i % 3 = 0 THEN 'member' || i || '@example.com' ELSE '' END,
		CASE WHEN i % 2 = 0
		THEN (ARRAY['上海市徐汇区漕溪北路', '北京市朝阳区建国路', '上海市浦东新区世纪大道',
			'北京市海淀区中关村大街'])[1 + ((i / 2) % 4)::int] || (1 + i % 900) || '号'
		ELSE '' END,
		(i % 4)::smallint,
		i % 3 <> 2,
		CASE WHEN i % 50 = 0 THEN ARRAY['vip']
			WHEN i % 17 = 0 THEN ARRAY['coffee', 'weekend']
			WHEN i % 11 = 0 THEN ARRAY['family']
			ELSE '{}'::text[] END,
		'',
		CASE WHEN i % 4 = 0 THEN (i * 37) % 3000 ELSE 0 END,
		'CNY',
		now() - make_interval(days => ((i * 7919) % 1095)::int),
		now() - make_interval(days => ((i * 7919) % 1095)::int)
	FROM generate_series(1::bigint, :members) AS i
	ON CONFLICT DO NOTHING
	RETURNING member_id, points_balance, created_at
), ledger AS (
	INSERT INTO points_ledger (member_id, kind, points, created_at)
	SELECT member_id, 'adjust', points_balance, created_at
	FROM ins
	WHERE points_balance <> 0
)
INSERT INTO points_lots (member_id, source, points, remaining, expires_on, created_at)
SELECT member_id, 'adjust', points_balance, points_balance,
	make_date(extract(year FROM now())::integer + 1, 12, 31), created_at
FROM ins
WHERE points_balance > 0;
SQL

"${PSQL[@]}" -Atc "ANALYZE stores; ANALYZE tills; ANALYZE staff; ANALYZE products;
	ANALYZE members; ANALYZE points_ledger; ANALYZE points_lots" >/dev/null
counts=$("${PSQL[@]}" -Atc "SELECT (SELECT count(*) FROM stores) || ' stores, ' ||
	(SELECT count(*) FROM tills) || ' tills, ' || (SELECT count(*) FROM staff) || ' staff, ' ||
	(SELECT count(*) FROM products) || ' products, ' || (SELECT count(*) FROM members) ||
	' members'")
echo "seed: $counts ($(($(date +%s) - start))s)"
