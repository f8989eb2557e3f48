#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_readyz: /readyz tells a load balancer or an orchestrator the truth.
# 200 "ready" while the database answers and the schema is what this
# kassad's migrations expect; PostgreSQL stopped (scripts/test-env.sh
# pg-stop) makes it 503 with the reason within a bounded poll while /livez
# stays 200 (the loop answers); PostgreSQL started again brings it back to
# 200 without restarting kassad (same pid). A kassad whose migrations
# directory holds a migration the database has not had answers 503 "schema
# behind"; one draining after SIGTERM (a request still running, held by a
# lock) answers 503 "draining" until it exits 0. Needs KASSA_TEST_ENV and
# KASSA_TILL (kassa-office is next to it).
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
URL="http://127.0.0.1:$KASSA_METRICS_PORT"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
OFFICE=${KASSA_OFFICE:-$(dirname "$TILL")/kassa-office}
C=$KASSA_CERTS

status() {	# status URL: the HTTP status code; the body in $tmp/body
	curl -s --max-time 5 -o "$tmp/body" -w '%{http_code}' "$1"
}
wait_status() {	# wait_status URL CODE SECONDS: poll until URL answers CODE
	local end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		[ "$(status "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

pid=$(cat "$KASSA_PID_FILE")
wait_status "$URL/readyz" 200 10
check "/readyz is 200 with the database up" $?
check "its body says ready" $(grep -qx ready "$tmp/body"; echo $?)

bash "$KASSA_ROOT/scripts/test-env.sh" pg-stop "$KASSA_TEST_ENV" >"$tmp/pg" 2>&1
check "PostgreSQL stopped" $?
wait_status "$URL/readyz" 503 15
check "/readyz turns 503 within 15 s of PostgreSQL stopping" $?
sed 's/^/# readyz: /' "$tmp/body"
check "the body says the database is unreachable" $(grep -q '^database unreachable' "$tmp/body"; echo $?)
check "/livez stays 200 meanwhile" $([ "$(status "$URL/livez")" = 200 ]; echo $?)
check "/metrics says kassa_ready 0" $(curl -s --max-time 5 "$URL/metrics" | grep -qx 'kassa_ready 0'; echo $?)

bash "$KASSA_ROOT/scripts/test-env.sh" pg-start "$KASSA_TEST_ENV" >"$tmp/pg" 2>&1
check "PostgreSQL started again" $?
wait_status "$URL/readyz" 200 30
check "/readyz is 200 again within 30 s, without a restart" $?
check "same kassad process" $([ "$(cat "$KASSA_PID_FILE")" = "$pid" ] && kill -0 "$pid"; echo $?)

# a second kassad whose migrations go one further than the database
cp -r "$KASSA_ROOT/migrations" "$tmp/migrations"
echo "SELECT 1;" >"$tmp/migrations/9999_future.sql"
port=$(free_port) || { echo "no free port"; exit 1; }
mport=$(free_port) || { echo "no free port"; exit 1; }
start_kassad "$port" KASSA_DATABASE_MIGRATIONS="$tmp/migrations" \
	KASSA_ADMIN_METRICS_LISTEN="127.0.0.1:$mport"
behind=1
for _ in $(seq 1 75); do	# its first check within 15 s
	[ "$(status "http://127.0.0.1:$mport/readyz")" = 503 ] &&
		grep -q '^schema behind: .* expects 9999 (run kassad migrate)$' "$tmp/body" &&
		{ behind=0; break; }
	sleep 0.2
done
sed 's/^/# readyz: /' "$tmp/body"
check "a kassad expecting migration 9999 answers 503: the schema is behind" $behind
check "while it is alive" $([ "$(status "http://127.0.0.1:$mport/livez")" = 200 ]; echo $?)
stop_kassad
check "that kassad exited 0" $?
[ "$fail" = 0 ] || tail -20 "$tmp/kassad.log" | sed 's/^/# /'

# draining: SHOW VERSION waits on a lock of schema_migrations while SIGTERM arrives. The
# locker holds the lock until the test cancels it after the drain check (a fixed hold
# ran out before a login under the sanitizers reached the statement).
start_kassad "$port" KASSA_ADMIN_METRICS_LISTEN="127.0.0.1:$mport"
wait_status "http://127.0.0.1:$mport/readyz" 200 15
check "a plain second kassad is ready" $?
PGAPPNAME=kassa-readyz-locker psql "$KASSA_CONNINFO" -qc "BEGIN;
	LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;" \
	>/dev/null 2>&1 &
locker=$!
for _ in $(seq 1 50); do
	[ "$(psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM pg_locks l JOIN pg_class c ON
		c.oid = l.relation WHERE c.relname = 'schema_migrations' AND l.mode =
		'AccessExclusiveLock' AND l.granted")" = 1 ] && break
	sleep 0.1
done
"$OFFICE" --host 127.0.0.1 --port "$port" --cert "$C/HQ-OFFICE-1.crt" --key "$C/HQ-OFFICE-1.key" \
	--ca "$C/ca.crt" --server-name localhost --staff 9001 --pin 0000 --timeout 60000 \
	show version >"$tmp/show" 2>&1 &
shower=$!
running=1
for _ in $(seq 1 200); do	# its statement waits for the lock (at most 20 s)
	[ "$(psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM pg_stat_activity WHERE
		query LIKE '%AS schema_version FROM schema_migrations%' AND wait_event_type = 'Lock'")" = 1 ] &&
		{ running=0; break; }
	sleep 0.1
done
check "SHOW VERSION is held in flight by the lock" $running
kill -TERM "$kassad_pid"
draining=1
for _ in $(seq 1 20); do
	[ "$(status "http://127.0.0.1:$mport/readyz")" = 503 ] && grep -q '^draining' "$tmp/body" &&
		{ draining=0; break; }
	sleep 0.1
done
sed 's/^/# readyz: /' "$tmp/body"
check "while it drains after SIGTERM /readyz answers 503 draining" $draining
# let the held request go: its answer is what the drain waits for
psql "$KASSA_CONNINFO" -Atc "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	WHERE application_name = 'kassa-readyz-locker'" >/dev/null
wait "$kassad_pid"
rc=$?
kassad_pid=
check "then it exits 0" $([ $rc = 0 ]; echo $?)
wait "$locker" "$shower"
sed 's/^/# show: /' "$tmp/show"
check "and the request it drained was answered" $(grep -q '"report":"console_version"\|Version' "$tmp/show"; echo $?)

summary
