#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_script: kassa-till --script as a shell script uses it. One JSON
# object per command, the sale's totals and points as the server computed
# them, refunds (money back, points clawed back), stored-value top-ups with
# their bonus, gift lines, and exit codes a script can rely on (0 all ok, 1
# some command failed, 2 usage, 3 no connection). Needs KASSA_TEST_ENV (scripts/test-env.sh) and
# KASSA_TILL (the kassa-till binary).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script "$@"
}

phone="+86136$(printf '%08d' $(( ($$ * 7919 + $(date +%s)) % 100000000 )))"

# a whole sale, every command succeeding
out=$(till <<SCRIPT
login 1001 1234
member register name="Script Member" phone=$phone consent=yes
sale begin
sale add SKU-APPLE 2
sale add SKU-RICE
sale member phone=$phone
sale pay cash 100.00
sale finish
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
check "a good script exits 0" $([ $rc = 0 ]; echo $?)
check "one JSON object per command" $([ "$(echo "$out" | grep -c '^{.*}$')" = 8 ]; echo $?)
check "every answer ok" $([ "$(echo "$out" | grep -c '"ok":true')" = 8 ]; echo $?)
finish=$(echo "$out" | grep '"cmd":"sale finish"')
check "total 100.00" $(echo "$finish" | grep -q '"total_minor":10000,'; echo $?)
check "10 points earned" $(echo "$finish" | grep -q '"points_earned":10,'; echo $?)
check "phone masked at the till" $(echo "$out" | grep -q "\"phone_masked\":\"${phone:3:3}\*\*\*\*${phone:10:4}\""; echo $?)
txn=$(echo "$finish" | sed -n 's/.*"txn_id":\([0-9]*\).*/\1/p')
check "the sale is in PostgreSQL" $([ "$(psql "$KASSA_CONNINFO" -Atc "SELECT total_minor FROM transactions WHERE txn_id = ${txn:-0}")" = 10000 ]; echo $?)

# a Silver member with points and stored value: the quote shows what is due
phone2="+86135$(printf '%08d' $(( ($$ * 104729 + $(date +%s)) % 100000000 )))"
out=$(till <<SCRIPT
login 1001 1234
member register name="Silver Script" phone=$phone2
SCRIPT
)
mid=$(echo "$out" | sed -n 's/.*"member_id":\([0-9]*\).*/\1/p')
psql "$KASSA_CONNINFO" -q -v ON_ERROR_STOP=1 -c "
	UPDATE members SET tier = 'Silver', points_balance = points_balance + 700 WHERE member_id = ${mid:-0};
	INSERT INTO points_ledger (member_id, kind, points) VALUES (${mid:-0}, 'adjust', 700);
	INSERT INTO points_lots (member_id, source, points, remaining, expires_on)
	VALUES (${mid:-0}, 'adjust', 700, 700, current_date + 30);
	INSERT INTO wallets (member_id, balance_minor) VALUES (${mid:-0}, 4000);
	INSERT INTO wallet_ledger (member_id, kind, amount_minor) VALUES (${mid:-0}, 'topup', 4000);"
out=$(till <<SCRIPT
login 1001 1234
sale begin
sale add SKU-RICE 2
sale member phone=$phone2
sale redeem 100
sale quote
sale pay stored 25.00
sale pay cash 100.00
sale finish
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
check "the loyalty script exits 0" $([ $rc = 0 ]; echo $?)
member=$(echo "$out" | grep '"cmd":"sale member"')
check "the member shows tier, discount, points and stored value" $(echo "$member" |
	grep '"tier":"Silver"' | grep '"tier_discount_bp":1000' | grep '"points_redeemable":700' |
	grep -q '"stored_value_minor":4000'; echo $?)
quote=$(echo "$out" | grep '"cmd":"sale quote"')
check "quote: 150.00 less 15.00 tier, 10.00 points: 125.00 due" $(echo "$quote" |
	grep '"total_minor":12500,' | grep '"tier_saving_minor":1500,' |
	grep -q '"points_value_minor":1000,'; echo $?)
check "quote: at most 600 points on this basket (50% of 135.00)" $(echo "$quote" |
	grep -q '"points_redeemable":600,'; echo $?)
check "the quote and the sale record one sale" $([ "$(psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM transactions WHERE member_id = ${mid:-0}")" = 1 ]; echo $?)
finish=$(echo "$out" | grep '"cmd":"sale finish"')
check "finish: 125.00, 25.00 from stored value, 10 points on the rest" $(echo "$finish" |
	grep '"total_minor":12500,' | grep '"stored_value_paid_minor":2500,' |
	grep '"stored_value_balance_minor":1500,' | grep -q '"points_earned":10,'; echo $?)
check "balance 700 - 100 + 10" $([ "$(psql "$KASSA_CONNINFO" -Atc "SELECT points_balance FROM members WHERE member_id = ${mid:-0}")" = 610 ]; echo $?)

# json_field NAME: the first "NAME":value (a number or a string without quotes) of stdin
json_field() {
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# the ledgers of member $1 agree with its balances
invariants() {
	psql "$KASSA_CONNINFO" -Atc "
		SELECT (m.points_balance = coalesce((SELECT sum(points) FROM points_ledger l
							WHERE l.member_id = m.member_id), 0))
		   AND (coalesce((SELECT sum(remaining) FROM points_lots o
				  WHERE o.member_id = m.member_id), 0) = greatest(m.points_balance, 0))
		   AND coalesce((SELECT w.balance_minor = (SELECT coalesce(sum(amount_minor), 0)
							  FROM wallet_ledger x
							  WHERE x.member_id = m.member_id)
					AND w.balance_minor >= 0
				 FROM wallets w WHERE w.member_id = m.member_id), true)
		FROM members m WHERE m.member_id = ${1:-0}"
}

# a refund of part of the first sale: line 2 (the rice) back in cash, its points clawed back
line2_points=$(psql "$KASSA_CONNINFO" -Atc "SELECT points_earned FROM transaction_lines WHERE txn_id = ${txn:-0} AND line_no = 2")
mid1=$(psql "$KASSA_CONNINFO" -Atc "SELECT member_id FROM transactions WHERE txn_id = ${txn:-0}")
out=$(till <<SCRIPT
login 1001 1234
refund ${txn:-0} line=2 reason="damaged bag"
refund ${txn:-0} line=2
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
refund=$(echo "$out" | grep '"cmd":"refund"' | head -n 1)
check "refunding a line already refunded makes exit 1" $([ $rc = 1 ]; echo $?)
check "refund: 75.00 back in cash for line 2" $(echo "$refund" | grep '"ok":true' |
	grep '"line_nos":\[2\]' | grep '"amount_minor":7500,' |
	grep -q '"tenders":\[{"tender_no":1,"kind":"cash","amount_minor":7500,'; echo $?)
clawed=$(echo "$refund" | json_field points_clawed_back)
check "refund: the line's $line2_points points are clawed back" $([ -n "$line2_points" ] &&
	[ "$line2_points" -gt 0 ] && [ "$clawed" = "$line2_points" ]; echo $?)
check "refund: the balance after is 10 - $line2_points, as in PostgreSQL" $(
	[ "$(echo "$refund" | json_field points_balance)" = $((10 - ${line2_points:-0})) ] &&
	[ "$(psql "$KASSA_CONNINFO" -Atc "SELECT points_balance FROM members WHERE member_id = ${mid1:-0}")" = $((10 - ${line2_points:-0})) ]; echo $?)
key=$(echo "$refund" | json_field idempotency_key)
check "refund: reports the idempotency key it was sent with" $([ "$(psql "$KASSA_CONNINFO" -Atc "SELECT kind FROM idempotency WHERE key = '${key:-none}'")" = refund ]; echo $?)
check "refund: the second one is refused with LINE_ALREADY_REFUNDED" $(echo "$out" |
	grep -q '"ok":false,"cmd":"refund","code":"FAILED_PRECONDITION","detail":"LINE_ALREADY_REFUNDED"'; echo $?)
check "refund: one refund row in PostgreSQL" $([ "$(psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM refunds WHERE txn_id = ${txn:-0}")" = 1 ]; echo $?)
check "refund: the member's ledgers agree" $([ "$(invariants "$mid1")" = t ]; echo $?)

# a top-up of 1000.00 in cash earns the 100.00 bonus; a card top-up needs a reference
out=$(till <<SCRIPT
login 1001 1234
topup ${mid:-0} 1000.00
topup ${mid:-0} 20.00 card=POS-4711
topup ${mid:-0} 20.00 card=
topup ${mid:-0} 0.00
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
check "the top-up script exits 1 (two refused)" $([ $rc = 1 ]; echo $?)
topup=$(echo "$out" | grep '"cmd":"topup"' | head -n 1)
check "topup: 1000.00 cash + 100.00 bonus, wallet 15.00 -> 1115.00" $(echo "$topup" |
	grep '"ok":true' | grep '"tender":"cash"' | grep '"amount_minor":100000,' |
	grep '"bonus_minor":10000,' | grep -q '"stored_value_balance_minor":111500,'; echo $?)
key=$(echo "$topup" | json_field idempotency_key)
check "topup: reports the idempotency key it was sent with" $([ "$(psql "$KASSA_CONNINFO" -Atc "SELECT kind FROM idempotency WHERE key = '${key:-none}'")" = topup ]; echo $?)
check "topup: by card, no bonus under 1000.00" $(echo "$out" | grep '"cmd":"topup"' | sed -n 2p |
	grep '"tender":"card"' | grep '"bonus_minor":0,' |
	grep -q '"stored_value_balance_minor":113500,'; echo $?)
check "topup: a card without reference and a zero amount are refused" $(
	[ "$(echo "$out" | grep -c '"ok":false,"cmd":"topup","code":"INVALID_ARGUMENT"')" = 2 ]; echo $?)
check "topup: the wallet in PostgreSQL is 1135.00" $([ "$(psql "$KASSA_CONNINFO" -Atc "SELECT balance_minor FROM wallets WHERE member_id = ${mid:-0}")" = 113500 ]; echo $?)

# a gift from the catalogue: price 0 on the sale, its points off the balance
gsku="GIFT-$$-$(date +%s)"
psql "$KASSA_CONNINFO" -q -v ON_ERROR_STOP=1 -c "
	INSERT INTO products (sku, name, price_minor) VALUES ('$gsku', 'Script gift', 3000);
	INSERT INTO gift_items (product_id, points_cost, stock)
	SELECT product_id, 300, 1 FROM products WHERE sku = '$gsku';"
out=$(till <<SCRIPT
login 1001 1234
sale begin
sale member ${mid:-0}
sale gift $gsku
sale add SKU-TEA
sale pay cash 10.00
sale finish
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
check "the gift script exits 0" $([ $rc = 0 ]; echo $?)
check "sale gift: a gift line at price 0" $(echo "$out" | grep '"cmd":"sale gift"' |
	grep '"gift":true' | grep -q '"line_total_minor":0,'; echo $?)
finish=$(echo "$out" | grep '"cmd":"sale finish"')
earned=$(echo "$finish" | json_field points_earned)
check "sale gift: it cost 300 points, only the tea is paid" $(echo "$finish" |
	grep '"gift_points":300,' | grep -q '"total_minor":900,'; echo $?)
check "sale gift: balance 610 - 300 + earned, stock 1 -> 0" $(
	[ "$(psql "$KASSA_CONNINFO" -Atc "SELECT points_balance FROM members WHERE member_id = ${mid:-0}")" = $((610 - 300 + ${earned:-999})) ] &&
	[ "$(psql "$KASSA_CONNINFO" -Atc "SELECT g.stock FROM gift_items g JOIN products p USING (product_id) WHERE p.sku = '$gsku'")" = 0 ]; echo $?)
check "the Silver member's ledgers agree" $([ "$(invariants "$mid")" = t ]; echo $?)

# a failing command: exit 1, the others still answered
out=$(till <<'SCRIPT'
login 1001 1234
product NO-SUCH-CODE
product SKU-TEA
SCRIPT
)
rc=$?
check "a failed command makes exit 1" $([ $rc = 1 ]; echo $?)
check "NOT_FOUND reported" $(echo "$out" | grep -q '"ok":false,"cmd":"product","code":"NOT_FOUND"'; echo $?)
check "later commands still run" $(echo "$out" | grep -q '"sku":"SKU-TEA"'; echo $?)

# usage error and no server
till --no-such-option </dev/null >/dev/null 2>&1
check "usage error exits 2" $([ $? = 2 ]; echo $?)
# (a fresh state directory: no PIN verifier, so the offline login fails)
echo "login 1001 1234" | "$TILL" --host 127.0.0.1 --port 1 --cert "$C/S001-T1.crt" \
	--key "$C/S001-T1.key" --ca "$C/ca.crt" --state-dir "$tmp/nostate" --script >/dev/null 2>&1
check "no server, a command failing offline exits 3" $([ $? = 3 ]; echo $?)

# the receipt directory is made at start, and one that cannot be is refused
# then (exit 2, saying why), not at the first receipt after a paid sale
"$TILL" --host 127.0.0.1 --port 1 --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" \
	--ca "$C/ca.crt" --state-dir "$tmp/nostate" --receipt-dir "$tmp/receipts" --script \
	</dev/null >/dev/null 2>&1
check "a missing receipt directory is made at start" $([ -d "$tmp/receipts" ]; echo $?)
err=$("$TILL" --host 127.0.0.1 --port 1 --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" \
	--ca "$C/ca.crt" --state-dir "$tmp/nostate" --receipt-dir "$tmp/none/receipts" --script \
	</dev/null 2>&1 >/dev/null)
rc=$?
check "an unusable receipt directory is refused at start (exit 2)" $([ $rc = 2 ] &&
	echo "$err" | grep -q "could not create the receipt directory"; echo $?)

summary
