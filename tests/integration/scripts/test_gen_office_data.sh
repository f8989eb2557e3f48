#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_gen_office_data: scripts/gen-office-data.sh at a tiny scale (2,000 members,
# 20,000 sales, 20 stores) in a database of its own in the fixture's cluster, migrated
# by `kassad migrate` and seeded by scripts/seed.sh first, so the generated rows must
# live next to seed.sh's. Then, with SQL, what the generator promises: every balance
# equals its ledger (points, lots, spend, points earned, stored value, never below zero
# on the way), every sale's totals equal its lines and its tenders, the per-line and
# per-refund allocations add up, redemptions were covered when made, coupons used once
# on sales that show them, the tier matches its 12-month basis, nothing in the future
# or before the member joined; the shape of the data: about 60% of the sales to
# members, weekends busier than weekdays and December busier than July (per day), a
# long tail of members; the seeded rows untouched; and the schema exactly as migrate
# made it (pg_dump before and after). Timings are scripts/bench-office.sh's business,
# not this test's. Needs KASSA_TEST_ENV (scripts/test-env.sh).
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
ROOT=${KASSA_ROOT:?}
DB=kassa_gen_test
CI="host=$KASSA_HOST port=$KASSA_PG_PORT dbname=$DB user=kassa connect_timeout=10"

q() { psql "$CI" -X -Atc "$1"; }
# zero NAME QUERY: a check that the count QUERY gives is 0
zero() {
	local n
	n=$(q "$2" 2>&1)
	[ "$n" = 0 ] || echo "# $1: $n"
	check "$1" "$([ "$n" = 0 ]; echo $?)"
}
# schema: the database's schema as pg_dump prints it (less its random \restrict key)
schema() { pg_dump -s "$CI" | grep -v '^\\\(un\)\{0,1\}restrict '; }

cleanup_db() { psql "$KASSA_CONNINFO" -X -q -c "DROP DATABASE IF EXISTS $DB" 2>/dev/null; }
trap 'cleanup_db; on_exit' EXIT

cleanup_db
psql "$KASSA_CONNINFO" -X -q -c "CREATE DATABASE $DB"
KASSA_DATABASE_CONNINFO=$CI "$KASSA_KASSAD" migrate --config "$KASSA_CONFIG" >"$tmp/migrate.log" 2>&1
check "a database of its own, migrated" $?
bash "$ROOT/scripts/seed.sh" "$CI" "$KASSA_KASSAD" --members 50 --products 60 >"$tmp/seed.log" 2>&1
check "seeded: 50 members, 60 products" $?
schema >"$tmp/schema.before"
seeded=$(q "SELECT md5(string_agg(m::text, '|' ORDER BY member_id)) FROM members m")

bash "$ROOT/scripts/gen-office-data.sh" "$CI" --members 2000 --sales 20000 --stores 20 \
	--products 400 --seed 7 --kassad "$KASSA_KASSAD" >"$tmp/gen.log" 2>&1
rc=$?
sed 's/^/# /' "$tmp/gen.log"
check "gen-office-data.sh exits 0 and prints its phases and the total" $([ $rc = 0 ] &&
	grep -q '^gen: load: lines  *[0-9.]* s$' "$tmp/gen.log" &&
	grep -q '^gen: total  *[0-9.]* s$' "$tmp/gen.log"; echo $?)

bash "$ROOT/scripts/gen-office-data.sh" "$CI" --members 10 --sales 10 >"$tmp/again.log" 2>&1
check "a second run into the same database is refused (exit 1)" $([ $? = 1 ] &&
	grep -q 'holds generated data already' "$tmp/again.log"; echo $?)
bash "$ROOT/scripts/gen-office-data.sh" "$CI" --members many >/dev/null 2>&1
check "a bad number is refused (exit 1)" $([ $? = 1 ]; echo $?)

# ---- sizes ----------------------------------------------------------------------
check "2,000 members generated after the 50 seeded, the seeded ones untouched" $(
	[ "$(q "SELECT count(*) FROM members WHERE card_no LIKE 'K7%'")" = 2000 ] &&
	[ "$(q "SELECT min(member_id) FROM members WHERE card_no LIKE 'K7%'")" -gt 50 ] &&
	[ "$(q "SELECT md5(string_agg(m::text, '|' ORDER BY member_id)) FROM members m
		WHERE card_no NOT LIKE 'K7%'")" = "$seeded" ]; echo $?)
check "20,000 sales at 20 stores of 5 tills, 400 products in 40 categories" $(
	[ "$(q "SELECT count(*) FROM transactions WHERE kind = 'sale'")" = 20000 ] &&
	[ "$(q "SELECT count(DISTINCT store_id) || ' ' || count(DISTINCT till_id) FROM transactions")" = "20 100" ] &&
	[ "$(q "SELECT count(*) || ' ' || count(DISTINCT category) FROM products WHERE sku LIKE 'GEN-%'")" = "400 40" ]
	echo $?)
lines=$(q "SELECT round(avg(n), 1) FROM (SELECT count(*) n FROM transaction_lines GROUP BY txn_id) x")
echo "# lines per sale: $lines"
check "1 to 8 lines a sale, about 3 on average" $([ "$(q "SELECT min(n) || ' ' || max(n) FROM
	(SELECT count(*) n FROM transaction_lines GROUP BY txn_id) x")" = "1 8" ] &&
	awk -v a="$lines" 'BEGIN { exit !(a >= 2.6 && a <= 3.6) }'; echo $?)
counts=$(q "SELECT (SELECT count(*) FROM refunds) || ' ' || (SELECT count(*) FROM wallets) || ' ' ||
	(SELECT count(*) FROM transactions WHERE kind = 'topup') || ' ' ||
	(SELECT count(*) FROM coupons WHERE state = 'used') || ' ' ||
	(SELECT count(*) FROM coupons WHERE state = 'issued') || ' ' ||
	(SELECT count(*) FROM feedback) || ' ' ||
	(SELECT count(*) FROM points_ledger WHERE kind = 'redeem') || ' ' ||
	(SELECT count(*) FROM points_ledger WHERE kind = 'expire') || ' ' ||
	(SELECT count(*) FROM points_ledger WHERE kind = 'clawback')")
echo "# refunds wallets top-ups coupons_used coupons_open ratings redeemed expired clawbacks: $counts"
read -r n_ref n_wal n_top n_used n_open n_fb n_red _ n_claw <<<"$counts"
check "about 1% refunded, a few wallets with top-ups, coupons used and open, 5% rated" $(
	[ "$n_ref" -ge 120 ] && [ "$n_ref" -le 280 ] && [ "$n_wal" -ge 3 ] && [ "$n_top" -ge "$n_wal" ] &&
	[ "$n_used" -ge 50 ] && [ "$n_open" -ge 50 ] && [ "$n_fb" -ge 800 ] && [ "$n_fb" -le 1200 ] &&
	[ "$n_red" -ge 5 ] && [ "$n_claw" -ge 5 ]; echo $?)

# ---- balances = their ledgers -------------------------------------------------------
zero "every points balance = the sum of its ledger" "SELECT count(*) FROM members m
	WHERE points_balance <> (SELECT coalesce(sum(points), 0) FROM points_ledger l
				 WHERE l.member_id = m.member_id)"
zero "open lots = greatest(balance, 0) for every member" "SELECT count(*) FROM members m
	WHERE greatest(points_balance, 0) <> (SELECT coalesce(sum(remaining), 0) FROM points_lots o
		WHERE o.member_id = m.member_id AND o.remaining > 0)"
zero "cumulative spend = the member's sales less their refunds" "SELECT count(*) FROM members m
	WHERE cumulative_spend_minor <> (SELECT coalesce(sum(total_minor), 0) FROM transactions t
		WHERE t.member_id = m.member_id AND t.kind = 'sale')
		- (SELECT coalesce(sum(r.amount_minor), 0) FROM refunds r JOIN transactions t USING (txn_id)
		   WHERE t.member_id = m.member_id)"
zero "points earned in all = earns less clawbacks" "SELECT count(*) FROM members m
	WHERE points_earned_total <> (SELECT coalesce(sum(points), 0) FROM points_ledger l
		WHERE l.member_id = m.member_id AND l.kind IN ('earn', 'clawback'))"
zero "every wallet = the sum of its ledger" "SELECT count(*) FROM wallets w
	WHERE balance_minor <> (SELECT sum(amount_minor) FROM wallet_ledger l
				WHERE l.member_id = w.member_id)"
zero "no wallet below zero at any point of its history" "SELECT count(*) FROM (SELECT sum(amount_minor)
	OVER (PARTITION BY member_id ORDER BY created_at, entry_id) AS run FROM wallet_ledger) x
	WHERE run < 0"
zero "every redemption covered by the balance of its moment" "SELECT count(*) FROM (SELECT kind,
	sum(points) OVER (PARTITION BY member_id ORDER BY entry_id) AS run FROM points_ledger) x
	WHERE kind = 'redeem' AND run < 0"
zero "a sale's points balance after it = its member's ledger up to it" "SELECT count(*) FROM
	(SELECT txn_id, kind, sum(points) OVER (PARTITION BY member_id ORDER BY entry_id) AS run
	 FROM points_ledger) x JOIN transactions t USING (txn_id)
	WHERE x.kind = 'earn' AND t.points_balance_after <> x.run"
zero "a member's ledger reads in time order" "SELECT count(*) FROM (SELECT created_at,
	lag(created_at) OVER (PARTITION BY member_id ORDER BY entry_id) AS prev FROM points_ledger) x
	WHERE prev > created_at"
zero "redemptions and expiries name the lots they took, in full" "SELECT count(*) FROM
	points_ledger l WHERE kind IN ('redeem', 'expire') AND -points <> (SELECT coalesce(sum(points), 0)
	FROM points_lot_moves v WHERE v.member_id = l.member_id AND v.entry_id = l.entry_id)"
zero "no lot gave more than it had" "SELECT count(*) FROM points_lots o WHERE points - remaining
	< (SELECT coalesce(sum(points), 0) FROM points_lot_moves v
	   WHERE v.member_id = o.member_id AND v.lot_id = o.lot_id)"
zero "no lot past its day with points left" "SELECT count(*) FROM points_lots
	WHERE remaining > 0 AND expires_on < current_date"

# ---- sales = their lines, tenders, discounts ---------------------------------------------
zero "every sale's total = its lines' nets = gross less the discounts" "SELECT count(*)
	FROM transactions t LEFT JOIN (SELECT txn_id, sum(net_minor) n, sum(line_total_minor) g,
		sum(tier_off_minor) tof, sum(coupon_off_minor) co, sum(points_off_minor) po,
		sum(points_earned) pe FROM transaction_lines GROUP BY txn_id) l USING (txn_id)
	WHERE t.kind = 'sale' AND (l.n IS DISTINCT FROM t.total_minor OR l.g <> t.gross_minor
		OR l.tof <> t.tier_off_minor OR l.co <> t.coupon_off_minor
		OR l.po <> t.points_value_minor OR l.pe <> t.points_earned
		OR t.gross_minor - t.tier_off_minor - t.coupon_off_minor - t.points_value_minor
		   <> t.total_minor)"
zero "lines: total = unit price x quantity, the product's price and name" "SELECT count(*)
	FROM transaction_lines l JOIN products p USING (product_id)
	WHERE l.line_total_minor <> l.unit_price_minor * l.quantity
	   OR l.unit_price_minor <> p.price_minor OR l.sku <> p.sku OR l.name <> p.name"
zero "tenders cover the total: sum = tendered, tendered - change = total, stored value" \
	"SELECT count(*) FROM transactions t LEFT JOIN (SELECT txn_id, sum(amount_minor) a,
		sum(amount_minor) FILTER (WHERE kind = 4) w FROM tenders GROUP BY txn_id) d USING (txn_id)
	WHERE d.a IS DISTINCT FROM t.tendered_minor OR t.tendered_minor - t.change_minor <> t.total_minor
	   OR coalesce(d.w, 0) <> t.wallet_paid_minor"
zero "top-ups have no lines; their wallet rows match" "SELECT count(*) FROM transactions t
	WHERE t.kind = 'topup' AND (EXISTS (SELECT 1 FROM transaction_lines l WHERE l.txn_id = t.txn_id)
		OR t.total_minor <> (SELECT sum(amount_minor) FROM wallet_ledger w
				     WHERE w.txn_id = t.txn_id AND w.kind = 'topup'))"
zero "points redeemed (whole 100s) and earned = the sale's ledger rows" "SELECT count(*)
	FROM transactions t
	WHERE t.points_redeemed % 100 <> 0 OR t.points_redeemed <> coalesce((SELECT -sum(points) FROM points_ledger l
		WHERE l.txn_id = t.txn_id AND l.kind = 'redeem'), 0)
	   OR t.points_redeemed * 10 <> t.points_value_minor
	   OR t.points_earned <> coalesce((SELECT sum(points) FROM points_ledger l
		WHERE l.txn_id = t.txn_id AND l.kind = 'earn'), 0)"
zero "one point per 10.00 paid, none on stored value" "SELECT count(*) FROM transactions
	WHERE kind = 'sale' AND member_id IS NOT NULL
	  AND points_earned <> (total_minor - wallet_paid_minor) / 1000"
zero "the tier's discount on each line (10% Silver, 20% Gold)" "SELECT count(*) FROM
	transaction_lines l JOIN transactions t USING (txn_id)
	WHERE l.tier_off_minor <> l.line_total_minor
		* CASE t.tier WHEN 'Gold' THEN 2000 WHEN 'Silver' THEN 1000 ELSE 0 END / 10000"
zero "refunds: lines, tenders and clawbacks add up to the refund" "SELECT count(*) FROM refunds r
	WHERE amount_minor <> (SELECT sum(amount_minor) FROM refund_lines l WHERE l.refund_id = r.refund_id)
	   OR amount_minor <> (SELECT sum(amount_minor) FROM refund_tenders d WHERE d.refund_id = r.refund_id)
	   OR points_clawed_back <> (SELECT sum(points_clawed_back) FROM refund_lines l
				     WHERE l.refund_id = r.refund_id)
	   OR points_clawed_back <> coalesce((SELECT -sum(points) FROM points_ledger l
		WHERE l.refund_id = r.refund_id AND l.kind = 'clawback'), 0)"
zero "a refunded line gives back its net and its points, through the sale's tender" \
	"SELECT count(*) FROM refund_lines r JOIN transaction_lines l USING (txn_id, line_no)
	JOIN refund_tenders d ON d.refund_id = r.refund_id
	JOIN tenders t ON t.txn_id = d.txn_id AND t.tender_no = d.tender_no
	WHERE r.amount_minor <> l.net_minor OR r.points_clawed_back <> l.points_earned
	   OR d.kind <> t.kind OR d.amount_minor > t.amount_minor"
zero "refunds after their sale, above 500.00 approved" "SELECT count(*) FROM refunds r
	JOIN transactions t USING (txn_id) WHERE r.created_at <= t.created_at OR r.created_at > now()
	OR (r.amount_minor > 50000) <> (r.approved_by IS NOT NULL)"
zero "coupons used once, on the member's sale that shows them, after issue" "SELECT count(*)
	FROM coupons c LEFT JOIN transactions t ON t.txn_id = c.used_txn
	WHERE c.state = 'used' AND (t.txn_id IS NULL OR NOT c.code = ANY(t.coupon_codes)
		OR t.member_id <> c.member_id OR t.created_at <> c.used_at OR t.created_at < c.issued_at
		OR t.coupon_off_minor = 0)"
zero "a limited coupon's use count = its used coupons" "SELECT count(*) FROM coupon_defs d
	WHERE max_uses_total > 0 AND uses_total <> (SELECT count(*) FROM coupons c
		WHERE c.def_id = d.def_id AND c.state = 'used')"
zero "every member's tier = the tier of their 12-month basis (kassa_tier_basis)" \
	"SELECT count(*) FROM members m WHERE card_no LIKE 'K7%' AND tier <> CASE
		WHEN kassa_tier_basis(member_id, false, 12) >= 1000000 THEN 'Gold'
		WHEN kassa_tier_basis(member_id, false, 12) >= 200000 THEN 'Silver' ELSE 'Regular' END"
zero "nothing in the future, no sale before its member joined, ratings after the sale" \
	"SELECT (SELECT count(*) FROM transactions WHERE created_at > now())
	      + (SELECT count(*) FROM transactions t JOIN members m USING (member_id)
		 WHERE t.created_at < m.created_at)
	      + (SELECT count(*) FROM feedback f JOIN transactions t USING (txn_id)
		 WHERE f.created_at < t.created_at OR f.staff_id <> t.staff_id)"
zero "sequences past the ids used" "SELECT count(*) FROM (VALUES
	((SELECT last_value FROM transactions_txn_id_seq) >= (SELECT max(txn_id) FROM transactions)),
	((SELECT last_value FROM members_member_id_seq) >= (SELECT max(member_id) FROM members)),
	((SELECT last_value FROM points_ledger_entry_id_seq) >= (SELECT max(entry_id) FROM points_ledger)),
	((SELECT last_value FROM points_lots_lot_id_seq) >= (SELECT max(lot_id) FROM points_lots)),
	((SELECT last_value FROM coupons_coupon_id_seq) >= (SELECT max(coupon_id) FROM coupons)),
	((SELECT last_value FROM refunds_refund_id_seq) >= (SELECT max(refund_id) FROM refunds))) v(ok)
	WHERE NOT ok"

# ---- the shape of the data ---------------------------------------------------------------
# per business day (Asia/Shanghai), today left out
days="SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date AS d, count(*) AS n FROM transactions
	WHERE kind = 'sale' AND created_at < date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai')
		AT TIME ZONE 'Asia/Shanghai' GROUP BY 1"
share=$(q "SELECT round(100.0 * count(member_id) / count(*)) FROM transactions WHERE kind = 'sale'")
wk=$(q "SELECT round(avg(n) FILTER (WHERE extract(isodow FROM d) >= 6)
	/ avg(n) FILTER (WHERE extract(isodow FROM d) < 6), 2) FROM ($days) x")
dj=$(q "SELECT round(avg(n) FILTER (WHERE extract(month FROM d) = 12)
	/ avg(n) FILTER (WHERE extract(month FROM d) = 7), 2) FROM ($days) x")
top=$(q "SELECT round(100.0 * sum(n) FILTER (WHERE r <= 0.05 * c) / sum(n)) FROM (SELECT count(*) n,
	row_number() OVER (ORDER BY count(*) DESC) r, count(*) OVER () c FROM transactions
	WHERE kind = 'sale' AND member_id IS NOT NULL GROUP BY member_id) x")
lapsed=$(q "SELECT count(*) FROM (SELECT member_id FROM transactions WHERE member_id IS NOT NULL
	GROUP BY member_id HAVING max(created_at) < now() - interval '270 days'
	AND count(*) >= 3) x")
echo "# member share ${share}%, weekend/weekday ${wk}, December/July ${dj}," \
	"top 5% of members ${top}% of their sales, ${lapsed} regulars lapsed 9+ months"
check "about 60% of the sales to members" $([ "$share" -ge 55 ] && [ "$share" -le 65 ]; echo $?)
check "weekends busier than weekdays, per day" $(awk -v x="$wk" 'BEGIN { exit !(x >= 1.15) }'; echo $?)
check "December busier than July, per day" $(awk -v x="$dj" 'BEGIN { exit !(x >= 1.1) }'; echo $?)
check "a long tail: the top 5% of members make a third of their sales or more; some lapsed" $(
	[ "$top" -ge 33 ] && [ "$lapsed" -ge 10 ]; echo $?)
check "the stores' sizes differ (largest at least 5x the smallest)" $([ "$(q "SELECT max(n) >= 5 * min(n)
	FROM (SELECT count(*) n FROM transactions WHERE kind = 'sale' GROUP BY store_id) x")" = t ]
	echo $?)
check "stores in more than one time zone, most in Asia/Shanghai" $([ "$(q "SELECT count(DISTINCT timezone) > 1
	AND count(*) FILTER (WHERE timezone = 'Asia/Shanghai') > count(*) / 2 FROM stores
	WHERE code LIKE 'G%'")" = t ]; echo $?)

# ---- the schema as migrate made it -----------------------------------------------------------
schema >"$tmp/schema.after"
diff "$tmp/schema.before" "$tmp/schema.after" | head -n 20 | sed 's/^/# /'
check "the schema is exactly as before (indexes, constraints, triggers rebuilt)" $(
	cmp -s "$tmp/schema.before" "$tmp/schema.after"; echo $?)
check "no staging schema left behind" $([ "$(q "SELECT count(*) FROM pg_namespace
	WHERE nspname = 'gen'")" = 0 ]; echo $?)

summary
