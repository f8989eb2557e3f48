#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_timezone: [loyalty] timezone sets kassad's business day, PostgreSQL's
# current_date in its sessions (coupon validity), while a sale's points
# multipliers follow its store's day (stores.timezone, server/store/store_day.c).
# A zone whose date differs from UTC's right now is picked, and the same
# coupon and campaign are tried under a kassad on UTC with S001 on UTC, and
# one on that zone with S001 on it; then S001 goes back to UTC under the
# zoned kassad (which had the zone's day cached: the checkout's guard
# refuses the stale day and kassad reads it again), and the campaign no
# longer applies. A bad zone is refused at start-up.
# Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
PSQL=(psql "$KASSA_CONNINFO" -qAtX -v ON_ERROR_STOP=1)

# UTC+14 is already tomorrow from 10:00 UTC; UTC-12 is still yesterday before 12:00 UTC
if [ $((10#$(date -u +%H))) -ge 10 ]; then zone=Etc/GMT-14; else zone=Etc/GMT+12; fi
utc_day=$(date -u +%F)
zone_day=$(TZ=$zone date +%F)
check "the zone's day ($zone: $zone_day) is not UTC's ($utc_day)" \
	$([ "$zone_day" != "$utc_day" ]; echo $?)

"$KASSA_KASSAD" check-config --config "$KASSA_CONFIG" >/dev/null 2>&1
check "the fixture's configuration is valid" $?
for bad in Mars/Olympus "Asia/Shanghai'; SET x = 'y" ../../etc/passwd; do
	KASSA_LOYALTY_TIMEZONE=$bad "$KASSA_KASSAD" check-config --config "$KASSA_CONFIG" \
		>"$tmp/check.out" 2>&1
	check "timezone \"$bad\" refused" $([ $? != 0 ] && grep -q "timezone" "$tmp/check.out"; echo $?)
done

# a member, two coupons valid on the UTC day only, a campaign (2x) on the zone's day only
n=$(( ($$ * 7919 + $(date +%s)) % 100000000 ))
member=$("${PSQL[@]}" -c "INSERT INTO members (phone, card_no, name)
	VALUES ('+86137$(printf '%08d' $n)', 'TZ$n', 'Zone Member') RETURNING member_id")
"${PSQL[@]}" -c "WITH d AS (INSERT INTO coupon_defs (name, kind, value_minor, valid_from, valid_to)
	VALUES ('itest zone', 'fixed', 100, '$utc_day', '$utc_day') RETURNING def_id)
	INSERT INTO coupons (member_id, def_id, code)
	SELECT $member, def_id, c FROM d, (VALUES ('TZA$n'), ('TZB$n')) v(c)" >/dev/null
v0=$("${PSQL[@]}" -c "SELECT max(version) FROM rule_versions")
"${PSQL[@]}" -c "INSERT INTO rule_versions (version, note, config)
	SELECT $v0 + 1, 'itest zone campaign', jsonb_set(config, '{multipliers,campaigns}',
		'[{\"from\": \"$zone_day\", \"to\": \"$zone_day\", \"x100\": 200}]')
	FROM rule_versions WHERE version = $v0" >/dev/null

# sell PORT COUPON: one 10.00 sale to the member, with COUPON if not "-"
sell() {
	local coupon=""
	[ "$2" != - ] && coupon="sale coupon $2"
	printf 'login 1001 1234\nsale begin\nsale add SKU-TEA\nsale member id=%s\n%s\nsale pay cash 20.00\nsale finish\n' \
		"$member" "$coupon" |
		"$TILL" --host 127.0.0.1 --port "$1" --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" \
			--ca "$C/ca.crt" --server-name localhost --script 2>&1 | grep '"cmd":"sale finish"'
}

# run_kassad ZONE: a second kassad with [loyalty] timezone = ZONE, listening on $port
run_kassad() {
	port=$(free_port) || { echo "no free port"; exit 1; }
	start_kassad "$port" KASSA_LOYALTY_TIMEZONE="$1"
	for _ in $(seq 1 100); do	# bounded wait for the listener
		echo "product SKU-TEA" | "$TILL" --host 127.0.0.1 --port "$port" \
			--cert "$C/S001-T1.crt" --key "$C/S001-T1.key" --ca "$C/ca.crt" \
			--server-name localhost --script >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# store S001 ZONE: S001's zone straight in the database (as another kassad's StorePut)
store() {
	"${PSQL[@]}" -c "UPDATE stores SET timezone = '$1' WHERE code = 'S001'" >/dev/null
}

store UTC
run_kassad UTC
out=$(sell "$port" "TZA$n")
check "UTC: the coupon is valid today" $(echo "$out" | grep -q '"ok":true'; echo $?)
check "UTC: 9.00 paid earns 0 points at 1x (the campaign is another day)" \
	$(echo "$out" | grep -q '"points_earned":0,'; echo $?)
stop_kassad
check "the UTC kassad exited 0" $?

store "$zone"
run_kassad "$zone"
check "kassad says which day it keeps" $(grep -q "business day is $zone" "$tmp/kassad.log"; echo $?)
out=$(sell "$port" "TZB$n")
check "$zone: the same coupon is not valid on $zone_day" \
	$(echo "$out" | grep -Eq '"detail":"COUPON_(EXPIRED|NOT_YET_VALID)"'; echo $?)
out=$(sell "$port" -)
check "$zone: 10.00 earns 2 points in the campaign (2x)" \
	$(echo "$out" | grep -q '"points_earned":2,'; echo $?)
store UTC
out=$(sell "$port" -)
check "$zone kassad, S001 on UTC: 10.00 earns 1 point (the store's day, not kassad's)" \
	$(echo "$out" | grep -q '"points_earned":1,'; echo $?)
check "the stale day was refused once and read again" \
	$(grep -q "business day is not the one priced with" "$tmp/kassad.log"; echo $?)
stop_kassad
check "the zoned kassad exited 0" $?

# later tests expect the rules and the zone they started with
store Asia/Shanghai
"${PSQL[@]}" -c "INSERT INTO rule_versions (version, note, config)
	SELECT $v0 + 2, 'itest zone: restore', config FROM rule_versions WHERE version = $v0" >/dev/null
[ "$fail" = 0 ] || tail -20 "$tmp/kassad.log" | sed 's/^/# /'
summary
