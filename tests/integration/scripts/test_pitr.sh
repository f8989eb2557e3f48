#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# test_pitr: point-in-time recovery from a WAL archive, as docs/operations.md describes it.
#   1. Cluster A (scripts/pg-cluster.sh, a free port) archives its WAL
#      (archive_mode = on, archive_command = 'test ! -f ARCHIVE/%f && cp %p ARCHIVE/%f')
#      and gets the fixture's roles and database (pg_dumpall --roles-only, pg_dump -Fc).
#   2. A base backup of A is taken while it runs (pg_basebackup -X stream).
#   3. A kassad on A serves sale 1 to a member; the moment T is read from A's clock once
#      kassa-till has the answer; then sale 2 to the same member. The WAL is switched and
#      archived; A is stopped (the disaster).
#   4. Cluster B is the base backup with recovery.signal, restore_command from the archive,
#      recovery_target_time = T and recovery_target_action = promote. It replays, stops
#      before sale 2's commit (the log says so), and promotes.
#   5. B holds sale 1 and not sale 2, the member's points are those right after sale 1, and
#      every points balance equals its ledger and its lots, every stored value its ledger.
# Needs KASSA_TEST_ENV and KASSA_TILL. Every wait polls a condition with a deadline.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
TILL=${KASSA_TILL:?KASSA_TILL must name the kassa-till binary}
PGCLUSTER=$KASSA_ROOT/scripts/pg-cluster.sh
C=$KASSA_CERTS
DEADLINE=${KASSA_TEST_PITR_TIMEOUT:-60}	# seconds any one wait may take
# two small clusters beside the fixture's
export KASSA_PG_SHARED_BUFFERS=32MB KASSA_PG_MAX_CONNECTIONS=60
A=$tmp/a
B=$tmp/b
ARCHIVE=$tmp/wal-archive
a_port=$(free_port)
b_port=$(free_port)
[ "$b_port" != "$a_port" ] || b_port=$(free_port)
RUNAS=
[ "$(id -u)" = 0 ] && RUNAS=postgres	# as scripts/pg-cluster.sh runs the server
as_pg() { if [ -n "$RUNAS" ]; then runuser -u "$RUNAS" -- "$@"; else "$@"; fi; }

cleanup() {
	bash "$PGCLUSTER" stop "$A" "$a_port" >/dev/null 2>&1
	bash "$PGCLUSTER" stop "$B" "$b_port" >/dev/null 2>&1
	on_exit
}
trap cleanup EXIT

sql_on() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U kassa -d kassa -c "$2"; }

# ---- 1. cluster A archives its WAL ---------------------------------------------

mkdir -p "$ARCHIVE" "$B"
[ -n "$RUNAS" ] && chown "$RUNAS:" "$ARCHIVE" "$B"
chmod 755 "$tmp"
bash "$PGCLUSTER" init "$A" "$a_port" >"$tmp/a.log" 2>&1
cat >>"$A/data/postgresql.auto.conf" <<CONF
archive_mode = on
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
archive_timeout = 0
CONF
bash "$PGCLUSTER" start "$A" "$a_port" >>"$tmp/a.log" 2>&1
rc=$?
[ "$rc" = 0 ] || tail -n 20 "$tmp/a.log" | sed 's/^/#   /'
check "cluster A starts with archive_mode on ($(sql_on "$a_port" "SHOW archive_mode" 2>/dev/null))" \
	$([ "$rc" = 0 ] && [ "$(sql_on "$a_port" "SHOW archive_mode")" = on ]; echo $?)
[ "$rc" = 0 ] || summary

pg_dumpall --roles-only -h 127.0.0.1 -p "$KASSA_PG_PORT" -U kassa >"$tmp/roles.sql" 2>/dev/null
psql -X -q -h 127.0.0.1 -p "$a_port" -U kassa -d postgres -f "$tmp/roles.sql" >/dev/null 2>&1
pg_dump -Fc -h 127.0.0.1 -p "$KASSA_PG_PORT" -U kassa -d kassa -f "$tmp/kassa.dump" &&
	pg_restore --exit-on-error --no-owner -h 127.0.0.1 -p "$a_port" -U kassa -d kassa \
		"$tmp/kassa.dump" 2>"$tmp/restore.err"
rc=$?
[ "$rc" = 0 ] || head -n 10 "$tmp/restore.err" | sed 's/^/#   /'
check "A holds a copy of the fixture's database" "$rc"
[ "$rc" = 0 ] || summary

# ---- 2. a base backup while it runs --------------------------------------------

as_pg pg_basebackup -h 127.0.0.1 -p "$a_port" -U postgres -D "$B/data" -X stream \
	--checkpoint=fast >"$tmp/basebackup.log" 2>&1
rc=$?
[ "$rc" = 0 ] || sed 's/^/#   /' "$tmp/basebackup.log"
check "pg_basebackup of A succeeds" "$rc"

# ---- 3. sale 1, the moment T, sale 2 ---------------------------------------------

port=$(free_port)
start_kassad "$port" KASSA_DATABASE_CONNINFO="host=127.0.0.1 port=$a_port dbname=kassa user=kassa connect_timeout=10"
kassad_listening "$port" "kassad on A to listen"
rc=$?
check "kassad serves cluster A" "$rc"
[ "$rc" = 0 ] || summary

member=11
# one till (S002-T1, its cashier 1002) with one state folder for both sales: a fresh folder
# numbers its receipts from the clock, so two within a moment would share a number
sale() {	# sale NAME: one member sale through kassa-till; prints its txn_id
	printf '%s\n' 'login 1002 2345' 'sale begin' 'sale add SKU-RICE 1' "sale member $member" \
		'sale pay cash 100' 'sale finish' 'quit' |
		"$TILL" --host 127.0.0.1 --port "$port" --cert "$C/S002-T1.crt" \
			--key "$C/S002-T1.key" --ca "$C/ca.crt" --server-name localhost \
			--timeout 20000 --state-dir "$tmp/till-state" --script >"$tmp/$1.out" 2>&1
	grep '"cmd":"sale finish"' "$tmp/$1.out" | grep '"ok":true' | grep -o '"txn_id":[0-9]*' |
		head -n 1 | cut -d: -f2
}
t1=$(sale one)
[ -n "$t1" ] || sed 's/^/#   /' "$tmp/one.out" | head -n 12
check "sale 1 is acknowledged (txn ${t1:-none})" $([ -n "$t1" ]; echo $?)
T=$(sql_on "$a_port" "SELECT clock_timestamp()")
pts_after_1=$(sql_on "$a_port" "SELECT points_balance FROM members WHERE member_id = $member")
t2=$(sale two)
[ -n "$t2" ] || sed 's/^/#   /' "$tmp/two.out" | head -n 12
check "sale 2, after T = $T, is acknowledged (txn ${t2:-none})" $([ -n "$t2" ]; echo $?)
pts_after_2=$(sql_on "$a_port" "SELECT points_balance FROM members WHERE member_id = $member")
check "sale 2 earned the member points ($pts_after_1 -> $pts_after_2)" \
	$([ "$pts_after_2" -gt "$pts_after_1" ]; echo $?)
stop_kassad
check "that kassad exits 0 on SIGTERM" $?

seg=$(sql_on "$a_port" "SELECT pg_walfile_name(pg_switch_wal())")
archived() { [ -f "$ARCHIVE/$seg" ]; }
wait_for "segment $seg in the archive" archived
check "the WAL up to sale 2 is archived ($seg; $(ls "$ARCHIVE" | wc -l) segments)" $?
bash "$PGCLUSTER" stop "$A" "$a_port" >/dev/null 2>&1
check "A is stopped (the disaster)" $?

# ---- 4. recover B to T ------------------------------------------------------------

cat >>"$B/data/postgresql.auto.conf" <<CONF
archive_mode = off
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_time = '$T'
recovery_target_action = 'promote'
CONF
touch "$B/data/recovery.signal"
[ -n "$RUNAS" ] && chown "$RUNAS:" "$B/data/recovery.signal" "$B/data/postgresql.auto.conf"
bash "$PGCLUSTER" start "$B" "$b_port" >"$tmp/b.log" 2>&1
rc=$?
[ "$rc" = 0 ] || tail -n 20 "$tmp/b.log" | sed 's/^/#   /'
check "B starts from the base backup with recovery.signal" "$rc"
[ "$rc" = 0 ] || summary
promoted() { [ "$(sql_on "$b_port" "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ]; }
wait_for "B to finish recovery and promote" promoted
check "B replays the archive up to T and promotes" $?
check "B's log says it stopped before a later commit" \
	$(grep -q "recovery stopping before commit" "$B/log/postgresql.log"; echo $?)

# ---- 5. what B holds ---------------------------------------------------------------

check "B has sale 1 (txn $t1)" \
	$([ "$(sql_on "$b_port" "SELECT count(*) FROM transactions WHERE txn_id = ${t1:-0}")" = 1 ]; echo $?)
check "B does not have sale 2 (txn $t2), made after T" \
	$([ "$(sql_on "$b_port" "SELECT count(*) FROM transactions WHERE txn_id = ${t2:-0}")" = 0 ]; echo $?)
pts=$(sql_on "$b_port" "SELECT points_balance FROM members WHERE member_id = $member")
check "the member's points are those right after sale 1 ($pts = $pts_after_1)" \
	$([ "$pts" = "$pts_after_1" ]; echo $?)
off=$(sql_on "$b_port" "SELECT
	(SELECT count(*) FROM members m WHERE m.points_balance <> coalesce((SELECT sum(points)
		FROM points_ledger l WHERE l.member_id = m.member_id), 0))
	+ (SELECT count(*) FROM members m WHERE greatest(m.points_balance, 0) <> coalesce((SELECT
		sum(remaining) FROM points_lots l WHERE l.member_id = m.member_id), 0))
	+ (SELECT count(*) FROM wallets w WHERE w.balance_minor <> coalesce((SELECT
		sum(amount_minor) FROM wallet_ledger l WHERE l.member_id = w.member_id), 0))")
check "every ledger of B balances (offenders: $off)" $([ "$off" = 0 ]; echo $?)
summary
