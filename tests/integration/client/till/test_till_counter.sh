#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_counter: the rest of a cashier's day through kassa-till
# --script against the real kassad: a shift opened with a float, a sale
# where the customer shows a claim code (claimed and applied in the same
# checkout, exactly once) paid split card + cash with change, the
# customer's rating of that sale, the X report and the Z report with the
# cash counted (expected cash and over/short), and a sale paid in US
# dollars at the rate set at head office (change in yuan to the fen, the
# rate on the tender record). Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
C=$KASSA_CERTS
run="$$-$(date +%s)"

# till 2 of store 1: its own shift
till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T2.crt" \
		--key "$C/S001-T2.key" --ca "$C/ca.crt" --server-name localhost \
		--state-dir "$tmp/state" --receipt-dir "$tmp/receipts" --script "$@"
}
admin() {
	"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" --ca "$C/ca.crt" --server-name localhost \
		--staff 9001 --pin 0000 "$@"
}
sql() { psql "$KASSA_CONNINFO" -qAtc "$1"; }
answer() { echo "$out" | grep "\"cmd\":\"$2\"" | sed -n "$1p"; }
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }
mkdir -p "$tmp/receipts"

phone="+86137$(printf '%08d' $(( ($$ * 7907 + $(date +%s)) % 100000000 )))"
claim="TILL-CLAIM-$run"
admin coupon define name="Till claim $run" kind=fixed value=5.00 claim="$claim" >"$tmp/def" 2>&1
check "a claim-code coupon is defined at head office" $(grep -q '"issue_on":"code"' "$tmp/def"; echo $?)

# close a shift another test may have left open on this till (its answer does not matter)
printf 'login 1001 1234\nshift z counted=0\n' | till >/dev/null 2>&1

out=$(till <<SCRIPT
login 1001 1234
member register name="Counter Member" phone=$phone
shift open float=100.00
sale begin
sale add SKU-RICE
sale member phone=$phone
sale coupon $claim
sale pay card 30.00 ref=POS-77
sale pay cash 50.00
sale finish
feedback rating=5 comment="quick and friendly"
feedback rating=6
receipt
shift x
shift z counted=138.50
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
check "the day's script exits 1 (one bad rating refused)" $([ $rc = 1 ]; echo $?)
mid=$(answer 1 "member register" | json_field member_id)
finish=$(answer 1 "sale finish")
txn=$(echo "$finish" | sed -n 's/.*"txn_id":\([0-9]*\).*/\1/p' | head -n 1)
rno=$(echo "$finish" | json_field receipt_no)
check "the claim code typed at the sale took 5.00 off: 70.00" $(echo "$finish" | grep '"ok":true' |
	grep '"total_minor":7000,' | grep -q "\"coupon_codes\":\[\"[^\"]*\"\]"; echo $?)
check "split card 30.00 + cash 50.00: change 10.00" $(echo "$finish" |
	grep '"offline":false' | grep -q '"change_minor":1000,'; echo $?)
check "the claim made exactly one coupon for the member, used by this sale" $(
	[ "$(sql "SELECT count(*) FROM coupons c JOIN coupon_defs d USING (def_id) WHERE d.claim_code = '$claim' AND c.member_id = ${mid:-0}")" = 1 ] &&
	[ "$(sql "SELECT total_minor, change_minor FROM transactions WHERE txn_id = ${txn:-0}")" = "7000|1000" ]; echo $?)
check "the feedback is recorded against the last sale" $(answer 1 "feedback" | grep '"ok":true' |
	grep -q "\"txn_id\":${txn:-x}," &&
	[ "$(sql "SELECT rating || ' ' || comment FROM feedback WHERE txn_id = ${txn:-0}")" = "5 quick and friendly" ]; echo $?)
check "a rating of 6 is refused (BAD_RATING) and nothing is written" $(answer 2 "feedback" |
	grep -q '"detail":"BAD_RATING"' && [ "$(sql "SELECT count(*) FROM feedback WHERE txn_id = ${txn:-0}")" = 1 ]; echo $?)
check "receipt: the text has the receipt number, the file is in --receipt-dir" $(answer 1 "receipt" |
	grep '"ok":true' | grep -q "$rno" && [ -s "$tmp/receipts/$rno.txt" ] &&
	[ -s "$tmp/receipts/$rno.escpos" ]; echo $?)
check "X report: one sale of 70.00, float 100.00, expected cash 140.00" $(answer 1 "shift x" |
	grep '"ok":true' | grep '"sales_count":1,' | grep '"sales_minor":7000,' |
	grep '"float_minor":10000,' | grep -q '"expected_cash_minor":14000,'; echo $?)
check "Z report: counted 138.50, 1.50 short, the shift closed" $(answer 1 "shift z" |
	grep '"ok":true' | grep '"counted_minor":13850,' | grep '"over_short_minor":-150,' |
	grep -q '"closed":true'; echo $?)

# lock, unlock, reprint, logout
out=$(till <<SCRIPT
login 1001 1234
lock
sale begin
unlock 0000
unlock 1234
receipt reprint $rno
logout
sale begin
SCRIPT
)
echo "$out" | sed 's/^/# /'
check "locked: a sale may not begin (LOCKED), a wrong PIN keeps it locked" $(answer 1 "sale begin" |
	grep -q '"detail":"LOCKED"' && answer 1 "unlock" | grep -q '"code":"UNAUTHENTICATED"' &&
	answer 2 "unlock" | grep -q '"ok":true'; echo $?)
check "reprint: fetched by receipt number, written as a copy" $(answer 1 "receipt reprint" |
	grep '"ok":true' | grep -q '"copy":true' && [ -s "$tmp/receipts/$rno-copy.txt" ]; echo $?)
check "after logout nothing but login: NOT_LOGGED_IN" $(answer 2 "sale begin" |
	grep -q '"detail":"NOT_LOGGED_IN"'; echo $?)

# a sale in US dollars at the rate head office set
v=$(sql "WITH v AS (INSERT INTO exchange_rate_versions (note) VALUES ('till test $run') RETURNING version)
	INSERT INTO exchange_rates (version, currency, rate_micro) SELECT version, 'USD', 7234500 FROM v
	RETURNING version")
out=$(till <<'SCRIPT'
login 1001 1234
rates
sale begin
sale add SKU-TEA 2
sale pay cash 5.00 currency=USD
sale pay cash 5.00 currency=XYZ
sale show
sale finish
SCRIPT
)
echo "$out" | sed 's/^/# /'
check "rates: USD at 7.234500, version $v" $(answer 1 "rates" | grep '"ok":true' |
	grep "\"version\":${v:-x}," | grep -q '"currency":"USD","rate_micro":7234500'; echo $?)
check "USD 5.00 = CNY 36.17 (rounded down), change 16.17" $(answer 1 "sale pay" |
	grep '"amount_minor":3617,' | grep '"currency":"USD"' | grep -q '"change_minor":1617'; echo $?)
check "an unknown currency is refused and the sale keeps its one tender" $(answer 2 "sale pay" |
	grep -q '"ok":false' && answer 1 "sale show" | grep -q '"tendered_minor":3617,'; echo $?)
usd=$(answer 1 "sale finish")
utxn=$(echo "$usd" | sed -n 's/.*"txn_id":\([0-9]*\).*/\1/p' | head -n 1)
check "the USD sale: change 16.17 in yuan" $(echo "$usd" | grep '"ok":true' |
	grep -q '"change_minor":1617,'; echo $?)
tender=$(sql "SELECT currency || ' ' || foreign_minor || ' ' || amount_minor || ' ' || rate_micro || ' ' || rate_version FROM tenders WHERE txn_id = ${utxn:-0}")
echo "# tender record: $tender"
check "the tender record keeps currency, amount and the rate used" $(
	[ "$(sql "SELECT currency || ' ' || foreign_minor || ' ' || amount_minor || ' ' || rate_micro || ' ' || rate_version FROM tenders WHERE txn_id = ${utxn:-0}")" = "USD 500 3617 7234500 ${v:-x}" ]; echo $?)

summary
