#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_till_script: kassa-till --script as a shell script uses it. One JSON
# object per command, the sale's totals and points as the server computed
# them, and exit codes a script can rely on (0 all ok, 1 some command failed,
# 2 usage, 3 no connection). Needs KASSA_TEST_ENV (scripts/test-env.sh) and
# KASSA_TILL (the kassa-till binary).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
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
echo "login 1001 1234" | "$TILL" --host 127.0.0.1 --port 1 --cert "$C/S001-T1.crt" \
	--key "$C/S001-T1.key" --ca "$C/ca.crt" --script >/dev/null 2>&1
check "no server exits 3" $([ $? = 3 ]; echo $?)

summary
