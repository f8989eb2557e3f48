#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_office_rates: head office sets the exchange rates the tills convert
# foreign cash and card with. kassa-office rates set (a manager) makes a new
# version holding exactly the rates typed, rates show (an analyst) reads it
# back as typed ("7.2345") and as rate_micro, setting again is the next
# version, and refusals change nothing: a bad currency code, a zero or
# malformed rate and a currency given twice are exit 1 before anything is
# sent (no version, no audit row, rates show unchanged), and a cashier is
# PERMISSION_DENIED by kassad. The rates found at the start are put back at
# the end. Needs KASSA_TEST_ENV (scripts/test-env.sh) and KASSA_TILL (the
# kassa-till binary; kassa-office is next to it unless KASSA_OFFICE names it).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
C=$KASSA_CERTS

# office CERT ARGS...: kassa-office with the certificate of workstation CERT
office() {
	local cert=$1
	shift
	"$OFFICE" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/$cert.crt" \
		--key "$C/$cert.key" --ca "$C/ca.crt" --server-name localhost "$@"
}
manager() { office HQ-OFFICE-1 --staff 2001 --pin 9999 "$@"; }
analyst() { office HQ-OFFICE-1 --staff 3001 --pin 3333 "$@"; }
# a cashier can log in only at a till of their store
cashier() { office S001-T1 --staff 1001 --pin 1234 "$@"; }

sql() {
	psql "$KASSA_CONNINFO" -Atc "$1"
}

# json_field NAME: the first "NAME":value (a number or a string without quotes) of stdin
json_field() {
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# written: versions, rate rows and rates.set audit rows: what a refusal must not change
written() {
	sql "SELECT (SELECT count(*) FROM exchange_rate_versions) || ' ' ||
		    (SELECT count(*) FROM exchange_rates) || ' ' ||
		    (SELECT count(*) FROM audit_log WHERE action = 'rates.set')"
}

run=$$-$(date +%s)

# ---- what is there now (put back at the end) ---------------------------------

out=$(analyst rates show)
rc=$?
echo "$out" | sed 's/^/# /'
check "rates show exits 0 for an analyst, in the store currency" $([ $rc = 0 ] &&
	echo "$out" | grep -q '"ok":true,"cmd":"rates show","version":[0-9]*,"store_currency":"CNY","rates":\['; echo $?)
v0=$(echo "$out" | json_field version)
check "rates show: the current version is the database's" $(
	[ "${v0:-x}" = "$(sql "SELECT coalesce(max(version), 0) FROM exchange_rate_versions")" ]; echo $?)
# the original table as CUR=RATE words, from the "rate" strings rates show printed
orig=$(echo "$out" | grep -o '"currency":"[A-Z]*","rate":"[0-9.]*"' |
	sed 's/"currency":"\([A-Z]*\)","rate":"\([0-9.]*\)"/\1=\2/' | tr '\n' ' ')

# ---- rates set, rates show ----------------------------------------------------

out=$(manager rates set USD=7.2345 HKD=0.9123 JPY=0.048123 note="office rates $run")
rc=$?
echo "$out" | sed 's/^/# /'
v1=$(echo "$out" | json_field version)
check "rates set exits 0 for a manager, with its idempotency key and a new version" $(
	[ $rc = 0 ] && echo "$out" | grep -q '"cmd":"rates set","idempotency_key":"[0-9a-f-]\{36\}"' &&
	[ -n "$v1" ] && [ "$v1" -gt "${v0:-0}" ]; echo $?)
check "rates set: the three rates, as typed and in micro-units, ordered by code" $(echo "$out" |
	grep -q '"rates":\[{"currency":"HKD","rate":"0.9123","rate_micro":912300},{"currency":"JPY","rate":"0.048123","rate_micro":48123},{"currency":"USD","rate":"7.2345","rate_micro":7234500}\],"created_at":"20'; echo $?)
check "rates set: stored as version $v1 with exactly those rates and the note" $(
	[ "$(sql "SELECT string_agg(currency || '=' || rate_micro, ' ' ORDER BY currency)
		  FROM exchange_rates WHERE version = ${v1:-0}")" = "HKD=912300 JPY=48123 USD=7234500" ] &&
	[ "$(sql "SELECT note FROM exchange_rate_versions WHERE version = ${v1:-0}")" = "office rates $run" ]; echo $?)
shown=$(analyst rates show)
echo "$shown" | sed 's/^/# /'
check "rates show: the same table, version and time as rates set answered" $(
	[ "$(echo "$shown" | sed 's/.*"cmd":"rates show",//')" = "$(echo "$out" | sed 's/.*"idempotency_key":"[^"]*",//')" ]; echo $?)

out=$(manager rates set USD=7.25 note="office rates $run: again")
rc=$?
echo "$out" | sed 's/^/# /'
check "rates set again: version $((v1 + 1)), only the new rate" $([ $rc = 0 ] &&
	echo "$out" | grep -q "\"version\":$((v1 + 1)),\"store_currency\":\"CNY\",\"rates\":\[{\"currency\":\"USD\",\"rate\":\"7.25\",\"rate_micro\":7250000}\]"; echo $?)
check "rates show: version $((v1 + 1)) is in force" $(analyst rates show |
	grep -q "\"version\":$((v1 + 1)),.*\"rates\":\[{\"currency\":\"USD\",\"rate\":\"7.25\",\"rate_micro\":7250000}\]"; echo $?)

# ---- refusals: nothing written, rates show unchanged --------------------------

before=$(written)
shown=$(analyst rates show)
# refused WHAT DETAIL MESSAGE ARGS...: rates set ARGS is exit 1 with DETAIL and a
# message matching MESSAGE (kassa-office's own: kassad words its refusals otherwise)
refused() {
	local what=$1 detail=$2 msg=$3 rc
	shift 3
	manager rates set "$@" >"$tmp/out" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/out"
	check "$what: exit 1, $detail, said plainly" $([ $rc = 1 ] &&
		grep -q "^{\"ok\":false,\"cmd\":\"rates set\",\"code\":\"INVALID_ARGUMENT\",\"detail\":\"$detail\",\"message\":\".*$msg" "$tmp/out"; echo $?)
}
refused "a lower-case currency code" BAD_CURRENCY 'usd.. is not a currency code' USD=7.2 usd=7.3
refused "a code that is no currency" BAD_CURRENCY 'XYZ.. is not a currency code' USD=7.2 XYZ=1.5
refused "a zero rate" BAD_RATE 'HKD=0: a rate is a number above 0' USD=7.2 HKD=0
refused "a rate of seven decimals" BAD_RATE 'USD=7.2345678: .*at most 6 decimals' USD=7.2345678
refused "a negative rate" BAD_RATE 'USD=-7.2: a rate' USD=-7.2
refused "a rate with a comma" BAD_RATE 'USD=7,2345: a rate' USD=7,2345
refused "a rate above 10^9" BAD_RATE 'at most 1000000000' USD=1000000000.000001
refused "a currency twice" BAD_RATES 'USD is given twice' USD=7.2 HKD=0.9 USD=7.3
check "no refusal wrote a version, a rate or an audit row" $([ "$(written)" = "$before" ]; echo $?)
check "rates show is unchanged after the refusals" $([ "$(analyst rates show)" = "$shown" ]; echo $?)

manager rates set USD >"$tmp/out" 2>&1
check "a rate without '=' is a usage error (exit 2)" $([ $? = 2 ] &&
	grep -q '"detail":"USAGE"' "$tmp/out"; echo $?)
manager rates set note="no rates" >"$tmp/out" 2>&1
check "rates set without a rate is a usage error (exit 2)" $([ $? = 2 ] &&
	grep -q '"detail":"USAGE"' "$tmp/out"; echo $?)
manager rates set CNY=1 >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
check "the store currency is refused by kassad: exit 1, BAD_CURRENCY" $([ $rc = 1 ] &&
	grep -q '"code":"INVALID_ARGUMENT","detail":"BAD_CURRENCY"' "$tmp/out"; echo $?)

cashier rates set USD=1.5 >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
check "a cashier may not set rates: exit 1, PERMISSION_DENIED" $([ $rc = 1 ] &&
	grep -q '"ok":false,"cmd":"rates set","code":"PERMISSION_DENIED","detail":"ROLE_NOT_ALLOWED"' "$tmp/out"; echo $?)
analyst rates set USD=1.5 >"$tmp/out" 2>&1
check "an analyst may not set rates: exit 1, PERMISSION_DENIED" $([ $? = 1 ] &&
	grep -q '"code":"PERMISSION_DENIED","detail":"ROLE_NOT_ALLOWED"' "$tmp/out"; echo $?)
check "the cashier may read them (the same table)" $(
	[ "$(cashier rates show | sed 's/"store_currency":"[A-Z]*",//')" = "$(echo "$shown" | sed 's/"store_currency":"[A-Z]*",//')" ]; echo $?)
check "neither refusal nor CNY wrote anything, rates show unchanged" $(
	[ "$(written)" = "$before" ] && [ "$(analyst rates show)" = "$shown" ]; echo $?)

# ---- put back what was there ---------------------------------------------------

if [ -n "${orig// /}" ]; then
	# shellcheck disable=SC2086
	manager rates set $orig note="office rates $run: put back" >"$tmp/out" 2>&1
	check "the original rates put back from rates show's text (round trip)" $([ $? = 0 ] &&
		[ "$(sql "SELECT string_agg(currency || rate_micro, ' ' ORDER BY currency) FROM exchange_rates
			  WHERE version = (SELECT max(version) FROM exchange_rate_versions)")" = \
		  "$(sql "SELECT string_agg(currency || rate_micro, ' ' ORDER BY currency) FROM exchange_rates
			  WHERE version = ${v0:-0}")" ]; echo $?)
fi

summary
