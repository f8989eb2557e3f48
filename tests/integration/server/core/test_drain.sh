#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_drain: SIGTERM lets a sale that is already running finish and be
# answered, refuses new connections, and exits 0. The sale is held up by a
# lock on its member's row, taken in psql, so it is surely in flight when the
# signal arrives. Runs its own kassad on a free port, next to the fixture's.
# Needs KASSA_TEST_ENV and KASSA_TILL.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
C=$KASSA_CERTS
port=$(free_port) || { echo "no free port"; exit 1; }
till() {
	"$TILL" --host 127.0.0.1 --port "$port" --cert "$C/S001-T1.crt" --key "$C/S001-T1.key" \
		--ca "$C/ca.crt" --server-name localhost --timeout 20000 --script
}

start_kassad "$port" KASSA_SERVER_SHUTDOWN_TIMEOUT=20
for _ in $(seq 1 100); do	# bounded wait for the listener
	echo "product SKU-TEA" | till >/dev/null 2>&1 && break
	sleep 0.1
done

member=$(psql "$KASSA_CONNINFO" -Atc "SELECT min(member_id) FROM members")
# hold the member's row for 3 s: the sale below waits on it inside kassa_checkout()
psql "$KASSA_CONNINFO" -Atc "BEGIN; SELECT 1 FROM members WHERE member_id = $member FOR UPDATE;
	SELECT pg_sleep(3); COMMIT;" >/dev/null &
for _ in $(seq 1 50); do	# bounded: until psql holds the lock
	held=$(psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()")
	[ "$held" -ge 1 ] && break
	sleep 0.1
done
printf 'login 1001 1234\nsale begin\nsale add SKU-TEA\nsale member %s\nsale pay cash 10.00\nsale finish\n' \
	"$member" | till >"$tmp/till.out" 2>&1 &
till_pid=$!
# wait (bounded) until the sale is blocked in the database, then signal
for _ in $(seq 1 50); do
	n=$(psql "$KASSA_CONNINFO" -Atc "SELECT count(*) FROM pg_stat_activity
		WHERE wait_event_type = 'Lock' AND query LIKE '%kassa_checkout%'")
	[ "$n" -ge 1 ] && break
	sleep 0.1
done
check "the sale is waiting in the database" $([ "${n:-0}" -ge 1 ]; echo $?)
kill -TERM "$kassad_pid"
for _ in $(seq 1 50); do	# bounded: until kassad has seen the signal
	grep -q "draining" "$tmp/kassad.log" && break
	sleep 0.1
done
echo "product SKU-TEA" | till >/dev/null 2>&1
check "no new connections while draining" $([ $? = 3 ]; echo $?)
wait "$till_pid"
check "the running sale was answered OK" $(grep -q '"cmd":"sale finish".*"txn_id"' "$tmp/till.out"; echo $?)
wait "$kassad_pid"
rc=$?
kassad_pid=
check "kassad exited 0 after draining" $([ $rc = 0 ]; echo $?)
[ "$fail" = 0 ] || { sed 's/^/# /' "$tmp/till.out"; tail -20 "$tmp/kassad.log" | sed 's/^/# /'; }

summary
