#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_org: stores and staff from kassa-office and a PIN change from
# kassa-till --script (store operations, part "org"). The admin puts a
# store and lists it; adds a cashier of S001 with the PIN from
# KASSA_NEW_PIN (never on the command line), who logs in at the till;
# disables them (login refused) and enables them; a manager of S001 resets
# the PIN from stdin (head office's manager may not) (the old PIN refused, the new one works); the cashier changes
# their own PIN at the till (`pin change`), a wrong old PIN refused. Bad
# input (a bad currency, an unknown zone, a short PIN) is refused and
# changes nothing. Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=lib_office.sh
. "$(dirname "$0")/lib_office.sh"

# till_as ID PIN: a script at S001-T1 logged in as ID, the commands from stdin after the login
till_as() {
	local id=$1 pin=$2
	{ echo "login $id $pin"; cat; } | "$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" \
		--cert "$C/S001-T1.crt" --key "$C/S001-T1.key" --ca "$C/ca.crt" \
		--server-name localhost --script
}
# can_login ID PIN: 0 if ID logs in at S001-T1 with PIN
can_login() {
	echo "status" | till_as "$1" "$2" 2>/dev/null | head -n 1 | grep -q '"ok":true'
}

trap 'on_exit' EXIT
code="SH$$"
code=${code:0:20}

# ---- stores -----------------------------------------------------------------
out=$(admin store put "$code" name="深圳 Shell Store" currency=HKD timezone=Asia/Hong_Kong \
	negative_stock=no)
echo "$out" | sed 's/^/# /'
check "the admin puts a store" $(echo "$out" | grep -q '"ok":true' &&
	echo "$out" | grep -q '"created":true' && echo "$out" | grep -q '"currency":"HKD"'; echo $?)
check "its row and its audit row" $([ "$(sql "SELECT count(*) FROM stores s JOIN audit_log a
	ON a.subject = 'store:' || s.store_id AND a.action = 'store.put'
	WHERE s.code = '$code' AND s.timezone = 'Asia/Hong_Kong' AND NOT s.negative_stock")" = 1 ];
	echo $?)
out=$(admin store list)
check "store list has it" $(echo "$out" | grep -q "\"code\":\"$code\""; echo $?)
before=$(sql "SELECT currency || timezone FROM stores WHERE code = '$code'")
admin store put "$code" currency=hkd >"$tmp/out" 2>&1
check "a lower-case currency is refused" $(grep -q '"detail":"BAD_CURRENCY"' "$tmp/out"; echo $?)
admin store put "$code" timezone=Mars/Olympus >"$tmp/out" 2>&1
check "an unknown zone is refused" $(grep -q '"detail":"UNKNOWN_TIMEZONE"' "$tmp/out"; echo $?)
admin store add "$code" name=Again >"$tmp/out" 2>&1
check "store add of a taken code is refused" $(grep -q '"detail":"STORE_EXISTS"' "$tmp/out"; echo $?)
check "... nothing changed" $([ "$(sql "SELECT currency || timezone FROM stores WHERE code = '$code'")" = "$before" ]; echo $?)
manager store put "$code" name=Mine >"$tmp/out" 2>&1
check "a manager may not put a store" $(grep -q '"code":"PERMISSION_DENIED"' "$tmp/out"; echo $?)

# ---- staff ------------------------------------------------------------------
s001=$(sql "SELECT store_id FROM stores WHERE code = 'S001'")
out=$(KASSA_NEW_PIN=4826 admin staff add name="Shell 收银员" role=cashier store="$s001")
echo "$out" | sed 's/^/# /'
id=$(echo "$out" | json_field staff_id)
check "staff add with the PIN from KASSA_NEW_PIN" $(echo "$out" | grep -q '"created":true' &&
	[ -n "$id" ]; echo $?)
check "the new cashier logs in at the till" $(can_login "$id" 4826; echo $?)
KASSA_NEW_PIN=12 admin staff add name=Short role=cashier store="$s001" >"$tmp/out" 2>&1
check "a short PIN is refused" $(grep -q '"detail":"BAD_PIN"' "$tmp/out"; echo $?)
check "... and no one is made" $([ "$(sql "SELECT count(*) FROM staff WHERE name = 'Short'")" = 0 ]; echo $?)
out=$(admin staff disable "$id")
check "staff disable" $(echo "$out" | grep -q '"active":false'; echo $?)
check "a disabled cashier cannot log in" $(! can_login "$id" 4826; echo $?)
out=$(admin staff enable "$id")
check "staff enable" $(echo "$out" | grep -q '"active":true' && can_login "$id" 4826; echo $?)
out=$(admin staff list store="$s001")
check "staff list store=S001 has them" $(echo "$out" | grep -q "\"staff_id\":$id,"; echo $?)
# a manager of S001 (head office's manager 2001 manages head office's staff)
mid=$(KASSA_NEW_PIN=7391 admin staff add name="Shell 店长" role=manager store="$s001" |
	json_field staff_id)
store_manager() {
	"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost \
		--staff "$mid" --pin 7391 "$@"
}
echo 5917 | manager staff pin-reset "$id" >"$tmp/out" 2>&1
check "head office's manager may not reset S001's cashier" $(grep -q '"detail":"NOT_YOUR_STAFF"' "$tmp/out"; echo $?)
out=$(echo 5917 | store_manager staff pin-reset "$id")
echo "$out" | sed 's/^/# /'
check "a manager resets the PIN from stdin" $(echo "$out" | grep -q '"ok":true'; echo $?)
check "the old PIN no longer works" $(! can_login "$id" 4826; echo $?)
check "the reset PIN works" $(can_login "$id" 5917; echo $?)
check "every change audited" $([ "$(sql "SELECT count(*) FROM audit_log WHERE subject = 'staff:$id'
	AND action IN ('staff.put', 'staff.pin_reset')")" = 4 ]; echo $?)

# ---- the PIN change at the till -----------------------------------------------
out=$(echo "pin change 1111 2222" | till_as "$id" 5917 | tail -n 1)
check "pin change with a wrong old PIN is refused" $(echo "$out" | grep -q '"detail":"WRONG_PIN"'; echo $?)
out=$(echo "pin change 5917 3048" | till_as "$id" 5917 | tail -n 1)
echo "$out" | sed 's/^/# /'
check "pin change" $(echo "$out" | grep -q '"ok":true' && echo "$out" | grep -q "\"staff_id\":$id"; echo $?)
check "the new PIN works, the old does not" $(can_login "$id" 3048 && ! can_login "$id" 5917; echo $?)
check "the change is audited" $([ "$(sql "SELECT count(*) FROM audit_log WHERE subject = 'staff:$id'
	AND action = 'staff.pin_change'")" = 1 ]; echo $?)

summary
