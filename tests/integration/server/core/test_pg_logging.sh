#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_pg_logging: the PostgreSQL log of the project's cluster (scripts/pg-cluster.sh) holds
# no customer data. Through a till and kassad (the real protocol, bind parameters):
#   - a member registration made slow (> log_min_duration_statement) by a table lock held
#     meanwhile, carrying a phone number, an e-mail address and a card-like number
#     (16 digits, Luhn-valid), so that PostgreSQL logs it as a slow statement;
#   - a second registration with the same phone: a unique violation, whose DETAIL line
#     would echo the phone ("Key (phone)=(...) already exists").
# Then the part of env/pg/log/postgresql.log written meanwhile must show both events (the
# duration line, the error line) and none of the values. Fails without
# log_error_verbosity = terse (the values leak) or log_parameter_max_length = 0 (checked in
# pg_settings: terse already hides the parameters, this keeps them out at any verbosity).
# Needs KASSA_TEST_ENV (scripts/test-env.sh) and KASSA_TILL (the kassa-till binary).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
LOG=$KASSA_ENV/pg/log/postgresql.log

till() {
	"$TILL" --host "$KASSA_HOST" --port "$KASSA_PORT" --cert "$C/S001-T1.crt" \
		--key "$C/S001-T1.key" --ca "$C/ca.crt" --server-name localhost --script
}

# show TEXT: TEXT in the test's output, as comment lines
show() {
	# shellcheck disable=SC2001
	sed 's/^/# /' <<<"$1"
}

# luhn DIGITS: DIGITS with the Luhn check digit appended (a number a card scheme accepts)
luhn() {
	local s=$1 sum=0 i d n=${#1}
	for ((i = n - 1; i >= 0; i--)); do
		d=${s:i:1}
		if (((n - i) % 2 == 1)); then
			d=$((d * 2))
			[ $d -gt 9 ] && d=$((d - 9))
		fi
		sum=$((sum + d))
	done
	echo "$s$(((10 - sum % 10) % 10))"
}

# values that occur nowhere else: this run's
n=$(printf '%08d' $(( ($$ * 7919 + $(date +%s)) % 100000000 )))
phone="+86137$n"
email="pglog.$n@example.com"
card=$(luhn "4${n}123456")
card2=$(luhn "5${n}654321")
secret_values=("$phone" "${phone#+}" "$email" "$card" "$card2")

[ -f "$LOG" ] || { echo "no PostgreSQL log at $LOG"; exit 1; }
offset=$(wc -c <"$LOG")
slow_ms=$(psql "$KASSA_CONNINFO" -XAtc "SELECT setting FROM pg_settings
	WHERE name = 'log_min_duration_statement'")
check "slow statements are logged (log_min_duration_statement = $slow_ms ms)" \
	"$([ "${slow_ms:--1}" -ge 0 ] && [ "$slow_ms" -le 1000 ]; echo $?)"
# terse alone keeps parameters out (they are DETAIL lines); these keep them out should the
# verbosity ever be raised to debug something
check "bind parameters are never logged (log_parameter_max_length[_on_error] = 0)" \
	"$([ "$(psql "$KASSA_CONNINFO" -XAtc "SELECT string_agg(setting, ' ' ORDER BY name)
		FROM pg_settings WHERE name IN ('log_parameter_max_length',
		'log_parameter_max_length_on_error')")" = "0 0" ]; echo $?)"

# 1. a slow statement with parameters: members stays SHARE-locked until kassad's insert has
# waited for the lock for 1.5 s (bounded: 30 s at most)
PGAPPNAME=test_pg_logging psql "$KASSA_CONNINFO" -Xq -v ON_ERROR_STOP=1 >"$tmp/lock.log" 2>&1 <<'SQL' &
BEGIN;
LOCK TABLE members IN SHARE MODE;
DO $$
BEGIN
	FOR i IN 1..300 LOOP
		EXIT WHEN EXISTS (SELECT 1 FROM pg_locks
			WHERE relation = 'members'::regclass AND NOT granted);
		PERFORM pg_sleep(0.1);
	END LOOP;
	PERFORM pg_sleep(1.5);
END
$$;
COMMIT;
SQL
locker=$!
for _ in $(seq 1 100); do
	[ "$(psql "$KASSA_CONNINFO" -XAtc "SELECT count(*) FROM pg_locks l
		JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'test_pg_logging'
		AND l.relation = 'members'::regclass AND l.mode = 'ShareLock' AND l.granted")" = 1 ] &&
		break
	sleep 0.1
done
out=$(till <<SCRIPT
login 1001 1234
member register name="Log Test" phone=$phone email=$email card=$card notes="paid with $card2"
SCRIPT
)
wait "$locker"
check "the lock holder ran" $?
show "$out"
check "the slow registration succeeded" \
	"$(grep '"cmd":"member register"' <<<"$out" | grep -q '"ok":true'; echo $?)"

# 2. a unique violation on the phone
out=$(till <<SCRIPT
login 1001 1234
member register name="Log Test Again" phone=$phone email=x$email card=$(luhn "6${n}000000")
SCRIPT
)
show "$out"
check "the same phone again is refused" \
	"$(grep '"cmd":"member register"' <<<"$out" | grep -q '"ok":false'; echo $?)"

# what PostgreSQL logged meanwhile (it writes the log line by line; give it a moment)
sleep 0.5
tail -c +"$((offset + 1))" "$LOG" >"$tmp/pg.log"
check "the slow statement was logged" \
	"$(grep -q 'duration: [0-9.]* ms .*kassa_member_register' "$tmp/pg.log"; echo $?)"
check "the unique violation was logged" \
	"$(grep -q 'ERROR: .*duplicate key value violates unique constraint "members_phone_key"' \
		"$tmp/pg.log"; echo $?)"
for v in "${secret_values[@]}"; do
	check "the log does not hold ${v:0:4}... (${#v} characters)" \
		"$(! grep -qF -- "$v" "$tmp/pg.log"; echo $?)"
done
check "the log has no parameters line" \
	"$(! grep -qF "parameters: \$1" "$tmp/pg.log"; echo $?)"
check "the log has no DETAIL line" "$(! grep -q 'DETAIL:' "$tmp/pg.log"; echo $?)"
[ "$fail" = 0 ] || { echo "# what PostgreSQL logged meanwhile:"; show "$(cat "$tmp/pg.log")"; }

summary
