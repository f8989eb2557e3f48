#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_clock: staff time through the programs a person uses:
# kassa-till --script `clock in`, `clock out`, `clock show` [shift=ID] (a second
# clock-in and a clock-out without one are refused with their detail and
# the script exits 1), then kassa-office `clock list staff=ID` (one closed
# record, its hours) and `report staff_hours` (CSV with the staff member's
# row), as head office sees them. A fresh cashier of S001 (the PIN hash of
# 1001) so that no other test's records are touched. Needs KASSA_TEST_ENV
# and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
C=$KASSA_CERTS

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost \
		--state-dir "$tmp/state" --receipt-dir "$tmp/receipts" --script "$@"
}
analyst() {
	"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/HQ-OFFICE-1.crt" \
		--key "$C/HQ-OFFICE-1.key" --ca "$C/ca.crt" --server-name localhost \
		--staff 3001 --pin 3333 "$@"
}
sql() { psql "$KASSA_CONNINFO" -qAtc "$1"; }
mkdir -p "$tmp/receipts"

id=$(sql "INSERT INTO staff (staff_id, store_id, name, role, pin_hash)
	  SELECT greatest(max(staff_id), 880000000) + 1, (SELECT store_id FROM stores WHERE code = 'S001'),
	         'Till Clock', 'cashier', (SELECT pin_hash FROM staff WHERE staff_id = 1001)
	  FROM staff RETURNING staff_id")
check "a fresh cashier ($id)" $([ -n "$id" ]; echo $?)

out=$(till <<SCRIPT
login $id 1234
clock out
clock in
clock in
clock show
clock out
clock show shift=999999999
SCRIPT
)
rc=$?
echo "$out" | sed 's/^/# /'
check "the script exits 1 (three refusals)" $([ $rc = 1 ]; echo $?)
check "clock out without clock in: NOT_CLOCKED_IN" $(echo "$out" | sed -n 2p |
	grep '"ok":false' | grep -q '"detail":"NOT_CLOCKED_IN"'; echo $?)
check "clock in: an open record with its key" $(echo "$out" | sed -n 3p | grep '"ok":true' |
	grep '"idempotency_key"' | grep -q '"open":true'; echo $?)
check "clock in twice: ALREADY_CLOCKED_IN" $(echo "$out" | sed -n 4p |
	grep -q '"detail":"ALREADY_CLOCKED_IN"'; echo $?)
check "clock show: this week, the open record and the hours" $(echo "$out" | sed -n 5p |
	grep '"week":"[0-9]\{4\}-W[0-9][0-9]"' | grep '"open":true' | grep -q '"records":1'; echo $?)
check "clock out: the record closed" $(echo "$out" | sed -n 6p | grep '"ok":true' |
	grep '"open":false' | grep -q '"out_at":"20'; echo $?)
check "clock show shift=ID of no shift: SHIFT_NOT_FOUND" $(echo "$out" | sed -n 7p |
	grep '"code":"NOT_FOUND"' | grep -q '"detail":"SHIFT_NOT_FOUND"'; echo $?)
check "one record in the database, closed" \
	$([ "$(sql "SELECT count(*) FROM clock_records WHERE staff_id = $id AND out_at IS NOT NULL")" = 1 ]; echo $?)

sql "UPDATE clock_records SET in_at = out_at - interval '2 hours 15 minutes' WHERE staff_id = $id"
list=$(analyst clock list staff="$id" 2>&1)
echo "$list" | sed 's/^/# /'
check "office clock list: one record of 2.25 hours" $(echo "$list" | grep '"ok":true' |
	grep '"hours":"2.25"' | grep -q '"records":1'; echo $?)
csv=$(analyst --format csv report staff_hours 2>&1)
check "report staff_hours: the cashier's row, 2.25 hours" $(echo "$csv" |
	grep -q "^[0-9]\{4\}-W[0-9][0-9],$id,Till Clock,S001,2.25,1,0,0,0,0"; echo $?)
check "report staff_hours: language-neutral CSV header" $(echo "$csv" | head -n 1 |
	grep -q '^week,staff_id,staff,store,hours,records,auto_closed,shifts,shifts_closed,over_short_minor'; echo $?)
bad=$(analyst clock list week=2026-13 2>&1)
check "a bad week is refused with BAD_WEEK" $(echo "$bad" | grep -q '"detail":"BAD_WEEK"'; echo $?)

summary
