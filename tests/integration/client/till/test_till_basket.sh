#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_basket: the cashier's corrections at the till, driven through
# kassa-till --script against the real kassad: void a line, change a
# quantity, void a tender, suspend a sale and resume it in a restarted
# till (the state directory keeps it), and bad input (unknown barcode,
# quantity 0 and 100000, an overflowing tender, an invalid phone) refused
# with a clear error while the sale stays exactly as it was. The sale that
# is finished afterwards is the corrected one, split card + cash with
# change, as PostgreSQL recorded it. Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
state="$tmp/state"

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost \
		--state-dir "$state" --script "$@"
}

# answer N CMD: the Nth answer line of command CMD in $out
answer() {
	echo "$out" | grep "\"cmd\":\"$2\"" | sed -n "$1p"
}

# json_field NAME: the first "NAME":value (a number or a string without quotes) of stdin
json_field() {
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# ---- corrections and bad input on one sale ----
out=$(till <<'SCRIPT'
login 1001 1234
sale begin
sale add SKU-APPLE 2
sale add SKU-RICE
sale add SKU-TEA 3
sale show
sale add NO-SUCH-BARCODE
sale add SKU-TEA 0
sale add SKU-TEA 100000
sale qty 1 0
sale qty 1 100000
sale qty 9 2
sale void 9
sale show
sale void 2
sale qty 2 1
sale pay card 20.00 ref=POS-1
sale pay cash 92233720368547758.07
sale pay cash 99999999999999999999
sale member phone=12345
sale member phone=not-a-phone
sale untender 2
sale show
sale untender 1
sale pay card 20.00 ref=POS-2
sale pay cash 50.00
sale show
sale finish
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
check "one JSON answer per command" $([ "$(echo "$out" | grep -c '^{.*}$')" = 28 ]; echo $?)
check "a script with refused commands exits 1" $([ $rc = 1 ]; echo $?)
before=$(answer 1 "sale show")
check "three lines: 2 x 12.50 + 75.00 + 3 x 10.00 = 130.00" $(echo "$before" |
	grep '"total_minor":13000,' | grep -q '"quantity":3,'; echo $?)
check "unknown barcode: NOT_FOUND UNKNOWN_PRODUCT with a message" $(echo "$out" |
	grep '"cmd":"sale add"' | grep '"code":"NOT_FOUND"' |
	grep '"detail":"UNKNOWN_PRODUCT"' | grep -q '"message":"[^"]\+"'; echo $?)
check "quantity 0 and 100000 refused on add and on change (4 x BAD_QUANTITY)" $(
	[ "$(echo "$out" | grep -c '"detail":"BAD_QUANTITY"')" = 4 ]; echo $?)
check "a line that does not exist: BAD_LINE for qty and void" $(
	[ "$(echo "$out" | grep -c '"detail":"BAD_LINE"')" = 2 ]; echo $?)
check "after the refusals the sale is exactly as before" $(
	[ "$(answer 2 "sale show")" = "$before" ]; echo $?)
check "void line 2 (the rice): 55.00, two lines" $(answer 2 "sale void" | grep '"ok":true' |
	grep '"lines":2,' | grep -q '"total_minor":5500,'; echo $?)
check "tea quantity 3 -> 1: 35.00" $(answer 4 "sale qty" | grep '"ok":true' |
	grep '"quantity":1,' | grep -q '"total_minor":3500,'; echo $?)
check "an overflowing tender is refused: BAD_AMOUNT twice" $(
	[ "$(echo "$out" | grep '"cmd":"sale pay"' | grep -c '"detail":"BAD_AMOUNT"')" = 2 ]; echo $?)
check "an invalid phone is refused: BAD_PHONE twice" $(
	[ "$(echo "$out" | grep '"cmd":"sale member"' | grep -c '"detail":"BAD_PHONE"')" = 2 ]; echo $?)
check "a tender that does not exist: BAD_TENDER" $(answer 1 "sale untender" |
	grep -q '"detail":"BAD_TENDER"'; echo $?)
mid=$(answer 3 "sale show")
check "after the refusals: 35.00, one card tender of 20.00, no member" $(echo "$mid" |
	grep '"total_minor":3500,' | grep '"tendered_minor":2000,' | grep '"member_id":0' |
	grep -q '"tenders":\[{"tender_no":1,"kind":"card","amount_minor":2000,'; echo $?)
check "void the tender: nothing tendered, 35.00 due" $(answer 2 "sale untender" |
	grep '"ok":true' | grep '"tenders":0,' | grep -q '"due_minor":3500,'; echo $?)
check "card 20.00 + cash 50.00: change 35.00" $(answer 4 "sale show" |
	grep '"tendered_minor":7000,' | grep '"due_minor":0,' | grep -q '"change_minor":3500'; echo $?)
finish=$(answer 1 "sale finish")
check "finished online with its receipt number and change 35.00" $(echo "$finish" |
	grep '"ok":true' | grep '"offline":false' | grep '"receipt_no":"[^"]\+"' |
	grep -q '"change_minor":3500,'; echo $?)
txn=$(echo "$finish" | sed -n 's/.*"txn_id":\([0-9]*\).*/\1/p' | head -n 1)
check "PostgreSQL: 35.00, change 35.00, the two lines as corrected" $(
	[ "$(psql "$KASSA_CONNINFO" -Atc "SELECT total_minor, change_minor FROM transactions WHERE txn_id = ${txn:-0}")" = "3500|3500" ] &&
	[ "$(psql "$KASSA_CONNINFO" -Atc "SELECT string_agg(quantity::text, ',' ORDER BY line_no) FROM transaction_lines WHERE txn_id = ${txn:-0}")" = "2,1" ]; echo $?)
check "PostgreSQL: the voided card tender is not there, POS-2 card (2) + cash (1) are" $(
	[ "$(psql "$KASSA_CONNINFO" -Atc "SELECT string_agg(kind || ':' || amount_minor || ':' || reference, ',' ORDER BY tender_no) FROM tenders WHERE txn_id = ${txn:-0}")" = "2:2000:POS-2,1:5000:" ]; echo $?)

# ---- suspend, restart the till, resume ----
out=$(till <<'SCRIPT'
login 1001 1234
sale begin
sale add SKU-TEA 2
sale add SKU-APPLE
sale pay cash 5.00
sale suspend
sale untender 1
sale suspend
sale begin
sale add SKU-RICE
sale suspend
sale suspended
SCRIPT
)
echo "$out" | sed 's/^/# /'
check "a sale with tenders is not suspended (HAS_TENDERS) and stays open" $(answer 1 "sale suspend" |
	grep -q '"detail":"HAS_TENDERS"' && answer 1 "sale untender" | grep -q '"ok":true'; echo $?)
slot1=$(answer 2 "sale suspend" | json_field slot)
slot2=$(answer 3 "sale suspend" | json_field slot)
check "two sales suspended in two slots" $([ -n "$slot1" ] && [ -n "$slot2" ] &&
	[ "$slot1" != "$slot2" ] && answer 1 "sale suspended" | grep -q '"count":2,'; echo $?)
check "the suspended sales are files in the state directory" $(
	[ "$(ls "$state/suspended" | grep -c '\.json$')" = 2 ]; echo $?)
out=$(till <<SCRIPT
login 1001 1234
sale suspended
sale resume $slot1
sale show
sale pay cash 50.00
sale finish
sale resume
sale show
sale cancel
sale resume
sale suspended
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
check "after a restart both are listed, oldest first" $(answer 1 "sale suspended" |
	grep '"count":2,' | grep -q "\"slot\":$slot1,.*\"slot\":$slot2,"; echo $?)
check "resumed: 2 x tea + apple = 32.50, as suspended" $(answer 1 "sale show" |
	grep '"total_minor":3250,' | grep '"sku":"SKU-TEA"' | grep -q '"tendered_minor":0,'; echo $?)
check "the resumed sale is finished: 32.50, change 17.50" $(answer 1 "sale finish" |
	grep '"ok":true' | grep -q '"change_minor":1750,'; echo $?)
check "sale resume without a number takes the other one (the rice)" $(answer 2 "sale show" |
	grep -q '"total_minor":7500,'; echo $?)
check "nothing left: resume is NOT_FOUND, the list is empty, no files" $(answer 3 "sale resume" |
	grep -q '"code":"NOT_FOUND"' && answer 2 "sale suspended" | grep -q '"count":0,' &&
	[ "$(ls "$state/suspended" | grep -c '\.json$')" = 0 ]; echo $?)

summary
